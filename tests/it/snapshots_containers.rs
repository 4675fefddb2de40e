//! Render snapshots (insta, ratatui `TestBackend`, a fixed clock) of the containers pane
//! (running only and with `a`), the writable-layer tree (collapsed directories, counts in the
//! title, a filter), the commit form (plain and with a validation error), the question before
//! a tag moves, and the jobs pane and strip with a running and a failed commit — each wide
//! (160×45) and narrow (80×24). Cell-style assertions cover what text cannot show: the colour
//! of each change kind and of the failed job.

use crossterm::event::KeyCode;

use wharf::config::Config;
use wharf::docker::{
    ChangeKind, ContainerRecord, ContainerState, FileChange, HistoryRecord, ImageId, ImageRecord,
    PortMapping,
};
use wharf::effect::Effect;
use wharf::job::{JobError, JobId, JobSpec, Progress, ProgressUpdate};
use wharf::msg::Msg;
use wharf::state::State;
use wharf::ui::theme::Theme;

use crate::support::action_fixtures::{
    DAY, HOUR, MINUTE, NOW, change, container_id, engine_info, id as image_id, record,
    select_container, select_path, type_text,
};
use crate::support::keys::{alt_enter, ch, ctrl, press};
use crate::support::render::{
    SIZES, assert_no_escapes, pane_text, position_of, render, screen, screen_lines,
};

/// An image made `age` seconds before `NOW`, used by a container.
fn image(digit: char, tags: &[&str], age: i64, size: u64) -> ImageRecord {
    ImageRecord {
        ..record(digit, tags, &[], age, size)
    }
}

fn images() -> Vec<ImageRecord> {
    vec![
        image('1', &["nginx:1.25"], 3 * DAY, 187_000_000),
        image('2', &["alpine:3.19"], 60 * DAY, 7_380_000),
        image('3', &["postgres:16"], 15 * DAY, 432_000_000),
        image(
            '4',
            &["localhost:5000/team/backend-api:2.3.1"],
            5 * HOUR,
            98_400_000,
        ),
        image('5', &["web:2"], 2 * DAY, 190_000_000),
    ]
}

fn container(
    digit: char,
    name: &str,
    image_ref: &str,
    image: char,
    state: ContainerState,
    status: &str,
    age: i64,
) -> ContainerRecord {
    ContainerRecord {
        id: container_id(digit),
        name: name.into(),
        image: image_ref.into(),
        image_id: image_id(image),
        command: "sh".into(),
        created: NOW - age,
        state,
        status: status.into(),
        listed_at: NOW,
        ports: vec![],
    }
}

fn port(ip: Option<&str>, private: u16, public: Option<u16>) -> PortMapping {
    PortMapping {
        ip: ip.map(str::to_string),
        private,
        public,
        protocol: "tcp".into(),
    }
}

/// Running, paused, exited and created containers; ports, a long name, a registry image and
/// an escape sequence in a name that must be cleaned before drawing.
fn containers() -> Vec<ContainerRecord> {
    let mut web = container(
        '1',
        "web-1",
        "nginx:1.25",
        '1',
        ContainerState::Running,
        "Up 3 minutes",
        13 * MINUTE,
    );
    // Listed ten minutes ago and not since: the status moves on with the clock.
    web.listed_at = NOW - 10 * MINUTE;
    web.ports = vec![port(Some("0.0.0.0"), 80, Some(8080)), port(None, 443, None)];
    let mut api = container(
        '2',
        "backend-api-with-a-rather-long-container-name",
        "localhost:5000/team/backend-api:2.3.1",
        '4',
        ContainerState::Running,
        "Up 5 hours (healthy)",
        5 * HOUR,
    );
    api.ports = vec![port(Some("127.0.0.1"), 8000, Some(18000))];
    vec![
        web,
        api,
        container(
            '3',
            "db",
            "postgres:16",
            '3',
            ContainerState::Paused,
            "Up 2 days (Paused)",
            2 * DAY,
        ),
        container(
            '4',
            "migrate",
            "alpine:3.19",
            '2',
            ContainerState::Exited,
            "Exited (1) 2 hours ago",
            3 * HOUR,
        ),
        container(
            '5',
            "fresh",
            "alpine:3.19",
            '2',
            ContainerState::Created,
            "Created",
            20 * MINUTE,
        ),
        container(
            '6',
            "evil\u{1b}]0;pwn\u{7}-box",
            "alpine:3.19",
            '2',
            ContainerState::Exited,
            "Exited (0) 3 weeks ago",
            30 * DAY,
        ),
    ]
}

