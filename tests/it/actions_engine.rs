//! The actions against the real engine and a real `docker-registry` on loopback with
//! htpasswd, through wharf's own effect path: the real `State` and `Executor` (headless),
//! driven by keys, with a private docker config directory. Login with a password full of
//! characters base64 mangles, tag, push, the tags pane's local column, remove, pull back;
//! a wrong password, a credential helper, imports, a cancelled push, a registry that is down.
//!
//! Every test starts its own registry, names its images uniquely and removes them (also when
//! it fails) through `Scratch`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crossterm::event::KeyCode;

use crate::support::credential_helper::{calls, helper_calls, install_fake_helper};
use crate::support::engine::{
    CMD_SH, Rootfs, Scratch, assert_image_known_by_digest, docker, engine_or_skip, import_archive,
    import_test_image, inspect_image, unique_name,
};
use crate::support::forms::{field_error, focused, form, form_text};
use crate::support::headless::{Headless, loopback_services};
use crate::support::registry::{Auth, TestRegistry};
use wharf::config::{Config, SortKey};
use wharf::docker::Engine;
use wharf::effect::Effect;
use wharf::job::JobId;
use wharf::model::jobs::JobStatus;
use wharf::model::popup::{Popup, Severity};
use wharf::model::tags::{LocalIndex, LocalStatus};
use wharf::registry::DockerConfig;
use wharf::state::Pane;
use wharf::state::query::FormKind;

const USER: &str = "wharf";
/// Standard base64 of `{"password":"abc>>>def+/=",…}` has `+` and `/`: the engine drops
/// such a header unless it is URL-safe (see ENGINE-NOTES).
const PASSWORD: &str = "abc>>>def+/=";
/// Engine and registry work on a loaded two-core machine: generous bounds, polled.
const QUICK: Duration = Duration::from_secs(15);
const SLOW: Duration = Duration::from_secs(120);

// ----- setting up ----------------------------------------------------------------------------

/// Newest images first, so the ones a test makes are near the top.
fn config() -> Config {
    let mut config = Config::defaults().unwrap();
    config.images.sort = SortKey::Age;
    config
}

/// The headless app, connected and listed.
async fn start(docker_config: DockerConfig) -> Headless {
    let mut app = Headless::start_with(&config(), loopback_services(docker_config));
    app.ready().await;
    app
}

fn htpasswd() -> TestRegistry {
    TestRegistry::start(Auth::Htpasswd {
        username: USER.into(),
        password: PASSWORD.into(),
    })
}

// ----- driving -------------------------------------------------------------------------------

fn command(app: &mut Headless, text: &str) {
    app.press(KeyCode::Char(':'));
    app.type_text(text);
    app.press(KeyCode::Enter);
}

/// Waits until the images pane lists `reference`. The event stream brings it; if the
/// subscription was not live yet when the change happened, one full reload does.
async fn wait_row(app: &mut Headless, reference: &str) {
    if app.until(QUICK, |h| h.has(reference)).await.is_some() {
        return;
    }
    app.run(vec![Effect::LoadImages]);
    app.until(QUICK, |h| h.has(reference))
        .await
        .unwrap_or_else(|| panic!("{reference} never showed up; log:\n{}", app.log.join("\n")));
}

async fn wait_gone(app: &mut Headless, reference: &str) {
    if app.until(QUICK, |h| !h.has(reference)).await.is_some() {
        return;
    }
    app.run(vec![Effect::LoadImages]);
    app.until(QUICK, |h| !h.has(reference))
        .await
        .unwrap_or_else(|| panic!("{reference} is still listed"));
}

/// Selects the images pane row of `reference`.
fn select(app: &mut Headless, reference: &str) {
    app.press(KeyCode::Char('1'));
    app.press(KeyCode::Char('g'));
    for _ in 0..=app.state.images().visible_len() {
        if app.state.images().selected_row().map(|r| r.reference()) == Some(reference.to_string()) {
            return;
        }
        app.press(KeyCode::Char('j'));
    }
    panic!("{reference} is not in the images pane");
}

