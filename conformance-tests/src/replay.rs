//! Recorded fixtures and the strict replay server.
//!
//! A case's fixtures live in `fixtures/<kind>/<case>/`: one file per HTTP exchange, named
//! `NNNN-<endpoint>.json` (`0001-candidate.create.json`) and shaped
//! `{"request": {"method", "path", "body"}, "response": {"status", "headers", "body"}}` — the
//! format the Ashby adapter's record mode writes — plus `operator.json`, the tape of what the
//! case's [`crate::Operator`] calls answered when it was recorded.
//!
//! In a fixture's request body the string `"<any>"` matches any value (use it for generated ids
//! and clock times); everything else is compared as JSON values, so key order and whitespace do
//! not matter. The [`ReplayServer`] serves the exchanges in order and records a failure for any
//! request that differs from the next fixture, and for any fixture left unused at the end.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The wildcard a fixture's request body may hold where any value is accepted.
pub const ANY: &str = "<any>";

/// The file name of a case's operator tape.
pub const OPERATOR_TAPE: &str = "operator.json";

/// A request as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// HTTP method (`POST`).
    pub method: String,
    /// Path with query (`/candidate.create`).
    pub path: String,
    /// JSON body; `null` when empty.
    #[serde(default)]
    pub body: Value,
}

/// A response as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers worth keeping.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// JSON body; `null` when empty.
    #[serde(default)]
    pub body: Value,
}

/// One HTTP exchange: the content of one fixture file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// What the adapter sent.
    pub request: RecordedRequest,
    /// What the ATS answered.
    pub response: RecordedResponse,
}

impl Exchange {
    /// The endpoint part of the fixture file name: the path without `/` and query.
    pub fn endpoint(&self) -> String {
        let path = self.request.path.split('?').next().unwrap_or_default();
        let name: String = path
            .trim_matches('/')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if name.is_empty() {
            "root".to_owned()
        } else {
            name
        }
    }
}

/// True when `actual` matches `expected`, where `"<any>"` in `expected` matches anything.
pub fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(s), _) if s == ANY => true,
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, ev)| a.get(k).is_some_and(|av| matches(ev, av)))
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(ev, av)| matches(ev, av))
        }
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual,
    }
}

/// Replaces the value of every key named in `keys`, at any depth, with `"<any>"`.
pub fn mark_volatile(value: &mut Value, keys: &[&str]) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if keys.contains(&k.as_str()) {
                    *v = Value::String(ANY.to_owned());
                } else {
                    mark_volatile(v, keys);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mark_volatile(v, keys)),
        _ => {}
    }
}

/// Reads a case's fixture files (not the operator tape), in file-name order.
pub fn load_fixtures(dir: &Path) -> anyhow::Result<Vec<Exchange>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read fixtures in {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".json")
                && name.chars().take(4).all(|c| c.is_ascii_digit())
                && name.len() > 5
        })
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)?;
            serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("fixture {} is malformed: {e}", p.display()))
        })
        .collect()
}

/// Writes `exchanges` as a case's fixture files, replacing the folder's previous fixtures and
/// tape. Request keys in `volatile` become `"<any>"`.
pub fn write_fixtures(
    dir: &Path,
    exchanges: &[Exchange],
    volatile: &[&str],
    tape: &[TapeEntry],
) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    for (i, exchange) in exchanges.iter().enumerate() {
        let mut exchange = exchange.clone();
        mark_volatile(&mut exchange.request.body, volatile);
        exchange
            .response
            .headers
            .retain(|name, _| kept_header(name));
        let name = format!("{:04}-{}.json", i + 1, exchange.endpoint());
        std::fs::write(
            dir.join(name),
            serde_json::to_string_pretty(&exchange)? + "\n",
        )?;
    }
    std::fs::write(
        dir.join(OPERATOR_TAPE),
        serde_json::to_string_pretty(tape)? + "\n",
    )?;
    Ok(())
}

/// Whether a response header is kept in a fixture: the wait, rate-limit and request-id headers
/// (as the adapters' record modes keep them); the rest differs between runs or is transport.
pub fn kept_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "retry-after" || name.starts_with("x-ratelimit-") || name.ends_with("request-id")
}

/// One operator call on the tape: its name and what it answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TapeEntry {
    /// The [`crate::Operator`] method.
    pub op: String,
    /// Its result as JSON.
    pub result: Value,
}

