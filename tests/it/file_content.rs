//! A file's content in the files view (issue 10): Enter on a file reads it again from its
//! layer, shows it as text or hex, scrolls, Esc goes back, `w` saves it through a form. As
//! state flows, snapshots, and end to end through the executor from a saved archive and a
//! committed image of the real engine.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};

use wharf::effect::Effect;
use wharf::flows::file_content::ContentMsg;
use wharf::layerfs::source::LoadEvent;
use wharf::model::file_content::{ContentRequestId, FileBytes};
use wharf::model::files::{FilesLoadId, FilesSource};
use wharf::msg::Msg;
use wharf::state::{FormKind, State};

use crate::files_view::{event, layer, opened, plan, until_loaded};
use crate::support::action_fixtures::{connected_at_home, images, select};
use crate::support::engine::{CMD_SH, Scratch, engine_or_skip, import_test_image, unique_name};
use crate::support::headless::Headless;
use crate::support::images::{E, docker_save, file, layer_tar, sha256};
use crate::support::keys::{ch, ctrl, press};
use crate::support::render::{render, snap_both};

/// 60 numbered lines, one with an escape sequence and a tab.
fn motd() -> Vec<u8> {
    let mut text = String::from("hello\x1b[31m red\tend\n");
    for i in 1..60 {
        text.push_str(&format!("line {i}\n"));
    }
    text.into_bytes()
}

fn tool() -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01\0".to_vec();
    bytes.extend((0u8..=255).cycle().take(600));
    bytes
}

/// A base with text, binary, links and a file too large to show; a layer deleting motd.
fn content_tars() -> Vec<Vec<u8>> {
    vec![
        layer_tar(&[
            file("big", 1_100_000),
            E::Dir("bin"),
            E::File("bin/tool", tool()),
            E::Dir("etc"),
            E::File("etc/motd", motd()),
            E::HardLink("etc/hard", "etc/motd"),
            E::Symlink("etc/link", "/etc/motd"),
        ]),
        layer_tar(&[E::Dir("etc"), E::Whiteout("etc/motd")]),
    ]
}

const HOME: &str = "/home/alice";

fn loaded() -> (State, FilesLoadId, Vec<Vec<u8>>) {
    let mut state = connected_at_home(images(), vec![], Some(HOME.into()));
    select(&mut state, "nginx:1.25");
    let (load, _) = opened(&state.update(ch('f')));
    let tars = content_tars();
    state.update(event(load, plan(&tars)));
    for tar in &tars {
        state.update(event(load, layer(tar)));
    }
    state.update(event(load, LoadEvent::Done));
    (state, load, tars)
}

/// Moves the tree's selection to `path` (`/etc/motd`).
fn select_path(state: &mut State, path: &str) {
    state.update(ch('g'));
    for _ in 0..50 {
        let view = state.files().expect("the files view");
        let here = view
            .selected_line()
            .map(|l| view.fs().display_path(l.row.path));
        if here.as_deref() == Some(path) {
            return;
        }
        state.update(ch('j'));
    }
    panic!("{path} is not in {:#?}", state.files().unwrap().tree_text());
}

/// The content read an Enter asked for.
fn read_asked(effects: &[Effect]) -> (FilesLoadId, ContentRequestId, String, Option<String>) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::ReadFileContent {
                load,
                request,
                what,
            } => Some((
                *load,
                *request,
                String::from_utf8_lossy(&what.path).into_owned(),
                Some(what.diff_id.clone()),
            )),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ReadFileContent in {effects:?}"))
}

fn answer(load: FilesLoadId, request: ContentRequestId, bytes: &[u8]) -> Msg {
    Msg::FileContent(ContentMsg::Read {
        load,
        request,
        result: Ok(FileBytes(Arc::from(bytes))),
    })
}

// ----- flows ---------------------------------------------------------------------------------

