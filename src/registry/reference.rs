//! Image references: docker/distribution's grammar, normalisation and the familiar short form.
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [registry "/"] path
//! registry   := host [":" port]        host: domain name, IPv4, or "[" IPv6 "]"
//! path       := component ("/" component)*
//! component  := [a-z0-9]+ (separator [a-z0-9]+)*     separator: "." | "_" | "__" | "-"+
//! tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" hex       (sha256 = 64 lowercase hex digits)
//! ```
//!
//! The first of several path components is a registry if it is `localhost`, contains `.` or
//! `:`, is a bracketed IPv6 address, or has capital letters (repository paths are lowercase, so
//! `LOCALDOMAIN/app` names the host `LOCALDOMAIN`); otherwise the registry is Docker Hub and
//! one-component names live under `library/`. `index.docker.io` is Docker Hub's old name.
//!
//! This is distribution/reference v0.6, the grammar of the docker CLI and of registries; the
//! test module `upstream_cases` runs that package's own test table. wharf is stricter in three
//! places, on purpose: a digest must have the length of its algorithm (sha256, sha384, sha512
//! only), a port must be 1–65535, and a bracketed IPv6 address must parse as one.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The registry name references use for Docker Hub.
pub const DOCKER_HUB: &str = "docker.io";
/// The tag a reference gets when it names neither a tag nor a digest.
pub const DEFAULT_TAG: &str = "latest";

const DOCKER_HUB_LEGACY: &str = "index.docker.io";
const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
const DOCKER_HUB_CREDENTIAL_KEY: &str = "https://index.docker.io/v1/";
const OFFICIAL_PREFIX: &str = "library/";
/// The longest repository path (`library/` included, registry not), as in distribution v0.6.
const REPOSITORY_PATH_MAX: usize = 255;
const TAG_MAX: usize = 128;

/// Which part of a reference an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The registry host (and port).
    Registry,
    /// The repository path.
    Repository,
    /// The tag after `:`.
    Tag,
    /// The digest after `@`.
    Digest,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Registry => "registry host",
            Part::Repository => "repository name",
            Part::Tag => "tag",
            Part::Digest => "digest",
        })
    }
}

/// Why a string is not a valid image reference; `Display` tells a human what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    /// Nothing (or only whitespace) was given.
    Empty,
    /// A tag or digest without a repository name in front (`:1`, `@sha256:…`).
    MissingRepository,
    /// A registry host without a repository path (`localhost:5000`, `example.com/`).
    MissingRepositoryPath {
        /// The registry host that was given.
        registry: String,
    },
    /// A URL scheme such as `https://` was given; references have none.
    SchemeNotAllowed {
        /// The scheme prefix, e.g. `https://`.
        scheme: String,
    },
    /// A character that the grammar does not allow in that part.
    InvalidCharacter {
        /// The offending character.
        ch: char,
        /// The part it appeared in.
        part: Part,
        /// The text of that part.
        text: String,
    },
    /// Uppercase letters in the repository path.
    Uppercase {
        /// The input with its repository path lowercased.
        suggestion: String,
    },
    /// Two slashes in a row, or a slash at the end.
    EmptyPathComponent {
        /// The repository path.
        path: String,
    },
    /// A path component that starts or ends with a separator, or uses an invalid one.
    InvalidSeparator {
        /// The offending component.
        component: String,
    },
    /// An invalid registry port.
    InvalidPort {
        /// The registry host as given.
        registry: String,
    },
    /// An IPv6 registry host whose address does not parse.
    InvalidIpv6 {
        /// The registry host as given.
        registry: String,
    },
    /// A registry host with an empty or badly formed label.
    InvalidHost {
        /// The registry host as given.
        registry: String,
    },
    /// Nothing after `:`.
    EmptyTag,
    /// A tag that starts with `.` or `-`.
    TagStart {
        /// The tag.
        tag: String,
    },
    /// A tag longer than 128 characters.
    TagTooLong {
        /// Its length in characters.
        len: usize,
    },
    /// A digest that is not `algorithm:hex`.
    MalformedDigest {
        /// The digest as given.
        digest: String,
    },
    /// A digest algorithm other than sha256, sha384 or sha512.
    UnsupportedDigestAlgorithm {
        /// The algorithm as given.
        algorithm: String,
    },
    /// A digest whose hex part has the wrong length for its algorithm.
    DigestLength {
        /// The algorithm.
        algorithm: String,
        /// Hex digits that algorithm needs.
        expected: usize,
        /// Hex digits given.
        actual: usize,
    },
    /// A digest with uppercase hex digits.
    DigestUppercase {
        /// The digest as given.
        digest: String,
    },
    /// A repository path (without its registry) longer than 255 characters.
    NameTooLong {
        /// Its length in characters.
        len: usize,
    },
    /// A 64-character hex string: that is an image ID, not a repository name.
    ImageIdAsName,
    /// A tag or digest where only a repository is expected.
    TagNotAllowed,
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ReferenceError as E;
        match self {
            E::Empty => f.write_str("the image reference is empty"),
            E::MissingRepository => {
                f.write_str("a repository name is missing before the tag or digest")
            }
            E::MissingRepositoryPath { registry } => write!(
                f,
                "{registry:?} is only a registry host: add a repository, e.g. {registry}/myapp"
            ),
            E::SchemeNotAllowed { scheme } => write!(
                f,
                "remove the {scheme:?} prefix: image references have no URL scheme"
            ),
            E::InvalidCharacter { ch, part, text } => {
                write!(f, "invalid character {ch:?} in {part} {text:?}")?;
                match part {
                    Part::Repository => f.write_str(
                        " (allowed: lowercase letters, digits, '.', '_', '-' and '/')",
                    ),
                    Part::Tag => f.write_str(" (allowed: letters, digits, '_', '.' and '-')"),
                    Part::Registry => {
                        f.write_str(" (allowed: letters, digits, '.', '-' and ':PORT')")
                    }
                    Part::Digest => Ok(()),
                }
            }
            E::Uppercase { suggestion } => write!(
                f,
                "uppercase letters are not allowed in repository names: use {suggestion:?}"
            ),
            E::EmptyPathComponent { path } => write!(
                f,
                "repository name {path:?} has an empty path component (a doubled or trailing '/')"
            ),
            E::InvalidSeparator { component } => write!(
                f,
                "invalid repository path component {component:?}: it must start and end with a \
                 letter or digit, and separators are '.', '_', '__' or dashes"
            ),
            E::InvalidPort { registry } => write!(
                f,
                "invalid port in registry {registry:?}: expected a number from 1 to 65535"
            ),
            E::InvalidIpv6 { registry } => {
                write!(f, "invalid IPv6 address in registry {registry:?}")
            }
            E::InvalidHost { registry } => write!(
                f,
                "invalid registry host {registry:?}: each dot-separated label must be letters, \
                 digits and inner dashes"
            ),
            E::EmptyTag => f.write_str("the tag after ':' is empty"),
            E::TagStart { tag } => write!(
                f,
                "tag {tag:?} must start with a letter, a digit or '_'"
            ),
            E::TagTooLong { len } => write!(
                f,
                "tag is {len} characters; at most {TAG_MAX} are allowed"
            ),
            E::MalformedDigest { digest } => write!(
                f,
                "digest {digest:?} is not of the form sha256:<64 hex digits>"
            ),
            E::UnsupportedDigestAlgorithm { algorithm } => write!(
                f,
                "unsupported digest algorithm {algorithm:?} (use sha256, sha384 or sha512)"
            ),
            E::DigestLength {
                algorithm,
                expected,
                actual,
            } => write!(
                f,
                "a {algorithm} digest has {expected} hex digits, this one has {actual}"
            ),
            E::DigestUppercase { digest } => write!(
                f,
                "digest {digest:?} must use lowercase hex digits"
            ),
            E::NameTooLong { len } => write!(
                f,
                "repository path is {len} characters; at most {REPOSITORY_PATH_MAX} are allowed"
            ),
            E::ImageIdAsName => f.write_str(
                "a 64-character hex string is an image ID, not a repository name",
            ),
            E::TagNotAllowed => f.write_str(
                "give a repository only, without ':tag' or '@digest' (e.g. localhost:5000/team/app)",
            ),
        }
    }
}

