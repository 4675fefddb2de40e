//! The one single-line text editor behind every input in wharf: the filter, the command
//! line, prompts and form fields.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Longest text an input accepts; protects against a runaway paste.
const MAX_CHARS: usize = 4096;

/// What a key did to the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// The key is not an editing key; the owner decides (Enter, Esc, Tab, Up, Down…).
    Ignored,
}

/// Text plus a cursor (a char index). Masked editors never show or log their text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct LineEditor {
    text: String,
    cursor: usize,
    masked: bool,
}

impl fmt::Debug for LineEditor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: &dyn fmt::Debug = if self.masked {
            &"<redacted>"
        } else {
            &self.text
        };
        f.debug_struct("LineEditor")
            .field("text", text)
            .field("cursor", &self.cursor)
            .finish()
    }
}

impl LineEditor {
    pub fn new() -> Self {
        LineEditor::default()
    }

    /// An editor holding `text` with the cursor at its end.
    pub fn with_text(text: &str) -> Self {
        let mut editor = LineEditor::new();
        editor.set_text(text);
        editor
    }

    /// An editor for secrets: drawn as bullets, redacted in `Debug`.
    pub fn masked() -> Self {
        LineEditor {
            masked: true,
            ..LineEditor::default()
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_masked(&self) -> bool {
        self.masked
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Cursor position in chars.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Replaces the text and puts the cursor at its end.
    pub fn set_text(&mut self, text: &str) {
        self.text.clear();
        self.cursor = 0;
        self.insert_str(text);
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Inserts text at the cursor; control characters are dropped, newlines become spaces.
    pub fn insert_str(&mut self, text: &str) -> Edit {
        let mut changed = false;
        for c in text.chars() {
            let c = if c == '\n' || c == '\t' { ' ' } else { c };
            if c.is_control() || self.len() >= MAX_CHARS {
                continue;
            }
            let at = self.byte_index(self.cursor);
            self.text.insert(at, c);
            self.cursor += 1;
            changed = true;
        }
        if changed {
            Edit::Changed
        } else {
            Edit::Ignored
        }
    }

    /// Applies an editing key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('u') if ctrl => self.edit(|e| e.clear()),
            KeyCode::Char('w') if ctrl => self.delete_word_before(),
            KeyCode::Backspace if ctrl || alt => self.delete_word_before(),
            KeyCode::Char('k') if ctrl => {
                let at = self.byte_index(self.cursor);
                self.edit(|e| e.text.truncate(at))
            }
            KeyCode::Char('a') if ctrl => self.move_to(0),
            KeyCode::Char('e') if ctrl => self.move_to(self.len()),
            KeyCode::Char('b') if ctrl => self.move_to(self.cursor.saturating_sub(1)),
            KeyCode::Char('f') if ctrl => self.move_to(self.cursor + 1),
            KeyCode::Char('h') if ctrl => self.delete_before(),
            KeyCode::Char('d') if ctrl => self.delete_at(),
            KeyCode::Char(c) if !ctrl && !alt => self.insert_str(c.encode_utf8(&mut [0; 4])),
            KeyCode::Left if ctrl || alt => self.move_to(self.word_start_before()),
            KeyCode::Right if ctrl || alt => self.move_to(self.word_end_after()),
            KeyCode::Left => self.move_to(self.cursor.saturating_sub(1)),
            KeyCode::Right => self.move_to(self.cursor + 1),
            KeyCode::Home => self.move_to(0),
            KeyCode::End => self.move_to(self.len()),
            KeyCode::Backspace => self.delete_before(),
            KeyCode::Delete => self.delete_at(),
            _ => Edit::Ignored,
        }
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte_index(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn edit(&mut self, f: impl FnOnce(&mut Self)) -> Edit {
        let before = self.text.clone();
        f(self);
        self.cursor = self.cursor.min(self.len());
        if self.text == before {
            Edit::Ignored
        } else {
            Edit::Changed
        }
    }

    fn move_to(&mut self, position: usize) -> Edit {
        let position = position.min(self.len());
        if position == self.cursor {
            return Edit::Ignored;
        }
        self.cursor = position;
        Edit::Moved
    }

    fn delete_before(&mut self) -> Edit {
        if self.cursor == 0 {
            return Edit::Ignored;
        }
        let at = self.byte_index(self.cursor - 1);
        self.text.remove(at);
        self.cursor -= 1;
        Edit::Changed
    }

    fn delete_at(&mut self) -> Edit {
        if self.cursor >= self.len() {
            return Edit::Ignored;
        }
        let at = self.byte_index(self.cursor);
        self.text.remove(at);
        Edit::Changed
    }

    fn delete_word_before(&mut self) -> Edit {
        let start = self.word_start_before();
        if start == self.cursor {
            return Edit::Ignored;
        }
        let (from, to) = (self.byte_index(start), self.byte_index(self.cursor));
        self.text.replace_range(from..to, "");
        self.cursor = start;
        Edit::Changed
    }

    /// Start of the word before the cursor, skipping separators first (like a shell's Ctrl-W,
    /// which also stops at `/` and `:` so reference parts go one at a time).
    fn word_start_before(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i > 0 && is_separator(chars[i - 1]) {
            i -= 1;
        }
        while i > 0 && !is_separator(chars[i - 1]) {
            i -= 1;
        }
        i
    }

    fn word_end_after(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i < chars.len() && is_separator(chars[i]) {
            i += 1;
        }
        while i < chars.len() && !is_separator(chars[i]) {
            i += 1;
        }
        i
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '/' | ':' | '@' | '=' | ',')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(text: &str) -> LineEditor {
        let mut e = LineEditor::new();
        for c in text.chars() {
            e.handle_key(key(KeyCode::Char(c)));
        }
        e
    }

    #[test]
    fn typing_and_moving() {
        let mut e = typed("ngnx");
        assert_eq!(e.cursor(), 4);
        e.handle_key(key(KeyCode::Left));
        e.handle_key(key(KeyCode::Left));
        assert_eq!(e.handle_key(key(KeyCode::Char('i'))), Edit::Changed);
        assert_eq!(e.text(), "nginx");
        assert_eq!(e.handle_key(key(KeyCode::Home)), Edit::Moved);
        assert_eq!(e.handle_key(key(KeyCode::Left)), Edit::Ignored);
        e.handle_key(key(KeyCode::Delete));
        assert_eq!(e.text(), "ginx");
        e.handle_key(key(KeyCode::End));
        e.handle_key(key(KeyCode::Backspace));
        assert_eq!(e.text(), "gin");
    }

    #[test]
    fn ctrl_u_clears_and_ctrl_w_deletes_a_word() {
        let mut e = typed("localhost:5000/team/app");
        assert_eq!(e.handle_key(ctrl('w')), Edit::Changed);
        assert_eq!(e.text(), "localhost:5000/team/");
        e.handle_key(ctrl('w'));
        assert_eq!(e.text(), "localhost:5000/");
        e.set_text("pull   nginx  ");
        e.handle_key(ctrl('w'));
        assert_eq!(e.text(), "pull   ");
        assert_eq!(e.handle_key(ctrl('u')), Edit::Changed);
        assert_eq!(e.text(), "");
        assert_eq!(e.handle_key(ctrl('u')), Edit::Ignored);
    }

    #[test]
    fn multibyte_text_edits_by_character() {
        let mut e = typed("añb日");
        e.handle_key(key(KeyCode::Left));
        e.handle_key(key(KeyCode::Backspace));
        assert_eq!(e.text(), "añ日");
        assert_eq!(e.cursor(), 2);
    }

    #[test]
    fn unhandled_keys_are_left_to_the_owner() {
        let mut e = typed("x");
        for code in [
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::Up,
            KeyCode::Down,
        ] {
            assert_eq!(e.handle_key(key(code)), Edit::Ignored);
        }
        assert_eq!(e.text(), "x");
    }

    #[test]
    fn paste_drops_controls_and_is_bounded() {
        let mut e = LineEditor::new();
        e.insert_str("a\u{1b}[31mb\nc");
        assert_eq!(e.text(), "a[31mb c");
        e.insert_str(&"x".repeat(10_000));
        assert_eq!(e.text().chars().count(), MAX_CHARS);
    }

    #[test]
    fn masked_text_never_shows_in_debug() {
        let mut e = LineEditor::masked();
        e.insert_str("hunter2");
        assert!(!format!("{e:?}").contains("hunter2"));
        assert_eq!(e.text(), "hunter2");
    }
}
