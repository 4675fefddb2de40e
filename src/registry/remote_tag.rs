//! A tag as a registry's own API describes it (Docker Hub's tags, Harbor's artifacts): the
//! rows of the tags pane when the registry gives more than the Distribution API's bare names.
//!
//! Pure data; the clients in `client/` fill it, the model sorts and groups it.

use chrono::{DateTime, Utc};

use super::manifest::Platform;

/// One tag with what the registry said about it. Every field but the name may be unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTag {
    /// The tag.
    pub name: String,
    /// The digest of the manifest the tag points to (an index for multi-platform tags), when
    /// the registry says. Docker Hub's documented tag schema has none.
    pub digest: Option<String>,
    /// When the tag was last pushed (the date to sort by).
    pub pushed: Option<DateTime<Utc>>,
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
