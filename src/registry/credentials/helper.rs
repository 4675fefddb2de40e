//! Running `docker-credential-<name>` helpers with the docker CLI's protocol.
//!
//! `get` and `erase` read the server URL as plain text on stdin; `store` reads
//! `{"ServerURL","Username","Secret"}`; `get` prints that JSON and `list` prints
//! `{"server": "username"}`. "credentials not found" (exit 1) means there are none.
//! Helpers run with a timeout and capped output; their stdout on success is never put
//! into an error, since it holds secrets.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::error::CredentialError;
use super::secret::{Credentials, Secret};

/// The username helpers store with identity tokens.
const TOKEN_USERNAME: &str = "<token>";
/// Helpers print a few hundred bytes; more is a broken helper.
const OUTPUT_LIMIT: u64 = 1024 * 1024;
/// How much of a helper's error message goes into our error.
const MESSAGE_LIMIT: usize = 300;

/// A located credential helper program.
#[derive(Debug, Clone)]
pub(crate) struct Helper {
    name: String,
    program: PathBuf,
    timeout: Duration,
}

#[derive(Serialize, Deserialize)]
struct HelperCredentials {
    #[serde(rename = "ServerURL", default)]
    server_url: String,
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

struct Output {
    success: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Helper {
    /// Finds `docker-credential-<name>` in `search_first` (if given), then in `PATH`.
    pub(crate) fn locate(
        name: &str,
        search_first: Option<&Path>,
        timeout: Duration,
    ) -> Result<Helper, CredentialError> {
        let valid_name = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid_name {
            return Err(CredentialError::InvalidHelperName {
                name: name.to_owned(),
            });
        }
        let file_name = format!("docker-credential-{name}");
        let path_dirs = std::env::var_os("PATH")
            .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
            .unwrap_or_default();
        search_first
            .map(Path::to_path_buf)
            .into_iter()
            .chain(path_dirs)
            .map(|dir| dir.join(&file_name))
            .find(|candidate| is_executable(candidate))
            .map(|program| Helper {
                name: name.to_owned(),
                program,
                timeout,
            })
            .ok_or_else(|| CredentialError::HelperNotFound {
                name: name.to_owned(),
            })
    }

    /// The helper's name (`desktop` for `docker-credential-desktop`).
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The credentials stored for `server`, or `None`.
    pub(crate) fn get(&self, server: &str) -> Result<Option<Credentials>, CredentialError> {
        let output = self.run("get", server.as_bytes())?;
        if !output.success {
            if output.says_not_found() {
                return Ok(None);
            }
            return Err(self.failed("get", &output));
        }
        let parsed: HelperCredentials = serde_json::from_slice(&output.stdout).map_err(|_| {
            CredentialError::HelperBadOutput {
                name: self.name.clone(),
                verb: "get",
            }
        })?;
        if parsed.secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(if parsed.username == TOKEN_USERNAME {
            Credentials::identity_token("", parsed.secret)
        } else {
            Credentials::password(parsed.username, parsed.secret)
        }))
    }

    /// Stores credentials for `server`.
    pub(crate) fn store(
        &self,
        server: &str,
        credentials: &Credentials,
    ) -> Result<(), CredentialError> {
        let (username, secret) = match credentials.secret() {
            Secret::Password(password) => (credentials.username(), password.as_str()),
            Secret::IdentityToken(token) => (TOKEN_USERNAME, token.as_str()),
        };
        let input = serde_json::to_vec(&HelperCredentials {
            server_url: server.to_owned(),
            username: username.to_owned(),
            secret: secret.to_owned(),
        })
        .map_err(|e| CredentialError::HelperFailed {
            name: self.name.clone(),
            verb: "store",
            message: e.to_string(),
        })?;
        let output = self.run("store", &input)?;
        if output.success {
            Ok(())
        } else {
            Err(self.failed("store", &output))
        }
    }

    /// Erases the credentials for `server`; erasing what is not there succeeds.
    /// Erases what the helper holds for `server`; `Ok(false)` when it held nothing.
    pub(crate) fn erase(&self, server: &str) -> Result<bool, CredentialError> {
        let output = self.run("erase", server.as_bytes())?;
        if output.success || output.says_not_found() {
            Ok(output.success)
        } else {
            Err(self.failed("erase", &output))
        }
    }

    fn failed(&self, verb: &'static str, output: &Output) -> CredentialError {
        CredentialError::HelperFailed {
            name: self.name.clone(),
            verb,
            message: output.message(),
        }
    }

    /// Runs the helper with one verb, feeding `input` and collecting output until it exits
    /// or the timeout passes (then it is killed).
    fn run(&self, verb: &'static str, input: &[u8]) -> Result<Output, CredentialError> {
        let io_error = |e: io::Error| CredentialError::HelperFailed {
            name: self.name.clone(),
            verb,
            message: e.to_string(),
        };
        let mut child = Command::new(&self.program)
            .arg(verb)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(io_error)?;
        // Every pipe is served by its own thread so a helper that does not read its input
        // or fills stderr first cannot block us; the timeout bounds the whole exchange.
        if let Some(mut stdin) = child.stdin.take() {
            let input = input.to_vec();
            thread::spawn(move || {
                // A helper may exit without reading its input; that is its business.
                let _ = stdin.write_all(&input);
            });
        }
        let stdout = read_in_background(child.stdout.take());
        let stderr = read_in_background(child.stderr.take());
        let deadline = Instant::now() + self.timeout;
        let left = || deadline.saturating_duration_since(Instant::now());
        let collected = stdout
            .recv_timeout(left())
            .and_then(|out| stderr.recv_timeout(left()).map(|err| (out, err)));
        let Ok((stdout, stderr)) = collected else {
            kill(&mut child);
            return Err(CredentialError::HelperTimedOut {
                name: self.name.clone(),
                verb,
                seconds: self.timeout.as_secs(),
            });
        };
        let status = child.wait().map_err(io_error)?;
        Ok(Output {
            success: status.success(),
            stdout: stdout.map_err(io_error)?,
            stderr: stderr.map_err(io_error)?,
        })
    }
}

impl Output {
    fn says_not_found(&self) -> bool {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).to_ascii_lowercase();
        text(&self.stdout).contains("credentials not found")
            || text(&self.stderr).contains("credentials not found")
    }

    /// The helper's error message: its stdout (the protocol's error channel), else stderr.
    fn message(&self) -> String {
        let stdout = String::from_utf8_lossy(&self.stdout);
        let stderr = String::from_utf8_lossy(&self.stderr);
        let text = if stdout.trim().is_empty() {
            stderr.trim()
        } else {
            stdout.trim()
        };
        let line = text.lines().next().unwrap_or("exited with an error");
        line.chars().take(MESSAGE_LIMIT).collect()
    }
}

fn read_in_background<R: Read + Send + 'static>(
    pipe: Option<R>,
) -> mpsc::Receiver<io::Result<Vec<u8>>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let result = match pipe {
            Some(pipe) => pipe.take(OUTPUT_LIMIT).read_to_end(&mut buf).map(|_| buf),
            None => Ok(buf),
        };
        let _ = tx.send(result);
    });
    rx
}

fn kill(child: &mut Child) {
    // The helper may have exited on its own meanwhile; either way it is reaped.
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
