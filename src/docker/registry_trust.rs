//! Which registries the engine reaches without TLS checks, and what to tell a user whose
//! push, pull or login the engine refused for that reason.
//!
//! The engine speaks HTTPS to every registry except loopback ones (`127.0.0.0/8`) and those
//! listed as `insecure-registries` in its `daemon.json`. To a registry that answers plain
//! HTTP it then fails with Go's own words, passed on verbatim:
//!
//! ```text
//! Get "https://10.0.0.5:5000/v2/": http: server gave HTTP response to HTTPS client
//! ```
//!
//! (`Get https://…: …` without quotes from engines built with Go before 1.14), or with
//! `tls: first record does not look like a TLS handshake` when the answer is not HTTP
//! either. A registry with a certificate the engine does not trust fails with `x509: …`.

use std::net::IpAddr;

use bollard::models::RegistryServiceConfig;

use super::engine::Engine;
use super::error::{EngineError, EngineErrorKind};

/// Where the engine's configuration lives on Linux.
pub const DAEMON_JSON: &str = "/etc/docker/daemon.json";

/// Why the engine would not talk to a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryRefusal {
    /// The registry speaks plain HTTP and the engine does not list it as insecure.
    PlainHttp { registry: String },
    /// The registry's TLS certificate is not trusted by the engine.
    UntrustedCertificate { registry: String, detail: String },
}

impl RegistryRefusal {
    /// Recognises the engine's refusal in an error message about `registry` (as named in
    /// references, `host:port`).
    pub fn detect(message: &str, registry: &str) -> Option<RegistryRefusal> {
        if message.contains("server gave HTTP response to HTTPS client")
            || message.contains("first record does not look like a TLS handshake")
        {
            return Some(RegistryRefusal::PlainHttp {
                registry: registry.to_string(),
            });
        }
        let x509 = message.find("x509: ")?;
        Some(RegistryRefusal::UntrustedCertificate {
            registry: registry.to_string(),
            detail: message[x509..].trim().to_string(),
        })
    }

    /// The line to add to `daemon.json`.
    pub fn daemon_json_line(&self) -> String {
        let (RegistryRefusal::PlainHttp { registry }
        | RegistryRefusal::UntrustedCertificate { registry, .. }) = self;
        format!("\"insecure-registries\": [\"{registry}\"]")
    }

    /// The refusal as a message and a hint.
    pub fn to_error(&self) -> EngineError {
        match self {
            RegistryRefusal::PlainHttp { registry } => EngineError::new(
                EngineErrorKind::Other,
                format!(
                    "the Docker engine will not use {registry} over plain HTTP: it speaks HTTPS to every registry not listed as insecure"
                ),
            )
            .with_hint(format!(
                "Add {} to {DAEMON_JSON} (inside its {{ }}, beside any other settings), then restart the Docker engine (sudo systemctl restart docker).",
                self.daemon_json_line()
            )),
            RegistryRefusal::UntrustedCertificate { registry, detail } => EngineError::new(
                EngineErrorKind::Other,
                format!("the Docker engine does not trust the certificate of {registry} ({detail})"),
            )
            .with_hint(format!(
                "Put the registry's CA certificate in /etc/docker/certs.d/{registry}/ca.crt, or add {} to {DAEMON_JSON} and restart the Docker engine.",
                self.daemon_json_line()
            )),
        }
    }
}

impl EngineError {
    /// This error, explained when it is the engine refusing `registry` for want of
    /// `insecure-registries` (or trust in its certificate); otherwise unchanged.
    pub fn explain_registry_refusal(self, registry: &str) -> EngineError {
        match RegistryRefusal::detect(&self.message, registry) {
            Some(refusal) => refusal.to_error(),
            None => self,
        }
    }
}

/// The engine's registry settings, as `docker info` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrySettings {
    /// Registries by name (`myhost:5000`) and address ranges (`127.0.0.0/8`) the engine
    /// reaches over plain HTTP or without certificate checks; names first, as `docker info`.
    pub insecure_registries: Vec<String>,
    /// Pull-through mirrors of Docker Hub.
    pub mirrors: Vec<String>,
}

impl RegistrySettings {
    /// Whether the engine treats `registry` (`host[:port]`) as insecure: `Some(true)` when
    /// listed by name or when its address is in a listed range, `Some(false)` when it is an
    /// address in none; `None` for a host name not listed (its address is unknown here).
    pub fn is_insecure(&self, registry: &str) -> Option<bool> {
        if self.insecure_registries.iter().any(|r| r == registry) {
            return Some(true);
        }
        let host = host_of(registry);
        let ip: IpAddr = host.parse().ok()?;
        Some(
            self.insecure_registries
                .iter()
                .filter_map(|range| parse_cidr(range))
                .any(|(network, prefix)| in_range(ip, network, prefix)),
        )
    }
}

