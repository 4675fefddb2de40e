//! Manifests, indexes and image configs: registry JSON parsed into checked types.
//!
//! Everything here is pure. Parsers return a short description of what arrived when it is
//! not what the API promises; the client turns that into a `RegistryError::BadResponse`.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use super::reference::{RepositoryRef, validate_digest};

/// OCI image index media type.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker manifest list media type.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// OCI image manifest media type.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker image manifest (schema 2) media type.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The `Accept` header for manifests; without it registries may answer with schema 1.
pub(crate) const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json";

/// How much of a parser's complaint goes into an error message.
const DETAIL_LIMIT: usize = 200;

/// An operating system, CPU architecture and optional variant: `linux/arm64/v8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    /// `linux`, `windows`…
    pub os: String,
    /// `amd64`, `arm64`…
    pub architecture: String,
    /// `v7`, `v8`… when given.
    pub variant: Option<String>,
}

impl Platform {
    /// `os/arch[/variant]`, as `--platform` and `:files` take it (the inverse of `Display`).
    pub fn parse(text: &str) -> Option<Platform> {
        let mut parts = text.split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(os), Some(arch), variant, None) if !os.is_empty() && !arch.is_empty() => {
                Some(Platform {
                    os: os.to_string(),
                    architecture: arch.to_string(),
                    variant: variant.filter(|v| !v.is_empty()).map(str::to_string),
                })
            }
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// A content descriptor: what a manifest points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// The target's media type.
    pub media_type: String,
    /// The target's digest (validated).
    pub digest: String,
    /// The target's size in bytes.
    pub size: u64,
    /// For index entries: the platform of the image.
    pub platform: Option<Platform>,
}

/// A single-platform image manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageManifest {
    /// The config blob.
    pub config: Descriptor,
    /// The layers, base first.
    pub layers: Vec<Descriptor>,
}

impl ImageManifest {
    /// What a pull downloads: the config plus the compressed layers.
    pub fn compressed_size(&self) -> u64 {
        self.layers.iter().fold(self.config.size, |sum, layer| {
            sum.saturating_add(layer.size)
        })
    }
}

/// A multi-platform index (OCI index or Docker manifest list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageIndex {
    /// The platform images; attestation entries (`unknown/unknown`) are left out.
    pub manifests: Vec<Descriptor>,
    /// How many attestation entries were left out.
    pub attestations: usize,
}

/// An image manifest or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    /// One platform.
    Image(ImageManifest),
    /// Several platforms.
    Index(ImageIndex),
}

/// A manifest as fetched: its digest, media type and size, and the parsed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedManifest {
    /// The digest of the bytes received (verified against what was asked for).
    pub digest: String,
    /// The media type.
    pub media_type: String,
    /// The manifest's own size in bytes.
    pub size: u64,
    /// The parsed manifest.
    pub manifest: Manifest,
}

/// What a `HEAD` of a manifest tells: the digest, and media type and size when sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHead {
    /// The manifest's digest.
    pub digest: String,
    /// The media type, if the registry said.
    pub media_type: Option<String>,
    /// The manifest's size in bytes, if the registry said.
    pub size: Option<u64>,
}

/// One entry of an image's history: the step that made a layer (or only metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// When the step ran.
    pub created: Option<DateTime<Utc>>,
    /// The command, e.g. `/bin/sh -c apt-get install …`.
    pub created_by: String,
    /// A comment, e.g. `buildkit.dockerfile.v0`.
    pub comment: String,
    /// True if the step made no layer (ENV, CMD…).
    pub empty_layer: bool,
}

/// The parts of an image config blob that wharf shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageConfig {
    /// When the image was built.
    pub created: Option<DateTime<Utc>>,
    /// The CPU architecture.
    pub architecture: String,
    /// The operating system.
    pub os: String,
    /// The architecture variant.
    pub variant: Option<String>,
    /// The build history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The uncompressed layer digests, base first.
    pub diff_ids: Vec<String>,
}

