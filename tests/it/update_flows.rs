//! User flows through `State::update`, driven only by messages, checked on the state and on
//! the effects it asks for. No engine, no terminal: `update` is pure.

use std::path::Path;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use wharf::config::{Config, SortKey};
use wharf::docker::{
    EngineError, EngineErrorKind, EngineEvent, EventSubject, HistoryRecord, ImageId, ImageRecord,
};
use wharf::effect::Effect;
use wharf::model::popup::{Popup, Severity};
use wharf::msg::Msg;
use wharf::state::{EngineStatus, Pane, State, backoff};

use crate::support::action_fixtures::{engine_info, id};
use crate::support::keys::{Feed, ch, ctrl, feed_text, press, send_all};

// ----- building blocks -----------------------------------------------------------------------

fn record(digit: char, tags: &[&str], created: i64, size: u64) -> ImageRecord {
    ImageRecord {
        id: id(digit),
        repo_tags: tags.iter().map(|t| t.to_string()).collect(),
        repo_digests: vec![],
        created,
        size,
    }
}

/// Five images, six rows: one image with two tags and one dangling image.
/// By name: alpine:3.9, localhost:5000/team/app:1.10, nginx:1.15, nginx:latest, web:1, <none>.
fn sample() -> Vec<ImageRecord> {
    vec![
        record('a', &["nginx:1.15", "nginx:latest"], 100, 300_000_000),
        record('b', &["alpine:3.9"], 300, 5_000_000),
        record('c', &[], 200, 50_000_000),
        record('d', &["web:1"], 50, 100_000_000),
        record('e', &["localhost:5000/team/app:1.10"], 400, 20_000_000),
    ]
}

fn unreachable() -> EngineError {
    EngineError {
        kind: EngineErrorKind::Unreachable,
        message:
            "cannot reach the Docker engine at unix:///var/run/docker.sock: connection refused"
                .into(),
        hint: Some("Is the Docker daemon running and listening there?".into()),
    }
}

fn history(commands: &[(&str, u64)]) -> Vec<HistoryRecord> {
    commands
        .iter()
        .map(|(command, size)| HistoryRecord {
            id: "<missing>".into(),
            created: 1_000,
            created_by: command.to_string(),
            size: *size,
            comment: String::new(),
            tags: vec![],
        })
        .collect()
}

fn new_state(config: &Config) -> State {
    State::new(config, "unix:///var/run/docker.sock".into(), None)
}

/// A state connected to an engine that listed `records`, as after start-up.
fn loaded(config: &Config, records: Vec<ImageRecord>) -> (State, Vec<Effect>) {
    let mut state = new_state(config);
    state.start();
    let effects = state.feed(Msg::EngineConnected(engine_info()));
    assert_eq!(effects, CONNECTED);
    let effects = state.feed(Msg::ImagesLoaded(Ok(records)));
    (state, effects)
}

/// What a (re)connection asks for: the event stream and the lists.
const CONNECTED: [Effect; 3] = [
    Effect::WatchEvents,
    Effect::LoadImages,
    Effect::LoadContainers,
];

fn defaults() -> Config {
    Config::defaults().expect("built-in config")
}

/// `repository:tag` of every shown row, in order.
fn rows(state: &State) -> Vec<String> {
    (0..state.images().visible_len())
        .map(|i| {
            let row = state.images().visible_row(i).expect("row in range");
            format!("{}:{}", row.repository, row.tag)
        })
        .collect()
}

fn selected(state: &State) -> String {
    let row = state.images().selected_row().expect("a selected row");
    format!("{}:{}", row.repository, row.tag)
}

fn history_requests(effects: &[Effect]) -> Vec<ImageId> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadHistory { image } => Some(image.clone()),
            _ => None,
        })
        .collect()
}

const ALL_ROWS: [&str; 6] = [
    "alpine:3.9",
    "localhost:5000/team/app:1.10",
    "nginx:1.15",
    "nginx:latest",
    "web:1",
    "<none>:<none>",
];

// ----- selection and the layers pane ---------------------------------------------------------

#[test]
fn first_load_selects_the_first_row_and_asks_for_its_history() {
    let (state, effects) = loaded(&defaults(), sample());
    assert_eq!(rows(&state), ALL_ROWS);
    assert_eq!(selected(&state), "alpine:3.9");
    assert_eq!(
        effects,
        vec![Effect::LoadHistory { image: id('b') }],
        "exactly one history request, for the selected image"
    );
    assert_eq!(state.layers().image(), Some(&id('b')));
    assert_eq!(state.layers().label, "alpine:3.9");
    assert!(state.layers().is_loading());
}

