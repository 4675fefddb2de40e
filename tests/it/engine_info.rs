//! `:info`: the engine's description in a popup, above all its insecure registries and
//! mirrors. At the update level (the effect asked for, the popup and its cleaned text, a
//! refusal), rendered wide and narrow, and against the real engine, where the listing must
//! match `docker info`.

use std::time::Duration;

use wharf::docker::{EngineDetails, EngineError, EngineErrorKind, RegistrySettings};
use wharf::effect::Effect;
use wharf::flows::engine_info::TITLE;
use wharf::model::popup::Popup;
use wharf::msg::Msg;

use crate::support::action_fixtures::{command, connected, images};
use crate::support::engine::{docker, engine_or_skip};
use crate::support::headless::Headless;
use crate::support::render::{assert_no_escapes, render, snap_both};

fn details() -> EngineDetails {
    EngineDetails {
        name: "build-box\x1b]0;pwn\x07".into(),
        version: "28.1.1".into(),
        api_version: "1.49".into(),
        operating_system: "Debian GNU/Linux 13 (trixie)".into(),
        os_type: "linux".into(),
        architecture: "x86_64".into(),
        kernel: "6.12.0-amd64".into(),
        storage_driver: "overlay2".into(),
        root_dir: "/var/lib/docker".into(),
        registry: RegistrySettings {
            insecure_registries: vec![
                "reg.lan:5000".into(),
                "127.0.0.0/8".into(),
                "10.1.0.0/16\x1b[2J".into(),
            ],
            mirrors: vec!["https://mirror.lan/".into()],
        },
    }
}

fn popup_body(state: &wharf::state::State) -> Option<String> {
    match state.top_popup()? {
        Popup::Detail { title, body, .. } if title == TITLE => Some(body.clone()),
        _ => None,
    }
}

#[test]
fn info_asks_the_engine_and_shows_its_answer_cleaned() {
    let mut state = connected();
    let effects = command(&mut state, "info");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadEngineDetails)),
        "{effects:?}"
    );
    assert!(popup_body(&state).is_none(), "no popup before the answer");
    state.update(Msg::EngineDetails(Ok(details())));
    let body = popup_body(&state).expect("the engine popup");
    assert!(body.contains("Name: build-box\n"), "{body}");
    assert!(body.contains("Version: 28.1.1 (API 1.49)"), "{body}");
    assert!(body.contains("OS/Arch: linux/x86_64"), "{body}");
    assert!(body.contains("Storage driver: overlay2"), "{body}");
    assert!(body.contains("Root dir: /var/lib/docker"), "{body}");
    assert!(
        body.contains("- reg.lan:5000\n- 127.0.0.0/8\n- 10.1.0.0/16\n"),
        "{body}"
    );
    assert!(body.contains("- https://mirror.lan/\n"), "{body}");
    assert!(
        !body.chars().any(|c| c.is_control() && c != '\n'),
        "{body:?}"
    );

    // Esc closes it.
    state.update(crate::support::keys::press(crossterm::event::KeyCode::Esc));
    assert!(popup_body(&state).is_none());

    // `:info` takes no arguments: the command line says so and stays open.
    command(&mut state, "info now");
    let line = state.command_line().expect("the command line stays open");
    assert_eq!(line.message.as_deref(), Some(":info takes no arguments"));
    state.update(crate::support::keys::press(crossterm::event::KeyCode::Esc));
    // A refusal from the engine is a status line, not a popup.
    command(&mut state, "info");
    state.update(Msg::EngineDetails(Err(EngineError::new(
        EngineErrorKind::Other,
        "permission denied",
    ))));
    assert!(popup_body(&state).is_none());
    assert!(
        state
            .status_text()
            .contains("engine info: permission denied"),
        "{}",
        state.status_text()
    );
}

#[test]
fn info_popup_wide_and_narrow() {
    let mut state = crate::support::action_fixtures::connected_with(images(), vec![]);
    command(&mut state, "info");
    state.update(Msg::EngineDetails(Ok(details())));
    let screens = snap_both!(&state, "engine_info_popup");
    assert!(screens[0].contains("Insecure registries"), "{}", screens[0]);
    assert_no_escapes(render(&state, 160, 45).backend().buffer());
    assert_no_escapes(render(&state, 80, 24).backend().buffer());
}

#[tokio::test]
async fn info_against_the_engine_lists_what_docker_info_lists() {
    if engine_or_skip().await.is_none() {
        return;
    }
    let mut h = Headless::start();
    h.ready().await;
    h.press(crossterm::event::KeyCode::Char(':'));
    h.type_text("info");
    h.press(crossterm::event::KeyCode::Enter);
    h.until(Duration::from_secs(20), |h| popup_body(&h.state).is_some())
        .await
        .expect("the engine popup");
    let body = popup_body(&h.state).expect("the engine popup");

    let config: serde_json::Value =
        serde_json::from_str(&docker(&["info", "--format", "{{json .RegistryConfig}}"])).unwrap();
    let strings = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut insecure: Vec<String> = config["IndexConfigs"]
        .as_object()
        .unwrap()
        .values()
        .filter(|index| index["Secure"] == false)
        .map(|index| index["Name"].as_str().unwrap().to_string())
        .collect();
    insecure.sort();
    insecure.extend(strings(&config["InsecureRegistryCIDRs"]));
    assert!(
        !insecure.is_empty(),
        "the engine trusts loopback by default"
    );
    let listed = |title: &str| -> Vec<String> {
        body.split(&format!("\n{title}"))
            .nth(1)
            .and_then(|rest| rest.split_once(":\n"))
            .map(|(_, rest)| {
                rest.lines()
                    .map_while(|l| l.strip_prefix("- "))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(listed("Insecure registries"), insecure, "{body}");
    assert_eq!(
        listed("Registry mirrors"),
        strings(&config["Mirrors"]),
        "{body}"
    );

    let version = docker(&[
        "version",
        "--format",
        "{{.Server.Version}} (API {{.Server.APIVersion}})",
    ]);
    assert!(body.contains(&format!("Version: {version}")), "{body}");
    let driver = docker(&["info", "--format", "{{.Driver}}"]);
    assert!(
        body.contains(&format!("Storage driver: {driver}\n")),
        "{body}"
    );
    let root = docker(&["info", "--format", "{{.DockerRootDir}}"]);
    assert!(body.contains(&format!("Root dir: {root}\n")), "{body}");
}