#[test]
fn enter_on_a_file_reads_its_layer_shows_it_scrolls_and_esc_goes_back() {
    let (mut state, load, tars) = loaded();
    select_path(&mut state, "/etc/motd");
    let effects = state.update(press(KeyCode::Enter));
    let (asked_load, request, path, diff_id) = read_asked(&effects);
    assert_eq!((asked_load, path.as_str()), (load, "etc/motd"));
    assert_eq!(diff_id, Some(sha256(&tars[0])), "the layer that wrote it");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::ReadFileContent { what, .. }
            if matches!(&what.source, FilesSource::Image { .. }))),
        "read again from the image it came from"
    );
    let content = state.file_content().expect("the content opens at once");
    assert!(content.lines().is_empty(), "loading");

    state.update(answer(load, request, &motd()));
    let content = state.file_content().unwrap();
    assert_eq!(content.is_text(), Some(true));
    assert_eq!(content.lines()[0], "hello^[[31m red    end");
    assert_eq!(content.lines()[5], "line 5");

    // Movement keys scroll the content, not the tree.
    let tree_row = state.files().unwrap().tree.selected();
    render(&state, 100, 30);
    state.update(press(KeyCode::PageDown));
    let offset = state.file_content().unwrap().scroll.offset;
    assert!(offset > 10, "a page down: {offset}");
    state.update(ch('G'));
    let content = state.file_content().unwrap();
    let page = content.scroll.page.get();
    assert!(page > 10 && page < 30, "{page}");
    assert_eq!(
        content.scroll.offset,
        61 - page,
        "the last line at the bottom"
    );
    assert_eq!(state.files().unwrap().tree.selected(), tree_row);
    // Tree keys wait while the content is shown.
    state.update(ch('c'));
    assert_eq!(
        state.files().unwrap().mode,
        wharf::layerfs::view::TreeMode::Changes
    );

    state.update(press(KeyCode::Esc));
    assert!(state.file_content().is_none());
    assert!(
        state.files().is_some(),
        "Esc leaves the content, not the view"
    );
    // An answer for a content closed since is dropped.
    state.update(answer(load, request, b"late"));
    assert!(state.file_content().is_none());
    state.update(press(KeyCode::Esc));
    assert!(state.files().is_none());
}

#[test]
fn binary_shows_as_hex_and_a_hard_link_reads_its_target() {
    let (mut state, load, _) = loaded();
    select_path(&mut state, "/bin/tool");
    let (_, request, path, _) = read_asked(&state.update(press(KeyCode::Enter)));
    assert_eq!(path, "bin/tool");
    state.update(answer(load, request, &tool()));
    let content = state.file_content().unwrap();
    assert_eq!(content.is_text(), Some(false));
    assert!(
        content.lines()[0].starts_with("00000000  7f 45 4c 46 02 01 01 00"),
        "{}",
        content.lines()[0]
    );
    assert_eq!(content.lines().len(), tool().len().div_ceil(16));

    state.update(press(KeyCode::Esc));
    select_path(&mut state, "/etc/hard");
    let (_, _, path, _) = read_asked(&state.update(press(KeyCode::Enter)));
    // The core follows the hard link inside the layer; the request names the link.
    assert_eq!(path, "etc/hard");
}

#[test]
fn large_files_links_directories_and_deletions_say_why_nothing_is_shown() {
    let (mut state, _, _) = loaded();
    select_path(&mut state, "/big");
    let effects = state.update(press(KeyCode::Enter));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::ReadFileContent { .. }))
    );
    assert!(state.file_content().is_none());
    assert!(
        state.status_text().contains("1 MiB"),
        "{}",
        state.status_text()
    );

    select_path(&mut state, "/etc/link");
    state.update(press(KeyCode::Enter));
    assert!(state.file_content().is_none());
    assert!(
        state.status_text().contains("symlink to /etc/motd"),
        "{}",
        state.status_text()
    );

    // Enter on a directory still opens and closes it.
    select_path(&mut state, "/etc");
    let before = state.files().unwrap().row_count();
    state.update(press(KeyCode::Enter));
    assert!(state.files().unwrap().row_count() < before);
    assert!(state.file_content().is_none());
    state.update(press(KeyCode::Enter));
    assert_eq!(state.files().unwrap().row_count(), before);

    // The layer that deletes motd has nothing to show for it.
    state.update(ch(']'));
    select_path(&mut state, "/etc/motd");
    state.update(press(KeyCode::Enter));
    assert!(state.file_content().is_none());
    assert!(
        state.status_text().contains("deletes"),
        "{}",
        state.status_text()
    );
}

