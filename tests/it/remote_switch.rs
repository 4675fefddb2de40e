//! Switching engines and losing one, end to end: the real `State` and `Executor` against the
//! real engine, with two docker contexts made by the docker CLI in a private DOCKER_CONFIG —
//! one through a loopback tcp proxy in front of the engine's socket, one at a dead address
//! — and the proxy cut and restored to drop the connection mid-session.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, UnixStream};
use tokio::task::JoinHandle;

use wharf::config::Config;
use wharf::docker::target::{EngineTarget, TargetInputs, TargetSource};
use wharf::executor::EngineSetup;
use wharf::state::EngineStatus;

use crate::support::engine::{
    CMD_SH, Scratch, docker_in, engine_or_skip, import_test_image, unique_name,
};
use crate::support::headless::{Headless, loopback_services};
use crate::support::net::free_port;

/// Generous bounds on a loaded machine; every wait ends as soon as its condition holds.
const LIMIT: Duration = Duration::from_secs(20);

/// A tcp proxy on a fixed loopback port in front of the engine's unix socket that can be
/// cut (the listener and every connection through it closed, as a network cut or an engine
/// restart would) and restored on the same port.
struct CuttableProxy {
    port: u16,
    socket: PathBuf,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl CuttableProxy {
    async fn start(socket: &Path) -> CuttableProxy {
        let proxy = CuttableProxy {
            port: free_port(),
            socket: socket.to_path_buf(),
            tasks: Arc::default(),
        };
        proxy.resume().await;
        proxy
    }

    fn address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    /// Listens (again) on the proxy's port.
    async fn resume(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind the proxy's port");
        let socket = self.socket.clone();
        let tasks = self.tasks.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let socket = socket.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = UnixStream::connect(&socket).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().unwrap().push(relay);
            }
        });
        self.tasks.lock().unwrap().push(accepting);
    }

    /// Closes the listener and every connection through it.
    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

fn create_context(config: &Path, name: &str, description: &str, host: &str) {
    docker_in(
        config,
        &[
            "context",
            "create",
            name,
            "--description",
            description,
            "--docker",
            &format!("host={host}"),
        ],
    );
}

/// wharf on `host` with the contexts of `config_dir`.
fn wharf_on(host: &str, source: TargetSource, config_dir: &Path) -> Headless {
    let target = EngineTarget {
        host: host.to_string(),
        source,
        tls: None,
    };
    let setup = EngineSetup {
        inputs: TargetInputs {
            docker_config_dir: config_dir.to_path_buf(),
            ..TargetInputs::default()
        },
        ..EngineSetup::default()
    };
    let services = loopback_services(wharf::registry::DockerConfig::at(config_dir));
    Headless::start_on(&Config::defaults().unwrap(), services, target, setup)
}

/// Tags `source` as `REPO:probeN` until one such tag shows up (each probe bounded): from then
/// on the event stream of the engine in use is live.
async fn wait_for_events(app: &mut Headless, scratch: &mut Scratch, repo: &str, source: &str) {
    for probe in 0..20 {
        let probe_ref = format!("{repo}:probe{probe}");
        scratch.tag(source, &probe_ref);
        if app
            .until(Duration::from_millis(500), |h| h.has(&probe_ref))
            .await
            .is_some()
        {
            return;
        }
    }
    panic!("no probe tag showed up through the event stream within 10 s");
}

