//! Render snapshots (insta, ratatui `TestBackend`, a fixed clock) of the action prompts and
//! questions, and of jobs: the pull prompt with a validation error, the tag prompt, the
//! login form (the password masked), the import form with path candidates and with an
//! error, the remove and push questions, the jobs strip with a running push, the jobs view
//! with jobs in every state and a failed job's detail. Wide (160×45) and narrow (80×24).

use crossterm::event::KeyCode;

use wharf::effect::Effect;
use wharf::flows::import::FileChecked;
use wharf::flows::login::{LoginFailure, LoginMsg};
use wharf::job::{JobError, JobId, JobOutcome, Progress, ProgressUpdate};
use wharf::model::path_completion::PathCompletion;
use wharf::msg::Msg;
use wharf::state::State;

use crate::support::action_fixtures::*;
use crate::support::forms::field_error;
use crate::support::keys::*;
use crate::support::render::{render, screen, snap_both};

fn started(effects: &[Effect]) -> JobId {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::StartJob { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a job started")
}

/// A push of `localhost:5000/team/app:1.10` half-way: one layer done, one mounted, one
/// uploading, one waiting.
fn running_push(state: &mut State) -> JobId {
    select(state, "localhost:5000/team/app:1.10");
    state.update(ch('P'));
    let id = started(&state.update(ch('y')));
    let mut progress = Progress::default();
    for update in [
        ProgressUpdate::Message("The push refers to repository [localhost:5000/team/app]".into()),
        layer("5f70bf18a086", "Pushed", 0, 0),
        layer("a3ed95caeb02", "Mounted from team/base", 0, 0),
        layer("8d3ac3489996", "Pushing", 31_400_000, 52_300_000),
        layer("c2adabaecedb", "Waiting", 0, 0),
    ] {
        progress.apply(update);
    }
    state.update(Msg::JobProgress { id, progress });
    id
}

// ----- prompts -------------------------------------------------------------------------------

#[test]
fn pull_prompt_with_a_validation_error() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    state.update(ch('p'));
    clear_field(&mut state);
    type_text(&mut state, "localhost:5000/Team/App:1");
    state.update(press(KeyCode::Enter));
    let error = field_error(&state, "Image");
    assert!(error.is_some(), "the reference is refused");
    for text in snap_both!(&state, "pull_prompt_error") {
        assert!(text.contains("Pull an image"), "{text}");
        assert!(
            text.contains("localhost:5000/Team/App:1"),
            "the typed text stays"
        );
    }
}

#[test]
fn a_long_error_wraps_so_its_reason_shows() {
    let mut state = connected();
    let tag = "t".repeat(200);
    command(&mut state, &format!("pull team/app:{tag}"));
    for text in snap_both!(&state, "long_error_wraps") {
        let bottom: String = text.lines().rev().take(3).collect::<Vec<_>>().join(" ");
        assert!(bottom.contains("cannot pull \"team/app:ttt"), "{bottom}");
        assert!(bottom.contains("128"), "the reason is on screen: {bottom}");
    }
}

#[test]
fn tag_prompt() {
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    state.update(ch('t'));
    clear_field(&mut state);
    type_text(&mut state, "localhost:5000/base/alpine:3.19");
    for text in snap_both!(&state, "tag_prompt") {
        assert!(text.contains("Tag alpine:3.19"), "{text}");
    }
    // Live validation on screen.
    type_text(&mut state, " x");
    let terminal = render(&state, 80, 24);
    insta::assert_snapshot!("tag_prompt_invalid_narrow", terminal.backend());
}

#[test]
fn login_form_masks_the_password() {
    let secret = "abc>>>def+/=";
    let mut state = connected();
    command(&mut state, "login 127.0.0.1:5000");
    type_text(&mut state, "alice");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, secret);
    for text in snap_both!(&state, "login_form") {
        assert!(!text.contains("abc>"), "the secret is on screen:\n{text}");
        assert!(!text.contains(secret));
        assert!(text.contains(&"•".repeat(secret.chars().count())), "{text}");
    }
    // While the engine checks, and after it refused.
    state.update(press(KeyCode::Enter));
    let terminal = render(&state, 160, 45);
    assert!(!screen(terminal.backend().buffer()).contains("abc>"));
    insta::assert_snapshot!("login_form_checking_wide", terminal.backend());
    state.update(Msg::Login(LoginMsg::LoggedIn {
        registry: "127.0.0.1:5000".into(),
        result: Err(LoginFailure::Rejected(
            "login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized"
                .into(),
        )),
    }));
    for text in snap_both!(&state, "login_form_refused") {
        assert!(!text.contains("abc>"), "{text}");
        assert!(text.contains("wrong username or password"), "{text}");
    }
}

#[test]
fn import_form_with_path_candidates_and_with_an_error() {
    let mut state = connected();
    state.update(ch('i'));
    type_text(&mut state, "/srv/templates/centos-7");
    state.update(press(KeyCode::Tab));
    state.update(Msg::PathCompleted {
        typed: "/srv/templates/centos-7".into(),
        completion: PathCompletion {
            text: "/srv/templates/centos-7-x86_64-minimal.tar.".into(),
            candidates: vec![
                "centos-7-x86_64-minimal.tar.gz".into(),
                "centos-7-x86_64-minimal.tar.xz".into(),
            ],
        },
    });
    for text in snap_both!(&state, "import_form_candidates") {
        assert!(text.contains("centos-7-x86_64-minimal.tar.xz"), "{text}");
    }

    type_text(&mut state, "gz");
    for _ in 0..3 {
        state.update(press(KeyCode::BackTab));
    }
    type_text(&mut state, "custom-centos:7.0");
    state.update(press(KeyCode::Tab));
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "CMD [\"/bin/bash\"]");
    state.update(alt_enter());
    type_text(&mut state, "ENV LANG=C.UTF-8");
    state.update(press(KeyCode::Enter));
    state.update(Msg::ImportFileChecked(FileChecked {
        path: "/srv/templates/centos-7-x86_64-minimal.tar.gz".into(),
        result: Err(
            "/srv/templates/centos-7-x86_64-minimal.tar.gz is not a tar archive (plain, gzip, \
             bzip2, xz or zstd)"
                .into(),
        ),
    }));
    for text in snap_both!(&state, "import_form_error") {
        assert!(text.contains("is not a tar archive"), "{text}");
        assert!(text.contains("custom-centos:7.0"), "{text}");
    }
}

