//! Pull rate limits as registries announce them: Docker Hub's `ratelimit-limit: 100;w=21600`,
//! `ratelimit-remaining: 76;w=21600` and `docker-ratelimit-source` headers on manifest answers.
//!
//! Pure: the client hands the header values in and keeps the last [`RateLimit`] per registry
//! for the tags pane's title.

use std::fmt;

use chrono::{DateTime, Utc};

/// A registry's pull quota as of its last manifest answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Pulls allowed per window.
    pub limit: u64,
    /// Pulls left in the current window.
    pub remaining: u64,
    /// The window in seconds (`w=21600` is 6 hours), when announced.
    pub window_seconds: Option<u64>,
    /// What the quota is counted against (an IP address or an account ID), when announced.
    pub source: Option<String>,
    /// When wharf read it.
    pub seen_at: DateTime<Utc>,
}

/// The longest quota source kept (Docker Hub sends an IP address or a UUID).
const SOURCE_MAX: usize = 64;

impl RateLimit {
    /// Reads the three headers' values; `None` unless both counts are there and make sense.
    pub fn from_headers(
        limit: Option<&str>,
        remaining: Option<&str>,
        source: Option<&str>,
        seen_at: DateTime<Utc>,
    ) -> Option<RateLimit> {
        let (limit, limit_window) = quota(limit?)?;
        let (remaining, remaining_window) = quota(remaining?)?;
        let source = source
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= SOURCE_MAX)
            .filter(|s| s.chars().all(|c| c.is_ascii_graphic()))
            .map(str::to_owned);
        Some(RateLimit {
            limit,
            remaining: remaining.min(limit),
            window_seconds: limit_window.or(remaining_window),
            source,
            seen_at,
        })
    }

    /// True when no pulls are left.
    pub fn exhausted(&self) -> bool {
        self.remaining == 0
    }
}

/// `76/100 pulls left per 6h`: short enough for a pane title.
impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} pulls left", self.remaining, self.limit)?;
        if let Some(window) = self.window_seconds {
            write!(f, " per {}", window_text(window))?;
        }
        Ok(())
    }
}

/// `6h`, `30m`, `90s`, `1d`.
pub fn window_text(seconds: u64) -> String {
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The window of a quota such as `100;w=21600`, if it names one.
pub fn quota_window(value: &str) -> Option<u64> {
    quota(value).and_then(|(_, window)| window)
}

/// `100;w=21600` → (100, Some(21600)); `100` → (100, None). Several policies separated by
/// commas (`100, 100;w=21600`) are allowed: the first count wins, the first window too.
fn quota(value: &str) -> Option<(u64, Option<u64>)> {
    let mut count = None;
    let mut window = None;
    for policy in value.split(',') {
        let mut parts = policy.split(';');
        let n = parts.next()?.trim().parse::<u64>().ok()?;
        count.get_or_insert(n);
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("w")
                && let Ok(w) = value.trim().parse::<u64>()
            {
                window.get_or_insert(w);
            }
        }
    }
    Some((count?, window))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn docker_hub_headers() {
        let r = RateLimit::from_headers(
            Some("100;w=21600"),
            Some("76;w=21600"),
            Some("203.0.113.7"),
            now(),
        )
        .unwrap();
        assert_eq!((r.limit, r.remaining), (100, 76));
        assert_eq!(r.window_seconds, Some(21600));
        assert_eq!(r.source.as_deref(), Some("203.0.113.7"));
        assert_eq!(r.to_string(), "76/100 pulls left per 6h");
        assert!(!r.exhausted());
    }

    #[test]
    fn plain_and_multi_policy_values() {
        let r = RateLimit::from_headers(Some("200"), Some("0"), None, now()).unwrap();
        assert_eq!(r.to_string(), "0/200 pulls left");
        assert!(r.exhausted());
        let r = RateLimit::from_headers(Some("100, 100;w=21600"), Some(" 5 ;w=21600"), None, now())
            .unwrap();
        assert_eq!(
            (r.limit, r.remaining, r.window_seconds),
            (100, 5, Some(21600))
        );
        assert_eq!(quota_window("100;w=3600"), Some(3600));
        assert_eq!(window_text(90), "90s");
        assert_eq!(window_text(86_400), "1d");
    }

    #[test]
    fn garbage_is_no_rate_limit() {
        for (limit, remaining) in [
            (None, Some("1")),
            (Some("1"), None),
            (Some("lots"), Some("1")),
            (Some("-1"), Some("1")),
            (Some(""), Some("")),
            (Some("100;w=21600"), Some("w=5")),
        ] {
            assert_eq!(
                RateLimit::from_headers(limit, remaining, None, now()),
                None,
                "{limit:?} {remaining:?}"
            );
        }
        // More left than the limit is clamped; a silly source is dropped.
        let r =
            RateLimit::from_headers(Some("10"), Some("99"), Some("\u{1b}[31mevil"), now()).unwrap();
        assert_eq!(r.remaining, 10);
        assert_eq!(r.source, None);
    }
}
