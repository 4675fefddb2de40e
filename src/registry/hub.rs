//! Docker Hub's own API (`hub.docker.com`, API v2 as described in Docker Hub's API
//! reference): the JSON of its tag, repository and search listings read into wharf's types.
//!
//! Pure. Every listing is a page `{count, next, previous, results}`; entries are read one by
//! one, so one odd entry is left out (and counted) instead of failing the page. Field names are
//! those of the reference's `tag`, `image` and `repository_list_entry` schemas; search answers
//! (`/v2/search/repositories`, not in the reference) carry `repo_name`, `short_description`,
//! `star_count`, `pull_count` and `is_official`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::manifest::{Platform, parse_json, parse_time};
use super::reference::{DOCKER_HUB, RepositoryRef, validate_digest, validate_tag};
use super::refused::RefusedName;
use super::remote_tag::{RemotePlatform, RemoteTag};

/// Where Docker Hub's API is, unless the client options say otherwise.
pub const DEFAULT_HUB_API: &str = "https://hub.docker.com";
/// Items asked for per page: the most the API gives.
pub const HUB_PAGE_SIZE: u32 = 100;
/// Descriptions are one line in a list; longer ones are cut.
const DESCRIPTION_MAX: usize = 300;

/// A repository of a Docker Hub namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubRepository {
    /// `docker.io/NAMESPACE/NAME`.
    pub repository: RepositoryRef,
    /// The short description (may hold anything: strip before drawing).
    pub description: String,
    /// Stars.
    pub stars: u64,
    /// Pulls.
    pub pulls: u64,
    /// When it was last updated.
    pub last_updated: Option<DateTime<Utc>>,
    /// True for a private repository.
    pub private: bool,
}

/// One result of a Docker Hub search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubSearchResult {
    /// `docker.io/library/nginx`, `docker.io/bitnami/nginx`.
    pub repository: RepositoryRef,
    /// The short description (may hold anything: strip before drawing).
    pub description: String,
    /// Stars.
    pub stars: u64,
    /// Pulls.
    pub pulls: u64,
    /// True for Docker Official Images.
    pub official: bool,
}

/// A page as the Hub sends it, entries not yet read.
#[derive(Debug)]
pub(crate) struct RawPage {
    pub(crate) count: Option<u64>,
    pub(crate) next: Option<String>,
    pub(crate) results: Vec<Value>,
}

#[derive(Deserialize)]
struct PageShape {
    #[serde(default)]
    count: Option<Value>,
    #[serde(default)]
    next: Option<Value>,
    results: Option<Vec<Value>>,
}

/// Reads `{count, next, previous, results}`; an answer without `results` is not a page.
pub(crate) fn parse_page(body: &[u8]) -> Result<RawPage, String> {
    let shape: PageShape = parse_json(body)?;
    let results = shape.results.ok_or("JSON without a \"results\" list")?;
    Ok(RawPage {
        count: shape.count.as_ref().and_then(Value::as_u64),
        next: shape
            .next
            .as_ref()
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        results,
    })
}

/// The `namespace`/`name` pair the Hub's paths take for a Docker Hub repository.
pub(crate) fn hub_path(repo: &RepositoryRef) -> Option<(&str, &str)> {
    if repo.registry() != DOCKER_HUB {
        return None;
    }
    let (namespace, name) = repo.repository().split_once('/')?;
    (!name.contains('/')).then_some((namespace, name))
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

fn digest(entry: &Value, field: &str) -> Option<String> {
    text(entry, field).filter(|d| validate_digest(d).is_ok())
}

fn description(entry: &Value, field: &str) -> String {
    shorten_to(&text(entry, field).unwrap_or_default(), DESCRIPTION_MAX)
}

fn shorten_to(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max).collect();
        short.push('…');
        short
    }
}

