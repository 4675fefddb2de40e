//! Harbor through the real client: detection, projects, repositories (names with slashes),
//! artifacts with tags, platforms and scan summaries, paging, robot accounts and refusals,
//! answered by the local API server from fixtures written to Harbor's swagger.yaml (v2.0),
//! with a real `docker-registry` behind it for `/v2/`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::support::api_fixtures::harbor::{
    ArtifactSpec, Child, HarborAccount, HarborFixture, HarborProjectFixture, HarborRepoFixture,
    artifact, scan_overview,
};
use crate::support::api_server::ApiServer;
use crate::support::registry::{
    Auth, OCI_INDEX, OCI_MANIFEST, TestIndex, TestRegistry, index, platform_image, simple_image,
};
use wharf::registry::{
    ClientOptions, Credentials, DockerConfig, ListingEnd, RegistryClient, RegistryError,
    RepositoryRef, ScanState, Severity,
};

pub(crate) const ROBOT: &str = "robot$team+ci";
pub(crate) const ROBOT_SECRET: &str = "s3cr3t+/=$";

/// A client whose docker config holds `user`'s login for the server's host.
fn client_as(
    server: &ApiServer,
    login: Option<(&str, &str)>,
) -> (tempfile::TempDir, RegistryClient) {
    let dir = tempfile::tempdir().unwrap();
    let config = DockerConfig::at(dir.path());
    if let Some((user, password)) = login {
        config
            .store(&server.host(), &Credentials::password(user, password))
            .unwrap();
    }
    let client = RegistryClient::new(ClientOptions {
        credentials: Some(config),
        ..ClientOptions::default()
    })
    .unwrap();
    (dir, client)
}

fn repo_fixture(name: &str, artifacts: Vec<serde_json::Value>) -> HarborRepoFixture {
    HarborRepoFixture {
        name: name.into(),
        artifacts,
    }
}

/// A Harbor with a public `library` (150 repositories), a private `team` holding the real
/// images pushed to `registry`, and a private `other`; `robot$team+ci` is in `team`.
pub(crate) async fn harbor_with_images(registry: &TestRegistry) -> (ApiServer, TestIndex, String) {
    let multi = index(
        vec![
            platform_image("amd64", None, "harbor", "2024-03-01T00:00:00Z"),
            platform_image("arm64", Some("v8"), "harbor", "2024-03-01T00:00:00Z"),
        ],
        false,
    );
    registry.push_index("team/app", &multi, "1.0").await;
    registry
        .put_manifest("team/app", "latest", OCI_INDEX, &multi.manifest.bytes)
        .await;
    let cli = simple_image("amd64", "cli", "2024-02-01T00:00:00Z");
    registry
        .push_image("team/tools/cli", &cli, Some("2.0"))
        .await;

    let children: Vec<Child<'_>> = multi
        .images
        .iter()
        .map(|image| Child {
            digest: &image.manifest.digest,
            os: image.os,
            architecture: image.architecture,
            variant: image.variant,
        })
        .collect();
    let app_artifact = artifact(ArtifactSpec {
        id: 7,
        digest: &multi.manifest.digest,
        media_type: OCI_INDEX,
        size: multi.images.iter().map(|i| i.compressed_size()).sum(),
        push_time: "2024-03-01T10:00:00.000Z",
        tags: &[
            ("1.0", "2024-03-01T10:00:00.000Z"),
            ("latest", "2024-03-02T11:00:00.000Z"),
        ],
        children: &children,
        scan: Some(scan_overview(
            "Success",
            "High",
            &[("Critical", 0), ("High", 2), ("Medium", 1), ("Low", 10)],
            4,
        )),
    });
    let cli_artifact = artifact(ArtifactSpec {
        id: 8,
        digest: &cli.manifest.digest,
        media_type: OCI_MANIFEST,
        size: cli.compressed_size(),
        push_time: "2024-02-01T09:00:00.000Z",
        tags: &[("2.0", "2024-02-01T09:00:00.000Z")],
        children: &[],
        scan: Some(scan_overview("Running", "", &[], 0)),
    });
    let untagged = artifact(ArtifactSpec {
        id: 9,
        digest: &wharf::registry::manifest::sha256_digest(b"untagged"),
        media_type: OCI_MANIFEST,
        size: 10,
        push_time: "2024-01-01T00:00:00.000Z",
        tags: &[],
        children: &[],
        scan: None,
    });
    let server = ApiServer::start(Some(registry)).await;
    server.state().harbor = Some(HarborFixture {
        projects: vec![
            HarborProjectFixture {
                name: "library".into(),
                public: true,
                repositories: (0..150)
                    .map(|n| repo_fixture(&format!("library/base{n:03}"), Vec::new()))
                    .collect(),
            },
            HarborProjectFixture {
                name: "team".into(),
                public: false,
                repositories: vec![
                    repo_fixture("team/app", vec![app_artifact, untagged]),
                    repo_fixture("team/tools/cli", vec![cli_artifact]),
                ],
            },
            HarborProjectFixture {
                name: "other".into(),
                public: false,
                repositories: vec![repo_fixture("other/secret", Vec::new())],
            },
        ],
        accounts: vec![
            HarborAccount {
                username: ROBOT.into(),
                password: ROBOT_SECRET.into(),
                projects: vec!["team".into()],
                may_list_projects: true,
            },
            HarborAccount {
                username: "robot$pull-only".into(),
                password: "x".into(),
                projects: vec!["team".into()],
                may_list_projects: false,
            },
        ],
    });
    let cli_digest = cli.manifest.digest.clone();
    (server, multi, cli_digest)
}

