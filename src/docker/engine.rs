//! The connection to the Docker engine and the errors it gives, phrased for users.

use std::fmt;
use std::future::Future;
use std::io;
use std::time::Duration;

use bollard::{ClientVersion, Docker};

use super::raw::RawTarget;
use super::registry_auth::fix_registry_auth_header;
use super::target::EngineTarget;
use super::types::EngineInfo;

/// Seconds before a request without response headers is given up. Long uploads (import)
/// get their own, larger budget.
pub(crate) const REQUEST_TIMEOUT_SECS: u64 = 120;

/// How long the engine may take to say who it is. Engines answer `/version` at once.
const IDENTIFY_TIMEOUT: Duration = Duration::from_secs(10);

/// A handle on the engine; cheap to clone into tasks.
#[derive(Clone)]
pub struct Engine {
    pub(crate) docker: Docker,
    pub(crate) host: String,
    pub(crate) raw_target: RawTarget,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine").field("host", &self.host).finish()
    }
}

/// What kind of failure, so the state can react (reconnect, drop a row, show a message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineErrorKind {
    /// The engine cannot be reached at all.
    Unreachable,
    /// The object does not exist (any more).
    NotFound,
    /// The engine refused because of a conflict (an image in use, a name taken).
    Conflict,
    /// A registry refused the credentials (or wanted some).
    Unauthorized,
    /// Anything else the engine or the transport said.
    Other,
}

