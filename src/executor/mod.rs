//! Runs effects as tokio tasks and sends their outcomes back as messages.

// Remote engines: the ssh program, contexts, engine generations.
mod engines;
mod file_content; // files view: a file's content (issue 10)
mod files;
mod jobs;
mod layer_files;
mod login;
// Registries people use: Hub and Harbor APIs, pull quotas.
mod remote;
mod services;
// workflow
mod workflow;

pub use engines::EngineSetup;
pub use services::{Registry, Services};

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::docker::target::EngineTarget;
use crate::docker::{
    ContainerRecord, Engine, EngineError, EngineErrorKind, ImageRecord, RemoveOutcome,
};
use crate::effect::Effect;
use crate::flows::import::FileChecked;
use crate::flows::login::LoginMsg;
use crate::flows::remove::Removed;
use crate::flows::tag::Tagged;
use crate::job::{JobId, JobSpec};
use crate::msg::Msg;
use crate::registry::{RegistryClient, RegistryError};

/// The lists the first screen needs, asked for while the engine says who it is, so the
/// requests go out together instead of one after the other.
#[derive(Default)]
struct FirstLists {
    images: Option<JoinHandle<Result<Vec<ImageRecord>, EngineError>>>,
    containers: Option<JoinHandle<Result<Vec<ContainerRecord>, EngineError>>>,
}

impl FirstLists {
    fn abort(&mut self) {
        if let Some(task) = self.images.take() {
            task.abort();
        }
        if let Some(task) = self.containers.take() {
            task.abort();
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
    /// The lists asked for while connecting, for the first `LoadImages` and
    /// `LoadContainers` to use.
    first_lists: Arc<Mutex<FirstLists>>,
    // ----- remote engines and contexts -----
    /// The engine generation answers are stamped with; a switch raises it.
    generation: Arc<AtomicU64>,
    /// How engines are reached and contexts resolved.
    setup: EngineSetup,
    /// files view: the loads streaming, so that closing the view stops them.
    file_loads: HashMap<crate::model::files::FilesLoadId, AbortHandle>,
    // workflow: the logs view's stream
    logs: workflow::LogsTask,
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
            first_lists: Arc::default(),
            generation: Arc::default(),
            setup: EngineSetup {
                inputs: crate::docker::target::TargetInputs::from_env(),
                ..EngineSetup::default()
            },
            file_loads: HashMap::new(),
            logs: workflow::LogsTask::default(),
        }
    }

