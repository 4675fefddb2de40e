//! Run, lifecycle, logs and interactive sessions against the real engine: a `:run` line's
//! ports, volumes, env and restart policy as `docker inspect` reports them; failures that
//! leave nothing behind; every lifecycle action; logs with stream marks, timestamps, tail and
//! follow; exec and attach sessions driven through `docker::bridge` with pipes.
//!
//! Every image, container and volume has a unique name and is removed afterwards.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use crate::support::engine::{
    CMD_SH, Rootfs, Scratch, docker, docker_output, engine_or_skip, import_archive,
    import_test_image, unique_name,
};
use crate::support::registry::free_port;
use wharf::docker::{
    Engine, EngineErrorKind, LifecycleAction, LogLine, LogStream, LogsRequest, RunFailure,
    SessionEnd, TerminalSize, bridge,
};
use wharf::logs::{self, LogBuffer, MAX_LINES};
use wharf::run_spec::{HostContext, RunSpec, parse_run_args};

/// Generous bounds: the work is quick, a loaded machine is not.
const LIMIT: Duration = Duration::from_secs(30);

/// A container that idles and stops at once on SIGTERM (sh as PID 1 ignores it otherwise).
const IDLE: &[&str] = &[
    "sh",
    "-c",
    "trap 'exit 0' TERM; while true; do sleep 1; done",
];

/// The machine the `:run` words are read on: one variable wharf "has".
struct TestHost;

impl HostContext for TestHost {
    fn var(&self, name: &str) -> Option<String> {
        (name == "FROM_WHARF").then(|| "yes".to_string())
    }

    fn current_dir(&self) -> Option<PathBuf> {
        Some(PathBuf::from("/"))
    }
}

fn spec(words: &[String]) -> RunSpec {
    parse_run_args(words, &TestHost).unwrap_or_else(|e| panic!("{words:?}: {e}"))
}