/// The newest job, once it ends.
async fn finish(app: &mut Headless, limit: Duration) -> (JobId, JobStatus) {
    let id = app.state.jobs().all().last().expect("a job was started").id;
    app.until(limit, |h| !h.state.jobs().get(id).unwrap().is_running())
        .await
        .unwrap_or_else(|| {
            panic!(
                "job {id} still running after {limit:?}; log tail:\n{}",
                tail(&app.log)
            )
        });
    (id, app.state.jobs().get(id).unwrap().status.clone())
}

fn tail(log: &[String]) -> String {
    log[log.len().saturating_sub(40)..].join("\n")
}

fn status_text(app: &Headless) -> String {
    app.state.status_text().to_string()
}

/// `:login HOST`, username, Tab, password, Enter; waits for the engine's answer.
async fn log_in(app: &mut Headless, host: &str, password: &str) {
    command(app, &format!("login {host}"));
    assert_eq!(app.state.form_kind(), Some(FormKind::Login));
    app.type_text(USER);
    app.press(KeyCode::Tab);
    app.type_text(password);
    app.press(KeyCode::Enter);
    app.until(QUICK, |h| h.state.form().is_none_or(|f| f.busy.is_none()))
        .await
        .expect("the engine answers the login within the limit");
}

// ----- checking ------------------------------------------------------------------------------

