//! The containers pane, the writable-layer view and the commit form, driven through
//! `State::update` with keys and engine answers, checked on the state and on the effects it
//! asks for. No engine, no terminal: `update` is pure.

use crossterm::event::KeyCode;

use wharf::config::Config;
use wharf::docker::{
    ChangeKind, CommitRequest, ContainerRecord, ContainerState, EngineError, EngineErrorKind,
    EngineEvent, EventSubject, FileChange, HistoryRecord, ImageRecord, PortMapping,
};
use wharf::effect::Effect;
use wharf::flows::OpenForm;
use wharf::job::{JobError, JobId, JobOutcome, JobSpec};
use wharf::model::form::FieldValue;
use wharf::model::jobs::JobStatus;
use wharf::model::popup::{Popup, Severity};
use wharf::msg::Msg;
use wharf::registry::reference::Reference;
use wharf::state::{Pane, State};

use crate::support::action_fixtures::{
    change, container_id, engine_info, id as image_id, select_container, select_path,
    selected_container, selected_path,
};
use crate::support::forms::{field, field_error, focused, form_text, status};
use crate::support::keys::{Feed, alt_enter, ch, ctrl, feed_command, feed_text, press};

// ----- building blocks -----------------------------------------------------------------------

/// The commit form's fields, by label.
const IMAGE: &str = "Image";
const MESSAGE: &str = "Message";
const AUTHOR: &str = "Author";
const PAUSE: &str = "Pause";
const CHANGES: &str = "Changes";

fn image(digit: char, tags: &[&str]) -> ImageRecord {
    ImageRecord {
        id: image_id(digit),
        repo_tags: tags.iter().map(|t| t.to_string()).collect(),
        repo_digests: vec![],
        created: 1_000,
        size: 10_000_000,
    }
}

fn images() -> Vec<ImageRecord> {
    vec![
        image('1', &["nginx:1.25"]),
        image('2', &["alpine:3.19"]),
        image('3', &["postgres:16"]),
        image('4', &["localhost:5000/team/app:1"]),
        image('5', &[]),
    ]
}

fn container(
    digit: char,
    name: &str,
    image_ref: &str,
    image: char,
    state: ContainerState,
    created: i64,
) -> ContainerRecord {
    ContainerRecord {
        id: container_id(digit),
        name: name.into(),
        image: image_ref.into(),
        image_id: image_id(image),
        command: "sh".into(),
        created,
        state,
        status: match state {
            ContainerState::Running => "Up 3 minutes".into(),
            ContainerState::Created => "Created".into(),
            _ => "Exited (1) 2 hours ago".into(),
        },
        listed_at: 0,
        ports: vec![],
    }
}

/// Four running containers, one exited and one created. By name: api-2, db, orphan, web-1
/// are up; old-job and fresh are not. `orphan` runs an image that has lost its name.
fn containers() -> Vec<ContainerRecord> {
    let mut web = container(
        '1',
        "web-1",
        "nginx:1.25",
        '1',
        ContainerState::Running,
        500,
    );
    web.ports = vec![PortMapping {
        ip: Some("0.0.0.0".into()),
        private: 80,
        public: Some(8080),
        protocol: "tcp".into(),
    }];
    vec![
        web,
        container(
            '2',
            "api-2",
            "localhost:5000/team/app:1",
            '4',
            ContainerState::Running,
            300,
        ),
        container('3', "db", "postgres:16", '3', ContainerState::Running, 100),
        container(
            '4',
            "old-job",
            "alpine:3.19",
            '2',
            ContainerState::Exited,
            50,
        ),
        container(
            '5',
            "fresh",
            "alpine:3.19",
            '2',
            ContainerState::Created,
            600,
        ),
        container(
            '6',
            "orphan",
            &image_id('5').0,
            '5',
            ContainerState::Running,
            200,
        ),
    ]
}

fn defaults() -> Config {
    Config::defaults().expect("built-in config")
}

/// Connected, both lists in, the containers pane focused.
fn ready() -> State {
    let mut state = State::new(&defaults(), "unix:///var/run/docker.sock".into(), None);
    state.start();
    state.feed(Msg::EngineConnected(engine_info()));
    let effects = state.feed(Msg::ImagesLoaded(Ok(images())));
    // Answer the first history request, so the layers pane has none in flight.
    for effect in effects {
        if let Effect::LoadHistory { image } = effect {
            state.feed(Msg::HistoryLoaded {
                image,
                result: Ok(vec![]),
            });
        }
    }
    state.feed(Msg::ContainersLoaded(Ok(containers())));
    state.feed(ch('3'));
    assert_eq!(state.focus(), Pane::Containers);
    state
}

/// Names of the shown containers, in order.
fn names(state: &State) -> Vec<String> {
    (0..state.containers().visible_len())
        .map(|i| state.containers().visible_row(i).unwrap().name.clone())
        .collect()
}

/// The commit jobs among `effects`.
fn commits(effects: &[Effect]) -> Vec<(JobId, CommitRequest)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::StartJob {
                id,
                spec: JobSpec::Commit(request),
            } => Some((*id, request.clone())),
            _ => None,
        })
        .collect()
}

