//! Engine-facing handlers: the connection, the event stream, and the lists it feeds.

use crate::docker::{
    ContainerId, ContainerRecord, EngineError, EngineErrorKind, EngineEvent, EngineInfo,
    EventSubject, FileChange, HistoryRecord, ImageId, ImageRecord,
};
use std::time::Duration;

use crate::effect::Effect;

use super::{EngineStatus, OpenView, PendingSelection, State, backoff};
use crate::flows::OpenForm;
use crate::job::JobSpec;
use crate::model::popup::{Pending, Popup};

/// An event stream that ran this long was healthy; its end starts the backoff over.
const STABLE_STREAM: Duration = Duration::from_secs(30);

impl State {
    pub(crate) fn on_connected(&mut self, info: EngineInfo, effects: &mut Vec<Effect>) {
        self.engine = EngineStatus::Connected(info);
        self.ever_connected = true;
        self.connect_attempts = 0;
        self.layers.reset_requests();
        self.images_reload.reset();
        self.containers_reload.reset();
        self.inspecting.clear();
        effects.push(Effect::WatchEvents);
        self.load_images(effects);
        self.load_containers(effects);
        if let Some(image) = self.layers.reload() {
            effects.push(Effect::LoadHistory { image });
        }
        if let Some(view) = self.changes_view() {
            effects.push(Effect::LoadChanges {
                container: view.container.clone(),
            });
        }
        self.start_awaiting_files(effects);
    }

    pub(crate) fn on_connect_failed(&mut self, error: EngineError, effects: &mut Vec<Effect>) {
        let attempt = self.connect_attempts;
        self.connect_attempts = self.connect_attempts.saturating_add(1);
        let retry_in = backoff(attempt);
        self.engine = EngineStatus::Down {
            error,
            attempt: self.connect_attempts,
            retry_in,
        };
        effects.push(Effect::ConnectEngine { after: retry_in });
        self.start_awaiting_files(effects);
    }

    /// A request found the engine gone: reconnect (once) and say so.
    fn engine_lost(&mut self, error: EngineError, effects: &mut Vec<Effect>) {
        if !self.is_connected() {
            return;
        }
        self.layers.reset_requests();
        self.images_reload.reset();
        self.containers_reload.reset();
        self.on_connect_failed(error, effects);
    }

    pub(crate) fn on_events_ended(
        &mut self,
        error: Option<EngineError>,
        lasted: Duration,
        effects: &mut Vec<Effect>,
    ) {
        if !self.is_connected() {
            return;
        }
        if lasted >= STABLE_STREAM {
            self.events_failures = 0;
        }
        match error {
            Some(e) if e.kind == EngineErrorKind::Unreachable => self.engine_lost(e, effects),
            error => {
                // The stream closed (an engine restart, a proxy timeout): check the engine and
                // start over, reloading what may have changed meanwhile. A stream that keeps
                // ending at once (a proxy that refuses /events) waits longer each time.
                self.engine = EngineStatus::Connecting;
                let retry_in = backoff(self.events_failures);
                self.events_failures = self.events_failures.saturating_add(1);
                if let (Some(e), true) = (error, self.events_failures > 1) {
                    self.error(format!(
                        "live updates stopped: {e} — trying again in {:.0} s",
                        retry_in.as_secs_f32().ceil()
                    ));
                }
                effects.push(Effect::ConnectEngine { after: retry_in });
            }
        }
    }

    /// Sorts an engine error: a lost engine reconnects, anything else is the caller's to show.
    fn engine_error(
        &mut self,
        error: EngineError,
        effects: &mut Vec<Effect>,
    ) -> Option<EngineError> {
        if error.kind == EngineErrorKind::Unreachable {
            self.engine_lost(error, effects);
            None
        } else {
            Some(error)
        }
    }

