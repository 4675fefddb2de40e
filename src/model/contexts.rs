//! The contexts popup: the docker contexts as `docker context ls` lists them, the
//! `DOCKER_HOST` in force, and a cursor to choose one. Broken contexts stay in the list with
//! their problem, so the user sees why one cannot be chosen.

use crate::action::Action;
use crate::docker::{ContextList, ContextSummary};

/// What the popup shows: nothing yet while the files are read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextsPopup {
    /// `None` until the contexts have been read.
    pub list: Option<ContextList>,
    /// The highlighted row.
    pub cursor: usize,
    /// Why the last choice could not be made (a broken context, a failed resolution).
    pub error: Option<String>,
    /// The context whose address is being resolved after Enter.
    pub switching: Option<String>,
}

impl ContextsPopup {
    /// The contexts arrived: the cursor starts on the current one.
    pub fn set_list(&mut self, list: ContextList) {
        self.cursor = list.contexts.iter().position(|c| c.current).unwrap_or(0);
        self.list = Some(list);
    }

    pub fn rows(&self) -> &[ContextSummary] {
        self.list.as_ref().map_or(&[], |l| l.contexts.as_slice())
    }

    pub fn selected(&self) -> Option<&ContextSummary> {
        self.rows().get(self.cursor)
    }

    /// Moves the cursor; returns whether the action was a move.
    pub fn navigate(&mut self, action: Action) -> bool {
        let last = self.rows().len().saturating_sub(1);
        self.cursor = match action {
            Action::Up => self.cursor.saturating_sub(1),
            Action::Down => self.cursor.saturating_add(1).min(last),
            Action::PageUp | Action::Top => 0,
            Action::PageDown | Action::Bottom => last,
            _ => return false,
        };
        self.error = None;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(name: &str, current: bool) -> ContextSummary {
        ContextSummary {
            name: name.into(),
            description: String::new(),
            endpoint: Some(format!("unix:///{name}.sock")),
            tls: false,
            current,
            problem: None,
        }
    }

    #[test]
    fn the_cursor_starts_on_the_current_context_and_stays_in_the_list() {
        let mut popup = ContextsPopup::default();
        assert!(popup.selected().is_none());
        popup.set_list(ContextList {
            contexts: vec![summary("default", false), summary("b", true)],
            host_override: None,
            warnings: Vec::new(),
        });
        assert_eq!(popup.selected().map(|c| c.name.as_str()), Some("b"));
        popup.navigate(Action::Down);
        assert_eq!(popup.cursor, 1);
        popup.navigate(Action::Top);
        assert_eq!(popup.cursor, 0);
        popup.navigate(Action::Up);
        assert_eq!(popup.cursor, 0);
    }
}
