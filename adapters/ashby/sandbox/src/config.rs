//! Configuration of a sandbox: the seed, fault settings and webhook target.

use std::path::PathBuf;
use std::time::Duration;

/// Which organization the sandbox starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seed {
    /// The demo organization: jobs, plans covering every stage type, users,
    /// sources (including "Dover"), archive reasons, custom fields and 300
    /// candidates with messy identities and applications in every status.
    Demo,
    /// An organization with no records at all (only the API keys).
    Empty,
    /// A JSON seed file in the format documented in `docs/ashby-sandbox.md`.
    File(PathBuf),
}

/// A webhook receiver configured at start-up; it receives every action.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    /// The URL payloads are POSTed to.
    pub url: String,
    /// The HMAC-SHA256 key for the `Ashby-Signature` header (never printed).
    pub secret: String,
}

impl std::fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Everything needed to build a [`crate::Sandbox`].
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// The starting organization.
    pub seed: Seed,
    /// Extra synthetic candidates (each with one application) added after the seed.
    pub extra_candidates: usize,
    /// Latency added to every faultable Ashby call, in milliseconds.
    pub latency_ms: u64,
    /// Probability (0..=1) that a faultable call fails with HTTP 503 before it is applied.
    pub fail_rate: f64,
    /// Probability (0..=1) that a write is applied and its response then replaced by HTTP 502.
    pub drop_response_rate: f64,
    /// Requests per organization per one-minute window; `None` means unlimited.
    pub rate_limit_per_minute: Option<u32>,
    /// A receiver for every webhook action, in addition to `webhook.create` registrations.
    pub webhook: Option<WebhookTarget>,
    /// Seed of the generator of demo data and of fault decisions.
    pub rng_seed: u64,
    /// How long a sync token stays valid; older tokens answer `sync_token_expired`.
    pub sync_token_ttl: Duration,
    /// An incremental sync whose change count exceeds this answers `incremental_sync_too_large`.
    pub incremental_sync_max_changes: usize,
    /// Base delay of webhook retries: attempt n waits (2^n - 1) × base.
    pub webhook_retry_base: Duration,
}

impl Default for SandboxConfig {
    /// Demo seed, no faults, no rate limit, 7-day sync tokens, 10 s retry base.
    fn default() -> Self {
        SandboxConfig {
            seed: Seed::Demo,
            extra_candidates: 0,
            latency_ms: 0,
            fail_rate: 0.0,
            drop_response_rate: 0.0,
            rate_limit_per_minute: None,
            webhook: None,
            rng_seed: 42,
            sync_token_ttl: Duration::from_secs(7 * 24 * 3600),
            incremental_sync_max_changes: 50_000,
            webhook_retry_base: Duration::from_secs(10),
        }
    }
}

/// Settings that can be changed while the sandbox runs (from Rust or the control API).
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// Latency added to every faultable Ashby call, in milliseconds.
    pub latency_ms: u64,
    /// Probability (0..=1) of HTTP 503 before the call is applied.
    pub fail_rate: f64,
    /// Probability (0..=1) that a write is applied and then answered with HTTP 502.
    pub drop_response_rate: f64,
    /// Requests per organization per rate-limit window; `None` means unlimited.
    pub rate_limit_per_minute: Option<u32>,
    /// Length of the rate-limit window: one minute, as Ashby's headers suggest. Tests shorten it
    /// so a throttled run does not wait whole minutes.
    pub rate_limit_window: Duration,
    /// Lifetime of sync tokens.
    pub sync_token_ttl: Duration,
    /// Largest change count an incremental sync may return.
    pub incremental_sync_max_changes: usize,
}

impl Default for Faults {
    /// No faults and the defaults of [`SandboxConfig::default`].
    fn default() -> Self {
        Faults::from_config(&SandboxConfig::default())
    }
}

impl Faults {
    /// The runtime settings a config starts with.
    pub fn from_config(c: &SandboxConfig) -> Faults {
        Faults {
            latency_ms: c.latency_ms,
            fail_rate: c.fail_rate,
            drop_response_rate: c.drop_response_rate,
            rate_limit_per_minute: c.rate_limit_per_minute,
            rate_limit_window: Duration::from_secs(60),
            sync_token_ttl: c.sync_token_ttl,
            incremental_sync_max_changes: c.incremental_sync_max_changes,
        }
    }

    /// JSON view used by the control API.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "latencyMs": self.latency_ms,
            "failRate": self.fail_rate,
            "dropResponseRate": self.drop_response_rate,
            "rateLimitPerMinute": self.rate_limit_per_minute,
            "rateLimitWindowMs": self.rate_limit_window.as_millis() as u64,
            "syncTokenTtlMs": self.sync_token_ttl.as_millis() as u64,
            "incrementalSyncMaxChanges": self.incremental_sync_max_changes,
        })
    }

    /// Applies a partial JSON patch (control API); absent keys keep their value,
    /// `rateLimitPerMinute: null` removes the limit.
    pub(crate) fn patch(&mut self, v: &serde_json::Value) -> Result<(), String> {
        let o = v.as_object().ok_or("body must be a JSON object")?;
        let num = |k: &str| -> Result<Option<f64>, String> {
            match o.get(k) {
                None => Ok(None),
                Some(x) => x.as_f64().map(Some).ok_or(format!("{k} must be a number")),
            }
        };
        let rate = |k: &str| -> Result<Option<f64>, String> {
            let r = num(k)?;
            if let Some(p) = r
                && !(0.0..=1.0).contains(&p)
            {
                return Err(format!("{k} must be between 0 and 1"));
            }
            Ok(r)
        };
        if let Some(x) = num("latencyMs")? {
            self.latency_ms = x as u64;
        }
        if let Some(x) = rate("failRate")? {
            self.fail_rate = x;
        }
        if let Some(x) = rate("dropResponseRate")? {
            self.drop_response_rate = x;
        }
        match o.get("rateLimitPerMinute") {
            None => {}
            Some(serde_json::Value::Null) => self.rate_limit_per_minute = None,
            Some(x) => {
                self.rate_limit_per_minute =
                    Some(x.as_u64().ok_or("rateLimitPerMinute must be an integer")? as u32)
            }
        }
        if let Some(x) = num("rateLimitWindowMs")? {
            self.rate_limit_window = Duration::from_millis((x as u64).max(1));
        }
        if let Some(x) = num("syncTokenTtlMs")? {
            self.sync_token_ttl = Duration::from_millis(x as u64);
        }
        if let Some(x) = num("incrementalSyncMaxChanges")? {
            self.incremental_sync_max_changes = x as usize;
        }
        Ok(())
    }
}
