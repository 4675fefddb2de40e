//! Lifecycle: start, stop, restart, pause, unpause, kill, rename and remove containers, by
//! keys in the containers pane or `:start NAME…` and the like. An action takes the named
//! containers, else the marked ones (Space), else the selected one. Removal asks first, and a
//! running container needs force.

use crate::docker::{ContainerState, EngineError, LifecycleAction};
use crate::effect::Effect;
use crate::model::popup::Pending;
use crate::state::State;

use super::some_of;

/// The engine's answers to one lifecycle action, container by container.
#[derive(Debug, Clone)]
pub struct LifecycleDone {
    pub action: LifecycleAction,
    /// Each container as named, and what the engine said.
    pub results: Vec<(String, Result<(), EngineError>)>,
}

/// A container an action is about: its name and whether it runs now.
struct Target {
    name: String,
    state: ContainerState,
}

impl State {
    /// The containers an action takes: `names` when given, else the marked ones, else the
    /// selected one. `None` (with the error said) when a name matches nothing.
    fn lifecycle_targets(&mut self, names: &[String]) -> Option<Vec<Target>> {
        if !names.is_empty() {
            let mut targets = Vec::new();
            for name in names {
                match self.containers.find(name) {
                    Some(record) => targets.push(Target {
                        name: record.name.clone(),
                        state: record.state,
                    }),
                    None => {
                        self.no_container(name);
                        return None;
                    }
                }
            }
            return Some(targets);
        }
        let marked = self.containers.marked();
        let records = if marked.is_empty() {
            self.containers.selected().into_iter().collect()
        } else {
            marked
        };
        if records.is_empty() {
            self.error("select or mark a container first");
            return None;
        }
        Some(
            records
                .into_iter()
                .map(|r| Target {
                    name: r.name.clone(),
                    state: r.state,
                })
                .collect(),
        )
    }

    /// A lifecycle key in the containers pane.
    pub(crate) fn on_lifecycle_key(
        &mut self,
        action: crate::action::Action,
        effects: &mut Vec<Effect>,
    ) {
        use crate::action::Action as A;
        let lifecycle = match action {
            A::Mark => return self.toggle_container_mark(),
            A::Rename => return self.start_rename(),
            A::Remove => return self.ask_remove_containers(false, false, &[]),
            A::ForceRemove => return self.ask_remove_containers(true, false, &[]),
            A::RemoveWithVolumes => return self.ask_remove_containers(false, true, &[]),
            A::Start => LifecycleAction::Start,
            A::Stop => LifecycleAction::Stop { timeout: None },
            A::Restart => LifecycleAction::Restart { timeout: None },
            A::Pause => LifecycleAction::Pause,
            A::Unpause => LifecycleAction::Unpause,
            A::Kill => LifecycleAction::Kill { signal: None },
            _ => return,
        };
        self.container_action(lifecycle, &[], effects);
    }

    /// Space in the containers pane.
    pub(crate) fn toggle_container_mark(&mut self) {
        if let Some(marked) = self.containers.toggle_mark() {
            let count = self.containers.marked().len();
            self.info(if marked {
                format!("marked ({count}): actions take the marked containers")
            } else {
                format!("unmarked ({count} marked)")
            });
            // The next row, so Space Space Space marks three.
            self.containers.navigate(crate::action::Action::Down);
        }
    }

    /// Start, stop, restart, pause, unpause, kill: at once.
    pub(crate) fn container_action(
        &mut self,
        action: LifecycleAction,
        names: &[String],
        effects: &mut Vec<Effect>,
    ) {
        let Some(targets) = self.lifecycle_targets(names) else {
            return;
        };
        let containers = targets.into_iter().map(|t| t.name).collect();
        self.send_container_action(containers, action, effects);
    }

