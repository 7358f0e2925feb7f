//! The adapter anchors and the per-connection adapter lookup.
//!
//! Every adapter crate is referenced here once, so its `inventory` registration is linked into
//! the binary (a crate that is only a dependency is not linked). The guard test in
//! `tests/registry_guard.rs` fails when a folder under `adapters/` is missing here.

use async_trait::async_trait;
use atsbridge_core::{AtsAdapter, AtsError};
use std::sync::Arc;

use atsbridge_ashby as _;

/// Gives the adapter that serves a connection (built from its stored, decrypted settings).
#[async_trait]
pub trait AdapterProvider: Send + Sync {
    /// The adapter of `connection_id`. `NotFound` when the connection does not exist; the
    /// adapter is built once and cached until the connection's key or settings change.
    async fn adapter(&self, connection_id: &str) -> Result<Arc<dyn AtsAdapter>, AtsError>;

    /// The decrypted webhook secret of `connection_id`, or `None` when webhooks are not set up.
    /// `NotFound` when the connection does not exist. Never logged.
    async fn webhook_secret(
        &self,
        connection_id: &str,
    ) -> Result<Option<atsbridge_core::secrecy::SecretString>, AtsError>;
}