#[test]
fn a_failed_read_shows_its_reason_and_w_needs_content() {
    let (mut state, load, _) = loaded();
    select_path(&mut state, "/etc");
    let effects = state.update(ch('w'));
    assert!(state.form_kind().is_none() && effects.is_empty());
    assert!(
        state.status_text().contains("this is a directory"),
        "{}",
        state.status_text()
    );
    select_path(&mut state, "/etc/motd");
    let (_, request, _, _) = read_asked(&state.update(press(KeyCode::Enter)));
    state.update(ch('w'));
    assert!(state.form_kind().is_none(), "nothing to save while loading");
    state.update(Msg::FileContent(ContentMsg::Read {
        load,
        request,
        result: Err("layer sha256:0123: unexpected end\x1b[2J".into()),
    }));
    let error = state.file_content().unwrap().error().unwrap().to_string();
    assert!(
        error.contains("unexpected end") && !error.contains('\x1b'),
        "{error}"
    );
    render(&state, 80, 20);
}

#[test]
fn w_on_a_tree_row_reads_the_file_then_asks_where_to_save_it() {
    let (mut state, load, _) = loaded();
    select_path(&mut state, "/etc/motd");
    let (_, request, path, _) = read_asked(&state.update(ch('w')));
    assert!(path.ends_with("etc/motd"), "{path}");
    assert!(
        state.form_kind().is_none(),
        "no form before the bytes are here"
    );
    state.update(answer(load, request, &motd()));
    assert_eq!(state.form_kind(), Some(FormKind::SaveFile));
    assert_eq!(state.form().unwrap().text("Save to"), "motd");

    // A read that fails shows why, and no form.
    state.update(press(KeyCode::Esc)); // the form
    state.update(press(KeyCode::Esc)); // the content
    select_path(&mut state, "/etc/motd");
    let (_, request, _, _) = read_asked(&state.update(ch('w')));
    state.update(Msg::FileContent(ContentMsg::Read {
        load,
        request,
        result: Err("layer sha256:0123: unexpected end".into()),
    }));
    assert!(state.form_kind().is_none());
    assert!(state.file_content().unwrap().error().is_some());
}

#[test]
fn w_asks_for_a_path_expands_home_and_refusals_show_in_the_form() {
    let (mut state, load, _) = loaded();
    select_path(&mut state, "/etc/motd");
    let (_, request, _, _) = read_asked(&state.update(press(KeyCode::Enter)));
    state.update(answer(load, request, &motd()));
    state.update(ch('w'));
    assert_eq!(state.form_kind(), Some(FormKind::SaveFile));
    assert_eq!(state.form().unwrap().text("Save to"), "motd");

    // An empty path is refused in the form.
    state.update(ctrl('u'));
    let effects = state.update(press(KeyCode::Enter));
    assert!(effects.is_empty());
    assert!(state.form().unwrap().field_error("Save to").is_some());

    for c in "~/out/motd".chars() {
        state.update(ch(c));
    }
    let effects = state.update(press(KeyCode::Enter));
    let (path, bytes, overwrite) = effects
        .iter()
        .find_map(|e| match e {
            Effect::SaveFileContent {
                path,
                bytes,
                overwrite,
            } => Some((path.clone(), bytes.clone(), *overwrite)),
            _ => None,
        })
        .expect("a save");
    assert_eq!(path, std::path::Path::new(HOME).join("out/motd"));
    assert_eq!(&*bytes.0, &motd()[..]);
    assert!(!overwrite);

    // The executor refused: the reason goes under the path, the form stays.
    state.update(Msg::FileContent(ContentMsg::Saved {
        path: path.clone(),
        result: Err(format!(
            "{} exists already: switch Overwrite on to replace it",
            path.display()
        )),
    }));
    assert_eq!(state.form_kind(), Some(FormKind::SaveFile));
    let error = state.form().unwrap().field_error("Save to").unwrap();
    assert!(error.contains("Overwrite"), "{error}");

    // Overwrite switched on (Tab to it, Space), then saved.
    state.update(press(KeyCode::Tab));
    state.update(ch(' '));
    let effects = state.update(press(KeyCode::Enter));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::SaveFileContent {
            overwrite: true,
            ..
        }
    )));
    state.update(Msg::FileContent(ContentMsg::Saved {
        path,
        result: Ok(61),
    }));
    assert!(state.form_kind().is_none());
    assert!(
        state.status_text().contains("saved 61 bytes"),
        "{}",
        state.status_text()
    );
    assert!(state.file_content().is_some(), "the content stays shown");
}

