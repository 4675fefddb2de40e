//! The tags pane and the catalog against a real `docker-registry`, through wharf's own
//! effect path (the real `State` and `Executor`, headless) and drawn with the real renderer:
//! a repository opened by command, its tags in natural order, digests, sizes, platforms and
//! created dates arriving for the rows on screen, the detail of a two-platform OCI index,
//! a catalog longer than one page, an empty repository, a missing one and a refusal.
//!
//! Content is uploaded over HTTP by the test (no engine needed for it); each test starts its
//! own registry.

use std::time::Duration;

use crossterm::event::KeyCode;

use crate::support::forms::{focused, form_text};
use crate::support::headless::{Headless, loopback_services};
use crate::support::registry::{
    Auth, Step, TestRegistry, image, index, platform_image, simple_image,
};
use crate::support::render;
use wharf::config::Config;
use wharf::model::popup::Popup;
use wharf::model::tags::{CATALOG_PAGE, CatalogState};
use wharf::registry::DockerConfig;
use wharf::state::Pane;
use wharf::state::query::FormKind;
use wharf::ui::View;
use wharf::ui::theme::Theme;

const LIMIT: Duration = Duration::from_secs(20);

/// wharf without a terminal, with a private docker config and the registry client.
/// The engine is not needed: nothing here waits for it.
fn app(config_dir: &tempfile::TempDir) -> Headless {
    Headless::start_with(
        &Config::defaults().unwrap(),
        loopback_services(DockerConfig::at(config_dir.path())),
    )
}

fn command(app: &mut Headless, text: &str) {
    app.press(KeyCode::Char(':'));
    app.type_text(text);
    app.press(KeyCode::Enter);
}

/// The screen as text, drawn by wharf's renderer at 160×45, now.
fn screen(app: &Headless) -> String {
    let theme = Theme::default_colours();
    let view = View::new(&theme, chrono::Utc::now().timestamp());
    render::screen(render::draw(&app.state, &view, 160, 45).backend().buffer())
}

fn names(app: &Headless) -> Vec<String> {
    (0..app.state.tags().visible_len())
        .map(|i| app.state.tags().visible_row(i).unwrap().name.clone())
        .collect()
}

/// Waits until the open catalog is as `done` says, or fails naming `what`.
async fn until_catalog(app: &mut Headless, what: &str, done: impl Fn(&CatalogState) -> bool) {
    app.until(LIMIT, |h| {
        h.state.tags().catalog.as_ref().is_some_and(&done)
    })
    .await
    .unwrap_or_else(|| panic!("{what}; log:\n{}", log_tail(app)));
}

