//! Runs a program in a pseudo-terminal and reads its screen back through a vt100 parser.
//! Used by the `pty*` tests and by `benches/startup.rs`, which includes it with `#[path]`: so it
//! stands alone, using no other support module.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// The wharf binary cargo built for this test or bench.
pub const WHARF: &str = env!("CARGO_BIN_EXE_wharf");

/// How long wharf may take to exit after `q`.
const EXIT_LIMIT: Duration = Duration::from_secs(10);

/// Private config directories, so no run reads or writes a real user's files.
pub struct Dirs {
    pub docker_config: tempfile::TempDir,
    pub xdg_config: tempfile::TempDir,
    pub cwd: tempfile::TempDir,
}

impl Dirs {
    pub fn new() -> Self {
        Dirs {
            docker_config: tempfile::tempdir().expect("temp dir"),
            xdg_config: tempfile::tempdir().expect("temp dir"),
            cwd: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes wharf's config where it looks by default ($XDG_CONFIG_HOME/wharf/config.toml).
    pub fn write_config(&self, text: &str) {
        let dir = self.xdg_config.path().join("wharf");
        std::fs::create_dir_all(&dir).expect("config dir");
        std::fs::write(dir.join("config.toml"), text).expect("config file");
    }

    /// wharf with `args`, started in `cwd` with these directories, as an xterm, without a
    /// docker context or NO_COLOR from outside.
    pub fn command(&self, args: &[&str]) -> CommandBuilder {
        let mut command = CommandBuilder::new(WHARF);
        command.args(args);
        command.cwd(self.cwd.path());
        command.env("TERM", "xterm-256color");
        command.env("DOCKER_CONFIG", self.docker_config.path());
        command.env("XDG_CONFIG_HOME", self.xdg_config.path());
        command.env_remove("DOCKER_CONTEXT");
        command.env_remove("NO_COLOR");
        command
    }
}

/// A program running in a pseudo-terminal of a fixed size.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    chunks: mpsc::Receiver<Vec<u8>>,
    reader_done: bool,
    exit: Option<ExitStatus>,
    /// Every byte the program wrote to the terminal.
    pub output: Vec<u8>,
    pub parser: vt100::Parser,
    /// When the program was started.
    pub started: Instant,
    /// The terminal's local mode flags before the program started (ICANON, ECHO …).
    pub initial_local_flags: BTreeSet<String>,
}

impl Pty {
    /// Opens a `rows`×`cols` terminal and starts `command` in it.
    pub fn spawn(command: CommandBuilder, rows: u16, cols: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let initial_local_flags = local_flags(pair.master.as_ref()).expect("termios of a new pty");
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let (tx, chunks) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 64 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let started = Instant::now();
        let child = pair
            .slave
            .spawn_command(command)
            .expect("start the program");
        // Only the child holds the terminal's slave side now, so its exit ends the output.
        drop(pair.slave);
        Pty {
            master: pair.master,
            writer,
            child,
            chunks,
            reader_done: false,
            exit: None,
            output: Vec::new(),
            parser: vt100::Parser::new(
                NonZeroU16::new(rows).expect("rows > 0"),
                NonZeroU16::new(cols).expect("cols > 0"),
                0,
            ),
            started,
            initial_local_flags,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.output.extend_from_slice(chunk);
        self.parser.process(chunk);
    }

    /// Takes the output that arrives within `wait` (and whatever else is already queued).
    pub fn pump(&mut self, wait: Duration) {
        match self.chunks.recv_timeout(wait) {
            Ok(chunk) => self.feed(&chunk),
            Err(RecvTimeoutError::Timeout) => return,
            Err(RecvTimeoutError::Disconnected) => {
                self.reader_done = true;
                return;
            }
        }
        while let Ok(chunk) = self.chunks.try_recv() {
            self.feed(&chunk);
        }
    }

    /// The screen's text, rows joined with newlines.
    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// The text of `width` columns from `start`, one string per row.
    pub fn columns(&self, start: u16, width: u16) -> Vec<String> {
        self.parser.screen().rows(start, width).collect()
    }

    /// Polls the screen until `ready` accepts it; returns the time since start. Panics with the
    /// screen after `limit`, or when the program ends first.
    pub fn wait_for(
        &mut self,
        limit: Duration,
        what: &str,
        ready: impl Fn(&Pty) -> bool,
    ) -> Duration {
        let deadline = Instant::now() + limit;
        loop {
            if ready(self) {
                return self.started.elapsed();
            }
            if self.reader_done {
                panic!(
                    "the program ended before {what}; exit {:?}; screen:\n{}\noutput tail: {:?}",
                    self.child.try_wait().ok().flatten(),
                    self.screen(),
                    String::from_utf8_lossy(&self.output[self.output.len().saturating_sub(400)..])
                );
            }
            if Instant::now() >= deadline {
                panic!("no {what} within {limit:?}; screen:\n{}", self.screen());
            }
            self.pump(Duration::from_millis(10));
        }
    }

    /// Types bytes into the terminal.
    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
    }

