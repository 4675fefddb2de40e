//! One file's content: the layer that wrote it is read again (only until the file is found)
//! and the file's bytes kept, up to 1 MiB. Nothing else is kept between reads. Also the
//! pure helpers to show it (text with control characters made visible, or a hex dump) and
//! to save it.

use std::io::{Read, Write};
use std::path::Path;

use futures::StreamExt;

use super::compress::{HashingReader, decompressed};
use super::index::{EntryKind, LayerIndex, normalise};
use super::source::{ChunkReader, short_digest};
use super::tarscan::{TarKind, TarScanner};
use crate::docker::{Engine, ImageId};
use crate::registry::{RegistryClient, RepositoryRef};

/// Largest file shown or saved.
pub const MAX_CONTENT: u64 = 1024 * 1024;
/// Hard links followed before giving up (a loop, or a chain no archive should have).
const MAX_LINK_DEPTH: usize = 40;

/// Where a layer's bytes are.
#[derive(Clone)]
pub enum LayerLocation {
    /// An archive file or OCI layout directory, and the layer's entry in it.
    Archive {
        path: std::path::PathBuf,
        entry: String,
    },
    /// A local image through the engine's export: the entry if known, else the diff ID
    /// (each layer is then hashed until one matches).
    Engine {
        engine: Engine,
        image: ImageId,
        entry: Option<String>,
        diff_id: String,
    },
    /// A registry blob.
    Registry {
        client: RegistryClient,
        repo: RepositoryRef,
        digest: String,
    },
}

/// The file at `path` (`a/b/c`) as written by the layer whose index is `index`, following
/// hard links within the layer. Regular files of at most [`MAX_CONTENT`] only.
pub async fn read_file(
    location: LayerLocation,
    index: &LayerIndex,
    path: &[u8],
) -> Result<Vec<u8>, String> {
    let target = regular_file_path(index, path)?;
    match location {
        LayerLocation::Archive {
            path: archive,
            entry,
        } => tokio::task::spawn_blocking(move || from_archive_path(&archive, &entry, &target))
            .await
            .map_err(|e| e.to_string())?,
        LayerLocation::Engine {
            engine,
            image,
            entry,
            diff_id,
        } => {
            let (tx, reader) = ChunkReader::channel(16);
            let mut export = Box::pin(engine.export_image(&image));
            let forward = tokio::spawn(async move {
                while let Some(chunk) = export.next().await {
                    let item = chunk.map_err(|e| e.to_string());
                    let failed = item.is_err();
                    if tx.send(item).await.is_err() || failed {
                        break;
                    }
                }
            });
            let want = match entry {
                Some(entry) => Want::Entry(entry),
                None => Want::DiffId(diff_id),
            };
            let result =
                tokio::task::spawn_blocking(move || from_archive_stream(reader, &want, &target))
                    .await
                    .map_err(|e| e.to_string())?;
            // Stops the export once the file is found.
            forward.abort();
            result
        }
        LayerLocation::Registry {
            client,
            repo,
            digest,
        } => {
            let blob = client
                .blob_stream(&repo, &digest)
                .await
                .map_err(|e| e.to_string())?;
            let (tx, reader) = ChunkReader::channel(16);
            let mut chunks = blob.chunks;
            let forward = tokio::spawn(async move {
                while let Some(chunk) = chunks.next().await {
                    let item = chunk.map_err(|e| e.to_string());
                    let failed = item.is_err();
                    if tx.send(item).await.is_err() || failed {
                        break;
                    }
                }
            });
            let label = short_digest(&digest).to_string();
            let result = tokio::task::spawn_blocking(move || {
                from_layer(reader, &target, &label).map(|(c, _)| c)
            })
            .await
            .map_err(|e| e.to_string())?;
            forward.abort();
            result?.ok_or_else(|| "the file is not in the layer any more".to_string())
        }
    }
}

