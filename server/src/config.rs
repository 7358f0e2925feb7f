//! The server's configuration: typed sections read from the layered figment
//! (`atsbridge_core::config::load`: TOML file, then `ATSBRIDGE_*` environment variables with `__`
//! between nesting levels).
//!
//! Every key has a default except `security.encryption_key`, which `serve` requires unless it runs
//! the embedded default (no configuration file and no `store.url`). Secrets (`server.tokens`,
//! `security.encryption_key`) are [`SecretString`]s: they never appear in `Debug` output.

use figment::Figment;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The store URL used when `store.url` is not set: a SQLite file in the working directory.
pub const DEFAULT_STORE_URL: &str = "sqlite://atsbridge.db";

/// The bind address used when `server.bind` is not set.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// The whole configuration, as typed sections.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `server.*`: HTTP listener and API tokens.
    pub server: ServerConfig,
    /// `store.*`: where state is kept.
    pub store: StoreConfig,
    /// `security.*`: encryption of ATS keys at rest.
    pub security: SecurityConfig,
    /// `worker.*`: the command worker's limits (read by the worker).
    pub worker: WorkerConfig,
    /// `sync.*`: the reconciler's schedule (read by the reconciler).
    pub sync: SyncConfig,
}

/// `server.*`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// Listen address; default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// API bearer tokens; any of them is accepted on `/v1`. Accepts a list or a comma-separated
    /// string (`ATSBRIDGE_SERVER__TOKENS=tok1,tok2`). Empty means every `/v1` call is refused
    /// (the embedded default generates one).
    #[serde(deserialize_with = "tokens_from_list_or_csv")]
    pub tokens: Vec<SecretString>,
    /// Seconds given to in-flight requests and work after SIGTERM/Ctrl-C; default 20.
    pub shutdown_grace_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND.parse().expect("valid default bind"),
            tokens: Vec::new(),
            shutdown_grace_secs: 20,
        }
    }
}

/// `store.*`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct StoreConfig {
    /// `sqlite://path` or `postgres://…`. `None` (not configured) means [`DEFAULT_STORE_URL`].
    pub url: Option<String>,
}

impl StoreConfig {
    /// The URL to open: the configured one or [`DEFAULT_STORE_URL`].
    pub fn url_or_default(&self) -> &str {
        self.url.as_deref().unwrap_or(DEFAULT_STORE_URL)
    }
}

/// `security.*`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SecurityConfig {
    /// Base64 of 32 random bytes: the key that encrypts ATS keys and webhook secrets at rest.
    /// Also read from `ATSBRIDGE_SECURITY__ENCRYPTION_KEY`.
    pub encryption_key: Option<SecretString>,
}

/// `worker.*`: limits of the command worker. The worker reads these; the defaults are the
/// documented ones.
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct WorkerConfig {
    /// Commands executed at once by this replica; default 8.
    pub concurrency: usize,
    /// Lease length in seconds; default 60.
    pub lease_secs: u64,
    /// Attempts before a command is dead; default 8.
    pub max_attempts: i32,
    /// ATS requests per second per connection; default 15 (Ashby answers with a limit of about
    /// 1,000 requests a minute per key; the adapter also paces itself on its rate-limit headers).
    pub per_connection_rps: u32,
    /// Commands of one connection running at once; default 2.
    pub per_connection_concurrency: usize,
    /// Queue poll interval when not woken, ms; default 200.
    pub poll_interval_ms: u64,
    /// First retry delay, ms (doubled per attempt, with jitter); default 500.
    pub backoff_base_ms: u64,
    /// Largest retry delay, ms; default 60000.
    pub backoff_max_ms: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 8,
            lease_secs: 60,
            max_attempts: 8,
            per_connection_rps: 15,
            per_connection_concurrency: 2,
            poll_interval_ms: 200,
            backoff_base_ms: 500,
            backoff_max_ms: 60_000,
        }
    }
}

