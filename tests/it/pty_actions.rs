//! The real wharf binary in a pseudo-terminal (160×45) against the real engine and a
//! htpasswd `docker-registry` on loopback, driven only by keys: log in, tag, push, remove the
//! local tag and pull it back, waiting (bounded) on what the screen says between the steps.
//! Afterwards the registry (over HTTP with the credentials), the engine (docker CLI) and the
//! private config.json are checked, and the terminal must be as it was.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::support::engine::{
    CMD_SH, Scratch, assert_image_known_by_digest, block_on, engine_or_skip, import_test_image,
    inspect_image,
};
use crate::support::pty::{Dirs, Pty, assert_exit_restored};
use crate::support::registry::{Auth, TestRegistry};

const ROWS: u16 = 45;
const COLS: u16 = 160;
const USER: &str = "pty-user";
const PASSWORD: &str = "abc>>>def+/=";
/// Screen changes that need only wharf.
const QUICK: Duration = Duration::from_secs(15);
/// Engine work: a login check, a push, a pull.
const SLOW: Duration = Duration::from_secs(90);

fn last_line(pty: &Pty) -> String {
    pty.screen().lines().last().unwrap_or_default().to_string()
}

/// The images title counts `N` rows: "Images N of M" when the filter hides some, "Images N ·"
/// when it hides none (an engine holding only this test's images).
fn images_listed(pty: &Pty, rows: usize) -> bool {
    let screen = pty.screen();
    screen.contains(&format!("Images {rows} of ")) || screen.contains(&format!("Images {rows} · "))
}

#[test]
fn log_in_tag_push_remove_and_pull_by_keys() {
    let registry = TestRegistry::start(Auth::Htpasswd {
        username: USER.into(),
        password: PASSWORD.into(),
    });
    let host = registry.host().to_string();
    let name = crate::support::engine::unique_name("pty");
    let repository = format!("{host}/{name}");
    let source = format!("{repository}:src");
    let target = format!("{repository}:pushed");
    let mut scratch = Scratch::new();
    scratch.track_image(&target);
    let made = block_on(async {
        let engine = engine_or_skip().await?;
        Some(import_test_image(&engine, &mut scratch, &source, &[CMD_SH]).await)
    });
    let Some(image) = made else {
        return;
    };

    let dirs = Dirs::new();
    // Newest first: the image made here is the first row.
    dirs.write_config("[images]\nsort = \"age\"\n");
    let mut command = dirs.command(&[]);
    // Whatever repository the tags pane follows, HTTPS goes to a closed loopback port;
    // the test registry (plain HTTP on loopback) is reached directly.
    command.env("HTTPS_PROXY", "http://127.0.0.1:9");
    command.env("NO_PROXY", "127.0.0.1,localhost");
    let mut pty = Pty::spawn(command, ROWS, COLS);
    let initial_flags = pty.initial_local_flags.clone();

    pty.wait_for(QUICK, "the test image on screen", |p| {
        p.screen().contains(&name)
    });
    // Only this test's repository, newest first; the first row is the source.
    pty.send(b"/");
    pty.send(name.as_bytes());
    pty.send(b"\r");
    pty.send(b"g");
    pty.wait_for(QUICK, "the filter applied", |p| {
        p.screen().contains(&format!("/{name}")) && images_listed(p, 1)
    });

    // Log in: :login HOST, username, Tab, password, Enter.
    pty.send(format!(":login {host}\r").as_bytes());
    pty.wait_for(QUICK, "the login form", |p| {
        p.screen().contains("Log in to a registry")
    });
    pty.send(USER.as_bytes());
    pty.send(b"\t");
    pty.send(PASSWORD.as_bytes());
    pty.wait_for(QUICK, "the masked password", |p| {
        p.screen().contains(&"•".repeat(PASSWORD.len()))
    });
    assert!(
        !pty.screen().contains("abc>>>"),
        "the password is on screen:\n{}",
        pty.screen()
    );
    pty.send(b"\r");
    pty.wait_for(SLOW, "logged in", |p| {
        last_line(p).contains(&format!("logged in to {host}"))
    });

    // Tag: t offers "REPOSITORY:", type the new tag, Enter; the new row shows.
    pty.send(b"t");
    pty.wait_for(QUICK, "the tag form", |p| {
        p.screen().contains(&format!("Tag {source}"))
    });
    pty.send(b"pushed\r");
    pty.wait_for(QUICK, "the new tag", |p| {
        last_line(p).contains(&format!("tagged {target}")) && images_listed(p, 2)
    });

    // Push the new tag (selected): P, y.
    pty.send(b"P");
    pty.wait_for(QUICK, "the push question", |p| {
        // The question wraps after "to" at this width.
        let screen = p.screen();
        screen.contains(&format!("Push {target} to")) && screen.contains(&format!("{host}?"))
    });
    pty.send(b"y");
    pty.wait_for(SLOW, "the push done", |p| {
        last_line(p).contains(&format!("pushed {target} (sha256:"))
    });
    let line = last_line(&pty);
    let digest = line
        .split(&format!("pushed {target} ("))
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("a digest in {line:?}"))
        .to_string();
    assert_eq!(digest.len(), 71, "{digest}");

    // Remove the local tag: d, y. The source keeps the image.
    pty.send(b"d");
    pty.wait_for(QUICK, "the remove question", |p| {
        let screen = p.screen();
        screen.contains(&format!("Remove the tag {target}")) && screen.contains("The image stays")
    });
    pty.send(b"y");
    pty.wait_for(QUICK, "the tag removed", |p| {
        last_line(p).contains(&format!("removed {target}")) && images_listed(p, 1)
    });
    assert!(
        inspect_image(&target, "{{.Id}}").is_none(),
        "the tag is gone"
    );

    // Pull it back.
    pty.send(format!(":pull {target}\r").as_bytes());
    pty.wait_for(SLOW, "the pull done", |p| {
        let screen = p.screen();
        screen.contains(&format!("pulled {target}")) && images_listed(p, 2)
    });

    pty.send(b"q");
    assert_exit_restored(&mut pty);
    assert_eq!(pty.local_flags(), initial_flags, "terminal modes restored");
    let output = String::from_utf8_lossy(&pty.output);
    assert!(
        !output.contains(PASSWORD),
        "the password was written to the terminal"
    );

    // The registry has the tag with the digest wharf showed.
    let answer = block_on(async {
        reqwest::Client::new()
            .head(format!("http://{host}/v2/{name}/manifests/pushed"))
            .basic_auth(USER, Some(PASSWORD))
            .header(
                "accept",
                "application/vnd.docker.distribution.manifest.v2+json, \
                 application/vnd.oci.image.manifest.v1+json",
            )
            .send()
            .await
            .unwrap()
    });
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(
        answer
            .headers()
            .get("docker-content-digest")
            .map(|d| d.to_str().unwrap()),
        Some(digest.as_str())
    );
    // The engine has it back: the same image, known by that digest.
    assert_image_known_by_digest(&target, &image.0, &repository, &digest);
    // The credentials, as docker login stores them.
    let config_path = dirs.docker_config.path().join("config.json");
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    assert_eq!(
        stored["auths"][host.as_str()]["auth"],
        STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    assert_eq!(
        std::fs::metadata(&config_path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
}