/// Opens the commit form for `name` with `c` and replaces the image field with `reference`.
fn commit_form(state: &mut State, name: &str, reference: &str) {
    select_container(state, name);
    assert!(state.feed(ch('c')).is_empty(), "opening a form does no I/O");
    state.feed(ctrl('u'));
    feed_text(state, reference);
    assert_eq!(form_text(state, IMAGE), reference);
}

/// What `docker diff` says after `echo a > /added.txt; echo x >> /etc/profile;
/// rm /etc/motd; mkdir -p /var/cache/app && touch /var/cache/app/a /var/cache/app/b`.
fn diff() -> Vec<FileChange> {
    vec![
        change("/added.txt", ChangeKind::Added),
        change("/etc", ChangeKind::Changed),
        change("/etc/motd", ChangeKind::Deleted),
        change("/etc/profile", ChangeKind::Changed),
        change("/var", ChangeKind::Changed),
        change("/var/cache", ChangeKind::Changed),
        change("/var/cache/app", ChangeKind::Added),
        change("/var/cache/app/a", ChangeKind::Added),
        change("/var/cache/app/b", ChangeKind::Added),
    ]
}

fn change_paths(state: &State) -> Vec<String> {
    let view = state.changes().expect("the changes view");
    (0..view.visible_len())
        .map(|i| view.visible_node(i).unwrap().path.clone())
        .collect()
}

// ----- the containers pane -------------------------------------------------------------------

#[test]
fn running_only_until_a_shows_stopped_ones_too() {
    let mut state = ready();
    assert_eq!(names(&state), ["api-2", "db", "orphan", "web-1"]);
    assert_eq!(state.containers().running_count(), 4);
    assert!(!state.containers().show_all);

    let effects = state.feed(ch('a'));
    assert!(effects.is_empty(), "showing more needs no request");
    assert!(state.containers().show_all);
    assert_eq!(
        names(&state),
        ["api-2", "db", "fresh", "old-job", "orphan", "web-1"]
    );
    assert_eq!(
        status(&state),
        ("showing all containers".to_string(), Severity::Info)
    );

    state.feed(ch('a'));
    assert_eq!(names(&state), ["api-2", "db", "orphan", "web-1"]);
    assert_eq!(
        status(&state),
        (
            "showing running containers only".to_string(),
            Severity::Info
        )
    );
}

#[test]
fn a_reload_keeps_the_selected_container_and_r_asks_for_one() {
    let mut state = ready();
    select_container(&mut state, "orphan");
    let effects = state.feed(ch('r'));
    assert_eq!(effects, vec![Effect::LoadContainers]);
    // A new container sorts in before the selected one; the selection stays on orphan.
    let mut records = containers();
    records.push(container(
        '7',
        "cache",
        "alpine:3.19",
        '2',
        ContainerState::Running,
        700,
    ));
    state.feed(Msg::ContainersLoaded(Ok(records)));
    assert_eq!(names(&state), ["api-2", "cache", "db", "orphan", "web-1"]);
    assert_eq!(selected_container(&state), "orphan");
}

#[test]
fn a_name_moving_off_an_image_in_use_lists_the_containers_again() {
    let mut state = ready();
    let event = |action: &str, digit: char| {
        Msg::EngineEvent(EngineEvent {
            subject: EventSubject::Image,
            action: action.into(),
            id: image_id(digit).0,
            name: None,
        })
    };
    let effects = state.feed(event("untag", '9'));
    assert!(
        !effects.contains(&Effect::LoadContainers),
        "no container uses that image: {effects:?}"
    );
    // web-1 runs nginx:1.25; once the name is gone the engine shows the image by ID.
    let effects = state.feed(event("untag", '1'));
    assert!(effects.contains(&Effect::LoadContainers), "{effects:?}");
}

#[test]
fn sorting_and_filtering_keep_the_selected_container() {
    let mut state = ready();
    select_container(&mut state, "db");

    state.feed(ch('s'));
    assert_eq!(
        names(&state),
        ["web-1", "api-2", "orphan", "db"],
        "newest first"
    );
    assert_eq!(selected_container(&state), "db");

    state.feed(ch('S'));
    assert_eq!(names(&state), ["db", "orphan", "api-2", "web-1"]);
    assert_eq!(selected_container(&state), "db");

    // `/` filters on name, image, status and ports; the selection stays while it matches.
    state.feed(ch('/'));
    feed_text(&mut state, "postgres");
    assert_eq!(names(&state), ["db"]);
    assert_eq!(selected_container(&state), "db");
    state.feed(press(KeyCode::Backspace));
    feed_text(&mut state, "s");
    state.feed(press(KeyCode::Enter));
    assert!(!state.containers().filter.editing, "Enter ends typing");
    assert_eq!(state.containers().filter.editor.text(), "postgres");

    state.feed(press(KeyCode::Esc));
    assert_eq!(names(&state).len(), 4, "Esc clears the filter");
    assert_eq!(selected_container(&state), "db");

    // Filter words match ports and images too.
    state.feed(ch('/'));
    feed_text(&mut state, "8080");
    assert_eq!(names(&state), ["web-1"]);
    assert_eq!(selected_container(&state), "web-1");
}

