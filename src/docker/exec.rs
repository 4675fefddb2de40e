//! Interactive sessions through the engine API, without the docker CLI: `docker exec -it`
//! (a new process in a running container) and `docker attach` (for `run -it`). The engine
//! hijacks the HTTP connection and it carries the terminal's bytes both ways; [`bridge`]
//! copies them between that connection and any reader/writer, passing window sizes on.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use bollard::models::ExecConfig;
use bollard::query_parameters::{
    ContainerArchiveInfoOptions, ResizeContainerTTYOptions, ResizeExecOptions,
};
use futures::{Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::engine::Engine;
use super::error::{EngineError, EngineErrorKind};
use super::lifecycle::gone_or;

/// The shells tried, in order, when `:exec` names no command.
pub const DEFAULT_SHELLS: &[&str] = &["/bin/bash", "/bin/sh"];

/// A terminal's size in character cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalSize {
    pub rows: u16,
    pub cols: u16,
}

/// What the session's terminal is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SessionTarget {
    Exec { id: String },
    Container { id: String },
}

/// A live interactive session: the hijacked connection and what to resize.
pub struct InteractiveSession {
    engine: Engine,
    target: SessionTarget,
    reader: Pin<Box<dyn AsyncRead + Send>>,
    writer: Pin<Box<dyn AsyncWrite + Send>>,
}

impl std::fmt::Debug for InteractiveSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InteractiveSession")
            .field("target", &self.target)
            .finish()
    }
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEnd {
    /// The command's exit code (exec), or the container's (attach), when known.
    pub exit_code: Option<i64>,
    /// The last bytes the session printed (up to 2 KiB, not cleaned), to explain a failure.
    pub last_output: String,
}

impl SessionEnd {
    /// A message when the command could not run at all (126: not executable, 127: not
    /// found), with the engine's own words from the output.
    pub fn failure(&self) -> Option<String> {
        let why = match self.exit_code {
            Some(126) => "it could not be executed",
            Some(127) => "it was not found",
            _ => return None,
        };
        let last_line = self
            .last_output
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or_default();
        Some(if last_line.is_empty() {
            format!("the command did not run: {why}")
        } else {
            format!("the command did not run: {why} ({last_line})")
        })
    }
}

impl Engine {
    /// The first of [`DEFAULT_SHELLS`] the container has, looked up in its filesystem (no
    /// process is started to find out).
    pub async fn default_shell(&self, container: &str) -> Result<String, EngineError> {
        for shell in DEFAULT_SHELLS {
            let options = ContainerArchiveInfoOptions {
                path: (*shell).to_string(),
            };
            match self
                .docker
                .get_container_archive_info(container, Some(options))
                .await
            {
                Ok(_) => return Ok((*shell).to_string()),
                Err(e) => {
                    let error = self.error(e);
                    if error.kind != EngineErrorKind::NotFound {
                        return Err(error);
                    }
                    // 404: no such path, or no such container; tell them apart at the end.
                }
            }
        }
        self.container_details(container).await?;
        Err(EngineError::new(
            EngineErrorKind::NotFound,
            format!("{container} has neither /bin/bash nor /bin/sh"),
        )
        .with_hint(format!("Name the command to run: :exec {container} CMD")))
    }

    /// Starts `command` in the running container with a terminal, attached: `docker exec -it`.
    pub async fn exec_session(
        &self,
        container: &str,
        command: &[String],
        size: Option<TerminalSize>,
    ) -> Result<InteractiveSession, EngineError> {
        let config = ExecConfig {
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(true),
            cmd: Some(command.to_vec()),
            // Engines from API 1.42 size the terminal at once; older ones get a resize.
            console_size: size.map(|s| vec![usize::from(s.rows), usize::from(s.cols)]),
            ..ExecConfig::default()
        };
        let created = self
            .docker
            .create_exec(container, config)
            .await
            .map_err(|e| exec_error(self.error(e), container))?;
        let body = br#"{"Detach":false,"Tty":true}"#.to_vec();
        let path = format!("/exec/{}/start", created.id);
        let (reader, writer) = split(self.raw().upgrade(&path, Some(body)).await?);
        let session = InteractiveSession {
            engine: self.clone(),
            target: SessionTarget::Exec { id: created.id },
            reader,
            writer,
        };
        if let Some(size) = size {
            session.resize_when_ready(size).await;
        }
        Ok(session)
    }

