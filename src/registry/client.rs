//! `RegistryClient`: the registry HTTP API with challenge-driven auth, size limits and timeouts.
//!
//! Every call starts anonymous (or with what worked before for that registry); a 401's
//! `WWW-Authenticate` challenge decides between Basic credentials and a bearer token for the
//! call's scope. Credentials come from the docker credential store given in the options, and
//! are only looked up once a registry asks for them.

use std::collections::{HashMap, HashSet};
use std::error::Error as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt as _, TryStreamExt as _};
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, LINK, RETRY_AFTER,
    WWW_AUTHENTICATE,
};
use reqwest::{Method, Response, StatusCode, Url};
use serde::Deserialize;

use super::auth::{
    AuthScheme, BearerToken, Challenge, TokenCache, TokenResponse, basic_authorization,
    parse_www_authenticate, preferred_challenge,
};
use super::credentials::{Credentials, DockerConfig, Secret};
use super::error::{Missing, RegistryError};
use super::link::next_link;
use super::manifest::{
    Descriptor, FetchedManifest, ImageConfig, ImageManifest, MANIFEST_ACCEPT, Manifest,
    ManifestHead, PlatformDetail, TagDetail, default_platform, matches_digest, media_type_of,
    parse_config, parse_json, parse_manifest, sha256_digest, shorten,
};
use super::reference::{
    RepositoryRef, api_host_for, is_loopback_host, validate_digest, validate_registry, validate_tag,
};

const MIB: usize = 1024 * 1024;
/// Manifests and configs are a few KiB; the spec suggests accepting at least 4 MiB.
const MANIFEST_LIMIT: usize = 4 * MIB;
const CONFIG_LIMIT: usize = 4 * MIB;
/// One page of tags or repositories; tens of thousands of names fit.
const LIST_PAGE_LIMIT: usize = 16 * MIB;
const TOKEN_LIMIT: usize = MIB;
const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// Bounds on following `Link` pages, so a looping registry cannot keep us busy forever.
const MAX_TAG_PAGES: usize = 500;
const MAX_TAGS: usize = 200_000;
const MAX_CATALOG_PAGE_SIZE: u32 = 10_000;
const MAX_REDIRECTS: usize = 10;
/// Platform manifests and configs fetched at once for one tag.
const PLATFORM_CONCURRENCY: usize = 4;
/// A `Retry-After` further away than this is treated as nonsense.
const MAX_RETRY_DELAY: i64 = 7 * 24 * 60 * 60;
const CATALOG_SCOPE: &str = "registry:catalog:*";
const CLIENT_ID: &str = "wharf";
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
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure_registries: Vec::new(),
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            resolve: Vec::new(),
        }
    }
}

/// One page of a registry's repository catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogPage {
    /// The repositories on this page (names that are not valid repository names are left out).
    pub repositories: Vec<RepositoryRef>,
    /// Where the next page is, if there is one.
    pub next: Option<CatalogCursor>,
}

/// An opaque position in a catalog, for [`RegistryClient::catalog_next_page`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogCursor {
    registry: String,
    url: Url,
}

/// A repository's tags, in the registry's order (sort with [`natural_cmp`](super::natural_cmp)).
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
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    insecure: HashSet<String>,
    docker_config: Option<DockerConfig>,
    /// Credentials per registry, looked up once (single-flight per registry).
    credentials: Mutex<HashMap<String, CredentialSlot>>,
    /// The scheme each registry asked for, so later calls authenticate up front.
    known_auth: Mutex<HashMap<String, KnownAuth>>,
    tokens: TokenCache,
}

type CredentialSlot = Arc<tokio::sync::OnceCell<Option<Credentials>>>;

#[derive(Debug, Clone)]
enum KnownAuth {
    Basic,
    Bearer { realm: Url, service: Option<String> },
}

/// The Authorization a request carried.
#[derive(Clone)]
struct SentAuth {
    header: HeaderValue,
    kind: SentKind,
    with_credentials: bool,
}

#[derive(Clone, PartialEq, Eq)]
enum SentKind {
    Basic,
    /// The token's value, to tell a refreshed token from the one that was refused.
    Bearer(String),
}

