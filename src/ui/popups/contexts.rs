//! The contexts popup: the docker contexts (name, description, endpoint, which one wharf
//! uses), broken ones with their problem, the `DOCKER_HOST` in force, and what Enter does.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::docker::ContextSummary;
use crate::model::contexts::ContextsPopup;
use crate::text::{clean, truncate, wrap};
use crate::ui::theme::Theme;
use crate::ui::widgets::{centered, popup_frame};

/// Widest the popup gets: endpoints are long, descriptions longer.
const MAX_WIDTH: u16 = 120;

pub fn draw(frame: &mut Frame, area: Rect, popup: &ContextsPopup, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let text_width = usize::from(width.saturating_sub(2));
    let mut notes: Vec<Line> = Vec::new();
    if let Some(list) = &popup.list {
        if let Some((host, source)) = &list.host_override {
            let text = format!(
                "{source} is set to {}: the docker CLI uses it over every context. \
                 Choosing a context here switches wharf anyway.",
                clean(host)
            );
            notes.extend(styled_wrap(&text, text_width, theme.warning));
        }
        for warning in &list.warnings {
            notes.extend(styled_wrap(warning, text_width, theme.warning));
        }
    }
    let mut footer: Vec<Line> = Vec::new();
    if let Some(error) = &popup.error {
        footer.extend(styled_wrap(error, text_width, theme.error));
    } else if let Some(name) = &popup.switching {
        footer.push(Line::styled(
            truncate(&format!("switching to {}…", clean(name)), text_width).into_owned(),
            theme.warning,
        ));
    }
    footer.push(Line::styled(
        "Enter switch  ↑↓ move  Esc close  * in use",
        theme.dim,
    ));

    let rows = popup.rows();
    let table_height = if popup.list.is_some() {
        rows.len() + 1
    } else {
        1
    };
    let wanted = notes.len() + table_height + footer.len() + 2;
    let height = u16::try_from(wanted).unwrap_or(u16::MAX).min(area.height);
    let rect = centered(area, width, height);
    let inner = popup_frame(frame, rect, "Docker contexts", theme.accent, theme);
    let [notes_area, table_area, footer_area] = Layout::vertical([
        Constraint::Length(u16::try_from(notes.len()).unwrap_or(0)),
        Constraint::Min(1),
        Constraint::Length(u16::try_from(footer.len()).unwrap_or(0)),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(notes), notes_area);
    frame.render_widget(Paragraph::new(footer), footer_area);
    if popup.list.is_none() {
        frame.render_widget(
            Paragraph::new(Line::styled("Reading the docker contexts…", theme.dim)),
            table_area,
        );
        return;
    }
    draw_table(frame, table_area, rows, popup.cursor, theme);
}

/// Column widths for the rows at `width`: name, endpoint; the description takes the rest.
fn widths(rows: &[ContextSummary], width: usize) -> (usize, usize) {
    let longest = |f: &dyn Fn(&ContextSummary) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let room = width.saturating_sub(2 + 2 + 2);
    let name = longest(&|c| c.name.chars().count()).max(4).min(room / 4);
    let endpoint = longest(&|c| endpoint_text(c).chars().count())
        .max(8)
        .min(room * 2 / 5);
    (name, endpoint)
}

fn endpoint_text(context: &ContextSummary) -> String {
    let endpoint = context.endpoint.as_deref().unwrap_or("");
    if context.tls {
        format!("{endpoint} (TLS)")
    } else {
        endpoint.to_string()
    }
}

fn draw_table(
    frame: &mut Frame,
    area: Rect,
    rows: &[ContextSummary],
    cursor: usize,
    theme: &Theme,
) {
    let width = usize::from(area.width);
    let (name_w, endpoint_w) = widths(rows, width);
    let rest = width.saturating_sub(2 + name_w + 2 + endpoint_w + 2);
    let cell = |text: &str, w: usize| format!("{:<w$}", truncate(&clean(text), w));
    let mut lines = vec![Line::styled(
        format!(
            "  {}  {}  {}",
            cell("NAME", name_w),
            cell("ENDPOINT", endpoint_w),
            cell("DESCRIPTION", rest)
        ),
        theme.header,
    )];
    // Keep the cursor's row on screen.
    let visible = usize::from(area.height).saturating_sub(1).max(1);
    let first = cursor.saturating_sub(visible - 1);
    for (i, context) in rows.iter().enumerate().skip(first).take(visible) {
        let marker = if context.current { "* " } else { "  " };
        let (endpoint, description, style) = match &context.problem {
            Some(problem) => ("broken".to_string(), problem.clone(), theme.error),
            None => (
                endpoint_text(context),
                context.description.clone(),
                Style::new(),
            ),
        };
        let spans = vec![
            Span::raw(marker),
            Span::raw(cell(&context.name, name_w)),
            Span::raw("  "),
            Span::styled(cell(&endpoint, endpoint_w), style),
            Span::raw("  "),
            Span::styled(cell(&description, rest), style.patch(theme.dim)),
        ];
        let line = Line::from(spans);
        lines.push(if i == cursor {
            line.style(theme.selection)
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn styled_wrap(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap(&clean(text), width)
        .into_iter()
        .map(|line| Line::styled(line, style))
        .collect()
}
