//! The images pane.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::config::SortKey;
use crate::state::{EngineStatus, State};
use crate::text::format::{count, size, sort_label};
use crate::ui::View;
use crate::ui::widgets::{
    CellText, Column, LazyTable, RowText, filter_line, notice, pane_block, title,
};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &View, focused: bool) {
    let images = &state.images;
    let theme = view.theme;
    let block = pane_block(
        title("Images", &details(state), area.width, theme),
        focused,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let typing = focused && state.keys_reach_panes();
    let list_area = filter_line(frame, inner, &images.filter, typing, theme);

    if let EngineStatus::Down {
        error,
        attempt,
        retry_in,
    } = &state.engine
    {
        let text = format!(
            "{error}\n\nTried {} ({}); next try in {:.1} s.",
            state.engine_target,
            count(*attempt as usize, "attempt"),
            retry_in.as_secs_f32()
        );
        notice(frame, list_area, &text, theme.error);
        return;
    }
    if !images.loaded {
        let text = match &images.error {
            Some(e) => e.clone(),
            None => format!("Connecting to {}…", state.engine_target),
        };
        notice(frame, list_area, &text, theme.dim);
        return;
    }
    if images.visible_len() == 0 {
        let text = if !images.filter.editor.is_empty() {
            format!(
                "No image matches \"{}\" — Esc clears the filter",
                images.filter.editor.text()
            )
        } else if images.total_rows() > 0 {
            "Only dangling images here; press a to show them".to_string()
        } else {
            "No images in this engine yet".to_string()
        };
        notice(frame, list_area, &text, theme.dim);
        return;
    }

    let wide = list_area.width >= 60;
    let mut columns = vec![Column::name("REPOSITORY", 10), Column::name("TAG", 6)];
    if wide {
        columns.push(Column::whole("ID"));
    }
    columns.extend([Column::whole("AGE"), Column::whole("SIZE").right()]);

    LazyTable {
        columns,
        len: images.visible_len(),
        cursor: &images.view.cursor,
        focused,
    }
    .render(frame, list_area, theme, |i| {
        let Some(row) = images.visible_row(i) else {
            return RowText::default();
        };
        let mut cells = vec![
            CellText::from(row.repository.as_str()),
            CellText::from(row.tag.as_str()),
        ];
        if wide {
            cells.push(CellText::from(row.image.short()));
        }
        cells.push(view.age(row.created).into());
        cells.push(size(row.size).into());
        let style = if row.dangling {
            theme.dim
        } else {
            ratatui::style::Style::new()
        };
        RowText::new(cells).style(style)
    });
}

/// `12 of 42 · sort age ↓ · 3 dangling hidden`
fn details(state: &State) -> Vec<String> {
    let images = &state.images;
    if !images.loaded {
        return Vec::new();
    }
    let count = if images.visible_len() == images.total_rows() {
        images.total_rows().to_string()
    } else {
        format!("{} of {}", images.visible_len(), images.total_rows())
    };
    // Names sort A→Z, ages youngest first (newest), sizes biggest first.
    let (key, descending) = match images.sort {
        SortKey::Name => ("name", images.reverse),
        SortKey::Age => ("age", images.reverse),
        SortKey::Size => ("size", !images.reverse),
    };
    let sort = sort_label(key, descending);
    let dangling = images.dangling_count();
    let hidden = if !images.show_dangling && dangling > 0 {
        format!("· {dangling} dangling hidden")
    } else {
        String::new()
    };
    let mut details = vec![count, sort, hidden];
    // Remote engines: what was listed before the connection went, until it is back.
    if state.lists_stale() {
        details.push("· stale, reconnecting".into());
    }
    details
}