/// What a call is about: decides the token scope and the wording of a 404.
enum Subject<'a> {
    Api,
    Catalog,
    Tags(&'a RepositoryRef),
    Manifest(&'a RepositoryRef, &'a str),
    Blob(&'a RepositoryRef, &'a str),
}

impl Subject<'_> {
    fn scope(&self) -> Option<String> {
        match self {
            Subject::Api => None,
            Subject::Catalog => Some(CATALOG_SCOPE.to_owned()),
            Subject::Tags(repo) | Subject::Manifest(repo, _) | Subject::Blob(repo, _) => {
                Some(format!("repository:{}:pull", repo.repository()))
            }
        }
    }

    /// What a 404 means, refined by the registry's error code.
    fn missing(&self, code: Option<&str>) -> Missing {
        let repository = |repo: &RepositoryRef| Missing::Repository {
            repository: repo.to_string(),
        };
        match self {
            Subject::Api => Missing::Api,
            Subject::Catalog => Missing::Catalog,
            Subject::Tags(repo) => repository(repo),
            Subject::Manifest(repo, _) | Subject::Blob(repo, _) if code == Some("NAME_UNKNOWN") => {
                repository(repo)
            }
            Subject::Manifest(repo, reference) if reference.contains(':') => Missing::Manifest {
                repository: repo.to_string(),
                digest: (*reference).to_owned(),
            },
            Subject::Manifest(repo, tag) => Missing::Tag {
                repository: repo.to_string(),
                tag: (*tag).to_owned(),
            },
            Subject::Blob(repo, digest) => Missing::Blob {
                repository: repo.to_string(),
                digest: (*digest).to_owned(),
            },
        }
    }
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

