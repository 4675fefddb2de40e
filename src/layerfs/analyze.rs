//! `wharf analyze`: the waste report of an image, checked against dive's CI rules
//! (`lowestEfficiency`, `highestWastedBytes`, `highestUserWastedPercent`, same defaults and
//! comparisons as dive's `cmd/dive/cli/internal/command/ci/rules.go`).

use std::path::Path;

use clap::Args;
use serde_json::json;

use super::cache::{DEFAULT_CAP_BYTES, LayerCache};
use super::source::{LoadError, LoadHandle, LoadedImage};
use super::waste::WasteReport;
use crate::docker::Engine;
use crate::docker::target::EngineTarget;
use crate::registry::{ClientOptions, Platform, Reference, RegistryClient};

/// `wharf analyze`: the rules and their defaults are dive's CI mode's.
#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// A local image (name or ID), a saved archive (docker save tar, plain or gzip; OCI
    /// layout tar or directory), or with --remote a registry reference
    #[arg(value_name = "REF|PATH")]
    pub target: String,

    /// Read the image from its registry without pulling it
    #[arg(long)]
    pub remote: bool,

    /// For a multi-platform image: os/arch[/variant] (default: the engine's, else linux/amd64)
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,

    /// Print the analysis as JSON
    #[arg(long)]
    pub json: bool,

    /// Fail below this efficiency (0-1), or "disabled"
    #[arg(long, value_name = "RATIO", default_value = "0.9")]
    pub lowest_efficiency: String,

    /// Fail above this many wasted bytes (e.g. 20MB, 1GiB), or "disabled"
    #[arg(long, value_name = "BYTES", default_value = "disabled")]
    pub highest_wasted_bytes: String,

    /// Fail above this ratio of wasted bytes to the bytes of all layers but the first (0-1),
    /// or "disabled"
    #[arg(long, value_name = "RATIO", default_value = "0.1")]
    pub highest_user_wasted_percent: String,

    /// Neither read nor write the layer index cache
    #[arg(long)]
    pub no_cache: bool,
}

/// How many inefficient paths the text report lists.
const TEXT_PATHS: usize = 20;

/// A CI rule's threshold; `None` when disabled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    pub lowest_efficiency: Option<f64>,
    pub highest_wasted_bytes: Option<u64>,
    pub highest_user_wasted_percent: Option<f64>,
}

/// One rule's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOutcome {
    pub name: &'static str,
    /// `None` when the rule is disabled.
    pub passed: Option<bool>,
    pub message: String,
}

impl Rules {
    /// Parses the three values as dive does ("disabled", "off", "false" or empty disable).
    pub fn parse(
        lowest_efficiency: &str,
        highest_wasted_bytes: &str,
        highest_user_wasted_percent: &str,
    ) -> Result<Rules, String> {
        Ok(Rules {
            lowest_efficiency: ratio("lowestEfficiency", lowest_efficiency)?,
            highest_wasted_bytes: if disabled(highest_wasted_bytes) {
                None
            } else {
                Some(parse_bytes(highest_wasted_bytes).ok_or_else(|| {
                    format!("invalid highestWastedBytes value {highest_wasted_bytes:?} (a size such as 20MB or 1GiB)")
                })?)
            },
            highest_user_wasted_percent: ratio(
                "highestUserWastedPercent",
                highest_user_wasted_percent,
            )?,
        })
    }

