//! Harbor's API v2.0 as its `swagger.yaml` describes it (goharbor/harbor,
//! `api/v2.0/swagger.yaml`, `basePath: /api/v2.0`):
//!
//! - `GET /ping`: `Pong` as `text/plain`, no authentication;
//! - `GET /systeminfo`: `GeneralInfo` (`harbor_version`, `auth_mode`, …);
//! - `GET /projects`: `[Project]` (`project_id`, `name`, `owner_name`, `repo_count`,
//!   `metadata` with `public` as the string `"true"`/`"false"`, `creation_time`, …);
//! - `GET /projects/{project_name}/repositories`: `[Repository]` (`id`, `project_id`, `name`
//!   with the project, `artifact_count`, `pull_count`, `creation_time`, `update_time`);
//! - `GET /projects/{project_name}/repositories/{repository_name}/artifacts`: `[Artifact]`
//!   (`id`, `type`, `media_type`, `manifest_media_type`, `digest`, `size`, `push_time`,
//!   `pull_time`, `extra_attrs`, `tags` of `Tag` {`name`, `push_time`, `pull_time`,
//!   `immutable`, `signed`}, `references` of `Reference` {`child_digest`, `platform`},
//!   `scan_overview` of `NativeReportSummary` by MIME type when `with_scan_overview=true`);
//!   `repository_name` with a slash is encoded twice (`a/b` → `a%252Fb`);
//! - lists take `page` (from 1) and `page_size` (default 10, at most 100) and answer with the
//!   `X-Total-Count` and `Link` (`<…?page=2&page_size=10>; rel="next"`) headers;
//! - `securityDefinitions: basic`; errors are `Errors` `{"errors":[{"code","message"}]}`:
//!   401 `UNAUTHORIZED`, 403 `FORBIDDEN`, 404 `NOT_FOUND`. Anonymous callers see public
//!   projects only; a private project answers 401 to them and 403 to accounts without rights.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::super::api_server::{Answer, Call};

const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 100;

/// A user or robot account of the fixture Harbor.
pub struct HarborAccount {
    /// `admin`, `robot$ci`, `robot$team+ci`…
    pub username: String,
    pub password: String,
    /// The private projects it is a member of.
    pub projects: Vec<String>,
    /// False for a robot without the project-list permission.
    pub may_list_projects: bool,
}

/// A repository of a project: its full name (`project/…`) and its `Artifact` entries.
pub struct HarborRepoFixture {
    pub name: String,
    pub artifacts: Vec<Value>,
}

/// A project.
pub struct HarborProjectFixture {
    pub name: String,
    pub public: bool,
    pub repositories: Vec<HarborRepoFixture>,
}

/// The fixture Harbor.
#[derive(Default)]
pub struct HarborFixture {
    pub projects: Vec<HarborProjectFixture>,
    pub accounts: Vec<HarborAccount>,
}

/// A platform of an index (`Reference.platform`).
pub struct Child<'a> {
    pub digest: &'a str,
    pub os: &'a str,
    pub architecture: &'a str,
    pub variant: Option<&'a str>,
}

/// What an artifact entry is made of.
pub struct ArtifactSpec<'a> {
    pub id: u64,
    pub digest: &'a str,
    pub media_type: &'a str,
    pub size: u64,
    pub push_time: &'a str,
    /// Tag names and their push times.
    pub tags: &'a [(&'a str, &'a str)],
    /// The platforms of an index; empty for an image.
    pub children: &'a [Child<'a>],
    pub scan: Option<Value>,
}

