//! From the engine's log stream to the model without flooding it: lines are cleaned and
//! gathered in the reading task, and handed over as batches, one per frame at most and one
//! at a time (the next waits until the model has taken the last), while at most
//! [`MAX_LINES`] wait: the older ones are dropped and counted, since the buffer would drop
//! them anyway.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::docker::{EngineError, LogLine};

use super::buffer::{LogEntry, MAX_LINES, MAX_TEXT_BYTES};

/// The shortest time between two batches: the UI draws at most one frame per 16 ms.
pub const FRAME: Duration = Duration::from_millis(16);

/// Lines ready for [`super::LogBuffer::push_batch`].
#[derive(Debug, Clone, Default)]
pub struct LogBatch {
    pub entries: Vec<LogEntry>,
    /// Lines older than `entries` that were dropped before the model saw them.
    pub dropped: u64,
    /// Dropped with the batch (all its clones): tells the pump the model has it.
    receipt: Option<Receipt>,
}

impl LogBatch {
    pub fn new(entries: Vec<LogEntry>, dropped: u64) -> Self {
        LogBatch {
            entries,
            dropped,
            receipt: None,
        }
    }
}

#[derive(Clone)]
struct Receipt(#[allow(dead_code)] Arc<ReceiptInner>);

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt")
    }
}

struct ReceiptInner(Arc<Notify>);

