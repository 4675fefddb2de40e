//! Wiring only: flags, error hooks, config, engine address, then the event loop.

use std::process::ExitCode;

use clap::Parser;

use wharf::app::{self, RunOptions};
use wharf::cli::{Cli, Command};
use wharf::config::Config;
use wharf::docker::target::{self, TargetInputs};
use wharf::executor::{EngineSetup, Registry, Services};
use wharf::flows::context::context_label;
use wharf::layerfs::analyze::{self, AnalyzeEnv};
use wharf::registry::{self, ClientOptions, DockerConfig};
use wharf::tui;
use wharf::ui::theme::{Theme, no_color_env};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A broken config stops wharf before it touches the terminal.
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("wharf: {e}");
            return ExitCode::from(2);
        }
    };
    let no_color = cli.no_color || no_color_env(std::env::var_os("NO_COLOR").as_deref());
    let theme = match Theme::from_config(&config.theme) {
        Ok(_) if no_color => Theme::monochrome(),
        Ok(theme) => theme,
        Err(e) => {
            let file = config
                .source
                .as_deref()
                .unwrap_or(std::path::Path::new("config"));
            eprintln!("wharf: config file {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    if let Err(e) = color_eyre::install() {
        eprintln!("wharf: {e}");
        return ExitCode::FAILURE;
    }
    tui::install_panic_hook();
    registry::install_crypto_provider();

    let inputs = TargetInputs {
        context_flag: cli.context.clone(),
        host_flag: cli.host.clone(),
        config_host: config.engine.host.clone(),
        config_context: config.engine.context.clone(),
        ..TargetInputs::from_env()
    };
    let target = target::resolve(&inputs).map_err(|e| e.to_string());
    let target_label = match &target {
        Ok(t) => t.host.clone(),
        Err(_) => cli
            .context
            .clone()
            .or(inputs.docker_context.clone())
            .unwrap_or_default(),
    };

    let credentials = DockerConfig::from_env().ok();
    let registry_options = ClientOptions {
        insecure_registries: config.registries.insecure.clone(),
        credentials: credentials.clone(),
        // Registries people use: the Hub API may be pointed elsewhere (a documented key).
        hub_api_url: config
            .registries
            .hub_api
            .clone()
            .unwrap_or_else(|| ClientOptions::default().hub_api_url),
        ..ClientOptions::default()
    };
    if let Some(Command::Analyze(args)) = &cli.command {
        let env = AnalyzeEnv {
            engine_target: target,
            registry: registry_options,
        };
        // One thread, as for the TUI: the decompression and indexing run in spawn_blocking.
        return match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => ExitCode::from(runtime.block_on(analyze::main(args, env))),
            Err(e) => {
                eprintln!("wharf analyze: cannot start the async runtime: {e}");
                ExitCode::from(2)
            }
        };
    }

    // Remote engines: the ssh program from the config, the context the address came from.
    let engine_setup = EngineSetup::from_config(&config.engine, inputs.clone());
    let context_label = match &target {
        Ok(t) => context_label(&t.source),
        Err(_) => None,
    };
    let services = Services {
        credentials,
        registry: Registry::build_on_first_use(registry_options),
        // files view: `[files] cache_size`; 0 turns the cache off.
        layer_cache: match config.files.cache_size.0 {
            0 => None,
            cap => wharf::layerfs::cache::LayerCache::open_default(cap),
        },
        repository_memory: wharf::registry::RepositoryMemory::in_data_dir(),
    };

    // One thread: the work is waiting on sockets, and each extra worker costs memory.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("wharf: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(app::run(
        config,
        RunOptions {
            target,
            target_label,
            theme,
            services,
            engine_setup,
            context_label,
            open_files: match cli.command {
                Some(Command::Files(args)) => Some(args),
                _ => None,
            },
        },
    ));
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wharf: {e:?}");
            ExitCode::FAILURE
        }
    }
}
