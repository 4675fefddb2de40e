//! Switching engines and losing the connection, through `State::update` alone: the contexts
//! popup (`E`, `:context`), a switch that empties every pane and drops the previous
//! engine's late answers by their generation, and the lost / reconnecting states.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::KeyCode;

use wharf::config::Config;
use wharf::docker::target::{EngineTarget, TargetSource};
use wharf::docker::{
    ContextList, ContextSummary, EngineError, EngineErrorKind, EngineEvent, EventSubject,
};
use wharf::effect::Effect;
use wharf::flows::context::ContextMsg;
use wharf::model::popup::Popup;
use wharf::msg::Msg;
use wharf::state::{EngineStatus, State};

use crate::support::action_fixtures::{
    command, connected, engine_info, images, select, web_container,
};
use crate::support::keys::{ch, press};

pub fn summary(name: &str, endpoint: &str, current: bool) -> ContextSummary {
    ContextSummary {
        name: name.into(),
        description: format!("the {name} engine"),
        endpoint: Some(endpoint.into()),
        tls: false,
        current,
        problem: None,
    }
}

/// `default` (current), `lab` over ssh, and a broken one.
pub fn three_contexts() -> ContextList {
    let mut broken = summary("old", "gopher://old", false);
    broken.problem = Some("unknown scheme gopher:// (use unix://, tcp:// or ssh://)".into());
    broken.description = String::new();
    ContextList {
        contexts: vec![
            summary("default", "unix:///var/run/docker.sock", true),
            summary("lab", "ssh://deploy@lab.example", false),
            broken,
        ],
        host_override: None,
        warnings: Vec::new(),
    }
}

pub fn target(host: &str, name: &str) -> EngineTarget {
    EngineTarget {
        host: host.into(),
        source: TargetSource::Chosen(name.into()),
        tls: None,
    }
}

fn unreachable(why: &str) -> EngineError {
    EngineError::new(EngineErrorKind::Unreachable, why)
}

/// `E`, the contexts arrive, the cursor goes to `lab`, Enter: the effects of Enter.
fn choose_lab(state: &mut State) -> Vec<Effect> {
    let effects = state.update(ch('E'));
    assert!(effects.contains(&Effect::ListContexts), "{effects:?}");
    state.update(Msg::Context(ContextMsg::Listed(three_contexts())));
    state.update(ch('j'));
    state.update(press(KeyCode::Enter))
}

/// Chooses `lab` and answers its resolution: the effects of the switch.
fn switch_to_lab(state: &mut State) -> Vec<Effect> {
    choose_lab(state);
    state.update(Msg::Context(ContextMsg::Resolved {
        name: "lab".into(),
        result: Ok(target("ssh://deploy@lab.example", "lab")),
    }))
}

#[test]
fn e_opens_the_contexts_with_the_cursor_on_the_one_in_use() {
    let mut state = connected();
    let effects = state.update(ch('E'));
    assert_eq!(effects, vec![Effect::ListContexts]);
    let popup = state.contexts_popup().expect("the contexts popup");
    assert!(popup.list.is_none(), "loading until the files are read");
    state.update(Msg::Context(ContextMsg::Listed(three_contexts())));
    let popup = state.contexts_popup().unwrap();
    assert_eq!(popup.rows().len(), 3);
    assert_eq!(popup.selected().unwrap().name, "default");
    // :context opens the same popup, not a second one.
    command(&mut state, "context");
    let count = state
        .popups()
        .iter()
        .filter(|p| matches!(p, Popup::Contexts(_)))
        .count();
    assert_eq!(count, 1);
    state.update(press(KeyCode::Esc));
    assert!(state.contexts_popup().is_none());
}

#[test]
fn choosing_a_context_resolves_it_then_moves_every_pane_to_the_new_engine() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    state.update(Msg::ContainersLoaded(Ok(vec![web_container()])));
    assert!(state.layers().image().is_some());
    let generation = state.engine_generation();

    let effects = choose_lab(&mut state);
    assert_eq!(effects, vec![Effect::ResolveContext { name: "lab".into() }]);
    assert_eq!(
        state.contexts_popup().unwrap().switching.as_deref(),
        Some("lab")
    );
    // Nothing moved before the address is known.
    assert!(state.images().loaded);

    let effects = state.update(Msg::Context(ContextMsg::Resolved {
        name: "lab".into(),
        result: Ok(target("ssh://deploy@lab.example", "lab")),
    }));
    assert_eq!(
        effects,
        vec![Effect::SwitchEngine {
            generation: generation + 1,
            target: target("ssh://deploy@lab.example", "lab"),
        }],
        "no currentContext written by default"
    );
    assert!(state.contexts_popup().is_none());
    assert_eq!(state.engine_context(), Some("lab"));
    assert_eq!(state.engine_target(), "ssh://deploy@lab.example");
    assert_eq!(state.engine_status(), &EngineStatus::Connecting);
    assert!(!state.images().loaded && state.images().records().is_empty());
    assert!(!state.containers().loaded && state.containers().records().is_empty());
    assert!(state.layers().image().is_none());
    assert!(
        !state.connection_lost(),
        "a new engine is connecting, not lost"
    );

    // The new engine answers: everything loads from it.
    let effects = state.update(Msg::Engine {
        generation: generation + 1,
        msg: Box::new(Msg::EngineConnected(engine_info())),
    });
    for wanted in [
        Effect::WatchEvents,
        Effect::LoadImages,
        Effect::LoadContainers,
    ] {
        assert!(effects.contains(&wanted), "{wanted:?} in {effects:?}");
    }
}

