//! `RegistryError`: what went wrong talking to a registry, in words a user can act on.

use std::fmt;

use chrono::{DateTime, Utc};

use super::credentials::CredentialError;
use super::rate_limit::{quota_window, window_text};
use super::reference::ReferenceError;

/// What a 404 was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The repository does not exist (`NAME_UNKNOWN`).
    Repository {
        /// `registry/repository`.
        repository: String,
    },
    /// The tag is not in the repository (or the repository does not exist).
    Tag {
        /// `registry/repository`.
        repository: String,
        /// The tag.
        tag: String,
    },
    /// No manifest with that digest in the repository.
    Manifest {
        /// `registry/repository`.
        repository: String,
        /// The digest.
        digest: String,
    },
    /// No blob with that digest in the repository.
    Blob {
        /// `registry/repository`.
        repository: String,
        /// The digest.
        digest: String,
    },
    /// The registry offers no repository catalog.
    Catalog,
    /// No such Docker Hub namespace (user or organisation).
    Namespace {
        /// The namespace.
        namespace: String,
    },
    /// The registry has no v2 API at this address.
    Api,
}

/// Why a registry lists no repositories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoCatalogReason {
    /// `/v2/_catalog` is not there (404), while `/v2/` is: Docker Hub, GHCR, Aliyun ACR.
    NotFound,
    /// The catalog is refused (401/403) although the registry accepts these credentials
    /// otherwise: Harbor for non-administrators, GitLab, token services that never grant
    /// `registry:catalog:*`.
    Refused,
    /// The registry says the operation is unsupported (`UNSUPPORTED`, 405).
    Unsupported,
}

/// An error from a registry call; `Display` says what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// 401: no credentials, or the registry refused them.
    Unauthorized {
        /// The registry as named in references.
        host: String,
        /// True when credentials were sent and refused.
        credentials_rejected: bool,
    },
    /// 403: authenticated but not allowed.
    Forbidden {
        /// The registry.
        host: String,
        /// The registry's own message, if any.
        message: Option<String>,
    },
    /// 404.
    NotFound {
        /// The registry.
        host: String,
        /// What was missing.
        missing: Missing,
    },
    /// The registry does not list its repositories: not a failure, a kind of registry. The
    /// catalog view offers the configured and previously opened repositories instead.
    NoCatalog {
        /// The registry.
        host: String,
        /// How it said so.
        reason: NoCatalogReason,
    },
    /// 429.
    RateLimited {
        /// The registry.
        host: String,
        /// When the registry said requests are accepted again.
        retry_at: Option<DateTime<Utc>>,
        /// The quota the registry announced, e.g. `100;w=21600`.
        quota: Option<String>,
        /// True if the refused request carried credentials (logging in would not help).
        logged_in: bool,
    },
    /// The TCP connection could not be made (refused, DNS, unreachable).
    Connect {
        /// The registry.
        host: String,
        /// The underlying cause.
        detail: String,
    },
    /// TLS failed: bad certificate, or a plain HTTP server on an HTTPS port.
    Tls {
        /// The registry.
        host: String,
        /// The underlying cause.
        detail: String,
    },
    /// No complete answer within the timeout.
    Timeout {
        /// The registry.
        host: String,
    },
    /// The connection broke while the answer was being read.
    Interrupted {
        /// The registry.
        host: String,
        /// The underlying cause.
        detail: String,
    },
    /// Any other unsuccessful HTTP status.
    Status {
        /// The registry.
        host: String,
        /// The HTTP status code.
        status: u16,
        /// The registry's own message, if any.
        message: Option<String>,
    },
    /// An answer that is not what the API promises (HTML, broken JSON, wrong digest…).
    BadResponse {
        /// The registry.
        host: String,
        /// What was expected, e.g. "a JSON tag list".
        expected: &'static str,
        /// What arrived instead.
        found: String,
    },
    /// An answer larger than the limit for its kind.
    TooLarge {
        /// The registry.
        host: String,
        /// What was being read.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A token service on plain HTTP for a registry that must use HTTPS.
    InsecureTransport {
        /// The registry.
        host: String,
        /// The URL that was refused.
        url: String,
    },
    /// A repository, tag or digest given to the client is invalid.
    InvalidReference(ReferenceError),
    /// The docker credential store could not be read.
    Credentials(CredentialError),
    /// The HTTP client could not be set up.
    Setup(String),
}

