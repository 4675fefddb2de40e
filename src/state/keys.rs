//! Input routing: the top popup, then an open form, the command line, the writable-layer
//! view, a filter being typed, and finally the keymap of the focused pane.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;
use crate::config::keymap::{KeyCombo, Scope};
use crate::effect::Effect;

use super::command::{self, Command, CommandLine};
use super::{OpenView, Pane, State};
use crate::model::changes::ChangesView;
use crate::model::filter::Filter;
use crate::model::form::FormKey;
use crate::model::line_editor::Edit;
use crate::model::popup::{Popup, Scroll};

impl State {
    pub(crate) fn on_key(&mut self, key: KeyEvent, effects: &mut Vec<Effect>) {
        let Some(combo) = KeyCombo::from_event(&key) else {
            return;
        };
        // A quit key with a modifier (Ctrl-C) works everywhere, even while typing.
        if !combo.mods.is_empty()
            && self.keymap.action_for(Scope::Global, combo) == Some(Action::Quit)
        {
            self.request_quit();
            return;
        }
        self.status = None;
        if !self.popups.is_empty() {
            self.on_popup_key(key, combo, effects);
        } else if self.form.is_some() {
            self.on_form_key(key, effects);
        } else if self.command_line.is_some() {
            self.on_command_key(key, effects);
        } else if self.logs_search_typing() {
            // workflow: the logs view's `/` search line
            self.on_logs_search_key(key);
        } else if self.filter_editing() {
            self.on_filter_key(key, effects);
        } else if key.code == KeyCode::Esc && key.modifiers == KeyModifiers::NONE {
            self.on_escape(effects);
        } else if let Some(action) = self.keymap.action_for(self.scope(), combo) {
            self.on_action(action, effects);
        }
    }

    /// Pasted text goes where typed text would, past the same guards: not under a popup,
    /// not into a form that is busy.
    pub(crate) fn on_paste(&mut self, text: &str, effects: &mut Vec<Effect>) {
        if !self.popups.is_empty() {
            return;
        }
        if let Some(open) = self.form.as_mut() {
            if !open.busy() {
                open.paste(text);
                self.check_form_live();
            }
        } else if let Some(line) = self.command_line.as_mut() {
            line.editor.insert_str(text);
        } else if self.filter_editing()
            && let Some(filter) = self.active_filter_mut()
            && filter.editor.insert_str(text) == Edit::Changed
        {
            self.filter_changed(effects);
        }
    }

    // ----- popups -------------------------------------------------------------------------

    fn on_popup_key(&mut self, key: KeyEvent, combo: KeyCombo, effects: &mut Vec<Effect>) {
        let action = self.keymap.action_for(Scope::Global, combo);
        let Some(popup) = self.popups.last_mut() else {
            return;
        };
        // Remote engines: the contexts popup chooses with Enter.
        if matches!(popup, Popup::Contexts(_)) {
            return self.on_contexts_key(key.code, action, effects);
        }
        if let Popup::Confirm(confirm) = popup {
            match key.code {
                KeyCode::Char('y' | 'Y') => self.answer_confirm(true, effects),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => self.answer_confirm(false, effects),
                KeyCode::Enter => {
                    let yes = confirm.yes_selected;
                    self.answer_confirm(yes, effects);
                }
                KeyCode::Left
                | KeyCode::Right
                | KeyCode::Tab
                | KeyCode::BackTab
                | KeyCode::Char('h' | 'l') => {
                    confirm.yes_selected = !confirm.yes_selected;
                }
                _ => {}
            }
            return;
        }
        let closes = matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q'))
            || (matches!(popup, Popup::Help { .. }) && action == Some(Action::Help));
        if closes {
            self.popups.pop();
        } else if let (Some(action), Some(scroll)) = (action, popup.scroll_mut()) {
            scroll.navigate(action);
        }
    }

    pub(crate) fn answer_confirm(&mut self, yes: bool, effects: &mut Vec<Effect>) {
        if let Some(Popup::Confirm(confirm)) = self.popups.pop() {
            if yes {
                self.run_pending(confirm.pending, effects);
            } else {
                self.info("cancelled");
            }
        }
    }

    // ----- forms --------------------------------------------------------------------------

