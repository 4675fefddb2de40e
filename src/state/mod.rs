//! The state: one [`State`] owns the models of every pane, popup and input, and
//! `State::update` is pure: it takes a message, changes the state and returns effects for
//! the executor. No I/O, no clock, no terminal.
//!
//! Here live the handlers that concern the whole screen: `keys` (input routing, focus,
//! navigation, filters), `command` (the `:` line), `engine` (connection, events, the lists),
//! `remote` (the tags pane and the catalog), `jobs` (starting and finishing jobs). What a
//! user does (pull, tag, commit, …) lives in [`crate::flows`], one module each; the models
//! in [`crate::model`]; `query` is the read API for code outside the crate.

pub mod command;
mod engine;
mod jobs;
mod keys;
mod mouse;
pub mod query;

pub use query::FormKind;
mod remote;
// Registries people use: no catalog, Harbor projects, Hub namespaces and search.
mod browse;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::Config;
use crate::config::keymap::{Keymap, Scope};
use crate::docker::{EngineError, EngineInfo};
use crate::effect::Effect;
use crate::flows::OpenForm;
use crate::flows::import::TypedImport;
use crate::flows::retry::Retry;
use crate::msg::Msg;

use crate::model::changes::ChangesView;
use crate::model::containers::ContainersState;
use crate::model::drawn::{Area, Drawn};
use crate::model::files::{FilesLoadId, FilesView};
use crate::model::images::ImagesState;
use crate::model::jobs::Jobs;
use crate::model::layers::LayersState;
use crate::model::popup::{Popup, Severity};
use crate::model::tags::TagsState;
use command::{CommandHistory, CommandLine};

/// The panes. Tab cycles through the first four; the jobs pane is reached with `5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Images,
    Layers,
    Containers,
    Tags,
    Jobs,
}

impl Pane {
    /// Tab order.
    pub const ORDER: [Pane; 4] = [Pane::Images, Pane::Layers, Pane::Containers, Pane::Tags];

    /// The keymap table consulted while this pane has the focus.
    pub fn scope(self) -> Scope {
        match self {
            Pane::Images => Scope::Images,
            Pane::Layers => Scope::Layers,
            Pane::Containers => Scope::Containers,
            Pane::Tags => Scope::Tags,
            Pane::Jobs => Scope::Jobs,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Images => "Images",
            Pane::Layers => "Layers",
            Pane::Containers => "Containers",
            Pane::Tags => "Tags",
            Pane::Jobs => "Jobs",
        }
    }

    fn index(self) -> usize {
        match self {
            Pane::Images => 0,
            Pane::Layers => 1,
            Pane::Containers => 2,
            Pane::Tags => 3,
            Pane::Jobs => 4,
        }
    }

    fn step(self, forward: bool) -> Pane {
        let n = Pane::ORDER.len();
        let i = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(n - 1);
        Pane::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// A full-height view over the panes: keys go to it, Esc closes it; one at a time.
#[derive(Debug)]
pub enum OpenView {
    /// A container's writable layer (Enter on a container).
    Changes(ChangesView),
    // files view (issue 10): an image's layers and their files.
    /// An image's layers and their files (`f`, `:files`).
    Files(FilesView),
    // workflow
    /// A container's logs, following live (`l`, `:logs`).
    Logs(crate::model::logs_view::LogsView),
}

impl OpenView {
    /// The keymap table while this view has the keys.
    pub fn scope(&self) -> Scope {
        match self {
            OpenView::Changes(_) => Scope::Changes,
            OpenView::Files(_) => Scope::Files,
            OpenView::Logs(_) => Scope::Logs,
        }
    }
}

/// Where each pane was drawn (empty when not on screen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaneAreas([Area; 5]);

impl PaneAreas {
    pub fn set(&mut self, pane: Pane, area: Area) {
        self.0[pane.index()] = area;
    }

    /// The pane drawn at this cell.
    pub fn pane_at(&self, column: u16, row: u16) -> Option<Pane> {
        [
            Pane::Images,
            Pane::Layers,
            Pane::Containers,
            Pane::Tags,
            Pane::Jobs,
        ]
        .into_iter()
        .find(|pane| self.0[pane.index()].contains(column, row))
    }
}

/// Where the engine connection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineStatus {
    /// Connecting for the first time, or again after the event stream ended.
    Connecting,
    Connected(EngineInfo),
    /// Unreachable; another attempt follows after `retry_in`.
    Down {
        error: EngineError,
        attempt: u32,
        retry_in: Duration,
    },
}

/// The line at the bottom: the outcome of the last action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub severity: Severity,
}

