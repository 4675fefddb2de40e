//! How wharf reaches the engine. One `Connector` opens a byte stream to the engine for
//! every kind of address — a unix socket, plain tcp, TLS over tcp, `docker system
//! dial-stdio` over ssh — and one pooling hyper client sends requests over those streams.
//! bollard runs on that client as its custom transport and the raw requests
//! ([`super::raw`]) use it directly, so a typed request and a raw one (push, `/auth`,
//! events) take the same way to every engine.

mod address;
pub(crate) mod link;
mod ssh;
mod stream;
mod tls;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use http_body_util::{Either, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio_util::sync::{CancellationToken, DropGuard};

pub use address::{EngineAddress, SshAddress};
pub use ssh::SshOptions;

use self::link::{LinkFailure, connect_tcp};

use self::ssh::SshLink;
use self::stream::EngineStream;
use self::tls::TlsRoute;
use super::error::EngineError;
use super::target::EngineTarget;

/// How wharf reaches engines; set from wharf's config (defaults otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// The `ssh` program and its options, for `ssh://` engines.
    pub ssh: SshOptions,
}

/// A request body: the type bollard's requests carry, so raw requests share its client.
pub(crate) type Body = Either<
    Full<Bytes>,
    StreamBody<Pin<Box<dyn Stream<Item = Result<Frame<Bytes>, io::Error>> + Send>>>,
>;

/// The host part of every request URI. The connector decides where a request goes, so
/// this only fills the `Host` header (the engine ignores it).
pub(crate) const REQUEST_AUTHORITY: &str = "http://docker";

/// Idle pooled connections are closed after this: over ssh each holds a session.
const POOL_IDLE: Duration = Duration::from_secs(30);

/// The client every request to one engine goes through; cheap to clone.
#[derive(Clone)]
pub(crate) struct Transport {
    clients: Arc<Clients>,
    connector: Connector,
    /// Cancels the connector's waits when the last handle goes: a connection hyper opens
    /// in the background may wait for an ssh session that only the pool's idle
    /// connections (kept alive by that very wait) could free.
    _closing: Arc<DropGuard>,
}

impl Transport {
    /// Prepares the way to `target`: reads TLS files, makes the ssh control directory.
    /// Nothing is sent; the first request connects (and logs in over ssh).
    pub(crate) fn open(
        target: &EngineTarget,
        options: &ConnectOptions,
    ) -> Result<Transport, EngineError> {
        let host = target.host.as_str();
        let address = EngineAddress::parse(host).map_err(|why| {
            EngineError::unreachable(
                host,
                why,
                "Use unix://, tcp:// (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for TLS) or ssh://user@host.",
            )
        })?;
        let route = match address {
            EngineAddress::Unix(path) => Route::Unix(path),
            EngineAddress::Tcp { host: name, port } => {
                let tls = target.tls.is_some() || host.starts_with("https://");
                let port = port.unwrap_or(if tls { 2376 } else { 2375 });
                match &target.tls {
                    Some(files) => Route::Tls(Box::new(
                        TlsRoute::new(&name, port, files)
                            .map_err(|failure| EngineError::from_link_failure(failure, host))?,
                    )),
                    None if tls => {
                        return Err(EngineError::unreachable(
                            host,
                            "an https:// engine needs its CA and client certificate".into(),
                            "Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem.",
                        ));
                    }
                    None => Route::Tcp(name, port),
                }
            }
            EngineAddress::Ssh(address) => Route::Ssh(Arc::new(
                SshLink::new(address, &options.ssh)
                    .map_err(|failure| EngineError::from_link_failure(failure, host))?,
            )),
        };
        let closing = CancellationToken::new();
        let connector = Connector {
            route: Arc::new(route),
            closing: closing.clone(),
        };
        let clients = Arc::new(Clients {
            current: std::sync::Mutex::new((0, build_client(&connector))),
            connector: connector.clone(),
        });
        Ok(Transport {
            clients,
            connector,
            _closing: Arc::new(closing.drop_guard()),
        })
    }

