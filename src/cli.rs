//! Command-line flags.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    Analyze(crate::layerfs::analyze::AnalyzeArgs),
    /// Start in the files view of an image: its layers and what each one changed
    #[command(visible_alias = "dive")]
    Files(FilesArgs),
}

/// `wharf files REF|PATH`: the same target as `:files` in the UI.
#[derive(Debug, Clone, clap::Args)]
pub struct FilesArgs {
    /// A saved archive (docker save tar or OCI layout) if the path exists, else a local image
    /// (name or ID), else a registry reference read without pulling
    #[arg(value_name = "REF|PATH")]
    pub target: String,

    /// For a multi-platform image: os/arch[/variant] (default: the engine's)
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
}
