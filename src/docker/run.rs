//! `docker run`: a [`RunSpec`] as the engine's create-container request, created and
//! started with nothing left behind when either step fails.

use std::collections::HashMap;
use std::fmt;

use bollard::models::{
    ContainerCreateBody, HostConfig, PortBinding, PortMap, RestartPolicy as EngineRestart,
    RestartPolicyNameEnum,
};
use bollard::query_parameters::{CreateContainerOptions, RemoveContainerOptions};

use crate::run_spec::{RestartPolicy, RunSpec};

use super::engine::Engine;
use super::error::{EngineError, EngineErrorKind};
use super::types::ContainerId;

/// A container the engine created from a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedContainer {
    pub id: ContainerId,
    /// The name asked for, or the one the engine made up.
    pub name: String,
    /// What the engine warned about (a kernel without swap limits …), cleaned of nothing:
    /// the UI cleans text before drawing it.
    pub warnings: Vec<String>,
}

/// Why `run` failed, in the kinds the UI reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunFailure {
    /// The image is not in the engine: the UI can offer to pull it.
    ImageMissing { image: String },
    /// Another container has the name.
    NameInUse { name: String },
    /// The host port is taken (by another container or a program on the host).
    PortInUse { address: String },
    /// Anything else the engine said.
    Engine,
}

/// A failed run: its kind, and the message (with a hint) to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError {
    pub failure: RunFailure,
    pub error: EngineError,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for RunError {}

impl Engine {
    /// `docker run -d`: creates the container and starts it. When the start fails (a port in
    /// use, a missing command) the container is removed again, so nothing half-made stays.
    pub async fn run_container(&self, spec: &RunSpec) -> Result<CreatedContainer, RunError> {
        let created = self.create_from_spec(spec).await?;
        self.start_or_remove(&created).await?;
        Ok(created)
    }

    /// Creates the container without starting it (an interactive run attaches in between).
    pub async fn create_from_spec(&self, spec: &RunSpec) -> Result<CreatedContainer, RunError> {
        let options = CreateContainerOptions {
            name: spec.name.clone(),
            ..CreateContainerOptions::default()
        };
        let response = self
            .docker
            .create_container(Some(options), create_body(spec))
            .await
            .map_err(|e| run_error(self.error(e), spec))?;
        let id = ContainerId(response.id);
        let name = match &spec.name {
            Some(name) => name.clone(),
            None => match self.docker.inspect_container(&id.0, None).await {
                Ok(details) => details
                    .name
                    .map(|n| n.trim_start_matches('/').to_string())
                    .unwrap_or_else(|| id.short().to_string()),
                Err(_) => id.short().to_string(),
            },
        };
        Ok(CreatedContainer {
            id,
            name,
            warnings: response.warnings,
        })
    }

    /// Starts a container made by [`Engine::create_from_spec`]; if the engine refuses, the
    /// container (and its anonymous volumes) is removed before the error is returned.
    pub async fn start_or_remove(&self, created: &CreatedContainer) -> Result<(), RunError> {
        let Err(e) = self.docker.start_container(&created.id.0, None).await else {
            return Ok(());
        };
        let mut failure = start_error(self.error(e));
        let removal = self
            .docker
            .remove_container(
                &created.id.0,
                Some(RemoveContainerOptions {
                    force: true,
                    v: true,
                    link: false,
                }),
            )
            .await
            .map_err(|e| self.error(e));
        match removal {
            Ok(()) => {}
            // --rm containers may already be on their way out.
            Err(e)
                if e.kind == EngineErrorKind::NotFound
                    || e.message.contains("already in progress") => {}
            Err(e) => {
                failure.error.message = format!(
                    "{} (and the container {} made for it could not be removed: {})",
                    failure.error.message, created.name, e.message
                );
            }
        }
        Err(failure)
    }
}

/// A create failure, by what the engine said.
fn run_error(error: EngineError, spec: &RunSpec) -> RunError {
    let lower = error.message.to_ascii_lowercase();
    let failure = if error.kind == EngineErrorKind::NotFound && lower.contains("no such image") {
        RunFailure::ImageMissing {
            image: spec.image.clone(),
        }
    } else if error.kind == EngineErrorKind::Conflict && lower.contains("is already in use") {
        RunFailure::NameInUse {
            name: spec.name.clone().unwrap_or_default(),
        }
    } else {
        RunFailure::Engine
    };
    let error = match &failure {
        RunFailure::ImageMissing { image } => EngineError::new(
            EngineErrorKind::NotFound,
            format!("the image {image} is not in the engine"),
        )
        .with_hint("Pull it first."),
        RunFailure::NameInUse { name } => EngineError::new(
            EngineErrorKind::Conflict,
            format!("a container named {name} already exists"),
        )
        .with_hint("Choose another --name, or remove or rename that container."),
        _ => error,
    };
    RunError { failure, error }
}

