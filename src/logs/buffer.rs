//! [`LogBuffer`]: the lines a logs view shows, its position, search and toggles.

use std::collections::VecDeque;
use std::ops::Range;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::docker::{LogLine, LogStream};
use crate::text::clean;

use super::feed::LogBatch;

/// Lines kept; older ones are dropped (and counted).
pub const MAX_LINES: usize = 50_000;

/// Text kept, in bytes, whatever the line count: long lines cannot grow the buffer past it.
pub const MAX_TEXT_BYTES: usize = 32 * 1024 * 1024;

/// Cells the engine's timestamps take (`2024-05-01T10:00:00.123456789Z`, fixed width).
pub const TIMESTAMP_WIDTH: usize = 30;

/// Tab stops every this many cells, as terminals have them.
const TAB: usize = 8;

/// One line of output, safe to draw: no escape sequences, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub stream: LogStream,
    pub timestamp: Option<Box<str>>,
    pub text: Box<str>,
}

impl LogEntry {
    /// Cleans a line from the engine: escape sequences and control characters go, tabs
    /// become spaces up to the next tab stop. Clean text is kept without a copy.
    pub fn from_line(line: LogLine) -> LogEntry {
        LogEntry {
            stream: line.stream,
            timestamp: line.timestamp.map(|t| cleaned(t).into_boxed_str()),
            text: cleaned(line.text).into_boxed_str(),
        }
    }

    /// What the entry costs in memory, roughly: its text and its fixed part.
    fn bytes(&self) -> usize {
        std::mem::size_of::<LogEntry>()
            + self.text.len()
            + self.timestamp.as_ref().map_or(0, |t| t.len())
    }
}

/// `text` without escape sequences and control characters; itself when it had none.
fn cleaned(text: String) -> String {
    if text.contains('\t') {
        return clean_with_tabs(&text);
    }
    match clean(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(cleaned) => cleaned,
    }
}

fn clean_with_tabs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut column = 0;
    for (i, part) in text.split('\t').enumerate() {
        if i > 0 {
            let pad = TAB - column % TAB;
            out.extend(std::iter::repeat_n(' ', pad));
            column += pad;
        }
        let part = clean(part);
        column += part.width();
        out.push_str(&part);
    }
    out
}

/// Where the view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum View {
    /// At the bottom, moving with new lines.
    #[default]
    Follow,
    /// This line (by sequence number) at the top; new lines do not move the view.
    Top(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Search {
    query: String,
    /// Smart case: a query with an uppercase letter matches case; otherwise not.
    case_sensitive: bool,
    /// The lowercased query, for case-insensitive matching.
    folded: String,
    /// The line the view jumped to.
    current: Option<u64>,
}

impl Search {
    fn new(query: &str) -> Search {
        Search {
            query: query.to_string(),
            case_sensitive: query.chars().any(char::is_uppercase),
            folded: query.to_lowercase(),
            current: None,
        }
    }

    fn matches(&self, text: &str) -> bool {
        if self.case_sensitive {
            text.contains(&self.query)
        } else if self.folded.is_ascii() {
            let needle = self.folded.as_bytes();
            text.as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
        } else {
            text.to_lowercase().contains(&self.folded)
        }
    }

    /// Byte ranges of the matches in `text` (none for a non-ASCII case-insensitive query,
    /// whose lowercase form may have other byte offsets).
    fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        if self.case_sensitive {
            return text
                .match_indices(&self.query)
                .map(|(at, m)| at..at + m.len())
                .collect();
        }
        if !self.folded.is_ascii() {
            return Vec::new();
        }
        let needle = self.folded.as_bytes();
        let mut ranges = Vec::new();
        let mut at = 0;
        let bytes = text.as_bytes();
        while at + needle.len() <= bytes.len() {
            if bytes[at..at + needle.len()].eq_ignore_ascii_case(needle) {
                ranges.push(at..at + needle.len());
                at += needle.len();
            } else {
                at += 1;
            }
        }
        ranges
    }
}

