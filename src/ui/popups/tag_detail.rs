//! A remote tag's detail: digest, media type, platforms, created date and history.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::model::popup::Scroll;
use crate::registry::{RepositoryRef, TagDetail};
use crate::state::State;
use crate::text::format::{size, timestamp};
use crate::ui::View;
use crate::ui::panes::tags::platforms;

use super::draw_text;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    repository: &RepositoryRef,
    tag: &str,
    scroll: &Scroll,
    view: &View,
) {
    let title = format!("{}:{tag}", repository.familiar());
    // The rows belong to whatever the pane shows now; only use them for this repository.
    let row = (state.tags.repository.as_ref() == Some(repository))
        .then(|| state.tags.row_named(tag))
        .flatten();
    let body = match row {
        Some(row) => match (&row.detail, &row.error) {
            (Some(detail), _) => describe(detail),
            (None, Some(error)) => format!("Cannot load this tag: {error}"),
            (None, None) => "Loading…".to_string(),
        },
        None => "This tag is no longer listed.".to_string(),
    };
    draw_text(frame, area, &title, &body, scroll, view.theme.accent, view);
}

fn describe(detail: &TagDetail) -> String {
    let mut text = String::new();
    text.push_str(&format!("Digest:      {}\n", detail.digest));
    text.push_str(&format!("Media type:  {}\n", detail.media_type));
    text.push_str(&format!(
        "Size:        {} compressed\n",
        size(detail.compressed_size)
    ));
    if let Some(created) = detail.created {
        text.push_str(&format!(
            "Created:     {}\n",
            timestamp(created.timestamp())
        ));
    }
    if !detail.platforms.is_empty() {
        text.push_str(&format!("Platforms:   {}\n", platforms(detail)));
        if detail.is_multi_platform() {
            text.push('\n');
            // One platform per two lines: a full digest does not fit beside the name at
            // any popup width. Indents are no-break spaces, which wrapping keeps.
            for (i, p) in detail.platforms.iter().enumerate() {
                let marker = if Some(i) == detail.default_platform {
                    "▸"
                } else {
                    "\u{a0}"
                };
                let name = p.platform.to_string();
                text.push_str(&format!(
                    "{marker} {name:<16} {:>9}\n\u{a0}\u{a0}{}\n",
                    size(p.compressed_size),
                    p.digest
                ));
            }
        }
    }
    if detail.attestations > 0 {
        text.push_str(&format!(
            "Attestations: {} (not shown)\n",
            detail.attestations
        ));
    }
    if !detail.history.is_empty() {
        text.push_str("\nHistory (newest first):\n");
        for entry in detail.history.iter().rev() {
            let command = crate::model::layers::display_command(&entry.created_by);
            let command = if command.is_empty() {
                entry.comment.clone()
            } else {
                command
            };
            let empty = if entry.empty_layer { " (no files)" } else { "" };
            text.push_str(&format!("• {command}{empty}\n"));
        }
    }
    text
}