/// An engine failure as a user should read it: what happened and, when known, what to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    pub kind: EngineErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl EngineError {
    pub fn new(kind: EngineErrorKind, message: impl Into<String>) -> Self {
        EngineError {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// An error the engine answered with, by HTTP status (when there is one) and message;
    /// the one place that decides what kind it is.
    pub fn answered(status: Option<u16>, message: impl Into<String>) -> Self {
        let message = message.into();
        let kind = match status {
            Some(401) => EngineErrorKind::Unauthorized,
            Some(404) => EngineErrorKind::NotFound,
            Some(409) => EngineErrorKind::Conflict,
            _ if mentions_auth_failure(&message) => EngineErrorKind::Unauthorized,
            _ => EngineErrorKind::Other,
        };
        EngineError::new(kind, message)
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Turns a bollard error into a message that names the host and suggests a fix.
    pub(crate) fn from_bollard(err: bollard::errors::Error, host: &str) -> Self {
        use bollard::errors::Error as B;
        match err {
            B::DockerResponseServerError {
                status_code,
                message,
            } => EngineError::answered(Some(status_code), first_line_upper(&message)),
            B::DockerStreamError { error } => EngineError::answered(None, error),
            B::SocketNotFoundError(path) => unreachable(
                host,
                format!("the socket {path} does not exist"),
                "Is the Docker daemon running? Start it, or point wharf at another engine with --host or DOCKER_HOST.",
            ),
            B::RequestTimeoutError => unreachable(
                host,
                "the engine did not answer in time".to_string(),
                "The engine may be overloaded or hung; wharf keeps trying.",
            ),
            B::UnsupportedURISchemeError { uri } => unreachable(
                host,
                format!("wharf cannot connect to {uri}"),
                "Use a unix:// socket or a tcp:// address; for ssh:// forward the socket with `ssh -L /tmp/docker.sock:/var/run/docker.sock HOST`.",
            ),
            B::CertPathError { path } => unreachable(
                host,
                format!("cannot read the TLS certificate {}", path.display()),
                "Check DOCKER_CERT_PATH or the context's TLS files.",
            ),
            B::IOError { err } => from_io(&err, host),
            other => match find_io_error(&other) {
                Some(io_err) => from_io(io_err, host),
                None => EngineError::new(EngineErrorKind::Other, other.to_string()),
            },
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " — {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for EngineError {}

/// Registries' words for "log in first" as the engine passes them on.
fn mentions_auth_failure(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "unauthorized",
        "authentication required",
        "no basic auth credentials",
        "access denied",
        "denied: requested access",
    ]
    .iter()
    .any(|w| m.contains(w))
}

fn unreachable(host: &str, why: String, hint: &str) -> EngineError {
    EngineError::new(
        EngineErrorKind::Unreachable,
        format!("cannot reach the Docker engine at {host}: {why}"),
    )
    .with_hint(hint)
}

impl EngineError {
    /// A transport failure, phrased for the host it happened with.
    pub(crate) fn from_io(err: &io::Error, host: &str) -> EngineError {
        from_io(err, host)
    }
}

fn from_io(err: &io::Error, host: &str) -> EngineError {
    match err.kind() {
        io::ErrorKind::PermissionDenied => unreachable(
            host,
            "permission denied".to_string(),
            "Add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or run wharf with sudo.",
        ),
        io::ErrorKind::NotFound => unreachable(
            host,
            "the socket does not exist".to_string(),
            "Is the Docker daemon running? Start it, or point wharf at another engine with --host or DOCKER_HOST.",
        ),
        io::ErrorKind::ConnectionRefused => unreachable(
            host,
            "connection refused".to_string(),
            "Is the Docker daemon running and listening there?",
        ),
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => unreachable(
            host,
            "the connection was closed".to_string(),
            "The engine may have stopped; wharf keeps trying.",
        ),
        io::ErrorKind::TimedOut => unreachable(
            host,
            "the connection timed out".to_string(),
            "Check the address and the network.",
        ),
        _ => unreachable(host, err.to_string(), "wharf keeps trying."),
    }
}

/// The first `io::Error` in an error's source chain, if any.
fn find_io_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a io::Error> {
    let mut current: Option<&'a (dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io_err) = e.downcast_ref::<io::Error>() {
            return Some(io_err);
        }
        current = e.source();
    }
    None
}

/// Engine messages come lowercase and sometimes multi-line; show the first line, capitalised.
fn first_line_upper(message: &str) -> String {
    let line = message.lines().next().unwrap_or("").trim();
    let mut chars = line.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "the engine gave an error without a message".to_string(),
    }
}

/// The API version wharf speaks first: Docker 20.10's. Engines that are older answer
/// "too new" and are negotiated down; newer ones accept it, which saves a round trip.
const PREFERRED_API: ClientVersion = ClientVersion {
    major_version: 1,
    minor_version: 41,
};

/// Whether the engine refused the API version as too new.
fn version_too_new(err: &bollard::errors::Error) -> bool {
    matches!(err, bollard::errors::Error::DockerResponseServerError { status_code: 400, message }
        if message.contains("too new"))
}

impl Engine {
    /// A handle for the target; nothing is sent yet (a missing socket fails here).
    pub fn open(target: &EngineTarget) -> Result<Engine, EngineError> {
        let host = target.host.clone();
        let docker = build_client(target)
            .map_err(|e| EngineError::from_bollard(e, &host))?
            .with_request_modifier(fix_registry_auth_header);
        let raw_target = RawTarget::from_host(&host, target.tls.is_some());
        Ok(Engine {
            docker,
            host,
            raw_target,
        })
    }

    /// Asks the engine who it is, settling the API version on the way. `Ok(true)` when the
    /// version had to be negotiated down (requests sent before used a version it refuses).
    pub async fn identify(&self) -> Result<(EngineInfo, bool), EngineError> {
        let (version, negotiated) = match self.first_answer(self.docker.version()).await? {
            Ok(version) => (version, false),
            Err(e) if version_too_new(&e) => {
                // Clones share the negotiated version, so negotiating once is enough.
                let docker = self
                    .first_answer(self.docker.clone().negotiate_version())
                    .await?
                    .map_err(|e| self.identify_error(e))?;
                let version = self.first_answer(docker.version()).await?;
                (version.map_err(|e| self.identify_error(e))?, true)
            }
            Err(e) => return Err(self.identify_error(e)),
        };
        let info = EngineInfo {
            host: self.host.clone(),
            version: version.version.unwrap_or_else(|| "?".into()),
            api_version: version.api_version.unwrap_or_else(|| "?".into()),
            os: version.os.unwrap_or_default(),
            arch: version.arch.unwrap_or_default(),
        };
        Ok((info, negotiated))
    }

    /// A request of the identification, given [`IDENTIFY_TIMEOUT`]: an address that accepts
    /// connections and never answers is reported in seconds, not after the long budget
    /// that pulls and commits need.
    async fn first_answer<T>(
        &self,
        request: impl Future<Output = Result<T, bollard::errors::Error>>,
    ) -> Result<Result<T, bollard::errors::Error>, EngineError> {
        tokio::time::timeout(IDENTIFY_TIMEOUT, request)
            .await
            .map_err(|_| {
                unreachable(
                    &self.host,
                    format!("no answer within {} s", IDENTIFY_TIMEOUT.as_secs()),
                    "Is a Docker engine listening there, and not hung? wharf keeps trying.",
                )
            })
    }

    /// An identification failure: something that answers, but not like a Docker engine
    /// (a web server's HTML page, a 404), is said so rather than shown as its raw body.
    fn identify_error(&self, err: bollard::errors::Error) -> EngineError {
        use bollard::errors::Error as B;
        let what = match &err {
            B::DockerResponseServerError {
                status_code,
                message,
            } if *status_code == 404 || message.trim_start().starts_with('<') => {
                format!("HTTP {status_code}")
            }
            B::JsonDataError { .. } | B::JsonSerdeError { .. } => "not the engine's JSON".into(),
            _ => return self.error(err),
        };
        unreachable(
            &self.host,
            format!("it answered, but not as a Docker engine ({what})"),
            "Check the address: --host, DOCKER_HOST or the Docker context.",
        )
    }

    /// Opens and identifies in one go.
    pub async fn connect(target: &EngineTarget) -> Result<(Engine, EngineInfo), EngineError> {
        let engine = Engine::open(target)?;
        let (info, _) = engine.identify().await?;
        Ok((engine, info))
    }

    /// The address this engine was reached at.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub(crate) fn error(&self, err: bollard::errors::Error) -> EngineError {
        EngineError::from_bollard(err, &self.host)
    }
}

