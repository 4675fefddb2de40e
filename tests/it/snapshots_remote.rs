//! Render snapshots of remote engines, wide and narrow: the contexts popup (loading, and
//! with a broken context, the DOCKER_HOST in force and a warning), and the header with the
//! context while connected, after the connection was lost, and while reconnecting.

use std::time::Duration;

use wharf::docker::target::TargetSource;
use wharf::docker::{EngineError, EngineErrorKind};
use wharf::flows::context::ContextMsg;
use wharf::msg::Msg;
use wharf::state::State;

use crate::remote_switch_flows::three_contexts;
use crate::support::action_fixtures::{connected, web_container};
use crate::support::keys::ch;
use crate::support::render::snap_both;

/// Connected to the local socket through the context `default`, with images and a container.
fn on_default() -> State {
    let mut state = connected();
    state.set_engine_context(Some("default".into()));
    state.update(Msg::ContainersLoaded(Ok(vec![web_container()])));
    state
}

#[test]
fn contexts_popup_loading() {
    let mut state = on_default();
    state.update(ch('E'));
    let screens = snap_both!(&state, "contexts_popup_loading");
    assert!(screens[0].contains("Reading the docker contexts"));
}

#[test]
fn contexts_popup() {
    let mut state = on_default();
    state.update(ch('E'));
    let mut list = three_contexts();
    list.host_override = Some(("tcp://10.0.0.7:2376".into(), TargetSource::DockerHostEnv));
    list.warnings
        .push("DOCKER_CONTEXT names a context, \"gone\", does not exist".into());
    state.update(Msg::Context(ContextMsg::Listed(list)));
    state.update(ch('j'));
    let screens = snap_both!(&state, "contexts_popup");
    for screen in &screens {
        assert!(screen.contains("* default"), "{screen}");
        assert!(screen.contains("ssh://deploy@lab.example"), "{screen}");
        assert!(screen.contains("broken"), "{screen}");
        assert!(screen.contains("DOCKER_HOST"), "{screen}");
    }
}

#[test]
fn header_connected_with_context() {
    let state = on_default();
    let screens = snap_both!(&state, "header_connected");
    assert!(screens[0].lines().next().unwrap().contains(" default "));
}

#[test]
fn header_connection_lost() {
    let mut state = on_default();
    state.update(Msg::EventsEnded {
        error: Some(EngineError::new(
            EngineErrorKind::Unreachable,
            "cannot reach the Docker engine at unix:///var/run/docker.sock: connection refused",
        )),
        lasted: Duration::from_secs(60),
    });
    let screens = snap_both!(&state, "header_lost");
    assert!(
        screens[0]
            .lines()
            .next()
            .unwrap()
            .contains("connection lost")
    );
}

#[test]
fn header_reconnecting() {
    let mut state = on_default();
    // The stream closed without a transport error (an engine restart): check and reload.
    state.update(Msg::EventsEnded {
        error: None,
        lasted: Duration::from_secs(60),
    });
    let screens = snap_both!(&state, "header_reconnecting");
    assert!(screens[0].lines().next().unwrap().contains("reconnecting"));
    assert!(screens[0].contains("stale"), "the lists say they are stale");
}
