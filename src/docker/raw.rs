//! Plain HTTP requests to the engine for the two calls bollard does not serve well:
//! `POST /auth` (no method exists) and image push (its typed stream drops the layer IDs
//! and the final digest). Unix sockets and plain TCP; a TLS engine answers
//! `Unsupported` and callers fall back.

use std::path::PathBuf;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http_body_util::{BodyStream, Full};
use hyper::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde::Deserialize;

use super::error::{EngineError, EngineErrorKind};

/// Where raw requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawTarget {
    Unix(PathBuf),
    Tcp(String),
    /// TLS engines are only reached through bollard.
    Unsupported,
}

impl RawTarget {
    pub(crate) fn from_host(host: &str, tls: bool) -> Self {
        if let Some(path) = host.strip_prefix("unix://") {
            RawTarget::Unix(PathBuf::from(path))
        } else if tls {
            RawTarget::Unsupported
        } else if let Some(address) = host
            .strip_prefix("tcp://")
            .or_else(|| host.strip_prefix("http://"))
        {
            RawTarget::Tcp(address.trim_end_matches('/').to_string())
        } else {
            RawTarget::Unsupported
        }
    }
}

/// One line of the engine's JSON progress stream (pull, push, import).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ProgressLine {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, rename = "progressDetail")]
    pub progress_detail: Option<ProgressDetail>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default, rename = "errorDetail")]
    pub error_detail: Option<ErrorDetail>,
    /// Push ends with `{"aux": {"Tag", "Digest", "Size"}}`.
    #[serde(default)]
    pub aux: Option<PushResult>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ProgressDetail {
    #[serde(default)]
    pub current: Option<u64>,
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: Option<String>,
}

/// The digest a push produced.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct PushResult {
    #[serde(default, rename = "Tag")]
    pub tag: Option<String>,
    #[serde(default, rename = "Digest")]
    pub digest: Option<String>,
    #[serde(default, rename = "Size")]
    pub size: Option<u64>,
}

impl ProgressLine {
    /// The error this line reports, if any.
    pub fn failure(&self) -> Option<String> {
        self.error_detail
            .as_ref()
            .and_then(|d| d.message.clone())
            .or_else(|| self.error.clone())
    }
}

/// Longest line accepted from a progress stream; protects memory from a broken engine.
const MAX_LINE: usize = 1 << 20;

/// Splits a byte stream into JSON lines and parses each; junk lines are skipped.
pub(crate) fn progress_lines(
    body: impl Stream<Item = Result<Bytes, EngineError>> + Send + 'static,
) -> impl Stream<Item = Result<ProgressLine, EngineError>> + Send + 'static {
    let mut buffer: Vec<u8> = Vec::new();
    body.flat_map(move |chunk| {
        let mut lines = Vec::new();
        match chunk {
            Ok(bytes) => {
                buffer.extend_from_slice(&bytes);
                while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buffer.drain(..=end).collect();
                    if let Ok(parsed) = serde_json::from_slice::<ProgressLine>(&line) {
                        lines.push(Ok(parsed));
                    }
                }
                if buffer.len() > MAX_LINE {
                    buffer.clear();
                    lines.push(Err(EngineError::new(
                        EngineErrorKind::Other,
                        "the engine sent a progress line longer than 1 MiB",
                    )));
                }
            }
            Err(e) => lines.push(Err(e)),
        }
        futures::stream::iter(lines)
    })
}

/// One raw request: where it goes, and the API version its path carries.
pub(crate) struct RawRequest<'a> {
    pub(crate) target: &'a RawTarget,
    /// The engine address, for messages.
    pub(crate) host: &'a str,
    pub(crate) version: bollard::ClientVersion,
    /// Seconds the answer's headers may take.
    pub(crate) timeout_secs: u64,
}