#[test]
fn i_jumps_to_the_image_and_its_layers() {
    let mut state = ready();
    select_container(&mut state, "db");
    let effects = state.feed(ch('i'));
    assert_eq!(state.focus(), Pane::Images);
    let row = state.images().selected_row().expect("an image row");
    assert_eq!(row.reference(), "postgres:16");
    assert_eq!(state.layers().image(), Some(&image_id('3')));
    assert!(
        effects.contains(&Effect::LoadHistory {
            image: image_id('3')
        }),
        "the layers pane follows: {effects:?}"
    );
}

#[test]
fn i_says_why_when_the_image_is_not_shown() {
    let mut state = ready();
    // Hide the nameless image, then ask for the image of the container that runs it.
    state.feed(ch('1'));
    state.feed(ch('a'));
    assert!(!state.images().show_dangling);
    state.feed(ch('3'));
    select_container(&mut state, "orphan");
    let before = state.images().selected_row().cloned();
    let effects = state.feed(ch('i'));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(state.focus(), Pane::Containers, "the focus stays");
    assert_eq!(state.images().selected_row().cloned(), before);
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(
        text.contains(&image_id('5').0) && text.contains("not in the images list"),
        "{text}"
    );

    // The same when a filter in the images pane hides it.
    state.feed(ch('1'));
    state.feed(ch('/'));
    feed_text(&mut state, "alpine");
    state.feed(press(KeyCode::Enter));
    state.feed(ch('3'));
    select_container(&mut state, "db");
    state.feed(ch('i'));
    let (text, severity) = status(&state);
    assert_eq!(severity, Severity::Error);
    assert!(
        text.contains("postgres:16") && text.contains("filter"),
        "{text}"
    );
}

// ----- the writable layer --------------------------------------------------------------------

#[test]
fn enter_opens_the_changes_view_and_asks_for_the_diff() {
    let mut state = ready();
    select_container(&mut state, "web-1");
    let effects = state.feed(press(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::LoadChanges {
            container: container_id('1')
        }]
    );
    let view = state.changes().expect("the changes view");
    assert_eq!(view.container_name, "web-1");
    assert!(view.loading);

    // An answer for another container (an older view) is not shown.
    state.feed(Msg::ChangesLoaded {
        container: container_id('2'),
        result: Ok(vec![change("/other", ChangeKind::Added)]),
    });
    assert!(state.changes().unwrap().loading);
    assert!(change_paths(&state).is_empty());

    state.feed(Msg::ChangesLoaded {
        container: container_id('1'),
        result: Ok(diff()),
    });
    let view = state.changes().unwrap();
    assert!(!view.loading);
    assert_eq!(
        (view.counts.added, view.counts.changed, view.counts.deleted),
        (4, 4, 1)
    );
    assert_eq!(
        change_paths(&state),
        [
            "/added.txt",
            "/etc",
            "/etc/motd",
            "/etc/profile",
            "/var",
            "/var/cache",
            "/var/cache/app",
            "/var/cache/app/a",
            "/var/cache/app/b",
        ]
    );
}

#[test]
fn the_changes_tree_collapses_filters_refreshes_and_closes() {
    let mut state = ready();
    select_container(&mut state, "web-1");
    state.feed(press(KeyCode::Enter));
    state.feed(Msg::ChangesLoaded {
        container: container_id('1'),
        result: Ok(diff()),
    });

    // Enter (or space) on a directory collapses it and keeps it selected.
    select_path(&mut state, "/var/cache");
    assert!(state.feed(press(KeyCode::Enter)).is_empty());
    assert_eq!(
        change_paths(&state),
        [
            "/added.txt",
            "/etc",
            "/etc/motd",
            "/etc/profile",
            "/var",
            "/var/cache"
        ]
    );
    assert_eq!(selected_path(&state), "/var/cache");
    select_path(&mut state, "/etc");
    state.feed(ch(' '));
    assert_eq!(
        change_paths(&state),
        ["/added.txt", "/etc", "/var", "/var/cache"]
    );
    // Enter on a file does nothing.
    select_path(&mut state, "/added.txt");
    state.feed(press(KeyCode::Enter));
    assert_eq!(change_paths(&state).len(), 4);
    // Open again.
    select_path(&mut state, "/etc");
    state.feed(press(KeyCode::Enter));
    assert_eq!(change_paths(&state).len(), 6);

    // `/` filters by path, showing matches with their directories even when collapsed.
    state.feed(ch('/'));
    feed_text(&mut state, "app/b");
    assert_eq!(
        change_paths(&state),
        ["/var", "/var/cache", "/var/cache/app", "/var/cache/app/b"]
    );
    state.feed(press(KeyCode::Enter));
    assert_eq!(state.changes().unwrap().filter.editor.text(), "app/b");

    // `r` asks again; the answer replaces the tree and keeps the filter.
    let effects = state.feed(ch('r'));
    assert_eq!(
        effects,
        vec![Effect::LoadChanges {
            container: container_id('1')
        }]
    );
    assert!(state.changes().unwrap().loading);
    let mut newer = diff();
    newer.push(change("/var/cache/app/bb", ChangeKind::Added));
    state.feed(Msg::ChangesLoaded {
        container: container_id('1'),
        result: Ok(newer),
    });
    let view = state.changes().unwrap();
    assert!(!view.loading);
    assert_eq!(view.counts.added, 5);
    assert_eq!(
        change_paths(&state),
        [
            "/var",
            "/var/cache",
            "/var/cache/app",
            "/var/cache/app/b",
            "/var/cache/app/bb"
        ]
    );

    // Esc clears the filter first, then closes the view; the pane is as it was.
    state.feed(press(KeyCode::Esc));
    assert!(state.changes().is_some());
    assert_eq!(change_paths(&state).len(), 6, "/var/cache stays collapsed");
    state.feed(press(KeyCode::Esc));
    assert!(state.changes().is_none());
    assert_eq!(state.focus(), Pane::Containers);
    assert_eq!(selected_container(&state), "web-1");
}

