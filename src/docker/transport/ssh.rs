//! `ssh://` engines, reached the way the docker CLI reaches them: the user's own `ssh`
//! (so `~/.ssh/config`, the agent, keys, `known_hosts` and `ProxyJump` all apply) runs
//! `docker system dial-stdio` on the remote host, and HTTP goes over its stdin/stdout.
//!
//! One login serves every request: the first connection starts a master (`ControlMaster`,
//! its socket in a private 0700 directory) and each HTTP connection is a session through
//! it. Sessions are capped below sshd's `MaxSessions`. wharf holds a connection on the
//! control socket, so it learns at once when the master goes (and, if wharf dies, the
//! master follows after `ControlPersist`). Dropping the last handle closes the master
//! (`ssh -O exit`) and removes the directory.
//!
//! ssh never prompts (`BatchMode=yes`, no terminal on its stdin, its own process group);
//! its complaints are read from its stderr and log and quoted in the failure.

use std::ffi::OsString;
use std::future::Future as _;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::UnixStream;
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Sleep;
use tokio_util::sync::CancellationToken;

use super::address::SshAddress;
use super::link::LinkFailure;
use crate::text;

/// The `ssh` program wharf runs and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshOptions {
    /// The program; a bare name is looked up on `PATH`.
    pub program: PathBuf,
    /// Arguments added before the destination (`-F FILE`, `-i KEY`, `-o Key=Value`). They
    /// win over wharf's defaults for the connect timeout and keep-alives, not over what
    /// wharf needs (the master connection, `BatchMode`).
    pub extra_args: Vec<String>,
    /// `ConnectTimeout`: how long ssh may take to reach the host and read its banner.
    pub connect_timeout: Duration,
    /// Sessions open at once over the one connection. sshd allows 10 by default
    /// (`MaxSessions`); wharf stays below and queues the rest.
    pub max_sessions: usize,
    /// How long the master outlives wharf if wharf ends without closing it (a crash).
    pub linger: Duration,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            program: PathBuf::from("ssh"),
            extra_args: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            max_sessions: 8,
            linger: Duration::from_secs(60),
        }
    }
}

/// The login may take this long on top of `ConnectTimeout` (key exchange, authentication).
const LOGIN_ALLOWANCE: Duration = Duration::from_secs(20);

/// Keep-alive interval: a cut network is noticed after about three of these.
const ALIVE_INTERVAL_SECS: u64 = 15;

/// How much of ssh's stderr is kept; the reason is at its end or start, never in megabytes.
const STDERR_LIMIT: usize = 16 * 1024;

/// How long a session's exit status is awaited after its output ended.
const EXIT_WAIT: Duration = Duration::from_secs(3);

/// How long closing the master may take when wharf lets go of the engine.
const EXIT_REQUEST_WAIT: Duration = Duration::from_secs(2);

/// The state of the master connection.
#[derive(Debug, Clone)]
enum LinkState {
    /// Not started yet.
    Down,
    /// Logged in; sessions go through it.
    Up,
    /// The last login failed (at that instant).
    Failed(LinkFailure, Instant),
    /// It was up and is gone.
    Lost(LinkFailure),
}

/// One `ssh://` engine: the master connection and the sessions through it.
pub(crate) struct SshLink {
    program: PathBuf,
    address: SshAddress,
    extra_args: Vec<String>,
    connect_timeout: Duration,
    linger: Duration,
    dir: tempfile::TempDir,
    /// The task holding a connection on the control socket while the master runs.
    watcher: tokio::sync::Mutex<Option<JoinHandle<()>>>,
    health: Arc<Health>,
    sessions: Arc<Semaphore>,
}

/// The master's state, shared with its watcher and the sessions.
struct Health {
    state: watch::Sender<LinkState>,
    /// How many times a running master was found gone: connections pooled before a loss
    /// are dead, and the transport starts a fresh pool when this changes.
    losses: AtomicU64,
    /// Counts logins, so that the watcher of an old master cannot mark a new one lost.
    logins: AtomicU64,
}