    pub(crate) fn on_engine_event(&mut self, event: EngineEvent, effects: &mut Vec<Effect>) {
        if event.subject == EventSubject::Image {
            // A list in flight may predate this change (and bring a deleted image back, or
            // drop a new tag): list again once it has arrived.
            self.images_reload.stale();
        }
        match (event.subject, event.action.as_str()) {
            (EventSubject::Image, "delete") => {
                if let Some(stale) = self.inspecting.get_mut(&event.id) {
                    *stale = true;
                }
                let id = ImageId(event.id);
                if self.images.remove(&id) {
                    self.layers.forget(&id);
                    self.sync_layers(effects);
                }
            }
            (EventSubject::Image, "prune") => self.load_images(effects),
            (EventSubject::Image, action) => {
                // A container shows its image by the name it was made from while that name
                // still means the same image, else by ID: ask again when such a name moved.
                let used = self
                    .containers
                    .records()
                    .iter()
                    .any(|c| c.image_id.0 == event.id);
                if used && matches!(action, "untag" | "tag") {
                    self.load_containers(effects);
                }
                self.inspect_image(event.id, effects)
            }
            (EventSubject::Container, action) => {
                if action == "commit" {
                    self.load_images(effects);
                }
                self.load_containers(effects);
            }
        }
    }

    // ----- switching engines (flows/context.rs) -------------------------------------------

    /// A new engine starts its reconnect backoff from the start.
    pub(crate) fn reset_connection_counters(&mut self) {
        self.connect_attempts = 0;
        self.events_failures = 0;
    }

    /// Nothing asked of the previous engine is awaited any more.
    pub(crate) fn forget_engine_requests(&mut self) {
        self.layers.reset_requests();
        self.images_reload.reset();
        self.containers_reload.reset();
        self.inspecting.clear();
        self.pending_selection = None;
    }

    // ----- images -------------------------------------------------------------------------

    pub(crate) fn load_images(&mut self, effects: &mut Vec<Effect>) {
        if self.images_reload.request() {
            effects.push(Effect::LoadImages);
        }
    }

    pub(crate) fn on_images_loaded(
        &mut self,
        result: Result<Vec<ImageRecord>, EngineError>,
        effects: &mut Vec<Effect>,
    ) {
        if self.images_reload.answered() {
            effects.push(Effect::LoadImages);
        }
        match result {
            Ok(records) => {
                self.images.set_records(records);
                self.select_pending(true);
                self.sync_layers(effects);
                // Registries people use: a new local image of the shown repository.
                self.ask_local_platforms(effects);
            }
            Err(e) => {
                if let Some(e) = self.engine_error(e, effects) {
                    self.images.error = Some(e.to_string());
                }
            }
        }
    }

    pub(crate) fn on_image_inspected(
        &mut self,
        reference: String,
        result: Result<Option<ImageRecord>, EngineError>,
        effects: &mut Vec<Effect>,
    ) {
        let stale = self.inspecting.remove(&reference) == Some(true);
        if stale && result.is_ok() {
            // The image changed after this lookup was sent (an untag's lookup can answer
            // after the delete that followed it): ask again rather than bring it back.
            return self.inspect_image(reference, effects);
        }
        match result {
            Ok(Some(record)) => {
                self.images.upsert(record);
                self.select_pending(false);
            }
            Ok(None) => {
                let gone = ImageId(reference);
                if self.images.remove(&gone) {
                    self.layers.forget(&gone);
                }
            }
            Err(e) => {
                if self.engine_error(e, effects).is_some() {
                    // The single lookup failed; the full list will tell.
                    self.load_images(effects);
                }
                return;
            }
        }
        self.sync_layers(effects);
    }

    /// Looks an image up, one lookup per reference at a time: with one in flight, its answer
    /// is marked stale and the lookup repeated when it arrives.
    pub(crate) fn inspect_image(&mut self, reference: String, effects: &mut Vec<Effect>) {
        match self.inspecting.get_mut(&reference) {
            Some(stale) => *stale = true,
            None => {
                self.inspecting.insert(reference.clone(), false);
                effects.push(Effect::InspectImage { reference });
            }
        }
    }

    /// Selects the image a finished job made, once it is in the list.
    /// Remembers an image to select once it shows up, and tries at once.
    pub(crate) fn select_when_listed(&mut self, reference: String, effects: &mut Vec<Effect>) {
        self.pending_selection = Some(PendingSelection {
            reference,
            lists_left: 2,
        });
        self.select_pending(false);
        self.sync_layers(effects);
    }