fn words(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn inspect(format: &str, object: &str) -> String {
    docker(&["inspect", "--format", format, object])
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Whether the engine knows a container by this exact name.
fn container_exists(name: &str) -> bool {
    !docker(&["ps", "-a", "-q", "--filter", &format!("name=^/{name}$")]).is_empty()
}

async fn test_image(engine: &Engine, scratch: &mut Scratch, label: &str) -> String {
    let image = format!("{}:1", unique_name(label));
    import_test_image(engine, scratch, &image, &[CMD_SH]).await;
    image
}

/// Runs `IDLE` through wharf in a new container; returns its name.
async fn run_idle(engine: &Engine, scratch: &mut Scratch, image: &str, extra: &[&str]) -> String {
    let name = unique_name("idle");
    scratch.track_container(&name);
    let mut line = words(&["--name", &name]);
    line.extend(words(extra));
    line.push(image.to_string());
    line.extend(words(IDLE));
    engine
        .run_container(&spec(&line))
        .await
        .unwrap_or_else(|e| panic!("run {line:?}: {e}"));
    name
}

// ----- run ----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_sets_ports_volumes_env_and_restart_policy_as_docker_inspect_shows() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "run").await;
    let name = unique_name("run-ctr");
    scratch.track_container(&name);
    let volume = unique_name("run-vol");
    scratch.track_volume(&volume);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "from the host\n").unwrap();
    let host_dir = dir.path().display().to_string();
    let port = free_port();

    let line = words(&[
        "--name",
        &name,
        "-p",
        &format!("127.0.0.1:{port}:80"),
        "--publish=127.0.0.1::7000-7001/udp",
        "-v",
        &format!("{host_dir}:/data:ro"),
        "-v",
        &format!("{volume}:/cache"),
        "-v",
        "/scratch",
        "-e",
        "A=1",
        "-e",
        "FROM_WHARF",
        "--restart",
        "on-failure:3",
        "-w",
        "/data",
        "-u",
        "0:0",
        &image,
        "sleep",
        "1000",
    ]);
    let created = engine.run_container(&spec(&line)).await.unwrap();
    assert_eq!(created.name, name);
    assert_eq!(created.id.0, inspect("{{.Id}}", &name));

    assert_eq!(inspect("{{.State.Status}}", &name), "running");
    assert_eq!(
        json(&inspect("{{json .HostConfig.PortBindings}}", &name)),
        serde_json::json!({
            "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": port.to_string()}],
            "7000/udp": [{"HostIp": "127.0.0.1", "HostPort": ""}],
            "7001/udp": [{"HostIp": "127.0.0.1", "HostPort": ""}],
        })
    );
    assert_eq!(
        docker(&["port", &name, "80/tcp"]),
        format!("127.0.0.1:{port}")
    );
    assert_eq!(
        json(&inspect("{{json .HostConfig.Binds}}", &name)),
        serde_json::json!([format!("{host_dir}:/data:ro"), format!("{volume}:/cache")])
    );
    assert_eq!(
        json(&inspect("{{json .Config.Volumes}}", &name)),
        serde_json::json!({"/scratch": {}})
    );
    let mounts = inspect(
        "{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}};{{end}}",
        &name,
    );
    let mut mounts: Vec<&str> = mounts.split(';').filter(|m| !m.is_empty()).collect();
    mounts.sort();
    assert_eq!(
        mounts,
        [
            "bind /data false",
            "volume /cache true",
            "volume /scratch true"
        ]
    );
    let env = json(&inspect("{{json .Config.Env}}", &name));
    let env: Vec<&str> = env
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(env.contains(&"A=1"), "{env:?}");
    assert!(
        env.contains(&"FROM_WHARF=yes"),
        "a bare -e takes wharf's value: {env:?}"
    );
    assert_eq!(
        json(&inspect("{{json .HostConfig.RestartPolicy}}", &name)),
        serde_json::json!({"Name": "on-failure", "MaximumRetryCount": 3})
    );
    assert_eq!(inspect("{{.Config.WorkingDir}}", &name), "/data");
    assert_eq!(inspect("{{.Config.User}}", &name), "0:0");
    assert_eq!(
        json(&inspect("{{json .Config.Cmd}}", &name)),
        serde_json::json!(["sleep", "1000"])
    );

    // The mounts work: the host file is there, read-only.
    assert_eq!(
        docker(&["exec", &name, "cat", "hello.txt"]),
        "from the host"
    );
    let write = docker_output(&["exec", &name, "touch", "/data/new"]);
    assert!(!write.status.success(), "/data is mounted read-only");

    // Without --name the engine makes one up, and wharf reports it.
    let unnamed = engine
        .run_container(&spec(&words(&["--rm", &image, "sleep", "1000"])))
        .await
        .unwrap();
    scratch.track_container(&unnamed.id.0);
    assert_eq!(
        inspect("{{.Name}}", &unnamed.id.0),
        format!("/{}", unnamed.name)
    );
    assert_eq!(inspect("{{.HostConfig.AutoRemove}}", &unnamed.id.0), "true");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_runs_leave_nothing_behind_and_say_why() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "fail").await;

    // A port a program on the host listens on: the start fails, the container goes again.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let name = unique_name("port");
    scratch.track_container(&name);
    let line = words(&[
        "--name",
        &name,
        "-p",
        &format!("127.0.0.1:{port}:80"),
        "-v",
        "/anonymous",
        &image,
        "sleep",
        "1000",
    ]);
    let err = engine.run_container(&spec(&line)).await.unwrap_err();
    assert_eq!(
        err.failure,
        RunFailure::PortInUse {
            address: format!("127.0.0.1:{port}")
        },
        "{err}"
    );
    assert!(err.to_string().contains(&port.to_string()), "{err}");
    assert!(
        !container_exists(&name),
        "the container made for the run was removed"
    );
    drop(listener);

    // A command the image does not have: the start fails too.
    let name = unique_name("nocmd");
    scratch.track_container(&name);
    let line = words(&["--name", &name, &image, "/no/such/program"]);
    let err = engine.run_container(&spec(&line)).await.unwrap_err();
    assert_eq!(err.failure, RunFailure::Engine);
    assert!(err.to_string().contains("/no/such/program"), "{err}");
    assert!(!container_exists(&name));

    // A name in use: refused, the existing container untouched.
    let taken = run_idle(&engine, &mut scratch, &image, &[]).await;
    let before = inspect("{{.Id}}", &taken);
    let line = words(&["--name", &taken, &image]);
    let err = engine.run_container(&spec(&line)).await.unwrap_err();
    assert_eq!(
        err.failure,
        RunFailure::NameInUse {
            name: taken.clone()
        }
    );
    assert_eq!(inspect("{{.Id}}", &taken), before);
    assert_eq!(inspect("{{.State.Status}}", &taken), "running");

    // An image the engine does not have: a kind the UI offers a pull for.
    let missing = format!("{}:1", unique_name("missing"));
    let name = unique_name("noimage");
    scratch.track_container(&name);
    let err = engine
        .run_container(&spec(&words(&["--name", &name, &missing])))
        .await
        .unwrap_err();
    assert_eq!(
        err.failure,
        RunFailure::ImageMissing {
            image: missing.clone()
        }
    );
    assert!(!container_exists(&name));
}

