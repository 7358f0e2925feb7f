//! Webhook delivery: signed payloads, sent by background tasks, retried with backoff.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::config::WebhookTarget;

/// Webhook types `webhook.create` accepts (NOTES.md §10).
pub(crate) const WEBHOOK_TYPES: [&str; 17] = [
    "applicationSubmit",
    "applicationUpdate",
    "candidateHire",
    "candidateStageChange",
    "candidateDelete",
    "candidateMerge",
    "interviewPlanTransition",
    "interviewScheduleCreate",
    "interviewScheduleUpdate",
    "jobPostingUpdate",
    "jobPostingPublish",
    "jobPostingUnpublish",
    "offerCreate",
    "offerUpdate",
    "offerDelete",
    "pushToHRIS",
    "surveySubmit",
];

/// Attempts per delivery, as Ashby documents.
pub(crate) const MAX_ATTEMPTS: u32 = 10;

/// One action to send.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub action: &'static str,
    pub data: Value,
}

/// The `Ashby-Signature` value for `body`: `sha256=<hex HMAC-SHA256(secret, body)>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is a valid `Ashby-Signature` for `body` (constant-time compare).
pub fn verify_signature(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// What happened to one payload sent to one receiver.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// The payload's `webhookActionId` (shared by all receivers of one event).
    pub webhook_action_id: String,
    /// The action, e.g. `candidateStageChange`.
    pub action: String,
    /// The receiver URL.
    pub url: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// HTTP status of the last attempt, if the receiver answered.
    pub last_status: Option<u16>,
    /// Whether a 2xx answer was received.
    pub delivered: bool,
    /// Whether delivery stopped without success (non-retryable status or attempts exhausted).
    pub gave_up: bool,
}

/// Sends events to receivers.
pub(crate) struct Dispatcher {
    client: OnceLock<reqwest::Client>,
    pub target: Option<WebhookTarget>,
    pub retry_base: Duration,
    pub deliveries: Arc<Mutex<Vec<WebhookDelivery>>>,
}

impl Dispatcher {
    pub(crate) fn new(target: Option<WebhookTarget>, retry_base: Duration) -> Dispatcher {
        Dispatcher {
            client: OnceLock::new(),
            target,
            retry_base,
            deliveries: Arc::default(),
        }
    }

    fn client(&self) -> reqwest::Client {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap_or_default()
            })
            .clone()
    }

    /// Sends each event to the registered receivers of its type plus the configured target.
    /// `registered` holds `(type, url, secret)` of enabled `webhook.create` registrations.
    pub(crate) fn fire(&self, registered: &[(String, String, String)], events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no tokio runtime: webhook events not delivered");
            return;
        };
        for ev in events {
            let action_id = uuid::Uuid::new_v4().to_string();
            let body = json!({"webhookActionId": action_id, "action": ev.action, "data": ev.data})
                .to_string();
            let mut targets: Vec<(String, String)> = registered
                .iter()
                .filter(|(t, _, _)| t == ev.action)
                .map(|(_, u, s)| (u.clone(), s.clone()))
                .collect();
            if let Some(t) = &self.target {
                targets.push((t.url.clone(), t.secret.clone()));
            }
            for (url, secret) in targets {
                let slot = {
                    let mut d = self.deliveries.lock();
                    d.push(WebhookDelivery {
                        webhook_action_id: action_id.clone(),
                        action: ev.action.to_string(),
                        url: url.clone(),
                        attempts: 0,
                        last_status: None,
                        delivered: false,
                        gave_up: false,
                    });
                    d.len() - 1
                };
                rt.spawn(deliver(
                    self.client(),
                    self.deliveries.clone(),
                    slot,
                    url,
                    secret,
                    body.clone(),
                    self.retry_base,
                ));
            }
        }
    }
}

async fn deliver(
    client: reqwest::Client,
    log: Arc<Mutex<Vec<WebhookDelivery>>>,
    slot: usize,
    url: String,
    secret: String,
    body: String,
    base: Duration,
) {
    for attempt in 1..=MAX_ATTEMPTS {
        let mut req = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone());
        if !secret.is_empty() {
            req = req.header("Ashby-Signature", sign(&secret, body.as_bytes()));
        }
        let status = req.send().await.ok().map(|r| r.status().as_u16());
        let retry = {
            let mut l = log.lock();
            let Some(d) = l.get_mut(slot) else { return };
            d.attempts = attempt;
            d.last_status = status;
            match status {
                Some(s) if (200..300).contains(&s) => {
                    d.delivered = true;
                    false
                }
                Some(401 | 403 | 404 | 405 | 410) => {
                    d.gave_up = true;
                    false
                }
                _ if attempt == MAX_ATTEMPTS => {
                    d.gave_up = true;
                    false
                }
                _ => true,
            }
        };
        if !retry {
            return;
        }
        tokio::time::sleep(base * ((1u32 << attempt) - 1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_round_trip() {
        let s = sign("secret", b"{\"a\":1}");
        assert!(s.starts_with("sha256="));
        assert_eq!(s.len(), 7 + 64);
        assert!(verify_signature("secret", b"{\"a\":1}", &s));
        assert!(!verify_signature("other", b"{\"a\":1}", &s));
    }
}