    /// Waits for the program to exit and for all of its output; kills it and panics after
    /// `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        while self.exit.is_none() {
            if let Some(status) = self.child.try_wait().expect("child status") {
                self.exit = Some(status);
                break;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!(
                    "the program did not exit within {limit:?}; screen:\n{}",
                    self.screen()
                );
            }
            self.pump(Duration::from_millis(10));
        }
        // The output ends when the terminal's last user is gone.
        while !self.reader_done && Instant::now() < deadline + Duration::from_secs(5) {
            self.pump(Duration::from_millis(50));
        }
        assert!(self.reader_done, "the output did not end after the exit");
        self.exit.clone().expect("exit status")
    }

    /// The terminal's local mode flags now (names such as `ICANON`, `ECHO`).
    pub fn local_flags(&self) -> BTreeSet<String> {
        local_flags(self.master.as_ref()).expect("termios of the pty")
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.exit.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The local flags of the terminal behind `master`, by name.
fn local_flags(master: &(dyn MasterPty + Send)) -> Option<BTreeSet<String>> {
    let termios = master.get_termios()?;
    let text = format!("{:?}", termios.local_flags);
    Some(
        text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase()))
            .map(str::to_string)
            .collect(),
    )
}

/// Whether `output` ends the way a full-screen program should leave a terminal: the last
/// alternate-screen switch is a leave (`ESC[?1049l`), the last cursor switch is a show
/// (`ESC[?25h`), mouse reporting is off, and nothing is drawn after leaving.
pub fn ends_restored(output: &[u8]) -> Result<(), String> {
    let last = |needle: &[u8]| output.windows(needle.len()).rposition(|w| w == needle);
    let enter = last(b"\x1b[?1049h").ok_or("never entered the alternate screen")?;
    let leave = last(b"\x1b[?1049l").ok_or("never left the alternate screen")?;
    if leave < enter {
        return Err("entered the alternate screen again after leaving it".into());
    }
    let show = last(b"\x1b[?25h").ok_or("never showed the cursor")?;
    if let Some(hide) = last(b"\x1b[?25l")
        && hide > show
    {
        return Err("the cursor is left hidden".into());
    }
    if show < leave {
        return Err("the cursor was shown before leaving, not after".into());
    }
    // Mouse reporting (any of its modes) is off again at the end.
    for mode in ["1000", "1002", "1003", "1006"] {
        let on = last(format!("\x1b[?{mode}h").as_bytes());
        let off = last(format!("\x1b[?{mode}l").as_bytes());
        if on.is_some() && off < on {
            return Err(format!("mouse mode {mode} is left on"));
        }
    }
    // After leaving: only escape sequences (mode resets), no text.
    let tail = &output[leave..];
    let mut printable = Vec::new();
    let mut i = 0;
    while i < tail.len() {
        if tail[i] == 0x1b {
            i += 1;
            if tail.get(i) == Some(&b'[') {
                i += 1;
                while i < tail.len() && !(0x40..=0x7e).contains(&tail[i]) {
                    i += 1;
                }
            }
            i += 1;
        } else {
            if !tail[i].is_ascii_whitespace() {
                printable.push(tail[i]);
            }
            i += 1;
        }
    }
    if !printable.is_empty() {
        return Err(format!(
            "text after leaving the alternate screen: {:?}",
            String::from_utf8_lossy(&printable)
        ));
    }
    Ok(())
}

/// The terminal is in canonical mode with echo, and its local modes are as before the start.
pub fn assert_canonical_echo(pty: &Pty, when: &str) {
    let flags = pty.local_flags();
    assert!(
        flags.contains("ICANON") && flags.contains("ECHO"),
        "{when}: the terminal is not in canonical+echo mode: {flags:?}"
    );
    assert_eq!(
        flags, pty.initial_local_flags,
        "{when}: local modes differ from before"
    );
}

/// Waits (bounded) for the program to exit: it succeeds, and leaves the alternate screen
/// with the cursor shown and nothing drawn after ([`ends_restored`]).
pub fn assert_exit_restored(pty: &mut Pty) {
    let status = pty.wait_exit(EXIT_LIMIT);
    assert!(status.success(), "exit status {status:?}");
    if let Err(e) = ends_restored(&pty.output) {
        panic!("the terminal was not restored: {e}");
    }
}

/// [`assert_exit_restored`], and the terminal's modes as before ([`assert_canonical_echo`]).
pub fn assert_clean_exit(pty: &mut Pty) {
    assert_exit_restored(pty);
    assert_canonical_echo(pty, "after exit");
}
