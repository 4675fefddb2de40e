//! Remote engines: how the executor reaches engines (the ssh program from the config),
//! reading and resolving docker contexts, and writing `currentContext`.

use std::time::Duration;

use crate::config::EngineSection;
use crate::docker::target::{self, TargetInputs};
use crate::docker::{ConnectOptions, EngineAddress, SshOptions, list_contexts};
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
/// An address wharf cannot use (an unknown scheme) is refused here, so the user stays on
/// the engine they have rather than switching to one that can never connect.
pub(super) fn resolve(setup: &EngineSetup, name: String) -> Msg {
    let result = target::resolve_context(&setup.inputs, &name)
        .map_err(|e| e.to_string())
        .and_then(|target| match EngineAddress::parse(&target.host) {
            Ok(_) => Ok(target),
            Err(why) => Err(format!(
                "its endpoint {} cannot be used: {why}",
                target.host
            )),
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn setup_for(config: &str, dir: &std::path::Path) -> EngineSetup {
        let config = Config::parse(config, std::path::Path::new("/c/config.toml")).unwrap();
        let inputs = TargetInputs {
            docker_config_dir: dir.to_path_buf(),
            ..TargetInputs::default()
        };
        EngineSetup::from_config(&config.engine, inputs)
    }

    #[test]
    fn the_ssh_table_sets_the_program_its_options_and_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let setup = setup_for(
            "[engine.ssh]\nprogram = \"/opt/ssh\"\noptions = [\"-F\", \"/x\"]\nconnect_timeout = 3\n",
            dir.path(),
        );
        assert_eq!(
            setup.options.ssh.program,
            std::path::PathBuf::from("/opt/ssh")
        );
        assert_eq!(setup.options.ssh.extra_args, ["-F", "/x"]);
        assert_eq!(setup.options.ssh.connect_timeout, Duration::from_secs(3));
        let defaults = setup_for("", dir.path());
        assert_eq!(defaults.options, ConnectOptions::default());
    }

    fn write_context(dir: &std::path::Path, name: &str, host: &str) {
        let (meta, _) = crate::docker::target::context_dirs(dir, name);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            format!(r#"{{"Name":"{name}","Endpoints":{{"docker":{{"Host":"{host}"}}}}}}"#),
        )
        .unwrap();
    }

    fn resolved(msg: Msg) -> Result<String, String> {
        match msg {
            Msg::Context(ContextMsg::Resolved { result, .. }) => result.map(|t| t.host),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resolving_refuses_unknown_schemes_and_names_missing_and_malformed_files() {
        let dir = tempfile::tempdir().unwrap();
        let setup = setup_for("", dir.path());
        write_context(dir.path(), "fine", "tcp://127.0.0.1:2375");
        write_context(dir.path(), "gopher", "gopher://old");
        let (garbled, _) = crate::docker::target::context_dirs(dir.path(), "garbled");
        std::fs::create_dir_all(&garbled).unwrap();
        std::fs::write(garbled.join("meta.json"), "{not json").unwrap();

        assert_eq!(
            resolved(resolve(&setup, "fine".into())).unwrap(),
            "tcp://127.0.0.1:2375"
        );
        let gopher = resolved(resolve(&setup, "gopher".into())).unwrap_err();
        assert!(gopher.contains("gopher://old"), "{gopher}");
        let missing = resolved(resolve(&setup, "nowhere".into())).unwrap_err();
        assert!(missing.contains("\"nowhere\" not found"), "{missing}");
        let broken = resolved(resolve(&setup, "garbled".into())).unwrap_err();
        assert!(broken.contains("meta.json is not valid JSON"), "{broken}");
    }
}
