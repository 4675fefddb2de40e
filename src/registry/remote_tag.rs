//! A tag as a registry's own API describes it (Docker Hub's tags, Harbor's artifacts): the
//! rows of the tags pane when the registry gives more than the Distribution API's bare names.
//!
//! Pure data; the clients in `client/` fill it, the model sorts and groups it.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::manifest::{Platform, TagDetail};
use crate::text::natural::natural_cmp;

/// One tag with what the registry said about it. Every field but the name may be unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTag {
    /// The tag.
    pub name: String,
    /// The digest of the manifest the tag points to (an index for multi-platform tags), when
    /// the registry says. Docker Hub's documented tag schema has none.
    pub digest: Option<String>,
    /// When the tag was last pushed (Docker Hub, Harbor).
    pub pushed: Option<DateTime<Utc>>,
    /// When the image was built (the config's `created`: what a Distribution registry gives).
    pub created: Option<DateTime<Utc>>,
    /// When it was last pulled.
    pub pulled: Option<DateTime<Utc>>,
    /// Compressed size as the registry counts it.
    pub size: Option<u64>,
    /// The platforms of the tag, with their manifest digests when known.
    pub platforms: Vec<RemotePlatform>,
    /// The last vulnerability scan (Harbor), if the registry reports scans.
    pub scan: Option<ScanSummary>,
}

impl RemoteTag {
    /// A tag known by name only.
    pub fn named(name: impl Into<String>) -> RemoteTag {
        RemoteTag {
            name: name.into(),
            digest: None,
            pushed: None,
            created: None,
            pulled: None,
            size: None,
            platforms: Vec::new(),
            scan: None,
        }
    }
}

/// One platform image of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePlatform {
    /// `linux/arm64/v8`.
    pub platform: Platform,
    /// The platform image's manifest digest, when known. Never an index digest.
    pub digest: Option<String>,
    /// Its compressed size, when known.
    pub size: Option<u64>,
}

/// How bad a vulnerability is, in Harbor's (and most scanners') scale, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// `None`: scanned, nothing found.
    None,
    /// `Unknown`: the scanner could not rate it.
    Unknown,
    /// `Negligible`.
    Negligible,
    /// `Low`.
    Low,
    /// `Medium`.
    Medium,
    /// `High`.
    High,
    /// `Critical`.
    Critical,
}

impl Severity {
    /// Every severity, worst first (the order a summary is read in).
    pub const WORST_FIRST: [Severity; 7] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Negligible,
        Severity::Unknown,
        Severity::None,
    ];

    /// Reads a scanner's severity name, case-insensitively.
    pub fn parse(name: &str) -> Option<Severity> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "none" => Severity::None,
            "unknown" => Severity::Unknown,
            "negligible" => Severity::Negligible,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }

    /// The name as scanners write it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::None => "None",
            Severity::Unknown => "Unknown",
            Severity::Negligible => "Negligible",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

/// Where the last vulnerability scan of an artifact stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanState {
    /// Never scanned.
    NotScanned,
    /// Queued or running; the percentage when the registry says.
    Scanning {
        /// 0–100.
        percent: Option<u8>,
    },
    /// Finished with a report.
    Done,
    /// The scan failed or was stopped; the registry's word for it.
    Failed {
        /// `Error`, `Stopped`…
        status: String,
    },
}

/// The summary of an artifact's last scan: total and counts by severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanSummary {
    /// Where the scan stands.
    pub state: ScanState,
    /// The overall severity the scanner gave, if finished.
    pub severity: Option<Severity>,
    /// Vulnerabilities found.
    pub total: u64,
    /// Of which a fix exists.
    pub fixable: u64,
    /// Counts by severity, worst first, zero counts left out.
    pub counts: Vec<(Severity, u64)>,
    /// When the scan ended.
    pub finished: Option<DateTime<Utc>>,
}

impl ScanSummary {
    /// A summary for an artifact that was never scanned.
    pub fn not_scanned() -> ScanSummary {
        ScanSummary {
            state: ScanState::NotScanned,
            severity: None,
            total: 0,
            fixable: 0,
            counts: Vec::new(),
            finished: None,
        }
    }