/// The path whose data the file has: itself, or the end of its hard-link chain. Refuses
/// what is not a regular file or is too large.
pub fn regular_file_path(index: &LayerIndex, path: &[u8]) -> Result<Vec<u8>, String> {
    let mut current = path.to_vec();
    for _ in 0..MAX_LINK_DEPTH {
        let id = index
            .find(&current)
            .ok_or_else(|| format!("{} is not in this layer", String::from_utf8_lossy(&current)))?;
        let node = index.node(id);
        if !node.is_explicit() {
            return Err("this layer has no content for that path".into());
        }
        match node.kind {
            EntryKind::File if node.size > MAX_CONTENT => {
                return Err(format!(
                    "the file is {} bytes; only files up to 1 MiB are shown",
                    node.size
                ));
            }
            EntryKind::File => return Ok(current),
            EntryKind::HardLink => current = index.link(id).to_vec(),
            EntryKind::Dir => return Err("a directory has no content to show".into()),
            EntryKind::Symlink => {
                return Err(format!(
                    "a symlink to {}",
                    String::from_utf8_lossy(index.link(id))
                ));
            }
            EntryKind::Other => return Err("a device or FIFO has no content to show".into()),
        }
    }
    Err(format!("hard links nested more than {MAX_LINK_DEPTH} deep"))
}

enum Want {
    Entry(String),
    DiffId(String),
}

fn from_archive_path(archive: &Path, entry: &str, target: &[u8]) -> Result<Vec<u8>, String> {
    if archive.is_dir() {
        // An OCI layout directory: the blob is a file of its own.
        let parts = normalise(entry.as_bytes()).ok_or("a bad layer path")?;
        let mut path = archive.to_path_buf();
        for part in parts {
            path.push(String::from_utf8_lossy(part).as_ref());
        }
        let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        return from_layer(file, target, entry)?
            .0
            .ok_or_else(|| "the file is not in the layer any more".into());
    }
    let file = std::fs::File::open(archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    from_archive_stream(file, &Want::Entry(entry.to_string()), target)
}

/// Finds the layer in an image archive stream and the file in it.
fn from_archive_stream<R: Read + Send>(
    archive: R,
    want: &Want,
    target: &[u8],
) -> Result<Vec<u8>, String> {
    let (_, stream) = decompressed(archive)?;
    let mut scanner = TarScanner::new(stream);
    let mut wanted_entry = match want {
        Want::Entry(e) => Some(e.clone()),
        Want::DiffId(_) => None,
    };
    while let Some(header) = scanner.next_header().map_err(|e| e.to_string())? {
        let Some(parts) = normalise(&header.path) else {
            continue;
        };
        let path = String::from_utf8_lossy(&parts.join(&b'/')).into_owned();
        if header.kind == TarKind::Symlink && wanted_entry.as_deref() == Some(path.as_str()) {
            // docker save links a repeated layer to its first copy: follow it (it came before
            // only if the archive is unusual; then this read fails with "not found").
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            let joined = [dir.as_bytes(), b"/", &header.link].concat();
            wanted_entry =
                normalise(&joined).map(|p| String::from_utf8_lossy(&p.join(&b'/')).into_owned());
            continue;
        }
        if header.kind != TarKind::File {
            continue;
        }
        let is_layer = match (&wanted_entry, want) {
            (Some(entry), _) => &path == entry,
            (None, Want::DiffId(_)) => path.ends_with(".tar") || path.starts_with("blobs/"),
            _ => false,
        };
        if !is_layer {
            continue;
        }
        let reader = EntryData {
            scanner: &mut scanner,
        };
        let (content, diff_id) = from_layer(reader, target, &path)?;
        match want {
            Want::Entry(_) => {
                return content.ok_or_else(|| "the file is not in the layer any more".into());
            }
            Want::DiffId(id) if &diff_id == id => {
                return content.ok_or_else(|| "the file is not in the layer any more".into());
            }
            Want::DiffId(_) => {}
        }
    }
    Err("the layer was not found in the image any more".into())
}

struct EntryData<'a, R: Read> {
    scanner: &'a mut TarScanner<R>,
}

