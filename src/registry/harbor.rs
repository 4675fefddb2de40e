//! Harbor's API (v2.0, as its `swagger.yaml` describes it): projects, repositories and
//! artifacts read into wharf's types.
//!
//! Pure. Listings are JSON arrays paged with `page`/`page_size`, an `X-Total-Count` header and
//! a `Link` header; entries are read one by one, so an odd entry is left out (and counted)
//! instead of failing the page. Field names follow the swagger's `Project`
//! (`name`, `repo_count`, `metadata.public` as the string "true"/"false"), `Repository`
//! (`name` with its project, `artifact_count`, `pull_count`, `update_time`), `Artifact`
//! (`digest`, `size`, `push_time`, `pull_time`, `manifest_media_type`, `tags`, `references`,
//! `extra_attrs`, `scan_overview`) and `NativeReportSummary` (`scan_status`, `severity`,
//! `complete_percent`, `end_time`, `summary` {`total`, `fixable`, `summary` by severity}).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::manifest::{DOCKER_MANIFEST_LIST, OCI_INDEX, Platform, parse_time};
use super::reference::{RepositoryRef, validate_digest, validate_tag};
use super::refused::RefusedName;
use super::remote_tag::{RemotePlatform, RemoteTag, ScanState, ScanSummary, Severity};

/// Where Harbor's API lives on a registry host.
pub const HARBOR_API_PATH: &str = "/api/v2.0/";
/// Items asked for per page: the most the API gives.
pub const HARBOR_PAGE_SIZE: u32 = 100;
/// The scan report formats wharf reads, as `X-Accept-Vulnerabilities`.
pub const ACCEPT_VULNERABILITIES: &str = "application/vnd.security.vulnerability.report; \
     version=1.1, application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";

/// A Harbor project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarborProject {
    /// The project name: the first component of its repositories' names.
    pub name: String,
    /// True if anyone may pull from it.
    pub public: bool,
    /// Repositories in it.
    pub repo_count: u64,
}

/// A repository of a Harbor project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarborRepository {
    /// `registry/project/name`.
    pub repository: RepositoryRef,
    /// Artifacts (tagged or not) in it.
    pub artifact_count: u64,
    /// Pulls.
    pub pull_count: u64,
    /// When it last changed.
    pub updated: Option<DateTime<Utc>>,
}

/// One tag of an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarborTag {
    /// The tag.
    pub name: String,
    /// When the tag was pushed.
    pub pushed: Option<DateTime<Utc>>,
    /// When the tag was last pulled.
    pub pulled: Option<DateTime<Utc>>,
}

/// A Harbor artifact: one manifest (an image or an index) and the tags on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarborArtifact {
    /// The manifest digest.
    pub digest: String,
    /// The manifest's media type.
    pub media_type: Option<String>,
    /// Its size as Harbor counts it.
    pub size: Option<u64>,
    /// When it was pushed.
    pub pushed: Option<DateTime<Utc>>,
    /// When it was last pulled.
    pub pulled: Option<DateTime<Utc>>,
    /// When the image was built (`extra_attrs.created`, images only).
    pub created: Option<DateTime<Utc>>,
    /// Its tags (none for an untagged artifact).
    pub tags: Vec<HarborTag>,
    /// Its platforms: the children of an index, or the image itself.
    pub platforms: Vec<RemotePlatform>,
    /// The last vulnerability scan.
    pub scan: ScanSummary,
}

impl HarborArtifact {
    /// True for an index (a multi-platform image).
    pub fn is_index(&self) -> bool {
        matches!(
            self.media_type.as_deref(),
            Some(OCI_INDEX | DOCKER_MANIFEST_LIST)
        )
    }

    /// One row per tag for the tags pane, each with the artifact's digest, size, platforms
    /// and scan; the tag's own push and pull times where Harbor gives them.
    pub fn tag_rows(&self) -> Vec<RemoteTag> {
        self.tags
            .iter()
            .map(|tag| RemoteTag {
                name: tag.name.clone(),
                digest: Some(self.digest.clone()),
                pushed: tag.pushed.or(self.pushed),
                created: self.created,
                pulled: tag.pulled.or(self.pulled),
                size: self.size,
                platforms: self.platforms.clone(),
                scan: Some(self.scan.clone()),
            })
            .collect()
    }
}

