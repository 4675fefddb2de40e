//! `RegistryClient`: the registry HTTP API with challenge-driven auth, size limits and timeouts.
//!
//! Every call starts anonymous (or with what worked before for that registry); a 401's
//! `WWW-Authenticate` challenge decides between Basic credentials and a bearer token for the
//! call's scope. Credentials come from the docker credential store given in the options, and
//! are only looked up once a registry asks for them.

mod auth_flow;
mod blob;
mod harbor_api;
mod hub_api;
mod responses;
mod session;
mod subject;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt as _, TryStreamExt as _};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LINK};
use reqwest::{Method, Response, Url};
use serde::Deserialize;

use self::responses::{
    error_chain_text, error_from_response, header_text, read_limited, transport_error,
};
use self::session::Session;
use self::subject::Subject;
use super::credentials::{Credentials, DockerConfig};
use super::error::{Missing, NoCatalogReason, RegistryError};
use super::hub::DEFAULT_HUB_API;
use super::link::next_link;
use super::manifest::{
    Descriptor, FetchedManifest, ImageConfig, ImageManifest, MANIFEST_ACCEPT, Manifest,
    ManifestHead, PlatformDetail, TagDetail, default_platform, matches_digest, media_type_of,
    parse_config, parse_json, parse_manifest, sha256_digest, shorten,
};
use super::rate_limit::RateLimit;
use super::reference::{RepositoryRef, is_loopback_host, validate_digest, validate_tag};
pub use super::refused::RefusedName;

pub use self::blob::BlobStream;

const MIB: usize = 1024 * 1024;
/// Manifests and configs are a few KiB; the spec suggests accepting at least 4 MiB.
const MANIFEST_LIMIT: usize = 4 * MIB;
const CONFIG_LIMIT: usize = 4 * MIB;
/// One page of tags or repositories; tens of thousands of names fit.
const LIST_PAGE_LIMIT: usize = 16 * MIB;
/// Bounds on following `Link` pages, so a looping registry cannot keep us busy forever.
const MAX_TAG_PAGES: usize = 500;
const MAX_TAGS: usize = 200_000;
const MAX_CATALOG_PAGE_SIZE: u32 = 10_000;
const MAX_REDIRECTS: usize = 10;
/// Platform manifests and configs fetched at once for one tag.
const PLATFORM_CONCURRENCY: usize = 4;
/// Real indexes have a dozen platforms; a huge one would cost two requests per entry.
const MAX_PLATFORMS: usize = 64;
const USER_AGENT: &str = concat!("wharf/", env!("CARGO_PKG_VERSION"));
const DOCKER_CONTENT_DIGEST: &str = "docker-content-digest";

/// How to build a [`RegistryClient`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Registries (as named in references, e.g. `myhost:5000`) reached over plain HTTP.
    /// Loopback registries always are.
    pub insecure_registries: Vec<String>,
    /// Where to find credentials when a registry asks for them; `None` stays anonymous.
    pub credentials: Option<DockerConfig>,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, from connecting to the last byte of the body.
    pub request_timeout: Duration,
    /// Host names pinned to addresses, like curl's `--resolve` (the URL's port is used).
    pub resolve: Vec<(String, SocketAddr)>,
    /// Docker Hub's own API (tags with dates and sizes, namespaces, search). HTTPS, or plain
    /// HTTP on loopback only.
    pub hub_api_url: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure_registries: Vec::new(),
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            resolve: Vec::new(),
            hub_api_url: DEFAULT_HUB_API.to_owned(),
        }
    }
}

/// One page of a registry's repository catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogPage {
    /// The repositories on this page whose names the reference grammar accepts.
    pub repositories: Vec<RepositoryRef>,
    /// Where the next page is, if there is one.
    pub next: Option<CatalogCursor>,
    /// Names on this page the grammar refuses, to be shown marked rather than dropped.
    pub refused: Vec<RefusedName>,
}

/// An opaque position in a catalog, for [`RegistryClient::catalog_next_page`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogCursor {
    registry: String,
    url: Url,
}

