//! Drawing: a pure function of the state into a ratatui frame.

// Remote engines: the engine part of the header.
mod engine_header;
mod panes;
mod popups;
pub mod theme;
mod views;
mod widgets;

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::action::Action;
use crate::config::keymap::Scope;
use crate::model::drawn::Area;
use crate::model::popup::Severity;
use crate::state::{Pane, PaneAreas, State};

use crate::text::{self, clean, truncate};
use theme::Theme;

/// Below this size wharf shows a notice instead of its layout.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// From this width the four panes sit in a 2×2 grid; below it, two panes are stacked.
const WIDE_WIDTH: u16 = 100;

/// What drawing needs besides the state, and what it learns while drawing.
pub struct View<'a> {
    pub theme: &'a Theme,
    /// Current time (seconds since the epoch) for relative ages; fixed in tests.
    pub now: i64,
    /// The earliest time a relative time on screen changes its text.
    refresh_at: std::cell::Cell<Option<i64>>,
}

impl<'a> View<'a> {
    pub fn new(theme: &'a Theme, now: i64) -> Self {
        View {
            theme,
            now,
            refresh_at: std::cell::Cell::new(None),
        }
    }

    /// When the screen drawn with this view next needs drawing again because a relative
    /// time on it would read differently; `None` when nothing on it ages.
    pub fn refresh_at(&self) -> Option<i64> {
        self.refresh_at.get()
    }

    fn note_change_at(&self, at: Option<i64>) {
        if let Some(at) = at {
            let earliest = self.refresh_at.get().map_or(at, |known| known.min(at));
            self.refresh_at.set(Some(earliest));
        }
    }

    /// `then` as a relative age (`5m`), noting when its text changes.
    pub fn age(&self, then: i64) -> String {
        self.note_change_at(text::format::age_changes_at(self.now, then));
        text::format::age(self.now, then)
    }

    /// A container's status with its duration moved on to now, noting when it changes.
    pub fn container_status<'s>(
        &self,
        status: &'s str,
        listed_at: i64,
        created: i64,
    ) -> Cow<'s, str> {
        self.note_change_at(text::format::container_status_changes_at(
            status, listed_at, created, self.now,
        ));
        text::format::container_status(status, listed_at, created, self.now)
    }
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &State, view: &View) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        state.pane_areas.record(PaneAreas::default());
        draw_too_small(frame, area, view.theme);
        return;
    }
    let message = status_message_lines(state, area.width);
    let [header, body, jobs, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(1),
        Constraint::Length(message.len().max(1) as u16),
    ])
    .areas(area);

    draw_header(frame, header, state, view.theme);
    let mut drawn = PaneAreas::default();
    for (pane, rect) in pane_areas(body, state.focus) {
        panes::draw(frame, rect, pane, state, view);
        drawn.set(pane, area_of(rect));
    }
    state.pane_areas.record(drawn);
    if let Some(changes) = state.changes_view() {
        popups::changes::draw(frame, body, changes, state.keys_reach_view(), view);
    }
    // files view (issue 10)
    if let Some(files) = state.files_view() {
        let keys = views::files::FilesKeys::from_keymap(&state.keymap);
        views::files::draw(frame, body, files, &keys, state.keys_reach_view(), view);
    }
    // workflow: a container's logs
    if let Some(logs) = state.logs_view() {
        popups::logs::draw(frame, body, logs, state.keys_reach_view(), view);
    }
    draw_jobs_strip(frame, jobs, state, view.theme);
    draw_status(frame, status, state, &message, view.theme);
    if let Some(open) = &state.form {
        popups::form::draw(frame, body, open.view(), view.theme);
    }
    popups::draw(frame, body, state, view);
}

fn area_of(rect: Rect) -> Area {
    Area {
        x: rect.x,
        y: rect.y,
        width: rect.width,
        height: rect.height,
    }
}

/// Where each visible pane goes: a 2×2 grid when wide (the jobs pane takes the bottom row
/// while it has the focus), the focused pair stacked when narrow.
fn pane_areas(body: Rect, focus: Pane) -> Vec<(Pane, Rect)> {
    if body.width >= WIDE_WIDTH {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(body);
        let split = |r: Rect| {
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas::<2>(r)
        };
        let [images, layers] = split(top);
        let mut areas = vec![(Pane::Images, images), (Pane::Layers, layers)];
        if focus == Pane::Jobs {
            areas.push((Pane::Jobs, bottom));
        } else {
            let [containers, tags] = split(bottom);
            areas.extend([(Pane::Containers, containers), (Pane::Tags, tags)]);
        }
        areas
    } else {
        let pair = match focus {
            Pane::Images | Pane::Layers => [Pane::Images, Pane::Layers],
            Pane::Containers | Pane::Tags => [Pane::Containers, Pane::Tags],
            Pane::Jobs => return vec![(Pane::Jobs, body)],
        };
        let [first, second] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
        vec![(pair[0], first), (pair[1], second)]
    }
}

