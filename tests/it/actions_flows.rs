//! The action flows (pull, tag, push, remove, import, login, logout, jobs) and the tags pane's
//! flows, through `State::update` alone: keys and answers in, state and effects out. No
//! engine, no registry, no terminal (one test asks a throwaway loopback HTTP server for a
//! real catalog cursor, which the registry client alone can make).

use std::path::PathBuf;

use crossterm::event::KeyCode;

use wharf::config::Config;
use wharf::docker::{EngineError, EngineErrorKind, RemoveOutcome};
use wharf::effect::Effect;
use wharf::flows::OpenForm;
use wharf::flows::import::FileChecked;
use wharf::flows::login::{LoginFailure, LoginMsg};
use wharf::flows::remove::Removed;
use wharf::flows::tag::Tagged;
use wharf::job::{JobError, JobId, JobOutcome, JobSpec, Progress, ProgressUpdate};
use wharf::model::jobs::JobStatus;
use wharf::model::path_completion::PathCompletion;
use wharf::model::popup::{Confirm, Pending, Popup, Severity};
use wharf::model::tags::{CATALOG_PAGE, LocalIndex, LocalStatus, MAX_IN_FLIGHT};
use wharf::msg::Msg;
use wharf::registry::{Credentials, ManifestHead, Missing, RegistryError, TagList};
use wharf::state::query::FormKind;
use wharf::state::{Pane, State};

use crate::support::action_fixtures::*;
use crate::support::forms::{field_error, focused, form, form_text, status};
use crate::support::keys::*;

// ----- helpers -------------------------------------------------------------------------------

fn confirm(state: &State) -> &Confirm {
    match state.popups().last() {
        Some(Popup::Confirm(confirm)) => confirm,
        other => panic!("expected a confirm popup, found {other:?}"),
    }
}

/// The tags whose digests `effects` ask the registry for.
fn digests_asked(effects: &[Effect]) -> Vec<&String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadTagDigest { tag, .. } => Some(tag),
            _ => None,
        })
        .collect()
}

fn started_jobs(effects: &[Effect]) -> Vec<(JobId, JobSpec)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::StartJob { id, spec } => Some((*id, spec.clone())),
            _ => None,
        })
        .collect()
}

fn push_spec(repository: &str, tag: &str, registry: &str) -> JobSpec {
    JobSpec::Push {
        repository: repository.into(),
        tag: tag.into(),
        registry: registry.into(),
    }
}

/// Selects `reference`, presses P and answers y: the push job's ID.
fn start_push(state: &mut State, reference: &str) -> JobId {
    select(state, reference);
    state.update(ch('P'));
    let effects = state.update(ch('y'));
    let started = started_jobs(&effects);
    assert_eq!(started.len(), 1, "one push started: {effects:?}");
    started[0].0
}

fn snapshot(updates: Vec<ProgressUpdate>) -> Progress {
    let mut progress = Progress::default();
    for update in updates {
        progress.apply(update);
    }
    progress
}

// ----- pull ----------------------------------------------------------------------------------

#[test]
fn p_offers_the_selected_reference_and_enter_starts_a_pull_job() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    state.update(ch('p'));
    assert_eq!(state.form_kind(), Some(FormKind::Pull));
    assert_eq!(
        form_text(&state, "Image"),
        "nginx:1.25",
        "refresh what is selected"
    );

    let effects = state.update(press(KeyCode::Enter));
    assert!(state.form().is_none(), "the prompt closes");
    let started = started_jobs(&effects);
    assert_eq!(
        started,
        [(
            started[0].0,
            JobSpec::Pull {
                repository: "nginx".into(),
                tag_or_digest: "1.25".into(),
                registry: "docker.io".into(),
            }
        )]
    );
    let job = state.jobs().get(started[0].0).unwrap();
    assert_eq!(job.title, "pull nginx:1.25");
    assert!(job.is_running());
    assert_eq!(status(&state).0, "started pull nginx:1.25");
}

#[test]
fn pull_prompt_accepts_any_reference_including_a_digest() {
    let mut state = connected();
    state.update(ch('p'));
    clear_field(&mut state);
    let reference = format!("{REGISTRY}/team/app@{}", digest('d'));
    type_text(&mut state, &reference);
    let started = started_jobs(&state.update(press(KeyCode::Enter)));
    assert_eq!(
        started[0].1,
        JobSpec::Pull {
            repository: format!("{REGISTRY}/team/app"),
            tag_or_digest: digest('d'),
            registry: REGISTRY.into(),
        }
    );
}

#[test]
fn an_invalid_pull_reference_keeps_the_prompt_and_the_typed_text() {
    let mut state = connected();
    state.update(ch('p'));
    clear_field(&mut state);
    for bad in ["Team/App:1", "app:bad tag", "app:", "localhost:5000/"] {
        clear_field(&mut state);
        type_text(&mut state, bad);
        let effects = state.update(press(KeyCode::Enter));
        assert!(started_jobs(&effects).is_empty(), "{bad}: {effects:?}");
        assert_eq!(state.form_kind(), Some(FormKind::Pull), "{bad}");
        assert_eq!(form_text(&state, "Image"), bad, "the typed text stays");
        let error = field_error(&state, "Image").unwrap_or_default();
        assert!(!error.is_empty(), "{bad}: says what is wrong");
    }
    // Typing again clears the complaint; Esc closes without a job.
    state.update(press(KeyCode::Backspace));
    assert_eq!(field_error(&state, "Image"), None);
    let effects = state.update(press(KeyCode::Esc));
    assert!(state.form().is_none());
    assert!(started_jobs(&effects).is_empty());
    assert!(state.jobs().all().is_empty());
}

#[test]
fn colon_pull_starts_at_once_or_says_what_is_wrong() {
    let mut state = connected();
    let started = started_jobs(&command(&mut state, "pull localhost:5000/team/app:2"));
    assert_eq!(
        started[0].1,
        JobSpec::Pull {
            repository: "localhost:5000/team/app".into(),
            tag_or_digest: "2".into(),
            registry: REGISTRY.into(),
        }
    );

    let effects = command(&mut state, "pull Bad:Name");
    assert!(started_jobs(&effects).is_empty());
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(text.starts_with("cannot pull \"Bad:Name\": "), "{text}");
    assert_eq!(state.jobs().all().len(), 1);

    command(&mut state, "pull");
    let line = state.command_line().expect("the line stays open");
    assert_eq!(line.message.as_deref(), Some("usage: :pull REFERENCE"));
}

#[test]
fn quitting_while_a_job_runs_asks_first() {
    let mut state = connected();
    command(&mut state, "pull localhost:5000/team/app:2");

    state.update(ch('q'));
    assert!(
        !state.wants_quit(),
        "a running pull is not dropped without asking"
    );
    let question = confirm(&state);
    assert_eq!(question.title, "Quit");
    assert_eq!(
        question.body,
        "1 job still running: pull localhost:5000/team/app:2.\n\
         Quitting stops it; a pull or push can be started again later."
    );
    state.update(ch('n'));
    assert!(!state.wants_quit() && state.popups().is_empty());

    command(&mut state, "quit");
    state.update(ch('y'));
    assert!(state.wants_quit(), ":quit asks the same, and y quits");

    // Ctrl-C asks too; a second Ctrl-C on the question quits.
    let mut state = connected();
    command(&mut state, "pull localhost:5000/team/app:2");
    state.update(ctrl('c'));
    assert!(!state.wants_quit());
    state.update(ctrl('c'));
    assert!(state.wants_quit());

    // With the job finished, q quits at once.
    let mut state = connected();
    let started = started_jobs(&command(&mut state, "pull localhost:5000/team/app:2"));
    state.update(Msg::JobFinished {
        id: started[0].0,
        result: Err(JobError::Failed("connection refused".into())),
    });
    state.update(ch('q'));
    assert!(state.wants_quit());
}

#[test]
fn p_in_the_tags_pane_pulls_the_selected_remote_tag() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    tags_loaded(&mut state, &["2", "1"]);
    let started = started_jobs(&state.update(ch('p')));
    assert_eq!(
        started[0].1,
        JobSpec::Pull {
            repository: "localhost:5000/team/app".into(),
            tag_or_digest: "1".into(),
            registry: REGISTRY.into(),
        }
    );
}

// ----- tag -----------------------------------------------------------------------------------

#[test]
fn tag_prompt_validates_as_you_type_and_the_new_row_appears_selected() {
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    state.update(ch('t'));
    assert_eq!(state.form_kind(), Some(FormKind::Tag));
    match state.open_form() {
        Some(OpenForm::Tag(form)) => {
            assert_eq!(form.fields.source, id('2').0);
            assert_eq!(form.fields.label, "alpine:3.19");
        }
        other => panic!("expected the tag form, found {other:?}"),
    }
    assert_eq!(
        form_text(&state, "New name"),
        "alpine:",
        "the repository is offered"
    );
    assert_eq!(
        field_error(&state, "New name"),
        None,
        "no complaint while typing"
    );

    clear_field(&mut state);
    type_text(&mut state, "Localhost:5000/Base");
    assert!(
        field_error(&state, "New name").is_some(),
        "uppercase is refused at once"
    );
    clear_field(&mut state);
    type_text(&mut state, "localhost:5000/base:");
    assert_eq!(
        field_error(&state, "New name"),
        None,
        "still typing the tag"
    );
    type_text(&mut state, "3.19 x");
    assert!(
        field_error(&state, "New name").is_some(),
        "a space in a tag"
    );
    state.update(press(KeyCode::Backspace));
    state.update(press(KeyCode::Backspace));
    assert_eq!(field_error(&state, "New name"), None, "fixed");

    let effects = state.update(press(KeyCode::Enter));
    assert_eq!(
        actions(effects),
        [Effect::TagImage {
            source: id('2').0,
            repository: "localhost:5000/base".into(),
            tag: "3.19".into(),
        }]
    );
    assert!(state.form().is_none());

    // The engine tags; the event's lookup brings the row, which is selected.
    state.update(Msg::Tagged(Tagged {
        target: "localhost:5000/base:3.19".into(),
        result: Ok(()),
    }));
    assert_eq!(status(&state).0, "tagged localhost:5000/base:3.19");
    let alpine = record(
        '2',
        &["alpine:3.19", "localhost:5000/base:3.19"],
        &[],
        60 * DAY,
        7_380_000,
    );
    state.update(Msg::ImageInspected {
        reference: id('2').0,
        result: Ok(Some(alpine)),
    });
    assert_eq!(
        state.images().selected_row().unwrap().reference(),
        "localhost:5000/base:3.19"
    );
}

