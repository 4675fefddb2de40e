//! Runs effects as tokio tasks and sends their outcomes back as messages.

mod files;
mod jobs;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::docker::target::EngineTarget;
use crate::docker::{Engine, EngineError, EngineErrorKind, ImageRecord, LoginCheck, RemoveOutcome};
use crate::effect::Effect;
use crate::job::JobId;
use crate::model::tags::CATALOG_PAGE;
use crate::msg::{LoginFailure, Msg};
use crate::registry::reference::credential_key_for;
use crate::registry::{
    ClientOptions, Credentials, DockerConfig, RegistryClient, RegistryError, StoredIn,
};

/// An image list request already under way.
type ImageListTask = JoinHandle<Result<Vec<ImageRecord>, EngineError>>;

/// What the executor talks to besides the engine.
#[derive(Clone, Default)]
pub struct Services {
    /// The docker CLI's credential store (`$DOCKER_CONFIG`), when one can be found.
    pub credentials: Option<DockerConfig>,
    pub registry: Registry,
}

/// The registry client, built when first needed (building it reads the system's
/// certificates, which the first frame should not wait for) or handed in ready.
#[derive(Clone, Default)]
pub struct Registry {
    client: Arc<tokio::sync::OnceCell<Result<RegistryClient, String>>>,
    options: Option<ClientOptions>,
}

impl Registry {
    /// A client built with `options` on first use.
    pub fn build_on_first_use(options: ClientOptions) -> Self {
        Registry {
            client: Arc::default(),
            options: Some(options),
        }
    }

    /// A client that is already built.
    pub fn ready(client: RegistryClient) -> Self {
        Registry {
            client: Arc::new(tokio::sync::OnceCell::new_with(Some(Ok(client)))),
            options: None,
        }
    }

    /// The client, or why there is none.
    async fn get(&self) -> Result<RegistryClient, String> {
        self.client
            .get_or_init(|| async {
                let Some(options) = self.options.clone() else {
                    return Err("no registry client was set up".to_string());
                };
                tokio::task::spawn_blocking(move || RegistryClient::new(options))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|built| {
                        built.map_err(|e| format!("the registry client could not be set up: {e}"))
                    })
            })
            .await
            .clone()
    }

    /// After a login or logout: the client must read the credential store again.
    fn forget_credentials(&self, registry: &str) {
        if let Some(Ok(client)) = self.client.get() {
            client.forget_credentials(registry);
        }
    }
}

/// Owns the engine handle and the background tasks; lives in the event loop's task.
pub struct Executor {
    tx: mpsc::UnboundedSender<Msg>,
    target: Result<EngineTarget, String>,
    services: Services,
    /// The connected engine, set by the connect task before it reports success.
    engine: watch::Sender<Option<Engine>>,
    events_task: Option<AbortHandle>,
    /// Running jobs, so that they can be cancelled.
    jobs: HashMap<JobId, (CancellationToken, JoinHandle<()>)>,
    /// The image list asked for while connecting, for the first `LoadImages` to use.
    first_list: Arc<Mutex<Option<ImageListTask>>>,
}