    /// How engines are reached (the config's ssh program) and where contexts are read.
    pub fn with_engine_setup(mut self, setup: EngineSetup) -> Self {
        self.setup = setup;
        self
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.run_one(effect);
        }
    }

    /// The table: each kind of effect and the one function that carries it out.
    fn run_one(&mut self, effect: Effect) {
        match effect {
            Effect::ConnectEngine { after } => self.connect(after),
            Effect::WatchEvents => self.watch_events(),
            Effect::LoadImages => self.load_images(),
            Effect::InspectImage { reference } => self.engine_call(
                reference,
                |engine, reference| async move { engine.inspect_image(&reference).await },
                |reference, result| Msg::ImageInspected { reference, result },
            ),
            Effect::LoadHistory { image } => self.engine_call(
                image,
                |engine, image| async move { engine.image_history(&image).await },
                |image, result| Msg::HistoryLoaded { image, result },
            ),
            Effect::LoadContainers => self.load_containers(),
            Effect::LoadChanges { container } => self.engine_call(
                container,
                |engine, container| async move { engine.container_changes(&container).await },
                |container, result| Msg::ChangesLoaded { container, result },
            ),
            Effect::StartJob { id, spec } => self.start_job(id, spec),
            Effect::CancelJob { id } => self.cancel_job(id),
            Effect::TagImage {
                source,
                repository,
                tag,
            } => self.engine_call(
                (source, repository, tag),
                |engine, (source, repository, tag)| async move {
                    engine.tag_image(&source, &repository, &tag).await
                },
                |(_, repository, tag), result| {
                    let target = format!("{repository}:{tag}");
                    Msg::Tagged(Tagged { target, result })
                },
            ),
            Effect::RemoveImages { names, force } => self.engine_call(
                names,
                move |engine, names| async move { remove_images(&engine, &names, force).await },
                |names, result| {
                    let name = names.join(", ");
                    Msg::Removed(Removed { name, result })
                },
            ),
            Effect::Login {
                registry,
                credentials,
            } => {
                let engine = self.engine();
                let services = self.services.clone();
                self.task(async move {
                    let result = login::login(engine, &services, &registry, credentials).await;
                    Msg::Login(LoginMsg::LoggedIn { registry, result })
                });
            }
            Effect::Logout { registry } => {
                let services = self.services.clone();
                self.task(async move {
                    let result = login::logout(&services, &registry).await;
                    Msg::Login(LoginMsg::LoggedOut { registry, result })
                });
            }
            Effect::CompletePath { typed, directory } => self.blocking(move || {
                let completion = files::complete_path(&typed, &directory);
                Msg::PathCompleted { typed, completion }
            }),
            Effect::CheckImportFile { path } => self.blocking(move || {
                let result = files::check_archive(&path);
                Msg::ImportFileChecked(FileChecked { path, result })
            }),
            Effect::SettleTags { generation, after } => self.task(async move {
                tokio::time::sleep(after).await;
                Msg::TagsSettled { generation }
            }),
            Effect::LoadTags {
                generation,
                repository,
            } => {
                let registry = self.services.registry.clone();
                self.task(async move {
                    match registry.get().await {
                        Ok(client) => remote::load_tags(&client, &repository, generation).await,
                        Err(why) => Msg::TagsLoaded {
                            generation,
                            result: Err(RegistryError::Setup(why)),
                        },
                    }
                })
            }
            Effect::LoadTagDigest {
                generation,
                repository,
                tag,
            } => {
                let reply = tag.clone();
                self.manifest_call(
                    repository.registry().to_owned(),
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
                self.manifest_call(
                    repository.registry().to_owned(),
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
                page_size,
            } => {
                let services = self.services.registry.clone();
                self.task(async move {
                    match services.get().await {
                        Ok(client) => {
                            remote::load_catalog(&client, &registry, cursor, page_size, generation)
                                .await
                        }
                        Err(why) => Msg::CatalogLoaded {
                            generation,
                            result: Err(RegistryError::Setup(why)),
                        },
                    }
                })
            }
            // Registries people use (Hub, Harbor, no catalog):
            Effect::InspectImagePlatform { image } => self.engine_call(
                image,
                |engine, image| async move { engine.image_platform(&image).await },
                |image, result| Msg::ImagePlatformLoaded { image, result },
            ),
            Effect::RememberRepository { repository } => {
                if let Some(memory) = self.services.repository_memory.clone() {
                    self.blocking(move || remote::remember(&memory, &repository));
                }
            }
            Effect::LoadRememberedRepositories => {
                if let Some(memory) = self.services.repository_memory.clone() {
                    self.blocking(move || Msg::RepositoriesRemembered(memory.load().0));
                }
            }
            Effect::LoadHarborProjects {
                generation,
                registry,
                cursor,
            } => {
                self.registry_call(
                    move |client| async move {
                        client.harbor_projects_page(&registry, Some(&cursor)).await
                    },
                    move |result| Msg::HarborProjectsLoaded { generation, result },
                )
            }
            Effect::LoadHarborRepositories {
                generation,
                registry,
                project,
                cursor,
            } => self.registry_call(
                move |client| async move {
                    client
                        .harbor_repositories_page(&registry, &project, cursor.as_ref())
                        .await
                },
                move |result| Msg::HarborRepositoriesLoaded { generation, result },
            ),
            Effect::LoadHubNamespace {
                generation,
                namespace,
                cursor,
            } => self.registry_call(
                move |client| async move {
                    client
                        .hub_repositories_page(&namespace, cursor.as_ref())
                        .await
                },
                move |result| Msg::HubNamespaceLoaded { generation, result },
            ),
            Effect::SearchHub {
                generation,
                term,
                cursor,
            } => self.registry_call(
                move |client| async move { client.hub_search(&term, cursor.as_ref()).await },
                move |result| Msg::HubSearchLoaded { generation, result },
            ),
            // Remote engines and contexts.
            Effect::ListContexts => {
                let setup = self.setup.clone();
                self.blocking(move || engines::list(&setup));
            }
            Effect::ResolveContext { name } => {
                let setup = self.setup.clone();
                self.blocking(move || engines::resolve(&setup, name));
            }
            Effect::WriteCurrentContext { name } => {
                let setup = self.setup.clone();
                self.blocking(move || engines::write_current(&setup, name));
            }
            Effect::SwitchEngine { generation, target } => self.switch_engine(generation, target),
            // files view (issue 10)
            Effect::OpenFiles { load, source } => {
                self.file_loads.retain(|_, task| !task.is_finished());
                let context = layer_files::FilesContext {
                    engine: self.engine(),
                    registry: self.services.registry.clone(),
                    cache: self.services.layer_cache.clone(),
                };
                let task = tokio::spawn(layer_files::run(load, source, context, self.tx.clone()));
                self.file_loads.insert(load, task.abort_handle());
            }
            Effect::CancelFiles { load } => {
                if let Some(task) = self.file_loads.remove(&load) {
                    task.abort();
                }
            }
            // workflow
            Effect::FollowLogs {
                generation,
                container,
            } => {
                let engine = self.engine();
                self.logs
                    .follow(engine, generation, container, self.tx.clone());
            }
            Effect::StopLogs { generation } => self.logs.stop(generation),
            // The app loop runs sessions; without a terminal (headless) there is none.
            Effect::Interactive(session) => {
                let _ = self.tx.send(workflow::no_terminal(session));
            }
            // workflow: `:info`
            Effect::LoadEngineDetails => self.engine_call(
                (),
                |engine, ()| async move { engine.details().await },
                |(), result| Msg::EngineDetails(result),
            ),
            Effect::ContainerAction { containers, action } => self.engine_call(
                (containers, action),
                |engine, (containers, action)| async move {
                    Ok(workflow::container_actions(&engine, &containers, &action).await)
                },
                |(containers, action), result| {
                    let results = match result {
                        Ok(results) => results,
                        Err(e) => containers
                            .into_iter()
                            .map(|c| (c, Err(e.clone())))
                            .collect(),
                    };
                    Msg::Lifecycle(crate::flows::lifecycle::LifecycleDone { action, results })
                },
            ),
            Effect::ReadFileContent {
                load,
                request,
                what,
            } => {
                let context = layer_files::FilesContext {
                    engine: self.engine(),
                    registry: self.services.registry.clone(),
                    cache: None,
                };
                self.task(file_content::read(load, request, what, context));
            }
            Effect::SaveFileContent {
                path,
                bytes,
                overwrite,
            } => self.blocking(move || file_content::save_to(path, &bytes, overwrite)),
        }
    }

    /// The image list: the one asked for while connecting, if it is still there.
    fn load_images(&mut self) {
        let prefetched = self
            .first_lists
            .lock()
            .ok()
            .and_then(|mut first| first.images.take());
        let generation = self.generation();
        match prefetched {
            Some(list) => self.task(async move {
                let result = list.await.unwrap_or_else(|_| Err(not_connected()));
                stamp(generation, Msg::ImagesLoaded(result))
            }),
            None => self.engine_call(
                (),
                |engine, ()| async move { engine.list_images().await },
                |(), result| Msg::ImagesLoaded(result),
            ),
        }
    }

    /// The container list: the one asked for while connecting, if it is still there.
    fn load_containers(&mut self) {
        let prefetched = self
            .first_lists
            .lock()
            .ok()
            .and_then(|mut first| first.containers.take());
        let generation = self.generation();
        match prefetched {
            Some(list) => self.task(async move {
                let result = list.await.unwrap_or_else(|_| Err(not_connected()));
                stamp(generation, Msg::ContainersLoaded(result))
            }),
            None => self.engine_call(
                (),
                |engine, ()| async move { engine.list_containers().await },
                |(), result| Msg::ContainersLoaded(result),
            ),
        }
    }

    fn start_job(&mut self, id: JobId, spec: JobSpec) {
        self.jobs.retain(|_, (_, handle)| !handle.is_finished());
        let token = CancellationToken::new();
        let context = jobs::JobContext {
            engine: self.engine(),
            credentials: self.services.credentials.clone(),
            registry: self.services.registry.clone(),
        };
        let handle = tokio::spawn(jobs::run(id, spec, context, token.clone(), self.tx.clone()));
        self.jobs.insert(id, (token, handle));
    }

    fn cancel_job(&mut self, id: JobId) {
        if let Some((token, _)) = self.jobs.get(&id) {
            token.cancel();
        }
    }

    fn connect(&mut self, after: std::time::Duration) {
        let tx = self.tx.clone();
        let target = self.target.clone();
        let slot = self.engine.clone();
        let first_lists = self.first_lists.clone();
        let options = self.setup.options.clone();
        let generation = self.generation();
        let current = self.generation.clone();
        let is_current = move || current.load(Ordering::SeqCst) == generation;
        tokio::spawn(async move {
            if !after.is_zero() {
                tokio::time::sleep(after).await;
            }
            // A retry of an engine the user has switched away from meanwhile.
            if !is_current() {
                return;
            }
            let engine = match target {
                Ok(target) => Engine::open_with(&target, &options),
                Err(message) => Err(EngineError::new(EngineErrorKind::Unreachable, message)),
            };
            let engine = match engine {
                Ok(engine) => engine,
                Err(error) => {
                    let _ = tx.send(stamp(generation, Msg::EngineFailed(error)));
                    return;
                }
            };
            // The first frame wants the lists: ask for them while the engine says who it is.
            let (images, containers) = (engine.clone(), engine.clone());
            let mut lists = FirstLists {
                images: Some(tokio::spawn(async move { images.list_images().await })),
                containers: Some(tokio::spawn(
                    async move { containers.list_containers().await },
                )),
            };
            let msg = match engine.identify().await {
                Ok((info, negotiated)) => {
                    if negotiated || !is_current() {
                        lists.abort(); // Sent with a version the engine refused.
                    } else if let Ok(mut first) = first_lists.lock() {
                        first.abort(); // Unused lists of an earlier connection.
                        *first = lists;
                    }
                    // Checked under the slot's lock: a switch clears the slot after
                    // raising the generation, so an old engine cannot land after it.
                    slot.send_if_modified(|slot| {
                        let take = is_current();
                        if take {
                            *slot = Some(engine);
                        }
                        take
                    });
                    Msg::EngineConnected(info)
                }
                Err(error) => {
                    lists.abort();
                    Msg::EngineFailed(error)
                }
            };
            let _ = tx.send(stamp(generation, msg));
        });
    }

    /// Leaves the current engine for `target`: its event stream stops, the lists asked for
    /// while connecting are dropped, and answers from now on carry `generation`. Running
    /// jobs hold their own handle and finish on the engine they started on.
    fn switch_engine(&mut self, generation: u64, target: EngineTarget) {
        self.generation.store(generation, Ordering::SeqCst);
        self.engine.send_replace(None);
        if let Some(old) = self.events_task.take() {
            old.abort();
        }
        if let Ok(mut first) = self.first_lists.lock() {
            first.abort();
        }
        self.target = Ok(target);
        self.connect(std::time::Duration::ZERO);
    }

    /// The engine generation answers are stamped with now.
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn watch_events(&mut self) {
        if let Some(old) = self.events_task.take() {
            old.abort();
        }
        let generation = self.generation();
        let Some(engine) = self.engine() else {
            let ended = Msg::EventsEnded {
                error: Some(not_connected()),
                lasted: std::time::Duration::ZERO,
            };
            let _ = self.tx.send(stamp(generation, ended));
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
                        if tx.send(stamp(generation, Msg::EngineEvent(event))).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            let ended = Msg::EventsEnded {
                error: failure,
                lasted: started.elapsed(),
            };
            let _ = tx.send(stamp(generation, ended));
        });
        self.events_task = Some(handle.abort_handle());
    }

    /// Runs a task whose outcome is a message.
    fn task(&self, work: impl Future<Output = Msg> + Send + 'static) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(work.await);
        });
    }

    /// Runs blocking work (files) on the blocking pool; its outcome is a message.
    fn blocking(&self, work: impl FnOnce() -> Msg + Send + 'static) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(work());
        });
    }

    /// Runs one registry request in a task and sends its result back wrapped by `wrap`.
    fn registry_call<T, F, Fut>(
        &self,
        request: F,
        wrap: impl FnOnce(Result<T, RegistryError>) -> Msg + Send + 'static,
    ) where
        T: Send + 'static,
        F: FnOnce(RegistryClient) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, RegistryError>> + Send + 'static,
    {
        let registry = self.services.registry.clone();
        self.task(async move {
            let result = match registry.get().await {
                Ok(client) => request(client).await,
                Err(why) => Err(RegistryError::Setup(why)),
            };
            wrap(result)
        });
    }

    /// The connected engine, for the app loop's interactive sessions.
    pub fn engine_handle(&self) -> Option<Engine> {
        self.engine()
    }

    fn engine(&self) -> Option<Engine> {
        self.engine.borrow().clone()
    }

    /// Runs one engine request about `subject` in a task; `reply` gets the subject back with
    /// the result (or "not connected" at once when there is no engine yet).
    fn engine_call<S, T, F, Fut>(
        &self,
        subject: S,
        request: F,
        reply: impl FnOnce(S, Result<T, EngineError>) -> Msg + Send + 'static,
    ) where
        S: Clone + Send + 'static,
        T: Send + 'static,
        F: FnOnce(Engine, S) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, EngineError>> + Send + 'static,
    {
        let generation = self.generation();
        match self.engine() {
            Some(engine) => self.task(async move {
                let result = request(engine, subject.clone()).await;
                stamp(generation, reply(subject, result))
            }),
            None => {
                let _ = self
                    .tx
                    .send(stamp(generation, reply(subject, Err(not_connected()))));
            }
        }
    }
}

/// An engine's answer, marked with the engine generation it was asked under.
fn stamp(generation: u64, msg: Msg) -> Msg {
    Msg::Engine {
        generation,
        msg: Box::new(msg),
    }
}

fn not_connected() -> EngineError {
    EngineError::new(
        EngineErrorKind::Unreachable,
        "not connected to the Docker engine yet",
    )
}

/// Removes tags (or an image by ID) one after the other, stopping at the first refusal.
async fn remove_images(
    engine: &Engine,
    names: &[String],
    force: bool,
) -> Result<RemoveOutcome, EngineError> {
    let mut all = RemoveOutcome::default();
    for name in names {
        let outcome = engine.remove_image(name, force).await?;
        all.untagged.extend(outcome.untagged);
        all.deleted.extend(outcome.deleted);
    }
    Ok(all)
}