// ----- lifecycle ----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lifecycle_action_changes_what_the_engine_reports() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "life").await;
    let name = run_idle(&engine, &mut scratch, &image, &["-v", "/anonymous"]).await;
    let status = |name: &str| inspect("{{.State.Status}}", name);
    let act = |action: LifecycleAction| {
        let engine = engine.clone();
        let name = name.clone();
        async move { engine.container_action(&name, &action).await }
    };

    act(LifecycleAction::Pause).await.unwrap();
    assert_eq!(status(&name), "paused");
    assert_eq!(
        engine.container_details(&name).await.unwrap().state,
        wharf::docker::ContainerState::Paused
    );
    act(LifecycleAction::Unpause).await.unwrap();
    assert_eq!(status(&name), "running");

    act(LifecycleAction::Stop { timeout: None }).await.unwrap();
    assert_eq!(status(&name), "exited");
    assert_eq!(inspect("{{.State.ExitCode}}", &name), "0", "the trap ran");
    act(LifecycleAction::Stop { timeout: None })
        .await
        .expect("stopping a stopped container is fine, as with docker stop");
    let err = act(LifecycleAction::Pause).await.unwrap_err();
    assert!(err.message.contains("not running"), "{err}");

    act(LifecycleAction::Start).await.unwrap();
    assert_eq!(status(&name), "running");
    act(LifecycleAction::Start).await.expect("already running");

    let started = inspect("{{.State.StartedAt}}", &name);
    act(LifecycleAction::Restart { timeout: None })
        .await
        .unwrap();
    assert_eq!(status(&name), "running");
    assert_ne!(inspect("{{.State.StartedAt}}", &name), started);

    act(LifecycleAction::Kill { signal: None }).await.unwrap();
    assert_eq!(status(&name), "exited");
    assert_eq!(inspect("{{.State.ExitCode}}", &name), "137");
    let details = engine.container_details(&name).await.unwrap();
    assert_eq!(details.exit_code, Some(137));

    // `:kill -s TERM`: the signal reaches the process, whose trap exits 0 (not 137).
    act(LifecycleAction::Start).await.unwrap();
    act(LifecycleAction::Kill {
        signal: Some("TERM".into()),
    })
    .await
    .unwrap();
    // `docker wait` returns the exit code once it exited (bounded, should TERM be lost).
    let waited = {
        let name = name.clone();
        tokio::time::timeout(
            std::time::Duration::from_secs(60),
            tokio::task::spawn_blocking(move || docker(&["wait", &name])),
        )
        .await
        .expect("TERM reached the container and ended it")
        .unwrap()
    };
    assert_eq!(waited.trim(), "0", "the trap ran");

    act(LifecycleAction::Start).await.unwrap();
    let new_name = unique_name("renamed");
    scratch.track_container(&new_name);
    act(LifecycleAction::Rename {
        new_name: new_name.clone(),
    })
    .await
    .unwrap();
    assert!(container_exists(&new_name) && !container_exists(&name));

    let on_new = |action: LifecycleAction| {
        let engine = engine.clone();
        let name = new_name.clone();
        async move { engine.container_action(&name, &action).await }
    };
    let volume = inspect("{{range .Mounts}}{{.Name}}{{end}}", &new_name);
    assert!(!volume.is_empty());
    let err = on_new(LifecycleAction::Remove {
        force: false,
        volumes: true,
    })
    .await
    .unwrap_err();
    assert_eq!(err.kind, EngineErrorKind::Conflict);
    assert!(err.message.contains("is running"), "{err}");
    assert!(err.hint.unwrap_or_default().contains("force"));
    assert!(container_exists(&new_name));

    on_new(LifecycleAction::Remove {
        force: true,
        volumes: true,
    })
    .await
    .unwrap();
    assert!(!container_exists(&new_name));
    assert!(
        !docker_output(&["volume", "inspect", &volume])
            .status
            .success(),
        "the anonymous volume went with the container"
    );
    let err = on_new(LifecycleAction::Stop { timeout: None })
        .await
        .unwrap_err();
    assert_eq!(err.kind, EngineErrorKind::NotFound);
    assert!(err.message.contains(&new_name), "{err}");
}

