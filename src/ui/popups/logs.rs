//! The logs view: a container's output over the panes, stderr marked in the gutter, search
//! matches highlighted, a notice at the top once older lines were dropped.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::docker::LogStream;
use crate::logs::MAX_LINES;
use crate::model::logs_view::LogsView;
use crate::text::{clean, format, truncate};
use crate::ui::View;
use crate::ui::widgets::{input_line, notice, pane_block};

/// Cells before each row: the stream mark and a space.
const GUTTER: usize = 2;

/// `typing`: keys reach the view, so the search line shows its cursor.
pub fn draw(frame: &mut Frame, area: Rect, logs: &LogsView, typing: bool, view: &View) {
    let theme = view.theme;
    frame.render_widget(Clear, area);
    let buffer = &logs.buffer;
    let mut spans = vec![Span::styled(
        format!(" Logs of {} ", clean(&logs.name)),
        theme.title,
    )];
    spans.push(Span::styled(
        format!("{} ", format::count(buffer.len(), "line")),
        theme.dim,
    ));
    let (state, style) = if logs.ended.is_some() {
        ("ended", theme.warning)
    } else if buffer.is_following() {
        ("following", theme.ok)
    } else {
        ("paused · G follows", theme.accent)
    };
    spans.push(Span::styled(format!("{state} "), style));
    spans.push(Span::styled("· Esc closes ", theme.dim));
    let block = pane_block(Line::from(spans), true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let dropped = buffer.dropped() > 0;
    let footer = typing && logs.search.is_some()
        || logs.notice.is_some()
        || logs.ended.is_some()
        || buffer.search_query().is_some();
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(u16::from(dropped)),
        Constraint::Min(0),
        Constraint::Length(u16::from(footer)),
    ])
    .areas(inner);
    if dropped {
        let text = format!(
            "{} dropped: the view keeps the last {}",
            format::count(
                usize::try_from(buffer.dropped()).unwrap_or(usize::MAX),
                "older line"
            ),
            format::count(MAX_LINES, "line")
        );
        frame.render_widget(Line::styled(text, theme.warning), top);
    }
    draw_footer(frame, bottom, logs, typing, view);

    let height = usize::from(body.height);
    logs.rows.record(height.max(1));
    if buffer.is_empty() {
        let text = if logs.ended.is_some() || logs.loaded {
            "No output yet"
        } else {
            "Reading the logs…"
        };
        notice(frame, body, text, theme.dim);
        return;
    }
    let text_width = usize::from(body.width)
        .saturating_sub(GUTTER + buffer.prefix_width())
        .max(1);
    let lines: Vec<Line> = buffer
        .visible(height, text_width)
        .into_iter()
        .map(|row| {
            let mut spans = Vec::with_capacity(4);
            let mark = match (row.stream, row.continuation) {
                (LogStream::Stderr, false) => Span::styled("E ", theme.error),
                (LogStream::Stderr, true) => Span::styled("┆ ", theme.error),
                (LogStream::Stdout, false) => Span::raw("  "),
                (LogStream::Stdout, true) => Span::styled("┆ ", theme.dim),
            };
            spans.push(mark);
            if buffer.show_timestamps() {
                let stamp = row.timestamp.unwrap_or("");
                spans.push(Span::styled(
                    format!("{stamp:<width$}", width = buffer.prefix_width()),
                    theme.dim,
                ));
            }
            let text = if buffer.wrap() {
                row.text.to_string()
            } else {
                truncate(row.text, text_width).into_owned()
            };
            let base = if row.stream == LogStream::Stderr {
                theme.error
            } else {
                Style::default()
            };
            let found = if row.current_match {
                theme.selection
            } else {
                theme.accent.add_modifier(Modifier::REVERSED)
            };
            spans.extend(highlighted(&text, buffer.highlights(&text), base, found));
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

/// The search being typed, else what the last step found, else how the stream ended, else
/// the search that is on.
fn draw_footer(frame: &mut Frame, area: Rect, logs: &LogsView, typing: bool, view: &View) {
    let theme = view.theme;
    if area.height == 0 {
        return;
    }
    if let (true, Some(editor)) = (typing, logs.search.as_ref()) {
        input_line(frame, area, "/", editor, theme);
        return;
    }
    let line = if let Some(text) = &logs.notice {
        Line::styled(clean(text).into_owned(), theme.warning)
    } else if let Some(text) = &logs.ended {
        Line::styled(clean(text).into_owned(), theme.warning)
    } else if let Some(query) = logs.buffer.search_query() {
        Line::styled(format!("/{}  n next · N previous", clean(query)), theme.dim)
    } else {
        Line::default()
    };
    frame.render_widget(line, area);
}

/// `text` as spans, the byte ranges in `found` styled apart.
fn highlighted(
    text: &str,
    found: Vec<std::ops::Range<usize>>,
    base: Style,
    mark: Style,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut at = 0;
    for range in found {
        let (start, end) = (range.start.min(text.len()), range.end.min(text.len()));
        if start < at || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        if start > at {
            spans.push(Span::styled(text[at..start].to_string(), base));
        }
        spans.push(Span::styled(text[start..end].to_string(), mark));
        at = end;
    }
    if at < text.len() {
        spans.push(Span::styled(text[at..].to_string(), base));
    }
    spans
}