/// Connected, images and containers listed, every history answered, the containers pane
/// focused with web-1 selected.
fn loaded() -> State {
    let mut state = State::new(
        &Config::defaults().expect("defaults"),
        "unix:///var/run/docker.sock".into(),
        None,
    );
    state.start();
    state.update(Msg::EngineConnected(engine_info()));
    let mut pending: Vec<ImageId> = state
        .update(Msg::ImagesLoaded(Ok(images())))
        .into_iter()
        .filter_map(|e| match e {
            Effect::LoadHistory { image } => Some(image),
            _ => None,
        })
        .collect();
    while let Some(image) = pending.pop() {
        let history = vec![HistoryRecord {
            id: image.0.clone(),
            created: NOW - 3 * DAY,
            created_by: "/bin/sh -c #(nop) ADD file:ab in / ".into(),
            size: 7_000_000,
            comment: String::new(),
            tags: vec![],
        }];
        for effect in state.update(Msg::HistoryLoaded {
            image,
            result: Ok(history),
        }) {
            if let Effect::LoadHistory { image } = effect {
                pending.push(image);
            }
        }
    }
    state.update(Msg::ContainersLoaded(Ok(containers())));
    state.update(ch('3'));
    select_container(&mut state, "web-1");
    state
}

// ----- the containers pane -------------------------------------------------------------------

#[test]
fn containers_pane_running_only() {
    let state = loaded();
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let buffer = terminal.backend().buffer();
        assert_no_escapes(buffer);
        let pane = pane_text(buffer, "Containers");
        assert!(pane.contains("web-1") && pane.contains("db"), "{pane}");
        for stopped in ["migrate", "fresh"] {
            assert!(!pane.contains(stopped), "{stopped} is not running:\n{pane}");
        }
        insta::assert_snapshot!(format!("containers_running_{size}"), pane);
    }
}

#[test]
fn containers_pane_with_stopped_ones() {
    let mut state = loaded();
    state.update(ch('a'));
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let buffer = terminal.backend().buffer();
        assert_no_escapes(buffer);
        let pane = pane_text(buffer, "Containers");
        for name in ["web-1", "db", "migrate", "fresh", "evil-box"] {
            assert!(pane.contains(name), "{name} missing:\n{pane}");
        }
        insta::assert_snapshot!(format!("containers_all_{size}"), screen(buffer));
    }
}

// ----- the writable layer --------------------------------------------------------------------

fn diff() -> Vec<FileChange> {
    vec![
        change("/added.txt", ChangeKind::Added),
        change("/etc", ChangeKind::Changed),
        change("/etc/motd", ChangeKind::Deleted),
        change("/etc/nginx", ChangeKind::Changed),
        change("/etc/nginx/conf.d", ChangeKind::Changed),
        change("/etc/nginx/conf.d/default.conf", ChangeKind::Changed),
        change("/etc/nginx/conf.d/extra.conf", ChangeKind::Added),
        change("/root", ChangeKind::Changed),
        change("/root/.ash_history", ChangeKind::Added),
        change("/run", ChangeKind::Changed),
        change("/run/nginx.pid", ChangeKind::Added),
        change("/var", ChangeKind::Changed),
        change("/var/cache", ChangeKind::Changed),
        change("/var/cache/nginx", ChangeKind::Changed),
        change("/var/cache/nginx/client_temp", ChangeKind::Added),
        change("/var/cache/nginx/proxy_temp", ChangeKind::Added),
        change("/var/log/nginx/old.log", ChangeKind::Deleted),
    ]
}

/// The changes view of web-1 with its diff in.
fn changes_open() -> State {
    let mut state = loaded();
    let effects = state.update(press(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::LoadChanges {
            container: container_id('1')
        }]
    );
    state.update(Msg::ChangesLoaded {
        container: container_id('1'),
        result: Ok(diff()),
    });
    state
}

#[test]
fn changes_tree_with_collapsed_directories() {
    let mut state = changes_open();
    select_path(&mut state, "/var/cache");
    state.update(press(KeyCode::Enter));
    select_path(&mut state, "/root");
    state.update(ch(' '));
    select_path(&mut state, "/etc/nginx/conf.d/default.conf");
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let buffer = terminal.backend().buffer();
        let text = screen(buffer);
        assert!(text.contains("Changes in web-1 A 6 C 9 D 2"), "{text}");
        assert!(
            text.contains("▸ cache") && text.contains("▸ root"),
            "{text}"
        );
        assert!(!text.contains("client_temp"), "collapsed:\n{text}");
        insta::assert_snapshot!(format!("changes_collapsed_{size}"), text);
    }
    // Each kind has its colour, on the letter and the name.
    let terminal = render(&state, 160, 45);
    let buffer = terminal.backend().buffer();
    let theme = Theme::default_colours();
    for (name, style) in [
        ("added.txt", theme.added),
        ("motd", theme.deleted),
        ("conf.d", theme.changed),
    ] {
        let (x, y) = position_of(buffer, name);
        assert_eq!(buffer[(x, y)].fg, style.fg.unwrap(), "{name}");
    }
    assert_ne!(theme.added.fg, theme.deleted.fg);
}

#[test]
fn changes_tree_filtered() {
    let mut state = changes_open();
    select_path(&mut state, "/var/cache");
    state.update(press(KeyCode::Enter));
    state.update(ch('/'));
    type_text(&mut state, "nginx");
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let text = screen(terminal.backend().buffer());
        assert!(
            text.contains("client_temp"),
            "a match shows below a collapsed directory:\n{text}"
        );
        assert!(!text.contains("added.txt"), "{text}");
        assert!(
            text.contains("▾ cache") && !text.contains("▸ cache"),
            "a collapsed directory whose matches show is drawn open:\n{text}"
        );
        insta::assert_snapshot!(format!("changes_filtered_{size}"), text);
    }
}