impl RegistryError {
    /// True for 401: the UI offers to log in to [`RegistryError::host`].
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, RegistryError::Unauthorized { .. })
    }

    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }

    /// True when the registry does not list its repositories (no catalog).
    pub fn is_no_catalog(&self) -> bool {
        matches!(self, RegistryError::NoCatalog { .. })
    }

    /// True for 429: the registry's rate limit was hit.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, RegistryError::RateLimited { .. })
    }

    /// Records whether the refused request was sent with credentials (for a 429's advice).
    pub(crate) fn with_login_state(self, with_credentials: bool) -> RegistryError {
        match self {
            RegistryError::RateLimited {
                host,
                retry_at,
                quota,
                ..
            } => RegistryError::RateLimited {
                host,
                retry_at,
                quota,
                logged_in: with_credentials,
            },
            other => other,
        }
    }

    /// The registry the error is about, when there is one.
    pub fn host(&self) -> Option<&str> {
        use RegistryError as E;
        match self {
            E::Unauthorized { host, .. }
            | E::Forbidden { host, .. }
            | E::NotFound { host, .. }
            | E::NoCatalog { host, .. }
            | E::RateLimited { host, .. }
            | E::Connect { host, .. }
            | E::Tls { host, .. }
            | E::Timeout { host }
            | E::Interrupted { host, .. }
            | E::Status { host, .. }
            | E::BadResponse { host, .. }
            | E::TooLarge { host, .. }
            | E::InsecureTransport { host, .. } => Some(host),
            E::InvalidReference(_) | E::Credentials(_) | E::Setup(_) => None,
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RegistryError as E;
        match self {
            E::Unauthorized {
                host,
                credentials_rejected: false,
            } => write!(f, "unauthorized — press L to log in to {host}"),
            E::Unauthorized {
                host,
                credentials_rejected: true,
            } => write!(
                f,
                "unauthorized — {host} refused the stored credentials; press L to log in to {host}"
            ),
            E::Forbidden { host, message } => {
                write!(f, "access denied by {host}")?;
                write_message(f, message)
            }
            E::NotFound { host, missing } => match missing {
                Missing::Repository { repository } => {
                    write!(f, "repository {repository} not found")
                }
                Missing::Tag { repository, tag } => {
                    write!(f, "tag {tag:?} not found in {repository}")
                }
                Missing::Manifest { repository, digest } => {
                    write!(f, "manifest {digest} not found in {repository}")
                }
                Missing::Blob { repository, digest } => {
                    write!(f, "blob {digest} not found in {repository}")
                }
                Missing::Catalog => write!(f, "{host} does not offer a repository catalog"),
                Missing::Namespace { namespace } => {
                    write!(f, "no namespace {namespace:?} on Docker Hub")
                }
                Missing::Api => write!(f, "{host} does not serve a registry API (/v2/ not found)"),
            },
            E::NoCatalog { host, reason } => {
                let how = match reason {
                    NoCatalogReason::NotFound => "it has no catalog",
                    NoCatalogReason::Refused => "its catalog is refused to this account",
                    NoCatalogReason::Unsupported => "it does not support the catalog",
                };
                write!(
                    f,
                    "{host} does not list its repositories ({how}): open one by name; the \
                     ones configured for {host} and opened before are offered"
                )
            }
            E::RateLimited {
                host,
                retry_at,
                quota,
                logged_in,
            } => {
                write!(f, "rate limited by {host}")?;
                if let Some(quota) = quota {
                    write!(f, " (quota {quota})")?;
                }
                let window = quota.as_deref().and_then(quota_window);
                match (retry_at, window) {
                    (Some(at), _) => write!(
                        f,
                        " — try again after {}",
                        at.format("%Y-%m-%d %H:%M:%S UTC")
                    )?,
                    (None, Some(window)) => write!(
                        f,
                        " — try again later (the quota is per {})",
                        window_text(window)
                    )?,
                    (None, None) => f.write_str(" — try again later")?,
                }
                if !logged_in {
                    write!(
                        f,
                        "; logging in raises the limit (press L to log in to {host})"
                    )?;
                }
                Ok(())
            }
            E::Connect { host, detail } => write!(f, "cannot connect to {host}: {detail}"),
            E::Tls { host, detail } => write!(
                f,
                "TLS error talking to {host}: {detail} (a registry serving plain HTTP must be \
                 listed as insecure)"
            ),
            E::Timeout { host } => write!(f, "{host} did not answer in time"),
            E::Interrupted { host, detail } => {
                write!(
                    f,
                    "the connection to {host} broke while reading its answer: {detail}"
                )
            }
            E::Status {
                host,
                status,
                message,
            } => {
                let reason = reqwest::StatusCode::from_u16(*status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                write!(f, "{host} answered HTTP {status} {reason}")?;
                write_message(f, message)
            }
            E::BadResponse {
                host,
                expected,
                found,
            } => write!(
                f,
                "{host} sent an invalid answer: expected {expected}, got {found}"
            ),
            E::TooLarge { host, what, limit } => write!(
                f,
                "{host} sent more than {} for {what}; refusing to read further",
                human_bytes(*limit)
            ),
            E::InsecureTransport { host, url } => write!(
                f,
                "refusing plain HTTP to {url}, the token service of {host}: only loopback and \
                 insecure registries may use HTTP"
            ),
            E::InvalidReference(e) => e.fmt(f),
            E::Credentials(e) => e.fmt(f),
            E::Setup(detail) => write!(f, "cannot set up the HTTP client: {detail}"),
        }
    }
}

impl std::error::Error for RegistryError {}

impl From<ReferenceError> for RegistryError {
    fn from(e: ReferenceError) -> Self {
        RegistryError::InvalidReference(e)
    }
}

impl From<CredentialError> for RegistryError {
    fn from(e: CredentialError) -> Self {
        RegistryError::Credentials(e)
    }
}

fn write_message(f: &mut fmt::Formatter<'_>, message: &Option<String>) -> fmt::Result {
    match message {
        Some(message) => write!(f, ": {message}"),
        None => Ok(()),
    }
}

fn human_bytes(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_tells_how_to_log_in() {
        let e = RegistryError::Unauthorized {
            host: "localhost:5000".into(),
            credentials_rejected: false,
        };
        assert_eq!(
            e.to_string(),
            "unauthorized — press L to log in to localhost:5000"
        );
        assert!(e.is_unauthorized());
        assert_eq!(e.host(), Some("localhost:5000"));
    }

    #[test]
    fn rate_limit_names_the_reset_time() {
        let at = DateTime::parse_from_rfc3339("2030-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = RegistryError::RateLimited {
            host: "docker.io".into(),
            retry_at: Some(at),
            quota: Some("100;w=21600".into()),
            logged_in: true,
        };
        assert_eq!(
            e.to_string(),
            "rate limited by docker.io (quota 100;w=21600) — try again after 2030-01-02 03:04:05 UTC"
        );
        let anonymous = RegistryError::RateLimited {
            host: "docker.io".into(),
            retry_at: None,
            quota: Some("100;w=21600".into()),
            logged_in: false,
        };
        assert_eq!(
            anonymous.to_string(),
            "rate limited by docker.io (quota 100;w=21600) — try again later (the quota is per \
             6h); logging in raises the limit (press L to log in to docker.io)"
        );
        assert!(anonymous.is_rate_limited());
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human_bytes(64 * 1024), "64 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