/// A repository's tags, in the registry's order (sort with [`crate::text::natural::natural_cmp`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagList {
    /// Tag names, without duplicates; names that are not valid tags are left out.
    pub tags: Vec<String>,
    /// True if the list was cut at wharf's page or size limits.
    pub truncated: bool,
}

/// A registry API client: cheap to clone, safe to use from many tasks at once.
#[derive(Clone)]
pub struct RegistryClient {
    session: Arc<Session>,
}

#[derive(Deserialize)]
struct TagsPage {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct CatalogBody {
    #[serde(default)]
    repositories: Option<Vec<String>>,
}

impl RegistryClient {
    /// Builds a client; installs the ring crypto provider if none is installed yet.
    pub fn new(options: ClientOptions) -> Result<RegistryClient, RegistryError> {
        super::install_crypto_provider();
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            let downgrade = attempt
                .previous()
                .last()
                .is_some_and(|previous| previous.scheme() == "https")
                && attempt.url().scheme() != "https";
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if downgrade {
                attempt.error("refusing a redirect from HTTPS to plain HTTP")
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .redirect(redirects);
        for (host, address) in &options.resolve {
            builder = builder.resolve(host, *address);
        }
        let http = builder
            .build()
            .map_err(|e| RegistryError::Setup(error_chain_text(&e)))?;
        let hub_api = hub_api_url(&options.hub_api_url)?;
        Ok(RegistryClient {
            session: Arc::new(Session::new(
                http,
                options.insecure_registries,
                options.credentials,
                hub_api,
            )),
        })
    }

    /// The pull quota the registry announced with its last manifest answer (Docker Hub's
    /// `ratelimit-*` headers), for the tags pane's title.
    pub fn rate_limit(&self, registry: &str) -> Option<RateLimit> {
        session::lock(&self.session.rate_limits)
            .get(registry)
            .cloned()
    }

    /// The digest (and media type and size) of a tag or digest, by `HEAD`: cheap, no download.
    pub async fn manifest_digest(
        &self,
        repo: &RepositoryRef,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError> {
        validate_manifest_reference(reference)?;
        let url = self.repo_url(repo, &["manifests", reference])?;
        let subject = Subject::Manifest(repo, reference);
        let response = self
            .session
            .send(
                repo.registry(),
                &subject,
                Method::HEAD,
                url,
                Some(MANIFEST_ACCEPT),
            )
            .await?;
        let headers = response.headers();
        let digest = header_text(headers, DOCKER_CONTENT_DIGEST);
        let Some(digest) = digest else {
            // Some registries omit the header on HEAD: fetch the manifest and hash it.
            let fetched = self.manifest(repo, reference).await?;
            return Ok(ManifestHead {
                digest: fetched.digest,
                media_type: Some(fetched.media_type),
                size: Some(fetched.size),
            });
        };
        let bad = |found: String| RegistryError::BadResponse {
            host: repo.registry().to_owned(),
            expected: "a valid Docker-Content-Digest header",
            found,
        };
        validate_digest(&digest).map_err(|_| bad(format!("{:?}", shorten(&digest))))?;
        if reference.contains(':') && digest != reference {
            return Err(bad(format!("{digest} for a request of {reference}")));
        }
        Ok(ManifestHead {
            digest,
            media_type: header_text(headers, CONTENT_TYPE.as_str()).map(|t| media_type_of(&t)),
            size: header_text(headers, CONTENT_LENGTH.as_str()).and_then(|n| n.parse().ok()),
        })
    }

    /// Fetches and parses the manifest of a tag or digest, verifying its digest.
    pub async fn manifest(
        &self,
        repo: &RepositoryRef,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        validate_manifest_reference(reference)?;
        let host = repo.registry();
        let url = self.repo_url(repo, &["manifests", reference])?;
        let subject = Subject::Manifest(repo, reference);
        let response = self
            .session
            .send(host, &subject, Method::GET, url, Some(MANIFEST_ACCEPT))
            .await?;
        let header_digest = header_text(response.headers(), DOCKER_CONTENT_DIGEST);
        let content_type = header_text(response.headers(), CONTENT_TYPE.as_str());
        let body = read_limited(response, MANIFEST_LIMIT, host, "a manifest").await?;
        let bad = |expected, found| RegistryError::BadResponse {
            host: host.to_owned(),
            expected,
            found,
        };
        let digest = if reference.contains(':') {
            if !matches_digest(reference, &body) {
                return Err(bad(
                    "a manifest matching the requested digest",
                    format!("content with digest {}", sha256_digest(&body)),
                ));
            }
            reference.to_owned()
        } else {
            let computed = sha256_digest(&body);
            if let Some(claimed) = header_digest.filter(|d| d.starts_with("sha256:"))
                && claimed != computed
            {
                return Err(bad(
                    "a manifest matching its Docker-Content-Digest header",
                    format!("header {claimed} but content {computed}"),
                ));
            }
            computed
        };
        let (media_type, manifest) = parse_manifest(&body, content_type.as_deref())
            .map_err(|found| bad("an image manifest or index", found))?;
        Ok(FetchedManifest {
            digest,
            media_type,
            size: body.len() as u64,
            manifest,
        })
    }

    /// Fetches an image's config blob (following redirects to storage) and verifies its digest.
    pub async fn image_config(
        &self,
        repo: &RepositoryRef,
        config: &Descriptor,
    ) -> Result<ImageConfig, RegistryError> {
        validate_digest(&config.digest)?;
        let host = repo.registry();
        let url = self.repo_url(repo, &["blobs", &config.digest])?;
        let subject = Subject::Blob(repo, &config.digest);
        let response = self
            .session
            .send(host, &subject, Method::GET, url, None)
            .await?;
        let body = read_limited(response, CONFIG_LIMIT, host, "an image config").await?;
        let bad = |found| RegistryError::BadResponse {
            host: host.to_owned(),
            expected: "an image config blob matching its digest",
            found,
        };
        if !matches_digest(&config.digest, &body) {
            return Err(bad(format!("content with digest {}", sha256_digest(&body))));
        }
        parse_config(&body).map_err(bad)
    }

    /// All tags of a repository, following `Link` pages; `"tags": null` is an empty list.
    pub async fn tags(&self, repo: &RepositoryRef) -> Result<TagList, RegistryError> {
        let host = repo.registry();
        let mut url = self.repo_url(repo, &["tags", "list"])?;
        let subject = Subject::Tags(repo);
        let mut visited = HashSet::new();
        let mut seen = HashSet::new();
        let mut list = TagList::default();
        loop {
            if visited.len() >= MAX_TAG_PAGES || list.tags.len() >= MAX_TAGS {
                list.truncated = true;
                break;
            }
            visited.insert(url.clone());
            let response = self
                .session
                .send(host, &subject, Method::GET, url.clone(), None)
                .await?;
            let next = self.next_page(host, &response, &url)?;
            let body = read_limited(response, LIST_PAGE_LIMIT, host, "a tag list page").await?;
            let page: TagsPage = parse_json(&body).map_err(|found| RegistryError::BadResponse {
                host: host.to_owned(),
                expected: "a JSON tag list",
                found,
            })?;
            for tag in page.tags.unwrap_or_default() {
                if validate_tag(&tag).is_ok() && seen.insert(tag.clone()) {
                    list.tags.push(tag);
                }
            }
            match next {
                Some(next) if !visited.contains(&next) => url = next,
                _ => break,
            }
        }
        Ok(list)
    }

    /// The first page of a registry's catalog, asking for `page_size` names.
    ///
    /// A registry that does not list its repositories (404, `UNSUPPORTED`, or a catalog refused
    /// while `/v2/` accepts the same caller) gives [`RegistryError::NoCatalog`].
    pub async fn catalog_page(
        &self,
        registry: &str,
        page_size: u32,
    ) -> Result<CatalogPage, RegistryError> {
        let mut url = self.session.base_url(registry)?;
        url.path_segments_mut()
            .map_err(|()| RegistryError::Setup("registry URL cannot have a path".into()))?
            .pop_if_empty()
            .push("_catalog");
        url.query_pairs_mut()
            .append_pair("n", &page_size.clamp(1, MAX_CATALOG_PAGE_SIZE).to_string());
        match self.fetch_catalog(registry, url).await {
            Err(e) => Err(self.explain_catalog_refusal(registry, e).await),
            page => page,
        }
    }

    /// Turns a catalog failure into [`RegistryError::NoCatalog`] when the registry itself
    /// answers (so the catalog, not the registry or the login, is what is missing).
    async fn explain_catalog_refusal(&self, registry: &str, error: RegistryError) -> RegistryError {
        use RegistryError as E;
        let no_catalog = |reason| E::NoCatalog {
            host: registry.to_owned(),
            reason,
        };
        let reason = match &error {
            E::NotFound { .. } => NoCatalogReason::NotFound,
            E::Status {
                status, message, ..
            } if *status == 405
                || message
                    .as_deref()
                    .is_some_and(|m| m.to_ascii_lowercase().contains("unsupported")) =>
            {
                return no_catalog(NoCatalogReason::Unsupported);
            }
            E::Unauthorized { .. } | E::Forbidden { .. } => NoCatalogReason::Refused,
            _ => return error,
        };
        // Does the registry answer this caller at all? Then only the catalog is missing.
        let Ok(url) = self.session.base_url(registry) else {
            return error;
        };
        match self
            .session
            .send(registry, &Subject::Api, Method::GET, url, None)
            .await
        {
            Ok(_) => no_catalog(reason),
            Err(api_error) if reason == NoCatalogReason::NotFound => api_error,
            Err(_) => error,
        }
    }

    /// The catalog page after `cursor`.
    pub async fn catalog_next_page(
        &self,
        cursor: &CatalogCursor,
    ) -> Result<CatalogPage, RegistryError> {
        self.fetch_catalog(&cursor.registry, cursor.url.clone())
            .await
    }

    async fn fetch_catalog(&self, registry: &str, url: Url) -> Result<CatalogPage, RegistryError> {
        let response = self
            .session
            .send(registry, &Subject::Catalog, Method::GET, url.clone(), None)
            .await?;
        let next = self.next_page(registry, &response, &url)?;
        let body = read_limited(response, LIST_PAGE_LIMIT, registry, "a catalog page").await?;
        let page: CatalogBody = parse_json(&body).map_err(|found| RegistryError::BadResponse {
            host: registry.to_owned(),
            expected: "a JSON repository catalog",
            found,
        })?;
        let mut repositories = Vec::new();
        let mut refused = Vec::new();
        for name in page.repositories.unwrap_or_default() {
            match RefusedName::check(registry, &name) {
                Ok(repo) => repositories.push(repo),
                Err(name) => refused.push(name),
            }
        }
        Ok(CatalogPage {
            repositories,
            next: next.filter(|n| *n != url).map(|url| CatalogCursor {
                registry: registry.to_owned(),
                url,
            }),
            refused,
        })
    }

    /// Digest, sizes, platforms, created date and history of a tag.
    pub async fn tag_detail(
        &self,
        repo: &RepositoryRef,
        tag: &str,
    ) -> Result<TagDetail, RegistryError> {
        validate_tag(tag)?;
        let top = self.manifest(repo, tag).await?;
        let (images, attestations) = match &top.manifest {
            Manifest::Image(image) => {
                let config = self.image_config(repo, &image.config).await?;
                let detail = PlatformDetail {
                    platform: config.platform(),
                    digest: top.digest.clone(),
                    config_digest: image.config.digest.clone(),
                    compressed_size: image.compressed_size(),
                    created: config.created,
                };
                (vec![(detail, config, image.layers.clone())], 0)
            }
            Manifest::Index(index) => {
                if index.manifests.len() > MAX_PLATFORMS {
                    return Err(RegistryError::BadResponse {
                        host: repo.registry().to_owned(),
                        expected: "an index of at most 64 platform images",
                        found: format!("{} of them", index.manifests.len()),
                    });
                }
                // Owned inputs per future: borrowing closures here make the whole future
                // fail `tokio::spawn`'s Send check (a known higher-ranked lifetime issue).
                let images = stream::iter(index.manifests.clone())
                    .map(|entry| {
                        let (client, repo) = (self.clone(), repo.clone());
                        async move { client.platform_image(&repo, &entry).await }
                    })
                    .buffered(PLATFORM_CONCURRENCY)
                    .try_collect::<Vec<_>>()
                    .await?;
                (images, index.attestations)
            }
        };
        let platforms: Vec<_> = images.iter().map(|(d, _, _)| &d.platform).collect();
        let default = default_platform(&platforms);
        let compressed_size = images
            .iter()
            .fold(0u64, |sum, (d, _, _)| sum.saturating_add(d.compressed_size));
        let (created, history, layers) = match default.and_then(|i| images.get(i)) {
            Some((detail, config, layers)) => {
                (detail.created, config.history.clone(), layers.clone())
            }
            None => (None, Vec::new(), Vec::new()),
        };
        Ok(TagDetail {
            repository: repo.clone(),
            tag: tag.to_owned(),
            digest: top.digest,
            media_type: top.media_type,
            compressed_size,
            created,
            platforms: images.into_iter().map(|(detail, _, _)| detail).collect(),
            default_platform: default,
            attestations,
            history,
            layers,
        })
    }

    /// One platform of an index: its manifest and config.
    async fn platform_image(
        &self,
        repo: &RepositoryRef,
        entry: &Descriptor,
    ) -> Result<(PlatformDetail, ImageConfig, Vec<Descriptor>), RegistryError> {
        let fetched = self.manifest(repo, &entry.digest).await?;
        let Manifest::Image(ImageManifest { config, layers }) = fetched.manifest else {
            return Err(RegistryError::BadResponse {
                host: repo.registry().to_owned(),
                expected: "a platform image manifest inside the index",
                found: format!("a nested index at {}", entry.digest),
            });
        };
        let image_config = self.image_config(repo, &config).await?;
        let compressed_size = layers
            .iter()
            .fold(config.size, |sum, layer| sum.saturating_add(layer.size));
        let detail = PlatformDetail {
            platform: entry
                .platform
                .clone()
                .unwrap_or_else(|| image_config.platform()),
            digest: fetched.digest,
            config_digest: config.digest.clone(),
            compressed_size,
            created: image_config.created,
        };
        Ok((detail, image_config, layers))
    }

    /// Checks a username and secret against a registry, as `docker login` does: `GET /v2/`
    /// and its challenge. Uses nothing cached and caches nothing.
    pub async fn check_credentials(
        &self,
        registry: &str,
        credentials: &Credentials,
    ) -> Result<(), RegistryError> {
        self.session.check_credentials(registry, credentials).await
    }

    /// Streams a blob (following redirects to storage) with the repository's auth flow.
    pub async fn blob_stream(
        &self,
        repo: &RepositoryRef,
        digest: &str,
    ) -> Result<BlobStream, RegistryError> {
        let url = self.repo_url(repo, &["blobs", digest])?;
        blob::stream(&self.session, repo, digest, url).await
    }

    /// Whether the registry's API answers: `GET /v2/` with 200, or 401 (it answers, and
    /// wants credentials). Sends none; caches nothing.
    pub async fn ping(&self, registry: &str) -> Result<(), RegistryError> {
        let url = self.session.base_url(registry)?;
        let response = self
            .session
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| transport_error(&e, registry))?;
        let status = response.status();
        if status.is_success() || status == reqwest::StatusCode::UNAUTHORIZED {
            return Ok(());
        }
        Err(error_from_response(registry, response, |_| Missing::Api).await)
    }

    /// Forgets a registry's cached credentials, tokens and auth scheme (after login or logout).
    pub fn forget_credentials(&self, registry: &str) {
        self.session.forget(registry);
    }

    /// The `Link` next page, which must stay on the same registry.
    fn next_page(
        &self,
        registry: &str,
        response: &Response,
        url: &Url,
    ) -> Result<Option<Url>, RegistryError> {
        let Some(next) = response
            .headers()
            .get_all(LINK)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|value| next_link(value, url))
        else {
            return Ok(None);
        };
        if next.origin() != url.origin() {
            return Err(RegistryError::BadResponse {
                host: registry.to_owned(),
                expected: "a next-page link on the same registry",
                found: shorten(next.as_str()),
            });
        }
        Ok(Some(next))
    }

