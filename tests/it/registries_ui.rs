//! The registries people use, end to end through wharf's own effect path (the real `State`
//! and `Executor`, headless) against the local API server (fixtures written to Docker Hub's
//! API reference and Harbor's `swagger.yaml`, see `support/api_fixtures`) and a real
//! `docker-registry` behind it: Docker Hub tags from Hub's API, the pull quota in the title,
//! registries without a catalog, Harbor projects and artifacts, Hub namespaces and search.

use std::time::Duration;

use crossterm::event::KeyCode;

use crate::support::api_fixtures::hub::{Image, tag};
use crate::support::api_server::{ApiServer, PullQuota};
use crate::support::headless::{Headless, hub_services};
use crate::support::registry::{Auth, TestRegistry, simple_image};
use crate::support::render;
use wharf::config::Config;
use wharf::model::popup::Popup;
use wharf::registry::DockerConfig;
use wharf::ui::View;
use wharf::ui::theme::Theme;

const LIMIT: Duration = Duration::from_secs(20);

fn app_with(config: &Config, config_dir: &tempfile::TempDir, server: &ApiServer) -> Headless {
    Headless::start_with(
        config,
        hub_services(DockerConfig::at(config_dir.path()), &server.url()),
    )
}

fn command(app: &mut Headless, text: &str) {
    app.press(KeyCode::Char(':'));
    app.type_text(text);
    app.press(KeyCode::Enter);
}

fn screen(app: &Headless) -> String {
    let theme = Theme::default_colours();
    let view = View::new(&theme, chrono::Utc::now().timestamp());
    let terminal = render::draw(&app.state, &view, 160, 45);
    render::assert_no_escapes(terminal.backend().buffer());
    render::screen(terminal.backend().buffer())
}

fn log_tail(app: &Headless) -> String {
    app.log[app.log.len().saturating_sub(30)..].join("\n")
}

fn digest_of(seed: &str) -> String {
    wharf::registry::manifest::sha256_digest(seed.as_bytes())
}