impl Health {
    /// The master of login `login` is gone.
    fn mark_lost(&self, login: u64, failure: LinkFailure) {
        if self.logins.load(Ordering::SeqCst) == login
            && !matches!(*self.state.borrow(), LinkState::Lost(_))
        {
            self.losses.fetch_add(1, Ordering::SeqCst);
            self.state.send_replace(LinkState::Lost(failure));
        }
    }
}

impl SshLink {
    /// Prepares the link (the private directory); nothing runs until the first connection.
    pub(crate) fn new(address: SshAddress, options: &SshOptions) -> Result<SshLink, LinkFailure> {
        // 0700: the control socket lets anyone who can reach it run commands as the user
        // on the remote host.
        let mut builder = tempfile::Builder::new();
        builder.prefix("wharf-ssh-");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder.tempdir().map_err(|e| {
            LinkFailure::new(
                format!("cannot make a private directory for ssh's control socket: {e}"),
                "Check that the temporary directory (TMPDIR) is writable.",
            )
        })?;
        Ok(SshLink {
            program: options.program.clone(),
            address,
            extra_args: options.extra_args.clone(),
            connect_timeout: options.connect_timeout,
            linger: options.linger.max(Duration::from_secs(1)),
            dir,
            watcher: tokio::sync::Mutex::new(None),
            health: Arc::new(Health {
                state: watch::Sender::new(LinkState::Down),
                losses: AtomicU64::new(0),
                logins: AtomicU64::new(0),
            }),
            sessions: Arc::new(Semaphore::new(options.max_sessions.max(1))),
        })
    }

    /// The longest a login may take.
    pub(crate) fn login_budget(&self) -> Duration {
        self.connect_timeout + LOGIN_ALLOWANCE
    }

    fn control_path(&self) -> PathBuf {
        self.dir.path().join("c")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("master.log")
    }

