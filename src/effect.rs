//! Effect: what the state asks the outside world to do. `update` returns effects as data;
//! the executor turns each into a task that sends messages back.

use std::time::Duration;

use crate::docker::ImageId;

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
}