#[derive(Deserialize)]
struct ApiErrors {
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
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
        Ok(RegistryClient {
            inner: Arc::new(Inner {
                http,
                insecure: options.insecure_registries.into_iter().collect(),
                docker_config: options.credentials,
                credentials: Mutex::default(),
                known_auth: Mutex::default(),
                tokens: TokenCache::default(),
            }),
        })
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
            if let Some(claimed) = header_digest.filter(|d| d.starts_with("sha256:")) {
                if claimed != computed {
                    return Err(bad(
                        "a manifest matching its Docker-Content-Digest header",
                        format!("header {claimed} but content {computed}"),
                    ));
                }
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
        let response = self.send(host, &subject, Method::GET, url, None).await?;
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
    pub async fn catalog_page(
        &self,
        registry: &str,
        page_size: u32,
    ) -> Result<CatalogPage, RegistryError> {
        let mut url = self.base_url(registry)?;
        url.path_segments_mut()
            .map_err(|()| RegistryError::Setup("registry URL cannot have a path".into()))?
            .pop_if_empty()
            .push("_catalog");
        url.query_pairs_mut()
            .append_pair("n", &page_size.clamp(1, MAX_CATALOG_PAGE_SIZE).to_string());
        self.fetch_catalog(registry, url).await
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
            .send(registry, &Subject::Catalog, Method::GET, url.clone(), None)
            .await?;
        let next = self.next_page(registry, &response, &url)?;
        let body = read_limited(response, LIST_PAGE_LIMIT, registry, "a catalog page").await?;
        let page: CatalogBody = parse_json(&body).map_err(|found| RegistryError::BadResponse {
            host: registry.to_owned(),
            expected: "a JSON repository catalog",
            found,
        })?;
        let repositories = page
            .repositories
            .unwrap_or_default()
            .iter()
            .filter_map(|name| RepositoryRef::new(registry, name).ok())
            .collect();
        Ok(CatalogPage {
            repositories,
            next: next.filter(|n| *n != url).map(|url| CatalogCursor {
                registry: registry.to_owned(),
                url,
            }),
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
                    compressed_size: image.compressed_size(),
                    created: config.created,
                };
                (vec![(detail, config, image.layers.clone())], 0)
            }
            Manifest::Index(index) => {
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
        let url = self.base_url(registry)?;
        let response = self
            .send_once(registry, Method::GET, url.clone(), None, None)
            .await?;
        let status = response.status();
        if status.is_success() {
            return Ok(()); // anonymous access: nothing to check, as with docker login
        }
        if status != StatusCode::UNAUTHORIZED {
            return Err(error_from_response(registry, &Subject::Api, response).await);
        }
        let rejected = RegistryError::Unauthorized {
            host: registry.to_owned(),
            credentials_rejected: true,
        };
        let challenges = challenges_of(response.headers());
        let auth = match preferred_challenge(&challenges) {
            Some(challenge) if challenge.scheme == AuthScheme::Bearer => {
                let realm = self.realm_url(registry, challenge)?;
                let token = self
                    .fetch_token(
                        registry,
                        &realm,
                        challenge.service(),
                        None,
                        Some(credentials),
                    )
                    .await?;
                bearer_auth(registry, &token)?
            }
            Some(_) => match credentials.secret() {
                Secret::Password(password) => {
                    basic_auth(registry, credentials.username(), password)?
                }
                Secret::IdentityToken(_) => return Err(rejected),
            },
            None => return Err(no_challenge(registry)),
        };
        let response = self
            .send_once(registry, Method::GET, url, None, Some(&auth))
            .await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            StatusCode::UNAUTHORIZED => Err(rejected),
            _ => Err(error_from_response(registry, &Subject::Api, response).await),
        }
    }

    /// Forgets a registry's cached credentials, tokens and auth scheme (after login or logout).
    pub fn forget_credentials(&self, registry: &str) {
        lock(&self.inner.credentials).remove(registry);
        lock(&self.inner.known_auth).remove(registry);
        self.inner.tokens.forget(registry);
    }

    /// Sends a request, answering one 401 challenge; maps unsuccessful statuses to errors.
    async fn send(
        &self,
        registry: &str,
        subject: &Subject<'_>,
        method: Method,
        url: Url,
        accept: Option<&'static str>,
    ) -> Result<Response, RegistryError> {
        let scope = subject.scope();
        let mut auth = self.auth_up_front(registry, scope.as_deref()).await?;
        let mut answered_challenge = false;
        loop {
            let response = self
                .send_once(registry, method.clone(), url.clone(), accept, auth.as_ref())
                .await?;
            if response.status().is_success() {
                return Ok(response);
            }
            if response.status() != StatusCode::UNAUTHORIZED {
                return Err(error_from_response(registry, subject, response).await);
            }
            let unauthorized = RegistryError::Unauthorized {
                host: registry.to_owned(),
                credentials_rejected: auth.as_ref().is_some_and(|a| a.with_credentials),
            };
            if answered_challenge {
                return Err(unauthorized);
            }
            answered_challenge = true;
            let challenges = challenges_of(response.headers());
            let Some(challenge) = preferred_challenge(&challenges) else {
                return Err(unauthorized);
            };
            auth = Some(
                self.answer_challenge(registry, challenge, scope.as_deref(), auth.as_ref())
                    .await?,
            );
        }
    }

    async fn send_once(
        &self,
        registry: &str,
        method: Method,
        url: Url,
        accept: Option<&'static str>,
        auth: Option<&SentAuth>,
    ) -> Result<Response, RegistryError> {
        let mut request = self.inner.http.request(method, url);
        if let Some(accept) = accept {
            request = request.header(ACCEPT, accept);
        }
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth.header.clone());
        }
        request
            .send()
            .await
            .map_err(|e| transport_error(&e, registry))
    }

    /// What worked before for this registry, so the first request is not a wasted 401.
    async fn auth_up_front(
        &self,
        registry: &str,
        scope: Option<&str>,
    ) -> Result<Option<SentAuth>, RegistryError> {
        let known = lock(&self.inner.known_auth).get(registry).cloned();
        match known {
            None => Ok(None),
            Some(KnownAuth::Basic) => match self.credentials_for(registry).await? {
                Some(creds) => match creds.secret() {
                    Secret::Password(password) => {
                        basic_auth(registry, creds.username(), password).map(Some)
                    }
                    Secret::IdentityToken(_) => Ok(None),
                },
                None => Ok(None),
            },
            Some(KnownAuth::Bearer { realm, service }) => self
                .bearer(registry, &realm, service.as_deref(), scope, None)
                .await
                .map(Some),
        }
    }

    async fn answer_challenge(
        &self,
        registry: &str,
        challenge: &Challenge,
        scope: Option<&str>,
        previous: Option<&SentAuth>,
    ) -> Result<SentAuth, RegistryError> {
        if challenge.scheme == AuthScheme::Bearer {
            let realm = self.realm_url(registry, challenge)?;
            let service = challenge.service().map(str::to_owned);
            self.remember(
                registry,
                KnownAuth::Bearer {
                    realm: realm.clone(),
                    service: service.clone(),
                },
            );
            let refused_token = match previous.map(|p| &p.kind) {
                Some(SentKind::Bearer(token)) => Some(token.as_str()),
                _ => None,
            };
            let scope = scope.or(challenge.scope());
            return self
                .bearer(registry, &realm, service.as_deref(), scope, refused_token)
                .await;
        }
        self.remember(registry, KnownAuth::Basic);
        let basic_was_refused = previous.is_some_and(|p| p.kind == SentKind::Basic);
        match self.credentials_for(registry).await? {
            Some(creds) if !basic_was_refused => match creds.secret() {
                Secret::Password(password) => basic_auth(registry, creds.username(), password),
                // Identity tokens only work with a token service.
                Secret::IdentityToken(_) => Err(RegistryError::Unauthorized {
                    host: registry.to_owned(),
                    credentials_rejected: true,
                }),
            },
            _ => Err(RegistryError::Unauthorized {
                host: registry.to_owned(),
                credentials_rejected: basic_was_refused,
            }),
        }
    }

    /// A bearer token for the scope: cached, or fetched once even if many tasks ask at once.
    /// `refused` is a token the registry just refused, which must not be reused.
    async fn bearer(
        &self,
        registry: &str,
        realm: &Url,
        service: Option<&str>,
        scope: Option<&str>,
        refused: Option<&str>,
    ) -> Result<SentAuth, RegistryError> {
        let slot = self.inner.tokens.slot(registry, scope.unwrap_or(""));
        let mut cached = slot.lock().await;
        if let Some(token) = cached.as_ref() {
            let usable = token.expires_at > Instant::now() && Some(token.value.as_str()) != refused;
            if usable {
                return bearer_auth(registry, token);
            }
        }
        let credentials = self.credentials_for(registry).await?;
        let token = self
            .fetch_token(registry, realm, service, scope, credentials.as_ref())
            .await?;
        let auth = bearer_auth(registry, &token)?;
        *cached = Some(token);
        Ok(auth)
    }

    /// Asks the token service for a token: GET with Basic credentials (or anonymous), or a
    /// POST refresh-token grant for identity tokens.
    async fn fetch_token(
        &self,
        registry: &str,
        realm: &Url,
        service: Option<&str>,
        scope: Option<&str>,
        credentials: Option<&Credentials>,
    ) -> Result<BearerToken, RegistryError> {
        let request = match credentials.map(|c| (c.username(), c.secret())) {
            Some((_, Secret::IdentityToken(token))) => {
                let mut form = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token.as_str()),
                    ("client_id", CLIENT_ID),
                ];
                form.extend(service.map(|s| ("service", s)));
                form.extend(scope.map(|s| ("scope", s)));
                self.inner.http.post(realm.clone()).form(&form)
            }
            basic => {
                let mut url = realm.clone();
                if service.is_some() || scope.is_some() {
                    let mut query = url.query_pairs_mut();
                    if let Some(service) = service {
                        query.append_pair("service", service);
                    }
                    if let Some(scope) = scope {
                        query.append_pair("scope", scope);
                    }
                }
                let request = self.inner.http.get(url);
                match basic {
                    Some((username, Secret::Password(password))) => request.header(
                        AUTHORIZATION,
                        basic_auth(registry, username, password)?.header,
                    ),
                    _ => request,
                }
            }
        };
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(&e, registry))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(RegistryError::Unauthorized {
                host: registry.to_owned(),
                credentials_rejected: credentials.is_some(),
            });
        }
        if !status.is_success() {
            return Err(error_from_response(registry, &Subject::Api, response).await);
        }
        let body = read_limited(response, TOKEN_LIMIT, registry, "a token").await?;
        let bad = |found| RegistryError::BadResponse {
            host: registry.to_owned(),
            expected: "a token from the registry's token service",
            found,
        };
        let mut token = parse_json::<TokenResponse>(&body)
            .map_err(bad)?
            .into_token(Instant::now())
            .ok_or_else(|| bad("an answer without \"token\" or \"access_token\"".into()))?;
        token.with_credentials = credentials.is_some();
        Ok(token)
    }

    /// The challenge's realm as a URL we are willing to call.
    fn realm_url(&self, registry: &str, challenge: &Challenge) -> Result<Url, RegistryError> {
        let realm = challenge.realm().unwrap_or_default();
        let url = Url::parse(realm).map_err(|_| RegistryError::BadResponse {
            host: registry.to_owned(),
            expected: "an http(s) token realm URL in WWW-Authenticate",
            found: format!("{:?}", shorten(realm)),
        })?;
        match url.scheme() {
            "https" => Ok(url),
            "http" if self.plain_http_allowed_for(&url) => Ok(url),
            "http" => Err(RegistryError::InsecureTransport {
                host: registry.to_owned(),
                url: url.to_string(),
            }),
            _ => Err(RegistryError::BadResponse {
                host: registry.to_owned(),
                expected: "an http(s) token realm URL in WWW-Authenticate",
                found: format!("{:?}", shorten(realm)),
            }),
        }
    }

    /// Credentials for a registry from the docker store, looked up once per registry.
    async fn credentials_for(&self, registry: &str) -> Result<Option<Credentials>, RegistryError> {
        let Some(config) = &self.inner.docker_config else {
            return Ok(None);
        };
        let slot = lock(&self.inner.credentials)
            .entry(registry.to_owned())
            .or_default()
            .clone();
        let credentials = slot.get_or_try_init(|| config.get_async(registry)).await?;
        Ok(credentials.clone())
    }

    fn remember(&self, registry: &str, auth: KnownAuth) {
        lock(&self.inner.known_auth).insert(registry.to_owned(), auth);
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

    /// `https://HOST/v2/`, or `http://` for loopback and insecure registries.
    fn base_url(&self, registry: &str) -> Result<Url, RegistryError> {
        validate_registry(registry)?;
        let scheme = if self.plain_http_allowed(registry) {
            "http"
        } else {
            "https"
        };
        Url::parse(&format!("{scheme}://{}/v2/", api_host_for(registry)))
            .map_err(|e| RegistryError::Setup(format!("cannot make a URL for {registry}: {e}")))
    }

    /// `…/v2/<repository>/<tail…>`, each piece percent-encoded as a path segment.
    fn repo_url(&self, repo: &RepositoryRef, tail: &[&str]) -> Result<Url, RegistryError> {
        let mut url = self.base_url(repo.registry())?;
        url.path_segments_mut()
            .map_err(|()| RegistryError::Setup("registry URL cannot have a path".into()))?
            .pop_if_empty()
            .extend(repo.repository().split('/'))
            .extend(tail);
        Ok(url)
    }

    fn plain_http_allowed(&self, registry: &str) -> bool {
        is_loopback_host(registry) || self.inner.insecure.contains(registry)
    }

    fn plain_http_allowed_for(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let with_port = url
            .port()
            .map_or_else(|| host.to_owned(), |port| format!("{host}:{port}"));
        is_loopback_host(host)
            || self.inner.insecure.contains(host)
            || self.inner.insecure.contains(&with_port)
    }
}

