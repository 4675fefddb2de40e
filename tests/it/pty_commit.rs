//! The real wharf binary in a pseudo-terminal commits a container the way a user would: the
//! containers pane, a filter, `c`, the form typed into, Enter, the jobs strip reporting
//! success, `q`. Afterwards the engine has the image with the message typed, and the terminal
//! is as it was before.

use std::time::{Duration, Instant};

use crate::support::engine::{
    CMD_SH, Scratch, block_on, docker, engine_or_skip, import_test_image, unique_name,
};
use crate::support::pty::{Dirs, Pty, assert_clean_exit};

const ROWS: u16 = 45;
const COLS: u16 = 160;
/// Bounds for what the screen should show; generous for a loaded machine.
const SHORT: Duration = Duration::from_secs(10);
const LONG: Duration = Duration::from_secs(30);

/// The jobs strip: the second row from the bottom.
fn strip(pty: &Pty) -> String {
    pty.screen()
        .lines()
        .nth(usize::from(ROWS) - 2)
        .unwrap_or_default()
        .to_string()
}

/// The rows of the containers pane (the bottom left pane), without header, border and
/// filter line.
fn container_rows(pty: &Pty) -> Vec<String> {
    let left = pty.columns(0, COLS * 45 / 100);
    let Some(top) = left.iter().position(|l| l.contains(" Containers ")) else {
        return Vec::new();
    };
    left[top + 2..]
        .iter()
        .take_while(|l| !l.starts_with('┗') && !l.starts_with('└'))
        .map(|l| l.trim_matches(|c: char| c == '┃' || c == '│' || c.is_whitespace()))
        .filter(|l| !l.is_empty() && !l.starts_with('/'))
        .map(str::to_string)
        .collect()
}

#[test]
fn commit_a_container_by_typing_into_the_form() {
    let mut scratch = Scratch::new();
    let Some(image) = block_on(async {
        let engine = engine_or_skip().await?;
        let reference = format!("{}:base", unique_name("ptyc"));
        import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;
        Some(reference)
    }) else {
        return;
    };
    let container = unique_name("ptyc-ctr");
    scratch.track_container(&container);
    docker(&[
        "run",
        "-d",
        "--name",
        &container,
        &image,
        "sh",
        "-c",
        "echo hi > /hello.txt; sleep 1000",
    ]);
    // The file is written in the background: wait until the engine sees it.
    let deadline = Instant::now() + LONG;
    while !docker(&["diff", &container]).contains("A /hello.txt") {
        assert!(
            Instant::now() < deadline,
            "the container never wrote its file"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let reference = format!("{}:typed", unique_name("ptyc-new"));
    scratch.track_image(&reference);
    let message = format!("typed in a pty for {container}");

    let dirs = Dirs::new();
    let mut pty = Pty::spawn(dirs.command(&[]), ROWS, COLS);
    pty.wait_for(LONG, "the containers listed", |p| {
        p.screen().contains(" running · ")
    });

    // The containers pane, filtered down to the test's container.
    pty.send(b"3");
    pty.send(b"/");
    pty.send(container.as_bytes());
    pty.send(b"\r");
    let filter_line = format!("/{container}");
    pty.wait_for(SHORT, "the filter applied", |p| {
        let rows = container_rows(p);
        rows.len() == 1 && rows[0].contains("Up ") && p.screen().contains(&filter_line)
    });

    // The commit form: a new name (Ctrl-U clears the suggestion), a message, Enter.
    pty.send(b"c");
    pty.wait_for(SHORT, "the commit form", |p| {
        p.screen()
            .contains(&format!("Commit container {container}"))
    });
    pty.send(b"\x15");
    pty.send(reference.as_bytes());
    pty.wait_for(SHORT, "the typed name", |p| {
        p.screen()
            .lines()
            .any(|l| l.contains("Image") && l.contains(&reference))
    });
    pty.send(b"\t");
    pty.send(message.as_bytes());
    pty.wait_for(SHORT, "the typed message", |p| {
        p.screen()
            .lines()
            .any(|l| l.contains("Message") && l.contains(&message))
    });
    pty.send(b"\r");

    // The jobs strip reports the commit done.
    let done = format!("created {reference}");
    pty.wait_for(LONG, "the jobs strip reporting success", |p| {
        let strip = strip(p);
        strip.contains('✓') && strip.contains(&done)
    });
    let strip_text = strip(&pty);
    assert!(
        strip_text.contains(&format!("commit {container} → {reference}")),
        "{strip_text}"
    );
    assert!(
        !pty.screen().contains("Commit container"),
        "the form closed:\n{}",
        pty.screen()
    );

    pty.send(b"q");
    assert_clean_exit(&mut pty);

    // The engine has the image, with the message, made from the running container.
    let id = docker(&["image", "inspect", "--format", "{{.Id}}", &reference]);
    scratch.track_image(&id);
    assert_eq!(
        docker(&["image", "inspect", "--format", "{{.Comment}}", &reference]),
        message
    );
    let history = docker(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.Comment}}",
        &reference,
    ]);
    assert_eq!(history.lines().next(), Some(message.as_str()));
    assert_eq!(
        scratch.run_once("ptyc-run", &reference, &["cat", "/hello.txt"]),
        "hi"
    );
    assert_eq!(
        docker(&["inspect", "--format", "{{.State.Status}}", &container]),
        "running"
    );
}