/// Pause before reconnect attempt `attempt` (0-based): quick at first, then every 15 s.
pub fn backoff(attempt: u32) -> Duration {
    let millis = 250u64.saturating_mul(1 << attempt.min(6));
    Duration::from_millis(millis.min(15_000))
}

/// A list loaded with one request at a time; a request made while one is in flight runs
/// once the first answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Reload {
    in_flight: bool,
    again: bool,
}

impl Reload {
    /// Whether a request should start now.
    fn request(&mut self) -> bool {
        if self.in_flight {
            self.again = true;
            false
        } else {
            self.in_flight = true;
            true
        }
    }

    /// An answer arrived; whether to ask again.
    fn answered(&mut self) -> bool {
        self.in_flight = false;
        std::mem::take(&mut self.again) && self.request()
    }

    /// Something changed after the request in flight was sent: its answer may be outdated,
    /// so ask again once it arrives.
    fn stale(&mut self) {
        if self.in_flight {
            self.again = true;
        }
    }

    /// The engine went away: nothing is in flight any more.
    fn reset(&mut self) {
        *self = Reload::default();
    }
}

/// An image to select once it shows up (after a commit, pull, import or tag). It waits for
/// the lookup and at most two full lists, and gives way as soon as the user moves the
/// selection: a late answer must not yank it away.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PendingSelection {
    reference: String,
    lists_left: u8,
}

/// Everything wharf shows and knows; owned by the event loop alone.
#[derive(Debug)]
pub struct State {
    /// The engine address, for messages while it cannot be reached.
    pub(crate) engine_target: String,
    pub(crate) engine: EngineStatus,
    connect_attempts: u32,
    /// Event streams in a row that ended soon after they started: a stream that keeps
    /// failing must not turn into reconnecting (and reloading) four times a second.
    events_failures: u32,
    pub(crate) focus: Pane,
    pub(crate) images: ImagesState,
    pub(crate) layers: LayersState,
    pub(crate) containers: ContainersState,
    pub(crate) tags: TagsState,
    /// Counts selection changes so only the last one loads tags.
    tags_settle_generation: u64,
    /// The repository the current pause is for.
    tags_settle_for: Option<crate::registry::RepositoryRef>,
    /// The full-height view over the panes, when one is open.
    pub(crate) view: Option<OpenView>,
    pub(crate) jobs: Jobs,
    pub(crate) form: Option<OpenForm>,
    /// An import typed on the command line whose file is being checked.
    pub(crate) typed_import: Option<TypedImport>,
    pub(crate) popups: Vec<Popup>,
    pub(crate) command_line: Option<CommandLine>,
    command_history: CommandHistory,
    pub(crate) status: Option<StatusMessage>,
    pub(crate) keymap: Keymap,
    /// Set when the user asked to quit.
    pub(crate) quit: bool,
    /// Set by Ctrl-L: clear the terminal before the next frame.
    pub(crate) clear_screen: bool,
    /// Set by Ctrl-Z: hand the terminal back to the shell until resumed.
    pub(crate) suspend: bool,
    /// Whether wharf takes the mouse (clicks, wheel) or leaves it to the terminal's own
    /// text selection.
    pub(crate) mouse_capture: bool,
    /// Where each pane was last drawn, for clicks.
    pub(crate) pane_areas: Drawn<PaneAreas>,
    images_reload: Reload,
    containers_reload: Reload,
    /// Image lookups in flight, one per reference; `true` when its answer may be stale (the
    /// image was deleted, or another event about it came, after it was asked for).
    inspecting: HashMap<String, bool>,
    /// An image reference to select as soon as it shows up (after a commit).
    pending_selection: Option<PendingSelection>,
    /// What failed for want of credentials, to run again after a login.
    pub(crate) retry: Option<Retry>,
    /// The user's home directory, for `~/` in typed paths.
    pub(crate) home: Option<PathBuf>,
    // ----- remote engines and contexts -----
    /// Counts engine switches; answers stamped with another generation are dropped.
    pub(crate) engine_generation: u64,
    /// The context (or `DOCKER_HOST`, `--host` …) the engine address came from.
    pub(crate) engine_context: Option<String>,
    /// A context was chosen in wharf: the contexts popup marks it, not the docker CLI's.
    pub(crate) switched_context: bool,
    /// Write a switch as the docker CLI's `currentContext` (`[engine]
    /// write_current_context`).
    pub(crate) write_current_context: bool,
    /// This engine answered once: failing now means the connection was lost.
    pub(crate) ever_connected: bool,
    /// files view: the last load started, so answers for older ones are dropped.
    pub(crate) files_loads: FilesLoadId,
    // workflow: what follows a run (select the container, run after a pull).
    pub(crate) run_follow_up: crate::flows::run::RunFollowUp,
    /// The logs view last opened, and the stream still running for it.
    pub(crate) logs_generation: u64,
    pub(crate) logs_following: Option<u64>,
    /// The image `:deploy-registry` runs (`[local_registry] image`).
    pub(crate) registry_image: String,
    /// The docker contexts as last listed, for Tab after `:context` (`None`: not yet).
    pub(crate) context_names: Option<Vec<String>>,
    /// Tab after `:context` asked for the list: complete when it comes.
    pub(crate) complete_when_contexts_listed: bool,
}

