//! Moving images between the engine and registries (pull, push), naming them (tag),
//! removing them, and checking registry credentials the way `docker login` does.

use std::time::Duration;

use bollard::query_parameters::{CreateImageOptions, RemoveImageOptions, TagImageOptions};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use serde::Deserialize;

use crate::registry::Credentials;

use super::engine::Engine;
use super::error::EngineError;
use super::raw::{
    ErrorDetail, ProgressDetail, ProgressLine, error_message, progress_lines, read_body,
};
use super::registry_auth::{auth_config_json, bollard_credentials, registry_auth_header};

/// How long an upload or download may wait for the engine's first answer.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(3600);

/// The outcome of a credentials check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginCheck {
    /// The engine accepted the credentials; a registry may hand back an identity token.
    Accepted { identity_token: Option<String> },
    /// This engine cannot be asked; the caller checks another way. (Every transport
    /// can ask since raw requests share the engine client; kept for callers.)
    CannotAsk,
}

/// What `docker rmi` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoveOutcome {
    pub untagged: Vec<String>,
    pub deleted: Vec<String>,
}

impl Engine {
    /// Pulls `repository:tag` (or `repository@digest`); progress lines as the engine sends them.
    pub fn pull(
        &self,
        repository: &str,
        tag_or_digest: &str,
        credentials: Option<&Credentials>,
        server: &str,
    ) -> BoxStream<'static, Result<ProgressLine, EngineError>> {
        let options = CreateImageOptions {
            from_image: Some(repository.to_string()),
            tag: Some(tag_or_digest.to_string()),
            ..CreateImageOptions::default()
        };
        let engine = self.clone();
        self.docker
            .clone()
            .with_timeout(TRANSFER_TIMEOUT)
            .create_image(
                Some(options),
                None,
                bollard_credentials(credentials, server),
            )
            .map(move |item| match item {
                Ok(info) => Ok(ProgressLine {
                    id: info.id,
                    status: info.status,
                    progress_detail: info.progress_detail.map(|d| ProgressDetail {
                        current: d.current.and_then(|c| u64::try_from(c).ok()),
                        total: d.total.and_then(|t| u64::try_from(t).ok()),
                    }),
                    error: None,
                    error_detail: info
                        .error_detail
                        .map(|d| ErrorDetail { message: d.message }),
                    aux: None,
                }),
                Err(e) => Err(engine.error(e)),
            })
            .boxed()
    }

    /// Pushes `repository:tag`; the lines carry layer IDs and, at the end, the digest.
    pub async fn push(
        &self,
        repository: &str,
        tag: &str,
        credentials: Option<&Credentials>,
        server: &str,
    ) -> Result<BoxStream<'static, Result<ProgressLine, EngineError>>, EngineError> {
        let path = format!(
            "/images/{}/push?tag={}",
            escape_path(repository),
            escape_query(tag)
        );
        let header = registry_auth_header(credentials, server);
        let (status, body) = self
            .raw()
            .send("POST", &path, &[("X-Registry-Auth", header)], None)
            .await?;
        if status >= 400 {
            let body = read_body(body, 64 * 1024).await?;
            return Err(status_error(status, &error_message(&body)));
        }
        Ok(progress_lines(body).boxed())
    }

    /// Gives `source` (an ID or a name) the name `repository:tag`; an existing tag moves.
    pub async fn tag_image(
        &self,
        source: &str,
        repository: &str,
        tag: &str,
    ) -> Result<(), EngineError> {
        self.docker
            .tag_image(
                source,
                Some(TagImageOptions {
                    repo: Some(repository.to_string()),
                    tag: Some(tag.to_string()),
                }),
            )
            .await
            .map_err(|e| self.error(e))
    }

    /// Removes a tag (or, by ID, an image); `force` also removes images used by containers.
    pub async fn remove_image(
        &self,
        name: &str,
        force: bool,
    ) -> Result<RemoveOutcome, EngineError> {
        let items = self
            .docker
            .remove_image(
                name,
                Some(RemoveImageOptions {
                    force,
                    noprune: false,
                    platforms: None,
                }),
                None,
            )
            .await
            .map_err(|e| self.error(e))?;
        let mut outcome = RemoveOutcome::default();
        for item in items {
            outcome.untagged.extend(item.untagged);
            outcome.deleted.extend(item.deleted);
        }
        Ok(outcome)
    }

    /// Asks the engine to log in to `server` (`POST /auth`), as `docker login` does.
    pub async fn check_login(
        &self,
        credentials: &Credentials,
        server: &str,
    ) -> Result<LoginCheck, EngineError> {
        let body = auth_config_json(Some(credentials), server);
        let (status, response) = self.raw().send("POST", "/auth", &[], Some(body)).await?;
        let response = read_body(response, 64 * 1024).await?;
        if status >= 400 {
            return Err(status_error(status, &error_message(&response)));
        }
        #[derive(Deserialize)]
        struct AuthAnswer {
            #[serde(rename = "IdentityToken", default)]
            identity_token: Option<String>,
        }
        let answer: Option<AuthAnswer> = serde_json::from_slice(&response).ok();
        Ok(LoginCheck::Accepted {
            identity_token: answer
                .and_then(|a| a.identity_token)
                .filter(|t| !t.is_empty()),
        })
    }
}

fn status_error(status: u16, message: &str) -> EngineError {
    let message = if message.is_empty() {
        format!("the engine answered {status}")
    } else {
        message.to_string()
    };
    EngineError::answered(Some(status), message)
}

/// A repository name in a URL path: `/` stays, brackets of IPv6 hosts are escaped.
fn escape_path(name: &str) -> String {
    name.replace('[', "%5B").replace(']', "%5D")
}

pub(crate) fn escape_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Wraps a file as a byte stream for uploads, counting bytes as they go.
pub fn counted<S>(
    stream: S,
    mut on_bytes: impl FnMut(u64) + Send + 'static,
) -> impl Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static
where
    S: Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static,
{
    let mut total = 0u64;
    stream.map(move |chunk| {
        if let Ok(bytes) = &chunk {
            total += bytes.len() as u64;
            on_bytes(total);
        }
        chunk
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::EngineErrorKind;

    #[test]
    fn names_and_tags_are_escaped_for_urls() {
        assert_eq!(escape_path("[::1]:5000/app"), "%5B::1%5D:5000/app");
        assert_eq!(
            escape_path("localhost:5000/team/app"),
            "localhost:5000/team/app"
        );
        assert_eq!(escape_query("1.0-rc_1"), "1.0-rc_1");
        assert_eq!(escape_query("a+b"), "a%2Bb");
    }

    #[test]
    fn status_errors_keep_meaning() {
        assert_eq!(status_error(401, "bad").kind, EngineErrorKind::Unauthorized);
        assert_eq!(status_error(500, "").message, "the engine answered 500");
    }
}