impl RawRequest<'_> {
    /// Sends one request and returns the status and the body as a stream.
    pub(crate) async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<
        (
            u16,
            impl Stream<Item = Result<Bytes, EngineError>> + Send + 'static,
        ),
        EngineError,
    > {
        let version = &self.version;
        let uri = format!(
            "/v{}.{}{path_and_query}",
            version.major_version, version.minor_version
        );
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header("Host", "docker");
        for (name, value) in headers {
            builder = builder.header(*name, value.as_str());
        }
        let has_body = body.is_some();
        if has_body {
            builder = builder.header("Content-Type", "application/json");
        }
        let request = builder
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| EngineError::new(EngineErrorKind::Other, e.to_string()))?;
        let host = self.host.to_string();
        let exchange = async {
            match self.target {
                RawTarget::Unix(path) => {
                    let stream = tokio::net::UnixStream::connect(path)
                        .await
                        .map_err(|e| EngineError::from_io(&e, &host))?;
                    send(stream, request, &host).await
                }
                RawTarget::Tcp(address) => {
                    let stream = tokio::net::TcpStream::connect(address)
                        .await
                        .map_err(|e| EngineError::from_io(&e, &host))?;
                    send(stream, request, &host).await
                }
                RawTarget::Unsupported => Err(EngineError::new(
                    EngineErrorKind::Other,
                    format!("wharf cannot send this request to {host} (TLS engine)"),
                )),
            }
        };
        // Like bollard's requests: the answer's headers must come within the timeout.
        let limit = std::time::Duration::from_secs(self.timeout_secs);
        let response = tokio::time::timeout(limit, exchange).await.map_err(|_| {
            EngineError::new(
                EngineErrorKind::Unreachable,
                format!("the Docker engine at {host} did not answer in time"),
            )
        })??;
        let status = response.status().as_u16();
        let stream_host = host.clone();
        let body = BodyStream::new(response.into_body()).filter_map(move |frame| {
            let item = match frame {
                Ok(frame) => frame.into_data().ok().map(Ok),
                Err(e) => Some(Err(EngineError::new(
                    EngineErrorKind::Unreachable,
                    format!("the connection to {stream_host} broke: {e}"),
                ))),
            };
            std::future::ready(item)
        });
        Ok((status, body))
    }
}

/// The connection after the engine switched protocols (exec and attach): raw bytes both ways.
pub(crate) type Hijacked = TokioIo<hyper::upgrade::Upgraded>;

impl RawRequest<'_> {
    /// Sends a `POST` that asks the engine to hijack the connection (`Upgrade: tcp`), as
    /// exec start and attach do, and returns the connection once it has switched.
    pub(crate) async fn upgrade(
        &self,
        path_and_query: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Hijacked, EngineError> {
        let version = &self.version;
        let uri = format!(
            "/v{}.{}{path_and_query}",
            version.major_version, version.minor_version
        );
        let request = Request::builder()
            .method("POST")
            .uri(uri)
            .header("Host", "docker")
            .header("Connection", "Upgrade")
            .header("Upgrade", "tcp")
            .header("Content-Type", "application/json")
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| EngineError::new(EngineErrorKind::Other, e.to_string()))?;
        let host = self.host.to_string();
        let exchange = async {
            match self.target {
                RawTarget::Unix(path) => {
                    let stream = tokio::net::UnixStream::connect(path)
                        .await
                        .map_err(|e| EngineError::from_io(&e, &host))?;
                    send_upgradable(stream, request, &host).await
                }
                RawTarget::Tcp(address) => {
                    let stream = tokio::net::TcpStream::connect(address)
                        .await
                        .map_err(|e| EngineError::from_io(&e, &host))?;
                    send_upgradable(stream, request, &host).await
                }
                RawTarget::Unsupported => Err(EngineError::new(
                    EngineErrorKind::Other,
                    format!("wharf cannot send this request to {host} (TLS engine)"),
                )),
            }
        };
        let limit = std::time::Duration::from_secs(self.timeout_secs);
        let response = tokio::time::timeout(limit, exchange).await.map_err(|_| {
            EngineError::new(
                EngineErrorKind::Unreachable,
                format!("the Docker engine at {host} did not answer in time"),
            )
        })??;
        let status = response.status().as_u16();
        if status != 101 {
            let body = BodyStream::new(response.into_body()).filter_map(|frame| {
                std::future::ready(frame.ok().and_then(|f| f.into_data().ok()).map(Ok))
            });
            let body = read_body(body, 64 * 1024).await.unwrap_or_default();
            let message = error_message(&body);
            let message = if message.is_empty() {
                format!("the engine answered {status} instead of switching protocols")
            } else {
                message
            };
            return Err(EngineError::answered(Some(status), message));
        }
        let upgraded = hyper::upgrade::on(response).await.map_err(|e| {
            EngineError::new(
                EngineErrorKind::Unreachable,
                format!("the connection to {host} could not be taken over: {e}"),
            )
        })?;
        Ok(TokioIo::new(upgraded))
    }
}

