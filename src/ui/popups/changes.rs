//! The writable-layer view: a container's added, changed and deleted paths as a tree.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Clear;

use crate::docker::ChangeKind;
use crate::model::changes::ChangesView;
use crate::text::clean;
use crate::ui::View;
use crate::ui::widgets::{CellText, Column, LazyTable, RowText, filter_line, notice, pane_block};

/// `typing`: keys reach the view, so an open filter shows its cursor.
pub fn draw(frame: &mut Frame, area: Rect, changes: &ChangesView, typing: bool, view: &View) {
    let theme = view.theme;
    frame.render_widget(Clear, area);
    let counts = changes.counts;
    let mut spans = vec![Span::styled(
        format!(" Changes in {} ", clean(&changes.container_name)),
        theme.title,
    )];
    // Counts only for a tree that was read: not before the first answer, not after an error.
    let read = !changes.loading || changes.visible_len() > 0;
    if read && changes.error.is_none() {
        spans.extend([
            Span::styled(format!("A {} ", counts.added), theme.added),
            Span::styled(format!("C {} ", counts.changed), theme.changed),
            Span::styled(format!("D {} ", counts.deleted), theme.deleted),
        ]);
    }
    spans.push(Span::styled("· Esc closes ", theme.dim));
    let title = Line::from(spans);
    let block = pane_block(title, true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let list_area = filter_line(frame, inner, &changes.filter, typing, theme);

    if let Some(error) = &changes.error {
        notice(frame, list_area, error, theme.error);
        return;
    }
    if changes.loading && changes.visible_len() == 0 {
        notice(frame, list_area, "Loading the writable layer…", theme.dim);
        return;
    }
    if changes.visible_len() == 0 {
        let text = if changes.filter.editor.is_empty() {
            "No changes: the container's filesystem is exactly its image's"
        } else {
            "No path matches the filter — Esc clears it"
        };
        notice(frame, list_area, text, theme.dim);
        return;
    }
    // A filter shows every match, also below collapsed directories: draw them open then.
    let filtering = !changes.filter.terms().is_empty();
    LazyTable {
        columns: vec![Column::whole(""), Column::text("PATH", 1)],
        len: changes.visible_len(),
        cursor: &changes.view.cursor,
        focused: true,
    }
    .render(frame, list_area, theme, |i| {
        let Some(node) = changes.visible_node(i) else {
            return RowText::default();
        };
        let (letter, style) = match node.kind {
            Some(ChangeKind::Added) => ("A", theme.added),
            Some(ChangeKind::Changed) => ("C", theme.changed),
            Some(ChangeKind::Deleted) => ("D", theme.deleted),
            None => (" ", theme.dim),
        };
        let marker = if !node.has_children {
            "  "
        } else if changes.is_collapsed(&node.path) && !filtering {
            "▸ "
        } else {
            "▾ "
        };
        let text = format!("{}{marker}{}", "  ".repeat(node.depth), node.name);
        RowText::new([
            CellText::styled(letter, style),
            CellText::styled(text, style),
        ])
    });
}
