//! Switching engines: the contexts popup (`E`, `:context`), `:context NAME`, and the engine
//! generation that keeps a late answer of the previous engine off the screen.
//!
//! Choosing a context resolves its address first (the executor reads its files); only an
//! address that resolves switches: the lists are emptied and show "loading", the event
//! stream and every request go to the new engine, and answers stamped with an older
//! generation are dropped. Running jobs keep the engine they started on.

use crate::docker::ContextList;
use crate::docker::target::{EngineTarget, TargetSource};
use crate::effect::Effect;
use crate::model::containers::ContainersState;
use crate::model::contexts::ContextsPopup;
use crate::model::images::ImagesState;
use crate::model::layers::LayersState;
use crate::model::popup::{Pending, Popup, Severity};
use crate::msg::Msg;
use crate::state::{EngineStatus, State};

/// What the contexts flow's effects answer with.
#[derive(Debug, Clone)]
pub enum ContextMsg {
    /// The contexts were read.
    Listed(ContextList),
    /// The address of the context `name`, or why it has none.
    Resolved {
        name: String,
        result: Result<EngineTarget, String>,
    },
    /// `currentContext` was written (or not).
    CurrentWritten {
        name: String,
        result: Result<(), String>,
    },
}

/// The name the header shows for where the engine address came from: the context's name
/// when a context decides, else what set the address.
pub fn context_label(source: &TargetSource) -> Option<String> {
    match source {
        TargetSource::ContextFlag(name)
        | TargetSource::DockerContextEnv(name)
        | TargetSource::CurrentContext(name)
        | TargetSource::Chosen(name) => Some(name.clone()),
        TargetSource::HostFlag => Some("--host".into()),
        TargetSource::DockerHostEnv => Some("DOCKER_HOST".into()),
        TargetSource::ConfigFile => Some("wharf config".into()),
        TargetSource::Default => Some(crate::docker::contexts::DEFAULT_CONTEXT.into()),
    }
}

impl State {
    /// What the header calls the engine's origin (a context name, `DOCKER_HOST` …).
    pub fn set_engine_context(&mut self, label: Option<String>) {
        self.engine_context = label;
    }

    /// An answer stamped with the engine generation it was asked under: handled only if
    /// the engine is still the same one.
    pub(crate) fn on_engine_msg(&mut self, generation: u64, msg: Msg) -> Vec<Effect> {
        if generation == self.engine_generation {
            return self.update(msg);
        }
        // Only the outcome of something the user did on the previous engine is worth a
        // word; lists, lookups and events of that engine are not this screen's any more.
        let said = match msg {
            Msg::Tagged(tagged) => Some(match tagged.result {
                Ok(()) => (format!("tagged {}", tagged.target), Severity::Info),
                Err(e) => (
                    format!("cannot tag {}: {e}", tagged.target),
                    Severity::Error,
                ),
            }),
            Msg::Removed(removed) => Some(match removed.result {
                Ok(_) => (format!("removed {}", removed.name), Severity::Info),
                Err(e) => (
                    format!("cannot remove {}: {e}", removed.name),
                    Severity::Error,
                ),
            }),
            _ => None,
        };
        if let Some((text, severity)) = said {
            let text = format!("on the previous engine: {text}");
            match severity {
                Severity::Info => self.info(text),
                Severity::Error => self.error(text),
            }
        }
        Vec::new()
    }

    /// `E` or `:context`: the popup, filled once the contexts are read.
    pub(crate) fn open_contexts(&mut self, effects: &mut Vec<Effect>) {
        if !self
            .popups
            .iter()
            .any(|popup| matches!(popup, Popup::Contexts(_)))
        {
            self.popups.push(Popup::Contexts(ContextsPopup::default()));
        }
        effects.push(Effect::ListContexts);
    }

    fn contexts_popup_mut(&mut self) -> Option<&mut ContextsPopup> {
        self.popups.iter_mut().rev().find_map(|popup| match popup {
            Popup::Contexts(popup) => Some(popup),
            _ => None,
        })
    }

