//! The Docker engine: the only module that uses bollard. Everything it hands out is an
//! app-owned type from [`types`].

mod containers;
pub mod contexts;
mod engine;
// workflow: `:info`
mod engine_details;
mod error;
mod events;
mod exec;
mod export;
mod images;
mod lifecycle;
mod logs;
pub mod raw;
mod registry_auth;
mod registry_trust;
mod run;
pub mod target;
mod transfer;
pub mod transport;
pub mod types;

pub use containers::{CHANGE_INSTRUCTIONS, CommitRequest, validate_changes};
pub use contexts::{ContextList, ContextSummary, list_contexts};
pub use engine::Engine;
pub use engine_details::EngineDetails;
pub use error::{EngineError, EngineErrorKind};
pub use exec::{DEFAULT_SHELLS, InteractiveSession, SessionEnd, TerminalSize, bridge};
pub use export::ImageLayers;
pub use images::ImportRequest;
pub use lifecycle::{ContainerDetails, LifecycleAction};
pub use logs::{LogDecoder, LogLine, LogStream, LogsRequest, MAX_LOG_LINE};
pub use raw::{ProgressLine, PushResult};
pub use registry_trust::{DAEMON_JSON, RegistryRefusal, RegistrySettings};
pub use run::{CreatedContainer, RunError, RunFailure};
pub use transfer::{LoginCheck, RemoveOutcome, counted};
pub use transport::{ConnectOptions, EngineAddress, SshAddress, SshOptions};
pub use types::{
    ChangeKind, ContainerId, ContainerRecord, ContainerState, EngineEvent, EngineInfo,
    EventSubject, FileChange, HistoryRecord, ImageId, ImagePlatform, ImageRecord, PortMapping,
};
