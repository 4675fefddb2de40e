//! The tags pane's LOCAL column, per platform, end to end: a multi-platform index in a real
//! registry, one platform of it pulled by the real engine (by its platform manifest's
//! digest, so the engine records that digest, not the index's), and wharf's column and
//! detail saying "same" for the tags whose image for that platform is the local one, and
//! "differs" for a tag that moved or has no image for the local platform.

use std::time::Duration;

use crossterm::event::KeyCode;

use crate::support::engine::{Scratch, docker, engine_or_skip, inspect_image, unique_name};
use crate::support::headless::{Headless, loopback_services};
use crate::support::registry::{Auth, TestRegistry, index, platform_image};
use crate::support::render;
use wharf::config::Config;
use wharf::model::tags::{LocalIndex, LocalStatus};
use wharf::registry::DockerConfig;
use wharf::ui::View;
use wharf::ui::theme::Theme;

const LIMIT: Duration = Duration::from_secs(60);

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

#[tokio::test]
async fn the_local_column_compares_the_pulled_platform_of_a_multi_platform_tag() {
    if engine_or_skip().await.is_none() {
        return;
    }
    let registry = TestRegistry::start(Auth::None);
    let name = unique_name("perplatform");
    let amd = platform_image("amd64", None, "pp-amd-1", "2024-01-01T00:00:00Z");
    let arm = platform_image("arm64", Some("v8"), "pp-arm-1", "2024-01-01T00:00:00Z");
    let arm_digest = arm.manifest.digest.clone();
    let amd_new = platform_image("amd64", None, "pp-amd-2", "2024-02-01T00:00:00Z");
    let arm_new = platform_image("arm64", Some("v8"), "pp-arm-2", "2024-02-01T00:00:00Z");
    let amd_only = platform_image("amd64", None, "pp-amd-1", "2024-01-01T00:00:00Z");
    // 1: both platforms; 2: a new amd64, the same arm64; 3: amd64 only; 4: both moved.
    let amd_again = platform_image("amd64", None, "pp-amd-1", "2024-01-01T00:00:00Z");
    let arm_again = platform_image("arm64", Some("v8"), "pp-arm-1", "2024-01-01T00:00:00Z");
    registry
        .push_index(&name, &index(vec![amd, arm], false), "1")
        .await;
    registry
        .push_index(&name, &index(vec![amd_new, arm_again], false), "2")
        .await;
    registry
        .push_index(&name, &index(vec![amd_only], false), "3")
        .await;
    registry
        .push_index(&name, &index(vec![amd_again, arm_new], false), "4")
        .await;

    // The arm64 image, pulled by its own manifest's digest and named 1 to 4 here.
    let repository = format!("{}/{name}", registry.host());
    let by_digest = format!("{repository}@{arm_digest}");
    let mut scratch = Scratch::new();
    scratch.track_image(&by_digest);
    docker(&["pull", "-q", "--platform", "linux/arm64", &by_digest]);
    for tag in ["1", "2", "3", "4"] {
        let reference = format!("{repository}:{tag}");
        scratch.track_image(&reference);
        docker(&["tag", &by_digest, &reference]);
    }
    assert_eq!(
        inspect_image(&by_digest, "{{.Architecture}}").as_deref(),
        Some("arm64")
    );
    let repo_digests = inspect_image(&by_digest, "{{json .RepoDigests}}").unwrap();
    assert!(
        repo_digests.contains(&arm_digest),
        "the engine records the platform manifest's digest: {repo_digests}"
    );

    let docker_config = tempfile::tempdir().unwrap();
    let mut app = Headless::start_with(
        &Config::defaults().unwrap(),
        loopback_services(DockerConfig::at(docker_config.path())),
    );
    app.ready().await;
    command(&mut app, &format!("repo {repository}"));
    let repo = registry.repo(&name);
    let expected = [
        ("1", LocalStatus::Same),
        ("2", LocalStatus::Same),
        ("3", LocalStatus::OtherPlatforms),
        ("4", LocalStatus::Differs),
    ];
    let statuses = |h: &Headless| {
        let local = LocalIndex::new(h.state.images().records(), &repo)
            .with_platforms(&h.state.tags().local_platforms);
        expected
            .iter()
            .map(|(tag, _)| {
                h.state
                    .tags()
                    .row_named(tag)
                    .filter(|row| row.detail.is_some())
                    .map(|row| local.status(row))
            })
            .collect::<Vec<_>>()
    };
    let want: Vec<Option<LocalStatus>> = expected.iter().map(|(_, s)| Some(*s)).collect();
    let platform_known = |h: &Headless| {
        LocalIndex::new(h.state.images().records(), &repo)
            .with_platforms(&h.state.tags().local_platforms)
            .local_platform("1")
            .map(ToString::to_string)
    };
    app.until(LIMIT, |h| {
        statuses(h) == want && platform_known(h).is_some()
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "per-platform verdicts {:?}, platform {:?}; tags error {:?}",
            statuses(&app),
            platform_known(&app),
            app.state.tags().error
        )
    });
    assert_eq!(
        platform_known(&app).as_deref(),
        Some("linux/arm64/v8"),
        "the platform from the engine's inspect"
    );
    let text = screen(&app);
    assert!(
        text.contains("same") && text.contains("differs"),
        "the column says it plainly:\n{text}"
    );

    // The detail says why: tag 3 has no image for the local platform.
    app.press(KeyCode::Char('4'));
    for _ in 0..4 {
        if app.state.tags().selected().map(|r| r.name.as_str()) == Some("3") {
            break;
        }
        app.press(KeyCode::Down);
    }
    assert_eq!(
        app.state.tags().selected().map(|r| r.name.as_str()),
        Some("3")
    );
    app.press(KeyCode::Enter);
    let text = screen(&app);
    assert!(
        text.contains("no image for the platform") && text.contains("(linux/arm64/v8)"),
        "{text}"
    );
}
