//! File-system work for forms: path completion and checking an archive before import.
//! Blocking; run on the blocking pool.

use std::io::Read;
use std::path::Path;

use crate::model::path_completion::{DirEntry, PathCompletion, complete};

/// Lists `directory` (the typed path's directory, `~/` expanded) and completes `typed`.
pub fn complete_path(typed: &str, directory: &Path) -> PathCompletion {
    let entries: Vec<DirEntry> = match std::fs::read_dir(directory) {
        Ok(read) => read
            .filter_map(Result::ok)
            .take(10_000)
            .map(|entry| DirEntry {
                name: entry.file_name().to_string_lossy().into_owned(),
                is_dir: entry.path().is_dir(),
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    complete(typed, &entries)
}

/// What kind of archive the first bytes say a file is.
pub fn archive_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some("gzip")
    } else if head.starts_with(b"BZh") {
        Some("bzip2")
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Some("xz")
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some("zstd")
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        Some("tar")
    } else {
        None
    }
}

/// The file's size when it is a readable archive the engine can import; otherwise why not.
pub fn check_archive(path: &Path) -> Result<u64, String> {
    let path_text = path.display().to_string();
    let shown = crate::text::shorten_middle(&path_text, 60);
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{shown} does not exist"),
        std::io::ErrorKind::PermissionDenied => format!("{shown}: permission denied"),
        _ => format!("cannot read {shown}: {e}"),
    })?;
    if metadata.is_dir() {
        return Err(format!("{shown} is a directory; give the archive file"));
    }
    // A FIFO or a device would block the check (and the upload) indefinitely.
    if !metadata.is_file() {
        return Err(format!("{shown} is not a regular file"));
    }
    let mut head = Vec::with_capacity(512);
    std::fs::File::open(path)
        .and_then(|f| f.take(512).read_to_end(&mut head))
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if head.is_empty() {
        return Err(format!("{shown} is empty"));
    }
    archive_kind(&head)
        .map(|_| metadata.len())
        .ok_or_else(|| format!("{shown} is not a tar archive (plain, gzip, bzip2, xz or zstd)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("rootfs.tar");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let error = check_archive(&fifo).unwrap_err();
        assert!(error.ends_with("is not a regular file"), "{error}");
    }

    #[test]
    fn a_long_path_leaves_room_for_the_reason() {
        let path = format!("/tmp/{}/{}/x.tar", "a".repeat(200), "b".repeat(300));
        let error = check_archive(Path::new(&path)).unwrap_err();
        assert!(error.ends_with("/x.tar does not exist"), "{error}");
        assert!(error.chars().count() < 80, "{error}");
    }

    #[test]
    fn recognises_archives_and_refuses_others() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        assert!(
            check_archive(&text)
                .unwrap_err()
                .contains("not a tar archive")
        );
        let gz = dir.path().join("root.tar.gz");
        std::fs::write(&gz, [0x1f, 0x8b, 8, 0]).unwrap();
        assert_eq!(check_archive(&gz), Ok(4));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        let plain = dir.path().join("root.tar");
        std::fs::write(&plain, &tar).unwrap();
        assert_eq!(check_archive(&plain), Ok(512));
        assert!(
            check_archive(&dir.path().join("missing.tar"))
                .unwrap_err()
                .contains("does not exist")
        );
        assert!(check_archive(dir.path()).unwrap_err().contains("directory"));
        let empty = dir.path().join("empty.tar");
        std::fs::write(&empty, "").unwrap();
        assert!(check_archive(&empty).unwrap_err().contains("empty"));
    }

    #[test]
    fn completes_against_the_real_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("centos.tar.gz"), "x").unwrap();
        std::fs::create_dir(dir.path().join("images")).unwrap();
        let base = format!("{}/", dir.path().display());
        assert_eq!(
            complete_path(&format!("{base}ce"), dir.path()).text,
            format!("{base}centos.tar.gz")
        );
        assert_eq!(
            complete_path(&format!("{base}im"), dir.path()).text,
            format!("{base}images/")
        );
    }
}