fn draw_too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "wharf needs {MIN_WIDTH}×{MIN_HEIGHT}; this terminal is {}×{}",
        area.width, area.height
    );
    let lines = text::wrap(&text, area.width as usize);
    let body: Vec<Line> = lines.into_iter().map(Line::from).collect();
    frame.render_widget(Paragraph::new(body).style(theme.warning), area);
}

fn draw_header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut left = vec![Span::styled(
        " wharf ",
        theme.accent.add_modifier(ratatui::style::Modifier::BOLD),
    )];
    // Remote engines: the context, the address and how the connection stands.
    left.extend(engine_header::spans(state, theme));
    let hints = hints(state, &[Action::Help, Action::CommandLine], Scope::Global);
    draw_left_right(frame, area, Line::from(left), hints);
}

/// `key label` pairs for the given actions, from the live keymap.
fn hints(state: &State, actions: &[Action], scope: Scope) -> Line<'static> {
    let mut spans = Vec::new();
    for action in actions {
        if let Some(key) = state.keymap.hint(scope, *action) {
            let label = match action {
                Action::Help => "help",
                Action::CommandLine => "command",
                Action::Filter if scope == Scope::Logs => "search",
                Action::Filter => "filter",
                Action::SearchNext => "next",
                Action::ToggleTimestamps => "timestamps",
                Action::ToggleWrap => "wrap",
                Action::Sort => "sort",
                Action::ToggleAll => "all",
                Action::Open => "open",
                Action::CancelJob => "cancel",
                other => other.name(),
            };
            spans.push(Span::styled(
                format!("{key} "),
                Style::new().add_modifier(ratatui::style::Modifier::BOLD),
            ));
            spans.push(Span::raw(format!("{label}  ")));
        }
    }
    Line::from(spans)
}

/// A line with content on the left and, when there is room, hints on the right.
fn draw_left_right(frame: &mut Frame, area: Rect, left: Line, right: Line) {
    let right_width = right.width() as u16;
    if (left.width() as u16) + right_width < area.width {
        let [l, r] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
        frame.render_widget(Paragraph::new(left), l);
        frame.render_widget(Paragraph::new(right), r);
    } else {
        frame.render_widget(Paragraph::new(left), area);
    }
}

fn draw_jobs_strip(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(message) = state
        .command_line
        .as_ref()
        .and_then(|c| c.message.as_deref())
    {
        let text = truncate(&clean(message), area.width as usize).into_owned();
        frame.render_widget(Paragraph::new(text).style(theme.warning), area);
        return;
    }
    panes::jobs::draw_strip(frame, area, state, theme);
}

/// A long status message wraps onto this many rows at most, taken from the panes while it
/// shows, so the reason at the end of an error stays readable.
const STATUS_MAX_LINES: usize = 3;

/// The status message as the rows it takes at `width` (none without a message).
fn status_message_lines(state: &State, width: u16) -> Vec<String> {
    let Some(message) = state
        .status
        .as_ref()
        .filter(|_| state.command_line.is_none())
    else {
        return Vec::new();
    };
    let width = usize::from(width.saturating_sub(1));
    let mut lines = text::wrap(&clean(&message.text), width);
    if lines.len() > STATUS_MAX_LINES {
        lines.truncate(STATUS_MAX_LINES);
        if let Some(last) = lines.last_mut() {
            *last = truncate(&format!("{last}…"), width).into_owned();
        }
    }
    lines.into_iter().map(|line| format!(" {line}")).collect()
}

fn draw_status(frame: &mut Frame, area: Rect, state: &State, message: &[String], theme: &Theme) {
    if let Some(line) = &state.command_line {
        widgets::input_line(frame, area, ":", &line.editor, theme);
        return;
    }
    let style = match state.status.as_ref().map(|m| m.severity) {
        Some(Severity::Error) => theme.error,
        _ => theme.ok,
    };
    if message.len() > 1 {
        let lines: Vec<Line> = message
            .iter()
            .map(|l| Line::styled(l.clone(), style))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let left = match message.first() {
        Some(text) => Line::styled(text.clone(), style),
        None => Line::default(),
    };
    let scope = state.scope();
    // The logs view has keys of its own and nothing to open.
    let actions: &[Action] = if scope == Scope::Logs {
        &[
            Action::Filter,
            Action::SearchNext,
            Action::ToggleTimestamps,
            Action::ToggleWrap,
            Action::Refresh,
        ]
    } else {
        &[
            Action::Filter,
            Action::Sort,
            Action::ToggleAll,
            Action::Open,
            Action::Commit,
            Action::CancelJob,
            Action::Refresh,
        ]
    };
    let right = hints(state, actions, scope);
    draw_left_right(frame, area, left, right);
}
