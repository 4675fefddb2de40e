//! Containers against the real engine: the writable layer of a container that added, changed
//! and deleted known files; commits through wharf's own path (the containers pane, the commit
//! form, the job the executor runs) of a running and of a stopped container; a container
//! that goes away before or while it is committed; and the pane listing containers like
//! `docker ps` and `docker ps -a`.
//!
//! Every image and container has a unique name and is removed afterwards (also when a test
//! fails), and nothing else on the engine is touched.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};

use crate::support::engine::{
    CMD_SH, Rootfs, Scratch, docker, docker_output, engine_or_skip, import_archive, unique_name,
};
use crate::support::forms::{form, form_text};
use crate::support::headless::Headless;
use wharf::docker::{ChangeKind, ContainerId, ContainerState, Engine, FileChange};
use wharf::job::JobSpec;
use wharf::model::jobs::JobStatus;
use wharf::state::{Pane, State};

/// Generous bounds: the work is quick, a loaded machine is not.
const LIMIT: Duration = Duration::from_secs(30);

/// A file the image has and the container appends to.
const MODIFIED: &str = "/etc/wharf-modified";
/// A file the image has and the container deletes.
const DELETED: &str = "/etc/wharf-deleted";
/// A file the container creates.
const ADDED: &str = "/added.txt";

/// What the container does before it idles.
const SCRIPT: &str =
    "echo a > /added.txt; echo x >> /etc/wharf-modified; rm /etc/wharf-deleted; sleep 1000";

/// Imports a runnable busybox image with the two files the container will touch.
async fn import_image(engine: &Engine, scratch: &mut Scratch, label: &str) -> String {
    let reference = format!("{}:base", unique_name(label));
    let rootfs = Rootfs::busybox()
        .file(MODIFIED, "original\n")
        .file(DELETED, "doomed\n");
    import_archive(engine, scratch, &reference, rootfs.tar(), &[CMD_SH]).await;
    reference
}

/// `docker run -d` the script in a new container; returns its name and ID.
fn run_script(scratch: &mut Scratch, image: &str, label: &str) -> (String, ContainerId) {
    let name = unique_name(label);
    scratch.track_container(&name);
    let id = docker(&["run", "-d", "--name", &name, image, "sh", "-c", SCRIPT]);
    (name, ContainerId(id))
}

/// The changes the script makes, exactly as the engine reports them: the three files and the
/// directory that holds two of them.
fn expected_changes() -> Vec<(String, ChangeKind)> {
    vec![
        (ADDED.to_string(), ChangeKind::Added),
        ("/etc".to_string(), ChangeKind::Changed),
        (DELETED.to_string(), ChangeKind::Deleted),
        (MODIFIED.to_string(), ChangeKind::Changed),
    ]
}

fn sorted(changes: &[FileChange]) -> Vec<(String, ChangeKind)> {
    let mut list: Vec<(String, ChangeKind)> =
        changes.iter().map(|c| (c.path.clone(), c.kind)).collect();
    list.sort();
    list
}

