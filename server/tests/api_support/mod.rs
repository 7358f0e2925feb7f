//! Shared set-up of the `api_*` tests: the real router over a SQLite store in a temp dir, with
//! an in-process Ashby sandbox (demo seed) as the ATS.
#![allow(dead_code, unused_imports, missing_docs)]

use atsbridge_ashby_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use atsbridge_server::app::{AppState, ExtraRoutes, open_store, router};
use atsbridge_server::config::LoadedConfig;
use atsbridge_server::connections::ConnectionRegistry;
use atsbridge_server::crypto::SecretCipher;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use figment::Figment;
use figment::providers::Serialized;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

pub use atsbridge_ashby_sandbox::{DEMO_API_KEY, NO_CANDIDATES_WRITE_API_KEY};

pub const TOKEN: &str = "test-token-0123456789";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub sandbox: RunningSandbox,
    pub dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text)
    }
}

pub async fn app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::new(SandboxConfig::default())
        .unwrap()
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let figment = Figment::new()
        .merge(Serialized::default("server.tokens", vec![TOKEN]))
        .merge(Serialized::default(
            "adapters.ashby.base_url",
            sandbox.url.clone(),
        ))
        .merge(Serialized::default("adapters.ashby.max_read_retries", 0));
    let loaded = LoadedConfig::from_figment(figment, None).unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = open_store(&url).await.unwrap();
    let cipher = SecretCipher::from_base64(&SecretCipher::generate_base64()).unwrap();
    let connections = Arc::new(ConnectionRegistry::new(
        store.clone(),
        cipher,
        loaded.figment.clone(),
    ));
    let state = AppState::new(store, connections, loaded.config.clone());
    let router = router(state.clone(), ExtraRoutes::default());
    TestApp {
        router,
        state,
        sandbox,
        dir,
    }
}

impl TestApp {
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.call_with(method, path, Some(TOKEN), body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 10 << 20)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    /// Creates the demo connection; returns its id.
    pub async fn demo_connection(&self) -> String {
        let a = self
            .call(
                Method::POST,
                "/v1/connections",
                Some(json!({"kind": "ashby", "name": "Acme", "api_key": DEMO_API_KEY})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
        a.body["id"].as_str().unwrap().to_owned()
    }

    /// Links `dover_job_id` to the sandbox's first open job with the standard plan; returns the
    /// link request used.
    pub async fn link_demo_job(&self, connection_id: &str, dover_job_id: &str) -> Value {
        let catalog = self.sandbox.sandbox.demo_catalog();
        let job = catalog.open_job_ids[0].clone();
        let stages = self
            .call(
                Method::GET,
                &format!("/v1/connections/{connection_id}/jobs/{job}/stages"),
                None,
            )
            .await;
        assert_eq!(stages.status, StatusCode::OK, "{stages:?}");
        let parsed: Vec<atsbridge_core::model::Stage> =
            serde_json::from_value(stages.body["stages"].clone()).unwrap();
        let (dover, mapping) = atsbridge_server::embedded::standard_plan(&parsed);
        let users = self
            .call(
                Method::GET,
                &format!("/v1/connections/{connection_id}/users"),
                None,
            )
            .await;
        let user = users.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["enabled"] == json!(true))
            .unwrap()["id"]
            .clone();
        let req = json!({
            "connection_id": connection_id,
            "ats_job_id": job,
            "post_as_user_id": user,
            "dover_stages": dover,
            "stage_mapping": mapping,
        });
        let a = self
            .call(
                Method::PUT,
                &format!("/v1/jobs/{dover_job_id}/link"),
                Some(req.clone()),
            )
            .await;
        assert!(a.status.is_success(), "{a:?}");
        req
    }
}

/// Asserts the error envelope `{error: {code, message, details}}` with `code`.
pub fn assert_error(a: &Answer, status: StatusCode, code: &str) {
    assert_eq!(a.status, status, "{a:?}");
    let e = &a.body["error"];
    assert_eq!(e["code"], json!(code), "{a:?}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{a:?}"
    );
    assert!(e["details"].is_object(), "{a:?}");
}

/// The fields named in `details.problems`.
pub fn problem_fields(a: &Answer) -> Vec<String> {
    a.body["error"]["details"]["problems"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|x| x["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
