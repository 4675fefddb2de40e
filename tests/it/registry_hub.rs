//! Docker Hub through the real client: its own API (tags with dates, sizes and platforms;
//! namespaces; search; login for private repositories) answered by the local API server from
//! fixtures written to Docker Hub's API reference, and the registry's pull quota headers on
//! manifests from a real `docker-registry` behind the same server.

use crate::support::api_fixtures::hub::{Image, search_entry, tag};
use crate::support::api_server::{ApiServer, PullQuota};
use crate::support::registry::{Auth, TestRegistry, simple_image};
use wharf::registry::{
    ClientOptions, Credentials, DockerConfig, ListingEnd, RegistryClient, RegistryError,
    RepositoryRef,
};

fn hub_client(server: &ApiServer, credentials: Option<DockerConfig>) -> RegistryClient {
    RegistryClient::new(ClientOptions {
        hub_api_url: server.url(),
        credentials,
        ..ClientOptions::default()
    })
    .unwrap()
}

fn digest_of(seed: &str) -> String {
    wharf::registry::manifest::sha256_digest(seed.as_bytes())
}

/// A tag pushed on day `n` of 2024 with an amd64 and an arm64/v8 image.
fn two_platform_tag(name: &str, n: usize) -> serde_json::Value {
    let pushed = format!(
        "2024-{:02}-{:02}T08:00:00.{:06}Z",
        1 + (n / 28) % 12,
        1 + n % 28,
        n
    );
    tag(
        name,
        &pushed,
        &[
            Image {
                os: "linux",
                architecture: "amd64",
                variant: None,
                digest: digest_of(&format!("{name}/amd64")),
                size: 1000 + n as u64,
            },
            Image {
                os: "linux",
                architecture: "arm64",
                variant: Some("v8"),
                digest: digest_of(&format!("{name}/arm64")),
                size: 900 + n as u64,
            },
        ],
    )
}

fn hub_repo(name: &str) -> RepositoryRef {
    RepositoryRef::parse(name).unwrap()
}

#[tokio::test]
async fn hub_tags_come_a_hundred_a_page_with_dates_sizes_and_platforms() {
    let server = ApiServer::start(None).await;
    {
        let mut state = server.state();
        let repo = state
            .hub
            .add_repository("library", "busybox", "Busybox base image.", false);
        repo.tags = (0..250)
            .map(|n| two_platform_tag(&format!("1.{n}"), n))
            .collect();
    }
    let client = hub_client(&server, None);
    let repo = hub_repo("busybox");

    let first = client.hub_tags_page(&repo, None).await.unwrap();
    assert_eq!(first.items.len(), 100);
    assert_eq!(first.total, Some(250));
    let second = client
        .hub_tags_page(&repo, first.next.as_ref())
        .await
        .unwrap();
    assert_eq!(second.items[0].name, "1.100");

    let listing = client.hub_tags(&repo).await;
    assert_eq!(listing.end, ListingEnd::Complete);
    assert_eq!(listing.items.len(), 250);
    let tag = &listing.items[42];
    assert_eq!(tag.name, "1.42");
    assert_eq!(
        tag.pushed.unwrap().to_rfc3339(),
        "2024-02-15T08:00:00.000042+00:00"
    );
    assert_eq!(tag.size, Some(1042));
    let platforms: Vec<(String, Option<String>, Option<u64>)> = tag
        .platforms
        .iter()
        .map(|p| (p.platform.to_string(), p.digest.clone(), p.size))
        .collect();
    assert_eq!(
        platforms,
        [
            (
                "linux/amd64".to_owned(),
                Some(digest_of("1.42/amd64")),
                Some(1042)
            ),
            (
                "linux/arm64/v8".to_owned(),
                Some(digest_of("1.42/arm64")),
                Some(942)
            ),
        ]
    );
    // Three pages of a hundred for the listing, and nothing from the registry: no config
    // fetch per tag, nothing that counts as a pull.
    let listing_pages: Vec<String> = server
        .requests_under("/v2/namespaces/library/repositories/busybox/tags")
        .into_iter()
        .skip(2)
        .map(|s| s.target)
        .collect();
    assert_eq!(listing_pages.len(), 3, "{listing_pages:?}");
    assert!(listing_pages.iter().all(|t| t.contains("page_size=100")));
    assert!(server.requests_under("/v2/library/").is_empty());
}