    pub(crate) fn on_context_msg(&mut self, msg: ContextMsg, effects: &mut Vec<Effect>) {
        match msg {
            ContextMsg::Listed(mut list) => {
                // The mark follows what wharf uses now, which a switch here may have changed.
                if self.switched_context {
                    let now = self.engine_context.clone();
                    for context in &mut list.contexts {
                        context.current = Some(&context.name) == now.as_ref();
                    }
                }
                self.context_names = Some(list.contexts.iter().map(|c| c.name.clone()).collect());
                if std::mem::take(&mut self.complete_when_contexts_listed) {
                    self.complete_command_line();
                }
                if let Some(popup) = self.contexts_popup_mut() {
                    popup.set_list(list);
                }
            }
            ContextMsg::Resolved { name, result } => {
                self.on_context_resolved(name, result, effects)
            }
            ContextMsg::CurrentWritten { name, result } => match result {
                Ok(()) => self.info(format!(
                    "switched to context {name}; the docker CLI now uses it too (currentContext)"
                )),
                Err(why) => self.error(format!(
                    "switched to context {name}, but currentContext could not be written: {why}"
                )),
            },
        }
    }

    /// A key while the contexts popup is on top: move, Enter chooses, Esc/q close.
    pub(crate) fn on_contexts_key(
        &mut self,
        code: crossterm::event::KeyCode,
        action: Option<crate::action::Action>,
        effects: &mut Vec<Effect>,
    ) {
        use crossterm::event::KeyCode;
        let Some(Popup::Contexts(popup)) = self.popups.last_mut() else {
            return;
        };
        match code {
            KeyCode::Esc | KeyCode::Char('q') => {
                self.popups.pop();
            }
            KeyCode::Enter => {
                let Some(context) = popup.selected() else {
                    return;
                };
                match &context.problem {
                    Some(problem) => {
                        popup.error = Some(format!(
                            "context {} cannot be used: {problem}",
                            context.name
                        ));
                    }
                    None => {
                        let name = context.name.clone();
                        popup.switching = Some(name.clone());
                        popup.error = None;
                        self.switch_context(&name, effects);
                    }
                }
            }
            _ => {
                if let Some(action) = action {
                    popup.navigate(action);
                }
            }
        }
    }

    /// `:context NAME` or Enter in the popup: resolve the context's address, then switch.
    pub(crate) fn switch_context(&mut self, name: &str, effects: &mut Vec<Effect>) {
        self.info(format!("switching to context {name}…"));
        effects.push(Effect::ResolveContext {
            name: name.to_string(),
        });
    }

    fn on_context_resolved(
        &mut self,
        name: String,
        result: Result<EngineTarget, String>,
        effects: &mut Vec<Effect>,
    ) {
        let target = match result {
            Ok(target) => target,
            Err(why) => {
                let text = format!("cannot switch to context {name}: {why}");
                if let Some(popup) = self.contexts_popup_mut() {
                    popup.switching = None;
                    popup.error = Some(text.clone());
                }
                return self.error(text);
            }
        };
        self.popups
            .retain(|popup| !matches!(popup, Popup::Contexts(_)));
        self.switch_engine(target, Some(name.clone()), effects);
        self.switched_context = true;
        if self.write_current_context {
            effects.push(Effect::WriteCurrentContext { name: name.clone() });
        }
        self.info(format!("switched to context {name}"));
    }

    /// Leaves the current engine: everything it showed goes, the lists say "loading", and
    /// answers from it that are still on their way are dropped.
    pub(crate) fn switch_engine(
        &mut self,
        target: EngineTarget,
        context: Option<String>,
        effects: &mut Vec<Effect>,
    ) {
        self.engine_generation = self.engine_generation.wrapping_add(1);
        self.engine_target = target.host.clone();
        self.engine_context = context;
        self.engine = EngineStatus::Connecting;
        self.ever_connected = false;
        self.reset_connection_counters();
        self.forget_engine_data();
        effects.push(Effect::SwitchEngine {
            generation: self.engine_generation,
            target,
        });
    }

    /// Empties every list and view that came from the engine, keeping how the user sorts
    /// and filters them.
    fn forget_engine_data(&mut self) {
        let mut images = ImagesState::new(
            self.images.sort,
            self.images.reverse,
            self.images.show_dangling,
        );
        images.filter = std::mem::take(&mut self.images.filter);
        self.images = images;
        let mut containers = ContainersState::default();
        containers.sort = self.containers.sort;
        containers.reverse = self.containers.reverse;
        containers.show_all = self.containers.show_all;
        containers.filter = std::mem::take(&mut self.containers.filter);
        self.containers = containers;
        self.layers = LayersState::default();
        self.view = None;
        self.forget_engine_requests();
        // A question about the previous engine's images or containers must not be answered
        // against the new one.
        self.popups.retain(|popup| match popup {
            Popup::Confirm(confirm) => confirm.pending == Pending::Quit,
            _ => true,
        });
    }
}
