//! A yes/no question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::model::drawn::Area;
use crate::model::popup::Confirm;
use crate::text::{clean_multiline, wrap};
use crate::ui::theme::Theme;
use crate::ui::widgets::{centered, popup_frame};

pub fn draw(frame: &mut Frame, area: Rect, confirm: &Confirm, theme: &Theme) {
    let width = 70.min(area.width.saturating_sub(2));
    let lines = wrap(
        &clean_multiline(&confirm.body),
        width.saturating_sub(2) as usize,
    );
    let height = (u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4))
    .min(area.height);
    let rect = centered(area, width, height);
    let inner = popup_frame(frame, rect, &confirm.title, theme.warning, theme);
    let [body, _, buttons] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(lines.into_iter().map(Line::from).collect::<Vec<_>>()),
        body,
    );
    let button = |label: &str, key: char, selected: bool| {
        let style = if selected { theme.selection } else { theme.key };
        Span::styled(format!(" {key}: {label} "), style)
    };
    let yes = button(&confirm.yes, 'y', confirm.yes_selected);
    let no = button(&confirm.no, 'n', !confirm.yes_selected);
    let yes_width = u16::try_from(yes.width()).unwrap_or(u16::MAX);
    let no_width = u16::try_from(no.width()).unwrap_or(u16::MAX);
    let at = |x: u16, width: u16| Area {
        x,
        y: buttons.y,
        width: width.min(buttons.right().saturating_sub(x)),
        height: buttons.height.min(1),
    };
    let no_x = buttons.x.saturating_add(yes_width).saturating_add(3);
    confirm
        .buttons
        .record((at(buttons.x, yes_width), at(no_x, no_width)));
    let line = Line::from(vec![
        yes,
        Span::raw("   "),
        no,
        Span::styled("   Enter: highlighted · Esc: no", theme.dim),
    ]);
    frame.render_widget(Paragraph::new(line), buttons);
}