#[test]
fn the_changes_view_says_when_its_container_is_gone() {
    let mut state = ready();
    select_container(&mut state, "web-1");
    state.feed(press(KeyCode::Enter));
    state.feed(Msg::ChangesLoaded {
        container: container_id('1'),
        result: Err(EngineError::new(
            EngineErrorKind::NotFound,
            "No such container: 1111",
        )),
    });
    assert_eq!(
        state.changes().unwrap().error.as_deref(),
        Some("the container no longer exists")
    );

    // A list without it says so too.
    state.feed(ch('r'));
    let rest: Vec<ContainerRecord> = containers()
        .into_iter()
        .filter(|c| c.name != "web-1")
        .collect();
    state.feed(Msg::ContainersLoaded(Ok(rest)));
    let view = state.changes().unwrap();
    assert_eq!(
        view.error.as_deref(),
        Some("container web-1 no longer exists")
    );
}

// ----- the commit form -----------------------------------------------------------------------

#[test]
fn c_opens_the_commit_form_with_a_valid_suggestion() {
    let mut state = ready();
    for (name, suggestion) in [
        ("web-1", "nginx:web-1"),
        ("api-2", "localhost:5000/team/app:api-2"),
        ("orphan", "orphan:latest"),
    ] {
        select_container(&mut state, name);
        state.feed(ch('c'));
        let open = state.form().expect("the commit form");
        assert_eq!(open.title, format!("Commit container {name}"));
        assert!(matches!(
            state.open_form(),
            Some(OpenForm::Commit(form)) if form.fields.container_name == name
        ));
        assert_eq!(open.focused_label(), Some(IMAGE));
        let labels: Vec<&str> = open.fields().iter().map(|f| f.label).collect();
        assert_eq!(labels, ["Image", "Message", "Author", "Pause", "Changes"]);
        assert_eq!(open.text(IMAGE), suggestion);
        let parsed = Reference::parse(suggestion).expect("a valid reference");
        assert!(parsed.tag().is_some() && parsed.digest().is_none());
        assert!(field(&state, PAUSE).is_on(), "pause is on by default");
        assert!(open.fields().iter().all(|f| f.error.is_none()));
        state.feed(press(KeyCode::Esc));
        assert!(state.form().is_none(), "Esc cancels");
    }
}

#[test]
fn c_with_nothing_selected_says_so() {
    let mut state = ready();
    state.feed(Msg::ContainersLoaded(Ok(vec![])));
    state.feed(ch('c'));
    assert!(state.form().is_none());
    assert_eq!(
        status(&state),
        ("select a container to commit".to_string(), Severity::Error)
    );
}

#[test]
fn submitting_starts_a_commit_job_with_every_field() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "web-snapshot:v2");
    state.feed(press(KeyCode::Tab));
    feed_text(&mut state, "fix the index page");
    state.feed(press(KeyCode::Tab));
    feed_text(&mut state, "Jane Doe <jane@example.com>");
    assert_eq!(form_text(&state, AUTHOR), "Jane Doe <jane@example.com>");
    state.feed(press(KeyCode::Tab));
    state.feed(ch(' '));
    state.feed(press(KeyCode::Tab));
    assert_eq!(focused(&state), CHANGES);
    // Alt-Enter starts a new changes line; Enter submits from here too.
    feed_text(&mut state, r#"CMD ["nginx", "-g", "daemon off;"]"#);
    state.feed(alt_enter());
    feed_text(&mut state, "ENV MODE=prod");
    state.feed(alt_enter());
    feed_text(&mut state, "EXPOSE 8080");
    assert_eq!(
        form_text(&state, CHANGES),
        "CMD [\"nginx\", \"-g\", \"daemon off;\"]\nENV MODE=prod\nEXPOSE 8080"
    );
    let effects = state.feed(press(KeyCode::Enter));
    let jobs = commits(&effects);
    assert_eq!(jobs.len(), 1, "{effects:?}");
    let (id, request) = &jobs[0];
    assert_eq!(
        request,
        &CommitRequest {
            container: container_id('1'),
            repository: "web-snapshot".into(),
            tag: "v2".into(),
            message: Some("fix the index page".into()),
            author: Some("Jane Doe <jane@example.com>".into()),
            pause: false,
            changes: vec![
                r#"CMD ["nginx", "-g", "daemon off;"]"#.into(),
                "ENV MODE=prod".into(),
                "EXPOSE 8080".into()
            ],
        }
    );
    assert!(state.form().is_none(), "the form closes");
    let job = state.jobs().get(*id).expect("the job is listed");
    assert_eq!(job.title, "commit web-1 → web-snapshot:v2");
    assert!(job.is_running());
    assert_eq!(
        status(&state),
        (
            "started commit web-1 → web-snapshot:v2".to_string(),
            Severity::Info
        )
    );
}