async fn send_upgradable<S>(
    stream: S,
    request: Request<Full<Bytes>>,
    host: &str,
) -> Result<hyper::Response<Incoming>, EngineError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let broken = |e: hyper::Error| {
        EngineError::new(
            EngineErrorKind::Unreachable,
            format!("cannot talk to the Docker engine at {host}: {e}"),
        )
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(broken)?;
    tokio::spawn(connection.with_upgrades());
    sender.send_request(request).await.map_err(broken)
}

async fn send<S>(
    stream: S,
    request: Request<Full<Bytes>>,
    host: &str,
) -> Result<hyper::Response<Incoming>, EngineError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let broken = |e: hyper::Error| {
        EngineError::new(
            EngineErrorKind::Unreachable,
            format!("cannot talk to the Docker engine at {host}: {e}"),
        )
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(broken)?;
    tokio::spawn(connection);
    sender.send_request(request).await.map_err(broken)
}

/// Reads a whole (small) body: for error messages and `/auth` answers.
pub(crate) async fn read_body(
    body: impl Stream<Item = Result<Bytes, EngineError>> + Send,
    limit: usize,
) -> Result<Vec<u8>, EngineError> {
    let mut body = Box::pin(body);
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        if out.len() + chunk.len() > limit {
            return Err(EngineError::new(
                EngineErrorKind::Other,
                "the engine's answer was unexpectedly large",
            ));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The `message` of an engine error body, or the body itself.
pub(crate) fn error_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Message {
        message: String,
    }
    match serde_json::from_slice::<Message>(body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(body).trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn splits_lines_across_chunks_and_skips_junk() {
        let chunks = vec![
            Ok(Bytes::from_static(b"{\"status\":\"Preparing\",\"id\":\"ab")),
            Ok(Bytes::from_static(
                b"c\"}\nnot json\n{\"aux\":{\"Tag\":\"1\",\"Digest\":\"sha256:x\",\"Size\":5}}\n",
            )),
            Ok(Bytes::from_static(
                b"{\"errorDetail\":{\"message\":\"denied\"},\"error\":\"denied\"}\n",
            )),
        ];
        let lines: Vec<ProgressLine> = progress_lines(futures::stream::iter(chunks))
            .map(|r| r.unwrap())
            .collect()
            .await;
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].id.as_deref(), Some("abc"));
        assert_eq!(
            lines[1].aux.as_ref().unwrap().digest.as_deref(),
            Some("sha256:x")
        );
        assert_eq!(lines[2].failure().as_deref(), Some("denied"));
    }

    #[test]
    fn raw_targets() {
        assert_eq!(
            RawTarget::from_host("unix:///var/run/docker.sock", false),
            RawTarget::Unix(PathBuf::from("/var/run/docker.sock"))
        );
        assert_eq!(
            RawTarget::from_host("tcp://127.0.0.1:2375", false),
            RawTarget::Tcp("127.0.0.1:2375".into())
        );
        assert_eq!(
            RawTarget::from_host("tcp://127.0.0.1:2376", true),
            RawTarget::Unsupported
        );
    }

    #[test]
    fn error_bodies_read_well() {
        assert_eq!(
            error_message(br#"{"message":"no such image"}"#),
            "no such image"
        );
        assert_eq!(error_message(b" plain \n"), "plain");
    }
}