/// An `Artifact`: an image (one platform, in `extra_attrs`) or an index (`references`).
pub fn artifact(spec: ArtifactSpec<'_>) -> Value {
    let ArtifactSpec {
        id,
        digest,
        media_type,
        size,
        push_time,
        tags,
        children,
        scan,
    } = spec;
    let is_index = !children.is_empty();
    let mut entry = json!({
        "id": id,
        "type": "IMAGE",
        "media_type": media_type,
        "manifest_media_type": media_type,
        "project_id": 2,
        "repository_id": 3,
        "digest": digest,
        "size": size,
        "icon": "sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06",
        "push_time": push_time,
        "pull_time": "0001-01-01T00:00:00.000Z",
        "extra_attrs": if is_index { json!({}) } else { json!({
            "architecture": "amd64", "os": "linux", "author": "",
            "created": push_time, "config": {"Cmd": ["/bin/sh"]},
        })},
        "annotations": null,
        "references": children.iter().enumerate().map(|(i, child)| json!({
            "parent_id": id,
            "child_id": id * 100 + i as u64,
            "child_digest": child.digest,
            "platform": {
                "architecture": child.architecture,
                "os": child.os,
                "variant": child.variant,
            },
            "annotations": null,
            "urls": null,
        })).collect::<Vec<_>>(),
        "tags": tags.iter().enumerate().map(|(i, (name, pushed))| json!({
            "id": id * 10 + i as u64,
            "repository_id": 3,
            "artifact_id": id,
            "name": name,
            "push_time": pushed,
            "pull_time": "0001-01-01T00:00:00.000Z",
            "immutable": false,
            "signed": false,
        })).collect::<Vec<_>>(),
        "addition_links": {"build_history": {"absolute": false,
            "href": "/api/v2.0/projects/x/repositories/y/artifacts/z/additions/build_history"}},
        "labels": null,
    });
    if let Some(scan) = scan {
        entry["scan_overview"] = scan;
    }
    entry
}

/// A `ScanOverview` with one `NativeReportSummary`.
pub fn scan_overview(status: &str, severity: &str, counts: &[(&str, u64)], fixable: u64) -> Value {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let by_severity: serde_json::Map<String, Value> = counts
        .iter()
        .map(|(name, n)| ((*name).to_owned(), json!(n)))
        .collect();
    json!({
        "application/vnd.security.vulnerability.report; version=1.1": {
            "report_id": "5f62c830-f996-11e9-957f-0242c0a89008",
            "scan_status": status,
            "severity": severity,
            "duration": 30,
            "summary": {"total": total, "fixable": fixable, "summary": by_severity},
            "start_time": "2024-03-01T10:01:00Z",
            "end_time": "2024-03-01T10:01:30Z",
            "complete_percent": if status == "Success" { 100 } else { 40 },
            "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "v0.50.0"},
        }
    })
}

fn error(status: u16, code: &str, message: &str) -> Answer {
    Answer::json(
        status,
        &json!({"errors": [{"code": code, "message": message}]}),
    )
}

/// Who is asking.
enum Caller<'a> {
    Anonymous,
    Account(&'a HarborAccount),
    BadCredentials,
}

impl HarborFixture {
    /// Answers a request under `/api/v2.0/`.
    pub fn answer(&self, call: &Call, link_loops: bool) -> Answer {
        // The router sees the path decoded once: `a%252Fb` is the segment `a%2Fb`.
        let decoded = percent_decode(&call.path);
        let Some(rest) = decoded.strip_prefix("/api/v2.0/") else {
            return error(404, "NOT_FOUND", "not found");
        };
        let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        if call.method != "GET" {
            return error(405, "METHOD_NOT_ALLOWED", "method not allowed");
        }
        match segments.as_slice() {
            ["ping"] => return Answer::text(200, "text/plain", "Pong"),
            ["systeminfo"] => {
                return Answer::json(
                    200,
                    &json!({
                        "with_notary": false, "with_chartmuseum": false,
                        "auth_mode": "db_auth", "registry_url": "harbor.example.com",
                        "external_url": "https://harbor.example.com",
                        "project_creation_restriction": "everyone",
                        "self_registration": false, "has_ca_root": false,
                        "harbor_version": "v2.10.0-b2d51f5e", "read_only": false,
                        "registry_storage_provider_name": "filesystem",
                    }),
                );
            }
            _ => {}
        }
        let caller = self.caller(call);
        if matches!(caller, Caller::BadCredentials) {
            return error(401, "UNAUTHORIZED", "unauthorized");
        }
        match segments.as_slice() {
            ["projects"] => {
                if let Caller::Account(account) = &caller
                    && !account.may_list_projects
                {
                    return error(403, "FORBIDDEN", "forbidden");
                }
                let visible: Vec<Value> = self
                    .projects
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.public || member(&caller, &p.name))
                    .map(|(i, p)| project_json(i as u64 + 1, p))
                    .collect();
                page(call, &visible, link_loops)
            }
            ["projects", project, "repositories"] => match self.project(&caller, project) {
                Err(answer) => answer,
                Ok(project) => {
                    let repos: Vec<Value> = project
                        .repositories
                        .iter()
                        .enumerate()
                        .map(|(i, r)| repository_json(i as u64 + 1, r))
                        .collect();
                    page(call, &repos, link_loops)
                }
            },
            ["projects", project, "repositories", repository, "artifacts"] => {
                match self.project(&caller, project) {
                    Err(answer) => answer,
                    Ok(project) => {
                        let name = format!("{}/{}", project.name, percent_decode(repository));
                        match project.repositories.iter().find(|r| r.name == name) {
                            None => {
                                error(404, "NOT_FOUND", &format!("repository {name} not found"))
                            }
                            Some(repo) => page(call, &repo.artifacts, link_loops),
                        }
                    }
                }
            }
            _ => error(404, "NOT_FOUND", "not found"),
        }
    }

    fn caller(&self, call: &Call) -> Caller<'_> {
        let Some(basic) = call
            .header("authorization")
            .and_then(|v| v.strip_prefix("Basic "))
        else {
            return Caller::Anonymous;
        };
        let decoded = STANDARD
            .decode(basic)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok());
        let Some((user, password)) = decoded.as_deref().and_then(|t| t.split_once(':')) else {
            return Caller::BadCredentials;
        };
        self.accounts
            .iter()
            .find(|a| a.username == user && a.password == password)
            .map_or(Caller::BadCredentials, Caller::Account)
    }

    fn project(&self, caller: &Caller<'_>, name: &str) -> Result<&HarborProjectFixture, Answer> {
        let Some(project) = self.projects.iter().find(|p| p.name == name) else {
            return Err(error(
                404,
                "NOT_FOUND",
                &format!("project {name} not found"),
            ));
        };
        if project.public || member(caller, name) {
            return Ok(project);
        }
        Err(match caller {
            Caller::Account(_) => error(403, "FORBIDDEN", "forbidden"),
            _ => error(401, "UNAUTHORIZED", "unauthorized"),
        })
    }
}

