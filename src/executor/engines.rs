//! Remote engines: how the executor reaches engines (the ssh program from the config),
//! reading and resolving docker contexts, and writing `currentContext`.

use std::time::Duration;

use crate::config::EngineSection;
use crate::docker::target::{self, TargetInputs};
use crate::docker::{ConnectOptions, SshOptions, list_contexts};
use crate::flows::context::ContextMsg;
use crate::msg::Msg;
use crate::registry::DockerConfig;

/// What the executor needs to reach an engine besides its address.
#[derive(Debug, Clone, Default)]
pub struct EngineSetup {
    /// What resolving a context reads: the docker config directory, `DOCKER_HOST` …
    pub inputs: TargetInputs,
    /// How engines are reached (the ssh program and its options).
    pub options: ConnectOptions,
}

impl EngineSetup {
    /// The setup the config asks for, over the resolution inputs of this run.
    pub fn from_config(engine: &EngineSection, inputs: TargetInputs) -> Self {
        let defaults = SshOptions::default();
        let ssh = SshOptions {
            program: engine
                .ssh
                .program
                .clone()
                .unwrap_or(defaults.program.clone()),
            extra_args: engine.ssh.options.clone(),
            connect_timeout: engine
                .ssh
                .connect_timeout
                .map_or(defaults.connect_timeout, Duration::from_secs),
            ..defaults
        };
        EngineSetup {
            inputs,
            options: ConnectOptions { ssh },
        }
    }
}

/// Reads the contexts (blocking: small files).
pub(super) fn list(setup: &EngineSetup) -> Msg {
    Msg::Context(ContextMsg::Listed(list_contexts(&setup.inputs)))
}

/// Finds the address of the context `name` (blocking).
pub(super) fn resolve(setup: &EngineSetup, name: String) -> Msg {
    let result = target::resolve_context(&setup.inputs, &name).map_err(|e| e.to_string());
    Msg::Context(ContextMsg::Resolved { name, result })
}

/// Writes `name` as the docker CLI's `currentContext` (blocking).
pub(super) fn write_current(setup: &EngineSetup, name: String) -> Msg {
    let config = DockerConfig::at(setup.inputs.docker_config_dir.clone());
    let result = config
        .set_current_context(Some(&name))
        .map_err(|e| e.to_string());
    Msg::Context(ContextMsg::CurrentWritten { name, result })
}
