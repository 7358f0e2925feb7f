//! Integration tests of the Ashby sandbox, driven through its router in-process
//! (and through `spawn` where a real socket matters).

mod applications;
mod auth;
mod candidates;
mod control;
mod envelope;
mod faults;
mod interviews;
mod pagination;
mod ratelimit;
mod scale;
mod shapes;
mod sync;
mod webhooks;

use atsbridge_ashby_sandbox::{DEMO_API_KEY, Sandbox, SandboxConfig};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use base64::Engine;
use serde_json::{Value, json};
use tower::ServiceExt;

/// A sandbox and its router.
pub(crate) struct Api {
    pub(crate) sb: Sandbox,
    pub(crate) router: Router,
}

/// One HTTP exchange.
pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

pub(crate) fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
    )
}

impl Api {
    pub(crate) fn demo() -> Api {
        Api::with(SandboxConfig::default())
    }

    pub(crate) fn with(config: SandboxConfig) -> Api {
        let sb = Sandbox::new(config).expect("sandbox builds");
        let router = sb.router();
        Api { sb, router }
    }

    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        auth: Option<String>,
        body: String,
    ) -> Resp {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Resp {
            status,
            headers,
            body,
        }
    }

    /// Calls an Ashby endpoint with `key`.
    pub(crate) async fn call_as(&self, key: &str, endpoint: &str, body: Value) -> Resp {
        self.raw(
            "POST",
            &format!("/{endpoint}"),
            Some(basic(key)),
            body.to_string(),
        )
        .await
    }

    /// Calls an Ashby endpoint with the demo key.
    pub(crate) async fn call(&self, endpoint: &str, body: Value) -> Resp {
        self.call_as(DEMO_API_KEY, endpoint, body).await
    }

    /// The full success body of a call (asserts HTTP 200 and success:true).
    pub(crate) async fn ok_body(&self, endpoint: &str, body: Value) -> Value {
        let r = self.call(endpoint, body).await;
        assert_eq!(r.status, StatusCode::OK, "{endpoint}: {}", r.body);
        assert_eq!(r.body["success"], json!(true), "{endpoint}: {}", r.body);
        r.body
    }

    /// `results` of a successful call.
    pub(crate) async fn ok(&self, endpoint: &str, body: Value) -> Value {
        self.ok_body(endpoint, body).await["results"].clone()
    }

    /// The business error code of a call (asserts HTTP 200, success:false and the body shape).
    pub(crate) async fn err(&self, endpoint: &str, body: Value) -> String {
        let r = self.call(endpoint, body).await;
        assert_eq!(r.status, StatusCode::OK, "{endpoint}: {}", r.body);
        assert_error_body(&r);
        r.body["errorInfo"]["code"].as_str().unwrap().to_string()
    }

    /// Calls the control API.
    pub(crate) async fn control(&self, method: &str, path: &str, body: Value) -> Resp {
        self.raw(method, path, None, body.to_string()).await
    }

    /// Every record of a paginated list, following cursors; returns records and the final sync token.
    pub(crate) async fn list_all(
        &self,
        endpoint: &str,
        mut body: Value,
    ) -> (Vec<Value>, Option<String>) {
        let mut out = vec![];
        loop {
            let page = self.ok_body(endpoint, body.clone()).await;
            out.extend(page["results"].as_array().unwrap().iter().cloned());
            if page["moreDataAvailable"] == json!(true) {
                body["cursor"] = page["nextCursor"].clone();
            } else {
                return (out, page["syncToken"].as_str().map(String::from));
            }
        }
    }
}

/// Asserts Ashby's error body: `{success:false, errors:[code], errorInfo:{code,message,requestId}}`.
pub(crate) fn assert_error_body(r: &Resp) {
    let b = &r.body;
    assert_eq!(b["success"], json!(false), "{b}");
    let code = b["errorInfo"]["code"].as_str().expect("errorInfo.code");
    assert_eq!(b["errors"], json!([code]), "{b}");
    assert!(
        b["errorInfo"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(
        b["errorInfo"]["requestId"].as_str(),
        r.headers
            .get("x-ashby-request-id")
            .and_then(|v| v.to_str().ok())
    );
}

pub(crate) fn ids(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}
