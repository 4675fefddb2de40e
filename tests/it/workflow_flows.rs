//! The workflow's keys and commands through `State::update`: run (form and `:run`), logs,
//! lifecycle with marks, shell, deploy-registry — messages in, effects out. No engine.

use crossterm::event::KeyCode;

use wharf::docker::{
    ContainerState, EngineError, EngineErrorKind, LifecycleAction, LogLine, LogStream, RunFailure,
    SessionEnd,
};
use wharf::effect::Effect;
use wharf::flows::lifecycle::LifecycleDone;
use wharf::flows::logs::LogsMsg;
use wharf::flows::shell::{Session, SessionEnded};
use wharf::job::{JobError, JobId, JobOutcome, JobSpec};
use wharf::logs::{LogBatch, LogEntry};
use wharf::model::popup::{Popup, Severity};
use wharf::msg::Msg;
use wharf::run_spec::{HostPorts, RestartPolicy};
use wharf::state::{FormKind, Pane};

use crate::support::action_fixtures::{
    command, connected, connected_with, container_id, images, select, type_text, web_container,
};
use crate::support::forms::{field_error, focused, form_text, status};
use crate::support::keys::{alt_enter, ch, press};

/// The run job among the effects, with its id.
fn run_job(effects: &[Effect]) -> (JobId, wharf::run_spec::RunSpec) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::StartJob {
                id,
                spec: JobSpec::Run(spec),
            } => Some((*id, (**spec).clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no run job in {effects:?}"))
}

fn running(name: &str, digit: char) -> wharf::docker::ContainerRecord {
    wharf::docker::ContainerRecord {
        id: container_id(digit),
        name: name.into(),
        state: ContainerState::Running,
        status: "Up 3 minutes".into(),
        ..web_container()
    }
}

// ----- run ------------------------------------------------------------------------------------

#[test]
fn r_on_an_image_opens_the_run_form_and_enter_runs_what_it_says() {
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    state.update(ch('r'));
    assert_eq!(state.form_kind(), Some(FormKind::Run));
    assert_eq!(form_text(&state, "Image"), "alpine:3.19");
    assert_eq!(
        focused(&state),
        "Command",
        "the image is given: the command comes next"
    );
    type_text(&mut state, "sleep 100");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "web-1");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "127.0.0.1:8080:80 53/udp");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "/srv:/srv:ro");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "A=1");
    state.update(alt_enter());
    type_text(&mut state, "B=two words");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "on-failure:3");
    let effects = state.update(press(KeyCode::Enter));
    let (_, spec) = run_job(&effects);
    assert_eq!(spec.image, "alpine:3.19");
    assert_eq!(spec.command, ["sleep", "100"]);
    assert_eq!(spec.name.as_deref(), Some("web-1"));
    assert_eq!(spec.publish.len(), 2);
    assert_eq!(spec.publish[0].host, HostPorts::One(8080));
    assert_eq!(spec.volumes[0].to_string(), "/srv:/srv:ro");
    assert_eq!(spec.env, ["A=1", "B=two words"]);
    assert_eq!(
        spec.restart,
        RestartPolicy::OnFailure {
            max_retries: Some(3)
        }
    );
    assert!(
        state.form().is_none(),
        "the form closes once the job starts"
    );
    assert_eq!(state.jobs().all().len(), 1);
}

#[test]
fn a_bad_field_in_the_run_form_is_said_under_it_and_nothing_starts() {
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    state.update(ch('r'));
    state.update(press(KeyCode::Tab)); // Name
    state.update(press(KeyCode::Tab)); // Ports
    type_text(&mut state, "99999:80");
    let effects = state.update(press(KeyCode::Enter));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::StartJob { .. })),
        "{effects:?}"
    );
    let error = field_error(&state, "Ports").expect("an error under Ports");
    assert!(error.contains("99999"), "{error}");

    // A workdir that is not absolute is the workdir's fault.
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    state.update(ch('r'));
    for _ in 0..6 {
        state.update(press(KeyCode::Tab));
    }
    assert_eq!(focused(&state), "Workdir");
    type_text(&mut state, "relative");
    state.update(press(KeyCode::Enter));
    assert!(
        field_error(&state, "Workdir")
            .unwrap_or_default()
            .contains("absolute")
    );
}

