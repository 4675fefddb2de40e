//! Render snapshots (insta, ratatui `TestBackend`, a fixed clock) of the tags pane: its rows
//! with the local column reading same, differs and blank, a row still loading and one that
//! failed; the detail of a two-platform index; a registry's catalog with more to come; a
//! refusal that offers a login; an empty and a missing repository. Wide (160×45) and narrow
//! (80×24).

use crossterm::event::KeyCode;

use wharf::msg::Msg;
use wharf::registry::{CatalogPage, ManifestHead, Missing, RegistryError};
use wharf::state::State;

use crate::support::action_fixtures::*;
use crate::support::keys::*;
use crate::support::render::{render, screen, snap_both};

/// The line of the screen that shows `tag` in the tags pane (its first column).
fn row<'a>(text: &'a str, tag: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(&format!("┃{tag} ")))
        .unwrap_or_else(|| panic!("{tag} is not on screen:\n{text}"))
}

/// `localhost:5000/team/app` opened, its tags listed and answered as a registry would:
/// 1.9 is the content pulled here (same), 1.10 was rebuilt here (differs), 2.0 and the
/// multi-platform `latest` are not local, 2.1 is still loading and `broken` failed.
fn team_app() -> State {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    let generation = state.tags().generation;
    let repository = repo("localhost:5000/team/app");
    tags_loaded(
        &mut state,
        &["latest", "2.1", "1.10", "broken", "2.0", "1.9"],
    );
    for (tag, detail) in [
        (
            "1.9",
            single_detail(&repository, "1.9", &digest('9'), 31_400_000),
        ),
        (
            "1.10",
            single_detail(&repository, "1.10", &digest('f'), 31_500_000),
        ),
        (
            "2.0",
            single_detail(&repository, "2.0", &digest('8'), 33_000_000),
        ),
        ("latest", multi_detail(&repository, "latest")),
    ] {
        state.update(Msg::TagDigestLoaded {
            generation,
            tag: tag.into(),
            result: Ok(ManifestHead {
                digest: detail.digest.clone(),
                media_type: None,
                size: None,
            }),
        });
        state.update(Msg::TagDetailLoaded {
            generation,
            tag: tag.into(),
            result: Ok(detail),
        });
    }
    state.update(Msg::TagDigestLoaded {
        generation,
        tag: "broken".into(),
        result: Err(RegistryError::NotFound {
            host: REGISTRY.into(),
            missing: Missing::Tag {
                repository: "localhost:5000/team/app".into(),
                tag: "broken".into(),
            },
        }),
    });
    state
}

#[test]
fn tags_pane_with_the_local_column() {
    let state = team_app();
    let screens = snap_both!(&state, "tags_pane");
    let wide = &screens[0];
    assert!(
        row(wide, "1.9")
            .trim_end_matches(['┃', '"'])
            .trim_end()
            .ends_with("same")
    );
    assert!(row(wide, "1.10").contains("differs"), "{wide}");
    for blank in ["2.0", "latest"] {
        let line = row(wide, blank);
        assert!(
            !line.contains("same") && !line.contains("differs"),
            "{line}"
        );
    }
    assert!(
        row(wide, "latest").contains("linux: amd64, arm64/v8"),
        "{wide}"
    );
    assert!(row(wide, "2.1").contains('…'), "still loading: {wide}");
    assert!(row(wide, "broken").contains("error"), "{wide}");
    // Narrow: tag, digest and the local column still fit.
    let narrow = &screens[1];
    assert!(row(narrow, "1.9").contains("same"), "{narrow}");
    assert!(row(narrow, "1.10").contains("differs"), "{narrow}");
}

#[test]
fn tag_detail_popup_of_a_multi_platform_index() {
    let mut state = team_app();
    // Natural order: 1.9 1.10 2.0 2.1 broken latest.
    state.update(ch('G'));
    assert_eq!(state.tags().selected().unwrap().name, "latest");
    state.update(press(KeyCode::Enter));
    for text in snap_both!(&state, "tag_detail_multi") {
        assert!(text.contains("localhost:5000/team/app:latest"), "{text}");
        assert!(text.contains("linux/arm64/v8"), "{text}");
        assert!(text.contains("Attestations: 1 (not shown)"), "{text}");
    }
}

#[tokio::test]
async fn catalog_list_with_more_to_come() {
    let cursor = catalog_cursor().await;
    let mut state = connected();
    command(&mut state, "registry localhost:5000");
    let generation = state.tags().catalog.as_ref().unwrap().generation;
    let loading = render(&state, 80, 24);
    assert!(
        screen(loading.backend().buffer()).contains("Loading the repositories of localhost:5000…")
    );
    let mut names: Vec<String> = (0..30).map(|i| format!("team/service-{i:02}")).collect();
    names.extend([
        "base/alpine".into(),
        "base/debian".into(),
        "tools/ci".into(),
    ]);
    state.update(Msg::CatalogLoaded {
        generation,
        result: Ok(CatalogPage {
            repositories: names
                .iter()
                .map(|n| repo(&format!("localhost:5000/{n}")))
                .collect(),
            next: Some(cursor),
            ..Default::default()
        }),
    });
    state.update(ch('j'));
    state.update(ch('j'));
    for text in snap_both!(&state, "catalog") {
        assert!(
            text.contains("33 repositories · more as you scroll"),
            "{text}"
        );
    }
}

#[test]
fn unauthorized_offers_a_login() {
    let mut state = connected();
    command(&mut state, "repo 127.0.0.1:5000/private/app");
    tags_failed(&mut state, unauthorized("127.0.0.1:5000"));
    for text in snap_both!(&state, "tags_unauthorized") {
        assert!(
            text.contains("unauthorized — press L to log in to 127.0.0.1:5000"),
            "{text}"
        );
    }
}

#[test]
fn empty_and_missing_repositories() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/emptied");
    tags_loaded(&mut state, &[]);
    let terminal = render(&state, 80, 24);
    let text = screen(terminal.backend().buffer());
    assert!(
        text.contains("localhost:5000/team/emptied has no tags"),
        "{text}"
    );
    insta::assert_snapshot!("tags_empty_narrow", terminal.backend());

    command(&mut state, "repo localhost:5000/team/never");
    tags_failed(&mut state, repository_missing("localhost:5000/team/never"));
    let terminal = render(&state, 80, 24);
    let text = screen(terminal.backend().buffer());
    assert!(
        text.contains("repository localhost:5000/team/never not found"),
        "{text}"
    );
    insta::assert_snapshot!("tags_missing_narrow", terminal.backend());
}