#[test]
fn an_invalid_tag_on_enter_keeps_the_form_and_the_text() {
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    state.update(ch('t'));
    clear_field(&mut state);
    let bad = format!("app:{}", "x".repeat(129));
    type_text(&mut state, &bad);
    let effects = state.update(press(KeyCode::Enter));
    assert!(actions(effects).is_empty());
    assert_eq!(form_text(&state, "New name"), bad);
    assert!(field_error(&state, "New name").is_some());

    // A digest names content, not a tag.
    clear_field(&mut state);
    type_text(&mut state, &format!("app@{}", digest('a')));
    assert!(actions(state.update(press(KeyCode::Enter))).is_empty());
    assert_eq!(
        field_error(&state, "New name").as_deref(),
        Some("a digest cannot be used here; give a tag")
    );
    // Trailing colon on Enter is an error too (not "still typing" any more).
    clear_field(&mut state);
    type_text(&mut state, "app:");
    assert!(actions(state.update(press(KeyCode::Enter))).is_empty());
    assert!(field_error(&state, "New name").is_some());
}

#[test]
fn tagging_onto_a_name_another_image_has_asks_before_moving_it() {
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    state.update(ch('t'));
    clear_field(&mut state);
    type_text(&mut state, "alpine:3.19");
    assert!(actions(state.update(press(KeyCode::Enter))).is_empty());
    assert_eq!(
        field_error(&state, "New name").as_deref(),
        Some("the image is already called alpine:3.19")
    );

    clear_field(&mut state);
    type_text(&mut state, "nginx:latest");
    assert!(actions(state.update(press(KeyCode::Enter))).is_empty());
    let question = confirm(&state);
    assert_eq!(question.title, "Move the tag?");
    assert!(
        question.body.contains("nginx:latest") && question.body.contains(id('1').short()),
        "names the tag and the image that has it now: {}",
        question.body
    );
    assert!(!question.yes_selected, "keeping is the default");
    // Enter takes the highlighted answer: keep.
    assert!(actions(state.update(press(KeyCode::Enter))).is_empty());
    assert!(state.popups().is_empty());
    assert!(state.form().is_some(), "the form stays for another name");

    state.update(press(KeyCode::Enter));
    let effects = state.update(ch('y'));
    assert_eq!(
        actions(effects),
        [Effect::TagImage {
            source: id('2').0,
            repository: "nginx".into(),
            tag: "latest".into(),
        }]
    );
    assert!(state.form().is_none());
}

#[test]
fn colon_tag_checks_like_the_form() {
    let mut state = connected();
    let effects = command(&mut state, "tag alpine:3.19 localhost:5000/alpine:3");
    assert_eq!(
        actions(effects),
        [Effect::TagImage {
            source: id('2').0,
            repository: "localhost:5000/alpine".into(),
            tag: "3".into(),
        }]
    );
    assert!(state.form().is_none(), "nothing to fix: no form");

    // A bad target opens the form with the text and the complaint.
    let effects = command(&mut state, "tag alpine:3.19 Alpine:3");
    assert!(actions(effects).is_empty());
    assert_eq!(state.form_kind(), Some(FormKind::Tag));
    assert_eq!(form_text(&state, "New name"), "Alpine:3");
    assert!(field_error(&state, "New name").is_some());
    state.update(press(KeyCode::Esc));

    let effects = command(&mut state, "tag nosuch:1 x:1");
    assert!(actions(effects).is_empty());
    assert_eq!(
        status(&state),
        (
            "there is no local image called nosuch:1".into(),
            Severity::Error
        )
    );
}

#[test]
fn a_failed_tag_says_why() {
    let mut state = connected();
    state.update(Msg::Tagged(Tagged {
        target: "x:1".into(),
        result: Err(EngineError::new(
            EngineErrorKind::NotFound,
            "No such image: abc",
        )),
    }));
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(text.starts_with("cannot tag x:1: "), "{text}");
    assert!(text.contains("No such image: abc"), "{text}");
}

// ----- push ----------------------------------------------------------------------------------

#[test]
fn push_asks_first_and_only_yes_starts_the_job() {
    let mut state = connected();
    select(&mut state, "localhost:5000/team/app:1.10");
    let spec = push_spec("localhost:5000/team/app", "1.10", REGISTRY);

    // n, Esc: nothing happens.
    for no in [ch('n'), press(KeyCode::Esc), ch('N')] {
        state.update(ch('P'));
        let question = confirm(&state);
        assert_eq!(question.title, "Push");
        assert_eq!(
            question.body,
            "Push localhost:5000/team/app:1.10 to localhost:5000?\n\
             Layers the registry already has are not sent again."
        );
        assert!(question.yes_selected, "pushing is the highlighted answer");
        assert_eq!(
            question.pending,
            Pending::StartJob {
                title: "push localhost:5000/team/app:1.10".into(),
                spec: spec.clone()
            }
        );
        let effects = state.update(no);
        assert!(effects.is_empty(), "{effects:?}");
        assert!(state.popups().is_empty());
        assert_eq!(status(&state).0, "cancelled");
    }
    // Left moves the highlight to Cancel: Enter then cancels.
    state.update(ch('P'));
    state.update(press(KeyCode::Left));
    assert!(!confirm(&state).yes_selected);
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    assert!(state.jobs().all().is_empty());

    // Enter on the highlighted Push, and y.
    for yes in [press(KeyCode::Enter), ch('y')] {
        state.update(ch('P'));
        let started = started_jobs(&state.update(yes));
        assert_eq!(started.len(), 1);
        assert_eq!(started[0].1, spec);
    }
    assert_eq!(
        state.jobs().running().count(),
        2,
        "pushes can run side by side"
    );
}

#[test]
fn push_refuses_what_cannot_be_pushed() {
    let mut state = connected();
    select(&mut state, id('5').short());
    state.update(ch('P'));
    assert!(state.popups().is_empty());
    assert_eq!(
        status(&state),
        (
            "an untagged image has no name to push; tag it first (t)".into(),
            Severity::Error
        )
    );

    for (text, why) in [
        ("push nosuch:1", "there is no local image called nosuch:1"),
        ("push Bad:1", "cannot push \"Bad:1\": "),
    ] {
        let effects = command(&mut state, text);
        assert!(effects.is_empty());
        assert!(state.popups().is_empty(), "{text}: no question");
        assert!(
            status(&state).0.starts_with(why),
            "{text}: {:?}",
            status(&state)
        );
    }
    let digest_ref = format!("push nginx@{}", digest('1'));
    command(&mut state, &digest_ref);
    assert!(
        status(&state)
            .0
            .ends_with("a digest cannot be used here; give a tag"),
        "{:?}",
        status(&state)
    );

    assert!(state.jobs().all().is_empty(), "nothing was pushed");
    assert!(state.form().is_none());

    // Before the engine answers, the local images are not known: that is what is said.
    let mut state = State::new(
        &Config::defaults().unwrap(),
        "unix:///var/run/docker.sock".into(),
        None,
    );
    state.start();
    assert!(command(&mut state, "push nginx:1.25").is_empty());
    assert!(state.popups().is_empty() && state.jobs().all().is_empty());
    assert_eq!(
        status(&state),
        (
            "not connected to the Docker engine: the local images are not known yet".into(),
            Severity::Error
        )
    );
}

#[test]
fn colon_push_with_the_reference_typed_starts_at_once() {
    let mut state = connected();
    // The selection does not matter: what was typed is pushed.
    select(&mut state, "alpine:3.19");
    let effects = command(&mut state, "push localhost:5000/team/app:1.10");
    let started = started_jobs(&effects);
    assert_eq!(
        started,
        [(
            started[0].0,
            push_spec("localhost:5000/team/app", "1.10", REGISTRY)
        )]
    );
    assert!(
        state.popups().is_empty(),
        "no question: {:?}",
        state.popups()
    );
    assert!(state.form().is_none());
    let job = state.jobs().get(started[0].0).unwrap();
    assert_eq!(job.title, "push localhost:5000/team/app:1.10");
    assert!(job.is_running());
    assert_eq!(
        status(&state),
        (
            "started push localhost:5000/team/app:1.10".into(),
            Severity::Info
        )
    );

    // A Docker Hub name in its full form is the short one.
    let started = started_jobs(&command(&mut state, "push docker.io/library/nginx:1.25"));
    assert_eq!(
        started,
        [(started[0].0, push_spec("nginx", "1.25", "docker.io"))]
    );
    assert!(state.popups().is_empty());
    assert_eq!(state.jobs().running().count(), 2);

    // P on the selected image still asks first.
    state.update(ch('P'));
    assert_eq!(
        confirm(&state).body.lines().next(),
        Some("Push alpine:3.19 to docker.io?")
    );
}

