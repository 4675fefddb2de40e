//! The files view (issue 10): `f` on an image, a layer or a remote tag and `:files`, as
//! state flows (keys and load events in, effects out), snapshots of the view, and end to
//! end through the executor: a saved archive with no engine, a committed image through
//! the real engine's export.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;

use wharf::effect::Effect;
use wharf::flows::files::FilesMsg;
use wharf::layerfs::LayerIndex;
use wharf::layerfs::source::{ImagePlan, LayerInfo, LoadEvent, Progress};
use wharf::model::files::{FilesLoadId, FilesSource};
use wharf::msg::Msg;
use wharf::registry::Platform;
use wharf::state::{Pane, State};

use crate::support::action_fixtures::{command, connected, select, tags_loaded};
use crate::support::engine::{
    CMD_SH, Scratch, docker, engine_or_skip, import_test_image, unique_name,
};
use crate::support::headless::Headless;
use crate::support::images::{E, docker_save, file, layer_tar, sha256};
use crate::support::keys::{ch, press};
use crate::support::render::{render, screen, snap_both};

// ----- building blocks -----------------------------------------------------------------------

/// Three layers: a base; passwd rewritten, ls deleted, an app added; the app's directory
/// made opaque and refilled.
fn sample_layers() -> Vec<Vec<E>> {
    vec![
        vec![
            E::Dir("bin"),
            file("bin/sh", 100),
            file("bin/ls", 50),
            E::HardLink("bin/sh2", "bin/sh"),
            E::Symlink("bin/shell", "/bin/sh"),
            E::Dir("etc"),
            file("etc/passwd", 10),
        ],
        vec![
            E::Dir("bin"),
            E::Whiteout("bin/ls"),
            E::Dir("etc"),
            file("etc/passwd", 20),
            E::Dir("app"),
            file("app/old", 300),
        ],
        vec![E::Dir("app"), E::Opaque("app"), file("app/new", 7)],
    ]
}

fn tars() -> Vec<Vec<u8>> {
    sample_layers().iter().map(|l| layer_tar(l)).collect()
}

pub(crate) fn event(load: FilesLoadId, event: LoadEvent) -> Msg {
    Msg::Files(FilesMsg::Event { load, event })
}

pub(crate) fn plan(tars: &[Vec<u8>]) -> LoadEvent {
    LoadEvent::Plan(ImagePlan {
        name: "sample".into(),
        layers: tars
            .iter()
            .enumerate()
            .map(|(i, t)| LayerInfo {
                diff_id: sha256(t),
                created_by: format!("/bin/sh -c step {i}"),
                transfer_size: None,
            })
            .collect(),
        total_bytes: Some(tars.iter().map(|t| t.len() as u64).sum()),
    })
}

pub(crate) fn layer(tar: &[u8]) -> LoadEvent {
    LoadEvent::Layer {
        diff_id: sha256(tar),
        index: Arc::new(LayerIndex::read(tar, "test layer").expect("a layer index")),
        cached: false,
        locator: None,
    }
}

fn progress(bytes: u64, done: usize) -> LoadEvent {
    LoadEvent::Progress(Progress {
        bytes,
        total_bytes: Some(10_000),
        layers_done: done,
        layers_total: Some(3),
    })
}