impl<R: Read> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.scanner
            .read_data(buf)
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// Reads one layer blob to its end: the last entry at `target` (a later entry with the same
/// path replaces an earlier one), and the layer's diff ID.
fn from_layer<R: Read + Send>(
    blob: R,
    target: &[u8],
    label: &str,
) -> Result<(Option<Vec<u8>>, String), String> {
    let (_, inner) = decompressed(blob).map_err(|e| format!("layer {label}: {e}"))?;
    let mut hashing = HashingReader::new(inner);
    let mut content = None;
    {
        let mut scanner = TarScanner::new(&mut hashing);
        while let Some(header) = scanner
            .next_header()
            .map_err(|e| format!("layer {label}: {e}"))?
        {
            let Some(parts) = normalise(&header.path) else {
                continue;
            };
            if header.kind != TarKind::File || parts.join(&b'/') != target {
                continue;
            }
            if header.size > MAX_CONTENT {
                return Err("the file is larger than 1 MiB".into());
            }
            let mut data = Vec::with_capacity(usize::try_from(header.size).unwrap_or(0));
            let mut buf = [0u8; 16 * 1024];
            loop {
                let n = scanner
                    .read_data(&mut buf)
                    .map_err(|e| format!("layer {label}: {e}"))?;
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            content = Some(data);
        }
    }
    let (diff_id, _) = hashing
        .finish()
        .map_err(|e| format!("layer {label}: {e}"))?;
    Ok((content, diff_id))
}

/// Whether bytes read as text (UTF-8 without NULs).
pub fn is_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// Text lines with control characters made visible (`^[`, `^M`, `\u{202e}` as `<U+202E>`);
/// tabs become spaces.
pub fn text_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.split('\n')
        .map(|line| {
            let mut out = String::with_capacity(line.len());
            for c in line.chars() {
                match c {
                    '\t' => out.push_str("    "),
                    c if (c as u32) < 0x20 => {
                        out.push('^');
                        out.push(char::from(b'@' + c as u8));
                    }
                    '\u{7f}' => out.push_str("^?"),
                    c if c.is_control()
                        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
                    {
                        out.push_str(&format!("<U+{:04X}>", c as u32));
                    }
                    c => out.push(c),
                }
            }
            out
        })
        .collect()
}

/// `00000000  7f 45 4c 46 …  |.ELF…|`, 16 bytes a line.
pub fn hex_lines(bytes: &[u8]) -> Vec<String> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() || b == b' ' {
                        char::from(b)
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {:<47}  |{}|", i * 16, hex.join(" "), ascii)
        })
        .collect()
}

/// Writes the content to a new file (never over an existing one).
pub fn save(path: &Path, content: &[u8]) -> Result<(), String> {
    let mut file = std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!("{} exists already", path.display()),
            _ => format!("cannot write {}: {e}", path.display()),
        })?;
    file.write_all(content)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layerfs::stack::fixture::layer;

    #[test]
    fn hard_link_chains_lead_to_the_file_and_loops_stop() {
        let index = layer(&["a=5", "b=>a", "c=>b", "big=2000000", "l->a", "x=>y", "y=>x"]);
        assert_eq!(regular_file_path(&index, b"c").unwrap(), b"a");
        assert!(
            regular_file_path(&index, b"big")
                .unwrap_err()
                .contains("1 MiB")
        );
        assert!(
            regular_file_path(&index, b"l")
                .unwrap_err()
                .contains("symlink")
        );
        assert!(
            regular_file_path(&index, b"x")
                .unwrap_err()
                .contains("nested")
        );
    }

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(text_lines(b"a\x1b[31mb\tc\r"), ["a^[[31mb    c^M"]);
        assert_eq!(text_lines("\u{202e}x".as_bytes()), ["<U+202E>x"]);
        assert!(!is_text(b"\x7fELF\0"));
        assert_eq!(
            hex_lines(b"AB\x00"),
            [format!("00000000  41 42 00{}  |AB.|", " ".repeat(47 - 8))]
        );
    }
}
