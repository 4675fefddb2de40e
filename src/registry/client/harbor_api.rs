//! Harbor's API (`/api/v2.0/`): detection, projects, repositories of a project, and artifacts
//! with tags, platforms, push/pull times and scan summaries.
//!
//! Harbor takes Basic auth with the same credentials `docker login` stored for the registry
//! (robot accounts `robot$name` and `robot$project+name` included); they are sent up front,
//! since anonymously Harbor answers with the public projects only rather than a 401.

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, LINK};
use reqwest::{StatusCode, Url};

use super::responses::{error_from_response, header_text, read_limited, transport_error};
use super::session::lock;
use super::{LIST_PAGE_LIMIT, RegistryClient};
use crate::registry::auth::basic_authorization;
use crate::registry::credentials::Secret;
use crate::registry::error::{Missing, RegistryError};
use crate::registry::harbor::{
    ACCEPT_VULNERABILITIES, HARBOR_API_PATH, HARBOR_PAGE_SIZE, HarborArtifact, HarborProject,
    HarborRepository, artifact_from, is_harbor_systeminfo, is_pong, project_from, repository_from,
    repository_segment, split_project,
};
use crate::registry::link::next_link;
use crate::registry::listing::{CursorApi, Listing, Page, PageCursor, collect_pages, same_page};
use crate::registry::manifest::{parse_json, shorten};
use crate::registry::reference::RepositoryRef;

/// Detection answers are a word or a small JSON object.
const PROBE_LIMIT: usize = 64 * 1024;

/// Who a request was sent as, for messages: `robot$ci+pull`, or anonymous.
struct Sender {
    username: Option<String>,
    header: Option<HeaderValue>,
}

impl RegistryClient {
    /// True if the registry is a Harbor (its API answers at `/api/v2.0/`). The answer is
    /// kept per registry; a failure to connect is an error and is not kept.
    pub async fn is_harbor(&self, registry: &str) -> Result<bool, RegistryError> {
        if let Some(known) = lock(&self.session.harbor).get(registry) {
            return Ok(*known);
        }
        let answer = self.probe_harbor(registry).await?;
        lock(&self.session.harbor).insert(registry.to_owned(), answer);
        Ok(answer)
    }

