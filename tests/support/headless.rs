//! wharf without a terminal: the real `State` and `Executor` wired as `app::run` wires them.
//! Tests drive it with keys and messages and wait (with deadlines) for what they expect.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;

use wharf::config::Config;
use wharf::docker::target::{self, TargetInputs};
use wharf::effect::Effect;
use wharf::executor::{Executor, Services};
use wharf::msg::Msg;
use wharf::state::State;

/// The event loop minus the terminal.
pub struct Headless {
    pub state: State,
    executor: Executor,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// Inspections asked for and not yet answered, by reference.
    inspecting: HashMap<String, usize>,
    loads: usize,
    /// What happened, in order, for failure messages.
    pub log: Vec<String>,
}

impl Headless {
    /// Default config, no credential store, no registry client.
    pub fn start() -> Self {
        Headless::start_with(&Config::defaults().expect("defaults"), Services::default())
    }

    /// A given config and services (credential store, registry client).
    pub fn start_with(config: &Config, services: Services) -> Self {
        let target = target::resolve(&TargetInputs::from_env()).map_err(|e| e.to_string());
        let (tx, rx) = mpsc::unbounded_channel();
        let mut headless = Headless {
            state: State::new(config, "test".into(), None),
            executor: Executor::new(tx, target, services),
            rx,
            inspecting: HashMap::new(),
            loads: 0,
            log: Vec::new(),
        };
        let effects = headless.state.start();
        headless.run(effects);
        headless
    }

    /// Remote engines: started on `target`, resolving contexts and reaching engines as
    /// `setup` says (a private DOCKER_CONFIG, an ssh program).
    pub fn start_on(
        config: &Config,
        services: Services,
        target: wharf::docker::target::EngineTarget,
        setup: wharf::executor::EngineSetup,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut state = State::new(config, target.host.clone(), None);
        state.set_engine_context(wharf::flows::context::context_label(&target.source));
        let mut headless = Headless {
            state,
            executor: Executor::new(tx, Ok(target), services).with_engine_setup(setup),
            rx,
            inspecting: HashMap::new(),
            loads: 0,
            log: Vec::new(),
        };
        let effects = headless.state.start();
        headless.run(effects);
        headless
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for effect in &effects {
            match effect {
                Effect::InspectImage { reference } => {
                    *self.inspecting.entry(reference.clone()).or_default() += 1
                }
                Effect::LoadImages => self.loads += 1,
                _ => {}
            }
        }
        for effect in &effects {
            self.log.push(format!("  -> {effect:?}"));
        }
        self.executor.run(effects);
    }

    pub fn apply(&mut self, msg: Msg) {
        let text = match &msg {
            Msg::ImagesLoaded(Ok(records)) => format!("ImagesLoaded({} images)", records.len()),
            Msg::Engine {
                generation,
                msg: inner,
            } if matches!(inner.as_ref(), Msg::ImagesLoaded(Ok(_))) => {
                format!("Engine#{generation}(ImagesLoaded)")
            }
            other => format!("{other:?}"),
        };
        self.log.push(text.chars().take(300).collect());
        // Engine answers come stamped with their engine generation.
        let inner = match &msg {
            Msg::Engine { msg, .. } => msg.as_ref(),
            other => other,
        };
        match inner {
            Msg::ImageInspected { reference, .. } => {
                if let Some(n) = self.inspecting.get_mut(reference) {
                    *n -= 1;
                    if *n == 0 {
                        self.inspecting.remove(reference);
                    }
                }
            }
            Msg::ImagesLoaded(_) => self.loads -= 1,
            _ => {}
        }
        let effects = self.state.update(msg);
        self.run(effects);
    }

    /// Handles messages until `done` holds; `None` after `limit`.
    pub async fn until(
        &mut self,
        limit: Duration,
        done: impl Fn(&Headless) -> bool,
    ) -> Option<Duration> {
        let start = Instant::now();
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if done(self) {
                return Some(start.elapsed());
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => self.apply(msg),
                Ok(None) => panic!("the executor dropped its channel"),
                Err(_) => return None,
            }
        }
    }

    /// Waits until every lookup and reload asked for so far has been answered.
    pub async fn settle(&mut self) {
        self.until(Duration::from_secs(10), |h| {
            h.inspecting.is_empty() && h.loads == 0
        })
        .await
        .expect("answers to every request within 10 s");
    }

    pub fn has(&self, reference: &str) -> bool {
        (0..self.state.images().visible_len())
            .filter_map(|i| self.state.images().visible_row(i))
            .any(|r| r.reference() == reference)
    }

    pub fn has_image(&self, id: &str) -> bool {
        self.state.images().records().iter().any(|r| r.id.0 == id)
    }

    /// Presses one key, as the terminal would deliver it.
    pub fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.apply(Msg::Key(KeyEvent::new(code, modifiers)));
    }

    pub fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    /// Types text one character at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    /// Waits until the engine is connected and both lists have arrived.
    pub async fn ready(&mut self) {
        self.until(Duration::from_secs(10), |h| {
            h.state.is_connected() && h.state.images().loaded && h.state.containers().loaded
        })
        .await
        .expect("connected to the engine and listed images and containers within 10 s");
    }
}

/// wharf's services over a private docker config directory, with Docker Hub's hosts pinned
/// to a closed loopback port: whatever image a test happens to select, the tags pane never
/// reaches outside this machine.
pub fn loopback_services(docker_config: wharf::registry::DockerConfig) -> Services {
    hub_services(docker_config, wharf::registry::hub::DEFAULT_HUB_API)
}

/// [`loopback_services`] with Docker Hub's API at `hub_api` (the local API server's URL).
pub fn hub_services(docker_config: wharf::registry::DockerConfig, hub_api: &str) -> Services {
    let nowhere: std::net::SocketAddr = ([127, 0, 0, 1], 9).into();
    let resolve = [
        "registry-1.docker.io",
        "auth.docker.io",
        "index.docker.io",
        "hub.docker.com",
    ]
    .iter()
    .map(|host| (host.to_string(), nowhere))
    .collect();
    Services {
        registry: wharf::executor::Registry::ready(
            wharf::registry::RegistryClient::new(wharf::registry::ClientOptions {
                credentials: Some(docker_config.clone()),
                resolve,
                hub_api_url: hub_api.to_owned(),
                ..wharf::registry::ClientOptions::default()
            })
            .expect("a registry client"),
        ),
        credentials: Some(docker_config),
        layer_cache: None,
        repository_memory: None,
    }
}
