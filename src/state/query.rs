//! Reading the state from outside the crate (tests, benchmarks, tools): what is on screen
//! and what the user is doing, without reaching into fields that may change shape.

use crate::flows::OpenForm;
use crate::model::changes::ChangesView;
use crate::model::containers::ContainersState;
use crate::model::form::FormView;
use crate::model::images::ImagesState;
use crate::model::jobs::Jobs;
use crate::model::layers::LayersState;
use crate::model::popup::Popup;
use crate::model::tags::TagsState;

use super::command::CommandLine;
use super::{EngineStatus, Pane, State, StatusMessage};

/// Which form is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Commit,
    Pull,
    Tag,
    Import,
    Login,
    OpenRepository,
    Run,
    /// files view: where to save a file's content.
    SaveFile,
}

impl State {
    pub fn focus(&self) -> Pane {
        self.focus
    }

    pub fn engine_status(&self) -> &EngineStatus {
        &self.engine
    }

    pub fn images(&self) -> &ImagesState {
        &self.images
    }

    pub fn layers(&self) -> &LayersState {
        &self.layers
    }

    pub fn containers(&self) -> &ContainersState {
        &self.containers
    }

    pub fn tags(&self) -> &TagsState {
        &self.tags
    }

    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// The writable-layer view, when open.
    pub fn changes(&self) -> Option<&ChangesView> {
        self.changes_view()
    }

    /// files view: the open files view.
    pub fn files(&self) -> Option<&crate::model::files::FilesView> {
        self.files_view()
    }
    /// The logs view, when open.
    pub fn logs(&self) -> Option<&crate::model::logs_view::LogsView> {
        self.logs_view()
    }

    /// files view: the file content shown over the tree.
    pub fn file_content(&self) -> Option<&crate::model::file_content::ContentPane> {
        self.files_view().and_then(|v| v.content.as_deref())
    }

    /// The open form, as drawn.
    pub fn form(&self) -> Option<FormView<'_>> {
        self.form.as_ref().map(OpenForm::view)
    }

    pub fn form_kind(&self) -> Option<FormKind> {
        self.form.as_ref().map(|open| match open {
            OpenForm::Commit(_) => FormKind::Commit,
            OpenForm::Pull(_) => FormKind::Pull,
            OpenForm::Tag(_) => FormKind::Tag,
            OpenForm::Import(_) => FormKind::Import,
            OpenForm::Login(_) => FormKind::Login,
            OpenForm::OpenRepository(_) => FormKind::OpenRepository,
            OpenForm::Run(_) => FormKind::Run,
            OpenForm::SaveFile(_) => FormKind::SaveFile,
        })
    }

    /// The open form with its typed fields (what it is for, e.g. which container).
    pub fn open_form(&self) -> Option<&OpenForm> {
        self.form.as_ref()
    }

    /// Popups, bottom first; the last one has the keys.
    pub fn popups(&self) -> &[Popup] {
        &self.popups
    }

    pub fn top_popup(&self) -> Option<&Popup> {
        self.popups.last()
    }

    pub fn command_line(&self) -> Option<&CommandLine> {
        self.command_line.as_ref()
    }

    /// The status line.
    pub fn status(&self) -> Option<&StatusMessage> {
        self.status.as_ref()
    }

    /// The status line's text, or "" when there is none.
    pub fn status_text(&self) -> &str {
        self.status.as_ref().map_or("", |s| s.text.as_str())
    }

    /// The user asked to quit.
    pub fn wants_quit(&self) -> bool {
        self.quit
    }

    /// The user asked for the screen to be cleared (Ctrl-L).
    pub fn wants_clear(&self) -> bool {
        self.clear_screen
    }

    // ----- remote engines and contexts -----

    /// Answers from engines older than this generation are dropped.
    pub fn engine_generation(&self) -> u64 {
        self.engine_generation
    }

    /// The context (or `DOCKER_HOST`, `--host` …) the engine address came from.
    pub fn engine_context(&self) -> Option<&str> {
        self.engine_context.as_deref()
    }

    /// The engine address wharf uses now.
    pub fn engine_target(&self) -> &str {
        &self.engine_target
    }

    /// The engine as the header names it: its context, or its address when none.
    pub fn engine_name(&self) -> &str {
        self.engine_context().unwrap_or(&self.engine_target)
    }

    /// The engine answered before and does not now: the connection was lost.
    pub fn connection_lost(&self) -> bool {
        self.ever_connected && !self.is_connected()
    }

    /// The lists on screen came from before the connection was lost.
    pub fn lists_stale(&self) -> bool {
        self.connection_lost()
    }

    /// The contexts popup, when it is open.
    pub fn contexts_popup(&self) -> Option<&crate::model::contexts::ContextsPopup> {
        self.popups.iter().rev().find_map(|popup| match popup {
            Popup::Contexts(popup) => Some(popup),
            _ => None,
        })
    }
}
