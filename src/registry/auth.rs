//! Registry authentication: `WWW-Authenticate` challenges, Basic headers and the bearer token cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

/// An authentication scheme named in a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Basic`: send the username and password with every request.
    Basic,
    /// `Bearer`: get a token from the realm, send it with every request.
    Bearer,
    /// Any other scheme, lowercased.
    Other(String),
}

/// One challenge from a `WWW-Authenticate` header: a scheme and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme.
    pub scheme: AuthScheme,
    /// Parameters in order, names lowercased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of a parameter, by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The `realm` parameter: the token endpoint for Bearer.
    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }

    /// The `service` parameter sent back to the token endpoint.
    pub fn service(&self) -> Option<&str> {
        self.param("service")
    }

    /// The `scope` parameter the registry asked for.
    pub fn scope(&self) -> Option<&str> {
        self.param("scope")
    }
}

/// Parses one `WWW-Authenticate` header value, which may hold several challenges.
///
/// Follows RFC 7235: `scheme param=value, param="quoted, with \" escapes", Scheme2 …`.
/// Never fails: unparseable pieces are skipped.
pub fn parse_www_authenticate(header: &str) -> Vec<Challenge> {
    let mut parser = Parser {
        chars: header.chars().collect(),
        at: 0,
    };
    let mut challenges = Vec::new();
    loop {
        parser.skip(|c| c == ',' || c.is_whitespace());
        if parser.done() {
            break;
        }
        let scheme = parser.token();
        if scheme.is_empty() {
            parser.at += 1; // not a token character: skip it
            continue;
        }
        let mut params = Vec::new();
        loop {
            let start = parser.at;
            parser.skip(|c| c == ',' || c.is_whitespace());
            let name = parser.token();
            parser.skip(|c| c == ' ' || c == '\t');
            if name.is_empty() || parser.peek() != Some('=') {
                parser.at = start; // the next challenge starts here
                break;
            }
            parser.at += 1;
            parser.skip(|c| c == ' ' || c == '\t');
            let value = if parser.peek() == Some('"') {
                parser.quoted()
            } else {
                parser.take_while(|c| c != ',' && !c.is_whitespace())
            };
            params.push((name.to_ascii_lowercase(), value));
        }
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "basic" => AuthScheme::Basic,
            "bearer" => AuthScheme::Bearer,
            other => AuthScheme::Other(other.to_owned()),
        };
        challenges.push(Challenge { scheme, params });
    }
    challenges
}

/// The challenge to answer: Bearer with a realm if offered, else Basic.
pub fn preferred_challenge(challenges: &[Challenge]) -> Option<&Challenge> {
    challenges
        .iter()
        .find(|c| c.scheme == AuthScheme::Bearer && c.realm().is_some())
        .or_else(|| challenges.iter().find(|c| c.scheme == AuthScheme::Basic))
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn done(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip(&mut self, what: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&what) {
            self.at += 1;
        }
    }

    fn take_while(&mut self, what: impl Fn(char) -> bool) -> String {
        let start = self.at;
        self.skip(what);
        self.chars[start..self.at].iter().collect()
    }

    /// An RFC 7230 token: visible ASCII except separators.
    fn token(&mut self) -> String {
        self.take_while(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
    }

    /// A quoted string starting at `"`; backslash escapes the next character. Unterminated
    /// strings run to the end of the header.
    fn quoted(&mut self) -> String {
        self.at += 1;
        let mut value = String::new();
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '"' => break,
                '\\' => {
                    if let Some(escaped) = self.peek() {
                        value.push(escaped);
                        self.at += 1;
                    }
                }
                _ => value.push(c),
            }
        }
        value
    }
}

/// `Basic base64(username:password)`.
pub fn basic_authorization(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{username}:{password}"))
    )
}

/// A token endpoint's answer (`token` per the distribution spec, `access_token` per OAuth2).
#[derive(Debug, Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Number>,
}