/// The load an `OpenFiles` effect started, and what it reads.
pub(crate) fn opened(effects: &[Effect]) -> (FilesLoadId, FilesSource) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::OpenFiles { load, source } => Some((*load, source.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no OpenFiles in {effects:?}"))
}

fn cancelled(effects: &[Effect]) -> Option<FilesLoadId> {
    effects.iter().find_map(|e| match e {
        Effect::CancelFiles { load } => Some(*load),
        _ => None,
    })
}

/// Connected, `f` on nginx:1.25, and the whole sample streamed in.
fn loaded() -> (State, FilesLoadId) {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    let (load, _) = opened(&state.update(ch('f')));
    let tars = tars();
    state.update(event(load, plan(&tars)));
    for tar in &tars {
        state.update(event(load, layer(tar)));
    }
    state.update(event(load, LoadEvent::Done));
    (state, load)
}

fn tree(state: &State) -> Vec<String> {
    state.files().expect("the files view is open").tree_text()
}

// ----- flows ---------------------------------------------------------------------------------

#[test]
fn f_on_an_image_streams_it_and_the_first_layer_is_usable_before_the_rest() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    let image = state.images().selected_image().unwrap().0.clone();
    let (load, source) = opened(&state.update(ch('f')));
    assert_eq!(source, FilesSource::Image { reference: image });
    assert!(state.files().unwrap().loading);

    let tars = tars();
    state.update(event(load, plan(&tars)));
    state.update(event(load, layer(&tars[0])));
    state.update(event(load, progress(3_000, 1)));
    let view = state.files().unwrap();
    assert!(view.loading);
    assert_eq!((view.layers_stacked(), view.layer_total()), (1, 3));
    assert_eq!(
        tree(&state),
        [
            "/bin A",
            "  /bin/ls A",
            "  /bin/sh A",
            "  /bin/sh2 A",
            "  /bin/shell A",
            "/etc A",
            "  /etc/passwd A",
        ]
    );
    assert!(
        view.waste.is_none(),
        "waste numbers wait for the last layer"
    );

    state.update(event(load, layer(&tars[1])));
    state.update(event(load, layer(&tars[2])));
    state.update(event(load, LoadEvent::Done));
    let view = state.files().unwrap();
    assert!(!view.loading);
    let waste = view.waste.as_ref().expect("waste numbers once done");
    // passwd written twice (10 + 20), ls written then deleted (50 + 0), app/old written then
    // hidden by the opaque app/ (300 + 0).
    assert_eq!(waste.wasted_bytes, 380);
    assert!(
        state.status_text().contains("3 layers"),
        "{}",
        state.status_text()
    );
}

#[test]
fn layers_show_their_changes_with_whiteouts_and_opaque_directories_and_the_whole_filesystem() {
    let (mut state, _) = loaded();
    state.update(ch(']'));
    assert_eq!(
        tree(&state),
        [
            "/app A",
            "  /app/old A",
            "/bin",
            "  /bin/ls D",
            "/etc",
            "  /etc/passwd C",
        ]
    );
    state.update(ch(']'));
    assert_eq!(
        tree(&state),
        ["/app", "  /app/new A", "  /app/old D"],
        "the opaque directory hides what the layers below put in it"
    );
    // The whole filesystem at the last layer: closed directories, opened with space.
    state.update(ch('c'));
    assert_eq!(tree(&state), ["/app", "/bin", "/etc"]);
    state.update(ch('g'));
    state.update(press(KeyCode::Char(' ')));
    state.update(ch('j'));
    state.update(ch('j'));
    state.update(press(KeyCode::Char(' ')));
    assert_eq!(
        tree(&state),
        [
            "/app",
            "  /app/new A",
            "/bin",
            "  /bin/sh",
            "  /bin/sh2",
            "  /bin/shell",
            "/etc"
        ]
    );
    // Only what this layer changed, in the whole filesystem.
    state.update(ch('o'));
    assert_eq!(tree(&state), ["/app", "  /app/new A"]);
    state.update(ch('o'));
    // Collapse all, then open all.
    state.update(ch('C'));
    assert_eq!(tree(&state), ["/app", "/bin", "/etc"]);
    state.update(ch('C'));
    assert_eq!(tree(&state).len(), 8);
    // Largest first.
    state.update(ch('s'));
    assert_eq!(tree(&state)[..3], ["/bin", "  /bin/sh", "  /bin/sh2"]);
}

