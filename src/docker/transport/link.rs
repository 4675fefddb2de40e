//! What every kind of connection shares: opening a tcp connection for a slow or lossy
//! link, and [`LinkFailure`], a connection failure in wharf's words that travels inside an
//! `io::Error` through hyper and bollard.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

/// TCP keep-alive: a quiet connection (an event stream) is probed after this long idle…
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
/// …every this long, and given up after three unanswered probes (a cut network shows in
/// about a minute instead of never).
#[cfg(any(target_os = "linux", target_os = "macos"))]
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);

/// Connects to a tcp engine (plain or under TLS) for requests over a slow or lossy link.
pub(crate) async fn connect_tcp(host: &str, port: u16) -> io::Result<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect((host, port)).await?;
    // Requests are small writes; each must leave at once, not wait for the last ACK.
    tcp.set_nodelay(true)?;
    let keepalive = socket2::TcpKeepalive::new().with_time(KEEPALIVE_IDLE);
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    let keepalive = keepalive.with_interval(KEEPALIVE_INTERVAL).with_retries(3);
    socket2::SockRef::from(&tcp).set_tcp_keepalive(&keepalive)?;
    Ok(tcp)
}

/// A connection failure in wharf's words (ssh's reason, a TLS refusal explained), carried
/// inside an `io::Error` through hyper and bollard to `EngineError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkFailure {
    /// What happened, quoting the other side's reason.
    pub(crate) why: String,
    /// What to try.
    pub(crate) hint: String,
}

impl LinkFailure {
    pub(crate) fn new(why: impl Into<String>, hint: impl Into<String>) -> Self {
        LinkFailure {
            why: why.into(),
            hint: hint.into(),
        }
    }

    pub(crate) fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::ConnectionAborted, self)
    }
}

impl fmt::Display for LinkFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.why)
    }
}

impl StdError for LinkFailure {}

/// The [`LinkFailure`] somewhere in an error's causes. `io::Error::source` skips the error
/// an `io::Error` wraps, so that one is looked at through `get_ref`.
pub(crate) fn find_link_failure<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a LinkFailure> {
    let mut current = Some(err);
    let mut depth = 0;
    while let Some(e) = current {
        if let Some(failure) = e.downcast_ref::<LinkFailure>() {
            return Some(failure);
        }
        depth += 1;
        if depth > 16 {
            return None;
        }
        current = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_failures_are_found_through_io_errors_and_sources() {
        #[derive(Debug)]
        struct Outer(io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("outer")
            }
        }
        impl StdError for Outer {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        let failure = LinkFailure::new("ssh said no", "try again");
        let outer = Outer(failure.clone().into_io());
        assert_eq!(find_link_failure(&outer), Some(&failure));
        let plain = Outer(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(find_link_failure(&plain), None);
    }
}
