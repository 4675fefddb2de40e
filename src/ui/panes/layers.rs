//! The layers pane: the history of the image selected in the images pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::state::State;
use crate::text::format::{count, size};
use crate::ui::View;
use crate::ui::widgets::{LazyTable, notice, pane_block, text_cell, title};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &View, focused: bool) {
    let layers = &state.layers;
    let theme = view.theme;
    let mut details = vec![layers.label.clone()];
    if let Some(rows) = layers.rows() {
        let total: u64 = rows.iter().map(|r| r.size).sum();
        details.push(format!("· {}", count(rows.len(), "layer")));
        details.push(format!("· {}", size(total)));
    }
    let block = pane_block(title("Layers", &details, area.width, theme), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if layers.image().is_none() {
        notice(frame, inner, "Select an image to see its layers", theme.dim);
        return;
    }
    if let Some(error) = &layers.error {
        notice(
            frame,
            inner,
            &format!("Cannot load the history: {error}"),
            theme.error,
        );
        return;
    }
    let Some(rows) = layers.rows() else {
        notice(frame, inner, "Loading…", theme.dim);
        return;
    };

    let wide = inner.width >= 70;
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Fill(3),
    ];
    let mut header = vec!["    SIZE", "AGE", "CREATED BY"];
    if wide {
        widths.push(Constraint::Fill(1));
        header.push("COMMENT");
    }

    LazyTable {
        header,
        widths,
        len: rows.len(),
        cursor: &layers.cursor,
        focused,
    }
    .render(frame, inner, theme, |i, columns| {
        let Some(row) = rows.get(i) else {
            return Row::default();
        };
        let mut cells = vec![
            Cell::from(format!("{:>8}", size(row.size))),
            Cell::from(view.age(row.created)),
            text_cell(&row.command, columns[2]),
        ];
        if wide {
            cells.push(text_cell(&row.comment, columns[3]));
        }
        let style = if row.empty {
            theme.dim
        } else {
            ratatui::style::Style::new()
        };
        Row::new(cells).style(style)
    });
}
