use atsbridge_ashby_sandbox::{NO_CANDIDATES_WRITE_API_KEY, READ_ONLY_API_KEY};
use axum::http::StatusCode;
use serde_json::json;

use crate::{Api, assert_error_body, basic};

#[tokio::test]
async fn missing_credentials_is_401() {
    let api = Api::demo();
    let r = api.raw("POST", "/candidate.list", None, "{}".into()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers.contains_key("x-ashby-request-id"));
    assert_error_body(&r);
    // A Basic header with an empty username is missing credentials too.
    let r = api
        .raw("POST", "/candidate.list", Some(basic("")), "{}".into())
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_key_is_403() {
    let api = Api::demo();
    let r = api.call_as("not-a-key", "candidate.list", json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_error_body(&r);
    assert_ne!(
        r.body["errorInfo"]["code"],
        json!("missing_endpoint_permission")
    );
}

#[tokio::test]
async fn read_only_key_cannot_write() {
    let api = Api::demo();
    let r = api
        .call_as(READ_ONLY_API_KEY, "candidate.create", json!({"name": "X"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.body["errorInfo"]["code"],
        json!("missing_endpoint_permission")
    );
    let r = api
        .call_as(READ_ONLY_API_KEY, "candidate.list", json!({"limit": 1}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["success"], json!(true));
    let r = api
        .call_as(READ_ONLY_API_KEY, "webhook.create", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing was created.
    assert_eq!(
        api.sb.candidate_count(),
        atsbridge_ashby_sandbox::DEMO_CANDIDATES
    );
}

#[tokio::test]
async fn key_without_candidates_write() {
    let api = Api::demo();
    for ep in [
        "candidate.create",
        "application.changeStage",
        "customField.setValue",
    ] {
        let r = api
            .call_as(NO_CANDIDATES_WRITE_API_KEY, ep, json!({"name": "X"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{ep}");
        assert_eq!(
            r.body["errorInfo"]["code"],
            json!("missing_endpoint_permission")
        );
    }
    let r = api
        .call_as(
            NO_CANDIDATES_WRITE_API_KEY,
            "candidateTag.create",
            json!({"title": "T"}),
        )
        .await;
    assert_eq!(r.body["success"], json!(true));
}

#[tokio::test]
async fn api_key_info_lists_scopes() {
    let api = Api::demo();
    let r = api.ok("apiKey.info", json!({})).await;
    assert!(r["title"].is_string() && r["createdAt"].is_string());
    let scopes: Vec<String> = serde_json::from_value(r["scopes"].clone()).unwrap();
    assert!(scopes.contains(&"candidates:write".to_string()));
    let ro = api
        .call_as(READ_ONLY_API_KEY, "apiKey.info", json!({}))
        .await;
    let scopes: Vec<String> = serde_json::from_value(ro.body["results"]["scopes"].clone()).unwrap();
    assert!(
        !scopes.is_empty() && scopes.iter().all(|s| s.ends_with(":read")),
        "{scopes:?}"
    );
}