impl Executor {
    /// `target` is an error when resolving the engine address failed (a missing context);
    /// connecting then reports that error and retries.
    pub fn new(
        tx: mpsc::UnboundedSender<Msg>,
        target: Result<EngineTarget, String>,
        services: Services,
    ) -> Self {
        Executor {
            tx,
            target,
            services,
            engine: watch::Sender::new(None),
            events_task: None,
            jobs: HashMap::new(),
            first_list: Arc::default(),
        }
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.run_one(effect);
        }
    }

    fn run_one(&mut self, effect: Effect) {
        match effect {
            Effect::ConnectEngine { after } => self.connect(after),
            Effect::WatchEvents => self.watch_events(),
            Effect::LoadImages => {
                let prefetched = self
                    .first_list
                    .lock()
                    .ok()
                    .and_then(|mut first| first.take());
                match prefetched {
                    Some(list) => {
                        let tx = self.tx.clone();
                        tokio::spawn(async move {
                            let result = list.await.unwrap_or_else(|_| Err(not_connected()));
                            let _ = tx.send(Msg::ImagesLoaded(result));
                        });
                    }
                    None => self.with_engine(
                        |engine| async move { engine.list_images().await },
                        Msg::ImagesLoaded,
                    ),
                }
            }
            Effect::InspectImage { reference } => {
                let reply = reference.clone();
                self.with_engine(
                    move |engine| async move { engine.inspect_image(&reference).await },
                    move |result| Msg::ImageInspected {
                        reference: reply,
                        result,
                    },
                )
            }
            Effect::LoadHistory { image } => {
                let reply = image.clone();
                self.with_engine(
                    move |engine| async move { engine.image_history(&image).await },
                    move |result| Msg::HistoryLoaded {
                        image: reply,
                        result,
                    },
                )
            }
            Effect::LoadContainers => self.with_engine(
                |engine| async move { engine.list_containers().await },
                Msg::ContainersLoaded,
            ),
            Effect::LoadChanges { container } => {
                let reply = container.clone();
                self.with_engine(
                    move |engine| async move { engine.container_changes(&container).await },
                    move |result| Msg::ChangesLoaded {
                        container: reply,
                        result,
                    },
                )
            }
            Effect::StartJob { id, spec } => {
                self.jobs.retain(|_, (_, handle)| !handle.is_finished());
                let token = CancellationToken::new();
                let context = jobs::JobContext {
                    engine: self.engine(),
                    credentials: self.services.credentials.clone(),
                };
                let handle =
                    tokio::spawn(jobs::run(id, spec, context, token.clone(), self.tx.clone()));
                self.jobs.insert(id, (token, handle));
            }
            Effect::CancelJob { id } => {
                if let Some((token, _)) = self.jobs.get(&id) {
                    token.cancel();
                }
            }
            Effect::TagImage {
                source,
                repository,
                tag,
            } => {
                let target = format!("{repository}:{tag}");
                self.with_engine(
                    move |engine| async move { engine.tag_image(&source, &repository, &tag).await },
                    move |result| Msg::Tagged { target, result },
                )
            }
            Effect::RemoveImages { names, force } => {
                let reply = names.join(", ");
                self.with_engine(
                    move |engine| async move {
                        let mut all = RemoveOutcome::default();
                        for name in &names {
                            let outcome = engine.remove_image(name, force).await?;
                            all.untagged.extend(outcome.untagged);
                            all.deleted.extend(outcome.deleted);
                        }
                        Ok(all)
                    },
                    move |result| Msg::Removed {
                        name: reply,
                        result,
                    },
                )
            }
            Effect::Login {
                registry,
                credentials,
            } => {
                let tx = self.tx.clone();
                let engine = self.engine();
                let services = self.services.clone();
                tokio::spawn(async move {
                    let result = login(engine, &services, &registry, credentials).await;
                    let _ = tx.send(Msg::LoginFinished { registry, result });
                });
            }
            Effect::Logout { registry } => {
                let tx = self.tx.clone();
                let services = self.services.clone();
                tokio::spawn(async move {
                    let result = logout(&services, &registry).await;
                    let _ = tx.send(Msg::LogoutFinished { registry, result });
                });
            }
            Effect::CompletePath { typed } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let completion = files::complete_path(&typed);
                    let _ = tx.send(Msg::PathCompleted { typed, completion });
                });
            }
            Effect::SettleTags { generation, after } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(Msg::TagsSettled { generation });
                });
            }
            Effect::LoadTags {
                generation,
                repository,
            } => self.with_registry(
                move |client| async move { client.tags(&repository).await },
                move |result| Msg::TagsLoaded { generation, result },
            ),
            Effect::LoadTagDigest {
                generation,
                repository,
                tag,
            } => {
                let reply = tag.clone();
                self.with_registry(
                    move |client| async move { client.manifest_digest(&repository, &tag).await },
                    move |result| Msg::TagDigestLoaded {
                        generation,
                        tag: reply,
                        result,
                    },
                )
            }
            Effect::LoadTagDetail {
                generation,
                repository,
                tag,
            } => {
                let reply = tag.clone();
                self.with_registry(
                    move |client| async move { client.tag_detail(&repository, &tag).await },
                    move |result| Msg::TagDetailLoaded {
                        generation,
                        tag: reply,
                        result,
                    },
                )
            }
            Effect::LoadCatalog {
                generation,
                registry,
                cursor,
            } => self.with_registry(
                move |client| async move {
                    match cursor {
                        Some(cursor) => client.catalog_next_page(&cursor).await,
                        None => client.catalog_page(&registry, CATALOG_PAGE).await,
                    }
                },
                move |result| Msg::CatalogLoaded { generation, result },
            ),
            Effect::CheckImportFile { path } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = files::check_archive(&path);
                    let _ = tx.send(Msg::ImportFileChecked { path, result });
                });
            }
        }
    }

    fn connect(&mut self, after: std::time::Duration) {
        let tx = self.tx.clone();
        let target = self.target.clone();
        let slot = self.engine.clone();
        let first_list = self.first_list.clone();
        tokio::spawn(async move {
            if !after.is_zero() {
                tokio::time::sleep(after).await;
            }
            let engine = match target {
                Ok(target) => Engine::open(&target),
                Err(message) => Err(EngineError::new(EngineErrorKind::Unreachable, message)),
            };
            let engine = match engine {
                Ok(engine) => engine,
                Err(error) => {
                    let _ = tx.send(Msg::EngineFailed(error));
                    return;
                }
            };
            // The first frame wants the images: ask for them while the engine says who it is.
            let lister = engine.clone();
            let list = tokio::spawn(async move { lister.list_images().await });
            let msg = match engine.identify().await {
                Ok((info, negotiated)) => {
                    if negotiated {
                        list.abort(); // Sent with a version the engine refused.
                    } else if let Ok(mut first) = first_list.lock() {
                        *first = Some(list);
                    }
                    slot.send_replace(Some(engine));
                    Msg::EngineConnected(info)
                }
                Err(error) => {
                    list.abort();
                    Msg::EngineFailed(error)
                }
            };
            let _ = tx.send(msg);
        });
    }

    fn watch_events(&mut self) {
        if let Some(old) = self.events_task.take() {
            old.abort();
        }
        let Some(engine) = self.engine() else {
            let _ = self.tx.send(Msg::EventsEnded {
                error: Some(not_connected()),
                lasted: std::time::Duration::ZERO,
            });
            return;
        };
        let tx = self.tx.clone();
        let handle = tokio::spawn(async move {
            // A few seconds back: whatever changed while the lists were loading is replayed.
            let since = chrono::Utc::now().timestamp() - 5;
            let started = std::time::Instant::now();
            let mut events = Box::pin(engine.events(since));
            let mut failure = None;
            while let Some(item) = events.next().await {
                match item {
                    Ok(event) => {
                        if tx.send(Msg::EngineEvent(event)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            let _ = tx.send(Msg::EventsEnded {
                error: failure,
                lasted: started.elapsed(),
            });
        });
        self.events_task = Some(handle.abort_handle());
    }

    /// Runs one registry request in a task and sends its result back wrapped by `wrap`.
    fn with_registry<T, F, Fut>(
        &self,
        request: F,
        wrap: impl FnOnce(Result<T, RegistryError>) -> Msg + Send + 'static,
    ) where
        T: Send + 'static,
        F: FnOnce(RegistryClient) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, RegistryError>> + Send + 'static,
    {
        let tx = self.tx.clone();
        let registry = self.services.registry.clone();
        tokio::spawn(async move {
            let result = match registry.get().await {
                Ok(client) => request(client).await,
                Err(why) => Err(RegistryError::Setup(why)),
            };
            let _ = tx.send(wrap(result));
        });
    }

    fn engine(&self) -> Option<Engine> {
        self.engine.borrow().clone()
    }

    /// Runs one engine request in a task and sends its result back wrapped by `wrap`.
    fn with_engine<T, F, Fut>(
        &self,
        request: F,
        wrap: impl FnOnce(Result<T, EngineError>) -> Msg + Send + 'static,
    ) where
        T: Send + 'static,
        F: FnOnce(Engine) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, EngineError>> + Send + 'static,
    {
        let tx = self.tx.clone();
        match self.engine() {
            Some(engine) => {
                tokio::spawn(async move {
                    let result = request(engine).await;
                    let _ = tx.send(wrap(result));
                });
            }
            None => {
                let _ = tx.send(wrap(Err(not_connected())));
            }
        }
    }
}

fn not_connected() -> EngineError {
    EngineError::new(
        EngineErrorKind::Unreachable,
        "not connected to the Docker engine yet",
    )
}

/// `docker login`: the engine checks the credentials with the registry, then they are
/// stored in the helper that applies or in `auths`. Nothing is written unless the check
/// passed.
async fn login(
    engine: Option<Engine>,
    services: &Services,
    registry: &str,
    credentials: Credentials,
) -> Result<String, LoginFailure> {
    let store = services.credentials.as_ref().ok_or_else(|| {
        LoginFailure::Failed("no docker config directory (set DOCKER_CONFIG or HOME)".into())
    })?;
    let server = credential_key_for(registry);
    let check = match &engine {
        Some(engine) => engine
            .check_login(&credentials, server)
            .await
            .map_err(|e| {
                if e.kind == EngineErrorKind::Unauthorized {
                    LoginFailure::Rejected(e.message)
                } else {
                    LoginFailure::Failed(e.to_string())
                }
            })?,
        None => LoginCheck::CannotAsk,
    };
    let to_store = match check {
        LoginCheck::Accepted {
            identity_token: Some(token),
        } => Credentials::identity_token(credentials.username(), token),
        LoginCheck::Accepted {
            identity_token: None,
        } => credentials,
        LoginCheck::CannotAsk => {
            let client = services
                .registry
                .get()
                .await
                .map_err(LoginFailure::Failed)?;
            client
                .check_credentials(registry, &credentials)
                .await
                .map_err(|e| {
                    if e.is_unauthorized() {
                        LoginFailure::Rejected(
                            "the registry refused the username or password".into(),
                        )
                    } else {
                        LoginFailure::Failed(e.to_string())
                    }
                })?;
            credentials
        }
    };
    let stored = store.store_async(registry, &to_store).await.map_err(|e| {
        LoginFailure::Failed(format!(
            "the credentials were right but could not be stored: {e}"
        ))
    })?;
    services.registry.forget_credentials(registry);
    Ok(describe_store(&stored))
}

/// Erases the stored credentials; `Ok(Some(where))`, or `Ok(None)` when none were stored.
async fn logout(services: &Services, registry: &str) -> Result<Option<String>, String> {
    let store = services
        .credentials
        .as_ref()
        .ok_or_else(|| "no docker config directory (set DOCKER_CONFIG or HOME)".to_string())?;
    let helper = {
        let (store, registry) = (store.clone(), registry.to_string());
        tokio::task::spawn_blocking(move || store.helper_for(&registry))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
    };
    let erased = store
        .erase_async(registry)
        .await
        .map_err(|e| e.to_string())?;
    services.registry.forget_credentials(registry);
    Ok(erased.then(|| match helper {
        Some(name) => format!("docker-credential-{name}"),
        None => store.config_path().display().to_string(),
    }))
}

fn describe_store(stored: &StoredIn) -> String {
    match stored {
        StoredIn::Helper(name) => format!("docker-credential-{name}"),
        StoredIn::ConfigFile(path) => path.display().to_string(),
    }
}