    /// The verdicts, in dive's order of keys.
    pub fn evaluate(&self, report: &WasteReport) -> Vec<RuleOutcome> {
        let mut out = Vec::new();
        out.push(match self.lowest_efficiency {
            None => disabled_outcome("lowestEfficiency"),
            Some(t) => RuleOutcome {
                name: "lowestEfficiency",
                passed: Some(
                    t.partial_cmp(&report.efficiency) != Some(std::cmp::Ordering::Greater),
                ),
                message: format!(
                    "image efficiency is too low (efficiency={:.2} < threshold={t})",
                    report.efficiency
                ),
            },
        });
        out.push(match self.highest_wasted_bytes {
            None => disabled_outcome("highestWastedBytes"),
            Some(t) => RuleOutcome {
                name: "highestWastedBytes",
                passed: Some(report.wasted_bytes <= t),
                message: format!(
                    "too many bytes wasted (wasted-bytes={} > threshold={t})",
                    report.wasted_bytes
                ),
            },
        });
        out.push(match self.highest_user_wasted_percent {
            None => disabled_outcome("highestUserWastedPercent"),
            Some(t) => RuleOutcome {
                name: "highestUserWastedPercent",
                // NaN (no user bytes) passes, as in dive.
                passed: Some(report.wasted_user_percent.partial_cmp(&t) != Some(std::cmp::Ordering::Greater)),
                message: format!(
                    "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes={:.2} > threshold={t})",
                    report.wasted_user_percent
                ),
            },
        });
        out
    }
}

fn disabled_outcome(name: &'static str) -> RuleOutcome {
    RuleOutcome {
        name,
        passed: None,
        message: "rule disabled".into(),
    }
}

fn disabled(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "disabled" | "off" | "false"
    )
}

fn ratio(name: &str, value: &str) -> Result<Option<f64>, String> {
    if disabled(value) {
        return Ok(None);
    }
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("invalid {name} value {value:?} (a ratio between 0 and 1)"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!("{name} is outside the allowed range 0-1: {value}"));
    }
    Ok(Some(v))
}

/// Sizes as go-humanize's `ParseBytes` reads them: `1024`, `20MB` (10^6), `1.5GiB` (2^30).
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let multiplier: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024f64.powi(2),
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        _ => return None,
    };
    let bytes = number * multiplier;
    (0.0..1.8e19).contains(&bytes).then_some(bytes as u64)
}

/// Where the engine and registries are, as main resolved them.
pub struct AnalyzeEnv {
    pub engine_target: Result<EngineTarget, String>,
    pub registry: ClientOptions,
}

/// Runs `wharf analyze`; returns the exit code (0 pass, 1 a rule failed, 2 error) after
/// printing the report to stdout or the reason to stderr.
pub async fn main(args: &AnalyzeArgs, env: AnalyzeEnv) -> u8 {
    match analyze(args, env).await {
        Ok((text, passed)) => {
            println!("{text}");
            if passed { 0 } else { 1 }
        }
        Err(reason) => {
            eprintln!("wharf analyze: {}", crate::text::clean(&reason));
            2
        }
    }
}

async fn analyze(args: &AnalyzeArgs, env: AnalyzeEnv) -> Result<(String, bool), String> {
    let rules = Rules::parse(
        &args.lowest_efficiency,
        &args.highest_wasted_bytes,
        &args.highest_user_wasted_percent,
    )?;
    let platform = args.platform.as_deref().map(parse_platform).transpose()?;
    let cache = if args.no_cache {
        None
    } else {
        LayerCache::open_default(DEFAULT_CAP_BYTES)
    };
    let handle = open(args, platform, cache, env).await?;
    let image = handle.collect().await.map_err(|e: LoadError| e.message)?;
    let report = image.fs.waste_report();
    let outcomes = rules.evaluate(&report);
    let passed = outcomes.iter().all(|o| o.passed != Some(false));
    let text = if args.json {
        json_report(&image, &report, &outcomes, passed)
    } else {
        text_report(&image, &report, &outcomes, passed)
    };
    Ok((text, passed))
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    Platform::parse(text).ok_or_else(|| format!("--platform wants os/arch[/variant], not {text:?}"))
}