// ----- logs ---------------------------------------------------------------------------------

async fn collect(engine: &Engine, name: &str, request: LogsRequest) -> Vec<LogLine> {
    let stream = engine.logs(name, request).await.unwrap();
    tokio::time::timeout(LIMIT, stream.map(|l| l.unwrap()).collect::<Vec<_>>())
        .await
        .expect("the logs of a stopped container end")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_mark_stderr_carry_timestamps_and_take_a_tail() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "logs").await;
    let name = unique_name("logs-ctr");
    scratch.track_container(&name);
    let script = r#"echo one; echo two >&2; printf '\033[31mred\033[0m\n'; printf 'no newline'"#;
    let line = words(&["--name", &name, &image, "sh", "-c", script]);
    engine.run_container(&spec(&line)).await.unwrap();
    docker(&["wait", &name]);

    let lines = collect(
        &engine,
        &name,
        LogsRequest {
            timestamps: true,
            ..LogsRequest::default()
        },
    )
    .await;
    // The engine copies stdout and stderr separately: each keeps its order, not both.
    let of = |stream: LogStream| -> Vec<&str> {
        lines
            .iter()
            .filter(|l| l.stream == stream)
            .map(|l| l.text.as_str())
            .collect()
    };
    assert_eq!(
        of(LogStream::Stdout),
        ["one", "\u{1b}[31mred\u{1b}[0m", "no newline"]
    );
    assert_eq!(of(LogStream::Stderr), ["two"]);
    for line in &lines {
        let stamp = line.timestamp.as_deref().expect("a timestamp");
        chrono::DateTime::parse_from_rfc3339(stamp).unwrap_or_else(|e| panic!("{stamp}: {e}"));
    }
    let tail = collect(
        &engine,
        &name,
        LogsRequest {
            tail: Some(2),
            ..LogsRequest::default()
        },
    )
    .await;
    let tail: Vec<&str> = tail.iter().map(|l| l.text.as_str()).collect();
    // The last two lines of the log as the engine keeps it (stderr's line may land
    // anywhere among stdout's, as above).
    let last_two: Vec<&str> = lines[lines.len() - 2..]
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(tail, last_two);
    assert!(tail.contains(&"no newline"), "{tail:?}");
    assert!(
        collect(&engine, &name, LogsRequest::default())
            .await
            .iter()
            .all(|l| l.timestamp.is_none())
    );

    // A container with a terminal: one stream, its CRLF line ends taken off.
    let tty = unique_name("logs-tty");
    scratch.track_container(&tty);
    let line = words(&[
        "--name",
        &tty,
        "-t",
        &image,
        "sh",
        "-c",
        "echo on-a-tty; echo more >&2",
    ]);
    engine.run_container(&spec(&line)).await.unwrap();
    docker(&["wait", &tty]);
    let lines = collect(&engine, &tty, LogsRequest::default()).await;
    let texts: Vec<(LogStream, &str)> = lines.iter().map(|l| (l.stream, l.text.as_str())).collect();
    assert_eq!(
        texts,
        [(LogStream::Stdout, "on-a-tty"), (LogStream::Stdout, "more")]
    );

    let err = engine
        .logs(&unique_name("nothing"), LogsRequest::default())
        .await
        .err()
        .expect("no logs for a container that does not exist");
    assert_eq!(err.kind, EngineErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_logs_sees_new_lines_and_ends_when_the_container_goes() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "follow").await;
    let name = unique_name("follow-ctr");
    scratch.track_container(&name);
    let script = "echo first; while [ ! -e /tmp/go ]; do sleep 1; done; echo second; sleep 1000";
    let line = words(&["--name", &name, &image, "sh", "-c", script]);
    engine.run_container(&spec(&line)).await.unwrap();

    let mut stream = engine
        .logs(
            &name,
            LogsRequest {
                follow: true,
                ..LogsRequest::default()
            },
        )
        .await
        .unwrap();
    let first = next_line(&mut stream).await;
    assert_eq!(first.unwrap().unwrap().text, "first");
    docker(&["exec", &name, "touch", "/tmp/go"]);
    let second = next_line(&mut stream).await;
    assert_eq!(second.unwrap().unwrap().text, "second");

    // Removed while its logs are open: the stream ends instead of hanging.
    docker(&["rm", "-f", &name]);
    let end = next_line(&mut stream).await;
    assert!(
        end.is_none() || end.as_ref().is_some_and(|r| r.is_err()),
        "{end:?}"
    );
}

