//! Sending requests with challenge-driven auth: anonymous first (or what worked before), then
//! Basic credentials or a bearer token for the call's scope, from a single-flight token cache.

use std::time::Instant;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use reqwest::{Method, Response, StatusCode, Url};

use super::responses::{error_from_response, read_limited, transport_error};
use super::session::{CLIENT_ID, KnownAuth, Session, lock};
use super::subject::Subject;
use crate::registry::auth::{
    AuthScheme, BearerToken, Challenge, TokenResponse, basic_authorization, parse_www_authenticate,
    preferred_challenge,
};
use crate::registry::credentials::{Credentials, Secret};
use crate::registry::error::{Missing, RegistryError};
use crate::registry::manifest::{parse_json, shorten};

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

/// Tokens are small; anything larger is not a token service's answer.
const TOKEN_LIMIT: usize = 1024 * 1024;

impl Session {
    /// Checks a username and secret against a registry, as `docker login` does: `GET /v2/`
    /// and its challenge. Uses nothing cached and caches nothing.
    pub(super) async fn check_credentials(
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
            return Err(error_from_response(registry, response, |_| Missing::Api).await);
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
            _ => Err(error_from_response(registry, response, |_| Missing::Api).await),
        }
    }

    /// Sends a request, answering one 401 challenge; maps unsuccessful statuses to errors.
    pub(super) async fn send(
        &self,
        registry: &str,
        subject: &Subject<'_>,
        method: Method,
        url: Url,
        accept: Option<&'static str>,
    ) -> Result<Response, RegistryError> {
        self.send_with_timeout(registry, subject, method, url, accept, None)
            .await
    }

    /// [`Self::send`] with its own time budget for the whole answer (a layer blob may take
    /// longer than the client's default).
    pub(super) async fn send_with_timeout(
        &self,
        registry: &str,
        subject: &Subject<'_>,
        method: Method,
        url: Url,
        accept: Option<&'static str>,
        timeout: Option<std::time::Duration>,
    ) -> Result<Response, RegistryError> {
        let scope = subject.scope();
        let mut auth = self.auth_up_front(registry, scope.as_deref()).await?;
        let mut answered_challenge = false;
        loop {
            let response = self
                .send_once_with(
                    registry,
                    method.clone(),
                    url.clone(),
                    accept,
                    auth.as_ref(),
                    timeout,
                )
                .await?;
            if matches!(subject, Subject::Manifest(..)) {
                self.note_rate_limit(registry, response.headers());
            }
            if response.status().is_success() {
                return Ok(response);
            }
            if response.status() != StatusCode::UNAUTHORIZED {
                let error =
                    error_from_response(registry, response, |code| subject.missing(code)).await;
                return Err(
                    error.with_login_state(auth.as_ref().is_some_and(|a| a.with_credentials))
                );
            }
            let rejected = auth.as_ref().is_some_and(|a| a.with_credentials);
            let unauthorized = RegistryError::Unauthorized {
                host: registry.to_owned(),
                credentials_rejected: rejected,
            };
            if answered_challenge {
                if rejected {
                    // Read the store again next time: the user may log in elsewhere.
                    lock(&self.credentials).remove(registry);
                }
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
        self.send_once_with(registry, method, url, accept, auth, None)
            .await
    }

    async fn send_once_with(
        &self,
        registry: &str,
        method: Method,
        url: Url,
        accept: Option<&'static str>,
        auth: Option<&SentAuth>,
        timeout: Option<std::time::Duration>,
    ) -> Result<Response, RegistryError> {
        let mut request = self.http.request(method, url);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
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
        let known = lock(&self.known_auth).get(registry).cloned();
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
        let slot = self.tokens.slot(registry, scope.unwrap_or(""));
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
                self.http.post(realm.clone()).form(&form)
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
                let request = self.http.get(url);
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
            return Err(error_from_response(registry, response, |_| Missing::Api).await);
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

    /// Credentials for a registry from the docker store, looked up once per registry while
    /// there are some. "None" is not remembered: a `docker login` in another shell must be
    /// seen at the next request.
    pub(super) async fn credentials_for(
        &self,
        registry: &str,
    ) -> Result<Option<Credentials>, RegistryError> {
        let Some(config) = &self.docker_config else {
            return Ok(None);
        };
        let slot = lock(&self.credentials)
            .entry(registry.to_owned())
            .or_default()
            .clone();
        let credentials = slot
            .get_or_try_init(|| config.get_async(registry))
            .await?
            .clone();
        if credentials.is_none() {
            lock(&self.credentials).remove(registry);
        }
        Ok(credentials)
    }

    fn remember(&self, registry: &str, auth: KnownAuth) {
        lock(&self.known_auth).insert(registry.to_owned(), auth);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(insecure: &[&str]) -> Session {
        let insecure = insecure.iter().map(|s| s.to_string()).collect();
        crate::registry::install_crypto_provider();
        let hub = Url::parse(crate::registry::hub::DEFAULT_HUB_API).unwrap();
        Session::new(reqwest::Client::new(), insecure, None, hub)
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
}
