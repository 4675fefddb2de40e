//! Docker Hub's API as Docker Hub's API reference describes it
//! (<https://docs.docker.com/reference/api/hub/latest/>, API version 2-beta):
//!
//! - `GET /v2/namespaces/{namespace}/repositories/{repository}/tags`: schema
//!   `paginated_tags` (`count`, `next`, `previous`, `results` of `tag`: `creator`,
//!   `full_size`, `id`, `images` of `image` {`architecture`, `digest`, `features`,
//!   `last_pulled`, `last_pushed`, `os`, `os_features`, `os_version`, `size`, `status`,
//!   `variant`}, `last_updated`, `last_updater`, `last_updater_username`, `name`,
//!   `repository`, `tag_last_pulled`, `tag_last_pushed`, `tag_status`, `v2`);
//! - `GET /v2/namespaces/{namespace}/repositories`: `results` of `repository_list_entry`
//!   (`name`, `namespace`, `repository_type`, `status`, `status_description`, `description`,
//!   `is_private`, `star_count`, `pull_count`, `last_updated`, `last_modified`,
//!   `date_registered`, `affiliation`, `media_types`, `content_types`, `categories`,
//!   `storage_size`);
//! - both take `page` (from 1) and `page_size` (default 10, at most 100); `next` and
//!   `previous` are absolute URLs or null;
//! - `POST /v2/auth/token` takes `{"identifier", "secret"}` and answers `{"access_token"}`;
//! - errors are `{"errinfo": …, "message": …}` (403 "permission denied", 404 "not found").
//!
//! Search (`GET /v2/search/repositories/?query=`) is not in the reference; its answer follows
//! what the Hub serves: `results` of {`repo_name`, `short_description`, `star_count`,
//! `pull_count`, `repo_owner`, `is_automated`, `is_official`}.
//!
//! The pull quota headers of the registry (`ratelimit-limit: 100;w=21600`,
//! `ratelimit-remaining`, `docker-ratelimit-source`) and its 429 `TOOMANYREQUESTS` follow
//! Docker's "Docker Hub pull usage and limits" page.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::super::api_server::{Answer, Call, PullQuota};

const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 100;

/// One platform image of a tag.
pub struct Image {
    pub os: &'static str,
    pub architecture: &'static str,
    pub variant: Option<&'static str>,
    pub digest: String,
    pub size: u64,
}

/// A repository of the fixture Hub.
pub struct HubRepo {
    /// The `repository_list_entry`.
    pub entry: Value,
    /// The `tag` entries, in the order the Hub lists them.
    pub tags: Vec<Value>,
    pub private: bool,
}

/// The fixture Hub: repositories with their tags, search results, one account.
#[derive(Default)]
pub struct HubFixture {
    /// By `namespace/name`.
    pub repositories: BTreeMap<String, HubRepo>,
    /// Every search answers from these (filtered by `repo_name` containing the query).
    pub search: Vec<Value>,
    /// The `identifier` and `secret` `POST /v2/auth/token` accepts.
    pub account: Option<(String, String)>,
    issued: Vec<String>,
}

/// A `tag` entry.
pub fn tag(name: &str, pushed: &str, images: &[Image]) -> Value {
    let full_size: u64 = images.iter().map(|i| i.size).max().unwrap_or(0);
    json!({
        "creator": 1234,
        "full_size": full_size,
        "id": 12345,
        "images": images.iter().map(|image| json!({
            "architecture": image.architecture,
            "digest": image.digest,
            "features": null,
            "last_pulled": null,
            "last_pushed": pushed,
            "os": image.os,
            "os_features": null,
            "os_version": null,
            "size": image.size,
            "status": "active",
            "variant": image.variant,
        })).collect::<Vec<_>>(),
        "last_updated": pushed,
        "last_updater": 1234,
        "last_updater_username": "dockeruser",
        "name": name,
        "repository": 5678,
        "tag_last_pulled": null,
        "tag_last_pushed": pushed,
        "tag_status": "active",
        "v2": true,
    })
}

/// A `repository_list_entry`.
pub fn repository_entry(
    namespace: &str,
    name: &str,
    description: &str,
    stars: u64,
    pulls: u64,
    last_updated: &str,
    private: bool,
) -> Value {
    json!({
        "name": name,
        "namespace": namespace,
        "repository_type": "image",
        "status": 1,
        "status_description": "active",
        "description": description,
        "is_private": private,
        "star_count": stars,
        "pull_count": pulls,
        "last_updated": last_updated,
        "last_modified": last_updated,
        "date_registered": "2013-06-19T19:07:54Z",
        "affiliation": "",
        "media_types": ["application/vnd.oci.image.index.v1+json"],
        "content_types": ["image"],
        "categories": [],
        "storage_size": 1000,
    })
}

/// A search result as the Hub serves it.
pub fn search_entry(repo_name: &str, description: &str, stars: u64, official: bool) -> Value {
    json!({
        "repo_name": repo_name,
        "short_description": description,
        "star_count": stars,
        "pull_count": stars * 1000,
        "repo_owner": "",
        "is_automated": false,
        "is_official": official,
    })
}

