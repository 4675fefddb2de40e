//! What the requests of one client share: the HTTP client, which registries speak plain
//! HTTP, credentials looked up once, the auth scheme each registry asked for, and tokens.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use chrono::Utc;
use reqwest::Url;
use reqwest::header::HeaderMap;

use super::responses::header_text;
use crate::registry::auth::TokenCache;
use crate::registry::credentials::{Credentials, DockerConfig};
use crate::registry::error::RegistryError;
use crate::registry::rate_limit::RateLimit;
use crate::registry::reference::{api_host_for, is_loopback_host, validate_registry};

/// Identifies wharf to token services.
pub(super) const CLIENT_ID: &str = "wharf";

/// The scheme a registry asked for, remembered so later calls authenticate up front.
#[derive(Debug, Clone)]
pub(super) enum KnownAuth {
    Basic,
    Bearer { realm: Url, service: Option<String> },
}

/// What every request of a client shares: the HTTP client, the registries reached over
/// plain HTTP, and what was learnt about each registry's auth.
pub(super) struct Session {
    pub(super) http: reqwest::Client,
    pub(super) insecure: HashSet<String>,
    pub(super) docker_config: Option<DockerConfig>,
    /// Credentials per registry, looked up once (single-flight per registry).
    pub(super) credentials: Mutex<HashMap<String, CredentialSlot>>,
    /// The scheme each registry asked for, so later calls authenticate up front.
    pub(super) known_auth: Mutex<HashMap<String, KnownAuth>>,
    pub(super) tokens: TokenCache,
    /// Docker Hub's own API (`https://hub.docker.com`, or what the options say).
    pub(super) hub_api: Url,
    /// A Docker Hub API access token and when it stops being used.
    pub(super) hub_token: tokio::sync::Mutex<Option<(String, Instant)>>,
    /// The last pull quota each registry announced with a manifest.
    pub(super) rate_limits: Mutex<HashMap<String, RateLimit>>,
    /// Whether each registry answered as a Harbor (only definite answers are kept).
    pub(super) harbor: Mutex<HashMap<String, bool>>,
}

pub(super) type CredentialSlot = Arc<tokio::sync::OnceCell<Option<Credentials>>>;

impl Session {
    pub(super) fn new(
        http: reqwest::Client,
        insecure: Vec<String>,
        docker_config: Option<DockerConfig>,
        hub_api: Url,
    ) -> Session {
        Session {
            http,
            insecure: insecure.into_iter().collect(),
            docker_config,
            credentials: Mutex::default(),
            known_auth: Mutex::default(),
            tokens: TokenCache::default(),
            hub_api,
            hub_token: tokio::sync::Mutex::default(),
            rate_limits: Mutex::default(),
            harbor: Mutex::default(),
        }
    }

    /// Keeps the pull quota a manifest answer announced (`ratelimit-*` headers), if any.
    pub(super) fn note_rate_limit(&self, registry: &str, headers: &HeaderMap) {
        let limit = header_text(headers, "ratelimit-limit");
        let remaining = header_text(headers, "ratelimit-remaining");
        let source = header_text(headers, "docker-ratelimit-source");
        if let Some(rate_limit) = RateLimit::from_headers(
            limit.as_deref(),
            remaining.as_deref(),
            source.as_deref(),
            Utc::now(),
        ) {
            lock(&self.rate_limits).insert(registry.to_owned(), rate_limit);
        }
    }

    /// `https://HOST/v2/`, or `http://` for loopback and insecure registries.
    pub(super) fn base_url(&self, registry: &str) -> Result<Url, RegistryError> {
        validate_registry(registry)?;
        let scheme = if self.plain_http_allowed(registry) {
            "http"
        } else {
            "https"
        };
        Url::parse(&format!("{scheme}://{}/v2/", api_host_for(registry)))
            .map_err(|e| RegistryError::Setup(format!("cannot make a URL for {registry}: {e}")))
    }

    fn plain_http_allowed(&self, registry: &str) -> bool {
        is_loopback_host(registry) || self.insecure.contains(registry)
    }

    pub(super) fn plain_http_allowed_for(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let with_port = url
            .port()
            .map_or_else(|| host.to_owned(), |port| format!("{host}:{port}"));
        is_loopback_host(host) || self.insecure.contains(host) || self.insecure.contains(&with_port)
    }

    /// Forgets a registry's cached credentials, tokens and auth scheme.
    pub(super) fn forget(&self, registry: &str) {
        lock(&self.credentials).remove(registry);
        lock(&self.known_auth).remove(registry);
        self.tokens.forget(registry);
        if registry == crate::registry::reference::DOCKER_HUB {
            // The Hub API token belongs to the Docker Hub login.
            if let Ok(mut token) = self.hub_token.try_lock() {
                *token = None;
            }
        }
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps stay consistent even if a holder panicked: every update is a single insert.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