// ----- the commit form -----------------------------------------------------------------------

fn commit_form() -> State {
    let mut state = loaded();
    state.update(ch('c'));
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "nginx with the new index page");
    state.update(press(KeyCode::Tab));
    type_text(&mut state, "Jane Doe <jane@example.com>");
    state.update(press(KeyCode::Tab));
    state.update(press(KeyCode::Tab));
    type_text(&mut state, r#"CMD ["nginx", "-g", "daemon off;"]"#);
    state.update(alt_enter());
    type_text(&mut state, "EXPOSE 8080");
    state
}

#[test]
fn the_commit_form() {
    let state = commit_form();
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let text = screen(terminal.backend().buffer());
        assert!(text.contains("Commit container web-1"), "{text}");
        assert!(text.contains("nginx:web-1"), "the suggestion:\n{text}");
        assert!(
            text.contains("Alt-Enter adds a line"),
            "the changes field says how to add a line:\n{text}"
        );
        insta::assert_snapshot!(format!("commit_form_{size}"), text);
    }
}

#[test]
fn the_commit_form_with_a_validation_error() {
    let mut state = commit_form();
    // Back to the image field, then a name with an uppercase letter.
    for _ in 0..4 {
        state.update(press(KeyCode::BackTab));
    }
    state.update(ctrl('u'));
    type_text(&mut state, "Web:v2");
    state.update(press(KeyCode::Enter));
    assert!(state.form().is_some() && state.jobs().all().is_empty());
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let text = screen(terminal.backend().buffer());
        assert!(
            text.contains("uppercase letters are not allowed in repository names: use"),
            "{text}"
        );
        assert!(text.contains("Web:v2"), "what was typed stays:\n{text}");
        insta::assert_snapshot!(format!("commit_form_error_{size}"), text);
    }
}

#[test]
fn the_question_before_a_tag_moves() {
    let mut state = loaded();
    state.update(ch('c'));
    state.update(ctrl('u'));
    type_text(&mut state, "web:2");
    state.update(press(KeyCode::Enter));
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let text = screen(terminal.backend().buffer());
        assert!(text.contains("Move the tag?"), "{text}");
        assert!(text.contains("555555555555"), "names the image:\n{text}");
        insta::assert_snapshot!(format!("confirm_move_tag_{size}"), text);
    }
}

// ----- jobs ----------------------------------------------------------------------------------

/// Starts a commit from the form with `reference`; returns its job.
fn start_commit(state: &mut State, container: &str, reference: &str) -> JobId {
    state.update(ch('3'));
    select_container(state, container);
    state.update(ch('c'));
    state.update(ctrl('u'));
    type_text(state, reference);
    let effects = state.update(press(KeyCode::Enter));
    effects
        .into_iter()
        .find_map(|e| match e {
            Effect::StartJob {
                id,
                spec: JobSpec::Commit(_),
            } => Some(id),
            _ => None,
        })
        .expect("a commit job")
}

#[test]
fn jobs_pane_and_strip_with_a_running_and_a_failed_commit() {
    let mut state = loaded();
    let failed = start_commit(&mut state, "db", "db-backup:nightly");
    state.update(Msg::JobFinished {
        id: failed,
        result: Err(JobError::Failed(
            "container 333333333333 no longer exists".into(),
        )),
    });
    let running = start_commit(&mut state, "web-1", "web:3");
    let mut progress = Progress::default();
    progress.apply(ProgressUpdate::Message("committing 111111111111".into()));
    state.update(Msg::JobProgress {
        id: running,
        progress,
    });
    state.update(ch('5'));
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let buffer = terminal.backend().buffer();
        let text = screen(buffer);
        let strip = &screen_lines(buffer)[height as usize - 2];
        assert!(
            strip.contains("commit web-1 → web:3"),
            "the strip shows the running job: {strip}"
        );
        assert!(
            !text.contains("cancel_job"),
            "hints are words, not keymap names:\n{text}"
        );
        insta::assert_snapshot!(format!("jobs_running_and_failed_{size}"), text);
        // The failed job's state word is in the error colour.
        let (x, y) = position_of(buffer, "failed");
        assert_eq!(
            buffer[(x, y)].fg,
            Theme::default_colours().error.fg.unwrap()
        );
    }

    // Once nothing runs, the strip says how the last job ended: here, a failure.
    let last = start_commit(&mut state, "web-1", "web:4");
    state.update(Msg::JobFinished {
        id: running,
        result: Err(JobError::Cancelled),
    });
    state.update(Msg::JobFinished {
        id: last,
        result: Err(JobError::Failed(
            "Error committing container: no space left on device\nmore".into(),
        )),
    });
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        // The strip sits above the status line, which a long message makes taller.
        let strip = screen_lines(terminal.backend().buffer())
            .into_iter()
            .find(|line| line.starts_with(" ✗ "))
            .expect("the strip says how the last job ended");
        insta::assert_snapshot!(format!("jobs_strip_failed_{size}"), strip);
    }
}