#[test]
fn late_answers_of_the_previous_engine_are_dropped() {
    let mut state = connected();
    switch_to_lab(&mut state);
    let old = state.engine_generation() - 1;
    let stale = |msg: Msg| Msg::Engine {
        generation: old,
        msg: Box::new(msg),
    };
    assert!(
        state
            .update(stale(Msg::ImagesLoaded(Ok(images()))))
            .is_empty()
    );
    assert!(
        state
            .update(stale(Msg::ContainersLoaded(Ok(vec![web_container()]))))
            .is_empty()
    );
    assert!(
        state
            .update(stale(Msg::EngineConnected(engine_info())))
            .is_empty()
    );
    let event = EngineEvent {
        subject: EventSubject::Container,
        action: "start".into(),
        id: "c".repeat(64),
        name: None,
    };
    assert!(state.update(stale(Msg::EngineEvent(event))).is_empty());
    assert!(
        state
            .update(stale(Msg::EventsEnded {
                error: Some(unreachable("gone")),
                lasted: Duration::from_secs(1),
            }))
            .is_empty()
    );
    assert!(!state.images().loaded && state.containers().records().is_empty());
    assert_eq!(state.engine_status(), &EngineStatus::Connecting);

    // The same answers from the engine in use count.
    let current = state.engine_generation();
    state.update(Msg::Engine {
        generation: current,
        msg: Box::new(Msg::ImagesLoaded(Ok(images()))),
    });
    assert!(state.images().loaded);
}

#[test]
fn a_broken_context_says_why_and_does_not_switch() {
    let mut state = connected();
    state.update(ch('E'));
    state.update(Msg::Context(ContextMsg::Listed(three_contexts())));
    state.update(ch('G'));
    let effects = state.update(press(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    let error = state.contexts_popup().unwrap().error.clone().unwrap();
    assert!(
        error.contains("old") && error.contains("gopher://"),
        "{error}"
    );
    assert!(state.images().loaded);
}

#[test]
fn context_name_switches_directly_and_a_missing_one_leaves_everything_as_it_was() {
    let mut state = connected();
    let effects = command(&mut state, "context nowhere");
    assert_eq!(
        effects,
        vec![Effect::ResolveContext {
            name: "nowhere".into()
        }]
    );
    let effects = state.update(Msg::Context(ContextMsg::Resolved {
        name: "nowhere".into(),
        result: Err("docker context \"nowhere\" not found (no /c/meta.json)".into()),
    }));
    assert!(effects.is_empty());
    assert!(
        state
            .status_text()
            .contains("cannot switch to context nowhere")
            && state.status_text().contains("not found"),
        "{}",
        state.status_text()
    );
    assert_eq!(state.engine_generation(), 0);
    assert!(state.is_connected() && state.images().loaded);
}

#[test]
fn write_current_context_in_the_config_writes_the_switch_for_the_docker_cli() {
    let config = Config::parse(
        "[engine]\nwrite_current_context = true\n",
        &PathBuf::from("/c/config.toml"),
    )
    .unwrap();
    let mut state = State::new(&config, "unix:///var/run/docker.sock".into(), None);
    state.start();
    state.update(Msg::EngineConnected(engine_info()));
    let effects = switch_to_lab(&mut state);
    assert!(
        effects.contains(&Effect::WriteCurrentContext { name: "lab".into() }),
        "{effects:?}"
    );
    state.update(Msg::Context(ContextMsg::CurrentWritten {
        name: "lab".into(),
        result: Ok(()),
    }));
    assert!(
        state.status_text().contains("currentContext"),
        "{}",
        state.status_text()
    );
}

#[test]
fn the_popup_marks_the_context_chosen_in_wharf_not_the_docker_clis() {
    let mut state = connected();
    switch_to_lab(&mut state);
    state.update(ch('E'));
    // The files still say default is current; wharf uses lab now.
    state.update(Msg::Context(ContextMsg::Listed(three_contexts())));
    let popup = state.contexts_popup().unwrap();
    let current: Vec<&str> = popup
        .rows()
        .iter()
        .filter(|c| c.current)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(current, ["lab"]);
    assert_eq!(popup.selected().unwrap().name, "lab");
}

#[test]
fn a_lost_connection_is_said_retried_with_backoff_and_reloads_everything_when_back() {
    let mut state = connected();
    state.update(Msg::ContainersLoaded(Ok(vec![web_container()])));
    assert!(!state.connection_lost());
    let effects = state.update(Msg::EventsEnded {
        error: Some(unreachable("ssh: the connection to lab.example was closed")),
        lasted: Duration::from_secs(60),
    });
    assert!(state.connection_lost() && state.lists_stale());
    let EngineStatus::Down { attempt, .. } = state.engine_status() else {
        panic!("not down: {:?}", state.engine_status());
    };
    assert_eq!(*attempt, 1);
    let [Effect::ConnectEngine { after: first }] = effects.as_slice() else {
        panic!("one timed reconnect: {effects:?}");
    };
    // Another failure waits longer: one timer, only while disconnected.
    let effects = state.update(Msg::EngineFailed(unreachable("connection refused")));
    let [Effect::ConnectEngine { after: second }] = effects.as_slice() else {
        panic!("one timed reconnect: {effects:?}");
    };
    assert!(second > first, "{second:?} after {first:?}");
    assert!(state.connection_lost());

    let effects = state.update(Msg::EngineConnected(engine_info()));
    assert!(!state.connection_lost() && !state.lists_stale());
    for wanted in [
        Effect::WatchEvents,
        Effect::LoadImages,
        Effect::LoadContainers,
    ] {
        assert!(effects.contains(&wanted), "{wanted:?} in {effects:?}");
    }
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::ConnectEngine { .. })),
        "no timer once connected: {effects:?}"
    );
}

