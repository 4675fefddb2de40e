//! Msg: what happened. Terminal input, engine answers and background results all arrive
//! as messages to the one task that owns the state.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::docker::{
    ContainerId, ContainerRecord, EngineError, EngineEvent, EngineInfo, FileChange, HistoryRecord,
    ImageId, ImageRecord,
};
use crate::flows::context::ContextMsg;
use crate::flows::import::FileChecked;
use crate::flows::login::LoginMsg;
use crate::flows::remove::Removed;
use crate::flows::tag::Tagged;
use crate::job::{JobError, JobId, JobOutcome, Progress};
use crate::model::path_completion::PathCompletion;
use crate::registry::{CatalogPage, ManifestHead, RegistryError, TagDetail, TagList};

#[derive(Debug, Clone)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste).
    Paste(Pasted),
    /// The terminal changed size.
    Resize,
    /// A click or a wheel step (only while wharf has the mouse).
    Mouse(MouseEvent),
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
    /// A tag was made (or not).
    Tagged(Tagged),
    /// An image or tag was removed (or not).
    Removed(Removed),
    /// A login or logout ended.
    Login(LoginMsg),
    /// Tab in a path field found these completions for `typed`.
    PathCompleted {
        typed: String,
        completion: PathCompletion,
    },
    /// The file to import was looked at.
    ImportFileChecked(FileChecked),
    /// The pause after a selection change is over.
    TagsSettled { generation: u64 },
    /// A repository's tags arrived.
    TagsLoaded {
        generation: u64,
        result: Result<TagList, RegistryError>,
    },
    /// A tag's digest arrived.
    TagDigestLoaded {
        generation: u64,
        tag: String,
        result: Result<ManifestHead, RegistryError>,
    },
    /// A tag's detail arrived.
    TagDetailLoaded {
        generation: u64,
        tag: String,
        result: Result<TagDetail, RegistryError>,
    },
    /// A catalog page arrived.
    CatalogLoaded {
        generation: u64,
        result: Result<CatalogPage, RegistryError>,
    },
    // Registries people use (Hub, Harbor, no catalog):
    /// The platform of a local image (`None`: it is gone).
    ImagePlatformLoaded {
        image: crate::docker::ImageId,
        result: Result<Option<crate::docker::ImagePlatform>, crate::docker::EngineError>,
    },
    /// A repository's tags from the registry's own API (Docker Hub, Harbor).
    RemoteTagsLoaded {
        generation: u64,
        result: Result<crate::model::tags::RemoteTagList, RegistryError>,
    },
    /// The repositories remembered per registry (read, or just written).
    RepositoriesRemembered(crate::registry::RememberedRepositories),
    /// A page of a Harbor's projects.
    HarborProjectsLoaded {
        generation: u64,
        result: Result<crate::registry::Page<crate::registry::HarborProject>, RegistryError>,
    },
    /// A page of a Harbor project's repositories.
    HarborRepositoriesLoaded {
        generation: u64,
        result: Result<crate::registry::Page<crate::registry::HarborRepository>, RegistryError>,
    },
    /// A page of a Docker Hub namespace's repositories.
    HubNamespaceLoaded {
        generation: u64,
        result: Result<crate::registry::Page<crate::registry::HubRepository>, RegistryError>,
    },
    /// A page of Docker Hub search results.
    HubSearchLoaded {
        generation: u64,
        result: Result<crate::registry::Page<crate::registry::HubSearchResult>, RegistryError>,
    },
    /// A registry announced its pull quota with a manifest answer.
    RateLimitSeen {
        registry: String,
        limit: crate::registry::RateLimit,
    },
    /// Something changed in the engine.
    EngineEvent(EngineEvent),
    /// The event stream ended (the engine restarted, went away, or closed it) after
    /// running for `lasted`.
    EventsEnded {
        error: Option<EngineError>,
        lasted: std::time::Duration,
    },
    // ----- remote engines and contexts -----
    /// An answer from the engine of switch `generation`: dropped when the user has switched
    /// to another engine since (a late answer from the previous one).
    Engine { generation: u64, msg: Box<Msg> },
    /// The contexts list and switching between contexts.
    Context(ContextMsg),
    /// files view: a layer, progress, the end or a failure of a files load.
    Files(crate::flows::files::FilesMsg),
    // workflow
    /// A logs view's stream sent lines or ended.
    Logs(crate::flows::logs::LogsMsg),
    /// An interactive session ended and the TUI has the terminal again.
    SessionEnded(crate::flows::shell::SessionEnded),
    /// A lifecycle action was applied (or refused), container by container.
    Lifecycle(crate::flows::lifecycle::LifecycleDone),
    /// files view: a file's content read, or saved.
    FileContent(crate::flows::file_content::ContentMsg),
    // workflow: `:info`
    /// The engine described itself (or could not).
    EngineDetails(Result<crate::docker::EngineDetails, EngineError>),
}

/// Pasted text. It may be a password, so `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Pasted(pub String);

impl std::fmt::Debug for Pasted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pasted({} chars)", self.0.chars().count())
    }
}

impl From<String> for Pasted {
    fn from(text: String) -> Self {
        Pasted(text)
    }
}

impl From<&str> for Pasted {
    fn from(text: &str) -> Self {
        Pasted(text.to_string())
    }
}