impl std::error::Error for ReferenceError {}

/// A repository in a registry: `docker.io/library/nginx`, `localhost:5000/team/app`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepositoryRef {
    registry: String,
    repository: String,
}

/// A parsed, normalised image reference: repository plus tag and/or digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    repo: RepositoryRef,
    tag: Option<String>,
    digest: Option<String>,
}

impl Reference {
    /// Parses and normalises a reference as the docker CLI does (`nginx` → `docker.io/library/nginx:latest`).
    pub fn parse(input: &str) -> Result<Reference, ReferenceError> {
        let parts = split_reference(input)?;
        let repo = parts.repository(input)?;
        let tag = match parts.tag {
            Some(tag) => {
                validate_tag(tag)?;
                Some(tag.to_owned())
            }
            None => None,
        };
        let digest = match parts.digest {
            Some(digest) => {
                validate_digest(digest)?;
                Some(digest.to_owned())
            }
            None => None,
        };
        let tag = match (tag, &digest) {
            (None, None) => Some(DEFAULT_TAG.to_owned()),
            (tag, _) => tag,
        };
        Ok(Reference { repo, tag, digest })
    }

    /// The registry host as written, `docker.io` for Docker Hub.
    pub fn registry(&self) -> &str {
        &self.repo.registry
    }

    /// The repository path, with `library/` for official Docker Hub images.
    pub fn repository(&self) -> &str {
        &self.repo.repository
    }

    /// The tag; `latest` when neither a tag nor a digest was given.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest after `@`, if any.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// What to ask the registry's manifest endpoint for: the digest if given, else the tag.
    pub fn manifest_reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or(DEFAULT_TAG)
    }

    /// The repository this reference points into.
    pub fn repository_ref(&self) -> &RepositoryRef {
        &self.repo
    }

    /// The short form the docker CLI shows: `nginx:1.15`, `user/app:1`, `localhost:5000/team/app:1`.
    pub fn familiar(&self) -> String {
        self.with_suffix(self.repo.familiar())
    }

    fn with_suffix(&self, mut name: String) -> String {
        if let Some(tag) = &self.tag {
            name.push(':');
            name.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            name.push('@');
            name.push_str(digest);
        }
        name
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.with_suffix(self.repo.to_string()))
    }
}

impl RepositoryRef {
    /// Parses a repository without tag or digest, as typed in an "open repository" prompt.
    /// A registry host alone (`localhost:5000`, `registry.example.com`) is refused with
    /// [`ReferenceError::MissingRepositoryPath`]; [`RepositoryInput::parse`] reads it as a registry.
    pub fn parse(input: &str) -> Result<RepositoryRef, ReferenceError> {
        if let Some(registry) = bare_registry(input) {
            return Err(ReferenceError::MissingRepositoryPath { registry });
        }
        let parts = split_reference(input)?;
        if parts.tag.is_some() || parts.digest.is_some() {
            return Err(ReferenceError::TagNotAllowed);
        }
        parts.repository(input)
    }

    /// Builds a repository from a registry host and a repository path, both validated.
    pub fn new(registry: &str, repository: &str) -> Result<RepositoryRef, ReferenceError> {
        validate_registry(registry)?;
        let input = format!("{registry}/{repository}");
        let parts = Parts {
            registry: Some(registry),
            path: repository,
            tag: None,
            digest: None,
        };
        parts.repository(&input)
    }