/// Reads a body up to `limit` bytes; a larger (or endless) body is an error, not memory.
async fn read_limited(
    mut response: Response,
    limit: usize,
    registry: &str,
    what: &'static str,
) -> Result<Vec<u8>, RegistryError> {
    let too_large = || RegistryError::TooLarge {
        host: registry.to_owned(),
        what,
        limit,
    };
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(&e, registry))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Turns an unsuccessful answer into an error, using the registry's error JSON if any.
async fn error_from_response(
    registry: &str,
    subject: &Subject<'_>,
    response: Response,
) -> RegistryError {
    let status = response.status();
    let headers = response.headers().clone();
    // The error body is only decoration: if it cannot be read, the status still speaks.
    let body = read_limited(response, ERROR_BODY_LIMIT, registry, "an error message")
        .await
        .unwrap_or_default();
    let (code, message) = api_error(&body);
    let host = registry.to_owned();
    match status {
        StatusCode::NOT_FOUND => RegistryError::NotFound {
            host,
            missing: subject.missing(code.as_deref()),
        },
        StatusCode::TOO_MANY_REQUESTS => RegistryError::RateLimited {
            host,
            retry_at: retry_time(&headers, Utc::now()),
            quota: header_text(&headers, "ratelimit-limit")
                .or_else(|| header_text(&headers, "x-ratelimit-limit"))
                .map(|q| shorten(&q)),
        },
        StatusCode::FORBIDDEN => RegistryError::Forbidden { host, message },
        StatusCode::UNAUTHORIZED => RegistryError::Unauthorized {
            host,
            credentials_rejected: false,
        },
        _ => RegistryError::Status {
            host,
            status: status.as_u16(),
            message,
        },
    }
}