/// A `tag` entry; `None` without a valid tag name.
pub(crate) fn tag_from(entry: &Value) -> Option<RemoteTag> {
    let name = text(entry, "name").filter(|n| validate_tag(n).is_ok())?;
    let platforms = entry
        .get("images")
        .and_then(Value::as_array)
        .map(|images| images.iter().filter_map(image_from).collect())
        .unwrap_or_default();
    Some(RemoteTag {
        // Not in the documented schema, but the Hub sends it: the tag's own manifest digest.
        digest: digest(entry, "digest"),
        pushed: time(entry, "tag_last_pushed").or_else(|| time(entry, "last_updated")),
        created: None,
        pulled: time(entry, "tag_last_pulled"),
        size: entry.get("full_size").and_then(Value::as_u64),
        platforms,
        scan: None,
        name,
    })
}

/// An `image` entry of a tag: one platform.
fn image_from(entry: &Value) -> Option<RemotePlatform> {
    let architecture = text(entry, "architecture").filter(|a| !a.is_empty())?;
    Some(RemotePlatform {
        platform: Platform {
            os: text(entry, "os").unwrap_or_default(),
            architecture,
            variant: text(entry, "variant").filter(|v| !v.is_empty()),
        },
        digest: digest(entry, "digest"),
        size: entry.get("size").and_then(Value::as_u64),
    })
}

/// A `repository_list_entry`; refused if its name is not a valid Docker Hub repository.
pub(crate) fn repository_from(
    entry: &Value,
    namespace: &str,
) -> Option<Result<HubRepository, RefusedName>> {
    let name = text(entry, "name")?;
    let namespace = text(entry, "namespace").unwrap_or_else(|| namespace.to_owned());
    Some(
        RefusedName::check(DOCKER_HUB, &format!("{namespace}/{name}")).map(|repository| {
            HubRepository {
                repository,
                description: description(entry, "description"),
                stars: count(entry, "star_count"),
                pulls: count(entry, "pull_count"),
                last_updated: time(entry, "last_updated"),
                private: entry
                    .get("is_private")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            }
        }),
    )
}