#[test]
fn moving_the_selection_keeps_one_history_request_in_flight() {
    let (mut state, _) = loaded(&defaults(), sample());
    // b's history is in flight; moving on asks for nothing more yet.
    let effects = send_all(&mut state, [ch('j'), press(KeyCode::Down)]);
    assert_eq!(selected(&state), "nginx:1.15");
    assert!(history_requests(&effects).is_empty(), "{effects:?}");
    assert_eq!(
        state.layers().image(),
        Some(&id('a')),
        "the pane follows at once"
    );
    assert_eq!(state.layers().label, "nginx:1.15");
    assert!(state.layers().is_loading());

    // b's answer arrives: not shown, and the next request is for the current selection.
    let effects = state.feed(Msg::HistoryLoaded {
        image: id('b'),
        result: Ok(history(&[("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", 0)])),
    });
    assert_eq!(effects, vec![Effect::LoadHistory { image: id('a') }]);
    assert!(state.layers().rows().is_none(), "b's layers are not a's");

    let effects = state.feed(Msg::HistoryLoaded {
        image: id('a'),
        result: Ok(history(&[
            (
                "/bin/sh -c #(nop)  CMD [\"nginx\" \"-g\" \"daemon off;\"]",
                0,
            ),
            (
                "/bin/sh -c apt-get update &&     apt-get install -y nginx",
                54_000_000,
            ),
        ])),
    });
    assert!(effects.is_empty(), "{effects:?}");
    let layers = state.layers().rows().expect("a's layers");
    assert_eq!(layers[0].command, "CMD [\"nginx\" \"-g\" \"daemon off;\"]");
    assert!(layers[0].empty);
    assert_eq!(
        layers[1].command,
        "RUN apt-get update && apt-get install -y nginx"
    );

    // Another tag of the same image needs no request; going back to b is cached.
    assert!(state.feed(ch('j')).is_empty());
    assert_eq!(selected(&state), "nginx:latest");
    assert_eq!(state.layers().label, "nginx:latest");
    assert_eq!(state.layers().rows().map(<[_]>::len), Some(2));
    assert!(send_all(&mut state, [ch('g')]).is_empty());
    assert_eq!(selected(&state), "alpine:3.9");
    assert_eq!(state.layers().rows().map(<[_]>::len), Some(1));

    // Bottom (G) is the dangling image, not yet loaded: one request.
    let effects = state.feed(ch('G'));
    assert_eq!(selected(&state), "<none>:<none>");
    assert_eq!(effects, vec![Effect::LoadHistory { image: id('c') }]);
    assert_eq!(state.layers().label, id('c').short());
}

#[test]
fn a_burst_of_moves_sends_one_request_then_one_for_where_it_ended() {
    let (mut state, first) = loaded(&defaults(), sample());
    assert_eq!(history_requests(&first), vec![id('b')]);
    let effects = send_all(&mut state, (0..10).map(|_| ch('j')));
    assert!(history_requests(&effects).is_empty());
    assert_eq!(selected(&state), "<none>:<none>", "clamped at the bottom");
    let effects = state.feed(Msg::HistoryLoaded {
        image: id('b'),
        result: Ok(history(&[("x", 1)])),
    });
    assert_eq!(history_requests(&effects), vec![id('c')]);
}

#[test]
fn stale_history_answers_and_errors_are_not_shown() {
    let (mut state, _) = loaded(&defaults(), sample());
    send_all(&mut state, [ch('j')]);
    assert_eq!(state.layers().image(), Some(&id('e')));
    // b failed, but the pane shows e now: no error on screen, and e is asked for.
    let effects = state.feed(Msg::HistoryLoaded {
        image: id('b'),
        result: Err(EngineError::new(EngineErrorKind::Other, "boom")),
    });
    assert_eq!(effects, vec![Effect::LoadHistory { image: id('e') }]);
    assert_eq!(state.layers().error, None);
    assert!(state.layers().is_loading());
    // e's own error is shown, and does not loop into another request.
    let effects = state.feed(Msg::HistoryLoaded {
        image: id('e'),
        result: Err(EngineError::new(EngineErrorKind::NotFound, "No such image")),
    });
    assert!(effects.is_empty());
    assert_eq!(state.layers().error.as_deref(), Some("No such image"));
    assert!(!state.layers().is_loading());
}

// ----- sorting -------------------------------------------------------------------------------

#[test]
fn s_cycles_name_age_size_and_capital_s_reverses_keeping_the_selected_row() {
    let (mut state, _) = loaded(&defaults(), sample());
    send_all(&mut state, (0..4).map(|_| ch('j')));
    assert_eq!(selected(&state), "web:1");
    assert_eq!(state.images().sort, SortKey::Name);

    let effects = state.feed(ch('s'));
    assert!(
        history_requests(&effects).is_empty(),
        "same image, no reload"
    );
    assert_eq!(state.images().sort, SortKey::Age);
    assert_eq!(
        rows(&state),
        [
            "localhost:5000/team/app:1.10",
            "alpine:3.9",
            "<none>:<none>",
            "nginx:1.15",
            "nginx:latest",
            "web:1"
        ],
        "newest first"
    );
    assert_eq!(selected(&state), "web:1");

    state.feed(ch('s'));
    assert_eq!(state.images().sort, SortKey::Size);
    assert_eq!(
        rows(&state),
        [
            "nginx:1.15",
            "nginx:latest",
            "web:1",
            "<none>:<none>",
            "localhost:5000/team/app:1.10",
            "alpine:3.9"
        ],
        "largest first"
    );
    assert_eq!(selected(&state), "web:1");

    state.feed(ch('S'));
    assert!(state.images().reverse);
    assert_eq!(
        rows(&state),
        [
            "alpine:3.9",
            "localhost:5000/team/app:1.10",
            "<none>:<none>",
            "web:1",
            "nginx:latest",
            "nginx:1.15"
        ],
        "smallest first"
    );
    assert_eq!(selected(&state), "web:1");

    state.feed(ch('s'));
    assert_eq!(state.images().sort, SortKey::Name);
    assert!(state.images().reverse, "reverse stays on");
    let mut reversed = ALL_ROWS.to_vec();
    reversed.reverse();
    assert_eq!(rows(&state), reversed);
    assert_eq!(selected(&state), "web:1");
    state.feed(ch('S'));
    assert_eq!(rows(&state), ALL_ROWS);
    assert_eq!(selected(&state), "web:1");
}

