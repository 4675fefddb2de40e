//! Forms: a few labelled fields (text, secret, switch, several lines), Tab between them,
//! Enter submits, Esc cancels. Each flow declares its fields by name ([`Fields`]); what a
//! form is for and how it is checked lives with the flow; this module only edits.

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
    pub fn line(label: &'static str, hint: &'static str, text: &str) -> Self {
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

    pub fn several_lines(label: &'static str, hint: &'static str) -> Self {
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

impl Field {
    /// The text (the lines joined by newlines for a several-lines field).
    pub fn text(&self) -> String {
        match &self.value {
            FieldValue::Text(editor) => editor.text().to_string(),
            FieldValue::Lines { lines, .. } => lines
                .iter()
                .map(LineEditor::text)
                .collect::<Vec<_>>()
                .join("\n"),
            FieldValue::Switch(_) => String::new(),
        }
    }

    /// The text, trimmed; `None` when blank (for optional fields).
    pub fn optional_text(&self) -> Option<String> {
        let text = self.text().trim().to_string();
        (!text.is_empty()).then_some(text)
    }

    /// Whether a switch is on.
    pub fn is_on(&self) -> bool {
        matches!(self.value, FieldValue::Switch(true))
    }

    /// The non-blank lines of a several-lines field, trimmed.
    pub fn lines(&self) -> Vec<String> {
        self.text()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn set_text(&mut self, text: &str) {
        if let FieldValue::Text(editor) = &mut self.value {
            editor.set_text(text);
        }
    }

    /// Inserts pasted text; returns whether the field changed (its error then goes).
    fn paste(&mut self, text: &str) -> bool {
        match &mut self.value {
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
            FieldValue::Switch(_) => return false,
        }
        self.error = None;
        true
    }

    /// Applies a key; returns whether the field changed (its error then goes).
    fn edit(&mut self, key: KeyEvent) -> bool {
        let edited = match &mut self.value {
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
            self.error = None;
        }
        edited
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

/// The fields of one kind of form, by name. Each flow declares its own (e.g. the login
/// form's `registry`, `username` and `password`); [`Form`] edits them in display order.
pub trait Fields {
    /// The fields in display order.
    fn fields(&self) -> Vec<&Field>;
    fn fields_mut(&mut self) -> Vec<&mut Field>;
}

/// A form's fields and which one has the focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form<F> {
    pub title: String,
    pub fields: F,
    /// Index of the focused field in display order.
    pub focus: usize,
    /// A problem that concerns the whole form (e.g. the container went away).
    pub error: Option<String>,
    /// Shown while the form's request is being checked (e.g. a login in progress).
    pub busy: Option<String>,
}

/// A form as the drawing and the tests see it: the same for every kind of form.
#[derive(Debug, Clone, Copy)]
pub struct FormView<'a> {
    pub title: &'a str,
    pub focus: usize,
    pub error: Option<&'a str>,
    pub busy: Option<&'a str>,
    fields: &'a dyn Fields,
}

impl<'a> FormView<'a> {
    pub fn fields(&self) -> Vec<&'a Field> {
        self.fields.fields()
    }

    /// The field with this label.
    pub fn field(&self, label: &str) -> Option<&'a Field> {
        self.fields().into_iter().find(|f| f.label == label)
    }

    /// The text of the field with this label (empty when there is none).
    pub fn text(&self, label: &str) -> String {
        self.field(label).map(Field::text).unwrap_or_default()
    }

    /// The error under the field with this label.
    pub fn field_error(&self, label: &str) -> Option<&'a str> {
        self.field(label).and_then(|f| f.error.as_deref())
    }

    /// The label of the focused field.
    pub fn focused_label(&self) -> Option<&'static str> {
        self.fields().get(self.focus).map(|f| f.label)
    }
}

impl std::fmt::Debug for dyn Fields + '_ {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.fields()).finish()
    }
}

impl<F: Fields> Form<F> {
    pub fn new(title: impl Into<String>, fields: F) -> Self {
        Form {
            title: title.into(),
            fields,
            focus: 0,
            error: None,
            busy: None,
        }
    }

