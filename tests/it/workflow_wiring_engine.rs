//! The workflow wired end to end against the real engine through the headless app (the real
//! `State` and `Executor`): `:run` as a job (and its refusals leaving nothing behind), the
//! lifecycle keys and commands, and the logs view receiving a container's live lines.

use std::time::Duration;

use crossterm::event::KeyCode;

use wharf::job::JobSpec;
use wharf::model::jobs::JobStatus;
use wharf::model::popup::Popup;

use crate::support::engine::{
    CMD_SH, Scratch, docker, engine_or_skip, import_test_image, unique_name,
};
use crate::support::headless::Headless;
use crate::support::registry::free_port;

const LIMIT: Duration = Duration::from_secs(30);

/// A container that idles and stops at once on SIGTERM.
const IDLE: &str = "sh -c 'trap \"exit 0\" TERM; while true; do sleep 1; done'";

fn command(h: &mut Headless, text: &str) {
    h.press(KeyCode::Char(':'));
    h.type_text(text);
    h.press(KeyCode::Enter);
}

fn container_exists(name: &str) -> bool {
    !docker(&["ps", "-a", "-q", "--filter", &format!("name=^/{name}$")]).is_empty()
}

fn state_of(name: &str) -> String {
    docker(&["inspect", "--format", "{{.State.Status}}", name])
}

/// The last run job's status.
fn last_run(h: &Headless) -> Option<JobStatus> {
    h.state
        .jobs()
        .all()
        .iter()
        .rev()
        .find(|j| matches!(j.spec, JobSpec::Run(_)))
        .map(|j| j.status.clone())
}

