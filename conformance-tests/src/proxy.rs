//! A tiny recording proxy in front of a sandbox.
//!
//! The adapter under test talks to the proxy; the proxy forwards every request to the sandbox
//! with reqwest and hands the answer back. On the way it counts calls, answers with an injected
//! fault instead of forwarding when one is armed, and keeps every exchange, which feeds the
//! request-schema check and record mode. The sandbox therefore needs nothing special for these.

use crate::replay::{Exchange, RecordedRequest, RecordedResponse};
use crate::target::FaultResponse;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Response headers not worth keeping in a fixture (hop-by-hop or different on every run).
const DROPPED_HEADERS: [&str; 5] = [
    "content-length",
    "date",
    "transfer-encoding",
    "connection",
    "keep-alive",
];

/// Which request paths an armed fault applies to; `None` means every path.
pub type PathFilter = Arc<dyn Fn(&str) -> bool + Send + Sync>;

struct ArmedFault {
    response: FaultResponse,
    left: usize,
    only: Option<PathFilter>,
}

#[derive(Default)]
struct Shared {
    upstream: String,
    calls: AtomicU64,
    fault: Mutex<Option<ArmedFault>>,
    exchanges: Mutex<Vec<Exchange>>,
    client: reqwest::Client,
}

/// A running proxy; dropping it stops it.
pub struct Proxy {
    url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1 (any free port) forwarding to `upstream`.
    pub async fn start(upstream: &str) -> anyhow::Result<Proxy> {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            ..Shared::default()
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Proxy { url, shared, task })
    }

    /// The URL to give the adapter as its ATS base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many requests reached the proxy so far (faulted ones included).
    pub fn calls(&self) -> u64 {
        self.shared.calls.load(Ordering::SeqCst)
    }

    /// Answers the next `times` requests with `fault` instead of forwarding them.
    pub fn inject(&self, fault: FaultResponse, times: usize) {
        self.inject_where(fault, times, None);
    }

    /// Answers the next `times` requests whose path satisfies `only` (every request when `None`)
    /// with `fault`; other requests are forwarded.
    pub fn inject_where(&self, fault: FaultResponse, times: usize, only: Option<PathFilter>) {
        *self.shared.fault.lock() = Some(ArmedFault {
            response: fault,
            left: times,
            only,
        });
    }

    /// Disarms any injected fault.
    pub fn clear_fault(&self) {
        *self.shared.fault.lock() = None;
    }

    /// Every exchange so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.shared.exchanges.lock().clone()
    }
}

fn json_or_null(bytes: &[u8]) -> serde_json::Value {
    if bytes.is_empty() {
        return serde_json::Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

async fn forward(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.calls.fetch_add(1, Ordering::SeqCst);
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| uri.path().to_owned());
    let request = RecordedRequest {
        method: method.to_string(),
        path: path.clone(),
        body: json_or_null(&body),
    };

    let armed = {
        let mut fault = shared.fault.lock();
        match fault.as_mut() {
            Some(armed)
                if armed.left > 0 && armed.only.as_ref().is_none_or(|only| only(uri.path())) =>
            {
                armed.left -= 1;
                Some(armed.response.clone())
            }
            _ => None,
        }
    };
    let recorded = match armed {
        Some(f) => RecordedResponse {
            status: f.status,
            headers: f.headers.into_iter().collect(),
            body: f.body,
        },
        None => match send_upstream(&shared, method, &path, &headers, body).await {
            Ok(r) => r,
            Err(e) => {
                return (
                    StatusCode::BAD_GATEWAY,
                    format!("conformance proxy: upstream failed: {e}"),
                )
                    .into_response();
            }
        },
    };
    shared.exchanges.lock().push(Exchange {
        request,
        response: recorded.clone(),
    });
    recorded.into_response()
}

async fn send_upstream(
    shared: &Shared,
    method: Method,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> anyhow::Result<RecordedResponse> {
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes())?;
    let mut req = shared
        .client
        .request(method, format!("{}{}", shared.upstream, path));
    for (name, value) in headers {
        if matches!(name.as_str(), "host" | "content-length" | "connection") {
            continue;
        }
        req = req.header(name.as_str(), value.as_bytes());
    }
    let resp = req.body(body).send().await?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter(|(n, _)| !DROPPED_HEADERS.contains(&n.as_str()))
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let bytes = resp.bytes().await?;
    Ok(RecordedResponse {
        status,
        headers,
        body: json_or_null(&bytes),
    })
}

impl IntoResponse for RecordedResponse {
    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        let mut content_type = None;
        for (name, value) in &self.headers {
            if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.to_ascii_lowercase());
            }
            builder = builder.header(name.as_str(), value.as_str());
        }
        let has_type = content_type.is_some();
        let is_json = content_type.as_deref().is_none_or(|t| t.contains("json"));
        let body = match &self.body {
            serde_json::Value::Null => Vec::new(),
            serde_json::Value::String(s) if !is_json => s.clone().into_bytes(),
            v => {
                if !has_type {
                    builder = builder.header("content-type", "application/json");
                }
                serde_json::to_vec(v).unwrap_or_default()
            }
        };
        builder
            .body(Body::from(body))
            .unwrap_or_else(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
    }
}