#[tokio::test]
async fn a_harbor_is_recognised_once_and_a_plain_registry_is_not() {
    let registry = TestRegistry::start(Auth::None);
    let (server, _, _) = harbor_with_images(&registry).await;
    let (_dir, client) = client_as(&server, None);
    assert!(client.is_harbor(&server.host()).await.unwrap());
    assert!(client.is_harbor(&server.host()).await.unwrap());
    assert_eq!(
        server.requests_under("/api/v2.0/ping").len(),
        1,
        "the answer is kept per registry"
    );
    // docker-registry has no Harbor API.
    assert!(!client.is_harbor(registry.host()).await.unwrap());
    // A login page where the API should be is not a Harbor either.
    let html = ApiServer::start(Some(&registry)).await;
    html.state().faults.html_under = vec!["/api/".into()];
    assert!(!client.is_harbor(&html.host()).await.unwrap());
    // Nobody listening: an error, not a verdict that sticks.
    let closed = format!("127.0.0.1:{}", crate::support::registry::free_port());
    assert!(client.is_harbor(&closed).await.is_err());
}

#[tokio::test]
async fn projects_repositories_and_artifacts_with_a_robot_account() {
    let registry = TestRegistry::start(Auth::None);
    let (server, multi, cli_digest) = harbor_with_images(&registry).await;
    let host = server.host();
    let (dir, client) = client_as(&server, Some((ROBOT, ROBOT_SECRET)));

    // `$` and `+` survive docker's config.json…
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("config.json")).unwrap()).unwrap();
    let stored = STANDARD
        .decode(config["auths"][&host]["auth"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(stored).unwrap(),
        format!("{ROBOT}:{ROBOT_SECRET}")
    );

    let projects = client.harbor_projects_page(&host, None).await.unwrap();
    let listed: Vec<(&str, bool, u64)> = projects
        .items
        .iter()
        .map(|p| (p.name.as_str(), p.public, p.repo_count))
        .collect();
    assert_eq!(listed, [("library", true, 150), ("team", false, 2)]);
    // …and the Authorization header.
    let sent = server.requests_under("/api/v2.0/projects").pop().unwrap();
    let basic = sent.authorization.unwrap();
    let decoded = STANDARD
        .decode(basic.strip_prefix("Basic ").unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        format!("{ROBOT}:{ROBOT_SECRET}")
    );

    // Paging: X-Total-Count and Link.
    let first = client
        .harbor_repositories_page(&host, "library", None)
        .await
        .unwrap();
    assert_eq!((first.items.len(), first.total), (100, Some(150)));
    let second = client
        .harbor_repositories_page(&host, "library", first.next.as_ref())
        .await
        .unwrap();
    assert_eq!(second.items.len(), 50);
    assert_eq!(second.items[0].repository.repository(), "library/base100");
    assert!(second.next.is_none());

    let team = client
        .harbor_repositories_page(&host, "team", None)
        .await
        .unwrap();
    let names: Vec<String> = team
        .items
        .iter()
        .map(|r| r.repository.to_string())
        .collect();
    assert_eq!(
        names,
        [format!("{host}/team/app"), format!("{host}/team/tools/cli")]
    );

    // A repository name with a slash, encoded twice on the way.
    let cli = RepositoryRef::new(&host, "team/tools/cli").unwrap();
    let artifacts = client.harbor_artifacts(&cli).await;
    assert_eq!(artifacts.end, ListingEnd::Complete);
    let asked = server.requests_under("/api/v2.0/projects/team/repositories/");
    assert!(
        asked
            .iter()
            .any(|s| s.path() == "/api/v2.0/projects/team/repositories/tools%252Fcli/artifacts"),
        "{asked:?}"
    );
    let cli_rows = wharf::registry::harbor::tag_rows(&artifacts.items);
    assert_eq!(cli_rows.len(), 1);
    assert_eq!(cli_rows[0].digest.as_deref(), Some(cli_digest.as_str()));
    assert_eq!(
        cli_rows[0].platforms[0].digest.as_deref(),
        Some(cli_digest.as_str())
    );
    let scan = cli_rows[0].scan.as_ref().unwrap();
    assert_eq!(scan.state, ScanState::Scanning { percent: Some(40) });
    // The Harbor digest is the registry's: the tag resolves to it over /v2/.
    let head = client.manifest_digest(&cli, "2.0").await.unwrap();
    assert_eq!(head.digest, cli_digest);

    // An index: platforms from its references, the scan summary, tags sharing the digest.
    let app = RepositoryRef::new(&host, "team/app").unwrap();
    let page = client.harbor_artifacts_page(&app, None).await.unwrap();
    assert_eq!(page.items.len(), 2, "the untagged artifact is listed too");
    let rows = wharf::registry::harbor::tag_rows(&page.items);
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["1.0", "latest"],
        "an untagged artifact gives no row"
    );
    let index_row = &rows[0];
    assert_eq!(
        index_row.digest.as_deref(),
        Some(multi.manifest.digest.as_str())
    );
    let platforms: Vec<(String, Option<&str>)> = index_row
        .platforms
        .iter()
        .map(|p| (p.platform.to_string(), p.digest.as_deref()))
        .collect();
    assert_eq!(
        platforms,
        [
            (
                "linux/amd64".to_owned(),
                Some(multi.images[0].manifest.digest.as_str())
            ),
            (
                "linux/arm64/v8".to_owned(),
                Some(multi.images[1].manifest.digest.as_str())
            ),
        ]
    );
    let scan = index_row.scan.as_ref().unwrap();
    assert_eq!(scan.state, ScanState::Done);
    assert_eq!((scan.total, scan.fixable), (13, 4));
    assert_eq!(
        scan.counts,
        [
            (Severity::High, 2),
            (Severity::Medium, 1),
            (Severity::Low, 10)
        ]
    );
    assert_eq!(
        rows[1].pushed.unwrap().to_rfc3339(),
        "2024-03-02T11:00:00+00:00",
        "the tag's own push time"
    );
    assert_eq!(rows[0].pulled, None, "never pulled");
    // The registry's /v2/_catalog is not needed: this all came from Harbor's API.
    assert!(server.requests_under("/v2/_catalog").is_empty());
}