impl State {
    pub fn new(config: &Config, engine_target: String, home: Option<PathBuf>) -> Self {
        State {
            engine_target,
            engine: EngineStatus::Connecting,
            connect_attempts: 0,
            events_failures: 0,
            focus: Pane::Images,
            images: ImagesState::new(
                config.images.sort,
                config.images.reverse,
                config.images.show_dangling,
            ),
            layers: LayersState::default(),
            containers: ContainersState::default(),
            tags: TagsState::with_hosts(config.registries.hosts.clone()),
            tags_settle_generation: 0,
            tags_settle_for: None,
            view: None,
            jobs: Jobs::default(),
            form: None,
            typed_import: None,
            popups: Vec::new(),
            command_line: None,
            command_history: CommandHistory::default(),
            status: None,
            keymap: config.keymap.clone(),
            quit: false,
            clear_screen: false,
            suspend: false,
            mouse_capture: config.ui.mouse,
            pane_areas: Drawn::default(),
            images_reload: Reload::default(),
            containers_reload: Reload::default(),
            inspecting: HashMap::new(),
            pending_selection: None,
            retry: None,
            home,
            engine_generation: 0,
            engine_context: None,
            switched_context: false,
            write_current_context: config.engine.write_current_context,
            ever_connected: false,
            files_loads: 0,
            run_follow_up: Default::default(),
            logs_generation: 0,
            logs_following: None,
            registry_image: config.local_registry.image.clone(),
            context_names: None,
            complete_when_contexts_listed: false,
        }
    }