impl ImageConfig {
    /// The platform the config declares.
    pub fn platform(&self) -> Platform {
        Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
        }
    }
}

/// One platform of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformDetail {
    /// The platform.
    pub platform: Platform,
    /// The platform image's manifest digest.
    pub digest: String,
    /// Its config blob's digest: the image ID the engine gives the image when it pulls it.
    pub config_digest: String,
    /// Config plus compressed layers.
    pub compressed_size: u64,
    /// When the platform image was built.
    pub created: Option<DateTime<Utc>>,
}

/// Everything the tags pane and the tag detail show about one tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDetail {
    /// The repository.
    pub repository: RepositoryRef,
    /// The tag.
    pub tag: String,
    /// The digest of the tag's manifest (the index for multi-platform tags).
    pub digest: String,
    /// The media type of that manifest.
    pub media_type: String,
    /// The compressed size of all platforms together.
    pub compressed_size: u64,
    /// When the default platform's image was built.
    pub created: Option<DateTime<Utc>>,
    /// The platforms, in the registry's order.
    pub platforms: Vec<PlatformDetail>,
    /// Index into `platforms` of the one this machine would pull (None if there are none).
    pub default_platform: Option<usize>,
    /// Attestation entries of the index that were left out.
    pub attestations: usize,
    /// The default platform's build history.
    pub history: Vec<HistoryEntry>,
    /// The default platform's layers.
    pub layers: Vec<Descriptor>,
}

impl TagDetail {
    /// True if the tag is an index (several platforms or attestations).
    pub fn is_multi_platform(&self) -> bool {
        matches!(self.media_type.as_str(), OCI_INDEX | DOCKER_MANIFEST_LIST)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: Option<i64>,
    media_type: Option<String>,
    config: Option<RawDescriptor>,
    layers: Option<Vec<RawDescriptor>>,
    manifests: Option<Vec<RawDescriptor>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    #[serde(default)]
    media_type: Option<String>,
    digest: String,
    size: u64,
    platform: Option<RawPlatform>,
    annotations: Option<HashMap<String, Value>>,
}

#[derive(Deserialize)]
struct RawPlatform {
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    variant: Option<String>,
}

#[derive(Deserialize)]
struct RawConfig {
    created: Option<String>,
    architecture: Option<String>,
    os: Option<String>,
    variant: Option<String>,
    history: Option<Vec<RawHistory>>,
    rootfs: Option<RawRootfs>,
}

#[derive(Deserialize)]
struct RawHistory {
    created: Option<String>,
    created_by: Option<String>,
    comment: Option<String>,
    empty_layer: Option<bool>,
}

#[derive(Deserialize)]
struct RawRootfs {
    diff_ids: Option<Vec<String>>,
}

/// Parses a manifest body; `content_type` helps when the body omits `mediaType`.
pub(crate) fn parse_manifest(
    body: &[u8],
    content_type: Option<&str>,
) -> Result<(String, Manifest), String> {
    let raw: RawManifest = parse_json(body)?;
    if raw.schema_version == Some(1) {
        return Err("a schema 1 manifest, which is deprecated and not supported".into());
    }
    let declared = raw
        .media_type
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| {
            content_type
                .map(media_type_of)
                .filter(|t| is_manifest_type(t))
        });
    let is_index = match declared.as_deref() {
        Some(OCI_INDEX | DOCKER_MANIFEST_LIST) => true,
        Some(OCI_MANIFEST | DOCKER_MANIFEST) => false,
        // Unknown or missing media type: decide by shape, as OCI allows.
        _ => raw.manifests.is_some() && raw.config.is_none(),
    };
    if is_index {
        let entries = raw
            .manifests
            .ok_or("an index without a \"manifests\" list")?;
        let mut manifests = Vec::new();
        let mut attestations = 0;
        for entry in entries {
            let descriptor = descriptor(entry)?;
            if descriptor.1 {
                attestations += 1;
            } else {
                manifests.push(descriptor.0);
            }
        }
        let media_type = declared.unwrap_or_else(|| OCI_INDEX.to_owned());
        return Ok((
            media_type,
            Manifest::Index(ImageIndex {
                manifests,
                attestations,
            }),
        ));
    }
    let config = raw
        .config
        .ok_or("JSON that is neither an image manifest nor an index (no \"config\")")?;
    let config = descriptor(config)?.0;
    let layers = raw
        .layers
        .unwrap_or_default()
        .into_iter()
        .map(|layer| descriptor(layer).map(|(d, _)| d))
        .collect::<Result<Vec<_>, _>>()?;
    let media_type = declared.unwrap_or_else(|| OCI_MANIFEST.to_owned());
    Ok((
        media_type,
        Manifest::Image(ImageManifest { config, layers }),
    ))
}

