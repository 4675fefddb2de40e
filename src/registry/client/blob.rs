//! Blobs as streams, for reading a layer without holding it (the layer explorer).

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt as _};
use reqwest::{Method, Url};

use super::responses::transport_error;
use super::session::Session;
use super::subject::Subject;
use crate::registry::error::RegistryError;
use crate::registry::reference::{RepositoryRef, validate_digest};

/// The whole answer may take this long (a big layer on a slow link)…
const BLOB_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// …but no chunk may keep us waiting longer than this.
const CHUNK_IDLE: Duration = Duration::from_secs(60);

/// A blob's bytes as they arrive. The digest is not checked here: the reader hashes what it
/// reads and compares.
pub struct BlobStream {
    /// `Content-Length`, when the registry sent one.
    pub size: Option<u64>,
    pub chunks: Pin<Box<dyn Stream<Item = Result<Bytes, RegistryError>> + Send>>,
}

impl std::fmt::Debug for BlobStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStream")
            .field("size", &self.size)
            .finish()
    }
}

/// Streams the blob at `url` (following redirects to storage) with the repository's auth
/// flow.
pub(super) async fn stream(
    session: &Session,
    repo: &RepositoryRef,
    digest: &str,
    url: Url,
) -> Result<BlobStream, RegistryError> {
    validate_digest(digest)?;
    let host = repo.registry().to_owned();
    let subject = Subject::Blob(repo, digest);
    let response = session
        .send_with_timeout(&host, &subject, Method::GET, url, None, Some(BLOB_TIMEOUT))
        .await?;
    let size = response.content_length();
    let body = response.bytes_stream();
    let chunks = futures::stream::unfold((body, host), |(mut body, host)| async move {
        match tokio::time::timeout(CHUNK_IDLE, body.next()).await {
            Err(_) => Some((
                Err(RegistryError::Connect {
                    host: host.clone(),
                    detail: format!(
                        "no data for {} s while reading a blob",
                        CHUNK_IDLE.as_secs()
                    ),
                }),
                (body, host),
            )),
            Ok(None) => None,
            Ok(Some(item)) => {
                let item = item.map_err(|e| transport_error(&e, &host));
                Some((item, (body, host)))
            }
        }
    });
    Ok(BlobStream {
        size,
        chunks: Box::pin(chunks),
    })
}