    /// The registry host as written, `docker.io` for Docker Hub.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path, with `library/` for official Docker Hub images.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// True for Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    /// The short form the docker CLI shows: `nginx`, `user/app`, `localhost:5000/team/app`.
    pub fn familiar(&self) -> String {
        if self.is_docker_hub() {
            match self.repository.strip_prefix(OFFICIAL_PREFIX) {
                Some(short) if !short.contains('/') => short.to_owned(),
                _ => self.repository.clone(),
            }
        } else {
            self.to_string()
        }
    }

    /// A reference to `tag` in this repository.
    pub fn with_tag(&self, tag: &str) -> Result<Reference, ReferenceError> {
        validate_tag(tag)?;
        Ok(Reference {
            repo: self.clone(),
            tag: Some(tag.to_owned()),
            digest: None,
        })
    }
}

impl fmt::Display for RepositoryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)
    }
}

/// What was typed where a repository is expected: a repository, or a registry alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepositoryInput {
    /// A repository; a tag or digest typed after it is dropped.
    Repository(RepositoryRef),
    /// A registry host without a path (`localhost:5000`, `registry.example.com`): the
    /// registry's catalog is meant, never Docker Hub's `library/registry.example.com`.
    Registry(String),
}

impl RepositoryInput {
    /// Reads `nginx`, `localhost:5000/app:1`, `registry.example.com`, `host:5000`…
    pub fn parse(input: &str) -> Result<RepositoryInput, ReferenceError> {
        if let Some(registry) = bare_registry(input) {
            return Ok(RepositoryInput::Registry(registry));
        }
        match RepositoryRef::parse(input.trim()) {
            Ok(repo) => Ok(RepositoryInput::Repository(repo)),
            Err(ReferenceError::TagNotAllowed) => Reference::parse(input.trim())
                .map(|r| RepositoryInput::Repository(r.repository_ref().clone())),
            Err(e) => Err(e),
        }
    }
}

/// The registry, if `input` is a registry host alone rather than a repository: a host with a
/// dot, `localhost`, an IP address or `[IPv6]` (each with an optional port and trailing `/`),
/// or `NAME:PORT` with a port from 1024 up (`postgres:16` stays a Hub repository and tag).
/// `index.docker.io` is given as `docker.io`.
pub fn bare_registry(input: &str) -> Option<String> {
    let text = input.trim();
    let text = text.strip_suffix('/').unwrap_or(text);
    if text.is_empty() || text.contains(['/', '@']) || validate_registry(text).is_err() {
        return None;
    }
    let host = strip_port(text);
    let port = text[host.len()..].strip_prefix(':');
    let unmistakable = looks_like_registry(host) || host.parse::<Ipv4Addr>().is_ok();
    let unprivileged_port = port
        .and_then(|p| p.parse::<u16>().ok())
        .is_some_and(|p| p >= 1024);
    if !(unmistakable || unprivileged_port) {
        return None;
    }
    Some(if text == DOCKER_HUB_LEGACY {
        DOCKER_HUB.to_owned()
    } else {
        text.to_owned()
    })
}

/// The host serving the registry API for a registry as named in references.
pub fn api_host_for(registry: &str) -> &str {
    if registry == DOCKER_HUB {
        DOCKER_HUB_API_HOST
    } else {
        registry
    }
}

/// The docker CLI's credential key for a registry as named in references.
pub fn credential_key_for(registry: &str) -> &str {
    if registry == DOCKER_HUB || registry == DOCKER_HUB_LEGACY {
        DOCKER_HUB_CREDENTIAL_KEY
    } else {
        registry
    }
}

/// True for hosts on this machine: `localhost`, `127.0.0.0/8` and `[::1]`, with or without a port.
pub fn is_loopback_host(registry: &str) -> bool {
    let host = strip_port(registry);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// `host:port` → `host`; `[v6]:port` → `[v6]`; a bare IPv6 address stays whole.
fn strip_port(registry: &str) -> &str {
    if registry.starts_with('[') {
        return match registry.find(']') {
            Some(end) => &registry[..=end],
            None => registry,
        };
    }
    match registry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => registry,
    }
}

/// Checks a registry host as written in references: `host[:port]` or `[ipv6][:port]`.
pub fn validate_registry(registry: &str) -> Result<(), ReferenceError> {
    let invalid_port = || ReferenceError::InvalidPort {
        registry: registry.to_owned(),
    };
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((address, after)) = rest.split_once(']') else {
            return Err(ReferenceError::InvalidIpv6 {
                registry: registry.to_owned(),
            });
        };
        // The grammar allows hex digits and colons only: no zone, no dotted IPv4 tail.
        let grammar_ok = address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
        if !grammar_ok || address.parse::<Ipv6Addr>().is_err() {
            return Err(ReferenceError::InvalidIpv6 {
                registry: registry.to_owned(),
            });
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(invalid_port)?),
        };
        (None, port)
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(registry), None),
        }
    };
    if let Some(host) = host {
        if let Some(ch) = host
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '-'))
        {
            return Err(ReferenceError::InvalidCharacter {
                ch,
                part: Part::Registry,
                text: registry.to_owned(),
            });
        }
        let bad_label =
            |label: &str| label.is_empty() || label.starts_with('-') || label.ends_with('-');
        if host.split('.').any(bad_label) {
            return Err(ReferenceError::InvalidHost {
                registry: registry.to_owned(),
            });
        }
    }
    if let Some(port) = port {
        let digits_ok =
            !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok || !port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p)) {
            return Err(invalid_port());
        }
    }
    Ok(())
}