#[tokio::test]
async fn refusals_are_clear_messages() {
    let registry = TestRegistry::start(Auth::None);
    let (server, _, _) = harbor_with_images(&registry).await;
    let host = server.host();

    // A robot without the project-list permission.
    let (_d1, limited) = client_as(&server, Some(("robot$pull-only", "x")));
    let e = limited.harbor_projects_page(&host, None).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "access denied by {host}: forbidden (robot$pull-only lacks the permission for this)"
        )
    );
    // A project the robot is not a member of.
    let (_d2, robot) = client_as(&server, Some((ROBOT, ROBOT_SECRET)));
    let e = robot
        .harbor_repositories_page(&host, "other", None)
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Forbidden { .. }), "{e:?}");
    assert!(e.to_string().contains(ROBOT), "{e}");
    // Anonymous: public projects only; a private one says to log in.
    let (_d3, anonymous) = client_as(&server, None);
    let projects = anonymous.harbor_projects_page(&host, None).await.unwrap();
    assert_eq!(projects.items.len(), 1);
    let e = anonymous
        .harbor_repositories_page(&host, "team", None)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("unauthorized — press L to log in to {host}")
    );
    // A wrong secret.
    let (_d4, wrong) = client_as(&server, Some((ROBOT, "nope")));
    let e = wrong.harbor_projects_page(&host, None).await.unwrap_err();
    assert_eq!(
        e,
        RegistryError::Unauthorized {
            host: host.clone(),
            credentials_rejected: true
        }
    );
    // A project that does not exist; a name the grammar refuses is not even asked.
    assert!(
        robot
            .harbor_repositories_page(&host, "nothere", None)
            .await
            .unwrap_err()
            .is_not_found()
    );
    let before = server.requests().len();
    assert!(
        robot
            .harbor_repositories_page(&host, "../x", None)
            .await
            .is_err()
    );
    assert_eq!(server.requests().len(), before);
}