/// The tag rows of all these artifacts (untagged artifacts give none).
pub fn tag_rows(artifacts: &[HarborArtifact]) -> Vec<RemoteTag> {
    artifacts
        .iter()
        .flat_map(HarborArtifact::tag_rows)
        .collect()
}

/// The project and the rest of a Harbor repository name (`project/a/b` → `project`, `a/b`).
pub fn split_project(repo: &RepositoryRef) -> Option<(&str, &str)> {
    repo.repository().split_once('/')
}

/// A repository name (without its project) as a path segment of Harbor's API: a `/` is
/// encoded twice (`a/b` → `a%2Fb`, which the URL encodes again to `a%252Fb`).
pub fn repository_segment(name: &str) -> String {
    name.replace('/', "%2F")
}

fn text(entry: &Value, field: &str) -> Option<String> {
    entry.get(field).and_then(Value::as_str).map(str::to_owned)
}

fn count(entry: &Value, field: &str) -> u64 {
    entry.get(field).and_then(Value::as_u64).unwrap_or(0)
}

fn time(entry: &Value, field: &str) -> Option<DateTime<Utc>> {
    entry
        .get(field)
        .and_then(Value::as_str)
        .and_then(parse_time)
}

/// A `Project`; `None` without a name.
pub(crate) fn project_from(entry: &Value) -> Option<HarborProject> {
    let name = text(entry, "name").filter(|n| !n.is_empty())?;
    let public = entry
        .get("metadata")
        .and_then(|m| m.get("public"))
        .is_some_and(|p| match p {
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            Value::Bool(b) => *b,
            _ => false,
        });
    Some(HarborProject {
        name,
        public,
        repo_count: count(entry, "repo_count"),
    })
}

/// A `Repository`; refused if its name is not a valid repository of `registry`.
pub(crate) fn repository_from(
    entry: &Value,
    registry: &str,
) -> Option<Result<HarborRepository, RefusedName>> {
    let name = text(entry, "name")?;
    Some(
        RefusedName::check(registry, &name).map(|repository| HarborRepository {
            repository,
            artifact_count: count(entry, "artifact_count"),
            pull_count: count(entry, "pull_count"),
            updated: time(entry, "update_time"),
        }),
    )
}

