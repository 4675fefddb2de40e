//! Which engine to talk to, resolved the way the docker CLI does it:
//! `--context` > `--host` > `DOCKER_HOST` > `DOCKER_CONTEXT` > wharf's config >
//! `currentContext` in `$DOCKER_CONFIG/config.json` > the default socket.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The socket the docker CLI uses when nothing else is said.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Why this target was chosen; shown when the engine cannot be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSource {
    ContextFlag(String),
    HostFlag,
    DockerHostEnv,
    DockerContextEnv(String),
    ConfigFile,
    CurrentContext(String),
    /// A context chosen in wharf (the contexts list, `:context NAME`).
    Chosen(String),
    Default,
}

impl fmt::Display for TargetSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetSource::ContextFlag(name) => write!(f, "--context {name}"),
            TargetSource::HostFlag => f.write_str("--host"),
            TargetSource::DockerHostEnv => f.write_str("DOCKER_HOST"),
            TargetSource::DockerContextEnv(name) => write!(f, "DOCKER_CONTEXT={name}"),
            TargetSource::ConfigFile => f.write_str("wharf config [engine]"),
            TargetSource::CurrentContext(name) => write!(f, "docker context {name}"),
            TargetSource::Chosen(name) => write!(f, "context {name}"),
            TargetSource::Default => f.write_str("default socket"),
        }
    }
}

/// Client certificate files for a TLS engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The engine address wharf will connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineTarget {
    /// `unix:///path`, `tcp://host:port`, `http://…` or `https://…`.
    pub host: String,
    pub source: TargetSource,
    pub tls: Option<TlsFiles>,
}

/// Everything the resolution reads, passed in so tests never touch the process environment.
#[derive(Debug, Clone, Default)]
pub struct TargetInputs {
    pub context_flag: Option<String>,
    pub host_flag: Option<String>,
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    pub docker_tls_verify: bool,
    pub docker_cert_path: Option<PathBuf>,
    pub config_host: Option<String>,
    pub config_context: Option<String>,
    /// `$DOCKER_CONFIG`, else `~/.docker`.
    pub docker_config_dir: PathBuf,
}

impl TargetInputs {
    /// Reads the docker CLI's environment variables; flags and config are filled in by the caller.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        TargetInputs {
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            docker_tls_verify: var("DOCKER_TLS_VERIFY").is_some(),
            docker_cert_path: var("DOCKER_CERT_PATH").map(PathBuf::from),
            // Without a home directory there are no contexts to read: a name that cannot exist.
            docker_config_dir: crate::registry::DockerConfig::from_env()
                .map(|config| config.dir().to_path_buf())
                .unwrap_or_default(),
            ..TargetInputs::default()
        }
    }
}

/// A target that cannot be resolved (a context that does not exist, a broken meta file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError(pub String);

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetError {}

/// Resolves the engine address.
pub fn resolve(inputs: &TargetInputs) -> Result<EngineTarget, TargetError> {
    if let Some(name) = &inputs.context_flag {
        return from_context(inputs, name, TargetSource::ContextFlag(name.clone()));
    }
    if let Some(host) = &inputs.host_flag {
        return Ok(from_host(inputs, host, TargetSource::HostFlag));
    }
    if let Some(host) = &inputs.docker_host {
        return Ok(from_host(inputs, host, TargetSource::DockerHostEnv));
    }
    if let Some(name) = &inputs.docker_context {
        return from_context(inputs, name, TargetSource::DockerContextEnv(name.clone()));
    }
    if let Some(name) = &inputs.config_context {
        return from_context(inputs, name, TargetSource::ConfigFile);
    }
    if let Some(host) = &inputs.config_host {
        return Ok(from_host(inputs, host, TargetSource::ConfigFile));
    }
    if let Some(name) = current_context(&inputs.docker_config_dir)? {
        return from_context(inputs, &name, TargetSource::CurrentContext(name.clone()));
    }
    Ok(EngineTarget {
        host: DEFAULT_HOST.to_string(),
        source: TargetSource::Default,
        tls: None,
    })
}

/// The target of the docker context `name` (`"default"` is the default socket), for
/// switching to a context chosen in wharf.
pub fn resolve_context(inputs: &TargetInputs, name: &str) -> Result<EngineTarget, TargetError> {
    from_context(inputs, name, TargetSource::Chosen(name.to_string()))
}

fn from_host(inputs: &TargetInputs, host: &str, source: TargetSource) -> EngineTarget {
    let host = normalise_host(host);
    let tls = (inputs.docker_tls_verify && host.starts_with("tcp://")).then(|| {
        let dir = inputs
            .docker_cert_path
            .clone()
            .unwrap_or_else(|| inputs.docker_config_dir.clone());
        tls_files_in(&dir)
    });
    EngineTarget { host, source, tls }
}

/// A bare path means a unix socket, as with `docker -H /run/docker.sock`.
fn normalise_host(host: &str) -> String {
    let host = host.trim();
    if host.starts_with('/') {
        format!("unix://{host}")
    } else {
        host.to_string()
    }
}

fn tls_files_in(dir: &Path) -> TlsFiles {
    TlsFiles {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    }
}

#[derive(Deserialize)]
struct ConfigJson {
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

/// `currentContext` in `config.json`; a missing file means none.
pub(crate) fn current_context(config_dir: &Path) -> Result<Option<String>, TargetError> {
    let path = config_dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) => return Ok(None),
    };
    let config: ConfigJson = serde_json::from_str(&text)
        .map_err(|e| TargetError(format!("{} is not valid JSON: {e}", path.display())))?;
    Ok(config.current_context.filter(|c| !c.is_empty()))
}

