//! The `/` filter shared by every list pane.

use super::line_editor::LineEditor;

/// Filter text and whether the user is typing into it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub editor: LineEditor,
    pub editing: bool,
}

impl Filter {
    /// Lowercase words that must all appear in a row.
    pub fn terms(&self) -> Vec<String> {
        self.editor
            .text()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect()
    }

    /// Whether rows are being narrowed (or the user is typing).
    pub fn is_active(&self) -> bool {
        self.editing || !self.editor.is_empty()
    }
}