// ----- questions -----------------------------------------------------------------------------

#[test]
fn remove_confirm_says_what_goes_and_what_stays() {
    let mut state = connected_with(images(), vec![web_container()]);
    select(&mut state, "nginx:1.25");
    state.update(ch('d'));
    for text in snap_both!(&state, "remove_confirm") {
        assert!(text.contains("it keeps nginx:latest"), "{text}");
    }
    // The force question, for the last tag of an image a container uses.
    let mut state = connected_with(
        vec![record('1', &["nginx:1.25"], &[], DAY, 187_000_000)],
        vec![web_container()],
    );
    select(&mut state, "nginx:1.25");
    state.update(ch('D'));
    let terminal = render(&state, 160, 45);
    insta::assert_snapshot!("force_remove_confirm_wide", terminal.backend());
}

#[test]
fn push_confirm() {
    let mut state = connected();
    select(&mut state, "localhost:5000/team/app:1.10");
    state.update(ch('P'));
    for text in snap_both!(&state, "push_confirm") {
        assert!(
            text.contains("Push localhost:5000/team/app:1.10 to localhost:5000?"),
            "{text}"
        );
    }
}

// ----- jobs ----------------------------------------------------------------------------------

#[test]
fn jobs_strip_with_a_running_push() {
    let mut state = connected();
    running_push(&mut state);
    for text in snap_both!(&state, "jobs_strip_push") {
        let strip = text.lines().rev().nth(1).unwrap();
        assert!(
            strip.contains("push localhost:5000/team/app:1.10"),
            "{strip}"
        );
        assert!(strip.contains("2/4 layers"), "{strip}");
    }
}

/// Four jobs: a running push, a finished pull, a failed push and a cancelled import.
fn jobs_in_every_state() -> State {
    let mut state = connected();
    command(&mut state, "pull localhost:5000/team/app:1.9");
    let pull = state.jobs().all().last().unwrap().id;
    state.update(Msg::JobFinished {
        id: pull,
        result: Ok(JobOutcome::Pulled {
            reference: "localhost:5000/team/app:1.9".into(),
        }),
    });
    select(&mut state, "alpine:3.19");
    // Typed out, the push starts without a question.
    let failed = started(&command(&mut state, "push alpine:3.19"));
    state.update(Msg::JobFinished {
        id: failed,
        result: Err(JobError::Failed(
            "denied: requested access to the resource is denied\n\
             (the registry at docker.io refused the upload of library/alpine)"
                .into(),
        )),
    });
    // Typed out, the import checks the file and starts without the form.
    let effects = command(&mut state, "import /srv/rootfs.tar.gz base:1");
    assert_eq!(effects.len(), 1, "{effects:?}");
    let import = started(&state.update(Msg::ImportFileChecked(FileChecked {
        path: "/srv/rootfs.tar.gz".into(),
        result: Ok(80_000_000),
    })));
    let mut progress = Progress::default();
    progress.apply(ProgressUpdate::Bytes {
        done: 20_000_000,
        total: Some(80_000_000),
    });
    state.update(Msg::JobProgress {
        id: import,
        progress,
    });
    state.update(Msg::JobFinished {
        id: import,
        result: Err(JobError::Cancelled),
    });
    running_push(&mut state);
    state.update(ch('5'));
    state
}

#[test]
fn jobs_view_with_running_done_failed_and_cancelled_jobs() {
    let state = jobs_in_every_state();
    for text in snap_both!(&state, "jobs_view") {
        for word in ["running", "done", "failed", "cancelled"] {
            assert!(text.contains(word), "{word} missing:\n{text}");
        }
    }
}

#[test]
fn a_running_push_that_retries_says_so_and_its_detail_lists_the_layers() {
    let mut state = connected();
    let id = running_push(&mut state);
    let mut progress = state.jobs().get(id).unwrap().progress.clone();
    // The registry went away mid-upload: the engine waits, then tries the layer again.
    progress.apply(layer("8d3ac3489996", "Retrying in 5 seconds", 0, 0));
    state.update(Msg::JobProgress { id, progress });
    let strip = screen(render(&state, 160, 45).backend().buffer());
    assert!(
        strip.contains("retrying in 5 seconds"),
        "the strip says the push is retrying:\n{strip}"
    );

    state.update(ch('5'));
    state.update(press(KeyCode::Enter));
    for text in snap_both!(&state, "running_job_detail") {
        assert!(
            text.contains("8d3ac3489996  Retrying in 5 seconds"),
            "{text}"
        );
        assert!(text.contains("5f70bf18a086  Pushed"), "{text}");
    }
}

#[test]
fn a_failed_jobs_detail_shows_the_whole_message() {
    let mut state = jobs_in_every_state();
    // Newest first: push (running), import (cancelled), push (failed).
    state.update(ch('j'));
    state.update(ch('j'));
    state.update(press(KeyCode::Enter));
    for text in snap_both!(&state, "failed_job_detail") {
        assert!(text.contains("the registry at docker.io refused"), "{text}");
    }
}