/// `o` opens a repository everywhere by default, so sorting with it means unbinding that.
const REMAP_O: &str = "[keys.global]\no = \"none\"\n\n[keys.images]\no = \"sort\"\n";

#[test]
fn remapping_a_global_key_in_one_pane_is_a_clash_naming_both() {
    let err = Config::parse(
        "[keys.images]\no = \"sort\"\n",
        Path::new("/tmp/wharf-test.toml"),
    )
    .expect_err("o is open_repository everywhere");
    assert!(
        err.message.contains("\"open_repository\"") && err.message.contains("\"sort\""),
        "{err}"
    );
    assert_eq!(err.line, Some(2));
}

#[test]
fn a_remapped_sort_key_sorts() {
    let config = Config::parse(REMAP_O, Path::new("/tmp/wharf-test.toml")).expect("valid config");
    let (mut state, _) = loaded(&config, sample());
    state.feed(ch('o'));
    assert_eq!(state.images().sort, SortKey::Age);
    state.feed(ch('s'));
    assert_eq!(state.images().sort, SortKey::Size, "the default key stays");
}

// ----- filtering -----------------------------------------------------------------------------

#[test]
fn slash_filters_live_enter_keeps_and_esc_clears() {
    let (mut state, _) = loaded(&defaults(), sample());
    // Let b's history arrive so the next selection change can be asked for at once.
    state.feed(Msg::HistoryLoaded {
        image: id('b'),
        result: Ok(history(&[("x", 1)])),
    });

    assert!(state.feed(ch('/')).is_empty());
    assert!(state.images().filter.editing);
    assert_eq!(rows(&state), ALL_ROWS, "an empty filter hides nothing");

    feed_text(&mut state, "n");
    assert_eq!(
        rows(&state),
        ["alpine:3.9", "nginx:1.15", "nginx:latest", "<none>:<none>"]
    );
    assert_eq!(
        selected(&state),
        "alpine:3.9",
        "still shown, still selected"
    );

    let effects = feed_text(&mut state, "g");
    assert_eq!(rows(&state), ["nginx:1.15", "nginx:latest"]);
    assert_eq!(selected(&state), "nginx:1.15");
    assert_eq!(
        effects,
        vec![Effect::LoadHistory { image: id('a') }],
        "the layers pane follows the filtered selection"
    );

    // Keys that are actions elsewhere are text while typing.
    feed_text(&mut state, "qs");
    assert!(!state.wants_quit());
    assert_eq!(state.images().filter.editor.text(), "ngqs");
    assert_eq!(state.images().sort, SortKey::Name);
    assert!(rows(&state).is_empty());
    send_all(
        &mut state,
        [press(KeyCode::Backspace), press(KeyCode::Backspace)],
    );
    assert_eq!(rows(&state), ["nginx:1.15", "nginx:latest"]);

    // Enter keeps the filter and gives the keys back to the list.
    state.feed(press(KeyCode::Enter));
    assert!(!state.images().filter.editing);
    assert_eq!(state.images().filter.editor.text(), "ng");
    state.feed(ch('j'));
    assert_eq!(selected(&state), "nginx:latest");
    assert_eq!(rows(&state), ["nginx:1.15", "nginx:latest"]);

    // Esc clears it; the selected row stays selected.
    state.feed(press(KeyCode::Esc));
    assert_eq!(state.images().filter.editor.text(), "");
    assert!(!state.images().filter.is_active());
    assert_eq!(rows(&state), ALL_ROWS);
    assert_eq!(selected(&state), "nginx:latest");
}

#[test]
fn filter_matches_every_word_case_insensitively_and_paste_works() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(ch('/'));
    feed_text(&mut state, "NGINX LAT");
    assert_eq!(rows(&state), ["nginx:latest"]);
    send_all(&mut state, [ctrl('u')]);
    assert_eq!(rows(&state), ALL_ROWS, "Ctrl-U clears the text");
    state.feed(Msg::Paste("team".into()));
    assert_eq!(rows(&state), ["localhost:5000/team/app:1.10"]);
    state.feed(press(KeyCode::Esc));
    assert!(!state.images().filter.editing);
    assert_eq!(rows(&state), ALL_ROWS);
}

