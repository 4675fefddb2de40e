//! Effect: what the state asks the outside world to do. `update` returns effects as data;
//! the executor turns each into a task that sends messages back.

use std::time::Duration;

use crate::docker::{ContainerId, ImageId};
use crate::state::jobs::{JobId, JobSpec};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Connect (again) to the engine after a pause.
    ConnectEngine { after: Duration },
    /// Follow the engine's event stream (replacing any previous subscription).
    WatchEvents,
    /// List every image.
    LoadImages,
    /// Look one image up by ID or name after an event.
    InspectImage { reference: String },
    /// Load an image's history.
    LoadHistory { image: ImageId },
    /// List every container.
    LoadContainers,
    /// Load a container's writable-layer changes.
    LoadChanges { container: ContainerId },
    /// Start a job.
    StartJob { id: JobId, spec: JobSpec },
    /// Stop a running job.
    CancelJob { id: JobId },
}
