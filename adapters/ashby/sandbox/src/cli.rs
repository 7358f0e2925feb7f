//! Command-line arguments and the standalone server.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::Sandbox;
use crate::auth::{DEMO_API_KEY, NO_CANDIDATES_WRITE_API_KEY, READ_ONLY_API_KEY};
use crate::config::{SandboxConfig, Seed, WebhookTarget};

/// Arguments of `atsbridge sandbox ashby …` (and of the `standalone` example).
#[derive(clap::Args, Clone, Debug)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7700")]
    pub addr: SocketAddr,
    /// `demo`, `empty`, or the path of a JSON seed file.
    #[arg(long, default_value = "demo")]
    pub seed: String,
    /// Extra synthetic candidates (each with one application) for scale.
    #[arg(long, default_value_t = 0)]
    pub candidates: usize,
    /// Latency added to every Ashby call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Probability of HTTP 503 before a call is applied.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Probability that a write is applied and its response replaced by HTTP 502.
    #[arg(long, default_value_t = 0.0)]
    pub drop_response_rate: f64,
    /// Requests per minute for the organization (unlimited when absent).
    #[arg(long)]
    pub rate_limit_per_minute: Option<u32>,
    /// URL that receives every webhook action.
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// Secret used to sign webhook payloads sent to --webhook-url.
    #[arg(long, default_value = "")]
    pub webhook_secret: String,
    /// Seed of demo data and fault decisions.
    #[arg(long, default_value_t = 42)]
    pub rng_seed: u64,
}

impl SandboxArgs {
    /// The configuration these arguments describe.
    pub fn to_config(&self) -> anyhow::Result<SandboxConfig> {
        for (name, p) in [
            ("--fail-rate", self.fail_rate),
            ("--drop-response-rate", self.drop_response_rate),
        ] {
            if !(0.0..=1.0).contains(&p) {
                anyhow::bail!("{name} must be between 0 and 1");
            }
        }
        let seed = match self.seed.as_str() {
            "demo" => Seed::Demo,
            "empty" => Seed::Empty,
            path => Seed::File(PathBuf::from(path)),
        };
        Ok(SandboxConfig {
            seed,
            extra_candidates: self.candidates,
            latency_ms: self.latency_ms,
            fail_rate: self.fail_rate,
            drop_response_rate: self.drop_response_rate,
            rate_limit_per_minute: self.rate_limit_per_minute,
            webhook: self.webhook_url.as_ref().map(|url| WebhookTarget {
                url: url.clone(),
                secret: self.webhook_secret.clone(),
            }),
            rng_seed: self.rng_seed,
            ..SandboxConfig::default()
        })
    }
}

/// Builds the sandbox, prints its URL and the seeded keys, and serves until Ctrl-C.
pub async fn run_standalone(args: SandboxArgs) -> anyhow::Result<()> {
    let config = args.to_config()?;
    let started = std::time::Instant::now();
    let sandbox = Sandbox::new(config)?;
    let running = sandbox.spawn(args.addr).await?;
    println!(
        "Ashby sandbox listening on {} ({} candidates, built in {:.1?})",
        running.url,
        running.sandbox.candidate_count(),
        started.elapsed()
    );
    println!("API keys (HTTP Basic username, empty password):");
    println!("  all permissions:      {DEMO_API_KEY}");
    println!("  read-only:            {READ_ONLY_API_KEY}");
    println!("  no candidatesWrite:   {NO_CANDIDATES_WRITE_API_KEY}");
    println!(
        "Control API: {}/_sandbox/state, /_sandbox/catalog, /_sandbox/faults …",
        running.url
    );
    tokio::signal::ctrl_c().await?;
    running.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    #[test]
    fn flags_map_to_config() {
        let cli = Cli::parse_from([
            "x",
            "--seed",
            "empty",
            "--candidates",
            "5",
            "--fail-rate",
            "0.25",
            "--drop-response-rate",
            "0.5",
            "--rate-limit-per-minute",
            "60",
            "--webhook-url",
            "http://127.0.0.1:9/hook",
            "--webhook-secret",
            "s3cret",
            "--rng-seed",
            "9",
            "--latency-ms",
            "3",
        ]);
        let c = cli.args.to_config().unwrap();
        assert_eq!(c.seed, Seed::Empty);
        assert_eq!(c.extra_candidates, 5);
        assert_eq!(c.fail_rate, 0.25);
        assert_eq!(c.drop_response_rate, 0.5);
        assert_eq!(c.rate_limit_per_minute, Some(60));
        assert_eq!(c.rng_seed, 9);
        assert_eq!(c.latency_ms, 3);
        assert_eq!(c.webhook.unwrap().secret, "s3cret");
        let d = Cli::parse_from(["x"]).args;
        assert_eq!(d.addr.to_string(), "127.0.0.1:7700");
        assert_eq!(d.to_config().unwrap().seed, Seed::Demo);
        let bad = Cli::parse_from(["x", "--fail-rate", "1.5"]).args;
        assert!(bad.to_config().is_err());
    }
}