fn member(caller: &Caller<'_>, project: &str) -> bool {
    matches!(caller, Caller::Account(a) if a.projects.iter().any(|p| p == project))
}

fn project_json(id: u64, project: &HarborProjectFixture) -> Value {
    json!({
        "project_id": id,
        "owner_id": 1,
        "name": project.name,
        "registry_id": null,
        "creation_time": "2023-01-01T00:00:00.000Z",
        "update_time": "2023-01-01T00:00:00.000Z",
        "deleted": false,
        "owner_name": "admin",
        "togglable": true,
        "current_user_role_id": 1,
        "current_user_role_ids": [1],
        "repo_count": project.repositories.len(),
        "chart_count": 0,
        "metadata": {"public": if project.public { "true" } else { "false" }},
        "cve_allowlist": {"id": 1, "project_id": id, "items": [],
            "creation_time": "2023-01-01T00:00:00.000Z",
            "update_time": "2023-01-01T00:00:00.000Z"},
    })
}

fn repository_json(id: u64, repo: &HarborRepoFixture) -> Value {
    json!({
        "id": id,
        "project_id": 2,
        "name": repo.name,
        "description": "",
        "artifact_count": repo.artifacts.len(),
        "pull_count": 9,
        "creation_time": "2024-01-01T00:00:00.000Z",
        "update_time": "2024-03-01T10:00:00.000Z",
    })
}

/// One page of a JSON array with `X-Total-Count` and `Link` (prev, next). With `link_loops`,
/// the last page's `next` goes back to the first.
fn page(call: &Call, all: &[Value], link_loops: bool) -> Answer {
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
    let items: Vec<Value> = all.iter().skip(start).take(page_size).cloned().collect();
    let link = |n: usize| {
        let mut query: Vec<String> = call
            .query
            .iter()
            .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "page_size")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        query.insert(0, format!("page_size={page_size}"));
        query.insert(0, format!("page={n}"));
        format!("<{}?{}>", call.path, query.join("&"))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link(page - 1)));
    }
    if start + page_size < all.len() {
        links.push(format!("{}; rel=\"next\"", link(page + 1)));
    } else if link_loops && page > 1 {
        links.push(format!("{}; rel=\"next\"", link(1)));
    }
    let mut answer =
        Answer::json(200, &Value::Array(items)).with_header("x-total-count", all.len().to_string());
    if !links.is_empty() {
        answer = answer.with_header("link", links.join(" , "));
    }
    answer
}

/// Decodes `%XX` escapes once (invalid escapes stay as they are).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
