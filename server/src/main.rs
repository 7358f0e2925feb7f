//! The `atsbridge` binary: a thin CLI over `atsbridge_server`.
//!
//! - `atsbridge serve [--config FILE]`: runs the service (the embedded default with no configuration).
//! - `atsbridge migrate [--config FILE]`: applies the store's migrations and exits.
//! - `atsbridge demo [ARGS]`: the end-to-end demo (see `atsbridge_server::demo`).
//! - `atsbridge sandbox ashby [ARGS]`: runs the Ashby simulator alone.
//!
//! Logs: `RUST_LOG` or `ATSBRIDGE_LOG` filter (default `info`); JSON lines with
//! `ATSBRIDGE_LOG_FORMAT=json`.

use atsbridge_server::config::LoadedConfig;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

// Every adapter crate is anchored in `atsbridge_server::adapters`; this keeps the binary's own
// anchor explicit as the architecture asks.
use atsbridge_ashby as _;

/// atsbridge keeps Dover in step with each customer's ATS.
#[derive(Parser, Debug)]
#[command(name = "atsbridge", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs the service. With no configuration file and no store.url: the embedded default
    /// (SQLite file, in-process Ashby sandbox, demo connection; prints URL and token).
    Serve {
        /// TOML configuration file (also `ATSBRIDGE_CONFIG`).
        #[arg(long, short, env = "ATSBRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Applies pending store migrations and exits.
    Migrate {
        /// TOML configuration file (also `ATSBRIDGE_CONFIG`).
        #[arg(long, short, env = "ATSBRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Runs the end-to-end demo: sandbox, worker and a batch of candidate commands.
    Demo(atsbridge_server::demo::DemoArgs),
    /// Runs an ATS simulator on its own.
    Sandbox {
        #[command(subcommand)]
        ats: SandboxCommand,
    },
}

#[derive(Subcommand, Debug)]
enum SandboxCommand {
    /// The Ashby API simulator.
    Ashby(atsbridge_ashby_sandbox::SandboxArgs),
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = std::env::var("ATSBRIDGE_LOG")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("ATSBRIDGE_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command.unwrap_or(Command::Serve { config: None }) {
        Command::Serve { config } => match LoadedConfig::load(config.as_deref()) {
            Ok(loaded) => atsbridge_server::app::serve(loaded).await,
            Err(e) => Err(e),
        },
        Command::Migrate { config } => migrate(config).await,
        Command::Demo(args) => atsbridge_server::demo::run(args).await,
        Command::Sandbox {
            ats: SandboxCommand::Ashby(args),
        } => atsbridge_ashby_sandbox::run_standalone(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn migrate(config: Option<PathBuf>) -> anyhow::Result<()> {
    let loaded = LoadedConfig::load(config.as_deref())?;
    let url = loaded.config.store.url_or_default();
    let store = atsbridge_server::app::open_store(url).await?;
    println!(
        "migrations applied ({} store at {})",
        store.backend(),
        atsbridge_server::app::redact_url(url)
    );
    Ok(())
}
