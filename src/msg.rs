//! Msg: what happened. Terminal input, engine answers and background results all arrive
//! as messages to the one task that owns the state.

use crossterm::event::KeyEvent;

use crate::docker::{EngineError, EngineEvent, EngineInfo, HistoryRecord, ImageId, ImageRecord};

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
    /// Something changed in the engine.
    EngineEvent(EngineEvent),
    /// The event stream ended (the engine restarted, went away, or closed it).
    EventsEnded(Option<EngineError>),
}