#[test]
fn entries_carry_type_mode_owner_size_and_link_targets() {
    let (mut state, _) = loaded();
    state.update(ch('c'));
    state.update(press(KeyCode::Char(' ')));
    let view = state.files().unwrap();
    let lines: Vec<_> = (0..view.row_count()).filter_map(|i| view.line(i)).collect();
    let bin = &lines[0];
    assert_eq!(bin.name, "bin");
    assert_eq!(bin.entry.size, 150, "a directory: what is under it");
    let sh2 = lines.iter().find(|l| l.name == "sh2").unwrap();
    assert_eq!(sh2.entry.kind, wharf::layerfs::EntryKind::HardLink);
    assert_eq!(sh2.entry.link, b"bin/sh");
    let shell = lines.iter().find(|l| l.name == "shell").unwrap();
    assert_eq!(shell.entry.link, b"/bin/sh");
    assert_eq!((shell.entry.uid, shell.entry.gid), (0, 0));
}

#[test]
fn the_filter_keeps_matching_paths_and_their_directories() {
    let (mut state, _) = loaded();
    state.update(ch('c'));
    state.update(ch('/'));
    for c in "pass".chars() {
        state.update(ch(c));
    }
    assert_eq!(tree(&state), ["/etc A", "  /etc/passwd A"]);
    state.update(press(KeyCode::Esc));
    assert_eq!(tree(&state), ["/bin A", "/etc A"]);
    assert!(
        state.files().is_some(),
        "the first Esc clears the filter only"
    );
}

#[test]
fn x_esc_and_leaving_stop_the_stream_and_late_answers_are_dropped() {
    for key in [ch('x'), press(KeyCode::Esc), ch('2')] {
        let mut state = connected();
        select(&mut state, "nginx:1.25");
        let (load, _) = opened(&state.update(ch('f')));
        let tars = tars();
        state.update(event(load, plan(&tars)));
        state.update(event(load, layer(&tars[0])));
        let effects = state.update(key.clone());
        assert_eq!(cancelled(&effects), Some(load), "{key:?} stops the load");
        assert!(state.files().is_none(), "{key:?} closes the view");
        // Events already on their way change nothing.
        let late = state.update(event(load, layer(&tars[1])));
        assert!(late.is_empty() && state.files().is_none());
    }
    // A finished load has nothing to stop.
    let (mut state, _) = loaded();
    assert_eq!(cancelled(&state.update(press(KeyCode::Esc))), None);
    assert!(state.files().is_none());
}

#[test]
fn opening_again_replaces_the_load_and_drops_the_old_ones_answers() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    let (first, _) = opened(&state.update(ch('f')));
    let effects = command(&mut state, "files /tmp/no-such-image.tar");
    assert_eq!(cancelled(&effects), Some(first));
    let (second, source) = opened(&effects);
    assert_ne!(first, second);
    assert!(
        matches!(source, FilesSource::Typed { ref text, .. } if text == "/tmp/no-such-image.tar")
    );
    let tars = tars();
    state.update(event(first, plan(&tars)));
    assert_eq!(state.files().unwrap().layer_total(), 0);
}

#[test]
fn a_failed_load_says_why_and_nothing_crashes() {
    let mut state = connected();
    let (load, _) = opened(&command(&mut state, "files nosuch:1"));
    state.update(Msg::Files(FilesMsg::Failed {
        load,
        message: "nosuch:1: no such file, no local image of that name\x1b[31m".into(),
    }));
    let view = state.files().unwrap();
    assert!(!view.loading);
    assert!(state.status_text().contains("no local image"));
    assert!(!state.status_text().contains('\x1b'));
    let screen = screen(render(&state, 80, 24).backend().buffer());
    assert!(screen.contains("no local image"), "{screen}");
}