    /// Effects to run at start.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![Effect::ConnectEngine {
            after: Duration::ZERO,
        }]
    }

    /// Applies one message.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = Vec::new();
        match msg {
            Msg::Key(key) => self.on_key(key, &mut effects),
            Msg::Paste(text) => self.on_paste(&text.0, &mut effects),
            Msg::Resize => {}
            Msg::Mouse(event) => self.on_mouse(event, &mut effects),
            Msg::EngineConnected(info) => self.on_connected(info, &mut effects),
            Msg::EngineFailed(error) => self.on_connect_failed(error, &mut effects),
            Msg::ImagesLoaded(result) => self.on_images_loaded(result, &mut effects),
            Msg::ImageInspected { reference, result } => {
                self.on_image_inspected(reference, result, &mut effects)
            }
            Msg::HistoryLoaded { image, result } => {
                self.on_history_loaded(image, result, &mut effects)
            }
            Msg::ContainersLoaded(result) => self.on_containers_loaded(result, &mut effects),
            Msg::ChangesLoaded { container, result } => {
                self.on_changes_loaded(container, result, &mut effects)
            }
            Msg::JobProgress { id, progress } => self.jobs.set_progress(id, progress),
            Msg::JobFinished { id, result } => self.on_job_finished(id, result, &mut effects),
            Msg::Tagged(tagged) => self.on_tagged(tagged, &mut effects),
            Msg::Removed(removed) => self.on_removed(removed),
            Msg::Login(msg) => self.on_login_msg(msg),
            Msg::PathCompleted { typed, completion } => self.on_path_completed(typed, completion),
            Msg::ImportFileChecked(checked) => self.on_import_file_checked(checked, &mut effects),
            Msg::TagsSettled { generation } => self.on_tags_settled(generation, &mut effects),
            Msg::TagsLoaded { generation, result } => {
                self.on_tags_loaded(generation, result, &mut effects)
            }
            Msg::TagDigestLoaded {
                generation,
                tag,
                result,
            } => self.on_tag_digest_loaded(generation, tag, result, &mut effects),
            Msg::TagDetailLoaded {
                generation,
                tag,
                result,
            } => self.on_tag_detail_loaded(generation, tag, result, &mut effects),
            // Registries people use (Hub, Harbor, no catalog):
            Msg::ImagePlatformLoaded { image, result } => self.on_image_platform(image, result),
            Msg::RemoteTagsLoaded { generation, result } => {
                self.on_remote_tags_loaded(generation, result, &mut effects)
            }
            Msg::RateLimitSeen { registry, limit } => {
                self.tags.rate_limits.insert(registry, limit);
            }
            Msg::RepositoriesRemembered(remembered) => self.on_remembered(remembered),
            Msg::HarborProjectsLoaded { generation, result } => {
                self.on_harbor_projects(generation, result, &mut effects)
            }
            Msg::HarborRepositoriesLoaded { generation, result } => {
                self.on_harbor_repositories(generation, result, &mut effects)
            }
            Msg::HubNamespaceLoaded { generation, result } => {
                self.on_hub_namespace(generation, result, &mut effects)
            }
            Msg::HubSearchLoaded { generation, result } => {
                self.on_hub_search(generation, result, &mut effects)
            }
            Msg::CatalogLoaded { generation, result } => {
                self.on_catalog_loaded(generation, result, &mut effects)
            }
            Msg::EngineEvent(event) => self.on_engine_event(event, &mut effects),
            Msg::EventsEnded { error, lasted } => self.on_events_ended(error, lasted, &mut effects),
            // Remote engines and contexts.
            Msg::Engine { generation, msg } => return self.on_engine_msg(generation, *msg),
            Msg::Context(msg) => self.on_context_msg(msg, &mut effects),
            // files view
            Msg::Files(msg) => self.on_files_msg(msg, &mut effects),
            // workflow
            Msg::Logs(msg) => self.on_logs_msg(msg),
            Msg::Lifecycle(done) => self.on_lifecycle_done(done, &mut effects),
            Msg::SessionEnded(ended) => self.on_session_ended(ended, &mut effects),
            Msg::FileContent(msg) => self.on_content_msg(msg),
            // workflow: `:info`
            Msg::EngineDetails(result) => self.on_engine_details(result),
        }
        self.stop_logs_of_closed_view(&mut effects);
        effects
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.engine, EngineStatus::Connected(_))
    }

    /// Whether keys reach the open view or the focused pane: no popup, form or command line
    /// is in front of them.
    pub fn keys_reach_view(&self) -> bool {
        self.popups.is_empty() && self.form.is_none() && self.command_line.is_none()
    }

    /// Whether keys reach the focused pane: also no view (a container's changes) over it.
    pub fn keys_reach_panes(&self) -> bool {
        self.keys_reach_view() && self.view.is_none()
    }

    /// The keymap table for the current context: an open view's, else the focused pane's.
    pub fn scope(&self) -> Scope {
        if let Some(view) = &self.view {
            view.scope()
        } else if self.focus == Pane::Tags && self.tags.catalog.is_some() {
            Scope::Catalog
        } else {
            self.focus.scope()
        }
    }

    /// The writable-layer view, when it is the open view.
    pub(crate) fn changes_view(&self) -> Option<&ChangesView> {
        match &self.view {
            Some(OpenView::Changes(view)) => Some(view),
            _ => None,
        }
    }

    pub(crate) fn changes_view_mut(&mut self) -> Option<&mut ChangesView> {
        match &mut self.view {
            Some(OpenView::Changes(view)) => Some(view),
            _ => None,
        }
    }

    /// The logs view, when it is the open view.
    pub(crate) fn logs_view(&self) -> Option<&crate::model::logs_view::LogsView> {
        match &self.view {
            Some(OpenView::Logs(view)) => Some(view),
            _ => None,
        }
    }

    pub(crate) fn logs_view_mut(&mut self) -> Option<&mut crate::model::logs_view::LogsView> {
        match &mut self.view {
            Some(OpenView::Logs(view)) => Some(view),
            _ => None,
        }
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.status = Some(StatusMessage {
            text: text.into(),
            severity: Severity::Info,
        });
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.status = Some(StatusMessage {
            text: text.into(),
            severity: Severity::Error,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reload_coalesces_requests() {
        let mut r = Reload::default();
        assert!(r.request());
        assert!(!r.request());
        assert!(!r.request());
        assert!(
            r.answered(),
            "one more request for everything asked meanwhile"
        );
        assert!(!r.answered());
        assert!(r.request());
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(30), Duration::from_secs(15));
    }
}
