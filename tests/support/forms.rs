//! The open form and the status line as the tests read them: fields by label, never by
//! position. A label the open form does not have fails the test rather than reading as
//! empty.

use wharf::model::form::{Field, FormView};
use wharf::model::popup::Severity;
use wharf::state::State;

/// The open form; fails the test when none is.
pub fn form(state: &State) -> FormView<'_> {
    state.form().expect("a form is open")
}

/// The open form's field with this label; fails the test when it has none.
pub fn field<'a>(state: &'a State, label: &str) -> &'a Field {
    let form = form(state);
    form.field(label).unwrap_or_else(|| {
        let labels: Vec<&str> = form.fields().iter().map(|f| f.label).collect();
        panic!(
            "the form {:?} has no field {label:?} (it has {labels:?})",
            form.title
        )
    })
}

/// The text of the open form's field with this label.
pub fn form_text(state: &State, label: &str) -> String {
    field(state, label).text()
}

/// The error under the open form's field with this label.
pub fn field_error(state: &State, label: &str) -> Option<String> {
    field(state, label).error.clone()
}

/// The label of the open form's focused field.
pub fn focused(state: &State) -> &'static str {
    form(state).focused_label().expect("a focused field")
}

/// The status line's text and severity; fails the test when there is none.
pub fn status(state: &State) -> (String, Severity) {
    let s = state.status().expect("a status message");
    (s.text.clone(), s.severity)
}