#[test]
fn the_files_command_takes_a_path_a_reference_and_a_platform() {
    let mut state = connected();
    let (_, source) = opened(&command(
        &mut state,
        "files 127.0.0.1:5000/app:1 linux/arm64/v8",
    ));
    assert_eq!(
        source,
        FilesSource::Typed {
            text: "127.0.0.1:5000/app:1".into(),
            path: "127.0.0.1:5000/app:1".into(),
            platform: Some(Platform {
                os: "linux".into(),
                architecture: "arm64".into(),
                variant: Some("v8".into()),
            }),
        }
    );
    let effects = command(&mut state, "files a b c");
    assert!(effects.is_empty());
    assert!(
        state
            .command_line()
            .and_then(|l| l.message.clone())
            .is_some_and(|m| m.contains("usage: :files"))
    );
    state.update(press(KeyCode::Esc));
    state.update(press(KeyCode::Esc));
    let effects = command(&mut state, "files app:1 arm64");
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::OpenFiles { .. }))
    );
    assert!(
        state.status_text().contains("os/arch"),
        "{}",
        state.status_text()
    );
}

/// A state that has asked for the engine and heard nothing yet.
fn connecting() -> State {
    let mut state = State::new(
        &wharf::config::Config::defaults().expect("defaults"),
        "unix:///var/run/docker.sock".into(),
        None,
    );
    state.start();
    state
}

#[test]
fn files_asked_for_before_the_engine_answers_wait_for_it() {
    // Typed on the command line (or `wharf files REF`) in the first instants: a local image
    // cannot be looked up yet, so the view waits, then reads with the engine's platform.
    let mut state = connecting();
    let effects = command(&mut state, "files app:1");
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::OpenFiles { .. })),
        "{effects:?}"
    );
    let screens = snap_both!(&state, "files_waiting_for_engine");
    assert!(
        screens[0].contains("Waiting for the engine"),
        "{}",
        screens[0]
    );
    let effects = state.update(Msg::EngineConnected(
        crate::support::action_fixtures::engine_info(),
    ));
    let (load, source) = opened(&effects);
    assert_eq!(load, state.files().expect("still open").load);
    assert_eq!(
        source,
        FilesSource::Typed {
            text: "app:1".into(),
            path: "app:1".into(),
            platform: Some(Platform {
                os: "linux".into(),
                architecture: "amd64".into(),
                variant: None,
            }),
        }
    );
    // Once only: a later reconnection does not start it again.
    let again = state.update(Msg::EngineConnected(
        crate::support::action_fixtures::engine_info(),
    ));
    assert!(!again.iter().any(|e| matches!(e, Effect::OpenFiles { .. })));

    // `wharf files PATH --platform …` with no engine at all: the typed platform is kept and
    // the load starts when the connection fails (an archive needs no engine).
    let mut state = connecting();
    let effects = state.open_files_at_start("saved.tar", Some("linux/arm64"));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::OpenFiles { .. }))
    );
    let effects = state.update(Msg::EngineFailed(wharf::docker::EngineError::new(
        wharf::docker::EngineErrorKind::Unreachable,
        "connection refused",
    )));
    let (_, source) = opened(&effects);
    assert!(
        matches!(&source, FilesSource::Typed { platform: Some(p), .. } if p.architecture == "arm64"),
        "{source:?}"
    );

    // Closed while waiting: nothing starts later.
    let mut state = connecting();
    command(&mut state, "files app:1");
    state.update(press(KeyCode::Esc));
    assert!(state.files().is_none());
    let effects = state.update(Msg::EngineConnected(
        crate::support::action_fixtures::engine_info(),
    ));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::OpenFiles { .. }))
    );
}

#[test]
fn f_on_a_layer_selects_that_layer_once_the_plan_is_known() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    let image = state.images().selected_image().unwrap().clone();
    // Newest first, as the engine's history: an ENV step has no layer.
    let history = [
        ("/bin/sh -c step 2", 7u64),
        ("/bin/sh -c #(nop) ENV A=1", 0),
        ("/bin/sh -c step 1", 320),
        ("/bin/sh -c step 0", 160),
    ];
    state.update(Msg::HistoryLoaded {
        image,
        result: Ok(history
            .iter()
            .map(|(command, size)| wharf::docker::HistoryRecord {
                id: "<missing>".into(),
                created: 1_000,
                created_by: command.to_string(),
                size: *size,
                comment: String::new(),
                tags: vec![],
            })
            .collect()),
    });
    state.update(ch('2'));
    assert_eq!(state.focus(), Pane::Layers);
    state.update(ch('j'));
    let (load, _) = opened(&state.update(ch('f')));
    let tars = tars();
    state.update(event(load, plan(&tars)));
    assert_eq!(state.files().unwrap().layers.selected(), 1);
}

