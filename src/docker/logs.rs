//! `docker logs`: a container's output as a stream of lines, stdout and stderr told apart.
//!
//! The engine multiplexes stdout and stderr in 8-byte-header frames, except for containers
//! with a TTY, whose output is one raw stream. wharf asks the container which it is rather
//! than guessing from the first byte (bollard guesses, and a TTY line starting with a byte
//! below 3 would be read as a frame header of up to 4 GiB).

use bytes::Bytes;
use futures::stream::{self, BoxStream};
use futures::{Stream, StreamExt};

use super::engine::Engine;
use super::error::{EngineError, EngineErrorKind};
use super::lifecycle::gone_or;
use super::raw::{error_message, read_body};

/// Longest line kept whole; longer ones are split (the engine itself splits at 16 KiB).
pub const MAX_LOG_LINE: usize = 16 * 1024;

/// Which output a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// One line of a container's output, as the container wrote it (not cleaned: it may hold
/// escape sequences, which the logs view makes harmless).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub stream: LogStream,
    /// The engine's RFC 3339 timestamp, when asked for.
    pub timestamp: Option<String>,
    pub text: String,
}

/// What part of the logs to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogsRequest {
    /// Keep the stream open for new output.
    pub follow: bool,
    /// Only the last N lines; `None` for all.
    pub tail: Option<u64>,
    /// Ask the engine for each line's timestamp.
    pub timestamps: bool,
}

impl Engine {
    /// The container's logs as lines. The stream ends when the logs do (or, when following,
    /// when the container is removed or the engine goes away).
    pub async fn logs(
        &self,
        container: &str,
        request: LogsRequest,
    ) -> Result<BoxStream<'static, Result<LogLine, EngineError>>, EngineError> {
        let details = self.container_details(container).await?;
        let mut query = format!(
            "/containers/{}/logs?stdout=1&stderr=1&follow={}&timestamps={}",
            details.id.0,
            u8::from(request.follow),
            u8::from(request.timestamps),
        );
        query.push_str(&match request.tail {
            Some(n) => format!("&tail={n}"),
            None => "&tail=all".to_string(),
        });
        // Following is open-ended; only the answer's headers have a deadline.
        let (status, body) = self.raw().send("GET", &query, &[], None).await?;
        if status >= 400 {
            let body = read_body(body, 64 * 1024).await?;
            let error = EngineError::answered(Some(status), error_message(&body));
            return Err(gone_or(error, container));
        }
        let body: BoxStream<'static, Result<Bytes, EngineError>> = body.boxed();
        Ok(decode_lines(body, details.tty, request.timestamps).boxed())
    }
}

/// Bytes from the engine to lines, decoded as they arrive.
fn decode_lines(
    body: impl Stream<Item = Result<Bytes, EngineError>> + Send + 'static,
    tty: bool,
    timestamps: bool,
) -> impl Stream<Item = Result<LogLine, EngineError>> + Send + 'static {
    let mut decoder = Some(LogDecoder::new(tty, timestamps));
    body.map(Some)
        .chain(stream::iter([None]))
        .flat_map(move |chunk| {
            let mut lines = Vec::new();
            let result = match (chunk, decoder.as_mut()) {
                (Some(Ok(bytes)), Some(d)) => d.feed(&bytes, &mut lines),
                (Some(Err(e)), _) => Err(e),
                (None, Some(d)) => {
                    d.finish(&mut lines);
                    Ok(())
                }
                (_, None) => Ok(()),
            };
            let mut items: Vec<Result<LogLine, EngineError>> = lines.into_iter().map(Ok).collect();
            if let Err(e) = result {
                decoder = None; // nothing after a broken stream makes sense
                items.push(Err(e));
            }
            stream::iter(items)
        })
}

/// Where the decoder is in the multiplexed stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Collecting the 8 header bytes.
    Header,
    /// Inside a frame's payload, with this many bytes to go.
    Payload { stream: LogStream, remaining: usize },
}

