//! The logs view (`l` on a container, `:logs NAME`): a container's output following live,
//! held in a bounded [`LogBuffer`], with the `/` search being typed and how the stream
//! stands. Pure: the stream is the executor's, which answers with batches.

use crate::action::Action;
use crate::docker::ContainerId;
use crate::logs::{LogBatch, LogBuffer, SearchOutcome};

use super::drawn::Drawn;
use super::line_editor::LineEditor;

/// One container's logs on screen.
#[derive(Debug)]
pub struct LogsView {
    pub container: ContainerId,
    pub name: String,
    /// Which stream the batches must come from: a reopened view drops late batches.
    pub generation: u64,
    pub buffer: LogBuffer,
    /// The search being typed after `/`.
    pub search: Option<LineEditor>,
    /// What the last search step found, for the view's last line.
    pub notice: Option<String>,
    /// Set once the stream ended: why (the container stopped or went, the engine left).
    pub ended: Option<String>,
    /// Whether any batch arrived yet.
    pub loaded: bool,
    /// Rows of text the last frame showed.
    pub rows: Drawn<usize>,
}

impl LogsView {
    pub fn new(container: ContainerId, name: String, generation: u64) -> Self {
        LogsView {
            container,
            name,
            generation,
            buffer: LogBuffer::new(),
            search: None,
            notice: None,
            ended: None,
            loaded: false,
            rows: Drawn::new(20),
        }
    }

    fn height(&self) -> usize {
        self.rows.get().max(1)
    }

    pub fn push(&mut self, batch: LogBatch) {
        self.loaded = true;
        self.buffer.push_batch(batch);
    }

    pub fn navigate(&mut self, action: Action) {
        let height = self.height();
        match action {
            Action::Up => self.buffer.scroll_up(1, height),
            Action::Down => self.buffer.scroll_down(1, height),
            Action::PageUp => self.buffer.page_up(height),
            Action::PageDown => self.buffer.page_down(height),
            Action::Top => self.buffer.go_top(),
            Action::Bottom => self.buffer.go_bottom(),
            _ => {}
        }
    }

    /// Enter after `/`: search for what was typed.
    pub fn run_search(&mut self) {
        let Some(editor) = self.search.take() else {
            return;
        };
        let query = editor.text().to_string();
        let outcome = self.buffer.search(&query, self.height());
        self.note(outcome, &query);
    }

    /// `n` (newer) or `N` (older).
    pub fn search_step(&mut self, newer: bool) {
        let Some(query) = self.buffer.search_query().map(str::to_string) else {
            self.notice = Some("no search: / starts one".to_string());
            return;
        };
        let height = self.height();
        let outcome = if newer {
            self.buffer.search_next(height)
        } else {
            self.buffer.search_previous(height)
        };
        self.note(outcome, &query);
    }

    fn note(&mut self, outcome: SearchOutcome, query: &str) {
        let query = crate::text::shorten_middle(query, 40);
        self.notice = match outcome {
            SearchOutcome::Found { .. } => None,
            SearchOutcome::NotFound if query.is_empty() => None,
            SearchOutcome::NotFound => Some(format!("\"{query}\" is not in the logs")),
            SearchOutcome::NoMore => Some(format!("no more \"{query}\" that way")),
        };
    }
}