#[test]
fn push_progress_snapshots_aggregate_per_layer_and_the_result_says_the_digest() {
    let mut state = connected();
    let job = start_push(&mut state, "localhost:5000/team/app:1.10");

    let first = snapshot(vec![
        ProgressUpdate::Message("The push refers to repository [localhost:5000/team/app]".into()),
        layer("aaa", "Preparing", 0, 0),
        layer("bbb", "Preparing", 0, 0),
        layer("aaa", "Pushing", 1_000_000, 4_000_000),
        layer("bbb", "Pushing", 0, 1_000_000),
    ]);
    state.update(Msg::JobProgress {
        id: job,
        progress: first,
    });
    let progress = &state.jobs().get(job).unwrap().progress;
    assert_eq!(progress.layers.len(), 2);
    assert_eq!(progress.fraction(), Some(0.2));
    assert_eq!(progress.layers_done(), 0);

    let second = snapshot(vec![
        layer("aaa", "Pushing", 4_000_000, 4_000_000),
        layer("aaa", "Pushed", 0, 0),
        layer("bbb", "Layer already exists", 0, 0),
    ]);
    state.update(Msg::JobProgress {
        id: job,
        progress: second.clone(),
    });
    let progress = &state.jobs().get(job).unwrap().progress;
    assert_eq!(progress.layers_done(), 2);
    assert_eq!(progress.fraction(), Some(1.0));

    let effects = state.update(Msg::JobFinished {
        id: job,
        result: Ok(JobOutcome::Pushed {
            reference: "localhost:5000/team/app:1.10".into(),
            digest: Some(digest('7')),
        }),
    });
    assert!(
        effects.contains(&Effect::InspectImage {
            reference: "localhost:5000/team/app:1.10".into()
        }),
        "the engine now knows the digest: look the image up"
    );
    let finished = state.jobs().get(job).unwrap();
    assert_eq!(
        finished.status,
        JobStatus::Succeeded(format!(
            "pushed localhost:5000/team/app:1.10 ({})",
            &"7".repeat(12)
        ))
    );
    assert_eq!(
        status(&state).0,
        format!("pushed localhost:5000/team/app:1.10 ({})", digest('7'))
    );

    // Late progress for a finished job changes nothing.
    state.update(Msg::JobProgress {
        id: job,
        progress: Progress::default(),
    });
    assert_eq!(state.jobs().get(job).unwrap().progress, second);
}

#[test]
fn a_failed_push_shows_the_full_message_on_enter_in_the_jobs_pane() {
    let mut state = connected();
    let job = start_push(&mut state, "localhost:5000/team/app:1.10");
    let message = "Get \"http://localhost:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused\nsecond line";
    state.update(Msg::JobFinished {
        id: job,
        result: Err(JobError::Failed(message.into())),
    });
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert_eq!(
        text,
        "push localhost:5000/team/app:1.10 failed: Get \"http://localhost:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused"
    );
    state.update(ch('5'));
    assert_eq!(state.focus(), Pane::Jobs);
    state.update(press(KeyCode::Enter));
    match state.popups().last() {
        Some(Popup::Message {
            title,
            body,
            severity,
            ..
        }) => {
            assert_eq!(
                title,
                &format!("Job {job} — push localhost:5000/team/app:1.10")
            );
            assert_eq!(body, &format!("Failed:\n\n{message}"));
            assert_eq!(*severity, Severity::Error);
        }
        other => panic!("expected the job's detail, found {other:?}"),
    }
    state.update(press(KeyCode::Esc));
    assert!(state.popups().is_empty());
}

// ----- cancel ---------------------------------------------------------------------------------

#[test]
fn x_in_the_jobs_pane_cancels_the_selected_running_job() {
    let mut state = connected();
    let first = start_push(&mut state, "localhost:5000/team/app:1.9");
    let second = start_push(&mut state, "localhost:5000/team/app:1.10");
    state.update(ch('5'));
    // Newest first: the cursor starts on the second push; move to the first.
    state.update(ch('j'));
    assert_eq!(state.jobs().selected().unwrap().id, first);
    let effects = state.update(ch('x'));
    assert_eq!(effects, [Effect::CancelJob { id: first }]);
    assert!(state.jobs().get(first).unwrap().cancelling);
    assert!(!state.jobs().get(second).unwrap().cancelling);
    assert_eq!(status(&state).0, "cancelling…");

    state.update(Msg::JobFinished {
        id: first,
        result: Err(JobError::Cancelled),
    });
    assert_eq!(
        state.jobs().get(first).unwrap().status,
        JobStatus::Cancelled
    );
    assert_eq!(
        status(&state),
        (
            "push localhost:5000/team/app:1.9: cancelled".into(),
            Severity::Info
        )
    );
    assert!(state.jobs().get(second).unwrap().is_running());

    // x again on the cancelled job: nothing to stop.
    let effects = state.update(ch('x'));
    assert!(effects.is_empty());
    assert_eq!(
        status(&state),
        ("the selected job is not running".into(), Severity::Error)
    );
    state.update(press(KeyCode::Enter));
    match state.popups().last() {
        Some(Popup::Message { body, .. }) => assert_eq!(body, "Cancelled."),
        other => panic!("expected the job's detail, found {other:?}"),
    }
    state.update(press(KeyCode::Esc));

    // x outside the jobs pane is not a cancel.
    state.update(ch('1'));
    assert!(state.update(ch('x')).is_empty());
}

// ----- retry after login -------------------------------------------------------------------

#[test]
fn a_refused_push_offers_login_and_r_restarts_the_same_job() {
    let mut state = connected();
    let job = start_push(&mut state, "localhost:5000/team/app:1.10");
    state.update(Msg::JobFinished {
        id: job,
        result: Err(JobError::Unauthorized {
            registry: REGISTRY.into(),
            message: "no basic auth credentials".into(),
        }),
    });
    assert_eq!(
        state.jobs().get(job).unwrap().status,
        JobStatus::Failed("no basic auth credentials".into())
    );
    assert_eq!(
        status(&state),
        (
            "unauthorized: no basic auth credentials — press L to log in to localhost:5000".into(),
            Severity::Error
        )
    );

    // L is prefilled with that registry (even with another image selected) and waits for
    // the username.
    select(&mut state, "nginx:1.25");
    state.update(ch('L'));
    assert_eq!(state.form_kind(), Some(FormKind::Login));
    assert_eq!(form_text(&state, "Registry"), REGISTRY);
    assert_eq!(focused(&state), "Username");
    type_text(&mut state, "alice");
    state.update(press(KeyCode::Tab));
    let password = "abc>>>def+/= x";
    type_text(&mut state, password);
    let effects = state.update(press(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::Login {
            registry: REGISTRY.into(),
            credentials: Credentials::password("alice", password),
        }]
    );
    assert!(
        !format!("{effects:?}{state:?}").contains("abc>>>def"),
        "the password never shows in debug output"
    );
    assert_eq!(
        form(&state).busy,
        Some("checking the credentials for localhost:5000 with the engine…")
    );
    // Keys other than Esc wait while the engine checks.
    assert!(type_text(&mut state, "zz").is_empty());
    assert_eq!(form_text(&state, "Password"), password);

    state.update(Msg::Login(LoginMsg::LoggedIn {
        registry: REGISTRY.into(),
        result: Ok("/home/u/.docker/config.json".into()),
    }));
    assert!(state.form().is_none());
    assert_eq!(
        status(&state),
        (
            "logged in to localhost:5000 (stored in /home/u/.docker/config.json) — press R to retry push localhost:5000/team/app:1.10".into(),
            Severity::Info
        )
    );

    let effects = state.update(ch('R'));
    let started = started_jobs(&effects);
    assert_eq!(started.len(), 1);
    assert_ne!(started[0].0, job, "a new job");
    assert_eq!(
        started[0].1,
        push_spec("localhost:5000/team/app", "1.10", REGISTRY)
    );
    assert_eq!(
        state.jobs().get(started[0].0).unwrap().title,
        "push localhost:5000/team/app:1.10"
    );
    // Once is enough.
    assert!(started_jobs(&state.update(ch('R'))).is_empty());
    assert_eq!(status(&state), ("nothing to retry".into(), Severity::Error));
}

#[test]
fn a_wrong_password_keeps_the_login_form_with_a_message() {
    let mut state = connected();
    command(&mut state, "login 127.0.0.1:5000");
    assert_eq!(form_text(&state, "Registry"), "127.0.0.1:5000");
    assert_eq!(focused(&state), "Username", "cursor on the username");
    type_text(&mut state, "alice");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "wrong");
    assert_eq!(state.update(press(KeyCode::Enter)).len(), 1);

    state.update(Msg::Login(LoginMsg::LoggedIn {
        registry: "127.0.0.1:5000".into(),
        result: Err(LoginFailure::Rejected(
            "Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized".into(),
        )),
    }));
    assert_eq!(state.form_kind(), Some(FormKind::Login), "the form stays");
    let open = form(&state);
    assert_eq!(open.busy, None);
    assert_eq!(
        open.focused_label(),
        Some("Password"),
        "back on the password"
    );
    assert_eq!(
        open.field_error("Password"),
        Some("wrong username or password")
    );
    assert_eq!(
        open.error,
        Some(
            "127.0.0.1:5000 said: Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized"
        )
    );
    assert_eq!(form_text(&state, "Username"), "alice", "the username stays");

    // Fix the password and submit again.
    clear_field(&mut state);
    assert_eq!(
        field_error(&state, "Password"),
        None,
        "editing clears the complaint"
    );
    type_text(&mut state, "right");
    let effects = state.update(press(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::Login {
            registry: "127.0.0.1:5000".into(),
            credentials: Credentials::password("alice", "right"),
        }]
    );

    // A failure that is not about the password: the form stays with the reason.
    state.update(Msg::Login(LoginMsg::LoggedIn {
        registry: "127.0.0.1:5000".into(),
        result: Err(LoginFailure::Failed(
            "the credentials were right but could not be stored: permission denied".into(),
        )),
    }));
    let open = state.form().expect("the form stays");
    assert_eq!(
        open.error,
        Some("the credentials were right but could not be stored: permission denied")
    );
    assert_eq!(open.field_error("Password"), None);
}

#[test]
fn login_form_checks_its_fields_before_asking_the_engine() {
    let mut state = connected();
    select(&mut state, "localhost:5000/team/app:1.9");
    state.update(ch('L'));
    assert_eq!(
        form_text(&state, "Registry"),
        REGISTRY,
        "from the selected image"
    );
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    assert_eq!(
        field_error(&state, "Username").as_deref(),
        Some("give a username")
    );
    type_text(&mut state, "bob");
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    assert_eq!(
        field_error(&state, "Password").as_deref(),
        Some("give the password or token")
    );
    assert_eq!(focused(&state), "Password");
    // A bad registry host.
    state.update(press(KeyCode::BackTab));
    state.update(press(KeyCode::BackTab));
    clear_field(&mut state);
    type_text(&mut state, "bad host");
    state.update(press(KeyCode::Tab));
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "pw");
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    assert!(
        field_error(&state, "Registry").is_some(),
        "the registry is refused"
    );
    assert_eq!(focused(&state), "Registry");

    // Without an image selection or a refusal, Docker Hub is offered.
    let mut state = connected_with(vec![], vec![]);
    state.update(ch('L'));
    assert_eq!(form_text(&state, "Registry"), "docker.io");
}

