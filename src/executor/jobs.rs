//! Runs one job: the engine work, progress snapshots at most ~10 a second, cancellation,
//! and one final message.

use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::docker::{Engine, EngineError, EngineErrorKind, ImportRequest, ProgressLine};
use crate::job::{JobError, JobId, JobOutcome, JobSpec, Progress, ProgressUpdate};
use crate::msg::Msg;
use crate::registry::reference::credential_key_for;
use crate::registry::{Credentials, DockerConfig};

/// Shortest time between two progress messages for one job.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Collects a job's progress and sends snapshots, throttled.
struct Reporter {
    id: JobId,
    tx: mpsc::UnboundedSender<Msg>,
    progress: Progress,
    last_sent: Option<Instant>,
}

impl Reporter {
    fn update(&mut self, update: ProgressUpdate) {
        self.progress.apply(update);
        if self
            .last_sent
            .is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL)
        {
            self.last_sent = Some(Instant::now());
            let _ = self.tx.send(Msg::JobProgress {
                id: self.id,
                progress: self.progress.clone(),
            });
        }
    }
}

/// What a job needs from the outside world.
pub struct JobContext {
    pub engine: Option<Engine>,
    pub credentials: Option<DockerConfig>,
    /// For jobs that talk to a registry themselves (deploy-registry waits for `/v2/`).
    pub registry: super::Registry,
}

/// Runs `spec` until it ends or `cancel` fires, then reports the result.
pub async fn run(
    id: JobId,
    spec: JobSpec,
    context: JobContext,
    cancel: CancellationToken,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let mut reporter = Reporter {
        id,
        tx: tx.clone(),
        progress: Progress::default(),
        last_sent: None,
    };
    // Dropping the work on cancel closes its connection, which stops the engine's side.
    let result = tokio::select! {
        _ = cancel.cancelled() => Err(JobError::Cancelled),
        result = work(spec, context, &mut reporter) => result,
    };
    let _ = tx.send(Msg::JobFinished { id, result });
}

async fn work(
    spec: JobSpec,
    context: JobContext,
    reporter: &mut Reporter,
) -> Result<JobOutcome, JobError> {
    let engine = context
        .engine
        .ok_or_else(|| JobError::Failed("not connected to the Docker engine".to_string()))?;
    match spec {
        JobSpec::Commit(request) => {
            reporter.update(ProgressUpdate::Message(format!(
                "committing {}",
                request.container.short()
            )));
            let image = engine.commit_container(&request).await.map_err(failed)?;
            Ok(JobOutcome::Created {
                image,
                reference: format!("{}:{}", request.repository, request.tag),
            })
        }
        JobSpec::Pull {
            repository,
            tag_or_digest,
            registry,
        } => {
            let credentials = lookup(context.credentials.as_ref(), &registry).await?;
            let server = credential_key_for(&registry);
            let lines = engine.pull(&repository, &tag_or_digest, credentials.as_ref(), server);
            follow(lines, &registry, reporter).await?;
            let separator = if tag_or_digest.contains(':') {
                '@'
            } else {
                ':'
            };
            Ok(JobOutcome::Pulled {
                reference: format!("{repository}{separator}{tag_or_digest}"),
            })
        }
        JobSpec::Push {
            repository,
            tag,
            registry,
        } => {
            let credentials = lookup(context.credentials.as_ref(), &registry).await?;
            let server = credential_key_for(&registry);
            let lines = engine
                .push(&repository, &tag, credentials.as_ref(), server)
                .await
                .map_err(|e| classify(e, &registry))?;
            let digest = follow(lines, &registry, reporter).await?;
            Ok(JobOutcome::Pushed {
                reference: format!("{repository}:{tag}"),
                digest,
            })
        }
        JobSpec::Import {
            path,
            size,
            repository,
            tag,
            message,
            changes,
        } => {
            let file = tokio::fs::File::open(&path)
                .await
                .map_err(|e| JobError::Failed(format!("cannot open {}: {e}", path.display())))?;
            reporter.update(ProgressUpdate::Bytes {
                done: 0,
                total: Some(size),
            });
            let (bytes_tx, mut bytes_rx) = mpsc::unbounded_channel();
            let stream =
                crate::docker::counted(tokio_util::io::ReaderStream::new(file), move |done| {
                    let _ = bytes_tx.send(done);
                });
            let request = ImportRequest {
                repository: repository.clone(),
                tag: tag.clone(),
                message,
                changes,
            };
            let import = engine.import_image(&request, stream);
            tokio::pin!(import);
            let image = loop {
                tokio::select! {
                    result = &mut import => break result.map_err(failed)?,
                    Some(done) = bytes_rx.recv() => reporter.update(ProgressUpdate::Bytes { done, total: Some(size) }),
                }
            };
            Ok(JobOutcome::Created {
                image,
                reference: format!("{repository}:{tag}"),
            })
        }
        // workflow: run
        JobSpec::Run(spec) => {
            reporter.update(ProgressUpdate::Message(format!(
                "creating a container from {}",
                spec.image
            )));
            let created = engine
                .run_container(&spec)
                .await
                .map_err(|e| JobError::Run {
                    failure: e.failure,
                    message: e.error.to_string(),
                })?;
            Ok(JobOutcome::Started {
                container: created.id,
                name: created.name,
            })
        }
        JobSpec::DeployRegistry {
            image,
            port,
            data_dir,
        } => {
            let plan = crate::local_registry::LocalRegistryPlan {
                image,
                ..crate::local_registry::LocalRegistryPlan::new(port, data_dir)
            };
            let refused = |e: crate::local_registry::DeployError| JobError::Failed(e.to_string());
            reporter.update(ProgressUpdate::Message(format!(
                "checking port {port} and the name {}",
                plan.name
            )));
            let checked = crate::local_registry::preflight(&engine, &plan)
                .await
                .map_err(refused)?;
            if !checked.image_present {
                let reference = crate::registry::Reference::parse(&plan.image)
                    .map_err(|e| JobError::Failed(format!("{}: {e}", plan.image)))?;
                let registry = reference.registry().to_string();
                let credentials = lookup(context.credentials.as_ref(), &registry).await?;
                let lines = engine.pull(
                    &reference.repository_ref().familiar(),
                    reference.manifest_reference(),
                    credentials.as_ref(),
                    credential_key_for(&registry),
                );
                follow(lines, &registry, reporter).await?;
            }
            reporter.update(ProgressUpdate::Message(format!(
                "starting {} and waiting for its API",
                plan.image
            )));
            let client = context.registry.get().await.map_err(JobError::Failed)?;
            let deployed = crate::local_registry::deploy(
                &engine,
                &client,
                &plan,
                crate::local_registry::DEFAULT_WAIT,
            )
            .await
            .map_err(refused)?;
            Ok(JobOutcome::RegistryDeployed {
                host: deployed.host,
            })
        }
    }
}

