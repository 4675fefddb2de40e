//! Shell: `e` on a running container, `:exec CONTAINER [CMD…]` and `:run -it IMAGE` hand the
//! terminal to an interactive session inside a container. The state asks for it with
//! [`Effect::Interactive`]; the app loop (which owns the terminal) suspends the TUI, runs
//! the session and answers with [`SessionEnded`]; wharf is then where it was, with the
//! container's list row and changes view read again.

use crate::docker::{ContainerId, EngineError, SessionEnd};
use crate::effect::Effect;
use crate::run_spec::RunSpec;
use crate::state::State;

/// An interactive session to run on wharf's terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// `docker exec -it CONTAINER COMMAND`; an empty command is the first shell it has.
    Exec {
        container: String,
        command: Vec<String>,
    },
    /// `docker run -it`: create, attach, start.
    Run(Box<RunSpec>),
}

/// How a session ended; `container` names it (the new one for a run).
#[derive(Debug, Clone)]
pub struct SessionEnded {
    pub container: String,
    pub id: Option<ContainerId>,
    pub result: Result<SessionEnd, EngineError>,
}

impl State {
    /// `e`: a shell in the selected container, when it runs.
    pub(crate) fn shell_in_selected(&mut self, effects: &mut Vec<Effect>) {
        let Some(record) = self.containers.selected() else {
            return self.error("select a running container for a shell");
        };
        if !record.state.is_up() {
            let name = record.name.clone();
            return self.error(format!(
                "{name} is not running: start it first (u, :start {name})"
            ));
        }
        let container = record.name.clone();
        effects.push(Effect::Interactive(Session::Exec {
            container,
            command: Vec::new(),
        }));
    }

    /// `:exec CONTAINER [CMD…]`.
    pub(crate) fn exec_named(
        &mut self,
        name: &str,
        command: Vec<String>,
        effects: &mut Vec<Effect>,
    ) {
        let Some(record) = self.containers.find(name) else {
            return self.no_container(name);
        };
        if !record.state.is_up() {
            let name = record.name.clone();
            return self.error(format!(
                "{name} is not running: start it first (:start {name})"
            ));
        }
        let container = record.name.clone();
        effects.push(Effect::Interactive(Session::Exec { container, command }));
    }

    /// `:run -it IMAGE` (or the form's shell switch).
    pub(crate) fn run_attached(&mut self, spec: RunSpec, effects: &mut Vec<Effect>) {
        effects.push(Effect::Interactive(Session::Run(Box::new(spec))));
    }

    pub(crate) fn on_session_ended(&mut self, ended: SessionEnded, effects: &mut Vec<Effect>) {
        let SessionEnded {
            container,
            id,
            result,
        } = ended;
        match result {
            Ok(end) => match end.failure() {
                Some(failure) => self.error(format!("in {container}: {failure}")),
                None => {
                    let code = end
                        .exit_code
                        .map(|c| format!(" (exit {c})"))
                        .unwrap_or_default();
                    self.info(format!("back from {container}{code}"));
                }
            },
            Err(e) => self.error(format!("no session in {container}: {e}")),
        }
        self.load_containers(effects);
        // The session may have changed files: the open changes view reads them again.
        let changes = self
            .changes_view()
            .map(|v| (v.container.clone(), v.container_name.clone()));
        if let Some((view_id, view_name)) = changes
            && (id.as_ref() == Some(&view_id) || view_name == container)
        {
            if let Some(view) = self.changes_view_mut() {
                view.loading = true;
            }
            effects.push(Effect::LoadChanges { container: view_id });
        }
        if let Some(id) = id {
            self.select_started(id);
        }
    }
}