/// Tokens live at least this long: the distribution spec's default and docker's minimum.
const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// A cap on lifetimes so a hostile `expires_in` cannot pin a token forever.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// Renew a little early so a token does not expire in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);

impl TokenResponse {
    /// The token and when to stop using it; `None` if the answer holds no token.
    pub(crate) fn into_token(self, now: Instant) -> Option<BearerToken> {
        let value = self
            .token
            .filter(|t| !t.is_empty())
            .or(self.access_token.filter(|t| !t.is_empty()))?;
        let lifetime = self
            .expires_in
            .and_then(|n| n.as_u64())
            .map(Duration::from_secs)
            .unwrap_or(MIN_TOKEN_LIFETIME)
            .clamp(MIN_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME);
        Some(BearerToken {
            value,
            expires_at: now + lifetime - EXPIRY_MARGIN,
            with_credentials: false,
        })
    }
}

/// A bearer token and the instant it should no longer be used.
#[derive(Clone)]
pub(crate) struct BearerToken {
    pub(crate) value: String,
    pub(crate) expires_at: Instant,
    /// True if the token was obtained with the user's credentials.
    pub(crate) with_credentials: bool,
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerToken")
            .field("value", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// One cache entry; its async lock makes concurrent requesters of the same scope wait for
/// a single token request instead of each sending their own.
pub(crate) type TokenSlot = Arc<tokio::sync::Mutex<Option<BearerToken>>>;

/// Bearer tokens per (registry, scope), kept until they expire.
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<(String, String), TokenSlot>>,
}

impl TokenCache {
    /// The slot for a registry and scope, created empty on first use.
    pub(crate) fn slot(&self, registry: &str, scope: &str) -> TokenSlot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots
            .entry((registry.to_owned(), scope.to_owned()))
            .or_default()
            .clone()
    }

