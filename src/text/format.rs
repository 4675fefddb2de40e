//! Numbers and times as the panes show them.

use std::borrow::Cow;

use humansize::{DECIMAL, FormatSizeOptions, format_size};

/// Bytes in decimal units like the docker CLI: `0 B`, `5.6 MB`, `109 MB`, `1.3 GB`. A
/// decimal only below 100 of a unit, so a size never needs more than 7 cells.
pub fn size(bytes: u64) -> String {
    let mut whole = bytes;
    while whole >= 1000 {
        whole /= 1000;
    }
    let options = FormatSizeOptions::from(DECIMAL)
        .decimal_places(if whole >= 100 { 0 } else { 1 })
        .decimal_zeroes(0);
    format_size(bytes, options)
}

/// `1 tag`, `3 tags`, `2 repositories`: a count with its (regular English) noun in the
/// right number.
pub fn count(n: usize, noun: &str) -> String {
    match noun.strip_suffix('y') {
        _ if n == 1 => format!("1 {noun}"),
        Some(stem) => format!("{n} {stem}ies"),
        None => format!("{n} {noun}s"),
    }
}

/// `· by age ↑`: the sort key and which way its column reads down the list, the same in
/// every pane: ↑ ascending as shown (A→Z, the youngest age first, the smallest size first),
/// ↓ descending.
pub fn sort_label(key: &str, descending: bool) -> String {
    format!("· by {key} {}", if descending { "↓" } else { "↑" })
}

/// A compact relative age: `now`, `45s`, `12m`, `5h`, `3d`, `6w`, `4mo`, `7y`.
pub fn age(now: i64, then: i64) -> String {
    if then <= 0 {
        return "?".to_string();
    }
    let seconds = now.saturating_sub(then);
    if seconds < 5 {
        return "now".to_string();
    }
    let (value, unit) = match seconds {
        s if s < 60 => (s, "s"),
        s if s < 3_600 => (s / 60, "m"),
        s if s < 86_400 => (s / 3_600, "h"),
        s if s < 14 * 86_400 => (s / 86_400, "d"),
        s if s < 60 * 86_400 => (s / (7 * 86_400), "w"),
        s if s < 365 * 86_400 => (s / (30 * 86_400), "mo"),
        s => (s / (365 * 86_400), "y"),
    };
    format!("{value}{unit}")
}

/// When the text of [`age`] for `then` changes next, at minute granularity or coarser
/// (`45s` is not redrawn every second; `5m` changes each minute, `5h` each hour). `None`
/// when the text never changes (an unknown time).
pub fn age_changes_at(now: i64, then: i64) -> Option<i64> {
    if then <= 0 {
        return None;
    }
    let seconds = now.saturating_sub(then).max(0);
    let unit = match seconds {
        s if s < 3_600 => 60,
        s if s < 86_400 => 3_600,
        s if s < 14 * 86_400 => 86_400,
        s if s < 60 * 86_400 => 7 * 86_400,
        s if s < 365 * 86_400 => 30 * 86_400,
        _ => 365 * 86_400,
    };
    Some(then.saturating_add(next_multiple(seconds, unit)))
}

/// The smallest multiple of `unit` greater than `value`.
fn next_multiple(value: i64, unit: i64) -> i64 {
    (value / unit + 1).saturating_mul(unit)
}

/// When the text of [`container_status`] changes next, at minute granularity or coarser;
/// `None` when it holds no duration.
pub fn container_status_changes_at(
    status: &str,
    listed_at: i64,
    created: i64,
    now: i64,
) -> Option<i64> {
    let (_, _, seconds) = find_duration(status)?;
    if listed_at <= 0 {
        return None;
    }
    let mut elapsed = seconds.saturating_add(now.saturating_sub(listed_at).max(0));
    if created > 0 {
        elapsed = elapsed.min(now.saturating_sub(created).max(0));
    }
    // Hours are rounded (the text changes at half past), longer spans change at most daily.
    let until = match elapsed {
        e if e < 3_600 => next_multiple(e, 60) - e,
        e if e < 48 * 3_600 => next_multiple(e + 1_800, 3_600) - (e + 1_800),
        e => next_multiple(e, 86_400) - e,
    };
    Some(now.saturating_add(until))
}

