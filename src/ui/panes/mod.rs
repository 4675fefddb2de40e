//! One module per pane; each draws its block, title and rows.

mod containers;
mod images;
pub mod jobs;
mod layers;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::state::{Pane, State};

use super::View;
use super::widgets::{notice, pane_block, title};

pub fn draw(frame: &mut Frame, area: Rect, pane: Pane, state: &State, view: &View) {
    let focused = state.focus == pane;
    match pane {
        Pane::Images => images::draw(frame, area, state, view, focused),
        Pane::Layers => layers::draw(frame, area, state, view, focused),
        Pane::Containers => containers::draw(frame, area, state, view, focused),
        Pane::Jobs => jobs::draw(frame, area, state, view, focused),
        Pane::Tags => {
            let block = pane_block(title(pane.title(), &[], view.theme), focused, view.theme);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            notice(frame, inner, "coming soon", view.theme.dim);
        }
    }
}
