//! The registries people use, as data through `update` and drawn (insta, wide 160×45 and
//! narrow 80×24, fixed clock): Docker Hub's tags with the pull quota in the title, the
//! catalog of a registry that does not list its repositories, Harbor's projects and
//! artifacts, Docker Hub search results and the detail of a tag that shares its digest.

use crossterm::event::KeyCode;

use wharf::effect::Effect;
use wharf::model::tags::RemoteTagList;
use wharf::msg::Msg;
use wharf::registry::{
    HarborProject, HubSearchResult, ManifestHead, NoCatalogReason, Page, Platform, RateLimit,
    RegistryError, RememberedRepositories, RemotePlatform, RemoteTag, ScanState, ScanSummary,
    Severity,
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

fn page<T>(items: Vec<T>) -> Page<T> {
    let mut page = Page::empty();
    page.items = items;
    page
}

#[test]
fn a_registry_without_a_catalog_offers_what_it_knows() {
    let config = wharf::config::Config::parse(
        "[registries.hosts.\"registry.cn-hangzhou.aliyuncs.com\"]\n\
         repositories = [\"myns/app\", \"myns/base\", \"My Bad\"]\n",
        std::path::Path::new("config.toml"),
    )
    .unwrap();
    let mut state = State::new(&config, "unix:///var/run/docker.sock".into(), None);
    state.start();
    state.update(Msg::EngineConnected(engine_info()));
    state.update(Msg::ImagesLoaded(Ok(images())));
    state.update(Msg::ContainersLoaded(Ok(vec![])));
    command(&mut state, "registry registry.cn-hangzhou.aliyuncs.com");
    let generation = state.tags().catalog.as_ref().unwrap().generation;
    let effects = state.update(Msg::CatalogLoaded {
        generation,
        result: Err(RegistryError::NoCatalog {
            host: "registry.cn-hangzhou.aliyuncs.com".into(),
            reason: NoCatalogReason::Refused,
        }),
    });
    assert_eq!(effects, [Effect::LoadRememberedRepositories]);
    let mut remembered = RememberedRepositories::default();
    remembered.remember(&repo("registry.cn-hangzhou.aliyuncs.com/myns/app"));
    remembered.remember(&repo("registry.cn-hangzhou.aliyuncs.com/other/tool"));
    state.update(Msg::RepositoriesRemembered(remembered));
    for text in snap_both!(&state, "no_catalog") {
        assert!(text.contains("does not list its repositories"), "{text}");
        assert!(text.contains("configured"), "{text}");
    }
    let catalog = state.tags().catalog.as_ref().unwrap();
    let names: Vec<&str> = catalog
        .repositories
        .iter()
        .map(|r| r.repository())
        .collect();
    assert_eq!(names, ["myns/app", "myns/base", "other/tool"]);
    // Enter opens it and remembers it.
    let effects = state.update(press(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::RememberRepository { repository }
            if repository.repository() == "myns/app")),
        "{effects:?}"
    );
}

fn harbor_catalog() -> State {
    let mut state = connected();
    command(&mut state, "registry harbor.example.com");
    let generation = state.tags().catalog.as_ref().unwrap().generation;
    state.update(Msg::HarborProjectsLoaded {
        generation,
        result: Ok(page(vec![
            HarborProject {
                name: "library".into(),
                public: true,
                repo_count: 150,
            },
            HarborProject {
                name: "team".into(),
                public: false,
                repo_count: 2,
            },
        ])),
    });
    state
}

#[test]
fn harbor_projects_pane() {
    let state = harbor_catalog();
    for text in snap_both!(&state, "harbor_projects") {
        assert!(text.contains("Projects"), "{text}");
        assert!(text.contains("private"), "{text}");
        assert!(text.contains("150"), "{text}");
    }
}

fn scan(state: ScanState, counts: Vec<(Severity, u64)>) -> ScanSummary {
    ScanSummary {
        state,
        severity: counts.first().map(|(s, _)| *s),
        total: counts.iter().map(|(_, n)| n).sum(),
        fixable: 1,
        counts,
        finished: None,
    }
}