/// Credentials for a registry, looked up when the job starts (never kept in the state).
async fn lookup(
    store: Option<&DockerConfig>,
    registry: &str,
) -> Result<Option<Credentials>, JobError> {
    match store {
        Some(store) => store.get_async(registry).await.map_err(|e| {
            JobError::Failed(format!("cannot read the credentials for {registry}: {e}"))
        }),
        None => Ok(None),
    }
}

/// Follows a pull or push stream to its end; returns the pushed digest when the engine
/// names it.
async fn follow(
    mut lines: BoxStream<'static, Result<ProgressLine, EngineError>>,
    registry: &str,
    reporter: &mut Reporter,
) -> Result<Option<String>, JobError> {
    let mut digest = None;
    let mut finished = false;
    while let Some(line) = lines.next().await {
        let line = match line {
            Ok(line) => line,
            // The engine sometimes ends the stream with a broken-connection error after its
            // last status line; the work is done then.
            Err(_) if finished => break,
            Err(e) => return Err(classify(e, registry)),
        };
        if let Some(message) = line.failure() {
            return Err(classify(EngineError::answered(None, message), registry));
        }
        if let Some(aux) = &line.aux {
            digest = aux.digest.clone().or(digest);
        }
        let status = line.status.clone().unwrap_or_default();
        if status.starts_with("Status:") || status.starts_with("Digest:") || line.aux.is_some() {
            finished = true;
        }
        if let Some(update) = progress_update(&line) {
            reporter.update(update);
        }
    }
    Ok(digest)
}

/// A progress line as an update: per layer when it names one, otherwise a message.
pub fn progress_update(line: &ProgressLine) -> Option<ProgressUpdate> {
    let status = line.status.clone()?;
    let id = line.id.clone().filter(|id| !id.is_empty());
    match id {
        Some(id)
            if !status.starts_with("Pulling from") && !status.starts_with("The push refers") =>
        {
            let detail = line.progress_detail.clone().unwrap_or_default();
            Some(ProgressUpdate::Layer {
                id,
                status,
                current: detail.current.unwrap_or(0),
                total: detail.total.unwrap_or(0),
            })
        }
        _ => Some(ProgressUpdate::Message(status)),
    }
}

fn classify(error: EngineError, registry: &str) -> JobError {
    // workflow: the engine refusing a plain-HTTP registry is explained (daemon.json line).
    let error = error.explain_registry_refusal(registry);
    if error.kind == EngineErrorKind::Unauthorized {
        JobError::Unauthorized {
            registry: registry.to_string(),
            message: error.message,
        }
    } else {
        JobError::Failed(error.to_string())
    }
}

fn failed(error: EngineError) -> JobError {
    JobError::Failed(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::raw::ProgressDetail;

    fn line(id: Option<&str>, status: &str, current: u64, total: u64) -> ProgressLine {
        ProgressLine {
            id: id.map(str::to_string),
            status: Some(status.to_string()),
            progress_detail: Some(ProgressDetail {
                current: Some(current),
                total: Some(total),
            }),
            ..ProgressLine::default()
        }
    }

    #[test]
    fn lines_become_layer_updates_or_messages() {
        assert_eq!(
            progress_update(&line(Some("abc"), "Pushing", 5, 10)),
            Some(ProgressUpdate::Layer {
                id: "abc".into(),
                status: "Pushing".into(),
                current: 5,
                total: 10
            })
        );
        assert_eq!(
            progress_update(&line(Some("1.15"), "Pulling from library/nginx", 0, 0)),
            Some(ProgressUpdate::Message("Pulling from library/nginx".into()))
        );
        assert_eq!(
            progress_update(&line(None, "Status: Downloaded newer image", 0, 0)),
            Some(ProgressUpdate::Message(
                "Status: Downloaded newer image".into()
            ))
        );
    }

    #[test]
    fn auth_failures_offer_a_login() {
        let e = EngineError::answered(None, "no basic auth credentials");
        assert!(
            matches!(classify(e, "r:5000"), JobError::Unauthorized { registry, .. } if registry == "r:5000")
        );
        let e = EngineError::answered(None, "connection refused");
        assert!(matches!(classify(e, "r:5000"), JobError::Failed(_)));
    }
}
