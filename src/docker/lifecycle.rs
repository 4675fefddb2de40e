//! A container's lifecycle: start, stop, restart, pause, unpause, kill, rename, remove, and
//! the few facts about one container the other flows need (inspect).

use bollard::models::{ContainerInspectResponse, ContainerStateStatusEnum};
use bollard::query_parameters::{
    KillContainerOptions, RemoveContainerOptions, RenameContainerOptions, RestartContainerOptions,
    StopContainerOptions,
};

use super::engine::Engine;
use super::error::{EngineError, EngineErrorKind};
use super::types::{ContainerId, ContainerState};

/// What to do to a container; one effect can carry it for every key and `:` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleAction {
    Start,
    /// Stop with SIGTERM, then SIGKILL after `timeout` seconds; `None` takes the
    /// container's own stop timeout (the engine's default, 10 s, unless it was created with
    /// another), as `docker stop` without `-t` does.
    Stop {
        timeout: Option<u32>,
    },
    /// Stop as [`LifecycleAction::Stop`], then start again.
    Restart {
        timeout: Option<u32>,
    },
    Pause,
    Unpause,
    /// `None` sends SIGKILL.
    Kill {
        signal: Option<String>,
    },
    Rename {
        new_name: String,
    },
    /// `force` also removes a running container; `volumes` also its anonymous volumes.
    Remove {
        force: bool,
        volumes: bool,
    },
}

impl LifecycleAction {
    /// What the action did, for a status line: "stopped", "removed".
    pub fn past_tense(&self) -> &'static str {
        match self {
            LifecycleAction::Start => "started",
            LifecycleAction::Stop { .. } => "stopped",
            LifecycleAction::Restart { .. } => "restarted",
            LifecycleAction::Pause => "paused",
            LifecycleAction::Unpause => "unpaused",
            LifecycleAction::Kill { .. } => "killed",
            LifecycleAction::Rename { .. } => "renamed",
            LifecycleAction::Remove { .. } => "removed",
        }
    }

    /// What the action is doing, for the status line while the engine works: "stopping".
    pub fn in_progress(&self) -> &'static str {
        match self {
            LifecycleAction::Start => "starting",
            LifecycleAction::Stop { .. } => "stopping",
            LifecycleAction::Restart { .. } => "restarting",
            LifecycleAction::Pause => "pausing",
            LifecycleAction::Unpause => "unpausing",
            LifecycleAction::Kill { .. } => "killing",
            LifecycleAction::Rename { .. } => "renaming",
            LifecycleAction::Remove { .. } => "removing",
        }
    }

    fn verb(&self) -> &'static str {
        match self {
            LifecycleAction::Start => "start",
            LifecycleAction::Stop { .. } => "stop",
            LifecycleAction::Restart { .. } => "restart",
            LifecycleAction::Pause => "pause",
            LifecycleAction::Unpause => "unpause",
            LifecycleAction::Kill { .. } => "kill",
            LifecycleAction::Rename { .. } => "rename",
            LifecycleAction::Remove { .. } => "remove",
        }
    }
}

/// What wharf needs to know about one container beyond its list row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerDetails {
    pub id: ContainerId,
    pub name: String,
    /// The image as the container was created from it (a name or an ID).
    pub image: String,
    pub state: ContainerState,
    /// The exit code of the last run, once it stopped.
    pub exit_code: Option<i64>,
    /// Created with `-t`: its output is one stream, not stdout and stderr.
    pub tty: bool,
    /// Created with `-i`.
    pub open_stdin: bool,
    pub restart_count: i64,
}

impl Engine {
    /// Applies `action` to a container (by name or ID). Asking for the state it is already
    /// in (start a running container, stop a stopped one) succeeds, as with the docker CLI.
    pub async fn container_action(
        &self,
        container: &str,
        action: &LifecycleAction,
    ) -> Result<(), EngineError> {
        let docker = &self.docker;
        let result = match action {
            LifecycleAction::Start => docker.start_container(container, None).await,
            LifecycleAction::Stop { timeout } => {
                let options = StopContainerOptions {
                    t: timeout.map(seconds),
                    signal: None,
                };
                docker.stop_container(container, Some(options)).await
            }
            LifecycleAction::Restart { timeout } => {
                let options = RestartContainerOptions {
                    t: timeout.map(seconds),
                    signal: None,
                };
                docker.restart_container(container, Some(options)).await
            }
            LifecycleAction::Pause => docker.pause_container(container).await,
            LifecycleAction::Unpause => docker.unpause_container(container).await,
            LifecycleAction::Kill { signal } => {
                let options = KillContainerOptions {
                    signal: signal.clone().unwrap_or_else(|| "SIGKILL".to_string()),
                };
                docker.kill_container(container, Some(options)).await
            }
            LifecycleAction::Rename { new_name } => {
                if !crate::run_spec::is_restricted_name(new_name) {
                    return Err(EngineError::new(
                        EngineErrorKind::Other,
                        format!(
                            "cannot rename {container} to \"{new_name}\": use letters, digits and _ . - (at least two characters)"
                        ),
                    ));
                }
                let options = RenameContainerOptions {
                    name: new_name.clone(),
                };
                docker.rename_container(container, options).await
            }
            LifecycleAction::Remove { force, volumes } => {
                let options = RemoveContainerOptions {
                    force: *force,
                    v: *volumes,
                    link: false,
                };
                docker.remove_container(container, Some(options)).await
            }
        };
        result.map_err(|e| action_error(self.error(e), container, action))
    }