    /// Attaches to a container's terminal (`docker attach`; `run -it` attaches between
    /// create and start so no output is missed).
    pub async fn attach_session(&self, container: &str) -> Result<InteractiveSession, EngineError> {
        let details = self.container_details(container).await?;
        let path = format!(
            "/containers/{}/attach?stream=1&stdin=1&stdout=1&stderr=1",
            details.id.0
        );
        let (reader, writer) = split(
            self.raw()
                .upgrade(&path, None)
                .await
                .map_err(|e| gone_or(e, container))?,
        );
        Ok(InteractiveSession {
            engine: self.clone(),
            target: SessionTarget::Container { id: details.id.0 },
            reader,
            writer,
        })
    }
}

type Halves = (
    Pin<Box<dyn AsyncRead + Send>>,
    Pin<Box<dyn AsyncWrite + Send>>,
);

fn split(connection: super::raw::Hijacked) -> Halves {
    let (reader, writer) = tokio::io::split(connection);
    (Box::pin(reader), Box::pin(writer))
}

/// An exec refusal said with the container's name.
fn exec_error(error: EngineError, container: &str) -> EngineError {
    let error = gone_or(error, container);
    let lower = error.message.to_ascii_lowercase();
    if lower.contains("is paused") {
        EngineError::new(error.kind, format!("{container} is paused"))
            .with_hint("Unpause it first.")
    } else if lower.contains("is not running") || lower.contains("is restarting") {
        EngineError::new(error.kind, format!("{container} is not running"))
            .with_hint("Start it first.")
    } else {
        error
    }
}

impl InteractiveSession {
    /// Tells the engine the terminal's new size.
    pub async fn resize(&self, size: TerminalSize) -> Result<(), EngineError> {
        resize(&self.engine, &self.target, size).await
    }