/// The first `{"errors":[{"code","message"}]}` entry, or short plain text.
fn api_error(body: &[u8]) -> (Option<String>, Option<String>) {
    if let Ok(parsed) = serde_json::from_slice::<ApiErrors>(body) {
        if let Some(first) = parsed.errors.into_iter().next() {
            let message = (!first.message.is_empty()).then(|| shorten(&first.message));
            return ((!first.code.is_empty()).then_some(first.code), message);
        }
        return (None, None);
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let plain = !text.is_empty() && !text.starts_with(['<', '{', '[']) && text.len() <= 200;
    (
        None,
        plain.then(|| shorten(text.lines().next().unwrap_or(text))),
    )
}

/// When a 429 says to come back: `Retry-After` (seconds or HTTP date), else `RateLimit-Reset`
/// (seconds, or a Unix time if large).
fn retry_time(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let in_seconds = |seconds: i64| {
        (0..=MAX_RETRY_DELAY)
            .contains(&seconds)
            .then(|| now + chrono::Duration::seconds(seconds))
    };
    if let Some(value) = header_text(headers, RETRY_AFTER.as_str()) {
        if let Ok(seconds) = value.trim().parse::<i64>() {
            return in_seconds(seconds);
        }
        if let Ok(date) = DateTime::parse_from_rfc2822(value.trim()) {
            return Some(date.with_timezone(&Utc));
        }
    }
    let reset = header_text(headers, "ratelimit-reset")
        .or_else(|| header_text(headers, "x-ratelimit-reset"))?;
    let number = reset.split(';').next()?.trim().parse::<i64>().ok()?;
    if number > 1_000_000_000 {
        DateTime::from_timestamp(number, 0)
    } else {
        in_seconds(number)
    }
}

fn challenges_of(headers: &HeaderMap) -> Vec<Challenge> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(parse_www_authenticate)
        .collect()
}

