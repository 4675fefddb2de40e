//! The real wharf binary in a pseudo-terminal: it shows an image this test made, filters it,
//! quits on `q` and leaves the terminal as it found it; `--help`/`--version` need no engine; a
//! broken config stops it before it touches the terminal; a missing engine is explained on
//! screen.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;

use crate::support::engine::{
    CMD_SH, Scratch, block_on, engine_or_skip, import_test_image, unique_name,
};
use crate::support::pty::{
    Dirs, Pty, WHARF, assert_canonical_echo, assert_clean_exit, ends_restored,
};

const ROWS: u16 = 40;
const COLS: u16 = 120;
const MISSING_SOCKET: &str = "unix:///nonexistent.sock";

#[test]
fn shows_filters_and_quits_with_the_terminal_restored() {
    let mut scratch = Scratch::new();
    let repo = unique_name("p");
    let other = unique_name("q");
    let made = block_on(async {
        let engine = engine_or_skip().await?;
        let reference = format!("{repo}:one");
        import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;
        Some(reference)
    });
    let Some(reference) = made else {
        return;
    };
    scratch.tag(&reference, &format!("{other}:two"));

    let dirs = Dirs::new();
    // Newest first, so the images made here are on the first screen whatever else exists.
    dirs.write_config("[images]\nsort = \"age\"\n");
    let mut pty = Pty::spawn(dirs.command(&[]), ROWS, COLS);
    assert_canonical_echo(&pty, "before start");

    pty.wait_for(Duration::from_secs(20), "both test images on screen", |p| {
        let screen = p.screen();
        screen.contains(&repo) && screen.contains(&other)
    });
    let flags = pty.local_flags();
    assert!(
        !flags.contains("ICANON") && !flags.contains("ECHO"),
        "wharf runs the terminal raw: {flags:?}"
    );
    assert!(pty.screen().lines().next().unwrap_or("").contains("engine"));

    // Filter by this test's repository: the other one goes, the title counts. Only the
    // images pane (the left 45 %) is read: the tags pane's title names the repository too.
    let images_pane = |p: &Pty| p.columns(0, COLS * 45 / 100).join("\n");
    pty.send(b"/");
    pty.send(repo.as_bytes());
    pty.wait_for(Duration::from_secs(5), "the list narrowed", |p| {
        let screen = images_pane(p);
        screen.contains(&format!("/{repo}"))
            && screen.contains("Images 1 of ")
            && !screen.contains(&other)
    });
    let rows: Vec<String> = images_pane(&pty)
        .lines()
        .filter(|l| l.contains(&repo) && !l.contains(&format!("/{repo}")))
        .map(str::to_string)
        .collect();
    assert!(
        rows.iter().any(|l| l.contains(&repo) && l.contains("one")),
        "{rows:?}"
    );

    // Esc clears the filter and brings the other row back.
    pty.send(b"\x1b");
    pty.wait_for(Duration::from_secs(5), "the filter cleared", |p| {
        let screen = images_pane(p);
        screen.contains(&other) && !screen.contains(&format!("/{repo}"))
    });
    pty.send(b"q");
    assert_clean_exit(&mut pty);
}

/// An SGR mouse report (xterm 1006) for a left press at 0-based `column`, `row`.
fn left_click(column: u16, row: u16) -> Vec<u8> {
    format!("\x1b[<0;{};{}M", column + 1, row + 1).into_bytes()
}

#[test]
fn mouse_clicks_select_and_focus_and_m_gives_the_mouse_back() {
    let mut scratch = Scratch::new();
    // Tags that nothing else on the engine has: rows are found by them even when the long
    // repository names are cut.
    let (tag_one, tag_two) = ("mouse-one", "mouse-two");
    let repo = unique_name("m");
    let made = block_on(async {
        let engine = engine_or_skip().await?;
        let reference = format!("{repo}:{tag_one}");
        import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;
        Some(reference)
    });
    let Some(reference) = made else {
        return;
    };
    scratch.tag(&reference, &format!("{repo}:{tag_two}"));

    let dirs = Dirs::new();
    dirs.write_config("[images]\nsort = \"age\"\n");
    let mut pty = Pty::spawn(dirs.command(&[]), ROWS, COLS);
    let pane_width = usize::from(COLS * 45 / 100);
    let images_pane = |p: &Pty| p.columns(0, COLS * 45 / 100);
    let layers_title = |p: &Pty| -> String {
        let line = p.screen().lines().nth(1).unwrap_or("").to_string();
        line.chars().skip(pane_width).collect()
    };
    pty.wait_for(Duration::from_secs(20), "both tags on screen", |p| {
        let pane = images_pane(p).join("\n");
        pane.contains(tag_one) && pane.contains(tag_two) && layers_title(p).contains("Layers")
    });
    let output = String::from_utf8_lossy(&pty.output).into_owned();
    assert!(
        output.contains("\x1b[?1000h") && output.contains("\x1b[?1006h"),
        "clicks and the wheel are asked for"
    );
    assert!(
        !output.contains("\x1b[?1003h"),
        "pointer motion is not asked for (it would stream over SSH)"
    );

    // Click the row of the tag that is not selected: the layers pane follows it.
    let selected = if layers_title(&pty).contains(tag_one) {
        tag_one
    } else {
        tag_two
    };
    let target = if selected == tag_one {
        tag_two
    } else {
        tag_one
    };
    let (row, column) = images_pane(&pty)
        .iter()
        .enumerate()
        .skip(2)
        .find_map(|(row, line)| {
            line.find(target)
                .map(|byte| (row, line[..byte].chars().count()))
        })
        .expect("the target's row");
    pty.send(&left_click(column as u16, row as u16));
    pty.wait_for(
        Duration::from_secs(5),
        "the layers of the clicked tag",
        |p| layers_title(p).contains(target),
    );

    // A click in the containers pane's area focuses it: its keys (a = all) answer.
    pty.send(&left_click(3, ROWS - 4));
    pty.send(b"a");
    pty.wait_for(
        Duration::from_secs(5),
        "the containers pane took the key",
        |p| {
            p.screen().contains("showing all containers")
                || p.screen().contains("running containers only")
        },
    );

    // M gives the mouse to the terminal: reporting is switched off at once.
    let before = pty.output.len();
    pty.send(b"M");
    pty.wait_for(Duration::from_secs(5), "the mouse given back", |p| {
        String::from_utf8_lossy(&p.output[before..]).contains("\x1b[?1000l")
    });
    pty.send(b"q");
    assert_clean_exit(&mut pty);
}