type Lines = futures::stream::BoxStream<'static, Result<LogLine, wharf::docker::EngineError>>;

async fn next_line(stream: &mut Lines) -> Option<Result<LogLine, wharf::docker::EngineError>> {
    tokio::time::timeout(LIMIT, stream.next())
        .await
        .expect("an answer within the limit")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_container_fills_the_logs_buffer_to_its_bound_and_no_further() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    const TOTAL: usize = 100_000;
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "flood").await;
    let name = unique_name("flood-ctr");
    scratch.track_container(&name);
    let script = format!("busybox seq 1 {TOTAL}; sleep 1000");
    let line = words(&["--name", &name, &image, "sh", "-c", &script]);
    engine.run_container(&spec(&line)).await.unwrap();

    let stream = engine
        .logs(
            &name,
            LogsRequest {
                follow: true,
                ..LogsRequest::default()
            },
        )
        .await
        .unwrap();
    let (tx, mut batches) = tokio::sync::mpsc::unbounded_channel();
    let pump = tokio::spawn(logs::pump(stream, move |batch| tx.send(batch).is_ok()));
    let mut buffer = LogBuffer::new();
    let last = TOTAL.to_string();
    let deadline = Instant::now() + LIMIT;
    while buffer.visible(1, 80).first().map(|r| r.text) != Some(last.as_str()) {
        let left = deadline.saturating_duration_since(Instant::now());
        let batch = tokio::time::timeout(left, batches.recv())
            .await
            .expect("the flood arrives within the limit")
            .expect("the pump runs until the container goes");
        buffer.push_batch(batch);
    }
    assert_eq!(buffer.len(), MAX_LINES);
    assert_eq!(buffer.dropped(), (TOTAL - MAX_LINES) as u64);
    buffer.go_top();
    assert_eq!(
        buffer.visible(1, 80)[0].text,
        (TOTAL - MAX_LINES + 1).to_string(),
        "the oldest line kept is the first after the dropped ones"
    );

    // The container goes: the pump ends (the view would say so).
    docker(&["rm", "-f", &name]);
    tokio::time::timeout(LIMIT, pump)
        .await
        .expect("the pump ends with the stream")
        .unwrap()
        .unwrap();
}