#[test]
fn a_complete_run_line_runs_at_once_and_a_bad_one_says_why_on_the_line() {
    let mut state = connected();
    let effects = command(
        &mut state,
        "run --name api -p 8080:80 -e 'GREETING=hello there' --restart=always alpine:3.19 sh -c 'sleep 9'",
    );
    let (_, spec) = run_job(&effects);
    assert_eq!(spec.name.as_deref(), Some("api"));
    assert_eq!(spec.env, ["GREETING=hello there"]);
    assert_eq!(spec.restart, RestartPolicy::Always);
    assert_eq!(spec.command, ["sh", "-c", "sleep 9"]);
    assert!(state.command_line().is_none());

    let effects = command(&mut state, "run --frobnicate alpine:3.19");
    assert!(effects.is_empty(), "{effects:?}");
    let line = state.command_line().expect("the line stays open");
    assert!(
        line.message
            .as_deref()
            .unwrap_or_default()
            .contains("--frobnicate"),
        "{:?}",
        line.message
    );

    let mut state = connected();
    let effects = command(&mut state, "run 'alpine:3.19");
    assert!(effects.is_empty());
    assert!(
        state
            .command_line()
            .and_then(|l| l.message.clone())
            .unwrap_or_default()
            .contains("quote is not closed")
    );

    let mut state = connected();
    command(&mut state, "run");
    assert_eq!(
        state.form_kind(),
        Some(FormKind::Run),
        ":run alone opens the form"
    );
}

#[test]
fn a_started_container_is_selected_in_the_containers_pane() {
    let mut state = connected_with(images(), vec![running("old", 'a')]);
    let effects = command(&mut state, "run --name fresh alpine:3.19");
    let (id, _) = run_job(&effects);
    let effects = state.update(Msg::JobFinished {
        id,
        result: Ok(JobOutcome::Started {
            container: container_id('b'),
            name: "fresh".into(),
        }),
    });
    assert!(effects.contains(&Effect::LoadContainers), "{effects:?}");
    assert_eq!(status(&state).0, "started container fresh");
    state.update(Msg::ContainersLoaded(Ok(vec![
        running("old", 'a'),
        running("fresh", 'b'),
    ])));
    assert_eq!(state.focus(), Pane::Containers);
    assert_eq!(
        state.containers().selected().map(|c| c.name.as_str()),
        Some("fresh")
    );
}

#[test]
fn a_missing_image_is_offered_as_a_pull_after_which_the_run_goes_on() {
    let mut state = connected();
    let effects = command(&mut state, "run --name web busybox:1.36 true");
    let (id, _) = run_job(&effects);
    state.update(Msg::JobFinished {
        id,
        result: Err(JobError::Run {
            failure: RunFailure::ImageMissing {
                image: "busybox:1.36".into(),
            },
            message: "the image busybox:1.36 is not in the engine".into(),
        }),
    });
    let Some(Popup::Confirm(confirm)) = state.top_popup() else {
        panic!("a question: {:?}", state.popups());
    };
    assert!(confirm.body.contains("busybox:1.36"), "{}", confirm.body);
    let effects = state.update(ch('y'));
    let pull = effects
        .iter()
        .find_map(|e| match e {
            Effect::StartJob {
                id,
                spec: JobSpec::Pull { repository, .. },
            } => Some((*id, repository.clone())),
            _ => None,
        })
        .expect("a pull job");
    assert_eq!(pull.1, "busybox");
    let effects = state.update(Msg::JobFinished {
        id: pull.0,
        result: Ok(JobOutcome::Pulled {
            reference: "busybox:1.36".into(),
        }),
    });
    let (_, spec) = run_job(&effects);
    assert_eq!(spec.name.as_deref(), Some("web"), "the same run, again");
}

