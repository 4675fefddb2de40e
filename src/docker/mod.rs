//! The Docker engine: the only module that uses bollard. Everything it hands out is an
//! app-owned type from [`types`].

mod containers;
mod engine;
mod events;
mod images;
pub mod target;
pub mod types;

pub use engine::{Engine, EngineError, EngineErrorKind};
pub use containers::CommitRequest;
pub use images::ImportRequest;
pub use types::{
    ContainerId, EngineEvent, EngineInfo, EventSubject, HistoryRecord, ImageId, ImageRecord,
};
