//! The Ashby HTTP client: authentication, envelope, error mapping, pacing, retries, recording.
//!
//! Every Ashby endpoint is `POST {base}/{category.method}` with a JSON body. The client:
//! - authenticates with HTTP Basic (key as username, empty password; the header is marked
//!   sensitive so it never shows in logs or `Debug`);
//! - reads Ashby's `{success, results | errorInfo}` envelope, treating `success: false` at HTTP
//!   200 as an error, and maps every refusal with [`crate::errors`];
//! - paces itself with the `x-ratelimit-*` headers: when `remaining` gets near zero it sleeps
//!   until `reset` (at most [`MAX_PACE_WAIT`]) before the next call;
//! - retries reads, and requests that provably never left (connect errors), with exponential
//!   backoff and jitter, honouring `Retry-After`; **it never repeats a write that may have
//!   reached Ashby**: such a write fails as temporary `Unavailable` marked `maybe_applied`;
//! - in record mode writes each exchange as a scrubbed fixture ([`crate::record`]).

use crate::errors::{ApiError, Refusal, map_refusal};
use crate::record::Recorder;
use atsbridge_core::{AtsError, ErrorKind};
use base64::Engine;
use parking_lot::Mutex;
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Longest the client sleeps before a call because the rate-limit window is used up.
pub const MAX_PACE_WAIT: Duration = Duration::from_secs(60);
/// Longest `Retry-After` the client waits out itself on a read; longer waits are returned to the
/// caller as `RateLimited`.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_CAP: Duration = Duration::from_secs(8);

/// Whether a call may be repeated by the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// A read (list/info/search): repeated on temporary failures.
    Read,
    /// A write: repeated only when it provably never left the machine.
    Write,
}

/// A successful envelope.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub results: Value,
    pub more: bool,
    pub next_cursor: Option<String>,
    pub sync_token: Option<String>,
}

/// One page of a list endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
    pub next_cursor: Option<String>,
    pub sync_token: Option<String>,
}

#[derive(Debug, Default)]
struct Pace {
    limit: Option<u64>,
    remaining: Option<u64>,
    reset_at: Option<Instant>,
}

struct Failure {
    err: ApiError,
    /// The request may have reached Ashby.
    sent: bool,
}

/// The Ashby API client of one connection.
pub(crate) struct Client {
    http: reqwest::Client,
    base_url: String,
    auth: http::HeaderValue,
    timeout: Duration,
    max_read_retries: u32,
    pace: Mutex<Pace>,
    recorder: Option<Recorder>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("auth", &"[redacted]")
            .field("timeout", &self.timeout)
            .field("max_read_retries", &self.max_read_retries)
            .field("recording", &self.recorder.as_ref().map(Recorder::dir))
            .finish()
    }
}

