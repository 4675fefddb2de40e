//! Registries people use, at the update level: the per-platform LOCAL column's requests
//! (the shown repository's local images have their platform asked for once, a new local
//! image of it when it appears, and the engine's answer is what the column compares with),
//! and the open prompt taking a bare registry host for that registry's catalog.

use crate::support::action_fixtures::{connected, id, images, record};
use wharf::docker::{ImageId, ImagePlatform};
use wharf::effect::Effect;
use wharf::model::tags::LocalIndex;
use wharf::msg::Msg;
use wharf::registry::RepositoryRef;

fn asked(effects: &[Effect]) -> Vec<ImageId> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::InspectImagePlatform { image } => Some(image.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_shown_repositorys_local_platforms_are_asked_once_and_for_new_images() {
    let mut state = connected();
    let effects = crate::support::action_fixtures::command(&mut state, "repo nginx");
    assert_eq!(asked(&effects), [id('1')], "the local nginx image");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadTags { .. })),
        "{effects:?}"
    );

    // The images list again, with a new nginx image: only that one is asked for.
    let mut records = images();
    records.push(record(
        '9',
        &["nginx:1.27"],
        &["nginx@sha256:9999999999999999999999999999999999999999999999999999999999999999"],
        60,
        10,
    ));
    let effects = state.update(Msg::ImagesLoaded(Ok(records)));
    assert_eq!(asked(&effects), [id('9')]);
    let effects = state.update(Msg::ImagesLoaded(Ok(images())));
    assert!(asked(&effects).is_empty(), "{effects:?}");

    // The engine's answer is kept for the column.
    state.update(Msg::ImagePlatformLoaded {
        image: id('1'),
        result: Ok(Some(ImagePlatform {
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into()),
        })),
    });
    let repo = RepositoryRef::parse("nginx").unwrap();
    let local = LocalIndex::new(state.images().records(), &repo)
        .with_platforms(&state.tags().local_platforms);
    assert_eq!(
        local
            .local_platform("1.25")
            .map(ToString::to_string)
            .as_deref(),
        Some("linux/arm64/v8")
    );
    // An image that is gone by the time the engine looks is asked again on the next look.
    state.update(Msg::ImagePlatformLoaded {
        image: id('9'),
        result: Ok(None),
    });
    let mut records = images();
    records.push(record('9', &["nginx:1.27"], &[], 60, 10));
    let effects = state.update(Msg::ImagesLoaded(Ok(records)));
    assert_eq!(asked(&effects), [id('9')]);
}

/// `o`, the text, Enter: the effects of opening it.
fn open_prompt(state: &mut wharf::state::State, text: &str) -> Vec<Effect> {
    use crate::support::keys::{ch, ctrl, feed_text, press};
    state.update(ch('o'));
    state.update(ctrl('u'));
    feed_text(state, text);
    state.update(press(crossterm::event::KeyCode::Enter))
}

#[test]
fn the_open_prompt_takes_a_bare_host_for_its_catalog_never_for_docker_hub() {
    let mut state = connected();
    for host in [
        "registry.example.com",
        "registry.example.com:5000",
        "host:5000",
        "localhost:5000",
        "localhost",
        "127.0.0.1:5000",
    ] {
        let effects = open_prompt(&mut state, host);
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::LoadCatalog { registry, .. } if registry == host)),
            "{host}: {effects:?}"
        );
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::LoadTags { .. })),
            "{host}: {effects:?}"
        );
        assert!(state.form().is_none(), "{host}: the prompt closed");
    }
    // A name with a tag stays a Docker Hub repository, as docker reads it.
    for (text, repository) in [
        ("redis:7", "library/redis"),
        ("nginx:1.25", "library/nginx"),
    ] {
        let effects = open_prompt(&mut state, text);
        assert!(
            effects.iter().any(|e| matches!(
                e,
                Effect::LoadTags { repository: r, .. }
                    if r.registry() == "docker.io" && r.repository() == repository
            )),
            "{text}: {effects:?}"
        );
    }
}