/// True for the paths of Docker Hub's API (the rest of `/v2/` is the registry).
pub fn is_hub_api(path: &str) -> bool {
    path.starts_with("/v2/namespaces/")
        || path.starts_with("/v2/search/")
        || path == "/v2/auth/token"
}

fn error(status: u16, message: &str) -> Answer {
    Answer::json(status, &json!({"errinfo": null, "message": message}))
}

/// The Hub API's own 429.
pub fn rate_limited() -> Answer {
    error(429, "Too Many Requests")
        .with_header("retry-after", "60")
        .with_header("x-ratelimit-limit", "180")
        .with_header("x-ratelimit-remaining", "0")
}

/// The registry's 429 when the pull quota is spent.
pub fn too_many_requests(quota: &PullQuota) -> Answer {
    let answer = Answer::json(
        429,
        &json!({"errors": [{
            "code": "TOOMANYREQUESTS",
            "message": "You have reached your unauthenticated pull rate limit. \
                https://www.docker.com/increase-rate-limit",
        }]}),
    );
    with_quota_headers(answer, quota)
}

/// The registry's pull quota headers on a manifest answer.
pub fn with_quota_headers(answer: Answer, quota: &PullQuota) -> Answer {
    let w = quota.window_seconds;
    answer
        .with_header("ratelimit-limit", format!("{};w={w}", quota.limit))
        .with_header("ratelimit-remaining", format!("{};w={w}", quota.remaining))
        .with_header("docker-ratelimit-source", quota.source.clone())
}

impl HubFixture {
    /// Adds a repository and returns it, to add tags.
    pub fn add_repository(
        &mut self,
        namespace: &str,
        name: &str,
        description: &str,
        private: bool,
    ) -> &mut HubRepo {
        let entry = repository_entry(
            namespace,
            name,
            description,
            7,
            1200,
            "2024-05-01T10:00:00.000000Z",
            private,
        );
        self.repositories
            .entry(format!("{namespace}/{name}"))
            .or_insert(HubRepo {
                entry,
                tags: Vec::new(),
                private,
            })
    }

    /// Answers a Docker Hub API request.
    pub fn answer(&mut self, call: &Call) -> Answer {
        let segments: Vec<&str> = call.path.trim_matches('/').split('/').collect();
        match (call.method.as_str(), segments.as_slice()) {
            ("POST", ["v2", "auth", "token"]) => self.token(call),
            ("GET", ["v2", "namespaces", namespace, "repositories", name, "tags"]) => {
                let key = format!("{namespace}/{name}");
                let Some(repo) = self.repositories.get(&key) else {
                    return error(404, "not found");
                };
                if repo.private && !self.authorized(call) {
                    return error(404, "not found");
                }
                page(call, &repo.tags)
            }
            ("GET", ["v2", "namespaces", namespace, "repositories"]) => {
                let prefix = format!("{namespace}/");
                let authorized = self.authorized(call);
                let entries: Vec<Value> = self
                    .repositories
                    .iter()
                    .filter(|(key, repo)| key.starts_with(&prefix) && (authorized || !repo.private))
                    .map(|(_, repo)| repo.entry.clone())
                    .collect();
                if entries.is_empty() {
                    return error(404, "not found");
                }
                page(call, &entries)
            }
            ("GET", ["v2", "search", "repositories"]) => {
                let query = call.param("query").unwrap_or("");
                let found: Vec<Value> = self
                    .search
                    .iter()
                    .filter(|entry| {
                        entry["repo_name"]
                            .as_str()
                            .is_some_and(|name| name.contains(query))
                    })
                    .cloned()
                    .collect();
                page(call, &found)
            }
            _ => error(404, "not found"),
        }
    }

    fn token(&mut self, call: &Call) -> Answer {
        let Ok(request) = serde_json::from_slice::<Value>(&call.body) else {
            return error(400, "invalid request");
        };
        let given = (
            request["identifier"].as_str().unwrap_or_default(),
            request["secret"].as_str().unwrap_or_default(),
        );
        match &self.account {
            Some((identifier, secret)) if given == (identifier.as_str(), secret.as_str()) => {
                let token = format!("hub-token-{}", self.issued.len() + 1);
                self.issued.push(token.clone());
                Answer::json(200, &json!({"access_token": token}))
            }
            _ => error(401, "Incorrect authentication credentials"),
        }
    }

    fn authorized(&self, call: &Call) -> bool {
        call.header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|token| self.issued.iter().any(|t| t == token))
    }
}

/// `{count, next, previous, results}` for the asked `page` and `page_size`.
fn page(call: &Call, all: &[Value]) -> Answer {
    let page_size = call
        .param("page_size")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    let page = call
        .param("page")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let start = (page - 1) * page_size;
    let results: Vec<Value> = all.iter().skip(start).take(page_size).cloned().collect();
    let link = |n: usize| {
        let mut query: Vec<(String, String)> = call
            .query
            .iter()
            .filter(|(k, _)| k.as_str() != "page")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        query.push(("page".into(), n.to_string()));
        let query = query
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        format!("{}{}?{query}", call.origin, call.path)
    };
    let next = (start + page_size < all.len()).then(|| link(page + 1));
    let previous = (page > 1).then(|| link(page - 1));
    Answer::json(
        200,
        &json!({
            "count": all.len(),
            "next": next,
            "previous": previous,
            "results": results,
        }),
    )
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