    /// Drops every token of a registry (after login or logout).
    pub(crate) fn forget(&self, registry: &str) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.retain(|(host, _), _| host != registry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_with_realm_service_scope() {
        let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#;
        let challenges = parse_www_authenticate(header);
        assert_eq!(challenges.len(), 1);
        let c = &challenges[0];
        assert_eq!(c.scheme, AuthScheme::Bearer);
        assert_eq!(c.realm(), Some("https://auth.docker.io/token"));
        assert_eq!(c.service(), Some("registry.docker.io"));
        assert_eq!(c.scope(), Some("repository:library/nginx:pull"));
    }

    #[test]
    fn basic_and_case_insensitive_names() {
        let challenges = parse_www_authenticate(r#"basic REALM="Registry Realm""#);
        assert_eq!(challenges[0].scheme, AuthScheme::Basic);
        assert_eq!(challenges[0].realm(), Some("Registry Realm"));
    }

    #[test]
    fn commas_and_escapes_inside_quotes() {
        let header = r#"Bearer realm="https://a/token?x=1,2",scope="repository:a:pull,push",error="say \"hi\", \\ok""#;
        let c = &parse_www_authenticate(header)[0];
        assert_eq!(c.realm(), Some("https://a/token?x=1,2"));
        assert_eq!(c.scope(), Some("repository:a:pull,push"));
        assert_eq!(c.param("error"), Some(r#"say "hi", \ok"#));
    }

    #[test]
    fn several_challenges_in_one_header() {
        let header = r#"Basic realm="basic, realm", Bearer realm="https://t/token", service=reg ,  scope="s""#;
        let challenges = parse_www_authenticate(header);
        assert_eq!(challenges.len(), 2);
        assert_eq!(challenges[0].scheme, AuthScheme::Basic);
        assert_eq!(challenges[0].realm(), Some("basic, realm"));
        assert_eq!(challenges[1].scheme, AuthScheme::Bearer);
        assert_eq!(challenges[1].realm(), Some("https://t/token"));
        assert_eq!(challenges[1].service(), Some("reg"));
        assert_eq!(challenges[1].scope(), Some("s"));
        // Bearer is preferred when both are offered.
        assert_eq!(preferred_challenge(&challenges), Some(&challenges[1]));
    }

    #[test]
    fn schemes_without_params_and_token68() {
        let challenges = parse_www_authenticate("Negotiate abc==, Basic, Bearer");
        let schemes: Vec<_> = challenges.iter().map(|c| c.scheme.clone()).collect();
        assert_eq!(
            schemes,
            vec![
                AuthScheme::Other("negotiate".into()),
                AuthScheme::Basic,
                AuthScheme::Bearer
            ]
        );
        // A Bearer without a realm cannot be answered; Basic can.
        assert_eq!(preferred_challenge(&challenges), Some(&challenges[1]));
    }

    #[test]
    fn garbage_never_panics() {
        for header in [
            "",
            ",,,",
            "\"",
            "Bearer realm=\"unterminated",
            "Bearer realm=",
            "Bearer =x",
            "= = =",
            "Bearer realm=\"a\\",
            "☃ Bearer realm=\"x\"",
            "Bearer,,realm=\"x\"",
        ] {
            let _ = parse_www_authenticate(header);
        }
        let c = &parse_www_authenticate("Bearer realm=\"unterminated")[0];
        assert_eq!(c.realm(), Some("unterminated"));
        let c = parse_www_authenticate("☃ Bearer realm=\"x\"");
        assert_eq!(c[0].realm(), Some("x"));
        assert!(preferred_challenge(&parse_www_authenticate("")).is_none());
    }

    #[test]
    fn basic_header_encoding() {
        assert_eq!(
            basic_authorization("user", "pa:ss"),
            "Basic dXNlcjpwYTpzcw=="
        );
    }

    #[test]
    fn token_lifetimes_are_clamped() {
        let now = Instant::now();
        let parse = |json: &str| serde_json::from_str::<TokenResponse>(json).unwrap();
        let t = parse(r#"{"token":"a","expires_in":300}"#)
            .into_token(now)
            .unwrap();
        assert_eq!(t.value, "a");
        assert_eq!(t.expires_at, now + Duration::from_secs(290));
        let t = parse(r#"{"access_token":"b","expires_in":5}"#)
            .into_token(now)
            .unwrap();
        assert_eq!(t.value, "b");
        assert_eq!(t.expires_at, now + Duration::from_secs(50));
        let t = parse(r#"{"token":"","access_token":"c","expires_in":-3}"#)
            .into_token(now)
            .unwrap();
        assert_eq!(t.value, "c");
        assert_eq!(t.expires_at, now + Duration::from_secs(50));
        let t = parse(r#"{"token":"d","expires_in":1e300}"#)
            .into_token(now)
            .unwrap();
        assert_eq!(t.expires_at, now + Duration::from_secs(50));
        let t = parse(r#"{"token":"e","expires_in":99999999999}"#)
            .into_token(now)
            .unwrap();
        assert_eq!(t.expires_at, now + MAX_TOKEN_LIFETIME - EXPIRY_MARGIN);
        assert!(parse(r#"{"expires_in":60}"#).into_token(now).is_none());
        assert!(parse(r#"{"token":""}"#).into_token(now).is_none());
        let shown = format!("{t:?}");
        assert!(
            shown.contains("<redacted>") && !shown.contains("\"e\""),
            "{shown}"
        );
    }

    #[test]
    fn token_cache_slots_are_shared_per_scope() {
        let cache = TokenCache::default();
        let a = cache.slot("h:1", "repository:a:pull");
        let again = cache.slot("h:1", "repository:a:pull");
        let other = cache.slot("h:1", "repository:b:pull");
        assert!(Arc::ptr_eq(&a, &again));
        assert!(!Arc::ptr_eq(&a, &other));
        cache.forget("h:1");
        assert!(!Arc::ptr_eq(&a, &cache.slot("h:1", "repository:a:pull")));
    }
}