#[test]
fn harbor_artifacts_pane_sorted_by_severity() {
    let mut state = harbor_catalog();
    state.update(ch('j'));
    let effects = state.update(press(KeyCode::Enter));
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::LoadHarborRepositories { project, .. } if project == "team")
        ),
        "{effects:?}"
    );
    command(&mut state, "repo harbor.example.com/team/app");
    let generation = state.tags().generation;
    let artifact = |name: &str, d: char, pushed: &str, scan_summary: ScanSummary| RemoteTag {
        digest: Some(digest(d)),
        pushed: Some(ts(pushed)),
        pulled: Some(ts("2025-06-14T12:00:00Z")),
        size: Some(31_000_000),
        platforms: vec![linux("amd64", None, 31_000_000)],
        scan: Some(scan_summary),
        ..RemoteTag::named(name)
    };
    state.update(Msg::RemoteTagsLoaded {
        generation,
        result: Ok(RemoteTagList {
            tags: vec![
                artifact(
                    "1.0",
                    'a',
                    "2025-05-01T10:00:00Z",
                    scan(
                        ScanState::Done,
                        vec![(Severity::High, 2), (Severity::Low, 10)],
                    ),
                ),
                artifact(
                    "latest",
                    'a',
                    "2025-05-02T10:00:00Z",
                    scan(
                        ScanState::Done,
                        vec![(Severity::High, 2), (Severity::Low, 10)],
                    ),
                ),
                artifact(
                    "2.0",
                    'b',
                    "2025-06-01T10:00:00Z",
                    scan(ScanState::Done, vec![(Severity::Critical, 1)]),
                ),
                artifact(
                    "2.1",
                    'c',
                    "2025-06-10T10:00:00Z",
                    scan(ScanState::Scanning { percent: Some(40) }, vec![]),
                ),
                artifact(
                    "old",
                    'd',
                    "2024-01-01T10:00:00Z",
                    ScanSummary::not_scanned(),
                ),
            ],
            truncated: false,
            stopped: None,
        }),
    });
    state.update(ch('s'));
    state.update(ch('s'));
    let order: Vec<String> = (0..state.tags().visible_len())
        .map(|i| state.tags().visible_row(i).unwrap().name.clone())
        .collect();
    assert_eq!(order, ["2.0", "1.0", "latest", "2.1", "old"]);
    for text in snap_both!(&state, "harbor_artifacts") {
        assert!(text.contains("by severity"), "{text}");
        assert!(text.contains("1 Critical"), "{text}");
        assert!(text.contains("not scanned"), "{text}");
        assert!(text.contains("scanning 40%"), "{text}");
    }
}

#[test]
fn docker_hub_search_results() {
    let mut state = connected();
    let effects = command(&mut state, "search nginx proxy");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SearchHub { term, .. } if term == "nginx proxy")),
        "{effects:?}"
    );
    let generation = state.tags().catalog.as_ref().unwrap().generation;
    state.update(Msg::HubSearchLoaded {
        generation,
        result: Ok(page(vec![
            HubSearchResult {
                repository: repo("nginx"),
                description: "Official build of Nginx.".into(),
                stars: 20_512,
                pulls: 1_000_000_000,
                official: true,
            },
            HubSearchResult {
                repository: repo("jc21/nginx-proxy-manager"),
                description: "Docker container for managing Nginx proxy hosts\u{1b}]0;pwn\u{7}"
                    .into(),
                stars: 1_203,
                pulls: 50_000_000,
                official: false,
            },
        ])),
    });
    for text in snap_both!(&state, "hub_search") {
        assert!(text.contains("official"), "{text}");
        assert!(text.contains("20k"), "{text}");
    }
    assert_no_escapes(render(&state, 160, 45).backend().buffer());
    let effects = state.update(press(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadTags { repository, .. }
            if repository.to_string() == "docker.io/library/nginx")),
        "{effects:?}"
    );
}

/// Names a catalog lists that the grammar refuses are shown above the rows with the reason,
/// cleaned, and never become rows that would open something else.
#[test]
fn refused_catalog_names_are_shown_with_their_reason() {
    let mut state = connected();
    command(&mut state, "registry localhost:5000");
    let generation = state.tags().catalog.as_ref().unwrap().generation;
    let refused: Vec<_> = ["Team/App", "bad\u{1b}[31mname", "x//y", "UPPER"]
        .iter()
        .map(|name| {
            wharf::registry::RefusedName::check("localhost:5000", name)
                .expect_err("the grammar refuses it")
        })
        .collect();
    state.update(Msg::CatalogLoaded {
        generation,
        result: Ok(wharf::registry::CatalogPage {
            repositories: vec![repo("localhost:5000/team/app")],
            refused,
            ..Default::default()
        }),
    });
    let catalog = state.tags().catalog.as_ref().unwrap();
    assert_eq!(catalog.repositories.len(), 1, "refused names are not rows");
    assert_eq!(catalog.refused.len(), 4);
    for text in snap_both!(&state, "catalog_refused_names") {
        assert!(text.contains("4 listed names cannot be opened"), "{text}");
        assert!(text.contains("Team/App"), "{text}");
        assert!(text.contains("team/app"), "{text}");
    }
    assert_no_escapes(render(&state, 160, 45).backend().buffer());
}
