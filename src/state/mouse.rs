//! The mouse: a click focuses the pane under it and selects the row, the wheel moves the
//! selection of the list under it, a click on a question's button presses it. Where things
//! are comes from what the last frame drew ([`crate::model::drawn`]).

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use crate::action::Action;
use crate::effect::Effect;
use crate::model::list::ListCursor;
use crate::model::popup::Popup;

use super::{OpenView, Pane, State};

impl State {
    /// `M`: gives the mouse to the terminal (to select text) or takes it back.
    pub(crate) fn toggle_mouse(&mut self) {
        self.mouse_capture = !self.mouse_capture;
        let key = self
            .keymap
            .hint(self.scope(), Action::ToggleMouse)
            .unwrap_or_else(|| ":help".to_string());
        if self.mouse_capture {
            self.info(format!(
                "wharf takes the mouse; {key} gives it to the terminal"
            ));
        } else {
            self.info(format!(
                "the terminal has the mouse: select text as usual; {key} takes it back"
            ));
        }
    }

    /// Whether wharf wants mouse events (the event loop switches the terminal's capture).
    pub fn wants_mouse(&self) -> bool {
        self.mouse_capture
    }

    pub(crate) fn on_mouse(&mut self, event: MouseEvent, effects: &mut Vec<Effect>) {
        let (column, row) = (event.column, event.row);
        let step = match event.kind {
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::ScrollDown => Some(Action::Down),
            _ => None,
        };
        let click = event.kind == MouseEventKind::Down(MouseButton::Left);
        if !click && step.is_none() {
            return;
        }
        if let Some(popup) = self.popups.last_mut() {
            match (popup, step) {
                (Popup::Confirm(confirm), None) => {
                    let (yes, no) = confirm.buttons.get();
                    if yes.contains(column, row) {
                        self.answer_confirm(true, effects);
                    } else if no.contains(column, row) {
                        self.answer_confirm(false, effects);
                    }
                }
                // Remote engines: the wheel moves through the contexts.
                (Popup::Contexts(contexts), Some(action)) => {
                    contexts.navigate(action);
                }
                (popup, Some(action)) => {
                    if let Some(scroll) = popup.scroll_mut() {
                        scroll.navigate(action);
                    }
                }
                _ => {}
            }
            return;
        }
        if self.form.is_some() || self.command_line.is_some() {
            return;
        }
        if let Some(view) = &mut self.view {
            match (view, step) {
                (OpenView::Changes(view), Some(action)) => {
                    view.navigate(action);
                }
                (OpenView::Changes(view), None) => {
                    if let Some(index) = click_row(&view.view.cursor, column, row, view.view.len())
                    {
                        view.view.cursor.select(index, view.view.len());
                    }
                }
                // files view: the wheel moves the tree, a click selects a row of either side.
                (OpenView::Files(view), Some(action)) => {
                    view.tree.navigate(action, view.row_count());
                }
                (OpenView::Files(view), None) => {
                    let layers = view.layer_total();
                    if let Some(index) = click_row(&view.layers, column, row, layers) {
                        view.layers.select(index, layers);
                        view.rebuild();
                    } else if let Some(index) = click_row(&view.tree, column, row, view.row_count())
                    {
                        view.tree.select(index, view.row_count());
                    }
                }
                (OpenView::Logs(view), Some(action)) => view.navigate(action),
                (OpenView::Logs(_), None) => {}
            }
            return;
        }
        let Some(pane) = self.pane_areas.get().pane_at(column, row) else {
            return;
        };
        if pane != self.focus {
            self.focus_pane(pane, effects);
        }
        match step {
            Some(action) => self.navigate(action, effects),
            None => {
                if let Some(index) = self.row_clicked(pane, column, row) {
                    self.select_row(pane, index, effects);
                }
            }
        }
    }

    /// The row of `pane`'s list a click at this cell falls on.
    fn row_clicked(&self, pane: Pane, column: u16, row: u16) -> Option<usize> {
        match pane {
            Pane::Images => click_row(
                &self.images.view.cursor,
                column,
                row,
                self.images.visible_len(),
            ),
            Pane::Layers => click_row(
                &self.layers.cursor,
                column,
                row,
                self.layers.rows().map_or(0, <[_]>::len),
            ),
            Pane::Containers => click_row(
                &self.containers.view.cursor,
                column,
                row,
                self.containers.visible_len(),
            ),
            Pane::Tags => match &self.tags.catalog {
                Some(catalog) => click_row(&catalog.view.cursor, column, row, catalog.view.len()),
                None => click_row(&self.tags.view.cursor, column, row, self.tags.visible_len()),
            },
            Pane::Jobs => click_row(&self.jobs.cursor, column, row, self.jobs.all().len()),
        }
    }

    /// Selects row `index` of `pane` as the keys would, with what follows a selection
    /// (the layers of the selected image, the details of tags coming on screen).
    fn select_row(&mut self, pane: Pane, index: usize, effects: &mut Vec<Effect>) {
        match pane {
            Pane::Images => {
                self.forget_pending_selection();
                let len = self.images.visible_len();
                self.images.view.cursor.select(index, len);
                self.sync_layers(effects);
            }
            Pane::Layers => {
                let len = self.layers.rows().map_or(0, <[_]>::len);
                self.layers.cursor.select(index, len);
            }
            Pane::Containers => {
                let len = self.containers.visible_len();
                self.containers.view.cursor.select(index, len);
            }
            Pane::Tags => match self.tags.catalog.as_mut() {
                Some(catalog) => {
                    let len = catalog.view.len();
                    catalog.view.cursor.select(index, len);
                }
                None => {
                    let len = self.tags.visible_len();
                    self.tags.view.cursor.select(index, len);
                    self.pump_tag_details(effects);
                }
            },
            Pane::Jobs => {
                let len = self.jobs.all().len();
                self.jobs.cursor.select(index, len);
            }
        }
    }
}

fn click_row(cursor: &ListCursor, column: u16, row: u16, len: usize) -> Option<usize> {
    cursor.row_at(column, row, len)
}
