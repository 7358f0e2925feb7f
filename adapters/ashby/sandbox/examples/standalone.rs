//! Runs the Ashby sandbox standalone: `cargo run -p atsbridge-ashby-sandbox --example standalone -- --help`.

use atsbridge_ashby_sandbox::{SandboxArgs, run_standalone};
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: SandboxArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    run_standalone(Cli::parse().args).await
}