#[test]
fn colon_login_and_logout() {
    let mut state = connected();
    command(&mut state, "login");
    assert_eq!(state.form_kind(), Some(FormKind::Login));
    state.update(press(KeyCode::Esc));
    assert!(state.form().is_none());

    let effects = command(&mut state, "logout 127.0.0.1:5000");
    assert_eq!(
        effects,
        [Effect::Logout {
            registry: "127.0.0.1:5000".into()
        }]
    );
    state.update(Msg::Login(LoginMsg::LoggedOut {
        registry: "127.0.0.1:5000".into(),
        result: Ok(Some("/tmp/d/config.json".into())),
    }));
    assert_eq!(
        status(&state),
        (
            "logged out of 127.0.0.1:5000 (erased from /tmp/d/config.json)".into(),
            Severity::Info
        )
    );
    state.update(Msg::Login(LoginMsg::LoggedOut {
        registry: "127.0.0.1:5000".into(),
        result: Err("docker-credential-pass: exit 1".into()),
    }));
    assert_eq!(
        status(&state),
        (
            "cannot log out of 127.0.0.1:5000: docker-credential-pass: exit 1".into(),
            Severity::Error
        )
    );
    state.update(Msg::Login(LoginMsg::LoggedOut {
        registry: "127.0.0.1:5000".into(),
        result: Ok(None),
    }));
    assert_eq!(
        status(&state),
        (
            "not logged in to 127.0.0.1:5000: nothing was stored".into(),
            Severity::Info
        )
    );
    // The host is checked as everywhere else; the stored server-address form is accepted.
    assert_eq!(command(&mut state, "logout 127.0.0.1:99999"), []);
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(text.starts_with("cannot log out: "), "{text}");
    assert_eq!(
        command(&mut state, "logout https://index.docker.io/v1/"),
        [Effect::Logout {
            registry: "https://index.docker.io/v1/".into()
        }]
    );
    command(&mut state, "logout");
    assert_eq!(
        state.command_line().unwrap().message.as_deref(),
        Some("usage: :logout REGISTRY")
    );
}

#[test]
fn a_refused_tags_list_offers_login_and_r_loads_it_again() {
    let mut state = connected();
    command(&mut state, "repo 127.0.0.1:5000/private/app");
    let generation = state.tags().generation;
    tags_failed(&mut state, unauthorized("127.0.0.1:5000"));
    let error = state.tags().error.clone().expect("an error");
    assert_eq!(
        error.message,
        "unauthorized — press L to log in to 127.0.0.1:5000"
    );
    assert_eq!(error.login_host.as_deref(), Some("127.0.0.1:5000"));

    state.update(ch('L'));
    assert_eq!(form_text(&state, "Registry"), "127.0.0.1:5000");
    type_text(&mut state, "user");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "secret");
    let sent = state.update(press(KeyCode::Enter));
    assert!(
        matches!(sent.as_slice(), [Effect::Login { .. }]),
        "{sent:?}"
    );
    state.update(Msg::Login(LoginMsg::LoggedIn {
        registry: "127.0.0.1:5000".into(),
        result: Ok("/d/config.json".into()),
    }));
    assert!(
        state.form().is_none(),
        "the form that sent the login closes"
    );
    assert!(
        status(&state)
            .0
            .ends_with("press R to retry the tags of 127.0.0.1:5000/private/app"),
        "{:?}",
        status(&state)
    );
    let effects = state.update(ch('R'));
    assert_eq!(
        effects,
        [Effect::LoadTags {
            generation: state.tags().generation,
            repository: repo("127.0.0.1:5000/private/app"),
        }]
    );
    assert!(state.tags().generation > generation);
    assert!(state.tags().loading);
}

// ----- remove ---------------------------------------------------------------------------------

#[test]
fn remove_says_exactly_what_goes_and_that_other_tags_stay() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    state.update(ch('d'));
    let question = confirm(&state);
    assert_eq!(question.title, "Remove");
    assert_eq!(
        question.body,
        format!(
            "Remove the tag nginx:1.25 from image {}?\nThe image stays: it keeps nginx:latest.",
            id('1').short()
        )
    );
    assert!(!question.yes_selected, "keeping is the highlighted answer");
    assert_eq!(
        (question.yes.as_str(), question.no.as_str()),
        ("Remove", "Keep")
    );

    // Enter takes the highlight (Keep); Esc and n are no.
    for no in [press(KeyCode::Enter), press(KeyCode::Esc), ch('n')] {
        if state.popups().is_empty() {
            state.update(ch('d'));
        }
        assert!(state.update(no).is_empty());
        assert!(state.popups().is_empty());
    }
    state.update(ch('d'));
    assert_eq!(
        state.update(ch('y')),
        [Effect::RemoveImages {
            names: vec!["nginx:1.25".into()],
            force: false
        }]
    );
    state.update(Msg::Removed(Removed {
        name: "nginx:1.25".into(),
        result: Ok(RemoveOutcome {
            untagged: vec!["nginx:1.25".into()],
            deleted: vec![],
        }),
    }));
    assert_eq!(
        status(&state),
        ("removed nginx:1.25".into(), Severity::Info)
    );

    // D on a tag with siblings only untags too: the question does not promise otherwise.
    state.update(ch('D'));
    let question = confirm(&state);
    assert_eq!(question.title, "Force remove");
    assert_eq!(
        question.body,
        format!(
            "Remove the tag nginx:1.25 from image {}?\nThe image stays: it keeps nginx:latest.",
            id('1').short()
        )
    );
    assert_eq!(
        state.update(ch('y')),
        [Effect::RemoveImages {
            names: vec!["nginx:1.25".into()],
            force: true
        }]
    );
}

#[test]
fn removing_the_last_tag_deletes_the_image_and_names_its_containers() {
    let mut state = connected_with(
        vec![record('1', &["nginx:1.25"], &[], DAY, 187_000_000)],
        vec![web_container()],
    );
    select(&mut state, "nginx:1.25");
    state.update(ch('d'));
    assert_eq!(
        confirm(&state).body,
        format!(
            "Remove the tag nginx:1.25 from image {}?\n\
             This deletes the image and those of its layers nothing else uses (187 MB).\n\
             Containers use it: web. The engine will refuse; D forces it.",
            id('1').short()
        )
    );
    state.update(ch('y'));
    state.update(Msg::Removed(Removed {
        name: "nginx:1.25".into(),
        result: Err(EngineError::new(
            EngineErrorKind::Conflict,
            "conflict: unable to remove repository reference \"nginx:1.25\" (must force) - container ccc is using its referenced image 111",
        )),
    }));
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(text.starts_with("cannot remove nginx:1.25: "), "{text}");
    assert!(text.ends_with(" — D forces it"), "{text}");

    // Force is its own question and its own effect.
    state.update(ch('D'));
    let question = confirm(&state);
    assert_eq!(question.title, "Force remove");
    assert!(
        question
            .body
            .ends_with("Containers use it: web.\nForce: the image goes even if containers use it."),
        "{}",
        question.body
    );
    assert_eq!(
        state.update(ch('y')),
        [Effect::RemoveImages {
            names: vec!["nginx:1.25".into()],
            force: true
        }]
    );
}

#[test]
fn a_question_about_an_image_with_many_names_lists_a_few_in_natural_order() {
    let tags: Vec<String> = (1..=30).map(|i| format!("app:t{i}")).collect();
    let names: Vec<&str> = tags.iter().map(String::as_str).collect();
    let mut state = connected_with(vec![record('1', &names, &[], DAY, 1_000)], vec![]);
    select(&mut state, "app:t1");
    state.update(ch('d'));
    assert_eq!(
        confirm(&state).body,
        format!(
            "Remove the tag app:t1 from image {}?\n\
             The image stays: it keeps app:t2, app:t3, app:t4, app:t5, app:t6, app:t7, app:t8 \
             and 22 more.",
            id('1').short()
        )
    );
}

#[test]
fn without_the_engine_local_names_are_unknown_not_missing() {
    let mut state = State::new(
        &Config::defaults().unwrap(),
        "unix:///var/run/docker.sock".into(),
        None,
    );
    state.start();
    for line in [
        "rmi alpine:3.19",
        "tag alpine:3.19 alpine:mine",
        "push alpine:3.19",
    ] {
        command(&mut state, line);
        assert_eq!(
            status(&state),
            (
                "not connected to the Docker engine: the local images are not known yet".into(),
                Severity::Error
            ),
            ":{line}"
        );
    }
}

#[test]
fn colon_rmi_asks_the_same_question() {
    let mut state = connected();
    assert!(command(&mut state, "rmi alpine:3.19").is_empty());
    assert_eq!(
        confirm(&state).body,
        format!(
            "Remove the tag alpine:3.19 from image {}?\n\
             This deletes the image and those of its layers nothing else uses (7.4 MB).",
            id('2').short()
        )
    );
    state.update(ch('n'));
    // By ID: the image with all its tags.
    command(&mut state, &format!("rmi {}", id('1').short()));
    assert_eq!(
        confirm(&state).body,
        format!(
            "Remove image {} (187 MB) with all its tags?\n\
             Tags that go: nginx:1.25, nginx:latest.\n\
             This deletes the image and those of its layers nothing else uses (187 MB).",
            id('1').short()
        )
    );
    // The engine refuses an image with several names by ID unless forced: the names go one
    // after the other instead (in one effect, so the executor runs them in order), and the
    // image with the last.
    let tags = state
        .images()
        .find(id('1').short())
        .unwrap()
        .repo_tags
        .clone();
    assert!(tags.len() > 1, "the fixture image has several names");
    assert_eq!(
        state.update(ch('y')),
        [Effect::RemoveImages {
            names: tags.clone(),
            force: false
        }]
    );
    // Forced, by ID, in one request.
    command(&mut state, &format!("rmi -f {}", id('1').short()));
    assert!(
        confirm(&state).body.contains("Force"),
        "{}",
        confirm(&state).body
    );
    assert_eq!(
        state.update(ch('y')),
        [Effect::RemoveImages {
            names: vec![id('1').short().to_string()],
            force: true
        }]
    );
    command(&mut state, "rmi nosuch:1");
    assert!(state.popups().is_empty());
    assert_eq!(
        status(&state),
        (
            "there is no local image called nosuch:1".into(),
            Severity::Error
        )
    );
}