/// Turns the engine's log bytes into lines: frames (unless TTY), timestamps, newlines.
/// Memory stays bounded whatever arrives: a line longer than [`MAX_LOG_LINE`] is split.
#[derive(Debug)]
pub struct LogDecoder {
    tty: bool,
    timestamps: bool,
    frame: Frame,
    header: Vec<u8>,
    /// True at the start of a frame (multiplexed) or a line (TTY): a timestamp comes next.
    at_message_start: bool,
    stamp: Vec<u8>,
    stdout: PartialLine,
    stderr: PartialLine,
}

#[derive(Debug, Default)]
struct PartialLine {
    bytes: Vec<u8>,
    timestamp: Option<String>,
}

/// Longest timestamp accepted (`2024-01-02T03:04:05.123456789+01:00` is 35 bytes).
const MAX_STAMP: usize = 40;

impl LogDecoder {
    pub fn new(tty: bool, timestamps: bool) -> Self {
        LogDecoder {
            tty,
            timestamps,
            frame: Frame::Header,
            header: Vec::with_capacity(8),
            at_message_start: true,
            stamp: Vec::new(),
            stdout: PartialLine::default(),
            stderr: PartialLine::default(),
        }
    }

    /// Decodes a chunk; complete lines are appended to `out`.
    pub fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<LogLine>) -> Result<(), EngineError> {
        if self.tty {
            self.payload(LogStream::Stdout, chunk, out);
            return Ok(());
        }
        while !chunk.is_empty() {
            match self.frame {
                Frame::Header => {
                    let take = (8 - self.header.len()).min(chunk.len());
                    self.header.extend_from_slice(&chunk[..take]);
                    chunk = &chunk[take..];
                    if self.header.len() == 8 {
                        let stream = match self.header[0] {
                            0 | 1 => LogStream::Stdout,
                            2 => LogStream::Stderr,
                            other => {
                                return Err(EngineError::new(
                                    EngineErrorKind::Other,
                                    format!(
                                        "the engine's log stream is garbled (frame type {other})"
                                    ),
                                ));
                            }
                        };
                        let size = u32::from_be_bytes([
                            self.header[4],
                            self.header[5],
                            self.header[6],
                            self.header[7],
                        ]);
                        self.header.clear();
                        self.stamp.clear(); // a frame that ended inside its stamp: junk
                        self.at_message_start = true;
                        self.frame = Frame::Payload {
                            stream,
                            remaining: usize::try_from(size).unwrap_or(usize::MAX),
                        };
                    }
                }
                Frame::Payload { stream, remaining } => {
                    let take = remaining.min(chunk.len());
                    self.payload(stream, &chunk[..take], out);
                    chunk = &chunk[take..];
                    self.frame = if remaining == take {
                        Frame::Header
                    } else {
                        Frame::Payload {
                            stream,
                            remaining: remaining - take,
                        }
                    };
                }
            }
        }
        Ok(())
    }

    /// The end of the stream: a last line without a newline is still a line.
    pub fn finish(&mut self, out: &mut Vec<LogLine>) {
        if !self.stamp.is_empty() {
            let held = std::mem::take(&mut self.stamp);
            self.text(LogStream::Stdout, &held, out);
        }
        for stream in [LogStream::Stdout, LogStream::Stderr] {
            let line = self.line_mut(stream);
            if !line.bytes.is_empty() {
                self.emit(stream, out);
            }
        }
    }

    fn line_mut(&mut self, stream: LogStream) -> &mut PartialLine {
        match stream {
            LogStream::Stdout => &mut self.stdout,
            LogStream::Stderr => &mut self.stderr,
        }
    }

    fn payload(&mut self, stream: LogStream, mut bytes: &[u8], out: &mut Vec<LogLine>) {
        while !bytes.is_empty() {
            if self.timestamps && self.at_message_start {
                let stop = bytes.iter().position(|b| *b == b' ' || *b == b'\n');
                let seen = self.stamp.len() + stop.unwrap_or(bytes.len());
                let digit_first = self
                    .stamp
                    .first()
                    .or(bytes.first())
                    .is_some_and(u8::is_ascii_digit);
                match stop {
                    Some(space) if bytes[space] == b' ' && seen <= MAX_STAMP && digit_first => {
                        self.stamp.extend_from_slice(&bytes[..space]);
                        bytes = &bytes[space + 1..];
                        let stamp = String::from_utf8_lossy(&self.stamp).into_owned();
                        self.stamp.clear();
                        self.at_message_start = false;
                        let line = self.line_mut(stream);
                        // A message continuing a long line keeps the line's first stamp.
                        if line.bytes.is_empty() {
                            line.timestamp = Some(stamp);
                        }
                        continue;
                    }
                    None if seen <= MAX_STAMP && digit_first => {
                        self.stamp.extend_from_slice(bytes);
                        return;
                    }
                    // Not a timestamp after all: what was held back is text.
                    _ => {
                        self.at_message_start = false;
                        let held = std::mem::take(&mut self.stamp);
                        self.text(stream, &held, out);
                    }
                }
            }
            let end = match bytes.iter().position(|b| *b == b'\n') {
                Some(newline) => newline + 1,
                None => bytes.len(),
            };
            self.text(stream, &bytes[..end], out);
            bytes = &bytes[end..];
        }
    }

    /// Text up to and including at most one newline.
    fn text(&mut self, stream: LogStream, bytes: &[u8], out: &mut Vec<LogLine>) {
        let (content, ends_line) = match bytes.strip_suffix(b"\n") {
            Some(content) => (content, true),
            None => (bytes, false),
        };
        let mut content = content;
        while !content.is_empty() {
            let line = self.line_mut(stream);
            let room = MAX_LOG_LINE - line.bytes.len();
            if content.len() <= room {
                line.bytes.extend_from_slice(content);
                break;
            }
            let cut = utf8_boundary(content, room);
            line.bytes.extend_from_slice(&content[..cut]);
            content = &content[cut..];
            self.emit(stream, out);
        }
        if ends_line {
            self.emit(stream, out);
            if self.tty {
                self.at_message_start = true;
            }
        }
    }

    fn emit(&mut self, stream: LogStream, out: &mut Vec<LogLine>) {
        let line = self.line_mut(stream);
        let bytes = line.bytes.strip_suffix(b"\r").unwrap_or(&line.bytes);
        let text = String::from_utf8_lossy(bytes).into_owned();
        let timestamp = line.timestamp.take();
        // Cleared, not replaced: the next line reuses the allocation.
        line.bytes.clear();
        out.push(LogLine {
            stream,
            timestamp,
            text,
        });
    }
}