#[test]
fn a_toggles_dangling_images_and_says_so() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(ch('G'));
    assert_eq!(selected(&state), "<none>:<none>");
    state.feed(ch('a'));
    assert!(!state.images().show_dangling);
    assert_eq!(rows(&state), ALL_ROWS[..5]);
    assert_eq!(
        selected(&state),
        "web:1",
        "the selection moves to a shown row"
    );
    assert_eq!(state.layers().image(), Some(&id('d')));
    let status = state.status().expect("a status message");
    assert_eq!(status.text, "dangling images hidden");
    assert_eq!(status.severity, Severity::Info);

    state.feed(ch('a'));
    assert!(state.images().show_dangling);
    assert_eq!(rows(&state), ALL_ROWS);
    assert_eq!(selected(&state), "web:1");
    assert_eq!(
        state.status().map(|s| s.text.as_str()),
        Some("dangling images shown")
    );
    // The next key clears the message.
    state.feed(ch('k'));
    assert_eq!(state.status(), None);
}

// ----- the engine going and coming ----------------------------------------------------------

#[test]
fn start_connects_and_failures_back_off() {
    let mut state = new_state(&defaults());
    assert_eq!(state.engine_status(), &EngineStatus::Connecting);
    assert_eq!(
        state.start(),
        vec![Effect::ConnectEngine {
            after: Duration::ZERO
        }]
    );

    let effects = state.feed(Msg::EngineFailed(unreachable()));
    assert_eq!(
        effects,
        vec![Effect::ConnectEngine {
            after: Duration::from_millis(250)
        }]
    );
    assert_eq!(
        state.engine_status(),
        &EngineStatus::Down {
            error: unreachable(),
            attempt: 1,
            retry_in: Duration::from_millis(250),
        }
    );
    assert!(!state.is_connected());

    let effects = state.feed(Msg::EngineFailed(unreachable()));
    assert_eq!(
        effects,
        vec![Effect::ConnectEngine {
            after: Duration::from_millis(500)
        }]
    );
    // The pause grows, then stays at 15 s.
    let mut last = Duration::ZERO;
    for _ in 0..20 {
        match state.feed(Msg::EngineFailed(unreachable())).as_slice() {
            [Effect::ConnectEngine { after }] => {
                assert!(*after >= last);
                last = *after;
            }
            other => panic!("expected one ConnectEngine, got {other:?}"),
        }
    }
    assert_eq!(last, Duration::from_secs(15));
    assert!(matches!(
        state.engine_status(),
        EngineStatus::Down { attempt: 22, .. }
    ));

    // Keys work while the engine is down, and ask the engine for nothing.
    assert!(send_all(&mut state, [ch('j'), ch('s'), ch('/'), ch('x')]).is_empty());

    // The engine appears: watch events and list images.
    let effects = state.feed(Msg::EngineConnected(engine_info()));
    assert_eq!(effects, CONNECTED);
    assert_eq!(
        state.engine_status(),
        &EngineStatus::Connected(engine_info())
    );
}

#[test]
fn backoff_starts_quick_and_is_capped() {
    assert_eq!(backoff(0), Duration::from_millis(250));
    assert_eq!(backoff(1), Duration::from_millis(500));
    assert_eq!(backoff(5), Duration::from_secs(8));
    assert_eq!(backoff(6), Duration::from_secs(15));
    assert_eq!(backoff(u32::MAX), Duration::from_secs(15));
}

#[test]
fn losing_the_engine_mid_session_reconnects_and_reloads() {
    let (mut state, _) = loaded(&defaults(), sample());
    // A request finds the engine gone.
    let effects = state.feed(Msg::HistoryLoaded {
        image: id('b'),
        result: Err(unreachable()),
    });
    assert_eq!(
        effects,
        vec![Effect::ConnectEngine {
            after: Duration::from_millis(250)
        }]
    );
    assert!(matches!(
        state.engine_status(),
        EngineStatus::Down { attempt: 1, .. }
    ));
    // The event stream noticing too does not start a second reconnect.
    assert!(
        state
            .update(Msg::EventsEnded {
                error: Some(unreachable()),
                lasted: Duration::from_secs(60),
            })
            .is_empty()
    );
    // The rows stay on screen meanwhile.
    assert_eq!(rows(&state), ALL_ROWS);

    // Back: events, images, and the history that never came.
    let effects = state.feed(Msg::EngineConnected(engine_info()));
    assert_eq!(
        effects,
        vec![
            Effect::WatchEvents,
            Effect::LoadImages,
            Effect::LoadContainers,
            Effect::LoadHistory { image: id('b') }
        ]
    );
    assert!(state.is_connected());
}