// ----- snapshots -----------------------------------------------------------------------------

#[test]
fn snapshots_of_a_files_content_as_text_as_hex_and_the_save_form() {
    let (mut state, load, _) = loaded();
    select_path(&mut state, "/etc/motd");
    let (_, request, _, _) = read_asked(&state.update(press(KeyCode::Enter)));
    state.update(answer(load, request, &motd()));
    let screens = snap_both!(&state, "file_content_text");
    assert!(screens[0].contains("hello^[[31m red"), "{}", screens[0]);
    assert!(screens[0].contains("Esc back to the tree"));

    state.update(ch('w'));
    let screens = snap_both!(&state, "file_content_save_form");
    assert!(screens[0].contains("Overwrite"), "{}", screens[0]);
    state.update(press(KeyCode::Esc));

    state.update(press(KeyCode::Esc));
    select_path(&mut state, "/bin/tool");
    let (_, request, _, _) = read_asked(&state.update(press(KeyCode::Enter)));
    state.update(answer(load, request, &tool()));
    let screens = snap_both!(&state, "file_content_hex");
    assert!(screens[0].contains("|.ELF"), "{}", screens[0]);
}

// ----- end to end ----------------------------------------------------------------------------

/// Selects `path` in a running app's tree.
fn app_select(app: &mut Headless, path: &str) {
    app.press(KeyCode::Char('g'));
    for _ in 0..200 {
        let view = app.state.files().expect("the files view");
        let here = view
            .selected_line()
            .map(|l| view.fs().display_path(l.row.path));
        if here.as_deref() == Some(path) {
            return;
        }
        app.press(KeyCode::Char('j'));
    }
    panic!(
        "{path} is not in {:#?}",
        app.state.files().unwrap().tree_text()
    );
}

/// Enter on the selected file; waits for its bytes.
async fn app_read(app: &mut Headless) -> Vec<u8> {
    app.press(KeyCode::Enter);
    app.until(Duration::from_secs(60), |h| {
        h.state
            .file_content()
            .is_some_and(|c| c.bytes().is_some() || c.error().is_some())
    })
    .await
    .unwrap_or_else(|| panic!("the content did not come: {:#?}", app.log));
    let content = app.state.file_content().unwrap();
    assert_eq!(content.error(), None, "{:#?}", app.log);
    content.bytes().unwrap().0.to_vec()
}

/// `w`, a path, Enter; waits for the form to close.
async fn app_save(app: &mut Headless, path: &std::path::Path) {
    app.press(KeyCode::Char('w'));
    app.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.type_text(&path.display().to_string());
    app.press(KeyCode::Enter);
    app.until(Duration::from_secs(20), |h| h.state.form_kind().is_none())
        .await
        .unwrap_or_else(|| panic!("the save did not end: {:#?}", app.log));
}