/// What a search step found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchOutcome {
    /// The view shows this line.
    Found { seq: u64 },
    /// No line matches.
    NotFound,
    /// No match further in that direction; the view stays.
    NoMore,
}

/// One row to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisibleRow<'a> {
    /// The line's sequence number (counted since the view opened).
    pub seq: u64,
    pub stream: LogStream,
    /// The line's timestamp, on its first row, when timestamps are shown.
    pub timestamp: Option<&'a str>,
    /// The row's text (all of the line, or one wrapped piece of it).
    pub text: &'a str,
    /// A wrapped line's second and later rows.
    pub continuation: bool,
    /// The line the search is on.
    pub current_match: bool,
}

/// The last lines of a container's output and how they are viewed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogBuffer {
    lines: VecDeque<LogEntry>,
    /// Sequence number of `lines[0]`.
    first_seq: u64,
    text_bytes: usize,
    dropped: u64,
    show_timestamps: bool,
    wrap: bool,
    view: View,
    search: Option<Search>,
}

impl LogBuffer {
    pub fn new() -> Self {
        LogBuffer::default()
    }

    /// Takes a batch from [`super::pump`]; dropping the batch tells the pump to send the
    /// next one.
    pub fn push_batch(&mut self, batch: LogBatch) {
        self.dropped += batch.dropped;
        for entry in batch.entries {
            self.push_entry(entry);
        }
        self.clamp_view();
    }

    /// Adds one line from the engine (tests and small feeds; floods go through batches).
    pub fn push_line(&mut self, line: LogLine) {
        self.push_entry(LogEntry::from_line(line));
        self.clamp_view();
    }

    fn push_entry(&mut self, entry: LogEntry) {
        self.text_bytes += entry.bytes();
        self.lines.push_back(entry);
        while self.lines.len() > MAX_LINES
            || (self.text_bytes > MAX_TEXT_BYTES && self.lines.len() > 1)
        {
            if let Some(old) = self.lines.pop_front() {
                self.text_bytes -= old.bytes();
                self.first_seq += 1;
                self.dropped += 1;
            }
        }
    }

    /// Lines held now.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Older lines that were dropped to stay within the bounds ("N older lines dropped").
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// What the lines take in memory, roughly (for benchmarks and the bound).
    pub fn memory_bytes(&self) -> usize {
        self.text_bytes + self.lines.capacity() * std::mem::size_of::<LogEntry>()
    }

    /// A line by sequence number, while it is held.
    pub fn get(&self, seq: u64) -> Option<&LogEntry> {
        let index = seq.checked_sub(self.first_seq)?;
        self.lines.get(usize::try_from(index).ok()?)
    }

    /// The sequence number the next line will get.
    fn end_seq(&self) -> u64 {
        self.first_seq + self.lines.len() as u64
    }

    // ----- toggles ------------------------------------------------------------------------

    pub fn show_timestamps(&self) -> bool {
        self.show_timestamps
    }

    pub fn toggle_timestamps(&mut self) {
        self.show_timestamps = !self.show_timestamps;
    }

    pub fn wrap(&self) -> bool {
        self.wrap
    }

    pub fn toggle_wrap(&mut self) {
        self.wrap = !self.wrap;
    }

    /// Cells before the text when timestamps are shown (the stamp and a space).
    pub fn prefix_width(&self) -> usize {
        if self.show_timestamps {
            TIMESTAMP_WIDTH + 1
        } else {
            0
        }
    }

    // ----- position -----------------------------------------------------------------------

    /// Whether the view is at the bottom, following new lines.
    pub fn is_following(&self) -> bool {
        self.view == View::Follow
    }

    /// The first line shown in a view `height` lines high (counting whole lines).
    fn top_line(&self, height: usize) -> u64 {
        match self.view {
            View::Follow => self
                .end_seq()
                .saturating_sub(height as u64)
                .max(self.first_seq),
            View::Top(top) => top.max(self.first_seq),
        }
    }