#[test]
fn empty_optional_fields_are_left_out_and_a_bare_name_means_latest() {
    let mut state = ready();
    commit_form(&mut state, "db", "db-backup");
    let effects = state.feed(press(KeyCode::Enter));
    let (_, request) = commits(&effects).pop().expect("a commit job");
    assert_eq!(
        (
            request.repository.as_str(),
            request.tag.as_str(),
            request.message,
            request.author,
            request.pause,
            request.changes.len()
        ),
        ("db-backup", "latest", None, None, true, 0)
    );
}

#[test]
fn a_registry_with_a_port_is_split_at_the_tag() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "localhost:5000/app:1");
    assert_eq!(field_error(&state, IMAGE), None, "no live complaint");
    let effects = state.feed(press(KeyCode::Enter));
    let (_, request) = commits(&effects).pop().expect("a commit job");
    assert_eq!(request.repository, "localhost:5000/app");
    assert_eq!(request.tag, "1");

    // Without a tag, the port is not mistaken for one.
    commit_form(&mut state, "web-1", "localhost:5000/app");
    let effects = state.feed(press(KeyCode::Enter));
    let (_, request) = commits(&effects).pop().expect("a commit job");
    assert_eq!(
        (request.repository.as_str(), request.tag.as_str()),
        ("localhost:5000/app", "latest")
    );
}

/// Typing `reference` and a message, then Enter: refused, with the error on the image field,
/// the focus there, and everything typed still in place.
fn assert_refused(reference: &str, expected: &[&str]) {
    let mut state = ready();
    commit_form(&mut state, "web-1", "x");
    state.feed(press(KeyCode::Tab));
    feed_text(&mut state, "keep me");
    state.feed(press(KeyCode::BackTab));
    state.feed(ctrl('u'));
    feed_text(&mut state, reference);
    let effects = state.feed(press(KeyCode::Enter));
    assert!(
        effects.is_empty(),
        "{reference:?} must not start anything: {effects:?}"
    );
    assert!(state.jobs().all().is_empty());
    let open = state.form().expect("the form stays open");
    assert_eq!(open.text(IMAGE), reference, "what was typed stays");
    assert_eq!(open.text(MESSAGE), "keep me");
    assert_eq!(open.focused_label(), Some(IMAGE));
    let error = field_error(&state, IMAGE).unwrap_or_else(|| panic!("no error for {reference:?}"));
    for word in expected {
        assert!(
            error.contains(word),
            "{reference:?}: {error:?} lacks {word:?}"
        );
    }
    assert!(
        state.popups().is_empty(),
        "no popup, the error is in the form"
    );
}

#[test]
fn uppercase_in_the_repository_is_refused_with_a_suggestion() {
    assert_refused("MyApp:1", &["uppercase", "\"myapp:1\""]);
}

#[test]
fn bad_characters_are_refused_naming_the_character() {
    assert_refused("my app:1", &["invalid character ' '", "repository"]);
    assert_refused("app:v1!", &["invalid character '!'", "tag"]);
    assert_refused("app:-1", &["tag \"-1\" must start with"]);
    assert_refused("app:", &["the tag after ':' is empty"]);
    assert_refused("", &["empty"]);
}

#[test]
fn a_tag_over_128_characters_is_refused() {
    let long = format!("app:{}", "t".repeat(129));
    assert_refused(&long, &["tag is 129 characters", "at most 128"]);
    // 128 is fine.
    let mut state = ready();
    commit_form(&mut state, "web-1", &format!("app:{}", "t".repeat(128)));
    let effects = state.feed(press(KeyCode::Enter));
    assert_eq!(commits(&effects).len(), 1);
}

#[test]
fn a_digest_is_refused_because_a_new_image_needs_a_tag() {
    let digest = format!("sha256:{}", "a".repeat(64));
    assert_refused(&format!("app@{digest}"), &["tag", "digest"]);
    assert_refused(&format!("app:1@{digest}"), &["tag", "digest"]);
}

#[test]
fn the_image_field_complains_while_typing_and_clears_when_fixed() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "Ap");
    let error = field_error(&state, IMAGE).expect("a live error");
    assert!(error.contains("uppercase"), "{error}");
    state.feed(ctrl('u'));
    feed_text(&mut state, "app:");
    assert_eq!(field_error(&state, IMAGE), None, "still typing the tag");
    feed_text(&mut state, "1");
    assert_eq!(field_error(&state, IMAGE), None);
}