#[tokio::test]
async fn a_namespace_lists_its_repositories_and_search_finds_them() {
    let server = ApiServer::start(None).await;
    {
        let mut state = server.state();
        state
            .hub
            .add_repository("team", "api", "The API server", false);
        state
            .hub
            .add_repository("team", "web", "The web front", false);
        state
            .hub
            .add_repository("team", "Broken", "A name docker refuses", false);
        state.hub.search = vec![
            search_entry("nginx", "Official build of Nginx.", 20000, true),
            search_entry("bitnami/nginx", "Bitnami nginx", 200, false),
            search_entry("team/api", "The API server", 1, false),
        ];
    }
    let client = hub_client(&server, None);
    let page = client.hub_repositories_page("team", None).await.unwrap();
    let names: Vec<String> = page
        .items
        .iter()
        .map(|r| r.repository.to_string())
        .collect();
    assert_eq!(names, ["docker.io/team/api", "docker.io/team/web"]);
    assert_eq!(page.items[0].description, "The API server");
    assert_eq!((page.items[0].stars, page.items[0].pulls), (7, 1200));
    assert!(page.items[0].last_updated.is_some());
    assert_eq!(page.refused.len(), 1, "the refused name is kept, marked");
    assert_eq!(page.refused[0].name, "team/Broken");

    let e = client
        .hub_repositories_page("nobody", None)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "no namespace \"nobody\" on Docker Hub");
    assert!(
        client
            .hub_repositories_page("Bad Name", None)
            .await
            .is_err()
    );

    let found = client.hub_search("nginx", None).await.unwrap();
    let results: Vec<(String, bool, u64)> = found
        .items
        .iter()
        .map(|r| (r.repository.familiar(), r.official, r.stars))
        .collect();
    assert_eq!(
        results,
        [
            ("nginx".to_owned(), true, 20000),
            ("bitnami/nginx".to_owned(), false, 200)
        ]
    );
    assert_eq!(found.items[0].description, "Official build of Nginx.");
    // Enter on a result opens its tags: the result is the repository to open.
    assert_eq!(found.items[0].repository, hub_repo("library/nginx"));
    let search_request = server.requests_under("/v2/search/repositories/");
    assert!(search_request[0].target.contains("query=nginx"));
    assert!(
        client
            .hub_search("  ", None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn private_hub_repositories_use_the_stored_docker_hub_login() {
    let server = ApiServer::start(None).await;
    {
        let mut state = server.state();
        state.hub.account = Some(("wharfuser".into(), "dckr_pat_s3cr3t+/=".into()));
        let repo = state.hub.add_repository("wharfuser", "private", "", true);
        repo.tags = vec![two_platform_tag("v1", 1)];
    }
    let repo = hub_repo("wharfuser/private");

    // Anonymous: a private repository looks missing.
    let e = hub_client(&server, None)
        .hub_tags_page(&repo, None)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let config = DockerConfig::at(dir.path());
    config
        .store(
            "docker.io",
            &Credentials::password("wharfuser", "dckr_pat_s3cr3t+/="),
        )
        .unwrap();
    let client = hub_client(&server, Some(config.clone()));
    let tags = client.hub_tags(&repo).await;
    assert_eq!(tags.end, ListingEnd::Complete);
    assert_eq!(tags.items.len(), 1);
    let again = client.hub_tags_page(&repo, None).await.unwrap();
    assert_eq!(again.items.len(), 1);
    let logins = server.requests_under("/v2/auth/token");
    assert_eq!(logins.len(), 1, "the access token is reused");
    let last = server.requests().pop().unwrap();
    assert_eq!(last.authorization.as_deref(), Some("Bearer hub-token-1"));

    // Wrong password: the message says to log in again.
    config
        .store("docker.io", &Credentials::password("wharfuser", "wrong"))
        .unwrap();
    let e = hub_client(&server, Some(config))
        .hub_tags_page(&repo, None)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unauthorized — docker.io refused the stored credentials; press L to log in to docker.io"
    );
}

#[tokio::test]
async fn a_hub_that_rate_limits_mid_listing_keeps_the_pages_loaded() {
    let server = ApiServer::start(None).await;
    {
        let mut state = server.state();
        let repo = state.hub.add_repository("library", "alpine", "", false);
        repo.tags = (0..250)
            .map(|n| two_platform_tag(&format!("3.{n}"), n))
            .collect();
        state.faults.hub_pages_before_rate_limit = Some(2);
    }
    let before = chrono::Utc::now();
    let listing = hub_client(&server, None)
        .hub_tags(&hub_repo("alpine"))
        .await;
    assert_eq!(listing.items.len(), 200, "two pages stay loaded");
    let Some(RegistryError::RateLimited {
        retry_at,
        logged_in,
        ..
    }) = listing.error()
    else {
        panic!("expected a rate limit, got {:?}", listing.end);
    };
    assert!(!logged_in);
    let wait = retry_at.expect("Retry-After") - before;
    assert!((59..=65).contains(&wait.num_seconds()), "{wait}");
    let text = listing.error().unwrap().to_string();
    assert!(text.contains("try again after"), "{text}");
    assert!(text.contains("logging in raises the limit"), "{text}");
}

#[tokio::test]
async fn the_pull_quota_comes_from_manifest_answers_and_digests_use_head() {
    let registry = TestRegistry::start(Auth::None);
    let image = simple_image("amd64", "quota", "2024-01-01T00:00:00Z");
    registry.push_image("app", &image, Some("1")).await;
    let server = ApiServer::start(Some(&registry)).await;
    server.state().faults.pull_quota = Some(PullQuota {
        limit: 100,
        remaining: 3,
        window_seconds: 21600,
        source: "203.0.113.7".into(),
    });
    let client = hub_client(&server, None);
    let repo = RepositoryRef::new(&server.host(), "app").unwrap();
    assert_eq!(client.rate_limit(&server.host()), None, "nothing seen yet");

    // HEAD for the digest: the quota is read, not spent.
    let head = client.manifest_digest(&repo, "1").await.unwrap();
    assert_eq!(head.digest, image.manifest.digest);
    let quota = client.rate_limit(&server.host()).unwrap();
    assert_eq!((quota.limit, quota.remaining), (100, 3));
    assert_eq!(quota.window_seconds, Some(21600));
    assert_eq!(quota.source.as_deref(), Some("203.0.113.7"));
    assert_eq!(quota.to_string(), "3/100 pulls left per 6h");
    let manifest_requests = server.requests_under("/v2/app/manifests/");
    assert_eq!(manifest_requests.len(), 1);
    assert_eq!(manifest_requests[0].method, "HEAD");

    // A GET spends one; the title follows.
    client.manifest(&repo, "1").await.unwrap();
    assert_eq!(client.rate_limit(&server.host()).unwrap().remaining, 2);

    // Spent: the 429 says when (the window) and that logging in raises the limit.
    server.state().faults.pull_quota.as_mut().unwrap().remaining = 0;
    let e = client.manifest(&repo, "1").await.unwrap_err();
    assert!(e.is_rate_limited(), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "rate limited by {0} (quota 100;w=21600) — try again later (the quota is per 6h); \
             logging in raises the limit (press L to log in to {0})",
            server.host()
        )
    );
    assert_eq!(client.rate_limit(&server.host()).unwrap().remaining, 0);
}

#[tokio::test]
async fn hub_api_faults_are_clear_errors() {
    let server = ApiServer::start(None).await;
    server
        .state()
        .hub
        .add_repository("library", "redis", "", false);
    server.state().faults.html_under = vec!["/v2/namespaces/".into()];
    let client = hub_client(&server, None);
    let e = client
        .hub_tags_page(&hub_repo("redis"), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{} sent an invalid answer: expected a Docker Hub tag page, got an HTML page (is \
             this really a registry?)",
            server.host()
        )
    );
    // Not a Hub repository at all.
    let local = RepositoryRef::parse("localhost:5000/app").unwrap();
    assert!(client.hub_tags_page(&local, None).await.is_err());
    // An https-less Hub API off loopback is refused when the client is made.
    let refused = RegistryClient::new(ClientOptions {
        hub_api_url: "http://hub.example.com".into(),
        ..ClientOptions::default()
    });
    assert!(matches!(refused, Err(RegistryError::Setup(_))));
}
