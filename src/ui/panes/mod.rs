//! One module per pane; each draws its block, title and rows.

mod containers;
mod images;
pub mod jobs;
mod layers;
pub mod tags;
// Registries people use: the catalog's rows per source (Harbor, Hub, offered).
mod catalog_rows;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::state::{Pane, State};

use super::View;

pub fn draw(frame: &mut Frame, area: Rect, pane: Pane, state: &State, view: &View) {
    let focused = state.focus == pane;
    match pane {
        Pane::Images => images::draw(frame, area, state, view, focused),
        Pane::Layers => layers::draw(frame, area, state, view, focused),
        Pane::Containers => containers::draw(frame, area, state, view, focused),
        Pane::Jobs => jobs::draw(frame, area, state, view, focused),
        Pane::Tags => tags::draw(frame, area, state, view, focused),
    }
}