    pub fn scroll_up(&mut self, lines: usize, height: usize) {
        let top = self.top_line(height).saturating_sub(lines as u64);
        self.view = View::Top(top.max(self.first_seq));
    }

    pub fn scroll_down(&mut self, lines: usize, height: usize) {
        if self.view == View::Follow {
            return;
        }
        let top = self.top_line(height) + lines as u64;
        self.set_top(top, height);
    }

    pub fn page_up(&mut self, height: usize) {
        self.scroll_up(height.saturating_sub(1).max(1), height);
    }

    pub fn page_down(&mut self, height: usize) {
        self.scroll_down(height.saturating_sub(1).max(1), height);
    }

    /// The oldest line held at the top.
    pub fn go_top(&mut self) {
        self.view = View::Top(self.first_seq);
    }

    /// The newest line at the bottom, following from now on.
    pub fn go_bottom(&mut self) {
        self.view = View::Follow;
    }

    /// A top line; reaching the end means following again.
    fn set_top(&mut self, top: u64, height: usize) {
        self.view = if top + height as u64 >= self.end_seq() {
            View::Follow
        } else {
            View::Top(top.max(self.first_seq))
        };
    }

    /// Lines that left the buffer cannot be at the top.
    fn clamp_view(&mut self) {
        if let View::Top(top) = self.view {
            self.view = View::Top(top.max(self.first_seq));
        }
        if let Some(search) = &mut self.search
            && search.current.is_some_and(|c| c < self.first_seq)
        {
            search.current = None;
        }
    }

    // ----- search -------------------------------------------------------------------------

    /// Searches for `query` (smart case) from the bottom of the view upwards, and shows the
    /// nearest match. An empty query ends the search.
    pub fn search(&mut self, query: &str, height: usize) -> SearchOutcome {
        if query.is_empty() {
            self.search = None;
            return SearchOutcome::NotFound;
        }
        let search = Search::new(query);
        let bottom = (self.top_line(height) + height as u64).min(self.end_seq());
        let found = (self.first_seq..bottom)
            .rev()
            .find(|&seq| self.get(seq).is_some_and(|e| search.matches(&e.text)))
            .or_else(|| {
                // Nothing above: the first match below.
                (bottom..self.end_seq())
                    .find(|&seq| self.get(seq).is_some_and(|e| search.matches(&e.text)))
            });
        self.search = Some(search);
        match found {
            Some(seq) => self.jump_to_match(seq, height),
            None => SearchOutcome::NotFound,
        }
    }

    /// The next (newer) match after the current one.
    pub fn search_next(&mut self, height: usize) -> SearchOutcome {
        self.step(true, height)
    }

    /// The previous (older) match before the current one.
    pub fn search_previous(&mut self, height: usize) -> SearchOutcome {
        self.step(false, height)
    }

    pub fn clear_search(&mut self) {
        self.search = None;
    }

    /// The query, while a search is on.
    pub fn search_query(&self) -> Option<&str> {
        self.search.as_ref().map(|s| s.query.as_str())
    }

    /// Byte ranges of the search's matches in a row's text, for highlighting.
    pub fn highlights(&self, text: &str) -> Vec<Range<usize>> {
        self.search
            .as_ref()
            .map(|s| s.ranges(text))
            .unwrap_or_default()
    }

    fn step(&mut self, newer: bool, height: usize) -> SearchOutcome {
        let Some(search) = &self.search else {
            return SearchOutcome::NotFound;
        };
        // From the current match, or from the view's top line when there is none.
        let (newer_from, older_before) = match search.current {
            Some(current) => (current + 1, current),
            None => {
                let top = self.top_line(height);
                (top, top)
            }
        };
        let matches = |seq: &u64| self.get(*seq).is_some_and(|e| search.matches(&e.text));
        let found = if newer {
            (newer_from..self.end_seq()).find(matches)
        } else {
            (self.first_seq..older_before).rev().find(matches)
        };
        match found {
            Some(seq) => self.jump_to_match(seq, height),
            None => SearchOutcome::NoMore,
        }
    }

