//! Turning answers into results: size-capped body reading, HTTP statuses and the registry's
//! error JSON into `RegistryError`, rate-limit headers, and transport failures by kind.

use std::error::Error as _;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use serde::Deserialize;

use crate::registry::error::{Missing, RegistryError};
use crate::registry::manifest::shorten;

const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// A `Retry-After` further away than this is treated as nonsense.
const MAX_RETRY_DELAY: i64 = 7 * 24 * 60 * 60;

/// Reads a body up to `limit` bytes; a larger (or endless) body is an error, not memory.
pub(super) async fn read_limited(
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
pub(super) async fn error_from_response(
    registry: &str,
    response: Response,
    missing: impl FnOnce(Option<&str>) -> Missing,
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
            missing: missing(code.as_deref()),
        },
        StatusCode::TOO_MANY_REQUESTS => RegistryError::RateLimited {
            host,
            retry_at: retry_time(&headers, Utc::now()),
            quota: header_text(&headers, "ratelimit-limit")
                .or_else(|| header_text(&headers, "x-ratelimit-limit"))
                .map(|q| shorten(&q)),
            logged_in: false,
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
        // Docker Hub's API: `{"message": …}` or `{"detail": …}`.
        return (None, message_field(body));
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let plain = !text.is_empty() && !text.starts_with(['<', '{', '[']) && text.len() <= 200;
    (
        None,
        plain.then(|| shorten(text.lines().next().unwrap_or(text))),
    )
}

/// The message of an error body written as `{"message": …}` or `{"detail": …}` (Docker
/// Hub's API), shortened.
fn message_field(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["message", "detail"]
        .iter()
        .find_map(|field| value.get(field).and_then(serde_json::Value::as_str))
        .filter(|m| !m.trim().is_empty())
        .map(|m| shorten(m.trim()))
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

/// A header's value as trimmed text; `None` if absent, empty or not visible ASCII.
pub(super) fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Classifies a transport failure and names the registry.
pub(super) fn transport_error(error: &reqwest::Error, registry: &str) -> RegistryError {
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
    if let Some(io) = error.downcast_ref::<std::io::Error>()
        && let Some(inner) = io.get_ref()
    {
        return Some(inner);
    }
    error.source()
}

pub(super) fn error_chain_text(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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
        assert_eq!(
            api_error(br#"{"message":"object not found","errinfo":{}}"#),
            (None, Some("object not found".into()))
        );
        assert_eq!(
            api_error(br#"{"detail":"Not found."}"#),
            (None, Some("Not found.".into()))
        );
    }
}