/// A tag pushed on day `n` with an amd64 and an arm64/v8 image.
fn hub_tag(name: &str, n: usize) -> serde_json::Value {
    let pushed = format!(
        "2024-{:02}-{:02}T08:00:00.000000Z",
        1 + (n / 28) % 12,
        1 + n % 28
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
                size: 1_000_000 + n as u64,
            },
            Image {
                os: "linux",
                architecture: "arm64",
                variant: Some("v8"),
                digest: digest_of(&format!("{name}/arm64")),
                size: 900_000 + n as u64,
            },
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_tags_come_from_hubs_api_with_dates_sizes_and_platforms_under_every_spelling() {
    let server = ApiServer::start(None).await;
    {
        let mut state = server.state();
        let repo = state
            .hub
            .add_repository("library", "nginx", "Official build of Nginx.", false);
        // Two pages of 100, then 30; a control character in a tag's platform is dropped.
        repo.tags = (0..230).map(|n| hub_tag(&format!("1.{n}"), n)).collect();
    }
    let config_dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&Config::defaults().unwrap(), &config_dir, &server);
    command(&mut app, "repo nginx");
    app.until(LIMIT, |h| h.state.tags().loaded)
        .await
        .unwrap_or_else(|| panic!("Hub tags; log:\n{}", log_tail(&app)));
    let tags = app.state.tags();
    assert_eq!(tags.total(), 230, "every page: {:?}", tags.error);
    assert_eq!(
        tags.repository.as_ref().unwrap().to_string(),
        "docker.io/library/nginx"
    );
    let row = tags.row_named("1.7").unwrap();
    let remote = row.remote.as_ref().expect("what Hub's API said");
    assert_eq!(remote.size, Some(1_000_007));
    assert_eq!(
        remote.pushed.unwrap().to_rfc3339(),
        "2024-01-08T08:00:00+00:00"
    );
    assert_eq!(remote.platforms.len(), 2);
    assert!(row.detail.is_none(), "no config fetched for a Hub tag");
    let pages = server.requests_under("/v2/namespaces/library/repositories/nginx/tags");
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages.iter().all(|p| p.method == "GET"));
    let text = screen(&app);
    assert!(text.contains("PUSHED"), "{text}");
    assert!(text.contains("linux: amd64, arm64/v8"), "{text}");

    // The same repository however it is spelled: nothing is asked again.
    for spelling in [
        "library/nginx",
        "docker.io/library/nginx",
        "index.docker.io/library/nginx",
    ] {
        command(&mut app, &format!("repo {spelling}"));
        assert_eq!(
            app.state.tags().repository.as_ref().unwrap().to_string(),
            "docker.io/library/nginx",
            "{spelling}"
        );
        assert!(app.state.tags().loaded, "{spelling} reloaded");
    }
    let pages = server.requests_under("/v2/namespaces/library/repositories/nginx/tags");
    assert_eq!(pages.len(), 3, "asked again: {pages:?}");

    // Sorting by push date: the newest first.
    app.press(KeyCode::Char('s'));
    let first = app.state.tags().visible_row(0).unwrap().name.clone();
    assert_eq!(first, "1.229", "newest pushed first (2024-09-06)");
    assert!(screen(&app).contains("pushed"), "{}", screen(&app));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pull_quota_shows_in_the_title_and_a_spent_one_says_how_to_raise_it() {
    let registry = TestRegistry::start(Auth::None);
    for tag in ["1", "2"] {
        let image = simple_image("amd64", &format!("quota{tag}"), "2024-01-01T00:00:00Z");
        registry.push_image("app", &image, Some(tag)).await;
    }
    let server = ApiServer::start(Some(&registry)).await;
    // One pull left: HEADs for the digests are free, one detail GET spends it, the other
    // is refused.
    server.state().faults.pull_quota = Some(PullQuota {
        limit: 100,
        remaining: 1,
        window_seconds: 21600,
        source: "203.0.113.7".into(),
    });
    let config_dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&Config::defaults().unwrap(), &config_dir, &server);
    command(&mut app, &format!("repo {}/app", server.host()));
    let done = |h: &Headless| {
        ["1", "2"].iter().all(|t| {
            h.state
                .tags()
                .row_named(t)
                .is_some_and(|r| r.error.is_some() || r.detail.is_some())
        })
    };
    app.until(LIMIT, done)
        .await
        .unwrap_or_else(|| panic!("both tags answered; log:\n{}", log_tail(&app)));
    let refused: Vec<String> = ["1", "2"]
        .iter()
        .filter_map(|t| app.state.tags().row_named(t).unwrap().error.clone())
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains("logging in raises the limit"),
        "{}",
        refused[0]
    );
    assert!(refused[0].contains("per 6h"), "{}", refused[0]);
    assert_eq!(app.state.tags().rate_limit().unwrap().remaining, 0);
    let text = screen(&app);
    assert!(text.contains("0/100 pulls left per 6h"), "{text}");
    let heads = server
        .requests_under("/v2/app/manifests/")
        .iter()
        .filter(|r| r.method == "HEAD")
        .count();
    assert_eq!(heads, 2, "digests by HEAD");

    // The refused tag's detail says it too.
    let refused_tag = if app.state.tags().row_named("1").unwrap().error.is_some() {
        "1"
    } else {
        "2"
    };
    if app.state.tags().selected().unwrap().name != refused_tag {
        app.press(KeyCode::Char('j'));
    }
    app.press(KeyCode::Enter);
    assert!(matches!(
        app.state.top_popup(),
        Some(Popup::TagDetail { .. })
    ));
    let text = screen(&app);
    assert!(text.contains("logging in raises"), "{text}");
}

/// Waits until the open catalog is as `done` says.
async fn until_catalog(
    app: &mut Headless,
    what: &str,
    done: impl Fn(&wharf::model::tags::CatalogState) -> bool,
) {
    app.until(LIMIT, |h| {
        h.state
            .tags()
            .catalog
            .as_ref()
            .is_some_and(|c| !c.loading && done(c))
    })
    .await
    .unwrap_or_else(|| panic!("{what}; log:\n{}", log_tail(app)));
}