#[test]
fn name_and_port_refusals_are_clear_on_the_status_line() {
    let mut state = connected();
    let effects = command(&mut state, "run --name web -p 8080:80 alpine:3.19");
    let (id, _) = run_job(&effects);
    state.update(Msg::JobFinished {
        id,
        result: Err(JobError::Run {
            failure: RunFailure::PortInUse {
                address: "0.0.0.0:8080".into(),
            },
            message: "the port 0.0.0.0:8080 is already in use".into(),
        }),
    });
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(text.contains("0.0.0.0:8080 is already in use"), "{text}");
    assert!(state.popups().is_empty());
}

// ----- logs -----------------------------------------------------------------------------------

/// The logs stream asked for among the effects: its generation.
fn follow_logs(effects: &[Effect], container: &str) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::FollowLogs {
                generation,
                container: c,
            } if c == container => Some(*generation),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no FollowLogs for {container} in {effects:?}"))
}

pub fn log_batch(lines: &[(LogStream, &str)], dropped: u64) -> LogBatch {
    let entries = lines
        .iter()
        .enumerate()
        .map(|(i, (stream, text))| {
            LogEntry::from_line(LogLine {
                stream: *stream,
                timestamp: Some(format!("2026-11-29T10:00:{:02}.000000000Z", i % 60)),
                text: text.to_string(),
            })
        })
        .collect();
    LogBatch::new(entries, dropped)
}

fn in_containers(containers: Vec<wharf::docker::ContainerRecord>) -> wharf::state::State {
    let mut state = connected_with(images(), containers);
    state.update(ch('3'));
    state
}

#[test]
fn l_opens_the_logs_view_which_follows_and_stops_its_stream_when_closed() {
    let mut state = in_containers(vec![running("api", 'a')]);
    let effects = state.update(ch('l'));
    let generation = follow_logs(&effects, &container_id('a').0);
    assert_eq!(state.logs().map(|l| l.name.as_str()), Some("api"));
    state.update(Msg::Logs(LogsMsg::Batch {
        generation,
        batch: log_batch(&[(LogStream::Stdout, "one"), (LogStream::Stderr, "two")], 0),
    }));
    assert_eq!(state.logs().unwrap().buffer.len(), 2);
    assert!(state.logs().unwrap().buffer.is_following());

    // Keys of the view: timestamps, wrap, top and bottom.
    state.update(ch('t'));
    assert!(state.logs().unwrap().buffer.show_timestamps());
    state.update(ch('w'));
    assert!(state.logs().unwrap().buffer.wrap());
    state.update(ch('g'));
    assert!(!state.logs().unwrap().buffer.is_following());
    state.update(ch('G'));
    assert!(state.logs().unwrap().buffer.is_following());

    let effects = state.update(press(KeyCode::Esc));
    assert!(state.logs().is_none());
    assert_eq!(effects, [Effect::StopLogs { generation }]);
    // A late batch for the closed view changes nothing.
    let effects = state.update(Msg::Logs(LogsMsg::Batch {
        generation,
        batch: log_batch(&[(LogStream::Stdout, "late")], 0),
    }));
    assert!(effects.is_empty());
}

#[test]
fn switching_panes_also_stops_the_stream_and_a_reopened_view_ignores_the_old_one() {
    let mut state = in_containers(vec![running("api", 'a')]);
    let first = follow_logs(&state.update(ch('l')), &container_id('a').0);
    let effects = state.update(ch('1'));
    assert!(
        effects.contains(&Effect::StopLogs { generation: first }),
        "{effects:?}"
    );

    let effects = command(&mut state, "logs api");
    let second = follow_logs(&effects, &container_id('a').0);
    assert_ne!(first, second);
    state.update(Msg::Logs(LogsMsg::Batch {
        generation: first,
        batch: log_batch(&[(LogStream::Stdout, "from the old stream")], 0),
    }));
    assert!(state.logs().unwrap().buffer.is_empty());

    command(&mut state, "logs nosuch");
    assert!(status(&state).0.contains("no container called nosuch"));
}

