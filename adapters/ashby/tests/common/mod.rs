//! Shared helpers for the Ashby adapter's HTTP tests.
#![allow(dead_code)]

use atsbridge_ashby::{AshbyAdapter, AshbyConfig};
use serde_json::{Value, json};
use std::path::PathBuf;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const KEY: &str = "test-key-do-not-log";

/// An adapter against `server` with short timeouts.
pub fn adapter(server: &MockServer) -> AshbyAdapter {
    adapter_with(server, |c| c)
}

pub fn adapter_with(
    server: &MockServer,
    f: impl FnOnce(AshbyConfig) -> AshbyConfig,
) -> AshbyAdapter {
    let mut cfg = AshbyConfig::new(KEY).with_base_url(server.uri());
    cfg.timeout_secs = 1;
    cfg.max_read_retries = 2;
    // Never record from tests unless a test asks for it.
    cfg.record_dir = None;
    AshbyAdapter::new(f(cfg), reqwest::Client::new()).unwrap()
}

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fixture file (recordings' shape: `api.post["/endpoint"]`).
pub fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture_path(name)).unwrap()).unwrap()
}

/// The recorded response body of `endpoint` in fixture `file`.
pub fn response(file: &str, endpoint: &str) -> Value {
    fixture(file)["api"]["post"][endpoint]["response"].clone()
}

/// A template answering with the recorded response (body and headers) of `endpoint`.
pub fn recorded(file: &str, endpoint: &str) -> ResponseTemplate {
    let entry = fixture(file)["api"]["post"][endpoint].clone();
    let mut t = ResponseTemplate::new(entry["status"].as_u64().unwrap_or(200) as u16)
        .set_body_json(entry["response"].clone());
    if let Some(h) = entry["headers"].as_object() {
        for (k, v) in h {
            if k != "content-type" {
                t = t.insert_header(k.as_str(), v.as_str().unwrap_or_default());
            }
        }
    }
    t
}

/// Mounts every endpoint of fixture `file` on `server`.
pub async fn mount_fixture(server: &MockServer, file: &str) {
    let doc = fixture(file);
    for endpoint in doc["api"]["post"].as_object().unwrap().keys() {
        Mock::given(method("POST"))
            .and(path(endpoint.as_str()))
            .respond_with(recorded(file, endpoint))
            .mount(server)
            .await;
    }
}

/// An Ashby business error at HTTP 200.
pub fn refusal(code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"success": false, "errors": [code],
                              "errorInfo": {"code": code, "message": message, "requestId": "01JERRREQUEST0000000000000"}}))
}

/// A success envelope.
pub fn ok(results: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"success": true, "results": results}))
}

/// How many requests `server` received for `endpoint`.
pub async fn calls(server: &MockServer, endpoint: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == endpoint)
        .count()
}

/// The JSON bodies `server` received for `endpoint`, in order.
pub async fn bodies(server: &MockServer, endpoint: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == endpoint)
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}