    /// How many vulnerabilities of that severity were found.
    pub fn count(&self, severity: Severity) -> u64 {
        self.counts
            .iter()
            .find(|(s, _)| *s == severity)
            .map_or(0, |(_, n)| *n)
    }

    /// The worst severity with at least one finding (or the scanner's overall one).
    pub fn worst(&self) -> Option<Severity> {
        self.counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, _)| *s)
            .max()
            .or(self.severity)
    }
}

/// How the tags pane orders remote tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagOrder {
    /// By name, in natural order (`1.9` before `1.10`).
    Name,
    /// Newest first by [`RemoteTag::date`]; tags without a date last, by name.
    Newest,
    /// Worst vulnerabilities first (worst severity, then how many of it, then the total);
    /// unscanned tags last, by name.
    Severity,
}

impl RemoteTag {
    /// The date the tag sorts by: when it was pushed, else when its image was built.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        self.pushed.or(self.created)
    }

    /// A tag row from a Distribution registry's tag detail: the built date, the sizes and
    /// the platforms with their manifest digests (the top digest is the index for a
    /// multi-platform tag).
    pub fn from_detail(detail: &TagDetail) -> RemoteTag {
        RemoteTag {
            name: detail.tag.clone(),
            digest: Some(detail.digest.clone()),
            pushed: None,
            created: detail.created,
            pulled: None,
            size: Some(detail.compressed_size),
            platforms: detail
                .platforms
                .iter()
                .map(|p| RemotePlatform {
                    platform: p.platform.clone(),
                    digest: Some(p.digest.clone()),
                    size: Some(p.compressed_size),
                })
                .collect(),
            scan: None,
        }
    }
}

/// Sorts tags in place (stable; ties in natural name order). See [`tag_order`].
pub fn sort_tags(tags: &mut [RemoteTag], order: TagOrder) {
    let positions = tag_order(tags, order);
    // Apply the permutation by swapping each cycle into place.
    let mut target: Vec<usize> = vec![0; positions.len()];
    for (rank, &index) in positions.iter().enumerate() {
        target[index] = rank;
    }
    for start in 0..tags.len() {
        while target[start] != start {
            let to = target[start];
            tags.swap(start, to);
            target.swap(start, to);
        }
    }
}

/// The indices of `tags` in the given order, leaving the tags where they are (what a view
/// over a loaded list keeps). Keys are computed once per tag, not per comparison.
pub fn tag_order(tags: &[RemoteTag], order: TagOrder) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..tags.len()).collect();
    let by_name = |a: usize, b: usize| natural_cmp(&tags[a].name, &tags[b].name);
    match order {
        TagOrder::Name => indices.sort_by(|&a, &b| by_name(a, b)),
        TagOrder::Newest => {
            let dates: Vec<Option<DateTime<Utc>>> = tags.iter().map(RemoteTag::date).collect();
            indices.sort_by(|&a, &b| match (dates[a], dates[b]) {
                (Some(x), Some(y)) => y.cmp(&x).then_with(|| by_name(a, b)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => by_name(a, b),
            });
        }
        TagOrder::Severity => {
            let keys: Vec<_> = tags.iter().map(severity_key).collect();
            indices.sort_by(|&a, &b| keys[b].cmp(&keys[a]).then_with(|| by_name(a, b)));
        }
    }
    indices
}

/// Larger is worse: (has a finished scan, worst severity, its count, total).
fn severity_key(tag: &RemoteTag) -> (bool, Option<Severity>, u64, u64) {
    match &tag.scan {
        Some(scan) if scan.state == ScanState::Done => {
            let worst = scan.worst();
            let count = worst.map_or(0, |s| scan.count(s));
            (true, worst, count, scan.total)
        }
        _ => (false, None, 0, 0),
    }
}

