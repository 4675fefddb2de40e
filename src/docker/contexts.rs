//! The docker CLI's contexts as `docker context ls` shows them, for choosing the engine
//! wharf talks to. Reading only: switching is resolving the chosen context
//! ([`super::target::resolve_context`]) and, when the user wants the docker CLI to follow,
//! writing `currentContext` ([`crate::registry::DockerConfig::set_current_context`]).
//!
//! A broken context is listed with its problem rather than hidden, so the user sees why it
//! cannot be chosen.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::target::{DEFAULT_HOST, TargetInputs, TargetSource, context_dirs, current_context};
use super::transport::EngineAddress;
use crate::text::natural::natural_cmp;

/// The name of the context that stands for "no context": `DOCKER_HOST` or the default socket.
pub const DEFAULT_CONTEXT: &str = "default";

/// meta.json files larger than this are not read (they are a few hundred bytes).
const MAX_META: u64 = 1 << 20;

/// What the contexts list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextList {
    /// `default` first, then the stored contexts by name.
    pub contexts: Vec<ContextSummary>,
    /// An address that overrides every context (`--host`, `DOCKER_HOST`, wharf's config),
    /// and where it was set. While there is one, no context is current.
    pub host_override: Option<(String, TargetSource)>,
    /// Problems with the setup as a whole: an unreadable `config.json`, `DOCKER_CONTEXT`
    /// naming a context that does not exist, an unreadable contexts directory.
    pub warnings: Vec<String>,
}

impl ContextList {
    /// The context in force, if a context (not a host) decides the engine.
    pub fn current(&self) -> Option<&ContextSummary> {
        self.contexts.iter().find(|c| c.current)
    }
}

/// One context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextSummary {
    pub name: String,
    pub description: String,
    /// The docker endpoint's address (`Endpoints.docker.Host`).
    pub endpoint: Option<String>,
    /// Whether the context stores TLS files (`ca.pem` …) for its endpoint.
    pub tls: bool,
    /// Whether wharf would use this context now (`--context`, `DOCKER_CONTEXT`, wharf's
    /// config, `currentContext`, else `default`).
    pub current: bool,
    /// Why this context cannot be used (a malformed file, no endpoint, an unknown scheme).
    pub problem: Option<String>,
}

impl ContextSummary {
    /// Whether choosing it can work.
    pub fn usable(&self) -> bool {
        self.problem.is_none()
    }
}

/// Lists the contexts of `inputs.docker_config_dir` and says which one is in force,
/// following the same precedence as [`super::target::resolve`]. Blocking (small files).
pub fn list_contexts(inputs: &TargetInputs) -> ContextList {
    let mut warnings = Vec::new();
    let mut contexts = vec![ContextSummary {
        name: DEFAULT_CONTEXT.to_string(),
        description: "The default socket, or DOCKER_HOST when it is set".to_string(),
        endpoint: Some(DEFAULT_HOST.to_string()),
        tls: false,
        current: false,
        problem: None,
    }];
    contexts.extend(stored_contexts(&inputs.docker_config_dir, &mut warnings));
    contexts[1..].sort_by(|a, b| natural_cmp(&a.name, &b.name));

    let (in_force, host_override) = in_force(inputs, &mut warnings);
    if let Some(name) = in_force {
        match contexts.iter_mut().find(|c| c.name == name) {
            Some(context) => context.current = true,
            None => warnings.push(format!(
                "the context in force, \"{name}\", does not exist; list contexts with `docker context ls`"
            )),
        }
    }
    ContextList {
        contexts,
        host_override,
        warnings,
    }
}