// ----- import ---------------------------------------------------------------------------------

#[test]
fn import_tab_completes_paths_only_while_the_text_is_unchanged() {
    let mut state = connected();
    state.update(ch('i'));
    assert_eq!(state.form_kind(), Some(FormKind::Import));
    let labels: Vec<&str> = form(&state).fields().iter().map(|f| f.label).collect();
    assert_eq!(labels, ["File", "Image", "Message", "Changes"]);
    type_text(&mut state, "/srv/im");
    let effects = state.update(press(KeyCode::Tab));
    assert_eq!(
        effects,
        [Effect::CompletePath {
            typed: "/srv/im".into(),
            directory: PathBuf::from("/srv"),
        }]
    );
    assert_eq!(focused(&state), "File", "Tab completes, stays");

    // Two candidates: the common prefix, and the names listed under the field.
    state.update(Msg::PathCompleted {
        typed: "/srv/im".into(),
        completion: PathCompletion {
            text: "/srv/images/centos-7".into(),
            candidates: vec!["centos-7.tar.gz".into(), "centos-7.tar.xz".into()],
        },
    });
    assert_eq!(form_text(&state, "File"), "/srv/images/centos-7");
    assert_eq!(
        field_error(&state, "File").as_deref(),
        Some("centos-7.tar.gz  centos-7.tar.xz")
    );

    // An answer for text typed before the last keys is dropped.
    type_text(&mut state, ".tar.g");
    state.update(Msg::PathCompleted {
        typed: "/srv/images/centos-7".into(),
        completion: PathCompletion {
            text: "/srv/images/centos-7.tar.".into(),
            candidates: vec![],
        },
    });
    assert_eq!(form_text(&state, "File"), "/srv/images/centos-7.tar.g");

    // Nothing to complete: Tab moves on, as everywhere else.
    state.update(Msg::PathCompleted {
        typed: "/srv/images/centos-7.tar.g".into(),
        completion: PathCompletion {
            text: "/srv/images/centos-7.tar.g".into(),
            candidates: vec![],
        },
    });
    assert_eq!(focused(&state), "Image");
    // In other fields Tab is just the next field.
    assert!(state.update(press(KeyCode::Tab)).is_empty());
    assert_eq!(focused(&state), "Message");
}

#[test]
fn import_checks_fields_then_the_file_and_starts_a_job() {
    let mut state = connected();
    state.update(ch('i'));
    // Nothing typed.
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    assert_eq!(
        field_error(&state, "File").as_deref(),
        Some("give the archive's path")
    );
    type_text(&mut state, "/srv/rootfs.tar.gz");
    state.update(press(KeyCode::Tab)); // asks for completion; stays
    state.update(Msg::PathCompleted {
        typed: "/srv/rootfs.tar.gz".into(),
        completion: PathCompletion {
            text: "/srv/rootfs.tar.gz".into(),
            candidates: vec![],
        },
    });
    assert_eq!(focused(&state), "Image");
    // The image reference is checked as it is typed and on Enter.
    type_text(&mut state, "Custom-Centos:7.0");
    assert!(field_error(&state, "Image").is_some(), "live check");
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    assert!(field_error(&state, "Image").is_some());
    assert_eq!(form_text(&state, "Image"), "Custom-Centos:7.0");
    clear_field(&mut state);
    type_text(&mut state, "custom-centos:7.0");
    assert_eq!(field_error(&state, "Image"), None);
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "from a template");
    state.update(press(KeyCode::Tab));
    // A change the engine would refuse.
    type_text(&mut state, "RUN rm -rf /");
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    assert!(
        field_error(&state, "Changes").is_some(),
        "RUN is not a change import takes"
    );
    clear_field(&mut state);
    type_text(&mut state, "CMD [\"/bin/sh\"]");
    state.update(alt_enter());
    type_text(&mut state, "ENV A=1");

    let effects = state.update(press(KeyCode::Enter));
    let path = PathBuf::from("/srv/rootfs.tar.gz");
    assert_eq!(effects, [Effect::CheckImportFile { path: path.clone() }]);
    assert_eq!(form(&state).busy, Some("checking the file…"));

    // Not an archive: the form stays with the reason on the file field.
    let effects = state.update(Msg::ImportFileChecked(FileChecked {
        path: path.clone(),
        result: Err(
            "/srv/rootfs.tar.gz is not a tar archive (plain, gzip, bzip2, xz or zstd)".into(),
        ),
    }));
    assert!(effects.is_empty());
    let open = state.form().expect("the form stays");
    assert_eq!(open.busy, None);
    assert_eq!(open.focused_label(), Some("File"));
    assert_eq!(
        open.field_error("File"),
        Some("/srv/rootfs.tar.gz is not a tar archive (plain, gzip, bzip2, xz or zstd)")
    );
    assert_eq!(
        form_text(&state, "Image"),
        "custom-centos:7.0",
        "nothing typed is lost"
    );
    assert_eq!(form_text(&state, "Changes"), "CMD [\"/bin/sh\"]\nENV A=1");

    // Again; a late answer about another path is ignored, the right one starts the job.
    state.update(press(KeyCode::Enter));
    assert!(
        state
            .update(Msg::ImportFileChecked(FileChecked {
                path: PathBuf::from("/srv/old.tar"),
                result: Ok(1),
            }))
            .is_empty()
    );
    assert!(state.form().is_some());
    state.update(press(KeyCode::Enter));
    let effects = state.update(Msg::ImportFileChecked(FileChecked {
        path: path.clone(),
        result: Ok(2_000_000),
    }));
    assert!(state.form().is_none());
    let started = started_jobs(&effects);
    assert_eq!(
        started[0].1,
        JobSpec::Import {
            path,
            size: 2_000_000,
            repository: "custom-centos".into(),
            tag: "7.0".into(),
            message: Some("from a template".into()),
            changes: vec!["CMD [\"/bin/sh\"]".into(), "ENV A=1".into()],
        }
    );
    let job = started[0].0;
    assert_eq!(
        state.jobs().get(job).unwrap().title,
        "import → custom-centos:7.0"
    );

    // Byte progress, then the new image is looked up and selected when it arrives.
    state.update(Msg::JobProgress {
        id: job,
        progress: snapshot(vec![ProgressUpdate::Bytes {
            done: 500_000,
            total: Some(2_000_000),
        }]),
    });
    assert_eq!(
        state.jobs().get(job).unwrap().progress.fraction(),
        Some(0.25)
    );
    let effects = state.update(Msg::JobFinished {
        id: job,
        result: Ok(JobOutcome::Created {
            image: id('6'),
            reference: "custom-centos:7.0".into(),
        }),
    });
    assert!(effects.contains(&Effect::InspectImage {
        reference: id('6').0
    }));
    state.update(Msg::ImageInspected {
        reference: id('6').0,
        result: Ok(Some(record('6', &["custom-centos:7.0"], &[], 0, 2_100_000))),
    });
    assert_eq!(
        state.images().selected_row().unwrap().reference(),
        "custom-centos:7.0"
    );
}

#[test]
fn a_missing_file_opens_the_import_form_with_the_reason_under_the_file() {
    let mut state = connected();
    // Everything typed: the file is checked first, with no form on screen meanwhile.
    let effects = command(&mut state, "import /nope/rootfs.tar base:1");
    assert_eq!(
        effects,
        [Effect::CheckImportFile {
            path: PathBuf::from("/nope/rootfs.tar")
        }]
    );
    assert!(state.form().is_none() && state.popups().is_empty());
    assert!(
        state.status_text().starts_with("checking"),
        "{}",
        state.status_text()
    );
    state.update(Msg::ImportFileChecked(FileChecked {
        path: PathBuf::from("/nope/rootfs.tar"),
        result: Err("/nope/rootfs.tar does not exist".into()),
    }));
    // The form opens with what was typed and the reason under the file, which has the keys;
    // the status line no longer says the file is being checked.
    assert_eq!(state.form_kind(), Some(FormKind::Import));
    assert!(
        !state.status_text().contains("checking"),
        "{}",
        state.status_text()
    );
    assert_eq!(form_text(&state, "File"), "/nope/rootfs.tar");
    assert_eq!(form_text(&state, "Image"), "base:1");
    assert_eq!(
        field_error(&state, "File").as_deref(),
        Some("/nope/rootfs.tar does not exist")
    );
    assert_eq!(field_error(&state, "Image"), None);
    assert_eq!(focused(&state), "File");
    assert!(state.jobs().all().is_empty());
    // Enter in that form checks the file again.
    let effects = state.update(press(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::CheckImportFile {
            path: PathBuf::from("/nope/rootfs.tar")
        }]
    );
    state.update(Msg::ImportFileChecked(FileChecked {
        path: PathBuf::from("/nope/rootfs.tar"),
        result: Err("/nope/rootfs.tar does not exist".into()),
    }));
    assert_eq!(
        field_error(&state, "File").as_deref(),
        Some("/nope/rootfs.tar does not exist")
    );
    assert!(state.jobs().all().is_empty());

    // :import with a bad reference opens the form with the complaint already shown, on
    // the image, without looking at the file.
    state.update(press(KeyCode::Esc));
    let effects = command(&mut state, "import /srv/r.tar Base:1");
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(state.form_kind(), Some(FormKind::Import));
    assert_eq!(form_text(&state, "File"), "/srv/r.tar");
    assert_eq!(form_text(&state, "Image"), "Base:1");
    let error = field_error(&state, "Image").expect("an error under the image");
    assert!(error.contains("uppercase"), "{error}");
    assert_eq!(field_error(&state, "File"), None);
    assert_eq!(focused(&state), "Image");
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    command(&mut state, "import");
    assert_eq!(
        state.form_kind(),
        Some(FormKind::Import),
        "the form stays open"
    );
    assert!(state.jobs().all().is_empty());
}