/// Moves the catalog selection down until `is_it` holds for the selected row.
fn select_in_catalog(
    app: &mut Headless,
    is_it: impl Fn(&wharf::model::tags::CatalogState) -> bool,
) {
    for _ in 0..200 {
        if is_it(app.state.tags().catalog.as_ref().unwrap()) {
            return;
        }
        app.press(KeyCode::Char('j'));
    }
    panic!("never selected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_without_a_catalog_offers_the_configured_and_remembered_repositories() {
    use crate::support::api_server::CatalogAnswer;
    use wharf::model::tags::CatalogSource;
    use wharf::registry::{OfferSource, RepositoryMemory};

    let registry = TestRegistry::start(Auth::None);
    let image = simple_image("amd64", "offered", "2024-01-01T00:00:00Z");
    registry.push_image("myns/app", &image, Some("1")).await;
    registry.push_image("team/seen", &image, Some("2")).await;
    let server = ApiServer::start(Some(&registry)).await;
    server.state().faults.catalog = Some(CatalogAnswer::NotFound);
    let host = server.host();
    let config = Config::parse(
        &format!(
            "[registries.hosts.\"{host}\"]\nrepositories = [\"myns/app\", \"{host}/myns/base\", \"Bad Name\"]\n"
        ),
        std::path::Path::new("config.toml"),
    )
    .unwrap();
    let config_dir = tempfile::tempdir().unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let memory = RepositoryMemory::at(data_dir.path().join("repositories.json"));
    let mut services = hub_services(DockerConfig::at(config_dir.path()), &server.url());
    services.repository_memory = Some(memory.clone());
    let mut app = Headless::start_with(&config, services);

    // Opened once: remembered.
    command(&mut app, &format!("repo {host}/team/seen"));
    app.until(LIMIT, |h| h.state.tags().loaded).await.unwrap();
    app.until(LIMIT, |_| !memory.load().0.for_registry(&host).is_empty())
        .await
        .unwrap_or_else(|| panic!("remembered; log:\n{}", log_tail(&app)));

    command(&mut app, &format!("registry {host}"));
    until_catalog(&mut app, "offered repositories", |c| {
        matches!(&c.source, CatalogSource::Offered { sources, .. }
            if sources.contains(&OfferSource::OpenedBefore))
    })
    .await;
    let catalog = app.state.tags().catalog.clone().unwrap();
    let names: Vec<String> = catalog
        .repositories
        .iter()
        .map(|r| r.repository().to_string())
        .collect();
    assert_eq!(names, ["myns/app", "myns/base", "team/seen"]);
    let CatalogSource::Offered {
        reason,
        sources,
        refused,
    } = &catalog.source
    else {
        unreachable!()
    };
    assert!(
        reason.contains("does not list its repositories"),
        "{reason}"
    );
    assert_eq!(
        sources,
        &[
            OfferSource::Configured,
            OfferSource::Configured,
            OfferSource::OpenedBefore
        ]
    );
    assert_eq!(refused.len(), 1, "{refused:?}");
    let text = screen(&app);
    assert!(text.contains("does not list its repositories"), "{text}");
    assert!(text.contains("opened before"), "{text}");
    assert!(text.contains("Bad Name"), "{text}");

    // Enter opens one and remembers it first.
    app.press(KeyCode::Enter);
    app.until(LIMIT, |h| h.state.tags().loaded).await.unwrap();
    assert_eq!(
        app.state.tags().repository.as_ref().unwrap().repository(),
        "myns/app"
    );
    assert_eq!(
        app.state.tags().row_named("1").map(|r| r.name.as_str()),
        Some("1")
    );
    app.until(LIMIT, |_| {
        memory
            .load()
            .0
            .for_registry(&host)
            .first()
            .is_some_and(|r| r.repository() == "myns/app")
    })
    .await
    .expect("myns/app remembered first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harbor_projects_then_repositories_then_artifacts_with_scans_as_a_robot() {
    use crate::registry_harbor::{ROBOT, ROBOT_SECRET, harbor_with_images};
    use wharf::model::tags::{CatalogSource, TagSort};
    use wharf::registry::{Credentials, ScanState};

    let registry = TestRegistry::start(Auth::None);
    let (server, multi, _) = harbor_with_images(&registry).await;
    let config_dir = tempfile::tempdir().unwrap();
    DockerConfig::at(config_dir.path())
        .store(&server.host(), &Credentials::password(ROBOT, ROBOT_SECRET))
        .unwrap();
    let mut app = app_with(&Config::defaults().unwrap(), &config_dir, &server);

    command(&mut app, &format!("registry {}", server.host()));
    until_catalog(
        &mut app,
        "Harbor projects",
        |c| matches!(&c.source, CatalogSource::HarborProjects(p) if !p.is_empty()),
    )
    .await;
    let text = screen(&app);
    assert!(text.contains("Projects"), "{text}");
    assert!(text.contains("private"), "{text}");
    let catalog = app.state.tags().catalog.as_ref().unwrap();
    let CatalogSource::HarborProjects(projects) = &catalog.source else {
        unreachable!()
    };
    let team = projects.iter().find(|p| p.name == "team").expect("team");
    assert_eq!((team.public, team.repo_count), (false, 2));

    select_in_catalog(&mut app, |c| {
        c.selected_project().is_some_and(|p| p.name == "team")
    });
    app.press(KeyCode::Enter);
    until_catalog(&mut app, "the team project's repositories", |c| {
        matches!(&c.source, CatalogSource::HarborRepositories { details, .. } if details.len() == 2)
    })
    .await;
    select_in_catalog(&mut app, |c| {
        c.selected_repository()
            .is_some_and(|r| r.repository() == "team/app")
    });
    app.press(KeyCode::Enter);
    app.until(LIMIT, |h| h.state.tags().loaded)
        .await
        .unwrap_or_else(|| panic!("artifacts; log:\n{}", log_tail(&app)));
    let tags = app.state.tags();
    assert_eq!(tags.total(), 2, "the untagged artifact gives no row");
    let row = tags.row_named("1.0").unwrap();
    assert_eq!(row.digest.as_deref(), Some(multi.manifest.digest.as_str()));
    let scan = row.remote.as_ref().unwrap().scan.as_ref().unwrap();
    assert_eq!((scan.state.clone(), scan.total), (ScanState::Done, 13));
    assert!(tags.has_scans());
    let text = screen(&app);
    assert!(text.contains("VULNERABILITIES"), "{text}");
    assert!(text.contains("2 High"), "{text}");
    // Sorting: pushed, then severity.
    app.press(KeyCode::Char('s'));
    app.press(KeyCode::Char('s'));
    assert_eq!(app.state.tags().sort, TagSort::Severity);
    assert_eq!(
        app.state.tags().visible_row(0).unwrap().name,
        "1.0",
        "ties by name"
    );
    // The detail names the tag sharing the digest.
    app.press(KeyCode::Enter);
    app.until(LIMIT, |h| {
        h.state
            .tags()
            .row_named("1.0")
            .is_some_and(|r| r.detail.is_some() || r.error.is_some())
    })
    .await
    .unwrap();
    let text = screen(&app);
    assert!(text.contains("Same digest as: latest"), "{text}");
    // Everything went out as the robot.
    let api = server.requests_under("/api/v2.0/projects");
    assert!(!api.is_empty());
    assert!(api.iter().all(|r| {
        r.authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic "))
    }));
    // Esc from the tags goes back to the repositories, then to the projects.
    app.press(KeyCode::Esc);
    app.press(KeyCode::Esc);
    app.press(KeyCode::Esc);
    assert!(
        app.state
            .tags()
            .catalog
            .as_ref()
            .is_some_and(|c| matches!(c.source, CatalogSource::HarborProjects(_))),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_namespace_and_a_search_open_tags() {
    use crate::support::api_fixtures::hub::search_entry;
    use wharf::model::tags::CatalogSource;

    let server = ApiServer::start(None).await;
    {
        let mut state = server.state();
        let redis =
            state
                .hub
                .add_repository("bitnami", "redis", "Bitnami \u{1b}[31mRedis\u{7}", false);
        redis.tags = vec![hub_tag("7.2", 3)];
        state
            .hub
            .add_repository("bitnami", "nginx", "Bitnami nginx", false);
        let nginx = state
            .hub
            .add_repository("library", "nginx", "Official build of Nginx.", false);
        nginx.tags = vec![hub_tag("1.27", 5), hub_tag("latest", 5)];
        state.hub.search = vec![
            search_entry("nginx", "Official build of Nginx.", 20000, true),
            search_entry("bitnami/nginx", "Bitnami nginx", 200, false),
        ];
    }
    let config_dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&Config::defaults().unwrap(), &config_dir, &server);

    command(&mut app, "registry docker.io/bitnami");
    until_catalog(
        &mut app,
        "the bitnami namespace",
        |c| matches!(&c.source, CatalogSource::HubNamespace { details, .. } if details.len() == 2),
    )
    .await;
    let text = screen(&app);
    assert!(text.contains("docker.io/bitnami"), "{text}");
    assert!(
        text.contains("Bitnami Redis") || text.contains("Bitnami"),
        "{text}"
    );
    select_in_catalog(&mut app, |c| {
        c.selected_repository()
            .is_some_and(|r| r.repository() == "bitnami/redis")
    });
    app.press(KeyCode::Enter);
    app.until(LIMIT, |h| h.state.tags().loaded).await.unwrap();
    assert!(app.state.tags().row_named("7.2").is_some());

    // b on a Hub repository: its namespace again.
    app.press(KeyCode::Char('b'));
    until_catalog(&mut app, "the namespace from b", |c| {
        matches!(&c.source, CatalogSource::HubNamespace { namespace, .. } if namespace == "bitnami")
    })
    .await;

    command(&mut app, "search nginx");
    until_catalog(
        &mut app,
        "search results",
        |c| matches!(&c.source, CatalogSource::HubSearch { results, .. } if results.len() == 2),
    )
    .await;
    let text = screen(&app);
    assert!(text.contains("official"), "{text}");
    let CatalogSource::HubSearch { results, .. } =
        &app.state.tags().catalog.as_ref().unwrap().source
    else {
        unreachable!()
    };
    assert!(results[0].official);
    select_in_catalog(&mut app, |c| {
        c.selected_repository()
            .is_some_and(|r| r.repository() == "library/nginx")
    });
    app.press(KeyCode::Enter);
    app.until(LIMIT, |h| h.state.tags().loaded).await.unwrap();
    assert_eq!(
        app.state.tags().repository.as_ref().unwrap().to_string(),
        "docker.io/library/nginx"
    );
    assert_eq!(app.state.tags().total(), 2);
}