    /// Makes `seq` the current match and shows it (centred when it was out of view).
    fn jump_to_match(&mut self, seq: u64, height: usize) -> SearchOutcome {
        if let Some(search) = &mut self.search {
            search.current = Some(seq);
        }
        let top = self.top_line(height);
        let visible = seq >= top && seq < top + height as u64;
        if !visible {
            self.set_top(seq.saturating_sub(height as u64 / 2), height);
        }
        SearchOutcome::Found { seq }
    }

    // ----- drawing ------------------------------------------------------------------------

    /// The rows a view `height` rows high and `width` cells wide (for the text, after any
    /// timestamp: see [`LogBuffer::prefix_width`]) shows, top to bottom.
    pub fn visible(&self, height: usize, width: usize) -> Vec<VisibleRow<'_>> {
        if height == 0 || self.lines.is_empty() {
            return Vec::new();
        }
        let width = width.max(1);
        let current = self.search.as_ref().and_then(|s| s.current);
        let rows_of = |seq: u64| -> Vec<VisibleRow<'_>> {
            let Some(entry) = self.get(seq) else {
                return Vec::new();
            };
            let pieces = if self.wrap {
                split_cells(&entry.text, width)
            } else {
                vec![&*entry.text]
            };
            pieces
                .into_iter()
                .enumerate()
                .map(|(i, text)| VisibleRow {
                    seq,
                    stream: entry.stream,
                    timestamp: if i == 0 && self.show_timestamps {
                        entry.timestamp.as_deref()
                    } else {
                        None
                    },
                    text,
                    continuation: i > 0,
                    current_match: current == Some(seq),
                })
                .collect()
        };
        match self.view {
            View::Follow => {
                // From the bottom up until the view is full; the top line may be cut.
                let mut rows: Vec<VisibleRow<'_>> = Vec::with_capacity(height);
                for seq in (self.first_seq..self.end_seq()).rev() {
                    let mut line_rows = rows_of(seq);
                    line_rows.reverse();
                    rows.extend(line_rows);
                    if rows.len() >= height {
                        break;
                    }
                }
                rows.truncate(height);
                rows.reverse();
                rows
            }
            View::Top(top) => {
                let mut rows = Vec::with_capacity(height);
                for seq in top.max(self.first_seq)..self.end_seq() {
                    rows.extend(rows_of(seq));
                    if rows.len() >= height {
                        break;
                    }
                }
                rows.truncate(height);
                rows
            }
        }
    }
}