#[test]
fn slash_searches_and_n_and_shift_n_step_between_matches() {
    let mut state = in_containers(vec![running("api", 'a')]);
    let generation = follow_logs(&state.update(ch('l')), &container_id('a').0);
    let lines: Vec<(LogStream, String)> = (0..100)
        .map(|i| {
            (
                LogStream::Stdout,
                if i % 10 == 0 {
                    format!("needle {i}")
                } else {
                    format!("hay {i}")
                },
            )
        })
        .collect();
    let lines: Vec<(LogStream, &str)> = lines.iter().map(|(s, t)| (*s, t.as_str())).collect();
    state.update(Msg::Logs(LogsMsg::Batch {
        generation,
        batch: log_batch(&lines, 0),
    }));
    state.update(ch('/'));
    type_text(&mut state, "needle");
    state.update(press(KeyCode::Enter));
    let buffer = &state.logs().unwrap().buffer;
    assert_eq!(buffer.search_query(), Some("needle"));
    state.update(ch('N'));
    state.update(ch('n'));
    assert!(state.logs().unwrap().notice.is_none());
    for _ in 0..12 {
        state.update(ch('n'));
    }
    assert!(
        state
            .logs()
            .unwrap()
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("no more"),
        "{:?}",
        state.logs().unwrap().notice
    );
    state.update(ch('/'));
    type_text(&mut state, "absent");
    state.update(press(KeyCode::Enter));
    assert!(
        state
            .logs()
            .unwrap()
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("is not in the logs")
    );
}

#[test]
fn an_ended_stream_is_said_and_r_reads_again() {
    let mut state = in_containers(vec![running("api", 'a')]);
    let generation = follow_logs(&state.update(ch('l')), &container_id('a').0);
    state.update(Msg::Logs(LogsMsg::Ended {
        generation,
        error: None,
    }));
    assert!(
        state
            .logs()
            .unwrap()
            .ended
            .as_deref()
            .unwrap_or_default()
            .contains("ended")
    );
    let effects = state.update(ch('r'));
    let again = follow_logs(&effects, &container_id('a').0);
    assert!(again > generation);
    assert!(state.logs().unwrap().ended.is_none());
    // The old stream had ended: nothing to stop.
    assert!(!effects.iter().any(|e| matches!(e, Effect::StopLogs { .. })));
}

// ----- lifecycle ------------------------------------------------------------------------------