#[test]
fn f_in_the_tags_pane_reads_the_remote_tag_for_the_engines_platform() {
    let mut state = connected();
    command(&mut state, "repo localhost:5000/team/app");
    tags_loaded(&mut state, &["2", "1"]);
    let (_, source) = opened(&state.update(ch('f')));
    let FilesSource::Remote {
        reference,
        platform,
    } = source
    else {
        panic!("not a remote source: {source:?}");
    };
    assert_eq!(reference, "localhost:5000/team/app:1");
    let info = crate::support::action_fixtures::engine_info();
    assert_eq!(
        platform.map(|p| (p.os, p.architecture)),
        Some((info.os, info.arch))
    );
}

// ----- snapshots -----------------------------------------------------------------------------

#[test]
fn snapshots_of_the_files_view() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    let (load, _) = opened(&state.update(ch('f')));
    let tars = tars();
    state.update(event(load, plan(&tars)));
    state.update(event(load, layer(&tars[0])));
    state.update(event(load, progress(3_000, 1)));
    let screens = snap_both!(&state, "files_streaming");
    assert!(
        screens[0].contains("Reading layers: 1 of 3"),
        "{}",
        screens[0]
    );

    state.update(event(load, layer(&tars[1])));
    state.update(event(load, layer(&tars[2])));
    state.update(event(load, LoadEvent::Done));
    state.update(ch(']'));
    let screens = snap_both!(&state, "files_changes_with_waste");
    assert!(screens[0].contains("efficiency"), "{}", screens[0]);
    assert!(
        screens[0].contains("/app/old"),
        "the top wasted paths are listed"
    );

    state.update(ch('c'));
    state.update(ch('C'));
    let screens = snap_both!(&state, "files_whole");
    assert!(screens[0].contains("-rw-r--r--") || screens[0].contains("drwxr-xr-x"));

    state.update(ch('/'));
    for c in "sh".chars() {
        state.update(ch(c));
    }
    let screens = snap_both!(&state, "files_filtered");
    assert!(screens[0].contains("/sh"), "{}", screens[0]);
}

#[test]
fn hostile_names_are_cleaned_and_tiny_terminals_do_not_panic() {
    let mut state = connected();
    select(&mut state, "nginx:1.25");
    let (load, _) = opened(&state.update(ch('f')));
    let tar = layer_tar(&[
        E::Dir("evil\x1b]0;pwned\x07"),
        file("evil\x1b]0;pwned\x07/\x1b[2Jx", 3),
    ]);
    state.update(event(load, plan(std::slice::from_ref(&tar))));
    state.update(event(load, layer(&tar)));
    let terminal = render(&state, 160, 45);
    crate::support::render::assert_no_escapes(terminal.backend().buffer());
    for (width, height) in [(40, 10), (30, 6), (12, 4), (100, 12), (1, 1)] {
        render(&state, width, height);
    }
}

// ----- end to end ----------------------------------------------------------------------------

pub(crate) async fn until_loaded(app: &mut Headless) {
    app.until(Duration::from_secs(60), |h| {
        h.state.files().is_some_and(|v| !v.loading)
    })
    .await
    .unwrap_or_else(|| panic!("the load did not end in 60 s: {:#?}", app.log));
}

