//! Effect: what the state asks the outside world to do. `update` returns effects as data;
//! the executor turns each into a task that sends messages back.

use std::path::PathBuf;
use std::time::Duration;

use crate::docker::target::EngineTarget;
use crate::docker::{ContainerId, ImageId};
use crate::job::{JobId, JobSpec};
use crate::registry::{CatalogCursor, Credentials, PageCursor, RepositoryRef};

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
    /// Name `source` (an ID or a name) `repository:tag`.
    TagImage {
        source: String,
        repository: String,
        tag: String,
    },
    /// Remove tags (or an image by ID), one after the other, stopping at the first refusal.
    RemoveImages { names: Vec<String>, force: bool },
    /// Check credentials with the engine and store them like `docker login`.
    Login {
        registry: String,
        credentials: Credentials,
    },
    /// Erase stored credentials like `docker logout`.
    Logout { registry: String },
    /// Complete a typed file path by listing `directory` (its directory, `~/` expanded).
    CompletePath { typed: String, directory: PathBuf },
    /// Check that a file can be imported (exists, readable, an archive).
    CheckImportFile { path: PathBuf },
    /// Wait, then say whether the images selection stayed on one repository.
    SettleTags { generation: u64, after: Duration },
    /// List a repository's tags.
    LoadTags {
        generation: u64,
        repository: RepositoryRef,
    },
    /// `HEAD` a tag's manifest for its digest.
    LoadTagDigest {
        generation: u64,
        repository: RepositoryRef,
        tag: String,
    },
    /// Fetch a tag's detail (manifest, platforms, config).
    LoadTagDetail {
        generation: u64,
        repository: RepositoryRef,
        tag: String,
    },
    /// Fetch a page of a registry's catalog (the first when `cursor` is `None`).
    LoadCatalog {
        generation: u64,
        registry: String,
        cursor: Option<CatalogCursor>,
        /// Repositories to ask for per page.
        page_size: u32,
    },
    // ----- remote engines and contexts -----
    /// Read the docker contexts (`$DOCKER_CONFIG/contexts`) for the contexts popup.
    ListContexts,
    /// Find the engine address of the context `name`.
    ResolveContext { name: String },
    /// Drop the engine and its event stream and connect to `target`; answers from then on
    /// carry `generation`. Running jobs keep the engine they started on.
    SwitchEngine {
        generation: u64,
        target: EngineTarget,
    },
    /// Write `name` as `currentContext` in the docker CLI's config.json.
    WriteCurrentContext { name: String },
    // files view (issue 10)
    /// Stream an image's layers (local, remote or saved) through the layer indexer, one
    /// message per layer.
    OpenFiles {
        load: crate::model::files::FilesLoadId,
        source: crate::model::files::FilesSource,
    },
    /// Stop a files load and drop what it holds.
    CancelFiles {
        load: crate::model::files::FilesLoadId,
    },
    // Registries people use (Hub, Harbor, no catalog):
    /// Ask the engine which platform a local image is for (per-platform digest comparison).
    InspectImagePlatform { image: crate::docker::ImageId },
    /// Put a repository first among those remembered for its registry.
    RememberRepository { repository: RepositoryRef },
    /// Read the repositories remembered per registry.
    LoadRememberedRepositories,
    /// A page of a Harbor's projects (after the first, which `LoadCatalog` brings).
    LoadHarborProjects {
        generation: u64,
        registry: String,
        cursor: PageCursor,
    },
    /// A page of the repositories of a Harbor project.
    LoadHarborRepositories {
        generation: u64,
        registry: String,
        project: String,
        cursor: Option<PageCursor>,
    },
    /// A page of the repositories of a Docker Hub namespace.
    LoadHubNamespace {
        generation: u64,
        namespace: String,
        cursor: Option<PageCursor>,
    },
    /// A page of Docker Hub search results.
    SearchHub {
        generation: u64,
        term: String,
        cursor: Option<PageCursor>,
    },
    // workflow
    /// Follow a container's logs for the logs view `generation` (replacing any other).
    FollowLogs { generation: u64, container: String },
    /// Stop the stream of a logs view that closed.
    StopLogs { generation: u64 },
    /// Hand the terminal to an interactive session in a container: the app loop runs it
    /// (it owns the terminal), not the executor.
    Interactive(crate::flows::shell::Session),
    /// Apply a lifecycle action to containers (by name), one after the other.
    ContainerAction {
        containers: Vec<String>,
        action: crate::docker::LifecycleAction,
    },
    /// files view: read one file's content again from the layer that wrote it.
    ReadFileContent {
        load: crate::model::files::FilesLoadId,
        request: crate::model::file_content::ContentRequestId,
        what: crate::model::file_content::ContentRequest,
    },
    /// files view: write a file's content to `path` (replacing a file only if `overwrite`).
    SaveFileContent {
        path: std::path::PathBuf,
        bytes: crate::model::file_content::FileBytes,
        overwrite: bool,
    },
    // workflow: `:info`
    /// Ask the engine about itself (`docker info`, `docker version`).
    LoadEngineDetails,
}
