//! The help overlay, generated from the live keymap and the command table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::config::keymap::Scope;
use crate::model::popup::Scroll;
use crate::state::State;
use crate::state::command::COMMANDS;
use crate::ui::theme::Theme;
use crate::ui::widgets::{centered, popup_frame};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, scroll: &Scroll, theme: &Theme) {
    let lines = help_lines(state, theme);
    // As wide as the longest line (so none is cut where there is room), at least 72.
    let longest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let width = (longest + 2).max(72).min(area.width.saturating_sub(2));
    let height = (u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2))
    .min(area.height);
    let rect = centered(area, width, height);
    let visible = rect.height.saturating_sub(2) as usize;
    scroll.page.record(visible.max(1));
    scroll.max.record(lines.len().saturating_sub(visible));
    let offset = scroll.offset.min(scroll.max.get());
    let title = if offset < scroll.max.get() {
        "Help — ↓ more below · Esc closes"
    } else {
        "Help — Esc closes"
    };
    let inner = popup_frame(frame, rect, title, theme.accent, theme);
    let shown: Vec<Line> = lines.into_iter().skip(offset).take(visible).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn help_lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let pane = state.focus;
    let section = |heading: String, scope: Scope, lines: &mut Vec<Line<'static>>| {
        let bindings = state.keymap.own_bindings(scope);
        if bindings.is_empty() {
            return;
        }
        lines.push(Line::styled(heading, theme.header));
        let rows: Vec<(String, &str)> = bindings
            .into_iter()
            .map(|(action, keys)| {
                let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
                (keys.join(" "), action.help())
            })
            .collect();
        // Remapped keys can be long: the column is as wide as its widest entry.
        let column = rows.iter().map(|(keys, _)| keys.chars().count()).max();
        let column = column.unwrap_or(0).max(15) + 1;
        for (keys, help) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<column$}"), theme.key),
                Span::raw(help),
            ]));
        }
        lines.push(Line::default());
    };
    let heading = match state.scope() {
        Scope::Changes => "Writable layer".to_string(),
        Scope::Catalog => "Catalog".to_string(),
        Scope::Files => "Files view".to_string(), // files view
        Scope::Logs => "Logs".to_string(),
        _ => format!("{} pane", pane.title()),
    };
    section(heading, state.scope(), &mut lines);
    section("Everywhere".to_string(), Scope::Global, &mut lines);
    lines.push(Line::styled("Commands (type : first)", theme.header));
    let usages: Vec<String> = COMMANDS
        .iter()
        .map(|command| {
            if command.usage.is_empty() {
                command.name.to_string()
            } else {
                format!("{} {}", command.name, command.usage)
            }
        })
        .collect();
    let column = usages.iter().map(|u| u.chars().count()).max().unwrap_or(0) + 1;
    for (command, usage) in COMMANDS.iter().zip(usages) {
        lines.push(Line::from(vec![
            Span::styled(format!("  :{usage:<column$}"), theme.key),
            Span::raw(command.help),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "Inputs: ←/→ Home/End Backspace/Del, Ctrl-U clears, Ctrl-W deletes a word",
        theme.dim,
    ));
    lines
}