/// A container's status as the engine worded it at `listed_at` (`Up 3 minutes`, `Exited (1)
/// 2 hours ago`, `Up About an hour (healthy)`), with its duration moved on to `now`. The
/// engine's words go stale while nothing is re-listed (wharf does not poll), so the duration
/// is re-told in the engine's own style. A worded duration stands for a span (`3 minutes` is
/// 180–239 s), taken at its middle; no duration is longer than the container's age
/// (`created`). Text without a duration, or an unknown `listed_at`, stays.
pub fn container_status(status: &str, listed_at: i64, created: i64, now: i64) -> Cow<'_, str> {
    let Some((start, end, seconds)) = find_duration(status) else {
        return Cow::Borrowed(status);
    };
    if listed_at <= 0 {
        return Cow::Borrowed(status);
    }
    let mut elapsed = seconds.saturating_add(now.saturating_sub(listed_at).max(0));
    if created > 0 {
        elapsed = elapsed.min(now.saturating_sub(created).max(0));
    }
    Cow::Owned(format!(
        "{}{}{}",
        &status[..start],
        human_duration(elapsed),
        &status[end..]
    ))
}

/// Phrases the engine (go-units `HumanDuration`) writes without a number, in seconds at the
/// middle of the span each stands for.
const WORDED_DURATIONS: &[(&str, i64)] = &[
    ("Less than a second", 0),
    ("About a minute", 90),
    ("About an hour", 4_500),
];

/// The first duration in `text`: its byte span and its length in seconds.
fn find_duration(text: &str) -> Option<(usize, usize, i64)> {
    let worded = WORDED_DURATIONS.iter().find_map(|(phrase, seconds)| {
        text.find(phrase)
            .map(|start| (start, start + phrase.len(), *seconds))
    });
    let numbered = numbered_duration(text);
    match (worded, numbered) {
        (Some(w), Some(n)) => Some(if w.0 <= n.0 { w } else { n }),
        (w, n) => w.or(n),
    }
}

/// `N unit(s)` as a separate word pair, e.g. the `2 hours` in `Exited (1) 2 hours ago`.
fn numbered_duration(text: &str) -> Option<(usize, usize, i64)> {
    let words: Vec<(usize, &str)> = text
        .split(' ')
        .scan(0, |offset, word| {
            let start = *offset;
            *offset += word.len() + 1;
            Some((start, word))
        })
        .collect();
    words.windows(2).find_map(|pair| {
        let [(start, number), (unit_start, unit)] = pair else {
            return None;
        };
        let count: i64 = number.parse().ok()?;
        let unit_seconds = match unit.trim_end_matches('s') {
            "second" => 1,
            "minute" => 60,
            "hour" => 3_600,
            "day" => 86_400,
            "week" => 7 * 86_400,
            "month" => 30 * 86_400,
            "year" => 365 * 86_400,
            _ => return None,
        };
        // Seconds are exact and hours rounded; other units are cut down: add half of one.
        let middle = match unit_seconds {
            1 | 3_600 => 0,
            unit => unit / 2,
        };
        let seconds = count.saturating_mul(unit_seconds).saturating_add(middle);
        Some((*start, unit_start + unit.len(), seconds))
    })
}

