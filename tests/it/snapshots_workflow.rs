//! Render snapshots (wide 160×45 and narrow 80×24) of the workflow's screens: the run form
//! (plain and with an error under a field), the logs view (stderr marked, a search with its
//! match, long lines wrapped, the dropped-lines notice) and marks in the containers pane.

use crossterm::event::KeyCode;

use wharf::docker::{ContainerRecord, ContainerState, LogLine, LogStream};
use wharf::flows::logs::LogsMsg;
use wharf::logs::{LogBatch, LogEntry};
use wharf::msg::Msg;
use wharf::state::State;

use crate::support::action_fixtures::{
    connected_with, container_id, images, select, type_text, web_container,
};
use crate::support::keys::{ch, press};
use crate::support::render::{assert_no_escapes, render, snap_both};

fn running(name: &str, digit: char) -> ContainerRecord {
    ContainerRecord {
        id: container_id(digit),
        name: name.into(),
        state: ContainerState::Running,
        status: "Up 3 minutes".into(),
        ..web_container()
    }
}

fn batch(lines: &[(LogStream, String)], dropped: u64) -> LogBatch {
    let entries = lines
        .iter()
        .enumerate()
        .map(|(i, (stream, text))| {
            LogEntry::from_line(LogLine {
                stream: *stream,
                timestamp: Some(format!(
                    "2026-11-29T10:{:02}:{:02}.000000000Z",
                    i / 60 % 60,
                    i % 60
                )),
                text: text.clone(),
            })
        })
        .collect();
    LogBatch::new(entries, dropped)
}

/// The logs view of `api` with 60 lines: every seventh on stderr, one long, one with an
/// escape sequence.
fn logs_state(dropped: u64) -> State {
    let mut state = connected_with(images(), vec![running("api", 'a')]);
    state.update(ch('3'));
    let effects = state.update(ch('l'));
    let generation = effects
        .iter()
        .find_map(|e| match e {
            wharf::effect::Effect::FollowLogs { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("a stream");
    let lines: Vec<(LogStream, String)> = (0..60)
        .map(|i| match i {
            i if i % 7 == 3 => (LogStream::Stderr, format!("warning: slow request {i}")),
            41 => (
                LogStream::Stdout,
                format!("GET /api/items?page={i} {}", "x".repeat(150)),
            ),
            44 => (
                LogStream::Stdout,
                "colour \x1b[31mred\x1b[0m \x1b]0;pwn\x07done".to_string(),
            ),
            i => (
                LogStream::Stdout,
                format!("request {i} served in {}ms", i * 3 % 17),
            ),
        })
        .collect();
    state.update(Msg::Logs(LogsMsg::Batch {
        generation,
        batch: batch(&lines, dropped),
    }));
    state
}

#[test]
fn run_form() {
    let mut state = connected_with(images(), vec![]);
    select(&mut state, "alpine:3.19");
    state.update(ch('r'));
    type_text(&mut state, "sh -c 'sleep 100'");
    let screens = snap_both!(&state, "run_form");
    assert!(screens[1].contains("Run alpine:3.19"), "{}", screens[1]);

    state.update(press(KeyCode::Tab));
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "8080:80 70000:80");
    state.update(press(KeyCode::Enter));
    let screens = snap_both!(&state, "run_form_port_error");
    assert!(
        screens[0].contains("\"70000\" is not a port"),
        "{}",
        screens[0]
    );
}

#[test]
fn logs_view_following_with_stderr_marks() {
    let state = logs_state(0);
    let screens = snap_both!(&state, "logs_view");
    assert!(
        screens[0].contains("E warning: slow request 59"),
        "{}",
        screens[0]
    );
    // The bottom line names the logs view's own keys, not the panes' (nothing opens here).
    for screen in &screens {
        assert!(
            screen.contains("/ search") && screen.contains("t timestamps"),
            "{screen}"
        );
        assert!(!screen.contains("Enter open"), "{screen}");
    }
    assert_no_escapes(render(&state, 160, 45).backend().buffer());
}

#[test]
fn logs_view_search_wrap_and_dropped_notice() {
    let mut state = logs_state(12_345);
    state.update(ch('/'));
    type_text(&mut state, "slow request 1");
    let screens = snap_both!(&state, "logs_view_search_typed");
    assert!(screens[1].contains("/slow request 1"), "{}", screens[1]);
    state.update(press(KeyCode::Enter));
    let screens = snap_both!(&state, "logs_view_search_found");
    assert!(screens[1].contains("n next"), "{}", screens[1]);
    state.update(ch('G'));
    state.update(ch('w'));
    state.update(ch('t'));
    let screens = snap_both!(&state, "logs_view_wrapped_timestamps");
    assert!(
        screens[0].contains("12,345 older lines dropped")
            || screens[0].contains("12345 older lines dropped"),
        "{}",
        screens[0]
    );
}

#[test]
fn containers_pane_with_marks() {
    let mut state = connected_with(
        images(),
        vec![running("api", 'a'), running("db", 'b'), running("web", 'c')],
    );
    state.update(ch('3'));
    state.update(ch(' '));
    state.update(ch('j'));
    state.update(ch(' '));
    let screens = snap_both!(&state, "containers_marked");
    assert!(screens[0].contains("2 marked"), "{}", screens[0]);
    assert!(screens[0].contains("● api") && screens[0].contains("● web"));
}
