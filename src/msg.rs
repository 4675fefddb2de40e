//! Msg: what happened. Terminal input, engine answers and background results all arrive
//! as messages to the one task that owns the state.

use crossterm::event::KeyEvent;

use crate::docker::{
    ContainerId, ContainerRecord, EngineError, EngineEvent, EngineInfo, FileChange, HistoryRecord,
    ImageId, ImageRecord,
};
use crate::state::jobs::{JobError, JobId, JobOutcome, Progress};

#[derive(Debug, Clone)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste).
    Paste(String),
    /// The terminal changed size.
    Resize,
    /// The engine answered; the header can name it.
    EngineConnected(EngineInfo),
    /// Connecting to the engine failed.
    EngineFailed(EngineError),
    /// The full image list arrived.
    ImagesLoaded(Result<Vec<ImageRecord>, EngineError>),
    /// One image was looked up after an event; `Ok(None)` means it is gone.
    ImageInspected {
        reference: String,
        result: Result<Option<ImageRecord>, EngineError>,
    },
    /// An image's history arrived.
    HistoryLoaded {
        image: ImageId,
        result: Result<Vec<HistoryRecord>, EngineError>,
    },
    /// The full container list arrived.
    ContainersLoaded(Result<Vec<ContainerRecord>, EngineError>),
    /// A container's writable-layer changes arrived.
    ChangesLoaded {
        container: ContainerId,
        result: Result<Vec<FileChange>, EngineError>,
    },
    /// A running job reports progress (a snapshot, at most ~10 a second).
    JobProgress { id: JobId, progress: Progress },
    /// A job ended.
    JobFinished {
        id: JobId,
        result: Result<JobOutcome, JobError>,
    },
    /// Something changed in the engine.
    EngineEvent(EngineEvent),
    /// The event stream ended (the engine restarted, went away, or closed it).
    EventsEnded(Option<EngineError>),
}