impl Engine {
    /// The engine's insecure registries and mirrors (`docker info`), for `:info`.
    pub async fn registry_settings(&self) -> Result<RegistrySettings, EngineError> {
        let info = self.docker.info().await.map_err(|e| self.error(e))?;
        Ok(settings_from(info.registry_config))
    }
}

pub(super) fn settings_from(config: Option<RegistryServiceConfig>) -> RegistrySettings {
    let config = config.unwrap_or_default();
    let mut names: Vec<String> = config
        .index_configs
        .unwrap_or_default()
        .into_values()
        .filter(|index| index.secure == Some(false))
        .filter_map(|index| index.name)
        .collect();
    names.sort();
    names.extend(config.insecure_registry_cidrs.unwrap_or_default());
    RegistrySettings {
        insecure_registries: names,
        mirrors: config.mirrors.unwrap_or_default(),
    }
}

/// `host:port` → `host`, `[::1]:5000` → `::1`.
fn host_of(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match registry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => registry,
    }
}

fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = text.split_once('/')?;
    Some((address.parse().ok()?, prefix.parse().ok()?))
}

fn in_range(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) if prefix <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) if prefix <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::SystemInfo;

    /// The engine's words (20.10, built with Go 1.19), from a login to a plain-HTTP
    /// registry it does not list as insecure.
    const PLAIN_HTTP: &str =
        "Get \"https://10.0.0.5:5000/v2/\": http: server gave HTTP response to HTTPS client";

    #[test]
    fn a_plain_http_refusal_says_what_to_add_and_to_restart() {
        let error =
            EngineError::answered(Some(500), PLAIN_HTTP).explain_registry_refusal("10.0.0.5:5000");
        assert!(error.message.contains("10.0.0.5:5000"), "{}", error.message);
        assert!(error.message.contains("plain HTTP"), "{}", error.message);
        let hint = error.hint.unwrap();
        assert!(
            hint.contains(r#""insecure-registries": ["10.0.0.5:5000"]"#),
            "{hint}"
        );
        assert!(hint.contains("/etc/docker/daemon.json"), "{hint}");
        assert!(hint.contains("restart the Docker engine"), "{hint}");
    }

    #[test]
    fn older_and_non_http_wordings_are_recognised_too() {
        for message in [
            "Get https://10.0.0.5:5000/v2/: http: server gave HTTP response to HTTPS client",
            "Get \"https://10.0.0.5:5000/v2/\": tls: first record does not look like a TLS handshake",
        ] {
            assert_eq!(
                RegistryRefusal::detect(message, "10.0.0.5:5000"),
                Some(RegistryRefusal::PlainHttp {
                    registry: "10.0.0.5:5000".into()
                }),
                "{message}"
            );
        }
        let cert = RegistryRefusal::detect(
            "Get \"https://reg.lan:5000/v2/\": x509: certificate signed by unknown authority",
            "reg.lan:5000",
        )
        .unwrap();
        let error = cert.to_error();
        assert!(
            error
                .message
                .contains("certificate signed by unknown authority")
        );
        assert!(
            error
                .hint
                .unwrap()
                .contains("/etc/docker/certs.d/reg.lan:5000/ca.crt")
        );
    }

    #[test]
    fn other_errors_stay_as_they_are() {
        let denied =
            EngineError::answered(None, "denied: requested access to the resource is denied");
        assert_eq!(denied.clone().explain_registry_refusal("reg:5000"), denied);
    }

    #[test]
    fn settings_read_like_docker_info() {
        let info: SystemInfo = serde_json::from_str(
            r#"{"RegistryConfig":{
                "IndexConfigs":{
                    "docker.io":{"Name":"docker.io","Mirrors":["https://mirror.example/"],"Secure":true,"Official":true},
                    "reg.lan:5000":{"Name":"reg.lan:5000","Mirrors":[],"Secure":false,"Official":false}
                },
                "InsecureRegistryCIDRs":["127.0.0.0/8","10.1.0.0/16"],
                "Mirrors":["https://mirror.example/"]}}"#,
        )
        .unwrap();
        let settings = settings_from(info.registry_config);
        assert_eq!(
            settings.insecure_registries,
            ["reg.lan:5000", "127.0.0.0/8", "10.1.0.0/16"]
        );
        assert_eq!(settings.mirrors, ["https://mirror.example/"]);
        assert_eq!(settings.is_insecure("reg.lan:5000"), Some(true));
        assert_eq!(settings.is_insecure("127.0.0.1:5000"), Some(true));
        assert_eq!(settings.is_insecure("10.1.200.3:5000"), Some(true));
        assert_eq!(settings.is_insecure("10.2.0.1:5000"), Some(false));
        assert_eq!(
            settings.is_insecure("[::1]:5000"),
            Some(false),
            "only 127.0.0.0/8 is listed"
        );
        assert_eq!(settings.is_insecure("other.lan:5000"), None);
        assert!(in_range(
            "1.2.3.4".parse().unwrap(),
            "0.0.0.0".parse().unwrap(),
            0
        ));
    }
}