// ----- interactive sessions -------------------------------------------------------------------

/// The far ends of a session's pipes, as a terminal would hold them.
struct Terminal {
    keys: DuplexStream,
    screen: DuplexStream,
    seen: String,
    resizes: tokio::sync::mpsc::UnboundedSender<TerminalSize>,
}

type Running = tokio::task::JoinHandle<Result<SessionEnd, wharf::docker::EngineError>>;

/// Bridges `session` to in-memory pipes in a task.
fn connect(session: wharf::docker::InteractiveSession) -> (Terminal, Running) {
    let (keys, input) = tokio::io::duplex(4096);
    let (output, screen) = tokio::io::duplex(64 * 1024);
    let (resizes, mut resize_rx) = tokio::sync::mpsc::unbounded_channel();
    let sizes = futures::stream::poll_fn(move |cx| resize_rx.poll_recv(cx));
    let task = tokio::spawn(bridge(session, input, output, Box::pin(sizes)));
    (
        Terminal {
            keys,
            screen,
            seen: String::new(),
            resizes,
        },
        task,
    )
}

impl Terminal {
    async fn type_line(&mut self, line: &str) {
        self.keys
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }

    /// Reads the screen until `text` shows up after what was read before.
    async fn wait_for(&mut self, text: &str) {
        let start = self.seen.len();
        let deadline = Instant::now() + LIMIT;
        let mut buffer = [0u8; 4096];
        while !self.seen[start..].contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            let n = tokio::time::timeout(left, self.screen.read(&mut buffer))
                .await
                .unwrap_or_else(|_| panic!("{text:?} did not show; the screen: {:?}", self.seen))
                .unwrap();
            assert!(n > 0, "the session ended before {text:?}: {:?}", self.seen);
            self.seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    }

    /// Reads the screen until the session closes it.
    async fn drain(&mut self) {
        let mut buffer = [0u8; 4096];
        loop {
            match tokio::time::timeout(LIMIT, self.screen.read(&mut buffer)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return,
                Ok(Ok(n)) => self.seen.push_str(&String::from_utf8_lossy(&buffer[..n])),
                Err(_) => panic!("the session did not end: {:?}", self.seen),
            }
        }
    }
}