#[test]
fn an_ended_event_stream_reconnects_with_backoff() {
    let (mut state, _) = loaded(&defaults(), sample());
    let effects = state.feed(Msg::EventsEnded {
        error: None,
        lasted: Duration::from_secs(60),
    });
    assert_eq!(state.engine_status(), &EngineStatus::Connecting);
    assert_eq!(
        effects,
        vec![Effect::ConnectEngine {
            after: Duration::from_millis(250)
        }]
    );
    let effects = state.feed(Msg::EngineConnected(engine_info()));
    assert_eq!(effects[..2], [Effect::WatchEvents, Effect::LoadImages]);
}

#[test]
fn an_event_stream_that_keeps_failing_backs_off_instead_of_polling() {
    let (mut state, _) = loaded(&defaults(), sample());
    let refused = EngineError::new(
        EngineErrorKind::Other,
        "403 Forbidden: events are not allowed",
    );
    let mut delays = Vec::new();
    for _ in 0..5 {
        let effects = state.feed(Msg::EventsEnded {
            error: Some(refused.clone()),
            lasted: Duration::from_millis(5),
        });
        let [Effect::ConnectEngine { after }] = effects.as_slice() else {
            panic!("one reconnect, got {effects:?}");
        };
        delays.push(*after);
        state.feed(Msg::EngineConnected(engine_info()));
    }
    assert_eq!(
        delays,
        [250, 500, 1000, 2000, 4000].map(Duration::from_millis),
        "each quick failure waits longer, although every reconnect succeeds"
    );
    let status = state.status().expect("the user is told");
    assert!(status.text.contains("live updates stopped"), "{status:?}");
    assert!(status.text.contains("403"), "{status:?}");

    // A stream that ran a good while starts over quickly.
    let effects = state.feed(Msg::EventsEnded {
        error: None,
        lasted: Duration::from_secs(120),
    });
    assert_eq!(
        effects,
        [Effect::ConnectEngine {
            after: Duration::from_millis(250)
        }]
    );
}

#[test]
fn a_failed_image_list_while_connected_reconnects() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(Msg::EngineConnected(engine_info()));
    let effects = state.feed(Msg::ImagesLoaded(Err(unreachable())));
    assert_eq!(
        effects,
        vec![Effect::ConnectEngine {
            after: Duration::from_millis(250)
        }]
    );
    assert!(matches!(state.engine_status(), EngineStatus::Down { .. }));
}

// ----- engine events -------------------------------------------------------------------------

fn image_event(action: &str, digit: char, name: Option<&str>) -> Msg {
    Msg::EngineEvent(EngineEvent {
        subject: EventSubject::Image,
        action: action.into(),
        id: id(digit).0,
        name: name.map(str::to_string),
    })
}

#[test]
fn tag_and_untag_events_look_the_image_up_and_the_answer_updates_rows() {
    let (mut state, _) = loaded(&defaults(), sample());
    let effects = state.feed(image_event("tag", 'a', Some("nginx:stable")));
    assert_eq!(
        effects,
        vec![Effect::InspectImage {
            reference: id('a').0
        }]
    );
    assert_eq!(rows(&state), ALL_ROWS, "nothing changes before the answer");
    state.feed(Msg::ImageInspected {
        reference: id('a').0,
        result: Ok(Some(record(
            'a',
            &["nginx:1.15", "nginx:latest", "nginx:stable"],
            100,
            300_000_000,
        ))),
    });
    assert!(rows(&state).contains(&"nginx:stable".to_string()));
    assert_eq!(rows(&state).len(), 7);

    let effects = state.feed(image_event("untag", 'a', Some(&id('a').0)));
    assert_eq!(
        effects,
        vec![Effect::InspectImage {
            reference: id('a').0
        }]
    );
    state.feed(Msg::ImageInspected {
        reference: id('a').0,
        result: Ok(Some(record('a', &["nginx:latest"], 100, 300_000_000))),
    });
    assert!(!rows(&state).contains(&"nginx:1.15".to_string()));
    assert!(!rows(&state).contains(&"nginx:stable".to_string()));
    assert!(rows(&state).contains(&"nginx:latest".to_string()));
}

#[test]
fn a_moved_tag_leaves_its_old_image() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(image_event("tag", 'f', Some("web:1")));
    state.feed(Msg::ImageInspected {
        reference: id('f').0,
        result: Ok(Some(record('f', &["web:1"], 500, 1_000))),
    });
    let web: Vec<_> = (0..state.images().visible_len())
        .filter_map(|i| state.images().visible_row(i))
        .filter(|r| r.reference() == "web:1")
        .collect();
    assert_eq!(web.len(), 1);
    assert_eq!(web[0].image, id('f'));
    // The old image is now dangling.
    assert_eq!(state.images().dangling_count(), 2);
}

