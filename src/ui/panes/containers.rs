//! The containers pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::docker::ContainerState;
use crate::state::{EngineStatus, State};
use crate::text::format::sort_label;
use crate::ui::View;
use crate::ui::theme::Theme;
use crate::ui::widgets::{
    CellText, Column, LazyTable, RowText, filter_line, notice, pane_block, title,
};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &View, focused: bool) {
    let containers = &state.containers;
    let theme = view.theme;
    let mut details = Vec::new();
    if containers.loaded {
        let running = containers.running_count();
        let total = containers.records().len();
        details.push(if containers.show_all {
            format!("{total} · {running} running")
        } else {
            format!("{running} running · {} stopped hidden", total - running)
        });
        if !containers.filter.editor.is_empty() {
            details.push(format!("· {} match", containers.visible_len()));
        }
        // workflow: marks (Space)
        let marked = containers.marked().len();
        if marked > 0 {
            details.push(format!("· {marked} marked"));
        }
        // Every key starts ascending: A→Z, the youngest first, up before stopped.
        details.push(sort_label(containers.sort.name(), containers.reverse));
        // Remote engines: what was listed before the connection went, until it is back.
        if state.lists_stale() {
            details.push("· stale, reconnecting".into());
        }
    }
    let block = pane_block(
        title("Containers", &details, area.width, theme),
        focused,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let typing = focused && state.keys_reach_panes();
    let list_area = filter_line(frame, inner, &containers.filter, typing, theme);

    if matches!(state.engine, EngineStatus::Down { .. }) {
        notice(frame, list_area, "Waiting for the engine…", theme.dim);
        return;
    }
    if !containers.loaded {
        let text = containers
            .error
            .clone()
            .unwrap_or_else(|| "Loading…".to_string());
        notice(frame, list_area, &text, theme.dim);
        return;
    }
    if containers.visible_len() == 0 {
        let text = if !containers.filter.editor.is_empty() {
            format!(
                "No container matches \"{}\" — Esc clears the filter",
                containers.filter.editor.text()
            )
        } else if !containers.show_all && !containers.records().is_empty() {
            "No running containers; press a to show stopped ones".to_string()
        } else {
            "No containers".to_string()
        };
        notice(frame, list_area, &text, theme.dim);
        return;
    }

    // Narrower: the status already says how long it has been up, and the ports are in the
    // container's details; the image stays while there is room for three columns.
    let layout = match list_area.width {
        70.. => ContainerColumns::All,
        40.. => ContainerColumns::NameImageStatus,
        _ => ContainerColumns::NameStatus,
    };
    let columns = match layout {
        ContainerColumns::All => vec![
            Column::name("NAME", 8),
            Column::name("IMAGE", 8),
            Column::text("STATUS", 10),
            Column::whole("AGE"),
            Column::secondary("PORTS", 5),
        ],
        ContainerColumns::NameImageStatus => vec![
            Column::name("NAME", 8),
            Column::name("IMAGE", 8),
            Column::text("STATUS", 10),
        ],
        ContainerColumns::NameStatus => {
            vec![Column::name("NAME", 8), Column::text("STATUS", 10)]
        }
    };

    LazyTable {
        columns,
        len: containers.visible_len(),
        cursor: &containers.view.cursor,
        focused: focused && state.view.is_none(),
    }
    .render(frame, list_area, theme, |i| {
        let Some(record) = containers.visible_row(i) else {
            return RowText::default();
        };
        let status = CellText::styled(
            view.container_status(&record.status, record.listed_at, record.created),
            state_style(record.state, theme),
        );
        // workflow: a marked container shows it before its name.
        let name = if containers.is_marked(&record.id) {
            CellText::styled(format!("● {}", record.name), theme.accent)
        } else {
            CellText::from(record.name.as_str())
        };
        let image = CellText::from(short_image(&record.image));
        match layout {
            ContainerColumns::NameStatus => RowText::new([name, status]),
            ContainerColumns::NameImageStatus => RowText::new([name, image, status]),
            ContainerColumns::All => {
                let ports: Vec<String> = record.ports.iter().map(ToString::to_string).collect();
                RowText::new([
                    name,
                    image,
                    status,
                    CellText::from(view.age(record.created)),
                    CellText::from(ports.join(", ")),
                ])
            }
        }
    });
}

/// Which columns the containers pane has room for.
#[derive(Clone, Copy)]
enum ContainerColumns {
    All,
    NameImageStatus,
    NameStatus,
}

/// The image a container was made from; an image without a name any more is shown by its
/// short ID, as `docker ps` does, not by a 71-character digest in a narrow column.
fn short_image(image: &str) -> &str {
    if image.starts_with("sha256:") {
        crate::docker::types::short_hex(image)
    } else {
        image
    }
}

fn state_style(state: ContainerState, theme: &Theme) -> Style {
    match state {
        ContainerState::Running => theme.ok,
        ContainerState::Paused | ContainerState::Restarting | ContainerState::Removing => {
            theme.warning
        }
        ContainerState::Dead => theme.error,
        ContainerState::Created | ContainerState::Exited | ContainerState::Unknown => theme.dim,
    }
}

#[cfg(test)]
mod tests {
    use super::short_image;

    #[test]
    fn an_image_without_a_name_shows_by_short_id() {
        let id = format!("sha256:{}", "9102dac867e0".repeat(6));
        assert_eq!(short_image(&id), "9102dac867e0");
        assert_eq!(short_image("nginx:1.25"), "nginx:1.25");
        assert_eq!(short_image("sha256:abc"), "abc");
    }
}