/// Picks the source: a path on disk, a registry (`--remote`), or the engine.
async fn open(
    args: &AnalyzeArgs,
    platform: Option<Platform>,
    cache: Option<LayerCache>,
    env: AnalyzeEnv,
) -> Result<LoadHandle, String> {
    if args.remote {
        let reference =
            Reference::parse(&args.target).map_err(|e| format!("{}: {e}", args.target))?;
        let client = RegistryClient::new(env.registry).map_err(|e| e.to_string())?;
        let platform = platform.unwrap_or_else(default_platform);
        return Ok(super::source::registry::load_remote(
            client,
            reference,
            Some(platform),
            cache,
        ));
    }
    let path = Path::new(&args.target);
    if path.exists() {
        return Ok(super::source::archive::load_path(
            path.to_path_buf(),
            platform,
        ));
    }
    let target = env.engine_target?;
    let engine = Engine::open(&target).map_err(|e| e.to_string())?;
    engine.identify().await.map_err(|e| e.to_string())?;
    Ok(super::source::engine::load_local_image(
        engine,
        args.target.clone(),
        cache,
    ))
}

/// linux and the architecture wharf was built for, in Go's names.
pub fn default_platform() -> Platform {
    let architecture = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        other => other,
    };
    Platform {
        os: "linux".into(),
        architecture: architecture.into(),
        variant: None,
    }
}

fn text_report(
    image: &LoadedImage,
    report: &WasteReport,
    outcomes: &[RuleOutcome],
    passed: bool,
) -> String {
    use crate::text::format::size;
    let clean = |s: &str| crate::text::clean(s).into_owned();
    let mut out = String::new();
    out.push_str(&format!("Image: {}\n", clean(&image.plan.name)));
    out.push_str(&format!("  layers: {}\n", image.plan.layers.len()));
    out.push_str(&format!(
        "  size: {} bytes ({})\n",
        report.size_bytes,
        size(report.size_bytes)
    ));
    out.push_str(&format!(
        "  efficiency: {:.4} %\n",
        report.efficiency * 100.0
    ));
    out.push_str(&format!(
        "  wastedBytes: {} bytes ({})\n",
        report.wasted_bytes,
        size(report.wasted_bytes)
    ));
    out.push_str(&format!(
        "  userWastedPercent: {:.4} %\n",
        report.wasted_user_percent * 100.0
    ));
    out.push_str("Inefficient Files:\nCount  Wasted Space  File Path  (layers)\n");
    if report.inefficient.is_empty() {
        out.push_str("None\n");
    }
    for w in report.inefficient.iter().take(TEXT_PATHS) {
        let layers: Vec<String> = w.layers.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "{:>5}  {:>12}  {}  ({})\n",
            w.count,
            size(w.wasted),
            clean(&image.fs.display_path(w.path)),
            layers.join(",")
        ));
    }
    if report.inefficient.len() > TEXT_PATHS {
        out.push_str(&format!(
            "… and {} more\n",
            report.inefficient.len() - TEXT_PATHS
        ));
    }
    out.push_str("Results:\n");
    for o in outcomes {
        match o.passed {
            None => out.push_str(&format!("  SKIP: {}: {}\n", o.name, o.message)),
            Some(true) => out.push_str(&format!("  PASS: {}\n", o.name)),
            Some(false) => out.push_str(&format!("  FAIL: {}: {}\n", o.name, o.message)),
        }
    }
    let count = |want: Option<bool>| outcomes.iter().filter(|o| o.passed == want).count();
    out.push_str(&format!(
        "Result:{} [Total:{}] [Passed:{}] [Failed:{}] [Skipped:{}]",
        if passed { "PASS" } else { "FAIL" },
        outcomes.len(),
        count(Some(true)),
        count(Some(false)),
        count(None)
    ));
    out
}

/// A number JSON can hold (NaN and infinities become null).
fn finite(v: f64) -> serde_json::Value {
    if v.is_finite() {
        json!(v)
    } else {
        serde_json::Value::Null
    }
}