    /// Opens a session running `docker system dial-stdio`, logging in first if needed.
    /// Waits while all sessions are open, unless `closing` is cancelled.
    pub(crate) async fn connect(&self, closing: &CancellationToken) -> io::Result<SshStream> {
        let permit = tokio::select! {
            permit = self.sessions.clone().acquire_owned() => permit.map_err(io::Error::other)?,
            _ = closing.cancelled() => {
                return Err(io::Error::other("the engine handle was closed"));
            }
        };
        self.ensure_master().await.map_err(LinkFailure::into_io)?;
        let mut child = self
            .command(self.session_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.cannot_run(&e).into_io())?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(io::Error::other("ssh was started without its pipes"));
        };
        let (outcome_tx, outcome_rx) = oneshot::channel();
        let (release_tx, release_rx) = oneshot::channel::<()>();
        tokio::spawn(own_session(child, stderr, outcome_tx, release_rx));
        Ok(SshStream {
            stdin,
            stdout,
            outcome: Some(outcome_rx),
            outcome_deadline: None,
            failure: None,
            _release: release_tx,
            _permit: permit,
            link: SessionContext {
                health: self.health.clone(),
                control: self.control_path(),
                log: self.log_path(),
            },
        })
    }

    /// The reason the master went away, while it has not been started again.
    pub(crate) fn lost_now(&self) -> Option<LinkFailure> {
        match &*self.health.state.borrow() {
            LinkState::Lost(failure) => Some(failure.clone()),
            _ => None,
        }
    }

    /// How many times the master was found gone (see [`Health::losses`]).
    pub(crate) fn losses(&self) -> u64 {
        self.health.losses.load(Ordering::SeqCst)
    }

    /// Resolves when a running master goes away.
    pub(crate) async fn lost(&self) -> LinkFailure {
        let mut state = self.health.state.subscribe();
        loop {
            if let LinkState::Lost(failure) = &*state.borrow_and_update() {
                return failure.clone();
            }
            if state.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }

    /// Starts the master unless it runs. Requests that waited for a login that failed get
    /// that failure instead of trying again at once.
    async fn ensure_master(&self) -> Result<(), LinkFailure> {
        let asked = Instant::now();
        let mut watcher = self.watcher.lock().await;
        let up = matches!(*self.health.state.borrow(), LinkState::Up);
        if up {
            // A master that died a moment ago may not have been noticed by the watcher
            // yet; a session started now would quietly log in on its own (ssh falls back
            // to a direct connection when the control socket is gone).
            if std::os::unix::net::UnixStream::connect(self.control_path()).is_ok() {
                return Ok(());
            }
            let login = self.health.logins.load(Ordering::SeqCst);
            self.health
                .mark_lost(login, lost_connection(&self.log_path()));
        }
        if let LinkState::Failed(failure, at) = &*self.health.state.borrow()
            && *at >= asked
        {
            return Err(failure.clone());
        }
        if let Some(old) = watcher.take() {
            old.abort();
        }
        match self.start_master().await {
            Ok(handle) => {
                *watcher = Some(handle);
                self.health.state.send_replace(LinkState::Up);
                Ok(())
            }
            Err(failure) => {
                self.health
                    .state
                    .send_replace(LinkState::Failed(failure.clone(), Instant::now()));
                Err(failure)
            }
        }
    }

    /// Logs in: `ssh -M` returns once the master listens on its control socket (it goes
    /// to the background by `ControlPersist`). Then a watcher holds a connection on that
    /// socket until the master closes it.
    async fn start_master(&self) -> Result<JoinHandle<()>, LinkFailure> {
        let control = self.control_path();
        let log = self.log_path();
        // A socket left by a master that was killed would make ssh run without one.
        let _ = std::fs::remove_file(&control);
        let _ = std::fs::write(&log, b"");
        let mut child = self
            .command(self.master_args())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.cannot_run(&e))?;
        let stderr = child.stderr.take();
        let budget = self.login_budget();
        let finished = tokio::time::timeout(budget, async {
            let said = read_bounded(stderr).await;
            (child.wait().await, said)
        })
        .await;
        let said = |stderr: &str| format!("{stderr}\n{}", read_tail(&log));
        match finished {
            Err(_) => {
                let _ = child.start_kill();
                let reason = quote(&said(""));
                return Err(LinkFailure::new(
                    format!(
                        "ssh did not log in within {} s{}",
                        budget.as_secs(),
                        colon(&reason)
                    ),
                    "Check that the host is up and reachable; wharf keeps trying.",
                ));
            }
            Ok((Err(e), _)) => return Err(self.cannot_run(&e)),
            Ok((Ok(status), stderr)) if !status.success() => {
                return Err(self.login_failure(&said(&stderr), status));
            }
            Ok(_) => {}
        }
        let connection = UnixStream::connect(&control).await.map_err(|e| {
            LinkFailure::new(
                format!(
                    "ssh logged in but opened no control socket ({e}){}",
                    colon(&quote(&read_tail(&log)))
                ),
                "A ControlPath or ControlMaster setting in the ssh options may conflict with wharf's.",
            )
        })?;
        let health = self.health.clone();
        let login = health.logins.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(tokio::spawn(async move {
            let mut connection = connection;
            let mut buffer = [0u8; 64];
            // The master greets and then waits for us; it only ever closes.
            while matches!(connection.read(&mut buffer).await, Ok(n) if n > 0) {}
            health.mark_lost(login, lost_connection(&log));
        }))
    }

    fn command(&self, args: Vec<OsString>) -> Command {
        let mut command = Command::new(&self.program);
        command.args(args).kill_on_drop(true);
        // Its own process group: keys typed at wharf's terminal never signal ssh.
        #[cfg(unix)]
        command.process_group(0);
        command
    }

    /// The control socket path as ssh reads it (`%` starts a token there).
    fn control_arg(&self) -> OsString {
        OsString::from(self.control_path().to_string_lossy().replace('%', "%%"))
    }

    /// What wharf needs from every ssh it runs; first, since ssh keeps the first value.
    fn required_args(&self, master: bool) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["-S".into(), self.control_arg()];
        let options = if master {
            vec![
                "ControlMaster=yes".to_string(),
                format!("ControlPersist={}", self.linger.as_secs()),
                // wharf only needs its sessions: forwardings from the user's config would
                // clash with the user's own ssh to the same host.
                "ClearAllForwardings=yes".to_string(),
            ]
        } else {
            vec!["ControlMaster=no".to_string()]
        };
        for option in options.into_iter().chain([
            "BatchMode=yes".to_string(),
            "RemoteCommand=none".to_string(),
        ]) {
            args.push("-o".into());
            args.push(option.into());
        }
        args.push("-T".into());
        args
    }

    /// Defaults the user's extra arguments may override, then the destination.
    fn tail_args(&self, args: &mut Vec<OsString>) {
        args.extend(self.extra_args.iter().map(OsString::from));
        for option in [
            format!("ConnectTimeout={}", self.connect_timeout.as_secs().max(1)),
            format!("ServerAliveInterval={ALIVE_INTERVAL_SECS}"),
        ] {
            args.push("-o".into());
            args.push(option.into());
        }
        if let Some(user) = &self.address.user {
            args.push("-l".into());
            args.push(user.into());
        }
        if let Some(port) = self.address.port {
            args.push("-p".into());
            args.push(port.to_string().into());
        }
        args.push("--".into());
        args.push(self.address.host.clone().into());
    }

    fn master_args(&self) -> Vec<OsString> {
        let mut args = self.required_args(true);
        args.push("-E".into());
        args.push(self.log_path().into());
        args.push("-N".into());
        self.tail_args(&mut args);
        args
    }

    fn session_args(&self) -> Vec<OsString> {
        let mut args = self.required_args(false);
        self.tail_args(&mut args);
        args.push(self.remote_command().into());
        args
    }

    /// What runs on the remote host (through its shell, so the path is quoted).
    fn remote_command(&self) -> String {
        match &self.address.socket {
            None => "docker system dial-stdio".to_string(),
            Some(path) => format!(
                "docker --host {} system dial-stdio",
                shell_quote(&format!("unix://{path}"))
            ),
        }
    }

    fn cannot_run(&self, err: &io::Error) -> LinkFailure {
        let program = self.program.display();
        let why = if err.kind() == io::ErrorKind::NotFound {
            format!("the ssh program \"{program}\" was not found")
        } else {
            format!("cannot run \"{program}\": {err}")
        };
        LinkFailure::new(
            why,
            "Install OpenSSH's client, or name the ssh program in wharf's config.",
        )
    }

    /// The master could not log in: ssh's reason, sorted into what to do about it.
    fn login_failure(&self, said: &str, status: ExitStatus) -> LinkFailure {
        let reason = quote(said);
        let host = &self.address.host;
        let first_login = match (&self.address.user, self.address.port) {
            (Some(user), Some(port)) => format!("ssh -p {port} {user}@{host}"),
            (Some(user), None) => format!("ssh {user}@{host}"),
            (None, Some(port)) => format!("ssh -p {port} {host}"),
            (None, None) => format!("ssh {host}"),
        };
        let (why, hint) = if said.contains("Host key verification failed")
            || said.contains("host key") && said.contains("has changed")
        {
            if said.contains("has changed") || said.contains("IDENTIFICATION HAS CHANGED") {
                (
                    format!("the host key has changed: {reason}"),
                    format!(
                        "The host may have been reinstalled, or someone is in the middle. Check with its administrator, then remove the old key with `ssh-keygen -R {}`.",
                        known_hosts_name(host, self.address.port)
                    ),
                )
            } else {
                (
                    format!("the host key is not known: {reason}"),
                    format!(
                        "Connect once with `{first_login}` to check and accept the host key; wharf never asks (BatchMode)."
                    ),
                )
            }
        } else if said.contains("Permission denied")
            || said.contains("Too many authentication failures")
        {
            (
                format!("the host refused wharf's ssh keys: {reason}"),
                "Load the key into ssh-agent (ssh-add) or name it with IdentityFile in ~/.ssh/config; wharf cannot ask for a password or passphrase.".to_string(),
            )
        } else if said.contains("Could not resolve hostname") {
            (
                format!("unknown host: {reason}"),
                "Check the host name in the address (--host, DOCKER_HOST or the Docker context) and in ~/.ssh/config.".to_string(),
            )
        } else if said.contains("timed out") {
            (
                format!("the host did not answer in time: {reason}"),
                format!(
                    "Check that the host is up and reachable (VPN, firewall); ssh waited {} s (ConnectTimeout).",
                    self.connect_timeout.as_secs()
                ),
            )
        } else if said.contains("Connection refused") {
            (
                format!("ssh could not connect: {reason}"),
                "Is sshd running on that host and port?".to_string(),
            )
        } else {
            let reason = if reason.is_empty() {
                format!("ssh exited with {status} and said nothing")
            } else {
                reason
            };
            (
                format!("ssh could not log in: {reason}"),
                format!("Try `{first_login}` in a terminal to see what ssh needs."),
            )
        };
        LinkFailure::new(why, hint)
    }
}