/// Checks a tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn validate_tag(tag: &str) -> Result<(), ReferenceError> {
    if tag.is_empty() {
        return Err(ReferenceError::EmptyTag);
    }
    if let Some(ch) = tag
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(ReferenceError::InvalidCharacter {
            ch,
            part: Part::Tag,
            text: tag.to_owned(),
        });
    }
    if tag.starts_with(['.', '-']) {
        return Err(ReferenceError::TagStart {
            tag: tag.to_owned(),
        });
    }
    if tag.len() > TAG_MAX {
        return Err(ReferenceError::TagTooLong { len: tag.len() });
    }
    Ok(())
}

/// Checks a digest: `sha256:` + 64, `sha384:` + 96 or `sha512:` + 128 lowercase hex digits.
pub fn validate_digest(digest: &str) -> Result<(), ReferenceError> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(ReferenceError::MalformedDigest {
            digest: digest.to_owned(),
        });
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['+', '.', '_', '-']).all(|component| {
            component.starts_with(|c: char| c.is_ascii_alphabetic())
                && component.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if !algorithm_ok || hex.is_empty() {
        return Err(ReferenceError::MalformedDigest {
            digest: digest.to_owned(),
        });
    }
    let expected = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(ReferenceError::UnsupportedDigestAlgorithm {
                algorithm: algorithm.to_owned(),
            });
        }
    };
    if let Some(ch) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(ReferenceError::InvalidCharacter {
            ch,
            part: Part::Digest,
            text: digest.to_owned(),
        });
    }
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(ReferenceError::DigestUppercase {
            digest: digest.to_owned(),
        });
    }
    if hex.len() != expected {
        return Err(ReferenceError::DigestLength {
            algorithm: algorithm.to_owned(),
            expected,
            actual: hex.len(),
        });
    }
    Ok(())
}

/// A reference split into its pieces, before validation of each.
struct Parts<'a> {
    registry: Option<&'a str>,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

impl Parts<'_> {
    /// Validates the registry and path and normalises them into a repository.
    fn repository(&self, input: &str) -> Result<RepositoryRef, ReferenceError> {
        let registry = match self.registry {
            Some(registry) => {
                validate_registry(registry)?;
                if registry == DOCKER_HUB_LEGACY {
                    DOCKER_HUB
                } else {
                    registry
                }
            }
            None => DOCKER_HUB,
        };
        if self.path.is_empty() {
            return Err(ReferenceError::MissingRepositoryPath {
                registry: registry.to_owned(),
            });
        }
        let path_start = self.registry.map_or(0, |r| r.len() + 1);
        validate_path(self.path, || {
            uppercase_suggestion(input, path_start, self.path)
        })?;
        // docker refuses a bare 64-hex name (an image ID); with a tag or a registry it is a name.
        let bare = self.registry.is_none() && self.tag.is_none() && self.digest.is_none();
        if bare && self.path.len() == 64 && is_lower_hex(self.path) {
            return Err(ReferenceError::ImageIdAsName);
        }
        let repository = if registry == DOCKER_HUB && !self.path.contains('/') {
            format!("{OFFICIAL_PREFIX}{}", self.path)
        } else {
            self.path.to_owned()
        };
        if repository.len() > REPOSITORY_PATH_MAX {
            return Err(ReferenceError::NameTooLong {
                len: repository.len(),
            });
        }
        Ok(RepositoryRef {
            registry: registry.to_owned(),
            repository,
        })
    }
}

/// Splits `[registry/]path[:tag][@digest]` without looking inside the pieces.
fn split_reference(input: &str) -> Result<Parts<'_>, ReferenceError> {
    if input.trim().is_empty() {
        return Err(ReferenceError::Empty);
    }
    if let Some(end) = input.find("://") {
        return Err(ReferenceError::SchemeNotAllowed {
            scheme: input[..end + 3].to_owned(),
        });
    }
    let (name_and_tag, digest) = match input.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (input, None),
    };
    // The tag can only be in the last path segment: `localhost:5000/app` has no tag.
    let last_segment_start = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let last_segment = &name_and_tag[last_segment_start..];
    if last_segment_start == 0 && last_segment.starts_with('[') {
        return Err(ReferenceError::MissingRepositoryPath {
            registry: name_and_tag.to_owned(),
        });
    }
    let (name, tag) = match last_segment.find(':') {
        Some(colon) => {
            let at = last_segment_start + colon;
            (&name_and_tag[..at], Some(&name_and_tag[at + 1..]))
        }
        None => (name_and_tag, None),
    };
    if name.is_empty() {
        return Err(ReferenceError::MissingRepository);
    }
    let (registry, path) = match name.split_once('/') {
        Some((first, rest)) if first_component_is_registry(first) => (Some(first), rest),
        _ => (None, name),
    };
    Ok(Parts {
        registry,
        path,
        tag,
        digest,
    })
}

/// A component that can only be a host: `localhost`, or with `.` or `:`, or a bracketed IPv6.
fn looks_like_registry(component: &str) -> bool {
    component == "localhost" || component.contains(['.', ':']) || component.starts_with('[')
}

/// docker's rule for the first of several components: a host if it looks like one, or if it
/// has capitals (paths are lowercase, so `LOCALDOMAIN/app` names a host, not a Hub user).
fn first_component_is_registry(component: &str) -> bool {
    looks_like_registry(component) || component.bytes().any(|b| b.is_ascii_uppercase())
}