#[test]
fn colon_import_with_a_path_and_a_name_checks_the_file_and_starts_at_once() {
    let mut state = connected();
    let path = PathBuf::from("/srv/rootfs.tar.gz");
    let effects = command(&mut state, "import /srv/rootfs.tar.gz base:1");
    assert_eq!(effects, [Effect::CheckImportFile { path: path.clone() }]);
    assert!(
        state.jobs().all().is_empty(),
        "not before the file is checked"
    );
    assert!(state.form().is_none() && state.popups().is_empty());

    // An answer about another file is not this import's.
    let effects = state.update(Msg::ImportFileChecked(FileChecked {
        path: PathBuf::from("/srv/other.tar"),
        result: Ok(1),
    }));
    assert!(started_jobs(&effects).is_empty(), "{effects:?}");
    assert!(state.form().is_none());

    let effects = state.update(Msg::ImportFileChecked(FileChecked {
        path: path.clone(),
        result: Ok(80_000_000),
    }));
    let started = started_jobs(&effects);
    assert_eq!(
        started,
        [(
            started[0].0,
            JobSpec::Import {
                path,
                size: 80_000_000,
                repository: "base".into(),
                tag: "1".into(),
                message: None,
                changes: vec![],
            }
        )]
    );
    assert!(state.form().is_none(), "no form on the way");
    assert!(state.popups().is_empty(), "no question");
    let job = state.jobs().get(started[0].0).unwrap();
    assert_eq!(job.title, "import → base:1");
    assert!(job.is_running());
    assert_eq!(status(&state).0, "started import → base:1");

    // The answer counts once: a repeat starts nothing more.
    let effects = state.update(Msg::ImportFileChecked(FileChecked {
        path: PathBuf::from("/srv/rootfs.tar.gz"),
        result: Ok(80_000_000),
    }));
    assert!(started_jobs(&effects).is_empty(), "{effects:?}");
    assert_eq!(state.jobs().all().len(), 1);

    // A name without a tag is `latest`, as everywhere else.
    command(&mut state, "import /srv/r.tar team/base");
    let started = started_jobs(&state.update(Msg::ImportFileChecked(FileChecked {
        path: PathBuf::from("/srv/r.tar"),
        result: Ok(10),
    })));
    assert!(
        matches!(
            &started[..],
            [(_, JobSpec::Import { repository, tag, .. })]
                if repository == "team/base" && tag == "latest"
        ),
        "{started:?}"
    );
}

#[test]
fn a_typed_path_under_home_is_read_there_and_shown_as_typed() {
    let home = PathBuf::from("/home/alice");
    let mut state = connected_at_home(images(), vec![], Some(home.clone()));
    let effects = command(&mut state, "import ~/rootfs.tar base:1");
    assert_eq!(
        effects,
        [Effect::CheckImportFile {
            path: home.join("rootfs.tar")
        }]
    );
    state.update(Msg::ImportFileChecked(FileChecked {
        path: home.join("rootfs.tar"),
        result: Err("/home/alice/rootfs.tar does not exist".into()),
    }));
    assert_eq!(form_text(&state, "File"), "~/rootfs.tar", "as typed");
    assert_eq!(
        field_error(&state, "File").as_deref(),
        Some("/home/alice/rootfs.tar does not exist")
    );
    // Tab lists the home directory; Enter checks the file there.
    clear_field(&mut state);
    type_text(&mut state, "~/ro");
    assert_eq!(
        state.update(press(KeyCode::Tab)),
        [Effect::CompletePath {
            typed: "~/ro".into(),
            directory: home.clone(),
        }]
    );
    type_text(&mut state, "otfs.tar");
    assert_eq!(
        state.update(press(KeyCode::Enter)),
        [Effect::CheckImportFile {
            path: home.join("rootfs.tar")
        }]
    );

    // Without a known home, `~` is a name like any other.
    let mut state = connected();
    assert_eq!(
        command(&mut state, "import ~/rootfs.tar base:1"),
        [Effect::CheckImportFile {
            path: PathBuf::from("~/rootfs.tar")
        }]
    );
}

// ----- tags pane ---------------------------------------------------------------------------

/// The generation of the last `SettleTags` effect in `effects` (the one that counts).
fn settle(effects: &[Effect]) -> Option<u64> {
    effects.iter().rev().find_map(|e| match e {
        Effect::SettleTags { generation, .. } => Some(*generation),
        _ => None,
    })
}

#[test]
fn a_name_made_here_is_not_sent_to_docker_hub_unless_asked() {
    let made_here = record('7', &["myteam/secret-app:2"], &[], HOUR, 1_000);
    let mut state = connected_with([images(), vec![made_here]].concat(), vec![]);
    // Pulled from Docker Hub: followed.
    assert!(settle(&select(&mut state, "nginx:1.25")).is_some());
    // Made here, with a Docker Hub name: not looked up there, and the pane says so.
    let generation = settle(&select(&mut state, "myteam/secret-app:2")).expect("a pause");
    let effects = state.update(Msg::TagsSettled { generation });
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::LoadTags { .. })),
        "{effects:?}"
    );
    assert_eq!(state.tags().repository, None);
    assert_eq!(
        state.tags_not_followed(),
        Some(repo("docker.io/myteam/secret-app"))
    );
    // Built here for another registry (1.10 has no digest): followed, the name goes only
    // where the user named.
    assert!(settle(&select(&mut state, "localhost:5000/team/app:1.10")).is_some());
    assert_eq!(state.tags_not_followed(), None);
    // `o` still opens the Docker Hub repository on purpose.
    select(&mut state, "myteam/secret-app:2");
    let effects = command(&mut state, "repo myteam/secret-app");
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::LoadTags { repository, .. } if *repository == repo("docker.io/myteam/secret-app")
        )),
        "{effects:?}"
    );
}

#[test]
fn the_tags_pane_follows_the_selected_image_once_the_selection_rests() {
    let mut state = connected();
    let first = settle(&select(&mut state, "localhost:5000/team/app:1.9")).expect("a settle timer");
    // Moving on before it fires: the old timer is ignored.
    let second = settle(&select(&mut state, "nginx:1.25")).expect("another timer");
    assert!(second > first);
    assert!(
        state
            .update(Msg::TagsSettled { generation: first })
            .is_empty()
    );
    assert_eq!(state.tags().repository, None);
    let effects = state.update(Msg::TagsSettled { generation: second });
    let local_nginx = state
        .images()
        .find("nginx:1.25")
        .map(|r| r.id.clone())
        .expect("nginx:1.25 is local");
    assert_eq!(
        effects,
        [
            // The local image's platform, for the per-platform LOCAL column.
            Effect::InspectImagePlatform { image: local_nginx },
            Effect::LoadTags {
                generation: state.tags().generation,
                repository: repo("docker.io/library/nginx"),
            }
        ]
    );
    assert!(!state.tags().pinned);

    // Another tag of the same repository (the next row) does not reload.
    let effects = state.update(ch('j'));
    assert_eq!(
        state.images().selected_row().unwrap().reference(),
        "nginx:latest"
    );
    assert_eq!(settle(&effects), None);
    // A different repository does, after its own pause.
    let generation = settle(&select(&mut state, "localhost:5000/team/app:1.10")).unwrap();
    let effects = state.update(Msg::TagsSettled { generation });
    assert_eq!(
        effects
            .iter()
            .filter(|e| !matches!(e, Effect::InspectImagePlatform { .. }))
            .collect::<Vec<_>>(),
        [&Effect::LoadTags {
            generation: state.tags().generation,
            repository: repo("localhost:5000/team/app"),
        }]
    );
}

#[test]
fn o_and_colon_repo_pin_a_repository_and_esc_follows_the_selection_again() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    state.update(ch('o'));
    assert_eq!(state.form_kind(), Some(FormKind::OpenRepository));
    type_text(&mut state, "Bad Repo");
    assert!(state.update(press(KeyCode::Enter)).is_empty());
    assert!(field_error(&state, "Repository").is_some());
    assert_eq!(form_text(&state, "Repository"), "Bad Repo");
    clear_field(&mut state);
    type_text(&mut state, "localhost:5000/other:3");
    let effects = state.update(press(KeyCode::Enter));
    assert_eq!(
        effects,
        [
            Effect::RememberRepository {
                repository: repo("localhost:5000/other"),
            },
            Effect::LoadTags {
                generation: state.tags().generation,
                repository: repo("localhost:5000/other"),
            }
        ],
        "a tag in the text is ignored"
    );
    assert!(state.tags().pinned);
    assert_eq!(state.focus(), Pane::Tags);

    // The images selection no longer moves it.
    state.update(ch('1'));
    let effects = select(&mut state, "alpine:3.19");
    assert_eq!(settle(&effects), None);
    assert_eq!(state.tags().repository, Some(repo("localhost:5000/other")));

    // Esc in the tags pane: back to following (after the usual pause).
    state.update(ch('4'));
    let effects = state.update(press(KeyCode::Esc));
    assert!(!state.tags().pinned);
    let generation = settle(&effects).expect("follows again");
    let effects = state.update(Msg::TagsSettled { generation });
    assert_eq!(
        effects,
        [
            // The local alpine's platform, for the per-platform LOCAL column.
            Effect::InspectImagePlatform { image: id('2') },
            Effect::LoadTags {
                generation: state.tags().generation,
                repository: repo("docker.io/library/alpine"),
            }
        ]
    );

    // :repo pins as well; a bad one says why.
    let effects = command(&mut state, "repo 127.0.0.1:5000/x/y");
    assert_eq!(
        effects.len(),
        2,
        "remembered, and its tags loaded: {effects:?}"
    );
    assert!(state.tags().pinned);
    assert_eq!(state.tags().repository, Some(repo("127.0.0.1:5000/x/y")));
    // (`UP/per` would name the registry host `UP`, as docker reads it.)
    assert!(command(&mut state, "repo up/Per").is_empty());
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(text.starts_with("cannot open \"up/Per\": "), "{text}");
    assert_eq!(state.tags().repository, Some(repo("127.0.0.1:5000/x/y")));
    // A registry alone is not taken for a Docker Hub repository.
    for host in ["127.0.0.1:5071", "localhost:5000", "[::1]:5000"] {
        assert!(command(&mut state, &format!("repo {host}")).is_empty());
        let (text, _) = status(&state);
        assert!(
            text.ends_with(&format!("list its repositories with :registry {host}")),
            "{text}"
        );
    }
    // Remembered, the local nginx's platform asked, the tags loaded.
    assert_eq!(command(&mut state, "repo nginx:1.25").len(), 3);
}

