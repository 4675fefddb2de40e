//! The engine part of the header: which context, which address, and how the connection
//! stands (connected with the engine's version, connecting, lost and reconnecting).

use ratatui::style::Modifier;
use ratatui::text::Span;

use crate::state::{EngineStatus, State};
use crate::text::clean;

use super::theme::Theme;

pub fn spans(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if let Some(context) = state.engine_context() {
        spans.push(Span::styled(
            format!(" {} ", clean(context)),
            theme.accent.add_modifier(Modifier::REVERSED),
        ));
    }
    let lost = state.connection_lost();
    match state.engine_status() {
        EngineStatus::Connected(info) => {
            spans.push(Span::raw(format!(" {} ", clean(&info.host))));
            spans.push(Span::styled(
                format!(
                    " engine {} (API {})",
                    clean(&info.version),
                    clean(&info.api_version)
                ),
                theme.dim,
            ));
        }
        EngineStatus::Connecting => {
            spans.push(Span::raw(format!(" {} ", clean(state.engine_target()))));
            let text = if lost {
                " connection lost · reconnecting…"
            } else {
                " connecting…"
            };
            spans.push(Span::styled(text, theme.warning));
        }
        EngineStatus::Down {
            attempt, retry_in, ..
        } => {
            spans.push(Span::raw(format!(" {} ", clean(state.engine_target()))));
            let seconds = retry_in.as_secs_f32().ceil();
            let text = if lost {
                format!(
                    " connection lost · reconnecting, try {} in {seconds:.0} s",
                    attempt + 1
                )
            } else {
                " engine unreachable".to_string()
            };
            spans.push(Span::styled(text, theme.error));
        }
    }
    spans
}