/// An `Artifact`; `None` without a valid digest.
pub(crate) fn artifact_from(entry: &Value) -> Option<HarborArtifact> {
    let digest = text(entry, "digest").filter(|d| validate_digest(d).is_ok())?;
    let tags = entry
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|tag| {
                    let name = text(tag, "name").filter(|n| validate_tag(n).is_ok())?;
                    Some(HarborTag {
                        name,
                        pushed: time(tag, "push_time"),
                        pulled: time(tag, "pull_time"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut artifact = HarborArtifact {
        media_type: text(entry, "manifest_media_type").or_else(|| text(entry, "media_type")),
        size: entry.get("size").and_then(Value::as_u64),
        pushed: time(entry, "push_time"),
        pulled: time(entry, "pull_time"),
        created: entry.get("extra_attrs").and_then(|e| time(e, "created")),
        tags,
        platforms: Vec::new(),
        scan: entry
            .get("scan_overview")
            .map_or_else(ScanSummary::not_scanned, scan_from),
        digest,
    };
    let references: Vec<RemotePlatform> = entry
        .get("references")
        .and_then(Value::as_array)
        .map(|refs| refs.iter().filter_map(reference_platform).collect())
        .unwrap_or_default();
    artifact.platforms = if artifact.is_index() || !references.is_empty() {
        references
    } else {
        // A single image: its platform is in extra_attrs, its digest is the artifact's.
        image_platform(entry.get("extra_attrs"), &artifact.digest, artifact.size)
            .into_iter()
            .collect()
    };
    Some(artifact)
}

/// A `Reference` of an index: a child manifest and its platform.
fn reference_platform(reference: &Value) -> Option<RemotePlatform> {
    let platform = reference.get("platform")?;
    let architecture = text(platform, "architecture").filter(|a| !a.is_empty())?;
    let os = text(platform, "os").unwrap_or_default();
    if os == "unknown" && architecture == "unknown" {
        return None; // an attestation, not a platform
    }
    Some(RemotePlatform {
        platform: Platform {
            os,
            architecture,
            variant: text(platform, "variant").filter(|v| !v.is_empty()),
        },
        digest: text(reference, "child_digest").filter(|d| validate_digest(d).is_ok()),
        size: None,
    })
}

fn image_platform(
    extra: Option<&Value>,
    digest: &str,
    size: Option<u64>,
) -> Option<RemotePlatform> {
    let extra = extra?;
    let architecture = text(extra, "architecture").filter(|a| !a.is_empty())?;
    Some(RemotePlatform {
        platform: Platform {
            os: text(extra, "os").unwrap_or_default(),
            architecture,
            variant: text(extra, "variant").filter(|v| !v.is_empty()),
        },
        digest: Some(digest.to_owned()),
        size,
    })
}

/// A `ScanOverview` (report summaries by MIME type): the first report that says anything.
pub(crate) fn scan_from(overview: &Value) -> ScanSummary {
    let Some(reports) = overview.as_object() else {
        return ScanSummary::not_scanned();
    };
    reports
        .values()
        .find(|r| r.get("scan_status").is_some())
        .map_or_else(ScanSummary::not_scanned, report_summary)
}

/// A `NativeReportSummary`.
fn report_summary(report: &Value) -> ScanSummary {
    let status = text(report, "scan_status").unwrap_or_default();
    let state = match status.to_ascii_lowercase().as_str() {
        "success" => ScanState::Done,
        "pending" | "running" | "scheduled" | "queued" => ScanState::Scanning {
            percent: report
                .get("complete_percent")
                .and_then(Value::as_u64)
                .map(|p| p.min(100) as u8),
        },
        "" | "not scanned" | "notscanned" => ScanState::NotScanned,
        _ => ScanState::Failed {
            status: status.chars().take(40).collect(),
        },
    };
    let summary = report.get("summary");
    let mut counts: Vec<(Severity, u64)> = summary
        .and_then(|s| s.get("summary"))
        .and_then(Value::as_object)
        .map(|by_severity| {
            by_severity
                .iter()
                .filter_map(|(name, n)| Some((Severity::parse(name)?, n.as_u64()?)))
                .filter(|(_, n)| *n > 0)
                .collect()
        })
        .unwrap_or_default();
    counts.sort_by_key(|(severity, _)| std::cmp::Reverse(*severity));
    ScanSummary {
        severity: (state == ScanState::Done)
            .then(|| text(report, "severity").and_then(|s| Severity::parse(&s)))
            .flatten(),
        total: summary.map_or(0, |s| count(s, "total")),
        fixable: summary.map_or(0, |s| count(s, "fixable")),
        counts,
        finished: time(report, "end_time"),
        state,
    }
}

/// True if Harbor's `/ping` answered: `Pong` (Harbor sends it as plain text, some versions
/// as a JSON string).
pub(crate) fn is_pong(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    text.trim().trim_matches('"').eq_ignore_ascii_case("pong")
}

/// True if `/systeminfo` answered like Harbor (a JSON object with `harbor_version`).
pub(crate) fn is_harbor_systeminfo(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .is_some_and(|v| v.get("harbor_version").is_some_and(Value::is_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const INDEX: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    const CHILD: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn projects_say_public_as_a_string() {
        let p = project_from(&json(
            r#"{"project_id":1,"name":"library","repo_count":3,"metadata":{"public":"true"}}"#,
        ))
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.public, p.repo_count),
            ("library", true, 3)
        );
        let p = project_from(&json(r#"{"name":"team","metadata":{"public":"false"}}"#)).unwrap();
        assert!(!p.public);
        assert_eq!(p.repo_count, 0);
        assert_eq!(project_from(&json(r#"{"repo_count":3}"#)), None);
    }

    #[test]
    fn an_index_artifact_with_tags_platforms_and_a_scan() {
        let a = artifact_from(&json(&format!(
            r#"{{"id":7,"type":"IMAGE","digest":"{INDEX}","size":4096,
                "media_type":"application/vnd.oci.image.index.v1+json",
                "manifest_media_type":"application/vnd.oci.image.index.v1+json",
                "push_time":"2024-03-01T10:00:00.000Z","pull_time":"0001-01-01T00:00:00.000Z",
                "tags":[{{"name":"1.0","push_time":"2024-03-02T10:00:00.000Z","immutable":false}},
                        {{"name":"latest"}}],
                "references":[
                  {{"child_digest":"{CHILD}","platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}},
                  {{"child_digest":"{IMAGE}","platform":{{"architecture":"unknown","os":"unknown"}}}}],
                "scan_overview":{{"application/vnd.security.vulnerability.report; version=1.1":{{
                  "report_id":"r1","scan_status":"Success","severity":"High","duration":30,
                  "summary":{{"total":12,"fixable":4,"summary":{{"Critical":0,"High":2,"Low":10}}}},
                  "start_time":"2024-03-01T10:01:00Z","end_time":"2024-03-01T10:02:00Z",
                  "complete_percent":100}}}}}}"#
        )))
        .unwrap();
        assert!(a.is_index());
        assert_eq!(a.pulled, None, "Go's zero time is never");
        assert_eq!(a.platforms.len(), 1, "the attestation is no platform");
        assert_eq!(a.platforms[0].digest.as_deref(), Some(CHILD));
        assert_eq!(a.platforms[0].platform.to_string(), "linux/arm64/v8");
        assert_eq!(a.scan.state, ScanState::Done);
        assert_eq!((a.scan.total, a.scan.fixable), (12, 4));
        assert_eq!(
            a.scan.counts,
            [(Severity::High, 2), (Severity::Low, 10)],
            "worst first, zeros left out"
        );
        assert_eq!(a.scan.worst(), Some(Severity::High));
        let rows = a.tag_rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].digest.as_deref(), Some(INDEX));
        assert_ne!(
            rows[0].pushed, rows[1].pushed,
            "the tag's own push time wins"
        );
        assert_eq!(rows[1].pushed, a.pushed);
    }

    #[test]
    fn an_image_artifact_takes_its_platform_from_extra_attrs() {
        let a = artifact_from(&json(&format!(
            r#"{{"digest":"{IMAGE}","size":100,
                "manifest_media_type":"application/vnd.docker.distribution.manifest.v2+json",
                "extra_attrs":{{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z"}},
                "tags":null}}"#
        )))
        .unwrap();
        assert!(!a.is_index());
        assert_eq!(a.platforms[0].digest.as_deref(), Some(IMAGE));
        assert_eq!(
            a.created.map(|c| c.to_rfc3339()).as_deref(),
            Some("2024-01-01T00:00:00+00:00")
        );
        assert!(a.tags.is_empty());
        assert!(a.tag_rows().is_empty());
        assert_eq!(a.scan, ScanSummary::not_scanned());
    }

    #[test]
    fn scan_states() {
        let scanning = scan_from(&json(
            r#"{"application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0":
                {"scan_status":"Running","complete_percent":40}}"#,
        ));
        assert_eq!(scanning.state, ScanState::Scanning { percent: Some(40) });
        let failed = scan_from(&json(r#"{"x":{"scan_status":"Error"}}"#));
        assert_eq!(
            failed.state,
            ScanState::Failed {
                status: "Error".into()
            }
        );
        assert_eq!(scan_from(&json("{}")), ScanSummary::not_scanned());
        assert_eq!(scan_from(&json("[1]")), ScanSummary::not_scanned());
        let odd = scan_from(&json(
            r#"{"x":{"scan_status":"Success","summary":{"total":"many","summary":{"Bogus":3,"High":"2"}}}}"#,
        ));
        assert_eq!((odd.total, odd.counts.len()), (0, 0));
    }

    #[test]
    fn odd_entries_are_left_out() {
        assert_eq!(artifact_from(&json(r#"{"digest":"sha256:short"}"#)), None);
        assert_eq!(artifact_from(&json(r#"{"tags":[]}"#)), None);
        let bad_tags = artifact_from(&json(&format!(
            r#"{{"digest":"{IMAGE}","tags":[{{"name":"-x"}},{{"name":5}},{{"name":"ok"}}]}}"#
        )))
        .unwrap();
        assert_eq!(bad_tags.tags.len(), 1);
        let refused = repository_from(&json(r#"{"name":"team/App"}"#), "harbor.example.com")
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.name, "team/App");
        let repo = repository_from(
            &json(r#"{"name":"team/a/b","artifact_count":3,"pull_count":9}"#),
            "harbor.example.com",
        )
        .unwrap()
        .unwrap();
        assert_eq!(split_project(&repo.repository), Some(("team", "a/b")));
        assert_eq!(repository_segment("a/b"), "a%2Fb");
    }

    #[test]
    fn detection_answers() {
        assert!(is_pong(b"Pong"));
        assert!(is_pong(b"\"Pong\"\n"));
        assert!(!is_pong(b"<html>Pong</html>"));
        assert!(is_harbor_systeminfo(
            br#"{"harbor_version":"v2.10.0","auth_mode":"db_auth"}"#
        ));
        assert!(!is_harbor_systeminfo(b"{}"));
    }
}
