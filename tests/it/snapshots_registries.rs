//! The registries people use, as data through `update` and drawn (insta, wide 160×45 and
//! narrow 80×24, fixed clock): Docker Hub's tags with the pull quota in the title, the
//! catalog of a registry that does not list its repositories, Harbor's projects and
//! artifacts, Docker Hub search results and the detail of a tag that shares its digest.

use crossterm::event::KeyCode;

use wharf::effect::Effect;
use wharf::model::tags::RemoteTagList;
use wharf::msg::Msg;
use wharf::registry::{
    ManifestHead, Platform, RateLimit, RegistryError, RemotePlatform, RemoteTag,
};
use wharf::state::State;

use crate::support::action_fixtures::*;
use crate::support::keys::*;
use crate::support::render::{assert_no_escapes, render, snap_both};

fn linux(architecture: &str, variant: Option<&str>, size: u64) -> RemotePlatform {
    RemotePlatform {
        platform: Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: variant.map(str::to_string),
        },
        digest: None,
        size: Some(size),
    }
}

fn hub_tag(name: &str, pushed: &str, size: u64, platforms: Vec<RemotePlatform>) -> RemoteTag {
    RemoteTag {
        pushed: Some(ts(pushed)),
        size: Some(size),
        platforms,
        ..RemoteTag::named(name)
    }
}

/// `nginx` opened: four tags from Hub's API, two digests known by HEAD, and the quota the
/// last HEAD announced.
fn hub_nginx() -> (State, Vec<Effect>) {
    let mut state = connected();
    let opened = command(&mut state, "repo nginx");
    assert!(
        opened
            .iter()
            .any(|e| matches!(e, Effect::LoadTags { repository, .. }
            if repository.to_string() == "docker.io/library/nginx")),
        "{opened:?}"
    );
    let generation = state.tags().generation;
    let multi = || {
        vec![
            linux("amd64", None, 67_000_000),
            linux("arm64", Some("v8"), 63_000_000),
        ]
    };
    let effects = state.update(Msg::RemoteTagsLoaded {
        generation,
        result: Ok(RemoteTagList {
            tags: vec![
                hub_tag("latest", "2025-06-10T08:00:00Z", 67_000_000, multi()),
                hub_tag("1.27", "2025-06-10T08:00:00Z", 67_000_000, multi()),
                hub_tag("1.26", "2025-04-01T08:00:00Z", 66_000_000, multi()),
                // A control character from the registry never reaches the screen.
                hub_tag(
                    "1.25-alpine",
                    "2025-03-01T08:00:00Z",
                    20_000_000,
                    vec![linux("amd\u{1b}]0;pwn\u{7}64", None, 20_000_000)],
                ),
            ],
            truncated: false,
            stopped: None,
        }),
    });
    for (tag, d) in [("latest", 'a'), ("1.27", 'a')] {
        state.update(Msg::TagDigestLoaded {
            generation,
            tag: tag.into(),
            result: Ok(ManifestHead {
                digest: digest(d),
                media_type: None,
                size: None,
            }),
        });
    }
    state.update(Msg::RateLimitSeen {
        registry: "docker.io".into(),
        limit: RateLimit {
            limit: 100,
            remaining: 76,
            window_seconds: Some(21600),
            source: None,
            seen_at: ts("2025-06-14T08:00:00Z"),
        },
    });
    (state, effects)
}

#[test]
fn hub_tags_pane_with_the_pull_quota_in_its_title() {
    let (state, effects) = hub_nginx();
    // Digests by HEAD (free on Docker Hub); no detail (config) fetch for Hub rows.
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadTagDigest { .. })),
        "{effects:?}"
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::LoadTagDetail { .. })),
        "{effects:?}"
    );
    for text in snap_both!(&state, "hub_tags") {
        assert!(text.contains("76/100 pulls left per 6h"), "{text}");
        assert!(text.contains("docker.io/library/nginx"), "{text}");
    }
    let wide = render(&state, 160, 45);
    assert_no_escapes(wide.backend().buffer());
    let text = crate::support::render::screen(wide.backend().buffer());
    assert!(text.contains("linux: amd64, arm64/v8"), "{text}");
    assert!(text.contains("PUSHED"), "{text}");
}

#[test]
fn a_hub_tag_detail_lists_the_tags_that_share_its_digest_without_a_counted_pull() {
    let (mut state, _) = hub_nginx();
    // Natural order: 1.25-alpine 1.26 1.27 latest.
    state.update(ch('G'));
    assert_eq!(state.tags().selected().unwrap().name, "latest");
    let effects = state.update(press(KeyCode::Enter));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::LoadTagDetail { .. })),
        "a manifest GET counts as a pull on Docker Hub: {effects:?}"
    );
    for text in snap_both!(&state, "hub_tag_detail_shared_digest") {
        assert!(text.contains("Same digest as: 1.27"), "{text}");
        assert!(text.contains("Pushed:"), "{text}");
    }
}

#[test]
fn a_rate_limit_mid_listing_keeps_the_pages_loaded_and_says_when_it_resets() {
    let mut state = connected();
    command(&mut state, "repo bitnami/redis");
    let generation = state.tags().generation;
    state.update(Msg::RemoteTagsLoaded {
        generation,
        result: Ok(RemoteTagList {
            tags: vec![hub_tag("7.2", "2025-06-01T00:00:00Z", 1000, vec![])],
            truncated: false,
            stopped: Some(RegistryError::RateLimited {
                host: "hub.docker.com".into(),
                retry_at: Some(ts("2025-06-14T23:00:00Z")),
                quota: None,
                logged_in: false,
            }),
        }),
    });
    assert_eq!(state.tags().total(), 1);
    let text = crate::support::render::screen(render(&state, 160, 45).backend().buffer());
    assert!(text.contains("Not every page loaded"), "{text}");
    assert!(text.contains("logging in raises"), "{text}");
    assert!(text.contains("try again after"), "{text}");
}