#[test]
fn a_request_failing_on_the_transport_counts_as_a_lost_connection() {
    let mut state = connected();
    state.update(ch('3'));
    let effects = state.update(ch('r'));
    assert!(effects.contains(&Effect::LoadContainers), "{effects:?}");
    let effects = state.update(Msg::ContainersLoaded(Err(unreachable(
        "cannot reach the Docker engine at ssh://lab: broken pipe",
    ))));
    assert!(state.connection_lost());
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::ConnectEngine { .. })),
        "{effects:?}"
    );
}

#[test]
fn the_wheel_moves_through_the_contexts() {
    use crossterm::event::{KeyModifiers, MouseEvent, MouseEventKind};
    let mut state = connected();
    state.update(ch('E'));
    state.update(Msg::Context(ContextMsg::Listed(three_contexts())));
    let wheel = |kind| {
        Msg::Mouse(MouseEvent {
            kind,
            column: 10,
            row: 10,
            modifiers: KeyModifiers::NONE,
        })
    };
    state.update(wheel(MouseEventKind::ScrollDown));
    assert_eq!(
        state.contexts_popup().unwrap().selected().unwrap().name,
        "lab"
    );
    state.update(wheel(MouseEventKind::ScrollUp));
    assert_eq!(
        state.contexts_popup().unwrap().selected().unwrap().name,
        "default"
    );
}

#[test]
fn a_job_started_before_a_switch_names_its_engine_while_another_is_shown() {
    let mut state = connected();
    let effects = command(&mut state, "pull alpine:3.19");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::StartJob { .. })),
        "{effects:?}"
    );
    let strip = |state: &State| {
        let terminal = crate::support::render::render(state, 160, 45);
        crate::support::render::screen(terminal.backend().buffer())
    };
    // On its own engine, the title alone.
    assert!(!strip(&state).contains("(on "), "{}", strip(&state));
    switch_to_lab(&mut state);
    let screen = strip(&state);
    let job = state.jobs().all().last().expect("the pull").clone();
    assert!(job.is_running());
    assert!(
        screen.contains("pull alpine:3.19 (on unix:///var/run/docker.sock)"),
        "{screen}"
    );
    assert_eq!(
        job.title_seen_from(state.engine_name()),
        "pull alpine:3.19 (on unix:///var/run/docker.sock)"
    );
    // Back on the engine it runs on, the title alone again.
    assert_eq!(
        job.title_seen_from("unix:///var/run/docker.sock"),
        "pull alpine:3.19"
    );
}

#[test]
fn tab_after_context_completes_the_context_names() {
    let mut state = connected();
    state.update(ch(':'));
    for c in "context l".chars() {
        state.update(ch(c));
    }
    // Not listed yet: the first Tab asks for them and completes when they come.
    let effects = state.update(press(KeyCode::Tab));
    assert_eq!(effects, vec![Effect::ListContexts]);
    state.update(Msg::Context(ContextMsg::Listed(three_contexts())));
    assert_eq!(
        state.command_line().unwrap().editor.text(),
        "context lab ",
        "completed once listed; no popup opened"
    );
    assert!(state.popups().is_empty());
    // Listed once: later Tabs use that list at once.
    state.update(press(KeyCode::Esc));
    state.update(ch(':'));
    for c in "ctx ".chars() {
        state.update(ch(c));
    }
    assert!(state.update(press(KeyCode::Tab)).is_empty());
    let line = state.command_line().unwrap();
    assert_eq!(line.message.as_deref(), Some("default  lab  old"));
}