/// A checked descriptor, and whether it is an attestation entry.
fn descriptor(raw: RawDescriptor) -> Result<(Descriptor, bool), String> {
    if validate_digest(&raw.digest).is_err() {
        return Err(format!(
            "a descriptor with an invalid digest {:?}",
            shorten(&raw.digest)
        ));
    }
    let platform = raw.platform.map(|p| Platform {
        os: p.os.unwrap_or_default(),
        architecture: p.architecture.unwrap_or_default(),
        variant: p.variant.filter(|v| !v.is_empty()),
    });
    let unknown_platform = platform
        .as_ref()
        .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown");
    let attestation_annotation = raw
        .annotations
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .and_then(Value::as_str)
        == Some("attestation-manifest");
    Ok((
        Descriptor {
            media_type: raw.media_type.unwrap_or_default(),
            digest: raw.digest,
            size: raw.size,
            platform,
        },
        unknown_platform || attestation_annotation,
    ))
}

/// Parses an image config blob.
pub(crate) fn parse_config(body: &[u8]) -> Result<ImageConfig, String> {
    let raw: RawConfig = parse_json(body)?;
    let history = raw
        .history
        .unwrap_or_default()
        .into_iter()
        .map(|h| HistoryEntry {
            created: h.created.as_deref().and_then(parse_time),
            created_by: h.created_by.unwrap_or_default(),
            comment: h.comment.unwrap_or_default(),
            empty_layer: h.empty_layer.unwrap_or(false),
        })
        .collect();
    Ok(ImageConfig {
        created: raw.created.as_deref().and_then(parse_time),
        architecture: raw.architecture.unwrap_or_default(),
        os: raw.os.unwrap_or_default(),
        variant: raw.variant.filter(|v| !v.is_empty()),
        history,
        diff_ids: raw.rootfs.and_then(|r| r.diff_ids).unwrap_or_default(),
    })
}

/// Parses JSON, describing garbage (HTML, truncation, wrong shape) for an error message.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| describe_invalid_json(body, &e))
}

fn describe_invalid_json(body: &[u8], error: &serde_json::Error) -> String {
    let start = body.trim_ascii_start();
    if start.is_empty() {
        return "an empty body".into();
    }
    if start.starts_with(b"<") {
        let head = String::from_utf8_lossy(&start[..start.len().min(512)]).to_ascii_lowercase();
        return if head.contains("<html") || head.contains("<!doctype html") {
            "an HTML page (is this really a registry?)".into()
        } else {
            "XML or HTML instead of JSON".into()
        };
    }
    let what = match error.classify() {
        serde_json::error::Category::Eof => "truncated JSON",
        serde_json::error::Category::Data => "JSON of the wrong shape",
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => "invalid JSON",
    };
    format!("{what} ({})", shorten(&error.to_string()))
}

/// `application/json; charset=utf-8` → `application/json`.
pub(crate) fn media_type_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_manifest_type(media_type: &str) -> bool {
    matches!(
        media_type,
        OCI_INDEX | DOCKER_MANIFEST_LIST | OCI_MANIFEST | DOCKER_MANIFEST
    )
}

/// RFC 3339 timestamps; Go's zero time and garbage are "unknown".
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let time = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    (time.year() > 1).then_some(time)
}

