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