fn local_socket(host: &str) -> Option<PathBuf> {
    host.strip_prefix("unix://").map(PathBuf::from)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_contexts_moves_every_pane_and_the_event_stream() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let Some(socket) = local_socket(engine.host()) else {
        return;
    };
    let mut scratch = Scratch::new();
    let repo = unique_name("switch");
    let base_ref = format!("{repo}:base");
    import_test_image(&engine, &mut scratch, &base_ref, &[CMD_SH]).await;

    let proxy = CuttableProxy::start(&socket).await;
    let dead = format!("tcp://127.0.0.1:{}", free_port());
    let config = tempfile::tempdir().unwrap();
    create_context(
        config.path(),
        "wharf-proxy",
        "the engine through a proxy",
        &proxy.address(),
    );
    create_context(config.path(), "wharf-dead", "nothing listens there", &dead);

    let mut app = wharf_on(engine.host(), TargetSource::Default, config.path());
    app.ready().await;
    assert!(app.has(&base_ref));
    assert_eq!(app.state.engine_context(), Some("default"));
    let first_generation = app.state.engine_generation();

    // The contexts popup lists both, with default in use.
    app.type_text("E");
    app.until(LIMIT, |h| {
        h.state.contexts_popup().is_some_and(|p| p.list.is_some())
    })
    .await
    .expect("the contexts were read");
    let popup = app.state.contexts_popup().unwrap();
    let names: Vec<&str> = popup.rows().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["default", "wharf-dead", "wharf-proxy"]);
    assert_eq!(popup.selected().unwrap().name, "default");
    assert_eq!(
        popup.rows()[2].endpoint.as_deref(),
        Some(proxy.address().as_str())
    );

    // Enter on wharf-dead: every pane empties, nothing of the local engine stays.
    app.type_text("j");
    app.press(crossterm::event::KeyCode::Enter);
    app.until(LIMIT, |h| h.state.engine_target() == dead)
        .await
        .expect("switched to the dead context");
    assert!(app.state.engine_generation() > first_generation);
    assert!(app.state.contexts_popup().is_none());
    assert_eq!(app.state.engine_context(), Some("wharf-dead"));
    assert!(!app.state.images().loaded && app.state.images().records().is_empty());
    assert!(app.state.containers().records().is_empty());
    assert!(app.state.layers().image().is_none());
    app.until(LIMIT, |h| {
        matches!(h.state.engine_status(), EngineStatus::Down { .. })
    })
    .await
    .expect("the dead endpoint is reported unreachable");
    let EngineStatus::Down { error, .. } = app.state.engine_status() else {
        unreachable!()
    };
    assert!(error.to_string().contains(&dead), "{error}");
    assert!(app.state.images().records().is_empty(), "{:?}", app.log);

    // :context wharf-proxy: the lists come from the engine behind the proxy, and so do
    // the events.
    app.press(crossterm::event::KeyCode::Char(':'));
    app.type_text("context wharf-proxy");
    app.press(crossterm::event::KeyCode::Enter);
    app.until(LIMIT, |h| {
        h.state.engine_target() == proxy.address()
            && h.state.is_connected()
            && h.state.images().loaded
            && h.state.containers().loaded
    })
    .await
    .unwrap_or_else(|| panic!("connected through the proxy: {:#?}", app.log));
    assert!(app.has(&base_ref));
    assert_eq!(app.state.engine_context(), Some("wharf-proxy"));
    match app.state.engine_status() {
        EngineStatus::Connected(info) => assert_eq!(info.host, proxy.address()),
        other => panic!("not connected: {other:?}"),
    }
    wait_for_events(&mut app, &mut scratch, &repo, &base_ref).await;
    // The docker CLI's own choice is left alone by default.
    assert!(
        !config.path().join("config.json").exists()
            || !std::fs::read_to_string(config.path().join("config.json"))
                .unwrap()
                .contains("currentContext")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_said_and_everything_reloads_when_it_is_back() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let Some(socket) = local_socket(engine.host()) else {
        return;
    };
    let mut scratch = Scratch::new();
    let repo = unique_name("drop");
    let base_ref = format!("{repo}:base");
    import_test_image(&engine, &mut scratch, &base_ref, &[CMD_SH]).await;

    let proxy = CuttableProxy::start(&socket).await;
    let config = tempfile::tempdir().unwrap();
    let mut app = wharf_on(&proxy.address(), TargetSource::DockerHostEnv, config.path());
    app.ready().await;
    assert!(app.has(&base_ref));
    wait_for_events(&mut app, &mut scratch, &repo, &base_ref).await;

    // The network goes: the event stream ends and wharf says the connection is lost.
    proxy.cut();
    app.until(LIMIT, |h| h.state.connection_lost())
        .await
        .unwrap_or_else(|| panic!("the cut was noticed: {:#?}", app.log));
    assert!(app.state.lists_stale());
    // Something changes while wharf cannot see it.
    let while_cut = format!("{repo}:while-cut");
    scratch.tag(&base_ref, &while_cut);
    // Still lost: a reconnect through the cut proxy fails, and wharf tries again later.
    app.until(
        LIMIT,
        |h| matches!(h.state.engine_status(), EngineStatus::Down { attempt, .. } if *attempt >= 2),
    )
    .await
    .unwrap_or_else(|| panic!("a failed reconnect: {:#?}", app.log));
    assert!(app.state.connection_lost() && !app.has(&while_cut));

    // Back: wharf reconnects by itself and reloads what changed meanwhile.
    proxy.resume().await;
    app.until(LIMIT, |h| {
        h.state.is_connected() && h.has(&while_cut) && !h.state.lists_stale()
    })
    .await
    .unwrap_or_else(|| panic!("reconnected and reloaded: {:#?}", app.log));
    // And the events are live again.
    wait_for_events(&mut app, &mut scratch, &format!("{repo}-again"), &base_ref).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_ssh_context_times_out_with_ssh_reason_under_the_configured_timeout() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    // Accepts connections and says nothing: no SSH banner ever comes.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let holding = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = silent.accept().await {
            held.push(connection);
        }
    });
    let config_dir = tempfile::tempdir().unwrap();
    let slow = format!("ssh://127.0.0.1:{port}");
    create_context(config_dir.path(), "wharf-slow", "never answers", &slow);

    // [engine.ssh] from the config file reaches the executor.
    let config = Config::parse(
        "[engine.ssh]\noptions = [\"-F\", \"/dev/null\"]\nconnect_timeout = 1\n",
        Path::new("/c/config.toml"),
    )
    .unwrap();
    let inputs = TargetInputs {
        docker_config_dir: config_dir.path().to_path_buf(),
        ..TargetInputs::default()
    };
    let setup = EngineSetup::from_config(&config.engine, inputs);
    let target = EngineTarget {
        host: engine.host().to_string(),
        source: TargetSource::Default,
        tls: None,
    };
    let services = loopback_services(wharf::registry::DockerConfig::at(config_dir.path()));
    let mut app = Headless::start_on(&config, services, target, setup);
    app.ready().await;

    app.press(crossterm::event::KeyCode::Char(':'));
    app.type_text("context wharf-slow");
    app.press(crossterm::event::KeyCode::Enter);
    let took = app
        .until(LIMIT, |h| {
            h.state.engine_target() == slow
                && matches!(h.state.engine_status(), EngineStatus::Down { .. })
        })
        .await
        .unwrap_or_else(|| panic!("the slow host was given up: {:#?}", app.log));
    let EngineStatus::Down { error, .. } = app.state.engine_status() else {
        unreachable!()
    };
    assert!(
        error.message.contains("did not answer in time") && error.message.contains("timed out"),
        "{error}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}: {error}");
    assert!(app.state.images().records().is_empty());
    holding.abort();
}