#[test]
fn stale_tag_answers_are_dropped() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/a");
    let old = state.tags().generation;
    command(&mut state, "repo localhost:5000/b");
    assert!(state.tags().generation > old);
    let effects = state.update(Msg::TagsLoaded {
        generation: old,
        result: Ok(TagList {
            tags: vec!["from-a".into()],
            truncated: false,
        }),
    });
    assert!(effects.is_empty());
    assert!(
        !state.tags().loaded && state.tags().loading,
        "still waiting for b"
    );
    assert_eq!(state.tags().total(), 0);
    state.update(Msg::TagsLoaded {
        generation: old,
        result: Err(RegistryError::Timeout {
            host: REGISTRY.into(),
        }),
    });
    assert_eq!(
        state.tags().error,
        None,
        "an old failure is not shown either"
    );

    tags_loaded(&mut state, &["1.10", "1.9", "1.2", "latest"]);
    let names: Vec<String> = (0..state.tags().visible_len())
        .map(|i| state.tags().visible_row(i).unwrap().name.clone())
        .collect();
    assert_eq!(names, ["1.2", "1.9", "1.10", "latest"], "natural order");
    // A digest answer of the old generation does not land on b's rows.
    state.update(Msg::TagDigestLoaded {
        generation: old,
        tag: "1.9".into(),
        result: Ok(ManifestHead {
            digest: digest('a'),
            media_type: None,
            size: None,
        }),
    });
    assert_eq!(state.tags().row_named("1.9").unwrap().digest, None);
}

#[test]
fn tag_details_are_fetched_a_few_at_a_time_for_the_rows_on_screen() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    let generation = state.tags().generation;
    let tags: Vec<String> = (0..200).map(|i| format!("v{i}")).collect();
    let effects = state.update(Msg::TagsLoaded {
        generation,
        result: Ok(TagList {
            tags: tags.clone(),
            truncated: false,
        }),
    });
    let digests = digests_asked(&effects);
    assert_eq!(effects.len(), MAX_IN_FLIGHT, "bounded: {effects:?}");
    assert_eq!(
        digests,
        ["v0", "v1", "v2", "v3"],
        "the selected and visible rows first"
    );

    // Each answer frees a slot for the next request: the detail of that row.
    let effects = state.update(Msg::TagDigestLoaded {
        generation,
        tag: "v0".into(),
        result: Ok(ManifestHead {
            digest: digest('9'),
            media_type: None,
            size: None,
        }),
    });
    assert_eq!(
        effects,
        [Effect::LoadTagDetail {
            generation,
            repository: repo("localhost:5000/team/app"),
            tag: "v0".into(),
        }]
    );
    // Errors free their slot as well, and mark the row.
    let effects = state.update(Msg::TagDigestLoaded {
        generation,
        tag: "v1".into(),
        result: Err(RegistryError::NotFound {
            host: REGISTRY.into(),
            missing: Missing::Tag {
                repository: "localhost:5000/team/app".into(),
                tag: "v1".into(),
            },
        }),
    });
    assert_eq!(effects.len(), 1);
    assert!(state.tags().row_named("v1").unwrap().error.is_some());

    // Far rows are asked for only when they come on screen.
    let mut asked: Vec<String> = Vec::new();
    for _ in 0..150 {
        for effect in state.update(ch('j')) {
            if let Effect::LoadTagDigest { tag, .. } = effect {
                asked.push(tag);
            }
        }
    }
    assert!(asked.is_empty(), "no slot is free: {asked:?}");
    assert_eq!(state.tags().selected().unwrap().name, "v150");
    let effects = state.update(Msg::TagDetailLoaded {
        generation,
        tag: "v0".into(),
        result: Ok(single_detail(
            &repo("localhost:5000/team/app"),
            "v0",
            &digest('9'),
            10,
        )),
    });
    assert_eq!(
        effects,
        [Effect::LoadTagDigest {
            generation,
            repository: repo("localhost:5000/team/app"),
            tag: "v150".into(),
        }],
        "the selected row goes first"
    );
}

#[test]
fn sorting_the_tags_asks_for_the_rows_it_brings_on_screen() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    assert_eq!(state.focus(), Pane::Tags);
    let generation = state.tags().generation;
    let mut pending = state.update(Msg::TagsLoaded {
        generation,
        result: Ok(TagList {
            tags: (0..200).map(|i| format!("v{i}")).collect(),
            truncated: false,
        }),
    });
    // Every row near the top is answered (missing), until nothing more is asked for.
    let mut answered = 0;
    while let Some(effect) = pending.pop() {
        let Effect::LoadTagDigest { tag, .. } = effect else {
            panic!("only digests are asked for: {effect:?}");
        };
        answered += 1;
        pending.extend(state.update(Msg::TagDigestLoaded {
            generation,
            result: Err(RegistryError::NotFound {
                host: REGISTRY.into(),
                missing: Missing::Tag {
                    repository: "localhost:5000/team/app".into(),
                    tag: tag.clone(),
                },
            }),
            tag,
        }));
    }
    assert!(answered < 100, "only rows near the top: {answered}");
    for _ in 0..15 {
        assert_eq!(state.update(ch('j')), [], "these rows are answered");
    }

    // Reversed, the selected v15 stays selected near the end of the list: the rows above
    // it (v16 and on, never on screen before) come on screen and are asked for.
    let effects = state.update(ch('S'));
    let asked = digests_asked(&effects);
    assert_eq!(state.tags().selected().unwrap().name, "v15");
    assert_eq!(asked.len(), MAX_IN_FLIGHT, "{effects:?}");
    let fresh = |tag: &&String| tag[1..].parse::<usize>().unwrap() >= answered;
    assert!(
        asked.iter().all(fresh),
        "{asked:?} after {answered} answered"
    );
}

#[test]
fn the_local_column_compares_remote_digests_with_local_images() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    let g = state.tags().generation;
    tags_loaded(&mut state, &["1.9", "1.10", "2"]);
    for (tag, d) in [("1.9", '9'), ("1.10", 'f'), ("2", '9')] {
        state.update(Msg::TagDigestLoaded {
            generation: g,
            tag: tag.into(),
            result: Ok(ManifestHead {
                digest: digest(d),
                media_type: None,
                size: None,
            }),
        });
    }
    let column = |state: &State, tag: &str| {
        let local = LocalIndex::new(state.images().records(), &repo("localhost:5000/team/app"));
        local.status(state.tags().row_named(tag).unwrap())
    };
    assert_eq!(
        column(&state, "1.9"),
        LocalStatus::Same,
        "pulled from there"
    );
    assert_eq!(
        column(&state, "1.10"),
        LocalStatus::Checking,
        "a local 1.10 without this digest: its image ID decides, once the details come"
    );
    assert_eq!(
        column(&state, "2"),
        LocalStatus::Elsewhere,
        "no local 2, but its image is here as 1.9"
    );
    state.update(Msg::TagDetailLoaded {
        generation: g,
        tag: "1.10".into(),
        result: Ok(single_detail(
            &repo("localhost:5000/team/app"),
            "1.10",
            &digest('f'),
            10,
        )),
    });
    assert_eq!(
        column(&state, "1.10"),
        LocalStatus::Differs,
        "built here, not pushed"
    );

    // After a push the engine records the digest: the lookup's answer turns "differs" to
    // "same".
    let pushed = record(
        '4',
        &["localhost:5000/team/app:1.10"],
        &[&format!("localhost:5000/team/app@{}", digest('f'))],
        2 * HOUR,
        98_500_000,
    );
    state.update(Msg::ImageInspected {
        reference: "localhost:5000/team/app:1.10".into(),
        result: Ok(Some(pushed)),
    });
    assert_eq!(column(&state, "1.10"), LocalStatus::Same);
}

#[test]
fn enter_on_a_tag_opens_its_detail_and_fetches_it_if_needed() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    let generation = state.tags().generation;
    tags_loaded(&mut state, &["1", "2"]);
    state.update(ch('j'));
    // Its digest is on its way already: Enter opens the popup and asks for nothing more…
    let effects = state.update(press(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(
        state.popups().last(),
        Some(Popup::TagDetail { tag, .. }) if tag == "2"
    ));
    // …and the detail follows the digest.
    let effects = state.update(Msg::TagDigestLoaded {
        generation,
        tag: "2".into(),
        result: Ok(ManifestHead {
            digest: "sha256:two".into(),
            media_type: None,
            size: None,
        }),
    });
    assert!(
        effects.contains(&Effect::LoadTagDetail {
            generation,
            repository: repo("localhost:5000/team/app"),
            tag: "2".into(),
        }),
        "{effects:?}"
    );
    state.update(press(KeyCode::Esc));
    assert!(state.popups().is_empty());
}

#[tokio::test]
async fn the_catalog_loads_the_next_page_when_the_selection_nears_the_end() {
    let cursor = catalog_cursor().await;
    let mut state = connected();
    let effects = command(&mut state, "registry localhost:5000");
    let generation = state.tags().catalog.as_ref().unwrap().generation;
    assert_eq!(
        effects,
        [Effect::LoadCatalog {
            generation,
            registry: REGISTRY.into(),
            cursor: None,
            page_size: CATALOG_PAGE,
        }]
    );
    assert_eq!(state.focus(), Pane::Tags);
    let page: Vec<_> = (0..100)
        .map(|i| repo(&format!("localhost:5000/r{i:03}")))
        .collect();
    let effects = state.update(Msg::CatalogLoaded {
        generation,
        result: Ok(wharf::registry::CatalogPage {
            repositories: page,
            next: Some(cursor.clone()),
            ..Default::default()
        }),
    });
    assert!(effects.is_empty(), "the top of a long page needs no more");
    let mut asked = Vec::new();
    for step in 0..99 {
        for effect in state.update(ch('j')) {
            asked.push((step, effect));
        }
    }
    assert_eq!(
        asked.len(),
        1,
        "exactly one request for the next page: {asked:?}"
    );
    let (step, effect) = &asked[0];
    assert_eq!(
        *step, 69,
        "asked once the selection is 30 rows from the end"
    );
    assert_eq!(
        *effect,
        Effect::LoadCatalog {
            generation,
            registry: REGISTRY.into(),
            cursor: Some(cursor.clone()),
            page_size: CATALOG_PAGE,
        }
    );
    // The next page appends; without a further cursor nothing more is asked for.
    let effects = state.update(Msg::CatalogLoaded {
        generation,
        result: Ok(wharf::registry::CatalogPage {
            repositories: vec![repo("localhost:5000/z")],
            next: None,
            ..Default::default()
        }),
    });
    assert!(effects.is_empty());
    let catalog = state.tags().catalog.as_ref().unwrap();
    assert_eq!(catalog.repositories.len(), 101);
    assert_eq!(
        catalog.view.cursor.selected(),
        99,
        "the selection stays put"
    );

    // Enter opens the selected repository's tags (pinned), Esc from there follows again.
    let effects = state.update(press(KeyCode::Enter));
    assert!(state.tags().catalog.is_none());
    assert_eq!(
        effects,
        [
            Effect::RememberRepository {
                repository: repo("localhost:5000/r099"),
            },
            Effect::LoadTags {
                generation: state.tags().generation,
                repository: repo("localhost:5000/r099"),
            }
        ]
    );
    assert!(state.tags().pinned);
}

