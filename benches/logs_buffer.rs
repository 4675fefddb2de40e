//! The logs view's model under load, without an engine: `cargo bench --bench logs_buffer`.
//!
//! - flood: 1,000,000 lines as the engine sends them (multiplexed frames, timestamps) decoded,
//!   cleaned, batched as the pump does at 100,000 lines a second (1,600 lines per 16 ms
//!   frame) and pushed into the buffer; then the last screen. Time per line and the memory
//!   the process grew by (the bound: 64 MiB), plus what the buffer accounts for.
//! - open: the last 50,000 lines (what wharf asks the engine for, `tail`) to the first
//!   screen: the target is 300 ms for a container with 1,000,000 lines.
//! - one frame's work while following: a 1,600-line batch pushed and a 50×200 screen built.
//! - search over a full buffer, and a wrapped screen.
//!
//! Prints median/min/max over WHARF_BENCH_RUNS runs (default 10) and fails if memory
//! exceeds the bound.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use wharf::docker::{LogDecoder, LogLine};
use wharf::logs::{Batcher, LogBuffer, MAX_LINES};

const ROWS: usize = 50;
const COLS: usize = 200;
const FLOOD_LINES: usize = 1_000_000;
/// 100,000 lines a second, one batch per 16 ms frame.
const BATCH: usize = 1_600;
const MEMORY_BOUND: u64 = 64 * 1024 * 1024;

/// Frames as the engine sends them for `count` lines of a busy web server.
fn engine_bytes(count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * 130);
    for i in 0..count {
        let stream = if i % 50 == 0 { 2u8 } else { 1u8 };
        let payload = format!(
            "2024-05-01T10:{:02}:{:02}.{:09}Z 10.0.{}.{} - - \"GET /api/items/{i} HTTP/1.1\" 200 {} \"-\" \"curl/8.0\"\n",
            (i / 60_000) % 60,
            (i / 1000) % 60,
            i % 1_000_000_000,
            i % 256,
            (i * 7) % 256,
            i % 9000
        );
        out.extend_from_slice(&[stream, 0, 0, 0]);
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(payload.as_bytes());
    }
    out
}

/// Decodes, batches and pushes `bytes` in socket-sized chunks, `batch` lines per frame.
fn ingest(bytes: &[u8], batch: usize) -> LogBuffer {
    let mut decoder = LogDecoder::new(false, true);
    let mut batcher = Batcher::default();
    let mut buffer = LogBuffer::new();
    let mut lines: Vec<LogLine> = Vec::new();
    for chunk in bytes.chunks(64 * 1024) {
        decoder.feed(chunk, &mut lines).unwrap();
        for line in lines.drain(..) {
            batcher.push(line);
            if batcher.len() >= batch {
                buffer.push_batch(batcher.take());
            }
        }
    }
    decoder.finish(&mut lines);
    for line in lines.drain(..) {
        batcher.push(line);
    }
    buffer.push_batch(batcher.take());
    buffer
}

fn main() {
    let runs: usize = std::env::var("WHARF_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    println!("logs_buffer: {runs} runs each, screen {COLS}x{ROWS}");

    // Memory first, in a process that has not grown yet.
    let flood = engine_bytes(FLOOD_LINES);
    let before = rss_bytes();
    let buffer = ingest(&flood, BATCH);
    let grown = rss_bytes().saturating_sub(before);
    assert_eq!(buffer.len(), MAX_LINES);
    assert_eq!(buffer.dropped(), (FLOOD_LINES - MAX_LINES) as u64);
    println!(
        "  flood of {FLOOD_LINES} lines: process grew by {:.1} MiB (bound {} MiB), buffer accounts {:.1} MiB for {} lines, {} dropped",
        grown as f64 / 1048576.0,
        MEMORY_BOUND / 1048576,
        buffer.memory_bytes() as f64 / 1048576.0,
        buffer.len(),
        buffer.dropped()
    );
    assert!(
        grown < MEMORY_BOUND,
        "the flood grew the process by {grown} bytes"
    );
    drop(buffer);

    report(
        "flood: 1,000,000 lines decoded, cleaned, buffered, last screen",
        runs,
        || {
            let buffer = ingest(&flood, BATCH);
            black_box(buffer.visible(ROWS, COLS).len());
        },
    );

    let opened = engine_bytes(MAX_LINES);
    report(
        "open: last 50,000 lines (tail) to the first screen",
        runs,
        || {
            let buffer = ingest(&opened, MAX_LINES);
            black_box(buffer.visible(ROWS, COLS).len());
        },
    );

    let full = ingest(&opened, MAX_LINES);
    let frame_bytes = engine_bytes(BATCH);
    report(
        "one frame while following: +1,600 lines and a screen",
        runs * 10,
        || {
            let mut buffer = full.clone();
            let started = Instant::now();
            let mut decoder = LogDecoder::new(false, true);
            let mut lines = Vec::new();
            decoder.feed(&frame_bytes, &mut lines).unwrap();
            let mut batcher = Batcher::default();
            for line in lines {
                batcher.push(line);
            }
            buffer.push_batch(batcher.take());
            black_box(buffer.visible(ROWS, COLS).len());
            started.elapsed()
        },
    );

    let mut searched = full.clone();
    report("search: a word in no line, over 50,000 lines", runs, || {
        black_box(searched.search("nowhere-to-be-found", ROWS));
    });

    let mut wrapped = full.clone();
    wrapped.toggle_wrap();
    wrapped.toggle_timestamps();
    report(
        "a wrapped screen with timestamps, 80 columns",
        runs * 10,
        || {
            black_box(wrapped.visible(ROWS, 80 - wrapped.prefix_width()).len());
        },
    );
}

/// Something a run measures: either its own elapsed time or the whole call's.
trait Measured {
    fn elapsed_or(self, whole: Duration) -> Duration;
}

impl Measured for () {
    fn elapsed_or(self, whole: Duration) -> Duration {
        whole
    }
}

impl Measured for Duration {
    fn elapsed_or(self, _whole: Duration) -> Duration {
        self
    }
}

fn report<M: Measured>(what: &str, runs: usize, mut run: impl FnMut() -> M) {
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let measured = run();
            measured.elapsed_or(started.elapsed()).as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    println!(
        "  {what}: median {:.2} ms, min {:.2} ms, max {:.2} ms",
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1]
    );
}

/// The process's resident memory now (Linux).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
