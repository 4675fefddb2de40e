//! The layers pane: the history of the image selected in the images pane.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::state::State;
use crate::text::format::{count, size};
use crate::ui::View;
use crate::ui::widgets::{CellText, Column, LazyTable, RowText, notice, pane_block, title};

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
    // Remote engines: with the engine gone, the image may be too.
    if matches!(state.engine, crate::state::EngineStatus::Down { .. }) {
        notice(frame, inner, "Waiting for the engine…", theme.dim);
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
    let mut columns = vec![
        Column::whole("SIZE").right(),
        Column::whole("AGE"),
        Column::text("CREATED BY", 10),
    ];
    if wide {
        columns.push(Column::text("COMMENT", 7));
    }

    LazyTable {
        columns,
        len: rows.len(),
        cursor: &layers.cursor,
        focused,
    }
    .render(frame, inner, theme, |i| {
        let Some(row) = rows.get(i) else {
            return RowText::default();
        };
        let mut cells = vec![
            CellText::from(size(row.size)),
            CellText::from(view.age(row.created)),
            CellText::from(row.command.as_str()),
        ];
        if wide {
            cells.push(CellText::from(row.comment.as_str()));
        }
        let style = if row.empty {
            theme.dim
        } else {
            ratatui::style::Style::new()
        };
        RowText::new(cells).style(style)
    });
}
