//! The real wharf binary in a pseudo-terminal hands the terminal to a shell in a container:
//! `:exec NAME`, a command typed in the shell changes the container, `exit` brings wharf
//! back where it was, and the terminal ends as it began.

use std::time::Duration;

use crate::support::engine::{
    CMD_SH, Scratch, block_on, docker, engine_or_skip, import_test_image, unique_name,
};
use crate::support::pty::{Dirs, Pty, assert_clean_exit};

const ROWS: u16 = 45;
const COLS: u16 = 160;
const SHORT: Duration = Duration::from_secs(10);
const LONG: Duration = Duration::from_secs(30);

#[test]
fn a_shell_typed_into_changes_the_container_and_wharf_comes_back() {
    let mut scratch = Scratch::new();
    let Some(image) = block_on(async {
        let engine = engine_or_skip().await?;
        let reference = format!("{}:base", unique_name("ptysh"));
        import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;
        Some(reference)
    }) else {
        return;
    };
    let container = unique_name("ptysh-ctr");
    scratch.track_container(&container);
    docker(&["run", "-d", "--name", &container, &image, "sleep", "1000"]);

    let dirs = Dirs::new();
    let mut pty = Pty::spawn(dirs.command(&[]), ROWS, COLS);
    pty.wait_for(LONG, "the containers listed", |p| {
        p.screen().contains(" running · ")
    });
    pty.send(format!(":exec {container}\r").as_bytes());
    // busybox sh's prompt: the TUI is gone, the shell has the terminal.
    pty.wait_for(LONG, "the shell's prompt", |p| p.screen().contains("/ #"));
    pty.send(b"echo made-in-the-shell > /made.txt\r");
    pty.send(b"exit\r");
    pty.wait_for(LONG, "wharf back after the shell", |p| {
        p.screen().contains(&format!("back from {container}"))
    });
    assert_eq!(
        docker(&["exec", &container, "cat", "/made.txt"]),
        "made-in-the-shell"
    );
    // wharf takes keys again.
    pty.send(b"?");
    pty.wait_for(SHORT, "the help overlay", |p| p.screen().contains("Help"));
    pty.send(b"\x1b");
    // Apart, or the terminal's Esc and q read as Alt-q.
    pty.wait_for(SHORT, "the help closed", |p| !p.screen().contains("Help —"));
    pty.send(b"q");
    assert_clean_exit(&mut pty);
}