fn container_action(effects: &[Effect]) -> (Vec<String>, LifecycleAction) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::ContainerAction { containers, action } => {
                Some((containers.clone(), action.clone()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ContainerAction in {effects:?}"))
}

fn three() -> Vec<wharf::docker::ContainerRecord> {
    vec![running("api", 'a'), running("db", 'b'), running("web", 'c')]
}

#[test]
fn lifecycle_keys_act_on_the_selected_container_or_the_marked_ones() {
    let mut state = in_containers(three());
    let (names, action) = container_action(&state.update(ch('x')));
    assert_eq!(
        (names, action),
        (
            vec!["api".to_string()],
            LifecycleAction::Stop { timeout: None }
        )
    );
    // Until the engine answers (a stop may take the whole stop timeout), the status says so.
    assert!(
        status(&state).0.starts_with("stopping api…"),
        "{:?}",
        status(&state)
    );

    // Space marks and moves on: api and db marked, web selected.
    state.update(ch(' '));
    state.update(ch(' '));
    assert_eq!(state.containers().marked().len(), 2);
    assert_eq!(state.containers().selected().unwrap().name, "web");
    let expected = vec!["api".to_string(), "db".to_string()];
    for (key, action, doing) in [
        ('u', LifecycleAction::Start, "starting api, db…"),
        ('z', LifecycleAction::Pause, "pausing api, db…"),
        ('Z', LifecycleAction::Unpause, "unpausing api, db…"),
        (
            'K',
            LifecycleAction::Kill { signal: None },
            "killing api, db…",
        ),
    ] {
        assert_eq!(
            container_action(&state.update(ch(key))),
            (expected.clone(), action)
        );
        assert_eq!(status(&state).0, doing);
    }
    let restart = state.update(Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    assert_eq!(
        container_action(&restart).1,
        LifecycleAction::Restart { timeout: None }
    );

    // Done: the marks go and the list reloads.
    let effects = state.update(Msg::Lifecycle(LifecycleDone {
        action: LifecycleAction::Stop { timeout: None },
        results: vec![("api".into(), Ok(())), ("db".into(), Ok(()))],
    }));
    assert!(effects.contains(&Effect::LoadContainers));
    assert!(state.containers().marked().is_empty());
    assert_eq!(status(&state).0, "stopped: api, db");
}

#[test]
fn lifecycle_commands_take_names_and_say_which_is_unknown() {
    let mut state = in_containers(three());
    let cases = [
        ("start db web", LifecycleAction::Start),
        ("stop db web", LifecycleAction::Stop { timeout: None }),
        ("restart db web", LifecycleAction::Restart { timeout: None }),
        ("pause db web", LifecycleAction::Pause),
        ("unpause db web", LifecycleAction::Unpause),
        ("kill db web", LifecycleAction::Kill { signal: None }),
    ];
    for (line, action) in cases {
        assert_eq!(
            container_action(&command(&mut state, line)),
            (vec!["db".to_string(), "web".to_string()], action),
            ":{line}"
        );
    }
    assert_eq!(
        container_action(&command(&mut state, "rename db database")),
        (
            vec!["db".to_string()],
            LifecycleAction::Rename {
                new_name: "database".into()
            }
        )
    );
    // The docker CLI's flags: a stop timeout, a signal.
    for (line, action) in [
        ("stop -t 0 db", LifecycleAction::Stop { timeout: Some(0) }),
        (
            "stop --time=30 db",
            LifecycleAction::Stop { timeout: Some(30) },
        ),
        (
            "restart --timeout 5 db",
            LifecycleAction::Restart { timeout: Some(5) },
        ),
        (
            "kill -s HUP db",
            LifecycleAction::Kill {
                signal: Some("HUP".into()),
            },
        ),
    ] {
        assert_eq!(
            container_action(&command(&mut state, line)),
            (vec!["db".to_string()], action),
            ":{line}"
        );
    }
    assert_eq!(status(&state).0, "sending HUP to db…");
    state.update(Msg::Lifecycle(LifecycleDone {
        action: LifecycleAction::Kill {
            signal: Some("HUP".into()),
        },
        results: vec![("db".into(), Ok(()))],
    }));
    assert_eq!(status(&state).0, "sent HUP: db");
    for (line, complaint) in [
        ("stop -t soon db", "whole seconds"),
        ("stop -t", "needs a value"),
        ("kill -t 3 db", "unknown flag"),
        ("kill -s 'HUP;rm' db", "signal name"),
        ("start -f db", "no flags"),
    ] {
        assert!(command(&mut state, line).is_empty(), ":{line}");
        let message = state
            .command_line()
            .and_then(|l| l.message.clone())
            .unwrap_or_default();
        assert!(message.contains(complaint), ":{line} said {message:?}");
        state.update(press(KeyCode::Esc));
    }

    let effects = command(&mut state, "stop nosuch");
    assert!(effects.is_empty());
    assert!(status(&state).0.contains("no container called nosuch"));

    // n puts the rename on the command line.
    state.update(ch('n'));
    assert_eq!(state.command_line().unwrap().editor.text(), "rename api ");
}

#[test]
fn remove_asks_a_running_container_needs_force_and_v_takes_the_volumes() {
    let mut stopped = web_container();
    stopped.name = "old".into();
    let mut state = in_containers(vec![running("api", 'a'), stopped]);
    state.update(ch('a')); // all containers
    // api is running: d refuses, says what to do.
    let effects = state.update(ch('d'));
    assert!(effects.is_empty());
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(
        text.contains("api is running") && text.contains("force"),
        "{text}"
    );
    assert!(state.popups().is_empty());

    // D asks, and only yes removes.
    state.update(ch('D'));
    let Some(Popup::Confirm(confirm)) = state.top_popup() else {
        panic!("a question");
    };
    assert!(confirm.body.contains("api"), "{}", confirm.body);
    let effects = state.update(ch('y'));
    assert_eq!(
        container_action(&effects),
        (
            vec!["api".to_string()],
            LifecycleAction::Remove {
                force: true,
                volumes: false
            }
        )
    );
    assert_eq!(status(&state).0, "removing api…");

    // :rm -v on the stopped one, by name; n keeps it.
    command(&mut state, "rm -v old");
    assert!(matches!(state.top_popup(), Some(Popup::Confirm(_))));
    let effects = state.update(ch('n'));
    assert!(effects.is_empty());
    command(&mut state, "rm -v old");
    let effects = state.update(ch('y'));
    assert_eq!(
        container_action(&effects).1,
        LifecycleAction::Remove {
            force: false,
            volumes: true
        }
    );
    assert!(
        command(&mut state, "rm --bogus old").is_empty()
            && state
                .command_line()
                .and_then(|l| l.message.clone())
                .unwrap_or_default()
                .contains("--bogus")
    );
}

#[test]
fn a_refused_action_is_said_with_what_worked() {
    let mut state = in_containers(three());
    state.update(Msg::Lifecycle(LifecycleDone {
        action: LifecycleAction::Pause,
        results: vec![
            ("api".into(), Ok(())),
            (
                "db".into(),
                Err(EngineError::new(
                    EngineErrorKind::Conflict,
                    "cannot pause db: it is not running",
                )),
            ),
        ],
    }));
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(
        text.contains("cannot pause db") && text.contains("paused api"),
        "{text}"
    );
}

// ----- shell ----------------------------------------------------------------------------------

#[test]
fn e_asks_for_a_shell_in_a_running_container_and_exec_takes_a_command() {
    let mut stopped = web_container();
    stopped.name = "old".into();
    let mut state = in_containers(vec![running("api", 'a'), stopped]);
    let effects = state.update(ch('e'));
    assert_eq!(
        effects,
        [Effect::Interactive(Session::Exec {
            container: "api".into(),
            command: vec![]
        })]
    );
    let effects = command(&mut state, "exec api ls -l /");
    assert_eq!(
        effects,
        [Effect::Interactive(Session::Exec {
            container: "api".into(),
            command: vec!["ls".into(), "-l".into(), "/".into()]
        })]
    );
    // Not running: said, nothing asked of the terminal.
    let effects = command(&mut state, "exec old");
    assert!(effects.is_empty());
    assert!(status(&state).0.contains("old is not running"));
}

#[test]
fn run_it_hands_the_terminal_to_a_new_container_and_wharf_comes_back_where_it_was() {
    let mut state = in_containers(vec![running("api", 'a')]);
    let effects = command(&mut state, "run -it --name box alpine:3.19 sh");
    let [Effect::Interactive(Session::Run(spec))] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(spec.attaches());
    assert_eq!(spec.name.as_deref(), Some("box"));

    // Enter on the container: its changes view; a session in it refreshes the view.
    state.update(press(KeyCode::Enter));
    assert!(state.changes().is_some());
    let effects = state.update(Msg::SessionEnded(SessionEnded {
        container: "api".into(),
        id: None,
        result: Ok(SessionEnd {
            exit_code: Some(0),
            last_output: String::new(),
        }),
    }));
    assert!(effects.contains(&Effect::LoadContainers));
    assert!(
        effects.contains(&Effect::LoadChanges {
            container: container_id('a')
        }),
        "{effects:?}"
    );
    assert!(state.changes().is_some(), "still where it was");
    assert_eq!(status(&state).0, "back from api (exit 0)");

    // A command that does not exist is said as such.
    state.update(Msg::SessionEnded(SessionEnded {
        container: "api".into(),
        id: None,
        result: Ok(SessionEnd {
            exit_code: Some(127),
            last_output: "exec: \"nope\": executable file not found in $PATH\r\n".into(),
        }),
    }));
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(text.contains("was not found"), "{text}");
}

// ----- local registry and the insecure-registry step -----------------------------------------

#[test]
fn deploy_registry_starts_a_job_and_opens_the_catalog_when_it_answers() {
    let mut state = connected();
    let effects = command(&mut state, "deploy-registry 5055 /srv/registry");
    let (id, spec) = effects
        .iter()
        .find_map(|e| match e {
            Effect::StartJob { id, spec } => Some((*id, spec.clone())),
            _ => None,
        })
        .expect("a job");
    assert_eq!(
        spec,
        JobSpec::DeployRegistry {
            image: "registry:2".into(),
            port: 5055,
            data_dir: "/srv/registry".into()
        }
    );
    let effects = state.update(Msg::JobFinished {
        id,
        result: Ok(JobOutcome::RegistryDeployed {
            host: "localhost:5055".into(),
        }),
    });
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::LoadCatalog { registry, .. } if registry == "localhost:5055")
        ),
        "{effects:?}"
    );
    assert_eq!(state.focus(), Pane::Tags);

    let effects = command(&mut state, "deploy-registry 0");
    assert!(effects.is_empty());
    assert!(
        state
            .command_line()
            .and_then(|l| l.message.clone())
            .unwrap_or_default()
            .contains("not a port")
    );
}