/// Cuts `text` into pieces of at most `width` cells (a character wider than the width gets
/// a row of its own).
fn split_cells(text: &str, width: usize) -> Vec<&str> {
    if text.width() <= width {
        return vec![text];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (at, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width && at > start {
            pieces.push(&text[start..at]);
            start = at;
            used = 0;
        }
        used += w;
    }
    pieces.push(&text[start..]);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> LogLine {
        LogLine {
            stream: LogStream::Stdout,
            timestamp: Some("2024-05-01T10:00:00.000000000Z".into()),
            text: text.into(),
        }
    }

    fn buffer_with(count: usize) -> LogBuffer {
        let mut buffer = LogBuffer::new();
        for i in 0..count {
            buffer.push_line(line(&format!("line {i}")));
        }
        buffer
    }

    fn texts(rows: &[VisibleRow<'_>]) -> Vec<String> {
        rows.iter().map(|r| r.text.to_string()).collect()
    }

    #[test]
    fn escape_sequences_and_controls_are_made_harmless() {
        let entry = LogEntry::from_line(LogLine {
            stream: LogStream::Stderr,
            timestamp: Some("2024\u{1b}]0;x\u{7}".into()),
            text: "\u{1b}[31mred\u{1b}[0m\u{1b}]0;title\u{7} a\tb\u{8}c\u{202e}".into(),
        });
        assert_eq!(&*entry.text, "red a   bc");
        assert_eq!(entry.timestamp.as_deref(), Some("2024"));
        assert_eq!(entry.stream, LogStream::Stderr);
        assert_eq!(
            &*LogEntry::from_line(line("12345678\tx")).text,
            "12345678        x"
        );
    }

    #[test]
    fn the_last_lines_stay_and_the_dropped_are_counted() {
        let buffer = buffer_with(MAX_LINES + 10);
        assert_eq!(buffer.len(), MAX_LINES);
        assert_eq!(buffer.dropped(), 10);
        assert_eq!(
            texts(&buffer.visible(1, 80)),
            [format!("line {}", MAX_LINES + 9)]
        );
        assert_eq!(buffer.get(9), None);
        assert_eq!(&*buffer.get(10).unwrap().text, "line 10");
    }

    #[test]
    fn long_lines_are_bounded_by_bytes_too() {
        let mut buffer = LogBuffer::new();
        let long = "x".repeat(16 * 1024);
        for _ in 0..(MAX_TEXT_BYTES / long.len() + 100) {
            buffer.push_line(line(&long));
        }
        assert!(
            buffer.memory_bytes() <= MAX_TEXT_BYTES + MAX_LINES * 64,
            "{}",
            buffer.memory_bytes()
        );
        assert!(buffer.dropped() >= 100);
    }

    #[test]
    fn following_shows_the_bottom_and_scrolling_stops_it() {
        let mut buffer = buffer_with(100);
        assert!(buffer.is_following());
        assert_eq!(
            texts(&buffer.visible(3, 80)),
            ["line 97", "line 98", "line 99"]
        );
        buffer.scroll_up(2, 3);
        assert!(!buffer.is_following());
        assert_eq!(
            texts(&buffer.visible(3, 80)),
            ["line 95", "line 96", "line 97"]
        );
        buffer.push_line(line("line 100"));
        assert_eq!(
            texts(&buffer.visible(3, 80)),
            ["line 95", "line 96", "line 97"],
            "new lines do not move a scrolled view"
        );
        buffer.scroll_down(1, 3);
        assert_eq!(texts(&buffer.visible(3, 80))[0], "line 96");
        buffer.scroll_down(10, 3);
        assert!(buffer.is_following(), "scrolling to the end follows again");
        buffer.go_top();
        assert_eq!(texts(&buffer.visible(2, 80)), ["line 0", "line 1"]);
        buffer.page_down(3);
        assert_eq!(texts(&buffer.visible(3, 80))[0], "line 2");
        buffer.page_up(3);
        assert_eq!(texts(&buffer.visible(3, 80))[0], "line 0");
        buffer.go_bottom();
        assert_eq!(texts(&buffer.visible(1, 80)), ["line 100"]);
    }

    #[test]
    fn a_scrolled_view_moves_when_its_lines_are_dropped() {
        let mut buffer = buffer_with(10);
        buffer.go_top();
        for i in 10..MAX_LINES + 20 {
            buffer.push_line(line(&format!("line {i}")));
        }
        assert_eq!(texts(&buffer.visible(1, 80)), ["line 20"]);
    }

    #[test]
    fn wrapping_cuts_by_cells_and_keeps_the_bottom_in_view() {
        let mut buffer = LogBuffer::new();
        buffer.push_line(line("short"));
        buffer.push_line(line("abcdefghij"));
        buffer.push_line(line("日本語です"));
        assert_eq!(
            texts(&buffer.visible(10, 4)),
            ["short", "abcdefghij", "日本語です"]
        );
        buffer.toggle_wrap();
        assert!(buffer.wrap());
        let rows = buffer.visible(10, 4);
        assert_eq!(
            texts(&rows),
            ["shor", "t", "abcd", "efgh", "ij", "日本", "語で", "す"]
        );
        assert!(rows[1].continuation && !rows[2].continuation);
        // Following: the bottom rows, the top line cut.
        assert_eq!(texts(&buffer.visible(4, 4)), ["ij", "日本", "語で", "す"]);
        // A character wider than the view still shows.
        assert_eq!(
            texts(&buffer.visible(10, 1))[5..],
            ["日", "本", "語", "で", "す"]
        );
    }

    #[test]
    fn timestamps_show_on_the_first_row_when_on() {
        let mut buffer = buffer_with(1);
        assert_eq!(buffer.visible(1, 80)[0].timestamp, None);
        assert_eq!(buffer.prefix_width(), 0);
        buffer.toggle_timestamps();
        assert_eq!(
            buffer.visible(1, 80)[0].timestamp,
            Some("2024-05-01T10:00:00.000000000Z")
        );
        assert_eq!(buffer.prefix_width(), TIMESTAMP_WIDTH + 1);
        buffer.toggle_wrap();
        buffer.push_line(line("abcdef"));
        let rows = buffer.visible(2, 3);
        assert!(rows[0].timestamp.is_some() && rows[1].timestamp.is_none());
    }

    #[test]
    fn search_finds_the_nearest_match_above_then_steps_both_ways() {
        let mut buffer = LogBuffer::new();
        for i in 0..100 {
            let text = if i % 10 == 3 {
                format!("ERROR {i}")
            } else {
                format!("ok {i}")
            };
            buffer.push_line(line(&text));
        }
        assert_eq!(buffer.search("error", 5), SearchOutcome::Found { seq: 93 });
        assert_eq!(buffer.search_query(), Some("error"));
        let rows = buffer.visible(5, 80);
        assert!(rows.iter().any(|r| r.current_match && r.text == "ERROR 93"));
        assert_eq!(buffer.search_previous(5), SearchOutcome::Found { seq: 83 });
        assert!(!buffer.is_following(), "a match out of view moves the view");
        assert!(buffer.visible(5, 80).iter().any(|r| r.text == "ERROR 83"));
        assert_eq!(buffer.search_next(5), SearchOutcome::Found { seq: 93 });
        assert_eq!(buffer.search_next(5), SearchOutcome::NoMore);
        buffer.go_top();
        assert_eq!(buffer.search_previous(5), SearchOutcome::Found { seq: 83 });
        for _ in 0..8 {
            buffer.search_previous(5);
        }
        assert_eq!(buffer.search_previous(5), SearchOutcome::NoMore);
        // Smart case: an uppercase letter makes it exact.
        assert_eq!(buffer.search("Error", 5), SearchOutcome::NotFound);
        assert_eq!(buffer.search("ERROR 1000", 5), SearchOutcome::NotFound);
        assert!(matches!(
            buffer.search("ERROR", 5),
            SearchOutcome::Found { .. }
        ));
        assert_eq!(buffer.highlights("x ERROR y ERROR"), [2..7, 10..15]);
        buffer.search("err", 5);
        assert_eq!(buffer.highlights("Err ERR"), [0..3, 4..7]);
        assert_eq!(buffer.search("", 5), SearchOutcome::NotFound);
        assert_eq!(buffer.search_query(), None);
        assert!(buffer.highlights("err").is_empty());
        assert_eq!(buffer.search("ünïcode", 5), SearchOutcome::NotFound);
    }

    #[test]
    fn search_with_an_empty_buffer_or_tiny_views_does_not_panic() {
        let mut buffer = LogBuffer::new();
        assert_eq!(buffer.search("x", 0), SearchOutcome::NotFound);
        assert_eq!(buffer.search_next(0), SearchOutcome::NoMore);
        assert!(buffer.visible(0, 0).is_empty());
        buffer.scroll_up(5, 0);
        buffer.page_down(0);
        buffer.push_line(line("x"));
        assert_eq!(texts(&buffer.visible(1, 0)), ["x"]);
        assert!(matches!(buffer.search("x", 0), SearchOutcome::Found { .. }));
    }
}