    /// Sends one request; the connection comes from the pool or is opened for it.
    pub(crate) fn request(
        &self,
        request: Request<Body>,
    ) -> impl Future<Output = Result<Response<Incoming>, hyper_util::client::legacy::Error>>
    + Send
    + 'static {
        self.clients.get().request(request)
    }

    /// A bollard client whose requests go through this transport.
    pub(crate) fn bollard(
        &self,
        timeout_secs: u64,
        version: &bollard::ClientVersion,
    ) -> Result<bollard::Docker, bollard::errors::Error> {
        let clients = self.clients.clone();
        bollard::Docker::connect_with_custom_transport(
            move |request: bollard::BollardRequest| {
                let response = clients.get().request(request);
                async move {
                    response
                        .await
                        .map_err(|err| bollard::errors::Error::HyperLegacyError { err })
                }
            },
            Some(REQUEST_AUTHORITY),
            timeout_secs,
            version,
        )
    }

    /// Extra time the first request may take before the engine answers: an ssh login.
    pub(crate) fn setup_allowance(&self) -> Duration {
        match self.connector.route.as_ref() {
            Route::Ssh(link) => link.login_budget(),
            _ => Duration::ZERO,
        }
    }

    /// The failure of the lasting connection (the ssh master), while it is down.
    pub(crate) fn link_failure(&self) -> Option<LinkFailure> {
        match self.connector.route.as_ref() {
            Route::Ssh(link) => link.lost_now(),
            _ => None,
        }
    }

    /// Resolves when the lasting connection under this transport is lost (the ssh master
    /// connection closed); never for transports without one. Requests made after that
    /// connect again (a new ssh login).
    pub(crate) async fn lost(&self) -> LinkFailure {
        match self.connector.route.as_ref() {
            Route::Ssh(link) => link.lost().await,
            _ => std::future::pending().await,
        }
    }
}

/// The pooling client, replaced by a fresh one after the ssh master was lost: the
/// connections pooled before went through it and are dead.
struct Clients {
    connector: Connector,
    /// The losses counted when the client was built, and the client.
    current: std::sync::Mutex<(u64, Client<Connector, Body>)>,
}

impl Clients {
    fn get(&self) -> Client<Connector, Body> {
        let losses = match self.connector.route.as_ref() {
            Route::Ssh(link) => link.losses(),
            _ => 0,
        };
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current.0 != losses {
            *current = (losses, build_client(&self.connector));
        }
        current.1.clone()
    }
}

fn build_client(connector: &Connector) -> Client<Connector, Body> {
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(POOL_IDLE)
        .build(connector.clone())
}

/// Where the connector connects.
enum Route {
    Unix(std::path::PathBuf),
    Tcp(String, u16),
    Tls(Box<TlsRoute>),
    Ssh(Arc<SshLink>),
}

/// Opens one stream to the engine per call; hyper's pool decides when.
#[derive(Clone)]
pub(crate) struct Connector {
    route: Arc<Route>,
    /// Cancelled when the transport is dropped.
    closing: CancellationToken,
}

type Connecting = Pin<Box<dyn Future<Output = Result<TokioIo<EngineStream>, io::Error>> + Send>>;

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<EngineStream>;
    type Error = io::Error;
    type Future = Connecting;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _destination: Uri) -> Self::Future {
        let route = self.route.clone();
        let closing = self.closing.clone();
        Box::pin(async move {
            let stream = match route.as_ref() {
                Route::Unix(path) => EngineStream::Unix(connect_unix(path).await?),
                Route::Tcp(host, port) => EngineStream::Tcp(connect_tcp(host, *port).await?),
                Route::Tls(tls) => EngineStream::Tls(Box::new(tls.connect().await?)),
                Route::Ssh(link) => EngineStream::Ssh(link.connect(&closing).await?),
            };
            Ok(TokioIo::new(stream))
        })
    }
}

/// Connects to the engine's unix socket; a missing socket is named.
async fn connect_unix(path: &std::path::Path) -> io::Result<tokio::net::UnixStream> {
    tokio::net::UnixStream::connect(path).await.map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            LinkFailure::new(
                format!("the socket {} does not exist", path.display()),
                super::error::NO_DAEMON_HINT,
            )
            .into_io()
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_schemes_are_refused_when_opening() {
        let target = EngineTarget {
            host: "gopher://engine".into(),
            source: super::super::target::TargetSource::HostFlag,
            tls: None,
        };
        let Err(err) = Transport::open(&target, &ConnectOptions::default()) else {
            panic!("opened a gopher:// engine");
        };
        assert!(err.message.contains("gopher"), "{}", err.message);
    }
}