fn no_challenge(registry: &str) -> RegistryError {
    RegistryError::BadResponse {
        host: registry.to_owned(),
        expected: "a WWW-Authenticate challenge with its 401",
        found: "none".into(),
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn basic_auth(registry: &str, username: &str, password: &str) -> Result<SentAuth, RegistryError> {
    Ok(SentAuth {
        header: sensitive_header(registry, &basic_authorization(username, password))?,
        kind: SentKind::Basic,
        with_credentials: true,
    })
}

fn bearer_auth(registry: &str, token: &BearerToken) -> Result<SentAuth, RegistryError> {
    Ok(SentAuth {
        header: sensitive_header(registry, &format!("Bearer {}", token.value))?,
        kind: SentKind::Bearer(token.value.clone()),
        with_credentials: token.with_credentials,
    })
}

/// A header value marked sensitive, so it is never logged. Basic values are base64 and
/// always valid; a token with characters not allowed in headers came from a broken service.
fn sensitive_header(registry: &str, value: &str) -> Result<HeaderValue, RegistryError> {
    let mut header = HeaderValue::from_str(value).map_err(|_| RegistryError::BadResponse {
        host: registry.to_owned(),
        expected: "a token usable in an HTTP header",
        found: "characters not allowed in headers".into(),
    })?;
    header.set_sensitive(true);
    Ok(header)
}

fn validate_manifest_reference(reference: &str) -> Result<(), RegistryError> {
    if reference.contains(':') {
        validate_digest(reference)?;
    } else {
        validate_tag(reference)?;
    }
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps stay consistent even if a holder panicked: every update is a single insert.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Classifies a transport failure and names the registry.
fn transport_error(error: &reqwest::Error, registry: &str) -> RegistryError {
    let host = registry.to_owned();
    let detail = root_cause(error);
    if error.is_timeout() {
        RegistryError::Timeout { host }
    } else if is_tls_error(error) {
        RegistryError::Tls { host, detail }
    } else if error.is_connect() {
        RegistryError::Connect { host, detail }
    } else if error.is_redirect() {
        RegistryError::BadResponse {
            host,
            expected: "a sane redirect",
            found: detail,
        }
    } else {
        RegistryError::Interrupted { host, detail }
    }
}

/// The innermost cause's text, which says what actually happened ("Connection refused").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = cause_of(current) {
        current = next;
    }
    shorten(&current.to_string())
}

/// True if a rustls error is anywhere in the chain.
fn is_tls_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<rustls::Error>() {
            return true;
        }
        current = cause_of(e);
    }
    false
}

