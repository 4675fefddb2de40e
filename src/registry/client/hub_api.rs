//! Docker Hub's own API (`hub.docker.com`): a repository's tags with dates, sizes and
//! platforms (no config fetch per tag, so nothing counts against the pull limit), a
//! namespace's repositories, and search.
//!
//! Anonymous first. With Docker Hub credentials stored (a password or a personal access
//! token), an answer that is refused or "not found" (private repositories look missing) is
//! retried once with an access token from `POST /v2/auth/token`; tokens live 10 minutes and
//! are reused for 9.

use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::responses::{error_from_response, read_limited, transport_error};
use super::{LIST_PAGE_LIMIT, RegistryClient};
use crate::registry::credentials::Secret;
use crate::registry::error::{Missing, RegistryError};
use crate::registry::hub::{
    HUB_PAGE_SIZE, HubRepository, HubSearchResult, hub_path, parse_page, repository_from,
    search_result_from, tag_from,
};
use crate::registry::listing::{CursorApi, Listing, Page, PageCursor, collect_pages, same_page};
use crate::registry::manifest::{parse_json, shorten};
use crate::registry::reference::{DOCKER_HUB, RepositoryRef};
use crate::registry::remote_tag::RemoteTag;

/// How long a Hub access token is used (they expire after 10 minutes).
const HUB_TOKEN_LIFETIME: Duration = Duration::from_secs(9 * 60);
/// A token answer is small.
const TOKEN_LIMIT: usize = 64 * 1024;
/// Search terms longer than this are cut (the Hub would refuse them anyway).
const SEARCH_TERM_MAX: usize = 200;

#[derive(Deserialize)]
struct AccessToken {
    access_token: Option<String>,
}

