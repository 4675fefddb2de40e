//! The jobs pane: running and finished jobs, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::action::Action;
use crate::config::keymap::Scope;
use crate::model::jobs::{Job, JobStatus};
use crate::state::State;
use crate::text::clean;
use crate::ui::View;
use crate::ui::theme::Theme;
use crate::ui::widgets::{CellText, Column, LazyTable, RowText, notice, pane_block, title};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &View, focused: bool) {
    let theme = view.theme;
    let jobs = state.jobs.all();
    let running = state.jobs.running().count();
    let details = vec![format!("{running} running · {} in all", jobs.len())];
    let block = pane_block(title("Jobs", &details, area.width, theme), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if jobs.is_empty() {
        notice(
            frame,
            inner,
            "No jobs yet. Commits, pulls, pushes and imports show here.",
            theme.dim,
        );
        return;
    }
    LazyTable {
        columns: vec![
            Column::whole("#").right(),
            Column::whole("STATE"),
            Column::text("JOB", 10),
            Column::whole("PROGRESS"),
            Column::text("RESULT", 10),
        ],
        len: jobs.len(),
        cursor: &state.jobs.cursor,
        focused,
    }
    .render(frame, inner, theme, |i| {
        let Some(job) = jobs.iter().rev().nth(i) else {
            return RowText::default();
        };
        let (word, style, result) = status_parts(job, theme);
        RowText::new([
            CellText::from(job.id.0.to_string()),
            CellText::styled(word, style),
            CellText::from(job.title_seen_from(state.engine_name())),
            CellText::from(progress_text(job, PROGRESS_WIDTH)),
            CellText::from(result),
        ])
    });
}

/// The cells a running job's progress takes in the jobs pane.
const PROGRESS_WIDTH: usize = 28;

fn status_parts(job: &Job, theme: &Theme) -> (&'static str, ratatui::style::Style, String) {
    match &job.status {
        JobStatus::Running if job.cancelling => {
            ("cancelling", theme.warning, job.progress.message.clone())
        }
        JobStatus::Running => ("running", theme.accent, job.progress.message.clone()),
        JobStatus::Succeeded(summary) => ("done", theme.ok, summary.clone()),
        JobStatus::Failed(message) => (
            "failed",
            theme.error,
            message.lines().next().unwrap_or_default().to_string(),
        ),
        JobStatus::Cancelled => ("cancelled", theme.warning, String::new()),
    }
}

/// `███████░░░  71% 3/4 layers` for a running job.
pub fn progress_text(job: &Job, width: usize) -> String {
    if !job.is_running() {
        return String::new();
    }
    let progress = &job.progress;
    let layers = match progress.retrying() {
        Some(retrying) => format!(" {}", retrying.to_lowercase()),
        None if progress.layers.is_empty() => String::new(),
        None => format!(
            " {}/{} layers",
            progress.layers_done(),
            progress.layers.len()
        ),
    };
    match progress.fraction() {
        Some(fraction) => {
            let bar_width = width
                .saturating_sub(6 + layers.chars().count())
                .clamp(4, 12);
            let filled = ((fraction * bar_width as f64).round() as usize).min(bar_width);
            format!(
                "{}{} {:>3}%{layers}",
                "█".repeat(filled),
                "░".repeat(bar_width - filled),
                (fraction * 100.0).floor() as u32
            )
        }
        None => match progress.bytes {
            Some((done, _)) => format!("{}{layers}", crate::text::format::size(done)),
            None => format!("…{layers}"),
        },
    }
}

/// The one-line jobs strip under the panes: the running job with its progress, or how the
/// last one ended.
pub fn draw_strip(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut running = state.jobs.running();
    let line = match running.next() {
        Some(job) => {
            let others = running.count();
            let progress = progress_text(job, 30);
            let mut spans = vec![
                Span::styled(" ▸ ", theme.accent),
                Span::raw(format!(
                    "{} ",
                    clean(&job.title_seen_from(state.engine_name()))
                )),
                Span::styled(progress, theme.accent),
            ];
            if others > 0 {
                spans.push(Span::styled(
                    format!("   +{others} more running"),
                    theme.dim,
                ));
            }
            spans.push(Span::styled(jobs_hint(state), theme.dim));
            Line::from(spans)
        }
        None => match state.jobs.all().last() {
            Some(job) => {
                let (mark, style, text) = match &job.status {
                    JobStatus::Succeeded(summary) => ("✓", theme.ok, summary.clone()),
                    JobStatus::Failed(message) => (
                        "✗",
                        theme.error,
                        format!("failed: {}", message.lines().next().unwrap_or_default()),
                    ),
                    JobStatus::Cancelled => ("■", theme.warning, "cancelled".to_string()),
                    JobStatus::Running => ("▸", theme.accent, String::new()),
                };
                Line::from(vec![
                    Span::styled(format!(" {mark} "), style),
                    Span::raw(format!(
                        "{} — ",
                        clean(&job.title_seen_from(state.engine_name()))
                    )),
                    Span::styled(clean(&text).into_owned(), style),
                    Span::styled(jobs_hint(state), theme.dim),
                ])
            }
            None => Line::styled(" jobs: none", theme.dim),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// `   5: all jobs`, from the live keymap (a bare `5 jobs` reads like a count).
fn jobs_hint(state: &State) -> String {
    state
        .keymap
        .hint(Scope::Global, Action::FocusJobs)
        .map(|key| format!("   {key}: all jobs"))
        .unwrap_or_default()
}
