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
        // A lost connection comes first, so a narrow header keeps it.
        EngineStatus::Connecting if lost => {
            spans.push(Span::styled(
                " connection lost · reconnecting… ",
                theme.warning,
            ));
            spans.push(Span::raw(format!(" {}", clean(state.engine_target()))));
        }
        EngineStatus::Down {
            attempt, retry_in, ..
        } if lost => {
            spans.push(Span::styled(
                format!(
                    " connection lost · retry {} in {:.1} s ",
                    attempt + 1,
                    retry_in.as_secs_f32()
                ),
                theme.error,
            ));
            spans.push(Span::raw(format!(" {}", clean(state.engine_target()))));
        }
        EngineStatus::Connecting => {
            spans.push(Span::raw(format!(" {} ", clean(state.engine_target()))));
            spans.push(Span::styled(" connecting…", theme.warning));
        }
        EngineStatus::Down { .. } => {
            spans.push(Span::raw(format!(" {} ", clean(state.engine_target()))));
            spans.push(Span::styled(" engine unreachable", theme.error));
        }
    }
    spans
}