#[tokio::test]
async fn a_files_content_is_read_from_a_saved_archive_and_saved_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("saved.tar");
    std::fs::write(&archive, docker_save(&content_tars(), "content:1")).unwrap();
    let mut app = Headless::start();
    app.apply(ch(':'));
    app.type_text(&format!("files {}", archive.display()));
    app.press(KeyCode::Enter);
    until_loaded(&mut app).await;

    app_select(&mut app, "/etc/motd");
    assert_eq!(app_read(&mut app).await, motd());
    let saved = dir.path().join("motd.out");
    app_save(&mut app, &saved).await;
    assert_eq!(std::fs::read(&saved).unwrap(), motd());

    // Saving again over it is refused until Overwrite is on; the file is untouched.
    app.press(KeyCode::Char('w'));
    app.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.type_text(&saved.display().to_string());
    app.press(KeyCode::Enter);
    app.until(Duration::from_secs(20), |h| {
        h.state
            .form()
            .is_some_and(|f| f.field_error("Save to").is_some())
    })
    .await
    .unwrap_or_else(|| panic!("no refusal: {:#?}", app.log));
    app.press(KeyCode::Esc);

    // Binary, through a hard link to it in the same layer.
    app.press(KeyCode::Esc);
    app_select(&mut app, "/bin/tool");
    assert_eq!(app_read(&mut app).await, tool());
    assert_eq!(app.state.file_content().unwrap().is_text(), Some(false));
    app.press(KeyCode::Esc);
    app_select(&mut app, "/etc/hard");
    assert_eq!(
        app_read(&mut app).await,
        motd(),
        "a hard link shows its target"
    );
}

#[tokio::test]
async fn a_files_content_is_read_from_a_committed_image_through_the_engine() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let base = format!("{}:1", unique_name("content-base"));
    import_test_image(&engine, &mut scratch, &base, &[CMD_SH]).await;
    let c1 = scratch.run_to_completion(
        &base,
        &[
            "sh",
            "-c",
            "mkdir /data && printf 'line one\\n\\001two' > /data/x",
        ],
    );
    let name = format!("{}:1", unique_name("content-top"));
    scratch.commit(&c1, &name, "one");

    let mut app = Headless::start();
    app.ready().await;
    app.apply(ch(':'));
    app.type_text(&format!("files {name}"));
    app.press(KeyCode::Enter);
    until_loaded(&mut app).await;
    assert_eq!(app.state.files().unwrap().error, None, "{:#?}", app.log);
    app.press(KeyCode::Char(']'));
    app_select(&mut app, "/data/x");
    let bytes = app_read(&mut app).await;
    assert_eq!(bytes, b"line one\n\x01two");
    assert_eq!(
        app.state.file_content().unwrap().lines(),
        ["line one", "^Atwo"]
    );

    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("x");
    app_save(&mut app, &saved).await;
    assert_eq!(std::fs::read(&saved).unwrap(), b"line one\n\x01two");
}

#[tokio::test]
async fn a_files_content_is_read_from_a_remote_tags_blob_without_pulling() {
    use crate::layerfs_remote::{engine_has, push_sample};
    use crate::support::registry::{Auth, TestRegistry};
    let registry = TestRegistry::start(Auth::None);
    let repo = unique_name("content-remote");
    push_sample(&registry, &repo, "1").await;
    let reference = format!("{}/{repo}:1", registry.host());
    let client = wharf::registry::RegistryClient::new(wharf::registry::ClientOptions::default())
        .expect("a registry client");
    let services = wharf::executor::Services {
        registry: wharf::executor::Registry::ready(client),
        ..wharf::executor::Services::default()
    };
    let mut app = Headless::start_with(&wharf::config::Config::defaults().unwrap(), services);
    app.apply(ch(':'));
    app.type_text(&format!("files {reference}"));
    app.press(KeyCode::Enter);
    until_loaded(&mut app).await;
    assert_eq!(app.state.files().unwrap().error, None, "{:#?}", app.log);
    // The base (a gzip blob): a hard link reads its target.
    app_select(&mut app, "/bin/ash");
    assert_eq!(app_read(&mut app).await, vec![b'x'; 1000]);
    app.press(KeyCode::Esc);
    // The second layer (a zstd blob) rewrote passwd with 120 bytes.
    app.press(KeyCode::Char(']'));
    app_select(&mut app, "/etc/passwd");
    assert_eq!(app_read(&mut app).await, vec![b'x'; 120]);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("passwd");
    app_save(&mut app, &saved).await;
    assert_eq!(std::fs::read(&saved).unwrap(), vec![b'x'; 120]);
    assert!(!engine_has(&reference), "nothing was pulled");
}