/// The largest cut at or below `at` that does not split a UTF-8 character (or `at` when
/// the text is not UTF-8 there anyway).
fn utf8_boundary(bytes: &[u8], at: usize) -> usize {
    let mut cut = at;
    while cut > 0 && at - cut < 4 && bytes.get(cut).is_some_and(|b| (b & 0xC0) == 0x80) {
        cut -= 1;
    }
    if cut == 0 { at.max(1) } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's multiplexed frame around `payload` (stream 1 stdout, 2 stderr).
    fn frame(stream: u8, payload: &[u8]) -> Bytes {
        let mut out = Vec::with_capacity(payload.len() + 8);
        out.extend_from_slice(&[stream, 0, 0, 0]);
        out.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
        Bytes::from(out)
    }

    fn decode(tty: bool, timestamps: bool, chunks: &[&[u8]]) -> Vec<LogLine> {
        let mut decoder = LogDecoder::new(tty, timestamps);
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.feed(chunk, &mut out).unwrap();
        }
        decoder.finish(&mut out);
        out
    }

    fn texts(lines: &[LogLine]) -> Vec<(LogStream, &str)> {
        lines.iter().map(|l| (l.stream, l.text.as_str())).collect()
    }

    #[test]
    fn frames_split_anywhere_give_the_same_lines() {
        let mut bytes = frame(1, b"out one\nout ").to_vec();
        bytes.extend_from_slice(&frame(2, b"err\n"));
        bytes.extend_from_slice(&frame(1, b"two\r\nlast"));
        let whole = decode(false, false, &[&bytes]);
        assert_eq!(
            texts(&whole),
            [
                (LogStream::Stdout, "out one"),
                (LogStream::Stderr, "err"),
                (LogStream::Stdout, "out two"),
                (LogStream::Stdout, "last"),
            ]
        );
        for split in 1..bytes.len() {
            let (a, b) = bytes.split_at(split);
            assert_eq!(decode(false, false, &[a, b]), whole, "split at {split}");
        }
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(decode(false, false, &bytewise), whole);
    }

    #[test]
    fn timestamps_come_off_each_frame() {
        let mut bytes = frame(1, b"2024-05-01T10:00:00.000000001Z hello\n").to_vec();
        // A long line the engine split in two messages: each has its own stamp.
        bytes.extend_from_slice(&frame(2, b"2024-05-01T10:00:01.000000000Z part one, "));
        bytes.extend_from_slice(&frame(2, b"2024-05-01T10:00:01.500000000Z part two\n"));
        let lines = decode(false, true, &[&bytes]);
        assert_eq!(
            lines[0].timestamp.as_deref(),
            Some("2024-05-01T10:00:00.000000001Z")
        );
        assert_eq!(lines[0].text, "hello");
        assert_eq!(lines[1].text, "part one, part two");
        assert_eq!(
            lines[1].timestamp.as_deref(),
            Some("2024-05-01T10:00:01.000000000Z")
        );
        for split in 1..bytes.len() {
            let (a, b) = bytes.split_at(split);
            assert_eq!(decode(false, true, &[a, b]), lines, "split at {split}");
        }
    }

    #[test]
    fn tty_output_is_one_stream_even_with_low_bytes() {
        // bollard would take \x01 at the start for a frame header.
        let lines = decode(
            true,
            false,
            &[b"\x01\x00\x00\x00\xff\xff\xff\xff text\r\n", b"prompt$ "],
        );
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.stream == LogStream::Stdout));
        assert!(lines[0].text.ends_with(" text"));
        assert_eq!(lines[1].text, "prompt$ ");
        let stamped = decode(
            true,
            true,
            &[b"2024-05-01T10:00:00Z a\r\n2024-05-01T10:00:01Z b\r\n"],
        );
        assert_eq!(
            texts(&stamped),
            [(LogStream::Stdout, "a"), (LogStream::Stdout, "b")]
        );
        assert_eq!(
            stamped[1].timestamp.as_deref(),
            Some("2024-05-01T10:00:01Z")
        );
    }

    #[test]
    fn long_lines_are_split_on_character_boundaries() {
        let long = "é".repeat(MAX_LOG_LINE); // two bytes each
        let lines = decode(true, false, &[long.as_bytes(), b"\n"]);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.text.len() <= MAX_LOG_LINE));
        assert!(lines.iter().all(|l| !l.text.contains('\u{fffd}')));
        assert_eq!(
            lines.iter().map(|l| l.text.len()).sum::<usize>(),
            long.len()
        );
    }

    #[test]
    fn garbled_frames_are_an_error_not_a_panic() {
        let mut decoder = LogDecoder::new(false, false);
        let mut out = Vec::new();
        let err = decoder
            .feed(b"\x07\x00\x00\x00\x00\x00\x00\x01x", &mut out)
            .unwrap_err();
        assert!(err.message.contains("garbled"));
    }

    #[test]
    fn text_without_a_stamp_is_kept() {
        let lines = decode(
            false,
            true,
            &[&frame(
                1,
                b"no-stamp-here-but-a-very-long-first-word-indeed and more\n",
            )],
        );
        assert_eq!(
            lines[0].text,
            "no-stamp-here-but-a-very-long-first-word-indeed and more"
        );
        assert_eq!(lines[0].timestamp, None);
    }
}