/// The registry's own answer for a tag's digest (HEAD with the test's credentials).
async fn registry_digest(registry: &TestRegistry, name: &str, tag: &str) -> Option<String> {
    let response = reqwest::Client::new()
        .head(format!(
            "http://{}/v2/{name}/manifests/{tag}",
            registry.host()
        ))
        .basic_auth(USER, Some(PASSWORD))
        .header(
            "accept",
            "application/vnd.docker.distribution.manifest.v2+json, \
             application/vnd.oci.image.manifest.v1+json, \
             application/vnd.docker.distribution.manifest.list.v2+json, \
             application/vnd.oci.image.index.v1+json",
        )
        .send()
        .await
        .unwrap();
    if response.status().as_u16() == 404 {
        return None;
    }
    assert_eq!(response.status().as_u16(), 200, "HEAD {name}:{tag}");
    response
        .headers()
        .get("docker-content-digest")
        .map(|d| d.to_str().unwrap().to_string())
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A name for a repository in `registry`: `127.0.0.1:PORT/wharf-test-…-label`.
fn remote_name(registry: &TestRegistry, label: &str) -> (String, String) {
    let name = unique_name(label);
    (format!("{}/{name}", registry.host()), name)
}

// ----- the round trip ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_tag_push_remove_and_pull_back_with_a_hard_password() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let registry = htpasswd();
    let config_dir = tempfile::tempdir().unwrap();
    let docker_config = DockerConfig::at(config_dir.path());
    let (repository, name) = remote_name(&registry, "round");
    let source = format!("{}:src", unique_name("round-src"));
    let image = import_test_image(&engine, &mut scratch, &source, &[CMD_SH]).await;
    let target = format!("{repository}:1");
    scratch.track_image(&target);

    let mut app = start(docker_config.clone()).await;
    // Pin the tags pane to this repository from the start.
    command(&mut app, &format!("repo {repository}"));
    wait_row(&mut app, &source).await;
    // The registry refuses the tags until the login (what the status line below refers to).
    app.until(QUICK, |h| h.state.tags().error.is_some())
        .await
        .expect("the registry refuses the tags before the login");

    // Log in by typing, as a user would.
    log_in(&mut app, registry.host(), PASSWORD).await;
    assert!(app.state.form().is_none(), "log: {}", tail(&app.log));
    let config_path = config_dir.path().join("config.json");
    // The tags pane was refused before the login: R loads it again, now allowed (the
    // repository does not exist yet).
    assert_eq!(
        status_text(&app),
        format!(
            "logged in to {} (stored in {}) — press R to retry the tags of {repository}",
            registry.host(),
            config_path.display()
        )
    );
    app.press(KeyCode::Char('R'));
    app.until(QUICK, |h| {
        h.state.tags().error.is_some() || h.state.tags().loaded
    })
    .await
    .expect("the tags answer");
    assert_eq!(
        app.state.tags().error.as_ref().map(|e| e.message.clone()),
        Some(format!("repository {repository} not found"))
    );
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    assert_eq!(
        stored["auths"][registry.host()]["auth"],
        STANDARD.encode(format!("{USER}:{PASSWORD}")),
        "stored as docker login does: {stored}"
    );
    assert_eq!(mode(&config_path), 0o600);

    // Tag: select the source, t, type the new name, Enter; the new row appears selected.
    select(&mut app, &source);
    app.press(KeyCode::Char('t'));
    app.key(KeyCode::Char('u'), crossterm::event::KeyModifiers::CONTROL);
    app.type_text(&target);
    app.press(KeyCode::Enter);
    assert!(app.state.form().is_none(), "{:?}", app.state.form());
    wait_row(&mut app, &target).await;
    app.until(QUICK, |h| {
        h.state.images().selected_row().map(|r| r.reference()) == Some(target.clone())
    })
    .await
    .expect("the new tag is selected");

    // Push: P, y.
    app.press(KeyCode::Char('P'));
    app.press(KeyCode::Char('y'));
    let (_, pushed) = finish(&mut app, SLOW).await;
    let JobStatus::Succeeded(summary) = &pushed else {
        panic!("push failed: {pushed:?}\n{}", tail(&app.log));
    };
    assert!(
        summary.starts_with(&format!("pushed {target} (")),
        "{summary}"
    );
    let text = status_text(&app);
    let digest = text
        .strip_prefix(&format!("pushed {target} ("))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("the outcome names the digest: {text}"))
        .to_string();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    assert_eq!(
        registry_digest(&registry, &name, "1").await.as_deref(),
        Some(digest.as_str()),
        "the registry has the tag with the digest the engine reported"
    );
    let (code, tags) = registry.raw_get(&format!("/v2/{name}/tags/list")).await;
    assert_eq!(code, 200);
    assert!(tags.contains("\"1\""), "{tags}");

    // The tags pane of that repository: the tag, its digest, and "same".
    app.press(KeyCode::Char('4'));
    app.press(KeyCode::Char('r'));
    let repo = registry.repo(&name);
    app.until(QUICK, |h| {
        let Some(row) = h.state.tags().row_named("1") else {
            return false;
        };
        let local = LocalIndex::new(h.state.images().records(), &repo);
        row.digest.as_deref() == Some(digest.as_str()) && local.status(row) == LocalStatus::Same
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "the tags pane shows 1 as same; tags {:?} error {:?}\n{}",
            app.state.tags().row_named("1"),
            app.state.tags().error,
            tail(&app.log)
        )
    });
    assert_eq!(app.state.tags().total(), 1);

    // Remove locally: untag the source outside, so removing the pushed tag in wharf deletes
    // the image and the pull really downloads it.
    docker(&["rmi", &source]);
    wait_gone(&mut app, &source).await;
    select(&mut app, &target);
    app.press(KeyCode::Char('d'));
    match app.state.popups().last() {
        Some(Popup::Confirm(question)) => assert!(
            question
                .body
                .contains("This deletes the image and those of its layers nothing else uses"),
            "{}",
            question.body
        ),
        other => panic!("expected the remove question, found {other:?}"),
    }
    app.press(KeyCode::Char('y'));
    app.until(QUICK, |h| status_text(h).starts_with("removed "))
        .await
        .unwrap_or_else(|| panic!("no removal; {}", tail(&app.log)));
    assert!(
        inspect_image(&image.0, "{{.Id}}").is_none(),
        "the image is gone"
    );
    wait_gone(&mut app, &target).await;

    // Pull it back: the same image, with the digest the push produced.
    command(&mut app, &format!("pull {target}"));
    let (_, pulled) = finish(&mut app, SLOW).await;
    assert_eq!(
        pulled,
        JobStatus::Succeeded(format!("pulled {target}")),
        "{}",
        tail(&app.log)
    );
    wait_row(&mut app, &target).await;
    assert_image_known_by_digest(&target, &image.0, &repository, &digest);
    app.until(QUICK, |h| {
        h.state.images().selected_row().map(|r| r.reference()) == Some(target.clone())
    })
    .await
    .expect("the pulled image is selected");
    drop(app);
    drop(engine);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_leaves_config_json_byte_identical() {
    if engine_or_skip().await.is_none() {
        return;
    }
    let registry = htpasswd();
    let config_dir = tempfile::tempdir().unwrap();
    let config_path = config_dir.path().join("config.json");
    let original = format!(
        "{{\n\t\"auths\": {{\n\t\t\"other.example:5000\": {{\n\t\t\t\"auth\": \"{}\"\n\t\t}}\n\t}},\n\t\"currentContext\": \"default\",\n\t\"x-unknown\": {{\"keep\": [1, 2]}}\n}}",
        STANDARD.encode("someone:else")
    );
    std::fs::write(&config_path, &original).unwrap();
    std::fs::set_permissions(&config_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut app = start(DockerConfig::at(config_dir.path())).await;

    log_in(&mut app, registry.host(), "abc>>>def+/=WRONG").await;
    let open = form(&app.state);
    assert_eq!(
        open.field_error("Password"),
        Some("wrong username or password"),
        "{open:?}\n{}",
        tail(&app.log)
    );
    let said = open.error.unwrap_or_default();
    assert!(
        said.starts_with(&format!("{} said: ", registry.host())),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&config_path).unwrap(), original);
    assert_eq!(mode(&config_path), 0o644, "not even rewritten");

    // Correcting the password in the same form logs in; every other key is kept.
    app.key(KeyCode::Char('u'), crossterm::event::KeyModifiers::CONTROL);
    app.type_text(PASSWORD);
    app.press(KeyCode::Enter);
    app.until(QUICK, |h| h.state.form().is_none())
        .await
        .unwrap_or_else(|| panic!("{:?}", app.state.form()));
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    assert_eq!(
        stored["auths"][registry.host()]["auth"],
        STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    assert_eq!(
        stored["auths"]["other.example:5000"]["auth"],
        STANDARD.encode("someone:else")
    );
    assert_eq!(stored["currentContext"], "default");
    assert_eq!(stored["x-unknown"]["keep"], serde_json::json!([1, 2]));
    assert_eq!(mode(&config_path), 0o600);

    // :logout erases it again, and only it.
    command(&mut app, &format!("logout {}", registry.host()));
    app.until(QUICK, |h| status_text(h).starts_with("logged out of "))
        .await
        .unwrap_or_else(|| panic!("{}", status_text(&app)));
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    assert!(stored["auths"].get(registry.host()).is_none(), "{stored}");
    assert!(stored["auths"].get("other.example:5000").is_some());
}

// ----- a credential helper -------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_through_a_credential_helper_stores_there_and_push_uses_it() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let registry = htpasswd();
    let config_dir = tempfile::tempdir().unwrap();
    let helper_dir = tempfile::tempdir().unwrap();
    install_fake_helper(helper_dir.path(), "wharftest");
    let config_path = config_dir.path().join("config.json");
    std::fs::write(&config_path, r#"{"credsStore": "wharftest"}"#).unwrap();
    let docker_config = DockerConfig::at(config_dir.path()).with_helper_dir(helper_dir.path());
    let (repository, name) = remote_name(&registry, "helper");
    let target = format!("{repository}:h1");
    import_test_image(&engine, &mut scratch, &target, &[CMD_SH]).await;

    let mut app = start(docker_config).await;
    command(&mut app, &format!("repo {repository}"));
    log_in(&mut app, registry.host(), PASSWORD).await;
    assert!(app.state.form().is_none(), "{:?}", app.state.form());
    assert!(
        status_text(&app).starts_with(&format!(
            "logged in to {} (stored in docker-credential-wharftest)",
            registry.host()
        )),
        "{}",
        status_text(&app)
    );
    let kept = std::fs::read_to_string(
        helper_dir
            .path()
            .join("store")
            .join(registry.host().replace(':', "_")),
    )
    .unwrap();
    let kept: serde_json::Value = serde_json::from_str(&kept).unwrap();
    assert_eq!(kept["ServerURL"], registry.host());
    assert_eq!(kept["Username"], USER);
    assert_eq!(kept["Secret"], PASSWORD);

    // config.json: the helper stays, the registry is listed with no secret, as docker does.
    let text = std::fs::read_to_string(&config_path).unwrap();
    assert!(
        !text.contains("abc>>>def"),
        "a secret in config.json: {text}"
    );
    assert!(
        !text.contains(&STANDARD.encode(format!("{USER}:{PASSWORD}"))),
        "{text}"
    );
    let stored: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stored["credsStore"], "wharftest");
    assert_eq!(stored["auths"][registry.host()], serde_json::json!({}));
    assert_eq!(mode(&config_path), 0o600);

    // The push finds the credentials through the helper.
    wait_row(&mut app, &target).await;
    select(&mut app, &target);
    app.press(KeyCode::Char('P'));
    app.press(KeyCode::Char('y'));
    let (_, status) = finish(&mut app, SLOW).await;
    assert!(
        matches!(&status, JobStatus::Succeeded(s) if s.starts_with(&format!("pushed {target}"))),
        "{status:?}\n{}",
        tail(&app.log)
    );
    assert!(registry_digest(&registry, &name, "h1").await.is_some());
    assert!(
        helper_calls(helper_dir.path(), "store") > 0 && helper_calls(helper_dir.path(), "get") > 0,
        "{:?}",
        calls(helper_dir.path())
    );
}

