//! Forms: a few labelled fields (text, secret, switch, several lines), Tab between them,
//! Enter submits, Esc cancels. What a form is for and how it is checked lives with its
//! owner; this module only edits.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::line_editor::{Edit, LineEditor};

/// Lines a several-lines field holds at most (a runaway paste stops there).
const MAX_LINES: usize = 200;

/// The value of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// One line of text (masked editors for passwords).
    Text(LineEditor),
    /// On or off; Space flips it.
    Switch(bool),
    /// Several lines; Alt-Enter starts a new one.
    Lines { lines: Vec<LineEditor>, row: usize },
}

/// A labelled field with an optional hint and an error from the last submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub hint: &'static str,
    pub value: FieldValue,
    pub error: Option<String>,
}

impl Field {
    pub fn text(label: &'static str, hint: &'static str, text: &str) -> Self {
        Field {
            label,
            hint,
            value: FieldValue::Text(LineEditor::with_text(text)),
            error: None,
        }
    }

    pub fn secret(label: &'static str, hint: &'static str) -> Self {
        Field {
            label,
            hint,
            value: FieldValue::Text(LineEditor::masked()),
            error: None,
        }
    }

    pub fn switch(label: &'static str, hint: &'static str, on: bool) -> Self {
        Field {
            label,
            hint,
            value: FieldValue::Switch(on),
            error: None,
        }
    }

    pub fn lines(label: &'static str, hint: &'static str) -> Self {
        Field {
            label,
            hint,
            value: FieldValue::Lines {
                lines: vec![LineEditor::new()],
                row: 0,
            },
            error: None,
        }
    }
}

/// What a key did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    /// Handled inside the form.
    Edited,
    Submit,
    Cancel,
}

/// A form's fields and which one has the focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A problem that concerns the whole form (e.g. the container went away).
    pub error: Option<String>,
    /// Shown while the form's request is being checked (e.g. a login in progress).
    pub busy: Option<String>,
}

impl Form {
    pub fn new(title: impl Into<String>, fields: Vec<Field>) -> Self {
        Form {
            title: title.into(),
            fields,
            focus: 0,
            error: None,
            busy: None,
        }
    }

    pub fn with_focus(mut self, focus: usize) -> Self {
        self.focus = focus.min(self.fields.len().saturating_sub(1));
        self
    }

    /// The text of field `i` (the lines joined by newlines for a lines field).
    pub fn text(&self, i: usize) -> String {
        match self.fields.get(i).map(|f| &f.value) {
            Some(FieldValue::Text(editor)) => editor.text().to_string(),
            Some(FieldValue::Lines { lines, .. }) => lines
                .iter()
                .map(LineEditor::text)
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        }
    }

    pub fn switch(&self, i: usize) -> bool {
        matches!(
            self.fields.get(i).map(|f| &f.value),
            Some(FieldValue::Switch(true))
        )
    }

    /// The non-blank lines of a lines field, trimmed.
    pub fn lines(&self, i: usize) -> Vec<String> {
        self.text(i)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn set_text(&mut self, i: usize, text: &str) {
        if let Some(Field {
            value: FieldValue::Text(editor),
            ..
        }) = self.fields.get_mut(i)
        {
            editor.set_text(text);
        }
    }

    /// Sets an error on one field and moves the focus there.
    pub fn fail(&mut self, i: usize, message: String) {
        if let Some(field) = self.fields.get_mut(i) {
            field.error = Some(message);
            self.focus = i;
        }
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for field in &mut self.fields {
            field.error = None;
        }
    }

    /// Inserts pasted text into the focused field (as an edit: its error goes).
    pub fn paste(&mut self, text: &str) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        match &mut field.value {
            FieldValue::Text(editor) => {
                editor.insert_str(text);
            }
            FieldValue::Lines { lines, row } => {
                let mut pasted = text.split('\n');
                if let (Some(first), Some(current)) = (pasted.next(), lines.get_mut(*row)) {
                    current.insert_str(first);
                }
                for line in pasted.take(MAX_LINES.saturating_sub(lines.len())) {
                    *row += 1;
                    lines.insert(*row, LineEditor::with_text(line));
                }
            }
            FieldValue::Switch(_) => return,
        }
        field.error = None;
        self.error = None;
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> FormKey {
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Esc => return FormKey::Cancel,
            KeyCode::Tab => self.move_focus(true),
            KeyCode::BackTab => self.move_focus(false),
            KeyCode::Enter if alt => self.new_line(),
            KeyCode::Enter => return FormKey::Submit,
            _ => self.edit_focused(key),
        }
        FormKey::Edited
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len().max(1);
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    fn new_line(&mut self) {
        if let Some(FieldValue::Lines { lines, row }) =
            self.fields.get_mut(self.focus).map(|f| &mut f.value)
        {
            *row += 1;
            lines.insert(*row, LineEditor::new());
        }
    }

    fn edit_focused(&mut self, key: KeyEvent) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        let edited = match &mut field.value {
            FieldValue::Text(editor) => editor.handle_key(key) == Edit::Changed,
            FieldValue::Switch(on) => match key.code {
                KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => {
                    *on = !*on;
                    true
                }
                KeyCode::Char('y') => {
                    *on = true;
                    true
                }
                KeyCode::Char('n') => {
                    *on = false;
                    true
                }
                _ => false,
            },
            FieldValue::Lines { lines, row } => edit_lines(lines, row, key),
        };
        if edited {
            field.error = None;
            self.error = None;
        }
    }
}

