//! Ashby's response envelope, business errors and request ids.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A business error: answered with HTTP 200 and `success: false`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ApiError {
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }
    /// `invalid_input` with a message naming the field.
    pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new("invalid_input", message)
    }
}

/// What an endpoint returns on success.
pub(crate) enum Reply {
    /// `{success, results: <object>}`.
    One(Value),
    /// `{success, results: [..]}` (no pagination keys).
    Array(Vec<Value>),
    /// `{success, results: [..], moreDataAvailable: false}` (non-paginated lists).
    ArrayDone(Vec<Value>),
    /// A paginated list page.
    Page {
        results: Vec<Value>,
        more: bool,
        next_cursor: Option<String>,
        sync_token: Option<String>,
    },
}

impl Reply {
    pub(crate) fn into_json(self) -> Value {
        match self {
            Reply::One(v) => json!({"success": true, "results": v}),
            Reply::Array(v) => json!({"success": true, "results": v}),
            Reply::ArrayDone(v) => {
                json!({"success": true, "results": v, "moreDataAvailable": false})
            }
            Reply::Page {
                results,
                more,
                next_cursor,
                sync_token,
            } => {
                let mut o = json!({"success": true, "results": results, "moreDataAvailable": more});
                if let Some(c) = next_cursor {
                    o["nextCursor"] = Value::String(c);
                }
                if let Some(t) = sync_token {
                    o["syncToken"] = Value::String(t);
                }
                o
            }
        }
    }
}

/// The error body Ashby uses: deprecated `errors` array plus `errorInfo`.
pub(crate) fn error_body(code: &str, message: &str, request_id: &str) -> Value {
    json!({
        "success": false,
        "errors": [code],
        "errorInfo": {"code": code, "message": message, "requestId": request_id},
    })
}

/// A JSON response with the given status.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

static REQ_COUNTER: AtomicU64 = AtomicU64::new(1);

/// A 26-character ULID-like request id (Crockford base32: 48-bit time, 80-bit counter hash).
pub(crate) fn new_request_id() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let ms = chrono::Utc::now().timestamp_millis() as u128;
    let n = REQ_COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 29;
    let rnd = ((h as u128) << 16) | (n as u128 & 0xffff);
    let mut v: u128 = (ms << 80) | (rnd & ((1u128 << 80) - 1));
    let mut out = [0u8; 26];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Formats epoch milliseconds the way Ashby does: `2026-05-28T21:06:38.093Z`.
pub(crate) fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Now, in epoch milliseconds.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_26_chars_and_unique() {
        let a = new_request_id();
        let b = new_request_id();
        assert_eq!(a.len(), 26);
        assert_ne!(a, b);
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
    }
}