    fn on_form_key(&mut self, key: KeyEvent, effects: &mut Vec<Effect>) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        if open.busy() && key.code != KeyCode::Esc {
            return;
        }
        if key.code == KeyCode::Tab && self.tab_in_form(effects) {
            return;
        }
        let Some(open) = self.form.as_mut() else {
            return;
        };
        match open.handle_key(key) {
            FormKey::Edited => self.check_form_live(),
            FormKey::Cancel => self.form = None,
            FormKey::Submit => self.submit_form(effects),
        }
    }

    // ----- command line -------------------------------------------------------------------

    /// Tab: completes the word at the end of the line from what wharf lists.
    pub(crate) fn complete_command_line(&mut self) {
        let Some(line) = self.command_line.as_mut() else {
            return;
        };
        line.complete(&command::KnownNames {
            containers: self.containers.records(),
            images: self.images.records(),
            contexts: self.context_names.as_deref().unwrap_or_default(),
        });
    }

    fn on_command_key(&mut self, key: KeyEvent, effects: &mut Vec<Effect>) {
        let Some(line) = self.command_line.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.command_line = None,
            KeyCode::Enter => {
                let text = line.editor.text().to_string();
                self.command_history.push(&text);
                match command::parse(&text) {
                    Ok(command) => {
                        self.command_line = None;
                        self.run_command(command, effects);
                    }
                    Err(message) => line.message = Some(message),
                }
            }
            KeyCode::Tab => {
                if command::takes_contexts(line.editor.text()) && self.context_names.is_none() {
                    // Read from disk once, by the executor; completed when they come.
                    self.complete_when_contexts_listed = true;
                    effects.push(Effect::ListContexts);
                } else {
                    self.complete_command_line();
                }
            }
            KeyCode::Up => line.older(&self.command_history),
            KeyCode::Down => line.newer(&self.command_history),
            _ => {
                if line.editor.handle_key(key) == Edit::Changed {
                    line.message = None;
                }
            }
        }
    }

    fn run_command(&mut self, command: Command, effects: &mut Vec<Effect>) {
        match command {
            Command::Quit => self.request_quit(),
            Command::Help => self.on_action(Action::Help, effects),
            Command::Focus(pane) => self.focus_pane(pane, effects),
            Command::Commit {
                container,
                reference,
            } => self.open_commit_form_for(&container, Some(&reference)),
            Command::Pull(reference) => self.pull_now(&reference, effects),
            Command::Tag { source, target } => self.tag_by_command(&source, &target, effects),
            Command::Push(reference) => self.push_now(&reference, effects),
            Command::Remove { name, force } => self.ask_remove(&name, force),
            Command::Import {
                path: Some(path),
                reference: Some(reference),
            } => self.import_now(&path, &reference, effects),
            Command::Import { path, reference } => {
                self.open_import_form(path.as_deref(), reference.as_deref())
            }
            Command::Login(registry) => self.open_login_form(registry.as_deref()),
            Command::Logout(registry) => self.logout(&registry, effects),
            Command::Repository(text) => self.open_repository_text(&text, effects),
            Command::Registry(host) => self.browse_registry(Some(host), effects),
            // Remote engines and contexts.
            Command::Context(None) => self.open_contexts(effects),
            Command::Context(Some(name)) => self.switch_context(&name, effects),
            Command::Files { target, platform } => {
                self.open_files_typed(&target, platform.as_deref(), effects)
            }
            Command::Search(term) => self.search_hub(term, effects),
            // workflow
            Command::Run(Some(spec)) => self.run_now(*spec, effects),
            Command::Run(None) => self.open_run_form(),
            Command::Logs(name) => self.open_logs_named(&name, effects),
            // workflow: `:info`
            Command::Info => self.request_engine_info(effects),
            Command::Lifecycle { action, names } => self.container_action(action, &names, effects),
            Command::Rename { old, new } => self.rename_container(&old, &new, effects),
            Command::Exec { container, command } => self.exec_named(&container, command, effects),
            Command::DeployRegistry { port, data_dir } => {
                let spec = crate::job::JobSpec::DeployRegistry {
                    image: self.registry_image.clone(),
                    port,
                    data_dir,
                };
                self.start_job(format!("deploy a registry on port {port}"), spec, effects);
            }
            Command::RemoveContainers {
                force,
                volumes,
                names,
            } => self.ask_remove_containers(force, volumes, &names),
        }
    }

    // ----- filters ------------------------------------------------------------------------

    /// The filter of the open view or the focused pane, if it has one.
    fn active_filter_mut(&mut self) -> Option<&mut Filter> {
        if let Some(view) = &mut self.view {
            return match view {
                OpenView::Changes(view) => Some(&mut view.filter),
                OpenView::Files(view) => Some(&mut view.filter),
                OpenView::Logs(_) => None,
            };
        }
        match self.focus {
            Pane::Images => Some(&mut self.images.filter),
            Pane::Containers => Some(&mut self.containers.filter),
            Pane::Tags => match self.tags.catalog.as_mut() {
                Some(catalog) => Some(&mut catalog.filter),
                None => Some(&mut self.tags.filter),
            },
            _ => None,
        }
    }

    fn active_filter(&self) -> Option<&Filter> {
        if let Some(view) = &self.view {
            return match view {
                OpenView::Changes(view) => Some(&view.filter),
                OpenView::Files(view) => Some(&view.filter),
                OpenView::Logs(_) => None,
            };
        }
        match self.focus {
            Pane::Images => Some(&self.images.filter),
            Pane::Containers => Some(&self.containers.filter),
            Pane::Tags => match self.tags.catalog.as_ref() {
                Some(catalog) => Some(&catalog.filter),
                None => Some(&self.tags.filter),
            },
            _ => None,
        }
    }

    fn filter_editing(&self) -> bool {
        self.active_filter().is_some_and(|f| f.editing)
    }

    /// Re-applies the active filter to its list.
    fn filter_changed(&mut self, effects: &mut Vec<Effect>) {
        if let Some(view) = &mut self.view {
            match view {
                OpenView::Changes(view) => view.refresh(),
                OpenView::Files(view) => view.refresh(),
                OpenView::Logs(_) => {}
            }
            return;
        }
        match self.focus {
            Pane::Images => {
                self.forget_pending_selection();
                self.images.filter_changed();
                self.sync_layers(effects);
            }
            Pane::Containers => self.containers.refresh(),
            Pane::Tags => match self.tags.catalog.as_mut() {
                Some(catalog) => {
                    catalog.refresh();
                    // Few matches on screen: look further into the registry.
                    self.more_catalog(effects);
                }
                None => {
                    self.tags.refresh();
                    self.pump_tag_details(effects);
                }
            },
            _ => {}
        }
    }

    fn on_filter_key(&mut self, key: KeyEvent, effects: &mut Vec<Effect>) {
        let navigation = match key.code {
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::PageUp => Some(Action::PageUp),
            KeyCode::PageDown => Some(Action::PageDown),
            _ => None,
        };
        if let Some(action) = navigation {
            self.navigate(action, effects);
            return;
        }
        match key.code {
            KeyCode::Esc => {
                self.clear_filter(effects);
            }
            KeyCode::Enter => {
                if let Some(filter) = self.active_filter_mut() {
                    filter.editing = false;
                }
            }
            _ => {
                let changed = self
                    .active_filter_mut()
                    .is_some_and(|f| f.editor.handle_key(key) == Edit::Changed);
                if changed {
                    self.filter_changed(effects);
                }
            }
        }
    }

    /// Clears the active filter; returns whether there was one.
    fn clear_filter(&mut self, effects: &mut Vec<Effect>) -> bool {
        let Some(filter) = self.active_filter_mut().filter(|f| f.is_active()) else {
            return false;
        };
        filter.editing = false;
        filter.editor.clear();
        self.filter_changed(effects);
        true
    }

    /// Esc outside inputs: clear a filter, else close the open view, else go back from a
    /// repository opened on purpose to following the images selection.
    fn on_escape(&mut self, effects: &mut Vec<Effect>) {
        // files view: Esc leaves a file's content for the tree.
        if self.close_file_content() {
            return;
        }
        if self.clear_filter(effects) {
            return;
        }
        if self.files_view().is_some() {
            self.close_files(effects);
        } else if self.view.is_some() {
            self.view = None;
        } else if self.focus == Pane::Tags && self.tags.catalog.is_some() {
            // A Harbor project's repositories go back to the projects.
            self.tags.catalog = self.tags.catalog.take().and_then(|c| c.parent).map(|c| *c);
        } else if self.focus == Pane::Tags && self.tags.catalog_behind.is_some() {
            self.tags.catalog = self.tags.catalog_behind.take().map(|c| *c);
        } else if self.focus == Pane::Tags && self.tags.pinned {
            self.tags.pinned = false;
            self.follow_selection_with_tags(effects);
        } else if self.focus == Pane::Containers && self.containers.clear_marks() {
            self.info("marks cleared");
        }
    }

    // ----- actions ------------------------------------------------------------------------

    pub(crate) fn on_action(&mut self, action: Action, effects: &mut Vec<Effect>) {
        match action {
            Action::Quit => self.request_quit(),
            Action::Help => self.popups.push(Popup::Help {
                scroll: Scroll::default(),
            }),
            Action::CommandLine => self.command_line = Some(CommandLine::default()),
            Action::Redraw => self.clear_screen = true,
            Action::Suspend => self.suspend = true,
            Action::FocusNext => self.focus_pane(self.focus.step(true), effects),
            Action::FocusPrev => self.focus_pane(self.focus.step(false), effects),
            Action::FocusImages => self.focus_pane(Pane::Images, effects),
            Action::FocusLayers => self.focus_pane(Pane::Layers, effects),
            Action::FocusContainers => self.focus_pane(Pane::Containers, effects),
            Action::FocusTags => self.focus_pane(Pane::Tags, effects),
            Action::FocusJobs => self.focus_pane(Pane::Jobs, effects),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.navigate(action, effects),
            Action::Open => self.open_selected(effects),
            Action::Filter if self.active_filter().is_some() => {
                if let Some(filter) = self.active_filter_mut() {
                    filter.editing = true;
                }
            }
            Action::Sort if self.view.is_none() => self.sort_focused(false, effects),
            Action::ReverseSort if self.view.is_none() => self.sort_focused(true, effects),
            Action::ToggleAll if self.view.is_none() => self.toggle_all(effects),
            Action::Refresh => self.refresh(effects),
            Action::JumpToImage if self.focus == Pane::Containers && self.view.is_none() => {
                self.jump_to_image(effects)
            }
            Action::Commit if self.view.is_some() || self.focus == Pane::Containers => {
                self.open_commit_form()
            }
            Action::CancelJob if self.focus == Pane::Jobs => self.cancel_selected_job(effects),
            Action::Pull if self.focus == Pane::Tags && self.tags.catalog.is_none() => {
                self.pull_selected_tag(effects)
            }
            Action::Pull if self.view.is_none() => self.open_pull_form(None),
            Action::OpenRepository => self.open_repository_form(),
            Action::BrowseRegistry => self.browse_registry(None, effects),
            Action::Tag if self.focus == Pane::Images => self.open_tag_form(),
            Action::Push if self.focus == Pane::Images => self.push_selected(),
            Action::Remove if self.focus == Pane::Images => self.remove_selected(false),
            Action::ForceRemove if self.focus == Pane::Images => self.remove_selected(true),
            Action::Import if self.view.is_none() => self.open_import_form(None, None),
            Action::Login => self.open_login_form(None),
            Action::Retry => self.retry_last(effects),
            Action::ToggleMouse => self.toggle_mouse(),
            // Remote engines and contexts.
            Action::Contexts => self.open_contexts(effects),
            // files view (issue 10)
            Action::Files if self.view.is_none() => self.open_files_here(effects),
            Action::CancelLoad if self.files_view().is_some() => self.cancel_files(effects),
            Action::SaveFile if self.files_view().is_some() => self.save_file_key(effects),
            Action::Sort
            | Action::ToggleChanges
            | Action::OnlyChanges
            | Action::CollapseAll
            | Action::SwitchSide
            | Action::NextLayer
            | Action::PrevLayer
                if self.files_view().is_some() =>
            {
                if let Some(view) = self.files_view_mut() {
                    files_action(view, action);
                }
            }
            // workflow
            Action::Run if self.focus == Pane::Images && self.view.is_none() => {
                self.open_run_form()
            }
            Action::Logs if self.focus == Pane::Containers && self.view.is_none() => {
                self.open_selected_logs(effects)
            }
            Action::Filter if self.logs_view().is_some() => self.start_logs_search(),
            Action::Shell if self.focus == Pane::Containers && self.view.is_none() => {
                self.shell_in_selected(effects)
            }
            Action::Mark
            | Action::Start
            | Action::Stop
            | Action::Restart
            | Action::Pause
            | Action::Unpause
            | Action::Kill
            | Action::Rename
            | Action::Remove
            | Action::ForceRemove
            | Action::RemoveWithVolumes
                if self.focus == Pane::Containers && self.view.is_none() =>
            {
                self.on_lifecycle_key(action, effects)
            }
            Action::SearchNext | Action::SearchPrevious => {
                if let Some(view) = self.logs_view_mut() {
                    view.search_step(action == Action::SearchNext);
                }
            }
            Action::ToggleTimestamps if self.logs_view().is_some() => {
                if let Some(view) = self.logs_view_mut() {
                    view.buffer.toggle_timestamps();
                }
            }
            Action::ToggleWrap if self.logs_view().is_some() => {
                if let Some(view) = self.logs_view_mut() {
                    view.buffer.toggle_wrap();
                }
            }
            other => self.error(format!("\"{other}\" is not available here")),
        }
    }

    pub(crate) fn focus_pane(&mut self, pane: Pane, effects: &mut Vec<Effect>) {
        self.close_files(effects); // files view: its stream stops with it
        self.view = None;
        self.focus = pane;
        if pane == Pane::Tags {
            // Details that wait for the focus (Docker Hub) can come now.
            self.pump_tag_details(effects);
        }
    }

    pub(crate) fn navigate(&mut self, action: Action, effects: &mut Vec<Effect>) {
        if let Some(view) = &mut self.view {
            match view {
                OpenView::Changes(view) => {
                    view.navigate(action);
                }
                OpenView::Files(view) => {
                    view.navigate(action);
                }
                OpenView::Logs(view) => view.navigate(action),
            }
            return;
        }
        match self.focus {
            Pane::Images => {
                self.forget_pending_selection();
                self.images.navigate(action);
                self.sync_layers(effects);
            }
            Pane::Layers => {
                self.layers.navigate(action);
            }
            Pane::Containers => {
                self.containers.navigate(action);
            }
            Pane::Jobs => {
                self.jobs.navigate(action);
            }
            Pane::Tags => {
                self.tags.navigate(action);
                if self.tags.catalog.is_some() {
                    self.more_catalog(effects);
                } else {
                    self.pump_tag_details(effects);
                }
            }
        }
    }

    fn sort_focused(&mut self, reverse: bool, effects: &mut Vec<Effect>) {
        if self.focus == Pane::Images {
            self.forget_pending_selection();
        }
        match (self.focus, reverse) {
            (Pane::Images, false) => self.images.cycle_sort(),
            (Pane::Images, true) => self.images.reverse_sort(),
            (Pane::Containers, false) => self.containers.cycle_sort(),
            (Pane::Containers, true) => self.containers.reverse_sort(),
            (Pane::Tags, false) if self.tags.catalog.is_none() => self.tags.cycle_sort(),
            (Pane::Tags, true) if self.tags.catalog.is_none() => self.tags.reverse_sort(),
            _ => return self.error("this pane does not sort"),
        }
        self.sync_layers(effects);
        if self.focus == Pane::Tags {
            // Other rows come on screen.
            self.pump_tag_details(effects);
        }
    }

    fn toggle_all(&mut self, effects: &mut Vec<Effect>) {
        match self.focus {
            Pane::Images => {
                self.forget_pending_selection();
                self.images.toggle_dangling();
                self.sync_layers(effects);
                let shown = if self.images.show_dangling {
                    "shown"
                } else {
                    "hidden"
                };
                self.info(format!("dangling images {shown}"));
            }
            Pane::Containers => {
                self.containers.toggle_all();
                let what = if self.containers.show_all {
                    "all containers"
                } else {
                    "running containers only"
                };
                self.info(format!("showing {what}"));
            }
            _ => self.error("nothing to show or hide here"),
        }
    }

    fn refresh(&mut self, effects: &mut Vec<Effect>) {
        if let Some(view) = &mut self.view {
            match view {
                OpenView::Changes(view) => {
                    view.loading = true;
                    effects.push(Effect::LoadChanges {
                        container: view.container.clone(),
                    });
                }
                OpenView::Files(_) => {}
                OpenView::Logs(_) => self.reopen_logs(effects),
            }
            return;
        }
        match self.focus {
            Pane::Images | Pane::Layers => self.load_images(effects),
            Pane::Containers => self.load_containers(effects),
            Pane::Tags => match self.tags.catalog.as_ref().map(|c| c.registry.clone()) {
                Some(registry) => self.browse_registry(Some(registry), effects),
                None => {
                    if self.tags.reload() {
                        self.load_tags(effects);
                    }
                }
            },
            _ => {}
        }
    }

    fn open_selected(&mut self, effects: &mut Vec<Effect>) {
        if let Some(view) = &mut self.view {
            match view {
                OpenView::Changes(view) => view.toggle_selected(),
                OpenView::Files(_) => self.open_in_files(effects),
                OpenView::Logs(_) => {}
            }
            return;
        }
        match self.focus {
            Pane::Images => {
                if self.images.selected_row().is_some() {
                    self.focus = Pane::Layers;
                }
            }
            Pane::Layers => self.open_layer_detail(),
            Pane::Containers => {
                if let Some(record) = self.containers.selected() {
                    let view = ChangesView::new(record.id.clone(), record.name.clone());
                    effects.push(Effect::LoadChanges {
                        container: record.id.clone(),
                    });
                    self.view = Some(OpenView::Changes(view));
                }
            }
            Pane::Jobs => self.open_job_detail(),
            Pane::Tags if self.tags.catalog.is_some() => self.open_catalog_selection(effects),
            Pane::Tags => self.open_tag_detail(effects),
        }
    }

    fn open_layer_detail(&mut self) {
        let Some(row) = self.layers.selected_row() else {
            return;
        };
        let mut body = if row.full_command.trim().is_empty() {
            "(no command recorded)".to_string()
        } else {
            row.full_command.clone()
        };
        if !row.comment.is_empty() {
            body.push_str("\n\nComment: ");
            body.push_str(&row.comment);
        }
        let size = if row.empty {
            "no files (metadata only)".to_string()
        } else {
            crate::text::format::size(row.size)
        };
        body.push_str(&format!(
            "\n\nCreated: {}\nSize: {size}",
            crate::text::format::timestamp(row.created)
        ));
        // The engine's history names a step by the image it made, when that image is here;
        // steps of an image that was pulled or imported say "<missing>".
        if row.id.starts_with("sha256:") {
            body.push_str(&format!("\nImage of this step: {}", row.id));
        }
        self.popups.push(Popup::Detail {
            title: format!("Layer of {}", self.layers.label),
            body,
            scroll: Scroll::default(),
        });
    }

    fn jump_to_image(&mut self, effects: &mut Vec<Effect>) {
        let Some(record) = self.containers.selected() else {
            return;
        };
        let (image_id, image) = (record.image_id.clone(), record.image.clone());
        self.forget_pending_selection();
        if self.images.select_image(&image_id) {
            self.focus = Pane::Images;
            self.sync_layers(effects);
        } else {
            self.error(format!(
                "image {image} is not in the images list (hidden by the filter, or dangling and hidden)"
            ));
        }
    }
}

/// files view: the keys that change what the tree shows.
fn files_action(view: &mut crate::model::files::FilesView, action: Action) {
    if view.content.is_some() {
        return; // A file's content is shown: the tree keys wait for Esc.
    }
    match action {
        Action::Sort => view.toggle_sort(),
        Action::ToggleChanges => view.toggle_mode(),
        Action::OnlyChanges => view.toggle_only_changes(),
        Action::CollapseAll => view.toggle_collapse_all(),
        Action::SwitchSide => view.switch_side(),
        Action::NextLayer => view.step_layer(true),
        Action::PrevLayer => view.step_layer(false),
        _ => {}
    }
}