async fn ended(task: Running) -> SessionEnd {
    tokio::time::timeout(LIMIT, task)
        .await
        .expect("the session ended")
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exec_shell_runs_commands_follows_resizes_and_ends_with_exit() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "exec").await;
    let name = run_idle(&engine, &mut scratch, &image, &[]).await;

    let shell = engine.default_shell(&name).await.unwrap();
    assert_eq!(shell, "/bin/sh", "busybox images have no bash");
    let size = TerminalSize {
        rows: 40,
        cols: 120,
    };
    let session = engine
        .exec_session(&name, &[shell], Some(size))
        .await
        .unwrap();
    let (mut terminal, task) = connect(session);

    terminal.type_line("busybox stty size").await;
    terminal.wait_for("40 120").await;

    // A window change reaches the session's terminal.
    terminal
        .resizes
        .send(TerminalSize {
            rows: 50,
            cols: 130,
        })
        .unwrap();
    let deadline = Instant::now() + LIMIT;
    loop {
        terminal
            .type_line("echo size-$(busybox stty size | busybox tr ' ' x)-done$((1+1))")
            .await;
        terminal.wait_for("-done2").await;
        if terminal.seen.contains("size-50x130-done2") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the resize never arrived: {:?}",
            terminal.seen
        );
    }

    terminal
        .type_line("echo made-by-wharf > /tmp/proof; exit 3")
        .await;
    terminal.drain().await;
    let end = ended(task).await;
    assert_eq!(end.exit_code, Some(3));
    assert_eq!(end.failure(), None);
    assert_eq!(
        docker(&["exec", &name, "cat", "/tmp/proof"]),
        "made-by-wharf"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_failures_missing_commands_and_dying_containers_end_the_session() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let with_bash = format!("{}:1", unique_name("bash"));
    let rootfs = Rootfs::busybox().file("bin/bash", "#!/bin/sh\nexec /bin/sh \"$@\"\n");
    import_archive(&engine, &mut scratch, &with_bash, rootfs.tar(), &[CMD_SH]).await;
    let name = run_idle(&engine, &mut scratch, &with_bash, &[]).await;
    assert_eq!(
        engine.default_shell(&name).await.unwrap(),
        "/bin/bash",
        "bash is preferred when the container has it"
    );

    // A command that does not exist: the session ends and says why.
    let session = engine
        .exec_session(&name, &["/no/such/command".to_string()], None)
        .await
        .unwrap();
    let (mut terminal, task) = connect(session);
    terminal.drain().await;
    let end = ended(task).await;
    let failure = end.failure().unwrap_or_else(|| panic!("{end:?}"));
    assert!(failure.contains("did not run"), "{failure}");

    // The container dies during the session: the session ends.
    let session = engine
        .exec_session(&name, &["/bin/sh".to_string()], None)
        .await
        .unwrap();
    let (mut terminal, task) = connect(session);
    terminal.type_line("echo alive-$((1+1))").await;
    terminal.wait_for("alive-2").await;
    docker(&["kill", &name]);
    terminal.drain().await;
    ended(task).await;

    let err = engine
        .exec_session(&name, &["/bin/sh".to_string()], None)
        .await
        .unwrap_err();
    assert!(err.message.contains("is not running"), "{err}");
    assert_eq!(err.hint.as_deref(), Some("Start it first."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_it_attaches_before_the_start_and_returns_the_exit_code() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "attach").await;
    let name = unique_name("attach-ctr");
    scratch.track_container(&name);
    let run = spec(&words(&["-it", "--name", &name, &image, "sh"]));
    assert!(run.attaches());

    let created = engine.create_from_spec(&run).await.unwrap();
    let session = engine.attach_session(&created.name).await.unwrap();
    engine.start_or_remove(&created).await.unwrap();
    let (mut terminal, task) = connect(session);
    terminal.type_line("echo attached-$((6*7))").await;
    terminal.wait_for("attached-42").await;
    terminal.type_line("exit 5").await;
    terminal.drain().await;
    let end = ended(task).await;
    assert_eq!(end.exit_code, Some(5));
    assert_eq!(inspect("{{.State.Status}}", &name), "exited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_with_a_timeout_overrides_the_containers_own() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = test_image(&engine, &mut scratch, "stop-t").await;
    let name = unique_name("deaf");
    scratch.track_container(&name);
    // Ignores SIGTERM, and its own stop timeout is five minutes.
    docker(&[
        "run",
        "-d",
        "--stop-timeout",
        "300",
        "--name",
        &name,
        &image,
        "sh",
        "-c",
        "trap '' TERM; while true; do sleep 1; done",
    ]);
    // `:stop -t 0` kills at once; without the timeout passed on this would wait 300 s.
    let stopped = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        engine.container_action(&name, &LifecycleAction::Stop { timeout: Some(0) }),
    )
    .await
    .expect("the engine was given the timeout, not the container's 300 s");
    stopped.unwrap();
    assert_eq!(
        inspect("{{.State.Status}} {{.State.ExitCode}}", &name),
        "exited 137"
    );
}