/// Reads a case's operator tape; a missing tape is empty.
pub fn load_tape(dir: &Path) -> anyhow::Result<Vec<TapeEntry>> {
    let path = dir.join(OPERATOR_TAPE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    Ok(serde_json::from_str(&std::fs::read_to_string(&path)?)?)
}

struct ReplayState {
    fixtures: Vec<Exchange>,
    next: usize,
    calls: u64,
    failures: Vec<String>,
    served: Vec<Exchange>,
}

/// A strict server of recorded exchanges, on 127.0.0.1 (any free port). Dropping it stops it.
pub struct ReplayServer {
    url: String,
    state: Arc<Mutex<ReplayState>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for ReplayServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayServer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ReplayServer {
    /// Starts serving `fixtures` in order.
    pub async fn start(fixtures: Vec<Exchange>) -> anyhow::Result<ReplayServer> {
        let state = Arc::new(Mutex::new(ReplayState {
            fixtures,
            next: 0,
            calls: 0,
            failures: Vec::new(),
            served: Vec::new(),
        }));
        let app = axum::Router::new()
            .fallback(serve)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(ReplayServer { url, state, task })
    }

    /// The URL to give the adapter as its ATS base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many requests arrived so far.
    pub fn calls(&self) -> u64 {
        self.state.lock().calls
    }

    /// The requests served so far with what was answered (for the request-schema check).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state.lock().served.clone()
    }

    /// Every failure: unexpected requests, then fixtures never requested. Empty means the
    /// adapter sent exactly the recorded requests.
    pub fn failures(&self) -> Vec<String> {
        let st = self.state.lock();
        let mut out = st.failures.clone();
        for (i, f) in st.fixtures.iter().enumerate().skip(st.next) {
            out.push(format!(
                "fixture #{} ({} {}) was never requested",
                i + 1,
                f.request.method,
                f.request.path
            ));
        }
        out
    }
}

async fn serve(
    State(state): State<Arc<Mutex<ReplayState>>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| uri.path().to_owned());
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
    };
    let request = RecordedRequest {
        method: method.to_string(),
        path,
        body,
    };
    let mut st = state.lock();
    st.calls += 1;
    let n = st.calls;
    let Some(expected) = st.fixtures.get(st.next).cloned() else {
        let msg = format!(
            "unexpected request #{n}: {} {} {} — every fixture was already used",
            request.method, request.path, request.body
        );
        st.failures.push(msg.clone());
        return (StatusCode::IM_A_TEAPOT, msg).into_response();
    };
    let same_call = expected
        .request
        .method
        .eq_ignore_ascii_case(&request.method)
        && expected.request.path == request.path;
    if !same_call || !matches(&expected.request.body, &request.body) {
        let msg = format!(
            "unexpected request #{n}: got {} {} {}; fixture #{} expects {} {} {}",
            request.method,
            request.path,
            request.body,
            st.next + 1,
            expected.request.method,
            expected.request.path,
            expected.request.body
        );
        st.failures.push(msg.clone());
        return (StatusCode::IM_A_TEAPOT, msg).into_response();
    }
    st.next += 1;
    st.served.push(Exchange {
        request,
        response: expected.response.clone(),
    });
    expected.response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn any_matches_everything_and_order_does_not_matter() {
        assert!(matches(
            &json!({"a": "<any>", "b": [1, 2]}),
            &json!({"b": [1.0, 2], "a": {"x": 1}})
        ));
        assert!(!matches(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!matches(&json!({"a": [1, 2]}), &json!({"a": [2, 1]})));
    }

    #[test]
    fn volatile_keys_are_marked_at_any_depth() {
        let mut v = json!({"sentAt": "2030", "x": [{"createdAt": 1, "keep": 2}]});
        mark_volatile(&mut v, &["sentAt", "createdAt"]);
        assert_eq!(
            v,
            json!({"sentAt": "<any>", "x": [{"createdAt": "<any>", "keep": 2}]})
        );
    }

    fn exchange(path: &str, body: Value) -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: "POST".into(),
                path: path.into(),
                body,
            },
            response: RecordedResponse {
                status: 200,
                headers: BTreeMap::new(),
                body: json!({"success": true}),
            },
        }
    }

    #[tokio::test]
    async fn replay_server_is_strict() {
        let server = ReplayServer::start(vec![
            exchange("/a", json!({"k": "<any>"})),
            exchange("/b", json!({})),
        ])
        .await
        .unwrap();
        let client = reqwest::Client::new();
        let r = client
            .post(format!("{}/a", server.url()))
            .json(&json!({"k": 5}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            server
                .failures()
                .iter()
                .any(|f| f.contains("never requested"))
        );
        let r = client
            .post(format!("{}/c", server.url()))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 418);
        let failures = server.failures();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures[0].contains("/c"));
        assert_eq!(server.calls(), 2);
    }
}