    /// The first size, right after start: the process may not be running for the engine
    /// yet, so a refusal is retried a few times with a growing pause (as the docker CLI
    /// does), then given up (the next window change sets it).
    async fn resize_when_ready(&self, size: TerminalSize) {
        let mut pause = Duration::from_millis(10);
        for _ in 0..4 {
            if self.resize(size).await.is_ok() {
                return;
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
    }
}

async fn resize(
    engine: &Engine,
    target: &SessionTarget,
    size: TerminalSize,
) -> Result<(), EngineError> {
    let (h, w) = (i32::from(size.rows), i32::from(size.cols));
    let result = match target {
        SessionTarget::Exec { id } => {
            engine
                .docker
                .resize_exec(id, ResizeExecOptions { h, w })
                .await
        }
        SessionTarget::Container { id } => {
            engine
                .docker
                .resize_container_tty(id, ResizeContainerTTYOptions { h, w })
                .await
        }
    };
    result.map_err(|e| engine.error(e))
}

/// How much of the output [`SessionEnd::last_output`] keeps.
const TAIL_BYTES: usize = 2048;

/// Copies the session's output to `output` and `input` to the session, and passes every
/// size from `resizes` on, until the session ends (the command exits, Ctrl-D or `exit` in
/// a shell, the container dies). `input` ending closes the session's stdin; the session
/// still runs until the command exits. Raw mode is the caller's business.
pub async fn bridge<I, O, R>(
    session: InteractiveSession,
    mut input: I,
    mut output: O,
    mut resizes: R,
) -> Result<SessionEnd, EngineError>
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
    R: Stream<Item = TerminalSize> + Unpin,
{
    let InteractiveSession {
        engine,
        target,
        mut reader,
        mut writer,
    } = session;
    let mut from_engine = vec![0u8; 16 * 1024];
    let mut from_user = vec![0u8; 4 * 1024];
    let mut tail: VecDeque<u8> = VecDeque::with_capacity(TAIL_BYTES);
    let mut input_open = true;
    let mut resizes_open = true;
    let terminal_error = |e: std::io::Error| {
        EngineError::new(
            EngineErrorKind::Other,
            format!("the terminal failed during the session: {e}"),
        )
    };
    loop {
        tokio::select! {
            read = reader.read(&mut from_engine) => {
                let n = match read {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if connection_closed(&e) => break,
                    Err(e) => return Err(EngineError::new(
                        EngineErrorKind::Unreachable,
                        format!("the session's connection to {} broke: {e}", engine.host()),
                    )),
                };
                let bytes = &from_engine[..n];
                output.write_all(bytes).await.map_err(terminal_error)?;
                output.flush().await.map_err(terminal_error)?;
                tail.extend(bytes);
                let excess = tail.len().saturating_sub(TAIL_BYTES);
                tail.drain(..excess);
            }
            read = input.read(&mut from_user), if input_open => match read {
                Ok(0) => {
                    input_open = false;
                    let _ = writer.shutdown().await;
                }
                Ok(n) => {
                    // A refused write means the session is ending; its output says how.
                    if writer.write_all(&from_user[..n]).await.is_err()
                        || writer.flush().await.is_err()
                    {
                        input_open = false;
                    }
                }
                Err(e) => return Err(terminal_error(e)),
            },
            size = resizes.next(), if resizes_open => match size {
                // A size the engine refuses (the session just ended) changes nothing.
                Some(size) => { let _ = resize(&engine, &target, size).await; }
                None => resizes_open = false,
            },
        }
    }
    let exit_code = exit_code(&engine, &target).await;
    let (a, b) = tail.as_slices();
    let last_output = String::from_utf8_lossy(&[a, b].concat()).into_owned();
    Ok(SessionEnd {
        exit_code,
        last_output,
    })
}

fn connection_closed(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionAborted
    )
}

/// The exit code once the engine has recorded it: the connection closes as the process
/// ends, and the engine may take a moment to note the code (bounded wait with backoff).
async fn exit_code(engine: &Engine, target: &SessionTarget) -> Option<i64> {
    let mut pause = Duration::from_millis(5);
    for _ in 0..8 {
        let (running, code) = match target {
            SessionTarget::Exec { id } => match engine.docker.inspect_exec(id).await {
                Ok(exec) => (exec.running.unwrap_or(false), exec.exit_code),
                Err(_) => return None,
            },
            SessionTarget::Container { id } => match engine.container_details(id).await {
                Ok(details) => (details.state.is_up(), details.exit_code),
                Err(_) => return None,
            },
        };
        if !running {
            return code;
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_to_start_a_command_are_explained() {
        let end = SessionEnd {
            exit_code: Some(127),
            last_output: "OCI runtime exec failed: exec failed: executable file not found in $PATH: unknown\r\n".into(),
        };
        let message = end.failure().unwrap();
        assert!(message.contains("was not found"), "{message}");
        assert!(message.contains("executable file not found"), "{message}");
        let fine = SessionEnd {
            exit_code: Some(0),
            last_output: String::new(),
        };
        assert_eq!(fine.failure(), None);
        let plain_failure = SessionEnd {
            exit_code: Some(1),
            last_output: String::new(),
        };
        assert_eq!(
            plain_failure.failure(),
            None,
            "a command that ran and failed is no error of wharf's"
        );
    }

    #[test]
    fn exec_refusals_name_the_container() {
        let paused = exec_error(
            EngineError::answered(
                Some(409),
                "Container 4f is paused, unpause the container before exec",
            ),
            "web",
        );
        assert_eq!(paused.message, "web is paused");
        let stopped = exec_error(
            EngineError::answered(Some(409), "Container 4f is not running"),
            "web",
        );
        assert_eq!(stopped.message, "web is not running");
    }
}
