//! The `[files]` table (files view, issue 10): the size cap of the on-disk layer index
//! cache, in bytes or with a unit ("256MiB", "1 GB").

use serde::Deserialize;

/// The default cap: 256 MiB.
pub const DEFAULT_CACHE_SIZE: u64 = crate::layerfs::cache::DEFAULT_CAP_BYTES;

/// The `[files]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesSection {
    /// Largest size of the layer index cache; 0 turns the cache off.
    pub cache_size: CacheSize,
}

impl Default for FilesSection {
    fn default() -> Self {
        FilesSection {
            cache_size: CacheSize(DEFAULT_CACHE_SIZE),
        }
    }
}

/// A size in bytes, written as a number or as text with a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawSize")]
pub struct CacheSize(pub u64);

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSize {
    Bytes(u64),
    Text(String),
}

impl TryFrom<RawSize> for CacheSize {
    type Error = String;
    fn try_from(raw: RawSize) -> Result<Self, String> {
        match raw {
            RawSize::Bytes(n) => Ok(CacheSize(n)),
            RawSize::Text(text) => parse_size(&text).map(CacheSize),
        }
    }
}

/// `1048576`, `512KiB`, `256 MiB`, `1.5GiB`, `500MB` (MB = 1000², MiB = 1024²; K/M/G
/// alone are binary).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "cache_size: {text:?} is not a size (bytes, or a number with B, KiB, MiB, GiB, \
             KB, MB or GB)"
        )
    };
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| bad())?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        _ => return Err(bad()),
    };
    let bytes = (number * factor).round();
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_or_without_units() {
        assert_eq!(parse_size("1048576"), Ok(1_048_576));
        assert_eq!(parse_size("256MiB"), Ok(256 * 1024 * 1024));
        assert_eq!(parse_size("256 MiB"), Ok(256 * 1024 * 1024));
        assert_eq!(parse_size("1.5GiB"), Ok(1_610_612_736));
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("64k"), Ok(65_536));
        assert!(parse_size("lots").unwrap_err().contains("\"lots\""));
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("").is_err());
    }
}
