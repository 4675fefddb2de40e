//! The real wharf binary switching docker contexts: `E` lists the contexts of its
//! DOCKER_CONFIG, Enter switches the header and the panes to the chosen one, and with
//! `[engine] write_current_context = true` the docker CLI follows.

use std::process::Command;
use std::time::Duration;

use crate::support::engine::{
    CMD_SH, Scratch, block_on, engine_or_skip, import_test_image, unique_name,
};
use crate::support::pty::{Dirs, Pty, assert_clean_exit};

const ROWS: u16 = 40;
const COLS: u16 = 140;
const WAIT: Duration = Duration::from_secs(20);

#[test]
fn e_lists_the_contexts_and_enter_switches_and_writes_current_context() {
    let mut scratch = Scratch::new();
    let repo = unique_name("ctx");
    let made = block_on(async {
        let engine = engine_or_skip().await?;
        let reference = format!("{repo}:one");
        import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;
        Some((reference, engine.host().to_string()))
    });
    let Some((reference, host)) = made else {
        return;
    };
    let dirs = Dirs::new();
    let out = Command::new("docker")
        .args([
            "context",
            "create",
            "wharf-second",
            "--description",
            "the same engine again",
            "--docker",
            &format!("host={host}"),
        ])
        .env("DOCKER_CONFIG", dirs.docker_config.path())
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .expect("docker context create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dirs.write_config("[engine]\nwrite_current_context = true\n[images]\nsort = \"age\"\n");

    let mut command = dirs.command(&[]);
    command.env_remove("DOCKER_HOST");
    let mut pty = Pty::spawn(command, ROWS, COLS);
    pty.wait_for(WAIT, "the default context and the test image", |p| {
        let screen = p.screen();
        let header = screen.lines().next().unwrap_or("").to_string();
        header.contains(" default ") && header.contains("engine ") && screen.contains(&repo)
    });

    pty.send(b"E");
    pty.wait_for(WAIT, "the contexts popup", |p| {
        let screen = p.screen();
        screen.contains("Docker contexts")
            && screen.contains("wharf-second")
            && screen.contains("the same engine again")
    });

    pty.send(b"j\r");
    let config_json = dirs.docker_config.path().join("config.json");
    pty.wait_for(
        WAIT,
        "the header on wharf-second, the image listed again",
        |p| {
            let screen = p.screen();
            let header = screen.lines().next().unwrap_or("").to_string();
            header.contains(" wharf-second ")
                && header.contains("engine ")
                && !screen.contains("Docker contexts")
                && screen.contains(&repo)
        },
    );
    pty.wait_for(WAIT, "currentContext written", |_| {
        std::fs::read_to_string(&config_json)
            .is_ok_and(|text| text.contains("\"currentContext\"") && text.contains("wharf-second"))
    });
    assert!(pty.screen().contains(&reference.replace(":one", "")));

    pty.send(b"q");
    assert_clean_exit(&mut pty);
}