#[test]
fn a_bad_changes_line_is_refused_naming_the_line() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "app:1");
    for _ in 0..4 {
        state.feed(press(KeyCode::Tab));
    }
    feed_text(&mut state, r#"CMD ["sh"]"#);
    state.feed(alt_enter());
    feed_text(&mut state, "RUN make");
    let effects = state.feed(press(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    let open = state.form().expect("the form stays open");
    assert_eq!(open.focused_label(), Some(CHANGES));
    assert_eq!(open.text(CHANGES), "CMD [\"sh\"]\nRUN make");
    assert_eq!(open.text(IMAGE), "app:1");
    let error = field_error(&state, CHANGES).expect("an error on the changes field");
    assert!(
        error.starts_with("line 2: \"RUN\" cannot be applied here"),
        "{error}"
    );
    assert!(error.contains("CMD") && error.contains("ENV"), "{error}");
    assert_eq!(field_error(&state, IMAGE), None);

    // An instruction without its argument.
    state.feed(ctrl('u'));
    feed_text(&mut state, "EXPOSE");
    state.feed(press(KeyCode::Enter));
    let error = field_error(&state, CHANGES).expect("an error on the changes field");
    assert_eq!(error, "line 2: EXPOSE needs an argument");

    // Fixed: the job starts.
    feed_text(&mut state, " 80");
    assert_eq!(field_error(&state, CHANGES), None, "editing clears it");
    let effects = state.feed(press(KeyCode::Enter));
    let (_, request) = commits(&effects).pop().expect("a commit job");
    assert_eq!(request.changes, ["CMD [\"sh\"]", "EXPOSE 80"]);
}

// ----- a tag that exists ---------------------------------------------------------------------

#[test]
fn an_existing_tag_asks_before_moving_and_no_returns_to_the_form() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "postgres:16");
    state.feed(press(KeyCode::Tab));
    feed_text(&mut state, "moved");
    let effects = state.feed(press(KeyCode::Enter));
    assert!(effects.is_empty(), "only the answer starts it: {effects:?}");
    let Some(Popup::Confirm(confirm)) = state.popups().last() else {
        panic!("a question, got {:?}", state.popups());
    };
    assert_eq!(confirm.title, "Move the tag?");
    assert!(
        confirm
            .body
            .contains("postgres:16 names image 333333333333"),
        "{}",
        confirm.body
    );
    assert!(!confirm.yes_selected, "the safe answer is highlighted");
    let before = state.open_form().cloned();

    // n: back to the form as it was.
    let effects = state.feed(ch('n'));
    assert!(effects.is_empty());
    assert!(state.popups().is_empty());
    assert_eq!(state.open_form(), before.as_ref(), "the form is unchanged");
    assert!(state.jobs().all().is_empty());

    // Enter on the question is the highlighted "no" as well.
    state.feed(press(KeyCode::Enter));
    assert!(state.feed(press(KeyCode::Enter)).is_empty());
    assert_eq!(state.open_form(), before.as_ref());

    // y: the job starts and the form closes.
    state.feed(press(KeyCode::Enter));
    let effects = state.feed(ch('y'));
    let (id, request) = commits(&effects).pop().expect("a commit job");
    assert_eq!(
        (request.repository.as_str(), request.tag.as_str()),
        ("postgres", "16")
    );
    assert_eq!(request.message.as_deref(), Some("moved"));
    assert!(state.popups().is_empty() && state.form().is_none());
    assert!(state.jobs().get(id).unwrap().is_running());
}

#[test]
fn the_same_name_in_its_full_form_is_found_too() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "docker.io/library/nginx:1.25");
    state.feed(press(KeyCode::Enter));
    assert!(
        matches!(state.popups().last(), Some(Popup::Confirm(_))),
        "docker.io/library/nginx:1.25 is nginx:1.25"
    );
}

// ----- the container goes away ---------------------------------------------------------------

#[test]
fn the_container_disappearing_while_the_form_is_open_stops_the_commit() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "web:2");
    state.feed(press(KeyCode::Tab));
    feed_text(&mut state, "typed before it went");
    let rest: Vec<ContainerRecord> = containers()
        .into_iter()
        .filter(|c| c.name != "web-1")
        .collect();
    state.feed(Msg::ContainersLoaded(Ok(rest)));
    let open = state.form().expect("the form stays to read");
    assert_eq!(
        open.error,
        Some("container web-1 no longer exists — Esc closes this form")
    );
    assert_eq!(open.text(IMAGE), "web:2");

    let effects = state.feed(press(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(state.jobs().all().is_empty());
    let open = state.form().expect("still open");
    assert!(
        open.error.is_some_and(|e| e.contains("no longer exists")),
        "{:?}",
        open.error
    );
    assert_eq!(open.text(MESSAGE), "typed before it went");

    state.feed(press(KeyCode::Esc));
    assert!(state.form().is_none());
    assert_eq!(names(&state), ["api-2", "db", "orphan"]);
}

#[test]
fn the_container_disappearing_while_the_tag_question_is_open_stops_the_commit() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "postgres:16");
    state.feed(press(KeyCode::Enter));
    assert!(matches!(state.popups().last(), Some(Popup::Confirm(_))));
    let rest: Vec<ContainerRecord> = containers()
        .into_iter()
        .filter(|c| c.name != "web-1")
        .collect();
    state.feed(Msg::ContainersLoaded(Ok(rest)));
    // The question has nothing left to ask about: it goes, and the form says why.
    assert!(state.popups().is_empty(), "{:?}", state.popups());
    let open = state.form().expect("the form says why");
    assert_eq!(
        open.error,
        Some("container web-1 no longer exists — Esc closes this form")
    );
    assert_eq!(open.text(IMAGE), "postgres:16");
    // A "y" meant for the question starts nothing, and neither does Enter.
    let mut effects = state.feed(ch('y'));
    effects.extend(state.feed(press(KeyCode::Enter)));
    assert!(commits(&effects).is_empty(), "{effects:?}");
    assert!(state.jobs().all().is_empty());
    assert!(
        state
            .form()
            .and_then(|o| o.error)
            .is_some_and(|e| e.contains("no longer exists"))
    );
}