#[test]
fn delete_events_and_gone_answers_remove_rows_and_the_layers_pane_follows() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(Msg::HistoryLoaded {
        image: id('b'),
        result: Ok(history(&[("x", 1)])),
    });
    // Select web:1 (d) and let its history arrive.
    let effects = send_all(&mut state, (0..4).map(|_| ch('j')));
    assert_eq!(selected(&state), "web:1");
    assert_eq!(history_requests(&effects), vec![id('e')]);
    state.feed(Msg::HistoryLoaded {
        image: id('e'),
        result: Ok(history(&[("e", 1)])),
    });
    state.feed(Msg::HistoryLoaded {
        image: id('d'),
        result: Ok(history(&[("d", 1)])),
    });

    // Someone removes web:1's image.
    let effects = state.feed(image_event("delete", 'd', None));
    assert!(!rows(&state).contains(&"web:1".to_string()));
    assert_eq!(selected(&state), "<none>:<none>", "the row below moves up");
    assert_eq!(effects, vec![Effect::LoadHistory { image: id('c') }]);
    assert_eq!(state.layers().image(), Some(&id('c')));

    // An inspect that finds an image gone removes it too.
    state.feed(Msg::ImageInspected {
        reference: id('b').0,
        result: Ok(None),
    });
    assert!(!rows(&state).contains(&"alpine:3.9".to_string()));
    assert_eq!(rows(&state).len(), 4);
}

#[test]
fn the_selection_stays_on_its_row_when_other_images_change() {
    let (mut state, _) = loaded(&defaults(), sample());
    send_all(&mut state, (0..4).map(|_| ch('j')));
    assert_eq!(selected(&state), "web:1");

    // Another image is deleted: rows before and after it shift, the selection does not.
    state.feed(image_event("delete", 'a', None));
    assert_eq!(selected(&state), "web:1");
    // A new image arrives (a tag event answered by an inspect).
    state.feed(Msg::ImageInspected {
        reference: id('f').0,
        result: Ok(Some(record('f', &["aaa:1", "zzz:1"], 600, 1))),
    });
    assert_eq!(selected(&state), "web:1");
    // A full reload in another order.
    let mut records = state.images().records().to_vec();
    records.reverse();
    state.feed(Msg::ImagesLoaded(Ok(records)));
    assert_eq!(selected(&state), "web:1");
    assert_eq!(state.layers().image(), Some(&id('d')));
}

#[test]
fn a_list_that_predates_a_delete_is_followed_by_another() {
    let (mut state, _) = loaded(&defaults(), sample());
    let commit = Msg::EngineEvent(EngineEvent {
        subject: EventSubject::Container,
        action: "commit".into(),
        id: "c0ffee".into(),
        name: None,
    });
    assert_eq!(state.feed(commit), vec![Effect::LoadImages]);
    // web:1's image is deleted while the list is on its way.
    state.feed(image_event("delete", 'd', None));
    assert!(!rows(&state).contains(&"web:1".to_string()));
    // The list was made before the delete: shown, but listed again.
    let effects = state.feed(Msg::ImagesLoaded(Ok(sample())));
    assert_eq!(effects, vec![Effect::LoadImages]);
    let fresh: Vec<ImageRecord> = sample().into_iter().filter(|r| r.id != id('d')).collect();
    assert!(state.feed(Msg::ImagesLoaded(Ok(fresh))).is_empty());
    assert!(!rows(&state).contains(&"web:1".to_string()));
}

#[test]
fn a_late_lookup_answer_does_not_bring_a_deleted_image_back() {
    // `docker rmi` of an image's last tag: the engine sends untag, then delete. The untag's
    // lookup can be answered (image still there, no tags) after the delete event arrived.
    let (mut state, _) = loaded(&defaults(), sample());
    let effects = state.feed(image_event("untag", 'd', None));
    assert_eq!(
        effects,
        vec![Effect::InspectImage {
            reference: id('d').0
        }]
    );
    state.feed(image_event("delete", 'd', None));
    assert!(!state.images().records().iter().any(|r| r.id == id('d')));
    // The late answer is not applied; the lookup is asked again instead.
    let effects = state.feed(Msg::ImageInspected {
        reference: id('d').0,
        result: Ok(Some(record('d', &[], 50, 100_000_000))),
    });
    assert!(
        !state.images().records().iter().any(|r| r.id == id('d')),
        "the deleted image came back"
    );
    assert_eq!(
        effects,
        vec![Effect::InspectImage {
            reference: id('d').0
        }]
    );
    state.feed(Msg::ImageInspected {
        reference: id('d').0,
        result: Ok(None),
    });
    assert_eq!(
        rows(&state),
        [
            "alpine:3.9",
            "localhost:5000/team/app:1.10",
            "nginx:1.15",
            "nginx:latest",
            "<none>:<none>"
        ]
    );
}

#[test]
fn one_lookup_per_image_at_a_time() {
    let (mut state, _) = loaded(&defaults(), sample());
    let effects = send_all(
        &mut state,
        [
            image_event("tag", 'a', Some("nginx:stable")),
            image_event("tag", 'a', Some("nginx:edge")),
            image_event("tag", 'a', Some("nginx:next")),
        ],
    );
    assert_eq!(
        effects,
        vec![Effect::InspectImage {
            reference: id('a').0
        }],
        "one lookup in flight"
    );
    // Its answer predates the later tags: asked again, once.
    let effects = state.feed(Msg::ImageInspected {
        reference: id('a').0,
        result: Ok(Some(record(
            'a',
            &["nginx:1.15", "nginx:latest", "nginx:stable"],
            100,
            1,
        ))),
    });
    assert_eq!(
        effects,
        vec![Effect::InspectImage {
            reference: id('a').0
        }]
    );
    let effects = state.feed(Msg::ImageInspected {
        reference: id('a').0,
        result: Ok(Some(record(
            'a',
            &[
                "nginx:1.15",
                "nginx:latest",
                "nginx:stable",
                "nginx:edge",
                "nginx:next",
            ],
            100,
            1,
        ))),
    });
    assert!(effects.is_empty(), "{effects:?}");
    for tag in ["nginx:stable", "nginx:edge", "nginx:next"] {
        assert!(rows(&state).contains(&tag.to_string()), "{tag}");
    }
}