/// A search result; refused if `repo_name` is not a valid Docker Hub repository.
pub(crate) fn search_result_from(entry: &Value) -> Option<Result<HubSearchResult, RefusedName>> {
    let name = text(entry, "repo_name")?;
    Some(RefusedName::check(DOCKER_HUB, &name).map(|repository| {
        HubSearchResult {
            repository,
            description: description(entry, "short_description"),
            stars: count(entry, "star_count"),
            pulls: count(entry, "pull_count"),
            official: entry
                .get("is_official")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the reference's `paginated_tags` schema, with a digest per image.
    const TAGS_PAGE: &str = r#"{
      "count": 1, "next": null, "previous": null,
      "results": [{
        "creator": 1234, "full_size": 123456, "id": 12345,
        "images": [{
          "architecture": "amd64", "features": null,
          "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
          "last_pulled": null, "last_pushed": "2021-01-05T21:06:53.506400Z",
          "os": "linux", "os_features": null, "os_version": null,
          "size": 123456, "status": "active", "variant": null
        }],
        "last_updated": "2021-01-05T21:06:53.506400Z", "last_updater": 1234,
        "last_updater_username": "dockeruser", "name": "latest", "repository": 5678,
        "tag_last_pulled": null, "tag_last_pushed": "2021-01-05T21:06:53.506400Z",
        "tag_status": "active", "v2": true
      }]
    }"#;

    #[test]
    fn a_documented_tags_page() {
        let page = parse_page(TAGS_PAGE.as_bytes()).unwrap();
        assert_eq!(page.count, Some(1));
        assert_eq!(page.next, None);
        let tag = tag_from(&page.results[0]).unwrap();
        assert_eq!(tag.name, "latest");
        assert_eq!(tag.size, Some(123456));
        assert_eq!(
            tag.pushed.unwrap().to_rfc3339(),
            "2021-01-05T21:06:53.506400+00:00"
        );
        assert_eq!(tag.pulled, None);
        assert_eq!(tag.digest, None);
        assert_eq!(tag.platforms.len(), 1);
        assert_eq!(tag.platforms[0].platform.to_string(), "linux/amd64");
        assert_eq!(tag.platforms[0].size, Some(123456));
        assert!(
            tag.platforms[0]
                .digest
                .as_deref()
                .unwrap()
                .ends_with("1111")
        );
    }

    #[test]
    fn odd_entries_are_left_out_not_fatal() {
        let entry = |json: &str| serde_json::from_str::<Value>(json).unwrap();
        assert_eq!(tag_from(&entry(r#"{"name": 5}"#)), None);
        assert_eq!(tag_from(&entry(r#"{"name": "-bad"}"#)), None);
        assert_eq!(tag_from(&entry(r#"[1]"#)), None);
        // Unknown and wrongly typed fields are ignored; the name is enough.
        let tag = tag_from(&entry(
            r#"{"name":"1","images":"none","full_size":"big","tag_last_pushed":7,"extra":{}}"#,
        ))
        .unwrap();
        assert_eq!(tag, RemoteTag::named("1"));
        // An image without an architecture, or with a bogus digest, is not a platform digest.
        let tag = tag_from(&entry(
            r#"{"name":"1","images":[{"os":"linux"},{"architecture":"arm64","digest":"sha256:abc"}]}"#,
        ))
        .unwrap();
        assert_eq!(tag.platforms.len(), 1);
        assert_eq!(tag.platforms[0].digest, None);
        // last_updated stands in when tag_last_pushed is missing.
        let tag = tag_from(&entry(
            r#"{"name":"1","last_updated":"2020-02-02T00:00:00Z"}"#,
        ))
        .unwrap();
        assert!(tag.pushed.is_some());
    }

    #[test]
    fn pages_without_results_are_refused() {
        assert!(
            parse_page(br#"{"count":3}"#)
                .unwrap_err()
                .contains("results")
        );
        assert!(
            parse_page(b"<html><body>Sign in</body></html>")
                .unwrap_err()
                .contains("HTML")
        );
        let page = parse_page(br#"{"count":"many","next":5,"results":[]}"#).unwrap();
        assert_eq!((page.count, page.next), (None, None));
    }

    #[test]
    fn repositories_and_search_results() {
        let entry: Value = serde_json::from_str(
            r#"{"name":"app","namespace":"team","description":"An app","star_count":3,
                "pull_count":1200,"last_updated":"2024-05-01T10:00:00Z","is_private":true,
                "repository_type":"image","status":1,"status_description":"active",
                "affiliation":"","media_types":[],"content_types":["image"],"categories":[],
                "date_registered":"2020-01-01T00:00:00Z","last_modified":"2024-05-01T10:00:00Z",
                "storage_size":1000}"#,
        )
        .unwrap();
        let repo = repository_from(&entry, "ignored").unwrap().unwrap();
        assert_eq!(repo.repository.to_string(), "docker.io/team/app");
        assert_eq!((repo.stars, repo.pulls, repo.private), (3, 1200, true));
        let bad: Value = serde_json::from_str(r#"{"name":"App"}"#).unwrap();
        let refused = repository_from(&bad, "team").unwrap().unwrap_err();
        assert_eq!(refused.name, "team/App");

        let result: Value = serde_json::from_str(
            r#"{"repo_name":"nginx","short_description":"Official build of Nginx.",
                "star_count":20000,"pull_count":1000000000,"repo_owner":"","is_automated":false,
                "is_official":true}"#,
        )
        .unwrap();
        let result = search_result_from(&result).unwrap().unwrap();
        assert_eq!(result.repository.to_string(), "docker.io/library/nginx");
        assert!(result.official);
        assert_eq!(result.repository.familiar(), "nginx");
    }

    #[test]
    fn hub_paths() {
        let repo = RepositoryRef::parse("nginx").unwrap();
        assert_eq!(hub_path(&repo), Some(("library", "nginx")));
        let local = RepositoryRef::parse("localhost:5000/a/b").unwrap();
        assert_eq!(hub_path(&local), None);
    }
}