#[test]
fn the_engines_plain_http_refusal_is_explained_with_the_daemon_json_line() {
    let mut state = connected();
    let effects = command(&mut state, "push localhost:5000/team/app:1.10");
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::StartJob { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap_or(JobId(1));
    // The engine's own words for a plain-HTTP registry, mapped as the push job maps them.
    let engine_said = EngineError::answered(
        None,
        "Get \"https://10.0.0.5:5000/v2/\": http: server gave HTTP response to HTTPS client",
    )
    .explain_registry_refusal("10.0.0.5:5000");
    state.update(Msg::JobFinished {
        id,
        result: Err(JobError::Failed(engine_said.to_string())),
    });
    let Some(Popup::Message { body, .. }) = state.top_popup() else {
        panic!(
            "an explanation: {:?} / {}",
            state.popups(),
            state.status_text()
        );
    };
    assert!(
        body.contains("\"insecure-registries\": [\"10.0.0.5:5000\"]"),
        "{body}"
    );
    assert!(
        body.contains("/etc/docker/daemon.json") && body.contains("restart"),
        "{body}"
    );
    // It points to where the engine's current list is shown.
    assert!(body.contains(":info shows"), "{body}");
}

#[test]
fn esc_in_the_containers_pane_clears_the_marks_and_actions_go_back_to_the_selection() {
    let mut state = in_containers(three());
    state.update(ch(' '));
    state.update(ch(' '));
    assert_eq!(state.containers().marked().len(), 2);
    state.update(press(KeyCode::Esc));
    assert!(state.containers().marked().is_empty());
    assert_eq!(status(&state).0, "marks cleared");
    // With no marks, the action takes the selected container again.
    assert_eq!(
        container_action(&state.update(ch('x'))),
        (
            vec!["web".to_string()],
            LifecycleAction::Stop { timeout: None }
        )
    );
}

#[test]
fn tab_on_the_command_line_completes_the_containers_a_command_takes() {
    let mut state = in_containers(three());
    state.update(ch(':'));
    for c in "stop d".chars() {
        state.update(ch(c));
    }
    state.update(press(KeyCode::Tab));
    assert_eq!(state.command_line().unwrap().editor.text(), "stop db ");
    // A second name, then Enter: both are stopped.
    state.update(ch('w'));
    state.update(press(KeyCode::Tab));
    assert_eq!(state.command_line().unwrap().editor.text(), "stop db web ");
    let effects = state.update(press(KeyCode::Enter));
    assert_eq!(
        container_action(&effects),
        (
            vec!["db".to_string(), "web".to_string()],
            LifecycleAction::Stop { timeout: None }
        )
    );
    // Several fit: the common part, and the candidates are listed.
    state.update(ch(':'));
    for c in "logs ".chars() {
        state.update(ch(c));
    }
    state.update(press(KeyCode::Tab));
    let line = state.command_line().unwrap();
    assert_eq!(line.editor.text(), "logs ");
    assert_eq!(line.message.as_deref(), Some("api  db  web"));
}
