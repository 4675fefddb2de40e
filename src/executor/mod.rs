//! Runs effects as tokio tasks and sends their outcomes back as messages.

mod jobs;

use std::collections::HashMap;

use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::docker::target::EngineTarget;
use crate::docker::{Engine, EngineError, EngineErrorKind};
use crate::effect::Effect;
use crate::msg::Msg;
use crate::state::jobs::JobId;

/// Owns the engine handle and the background tasks; lives in the event loop's task.
pub struct Executor {
    tx: mpsc::UnboundedSender<Msg>,
    target: Result<EngineTarget, String>,
    /// The connected engine, set by the connect task before it reports success.
    engine: watch::Sender<Option<Engine>>,
    events_task: Option<AbortHandle>,
    /// Running jobs, so that they can be cancelled.
    jobs: HashMap<JobId, (CancellationToken, JoinHandle<()>)>,
}

impl Executor {
    /// `target` is an error when resolving the engine address failed (a missing context);
    /// connecting then reports that error and retries.
    pub fn new(tx: mpsc::UnboundedSender<Msg>, target: Result<EngineTarget, String>) -> Self {
        Executor {
            tx,
            target,
            engine: watch::Sender::new(None),
            events_task: None,
            jobs: HashMap::new(),
        }
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.run_one(effect);
        }
    }

    fn run_one(&mut self, effect: Effect) {
        match effect {
            Effect::ConnectEngine { after } => {
                let tx = self.tx.clone();
                let target = self.target.clone();
                let slot = self.engine.clone();
                tokio::spawn(async move {
                    if !after.is_zero() {
                        tokio::time::sleep(after).await;
                    }
                    let result = match target {
                        Ok(target) => Engine::connect(&target).await,
                        Err(message) => {
                            Err(EngineError::new(EngineErrorKind::Unreachable, message))
                        }
                    };
                    let msg = match result {
                        Ok((engine, info)) => {
                            slot.send_replace(Some(engine));
                            Msg::EngineConnected(info)
                        }
                        Err(error) => Msg::EngineFailed(error),
                    };
                    let _ = tx.send(msg);
                });
            }
            Effect::WatchEvents => {
                if let Some(old) = self.events_task.take() {
                    old.abort();
                }
                let Some(engine) = self.engine() else {
                    let _ = self.tx.send(Msg::EventsEnded(Some(not_connected())));
                    return;
                };
                let tx = self.tx.clone();
                let handle = tokio::spawn(async move {
                    let mut events = Box::pin(engine.events());
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
                    let _ = tx.send(Msg::EventsEnded(failure));
                });
                self.events_task = Some(handle.abort_handle());
            }
            Effect::LoadImages => self.with_engine(
                |engine| async move { engine.list_images().await },
                Msg::ImagesLoaded,
            ),
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
                let handle = tokio::spawn(jobs::run(
                    id,
                    spec,
                    self.engine(),
                    token.clone(),
                    self.tx.clone(),
                ));
                self.jobs.insert(id, (token, handle));
            }
            Effect::CancelJob { id } => {
                if let Some((token, _)) = self.jobs.get(&id) {
                    token.cancel();
                }
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
        }
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