/// A start failure: a taken port is named; anything else is the engine's message.
fn start_error(error: EngineError) -> RunError {
    match port_in_use(&error.message) {
        Some(address) => RunError {
            error: EngineError::new(
                EngineErrorKind::Conflict,
                format!("the port {address} is already in use"),
            )
            .with_hint("Publish another host port (-p), or stop what listens there."),
            failure: RunFailure::PortInUse { address },
        },
        None => RunError {
            failure: RunFailure::Engine,
            error,
        },
    }
}

/// The address in the engine's "port taken" messages: `Bind for 0.0.0.0:8080 failed: port
/// is already allocated` (another container) and `listen tcp4 127.0.0.1:8080: bind: address
/// already in use` (a program on the host, seen by the userland proxy).
fn port_in_use(message: &str) -> Option<String> {
    if let Some(rest) = message.split("Bind for ").nth(1)
        && message.contains("port is already allocated")
    {
        return rest.split(" failed").next().map(str::to_string);
    }
    if message.contains("address already in use") {
        for marker in [
            "listen tcp4 ",
            "listen tcp6 ",
            "listen tcp ",
            "listen udp4 ",
            "listen udp6 ",
            "listen udp ",
            "listen sctp ",
        ] {
            if let Some(rest) = message.split(marker).nth(1) {
                return rest.split(": bind").next().map(str::to_string);
            }
        }
    }
    None
}

/// The create-container body for `spec`, as the docker CLI would send it.
pub(crate) fn create_body(spec: &RunSpec) -> ContainerCreateBody {
    let mut exposed: Vec<String> = Vec::new();
    let mut bindings: PortMap = HashMap::new();
    for port in &spec.publish {
        let key = port.container_key();
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        bindings
            .entry(key)
            .or_default()
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: port.host_ip.map(|ip| ip.to_string()),
                host_port: Some(port.host_port_text()),
            });
    }
    let binds: Vec<String> = spec.volumes.iter().filter_map(|v| v.bind()).collect();
    let anonymous: Vec<String> = spec
        .volumes
        .iter()
        .filter(|v| v.bind().is_none())
        .map(|v| v.target.clone())
        .collect();
    let attached = spec.attaches();
    let non_empty = |list: Vec<String>| (!list.is_empty()).then_some(list);
    ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: non_empty(spec.command.clone()),
        // One word, as the CLI takes it; "" clears the image's entrypoint.
        entrypoint: spec.entrypoint.as_ref().map(|e| vec![e.clone()]),
        env: non_empty(spec.env.clone()),
        working_dir: spec.workdir.clone(),
        user: spec.user.clone(),
        exposed_ports: non_empty(exposed),
        volumes: non_empty(anonymous),
        tty: Some(spec.tty),
        open_stdin: Some(spec.interactive),
        stdin_once: Some(spec.interactive && attached),
        attach_stdin: Some(spec.interactive && attached),
        attach_stdout: Some(attached),
        attach_stderr: Some(attached),
        host_config: Some(HostConfig {
            binds: non_empty(binds),
            port_bindings: (!bindings.is_empty()).then_some(bindings),
            restart_policy: Some(engine_restart(spec.restart)),
            auto_remove: Some(spec.remove_on_exit),
            ..HostConfig::default()
        }),
        ..ContainerCreateBody::default()
    }
}