// ----- import --------------------------------------------------------------------------------

/// `:import PATH` opens the form on the file field; the reference and a CMD change are
/// typed into it, Enter; the job's end, or the error under the file field.
async fn import_through_the_form(app: &mut Headless, path: &Path, reference: &str) -> JobStatus {
    command(app, &format!("import {}", path.display()));
    assert_eq!(app.state.form_kind(), Some(FormKind::Import));
    assert_eq!(form_text(&app.state, "File"), path.display().to_string());
    // File, Image, Message, Changes: Shift-Tab from the file field wraps to the changes
    // (Tab there would complete the path), and twice more reaches the image.
    assert_eq!(focused(&app.state), "File");
    app.press(KeyCode::BackTab);
    assert_eq!(focused(&app.state), "Changes");
    app.type_text(CMD_SH);
    app.press(KeyCode::BackTab);
    app.press(KeyCode::BackTab);
    assert_eq!(focused(&app.state), "Image");
    app.type_text(reference);
    app.press(KeyCode::Enter);
    until_imported_or_refused(app).await
}

/// `:import PATH REF`: everything typed, so it starts at once; the job's end, or the error
/// under the file field of the form that opens instead.
async fn import_by_command(app: &mut Headless, path: &Path, reference: &str) -> JobStatus {
    command(app, &format!("import {} {reference}", path.display()));
    until_imported_or_refused(app).await
}