// ----- the job ends --------------------------------------------------------------------------

/// Starts a commit of web-1 as `reference` and returns its job ID.
fn started(state: &mut State, reference: &str, message: &str) -> JobId {
    commit_form(state, "web-1", reference);
    state.feed(press(KeyCode::Tab));
    feed_text(state, message);
    let effects = state.feed(press(KeyCode::Enter));
    commits(&effects).pop().expect("a commit job").0
}

/// The commit job `id` ends: it made image 9 as `reference`.
fn created(state: &mut State, id: JobId, reference: &str) -> Vec<Effect> {
    state.feed(Msg::JobFinished {
        id,
        result: Ok(JobOutcome::Created {
            image: image_id('9'),
            reference: reference.into(),
        }),
    })
}

fn history(comment: &str) -> Vec<HistoryRecord> {
    vec![
        HistoryRecord {
            id: image_id('9').0,
            created: 2_000,
            created_by: "sh".into(),
            size: 120,
            comment: comment.into(),
            tags: vec!["web:2".into()],
        },
        HistoryRecord {
            id: image_id('1').0,
            created: 1_000,
            created_by: "/bin/sh -c #(nop) ADD file:ab in / ".into(),
            size: 10_000_000,
            comment: String::new(),
            tags: vec!["nginx:1.25".into()],
        },
    ]
}

#[test]
fn success_selects_the_new_image_once_it_is_looked_up_and_the_layers_follow() {
    let mut state = ready();
    let id = started(&mut state, "web:2", "snapshot");
    let effects = created(&mut state, id, "web:2");
    assert_eq!(
        effects,
        vec![Effect::InspectImage {
            reference: image_id('9').0
        }]
    );
    assert_eq!(
        state.jobs().get(id).unwrap().status,
        JobStatus::Succeeded("created web:2 (999999999999)".into())
    );
    assert_eq!(
        status(&state),
        (
            "commit web-1 → web:2: created web:2".to_string(),
            Severity::Info
        )
    );

    let effects = state.feed(Msg::ImageInspected {
        reference: image_id('9').0,
        result: Ok(Some(image('9', &["web:2"]))),
    });
    assert_eq!(
        state.images().selected_row().map(|r| r.reference()),
        Some("web:2".to_string())
    );
    assert_eq!(state.layers().image(), Some(&image_id('9')));
    assert_eq!(state.layers().label, "web:2");
    assert!(
        effects.contains(&Effect::LoadHistory {
            image: image_id('9')
        }),
        "{effects:?}"
    );
    state.feed(Msg::HistoryLoaded {
        image: image_id('9'),
        result: Ok(history("snapshot")),
    });
    let top = &state.layers().rows().expect("the new layers")[0];
    assert_eq!(top.comment, "snapshot");
    assert_eq!(
        state.focus(),
        Pane::Containers,
        "the focus stays where it was"
    );
}

#[test]
fn success_selects_the_new_image_when_a_full_list_brings_it_first() {
    let mut state = ready();
    let id = started(&mut state, "web:2", "snapshot");
    created(&mut state, id, "web:2");
    // A list that predates the commit changes nothing; the one after it selects the image.
    let before = state.images().selected_row().map(|r| r.reference());
    state.feed(Msg::ImagesLoaded(Ok(images())));
    assert_eq!(state.images().selected_row().map(|r| r.reference()), before);
    let mut after = images();
    after.push(image('9', &["web:2"]));
    let effects = state.feed(Msg::ImagesLoaded(Ok(after)));
    assert_eq!(
        state.images().selected_row().map(|r| r.reference()),
        Some("web:2".to_string())
    );
    assert_eq!(state.layers().image(), Some(&image_id('9')));
    assert!(
        effects.contains(&Effect::LoadHistory {
            image: image_id('9')
        }),
        "{effects:?}"
    );
    // The lookup answering later does not move the selection again.
    state.feed(ch('1'));
    state.feed(ch('g'));
    let chosen = state.images().selected_row().map(|r| r.reference());
    state.feed(Msg::ImageInspected {
        reference: image_id('9').0,
        result: Ok(Some(image('9', &["web:2"]))),
    });
    assert_eq!(state.images().selected_row().map(|r| r.reference()), chosen);
}

#[test]
fn a_registry_name_is_selected_by_its_full_reference() {
    let mut state = ready();
    let id = started(&mut state, "localhost:5000/app:1", "m");
    created(&mut state, id, "localhost:5000/app:1");
    state.feed(Msg::ImageInspected {
        reference: image_id('9').0,
        result: Ok(Some(image('9', &["localhost:5000/app:1"]))),
    });
    let row = state.images().selected_row().expect("a row");
    assert_eq!(
        (row.repository.as_str(), row.tag.as_str()),
        ("localhost:5000/app", "1")
    );
}