#[test]
fn catalog_errors_are_shown_in_the_pane() {
    let mut state = connected();
    command(&mut state, "registry 127.0.0.1:5000");
    let generation = state.tags().catalog.as_ref().unwrap().generation;
    state.update(Msg::CatalogLoaded {
        generation,
        result: Err(RegistryError::Unauthorized {
            host: "127.0.0.1:5000".into(),
            credentials_rejected: false,
        }),
    });
    let catalog = state.tags().catalog.as_ref().unwrap();
    assert!(!catalog.loading);
    let error = catalog.error.as_ref().unwrap();
    assert_eq!(
        error.message,
        "unauthorized — press L to log in to 127.0.0.1:5000"
    );
    // After logging in, R asks for the catalog again, not for some repository's tags.
    let effects = state.update(ch('R'));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::LoadCatalog { registry, cursor: None, .. }] if registry == "127.0.0.1:5000"
        ),
        "{effects:?}"
    );
    // A stale page (another browse since) is dropped.
    command(&mut state, "registry localhost:5000");
    let effects = state.update(Msg::CatalogLoaded {
        generation,
        result: Ok(wharf::registry::CatalogPage {
            repositories: vec![repo("127.0.0.1:5000/x")],
            next: None,
            ..Default::default()
        }),
    });
    assert!(effects.is_empty());
    assert!(
        state
            .tags()
            .catalog
            .as_ref()
            .unwrap()
            .repositories
            .is_empty()
    );
    assert!(command(&mut state, "registry bad host").is_empty());
}

#[test]
fn a_missing_or_empty_repository_is_said_so() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/nothing");
    tags_failed(&mut state, repository_missing("localhost:5000/nothing"));
    let error = state.tags().error.as_ref().unwrap();
    assert_eq!(error.message, "repository localhost:5000/nothing not found");
    assert_eq!(error.login_host, None, "no login offered for a 404");

    command(&mut state, "repo localhost:5000/empty");
    tags_loaded(&mut state, &[]);
    assert!(state.tags().loaded);
    assert_eq!(state.tags().total(), 0);
    assert_eq!(state.tags().error, None);
}

#[test]
fn details_keep_loading_after_browsing_the_catalog_and_coming_back() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    let generation = state.tags().generation;
    let tags: Vec<String> = (0..10).map(|i| format!("v{i}")).collect();
    let requests = state
        .update(Msg::TagsLoaded {
            generation,
            result: Ok(TagList {
                tags,
                truncated: false,
            }),
        })
        .len();
    assert_eq!(requests, MAX_IN_FLIGHT);
    // b: browse the registry while those requests are in flight; Esc comes back.
    state.update(ch('b'));
    assert!(state.tags().catalog.is_some());
    state.update(press(KeyCode::Esc));
    assert!(state.tags().catalog.is_none());
    // The answers asked for before the catalog still count: they land on their rows and
    // free their slots for the next rows, so the pane is not left waiting.
    let mut asked = Vec::new();
    for tag in ["v0", "v1", "v2", "v3"] {
        asked.extend(state.update(Msg::TagDigestLoaded {
            generation,
            tag: tag.into(),
            result: Ok(ManifestHead {
                digest: digest('c'),
                media_type: None,
                size: None,
            }),
        }));
    }
    let rows_known = (0..state.tags().visible_len())
        .filter(|i| state.tags().visible_row(*i).unwrap().digest.is_some())
        .count();
    assert_eq!(rows_known, 4, "the answers landed: {asked:?}");
    assert_eq!(
        asked.len(),
        MAX_IN_FLIGHT,
        "each answer frees a slot for the next request: {asked:?}"
    );
}

#[test]
fn a_login_that_ends_after_esc_leaves_other_forms_alone() {
    let mut state = connected();
    command(&mut state, "login 127.0.0.1:5000");
    type_text(&mut state, "alice");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "pw");
    assert_eq!(state.update(press(KeyCode::Enter)).len(), 1);
    // Esc leaves the check running in the background; the user goes on with a pull.
    state.update(press(KeyCode::Esc));
    assert!(state.form().is_none());
    state.update(ch('p'));
    assert_eq!(state.form_kind(), Some(FormKind::Pull));
    state.update(Msg::Login(LoginMsg::LoggedIn {
        registry: "127.0.0.1:5000".into(),
        result: Ok("/d/config.json".into()),
    }));
    assert_eq!(
        state.form_kind(),
        Some(FormKind::Pull),
        "the pull prompt stays"
    );
    assert_eq!(
        status(&state),
        (
            "logged in to 127.0.0.1:5000 (stored in /d/config.json)".into(),
            Severity::Info
        )
    );
    // A refusal that arrives after Esc is a status message, not a form.
    state.update(press(KeyCode::Esc));
    state.update(Msg::Login(LoginMsg::LoggedIn {
        registry: "127.0.0.1:5000".into(),
        result: Err(LoginFailure::Rejected("401 Unauthorized".into())),
    }));
    assert!(state.form().is_none());
    assert_eq!(
        status(&state),
        (
            "login to 127.0.0.1:5000 refused: 401 Unauthorized".into(),
            Severity::Error
        )
    );
}

// ----- regressions found in review -----------------------------------------------------------

#[test]
fn image_events_do_not_restart_the_pause_for_the_same_repository() {
    let mut state = connected();
    let generation = settle(&select(&mut state, "nginx:1.25")).expect("a settle timer");
    // An unrelated image event re-lists the images while the pause runs.
    let records = state.images().records().to_vec();
    let effects = state.update(Msg::ImagesLoaded(Ok(records)));
    assert_eq!(settle(&effects), None, "the pause goes on: {effects:?}");
    let effects = state.update(Msg::TagsSettled { generation });
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::InspectImagePlatform { .. }, Effect::LoadTags { .. }]
        ),
        "{effects:?}"
    );
}

#[test]
fn enter_on_a_tag_counts_its_request_and_does_not_repeat_it() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    state.update(press(KeyCode::Char('4')));
    let effects = tags_loaded(
        &mut state,
        &(0..20)
            .map(|i| format!("v{i}"))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(effects.len(), MAX_IN_FLIGHT, "{effects:?}");
    // The selected row's digest is on its way: Enter adds nothing, again and again.
    for _ in 0..3 {
        let effects = state.update(press(KeyCode::Enter));
        assert!(effects.is_empty(), "{effects:?}");
        state.update(press(KeyCode::Esc));
    }
    // Far down, a row nothing was asked for: Enter asks once, and counts it.
    state.update(press(KeyCode::Char('G')));
    let effects = state.update(press(KeyCode::Enter));
    assert!(
        matches!(effects.as_slice(), [Effect::LoadTagDetail { tag, .. }] if tag == "v19"),
        "{effects:?}"
    );
    state.update(press(KeyCode::Esc));
    assert!(state.update(press(KeyCode::Enter)).is_empty());
}

#[test]
fn r_in_the_tags_pane_checks_again_what_each_tag_points_to() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    tags_loaded(&mut state, &["1"]);
    let generation = state.tags().generation;
    state.update(Msg::TagDigestLoaded {
        generation,
        tag: "1".into(),
        result: Ok(ManifestHead {
            digest: "sha256:old".into(),
            media_type: None,
            size: None,
        }),
    });
    assert_eq!(
        state.tags().row_named("1").unwrap().digest.as_deref(),
        Some("sha256:old")
    );
    let effects = state.update(ch('r'));
    assert!(
        matches!(effects.as_slice(), [Effect::LoadTags { .. }]),
        "{effects:?}"
    );
    let effects = tags_loaded(&mut state, &["1"]);
    assert_eq!(
        state.tags().row_named("1").unwrap().digest,
        None,
        "the old digest is not trusted"
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadTagDigest { tag, .. } if tag == "1")),
        "{effects:?}"
    );
}

#[test]
fn a_push_reloads_the_tags_pane_showing_its_repository() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    tags_loaded(&mut state, &["1.9"]);
    let id = start_push(&mut state, "localhost:5000/team/app:1.9");
    let effects = state.update(Msg::JobFinished {
        id,
        result: Ok(JobOutcome::Pushed {
            reference: "localhost:5000/team/app:1.9".into(),
            digest: Some("sha256:new".into()),
        }),
    });
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadTags { .. })),
        "{effects:?}"
    );
}

#[test]
fn a_selection_waiting_for_a_new_image_gives_way_to_the_user() {
    let mut state = connected();
    // Tag to a name the filter hides: the selection cannot go there yet.
    let target = "zeta:1";
    state.update(Msg::Tagged(Tagged {
        target: target.into(),
        result: Ok(()),
    }));
    // The user moves on.
    state.update(ch('j'));
    let selected = state.images().selected_row().unwrap().reference();
    // Later the new name shows up with an unrelated event: the selection stays put.
    let mut records = state.images().records().to_vec();
    records[0].repo_tags.push(target.into());
    state.update(Msg::ImagesLoaded(Ok(records)));
    assert_eq!(state.images().selected_row().unwrap().reference(), selected);
}
