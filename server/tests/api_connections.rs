//! Connections through the real router: auth, create (ok / missing permissions / bad key),
//! listings through the adapter, rotation, deletion, and that the key never leaks.

mod api_support;

use api_support::*;
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn v1_needs_a_valid_bearer_token_but_healthz_does_not() {
    let app = app().await;
    let a = app
        .call_with(Method::GET, "/v1/connections", None, None, &[])
        .await;
    assert_error(&a, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(a.headers.get("www-authenticate").unwrap(), "Bearer");
    let a = app
        .call_with(
            Method::GET,
            "/v1/connections",
            Some("wrong-token"),
            None,
            &[],
        )
        .await;
    assert_error(&a, StatusCode::UNAUTHORIZED, "unauthorized");
    let a = app
        .call_with(
            Method::POST,
            "/v1/candidates/c1/push",
            Some("wrong-token"),
            Some(json!({})),
            &[],
        )
        .await;
    assert_error(&a, StatusCode::UNAUTHORIZED, "unauthorized");
    let a = app
        .call_with(Method::GET, "/healthz", None, None, &[])
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = app.call(Method::GET, "/v1/connections", None).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body, json!({"connections": []}));
}

#[tokio::test]
async fn create_validates_stores_and_reports_health_without_the_key() {
    let app = app().await;
    let mut bodies = Vec::new();
    let a = app
        .call(
            Method::POST,
            "/v1/connections",
            Some(json!({"kind": "ashby", "name": "Acme", "api_key": DEMO_API_KEY})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    assert!(
        a.body["credentials"]["missing"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let id = a.body["id"].as_str().unwrap().to_owned();
    bodies.push(a.text.clone());

    let a = app
        .call(Method::GET, &format!("/v1/connections/{id}"), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body["health"]["key_valid"], json!(true));
    assert_eq!(a.body["health"]["pending_commands"], json!(0));
    bodies.push(a.text.clone());
    let a = app
        .call(
            Method::GET,
            &format!("/v1/connections/{id}?check=true"),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    bodies.push(a.text.clone());

    let a = app.call(Method::GET, "/v1/connections", None).await;
    assert_eq!(a.body["connections"].as_array().unwrap().len(), 1);
    bodies.push(a.text.clone());

    for path in ["jobs", "users", "rejection-reasons", "capabilities"] {
        let a = app
            .call(Method::GET, &format!("/v1/connections/{id}/{path}"), None)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {a:?}");
        bodies.push(a.text.clone());
    }
    let job = app.sandbox.sandbox.demo_catalog().open_job_ids[0].clone();
    let a = app
        .call(
            Method::GET,
            &format!("/v1/connections/{id}/jobs/{job}/stages"),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert!(a.body["stages"].as_array().unwrap().len() >= 4);
    let a = app
        .call(
            Method::GET,
            &format!("/v1/connections/{id}/jobs/00000000-0000-4000-8000-000000000000/stages"),
            None,
        )
        .await;
    assert_error(&a, StatusCode::NOT_FOUND, "not_found");

    // The key never appears in a response, in the row's Debug, nor in the stored bytes.
    for b in &bodies {
        assert!(!b.contains(DEMO_API_KEY), "key leaked: {b}");
    }
    let row = app.state.store.get_connection(&id).await.unwrap().unwrap();
    assert!(!format!("{row:?}").contains(DEMO_API_KEY));
    assert!(
        !row.encrypted_key
            .windows(DEMO_API_KEY.len())
            .any(|w| w == DEMO_API_KEY.as_bytes())
    );
    assert!(!format!("{:?}", app.state).contains(DEMO_API_KEY));
    assert!(!format!("{:?}", app.state.connections).contains(DEMO_API_KEY));
}

#[tokio::test]
async fn missing_permissions_are_422_listing_them_and_nothing_is_stored() {
    let app = app().await;
    let a = app
        .call(
            Method::POST,
            "/v1/connections",
            Some(json!({"kind": "ashby", "name": "Acme", "api_key": NO_CANDIDATES_WRITE_API_KEY})),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "missing_permissions");
    let missing = a.body["error"]["details"]["missing_permissions"]
        .as_array()
        .unwrap();
    assert!(!missing.is_empty(), "{a:?}");
    assert!(
        missing.iter().any(|m| m
            .as_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("candidates")),
        "{a:?}"
    );
    assert!(!a.text.contains(NO_CANDIDATES_WRITE_API_KEY));
    assert!(app.state.store.list_connections().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_bad_key_is_502_upstream_unauthenticated_never_401() {
    let app = app().await;
    let a = app
        .call(
            Method::POST,
            "/v1/connections",
            Some(json!({"kind": "ashby", "name": "Acme", "api_key": "not-a-real-key-xyz"})),
        )
        .await;
    assert_error(&a, StatusCode::BAD_GATEWAY, "upstream_unauthenticated");
    assert!(!a.text.contains("not-a-real-key-xyz"), "{a:?}");
    assert!(app.state.store.list_connections().await.unwrap().is_empty());
}

#[tokio::test]
async fn invalid_create_requests_name_the_field() {
    let app = app().await;
    let a = app
        .call(
            Method::POST,
            "/v1/connections",
            Some(json!({"kind": "nosuchats", "name": "Acme", "api_key": "k"})),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(a.body["error"]["details"]["field"], json!("kind"));
    let a = app
        .call(
            Method::POST,
            "/v1/connections",
            Some(json!({"kind": "ashby", "name": "Acme"})),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(
        a.body["error"]["details"]["field"],
        json!("api_key"),
        "{a:?}"
    );
    let a = app.call(Method::POST, "/v1/connections", Some(json!({"kind": "ashby", "name": "Acme", "api_key": "k", "settings": {"api_key": "x"}}))).await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
}

#[tokio::test]
async fn rotation_validates_first_and_delete_removes() {
    let app = app().await;
    let id = app.demo_connection().await;
    let a = app
        .call(
            Method::PUT,
            &format!("/v1/connections/{id}/key"),
            Some(json!({"api_key": "revoked-key"})),
        )
        .await;
    assert_error(&a, StatusCode::BAD_GATEWAY, "upstream_unauthenticated");
    // The old key still works.
    let a = app
        .call(Method::GET, &format!("/v1/connections/{id}/users"), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    let a = app
        .call(
            Method::PUT,
            &format!("/v1/connections/{id}/key"),
            Some(json!({"api_key": DEMO_API_KEY})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert!(!a.text.contains(DEMO_API_KEY));

    let a = app
        .call(Method::DELETE, &format!("/v1/connections/{id}"), None)
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let a = app
        .call(Method::GET, &format!("/v1/connections/{id}"), None)
        .await;
    assert_error(&a, StatusCode::NOT_FOUND, "not_found");
    let a = app
        .call(Method::GET, &format!("/v1/connections/{id}/jobs"), None)
        .await;
    assert_error(&a, StatusCode::NOT_FOUND, "not_found");
}

#[test]
fn request_debug_output_redacts_secrets() {
    let req: atsbridge_server::api::connections::CreateConnectionRequest =
        serde_json::from_value(json!({"kind": "ashby", "name": "n", "api_key": "super-secret-1"}))
            .unwrap();
    assert!(!format!("{req:?}").contains("super-secret-1"));
    let req: atsbridge_server::api::connections::RotateKeyRequest =
        serde_json::from_value(json!({"api_key": "super-secret-2"})).unwrap();
    assert!(!format!("{req:?}").contains("super-secret-2"));
    let req: atsbridge_server::api::connections::WebhookSecretRequest =
        serde_json::from_value(json!({"secret": "super-secret-3"})).unwrap();
    assert!(!format!("{req:?}").contains("super-secret-3"));
    let new = atsbridge_server::connections::NewConnection {
        kind: "ashby".into(),
        name: "n".into(),
        api_key: secrecy::SecretString::from("super-secret-4".to_owned()),
        settings: json!({}),
    };
    assert!(!format!("{new:?}").contains("super-secret-4"));
}