#[test]
fn failure_shows_the_engines_message() {
    let mut state = ready();
    let id = started(&mut state, "web:2", "snapshot");
    let message = "Error response from daemon: No such container: 1111\nsecond line";
    let effects = state.feed(Msg::JobFinished {
        id,
        result: Err(JobError::Failed(message.into())),
    });
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(
        status(&state),
        (
            "commit web-1 → web:2 failed: Error response from daemon: No such container: 1111"
                .to_string(),
            Severity::Error
        )
    );
    assert_eq!(
        state.jobs().get(id).unwrap().status,
        JobStatus::Failed(message.into())
    );
    // The job's full text is one Enter away in the jobs pane.
    state.feed(ch('5'));
    state.feed(press(KeyCode::Enter));
    let Some(Popup::Message { body, severity, .. }) = state.popups().last() else {
        panic!("the job's detail, got {:?}", state.popups());
    };
    assert_eq!(*severity, Severity::Error);
    assert!(body.contains("second line"), "{body}");
    // No selection waits for an image: a list that has one by that name leaves it alone.
    let before = state.images().selected_row().map(|r| r.reference());
    let mut after = images();
    after.push(image('9', &["web:2"]));
    state.feed(Msg::ImagesLoaded(Ok(after)));
    assert_eq!(state.images().selected_row().map(|r| r.reference()), before);
}

#[test]
fn a_late_or_repeated_finish_is_ignored() {
    let mut state = ready();
    let id = started(&mut state, "web:2", "snapshot");
    state.feed(Msg::JobFinished {
        id,
        result: Err(JobError::Failed("boom".into())),
    });
    let effects = created(&mut state, id, "web:2");
    assert!(effects.is_empty());
    assert_eq!(
        state.jobs().get(id).unwrap().status,
        JobStatus::Failed("boom".into())
    );
}

// ----- the command line ----------------------------------------------------------------------

#[test]
fn colon_commit_opens_the_same_form_filled_in() {
    let mut state = ready();
    state.feed(ch('1'));
    let effects = feed_command(&mut state, "commit api-2 localhost:5000/team/app:snap");
    assert!(effects.is_empty(), "the form asks first: {effects:?}");
    let open = state.form().expect("the commit form");
    assert_eq!(open.title, "Commit container api-2");
    assert!(matches!(
        state.open_form(),
        Some(OpenForm::Commit(form)) if form.fields.container == container_id('2')
    ));
    assert_eq!(open.text(IMAGE), "localhost:5000/team/app:snap");
    assert!(field(&state, PAUSE).is_on());
    assert!(matches!(
        field(&state, CHANGES).value,
        FieldValue::Lines { .. }
    ));
    let effects = state.feed(press(KeyCode::Enter));
    let (_, request) = commits(&effects).pop().expect("a commit job");
    assert_eq!(request.container, container_id('2'));
    assert_eq!(
        (request.repository.as_str(), request.tag.as_str()),
        ("localhost:5000/team/app", "snap")
    );
}

#[test]
fn colon_commit_finds_stopped_containers_and_ids_and_names_what_is_missing() {
    let mut state = ready();
    // A stopped container, hidden from the pane, is still found by name.
    feed_command(&mut state, "commit old-job keep:1");
    assert_eq!(
        state.form().map(|o| o.title),
        Some("Commit container old-job")
    );
    state.feed(press(KeyCode::Esc));

    // By ID prefix.
    feed_command(&mut state, "commit 333333 keep:1");
    assert_eq!(state.form().map(|o| o.title), Some("Commit container db"));
    state.feed(press(KeyCode::Esc));

    feed_command(&mut state, "commit ghost app:1");
    assert!(state.form().is_none());
    assert_eq!(
        status(&state),
        ("no container \"ghost\"".to_string(), Severity::Error)
    );

    // A bad reference given on the command line is checked like a typed one.
    feed_command(&mut state, "commit db Bad:1");
    let error = field_error(&state, IMAGE).expect("the form shows what is wrong");
    assert!(error.contains("uppercase"), "{error}");
}

#[test]
fn c_in_the_changes_view_commits_that_container() {
    let mut state = ready();
    select_container(&mut state, "db");
    state.feed(press(KeyCode::Enter));
    state.feed(ch('c'));
    assert_eq!(state.form().map(|o| o.title), Some("Commit container db"));
    assert_eq!(form_text(&state, IMAGE), "postgres:db");
    // Keys go to the form, not to the view under it.
    feed_text(&mut state, "r");
    assert_eq!(form_text(&state, IMAGE), "postgres:dbr");
    assert!(state.changes().is_some());
}

#[test]
fn pasting_into_the_changes_field_makes_lines() {
    let mut state = ready();
    commit_form(&mut state, "web-1", "app:1");
    for _ in 0..4 {
        state.feed(press(KeyCode::Tab));
    }
    state.feed(Msg::Paste("CMD [\"sh\"]\nLABEL a=b\n\nWORKDIR /srv".into()));
    let effects = state.feed(press(KeyCode::Enter));
    let (_, request) = commits(&effects).pop().expect("a commit job");
    assert_eq!(
        request.changes,
        ["CMD [\"sh\"]", "LABEL a=b", "WORKDIR /srv"]
    );
}
