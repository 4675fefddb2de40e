//! The event loop: terminal input and background messages in, `update`, effects out, and a
//! frame drawn only when something changed (at most one per `FRAME`).

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::config::Config;
use crate::docker::target::EngineTarget;
use crate::docker::{
    CreatedContainer, Engine, EngineError, EngineErrorKind, LifecycleAction, SessionEnd,
};
use crate::effect::Effect;
use crate::executor::{EngineSetup, Executor, Services};
use crate::flows::shell::{Session, SessionEnded};
use crate::msg::Msg;
use crate::run_spec::RunSpec;
use crate::state::State;
use crate::terminal_session;
use crate::tui::TerminalGuard;
use crate::ui::{self, View, theme::Theme};

/// Turns of the runtime the connection gets before the first frame: one for the connect
/// task (which asks for the version and spawns the list requests), one for those.
const FIRST_REQUESTS_YIELDS: usize = 3;

/// Shortest time between two frames (~60 per second).
const FRAME: Duration = Duration::from_millis(16);

/// What the event loop needs besides the config.
pub struct RunOptions {
    /// The resolved engine, or why it could not be resolved.
    pub target: Result<EngineTarget, String>,
    /// The engine address for messages.
    pub target_label: String,
    pub theme: Theme,
    /// The credential store and the registry client.
    pub services: Services,
    // ----- remote engines and contexts -----
    /// How engines are reached and contexts resolved.
    pub engine_setup: EngineSetup,
    /// The context (or `DOCKER_HOST` …) the address came from, for the header.
    pub context_label: Option<String>,
    /// `wharf files REF`: start in the files view.
    pub open_files: Option<crate::cli::FilesArgs>,
}

/// Runs wharf until the user quits.
pub async fn run(config: Config, options: RunOptions) -> Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut executor =
        Executor::new(tx, options.target, options.services).with_engine_setup(options.engine_setup);
    let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    let mut state = State::new(&config, options.target_label, home);
    state.set_engine_context(options.context_label);
    let theme = options.theme;
    let mut first = state.start();
    if let Some(files) = &options.open_files {
        first.extend(state.open_files_at_start(&files.target, files.platform.as_deref()));
    }
    executor.run(first);
    // Let the connection send its first requests (version, images, containers) before the
    // terminal is set up and the first frame drawn: that work then overlaps the engine's
    // answer instead of coming before the question. Each yield lets the tasks spawned so
    // far run to their first wait on the engine.
    for _ in 0..FIRST_REQUESTS_YIELDS {
        tokio::task::yield_now().await;
    }
    let mut terminal = TerminalGuard::enter().wrap_err("cannot set up the terminal")?;

    let mut input = EventStream::new();
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;

    terminal
        .capture_mouse(state.wants_mouse())
        .wrap_err("cannot take the mouse")?;
    let mut refresh_at = draw(&mut terminal, &mut state, &theme)?;
    // workflow: interactive sessions asked for, run by this loop (it owns the terminal).
    let mut sessions: Vec<Session> = Vec::new();
    let mut last_draw = Instant::now();
    let mut dirty = false;

    loop {
        let next_frame = last_draw + FRAME;
        let refresh = refresh_at.map(sleep_until_epoch);
        tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => {
                    if let Some(msg) = terminal_msg(event) {
                        dispatch(&mut executor, state.update(msg), &mut sessions);
                        dirty = true;
                    }
                }
                Some(Err(e)) => return Err(e).wrap_err("reading the terminal failed"),
                None => break,
            },
            Some(msg) = rx.recv() => {
                dispatch(&mut executor, state.update(msg), &mut sessions);
                dirty = true;
            }
            _ = hangup.recv() => break,
            _ = terminate.recv() => break,
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
            // A relative time on screen ("5m", "Up 3 minutes") reads differently now.
            _ = async { if let Some(sleep) = refresh { sleep.await } }, if refresh.is_some() => {
                dirty = true;
            }
        }
        // Take everything already queued before drawing, so a burst becomes one frame.
        while let Ok(msg) = rx.try_recv() {
            dispatch(&mut executor, state.update(msg), &mut sessions);
            dirty = true;
        }
        if state.quit {
            break;
        }
        // workflow: hand the terminal over, one session at a time; crossterm's reader must
        // not take the session's keys, so it goes and comes back new.
        if !sessions.is_empty() {
            drop(input);
            for session in std::mem::take(&mut sessions) {
                terminal.release();
                let msg = run_session(executor.engine_handle(), session).await;
                terminal
                    .take_back()
                    .wrap_err("cannot take the terminal back")?;
                dispatch(&mut executor, state.update(msg), &mut sessions);
            }
            input = EventStream::new();
            dirty = true;
        }
        terminal
            .capture_mouse(state.wants_mouse())
            .wrap_err("cannot switch the mouse")?;
        if std::mem::take(&mut state.suspend) {
            terminal.suspend().wrap_err("suspending failed")?;
            dirty = true;
        }
        if dirty && Instant::now() >= next_frame {
            refresh_at = draw(&mut terminal, &mut state, &theme)?;
            last_draw = Instant::now();
            dirty = false;
        }
    }
    Ok(())
}