fn json_report(
    image: &LoadedImage,
    report: &WasteReport,
    outcomes: &[RuleOutcome],
    passed: bool,
) -> String {
    let layers: Vec<_> = image
        .plan
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let index = image.fs.layer_index(u16::try_from(i).unwrap_or(u16::MAX));
            json!({
                "index": i,
                "digest": l.diff_id,
                "command": l.created_by,
                "sizeBytes": index.map_or(0, |x| x.size()),
                "entries": index.map_or(0, |x| x.entries()),
            })
        })
        .collect();
    let files: Vec<_> = report
        .inefficient
        .iter()
        .map(|w| {
            json!({
                "path": image.fs.display_path(w.path),
                "count": w.count,
                "sizeBytes": w.wasted,
                "layers": w.layers,
            })
        })
        .collect();
    let rules: Vec<_> = outcomes
        .iter()
        .map(|o| {
            json!({
                "name": o.name,
                "status": match o.passed { None => "skip", Some(true) => "pass", Some(false) => "fail" },
                "message": if o.passed == Some(false) || o.passed.is_none() { o.message.clone() } else { String::new() },
            })
        })
        .collect();
    let value = json!({
        "image": image.plan.name,
        "layers": layers,
        "sizeBytes": report.size_bytes,
        "userSizeBytes": report.user_size_bytes,
        "wastedBytes": report.wasted_bytes,
        "wastedUserPercent": finite(report.wasted_user_percent),
        "efficiency": finite(report.efficiency),
        "inefficientFiles": files,
        "rules": rules,
        "pass": passed,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(efficiency: f64, wasted: u64, percent: f64) -> WasteReport {
        WasteReport {
            size_bytes: 0,
            user_size_bytes: 0,
            wasted_bytes: wasted,
            wasted_user_percent: percent,
            efficiency,
            inefficient: vec![],
        }
    }

    #[test]
    fn defaults_are_dives() {
        let rules = Rules::parse("0.9", "disabled", "0.1").unwrap();
        assert_eq!(rules.highest_wasted_bytes, None);
        let verdicts = |r: &WasteReport| {
            rules
                .evaluate(r)
                .iter()
                .map(|o| o.passed)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            verdicts(&report(0.9, 5, 0.1)),
            [Some(true), None, Some(true)]
        );
        assert_eq!(
            verdicts(&report(0.89, 5, 0.11)),
            [Some(false), None, Some(false)]
        );
        assert_eq!(
            verdicts(&report(1.0, 0, f64::NAN)),
            [Some(true), None, Some(true)]
        );
        assert_eq!(verdicts(&report(1.0, 0, f64::INFINITY))[2], Some(false));
    }

    #[test]
    fn wasted_bytes_threshold_is_inclusive_and_parses_sizes() {
        let rules = Rules::parse("off", "20MB", "false").unwrap();
        assert_eq!(rules.highest_wasted_bytes, Some(20_000_000));
        assert_eq!(
            rules.evaluate(&report(0.0, 20_000_000, 1.0))[1].passed,
            Some(true)
        );
        assert_eq!(
            rules.evaluate(&report(0.0, 20_000_001, 1.0))[1].passed,
            Some(false)
        );
        assert_eq!(parse_bytes("1.5GiB"), Some(1_610_612_736));
        assert_eq!(parse_bytes("1024"), Some(1024));
        assert_eq!(parse_bytes("12 kb"), Some(12_000));
        assert_eq!(parse_bytes("lots"), None);
    }

    #[test]
    fn out_of_range_or_garbage_values_are_errors() {
        assert!(
            Rules::parse("1.5", "disabled", "0.1")
                .unwrap_err()
                .contains("lowestEfficiency")
        );
        assert!(
            Rules::parse("0.9", "many", "0.1")
                .unwrap_err()
                .contains("highestWastedBytes")
        );
        assert!(Rules::parse("0.9", "disabled", "x").is_err());
    }

    #[test]
    fn platforms_parse() {
        assert_eq!(
            parse_platform("linux/arm64/v8").unwrap().variant.as_deref(),
            Some("v8")
        );
        assert!(parse_platform("linux").is_err());
    }
}