#[test]
fn commits_and_prunes_reload_the_list_once_at_a_time() {
    let (mut state, _) = loaded(&defaults(), sample());
    let commit = Msg::EngineEvent(EngineEvent {
        subject: EventSubject::Container,
        action: "commit".into(),
        id: "c0ffee".into(),
        name: Some("builder".into()),
    });
    assert_eq!(state.feed(commit.clone()), vec![Effect::LoadImages]);
    // While that load runs, more events only mark a reload as wanted.
    assert!(state.feed(commit).is_empty());
    assert!(state.feed(image_event("prune", 'a', None)).is_empty());
    let effects = state.feed(Msg::ImagesLoaded(Ok(sample())));
    assert_eq!(
        effects,
        vec![Effect::LoadImages],
        "one reload for the burst"
    );
    let effects = state.feed(Msg::ImagesLoaded(Ok(sample())));
    assert!(effects.is_empty());
}

#[test]
fn container_lifecycle_events_do_not_touch_images() {
    let (mut state, _) = loaded(&defaults(), sample());
    for action in ["start", "die", "create", "destroy"] {
        let effects = state.feed(Msg::EngineEvent(EngineEvent {
            subject: EventSubject::Container,
            action: action.into(),
            id: "c0ffee".into(),
            name: Some("web".into()),
        }));
        assert!(effects.is_empty(), "{action}: {effects:?}");
    }
    assert_eq!(rows(&state), ALL_ROWS);
}

// ----- the : command line --------------------------------------------------------------------

fn command(state: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = state.feed(ch(':'));
    assert!(state.command_line().is_some(), ": opens the command line");
    effects.extend(feed_text(state, text));
    effects.extend(state.feed(press(KeyCode::Enter)));
    effects
}

#[test]
fn colon_q_quits() {
    let (mut state, _) = loaded(&defaults(), sample());
    command(&mut state, "q");
    assert!(state.wants_quit());
}

#[test]
fn colon_layers_and_images_move_the_focus() {
    let (mut state, _) = loaded(&defaults(), sample());
    command(&mut state, "layers");
    assert_eq!(state.focus(), Pane::Layers);
    assert!(state.command_line().is_none(), "Enter closes it");
    command(&mut state, "images");
    assert_eq!(state.focus(), Pane::Images);
    command(&mut state, "help");
    assert!(matches!(state.popups(), [Popup::Help { .. }]));
}

#[test]
fn tab_completes_up_recalls_and_unknown_commands_explain() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(ch(':'));
    feed_text(&mut state, "la");
    state.feed(press(KeyCode::Tab));
    let line = state.command_line().expect("open");
    assert_eq!(line.editor.text(), "layers ");
    state.feed(press(KeyCode::Enter));
    assert_eq!(state.focus(), Pane::Layers);

    // Tab on nothing lists every command.
    state.feed(ch(':'));
    state.feed(press(KeyCode::Tab));
    let message = state
        .command_line()
        .and_then(|l| l.message.clone())
        .expect("candidates");
    for name in ["quit", "help", "images", "layers"] {
        assert!(message.contains(name), "{message}");
    }

    // Up recalls the last command (as run, trimmed); Down returns to what was typed.
    feed_text(&mut state, "i");
    state.feed(press(KeyCode::Up));
    assert_eq!(
        state.command_line().map(|l| l.editor.text()),
        Some("layers")
    );
    state.feed(press(KeyCode::Down));
    assert_eq!(state.command_line().map(|l| l.editor.text()), Some("i"));
    state.feed(press(KeyCode::Esc));
    assert!(state.command_line().is_none());
    assert!(!state.wants_quit(), "Esc closes the line, it does not quit");

    // An unknown command keeps the line open with a message, and typing clears it.
    state.feed(ch(':'));
    feed_text(&mut state, "frobnicate");
    state.feed(press(KeyCode::Enter));
    let line = state.command_line().expect("still open");
    let message = line.message.clone().expect("a message");
    assert!(message.contains("unknown command"), "{message}");
    assert!(message.contains("frobnicate"), "{message}");
    state.feed(press(KeyCode::Backspace));
    assert_eq!(state.command_line().and_then(|l| l.message.clone()), None);
    // The failed line is in the history too, newest first.
    state.feed(press(KeyCode::Esc));
    state.feed(ch(':'));
    state.feed(press(KeyCode::Up));
    assert_eq!(
        state.command_line().map(|l| l.editor.text()),
        Some("frobnicate")
    );
    state.feed(press(KeyCode::Up));
    assert_eq!(
        state.command_line().map(|l| l.editor.text()),
        Some("layers")
    );
}

