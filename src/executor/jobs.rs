//! Runs one job: the engine or registry work, progress snapshots at most ~10 a second,
//! cancellation, and one final message.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::docker::{Engine, EngineError};
use crate::msg::Msg;
use crate::state::jobs::{JobError, JobId, JobOutcome, JobSpec, Progress, ProgressUpdate};

/// Shortest time between two progress messages for one job.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Collects a job's progress and sends snapshots, throttled.
pub struct Reporter {
    id: JobId,
    tx: mpsc::UnboundedSender<Msg>,
    progress: Progress,
    last_sent: Option<Instant>,
}

impl Reporter {
    fn new(id: JobId, tx: mpsc::UnboundedSender<Msg>) -> Self {
        Reporter {
            id,
            tx,
            progress: Progress::default(),
            last_sent: None,
        }
    }

    pub fn update(&mut self, update: ProgressUpdate) {
        self.progress.apply(update);
        let due = self
            .last_sent
            .is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL);
        if due {
            self.flush();
        }
    }

    pub fn flush(&mut self) {
        self.last_sent = Some(Instant::now());
        let _ = self.tx.send(Msg::JobProgress {
            id: self.id,
            progress: self.progress.clone(),
        });
    }
}

/// Runs `spec` until it ends or `cancel` fires, then reports the result.
pub async fn run(
    id: JobId,
    spec: JobSpec,
    engine: Option<Engine>,
    cancel: CancellationToken,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let mut reporter = Reporter::new(id, tx.clone());
    let result = tokio::select! {
        _ = cancel.cancelled() => Err(JobError::Cancelled),
        result = work(spec, engine, &mut reporter) => result,
    };
    let _ = tx.send(Msg::JobFinished { id, result });
}

async fn work(
    spec: JobSpec,
    engine: Option<Engine>,
    reporter: &mut Reporter,
) -> Result<JobOutcome, JobError> {
    let engine =
        engine.ok_or_else(|| JobError::Failed("not connected to the Docker engine".to_string()))?;
    match spec {
        JobSpec::Commit(request) => {
            reporter.update(ProgressUpdate::Message(format!(
                "committing {}",
                request.container.short()
            )));
            let image = engine.commit_container(&request).await.map_err(failed)?;
            Ok(JobOutcome::Committed {
                image,
                reference: format!("{}:{}", request.repository, request.tag),
            })
        }
    }
}

fn failed(error: EngineError) -> JobError {
    JobError::Failed(error.to_string())
}