fn engine_restart(policy: RestartPolicy) -> EngineRestart {
    let (name, count) = match policy {
        RestartPolicy::No => (RestartPolicyNameEnum::NO, None),
        RestartPolicy::Always => (RestartPolicyNameEnum::ALWAYS, None),
        RestartPolicy::UnlessStopped => (RestartPolicyNameEnum::UNLESS_STOPPED, None),
        RestartPolicy::OnFailure { max_retries } => (
            RestartPolicyNameEnum::ON_FAILURE,
            Some(i64::from(max_retries.unwrap_or(0))),
        ),
    };
    EngineRestart {
        name: Some(name),
        maximum_retry_count: count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run_spec::{ProcessHost, parse_run_args};

    #[test]
    fn taken_ports_are_named() {
        assert_eq!(
            port_in_use(
                "Driver failed programming external connectivity on endpoint x (1f): Bind for 0.0.0.0:8080 failed: port is already allocated"
            )
            .as_deref(),
            Some("0.0.0.0:8080")
        );
        assert_eq!(
            port_in_use(
                "Driver failed programming external connectivity on endpoint x (1f): Error starting userland proxy: listen tcp4 127.0.0.1:8080: bind: address already in use"
            )
            .as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(port_in_use("OCI runtime create failed"), None);
    }

    #[test]
    fn create_failures_get_their_kind() {
        let spec = RunSpec {
            name: Some("web".into()),
            ..RunSpec::new("busybox")
        };
        let missing = run_error(
            EngineError::answered(Some(404), "No such image: busybox:latest"),
            &spec,
        );
        assert_eq!(
            missing.failure,
            RunFailure::ImageMissing {
                image: "busybox".into()
            }
        );
        assert!(missing.to_string().contains("Pull it"));
        let taken = run_error(
            EngineError::answered(
                Some(409),
                "Conflict. The container name \"/web\" is already in use by container \"ab\".",
            ),
            &spec,
        );
        assert_eq!(taken.failure, RunFailure::NameInUse { name: "web".into() });
        let other = run_error(EngineError::answered(Some(500), "boom"), &spec);
        assert_eq!(other.failure, RunFailure::Engine);
        assert_eq!(other.error.message, "boom");
    }

    fn body(line: &str) -> serde_json::Value {
        let words: Vec<&str> = line.split_whitespace().collect();
        let spec = parse_run_args(&words, &ProcessHost).unwrap();
        serde_json::to_value(create_body(&spec)).unwrap()
    }

    #[test]
    fn the_body_the_cli_would_send() {
        let json = body(
            "--name web -p 127.0.0.1:8080:80 -p 8081:80 -p 53/udp -v /srv:/srv:ro -v /anon \
             -e A=1 --restart on-failure:3 -w /app -u nobody --entrypoint /bin/sh --rm=false \
             busybox -c true",
        );
        assert_eq!(json["Image"], "busybox");
        assert_eq!(json["Cmd"], serde_json::json!(["-c", "true"]));
        assert_eq!(json["Entrypoint"], serde_json::json!(["/bin/sh"]));
        assert_eq!(json["Env"], serde_json::json!(["A=1"]));
        assert_eq!(json["WorkingDir"], "/app");
        assert_eq!(json["User"], "nobody");
        assert_eq!(
            json["ExposedPorts"],
            serde_json::json!({"80/tcp": {}, "53/udp": {}})
        );
        assert_eq!(json["Volumes"], serde_json::json!({"/anon": {}}));
        let host = &json["HostConfig"];
        assert_eq!(host["Binds"], serde_json::json!(["/srv:/srv:ro"]));
        assert_eq!(
            host["PortBindings"]["80/tcp"],
            serde_json::json!([
                {"HostIp": "127.0.0.1", "HostPort": "8080"},
                {"HostPort": "8081"}
            ])
        );
        assert_eq!(
            host["PortBindings"]["53/udp"],
            serde_json::json!([{"HostPort": ""}])
        );
        assert_eq!(
            host["RestartPolicy"],
            serde_json::json!({"Name": "on-failure", "MaximumRetryCount": 3})
        );
        assert_eq!(host["AutoRemove"], false);
        assert_eq!(json["Tty"], false);
        assert_eq!(json["AttachStdin"], false);
    }

    #[test]
    fn interactive_runs_keep_stdin_for_the_one_attach() {
        let json = body("-it busybox");
        assert_eq!(json["Tty"], true);
        assert_eq!(json["OpenStdin"], true);
        assert_eq!(json["StdinOnce"], true);
        assert_eq!(json["AttachStdin"], true);
        let detached = body("-itd busybox");
        assert_eq!(detached["OpenStdin"], true);
        assert_eq!(detached["StdinOnce"], false);
        let cleared = body("--entrypoint= busybox");
        assert_eq!(cleared["Entrypoint"], serde_json::json!([""]));
        assert!(cleared.get("Cmd").is_none(), "the image's CMD stays");
    }
}
