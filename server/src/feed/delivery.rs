//! Outbound delivery of the event feed to Dover's webhook URL.
//!
//! Per connection, events after the delivered position are POSTed in order as
//! `{"events": [...]}` (the same event views as `GET /v1/events`), signed with
//! HMAC-SHA256 of the body under `sync.dover_webhook_secret`:
//! `X-Atsbridge-Signature: sha256=<hex>`. A 2xx answer advances the position, kept in the
//! connection's `SyncStateRow` with stream `"dover_webhook"` (cursor = last delivered
//! position), so delivery resumes after a restart. Anything else is retried with exponential
//! backoff (1 s doubling to 5 min). Delivery is at-least-once; event ids are stable.

use super::events::event_view;
use crate::store::{Store, SyncStateRow};
use crate::sync::{Reconciler, streams};
use atsbridge_core::secrecy::ExposeSecret;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Atsbridge-Signature";

/// `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Delivers one batch of a connection's undelivered events. `Ok(n)` = events delivered (0 when
/// none were waiting).
pub async fn deliver_once(
    store: &dyn Store,
    client: &reqwest::Client,
    url: &str,
    secret: &[u8],
    connection_id: &str,
    batch: usize,
) -> anyhow::Result<usize> {
    let state = store
        .get_sync_state(connection_id, streams::DOVER_WEBHOOK)
        .await?;
    let after = state
        .as_ref()
        .and_then(|s| s.cursor.as_deref())
        .and_then(|c| c.parse::<i64>().ok())
        .unwrap_or(0);
    let events = store
        .list_events(after, batch as i64, Some(connection_id))
        .await?;
    let Some(last) = events.last().map(|e| e.position) else {
        return Ok(0);
    };
    let views: Vec<_> = events.iter().map(event_view).collect();
    let body = serde_json::to_vec(&serde_json::json!({ "events": views }))?;
    let resp = client
        .post(url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, sign(secret, &body))
        .body(body)
        .send()
        .await?;
    if !resp.status().is_success() {
        anyhow::bail!("Dover webhook answered {}", resp.status());
    }
    let now = crate::signal::now_ms();
    store
        .save_sync_state(&SyncStateRow {
            connection_id: connection_id.to_string(),
            stream: streams::DOVER_WEBHOOK.to_string(),
            cursor: Some(last.to_string()),
            in_full_pass: false,
            full_pass_started_at: None,
            last_caught_up_at: Some(now),
            last_error: None,
            updated_at: now,
        })
        .await?;
    Ok(events.len())
}

/// Runs delivery for every connection until `shutdown` (started by [`Reconciler::spawn`]
/// when a Dover webhook URL is configured).
pub async fn run(reconciler: Arc<Reconciler>, shutdown: CancellationToken) {
    let config = reconciler.config().clone();
    let Some(url) = config.dover_webhook_url.clone() else {
        return;
    };
    let secret: Vec<u8> = config
        .dover_webhook_secret
        .as_ref()
        .map(|s| s.expose_secret().as_bytes().to_vec())
        .unwrap_or_default();
    let store = reconciler.store().clone();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let mut backoff = Duration::from_secs(1);
    loop {
        let mut failed = false;
        let mut delivered = 0;
        match store.list_connections().await {
            Ok(conns) => {
                for c in conns {
                    match deliver_once(
                        &*store,
                        &client,
                        &url,
                        &secret,
                        &c.id,
                        config.dover_webhook_batch,
                    )
                    .await
                    {
                        Ok(n) => delivered += n,
                        Err(e) => {
                            failed = true;
                            tracing::warn!(connection_id = %c.id, error = %e, "Dover webhook delivery failed; retrying with backoff");
                        }
                    }
                }
            }
            Err(e) => {
                failed = true;
                tracing::warn!(error = %e, "Dover webhook delivery: cannot list connections");
            }
        }
        let wait = if failed {
            let w = backoff;
            backoff = (backoff * 2).min(Duration::from_secs(300));
            w
        } else {
            backoff = Duration::from_secs(1);
            if delivered > 0 {
                Duration::from_millis(0)
            } else {
                Duration::from_millis(500)
            }
        };
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