    /// `…/v2/<repository>/<tail…>`, each piece percent-encoded as a path segment.
    fn repo_url(&self, repo: &RepositoryRef, tail: &[&str]) -> Result<Url, RegistryError> {
        let mut url = self.session.base_url(repo.registry())?;
        url.path_segments_mut()
            .map_err(|()| RegistryError::Setup("registry URL cannot have a path".into()))?
            .pop_if_empty()
            .extend(repo.repository().split('/'))
            .extend(tail);
        Ok(url)
    }
}

/// The Docker Hub API's base URL from the options: http(s), no credentials, plain HTTP only
/// on loopback.
fn hub_api_url(text: &str) -> Result<Url, RegistryError> {
    let bad = |why: &str| RegistryError::Setup(format!("the Docker Hub API URL {text:?} {why}"));
    let url = Url::parse(text.trim()).map_err(|e| bad(&format!("is not a URL: {e}")))?;
    let loopback = url.host_str().is_some_and(is_loopback_host);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("must use https (plain http only on loopback)")),
        _ => return Err(bad("must be an http(s) URL")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not hold credentials"));
    }
    Ok(url)
}

fn validate_manifest_reference(reference: &str) -> Result<(), RegistryError> {
    if reference.contains(':') {
        validate_digest(reference)?;
    } else {
        validate_tag(reference)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Missing;

    fn client(insecure: &[&str]) -> RegistryClient {
        RegistryClient::new(ClientOptions {
            insecure_registries: insecure.iter().map(|s| s.to_string()).collect(),
            ..ClientOptions::default()
        })
        .unwrap()
    }

    #[test]
    fn plain_http_only_for_loopback_and_insecure() {
        let c = client(&["myreg.internal:5000"]);
        let base = |r: &str| c.session.base_url(r).unwrap().to_string();
        assert_eq!(base("localhost:5000"), "http://localhost:5000/v2/");
        assert_eq!(base("127.0.0.1:5000"), "http://127.0.0.1:5000/v2/");
        assert_eq!(base("[::1]:5000"), "http://[::1]:5000/v2/");
        assert_eq!(
            base("myreg.internal:5000"),
            "http://myreg.internal:5000/v2/"
        );
        assert_eq!(base("myreg.internal"), "https://myreg.internal/v2/");
        assert_eq!(
            base("registry.example.com"),
            "https://registry.example.com/v2/"
        );
        assert_eq!(base("docker.io"), "https://registry-1.docker.io/v2/");
        assert!(c.session.base_url("evil.com/x?y").is_err());
    }

    #[test]
    fn repository_urls_are_built_from_segments() {
        let c = client(&[]);
        let repo = RepositoryRef::parse("nginx").unwrap();
        assert_eq!(
            c.repo_url(&repo, &["manifests", "1.15"]).unwrap().as_str(),
            "https://registry-1.docker.io/v2/library/nginx/manifests/1.15"
        );
        let repo = RepositoryRef::parse("localhost:5000/team/app").unwrap();
        assert_eq!(
            c.repo_url(&repo, &["tags", "list"]).unwrap().as_str(),
            "http://localhost:5000/v2/team/app/tags/list"
        );
    }

    #[test]
    fn missing_wording_follows_error_codes() {
        let repo = RepositoryRef::parse("localhost:5000/app").unwrap();
        let digest = format!("sha256:{}", "a".repeat(64));
        assert!(matches!(
            Subject::Manifest(&repo, "1").missing(Some("MANIFEST_UNKNOWN")),
            Missing::Tag { .. }
        ));
        assert!(matches!(
            Subject::Manifest(&repo, "1").missing(Some("NAME_UNKNOWN")),
            Missing::Repository { .. }
        ));
        assert!(matches!(
            Subject::Manifest(&repo, &digest).missing(None),
            Missing::Manifest { .. }
        ));
        assert!(matches!(
            Subject::Tags(&repo).missing(None),
            Missing::Repository { .. }
        ));
        assert_eq!(
            Subject::Tags(&repo).scope().as_deref(),
            Some("repository:app:pull")
        );
        assert_eq!(
            Subject::Catalog.scope().as_deref(),
            Some("registry:catalog:*")
        );
    }

    #[test]
    fn client_is_send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<RegistryClient>();
    }
}
