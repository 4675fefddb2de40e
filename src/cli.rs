//! Command-line flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A keyboard-driven terminal UI for Docker images, layers, containers and registries.
#[derive(Debug, Clone, Parser)]
#[command(name = "wharf", version, about)]
pub struct Cli {
    /// Engine address (unix:///var/run/docker.sock, tcp://host:2375); overrides DOCKER_HOST
    #[arg(short = 'H', long, value_name = "HOST")]
    pub host: Option<String>,

    /// Docker context to use; overrides --host, DOCKER_HOST and DOCKER_CONTEXT
    #[arg(short = 'c', long, value_name = "NAME")]
    pub context: Option<String>,

    /// Config file (default: the platform's config directory, wharf/config.toml)
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Draw without colours (also when NO_COLOR is set)
    #[arg(long)]
    pub no_color: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Non-interactive commands (without one, wharf starts its terminal UI).
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Wasted space in an image, checked against dive's CI rules: exit 0 when they pass,
    /// 1 when one fails, 2 on an error
    Analyze(AnalyzeArgs),
}

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