fn log_tail(app: &Headless) -> String {
    app.log[app.log.len().saturating_sub(30)..].join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_lists_its_tags_naturally_and_details_arrive_for_the_rows() {
    let registry = TestRegistry::start(Auth::None);
    let repo = "team/app";
    let mut pushed = Vec::new();
    for (tag, created) in [
        ("1.10", "2024-03-01T10:00:00Z"),
        ("1.9", "2024-02-01T10:00:00Z"),
        ("1.2", "2024-01-01T10:00:00Z"),
        ("latest", "2024-03-01T10:00:00Z"),
    ] {
        let image = simple_image("amd64", tag, created);
        registry.push_image(repo, &image, Some(tag)).await;
        pushed.push((tag, image));
    }
    let multi = index(
        vec![
            platform_image("amd64", None, "multi", "2024-04-02T09:00:00Z"),
            platform_image("arm64", Some("v8"), "multi", "2024-04-02T09:05:00Z"),
        ],
        true,
    );
    registry.push_index(repo, &multi, "2.0-multi").await;

    let config_dir = tempfile::tempdir().unwrap();
    let mut app = app(&config_dir);
    command(&mut app, &format!("repo {}/{repo}", registry.host()));
    assert_eq!(app.state.focus(), Pane::Tags);
    assert!(app.state.tags().pinned);
    app.until(LIMIT, |h| {
        h.state.tags().loaded
            && (0..h.state.tags().visible_len())
                .all(|i| h.state.tags().visible_row(i).unwrap().detail.is_some())
    })
    .await
    .unwrap_or_else(|| panic!("details for every row; log:\n{}", log_tail(&app)));
    assert_eq!(names(&app), ["1.2", "1.9", "1.10", "2.0-multi", "latest"]);

    for (tag, image) in &pushed {
        let row = app.state.tags().row_named(tag).unwrap();
        let detail = row.detail.as_ref().unwrap();
        assert_eq!(row.digest.as_deref(), Some(image.manifest.digest.as_str()));
        assert_eq!(detail.compressed_size, image.compressed_size(), "{tag}");
        assert_eq!(
            detail.created.map(|c| c.to_rfc3339()),
            Some(
                chrono::DateTime::parse_from_rfc3339(image.created)
                    .unwrap()
                    .to_rfc3339()
            )
        );
        assert!(!detail.is_multi_platform());
    }
    let row = app.state.tags().row_named("2.0-multi").unwrap();
    let detail = row.detail.as_ref().unwrap();
    assert_eq!(detail.digest, multi.manifest.digest);
    assert!(detail.is_multi_platform());
    let platforms: Vec<String> = detail
        .platforms
        .iter()
        .map(|p| p.platform.to_string())
        .collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64/v8"]);
    assert_eq!(detail.attestations, 1);

    // On screen: every column of every row.
    let text = screen(&app);
    let line = |tag: &str| {
        text.lines()
            .find(|l| l.contains(&format!("┃{tag} ")))
            .unwrap_or_else(|| panic!("{tag} is not on screen:\n{text}"))
            .to_string()
    };
    let multi_line = line("2.0-multi");
    // Two Linux platforms, written compactly (the detail popup shows them in full).
    assert!(
        multi_line.contains("linux: amd64, arm64/v8"),
        "{multi_line}"
    );
    assert!(
        multi_line.contains(&multi.manifest.digest[7..19]),
        "the short digest: {multi_line}"
    );
    let v19 = line("1.9");
    assert!(v19.contains(&pushed[1].1.manifest.digest[7..19]), "{v19}");
    assert!(v19.contains("linux/amd64"), "{v19}");
    assert!(
        text.contains(&format!("{}/{repo}", registry.host())),
        "{text}"
    );
    assert!(text.contains("5 tags"), "{text}");

    // Enter on the index: its detail popup.
    app.press(KeyCode::Char('g'));
    for _ in 0..3 {
        app.press(KeyCode::Char('j'));
    }
    assert_eq!(app.state.tags().selected().unwrap().name, "2.0-multi");
    app.press(KeyCode::Enter);
    assert!(matches!(
        app.state.popups().last(),
        Some(Popup::TagDetail { tag, .. }) if tag == "2.0-multi"
    ));
    let text = screen(&app);
    for expected in [
        format!("Digest:      {}", multi.manifest.digest),
        "Media type:  application/vnd.oci.image.index.v1+json".to_string(),
        "Platforms:   linux/amd64, linux/arm64/v8".to_string(),
        multi.images[1].manifest.digest.clone(),
        multi.images[0].manifest.digest.clone(),
        "Attestations: 1 (not shown)".to_string(),
        "History (newest first):".to_string(),
        "ADD file:rootfs in /".to_string(),
    ] {
        assert!(text.contains(&expected), "{expected:?} missing:\n{text}");
    }
    app.press(KeyCode::Esc);
    assert!(app.state.popups().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_lists_past_its_first_page_as_the_user_scrolls() {
    let registry = TestRegistry::start(Auth::None);
    // The smallest image: a config and a manifest, no layers.
    let tiny = image(
        "amd64",
        None,
        "2024-01-01T00:00:00Z",
        &[Step {
            created_by: "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]",
            created: "2024-01-01T00:00:00Z",
            files: None,
        }],
        true,
    );
    let total = CATALOG_PAGE as usize + 12;
    for i in 0..total {
        registry
            .push_image(&format!("cat/r{i:03}"), &tiny, Some("1"))
            .await;
    }

    let config_dir = tempfile::tempdir().unwrap();
    let mut app = app(&config_dir);
    command(&mut app, &format!("registry {}", registry.host()));
    until_catalog(&mut app, "the first page", |c| {
        !c.repositories.is_empty() || c.error.is_some()
    })
    .await;
    let catalog = app.state.tags().catalog.as_ref().unwrap();
    assert_eq!(catalog.error, None);
    assert_eq!(
        catalog.repositories.len(),
        CATALOG_PAGE as usize,
        "one page"
    );
    assert!(catalog.next.is_some(), "the registry said there is more");
    let text = screen(&app);
    assert!(
        text.contains(&format!("Catalog {}", registry.host())),
        "{text}"
    );
    assert!(
        text.contains("100 repositories · more as you scroll"),
        "{text}"
    );
    assert!(text.contains("cat/r000"), "{text}");

    // Scrolling towards the end loads the rest.
    for _ in 0..80 {
        app.press(KeyCode::Char('j'));
    }
    until_catalog(&mut app, "the second page", |c| {
        c.repositories.len() == total && !c.loading
    })
    .await;
    let catalog = app.state.tags().catalog.as_ref().unwrap();
    assert!(catalog.next.is_none());
    let listed: Vec<String> = catalog
        .repositories
        .iter()
        .map(|r| r.repository().to_string())
        .collect();
    let expected: Vec<String> = (0..total).map(|i| format!("cat/r{i:03}")).collect();
    assert_eq!(listed, expected, "every repository once, in order");
    app.press(KeyCode::Char('G'));
    let text = screen(&app);
    assert!(text.contains(&format!("{total} repositories")), "{text}");
    assert!(!text.contains("more as you scroll"), "{text}");
    assert!(text.contains(&format!("cat/r{:03}", total - 1)), "{text}");

    // Enter opens the selected repository's tags.
    app.press(KeyCode::Enter);
    assert!(app.state.tags().catalog.is_none());
    app.until(LIMIT, |h| h.state.tags().loaded)
        .await
        .expect("its tags");
    assert_eq!(
        app.state
            .tags()
            .repository
            .as_ref()
            .map(|r| r.repository().to_string()),
        Some(format!("cat/r{:03}", total - 1))
    );
    assert_eq!(names(&app), ["1"]);
    // Esc goes back to the catalog, where it was.
    app.press(KeyCode::Esc);
    let catalog = app
        .state
        .tags()
        .catalog
        .as_ref()
        .expect("the catalog is back");
    assert_eq!(catalog.view.selected(), Some(total - 1));
    assert_eq!(catalog.repositories.len(), total);

    // A filter looks into the pages the registry has not sent yet.
    command(&mut app, &format!("registry {}", registry.host()));
    until_catalog(&mut app, "the first page again", |c| {
        !c.repositories.is_empty() && !c.loading
    })
    .await;
    app.press(KeyCode::Char('/'));
    app.type_text("r11");
    until_catalog(&mut app, "the filter brought the rest", |c| {
        c.repositories.len() == total && !c.loading
    })
    .await;
    let catalog = app.state.tags().catalog.as_ref().unwrap();
    let shown: Vec<String> = (0..catalog.view.len())
        .filter_map(|i| catalog.view.get(i))
        .map(|r| catalog.repositories[r].repository().to_string())
        .collect();
    assert_eq!(shown, ["cat/r110", "cat/r111"], "both on the second page");
    let text = screen(&app);
    assert!(
        text.contains(&format!("2 of {total} repositories")),
        "{text}"
    );
    assert!(text.contains("/r11"), "{text}");
    // Esc clears the filter, then closes the catalog.
    app.press(KeyCode::Esc);
    let catalog = app.state.tags().catalog.as_ref().expect("still open");
    assert_eq!(catalog.view.len(), total);
    app.press(KeyCode::Esc);
    assert!(app.state.tags().catalog.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_repository_and_a_missing_one_say_so() {
    let registry = TestRegistry::start(Auth::None);
    let image = simple_image("amd64", "gone", "2024-01-01T00:00:00Z");
    registry.push_image("team/emptied", &image, Some("1")).await;
    registry
        .delete_manifest("team/emptied", &image.manifest.digest)
        .await;
    let (code, body) = registry.raw_get("/v2/team/emptied/tags/list").await;
    assert_eq!(code, 200);
    assert!(
        body.contains("\"tags\":null"),
        "the registry answers null: {body}"
    );

    let config_dir = tempfile::tempdir().unwrap();
    let mut app = app(&config_dir);
    let emptied = format!("{}/team/emptied", registry.host());
    command(&mut app, &format!("repo {emptied}"));
    app.until(LIMIT, |h| {
        h.state.tags().loaded || h.state.tags().error.is_some()
    })
    .await
    .expect("an answer");
    assert_eq!(app.state.tags().error, None);
    assert_eq!(app.state.tags().total(), 0);
    let text = screen(&app);
    assert!(text.contains(&format!("{emptied} has no tags")), "{text}");
    assert!(text.contains("0 tags"), "{text}");

    let missing = format!("{}/team/never-pushed", registry.host());
    command(&mut app, &format!("repo {missing}"));
    app.until(LIMIT, |h| h.state.tags().error.is_some())
        .await
        .expect("an answer");
    let error = app.state.tags().error.as_ref().unwrap();
    assert_eq!(error.message, format!("repository {missing} not found"));
    assert_eq!(error.login_host, None);
    let text = screen(&app);
    assert!(
        text.contains(&format!("repository {missing} not found")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_offers_login_and_after_it_the_tags_load() {
    let password = "s3cret/+=";
    let registry = TestRegistry::start(Auth::Htpasswd {
        username: "tagger".into(),
        password: password.into(),
    });
    let image = simple_image("amd64", "private", "2024-05-05T05:05:05Z");
    registry.push_image("private/app", &image, Some("7")).await;

    let config_dir = tempfile::tempdir().unwrap();
    let mut app = app(&config_dir);
    let repository = format!("{}/private/app", registry.host());
    command(&mut app, &format!("repo {repository}"));
    app.until(LIMIT, |h| h.state.tags().error.is_some())
        .await
        .expect("the refusal");
    let error = app.state.tags().error.clone().unwrap();
    let expected = format!("unauthorized — press L to log in to {}", registry.host());
    assert_eq!(error.message, expected);
    assert_eq!(error.login_host.as_deref(), Some(registry.host()));
    let text = screen(&app);
    assert!(text.contains(&expected), "{text}");

    // L: the form is ready for that registry.
    app.press(KeyCode::Char('L'));
    assert_eq!(app.state.form_kind(), Some(FormKind::Login));
    assert_eq!(form_text(&app.state, "Registry"), registry.host());
    assert_eq!(focused(&app.state), "Username");
    app.type_text("tagger");
    app.press(KeyCode::Tab);
    app.type_text(password);
    let text = screen(&app);
    assert!(!text.contains(password), "the password is masked:\n{text}");
    app.press(KeyCode::Enter);
    app.until(LIMIT, |h| h.state.form().is_none_or(|f| f.busy.is_none()))
        .await
        .expect("the login is checked");
    assert!(
        app.state.form().is_none(),
        "logged in: {:?}\n{}",
        app.state.form(),
        log_tail(&app)
    );
    // R: the tags again, now with the stored credentials.
    app.press(KeyCode::Char('R'));
    app.until(LIMIT, |h| {
        h.state
            .tags()
            .row_named("7")
            .is_some_and(|r| r.detail.is_some())
    })
    .await
    .unwrap_or_else(|| panic!("the tags after login; log:\n{}", log_tail(&app)));
    assert_eq!(app.state.tags().error, None);
    assert_eq!(
        app.state.tags().row_named("7").unwrap().digest.as_deref(),
        Some(image.manifest.digest.as_str())
    );
}
