//! The reconciler: keeps the store's mirror of each connection's ATS (candidates, applications)
//! current and turns ATS-side changes into events of the feed.
//!
//! See `docs/sync.md` for the rules.

pub mod drift;
pub mod reconciler;

pub use reconciler::{PassReport, Reconciler, SyncError};

use std::time::Duration;

/// The stream names used in `SyncStateRow.stream`.
pub mod streams {
    /// The candidate change stream.
    pub const CANDIDATES: &str = "candidates";
    /// The application change stream.
    pub const APPLICATIONS: &str = "applications";
    /// The outbound Dover webhook delivery position (cursor = last delivered event position).
    pub const DOVER_WEBHOOK: &str = "dover_webhook";
}

/// The reconciler's schedule and outbound delivery settings.
#[derive(Clone, Debug)]
pub struct ReconcilerConfig {
    /// Time between incremental passes of a connection (default 30 s).
    pub poll_interval: Duration,
    /// Time between full drift checks of a connection (default 1 h).
    pub drift_check_interval: Duration,
    /// Where to POST new events (Dover's webhook URL), if anywhere.
    pub dover_webhook_url: Option<String>,
    /// The HMAC-SHA256 secret of the Dover webhook signature.
    pub dover_webhook_secret: Option<atsbridge_core::secrecy::SecretString>,
    /// The most events per Dover webhook delivery.
    pub dover_webhook_batch: usize,
}

impl Default for ReconcilerConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(30),
            drift_check_interval: Duration::from_secs(3600),
            dover_webhook_url: None,
            dover_webhook_secret: None,
            dover_webhook_batch: 100,
        }
    }
}

impl From<crate::config::SyncConfig> for ReconcilerConfig {
    fn from(c: crate::config::SyncConfig) -> Self {
        Self {
            poll_interval: Duration::from_secs(c.poll_interval_secs.max(1)),
            drift_check_interval: Duration::from_secs(c.drift_check_secs.max(1)),
            dover_webhook_url: c.dover_webhook_url,
            dover_webhook_secret: c.dover_webhook_secret,
            ..Self::default()
        }
    }
}