/// The context name in force, or the host that overrides contexts.
fn in_force(
    inputs: &TargetInputs,
    warnings: &mut Vec<String>,
) -> (Option<String>, Option<(String, TargetSource)>) {
    if let Some(name) = &inputs.context_flag {
        return (Some(name.clone()), None);
    }
    let host = |host: &String, source| (None, Some((host.clone(), source)));
    if let Some(h) = &inputs.host_flag {
        return host(h, TargetSource::HostFlag);
    }
    if let Some(h) = &inputs.docker_host {
        return host(h, TargetSource::DockerHostEnv);
    }
    if let Some(name) = &inputs.docker_context {
        return (Some(name.clone()), None);
    }
    if let Some(name) = &inputs.config_context {
        return (Some(name.clone()), None);
    }
    if let Some(h) = &inputs.config_host {
        return host(h, TargetSource::ConfigFile);
    }
    match current_context(&inputs.docker_config_dir) {
        Ok(Some(name)) => (Some(name), None),
        Ok(None) => (Some(DEFAULT_CONTEXT.to_string()), None),
        Err(e) => {
            warnings.push(e.to_string());
            (Some(DEFAULT_CONTEXT.to_string()), None)
        }
    }
}

/// Every directory under `contexts/meta`, read as a context.
fn stored_contexts(config_dir: &Path, warnings: &mut Vec<String>) -> Vec<ContextSummary> {
    let meta_root = config_dir.join("contexts").join("meta");
    let entries = match std::fs::read_dir(&meta_root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            warnings.push(format!("cannot read {}: {e}", meta_root.display()));
            return Vec::new();
        }
    };
    entries
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| read_context(config_dir, &entry.path()))
        .collect()
}

/// One context from its meta directory; a problem is kept in the summary.
fn read_context(config_dir: &Path, dir: &Path) -> ContextSummary {
    let dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let broken = |problem: String| ContextSummary {
        name: format!("? ({})", dir_name.chars().take(12).collect::<String>()),
        description: String::new(),
        endpoint: None,
        tls: false,
        current: false,
        problem: Some(problem),
    };
    let path = dir.join("meta.json");
    let meta = match read_bounded(&path) {
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(meta) => meta,
            Err(e) => return broken(format!("{} is not valid JSON: {e}", path.display())),
        },
        Err(e) => return broken(format!("cannot read {}: {e}", path.display())),
    };
    let Some(name) = meta
        .get("Name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return broken(format!("{} names no context", path.display()));
    };
    let description = meta
        .get("Metadata")
        .and_then(|m| m.get("Description"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let endpoint = meta
        .get("Endpoints")
        .and_then(|e| e.get("docker"))
        .and_then(|d| d.get("Host"))
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty())
        .map(str::to_string);
    let (meta_dir, tls_dir) = context_dirs(config_dir, name);
    let problem = if meta_dir.file_name() != dir.file_name() {
        Some(format!(
            "its files are under {}, not where docker looks for \"{name}\"",
            dir.display()
        ))
    } else {
        match &endpoint {
            None => Some("it has no docker endpoint".to_string()),
            Some(host) => EngineAddress::parse(host).err(),
        }
    };
    ContextSummary {
        name: name.to_string(),
        description,
        endpoint,
        tls: tls_dir.join("ca.pem").exists(),
        current: false,
        problem,
    }
}

fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_META)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn write_context(config: &Path, name: &str, meta: &str) -> PathBuf {
        let (dir, _) = context_dirs(config, name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("meta.json"), meta).unwrap();
        dir
    }

    fn context(config: &Path, name: &str, description: &str, host: &str) {
        write_context(
            config,
            name,
            &format!(
                r#"{{"Name":"{name}","Metadata":{{"Description":"{description}"}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#
            ),
        );
    }

    fn inputs(config: &Path) -> TargetInputs {
        TargetInputs {
            docker_config_dir: config.to_path_buf(),
            ..TargetInputs::default()
        }
    }

    fn names(list: &ContextList) -> Vec<&str> {
        list.contexts.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn no_contexts_means_default_alone_and_current() {
        let dir = tempfile::tempdir().unwrap();
        let list = list_contexts(&inputs(dir.path()));
        assert_eq!(names(&list), ["default"]);
        assert_eq!(list.current().unwrap().name, "default");
        assert_eq!(list.host_override, None);
        assert!(list.warnings.is_empty());
    }

    #[test]
    fn contexts_are_listed_by_name_with_endpoint_description_and_tls() {
        let dir = tempfile::tempdir().unwrap();
        context(dir.path(), "prod-10", "ten", "ssh://deploy@prod");
        context(dir.path(), "prod-9", "nine", "tcp://10.0.0.9:2376");
        context(dir.path(), "lab", "", "unix:///run/lab.sock");
        let (_, tls) = context_dirs(dir.path(), "prod-9");
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(tls.join("ca.pem"), "x").unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext":"prod-9"}"#,
        )
        .unwrap();

        let list = list_contexts(&inputs(dir.path()));
        assert_eq!(names(&list), ["default", "lab", "prod-9", "prod-10"]);
        let nine = &list.contexts[2];
        assert_eq!(nine.description, "nine");
        assert_eq!(nine.endpoint.as_deref(), Some("tcp://10.0.0.9:2376"));
        assert!(nine.tls && nine.current && nine.usable());
        assert!(!list.contexts[3].tls);
        assert_eq!(list.contexts.iter().filter(|c| c.current).count(), 1);
    }

    #[test]
    fn docker_context_wins_over_current_context_and_docker_host_over_both() {
        let dir = tempfile::tempdir().unwrap();
        context(dir.path(), "a", "", "unix:///a.sock");
        context(dir.path(), "b", "", "unix:///b.sock");
        std::fs::write(dir.path().join("config.json"), r#"{"currentContext":"a"}"#).unwrap();
        let mut i = inputs(dir.path());
        i.docker_context = Some("b".into());
        assert_eq!(list_contexts(&i).current().unwrap().name, "b");
        i.docker_host = Some("tcp://127.0.0.1:2375".into());
        let list = list_contexts(&i);
        assert_eq!(list.current(), None);
        assert_eq!(
            list.host_override,
            Some(("tcp://127.0.0.1:2375".into(), TargetSource::DockerHostEnv))
        );
        i.context_flag = Some("a".into());
        assert_eq!(list_contexts(&i).current().unwrap().name, "a");
    }

    #[test]
    fn broken_contexts_are_listed_with_their_problem() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "garbled", "{not json");
        write_context(dir.path(), "nameless", r#"{"Endpoints":{}}"#);
        write_context(
            dir.path(),
            "no-endpoint",
            r#"{"Name":"no-endpoint","Endpoints":{}}"#,
        );
        context(dir.path(), "gopher", "", "gopher://old");
        context(dir.path(), "fine", "", "unix:///fine.sock");
        // A context whose directory is not the hash of its name cannot be resolved.
        write_context(
            dir.path(),
            "elsewhere",
            r#"{"Name":"moved","Endpoints":{"docker":{"Host":"unix:///m.sock"}}}"#,
        );
        let list = list_contexts(&inputs(dir.path()));
        let problem = |name: &str| {
            list.contexts
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.problem.clone())
                .unwrap_or_default()
        };
        assert!(
            problem("gopher").contains("gopher://"),
            "{}",
            problem("gopher")
        );
        assert!(problem("no-endpoint").contains("no docker endpoint"));
        assert!(problem("moved").contains("not where docker looks"));
        assert_eq!(problem("fine"), "");
        let unnamed: Vec<_> = list
            .contexts
            .iter()
            .filter(|c| c.name.starts_with("? ("))
            .map(|c| c.problem.clone().unwrap())
            .collect();
        assert_eq!(unnamed.len(), 2, "{unnamed:?}");
        assert!(unnamed.iter().any(|p| p.contains("is not valid JSON")));
        assert!(unnamed.iter().any(|p| p.contains("names no context")));
    }

    #[test]
    fn a_missing_context_in_force_and_a_broken_config_are_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let mut i = inputs(dir.path());
        i.docker_context = Some("gone".into());
        let list = list_contexts(&i);
        assert_eq!(list.current(), None);
        assert!(
            list.warnings[0].contains("\"gone\", does not exist"),
            "{:?}",
            list.warnings
        );

        std::fs::write(dir.path().join("config.json"), "{broken").unwrap();
        let list = list_contexts(&inputs(dir.path()));
        assert!(
            list.warnings[0].contains("config.json"),
            "{:?}",
            list.warnings
        );
        assert_eq!(list.current().unwrap().name, "default");
    }
}
