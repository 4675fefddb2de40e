//! files view: one file's content read again from the layer that wrote it (through
//! `layerfs::content`), and a content saved to a path. Both off the UI task.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::docker::ImageId;
use crate::flows::file_content::ContentMsg;
use crate::layerfs::content::{LayerLocation, read_file, save};
use crate::model::file_content::{ContentRequest, ContentRequestId, FileBytes};
use crate::model::files::FilesLoadId;
use crate::msg::Msg;

use super::layer_files::{FilesContext, Origin, resolve};

pub(super) async fn read(
    load: FilesLoadId,
    request: ContentRequestId,
    what: ContentRequest,
    context: FilesContext,
) -> Msg {
    let result = read_content(what, &context)
        .await
        .map(|bytes| FileBytes(Arc::from(bytes)));
    Msg::FileContent(ContentMsg::Read {
        load,
        request,
        result,
    })
}

async fn read_content(what: ContentRequest, context: &FilesContext) -> Result<Vec<u8>, String> {
    let unplaced = || "where this layer is in its source is not known".to_string();
    let location = match resolve(what.source, context).await? {
        Origin::Archive { path, .. } => LayerLocation::Archive {
            path,
            entry: what.locator.ok_or_else(unplaced)?,
        },
        Origin::Engine { engine, reference } => LayerLocation::Engine {
            engine,
            image: ImageId(reference),
            entry: what.locator,
            diff_id: what.diff_id,
        },
        Origin::Remote {
            client, reference, ..
        } => LayerLocation::Registry {
            client,
            repo: reference.repository_ref().clone(),
            digest: what.locator.ok_or_else(unplaced)?,
        },
    };
    read_file(location, &what.index, &what.path).await
}

/// Writes the bytes; an existing file is replaced only when `overwrite` (and never a
/// directory). Blocking: runs on the blocking pool.
pub(super) fn save_to(path: PathBuf, bytes: &FileBytes, overwrite: bool) -> Msg {
    let result = write(&path, &bytes.0, overwrite).map(|()| bytes.0.len() as u64);
    Msg::FileContent(ContentMsg::Saved { path, result })
}

fn write(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("{} is a directory", path.display()));
    }
    if !overwrite {
        return save(path, bytes).map_err(|e| {
            if path.exists() {
                format!("{e}: switch Overwrite on to replace it")
            } else {
                e
            }
        });
    }
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_kept_unless_overwrite_and_a_directory_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        write(&path, b"one", false).unwrap();
        let refused = write(&path, b"two", false).unwrap_err();
        assert!(refused.contains("Overwrite"), "{refused}");
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(
            write(dir.path(), b"x", true)
                .unwrap_err()
                .contains("directory")
        );
        let missing = dir.path().join("no/such/dir/f");
        assert!(
            write(&missing, b"x", false)
                .unwrap_err()
                .contains("cannot write")
        );
    }
}
