//! An interactive session (`docker::exec_session`, `docker::attach_session`) on wharf's own
//! terminal, for after the TUI has let go of it: raw mode, the keyboard to the session, its
//! output to the screen, window changes (SIGWINCH) passed on. Returns when the session ends,
//! with the terminal's mode as it was.
//!
//! The keyboard is read on a thread that polls stdin and reads only what is ready, checking
//! between polls whether the session is over: once it is, no key meant for the TUI is taken.
//! (A tokio stdin would leave a blocked read behind that swallows the next key.) The caller
//! must not read the terminal meanwhile (drop crossterm's `EventStream` first).

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures::{Stream, StreamExt, stream};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

use crate::docker::{
    EngineError, EngineErrorKind, InteractiveSession, SessionEnd, TerminalSize, bridge,
};

/// How often the input thread looks whether it should stop.
const STOP_CHECK: Timespec = Timespec {
    tv_sec: 0,
    tv_nsec: 50_000_000,
};

/// The terminal's size now, if stdout is a terminal.
pub fn terminal_size() -> Option<TerminalSize> {
    crossterm::terminal::size()
        .ok()
        .map(|(cols, rows)| TerminalSize { rows, cols })
}

/// Runs the session on this process's terminal until it ends.
pub async fn run_on_terminal(session: InteractiveSession) -> Result<SessionEnd, EngineError> {
    let setup = |e: io::Error| {
        EngineError::new(
            EngineErrorKind::Other,
            format!("the terminal could not be handed to the session: {e}"),
        )
    };
    let _raw = RawMode::enter().map_err(setup)?;
    let stdin = io::stdin().as_fd().try_clone_to_owned().map_err(setup)?;
    let mut input = TerminalInput::start(stdin);
    let sizes = window_sizes().map_err(setup)?;
    let end = bridge(session, &mut input, tokio::io::stdout(), sizes).await;
    // Wait until the reading thread is gone, so the TUI gets every key from here on.
    let _ = tokio::task::spawn_blocking(move || input.stop()).await;
    end
}

/// Raw mode for the session, put back as it was found when dropped.
struct RawMode {
    was_raw: bool,
}

impl RawMode {
    fn enter() -> io::Result<RawMode> {
        let was_raw = crossterm::terminal::is_raw_mode_enabled()?;
        crossterm::terminal::enable_raw_mode()?;
        Ok(RawMode { was_raw })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if !self.was_raw {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
}

/// The current size first, then one per window change.
fn window_sizes() -> io::Result<Pin<Box<dyn Stream<Item = TerminalSize> + Send>>> {
    use tokio::signal::unix::{SignalKind, signal};
    let changes = signal(SignalKind::window_change())?;
    let later = stream::unfold(changes, |mut changes| async move {
        changes.recv().await?;
        Some((terminal_size(), changes))
    })
    .filter_map(std::future::ready);
    Ok(Box::pin(stream::iter(terminal_size()).chain(later)))
}

/// Bytes from a terminal (or any pollable file descriptor), read on a thread that stops
/// reading as soon as this reader is dropped.
pub struct TerminalInput {
    chunks: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TerminalInput {
    /// Starts reading `fd` (a duplicate of stdin, say) on a thread of its own.
    pub fn start(fd: OwnedFd) -> TerminalInput {
        let (tx, chunks) = mpsc::channel(16);
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let thread =
            std::thread::spawn(move || read_until_stopped(File::from(fd), &tx, &thread_stop));
        TerminalInput {
            chunks,
            pending: Vec::new(),
            stop,
            thread: Some(thread),
        }
    }

    /// Stops reading and waits for the thread to end (at most one poll period, 50 ms):
    /// afterwards nothing more is read from the file descriptor.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TerminalInput {
    fn drop(&mut self) {
        // Without waiting: the thread checks the flag before every read.
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn read_until_stopped(mut file: File, tx: &mpsc::Sender<Vec<u8>>, stop: &AtomicBool) {
    let mut buffer = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        let mut fds = [PollFd::new(&file, PollFlags::IN)];
        match poll(&mut fds, Some(&STOP_CHECK)) {
            Ok(0) => continue,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return,
        }
        let ready = fds[0].revents();
        // Checked again: the session may have ended while we waited.
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if !ready.contains(PollFlags::IN) {
            return; // hung up or failed: no more input
        }
        match file.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => {
                if tx.blocking_send(buffer[..n].to_vec()).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

impl AsyncRead for TerminalInput {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pending.is_empty() {
            match self.chunks.poll_recv(cx) {
                Poll::Ready(Some(chunk)) => self.pending = chunk,
                Poll::Ready(None) => return Poll::Ready(Ok(())), // end of input
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = self.pending.len().min(buf.remaining());
        buf.put_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    use tokio::io::AsyncReadExt;

    use super::*;

    #[tokio::test]
    async fn input_is_read_while_needed_and_left_alone_after() {
        let (mut keyboard, terminal) = UnixStream::pair().unwrap();
        let mut input = TerminalInput::start(terminal.as_fd().try_clone_to_owned().unwrap());
        keyboard.write_all(b"ls\r").unwrap();
        let mut got = [0u8; 3];
        tokio::time::timeout(Duration::from_secs(10), input.read_exact(&mut got))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&got, b"ls\r");

        // The session ends; a key typed afterwards is the TUI's, not the session's.
        input.stop();
        keyboard.write_all(b"q").unwrap();
        let mut terminal = terminal;
        terminal
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut key = [0u8; 1];
        terminal.read_exact(&mut key).unwrap();
        assert_eq!(&key, b"q");
    }

    #[tokio::test]
    async fn a_closed_terminal_ends_the_input() {
        let (keyboard, terminal) = UnixStream::pair().unwrap();
        let mut input = TerminalInput::start(terminal.as_fd().try_clone_to_owned().unwrap());
        drop(keyboard);
        let mut rest = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), input.read_to_end(&mut rest))
            .await
            .unwrap()
            .unwrap();
        assert!(rest.is_empty());
    }
}