    /// Tries the pending selection; `full_list` counts against its patience.
    fn select_pending(&mut self, full_list: bool) {
        let Some(pending) = self.pending_selection.as_mut() else {
            return;
        };
        if self.images.select_reference(&pending.reference) {
            self.pending_selection = None;
        } else if full_list {
            pending.lists_left = pending.lists_left.saturating_sub(1);
            if pending.lists_left == 0 {
                self.pending_selection = None;
            }
        }
    }

    /// The user moved the images selection: nothing pending may take it over later.
    pub(crate) fn forget_pending_selection(&mut self) {
        self.pending_selection = None;
    }

    /// Points the layers pane at the images pane's selection.
    pub(crate) fn sync_layers(&mut self, effects: &mut Vec<Effect>) {
        let (image, label) = match self.images.selected_row() {
            Some(row) => (Some(row.image.clone()), row.reference()),
            None => (None, String::new()),
        };
        self.follow_selection_with_tags(effects);
        if let Some(image) = self.layers.show(image, label) {
            if self.is_connected() {
                effects.push(Effect::LoadHistory { image });
            } else {
                self.layers.reset_requests();
            }
        }
    }

    pub(crate) fn on_history_loaded(
        &mut self,
        image: ImageId,
        result: Result<Vec<HistoryRecord>, EngineError>,
        effects: &mut Vec<Effect>,
    ) {
        let result = match result {
            Ok(records) => Ok(records),
            Err(e) => match self.engine_error(e, effects) {
                Some(e) => Err(e.to_string()),
                None => return,
            },
        };
        if let Some(next) = self.layers.loaded(image, result) {
            effects.push(Effect::LoadHistory { image: next });
        }
    }

    // ----- containers ---------------------------------------------------------------------

    pub(crate) fn load_containers(&mut self, effects: &mut Vec<Effect>) {
        if self.containers_reload.request() {
            effects.push(Effect::LoadContainers);
        }
    }

    pub(crate) fn on_containers_loaded(
        &mut self,
        result: Result<Vec<ContainerRecord>, EngineError>,
        effects: &mut Vec<Effect>,
    ) {
        if self.containers_reload.answered() {
            effects.push(Effect::LoadContainers);
        }
        match result {
            Ok(records) => {
                self.containers.set_records(records);
                self.notice_gone_containers();
                self.select_started_container();
            }
            Err(e) => {
                if let Some(e) = self.engine_error(e, effects) {
                    self.containers.error = Some(e.to_string());
                }
            }
        }
    }

    /// Views and forms about a container that no longer exists say so and stop there.
    fn notice_gone_containers(&mut self) {
        // A question about committing a container that is gone has nothing to answer: drop
        // it, so a "yes" cannot start a commit that must fail, and the form says why.
        let containers = &self.containers;
        self.popups.retain(|popup| match popup {
            Popup::Confirm(confirm) => match &confirm.pending {
                Pending::StartJob {
                    spec: JobSpec::Commit(request),
                    ..
                } => containers.get(&request.container).is_some(),
                _ => true,
            },
            _ => true,
        });
        if let Some(OpenForm::Commit(form)) = &mut self.form {
            let fields = &form.fields;
            if self.containers.get(&fields.container).is_none() {
                form.error = Some(format!(
                    "container {} no longer exists — Esc closes this form",
                    fields.container_name
                ));
            }
        }
        if let Some(OpenView::Changes(view)) = &mut self.view
            && self.containers.get(&view.container).is_none()
        {
            let name = view.container_name.clone();
            view.set_error(format!("container {name} no longer exists"));
        }
    }

    pub(crate) fn on_changes_loaded(
        &mut self,
        container: ContainerId,
        result: Result<Vec<FileChange>, EngineError>,
        effects: &mut Vec<Effect>,
    ) {
        let result = match result {
            Ok(changes) => Ok(changes),
            Err(e) => match self.engine_error(e, effects) {
                Some(e) if e.kind == EngineErrorKind::NotFound => {
                    Err("the container no longer exists".to_string())
                }
                Some(e) => Err(e.to_string()),
                None => return,
            },
        };
        let Some(view) = self.changes_view_mut().filter(|v| v.container == container) else {
            return;
        };
        match result {
            Ok(changes) => view.set_changes(changes),
            Err(message) => view.set_error(message),
        }
    }
}