/// The next error in a chain. `io::Error::source()` skips the error it wraps (it returns
/// that error's own source), and TLS errors arrive wrapped in nested io::Errors, so step
/// into the wrapped error explicitly.
fn cause_of<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    if let Some(io) = error.downcast_ref::<std::io::Error>() {
        if let Some(inner) = io.get_ref() {
            return Some(inner);
        }
    }
    error.source()
}

fn error_chain_text(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let base = |r: &str| c.base_url(r).unwrap().to_string();
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
        assert!(c.base_url("evil.com/x?y").is_err());
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
    fn realms_over_plain_http_only_to_loopback() {
        let c = client(&["auth.internal"]);
        let challenge = |realm: &str| Challenge {
            scheme: AuthScheme::Bearer,
            params: vec![("realm".into(), realm.into())],
        };
        assert!(
            c.realm_url("r", &challenge("https://auth.example.com/token"))
                .is_ok()
        );
        assert!(
            c.realm_url("r", &challenge("http://127.0.0.1:9/token"))
                .is_ok()
        );
        assert!(
            c.realm_url("r", &challenge("http://auth.internal/token"))
                .is_ok()
        );
        assert!(matches!(
            c.realm_url("r", &challenge("http://auth.example.com/token")),
            Err(RegistryError::InsecureTransport { .. })
        ));
        assert!(matches!(
            c.realm_url("r", &challenge("file:///etc/passwd")),
            Err(RegistryError::BadResponse { .. })
        ));
        assert!(matches!(
            c.realm_url("r", &challenge("not a url")),
            Err(RegistryError::BadResponse { .. })
        ));
    }

    #[test]
    fn retry_after_forms() {
        let now = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_str(value).unwrap());
            }
            map
        };
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            retry_time(&headers(&[("retry-after", "120")]), now),
            Some(at("2030-01-01T00:02:00Z"))
        );
        assert_eq!(
            retry_time(
                &headers(&[("retry-after", "Wed, 02 Jan 2030 03:04:05 GMT")]),
                now
            ),
            Some(at("2030-01-02T03:04:05Z"))
        );
        assert_eq!(
            retry_time(&headers(&[("ratelimit-reset", "30")]), now),
            Some(at("2030-01-01T00:00:30Z"))
        );
        assert_eq!(
            retry_time(&headers(&[("x-ratelimit-reset", "1893456000")]), now),
            Some(at("2030-01-01T00:00:00Z"))
        );
        assert_eq!(retry_time(&headers(&[("retry-after", "-5")]), now), None);
        assert_eq!(retry_time(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_time(&headers(&[]), now), None);
    }

    #[test]
    fn registry_error_bodies() {
        let (code, message) = api_error(
            br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{}}]}"#,
        );
        assert_eq!(code.as_deref(), Some("NAME_UNKNOWN"));
        assert_eq!(
            message.as_deref(),
            Some("repository name not known to registry")
        );
        assert_eq!(api_error(b"<html>oops</html>"), (None, None));
        assert_eq!(
            api_error(b"upstream down\nmore"),
            (None, Some("upstream down".into()))
        );
        assert_eq!(api_error(b""), (None, None));
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