/// Effects to the executor, except interactive sessions, which this loop runs.
fn dispatch(executor: &mut Executor, effects: Vec<Effect>, sessions: &mut Vec<Session>) {
    let (interactive, rest): (Vec<Effect>, Vec<Effect>) = effects
        .into_iter()
        .partition(|e| matches!(e, Effect::Interactive(_)));
    sessions.extend(interactive.into_iter().filter_map(|e| match e {
        Effect::Interactive(session) => Some(session),
        _ => None,
    }));
    executor.run(rest);
}

/// Runs one session on the terminal (already released) until it ends.
async fn run_session(engine: Option<Engine>, session: Session) -> Msg {
    let (container, id, result) = match engine {
        None => (
            session_label(&session),
            None,
            Err(EngineError::new(
                EngineErrorKind::Unreachable,
                "not connected to the Docker engine",
            )),
        ),
        Some(engine) => match session {
            Session::Exec { container, command } => {
                let result = exec_on_terminal(&engine, &container, command).await;
                (container, None, result)
            }
            Session::Run(spec) => match run_on_terminal_attached(&engine, &spec).await {
                Ok((created, result)) => (created.name, Some(created.id), result),
                Err(e) => (spec.image.clone(), None, Err(e)),
            },
        },
    };
    Msg::SessionEnded(SessionEnded {
        container,
        id,
        result,
    })
}

fn session_label(session: &Session) -> String {
    match session {
        Session::Exec { container, .. } => container.clone(),
        Session::Run(spec) => spec.image.clone(),
    }
}

/// `docker exec -it`: the command, or the first shell the container has.
async fn exec_on_terminal(
    engine: &Engine,
    container: &str,
    command: Vec<String>,
) -> Result<SessionEnd, EngineError> {
    let command = if command.is_empty() {
        vec![engine.default_shell(container).await?]
    } else {
        command
    };
    let session = engine
        .exec_session(container, &command, terminal_session::terminal_size())
        .await?;
    terminal_session::run_on_terminal(session).await
}

/// `docker run -it`: create, attach before the start so no output is missed, start (or
/// remove what was made), then the session.
async fn run_on_terminal_attached(
    engine: &Engine,
    spec: &RunSpec,
) -> Result<(CreatedContainer, Result<SessionEnd, EngineError>), EngineError> {
    let created = engine.create_from_spec(spec).await.map_err(|e| e.error)?;
    let session = match engine.attach_session(&created.id.0).await {
        Ok(session) => session,
        Err(e) => {
            let remove = LifecycleAction::Remove {
                force: true,
                volumes: true,
            };
            let _ = engine.container_action(&created.id.0, &remove).await;
            return Err(e);
        }
    };
    engine
        .start_or_remove(&created)
        .await
        .map_err(|e| e.error)?;
    if let Some(size) = terminal_session::terminal_size() {
        let _ = session.resize(size).await;
    }
    let result = terminal_session::run_on_terminal(session).await;
    Ok((created, result))
}

/// Draws a frame; returns when (seconds since the epoch) a relative time on it changes.
fn draw(terminal: &mut TerminalGuard, state: &mut State, theme: &Theme) -> Result<Option<i64>> {
    if std::mem::take(&mut state.clear_screen) {
        terminal.terminal.clear()?;
    }
    let view = View::new(theme, chrono::Utc::now().timestamp());
    terminal
        .draw(|frame| ui::draw(frame, state, &view))
        .wrap_err("drawing to the terminal failed")?;
    Ok(view.refresh_at())
}

/// Sleeps until `at` (seconds since the epoch), at least a second, so a time that is
/// already due cannot make a busy loop.
fn sleep_until_epoch(at: i64) -> tokio::time::Sleep {
    let now = chrono::Utc::now().timestamp();
    let seconds = u64::try_from(at.saturating_sub(now)).unwrap_or(0).max(1);
    tokio::time::sleep(Duration::from_secs(seconds))
}

fn terminal_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text.into())),
        Event::Resize(_, _) => Some(Msg::Resize),
        // Only what wharf acts on: pointer motion must not wake it.
        Event::Mouse(mouse)
            if matches!(
                mouse.kind,
                MouseEventKind::Down(MouseButton::Left)
                    | MouseEventKind::ScrollUp
                    | MouseEventKind::ScrollDown
            ) =>
        {
            Some(Msg::Mouse(mouse))
        }
        _ => None,
    }
}