#[tokio::test]
async fn a_link_that_loops_and_answers_that_are_not_lists() {
    let registry = TestRegistry::start(Auth::None);
    let (server, _, _) = harbor_with_images(&registry).await;
    let host = server.host();
    {
        let mut state = server.state();
        let harbor = state.harbor.as_mut().unwrap();
        let many: Vec<serde_json::Value> = (0..150u64)
            .map(|n| {
                artifact(ArtifactSpec {
                    id: 100 + n,
                    digest: &wharf::registry::manifest::sha256_digest(&n.to_be_bytes()),
                    media_type: OCI_MANIFEST,
                    size: n,
                    push_time: "2024-01-01T00:00:00.000Z",
                    tags: &[(&format!("v{n}"), "2024-01-01T00:00:00.000Z")],
                    children: &[],
                    scan: None,
                })
            })
            .collect();
        harbor.projects[0]
            .repositories
            .push(repo_fixture("library/many", many));
        state.faults.harbor_link_loops = true;
    }
    let (_dir, client) = client_as(&server, None);
    let many = RepositoryRef::new(&host, "library/many").unwrap();
    let listing = client.harbor_artifacts(&many).await;
    assert_eq!(listing.end, ListingEnd::Truncated, "the loop is noticed");
    assert_eq!(listing.items.len(), 150, "each page once");
    assert_eq!(
        server
            .requests_under("/api/v2.0/projects/library/repositories/many/artifacts")
            .len(),
        2
    );

    server.state().faults.html_under = vec!["/api/v2.0/projects".into()];
    let e = client.harbor_projects_page(&host, None).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{host} sent an invalid answer: expected a Harbor project list, got an HTML page \
             (is this really a registry?)"
        )
    );
}