    /// One container's details; `NotFound` when it is gone.
    pub async fn container_details(
        &self,
        container: &str,
    ) -> Result<ContainerDetails, EngineError> {
        let response = self
            .docker
            .inspect_container(container, None)
            .await
            .map_err(|e| gone_or(self.error(e), container))?;
        Ok(details_from(response, container))
    }
}

fn details_from(response: ContainerInspectResponse, asked_for: &str) -> ContainerDetails {
    let state = response.state.unwrap_or_default();
    let config = response.config.unwrap_or_default();
    let status = match state.status {
        Some(ContainerStateStatusEnum::RUNNING) => ContainerState::Running,
        Some(ContainerStateStatusEnum::PAUSED) => ContainerState::Paused,
        Some(ContainerStateStatusEnum::RESTARTING) => ContainerState::Restarting,
        Some(ContainerStateStatusEnum::CREATED) => ContainerState::Created,
        Some(ContainerStateStatusEnum::EXITED) => ContainerState::Exited,
        Some(ContainerStateStatusEnum::REMOVING) => ContainerState::Removing,
        Some(ContainerStateStatusEnum::DEAD) => ContainerState::Dead,
        _ => ContainerState::Unknown,
    };
    let stopped = matches!(
        status,
        ContainerState::Exited | ContainerState::Dead | ContainerState::Created
    );
    ContainerDetails {
        id: ContainerId(response.id.unwrap_or_else(|| asked_for.to_string())),
        name: response
            .name
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_else(|| asked_for.to_string()),
        image: config.image.unwrap_or_default(),
        state: status,
        exit_code: if stopped && status != ContainerState::Created {
            state.exit_code
        } else {
            None
        },
        tty: config.tty.unwrap_or(false),
        open_stdin: config.open_stdin.unwrap_or(false),
        restart_count: response.restart_count.unwrap_or(0),
    }
}

/// A 404 about a container, said with its name.
pub(crate) fn gone_or(error: EngineError, container: &str) -> EngineError {
    if error.kind == EngineErrorKind::NotFound {
        EngineError::new(
            EngineErrorKind::NotFound,
            format!("the container {container} does not exist (any more)"),
        )
    } else {
        error
    }
}

/// An action's failure with the container's name and, where one helps, what to do.
/// A timeout as the engine's query takes it (an i32 of seconds; ours is at most a day).
fn seconds(timeout: u32) -> i32 {
    i32::try_from(timeout).unwrap_or(i32::MAX)
}

fn action_error(error: EngineError, container: &str, action: &LifecycleAction) -> EngineError {
    let error = gone_or(error, container);
    if error.kind == EngineErrorKind::NotFound {
        return error;
    }
    let lower = error.message.to_ascii_lowercase();
    let (message, hint) = if lower.contains("cannot remove a running container")
        || lower.contains("stop the container before attempting removal")
    {
        (
            format!("{container} is running, so it was not removed"),
            Some("Stop it first, or remove it with force (:rm -f)."),
        )
    } else if lower.contains("is not running") {
        (
            format!("cannot {} {container}: it is not running", action.verb()),
            Some("Start it first."),
        )
    } else if lower.contains("is not paused") {
        (
            format!("cannot unpause {container}: it is not paused"),
            None,
        )
    } else if lower.contains("is already paused") {
        (format!("{container} is already paused"), None)
    } else if lower.contains("is paused") {
        (
            format!("cannot {} {container}: it is paused", action.verb()),
            Some("Unpause it first."),
        )
    } else if lower.contains("is already in use") {
        let LifecycleAction::Rename { new_name } = action else {
            return error;
        };
        (
            format!("cannot rename {container}: a container named {new_name} already exists"),
            None,
        )
    } else {
        (
            format!("cannot {} {container}: {}", action.verb(), error.message),
            None,
        )
    };
    let error = EngineError::new(error.kind, message);
    match hint {
        Some(hint) => error.with_hint(hint),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_as_what_to_do() {
        let running = action_error(
            EngineError::answered(
                Some(409),
                "You cannot remove a running container 4f2a. Stop the container before attempting removal or force remove",
            ),
            "web",
            &LifecycleAction::Remove {
                force: false,
                volumes: false,
            },
        );
        assert_eq!(running.kind, EngineErrorKind::Conflict);
        assert_eq!(running.message, "web is running, so it was not removed");
        assert!(running.hint.unwrap().contains(":rm -f"));
        let paused = action_error(
            EngineError::answered(Some(409), "Container 4f2a is not running"),
            "web",
            &LifecycleAction::Pause,
        );
        assert_eq!(paused.message, "cannot pause web: it is not running");
        let gone = action_error(
            EngineError::answered(Some(404), "No such container: web"),
            "web",
            &LifecycleAction::Stop { timeout: None },
        );
        assert_eq!(gone.kind, EngineErrorKind::NotFound);
        assert!(gone.message.contains("web does not exist"));
        let taken = action_error(
            EngineError::answered(
                Some(409),
                "Conflict. The container name \"/db\" is already in use by container \"9a\".",
            ),
            "web",
            &LifecycleAction::Rename {
                new_name: "db".into(),
            },
        );
        assert_eq!(
            taken.message,
            "cannot rename web: a container named db already exists"
        );
    }
}