/// Checks `component ("/" component)*` with lowercase alphanumerics and separators.
fn validate_path(path: &str, suggestion: impl Fn() -> String) -> Result<(), ReferenceError> {
    let allowed = |c: char| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '/')
    };
    if let Some(ch) = path
        .chars()
        .find(|c| !allowed(*c) && !c.is_ascii_uppercase())
    {
        return Err(ReferenceError::InvalidCharacter {
            ch,
            part: Part::Repository,
            text: path.to_owned(),
        });
    }
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(ReferenceError::Uppercase {
            suggestion: suggestion(),
        });
    }
    for component in path.split('/') {
        if component.is_empty() {
            return Err(ReferenceError::EmptyPathComponent {
                path: path.to_owned(),
            });
        }
        if !is_valid_component(component) {
            return Err(ReferenceError::InvalidSeparator {
                component: component.to_owned(),
            });
        }
    }
    Ok(())
}

/// `[a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*` on a string already restricted to those characters.
fn is_valid_component(component: &str) -> bool {
    let is_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !component.starts_with(is_alnum) || !component.ends_with(is_alnum) {
        return false;
    }
    component
        .split(is_alnum)
        .filter(|separator| !separator.is_empty())
        .all(|separator| {
            matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-')
        })
}

/// The input with the repository path lowercased, the rest (registry, tag, digest) untouched.
fn uppercase_suggestion(input: &str, path_start: usize, path: &str) -> String {
    let path_end = path_start + path.len();
    match (input.get(..path_start), input.get(path_end..)) {
        (Some(before), Some(after)) if input.get(path_start..path_end) == Some(path) => {
            format!("{before}{}{after}", path.to_ascii_lowercase())
        }
        _ => path.to_ascii_lowercase(),
    }
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parse(s: &str) -> Reference {
        Reference::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    fn err(s: &str) -> ReferenceError {
        match Reference::parse(s) {
            Ok(r) => panic!("{s:?} should be refused, parsed as {r}"),
            Err(e) => e,
        }
    }

    #[test]
    fn normalises_official_images() {
        let r = parse("nginx");
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.repository(), "library/nginx");
        assert_eq!(r.tag(), Some("latest"));
        assert_eq!(r.digest(), None);
        assert_eq!(r.to_string(), "docker.io/library/nginx:latest");
        assert_eq!(r.familiar(), "nginx:latest");

        let r = parse("nginx:1.15");
        assert_eq!(r.familiar(), "nginx:1.15");
        assert_eq!(r.to_string(), "docker.io/library/nginx:1.15");
    }

    #[test]
    fn docker_hub_user_repositories_and_legacy_host() {
        let r = parse("user/app:1");
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.repository(), "user/app");
        assert_eq!(r.familiar(), "user/app:1");

        let r = parse("docker.io/nginx");
        assert_eq!(r.repository(), "library/nginx");
        let r = parse("index.docker.io/library/nginx:1");
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.familiar(), "nginx:1");
        // library/ with more path is not shortened.
        assert_eq!(parse("library/a/b").familiar(), "library/a/b:latest");
    }

    #[test]
    fn localhost_with_port_and_tag_is_not_split_naively() {
        let r = parse("localhost:5000/app:1");
        assert_eq!(r.registry(), "localhost:5000");
        assert_eq!(r.repository(), "app");
        assert_eq!(r.tag(), Some("1"));
        assert_eq!(r.familiar(), "localhost:5000/app:1");

        let r = parse("localhost:5000/app");
        assert_eq!(r.registry(), "localhost:5000");
        assert_eq!(r.repository(), "app");
        assert_eq!(r.tag(), Some("latest"), "no tag given: defaults to latest");

        let r = parse("localhost/app");
        assert_eq!(r.registry(), "localhost");
        assert_eq!(r.repository(), "app");
    }

    #[test]
    fn registry_detection_rules() {
        // A dot or a colon makes the first component a host; otherwise it is a Hub user.
        assert_eq!(
            parse("registry.example.com/team/app").registry(),
            "registry.example.com"
        );
        assert_eq!(parse("myhost:5000/app").registry(), "myhost:5000");
        assert_eq!(parse("myhost/app").registry(), "docker.io");
        assert_eq!(parse("myhost/app").repository(), "myhost/app");
        // Without a slash, `host:5000` is docker's name:tag.
        let r = parse("localhost:5000");
        assert_eq!(r.repository(), "library/localhost");
        assert_eq!(r.tag(), Some("5000"));
    }

    #[test]
    fn ipv6_registry_in_brackets() {
        let r = parse("[::1]:5000/x");
        assert_eq!(r.registry(), "[::1]:5000");
        assert_eq!(r.repository(), "x");
        assert_eq!(r.tag(), Some("latest"));
        let r = parse("[2001:db8::1]/team/app:v2");
        assert_eq!(r.registry(), "[2001:db8::1]");
        assert_eq!(r.tag(), Some("v2"));
        assert_eq!(r.familiar(), "[2001:db8::1]/team/app:v2");

        assert!(matches!(
            err("[::1]:5000"),
            ReferenceError::MissingRepositoryPath { .. }
        ));
        assert!(matches!(
            err("[zz::1]:5000/x"),
            ReferenceError::InvalidIpv6 { .. }
        ));
        assert!(matches!(err("[::1/x"), ReferenceError::InvalidIpv6 { .. }));
        assert!(matches!(
            err("[::1]5000/x"),
            ReferenceError::InvalidPort { .. }
        ));
    }

    #[test]
    fn nested_path_with_tag_and_digest() {
        let r = parse(&format!("a/b/c:tag@{SHA}"));
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.repository(), "a/b/c");
        assert_eq!(r.tag(), Some("tag"));
        assert_eq!(r.digest(), Some(SHA));
        assert_eq!(r.manifest_reference(), SHA);
        assert_eq!(r.to_string(), format!("docker.io/a/b/c:tag@{SHA}"));
        assert_eq!(r.familiar(), format!("a/b/c:tag@{SHA}"));
    }

    #[test]
    fn digest_only_has_no_default_tag() {
        let r = parse(&format!("localhost:5000/app@{SHA}"));
        assert_eq!(r.tag(), None);
        assert_eq!(r.digest(), Some(SHA));
        assert_eq!(r.familiar(), format!("localhost:5000/app@{SHA}"));
    }

    #[test]
    fn digest_errors_say_what_is_wrong() {
        let short = format!("app@{}", &SHA[..SHA.len() - 1]);
        assert_eq!(
            err(&short),
            ReferenceError::DigestLength {
                algorithm: "sha256".into(),
                expected: 64,
                actual: 63
            }
        );
        assert_eq!(
            err(&short).to_string(),
            "a sha256 digest has 64 hex digits, this one has 63"
        );
        assert!(matches!(
            err("app@md5:abcd"),
            ReferenceError::UnsupportedDigestAlgorithm { .. }
        ));
        assert!(matches!(
            err("app@sha256"),
            ReferenceError::MalformedDigest { .. }
        ));
        assert!(matches!(
            err("app@"),
            ReferenceError::MalformedDigest { .. }
        ));
        assert!(matches!(
            err(&format!("app@{}", SHA.to_uppercase().replace("SHA", "sha"))),
            ReferenceError::DigestUppercase { .. }
        ));
        assert!(matches!(
            err(&format!("app@sha256:g{}", &SHA[8..])),
            ReferenceError::InvalidCharacter {
                ch: 'g',
                part: Part::Digest,
                ..
            }
        ));
        assert!(validate_digest(&format!("sha512:{}", "a".repeat(128))).is_ok());
    }

    #[test]
    fn uppercase_names_are_refused_with_a_suggestion() {
        let e = err("MyApp");
        assert_eq!(
            e.to_string(),
            "uppercase letters are not allowed in repository names: use \"myapp\""
        );
        let e = err("localhost:5000/Team/App:V1");
        assert_eq!(
            e,
            ReferenceError::Uppercase {
                suggestion: "localhost:5000/team/app:V1".into()
            }
        );
        // Uppercase tags are fine, uppercase hosts are docker-legal.
        assert_eq!(parse("app:V1").tag(), Some("V1"));
        assert_eq!(
            parse("Registry.Example.com/app").registry(),
            "Registry.Example.com"
        );
    }

    #[test]
    fn tag_length_limits() {
        let ok = format!("app:{}", "a".repeat(128));
        assert_eq!(parse(&ok).tag().map(str::len), Some(128));
        let e = err(&format!("app:{}", "a".repeat(129)));
        assert_eq!(e, ReferenceError::TagTooLong { len: 129 });
        assert_eq!(
            err(&format!("app:{}", "b".repeat(130))).to_string(),
            "tag is 130 characters; at most 128 are allowed"
        );
    }

    #[test]
    fn tag_syntax() {
        assert_eq!(parse("app:_x.y-z").tag(), Some("_x.y-z"));
        assert_eq!(err("app:"), ReferenceError::EmptyTag);
        assert!(matches!(
            err("app:.hidden"),
            ReferenceError::TagStart { .. }
        ));
        assert!(matches!(err("app:-x"), ReferenceError::TagStart { .. }));
        assert!(matches!(
            err("app:a:b"),
            ReferenceError::InvalidCharacter {
                ch: ':',
                part: Part::Tag,
                ..
            }
        ));
    }

    #[test]
    fn empty_and_whitespace() {
        assert_eq!(err(""), ReferenceError::Empty);
        assert_eq!(err("   "), ReferenceError::Empty);
        let e = err("my app");
        assert_eq!(
            e,
            ReferenceError::InvalidCharacter {
                ch: ' ',
                part: Part::Repository,
                text: "my app".into()
            }
        );
        assert!(
            e.to_string()
                .starts_with("invalid character ' ' in repository name \"my app\"")
        );
        assert!(matches!(
            err(" nginx"),
            ReferenceError::InvalidCharacter { ch: ' ', .. }
        ));
        assert!(matches!(
            err("nginx:1 "),
            ReferenceError::InvalidCharacter {
                ch: ' ',
                part: Part::Tag,
                ..
            }
        ));
        assert!(matches!(
            err("nginx\t"),
            ReferenceError::InvalidCharacter { ch: '\t', .. }
        ));
    }

    #[test]
    fn unicode_is_refused_by_character() {
        assert!(matches!(
            err("café"),
            ReferenceError::InvalidCharacter {
                ch: 'é',
                part: Part::Repository,
                ..
            }
        ));
        assert!(matches!(
            err("app:ünï"),
            ReferenceError::InvalidCharacter {
                ch: 'ü',
                part: Part::Tag,
                ..
            }
        ));
        assert!(matches!(
            err("régistry.example.com/app"),
            ReferenceError::InvalidCharacter {
                ch: 'é',
                part: Part::Registry,
                ..
            }
        ));
    }

    #[test]
    fn tag_or_digest_alone() {
        assert_eq!(err(":tag"), ReferenceError::MissingRepository);
        assert_eq!(err(&format!("@{SHA}")), ReferenceError::MissingRepository);
        assert!(matches!(
            err("localhost:5000/"),
            ReferenceError::MissingRepositoryPath { .. }
        ));
        assert!(matches!(
            err("example.com/:1"),
            ReferenceError::MissingRepositoryPath { .. }
        ));
    }

    #[test]
    fn path_component_separators() {
        for ok in [
            "a.b",
            "a_b",
            "a__b",
            "a-b",
            "a---b",
            "a.b_c__d-e",
            "a0/b1/c2",
        ] {
            assert!(Reference::parse(ok).is_ok(), "{ok} should parse");
        }
        for bad in ["a..b", "a___b", ".a", "a.", "a-", "_a", "a._b", "a-.b"] {
            assert!(
                matches!(err(bad), ReferenceError::InvalidSeparator { .. }),
                "{bad} should be an invalid separator"
            );
        }
        assert!(matches!(
            err("a//b"),
            ReferenceError::EmptyPathComponent { .. }
        ));
        assert!(matches!(
            err("a/b/"),
            ReferenceError::EmptyPathComponent { .. }
        ));
    }

    #[test]
    fn registry_host_and_port_checks() {
        assert!(matches!(
            err("host:99999/app"),
            ReferenceError::InvalidPort { .. }
        ));
        assert!(matches!(
            err("host:0/app"),
            ReferenceError::InvalidPort { .. }
        ));
        assert!(matches!(
            err("host:/app"),
            ReferenceError::InvalidPort { .. }
        ));
        assert!(matches!(
            err("host:5a/app"),
            ReferenceError::InvalidPort { .. }
        ));
        assert!(matches!(
            err("-bad.com/app"),
            ReferenceError::InvalidHost { .. }
        ));
        assert!(matches!(
            err("a..com/app"),
            ReferenceError::InvalidHost { .. }
        ));
        assert!(matches!(
            err("https://example.com/app"),
            ReferenceError::SchemeNotAllowed { .. }
        ));
        assert_eq!(parse("127.0.0.1:5000/app").registry(), "127.0.0.1:5000");
    }

    #[test]
    fn the_length_limit_counts_the_repository_path_only() {
        // `library/` counts (it is part of the path the registry sees), the registry does not.
        let longest_official = "a".repeat(255 - "library/".len());
        assert!(Reference::parse(&longest_official).is_ok());
        assert_eq!(
            err(&format!("{longest_official}a")),
            ReferenceError::NameTooLong { len: 256 }
        );
        let path = format!("{}a", "a/".repeat(127));
        assert_eq!(path.len(), 255);
        let long_host = format!("{}.example.com:5000", "r".repeat(60));
        let r = parse(&format!("{long_host}/{path}:1"));
        assert_eq!(r.repository(), path, "a long registry does not count");
        assert_eq!(
            err(&format!("{long_host}/{path}a")).to_string(),
            "repository path is 256 characters; at most 255 are allowed"
        );
        assert!(RepositoryRef::new(&long_host, &path).is_ok());
    }

    #[test]
    fn capitals_in_the_first_component_make_it_a_registry() {
        let r = parse("LOCALDOMAIN/app");
        assert_eq!(r.registry(), "LOCALDOMAIN");
        assert_eq!(r.repository(), "app");
        assert_eq!(r.familiar(), "LOCALDOMAIN/app:latest");
        assert_eq!(parse("Docker/docker").registry(), "Docker");
        // The path stays lowercase-only, and the advice keeps the host as written.
        assert_eq!(
            err("MyHost/MyApp:1"),
            ReferenceError::Uppercase {
                suggestion: "MyHost/myapp:1".into()
            }
        );
        // One component is a Hub name: capitals there are an error, not a host.
        assert_eq!(
            err("MyApp"),
            ReferenceError::Uppercase {
                suggestion: "myapp".into()
            }
        );
        assert_eq!(
            RepositoryRef::parse("LOCALDOMAIN/app").unwrap().registry(),
            "LOCALDOMAIN"
        );
    }

    #[test]
    fn bracketed_ipv6_takes_hex_and_colons_only() {
        assert!(matches!(
            err("[2001:db8:3:4::192.0.2.33]:5000/debian"),
            ReferenceError::InvalidIpv6 { .. }
        ));
        assert!(matches!(
            err("[fe80::1%eth0]:5000/x"),
            ReferenceError::InvalidIpv6 { .. }
        ));
        assert!(matches!(
            err("[::ffff:127.0.0.1]/x"),
            ReferenceError::InvalidIpv6 { .. }
        ));
        assert_eq!(parse("[FC00::1]:5000/x").registry(), "[FC00::1]:5000");
    }

    #[test]
    fn image_ids_are_not_names() {
        assert_eq!(err(&"a".repeat(64)), ReferenceError::ImageIdAsName);
        // With a tag, docker reads it as a name.
        assert_eq!(parse(&format!("{}:1", "a".repeat(64))).tag(), Some("1"));
        // With a registry, docker allows it.
        assert!(Reference::parse(&format!("localhost:5000/{}", "a".repeat(64))).is_ok());
    }

    #[test]
    fn repository_refs() {
        let repo = RepositoryRef::parse("localhost:5000/team/app").unwrap();
        assert_eq!(repo.to_string(), "localhost:5000/team/app");
        assert_eq!(api_host_for(repo.registry()), "localhost:5000");
        assert_eq!(credential_key_for(repo.registry()), "localhost:5000");
        assert_eq!(repo.familiar(), "localhost:5000/team/app");

        let hub = RepositoryRef::parse("nginx").unwrap();
        assert_eq!(hub.to_string(), "docker.io/library/nginx");
        assert_eq!(api_host_for(hub.registry()), "registry-1.docker.io");
        assert_eq!(
            credential_key_for(hub.registry()),
            "https://index.docker.io/v1/"
        );
        assert_eq!(hub.familiar(), "nginx");

        // Hosts are kept exactly as written: these are different credential entries.
        let a = RepositoryRef::parse("127.0.0.1:5000/x").unwrap();
        let b = RepositoryRef::parse("localhost:5000/x").unwrap();
        assert_ne!(
            credential_key_for(a.registry()),
            credential_key_for(b.registry())
        );
        assert_ne!(a, b);

        assert_eq!(
            RepositoryRef::parse("app:1"),
            Err(ReferenceError::TagNotAllowed)
        );
        assert_eq!(
            RepositoryRef::parse(&format!("app@{SHA}")),
            Err(ReferenceError::TagNotAllowed)
        );
        assert_eq!(
            RepositoryRef::parse("localhost:5000"),
            Err(ReferenceError::MissingRepositoryPath {
                registry: "localhost:5000".into()
            })
        );
        assert!(matches!(
            RepositoryRef::parse("registry.example.com:443"),
            Err(ReferenceError::MissingRepositoryPath { .. })
        ));
        for host_only in ["docker.io", "registry.example.com", "localhost"] {
            assert_eq!(
                RepositoryRef::parse(host_only),
                Err(ReferenceError::MissingRepositoryPath {
                    registry: host_only.into()
                })
            );
        }
        assert_eq!(
            RepositoryRef::parse("registry.example.com")
                .unwrap_err()
                .to_string(),
            "\"registry.example.com\" is only a registry host: add a repository, e.g. \
             registry.example.com/myapp"
        );

        let r = Reference::parse("localhost:5000/team/app:1").unwrap();
        assert_eq!(r.repository_ref(), &repo);
        assert_eq!(repo.with_tag("1").unwrap(), r);
        assert!(repo.with_tag("bad tag").is_err());
    }

    #[test]
    fn a_registry_alone_is_recognised_where_a_repository_is_expected() {
        for (typed, registry) in [
            ("registry.example.com", "registry.example.com"),
            ("registry.example.com:443", "registry.example.com:443"),
            ("host:5000", "host:5000"),
            ("localhost", "localhost"),
            ("localhost:5000/", "localhost:5000"),
            (" 127.0.0.1:5071 ", "127.0.0.1:5071"),
            ("10.0.0.7", "10.0.0.7"),
            ("[::1]:5000", "[::1]:5000"),
            ("[2001:db8::1]", "[2001:db8::1]"),
            ("docker.io", "docker.io"),
            ("index.docker.io", "docker.io"),
        ] {
            assert_eq!(bare_registry(typed).as_deref(), Some(registry), "{typed:?}");
            assert_eq!(
                RepositoryInput::parse(typed),
                Ok(RepositoryInput::Registry(registry.to_owned())),
                "{typed:?}"
            );
            assert!(matches!(
                RepositoryRef::parse(typed),
                Err(ReferenceError::MissingRepositoryPath { .. })
            ));
        }
        // Repositories, with or without a tag, stay repositories.
        for (typed, repository) in [
            ("nginx", "docker.io/library/nginx"),
            ("postgres:16", "docker.io/library/postgres"),
            ("nginx:1.25", "docker.io/library/nginx"),
            ("host", "docker.io/library/host"),
            ("localhost:5000/app:1", "localhost:5000/app"),
            (
                "registry.example.com/team/app",
                "registry.example.com/team/app",
            ),
        ] {
            match RepositoryInput::parse(typed) {
                Ok(RepositoryInput::Repository(repo)) => {
                    assert_eq!(repo.to_string(), repository, "{typed:?}")
                }
                other => panic!("{typed:?} read as {other:?}"),
            }
            assert_eq!(bare_registry(typed), None, "{typed:?}");
        }
        for bad in ["", "host:99999", "-bad.com", "[zz::1]:5000", "a b"] {
            assert_eq!(bare_registry(bad), None, "{bad:?}");
        }
        assert!(RepositoryInput::parse("My App").is_err());
    }

    #[test]
    fn docker_hub_spellings_are_one_repository() {
        let spellings = [
            "nginx",
            "library/nginx",
            "docker.io/nginx",
            "docker.io/library/nginx",
            "index.docker.io/library/nginx",
            "index.docker.io/nginx",
        ];
        let repos: Vec<RepositoryRef> = spellings
            .iter()
            .map(|s| RepositoryRef::parse(s).unwrap())
            .collect();
        for (spelling, repo) in spellings.iter().zip(&repos) {
            assert_eq!(repo, &repos[0], "{spelling}");
            assert_eq!(repo.to_string(), "docker.io/library/nginx");
            assert_eq!(repo.familiar(), "nginx");
            assert_eq!(
                credential_key_for(repo.registry()),
                "https://index.docker.io/v1/",
                "{spelling}"
            );
            assert_eq!(api_host_for(repo.registry()), "registry-1.docker.io");
        }
        // References too, whatever the spelling of the tag's repository.
        let a = Reference::parse("index.docker.io/library/nginx:1").unwrap();
        let b = Reference::parse("nginx:1").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            credential_key_for("index.docker.io"),
            credential_key_for("docker.io")
        );
    }

    #[test]
    fn repository_ref_from_parts() {
        let hub = RepositoryRef::new("docker.io", "nginx").unwrap();
        assert_eq!(hub.repository(), "library/nginx");
        let legacy = RepositoryRef::new("index.docker.io", "library/nginx").unwrap();
        assert_eq!(legacy, hub);
        assert_eq!(
            RepositoryRef::new("localhost:5000", "team/app")
                .unwrap()
                .to_string(),
            "localhost:5000/team/app"
        );
        assert!(RepositoryRef::new("localhost:5000", "../etc").is_err());
        assert!(RepositoryRef::new("localhost:5000/x", "app").is_err());
        assert!(RepositoryRef::new("localhost:5000", "").is_err());
        assert!(RepositoryRef::new("localhost:5000", "App").is_err());
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "localhost:5000",
            "LOCALHOST:5000",
            "127.0.0.1",
            "127.0.0.1:5000",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:5000",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host} is loopback");
        }
        for host in [
            "example.com",
            "localhost.example.com:5000",
            "128.0.0.1:5000",
            "10.0.0.1",
            "[::2]:5000",
            "docker.io",
            "[::1",
        ] {
            assert!(!is_loopback_host(host), "{host} is not loopback");
        }
    }
}

#[cfg(test)]
mod upstream_cases;