#[test]
fn missing_engine_is_explained_on_screen_and_q_still_quits() {
    let dirs = Dirs::new();
    let mut command = dirs.command(&[]);
    command.env("DOCKER_HOST", MISSING_SOCKET);
    let mut pty = Pty::spawn(command, ROWS, COLS);
    // The images pane (the left 45 % of the screen) says where, why and what to try.
    let pane_width = COLS * 45 / 100;
    pty.wait_for(Duration::from_secs(10), "the engine-down notice", |p| {
        let words = p
            .columns(0, pane_width)
            .join(" ")
            .split(|c: char| c.is_whitespace() || c == '┃' || c == '│')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        words.contains(&format!(
            "cannot reach the Docker engine at {MISSING_SOCKET}"
        )) && words.contains("Is the Docker daemon running?")
            && words.contains(&format!("Tried {MISSING_SOCKET}"))
    });
    let header = pty.screen().lines().next().unwrap_or("").to_string();
    assert!(header.contains(MISSING_SOCKET), "{header}");
    assert!(header.contains("engine unreachable"), "{header}");
    pty.send(b"q");
    assert_clean_exit(&mut pty);
}

#[test]
fn broken_config_stops_before_touching_the_terminal() {
    let cases = [
        (
            "[images]\nsort = \"name\"\nshow_dangling = yes\n",
            vec!["line 3"],
        ),
        (
            "# remaps\n[keys.global]\n\"s\" = \"refresh\"\n",
            vec!["line 3", "\"refresh\"", "\"sort\""],
        ),
    ];
    for (text, expected) in cases {
        let dirs = Dirs::new();
        let path = dirs.cwd.path().join("broken.toml");
        std::fs::write(&path, text).expect("config file");
        let mut command = dirs.command(&["--config", path.to_str().expect("utf-8 path")]);
        command.env("DOCKER_HOST", MISSING_SOCKET);
        let mut pty = Pty::spawn(command, ROWS, COLS);
        let status = pty.wait_exit(Duration::from_secs(10));
        let output = String::from_utf8_lossy(&pty.output).to_string();
        assert!(!status.success(), "a broken config must fail: {output}");
        assert!(
            !output.contains("\x1b[?1049h"),
            "entered the alternate screen: {output:?}"
        );
        assert!(!output.contains('\x1b'), "no escape sequences: {output:?}");
        assert!(
            output.contains(&path.display().to_string()),
            "names the file: {output}"
        );
        for word in expected {
            assert!(output.contains(word), "{word:?} missing: {output}");
        }
        assert_canonical_echo(&pty, "after a config error");
    }
}

/// Runs wharf without a terminal (stdin closed), bounded in time.
fn run_plain(args: &[&str]) -> (bool, String, String) {
    let dirs = Dirs::new();
    let mut child = Command::new(WHARF)
        .args(args)
        .env("DOCKER_HOST", MISSING_SOCKET)
        .env("DOCKER_CONFIG", dirs.docker_config.path())
        .env("XDG_CONFIG_HOME", dirs.xdg_config.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wharf");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("status").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("wharf {args:?} did not exit within 10 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn help_and_version_need_no_engine() {
    let (ok, stdout, stderr) = run_plain(&["--help"]);
    assert!(ok, "--help failed: {stderr}");
    assert!(stdout.contains("Usage: wharf"), "{stdout}");
    for flag in ["--host", "--context", "--config", "--no-color", "--version"] {
        assert!(
            stdout.contains(flag),
            "--help does not mention {flag}: {stdout}"
        );
    }
    let (ok, stdout, stderr) = run_plain(&["--version"]);
    assert!(ok, "--version failed: {stderr}");
    assert_eq!(
        stdout.trim(),
        format!("wharf {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn pty_helpers_detect_an_unrestored_terminal() {
    // The checks above must be able to fail.
    assert!(ends_restored(b"\x1b[?1049h\x1b[?25lhello").is_err());
    assert!(ends_restored(b"\x1b[?1049h\x1b[?1049l\x1b[?25l").is_err());
    assert!(ends_restored(b"\x1b[?1049h\x1b[?25l\x1b[?1049l\x1b[?25hbye").is_err());
    assert!(ends_restored(b"\x1b[?1049h\x1b[?25l\x1b[?2004l\x1b[?1049l\x1b[?25h").is_ok());
    // A program that leaves the terminal raw is caught by the termios check.
    let dirs = Dirs::new();
    let mut command = CommandBuilder::new("sh");
    command.args(["-c", "stty raw -echo; printf done"]);
    command.cwd(dirs.cwd.path());
    let mut pty = Pty::spawn(command, 10, 40);
    pty.wait_exit(Duration::from_secs(10));
    let flags = pty.local_flags();
    assert!(
        !flags.contains("ICANON") && !flags.contains("ECHO"),
        "{flags:?}"
    );
}