#[tokio::test]
async fn a_saved_archive_opens_with_no_engine_needed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved image.tar");
    std::fs::write(&path, docker_save(&tars(), "sample:1")).unwrap();
    let mut app = Headless::start();
    app.apply(ch(':'));
    app.type_text(&format!("files \"{}\"", path.display()));
    app.press(KeyCode::Enter);
    until_loaded(&mut app).await;
    let view = app.state.files().unwrap();
    assert_eq!(view.error, None);
    assert_eq!(view.layers_stacked(), 3);
    app.press(KeyCode::Char(']'));
    app.press(KeyCode::Char(']'));
    assert_eq!(
        app.state.files().unwrap().tree_text(),
        ["/app", "  /app/new A", "  /app/old D"]
    );
    // Closing frees the image.
    app.press(KeyCode::Esc);
    assert!(app.state.files().is_none());

    // A path that is not there, with no image or registry of that name.
    app.apply(ch(':'));
    app.type_text("files /nonexistent/image.tar");
    app.press(KeyCode::Enter);
    until_loaded(&mut app).await;
    let error = app.state.files().unwrap().error.clone().unwrap();
    assert!(error.contains("no such file"), "{error}");
}

#[tokio::test]
async fn f_on_a_committed_image_shows_its_layers_files_and_whiteouts() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let base = format!("{}:1", unique_name("files-base"));
    import_test_image(&engine, &mut scratch, &base, &[CMD_SH]).await;
    let c1 = scratch.run_to_completion(
        &base,
        &[
            "sh",
            "-c",
            "mkdir /data && echo 12345 > /data/x && rm /bin/cat",
        ],
    );
    let name = format!("{}:1", unique_name("files-top"));
    scratch.commit(&c1, &name, "one");
    let _ = docker(&["image", "inspect", &name]);

    let mut app = Headless::start();
    app.ready().await;
    app.press(KeyCode::Char('1'));
    app.press(KeyCode::Char('g'));
    let rows = app.state.images().visible_len();
    for _ in 0..rows {
        if app.state.images().selected_row().map(|r| r.reference()) == Some(name.clone()) {
            break;
        }
        app.press(KeyCode::Char('j'));
    }
    assert_eq!(
        app.state.images().selected_row().map(|r| r.reference()),
        Some(name.clone())
    );
    app.press(KeyCode::Char('f'));
    until_loaded(&mut app).await;
    let view = app.state.files().unwrap();
    assert_eq!(view.error, None, "{:#?}", app.log);
    assert_eq!(view.layers_stacked(), 2);
    assert!(
        view.tree_text().iter().any(|l| l == "  /bin/cat A"),
        "the base layer has cat"
    );
    app.press(KeyCode::Char(']'));
    let changes = app.state.files().unwrap().tree_text();
    assert!(changes.iter().any(|l| l.starts_with("/bin")));
    for want in ["  /bin/cat D", "/data A", "  /data/x A"] {
        assert!(changes.iter().any(|l| l == want), "{want} in {changes:#?}");
    }
    assert!(
        !changes.iter().any(|l| l.contains(".wh.")),
        "whiteouts are never files"
    );
    // The whole filesystem at the top: cat is gone, data is there.
    app.press(KeyCode::Char('c'));
    let whole = app.state.files().unwrap().tree_text();
    assert!(whole.iter().any(|l| l == "/data A"), "{whole:#?}");
}