/// `sha256:<hex>` of some bytes.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// True if `bytes` hash to `digest` (sha256, sha384 or sha512).
pub(crate) fn matches_digest(digest: &str, bytes: &[u8]) -> bool {
    match digest.split_once(':') {
        Some(("sha256", want)) => hex(&Sha256::digest(bytes)) == want,
        Some(("sha384", want)) => hex(&Sha384::digest(bytes)) == want,
        Some(("sha512", want)) => hex(&Sha512::digest(bytes)) == want,
        _ => false,
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// The platform this machine pulls: linux on our architecture, else linux/amd64, else the first.
pub(crate) fn default_platform(platforms: &[&Platform]) -> Option<usize> {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    let find = |arch: &str| {
        platforms
            .iter()
            .position(|p| p.os == "linux" && p.architecture == arch)
    };
    find(arch)
        .or_else(|| find("amd64"))
        .or((!platforms.is_empty()).then_some(0))
}

/// Keeps registry-supplied text short enough for one line of an error.
pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() <= DETAIL_LIMIT {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(DETAIL_LIMIT).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(n: u8) -> String {
        format!("sha256:{}", format!("{n:02x}").repeat(32))
    }

    fn image_json(media_type: Option<&str>) -> String {
        let mt = media_type
            .map(|m| format!(r#""mediaType":"{m}","#))
            .unwrap_or_default();
        format!(
            r#"{{"schemaVersion":2,{mt}
               "config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":100}},
               "layers":[{{"mediaType":"l","digest":"{}","size":1000}},{{"mediaType":"l","digest":"{}","size":24}}]}}"#,
            digest(1),
            digest(2),
            digest(3)
        )
    }

    #[test]
    fn image_manifest_sizes() {
        let (mt, m) = parse_manifest(image_json(Some(DOCKER_MANIFEST)).as_bytes(), None).unwrap();
        assert_eq!(mt, DOCKER_MANIFEST);
        let Manifest::Image(image) = m else {
            panic!("image expected")
        };
        assert_eq!(image.compressed_size(), 1124);
        assert_eq!(image.layers.len(), 2);
        assert_eq!(image.config.digest, digest(1));
    }

    #[test]
    fn media_type_from_header_or_shape() {
        let body = image_json(None);
        let (mt, _) = parse_manifest(
            body.as_bytes(),
            Some("application/vnd.docker.distribution.manifest.v2+json; charset=utf-8"),
        )
        .unwrap();
        assert_eq!(mt, DOCKER_MANIFEST);
        let (mt, _) = parse_manifest(body.as_bytes(), Some("application/json")).unwrap();
        assert_eq!(mt, OCI_MANIFEST);
    }

    #[test]
    fn index_skips_attestations_but_counts_them() {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[
                {{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":500,"platform":{{"os":"linux","architecture":"amd64"}}}},
                {{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":501,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}},
                {{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":50,"platform":{{"os":"unknown","architecture":"unknown"}},
                  "annotations":{{"vnd.docker.reference.type":"attestation-manifest"}}}}
            ]}}"#,
            digest(4),
            digest(5),
            digest(6)
        );
        let (mt, m) = parse_manifest(body.as_bytes(), None).unwrap();
        assert_eq!(mt, OCI_INDEX);
        let Manifest::Index(index) = m else {
            panic!("index expected")
        };
        assert_eq!(index.attestations, 1);
        let platforms: Vec<String> = index
            .manifests
            .iter()
            .map(|d| d.platform.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(platforms, vec!["linux/amd64", "linux/arm64/v8"]);
    }

    #[test]
    fn hostile_manifests_are_described() {
        let html = b"<!DOCTYPE html><html><body>Login</body></html>";
        assert_eq!(
            parse_manifest(html, None).unwrap_err(),
            "an HTML page (is this really a registry?)"
        );
        let whole = image_json(None);
        assert!(
            parse_manifest(&whole.as_bytes()[..40], None)
                .unwrap_err()
                .starts_with("truncated JSON")
        );
        assert_eq!(parse_manifest(b"", None).unwrap_err(), "an empty body");
        assert!(
            parse_manifest(b"[1,2]", None)
                .unwrap_err()
                .starts_with("JSON of the wrong shape")
        );
        assert!(
            parse_manifest(b"{]", None)
                .unwrap_err()
                .starts_with("invalid JSON")
        );
        assert!(
            parse_manifest(br#"{"schemaVersion":1,"fsLayers":[]}"#, None)
                .unwrap_err()
                .contains("schema 1")
        );
        assert!(
            parse_manifest(br#"{"schemaVersion":2}"#, None)
                .unwrap_err()
                .contains("neither")
        );
        // A digest that would escape the URL path is refused.
        let evil = image_json(None).replace(&digest(2), "../../../etc/passwd");
        assert!(
            parse_manifest(evil.as_bytes(), None)
                .unwrap_err()
                .contains("invalid digest")
        );
        let negative = image_json(None).replace("\"size\":1000", "\"size\":-1");
        assert!(
            parse_manifest(negative.as_bytes(), None)
                .unwrap_err()
                .starts_with("JSON of the wrong shape")
        );
        let long = format!("{{\"x\":\"{}", "a".repeat(10_000));
        assert!(
            parse_manifest(long.as_bytes(), None)
                .unwrap_err()
                .chars()
                .count()
                < 300
        );
    }

    #[test]
    fn config_with_history_and_odd_dates() {
        let body = br#"{"architecture":"arm64","os":"linux","variant":"v8",
            "created":"2021-03-04T05:06:07.123456789Z",
            "history":[
              {"created":"2021-03-04T05:06:00Z","created_by":"/bin/sh -c #(nop) ADD file:abc in /"},
              {"created":"0001-01-01T00:00:00Z","created_by":"CMD [\"sh\"]","empty_layer":true,"comment":"buildkit"},
              {"created":"yesterday"}
            ],
            "rootfs":{"type":"layers","diff_ids":["sha256:aa"]},
            "config":{"Env":["PATH=/bin"]}}"#;
        let config = parse_config(body).unwrap();
        assert_eq!(config.platform().to_string(), "linux/arm64/v8");
        assert_eq!(
            config.created.unwrap().to_rfc3339(),
            "2021-03-04T05:06:07.123456789+00:00"
        );
        assert_eq!(config.history.len(), 3);
        assert!(config.history[1].empty_layer);
        assert_eq!(config.history[1].created, None, "Go's zero time is unknown");
        assert_eq!(config.history[1].comment, "buildkit");
        assert_eq!(config.history[2].created, None);
        assert_eq!(config.history[2].created_by, "");
        assert_eq!(config.diff_ids, vec!["sha256:aa"]);

        let empty = parse_config(br#"{"history":null,"rootfs":null}"#).unwrap();
        assert!(empty.history.is_empty() && empty.created.is_none());
    }

    #[test]
    fn digests() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(matches_digest(&sha256_digest(b"abc"), b"abc"));
        assert!(!matches_digest(&sha256_digest(b"abc"), b"abd"));
        assert!(matches_digest(
            "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            b"abc"
        ));
        assert!(!matches_digest(
            "md5:900150983cd24fb0d6963f7d28e17f72",
            b"abc"
        ));
    }

    #[test]
    fn default_platform_prefers_this_machine_then_amd64() {
        let p = |os: &str, arch: &str| Platform {
            os: os.into(),
            architecture: arch.into(),
            variant: None,
        };
        let (arm, amd, win) = (
            p("linux", "arm64"),
            p("linux", "amd64"),
            p("windows", "amd64"),
        );
        let ours = if std::env::consts::ARCH == "aarch64" {
            0
        } else {
            1
        };
        assert_eq!(default_platform(&[&arm, &amd]), Some(ours));
        assert_eq!(default_platform(&[&win, &p("linux", "s390x")]), Some(0));
        assert_eq!(default_platform(&[]), None);
    }
}