/// Up/Down move between lines; Backspace at the start of a line joins it to the one above.
fn edit_lines(lines: &mut Vec<LineEditor>, row: &mut usize, key: KeyEvent) -> bool {
    match key.code {
        KeyCode::Up => {
            *row = row.saturating_sub(1);
            false
        }
        KeyCode::Down => {
            *row = (*row + 1).min(lines.len().saturating_sub(1));
            false
        }
        KeyCode::Backspace if *row > 0 && lines[*row].cursor() == 0 && key.modifiers.is_empty() => {
            let tail = lines.remove(*row);
            *row -= 1;
            let joined = format!("{}{}", lines[*row].text(), tail.text());
            let cursor_at = lines[*row].text().chars().count();
            lines[*row].set_text(&joined);
            for _ in cursor_at..joined.chars().count() {
                lines[*row].handle_key(KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
            }
            true
        }
        _ => lines
            .get_mut(*row)
            .is_some_and(|line| line.handle_key(key) == Edit::Changed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(form: &mut Form, text: &str) {
        for c in text.chars() {
            form.handle_key(key(KeyCode::Char(c)));
        }
    }

    fn sample() -> Form {
        Form::new(
            "Commit",
            vec![
                Field::text("Image", "", "app:1"),
                Field::secret("Password", ""),
                Field::switch("Pause", "", true),
                Field::lines("Changes", ""),
            ],
        )
    }

    #[test]
    fn tab_moves_and_enter_submits_from_any_field() {
        let mut f = sample();
        assert_eq!(f.handle_key(key(KeyCode::Tab)), FormKey::Edited);
        assert_eq!(f.focus, 1);
        f.handle_key(key(KeyCode::BackTab));
        f.handle_key(key(KeyCode::BackTab));
        assert_eq!(f.focus, 3, "wraps around");
        assert_eq!(f.handle_key(key(KeyCode::Enter)), FormKey::Submit);
        assert_eq!(f.handle_key(key(KeyCode::Esc)), FormKey::Cancel);
    }

    #[test]
    fn lines_field_takes_alt_enter_and_joins_on_backspace() {
        let mut f = sample().with_focus(3);
        type_text(&mut f, "CMD [\"sh\"]");
        f.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
        type_text(&mut f, "ENV A=1");
        assert_eq!(f.lines(3), ["CMD [\"sh\"]", "ENV A=1"]);
        f.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
        assert_eq!(f.lines(3).len(), 2, "blank lines are dropped");
        f.handle_key(key(KeyCode::Backspace));
        f.handle_key(key(KeyCode::Home));
        f.handle_key(key(KeyCode::Backspace));
        assert_eq!(f.text(3), "CMD [\"sh\"]ENV A=1");
    }

    #[test]
    fn switch_and_secret() {
        let mut f = sample().with_focus(2);
        f.handle_key(key(KeyCode::Char(' ')));
        assert!(!f.switch(2));
        f.focus = 1;
        type_text(&mut f, "s3cret>");
        assert_eq!(f.text(1), "s3cret>");
        assert!(
            !format!("{f:?}").contains("s3cret"),
            "secrets never show in Debug"
        );
    }

    #[test]
    fn errors_clear_when_the_field_is_edited() {
        let mut f = sample();
        f.fail(0, "bad".into());
        assert_eq!(f.focus, 0);
        type_text(&mut f, "x");
        assert_eq!(f.fields[0].error, None);
    }

    #[test]
    fn paste_into_lines_splits_them() {
        let mut f = sample().with_focus(3);
        f.paste("CMD [\"sh\"]\nEXPOSE 80");
        assert_eq!(f.lines(3), ["CMD [\"sh\"]", "EXPOSE 80"]);
    }
}