/// go-units `HumanDuration`, the wording `docker ps` uses.
fn human_duration(seconds: i64) -> String {
    let minutes = seconds / 60;
    // Hours are rounded, as the engine rounds them.
    let hours = seconds.saturating_add(1_800) / 3_600;
    match seconds {
        s if s < 1 => "Less than a second".to_string(),
        1 => "1 second".to_string(),
        s if s < 60 => format!("{s} seconds"),
        _ if minutes == 1 => "About a minute".to_string(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".to_string(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        s => format!("{} years", s / 3_600 / 24 / 365),
    }
}

/// An absolute time in UTC, for detail views.
pub fn timestamp(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "?".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_change_at_their_granularity() {
        let then = 1_000_000;
        // Seconds are not redrawn each second: the next change is "1m".
        assert_eq!(age_changes_at(then + 45, then), Some(then + 60));
        assert_eq!(age(then + 59, then), "59s");
        assert_eq!(age(then + 60, then), "1m");
        // Minutes change each minute, exactly when the text does.
        let at = age_changes_at(then + 5 * 60 + 10, then).unwrap();
        assert_eq!(at, then + 6 * 60);
        assert_eq!(age(at - 1, then), "5m");
        assert_eq!(age(at, then), "6m");
        // Hours each hour.
        let at = age_changes_at(then + 5 * 3_600 + 10, then).unwrap();
        assert_eq!(at, then + 6 * 3_600);
        assert_ne!(age(at - 1, then), age(at, then));
        assert_eq!(
            age_changes_at(then, 0),
            None,
            "an unknown time never changes"
        );
    }

    #[test]
    fn container_status_changes_when_its_words_do() {
        let listed = 1_000_000;
        let status = "Up 3 minutes";
        let at = container_status_changes_at(status, listed, 0, listed).unwrap();
        assert!(at > listed && at <= listed + 60, "{at}");
        assert_ne!(
            container_status(status, listed, 0, at - 1),
            container_status(status, listed, 0, at)
        );
        // Hours: at most once an hour, when the rounded hour moves.
        let status = "Up 5 hours";
        let at = container_status_changes_at(status, listed, 0, listed).unwrap();
        assert!(at > listed && at <= listed + 3_600, "{at}");
        assert_ne!(
            container_status(status, listed, 0, at - 1),
            container_status(status, listed, 0, at)
        );
        assert_eq!(
            container_status_changes_at("Created", listed, 0, listed),
            None
        );
    }

    #[test]
    fn sizes_read_like_the_docker_cli() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(5_590_000), "5.6 MB");
        assert_eq!(size(109_210_000), "109 MB");
        assert_eq!(size(2_000_000_000), "2 GB");
    }

    #[test]
    fn container_statuses_move_on_with_the_clock() {
        let listed = 1_000_000_000;
        // (as listed, seconds since, as shown now)
        let cases = [
            ("Up 3 minutes", 600, "Up 13 minutes"),
            ("Up Less than a second", 1, "Up 1 second"),
            (
                "Up About a minute (healthy)",
                3_000,
                "Up 51 minutes (healthy)",
            ),
            (
                "Exited (1) 2 hours ago",
                48 * 3_600,
                "Exited (1) 2 days ago",
            ),
            // Re-told at once, the engine's words come back.
            (
                "Restarting (137) 5 seconds ago",
                0,
                "Restarting (137) 5 seconds ago",
            ),
            ("Up 2 hours (Paused)", 3_600, "Up 3 hours (Paused)"),
            ("Up 3 weeks", 7 * 86_400, "Up 4 weeks"),
            ("Up 23 months", 60 * 86_400, "Up 2 years"),
        ];
        for (status, since, shown) in cases {
            assert_eq!(
                container_status(status, listed, 0, listed + since),
                shown,
                "{status} + {since} s"
            );
        }
    }

    #[test]
    fn a_container_status_is_never_longer_than_the_container_is_old() {
        let listed = 1_000_000_000;
        assert_eq!(
            container_status("Up 5 minutes", listed, listed - 100, listed + 60),
            "Up 2 minutes",
            "created 160 s ago"
        );
    }

    #[test]
    fn container_statuses_without_a_duration_or_a_listing_time_stay() {
        assert_eq!(container_status("Created", 1, 0, 1_000), "Created");
        assert_eq!(
            container_status("Removal In Progress", 1, 0, 1_000),
            "Removal In Progress"
        );
        assert_eq!(
            container_status("Up 3 minutes", 0, 0, 1_000),
            "Up 3 minutes"
        );
        assert_eq!(
            container_status("Exited (1) 2 hours ago", 1_000, 0, 10),
            "Exited (1) 2 hours ago",
            "a clock that went back does not shorten the duration"
        );
        assert_eq!(
            container_status("Up 9999999999999999999 years", 1, 0, 2),
            "Up 9999999999999999999 years"
        );
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(0, "tag"), "0 tags");
        assert_eq!(count(1, "tag"), "1 tag");
        assert_eq!(count(12, "layer"), "12 layers");
        assert_eq!(count(1, "repository"), "1 repository");
        assert_eq!(count(2, "repository"), "2 repositories");
    }

    #[test]
    fn ages_are_compact() {
        let now = 1_000_000_000;
        assert_eq!(age(now, now), "now");
        assert_eq!(age(now, now - 45), "45s");
        assert_eq!(age(now, now - 12 * 60), "12m");
        assert_eq!(age(now, now - 5 * 3600), "5h");
        assert_eq!(age(now, now - 3 * 86_400), "3d");
        assert_eq!(age(now, now - 30 * 86_400), "4w");
        assert_eq!(age(now, now - 200 * 86_400), "6mo");
        assert_eq!(age(now, now - 7 * 365 * 86_400), "7y");
        assert_eq!(age(now, 0), "?");
        assert_eq!(
            age(now, now + 100),
            "now",
            "clock skew does not go negative"
        );
    }
}