#[test]
fn keys_go_to_the_command_line_while_it_is_open() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(ch(':'));
    feed_text(&mut state, "qsaj");
    assert!(!state.wants_quit());
    assert_eq!(state.images().sort, SortKey::Name);
    assert_eq!(selected(&state), "alpine:3.9");
    assert_eq!(state.command_line().map(|l| l.editor.text()), Some("qsaj"));
}

// ----- popups, focus and quitting ------------------------------------------------------------

#[test]
fn help_opens_and_closes_without_quitting() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(ch('?'));
    assert!(matches!(state.popups(), [Popup::Help { .. }]));
    state.feed(ch('?'));
    assert!(state.popups().is_empty(), "? toggles");

    state.feed(ch('?'));
    state.feed(press(KeyCode::Esc));
    assert!(state.popups().is_empty(), "Esc closes");

    state.feed(ch('?'));
    // Keys under a popup do not reach the list.
    state.feed(ch('s'));
    assert_eq!(state.images().sort, SortKey::Name);
    state.feed(ch('q'));
    assert!(state.popups().is_empty(), "q closes the popup");
    assert!(!state.wants_quit(), "and does not quit");
}

#[test]
fn ctrl_c_quits_from_anywhere() {
    let config = defaults();
    // While typing in the filter.
    let (mut state, _) = loaded(&config, sample());
    state.feed(ch('/'));
    feed_text(&mut state, "ng");
    state.feed(ctrl('c'));
    assert!(state.wants_quit());
    // In the command line.
    let (mut state, _) = loaded(&config, sample());
    state.feed(ch(':'));
    state.feed(ctrl('c'));
    assert!(state.wants_quit());
    // Under a popup.
    let (mut state, _) = loaded(&config, sample());
    state.feed(ch('?'));
    state.feed(ctrl('c'));
    assert!(state.wants_quit());
    // Before the engine answered.
    let mut state = new_state(&config);
    state.feed(ctrl('c'));
    assert!(state.wants_quit());
}

#[test]
fn q_quits_from_the_list() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(ch('q'));
    assert!(state.wants_quit());
}

#[test]
fn tab_number_keys_and_enter_move_between_panes() {
    let (mut state, _) = loaded(&defaults(), sample());
    state.feed(press(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Layers);
    state.feed(press(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Containers);
    state.feed(Msg::Key(KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    assert_eq!(state.focus(), Pane::Layers);
    state.feed(ch('4'));
    assert_eq!(state.focus(), Pane::Tags);
    state.feed(press(KeyCode::Tab));
    assert_eq!(state.focus(), Pane::Images, "Tab wraps around");
    state.feed(ch('2'));
    assert_eq!(state.focus(), Pane::Layers);
    state.feed(ch('1'));
    assert_eq!(state.focus(), Pane::Images);

    // Enter on an image goes to its layers; Enter on a layer shows its full command.
    state.feed(Msg::HistoryLoaded {
        image: id('b'),
        result: Ok(history(&[
            ("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", 0),
            ("/bin/sh -c #(nop) ADD file:0123 in / ", 5_000_000),
        ])),
    });
    state.feed(press(KeyCode::Enter));
    assert_eq!(state.focus(), Pane::Layers);
    state.feed(ch('j'));
    assert_eq!(state.layers().cursor.selected(), 1);
    assert_eq!(
        selected(&state),
        "alpine:3.9",
        "j moves the layers, not images"
    );
    state.feed(press(KeyCode::Enter));
    match state.popups() {
        [Popup::Detail { title, body, .. }] => {
            assert_eq!(title, "Layer of alpine:3.9");
            assert!(
                body.starts_with("/bin/sh -c #(nop) ADD file:0123 in /"),
                "the full command, noise and all: {body}"
            );
        }
        other => panic!("expected a detail popup, got {other:?}"),
    }
    state.feed(press(KeyCode::Esc));
    assert!(state.popups().is_empty());
}

#[test]
fn image_actions_in_other_panes_say_they_are_not_available() {
    let config = Config::parse(
        "[keys.global]\n\"ctrl-s\" = \"sort\"\n",
        Path::new("/tmp/wharf-test.toml"),
    )
    .expect("valid config");
    let (mut state, _) = loaded(&config, sample());
    state.feed(ch('2'));
    state.feed(ctrl('s'));
    assert_eq!(state.images().sort, SortKey::Name);
    let status = state.status().expect("a message");
    assert_eq!(status.severity, Severity::Error);
    assert_eq!(status.text, "this pane does not sort");
}

#[test]
fn ctrl_l_asks_for_a_full_redraw() {
    let (mut state, _) = loaded(&defaults(), sample());
    assert!(!state.wants_clear());
    state.feed(ctrl('l'));
    assert!(state.wants_clear());
}