impl Client {
    pub(crate) fn new(
        http: reqwest::Client,
        base_url: &str,
        api_key: &SecretString,
        timeout: Duration,
        max_read_retries: u32,
        recorder: Option<Recorder>,
    ) -> Result<Self, AtsError> {
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:", api_key.expose_secret()));
        let mut auth = http::HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| {
            AtsError::invalid_input(
                Some("api_key"),
                "the API key contains characters not allowed in a header",
            )
        })?;
        auth.set_sensitive(true);
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            auth,
            timeout,
            max_read_retries,
            pace: Mutex::new(Pace::default()),
            recorder,
        })
    }

    /// Calls `endpoint` and returns `results` parsed as `T`.
    pub(crate) async fn results<T: DeserializeOwned>(
        &self,
        op: &'static str,
        endpoint: &'static str,
        body: Value,
        kind: CallKind,
    ) -> Result<T, ApiError> {
        let answer = self.call(op, endpoint, body, kind).await?;
        parse(op, endpoint, answer.results)
    }

    /// Calls a list endpoint once and parses each item; an item that cannot be read is skipped
    /// with a warning rather than failing the page.
    pub(crate) async fn page<T: DeserializeOwned>(
        &self,
        op: &'static str,
        endpoint: &'static str,
        body: Value,
    ) -> Result<Page<T>, ApiError> {
        let answer = self.call(op, endpoint, body, CallKind::Read).await?;
        let raw = match answer.results {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            other => {
                return Err(unreadable(
                    op,
                    endpoint,
                    &format!("expected a list, got {}", type_name(&other)),
                ));
            }
        };
        let mut items = Vec::with_capacity(raw.len());
        for item in raw {
            match serde_json::from_value::<T>(item) {
                Ok(t) => items.push(t),
                Err(e) => {
                    tracing::warn!(endpoint, error = %e, "skipping an Ashby record that could not be read")
                }
            }
        }
        Ok(Page {
            items,
            more: answer.more,
            next_cursor: answer.next_cursor,
            sync_token: answer.sync_token,
        })
    }

    /// Every item of a paginated list, following `nextCursor` (100 per page).
    pub(crate) async fn all<T: DeserializeOwned>(
        &self,
        op: &'static str,
        endpoint: &'static str,
        body: Value,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut b = body.clone();
            if let Value::Object(m) = &mut b {
                m.insert("limit".into(), Value::from(100));
                if let Some(c) = &cursor {
                    m.insert("cursor".into(), Value::String(c.clone()));
                }
            }
            let page = self.page::<T>(op, endpoint, b).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) if page.more && cursor.as_ref() != Some(&c) => cursor = Some(c),
                _ => return Ok(out),
            }
        }
    }

    /// Calls `endpoint`, retrying as the module docs describe.
    pub(crate) async fn call(
        &self,
        op: &'static str,
        endpoint: &'static str,
        body: Value,
        kind: CallKind,
    ) -> Result<Answer, ApiError> {
        let mut attempt: u32 = 0;
        loop {
            self.wait_for_pace().await;
            let failure = match self.send_once(endpoint, &body).await {
                Ok(answer) => return Ok(answer),
                Err(f) => f,
            };
            let Failure { mut err, sent } = failure;
            let temporary = err.ats.is_temporary();
            let repeatable = kind == CallKind::Read || !sent;
            let wait = err.ats.retry_after();
            let wait_ok = wait.is_none_or(|w| w <= MAX_RETRY_WAIT);
            if temporary && repeatable && wait_ok && attempt < self.max_read_retries {
                let delay = wait.unwrap_or_else(|| backoff(attempt));
                tracing::debug!(endpoint, attempt, ?delay, error = %err.ats, "retrying Ashby call");
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            if kind == CallKind::Write && sent && *err.kind() == ErrorKind::Unavailable {
                *err.ats = err.ats.as_ref().clone().with_maybe_applied(true);
            }
            *err.ats = err.ats.as_ref().clone().with_operation(op);
            return Err(err);
        }
    }

    async fn send_once(&self, endpoint: &'static str, body: &Value) -> Result<Answer, Failure> {
        let url = format!("{}/{endpoint}", self.base_url);
        let sent = self
            .http
            .post(&url)
            .header(http::header::AUTHORIZATION, self.auth.clone())
            .header(http::header::ACCEPT, "application/json; version=1")
            .timeout(self.timeout)
            .json(body)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let unsent = e.is_connect() && !e.is_timeout();
                let what = if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "could not connect"
                } else {
                    "connection failed"
                };
                let msg = format!("Ashby `{endpoint}` {what}; Ashby may be unreachable");
                return Err(Failure {
                    err: ApiError::new(AtsError::unavailable(msg)),
                    sent: !unsent,
                });
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        self.note_rate_headers(&headers);
        let header_request_id = headers
            .get("x-ashby-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => {
                let what = if e.is_timeout() {
                    "timed out while reading"
                } else {
                    "lost the connection while reading"
                };
                let mut ats =
                    AtsError::unavailable(format!("Ashby `{endpoint}` {what} the answer"));
                if let Some(id) = &header_request_id {
                    ats = ats.with_request_id(id.clone());
                }
                return Err(Failure {
                    err: ApiError::new(ats),
                    sent: true,
                });
            }
        };
        let json: Option<Value> = serde_json::from_slice(&bytes).ok();
        if let Some(rec) = &self.recorder {
            let recorded = json
                .clone()
                .unwrap_or_else(|| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            if let Err(e) = rec.record(endpoint, body, status, &headers, &recorded) {
                tracing::warn!(endpoint, error = %e, "could not write an Ashby recording");
            }
        }

        let error_info = json.as_ref().and_then(|j| j.get("errorInfo"));
        let code = error_info
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                // The deprecated `errors` array sometimes holds a code, sometimes text.
                json.as_ref()
                    .and_then(|j| j.get("errors"))
                    .and_then(|e| e.get(0))
                    .and_then(Value::as_str)
                    .filter(|s| !s.contains(' '))
                    .map(str::to_owned)
            });
        let message = error_info
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                json.as_ref()
                    .and_then(|j| j.get("errors"))
                    .and_then(|e| e.get(0))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .or_else(|| {
                if json.is_none() && !bytes.is_empty() && bytes.len() < 300 {
                    Some(String::from_utf8_lossy(&bytes).trim().to_owned())
                } else {
                    None
                }
            });
        let request_id = error_info
            .and_then(|e| e.get("requestId"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or(header_request_id);
        let success = json
            .as_ref()
            .and_then(|j| j.get("success"))
            .and_then(Value::as_bool);

        if status == 200 && success != Some(false) {
            let Some(Value::Object(mut map)) = json else {
                let mut ats = AtsError::unexpected(format!(
                    "Ashby `{endpoint}` answered something that is not JSON"
                ));
                if let Some(id) = request_id {
                    ats = ats.with_request_id(id);
                }
                return Err(Failure {
                    err: ApiError::new(ats),
                    sent: true,
                });
            };
            return Ok(Answer {
                results: map.remove("results").unwrap_or(Value::Null),
                more: map
                    .get("moreDataAvailable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                next_cursor: map
                    .get("nextCursor")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                sync_token: map
                    .get("syncToken")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
        let body_keys = match body {
            Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        };
        let err = map_refusal(&Refusal {
            endpoint,
            status,
            code: code.as_deref(),
            message: message.as_deref(),
            request_id: request_id.as_deref(),
            retry_after,
            body_keys,
        });
        Err(Failure { err, sent: true })
    }

    fn note_rate_headers(&self, headers: &http::HeaderMap) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
        };
        let remaining = num("x-ratelimit-remaining");
        if remaining.is_none() {
            return;
        }
        let mut pace = self.pace.lock();
        pace.limit = num("x-ratelimit-limit").map(|v| v as u64);
        pace.remaining = remaining.map(|v| v.max(0.0) as u64);
        pace.reset_at = num("x-ratelimit-reset").and_then(reset_instant);
    }

    async fn wait_for_pace(&self) {
        let wait = {
            let mut pace = self.pace.lock();
            let threshold = pace.limit.map_or(1, |l| (l / 100).max(1));
            match (pace.remaining, pace.reset_at) {
                (Some(rem), Some(at)) if rem <= threshold => {
                    let now = Instant::now();
                    // Whoever waits resets the state; the next answer refreshes it.
                    pace.remaining = None;
                    if at > now {
                        Some((at - now).min(MAX_PACE_WAIT))
                    } else {
                        None
                    }
                }
                _ => None,
            }
        };
        if let Some(w) = wait {
            tracing::info!(wait = ?w, "Ashby rate-limit window nearly used up; pausing");
            tokio::time::sleep(w).await;
        }
    }
}

/// `x-ratelimit-reset` as an instant: epoch milliseconds, epoch seconds or seconds from now.
fn reset_instant(v: f64) -> Option<Instant> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let now_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    let secs_from_now = if v > 1e12 {
        v / 1000.0 - now_epoch
    } else if v > 1e9 {
        v - now_epoch
    } else {
        v
    };
    let secs = secs_from_now.clamp(0.0, MAX_PACE_WAIT.as_secs_f64());
    Some(Instant::now() + Duration::from_secs_f64(secs))
}

fn backoff(attempt: u32) -> Duration {
    let exp = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(6))
        .min(BACKOFF_CAP);
    let jitter = rand::rng().random_range(0..=BACKOFF_BASE.as_millis() as u64);
    exp + Duration::from_millis(jitter)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn unreadable(op: &'static str, endpoint: &str, why: &str) -> ApiError {
    ApiError::new(
        AtsError::unexpected(format!(
            "could not read Ashby's answer to `{endpoint}`: {why}"
        ))
        .with_operation(op),
    )
}

pub(crate) fn parse<T: DeserializeOwned>(
    op: &'static str,
    endpoint: &str,
    v: Value,
) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|e| unreadable(op, endpoint, &e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_header_forms_are_understood() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        for v in [5.0, now + 5.0, (now + 5.0) * 1000.0] {
            let at = reset_instant(v).unwrap();
            let d = at.saturating_duration_since(Instant::now());
            assert!(
                d > Duration::from_secs(3) && d <= Duration::from_secs(6),
                "{v}: {d:?}"
            );
        }
        // A reset far in the future is capped.
        let at = reset_instant(now + 10_000.0).unwrap();
        assert!(at.saturating_duration_since(Instant::now()) <= MAX_PACE_WAIT);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(0) <= Duration::from_millis(400));
        assert!(backoff(2) >= Duration::from_millis(800));
        assert!(backoff(20) <= BACKOFF_CAP + BACKOFF_BASE);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let c = Client::new(
            reqwest::Client::new(),
            "http://x",
            &SecretString::from("super-secret".to_owned()),
            Duration::from_secs(1),
            0,
            None,
        )
        .unwrap();
        let s = format!("{c:?}");
        assert!(
            !s.contains("super-secret") && !s.contains("c3VwZXItc2VjcmV0"),
            "{s}"
        );
    }
}
