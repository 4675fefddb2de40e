//! The workflow's effects that hold a task open: a logs view's stream (one at a time,
//! stopped when the view closes).

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::docker::{Engine, EngineError, LifecycleAction};
use crate::flows::logs::LogsMsg;
use crate::msg::Msg;

/// The running log stream, by the generation of the view it feeds.
#[derive(Debug, Default)]
pub struct LogsTask(Option<(u64, AbortHandle)>);

impl LogsTask {
    /// Streams `container`'s logs to the view `generation`, replacing any other stream.
    pub fn follow(
        &mut self,
        engine: Option<Engine>,
        generation: u64,
        container: String,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        self.stop_any();
        let handle = tokio::spawn(async move {
            let error = match engine {
                None => Some(super::not_connected()),
                Some(engine) => match engine.logs(&container, crate::logs::open_request()).await {
                    Err(e) => Some(e),
                    Ok(lines) => {
                        let batches = tx.clone();
                        crate::logs::pump(lines, move |batch| {
                            batches
                                .send(Msg::Logs(LogsMsg::Batch { generation, batch }))
                                .is_ok()
                        })
                        .await
                        .err()
                    }
                },
            };
            let _ = tx.send(Msg::Logs(LogsMsg::Ended { generation, error }));
        });
        self.0 = Some((generation, handle.abort_handle()));
    }

    /// Stops the stream of view `generation` (dropping its connection to the engine).
    pub fn stop(&mut self, generation: u64) {
        if self.0.as_ref().is_some_and(|(g, _)| *g == generation) {
            self.stop_any();
        }
    }

    fn stop_any(&mut self) {
        if let Some((_, handle)) = self.0.take() {
            handle.abort();
        }
    }
}

/// Applies `action` to each container in turn; every container's answer.
pub async fn container_actions(
    engine: &Engine,
    containers: &[String],
    action: &LifecycleAction,
) -> Vec<(String, Result<(), EngineError>)> {
    let mut results = Vec::with_capacity(containers.len());
    for container in containers {
        let result = engine.container_action(container, action).await;
        results.push((container.clone(), result));
    }
    results
}

/// A session asked for where there is no terminal to hand over.
pub fn no_terminal(session: crate::flows::shell::Session) -> Msg {
    let container = match session {
        crate::flows::shell::Session::Exec { container, .. } => container,
        crate::flows::shell::Session::Run(spec) => spec.image.clone(),
    };
    Msg::SessionEnded(crate::flows::shell::SessionEnded {
        container,
        id: None,
        result: Err(EngineError::new(
            crate::docker::EngineErrorKind::Other,
            "no terminal to hand over",
        )),
    })
}