    async fn probe_harbor(&self, registry: &str) -> Result<bool, RegistryError> {
        for (path, looks_right) in [
            ("ping", is_pong as fn(&[u8]) -> bool),
            ("systeminfo", is_harbor_systeminfo),
        ] {
            let url = self.harbor_url(registry, &[path], &[])?;
            let response = self
                .session
                .http
                .get(url)
                .send()
                .await
                .map_err(|e| transport_error(&e, registry))?;
            if !response.status().is_success() {
                continue;
            }
            match read_limited(response, PROBE_LIMIT, registry, "a Harbor probe").await {
                Ok(body) if looks_right(&body) => return Ok(true),
                Ok(_) | Err(RegistryError::TooLarge { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }

    /// One page of a Harbor's projects (those the stored credentials may see, or the public
    /// ones): name, public or private, repository count.
    pub async fn harbor_projects_page(
        &self,
        registry: &str,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<HarborProject>, RegistryError> {
        let (url, pages_before) = match cursor {
            Some(cursor) => self.harbor_cursor(registry, cursor)?,
            None => (self.harbor_url(registry, &["projects"], &page_query())?, 0),
        };
        let (entries, headers) = self
            .harbor_list(registry, &url, Missing::Api, "a Harbor project list")
            .await?;
        let mut page = Page::read(&url, &entries, |entry| project_from(entry).map(Ok));
        self.harbor_paging(registry, &mut page, &headers, &url, pages_before)?;
        Ok(page)
    }

    /// One page of the repositories of a Harbor project.
    pub async fn harbor_repositories_page(
        &self,
        registry: &str,
        project: &str,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<HarborRepository>, RegistryError> {
        // A project name is a path component: check it the way the grammar does.
        RepositoryRef::new(registry, &format!("{project}/x"))?;
        let (url, pages_before) = match cursor {
            Some(cursor) => self.harbor_cursor(registry, cursor)?,
            None => (
                self.harbor_url(
                    registry,
                    &["projects", project, "repositories"],
                    &page_query(),
                )?,
                0,
            ),
        };
        let missing = Missing::Repository {
            repository: format!("{registry}/{project}"),
        };
        let (entries, headers) = self
            .harbor_list(registry, &url, missing, "a Harbor repository list")
            .await?;
        let mut page = Page::read(&url, &entries, |entry| repository_from(entry, registry));
        self.harbor_paging(registry, &mut page, &headers, &url, pages_before)?;
        Ok(page)
    }

    /// One page of a Harbor repository's artifacts, with their tags, platforms and scan
    /// overviews ([`HarborArtifact::tag_rows`] makes tag rows of them).
    pub async fn harbor_artifacts_page(
        &self,
        repo: &RepositoryRef,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<HarborArtifact>, RegistryError> {
        let registry = repo.registry();
        let (url, pages_before) = match cursor {
            Some(cursor) => self.harbor_cursor(registry, cursor)?,
            None => {
                let (project, name) =
                    split_project(repo).ok_or_else(|| RegistryError::BadResponse {
                        host: registry.to_owned(),
                        expected: "a Harbor repository (project/name)",
                        found: repo.to_string(),
                    })?;
                let mut query = page_query();
                query.extend([
                    ("with_tag", "true".to_owned()),
                    ("with_scan_overview", "true".to_owned()),
                    ("with_label", "false".to_owned()),
                ]);
                let segment = repository_segment(name);
                let path = ["projects", project, "repositories", &segment, "artifacts"];
                (self.harbor_url(registry, &path, &query)?, 0)
            }
        };
        let missing = Missing::Repository {
            repository: repo.to_string(),
        };
        let (entries, headers) = self
            .harbor_list(registry, &url, missing, "a Harbor artifact list")
            .await?;
        let mut page = Page::read(&url, &entries, |entry| artifact_from(entry).map(Ok));
        self.harbor_paging(registry, &mut page, &headers, &url, pages_before)?;
        Ok(page)
    }

    /// Every artifact of a Harbor repository; what was loaded stays if a later page fails.
    pub async fn harbor_artifacts(&self, repo: &RepositoryRef) -> Listing<HarborArtifact> {
        collect_pages(|cursor| {
            let (client, repo) = (self.clone(), repo.clone());
            async move { client.harbor_artifacts_page(&repo, cursor.as_ref()).await }
        })
        .await
    }

    /// `…/api/v2.0/<segments>?<query>` on the registry's host, http or https as for its
    /// registry API. Segments are percent-encoded (so `a%2Fb` goes out as `a%252Fb`).
    fn harbor_url(
        &self,
        registry: &str,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<Url, RegistryError> {
        let mut url = self.session.base_url(registry)?;
        url.set_path(HARBOR_API_PATH);
        url.path_segments_mut()
            .map_err(|()| RegistryError::Setup("registry URL cannot have a path".into()))?
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (k, v.as_str())));
        }
        Ok(url)
    }

    fn harbor_cursor(
        &self,
        registry: &str,
        cursor: &PageCursor,
    ) -> Result<(Url, usize), RegistryError> {
        if cursor.api != CursorApi::Harbor || cursor.registry != registry {
            return Err(RegistryError::Setup(
                "a page cursor from another listing was given to Harbor".into(),
            ));
        }
        Ok((cursor.url.clone(), cursor.pages_before))
    }

    /// The stored credentials for the registry as a Basic header, if a password is stored.
    async fn harbor_sender(&self, registry: &str) -> Result<Sender, RegistryError> {
        let credentials = self.session.credentials_for(registry).await?;
        let Some(credentials) = credentials else {
            return Ok(Sender {
                username: None,
                header: None,
            });
        };
        let Secret::Password(password) = credentials.secret() else {
            return Ok(Sender {
                username: None,
                header: None,
            });
        };
        let mut header =
            HeaderValue::from_str(&basic_authorization(credentials.username(), password))
                .map_err(|_| RegistryError::Setup("credentials unusable in a header".into()))?;
        header.set_sensitive(true);
        Ok(Sender {
            username: Some(credentials.username().to_owned()),
            header: Some(header),
        })
    }

    /// GETs a Harbor list: a JSON array. Returns its entries and the answer's headers.
    async fn harbor_list(
        &self,
        registry: &str,
        url: &Url,
        missing: Missing,
        what: &'static str,
    ) -> Result<(Vec<serde_json::Value>, HeaderMap), RegistryError> {
        let sender = self.harbor_sender(registry).await?;
        let mut request = self
            .session
            .http
            .get(url.clone())
            .header(ACCEPT, "application/json")
            .header("X-Accept-Vulnerabilities", ACCEPT_VULNERABILITIES);
        if let Some(header) = &sender.header {
            request = request.header(AUTHORIZATION, header.clone());
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(&e, registry))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            return Err(RegistryError::Unauthorized {
                host: registry.to_owned(),
                credentials_rejected: sender.header.is_some(),
            });
        }
        if !status.is_success() {
            let error = error_from_response(registry, response, |_| missing).await;
            return Err(explain_forbidden(error, sender.username.as_deref()));
        }
        let headers = response.headers().clone();
        let body = read_limited(response, LIST_PAGE_LIMIT, registry, what).await?;
        let bad = |found| RegistryError::BadResponse {
            host: registry.to_owned(),
            expected: what,
            found,
        };
        let value: serde_json::Value = parse_json(&body).map_err(bad)?;
        match value {
            serde_json::Value::Array(entries) => Ok((entries, headers)),
            // Harbor answers an empty listing with `null` in some versions.
            serde_json::Value::Null => Ok((Vec::new(), headers)),
            _ => Err(bad("JSON that is not a list".into())),
        }
    }

    /// Reads `X-Total-Count` and the `Link` next page (same host only) into the page.
    fn harbor_paging<T>(
        &self,
        registry: &str,
        page: &mut Page<T>,
        headers: &HeaderMap,
        url: &Url,
        pages_before: usize,
    ) -> Result<(), RegistryError> {
        page.total = header_text(headers, "x-total-count").and_then(|n| n.parse().ok());
        let next = headers
            .get_all(LINK)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|value| next_link(value, url));
        page.next = match next {
            None => None,
            Some(next) if same_page(&next, url) => None,
            Some(next) if next.origin() != url.origin() => {
                return Err(RegistryError::BadResponse {
                    host: registry.to_owned(),
                    expected: "a next-page link on the same Harbor",
                    found: shorten(next.as_str()),
                });
            }
            Some(next) => Some(PageCursor {
                api: CursorApi::Harbor,
                registry: registry.to_owned(),
                url: next,
                pages_before: pages_before + 1,
            }),
        };
        Ok(())
    }
}

fn page_query() -> Vec<(&'static str, String)> {
    vec![
        ("page", "1".to_owned()),
        ("page_size", HARBOR_PAGE_SIZE.to_string()),
    ]
}

/// A 403 says who was refused: a robot account lacking rights is the usual cause.
fn explain_forbidden(error: RegistryError, username: Option<&str>) -> RegistryError {
    match error {
        RegistryError::Forbidden { host, message } => {
            let who = match username {
                Some(user) => format!("{user} lacks the permission for this"),
                None => format!("anonymous access is not allowed; press L to log in to {host}"),
            };
            let message = match message {
                Some(message) => format!("{message} ({who})"),
                None => who,
            };
            RegistryError::Forbidden {
                host,
                message: Some(message),
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::client::ClientOptions;

    #[test]
    fn repository_names_with_slashes_are_encoded_twice() {
        let client = RegistryClient::new(ClientOptions::default()).unwrap();
        let url = client
            .harbor_url(
                "harbor.example.com",
                &[
                    "projects",
                    "team",
                    "repositories",
                    &repository_segment("a/b"),
                    "artifacts",
                ],
                &[("page", "1".into())],
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://harbor.example.com/api/v2.0/projects/team/repositories/a%252Fb/artifacts?page=1"
        );
        let local = client.harbor_url("127.0.0.1:5000", &["ping"], &[]).unwrap();
        assert_eq!(local.as_str(), "http://127.0.0.1:5000/api/v2.0/ping");
    }

    #[test]
    fn forbidden_names_the_account() {
        let e = explain_forbidden(
            RegistryError::Forbidden {
                host: "harbor.example.com".into(),
                message: Some("forbidden".into()),
            },
            Some("robot$team+ci"),
        );
        assert_eq!(
            e.to_string(),
            "access denied by harbor.example.com: forbidden (robot$team+ci lacks the permission \
             for this)"
        );
    }
}
