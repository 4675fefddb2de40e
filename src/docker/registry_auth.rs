//! The `X-Registry-Auth` header the engine reads for pull and push.
//!
//! The engine decodes it as URL-safe base64 and silently drops what it cannot decode, while
//! bollard encodes with the standard alphabet: a password with `+`, `/` or `>` then fails
//! with "no basic auth credentials". wharf encodes its own headers URL-safe and re-encodes
//! bollard's on the way out.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use serde::Serialize;

use crate::registry::{Credentials, Secret};

const HEADER: &str = "X-Registry-Auth";

#[derive(Serialize)]
struct AuthConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identitytoken: Option<&'a str>,
    serveraddress: &'a str,
}

/// The JSON the engine expects for `/auth` and inside `X-Registry-Auth`.
pub(crate) fn auth_config_json(credentials: Option<&Credentials>, server: &str) -> Vec<u8> {
    let config = match credentials {
        Some(c) => match c.secret() {
            Secret::Password(password) => AuthConfig {
                username: Some(c.username()),
                password: Some(password),
                identitytoken: None,
                serveraddress: server,
            },
            Secret::IdentityToken(token) => AuthConfig {
                username: None,
                password: None,
                identitytoken: Some(token),
                serveraddress: server,
            },
        },
        None => AuthConfig {
            username: None,
            password: None,
            identitytoken: None,
            serveraddress: server,
        },
    };
    serde_json::to_vec(&config).unwrap_or_default()
}

/// The header value: URL-safe base64 of the auth JSON.
pub(crate) fn registry_auth_header(credentials: Option<&Credentials>, server: &str) -> String {
    URL_SAFE.encode(auth_config_json(credentials, server))
}

/// Request modifier: re-encodes bollard's standard-base64 header as URL-safe base64.
pub(crate) fn fix_registry_auth_header(
    mut request: bollard::BollardRequest,
) -> bollard::BollardRequest {
    let fixed = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| STANDARD.decode(v).ok())
        .map(|json| URL_SAFE.encode(json))
        .and_then(|v| http::HeaderValue::from_str(&v).ok());
    if let Some(value) = fixed {
        request.headers_mut().insert(HEADER, value);
    }
    request
}

/// The bollard form of credentials, for calls that go through bollard.
pub(crate) fn bollard_credentials(
    credentials: Option<&Credentials>,
    server: &str,
) -> Option<bollard::auth::DockerCredentials> {
    let credentials = credentials?;
    let mut out = bollard::auth::DockerCredentials {
        serveraddress: Some(server.to_string()),
        ..Default::default()
    };
    match credentials.secret() {
        Secret::Password(password) => {
            out.username = Some(credentials.username().to_string());
            out.password = Some(password.clone());
        }
        Secret::IdentityToken(token) => out.identitytoken = Some(token.clone()),
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_url_safe_and_round_trips() {
        let creds = Credentials::password("user", "abc>>>def+/=");
        let header = registry_auth_header(Some(&creds), "localhost:5000");
        assert!(!header.contains('+') && !header.contains('/'), "{header}");
        let json: serde_json::Value =
            serde_json::from_slice(&URL_SAFE.decode(&header).unwrap()).unwrap();
        assert_eq!(json["password"], "abc>>>def+/=");
        assert_eq!(json["serveraddress"], "localhost:5000");
    }

    #[test]
    fn modifier_re_encodes_standard_base64() {
        let json = br#"{"username":"u","password":"abc>>>def?"}"#;
        let standard = STANDARD.encode(json);
        assert!(
            standard.contains('+') || standard.contains('/'),
            "test input must differ"
        );
        let request = http::Request::builder()
            .header(HEADER, standard)
            .body(bollard::body_full(bytes::Bytes::new()))
            .unwrap();
        let fixed = fix_registry_auth_header(request);
        let value = fixed
            .headers()
            .get(HEADER)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(URL_SAFE.decode(value).unwrap(), json);
    }

    #[test]
    fn identity_tokens_go_as_identitytoken() {
        let creds = Credentials::identity_token("<token>", "refresh");
        let json: serde_json::Value =
            serde_json::from_slice(&auth_config_json(Some(&creds), "r.example")).unwrap();
        assert_eq!(json["identitytoken"], "refresh");
        assert!(json.get("password").is_none());
    }
}