impl Drop for SshLink {
    /// Closes the master, so that no login outlives wharf; the directory goes with
    /// `dir`. Blocking, but only for a local request (bounded).
    fn drop(&mut self) {
        if let Ok(mut watcher) = self.watcher.try_lock()
            && let Some(handle) = watcher.take()
        {
            handle.abort();
        }
        if !self.control_path().exists() {
            return;
        }
        let mut args: Vec<OsString> =
            vec!["-S".into(), self.control_arg(), "-O".into(), "exit".into()];
        args.extend(self.extra_args.iter().map(OsString::from));
        args.push("--".into());
        args.push(self.address.host.clone().into());
        let spawned = std::process::Command::new(&self.program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Ok(mut exit) = spawned {
            let started = Instant::now();
            while matches!(exit.try_wait(), Ok(None)) {
                if started.elapsed() > EXIT_REQUEST_WAIT {
                    let _ = exit.kill();
                    let _ = exit.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

/// Owns a session's process: reports how it ended, or ends it when the stream is dropped.
async fn own_session(
    mut child: Child,
    stderr: tokio::process::ChildStderr,
    outcome: oneshot::Sender<SessionEnd>,
    release: oneshot::Receiver<()>,
) {
    let ended = {
        let waited = async {
            let said = read_bounded(Some(stderr)).await;
            (child.wait().await, said)
        };
        tokio::select! {
            ended = waited => Some(ended),
            _ = release => None,
        }
    };
    match ended {
        Some((Ok(status), stderr)) => {
            let _ = outcome.send(SessionEnd { status, stderr });
        }
        Some((Err(_), _)) => {}
        None => {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

/// How a session's ssh ended.
#[derive(Debug)]
struct SessionEnd {
    status: ExitStatus,
    stderr: String,
}

/// What a session needs to explain its end.
struct SessionContext {
    health: Arc<Health>,
    control: PathBuf,
    log: PathBuf,
}

impl SessionContext {
    /// `None` when the session ended well (the engine closed the connection).
    fn explain(&self, end: &SessionEnd) -> Option<LinkFailure> {
        if end.status.success() {
            return None;
        }
        if let LinkState::Lost(failure) = &*self.health.state.borrow() {
            return Some(failure.clone());
        }
        // The master's end closes its sessions too, sometimes before the watcher has seen
        // it go: a control socket that no longer answers says so.
        if std::os::unix::net::UnixStream::connect(&self.control).is_err() {
            return Some(lost_connection(&self.log));
        }
        Some(session_failure(end))
    }
}

/// The master connection went away; its log may say why.
fn lost_connection(log: &Path) -> LinkFailure {
    LinkFailure::new(
        format!(
            "the ssh connection was lost{}",
            colon(&quote(&read_tail(log)))
        ),
        "wharf logs in again; check the network and the ssh server if it keeps failing.",
    )
}

/// Why a session failed, from its exit status and stderr.
fn session_failure(end: &SessionEnd) -> LinkFailure {
    let said = end.stderr.as_str();
    let reason = quote(said);
    let lower = said.to_ascii_lowercase();
    if end.status.code() == Some(127)
        || lower.contains("command not found")
        || lower.contains("docker: not found")
    {
        LinkFailure::new(
            format!("the host has no docker command{}", colon(&reason)),
            "Install the docker CLI on that host, on the PATH of non-interactive ssh sessions (docker system dial-stdio runs there).",
        )
    } else if lower.contains("administratively prohibited") || lower.contains("open failed") {
        LinkFailure::new(
            format!("the ssh server refused another session{}", colon(&reason)),
            "Its MaxSessions is lower than wharf's session limit: lower wharf's ssh session limit or raise MaxSessions in sshd_config.",
        )
    } else if lower.contains("cannot connect to the docker daemon")
        || lower.contains("error during connect")
        || lower.contains("permission denied while trying to connect")
    {
        LinkFailure::new(
            format!(
                "docker on the host cannot reach its engine{}",
                colon(&reason)
            ),
            "Is the engine running there, and may the ssh user use its socket (the docker group)?",
        )
    } else if lower.contains("control socket") || lower.contains("mux_client") {
        LinkFailure::new(
            format!("the ssh connection was lost{}", colon(&reason)),
            "wharf logs in again; check the network and the ssh server if it keeps failing.",
        )
    } else {
        let reason = if reason.is_empty() {
            format!("it exited with {} and said nothing", end.status)
        } else {
            reason
        };
        LinkFailure::new(
            format!("the ssh session failed: {reason}"),
            "wharf keeps trying; run `docker -H` with the same address to compare.",
        )
    }
}

/// A session: HTTP to the remote engine over ssh's stdin and stdout. When its output ends
/// because ssh failed, reads and writes fail with ssh's reason instead of a bare EOF.
pub(crate) struct SshStream {
    stdin: ChildStdin,
    stdout: ChildStdout,
    outcome: Option<oneshot::Receiver<SessionEnd>>,
    outcome_deadline: Option<Pin<Box<Sleep>>>,
    failure: Option<LinkFailure>,
    /// Dropping it ends the process.
    _release: oneshot::Sender<()>,
    /// One of the link's sessions.
    _permit: OwnedSemaphorePermit,
    link: SessionContext,
}

impl SshStream {
    /// After the output ended or broke: waits (briefly) for ssh's exit and says whether it
    /// failed.
    fn poll_failure(&mut self, cx: &mut Context<'_>) -> Poll<Option<LinkFailure>> {
        if let Some(failure) = &self.failure {
            return Poll::Ready(Some(failure.clone()));
        }
        let Some(outcome) = self.outcome.as_mut() else {
            return Poll::Ready(None);
        };
        let deadline = self
            .outcome_deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(EXIT_WAIT)));
        let end = match Pin::new(outcome).poll(cx) {
            Poll::Ready(Ok(end)) => Some(end),
            Poll::Ready(Err(_)) => None,
            Poll::Pending => {
                ready!(deadline.as_mut().poll(cx));
                None
            }
        };
        self.outcome = None;
        self.failure = end.and_then(|end| self.link.explain(&end));
        Poll::Ready(self.failure.clone())
    }
}

impl AsyncRead for SshStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let asked = buf.remaining() > 0;
        match ready!(Pin::new(&mut this.stdout).poll_read(cx, buf)) {
            Ok(()) if asked && buf.filled().len() == before => {
                match ready!(this.poll_failure(cx)) {
                    Some(failure) => Poll::Ready(Err(failure.into_io())),
                    None => Poll::Ready(Ok(())),
                }
            }
            Ok(()) => Poll::Ready(Ok(())),
            Err(e) => match ready!(this.poll_failure(cx)) {
                Some(failure) => Poll::Ready(Err(failure.into_io())),
                None => Poll::Ready(Err(e)),
            },
        }
    }
}

impl AsyncWrite for SshStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match ready!(Pin::new(&mut this.stdin).poll_write(cx, buf)) {
            Ok(n) => Poll::Ready(Ok(n)),
            Err(e) => match ready!(this.poll_failure(cx)) {
                Some(failure) => Poll::Ready(Err(failure.into_io())),
                None => Poll::Ready(Err(e)),
            },
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_shutdown(cx)
    }
}

/// Reads a pipe to its end, keeping the first [`STDERR_LIMIT`] bytes.
async fn read_bounded(pipe: Option<tokio::process::ChildStderr>) -> String {
    let Some(mut pipe) = pipe else {
        return String::new();
    };
    let mut kept = Vec::new();
    let mut buffer = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        let room = STDERR_LIMIT.saturating_sub(kept.len());
        kept.extend_from_slice(&buffer[..n.min(room)]);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// The end of the master's log (where ssh writes its reasons once it has a log file).
fn read_tail(path: &Path) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return String::new();
    };
    let start = bytes.len().saturating_sub(STDERR_LIMIT);
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// ssh's reason in a line: its last two meaningful lines, cleaned of control characters.
fn quote(said: &str) -> String {
    let lines: Vec<&str> = said
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with("Warning: Permanently added")
                && !line.starts_with('@')
        })
        .collect();
    let start = lines.len().saturating_sub(2);
    let joined = lines[start..].join(" ");
    text::truncate(&text::clean(&joined), 400).into_owned()
}

/// The host as `known_hosts` names it: `[host]:port` for another port than 22.
fn known_hosts_name(host: &str, port: Option<u16>) -> String {
    match port {
        Some(port) if port != 22 => format!("'[{host}]:{port}'"),
        _ => host.to_string(),
    }
}

/// `": reason"`, or nothing when there is no reason.
fn colon(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    }
}

/// Quotes a word for a POSIX shell.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn link(address: &str, options: &SshOptions) -> SshLink {
        SshLink::new(SshAddress::parse(address).unwrap(), options).unwrap()
    }

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn sessions_run_dial_stdio_through_the_master_without_prompts() {
        let options = SshOptions {
            extra_args: vec!["-F".into(), "/tmp/cfg".into()],
            ..SshOptions::default()
        };
        let link = link("ssh://deploy@build.example:2222", &options);
        let args = strings(&link.session_args());
        let control = link.control_path().to_string_lossy().into_owned();
        assert_eq!(args[..2], ["-S".to_string(), control]);
        for needed in [
            "ControlMaster=no",
            "BatchMode=yes",
            "RemoteCommand=none",
            "-T",
        ] {
            assert!(args.iter().any(|a| a == needed), "{needed} in {args:?}");
        }
        let after_required = args.iter().position(|a| a == "-T").unwrap() + 1;
        assert_eq!(
            args[after_required..],
            [
                "-F",
                "/tmp/cfg",
                "-o",
                "ConnectTimeout=10",
                "-o",
                "ServerAliveInterval=15",
                "-l",
                "deploy",
                "-p",
                "2222",
                "--",
                "build.example",
                "docker system dial-stdio"
            ]
        );
    }

    #[test]
    fn the_master_is_persistent_logged_and_runs_no_command() {
        let link = link("ssh://build", &SshOptions::default());
        let args = strings(&link.master_args());
        for needed in [
            "ControlMaster=yes",
            "ControlPersist=60",
            "ClearAllForwardings=yes",
            "-N",
        ] {
            assert!(args.iter().any(|a| a == needed), "{needed} in {args:?}");
        }
        let log = args.iter().position(|a| a == "-E").unwrap();
        assert!(args[log + 1].ends_with("master.log"));
        assert_eq!(args[args.len() - 2..], ["--", "build"]);
    }

    #[test]
    fn the_control_directory_is_private_and_goes_with_the_link() {
        use std::os::unix::fs::PermissionsExt;
        let link = link("ssh://build", &SshOptions::default());
        let dir = link.dir.path().to_path_buf();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(link);
        assert!(!dir.exists());
    }

    #[test]
    fn a_socket_path_is_quoted_for_the_remote_shell() {
        let link = link("ssh://me@host/run/it's%20here.sock", &SshOptions::default());
        assert_eq!(
            link.remote_command(),
            r"docker --host 'unix:///run/it'\''s here.sock' system dial-stdio"
        );
    }

    #[test]
    fn login_failures_quote_ssh_and_say_what_to_do() {
        let link = link("ssh://root@127.0.0.1:2222", &SshOptions::default());
        let failed = ExitStatus::from_raw(255 << 8);
        let unknown = link.login_failure(
            "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\n",
            failed,
        );
        assert!(
            unknown.why.contains("is not known: No ED25519 host key"),
            "{}",
            unknown.why
        );
        assert!(
            unknown.hint.contains("ssh -p 2222 root@127.0.0.1"),
            "{}",
            unknown.hint
        );
        let changed = link.login_failure(
            "@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key for [127.0.0.1]:2222 has changed and you have requested strict checking.\nHost key verification failed.\n",
            failed,
        );
        assert!(changed.why.contains("has changed"), "{}", changed.why);
        assert!(changed.hint.contains("ssh-keygen -R"), "{}", changed.hint);
        let refused =
            link.login_failure("root@127.0.0.1: Permission denied (publickey).\n", failed);
        assert!(
            refused.why.contains("Permission denied (publickey)"),
            "{}",
            refused.why
        );
        assert!(refused.hint.contains("ssh-agent"));
        let unknown_host = link.login_failure(
            "ssh: Could not resolve hostname nohost: Name or service not known\n",
            failed,
        );
        assert!(
            unknown_host
                .why
                .starts_with("unknown host: ssh: Could not resolve")
        );
        let slow = link.login_failure("Connection timed out during banner exchange\n", failed);
        assert!(slow.hint.contains("ConnectTimeout"), "{}", slow.hint);
        let silent = link.login_failure("", failed);
        assert!(silent.why.contains("said nothing"), "{}", silent.why);
    }

    #[test]
    fn session_failures_tell_missing_docker_from_a_lost_connection() {
        let end = |code: i32, stderr: &str| SessionEnd {
            status: ExitStatus::from_raw(code << 8),
            stderr: stderr.to_string(),
        };
        let no_docker = session_failure(&end(127, "/bin/sh: 1: docker: not found\n"));
        assert!(
            no_docker
                .why
                .contains("has no docker command: /bin/sh: 1: docker: not found")
        );
        let sessions = session_failure(&end(
            255,
            "channel 11: open failed: administratively prohibited: open failed\n",
        ));
        assert!(sessions.hint.contains("MaxSessions"));
        let daemon = session_failure(&end(
            1,
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
        ));
        assert!(
            daemon
                .why
                .starts_with("docker on the host cannot reach its engine")
        );
    }

    #[test]
    fn quotes_are_short_and_clean() {
        assert_eq!(quote("a\nb\nc\n"), "b c");
        assert_eq!(
            quote("Warning: Permanently added 'x'\nreal reason\x1b[31m\n"),
            "real reason"
        );
        assert!(quote(&"x".repeat(5000)).chars().count() <= 400);
    }
}
