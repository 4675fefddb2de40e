//! Numbers and times as the panes show them.

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
    fn sizes_read_like_the_docker_cli() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(5_590_000), "5.6 MB");
        assert_eq!(size(109_210_000), "109 MB");
        assert_eq!(size(2_000_000_000), "2 GB");
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