impl RegistryClient {
    /// One page (100 tags) of a Docker Hub repository's tags, from the Hub's API: push dates,
    /// compressed sizes and platforms with their digests. `cursor` is the previous page's
    /// `next`; `None` asks for the first page.
    pub async fn hub_tags_page(
        &self,
        repo: &RepositoryRef,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<RemoteTag>, RegistryError> {
        let (url, pages_before) = match cursor {
            Some(cursor) => self.hub_cursor(cursor)?,
            None => {
                let (namespace, name) =
                    hub_path(repo).ok_or_else(|| RegistryError::BadResponse {
                        host: repo.registry().to_owned(),
                        expected: "a Docker Hub repository (namespace/name)",
                        found: repo.to_string(),
                    })?;
                let url = self.hub_url(
                    &["v2", "namespaces", namespace, "repositories", name, "tags"],
                    &first_page_query(),
                )?;
                (url, 0)
            }
        };
        let missing = Missing::Repository {
            repository: repo.to_string(),
        };
        let body = self.hub_get(&url, missing, "a Docker Hub tag page").await?;
        let raw =
            parse_page(&body).map_err(|found| self.hub_bad("a Docker Hub tag page", found))?;
        let mut page = Page::read(&url, &raw.results, |entry| tag_from(entry).map(Ok));
        page.total = raw.count;
        page.next = self.hub_next(raw.next.as_deref(), &url, pages_before)?;
        Ok(page)
    }

    /// Every tag of a Docker Hub repository, page after page; what was loaded stays when a
    /// later page fails (a rate limit mid-way, say).
    pub async fn hub_tags(&self, repo: &RepositoryRef) -> Listing<RemoteTag> {
        collect_pages(|cursor| {
            let (client, repo) = (self.clone(), repo.clone());
            async move { client.hub_tags_page(&repo, cursor.as_ref()).await }
        })
        .await
    }

    /// One page of the repositories of a Docker Hub namespace (a user or organisation):
    /// description, stars, pulls, last update.
    pub async fn hub_repositories_page(
        &self,
        namespace: &str,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<HubRepository>, RegistryError> {
        let namespace = namespace.trim();
        // A namespace is a path component: check it the way the grammar does.
        RepositoryRef::new(DOCKER_HUB, &format!("{namespace}/x"))?;
        let (url, pages_before) = match cursor {
            Some(cursor) => self.hub_cursor(cursor)?,
            None => (
                self.hub_url(
                    &["v2", "namespaces", namespace, "repositories"],
                    &first_page_query(),
                )?,
                0,
            ),
        };
        let missing = Missing::Namespace {
            namespace: namespace.to_owned(),
        };
        let what = "a Docker Hub repository page";
        let body = self.hub_get(&url, missing, what).await?;
        let raw = parse_page(&body).map_err(|found| self.hub_bad(what, found))?;
        let mut page = Page::read(&url, &raw.results, |entry| {
            repository_from(entry, namespace)
        });
        page.total = raw.count;
        page.next = self.hub_next(raw.next.as_deref(), &url, pages_before)?;
        Ok(page)
    }

    /// One page of Docker Hub search results for `term`: name, description, stars, official.
    pub async fn hub_search(
        &self,
        term: &str,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<HubSearchResult>, RegistryError> {
        let term: String = term.trim().chars().take(SEARCH_TERM_MAX).collect();
        let (url, pages_before) = match cursor {
            Some(cursor) => self.hub_cursor(cursor)?,
            None if term.is_empty() => return Ok(Page::empty()),
            None => {
                // The Hub serves search with a trailing slash.
                let mut url =
                    self.hub_url(&["v2", "search", "repositories", ""], &first_page_query())?;
                url.query_pairs_mut().append_pair("query", &term);
                (url, 0)
            }
        };
        let what = "a Docker Hub search page";
        let body = self.hub_get(&url, Missing::Api, what).await?;
        let raw = parse_page(&body).map_err(|found| self.hub_bad(what, found))?;
        let mut page = Page::read(&url, &raw.results, search_result_from);
        page.total = raw.count;
        page.next = self.hub_next(raw.next.as_deref(), &url, pages_before)?;
        Ok(page)
    }

    /// `host[:port]` of the Hub API, as named in errors.
    fn hub_host(&self) -> String {
        let url = &self.session.hub_api;
        let host = url.host_str().unwrap_or("hub.docker.com");
        match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    fn hub_bad(&self, expected: &'static str, found: String) -> RegistryError {
        RegistryError::BadResponse {
            host: self.hub_host(),
            expected,
            found,
        }
    }

    /// The Hub API URL for these path segments and query pairs.
    fn hub_url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url, RegistryError> {
        let mut url = self.session.hub_api.clone();
        url.path_segments_mut()
            .map_err(|()| RegistryError::Setup("the Docker Hub API URL cannot have a path".into()))?
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (k, v.as_str())));
        }
        Ok(url)
    }

    /// A cursor's URL, if it is one of ours for this Hub API.
    fn hub_cursor(&self, cursor: &PageCursor) -> Result<(Url, usize), RegistryError> {
        if cursor.api != CursorApi::Hub || cursor.url.origin() != self.session.hub_api.origin() {
            return Err(RegistryError::Setup(
                "a page cursor from another listing was given to Docker Hub".into(),
            ));
        }
        Ok((cursor.url.clone(), cursor.pages_before))
    }

    /// The `next` page: an absolute (or relative) URL that must stay on the Hub API.
    fn hub_next(
        &self,
        next: Option<&str>,
        current: &Url,
        pages_before: usize,
    ) -> Result<Option<PageCursor>, RegistryError> {
        let Some(next) = next else {
            return Ok(None);
        };
        let url = current
            .join(next)
            .map_err(|_| self.hub_bad("a next-page URL", format!("{:?}", shorten(next))))?;
        if url.origin() != self.session.hub_api.origin() {
            return Err(self.hub_bad(
                "a next-page link on Docker Hub's API",
                shorten(url.as_str()),
            ));
        }
        if same_page(&url, current) {
            return Ok(None); // a page pointing at itself ends the listing
        }
        Ok(Some(PageCursor {
            api: CursorApi::Hub,
            registry: self.hub_host(),
            url,
            pages_before: pages_before + 1,
        }))
    }

    /// GET a Hub API page, retrying once with an access token when there are credentials.
    async fn hub_get(
        &self,
        url: &Url,
        missing: Missing,
        what: &'static str,
    ) -> Result<Vec<u8>, RegistryError> {
        let host = self.hub_host();
        let mut token = self.hub_cached_token().await;
        let mut logged_in_now = false;
        loop {
            let mut request = self
                .session
                .http
                .get(url.clone())
                .header(ACCEPT, "application/json");
            if let Some(token) = &token {
                request = request.header(AUTHORIZATION, bearer(&host, token)?);
            }
            let response = request
                .send()
                .await
                .map_err(|e| transport_error(&e, &host))?;
            let status = response.status();
            if status.is_success() {
                return read_limited(response, LIST_PAGE_LIMIT, &host, what).await;
            }
            let refused = matches!(
                status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            );
            if refused
                && !logged_in_now
                && let Some(fresh) = self.hub_login().await?
            {
                token = Some(fresh);
                logged_in_now = true;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED {
                return Err(RegistryError::Unauthorized {
                    host: DOCKER_HUB.to_owned(),
                    credentials_rejected: token.is_some(),
                });
            }
            let error = error_from_response(&host, response, |_| missing.clone()).await;
            return Err(error.with_login_state(token.is_some()));
        }
    }

    async fn hub_cached_token(&self) -> Option<String> {
        let cached = self.session.hub_token.lock().await;
        cached
            .as_ref()
            .filter(|(_, until)| *until > Instant::now())
            .map(|(token, _)| token.clone())
    }

    /// A fresh Hub access token from the stored Docker Hub credentials; `None` without
    /// usable credentials (none stored, or an identity token, which this API does not take).
    async fn hub_login(&self) -> Result<Option<String>, RegistryError> {
        let mut cached = self.session.hub_token.lock().await;
        let Some(credentials) = self.session.credentials_for(DOCKER_HUB).await? else {
            return Ok(None);
        };
        let Secret::Password(secret) = credentials.secret() else {
            return Ok(None);
        };
        let host = self.hub_host();
        let url = self.hub_url(&["v2", "auth", "token"], &[])?;
        let body = serde_json::json!({
            "identifier": credentials.username(),
            "secret": secret,
        });
        let response = self
            .session
            .http
            .post(url)
            .header(ACCEPT, "application/json")
            .json(&body)
            .send()
            .await
            .map_err(|e| transport_error(&e, &host))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(RegistryError::Unauthorized {
                host: DOCKER_HUB.to_owned(),
                credentials_rejected: true,
            });
        }
        if !status.is_success() {
            return Err(error_from_response(&host, response, |_| Missing::Api).await);
        }
        let body = read_limited(response, TOKEN_LIMIT, &host, "a Docker Hub access token").await?;
        let token = parse_json::<AccessToken>(&body)
            .ok()
            .and_then(|t| t.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                self.hub_bad(
                    "a Docker Hub access token",
                    "an answer without \"access_token\"".into(),
                )
            })?;
        *cached = Some((token.clone(), Instant::now() + HUB_TOKEN_LIFETIME));
        Ok(Some(token))
    }
}

/// The first page, asked for by number, so a `next` link back to it is recognised.
fn first_page_query() -> [(&'static str, String); 2] {
    [
        ("page", "1".to_owned()),
        ("page_size", HUB_PAGE_SIZE.to_string()),
    ]
}

/// `Bearer TOKEN`, marked sensitive so it is never logged.
fn bearer(host: &str, token: &str) -> Result<HeaderValue, RegistryError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
        RegistryError::BadResponse {
            host: host.to_owned(),
            expected: "a token usable in an HTTP header",
            found: "characters not allowed in headers".into(),
        }
    })?;
    value.set_sensitive(true);
    Ok(value)
}
