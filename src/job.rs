//! What a job is: the work it does ([`JobSpec`]), its progress and its outcome. Shared by the
//! model, which lists jobs, and the executor, which runs them.

use std::fmt;
use std::path::PathBuf;

use crate::docker::{CommitRequest, ContainerId, ImageId, RunFailure};
use crate::run_spec::RunSpec;

/// Identifies a job for its whole life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The work a job does; the executor turns it into engine or registry calls. Credentials
/// are looked up by the executor when the job starts, so they never sit in the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobSpec {
    Commit(CommitRequest),
    /// Pull `repository:tag` (or `@digest`) from `registry`.
    Pull {
        repository: String,
        tag_or_digest: String,
        registry: String,
    },
    /// Push `repository:tag` to `registry`.
    Push {
        repository: String,
        tag: String,
        registry: String,
    },
    /// Stream a rootfs archive into a new image.
    Import {
        path: PathBuf,
        /// File size, for the progress bar.
        size: u64,
        repository: String,
        tag: String,
        message: Option<String>,
        changes: Vec<String>,
    },
    // workflow: create and start a container (`r`, `:run`).
    /// Create and start a container; nothing half-made stays when it fails.
    Run(Box<RunSpec>),
    /// `:deploy-registry`: pull the registry image when missing, run it, wait for `/v2/`.
    DeployRegistry {
        image: String,
        port: u16,
        data_dir: PathBuf,
    },
}

impl JobSpec {
    /// The registry a job talks to, if any: where a login would help.
    pub fn registry(&self) -> Option<&str> {
        match self {
            JobSpec::Pull { registry, .. } | JobSpec::Push { registry, .. } => Some(registry),
            JobSpec::Commit(_)
            | JobSpec::Import { .. }
            | JobSpec::Run(_)
            | JobSpec::DeployRegistry { .. } => None,
        }
    }
}

/// What a finished job produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// A new image exists under `reference` (commit, import).
    Created { image: ImageId, reference: String },
    /// The engine has `reference` from its registry.
    Pulled { reference: String },
    /// The registry has `reference`, with this digest when the engine said.
    Pushed {
        reference: String,
        digest: Option<String>,
    },
    /// A container was created and started.
    Started {
        container: ContainerId,
        name: String,
    },
    /// A local registry answers at `host`.
    RegistryDeployed { host: String },
}

impl JobOutcome {
    pub fn summary(&self) -> String {
        match self {
            JobOutcome::Created { image, reference } => {
                format!("created {reference} ({})", image.short())
            }
            JobOutcome::Pulled { reference } => format!("pulled {reference}"),
            JobOutcome::Pushed { reference, digest } => match digest {
                Some(digest) => format!(
                    "pushed {reference} ({})",
                    crate::docker::types::short_hex(digest)
                ),
                None => format!("pushed {reference}"),
            },
            JobOutcome::Started { name, .. } => format!("started {name}"),
            JobOutcome::RegistryDeployed { host } => format!("registry at {host}"),
        }
    }
}

/// One step of progress reported by a running job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressUpdate {
    /// What the job is doing now, in words.
    Message(String),
    /// A layer's status and byte counts (`total` 0 when unknown).
    Layer {
        id: String,
        status: String,
        current: u64,
        total: u64,
    },
    /// Bytes moved so far, and how many there are when known.
    Bytes { done: u64, total: Option<u64> },
}

/// Progress of one layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerProgress {
    pub id: String,
    pub status: String,
    pub current: u64,
    pub total: u64,
}

impl LayerProgress {
    /// The engine's words for a layer that needs no more work.
    pub fn is_done(&self) -> bool {
        let s = self.status.to_ascii_lowercase();
        [
            "complete",
            "already exists",
            "pushed",
            "mounted from",
            "layer already exists",
        ]
        .iter()
        .any(|w| s.contains(w))
    }
}

/// A job's progress: built up from updates by the job's task, sent as snapshots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub message: String,
    pub layers: Vec<LayerProgress>,
    pub bytes: Option<(u64, Option<u64>)>,
}

