//! A form: labelled fields, the focused one with the cursor, errors under their field.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::model::form::{Field, FieldValue, FormView};
use crate::text::{clean, truncate, wrap};
use crate::ui::theme::Theme;
use crate::ui::widgets::{centered, input_line, popup_frame};

/// Lines shown at most for a several-lines field.
const LINES_SHOWN: usize = 4;
/// Lines shown at most for a field's error.
const MAX_ERROR_LINES: usize = 3;

/// Rows under a field: its error (wrapped), or its hint while it has the focus.
fn below_lines(field: &Field, focused: bool, width: u16) -> u16 {
    match &field.error {
        Some(error) => wrap(&clean(error), width as usize)
            .len()
            .min(MAX_ERROR_LINES) as u16,
        None => u16::from(focused && !field.hint.is_empty()),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, form: FormView<'_>, theme: &Theme) {
    let fields = form.fields();
    let width = 84.min(area.width.saturating_sub(2));
    let inner_width = width.saturating_sub(2);
    let label_width = fields.iter().map(|f| f.label.len()).max().unwrap_or(0) as u16 + 2;
    let field_width = inner_width.saturating_sub(label_width);

    // Lay the form out as rows first, then place them.
    let mut height = 0u16;
    let mut row_of_field = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        row_of_field.push(height);
        height += match &field.value {
            FieldValue::Lines { lines, .. } => lines.len().clamp(1, LINES_SHOWN) as u16,
            _ => 1,
        };
        height += below_lines(field, i == form.focus, field_width);
    }
    let message = form.busy.or(form.error);
    let message_lines = message.map_or(Vec::new(), |m| wrap(&clean(m), inner_width as usize));
    let total = height
        .saturating_add(2)
        .saturating_add(u16::try_from(message_lines.len()).unwrap_or(u16::MAX));
    let rect = centered(area, width, total + 2);
    let inner = popup_frame(frame, rect, form.title, theme.accent, theme);

    for (i, field) in fields.iter().enumerate() {
        let y = inner.y + row_of_field[i];
        if y >= inner.bottom() {
            break;
        }
        let focused = i == form.focus && form.busy.is_none();
        let label_style = if focused { theme.key } else { theme.title };
        frame.render_widget(
            Paragraph::new(Span::styled(field.label, label_style)),
            Rect::new(inner.x, y, label_width, 1),
        );
        let field_area = Rect::new(inner.x + label_width, y, field_width, 1);
        let used = match &field.value {
            FieldValue::Text(editor) if focused => {
                input_line(frame, field_area, "", editor, theme);
                1
            }
            FieldValue::Text(editor) => {
                let shown = if editor.is_masked() {
                    "•".repeat(editor.text().chars().count())
                } else {
                    truncate(&clean(editor.text()), field_width as usize).into_owned()
                };
                frame.render_widget(Paragraph::new(shown), field_area);
                1
            }
            FieldValue::Switch(on) => {
                let text = if *on { "[x] yes" } else { "[ ] no" };
                let style = if focused {
                    theme.selection
                } else {
                    ratatui::style::Style::new()
                };
                frame.render_widget(Paragraph::new(Span::styled(text, style)), field_area);
                1
            }
            FieldValue::Lines { lines, row } => {
                let first = row
                    .saturating_sub(LINES_SHOWN - 1)
                    .min(lines.len().saturating_sub(LINES_SHOWN));
                let shown = lines.iter().enumerate().skip(first).take(LINES_SHOWN);
                let mut count = 0;
                for (n, (line_index, editor)) in shown.enumerate() {
                    let line_area = Rect::new(field_area.x, y + n as u16, field_width, 1);
                    if focused && line_index == *row {
                        input_line(frame, line_area, "", editor, theme);
                    } else {
                        let text =
                            truncate(&clean(editor.text()), field_width as usize).into_owned();
                        frame.render_widget(Paragraph::new(text), line_area);
                    }
                    count += 1;
                }
                count.max(1)
            }
        };
        let first_below = y + used;
        if let Some(error) = &field.error {
            let lines = wrap(&clean(error), field_width as usize);
            for (n, line) in lines.into_iter().take(MAX_ERROR_LINES).enumerate() {
                let row = Rect::new(field_area.x, first_below + n as u16, field_width, 1);
                if row.y < inner.bottom() {
                    frame.render_widget(Paragraph::new(Span::styled(line, theme.error)), row);
                }
            }
        } else if focused && !field.hint.is_empty() {
            let row = Rect::new(field_area.x, first_below, field_width, 1);
            if row.y < inner.bottom() {
                let text = truncate(field.hint, field_width as usize).into_owned();
                frame.render_widget(Paragraph::new(Span::styled(text, theme.dim)), row);
            }
        }
    }

    let mut y = inner.y + height + 1;
    let style = if form.busy.is_some() {
        theme.accent
    } else {
        theme.error
    };
    for line in message_lines {
        if y >= inner.bottom() {
            break;
        }
        frame.render_widget(
            Paragraph::new(Span::styled(line, style)),
            Rect::new(inner.x, y, inner.width, 1),
        );
        y += 1;
    }
    if y < inner.bottom() {
        let text = if form.busy.is_some() {
            "Esc closes this form (what was started goes on)"
        } else {
            "Enter submit · Tab next field · Esc cancel"
        };
        let hint = Line::styled(text, theme.dim);
        frame.render_widget(Paragraph::new(hint), Rect::new(inner.x, y, inner.width, 1));
    }
}
