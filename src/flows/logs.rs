//! Logs: `l` on a container or `:logs CONTAINER` opens the full-height logs view, which
//! follows the container's output live. The executor streams it while the view is open and
//! stops as soon as it closes (whatever closed it); a quiet container costs nothing.

use crossterm::event::{KeyCode, KeyEvent};

use crate::docker::EngineError;
use crate::effect::Effect;
use crate::logs::LogBatch;
use crate::model::line_editor::LineEditor;
use crate::model::logs_view::LogsView;
use crate::state::{OpenView, State};

/// What the log stream of a view sends.
#[derive(Debug, Clone)]
pub enum LogsMsg {
    /// New lines (one batch per frame at most).
    Batch { generation: u64, batch: LogBatch },
    /// The stream ended: the container stopped or was removed (`None`), or it failed.
    Ended {
        generation: u64,
        error: Option<EngineError>,
    },
}

impl State {
    /// `l`: the selected container's logs.
    pub(crate) fn open_selected_logs(&mut self, effects: &mut Vec<Effect>) {
        let Some(record) = self.containers.selected() else {
            return self.error("select a container to see its logs");
        };
        let (id, name) = (record.id.clone(), record.name.clone());
        self.open_logs_of(id, name, effects);
    }

    /// `:logs CONTAINER`.
    pub(crate) fn open_logs_named(&mut self, name: &str, effects: &mut Vec<Effect>) {
        let Some(record) = self.containers.find(name) else {
            return self.no_container(name);
        };
        let (id, name) = (record.id.clone(), record.name.clone());
        self.open_logs_of(id, name, effects);
    }

    fn open_logs_of(
        &mut self,
        container: crate::docker::ContainerId,
        name: String,
        effects: &mut Vec<Effect>,
    ) {
        self.logs_generation += 1;
        let generation = self.logs_generation;
        effects.push(Effect::FollowLogs {
            generation,
            container: container.0.clone(),
        });
        self.logs_following = Some(generation);
        self.view = Some(OpenView::Logs(LogsView::new(container, name, generation)));
    }

    /// `r` in the logs view: read the logs again (after the stream ended, say).
    pub(crate) fn reopen_logs(&mut self, effects: &mut Vec<Effect>) {
        if let Some(view) = self.logs_view() {
            let (id, name) = (view.container.clone(), view.name.clone());
            self.open_logs_of(id, name, effects);
        }
    }

    pub(crate) fn on_logs_msg(&mut self, msg: LogsMsg) {
        match msg {
            LogsMsg::Batch { generation, batch } => {
                if let Some(view) = self.logs_view_mut().filter(|v| v.generation == generation) {
                    view.push(batch);
                }
                // A batch for a closed view is dropped here, which lets its pump go on to
                // notice that nobody listens.
            }
            LogsMsg::Ended { generation, error } => {
                if self.logs_following == Some(generation) {
                    self.logs_following = None;
                }
                if let Some(view) = self.logs_view_mut().filter(|v| v.generation == generation) {
                    view.loaded = true;
                    view.ended = Some(match error {
                        None => "the log stream ended: the container stopped or was removed (r reads again)".to_string(),
                        Some(e) => format!("the log stream failed: {e}"),
                    });
                }
            }
        }
    }

    /// After every message: a stream whose view is gone stops.
    pub(crate) fn stop_logs_of_closed_view(&mut self, effects: &mut Vec<Effect>) {
        let Some(generation) = self.logs_following else {
            return;
        };
        if self.logs_view().is_some_and(|v| v.generation == generation) {
            return;
        }
        self.logs_following = None;
        effects.push(Effect::StopLogs { generation });
    }

    /// Whether keys go to the logs view's search line.
    pub(crate) fn logs_search_typing(&self) -> bool {
        self.keys_reach_view() && self.logs_view().is_some_and(|v| v.search.is_some())
    }

    /// `/` in the logs view.
    pub(crate) fn start_logs_search(&mut self) {
        if let Some(view) = self.logs_view_mut() {
            view.notice = None;
            view.search = Some(LineEditor::new());
        }
    }

    pub(crate) fn on_logs_search_key(&mut self, key: KeyEvent) {
        let Some(view) = self.logs_view_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => view.search = None,
            KeyCode::Enter => view.run_search(),
            _ => {
                if let Some(editor) = view.search.as_mut() {
                    editor.handle_key(key);
                }
            }
        }
    }

    /// A container name that matches nothing in the containers list.
    pub(crate) fn no_container(&mut self, name: &str) {
        if self.is_connected() {
            self.error(format!("there is no container called {name}"));
        } else {
            self.error("not connected to the Docker engine: the containers are not known yet");
        }
    }
}
