//! The connection to the Docker engine.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use bollard::{ClientVersion, Docker};

use super::error::EngineError;
use super::raw::RawRequest;
use super::registry_auth::fix_registry_auth_header;
use super::target::EngineTarget;
use super::transport::{ConnectOptions, Transport};
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
    /// The way to the engine, shared by bollard and the raw requests.
    pub(crate) transport: Transport,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine").field("host", &self.host).finish()
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
    /// A handle for the target with default connection options; nothing is sent yet.
    /// An address wharf cannot use, or unreadable TLS files, fail here.
    pub fn open(target: &EngineTarget) -> Result<Engine, EngineError> {
        Engine::open_with(target, &ConnectOptions::default())
    }

    /// Like [`Engine::open`], with options for how engines are reached (the ssh program).
    pub fn open_with(
        target: &EngineTarget,
        options: &ConnectOptions,
    ) -> Result<Engine, EngineError> {
        let host = target.host.clone();
        let transport = Transport::open(target, options)?;
        let docker = transport
            .bollard(REQUEST_TIMEOUT_SECS, &PREFERRED_API)
            .map_err(|e| EngineError::from_bollard(e, &host))?
            .with_request_modifier(fix_registry_auth_header);
        Ok(Engine {
            docker,
            host,
            transport,
        })
    }

    /// Resolves when the lasting connection to a remote engine is lost (the ssh master
    /// connection closed), with the reason; never for engines without one. Requests made
    /// after that log in again. The event stream ends with the same failure.
    pub async fn connection_lost(&self) -> EngineError {
        EngineError::from_link_failure(self.transport.lost().await, &self.host)
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

    /// A request of the identification, given [`IDENTIFY_TIMEOUT`] (plus the time an ssh
    /// login may take): an address that accepts connections and never answers is reported
    /// in seconds, not after the long budget that pulls and commits need.
    async fn first_answer<T>(
        &self,
        request: impl Future<Output = Result<T, bollard::errors::Error>>,
    ) -> Result<Result<T, bollard::errors::Error>, EngineError> {
        let budget = IDENTIFY_TIMEOUT + self.transport.setup_allowance();
        tokio::time::timeout(budget, request).await.map_err(|_| {
            EngineError::unreachable(
                &self.host,
                format!("no answer within {} s", budget.as_secs()),
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
        EngineError::unreachable(
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

    /// A request bollard does not serve well, sent over the same connection settings.
    pub(crate) fn raw(&self) -> RawRequest<'_> {
        RawRequest {
            transport: &self.transport,
            host: &self.host,
            version: self.docker.client_version(),
            timeout_secs: REQUEST_TIMEOUT_SECS,
        }
    }

    pub(crate) fn error(&self, err: bollard::errors::Error) -> EngineError {
        let error = EngineError::from_bollard(err, &self.host);
        // bollard's streams keep only the text of a transport failure; when the ssh
        // connection is known to be gone, its reason is the better one.
        match self.transport.link_failure() {
            Some(failure) if error.kind == super::error::EngineErrorKind::Unreachable => {
                EngineError::from_link_failure(failure, &self.host)
            }
            _ => error,
        }
    }
}