async fn setup(label: &str) -> Option<(Headless, Scratch, String)> {
    let engine = engine_or_skip().await?;
    let mut scratch = Scratch::new();
    let image = format!("{}:1", unique_name(label));
    import_test_image(&engine, &mut scratch, &image, &[CMD_SH]).await;
    let mut h = Headless::start();
    h.ready().await;
    h.until(LIMIT, |h| h.has(&image))
        .await
        .expect("the test image listed");
    Some((h, scratch, image))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_starts_the_container_selects_it_and_refusals_leave_nothing_behind() {
    let Some((mut h, mut scratch, image)) = setup("wire-run").await else {
        return;
    };
    let name = unique_name("wire-run-ctr");
    scratch.track_container(&name);
    let port = free_port();
    command(
        &mut h,
        &format!("run --name {name} -p 127.0.0.1:{port}:80 -e GREETING=hi {image} {IDLE}"),
    );
    h.until(LIMIT, |h| {
        h.state.containers().selected().map(|c| c.name.as_str()) == Some(name.as_str())
    })
    .await
    .unwrap_or_else(|| panic!("{name} selected; log:\n{}", h.log.join("\n")));
    assert_eq!(h.state.focus(), wharf::state::Pane::Containers);
    assert_eq!(state_of(&name), "running");
    assert!(
        docker(&["inspect", "--format", "{{json .Config.Env}}", &name]).contains("GREETING=hi")
    );

    // The name is taken: said, and no second container.
    command(&mut h, &format!("run --name {name} {image} true"));
    h.until(LIMIT, |h| matches!(last_run(h), Some(JobStatus::Failed(_))))
        .await
        .expect("the second run fails");
    assert!(
        h.state.status_text().contains("already exists"),
        "{}",
        h.state.status_text()
    );

    // The port is taken: said, and the half-made container removed.
    let other = unique_name("wire-run-port");
    scratch.track_container(&other);
    command(
        &mut h,
        &format!("run --name {other} -p 127.0.0.1:{port}:80 {image} {IDLE}"),
    );
    h.until(LIMIT, |h| {
        h.state.status_text().contains("already in use")
            || h.state.status_text().contains("already allocated")
    })
    .await
    .unwrap_or_else(|| panic!("port refusal; status {:?}", h.state.status_text()));
    assert!(!container_exists(&other), "nothing half-created is left");

    // A missing image: offered as a pull, nothing created.
    let missing = unique_name("wire-missing");
    command(&mut h, &format!("run --name {missing} {missing}:1 true"));
    h.until(LIMIT, |h| {
        matches!(h.state.top_popup(), Some(Popup::Confirm(_)))
    })
    .await
    .expect("the pull is offered");
    h.press(KeyCode::Char('n'));
    assert!(!container_exists(&missing));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_keys_and_commands_reach_the_engine() {
    let Some((mut h, mut scratch, image)) = setup("wire-life").await else {
        return;
    };
    let name = unique_name("wire-life-ctr");
    scratch.track_container(&name);
    command(&mut h, &format!("run --name {name} {image} {IDLE}"));
    h.until(LIMIT, |h| {
        h.state.containers().selected().map(|c| c.name.as_str()) == Some(name.as_str())
    })
    .await
    .expect("the container selected");

    // Keys act on the selected container.
    h.press(KeyCode::Char('z'));
    h.until(LIMIT, |h| h.state.status_text().starts_with("paused"))
        .await
        .expect("paused");
    assert_eq!(state_of(&name), "paused");
    h.press(KeyCode::Char('Z'));
    h.until(LIMIT, |h| h.state.status_text().starts_with("unpaused"))
        .await
        .expect("unpaused");
    assert_eq!(state_of(&name), "running");

    // Commands by name.
    command(&mut h, &format!("stop {name}"));
    h.until(LIMIT, |h| h.state.status_text().starts_with("stopped"))
        .await
        .expect("stopped");
    assert_eq!(state_of(&name), "exited");
    command(&mut h, &format!("start {name}"));
    h.until(LIMIT, |h| h.state.status_text().starts_with("started"))
        .await
        .expect("started");
    assert_eq!(state_of(&name), "running");
    command(&mut h, &format!("restart {name}"));
    h.until(LIMIT, |h| h.state.status_text().starts_with("restarted"))
        .await
        .expect("restarted");
    let renamed = format!("{name}-2");
    scratch.track_container(&renamed);
    command(&mut h, &format!("rename {name} {renamed}"));
    h.until(LIMIT, |h| h.state.status_text().starts_with("renamed"))
        .await
        .expect("renamed");
    assert!(container_exists(&renamed) && !container_exists(&name));
    h.until(LIMIT, |h| h.state.containers().find(&renamed).is_some())
        .await
        .expect("the list shows the new name");

    // Removing a running container needs force; with it, it goes.
    command(&mut h, &format!("rm {renamed}"));
    assert!(
        h.state.status_text().contains("running"),
        "{}",
        h.state.status_text()
    );
    command(&mut h, &format!("kill {renamed}"));
    h.until(LIMIT, |h| h.state.status_text().starts_with("killed"))
        .await
        .expect("killed");
    h.until(LIMIT, |h| {
        h.state
            .containers()
            .find(&renamed)
            .is_some_and(|c| !c.state.is_up())
    })
    .await
    .expect("the list shows it stopped");
    command(&mut h, &format!("rm -v {renamed}"));
    assert!(matches!(h.state.top_popup(), Some(Popup::Confirm(_))));
    h.press(KeyCode::Char('y'));
    h.until(LIMIT, |h| h.state.status_text().starts_with("removed"))
        .await
        .unwrap_or_else(|| panic!("removed; status {:?}", h.state.status_text()));
    assert!(!container_exists(&renamed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_view_receives_live_lines_and_marks_stderr() {
    let Some((mut h, mut scratch, image)) = setup("wire-logs").await else {
        return;
    };
    let name = unique_name("wire-logs-ctr");
    scratch.track_container(&name);
    // Writes a line a second to stdout and to stderr until stopped.
    let script = "trap 'exit 0' TERM; i=0; while true; do echo out $i; echo err $i >&2; i=$((i+1)); sleep 1; done";
    command(
        &mut h,
        &format!("run --name {name} {image} sh -c \"{script}\""),
    );
    h.until(LIMIT, |h| {
        h.state.containers().selected().map(|c| c.name.as_str()) == Some(name.as_str())
    })
    .await
    .expect("the container selected");
    h.press(KeyCode::Char('l'));
    assert!(h.state.logs().is_some());
    // Lines that did not exist when the view opened arrive: it follows.
    h.until(LIMIT, |h| {
        h.state.logs().is_some_and(|l| {
            (0..l.buffer.len() as u64)
                .any(|seq| l.buffer.get(seq).is_some_and(|e| &*e.text == "out 3"))
        })
    })
    .await
    .expect("live lines arrive");
    let logs = h.state.logs().unwrap();
    let stderr = (0..logs.buffer.len() as u64)
        .filter_map(|seq| logs.buffer.get(seq))
        .find(|e| e.text.starts_with("err"))
        .expect("a stderr line");
    assert_eq!(stderr.stream, wharf::docker::LogStream::Stderr);

    // Closing the view: then removing the container ends nothing on screen.
    h.press(KeyCode::Esc);
    assert!(h.state.logs().is_none());
    assert!(
        h.log.iter().any(|l| l.contains("StopLogs")),
        "the stream was stopped"
    );
}