    /// Asks the engine, and says so until it answers: a stop can take the container's whole
    /// stop timeout (10 s unless it was created with another) when its process ignores
    /// SIGTERM, and nothing else on screen would change meanwhile.
    pub(crate) fn send_container_action(
        &mut self,
        containers: Vec<String>,
        action: LifecycleAction,
        effects: &mut Vec<Effect>,
    ) {
        let names: Vec<&str> = containers.iter().map(String::as_str).collect();
        let mut doing = match &action {
            LifecycleAction::Kill {
                signal: Some(signal),
            } => format!("sending {signal} to {}…", some_of(&names)),
            _ => format!("{} {}…", action.in_progress(), some_of(&names)),
        };
        match action {
            LifecycleAction::Stop { timeout: None }
            | LifecycleAction::Restart { timeout: None } => {
                doing.push_str(" (killed after the stop timeout if it ignores SIGTERM)")
            }
            LifecycleAction::Stop {
                timeout: Some(seconds),
            }
            | LifecycleAction::Restart {
                timeout: Some(seconds),
            } if seconds > 0 => doing.push_str(&format!(
                " (killed after {seconds} s if it ignores SIGTERM)"
            )),
            _ => {}
        }
        self.info(doing);
        effects.push(Effect::ContainerAction { containers, action });
    }

    /// `d`, `D`, `V`, `:rm [-f] [-v]`: asks first; a running container needs force.
    pub(crate) fn ask_remove_containers(&mut self, force: bool, volumes: bool, names: &[String]) {
        let Some(targets) = self.lifecycle_targets(names) else {
            return;
        };
        let running: Vec<&str> = targets
            .iter()
            .filter(|t| t.state.is_up())
            .map(|t| t.name.as_str())
            .collect();
        if !force && !running.is_empty() {
            return self.error(format!(
                "{} running: stop first, or remove with force (D, :rm -f)",
                if running.len() == 1 {
                    format!("{} is", running[0])
                } else {
                    format!("{} are", some_of(&running))
                }
            ));
        }
        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
        let mut body = format!("Remove {}?", some_of(&names));
        if !running.is_empty() {
            body.push_str(&format!(
                "\nForce: {} running and will be killed.",
                some_of(&running)
            ));
        }
        body.push_str(if volumes {
            "\nTheir anonymous volumes go too; named volumes stay."
        } else {
            "\nTheir volumes stay (V also removes anonymous ones)."
        });
        let containers: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let title = if force {
            "Force remove containers"
        } else {
            "Remove containers"
        };
        self.ask(
            title,
            body,
            ("Remove", "Keep"),
            false,
            Pending::Lifecycle {
                containers,
                action: LifecycleAction::Remove { force, volumes },
            },
        );
    }

    /// `n`: the command line, ready for the new name.
    pub(crate) fn start_rename(&mut self) {
        let Some(name) = self.containers.selected().map(|r| r.name.clone()) else {
            return self.error("select a container to rename");
        };
        let mut line = crate::state::command::CommandLine::default();
        line.editor
            .set_text(&format!("rename {} ", crate::run_spec::quote_word(&name)));
        self.command_line = Some(line);
    }

    /// `:rename OLD NEW`.
    pub(crate) fn rename_container(&mut self, old: &str, new: &str, effects: &mut Vec<Effect>) {
        self.container_action(
            LifecycleAction::Rename {
                new_name: new.to_string(),
            },
            &[old.to_string()],
            effects,
        );
    }

    pub(crate) fn on_lifecycle_done(&mut self, done: LifecycleDone, effects: &mut Vec<Effect>) {
        let LifecycleDone { action, results } = done;
        let (worked, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(|(_, r)| r.is_ok());
        let worked: Vec<&str> = worked.iter().map(|(name, _)| name.as_str()).collect();
        if failed.is_empty() {
            self.containers.clear_marks();
        }
        self.load_containers(effects);
        match failed.first() {
            None => {
                let what = match &action {
                    LifecycleAction::Rename { new_name } => format!("renamed to {new_name}"),
                    // A signal other than the default may leave it running (HUP: reload).
                    LifecycleAction::Kill {
                        signal: Some(signal),
                    } => format!("sent {signal}"),
                    _ => action.past_tense().to_string(),
                };
                self.info(format!("{what}: {}", some_of(&worked)));
            }
            Some((_, Err(e))) => {
                let more = if worked.is_empty() {
                    String::new()
                } else {
                    format!(" ({} {})", action.past_tense(), some_of(&worked))
                };
                self.error(format!("{e}{more}"));
            }
            Some((_, Ok(()))) => {}
        }
    }
}
