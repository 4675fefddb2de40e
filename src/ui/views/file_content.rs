//! files view: a file's content over the tree (text with control characters made visible,
//! or a hex dump), scrolled with the movement keys; long lines are cut at the edge.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::model::file_content::{ContentPane, ContentState};
use crate::text::format::size;
use crate::text::{clean, truncate, truncate_start};
use crate::ui::theme::Theme;
use crate::ui::widgets::pane_block;

/// `area` for the content, `status` for the line naming its keys; `save` is the save key.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    status: Rect,
    content: &ContentPane,
    save: &str,
    theme: &Theme,
) {
    frame.render_widget(Clear, area);
    let shown = match content.is_text() {
        Some(true) => "text",
        Some(false) => "hex",
        None => "…",
    };
    let about = format!(
        " · layer {} · {} · {shown} ",
        content.layer + 1,
        size(content.size)
    );
    let width = usize::from(area.width.saturating_sub(4));
    let path =
        truncate_start(&clean(&content.path), width.saturating_sub(about.len() + 2)).into_owned();
    let title = Line::from(vec![
        Span::styled(format!(" {path}"), theme.title),
        Span::styled(about, theme.dim),
    ]);
    let block = pane_block(title, true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let body: Vec<Line> = match &content.state {
        ContentState::Loading => vec![Line::styled("reading the layer…", theme.dim)],
        ContentState::Failed(message) => {
            vec![Line::styled(clean(message).into_owned(), theme.error)]
        }
        ContentState::Shown { lines, .. } if lines.iter().all(String::is_empty) => {
            vec![Line::styled("(empty file)", theme.dim)]
        }
        ContentState::Shown { lines, .. } => {
            let page = usize::from(inner.height);
            content.scroll.page.record(page.max(1));
            content.scroll.max.record(lines.len().saturating_sub(page));
            let offset = content.scroll.offset.min(content.scroll.max.get());
            lines
                .iter()
                .skip(offset)
                .take(page)
                .map(|l| Line::raw(truncate(&clean(l), usize::from(inner.width)).into_owned()))
                .collect()
        }
    };
    frame.render_widget(Paragraph::new(body), inner);

    let lines = content.lines().len();
    let position = if lines > 0 {
        format!(
            "line {} of {lines} · ",
            content.scroll.offset.min(content.scroll.max.get()) + 1
        )
    } else {
        String::new()
    };
    let save = if save.is_empty() || content.bytes().is_none() {
        String::new()
    } else {
        format!(" · {save} saves it")
    };
    let text = format!("{position}↑↓ PgUp PgDn scroll{save} · Esc back to the tree");
    frame.render_widget(
        Paragraph::new(truncate(&text, usize::from(status.width)).into_owned()).style(theme.dim),
        status,
    );
}
