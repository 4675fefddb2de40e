//! files view: one file's content, shown over the tree (Enter on a regular file). The bytes
//! (at most 1 MiB) are kept only while the content is shown, for saving; the layer is read
//! again by the executor for each opening.

use std::sync::Arc;

use crate::layerfs::LayerIndex;
use crate::layerfs::content::{hex_lines, is_text, text_lines};

use super::files::FilesSource;
use super::popup::Scroll;

/// Which content read an answer is for: an answer for a content closed since is dropped.
pub type ContentRequestId = u64;

/// A file's bytes; Debug gives only the length (a file may be 1 MiB of anything).
#[derive(Clone, PartialEq, Eq)]
pub struct FileBytes(pub Arc<[u8]>);

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileBytes({} bytes)", self.0.len())
    }
}

/// What the executor needs to read one file again: where the image came from, the layer
/// that wrote the file (its diff ID, its place in the source when known, its index) and the
/// file's path (`a/b/c`).
#[derive(Clone)]
pub struct ContentRequest {
    pub source: FilesSource,
    pub diff_id: String,
    pub locator: Option<String>,
    pub index: Arc<LayerIndex>,
    pub path: Vec<u8>,
}

// The index is the layer's whole header list: compared and logged by the layer's digest.
impl PartialEq for ContentRequest {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.diff_id == other.diff_id
            && self.locator == other.locator
            && self.path == other.path
    }
}

impl Eq for ContentRequest {}

impl std::fmt::Debug for ContentRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentRequest")
            .field("source", &self.source)
            .field("diff_id", &self.diff_id)
            .field("locator", &self.locator)
            .field("path", &String::from_utf8_lossy(&self.path))
            .finish()
    }
}

/// How far the content is.
#[derive(Debug)]
pub enum ContentState {
    Loading,
    Failed(String),
    Shown {
        bytes: FileBytes,
        /// Shown as text (else as a hex dump).
        text: bool,
        /// The lines drawn: text with control characters made visible, or the hex dump.
        lines: Vec<String>,
    },
}

/// The content shown over the tree.
#[derive(Debug)]
pub struct ContentPane {
    pub request: ContentRequestId,
    /// `/a/b/c`, lossy UTF-8 (cleaned before drawing).
    pub path: String,
    /// The layer that wrote the file (0 = base).
    pub layer: usize,
    pub size: u64,
    pub state: ContentState,
    pub scroll: Scroll,
    /// `w` on a tree row: the save form opens once the content is here.
    pub save_when_read: bool,
}

impl ContentPane {
    pub fn loading(request: ContentRequestId, path: String, layer: usize, size: u64) -> Self {
        ContentPane {
            request,
            path,
            layer,
            size,
            state: ContentState::Loading,
            scroll: Scroll::default(),
            save_when_read: false,
        }
    }

    /// The executor's answer.
    pub fn loaded(&mut self, result: Result<FileBytes, String>) {
        self.state = match result {
            Ok(bytes) => {
                let text = is_text(&bytes.0);
                let lines = if text {
                    text_lines(&bytes.0)
                } else {
                    hex_lines(&bytes.0)
                };
                ContentState::Shown { bytes, text, lines }
            }
            Err(message) => ContentState::Failed(message),
        };
        self.scroll = Scroll::default();
    }

    /// The lines to draw (none while loading or after a failure).
    pub fn lines(&self) -> &[String] {
        match &self.state {
            ContentState::Shown { lines, .. } => lines,
            _ => &[],
        }
    }

    pub fn bytes(&self) -> Option<&FileBytes> {
        match &self.state {
            ContentState::Shown { bytes, .. } => Some(bytes),
            _ => None,
        }
    }

    /// Shown as text (`Some(true)`), as hex (`Some(false)`), or not shown yet.
    pub fn is_text(&self) -> Option<bool> {
        match &self.state {
            ContentState::Shown { text, .. } => Some(*text),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match &self.state {
            ContentState::Failed(message) => Some(message),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_shows_as_text_and_binary_as_hex_and_a_failure_as_its_reason() {
        let mut pane = ContentPane::loading(1, "/etc/x".into(), 0, 5);
        assert!(pane.lines().is_empty() && pane.is_text().is_none());
        pane.loaded(Ok(FileBytes(Arc::from(&b"a\x1bb\nc"[..]))));
        assert_eq!(pane.lines(), ["a^[b", "c"]);
        assert_eq!(pane.is_text(), Some(true));
        pane.loaded(Ok(FileBytes(Arc::from(&b"\x7fELF\0"[..]))));
        assert_eq!(pane.is_text(), Some(false));
        assert!(pane.lines()[0].starts_with("00000000  7f 45 4c 46 00"));
        pane.loaded(Err("gone".into()));
        assert_eq!(pane.error(), Some("gone"));
        assert!(pane.bytes().is_none());
    }
}
