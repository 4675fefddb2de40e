//! Engine failures as users should read them: what happened, where, and what to try.

use std::fmt;
use std::io;

use super::transport::link::{LinkFailure, find_link_failure};

/// What to try when the engine's socket is missing.
pub(crate) const NO_DAEMON_HINT: &str = "Is the Docker daemon running? Start it, or point wharf at another engine with --host or DOCKER_HOST.";

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

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Turns a bollard error into a message that names the host and suggests a fix.
    pub(crate) fn from_bollard(err: bollard::errors::Error, host: &str) -> Self {
        use bollard::errors::Error as B;
        if let Some(failure) = find_link_failure(&err) {
            return EngineError::from_link_failure(failure.clone(), host);
        }
        match err {
            B::DockerResponseServerError {
                status_code,
                message,
            } => EngineError::answered(Some(status_code), first_line_upper(&message)),
            B::DockerStreamError { error } => EngineError::answered(None, error),
            B::SocketNotFoundError(path) => unreachable(
                host,
                format!("the socket {path} does not exist"),
                NO_DAEMON_HINT,
            ),
            B::RequestTimeoutError => unreachable(
                host,
                "the engine did not answer in time".to_string(),
                "The engine may be overloaded or hung; wharf keeps trying.",
            ),
            B::UnsupportedURISchemeError { uri } => unreachable(
                host,
                format!("wharf cannot connect to {uri}"),
                "Use unix://, tcp:// or ssh:// addresses.",
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

impl EngineError {
    /// A connection failure (ssh's reason, a TLS refusal) as the engine being unreachable.
    pub(crate) fn from_link_failure(failure: LinkFailure, host: &str) -> EngineError {
        EngineError::unreachable(host, failure.why, &failure.hint)
    }

    /// The engine at `host` cannot be reached: why, and what to try.
    pub(crate) fn unreachable(host: &str, why: String, hint: &str) -> EngineError {
        unreachable(host, why, hint)
    }
}

fn unreachable(host: &str, why: String, hint: &str) -> EngineError {
    EngineError::new(
        EngineErrorKind::Unreachable,
        format!("cannot reach the Docker engine at {host}: {why}"),
    )
    .with_hint(hint)
}

impl EngineError {
    /// A failure below HTTP (hyper's, the connector's): wharf's own explanation when the
    /// connector left one (ssh's reason, a TLS refusal), else by the I/O error inside.
    pub(crate) fn from_transport(
        err: &(dyn std::error::Error + 'static),
        host: &str,
    ) -> EngineError {
        if let Some(failure) = find_link_failure(err) {
            return EngineError::from_link_failure(failure.clone(), host);
        }
        match find_io_error(err) {
            Some(io_err) => from_io(io_err, host),
            None => unreachable(
                host,
                format!("the connection failed: {err}"),
                "wharf keeps trying.",
            ),
        }
    }
}

fn from_io(err: &io::Error, host: &str) -> EngineError {
    if let Some(failure) = find_link_failure(err) {
        return EngineError::from_link_failure(failure.clone(), host);
    }
    match err.kind() {
        io::ErrorKind::PermissionDenied => unreachable(
            host,
            "permission denied".to_string(),
            "Add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or run wharf with sudo.",
        ),
        io::ErrorKind::NotFound => unreachable(
            host,
            "the socket does not exist".to_string(),
            NO_DAEMON_HINT,
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