/// `sync.*`: the reconciler's schedule and the optional delivery of events to Dover.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct SyncConfig {
    /// Seconds between incremental syncs of a connection; default 30.
    pub poll_interval_secs: u64,
    /// Seconds between full drift checks of a connection (they notice deletions); default 3600.
    pub drift_check_secs: u64,
    /// Where to POST new events (Dover's webhook URL); unset means the feed is only read with
    /// `GET /v1/events`.
    pub dover_webhook_url: Option<String>,
    /// The HMAC-SHA256 key of the `X-Atsbridge-Signature` header on those deliveries.
    pub dover_webhook_secret: Option<SecretString>,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            poll_interval_secs: 30,
            drift_check_secs: 3600,
            dover_webhook_url: None,
            dover_webhook_secret: None,
        }
    }
}

/// The configuration with where it came from.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    /// The typed sections.
    pub config: Config,
    /// The raw layered configuration; adapters read their `adapters.<kind>` section from it.
    pub figment: Figment,
    /// The configuration file given (`--config` or `ATSBRIDGE_CONFIG`), if any.
    pub file: Option<PathBuf>,
}

impl LoadedConfig {
    /// Loads `file` (when given, it must exist) under the `ATSBRIDGE_*` environment.
    /// Errors name the file and the key, never a secret value.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        if let Some(f) = file
            && !f.is_file()
        {
            anyhow::bail!("configuration file {} does not exist", f.display());
        }
        let figment = atsbridge_core::config::load(file);
        Self::from_figment(figment, file.map(Path::to_path_buf))
    }

    /// Extracts the typed sections of an already-built figment (tests, embedded mode).
    pub fn from_figment(figment: Figment, file: Option<PathBuf>) -> anyhow::Result<Self> {
        let config: Config = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            anyhow::anyhow!(
                "invalid configuration{}: {}",
                if key.is_empty() {
                    String::new()
                } else {
                    format!(" at `{key}`")
                },
                e.kind
            )
        })?;
        Ok(Self {
            config,
            figment,
            file,
        })
    }

    /// True for the embedded default: no configuration file and no `store.url`.
    pub fn is_embedded_default(&self) -> bool {
        self.file.is_none() && self.config.store.url.is_none()
    }
}

fn tokens_from_list_or_csv<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SecretString>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Tokens {
        List(Vec<String>),
        One(String),
    }
    let raw = match Tokens::deserialize(d)? {
        Tokens::List(l) => l,
        Tokens::One(s) => s.split(',').map(str::to_owned).collect(),
    };
    Ok(raw
        .into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .map(SecretString::from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::{Format, Toml};
    use secrecy::ExposeSecret;

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = LoadedConfig::from_figment(Figment::new(), None).unwrap();
        assert_eq!(c.config.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.config.store.url_or_default(), "sqlite://atsbridge.db");
        assert_eq!(c.config.worker, WorkerConfig::default());
        assert_eq!(c.config.worker.concurrency, 8);
        assert_eq!(c.config.sync.poll_interval_secs, 30);
        assert!(c.is_embedded_default());
    }

    #[test]
    fn tokens_accept_list_or_csv_and_are_redacted() {
        let f = Figment::from(Toml::string(
            "[server]\ntokens = \"a1, b2\"\n[security]\nencryption_key = \"topsecretvalue\"",
        ));
        let c = LoadedConfig::from_figment(f, None).unwrap();
        let t: Vec<_> = c
            .config
            .server
            .tokens
            .iter()
            .map(|t| t.expose_secret().to_owned())
            .collect();
        assert_eq!(t, ["a1", "b2"]);
        let dbg = format!("{:?}", c.config);
        assert!(
            !dbg.contains("a1") && !dbg.contains("topsecretvalue"),
            "{dbg}"
        );
        let f = Figment::from(Toml::string(
            "[server]\ntokens = [\"x\"]\n[store]\nurl = \"sqlite://x.db\"",
        ));
        let c = LoadedConfig::from_figment(f, None).unwrap();
        assert_eq!(c.config.server.tokens.len(), 1);
        assert!(!c.is_embedded_default());
    }
}