#[derive(Deserialize)]
struct ContextMeta {
    #[serde(rename = "Endpoints", default)]
    endpoints: Endpoints,
}

#[derive(Deserialize, Default)]
struct Endpoints {
    docker: Option<DockerEndpoint>,
}

#[derive(Deserialize)]
struct DockerEndpoint {
    #[serde(rename = "Host")]
    host: Option<String>,
}

fn from_context(
    inputs: &TargetInputs,
    name: &str,
    source: TargetSource,
) -> Result<EngineTarget, TargetError> {
    if name == "default" {
        return Ok(EngineTarget {
            host: DEFAULT_HOST.to_string(),
            source,
            tls: None,
        });
    }
    let (meta_dir, tls_dir) = context_dirs(&inputs.docker_config_dir, name);
    let meta_path = meta_dir.join("meta.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|_| {
        TargetError(format!(
            "docker context \"{name}\" not found (no {}); list contexts with `docker context ls`",
            meta_path.display()
        ))
    })?;
    let meta: ContextMeta = serde_json::from_str(&text)
        .map_err(|e| TargetError(format!("{} is not valid JSON: {e}", meta_path.display())))?;
    let host = meta
        .endpoints
        .docker
        .and_then(|d| d.host)
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            TargetError(format!(
                "docker context \"{name}\" has no docker endpoint host"
            ))
        })?;
    let tls = tls_dir
        .join("ca.pem")
        .exists()
        .then(|| tls_files_in(&tls_dir));
    Ok(EngineTarget {
        host: normalise_host(&host),
        source,
        tls,
    })
}

/// Where the docker CLI keeps a context: its meta directory and its docker TLS directory,
/// both named by the SHA-256 of the context's name.
pub(crate) fn context_dirs(config_dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let hash = hex(&Sha256::digest(name.as_bytes()));
    let contexts = config_dir.join("contexts");
    (
        contexts.join("meta").join(&hash),
        contexts.join("tls").join(&hash).join("docker"),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(dir: &Path) -> TargetInputs {
        TargetInputs {
            docker_config_dir: dir.to_path_buf(),
            ..TargetInputs::default()
        }
    }

    fn write_context(dir: &Path, name: &str, host: &str) {
        let hash = hex(&Sha256::digest(name.as_bytes()));
        let meta = dir.join("contexts/meta").join(hash);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            format!(r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#),
        )
        .unwrap();
    }

    #[test]
    fn default_socket_when_nothing_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let target = resolve(&inputs(dir.path())).unwrap();
        assert_eq!(target.host, DEFAULT_HOST);
        assert_eq!(target.source, TargetSource::Default);
    }

    #[test]
    fn precedence_follows_the_docker_cli() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "remote", "tcp://10.0.0.1:2375");
        write_context(dir.path(), "other", "unix:///other.sock");
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext":"other","auths":{}}"#,
        )
        .unwrap();

        let mut all = inputs(dir.path());
        assert_eq!(resolve(&all).unwrap().host, "unix:///other.sock");
        all.config_host = Some("unix:///config.sock".into());
        assert_eq!(resolve(&all).unwrap().host, "unix:///config.sock");
        all.docker_context = Some("remote".into());
        assert_eq!(resolve(&all).unwrap().host, "tcp://10.0.0.1:2375");
        all.docker_host = Some("unix:///env.sock".into());
        assert_eq!(resolve(&all).unwrap().source, TargetSource::DockerHostEnv);
        all.host_flag = Some("/flag.sock".into());
        let target = resolve(&all).unwrap();
        assert_eq!(target.host, "unix:///flag.sock");
        assert_eq!(target.source, TargetSource::HostFlag);
        all.context_flag = Some("remote".into());
        assert_eq!(resolve(&all).unwrap().host, "tcp://10.0.0.1:2375");
    }

    #[test]
    fn missing_context_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut i = inputs(dir.path());
        i.context_flag = Some("nope".into());
        let err = resolve(&i).unwrap_err();
        assert!(err.0.contains("\"nope\" not found"), "{err}");
    }

    #[test]
    fn context_tls_files_are_found() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "secure", "tcp://engine.example:2376");
        let hash = hex(&Sha256::digest(b"secure"));
        let tls = dir.path().join("contexts/tls").join(hash).join("docker");
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(tls.join("ca.pem"), "x").unwrap();
        let mut i = inputs(dir.path());
        i.docker_context = Some("secure".into());
        let target = resolve(&i).unwrap();
        assert_eq!(target.tls.unwrap().ca, tls.join("ca.pem"));
    }

    #[test]
    fn tls_verify_uses_cert_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut i = inputs(dir.path());
        i.docker_host = Some("tcp://127.0.0.1:2376".into());
        i.docker_tls_verify = true;
        i.docker_cert_path = Some(PathBuf::from("/certs"));
        let target = resolve(&i).unwrap();
        assert_eq!(target.tls.unwrap().key, PathBuf::from("/certs/key.pem"));
    }

    #[test]
    fn broken_config_json_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), "{not json").unwrap();
        let err = resolve(&inputs(dir.path())).unwrap_err();
        assert!(err.0.contains("config.json"), "{err}");
    }
}
