//! The terminal: raw mode and the alternate screen in, everything restored on the way out —
//! on a normal exit, on an error, on a panic and on SIGTERM/SIGHUP.

use std::io::{self, Stdout, Write};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui_crossterm::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Asks the terminal for button presses and wheel steps in SGR form, but not for pointer
/// motion (crossterm's `EnableMouseCapture` asks for every move, which over SSH is a stream
/// of reports nobody uses). `DisableMouseCapture` turns it off again.
struct ClicksAndWheel;

impl crossterm::Command for ClicksAndWheel {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1006h")
    }
}

/// Restores the terminal when dropped, so every return path leaves it as it was.
pub struct TerminalGuard {
    pub terminal: Term,
    /// Whether the terminal reports mouse events to wharf.
    mouse: bool,
}

impl TerminalGuard {
    /// Switches to raw mode and the alternate screen.
    pub fn enter() -> io::Result<Self> {
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        ) {
            restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(terminal) => Ok(TerminalGuard {
                terminal,
                mouse: false,
            }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Draws one frame inside a synchronized update, so terminals that support it show the
    /// frame at once instead of painting it line by line.
    pub fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> io::Result<()> {
        let _ = execute!(self.terminal.backend_mut(), BeginSynchronizedUpdate);
        let result = self.terminal.draw(render).map(|_| ());
        let _ = execute!(self.terminal.backend_mut(), EndSynchronizedUpdate);
        result
    }
}

impl TerminalGuard {
    /// Takes the mouse (clicks and the wheel come to wharf) or leaves it to the terminal.
    pub fn capture_mouse(&mut self, on: bool) -> io::Result<()> {
        if on != self.mouse {
            if on {
                execute!(self.terminal.backend_mut(), ClicksAndWheel)?;
            } else {
                execute!(self.terminal.backend_mut(), DisableMouseCapture)?;
            }
            self.mouse = on;
        }
        Ok(())
    }

    /// Lets go of the terminal for an interactive session in a container: the main screen,
    /// cooked mode, the cursor shown. [`TerminalGuard::take_back`] undoes it.
    pub fn release(&mut self) {
        restore();
    }

    /// Takes the terminal again after [`TerminalGuard::release`]; the next frame is drawn
    /// whole.
    pub fn take_back(&mut self) -> io::Result<()> {
        self.reenter()?;
        // A fresh terminal draws the next frame whole; `Terminal::clear` would ask the
        // terminal where its cursor is, which not every terminal answers.
        execute!(
            io::stdout(),
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
        )?;
        self.terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok(())
    }

    /// Ctrl-Z: gives the terminal back, stops the process like any shell job, and takes the
    /// terminal again when the shell resumes it.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
        self.reenter()?;
        self.terminal.clear()
    }

    /// Raw mode, the alternate screen, pasting and the mouse as they were before the
    /// terminal was given away ([`TerminalGuard::release`], a suspend).
    fn reenter(&self) -> io::Result<()> {
        enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        )?;
        if self.mouse {
            execute!(io::stdout(), ClicksAndWheel)?;
        }
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back: leaves the alternate screen, shows the cursor, cooked mode.
/// Safe to call more than once.
pub fn restore() {
    let mut stdout = io::stdout();
    let _ = execute!(
        stdout,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = stdout.flush();
}

/// Restores the terminal before any panic report is printed, then ends the process: a panic
/// in a background task must not leave wharf drawing over a restored terminal.
pub fn install_panic_hook() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        report(info);
        std::process::exit(101);
    }));
}
