//! Command-line flags.

use std::path::PathBuf;

use clap::Parser;

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
}