impl Progress {
    pub fn apply(&mut self, update: ProgressUpdate) {
        match update {
            ProgressUpdate::Message(message) => self.message = message,
            ProgressUpdate::Layer {
                id,
                status,
                current,
                total,
            } => match self.layers.iter_mut().find(|l| l.id == id) {
                Some(layer) => {
                    layer.status = status;
                    // Keep the last byte counts when a status line carries none.
                    if total > 0 {
                        layer.current = current;
                        layer.total = total;
                    } else if layer.is_done() {
                        layer.current = layer.total;
                    }
                }
                None => self.layers.push(LayerProgress {
                    id,
                    status,
                    current,
                    total,
                }),
            },
            ProgressUpdate::Bytes { done, total } => self.bytes = Some((done, total)),
        }
    }

    /// Overall completion from 0.0 to 1.0, when it can be known.
    pub fn fraction(&self) -> Option<f64> {
        if let Some((done, Some(total))) = self.bytes {
            return (total > 0).then(|| (done as f64 / total as f64).min(1.0));
        }
        if self.layers.is_empty() {
            return None;
        }
        let (mut done, mut total) = (0u64, 0u64);
        for layer in &self.layers {
            if layer.total > 0 {
                total = total.saturating_add(layer.total);
                done = done.saturating_add(if layer.is_done() {
                    layer.total
                } else {
                    layer.current.min(layer.total)
                });
            }
        }
        if total > 0 {
            Some(done as f64 / total as f64)
        } else {
            Some(self.layers_done() as f64 / self.layers.len() as f64)
        }
    }

    pub fn layers_done(&self) -> usize {
        self.layers.iter().filter(|l| l.is_done()).count()
    }

    /// The engine's "Retrying in 5 seconds" for a layer whose transfer failed, if any: the
    /// registry went away, and the engine tries again before giving up.
    pub fn retrying(&self) -> Option<&str> {
        self.layers
            .iter()
            .map(|l| l.status.as_str())
            .find(|s| s.starts_with("Retrying"))
    }
}

/// Why a job did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    Cancelled,
    Failed(String),
    /// The registry wants (other) credentials.
    Unauthorized {
        registry: String,
        message: String,
    },
    /// A run the engine refused, by kind (a missing image can be pulled).
    Run {
        failure: RunFailure,
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(id: &str, status: &str, current: u64, total: u64) -> ProgressUpdate {
        ProgressUpdate::Layer {
            id: id.into(),
            status: status.into(),
            current,
            total,
        }
    }

    #[test]
    fn layer_progress_aggregates_bytes() {
        let mut p = Progress::default();
        p.apply(layer("a", "Pushing", 50, 100));
        p.apply(layer("b", "Pushing", 0, 300));
        assert_eq!(p.fraction(), Some(0.125));
        p.apply(layer("a", "Pushed", 0, 0));
        assert_eq!(p.layers[0].current, 100, "a finished layer counts in full");
        p.apply(layer("b", "Pushing", 150, 300));
        assert_eq!(p.fraction(), Some(250.0 / 400.0));
        assert_eq!(p.layers_done(), 1);
    }

    #[test]
    fn layers_without_sizes_count_by_number() {
        let mut p = Progress::default();
        p.apply(layer("a", "Already exists", 0, 0));
        p.apply(layer("b", "Waiting", 0, 0));
        assert_eq!(p.fraction(), Some(0.5));
    }

    #[test]
    fn bytes_win_over_layers_and_unknown_is_none() {
        let mut p = Progress::default();
        assert_eq!(p.fraction(), None);
        p.apply(ProgressUpdate::Bytes {
            done: 10,
            total: None,
        });
        assert_eq!(p.fraction(), None);
        p.apply(ProgressUpdate::Bytes {
            done: 10,
            total: Some(40),
        });
        assert_eq!(p.fraction(), Some(0.25));
    }
}
