//! Popups drawn over the panes, bottom of the stack first.

pub mod changes;
mod confirm;
// Remote engines: the docker contexts.
mod contexts;
pub mod form;
mod help;
// workflow
pub mod logs;
mod tag_detail;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::model::popup::{Popup, Scroll, Severity};
use crate::state::State;

use super::View;
use super::text::{clean_multiline, wrap};
use super::widgets::{centered, popup_frame};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    for popup in &state.popups {
        match popup {
            Popup::Confirm(confirm) => confirm::draw(frame, area, confirm, view.theme),
            Popup::TagDetail {
                repository,
                tag,
                scroll,
            } => tag_detail::draw(frame, area, state, repository, tag, scroll, view),
            Popup::Help { scroll } => help::draw(frame, area, state, scroll, view.theme),
            Popup::Contexts(popup) => contexts::draw(frame, area, popup, view.theme),
            Popup::Detail {
                title,
                body,
                scroll,
            } => {
                draw_text(frame, area, title, body, scroll, view.theme.accent, view);
            }
            Popup::Message {
                title,
                body,
                severity,
                scroll,
            } => {
                let style = match severity {
                    Severity::Error => view.theme.error,
                    Severity::Info => view.theme.accent,
                };
                draw_text(frame, area, title, body, scroll, style, view);
            }
        }
    }
}

/// A scrollable, word-wrapped text in a popup sized to its content.
fn draw_text(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    body: &str,
    scroll: &Scroll,
    border: ratatui::style::Style,
    view: &View,
) {
    let width = area.width.saturating_sub(4).min(100);
    let text_width = width.saturating_sub(2) as usize;
    let lines = wrap(&clean_multiline(body), text_width);
    let height = (u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(3))
    .min(area.height);
    let rect = centered(area, width, height);
    let inner = popup_frame(frame, rect, title, border, view.theme);
    let [text_area, hint_area] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Min(0),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(inner);
    let visible = text_area.height as usize;
    scroll.page.record(visible.max(1));
    scroll.max.record(lines.len().saturating_sub(visible));
    let offset = scroll.offset.min(scroll.max.get());
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(offset)
        .take(visible)
        .map(Line::from)
        .collect();
    frame.render_widget(Paragraph::new(shown), text_area);
    frame.render_widget(
        Paragraph::new("Esc close  ↑↓ scroll").style(view.theme.dim),
        hint_area,
    );
}