    pub fn view(&self) -> FormView<'_> {
        FormView {
            title: &self.title,
            focus: self.focus,
            error: self.error.as_deref(),
            busy: self.busy.as_deref(),
            fields: &self.fields,
        }
    }

    /// The display position of a field of this form.
    fn index_of(&self, target: *const Field) -> usize {
        self.fields
            .fields()
            .iter()
            .position(|f| std::ptr::eq(*f, target))
            .unwrap_or(0)
    }

    /// Moves the focus to the field `pick` names.
    pub fn focus_on(&mut self, pick: fn(&mut F) -> &mut Field) {
        let target: *const Field = pick(&mut self.fields);
        self.focus = self.index_of(target);
    }

    pub fn with_focus(mut self, pick: fn(&mut F) -> &mut Field) -> Self {
        self.focus_on(pick);
        self
    }

    /// Whether the field `pick` names has the focus.
    pub fn is_focused(&self, pick: fn(&F) -> &Field) -> bool {
        self.focus == self.index_of(pick(&self.fields))
    }

    /// Sets an error on one field and moves the focus there.
    pub fn fail(&mut self, pick: fn(&mut F) -> &mut Field, message: String) {
        pick(&mut self.fields).error = Some(message);
        self.focus_on(pick);
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for field in self.fields.fields_mut() {
            field.error = None;
        }
    }

    /// Inserts pasted text into the focused field (as an edit: its error goes).
    pub fn paste(&mut self, text: &str) {
        let focus = self.focus;
        let Some(field) = self.fields.fields_mut().into_iter().nth(focus) else {
            return;
        };
        if field.paste(text) {
            self.error = None;
        }
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
        let n = self.fields.fields().len().max(1);
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    fn new_line(&mut self) {
        let focus = self.focus;
        if let Some(FieldValue::Lines { lines, row }) = self
            .fields
            .fields_mut()
            .into_iter()
            .nth(focus)
            .map(|f| &mut f.value)
        {
            *row += 1;
            lines.insert(*row, LineEditor::new());
        }
    }

    fn edit_focused(&mut self, key: KeyEvent) {
        let focus = self.focus;
        let Some(field) = self.fields.fields_mut().into_iter().nth(focus) else {
            return;
        };
        if field.edit(key) {
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

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Sample {
        image: Field,
        password: Field,
        pause: Field,
        changes: Field,
    }

    impl Fields for Sample {
        fn fields(&self) -> Vec<&Field> {
            vec![&self.image, &self.password, &self.pause, &self.changes]
        }
        fn fields_mut(&mut self) -> Vec<&mut Field> {
            vec![
                &mut self.image,
                &mut self.password,
                &mut self.pause,
                &mut self.changes,
            ]
        }
    }

    fn type_text(form: &mut Form<Sample>, text: &str) {
        for c in text.chars() {
            form.handle_key(key(KeyCode::Char(c)));
        }
    }

    fn sample() -> Form<Sample> {
        Form::new(
            "Commit",
            Sample {
                image: Field::line("Image", "", "app:1"),
                password: Field::secret("Password", ""),
                pause: Field::switch("Pause", "", true),
                changes: Field::several_lines("Changes", ""),
            },
        )
    }

    #[test]
    fn tab_moves_and_enter_submits_from_any_field() {
        let mut f = sample();
        assert_eq!(f.handle_key(key(KeyCode::Tab)), FormKey::Edited);
        assert!(f.is_focused(|f| &f.password));
        f.handle_key(key(KeyCode::BackTab));
        f.handle_key(key(KeyCode::BackTab));
        assert!(f.is_focused(|f| &f.changes), "wraps around");
        assert_eq!(f.handle_key(key(KeyCode::Enter)), FormKey::Submit);
        assert_eq!(f.handle_key(key(KeyCode::Esc)), FormKey::Cancel);
    }

    #[test]
    fn lines_field_takes_alt_enter_and_joins_on_backspace() {
        let mut f = sample().with_focus(|f| &mut f.changes);
        type_text(&mut f, "CMD [\"sh\"]");
        f.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
        type_text(&mut f, "ENV A=1");
        assert_eq!(f.fields.changes.lines(), ["CMD [\"sh\"]", "ENV A=1"]);
        f.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
        assert_eq!(f.fields.changes.lines().len(), 2, "blank lines are dropped");
        f.handle_key(key(KeyCode::Backspace));
        f.handle_key(key(KeyCode::Home));
        f.handle_key(key(KeyCode::Backspace));
        assert_eq!(f.fields.changes.text(), "CMD [\"sh\"]ENV A=1");
    }

    #[test]
    fn switch_and_secret() {
        let mut f = sample().with_focus(|f| &mut f.pause);
        f.handle_key(key(KeyCode::Char(' ')));
        assert!(!f.fields.pause.is_on());
        f.focus_on(|f| &mut f.password);
        type_text(&mut f, "s3cret>");
        assert_eq!(f.fields.password.text(), "s3cret>");
        assert!(
            !format!("{f:?}").contains("s3cret"),
            "secrets never show in Debug"
        );
        assert!(
            !format!("{:?}", f.view()).contains("s3cret"),
            "nor in the view's Debug"
        );
    }

    #[test]
    fn errors_clear_when_the_field_is_edited() {
        let mut f = sample().with_focus(|f| &mut f.changes);
        f.fail(|f| &mut f.image, "bad".into());
        assert!(f.is_focused(|f| &f.image));
        assert_eq!(f.view().field_error("Image"), Some("bad"));
        type_text(&mut f, "x");
        assert_eq!(f.fields.image.error, None);
    }

    #[test]
    fn paste_into_lines_splits_them() {
        let mut f = sample().with_focus(|f| &mut f.changes);
        f.paste("CMD [\"sh\"]\nEXPOSE 80");
        assert_eq!(f.fields.changes.lines(), ["CMD [\"sh\"]", "EXPOSE 80"]);
        assert_eq!(f.view().text("Changes"), "CMD [\"sh\"]\nEXPOSE 80");
    }
}