fn build_client(target: &EngineTarget) -> Result<Docker, bollard::errors::Error> {
    let host = target.host.as_str();
    if let Some(path) = host.strip_prefix("unix://") {
        return Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, &PREFERRED_API);
    }
    if let Some(tls) = &target.tls {
        let address = host.replacen("tcp://", "https://", 1);
        return Docker::connect_with_ssl(
            &address,
            &tls.key,
            &tls.cert,
            &tls.ca,
            REQUEST_TIMEOUT_SECS,
            &PREFERRED_API,
        );
    }
    if host.starts_with("tcp://") || host.starts_with("http://") {
        return Docker::connect_with_http(host, REQUEST_TIMEOUT_SECS, &PREFERRED_API);
    }
    Err(bollard::errors::Error::UnsupportedURISchemeError {
        uri: host.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_keep_their_kind_and_read_well() {
        let err = EngineError::from_bollard(
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404,
                message: "no such image: x\nmore".into(),
            },
            "unix:///s",
        );
        assert_eq!(err.kind, EngineErrorKind::NotFound);
        assert_eq!(err.message, "No such image: x");
    }

    #[test]
    fn missing_socket_names_host_and_hint() {
        let err = EngineError::from_bollard(
            bollard::errors::Error::SocketNotFoundError("/nope.sock".into()),
            "unix:///nope.sock",
        );
        assert_eq!(err.kind, EngineErrorKind::Unreachable);
        assert!(err.message.contains("unix:///nope.sock"));
        assert!(err.hint.as_deref().unwrap_or("").contains("--host"));
    }

    #[test]
    fn io_errors_are_found_in_the_chain() {
        let err = EngineError::from_bollard(
            bollard::errors::Error::IOError {
                err: io::Error::from(io::ErrorKind::PermissionDenied),
            },
            "unix:///var/run/docker.sock",
        );
        assert!(err.message.contains("permission denied"), "{}", err.message);
        assert!(err.hint.unwrap().contains("docker group"));
    }
}