#[tokio::test]
async fn f_in_the_tags_pane_reads_a_remote_tag_without_pulling_it() {
    use crate::layerfs_remote::{engine_has, push_sample};
    use crate::support::registry::{Auth, TestRegistry};
    let registry = TestRegistry::start(Auth::None);
    let repo = unique_name("files-remote");
    push_sample(&registry, &repo, "1").await;
    let repository = format!("{}/{repo}", registry.host());
    let client = wharf::registry::RegistryClient::new(wharf::registry::ClientOptions::default())
        .expect("a registry client");
    let services = wharf::executor::Services {
        registry: wharf::executor::Registry::ready(client),
        ..wharf::executor::Services::default()
    };
    let mut app = Headless::start_with(&wharf::config::Config::defaults().unwrap(), services);
    app.apply(ch(':'));
    app.type_text(&format!("repo {repository}"));
    app.press(KeyCode::Enter);
    app.until(Duration::from_secs(20), |h| {
        h.state.tags().visible_len() > 0
    })
    .await
    .unwrap_or_else(|| panic!("the tags did not come: {:#?}", app.log));
    app.press(KeyCode::Char('f'));
    until_loaded(&mut app).await;
    let view = app.state.files().unwrap();
    assert_eq!(view.error, None, "{:#?}", app.log);
    assert!(view.layers_stacked() >= 2);
    assert!(view.waste.is_some());
    assert!(
        !view.tree_text().is_empty(),
        "the base layer's files are listed"
    );
    assert!(
        !engine_has(&format!("{repository}:1")),
        "nothing was pulled"
    );

    // A tag the registry does not have: a message, no crash.
    app.press(KeyCode::Esc);
    app.apply(ch(':'));
    app.type_text(&format!("files {repository}:nosuch"));
    app.press(KeyCode::Enter);
    until_loaded(&mut app).await;
    let error = app.state.files().unwrap().error.clone().unwrap_or_default();
    assert!(!error.is_empty(), "{:#?}", app.log);
    let start: String = error.chars().take(20).collect();
    assert!(app.state.status_text().contains(&start), "{error}");
}

/// The real binary started with `args` in a directory holding `saved.tar` (the sample),
/// with no engine (a saved archive needs none) and an empty layer cache; the directories
/// live as long as the returned guards.
fn binary_beside_a_saved_archive(
    args: &[&str],
) -> (
    crate::support::pty::Pty,
    crate::support::pty::Dirs,
    tempfile::TempDir,
) {
    use crate::support::pty::{Dirs, Pty};
    let dirs = Dirs::new();
    std::fs::write(
        dirs.cwd.path().join("saved.tar"),
        docker_save(&tars(), "sample:1"),
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut command = dirs.command(args);
    command.env("DOCKER_HOST", "unix:///nonexistent.sock");
    command.env("XDG_CACHE_HOME", cache.path());
    (Pty::spawn(command, 30, 120), dirs, cache)
}

#[test]
fn the_real_binary_opens_a_saved_image_moves_through_its_layers_and_returns() {
    use crate::support::pty::assert_clean_exit;
    let (mut pty, _dirs, _cache) = binary_beside_a_saved_archive(&[]);
    pty.wait_for(Duration::from_secs(20), "the first screen", |p| {
        p.screen().contains("Images")
    });
    pty.send(b":files saved.tar\r");
    pty.wait_for(Duration::from_secs(20), "every layer read", |p| {
        p.screen().contains("3 layers read")
    });
    pty.send(b"]");
    pty.wait_for(Duration::from_secs(5), "the second layer's changes", |p| {
        let screen = p.screen();
        screen.contains("layer 2 of 3") && screen.contains("passwd") && screen.contains("old")
    });
    pty.send(b"c");
    pty.wait_for(Duration::from_secs(5), "the whole filesystem", |p| {
        p.screen().contains("whole filesystem")
    });
    pty.send(b"\x1b");
    pty.wait_for(Duration::from_secs(5), "the panes again", |p| {
        !p.screen().contains("Files of") && p.screen().contains("Containers")
    });
    pty.send(b"q");
    assert_clean_exit(&mut pty);
}

#[test]
fn wharf_files_starts_in_the_files_view_even_with_no_engine() {
    use crate::support::pty::assert_clean_exit;
    // `dive` is the alias people coming from dive type.
    let (mut pty, _dirs, _cache) = binary_beside_a_saved_archive(&["dive", "saved.tar"]);
    pty.wait_for(Duration::from_secs(20), "the archive's layers", |p| {
        let screen = p.screen();
        screen.contains("Files of") && screen.contains("3 layers read")
    });
    pty.send(b"\x1b");
    pty.wait_for(Duration::from_secs(5), "the panes", |p| {
        p.screen().contains("Containers")
    });
    pty.send(b"q");
    assert_clean_exit(&mut pty);
}
