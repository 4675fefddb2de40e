//! Plain HTTP requests to the engine for the calls bollard does not serve well:
//! `POST /auth` (no method exists), image push (its typed stream drops the layer IDs and
//! the final digest) and the event stream (bollard's stream turns transport errors into
//! bare text, losing ssh's reason). They go through the engine's own transport, so they
//! work over every scheme bollard's requests do.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http_body_util::{BodyStream, Either, Full};
use hyper::Request;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::{EngineError, EngineErrorKind};
use super::transport::{REQUEST_AUTHORITY, Transport};

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

/// Splits a byte stream into progress lines; junk lines are skipped.
pub(crate) fn progress_lines(
    body: impl Stream<Item = Result<Bytes, EngineError>> + Send + 'static,
) -> impl Stream<Item = Result<ProgressLine, EngineError>> + Send + 'static {
    json_lines(body)
}

/// Splits a byte stream into JSON lines and parses each as `T`; junk lines are skipped.
pub(crate) fn json_lines<T: DeserializeOwned + Send + 'static>(
    body: impl Stream<Item = Result<Bytes, EngineError>> + Send + 'static,
) -> impl Stream<Item = Result<T, EngineError>> + Send + 'static {
    let mut buffer: Vec<u8> = Vec::new();
    body.flat_map(move |chunk| {
        let mut lines = Vec::new();
        match chunk {
            Ok(bytes) => {
                buffer.extend_from_slice(&bytes);
                while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buffer.drain(..=end).collect();
                    if let Ok(parsed) = serde_json::from_slice::<T>(&line) {
                        lines.push(Ok(parsed));
                    }
                }
                if buffer.len() > MAX_LINE {
                    buffer.clear();
                    lines.push(Err(EngineError::new(
                        EngineErrorKind::Other,
                        "the engine sent a line longer than 1 MiB",
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
    pub(crate) transport: &'a Transport,
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
            impl Stream<Item = Result<Bytes, EngineError>> + Send + 'static + use<>,
        ),
        EngineError,
    > {
        let version = &self.version;
        let uri = format!(
            "{REQUEST_AUTHORITY}/v{}.{}{path_and_query}",
            version.major_version, version.minor_version
        );
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, value.as_str());
        }
        if body.is_some() {
            builder = builder.header("Content-Type", "application/json");
        }
        let response = self.exchange(builder, body).await?;
        let host = self.host.to_string();
        let status = response.status().as_u16();
        let body = BodyStream::new(response.into_body()).filter_map(move |frame| {
            let item = match frame {
                Ok(frame) => frame.into_data().ok().map(Ok),
                Err(e) => Some(Err(EngineError::from_transport(&e, &host))),
            };
            std::future::ready(item)
        });
        Ok((status, body))
    }
}

impl RawRequest<'_> {
    /// Sends a request with `body` through the engine's transport; like bollard's requests,
    /// the answer's headers must come within the timeout.
    async fn exchange(
        &self,
        builder: hyper::http::request::Builder,
        body: Option<Vec<u8>>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, EngineError> {
        let request = builder
            .body(Either::Left(Full::new(Bytes::from(
                body.unwrap_or_default(),
            ))))
            .map_err(|e| EngineError::new(EngineErrorKind::Other, e.to_string()))?;
        let host = self.host;
        let limit = std::time::Duration::from_secs(self.timeout_secs);
        tokio::time::timeout(limit, self.transport.request(request))
            .await
            .map_err(|_| {
                EngineError::new(
                    EngineErrorKind::Unreachable,
                    format!("the Docker engine at {host} did not answer in time"),
                )
            })?
            .map_err(|e| EngineError::from_transport(&e, host))
    }
}

/// The connection after the engine switched protocols (exec and attach): raw bytes both ways.
pub(crate) type Hijacked = hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>;

impl RawRequest<'_> {
    /// Sends a `POST` that asks the engine to hijack the connection (`Upgrade: tcp`), as
    /// exec start and attach do, and returns the connection once it has switched. It goes
    /// through the engine's transport like every request, so it works over TLS and ssh.
    pub(crate) async fn upgrade(
        &self,
        path_and_query: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Hijacked, EngineError> {
        let version = &self.version;
        let uri = format!(
            "{REQUEST_AUTHORITY}/v{}.{}{path_and_query}",
            version.major_version, version.minor_version
        );
        let builder = Request::builder()
            .method("POST")
            .uri(uri)
            .header("Connection", "Upgrade")
            .header("Upgrade", "tcp")
            .header("Content-Type", "application/json");
        let response = self.exchange(builder, body).await?;
        let host = self.host.to_string();
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
        Ok(hyper_util::rt::TokioIo::new(upgraded))
    }
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
    fn error_bodies_read_well() {
        assert_eq!(
            error_message(br#"{"message":"no such image"}"#),
            "no such image"
        );
        assert_eq!(error_message(b" plain \n"), "plain");
    }
}