impl Drop for ReceiptInner {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

/// Lines waiting for the model, cleaned, bounded like the buffer.
#[derive(Debug, Default)]
pub struct Batcher {
    pending: VecDeque<LogEntry>,
    bytes: usize,
    dropped: u64,
}

impl Batcher {
    pub fn push(&mut self, line: LogLine) {
        let entry = LogEntry::from_line(line);
        self.bytes += entry.text.len();
        self.pending.push_back(entry);
        while self.pending.len() > MAX_LINES
            || (self.bytes > MAX_TEXT_BYTES && self.pending.len() > 1)
        {
            if let Some(old) = self.pending.pop_front() {
                self.bytes -= old.text.len();
                self.dropped += 1;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty() && self.dropped == 0
    }

    /// Everything waiting, as one batch.
    pub fn take(&mut self) -> LogBatch {
        self.bytes = 0;
        LogBatch::new(
            self.pending.drain(..).collect(),
            std::mem::take(&mut self.dropped),
        )
    }
}

/// Reads `lines` until they end, handing batches to `deliver` (which sends them to the
/// model and says whether anyone still listens). Returns how the stream ended.
///
/// While the container is quiet nothing happens: no timer runs without lines waiting.
pub async fn pump<S>(
    mut lines: S,
    mut deliver: impl FnMut(LogBatch) -> bool,
) -> Result<(), EngineError>
where
    S: Stream<Item = Result<LogLine, EngineError>> + Unpin,
{
    let taken = Arc::new(Notify::new());
    let mut batcher = Batcher::default();
    let mut in_flight = false;
    let mut next_send = Instant::now();
    let mut ended: Option<Result<(), EngineError>> = None;
    loop {
        if batcher.is_empty()
            && !in_flight
            && let Some(end) = ended.take()
        {
            return end;
        }
        let may_send = !batcher.is_empty() && !in_flight;
        tokio::select! {
            biased;
            () = taken.notified(), if in_flight => in_flight = false,
            () = tokio::time::sleep_until(next_send), if may_send => {
                let mut batch = batcher.take();
                batch.receipt = Some(Receipt(Arc::new(ReceiptInner(Arc::clone(&taken)))));
                if !deliver(batch) {
                    return Ok(()); // nobody listens: the view was closed
                }
                in_flight = true;
                next_send = Instant::now() + FRAME;
            }
            line = lines.next(), if ended.is_none() => match line {
                Some(Ok(line)) => batcher.push(line),
                Some(Err(e)) => ended = Some(Err(e)),
                None => ended = Some(Ok(())),
            },
            else => return ended.unwrap_or(Ok(())),
        }
    }
}

#[cfg(test)]
mod tests {
    use futures::stream;
    use tokio::sync::mpsc;

    use super::*;
    use crate::docker::LogStream;

    fn line(i: usize) -> LogLine {
        LogLine {
            stream: LogStream::Stdout,
            timestamp: None,
            text: format!("line {i}"),
        }
    }

    #[test]
    fn the_batcher_keeps_the_newest_lines() {
        let mut batcher = Batcher::default();
        for i in 0..MAX_LINES + 5 {
            batcher.push(line(i));
        }
        assert_eq!(batcher.len(), MAX_LINES);
        let batch = batcher.take();
        assert_eq!(batch.dropped, 5);
        assert_eq!(&*batch.entries[0].text, "line 5");
        assert!(batcher.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_flood_arrives_one_batch_per_frame_bounded_and_complete_at_the_end() {
        const TOTAL: usize = 300_000;
        // The lines arrive in chunks as from a socket, 1,000 every millisecond: 1,000,000 a second.
        let chunks = stream::iter((0..TOTAL / 1000).map(|chunk| {
            (chunk * 1000..(chunk + 1) * 1000)
                .map(|i| Ok(line(i)))
                .collect::<Vec<_>>()
        }))
        .then(|chunk| async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            stream::iter(chunk)
        })
        .flatten();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let pump = tokio::spawn(pump(Box::pin(chunks), move |batch| {
            tx.send((Instant::now(), batch)).is_ok()
        }));
        let mut last_at: Option<Instant> = None;
        let mut delivered = 0u64;
        let mut dropped = 0u64;
        let mut last_text = String::new();
        let mut batches = 0;
        while let Some((at, batch)) = rx.recv().await {
            if let Some(last) = last_at {
                assert!(at - last >= FRAME, "two batches {:?} apart", at - last);
            }
            assert!(batch.entries.len() <= MAX_LINES);
            last_at = Some(at);
            delivered += batch.entries.len() as u64;
            dropped += batch.dropped;
            if let Some(entry) = batch.entries.last() {
                last_text = entry.text.to_string();
            }
            batches += 1;
            // The model takes it at once (the batch is dropped here).
        }
        pump.await.unwrap().unwrap();
        assert_eq!(
            delivered + dropped,
            TOTAL as u64,
            "every line delivered or counted"
        );
        assert_eq!(
            last_text,
            format!("line {}", TOTAL - 1),
            "the newest line arrives"
        );
        // 300 ms of flood: about one batch per frame, not one per line.
        assert!(batches <= 300 / 16 + 2, "{batches} batches");
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_model_gets_one_batch_at_a_time_and_the_waiting_lines_stay_bounded() {
        let flood = stream::iter((0..200_000).map(|i| Ok(line(i))));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let pump = tokio::spawn(pump(Box::pin(flood), move |batch| tx.send(batch).is_ok()));
        let mut total_dropped = 0;
        let mut held = 0;
        while let Some(batch) = rx.recv().await {
            // Busy for a while with the batch: no second batch comes meanwhile.
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(
                rx.try_recv().is_err(),
                "a second batch came before the first was taken"
            );
            assert!(batch.entries.len() <= MAX_LINES);
            total_dropped += batch.dropped;
            held += batch.entries.len();
            drop(batch);
        }
        pump.await.unwrap().unwrap();
        assert_eq!(held as u64 + total_dropped, 200_000);
        assert!(
            total_dropped > 0,
            "the model was slow: old lines were dropped"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_stream_sends_nothing_and_an_error_ends_the_pump() {
        let lines = stream::iter(vec![
            Ok(line(1)),
            Err(EngineError::new(
                crate::docker::EngineErrorKind::Unreachable,
                "gone",
            )),
        ]);
        let mut batches = Vec::new();
        let end = pump(lines, |batch| {
            batches.push(batch.entries.len());
            true
        })
        .await;
        assert_eq!(end.unwrap_err().message, "gone");
        assert_eq!(batches, [1]);

        let closed = pump(stream::iter(vec![Ok(line(1))]), |_| false).await;
        assert!(closed.is_ok(), "a closed view ends the pump quietly");
    }
}