/// The other tags with the same digest as `tag` (natural order), from `(tag, digest)` pairs:
/// the tags a delete by digest would also remove, and the aliases shown in the detail.
pub fn other_tags_with_digest<'a>(
    digests: impl IntoIterator<Item = (&'a str, &'a str)>,
    tag: &str,
) -> Vec<&'a str> {
    let pairs: Vec<(&str, &str)> = digests.into_iter().collect();
    let Some(digest) = pairs.iter().find(|(t, _)| *t == tag).map(|(_, d)| *d) else {
        return Vec::new();
    };
    let mut others: Vec<&str> = pairs
        .iter()
        .filter(|(t, d)| *d == digest && *t != tag)
        .map(|(t, _)| *t)
        .collect();
    others.sort_by(|a, b| natural_cmp(a, b));
    others.dedup();
    others
}

/// [`other_tags_with_digest`] for tag rows that know their digest.
pub fn tags_sharing_digest<'a>(tags: &'a [RemoteTag], tag: &str) -> Vec<&'a str> {
    other_tags_with_digest(
        tags.iter()
            .filter_map(|t| Some((t.name.as_str(), t.digest.as_deref()?))),
        tag,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&format!("2024-01-{day:02}T00:00:00Z"))
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    fn tag(name: &str, pushed: Option<DateTime<Utc>>, digest: Option<&str>) -> RemoteTag {
        RemoteTag {
            pushed,
            digest: digest.map(str::to_owned),
            ..RemoteTag::named(name)
        }
    }

    fn names(tags: &[RemoteTag]) -> Vec<&str> {
        tags.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn newest_first_undated_last() {
        let mut tags = vec![
            tag("1.10", at(3), None),
            tag("1.9", None, None),
            tag("latest", at(9), None),
            tag("1.2", None, None),
            RemoteTag {
                created: at(5),
                ..RemoteTag::named("built")
            },
            tag("1.11", at(3), None),
        ];
        sort_tags(&mut tags, TagOrder::Newest);
        assert_eq!(
            names(&tags),
            ["latest", "built", "1.10", "1.11", "1.2", "1.9"]
        );
        sort_tags(&mut tags, TagOrder::Name);
        assert_eq!(
            names(&tags),
            ["1.2", "1.9", "1.10", "1.11", "built", "latest"]
        );
    }

    #[test]
    fn worst_vulnerabilities_first() {
        let scanned = |name: &str, counts: Vec<(Severity, u64)>, state: ScanState| RemoteTag {
            scan: Some(ScanSummary {
                state,
                severity: None,
                total: counts.iter().map(|(_, n)| n).sum(),
                fixable: 0,
                counts,
                finished: None,
            }),
            ..RemoteTag::named(name)
        };
        let mut tags = vec![
            scanned("clean", vec![], ScanState::Done),
            RemoteTag::named("never"),
            scanned("two-high", vec![(Severity::High, 2)], ScanState::Done),
            scanned(
                "one-critical",
                vec![(Severity::Critical, 1)],
                ScanState::Done,
            ),
            scanned(
                "one-high-many-low",
                vec![(Severity::High, 1), (Severity::Low, 50)],
                ScanState::Done,
            ),
            scanned("running", vec![], ScanState::Scanning { percent: Some(5) }),
        ];
        sort_tags(&mut tags, TagOrder::Severity);
        assert_eq!(
            names(&tags),
            [
                "one-critical",
                "two-high",
                "one-high-many-low",
                "clean",
                "never",
                "running"
            ]
        );
    }

    #[test]
    fn tags_with_the_same_digest() {
        let tags = vec![
            tag("latest", None, Some("sha256:a")),
            tag("1.10", None, Some("sha256:a")),
            tag("1.9", None, Some("sha256:b")),
            tag("1.2", None, Some("sha256:a")),
            tag("unknown", None, None),
        ];
        assert_eq!(tags_sharing_digest(&tags, "latest"), ["1.2", "1.10"]);
        assert!(tags_sharing_digest(&tags, "1.9").is_empty());
        assert!(tags_sharing_digest(&tags, "unknown").is_empty());
        assert!(tags_sharing_digest(&tags, "absent").is_empty());
        let heads = [("a", "sha256:x"), ("b", "sha256:x"), ("a", "sha256:x")];
        assert_eq!(other_tags_with_digest(heads, "a"), ["b"]);
    }
}