/// Polls the engine until the script's changes are all there (it runs in the background).
async fn wait_for_changes(engine: &Engine, id: &ContainerId) -> Vec<(String, ChangeKind)> {
    let deadline = Instant::now() + LIMIT;
    loop {
        let changes = sorted(
            &engine
                .container_changes(id)
                .await
                .expect("the container's changes"),
        );
        if changes.len() >= expected_changes().len() || Instant::now() >= deadline {
            return changes;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A headless wharf, connected, with both lists in, whose list has `name`.
async fn app_with(name: &str) -> Headless {
    let mut app = Headless::start();
    app.ready().await;
    let wanted = name.to_string();
    app.until(LIMIT, move |h| h.state.containers().find(&wanted).is_some())
        .await
        .unwrap_or_else(|| panic!("{name} is not in wharf's container list"));
    app
}

/// Focuses the containers pane and filters it down to `name`, which gets selected.
fn select_only(app: &mut Headless, name: &str) {
    app.press(KeyCode::Char('3'));
    app.press(KeyCode::Char('/'));
    app.type_text(name);
    app.press(KeyCode::Enter);
    assert_eq!(app.state.focus(), Pane::Containers);
    assert_eq!(
        app.state.containers().visible_len(),
        1,
        "the filter leaves only {name}"
    );
    assert_eq!(
        app.state.containers().selected().map(|r| r.name.as_str()),
        Some(name)
    );
}

/// Replaces the image field of the open form with `reference`.
fn set_image_field(app: &mut Headless, reference: &str) {
    assert_eq!(
        app.state.form().and_then(|o| o.focused_label()),
        Some("Image")
    );
    app.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.type_text(reference);
}

/// The status line's text.
fn status(state: &State) -> String {
    state.status_text().to_string()
}

/// Waits for the newest job to end; returns how.
async fn job_end(app: &mut Headless) -> JobStatus {
    let id = app.state.jobs().all().last().expect("a job").id;
    app.until(LIMIT, |h| {
        h.state.jobs().get(id).is_some_and(|j| !j.is_running())
    })
    .await
    .unwrap_or_else(|| panic!("the job did not end within {LIMIT:?}"));
    app.state.jobs().get(id).unwrap().status.clone()
}

/// Makes sure wharf follows the event stream: creates throwaway containers until one shows
/// up in its list without a reload being asked for.
async fn wait_for_events(app: &mut Headless, scratch: &mut Scratch, image: &str) {
    for _ in 0..20 {
        let probe = unique_name("probe");
        scratch.track_container(&probe);
        docker(&["create", "--name", &probe, image]);
        let wanted = probe.clone();
        if app
            .until(Duration::from_millis(500), move |h| {
                h.state.containers().find(&wanted).is_some()
            })
            .await
            .is_some()
        {
            return;
        }
    }
    panic!("no probe container showed up within 10 s: the event stream is not followed");
}

fn inspect(format: &str, object: &str) -> String {
    docker(&["inspect", "--format", format, object])
}

// ----- the writable layer --------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writable_layer_lists_exactly_what_the_container_changed() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = import_image(&engine, &mut scratch, "diff").await;
    let (name, id) = run_script(&mut scratch, &image, "diff-ctr");

    let changes = wait_for_changes(&engine, &id).await;
    assert_eq!(changes, expected_changes(), "Engine::container_changes");
    // The same as the docker CLI says.
    let cli: BTreeSet<String> = docker(&["diff", &name])
        .lines()
        .map(str::to_string)
        .collect();
    let ours: BTreeSet<String> = changes
        .iter()
        .map(|(path, kind)| format!("{} {path}", kind.letter()))
        .collect();
    assert_eq!(ours, cli);

    // Through wharf: Enter on the container opens the tree of those changes.
    let mut app = app_with(&name).await;
    select_only(&mut app, &name);
    app.press(KeyCode::Enter);
    app.until(LIMIT, |h| h.state.changes().is_some_and(|v| !v.loading))
        .await
        .expect("the changes view loaded");
    let view = app.state.changes().unwrap();
    assert_eq!(view.error, None);
    assert_eq!(view.container, id);
    assert_eq!(
        (view.counts.added, view.counts.changed, view.counts.deleted),
        (1, 2, 1)
    );
    let tree: Vec<(String, Option<ChangeKind>, usize)> = (0..view.visible_len())
        .map(|i| {
            let node = view.visible_node(i).unwrap();
            (node.path.clone(), node.kind, node.depth)
        })
        .collect();
    assert_eq!(
        tree,
        [
            (ADDED.to_string(), Some(ChangeKind::Added), 0),
            ("/etc".to_string(), Some(ChangeKind::Changed), 0),
            (DELETED.to_string(), Some(ChangeKind::Deleted), 1),
            (MODIFIED.to_string(), Some(ChangeKind::Changed), 1),
        ]
    );

    // A stopped container still has its layer.
    docker(&["stop", "--time", "0", &name]);
    assert_eq!(
        sorted(&engine.container_changes(&id).await.unwrap()),
        expected_changes()
    );
    // And a removed one has none to show: wharf says so in words.
    docker(&["rm", "-f", &name]);
    app.press(KeyCode::Char('r'));
    app.until(LIMIT, |h| {
        h.state.changes().is_some_and(|v| v.error.is_some())
    })
    .await
    .expect("the view says the container is gone");
    let error = app.state.changes().unwrap().error.clone().unwrap();
    assert!(error.contains("no longer exists"), "{error}");
}

// ----- commit --------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committing_from_the_form_keeps_message_author_and_cmd_and_selects_the_image() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = import_image(&engine, &mut scratch, "commit").await;
    let (name, id) = run_script(&mut scratch, &image, "commit-ctr");
    assert_eq!(wait_for_changes(&engine, &id).await, expected_changes());

    let reference = format!("{}:v1", unique_name("committed"));
    scratch.track_image(&reference);
    let message = format!("snapshot of {name}");
    let author = "Wharf Test <wharf@example.com>";
    let cmd = r#"CMD ["/bin/sh", "-c", "cat /added.txt /etc/wharf-modified"]"#;

    let mut app = app_with(&name).await;
    select_only(&mut app, &name);
    app.press(KeyCode::Char('c'));
    let suggested = form_text(&app.state, "Image");
    assert_eq!(
        suggested,
        format!("{}:{name}", image.trim_end_matches(":base"))
    );
    set_image_field(&mut app, &reference);
    app.press(KeyCode::Tab);
    app.type_text(&message);
    app.press(KeyCode::Tab);
    app.type_text(author);
    app.press(KeyCode::Tab); // pause: on
    app.press(KeyCode::Tab);
    app.type_text(r#"LABEL org.example.made-by=wharf"#);
    app.key(KeyCode::Enter, KeyModifiers::ALT);
    app.type_text(cmd);
    app.press(KeyCode::Enter);
    assert!(app.state.form().is_none(), "the form closed");
    let job = app.state.jobs().all().last().expect("a job").clone();
    let JobSpec::Commit(request) = &job.spec else {
        panic!("a commit job, got {:?}", job.spec);
    };
    assert_eq!(request.container, id);
    assert!(request.pause);

    let outcome = job_end(&mut app).await;
    let JobStatus::Succeeded(summary) = outcome else {
        panic!("the commit failed: {outcome:?}\n{}", app.log.join("\n"));
    };
    let new_id = inspect("{{.Id}}", &reference);
    scratch.track_image(&new_id);
    assert!(summary.contains(&reference), "{summary}");

    // The images pane selects the new image; the layers pane shows its top layer.
    app.until(LIMIT, |h| {
        h.state.images().selected_row().map(|r| r.reference()) == Some(reference.clone())
            && h.state.layers().rows().is_some()
    })
    .await
    .unwrap_or_else(|| panic!("{reference} was not selected:\n{}", app.log.join("\n")));
    assert_eq!(
        app.state.layers().image().map(|i| i.0.clone()),
        Some(new_id.clone())
    );
    let top = &app.state.layers().rows().unwrap()[0];
    assert_eq!(top.comment, message);

    // What the engine has: the message on the top history entry, the author, the changes.
    let comments = docker(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.Comment}}",
        &reference,
    ]);
    assert_eq!(comments.lines().next(), Some(message.as_str()));
    assert_eq!(inspect("{{.Comment}}", &reference), message);
    assert_eq!(inspect("{{.Author}}", &reference), author);
    assert_eq!(
        inspect("{{json .Config.Cmd}}", &reference),
        r#"["/bin/sh","-c","cat /added.txt /etc/wharf-modified"]"#
    );
    assert_eq!(
        inspect(
            "{{index .Config.Labels \"org.example.made-by\"}}",
            &reference
        ),
        "wharf"
    );

    // The container keeps running (paused only while committing).
    assert_eq!(inspect("{{.State.Status}}", &name), "running");

    // The image holds the writable layer: its CMD prints the added and the modified file,
    // and the deleted file is gone.
    assert_eq!(scratch.run_once("run", &reference, &[]), "a\noriginal\nx");
    let check = unique_name("check");
    scratch.track_container(&check);
    let out = docker_output(&["run", "--rm", "--name", &check, &reference, "cat", DELETED]);
    assert!(!out.status.success(), "{DELETED} should be gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_container_commits_too() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = import_image(&engine, &mut scratch, "stopped").await;
    let name = scratch.run_to_completion(&image, &["sh", "-c", "echo done > /stopped.txt"]);
    assert_eq!(inspect("{{.State.Status}}", &name), "exited");

    let reference = format!("{}:v1", unique_name("from-stopped"));
    scratch.track_image(&reference);
    let mut app = app_with(&name).await;
    // Hidden from the running-only list, found by the command line.
    app.press(KeyCode::Char('3'));
    assert!(
        (0..app.state.containers().visible_len()).all(|i| app
            .state
            .containers()
            .visible_row(i)
            .unwrap()
            .name
            != name)
    );
    app.press(KeyCode::Char(':'));
    app.type_text(&format!("commit {name} {reference}"));
    app.press(KeyCode::Enter);
    assert_eq!(
        app.state.form().map(|o| o.text("Image")),
        Some(reference.clone())
    );
    app.press(KeyCode::Tab);
    app.type_text("from a stopped container");
    app.press(KeyCode::Enter);
    let outcome = job_end(&mut app).await;
    assert!(
        matches!(outcome, JobStatus::Succeeded(_)),
        "{outcome:?}\n{}",
        app.log.join("\n")
    );
    scratch.track_image(inspect("{{.Id}}", &reference));
    assert_eq!(
        inspect("{{.Comment}}", &reference),
        "from a stopped container"
    );
    assert_eq!(inspect("{{.State.Status}}", &name), "exited");
    assert_eq!(
        scratch.run_once("run", &reference, &["cat", "/stopped.txt"]),
        "done"
    );
    app.until(LIMIT, |h| {
        h.state.images().selected_row().map(|r| r.reference()) == Some(reference.clone())
    })
    .await
    .expect("the new image is selected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_container_removed_before_the_commit_fails_with_a_readable_message() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = import_image(&engine, &mut scratch, "vanish").await;

    // Removed while the form is open: wharf hears it from the engine and refuses.
    let (name, _) = run_script(&mut scratch, &image, "vanish-form");
    let mut app = app_with(&name).await;
    wait_for_events(&mut app, &mut scratch, &image).await;
    select_only(&mut app, &name);
    app.press(KeyCode::Char('c'));
    let reference = format!("{}:never", unique_name("vanished"));
    scratch.track_image(&reference);
    set_image_field(&mut app, &reference);
    docker(&["rm", "-f", &name]);
    app.until(LIMIT, |h| h.state.form().is_some_and(|o| o.error.is_some()))
        .await
        .expect("the form says the container is gone");
    let error = form(&app.state).error.unwrap().to_string();
    assert_eq!(
        error,
        format!("container {name} no longer exists — Esc closes this form")
    );
    app.press(KeyCode::Enter);
    assert!(app.state.jobs().all().is_empty(), "no job starts");
    app.press(KeyCode::Esc);
    assert!(app.state.form().is_none());

    // Removed after wharf last listed it: the job fails and says why in words.
    let (name, id) = run_script(&mut scratch, &image, "vanish-job");
    let wanted = name.clone();
    app.until(LIMIT, move |h| h.state.containers().find(&wanted).is_some())
        .await
        .expect("the new container is listed");
    app.press(KeyCode::Esc); // clear the filter
    app.press(KeyCode::Char(':'));
    app.type_text(&format!("commit {name} {reference}"));
    app.press(KeyCode::Enter);
    assert!(app.state.form().is_some());
    // Nothing reaches wharf between the removal and Enter: it still lists the container.
    docker(&["rm", "-f", &name]);
    app.press(KeyCode::Enter);
    assert_eq!(app.state.jobs().all().len(), 1, "the job started");
    let outcome = job_end(&mut app).await;
    let JobStatus::Failed(message) = outcome else {
        panic!("the commit of a removed container must fail: {outcome:?}");
    };
    assert_eq!(
        message,
        format!("container {} no longer exists", id.short())
    );
    let shown = status(&app.state);
    assert_eq!(
        shown,
        format!(
            "commit {name} → {reference} failed: container {} no longer exists",
            id.short()
        )
    );
    for dump in ["DockerResponseServerError", "status_code", "{", "Error {"] {
        assert!(!shown.contains(dump), "a debug dump: {shown}");
    }
    let out = docker_output(&["image", "inspect", &reference]);
    assert!(!out.status.success(), "no image was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_the_engine_refuses_comes_back_in_its_words() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = import_image(&engine, &mut scratch, "refuse").await;
    let (name, _) = run_script(&mut scratch, &image, "refuse-ctr");
    let reference = format!("{}:never", unique_name("refused"));
    scratch.track_image(&reference);

    let mut app = app_with(&name).await;
    select_only(&mut app, &name);
    app.press(KeyCode::Char('c'));
    set_image_field(&mut app, &reference);
    for _ in 0..4 {
        app.press(KeyCode::Tab);
    }
    // Well formed, so the form lets it through; the engine parses the variable and refuses.
    app.type_text("ENV =x");
    app.press(KeyCode::Enter);
    assert!(app.state.form().is_none(), "the form let it through");
    let outcome = job_end(&mut app).await;
    assert_eq!(
        outcome,
        JobStatus::Failed("ENV names can not be blank".into())
    );
    assert_eq!(
        status(&app.state),
        format!("commit {name} → {reference} failed: ENV names can not be blank")
    );
    assert!(
        !docker_output(&["image", "inspect", &reference])
            .status
            .success()
    );
    assert_eq!(inspect("{{.State.Status}}", &name), "running");
}

// ----- the list ------------------------------------------------------------------------------

/// The names of `mine` that wharf's containers pane shows.
fn shown(state: &State, mine: &[String]) -> Vec<String> {
    let mut names: Vec<String> = (0..state.containers().visible_len())
        .map(|i| state.containers().visible_row(i).unwrap().name.clone())
        .filter(|n| mine.contains(n))
        .collect();
    names.sort();
    names
}

/// The names of `mine` that `docker ps ARGS` lists.
fn cli_ps(args: &[&str], mine: &[String]) -> Vec<String> {
    let mut command = vec!["ps", "--format", "{{.Names}}"];
    command.extend_from_slice(args);
    let mut names: Vec<String> = docker(&command)
        .lines()
        .map(str::to_string)
        .filter(|n| mine.contains(n))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pane_lists_running_or_all_like_docker_ps() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = import_image(&engine, &mut scratch, "ps").await;
    let (running, _) = run_script(&mut scratch, &image, "ps-running");
    let exited = scratch.run_to_completion(&image, &["true"]);
    let created = unique_name("ps-created");
    scratch.track_container(&created);
    docker(&["create", "--name", &created, &image]);
    let mine = vec![running.clone(), exited.clone(), created.clone()];

    let mut app = app_with(&created).await;
    app.press(KeyCode::Char('3'));
    let ps = cli_ps(&[], &mine);
    assert_eq!(ps, std::slice::from_ref(&running));
    assert_eq!(shown(&app.state, &mine), ps, "running only, like docker ps");

    app.press(KeyCode::Char('a'));
    let ps_all = cli_ps(&["-a"], &mine);
    assert_eq!(ps_all.len(), 3);
    assert_eq!(shown(&app.state, &mine), ps_all, "all, like docker ps -a");
    for (name, state) in [
        (&running, ContainerState::Running),
        (&exited, ContainerState::Exited),
        (&created, ContainerState::Created),
    ] {
        let record = app.state.containers().find(name).unwrap();
        assert_eq!(record.state, state, "{name}");
        assert_eq!(record.image, image, "{name}");
        assert_eq!(record.id.0, inspect("{{.Id}}", name));
    }

    // `i` on a container selects its image and its layers.
    app.press(KeyCode::Char('/'));
    app.type_text(&running);
    app.press(KeyCode::Enter);
    app.press(KeyCode::Char('i'));
    assert_eq!(app.state.focus(), Pane::Images);
    assert_eq!(
        app.state.images().selected_row().map(|r| r.reference()),
        Some(image.clone())
    );
    let image_id = inspect("{{.Id}}", &image);
    app.until(LIMIT, |h| {
        h.state.layers().image().map(|i| i.0.as_str()) == Some(image_id.as_str())
            && h.state.layers().rows().is_some()
    })
    .await
    .expect("the layers of the container's image");
}
