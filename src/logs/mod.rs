//! The logs view's model, pure: a bounded buffer of a container's last lines with stderr
//! marks, timestamps on a toggle, `/` search with next/previous, top/bottom, wrap; and the
//! flood-safe hand-over from the task that reads the engine's stream.
//!
//! - [`LogEntry`]: one line made harmless for the screen (escape sequences and control
//!   characters removed, tabs expanded).
//! - [`LogBuffer`]: the last [`MAX_LINES`] lines (and at most [`MAX_TEXT_BYTES`]), counting
//!   what it dropped, with the view's position and search; [`LogBuffer::visible`] gives
//!   the rows to draw.
//! - [`pump`]: reads a `docker::Engine::logs` stream, cleans and gathers lines off the UI
//!   task, and hands them over as one [`LogBatch`] per frame at most, never more than one
//!   batch in flight, keeping at most [`MAX_LINES`] waiting: a container writing 100,000
//!   lines a second costs the UI one batch per 16 ms and bounded memory.

mod buffer;
mod feed;

pub use buffer::{LogBuffer, LogEntry, MAX_LINES, MAX_TEXT_BYTES, SearchOutcome, VisibleRow};
pub use feed::{Batcher, FRAME, LogBatch, pump};

use crate::docker::LogsRequest;

/// What a logs view asks the engine for: the lines it can hold (the engine reads a long log
/// from its end, so opening 1,000,000 lines costs what 50,000 do), timestamps for the
/// toggle, and new lines as they come.
pub fn open_request() -> LogsRequest {
    LogsRequest {
        follow: true,
        tail: Some(MAX_LINES as u64),
        timestamps: true,
    }
}