/// Waits for a new import job's end, or for the import form to come back with the file's
/// problem under the file field.
async fn until_imported_or_refused(app: &mut Headless) -> JobStatus {
    let jobs_before = app.state.jobs().all().len();
    app.until(QUICK, |h| {
        h.state.jobs().all().len() > jobs_before
            || h.state.form().is_some_and(|f| {
                f.busy.is_none() && f.field("File").is_some_and(|file| file.error.is_some())
            })
    })
    .await
    .expect("the file was checked");
    if app.state.jobs().all().len() == jobs_before {
        return JobStatus::Failed(field_error(&app.state, "File").unwrap());
    }
    finish(app, SLOW).await.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_of_tar_and_tar_gz_gives_runnable_images() {
    if engine_or_skip().await.is_none() {
        return;
    }
    let mut scratch = Scratch::new();
    let dir = tempfile::tempdir().unwrap();
    let rootfs = Rootfs::busybox().file("etc/motd", "imported by wharf\n");
    let plain = dir.path().join("rootfs.tar");
    let gzipped = dir.path().join("rootfs.tar.gz");
    std::fs::write(&plain, rootfs.tar()).unwrap();
    std::fs::write(&gzipped, rootfs.tar_gz()).unwrap();
    let mut app = start(DockerConfig::at(dir.path().join("docker"))).await;

    for (path, label) in [(&plain, "tar"), (&gzipped, "targz")] {
        let reference = format!("{}:1.0", unique_name(label));
        scratch.track_image(&reference);
        let status = import_through_the_form(&mut app, path, &reference).await;
        assert!(
            matches!(&status, JobStatus::Succeeded(s) if s.starts_with(&format!("created {reference} ("))),
            "{label}: {status:?}\n{}",
            tail(&app.log)
        );
        wait_row(&mut app, &reference).await;
        app.until(QUICK, |h| {
            h.state.images().selected_row().map(|r| r.reference()) == Some(reference.clone())
        })
        .await
        .expect("the imported image is selected");
        let id = inspect_image(&reference, "{{.Id}}").unwrap();
        scratch.track_image(&id);
        let out = scratch.run_once("import-run", &reference, &["/bin/echo", "ok"]);
        assert_eq!(out, "ok", "{label}");
        assert_eq!(
            scratch.run_once("import-cat", &reference, &["cat", "/etc/motd"]),
            "imported by wharf"
        );
        assert_eq!(
            inspect_image(&reference, "{{json .Config.Cmd}}").as_deref(),
            Some(r#"["/bin/sh"]"#),
            "the CMD change was applied"
        );
    }

    // Typed with the path and the name, the import runs at once: no form on the way.
    let reference = format!("{}:1.0", unique_name("typed"));
    scratch.track_image(&reference);
    let status = import_by_command(&mut app, &plain, &reference).await;
    assert!(
        matches!(&status, JobStatus::Succeeded(s) if s.starts_with(&format!("created {reference} ("))),
        "{status:?}\n{}",
        tail(&app.log)
    );
    assert!(app.state.form().is_none(), "{:?}", app.state.form());
    wait_row(&mut app, &reference).await;
    let id = inspect_image(&reference, "{{.Id}}").unwrap();
    scratch.track_image(&id);
    assert_eq!(
        scratch.run_once("import-typed", &reference, &["cat", "/etc/motd"]),
        "imported by wharf"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_of_a_non_archive_or_a_missing_file_says_so_and_creates_nothing() {
    if engine_or_skip().await.is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "this is not an archive\n".repeat(40)).unwrap();
    let missing = dir.path().join("missing.tar");
    let mut app = start(DockerConfig::at(dir.path().join("docker"))).await;

    for (path, expected) in [
        (
            &text,
            format!(
                "{} is not a tar archive (plain, gzip, bzip2, xz or zstd)",
                text.display()
            ),
        ),
        (&missing, format!("{} does not exist", missing.display())),
    ] {
        let reference = format!("{}:1", unique_name("bad-import"));
        let status = import_through_the_form(&mut app, path, &reference).await;
        assert_eq!(status, JobStatus::Failed(expected.clone()));
        assert_eq!(
            app.state.form_kind(),
            Some(FormKind::Import),
            "the form stays to fix the path"
        );
        assert!(app.state.jobs().all().is_empty(), "no job was started");
        assert!(
            inspect_image(&reference, "{{.Id}}").is_none(),
            "nothing created"
        );
        app.press(KeyCode::Esc);

        // Typed on the command line: the form opens with what was typed and the reason.
        let status = import_by_command(&mut app, path, &reference).await;
        assert_eq!(status, JobStatus::Failed(expected));
        assert_eq!(
            app.state.form_kind(),
            Some(FormKind::Import),
            "the form opens to fix the path"
        );
        assert_eq!(focused(&app.state), "File");
        assert_eq!(form_text(&app.state, "File"), path.display().to_string());
        assert_eq!(form_text(&app.state, "Image"), reference);
        assert!(app.state.jobs().all().is_empty(), "no job was started");
        assert!(
            inspect_image(&reference, "{{.Id}}").is_none(),
            "nothing created"
        );
        app.press(KeyCode::Esc);
    }
}

// ----- cancel and faults ---------------------------------------------------------------------

/// Bytes that do not compress, so a layer takes a while to push.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_cancelled_while_running_ends_cancelled_and_can_be_pushed_again() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let registry = htpasswd();
    let config_dir = tempfile::tempdir().unwrap();
    let (repository, name) = remote_name(&registry, "cancel");
    let target = format!("{repository}:big");
    let archive = Rootfs::busybox()
        .file(
            "data/noise.bin",
            noise(96 << 20, std::process::id() as u64 | 1),
        )
        .tar();
    import_archive(&engine, &mut scratch, &target, archive, &[CMD_SH]).await;

    let mut app = start(DockerConfig::at(config_dir.path())).await;
    command(&mut app, &format!("repo {repository}"));
    log_in(&mut app, registry.host(), PASSWORD).await;
    assert!(app.state.form().is_none());
    wait_row(&mut app, &target).await;
    select(&mut app, &target);
    app.press(KeyCode::Char('P'));
    app.press(KeyCode::Char('y'));
    let id = app.state.jobs().all().last().unwrap().id;

    // Wait for bytes to move, then cancel from the jobs pane.
    app.until(SLOW, |h| {
        let job = h.state.jobs().get(id).unwrap();
        !job.is_running()
            || job
                .progress
                .layers
                .iter()
                .any(|l| l.status == "Pushing" && l.current > 0)
    })
    .await
    .expect("the push starts uploading");
    assert!(
        app.state.jobs().get(id).unwrap().is_running(),
        "the push ended before it could be cancelled: {:?}",
        app.state.jobs().get(id).unwrap().status
    );
    app.press(KeyCode::Char('5'));
    assert_eq!(app.state.focus(), Pane::Jobs);
    assert_eq!(app.state.jobs().selected().unwrap().id, id);
    app.press(KeyCode::Char('x'));
    assert!(app.state.jobs().get(id).unwrap().cancelling);
    let (_, status) = finish(&mut app, QUICK).await;
    assert_eq!(status, JobStatus::Cancelled);
    assert_eq!(
        app.state.status().map(|s| (s.text.clone(), s.severity)),
        Some((format!("push {target}: cancelled"), Severity::Info))
    );
    assert_eq!(app.state.jobs().running().count(), 0);
    assert!(
        registry_digest(&registry, &name, "big").await.is_none(),
        "the cancelled push did not complete the tag"
    );
    assert!(
        inspect_image(&target, "{{.Id}}").is_some(),
        "the local image stays"
    );

    // Pushed again, it completes.
    app.press(KeyCode::Char('1'));
    select(&mut app, &target);
    app.press(KeyCode::Char('P'));
    app.press(KeyCode::Char('y'));
    let (again, status) = finish(&mut app, SLOW).await;
    assert_ne!(again, id);
    assert!(
        matches!(&status, JobStatus::Succeeded(s) if s.starts_with(&format!("pushed {target}"))),
        "{status:?}\n{}",
        tail(&app.log)
    );
    assert!(registry_digest(&registry, &name, "big").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_to_a_stopped_registry_fails_with_a_readable_message() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let registry = TestRegistry::start(Auth::None);
    let host = registry.host().to_string();
    let target = format!("{host}/{}:down", unique_name("down"));
    let image = import_test_image(&engine, &mut scratch, &target, &[CMD_SH]).await;
    drop(registry); // stopped

    let config_dir = tempfile::tempdir().unwrap();
    let mut app = start(DockerConfig::at(config_dir.path())).await;
    command(&mut app, &format!("repo {host}/x"));
    wait_row(&mut app, &target).await;
    select(&mut app, &target);
    app.press(KeyCode::Char('P'));
    app.press(KeyCode::Char('y'));
    let (id, status) = finish(&mut app, SLOW).await;
    let JobStatus::Failed(message) = &status else {
        panic!("expected a failure: {status:?}");
    };
    assert!(
        message.contains(&host) || message.contains("connection refused"),
        "says where or why: {message}"
    );
    assert!(!message.trim().is_empty());
    let text = status_text(&app);
    assert!(
        text.starts_with(&format!("push {target} failed: ")),
        "{text}"
    );
    assert_eq!(app.state.status().unwrap().severity, Severity::Error);
    // The full message on Enter in the jobs pane; the image is untouched.
    app.press(KeyCode::Char('5'));
    assert_eq!(app.state.jobs().selected().unwrap().id, id);
    app.press(KeyCode::Enter);
    match app.state.popups().last() {
        Some(Popup::Message { body, .. }) => assert_eq!(body, &format!("Failed:\n\n{message}")),
        other => panic!("expected the job's detail, found {other:?}"),
    }
    assert_eq!(
        inspect_image(&target, "{{.Id}}").as_deref(),
        Some(image.0.as_str())
    );
    let _: &Engine = &engine;
}

// ----- the local column ----------------------------------------------------------------------

/// Waits until the tags pane says `expected` about `tag`; the images list is asked for again
/// when the engine's event does not bring the change in time.
async fn wait_local(app: &mut Headless, repository: &str, tag: &str, expected: LocalStatus) {
    let repo = wharf::registry::reference::RepositoryRef::parse(repository).unwrap();
    let shows = |h: &Headless| {
        let local = LocalIndex::new(h.state.images().records(), &repo);
        h.state.tags().row_named(tag).map(|row| local.status(row)) == Some(expected)
    };
    if app.until(QUICK, shows).await.is_some() {
        return;
    }
    app.run(vec![Effect::LoadImages]);
    app.until(QUICK, shows).await.unwrap_or_else(|| {
        panic!(
            "{tag} never showed {expected:?}: row {:?}\n{}",
            app.state.tags().row_named(tag),
            tail(&app.log)
        )
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_column_follows_what_the_local_tag_names() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let registry = TestRegistry::start(Auth::None);
    let (repository, _) = remote_name(&registry, "local");
    let first = format!("{}:a", unique_name("local-a"));
    let second = format!("{}:b", unique_name("local-b"));
    import_test_image(&engine, &mut scratch, &first, &[CMD_SH]).await;
    import_test_image(&engine, &mut scratch, &second, &[CMD_SH]).await;
    let pushed = format!("{repository}:1");
    scratch.track_image(&pushed);
    docker(&["tag", &first, &pushed]);
    docker(&["push", &pushed]);

    let config_dir = tempfile::tempdir().unwrap();
    let mut app = start(DockerConfig::at(config_dir.path())).await;
    command(&mut app, &format!("repo {repository}"));
    wait_local(&mut app, &repository, "1", LocalStatus::Same).await;

    // The local :1 goes: the image is still here under its other name.
    docker(&["rmi", &pushed]);
    wait_local(&mut app, &repository, "1", LocalStatus::Elsewhere).await;

    // Named :1 again, without the digest the push recorded: the image ID still matches.
    docker(&["tag", &first, &pushed]);
    wait_local(&mut app, &repository, "1", LocalStatus::Same).await;

    // :1 moved to another image while the first keeps the pushed digest.
    docker(&["tag", &second, &pushed]);
    wait_local(&mut app, &repository, "1", LocalStatus::Differs).await;
    drop(app);
}
