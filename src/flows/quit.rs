//! Quit: at once, unless jobs run; then a question, since quitting ends them.

use crate::model::popup::{Pending, Popup};
use crate::state::State;
use crate::text::format;

use super::some_of;

impl State {
    /// `q`, `:quit`, Ctrl-C: quits, but asks first while jobs run, since quitting ends
    /// them (the engine drops a pull or push whose connection closes). Asked twice (Ctrl-C
    /// again on the question), it quits.
    pub(crate) fn request_quit(&mut self) {
        let running: Vec<&str> = self.jobs.running().map(|j| j.title.as_str()).collect();
        let asked = matches!(
            self.popups.last(),
            Some(Popup::Confirm(question)) if question.pending == Pending::Quit
        );
        if running.is_empty() || asked {
            self.quit = true;
            return;
        }
        let body = format!(
            "{} still running: {}.\nQuitting stops {}; a pull or push can be started again later.",
            format::count(running.len(), "job"),
            some_of(&running),
            if running.len() == 1 { "it" } else { "them" },
        );
        self.ask("Quit", body, ("Quit", "Stay"), false, Pending::Quit);
    }
}
