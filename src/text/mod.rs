//! Text helpers that the model, the executor and the drawing share: cleaning text from
//! outside, cutting it to a width (keeping its start, its end or both ends), and (in
//! [`mod@format`]) sizes, counts and ages for people.
//!
//! Text from outside (image names, history commands, labels, registry answers, error texts)
//! is cleaned here before it is drawn: a stray escape sequence must never reach the terminal.

pub mod format;
pub mod natural;

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Removes control characters and whole escape sequences (CSI, OSC, DCS, two-byte ESC
/// sequences, their C1 forms) and bidi overrides. Tabs and newlines become spaces so a
/// single-line cell stays one line.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_cleaning) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | '_' | '^' | 'X') => skip_string(&mut chars),
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' | '\u{98}' => skip_string(&mut chars),
            c if needs_cleaning(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`clean`] but keeps newlines, for multi-line popups.
pub fn clean_multiline(text: &str) -> String {
    text.split('\n')
        .map(|line| clean(line).trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn needs_cleaning(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// CSI: parameters and intermediates up to a final byte in `@`..=`~`.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/APC/PM/SOS: up to BEL or ST (`ESC \` or U+9C).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// Cuts `text` to at most `width` terminal cells, ending in `…` when it was cut.
pub fn truncate(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = truncate_cells(text.chars(), width - 1);
    out.push('…');
    Cow::Owned(out)
}

/// Cuts `text` to at most `width` terminal cells keeping its end, starting with `…` when it
/// was cut: names in a sorted list share their prefix, and their end tells them apart
/// (`…project-web-1`).
pub fn truncate_start(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    Cow::Owned(format!("…{}", trailing_cells(text, width - 1)))
}

/// Shortens `text` to at most `width` cells by cutting out its middle (`/very/lo…/file.tar`),
/// for user input quoted in a message: both ends usually matter, and the message's reason
/// must still follow.
pub fn shorten_middle(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let keep = width.saturating_sub(1);
    let head_width = keep.div_ceil(2);
    let head = truncate_cells(text.chars(), head_width);
    let tail = trailing_cells(text, keep - head_width);
    Cow::Owned(format!("{head}…{tail}"))
}

/// The trailing characters that fit in `width` cells.
fn trailing_cells(text: &str, width: usize) -> String {
    let mut tail: Vec<char> = truncate_cells(text.chars().rev(), width).chars().collect();
    tail.reverse();
    tail.into_iter().collect()
}

/// The leading characters that fit in `width` cells.
fn truncate_cells(chars: impl Iterator<Item = char>, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in chars {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out
}

/// Word-wraps text (newlines kept) to `width` cells; words longer than a line are split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split(' ') {
            let word_width = word.width();
            let gap = usize::from(!line.is_empty());
            if used + gap + word_width <= width {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                used += gap + word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            for c in word.chars() {
                let w = c.width().unwrap_or(0);
                if used + w > width {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += w;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_keeps_both_ends() {
        assert_eq!(shorten_middle("short", 10), "short");
        assert_eq!(shorten_middle("abcdefghijkl", 7), "abc…jkl");
        assert_eq!(shorten_middle("abcdefghijkl", 8), "abcd…jkl");
        let path = format!("/tmp/{}/x.tar", "a".repeat(200));
        let short = shorten_middle(&path, 40);
        assert_eq!(short.width(), 40);
        assert!(
            short.starts_with("/tmp/aaa") && short.ends_with("aaa/x.tar"),
            "{short}"
        );
        assert_eq!(shorten_middle("日本語のファイル名", 9), "日本…ル名");
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(clean("nginx:1.15"), Cow::Borrowed("nginx:1.15")));
    }

    #[test]
    fn strips_escape_sequences_entirely() {
        assert_eq!(clean("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
        assert_eq!(clean("x\u{1b}]0;evil title\u{7}y"), "xy");
        assert_eq!(
            clean("x\u{1b}]8;;http://e\u{1b}\\link\u{1b}]8;;\u{1b}\\y"),
            "xlinky"
        );
        assert_eq!(clean("x\u{9b}2Jy"), "xy");
        assert_eq!(clean("x\u{1b}Pq#0;2;0;0;0\u{1b}\\y"), "xy");
        assert_eq!(clean("x\u{1b}cy"), "xy");
        assert_eq!(clean("trailing\u{1b}"), "trailing");
    }

    #[test]
    fn strips_controls_and_bidi_and_flattens_whitespace() {
        assert_eq!(clean("a\u{0}b\u{7}c\u{8}d"), "abcd");
        assert_eq!(clean("run\tthis\nnow\r"), "run this now ");
        assert_eq!(clean("abc\u{202e}fed"), "abcfed");
    }

    #[test]
    fn multiline_keeps_lines() {
        assert_eq!(clean_multiline("a\u{1b}[1m\nb\tc  \n"), "a\nb c\n");
    }

    #[test]
    fn wraps_words_and_splits_long_ones() {
        assert_eq!(
            wrap("apt-get update && apt-get install -y nginx", 16),
            ["apt-get update", "&& apt-get", "install -y nginx"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\n\nb", 10), ["a", "", "b"]);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abc", 1), "…");
    }

    #[test]
    fn truncates_from_the_start_keeping_the_end() {
        assert_eq!(truncate_start("web-1", 5), "web-1");
        assert!(matches!(truncate_start("web-1", 9), Cow::Borrowed("web-1")));
        assert_eq!(
            truncate_start("my-project-frontend-web-1", 15),
            "…frontend-web-1"
        );
        assert_eq!(truncate_start("my-project-frontend-web-1", 6), "…web-1");
        assert_eq!(truncate_start("abc", 1), "…");
        assert_eq!(truncate_start("abc", 0), "");
        // Cells, not chars: a wide character that does not fit leaves the cell blank.
        assert_eq!(truncate_start("テキスト日本語", 5), "…本語");
        assert_eq!(truncate_start("テキスト日本語", 6), "…本語");
        assert_eq!(truncate_start("テキスト日本語", 7), "…日本語");
    }
}
