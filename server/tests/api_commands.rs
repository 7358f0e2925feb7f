//! Job links and candidate commands through the real router: validation naming every field,
//! idempotency keys, command status, the error envelope.

mod api_support;

use api_support::*;
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn job_link_422_lists_every_problem() {
    let app = app().await;
    let conn = app.demo_connection().await;
    let catalog = app.sandbox.sandbox.demo_catalog();
    let job = catalog.open_job_ids[0].clone();
    let stages = app
        .call(
            Method::GET,
            &format!("/v1/connections/{conn}/jobs/{job}/stages"),
            None,
        )
        .await;
    let first = stages.body["stages"][1]["id"].as_str().unwrap().to_owned();
    let req = json!({
        "connection_id": conn,
        "ats_job_id": job,
        "post_as_user_id": "no-such-user",
        "dover_stages": [
            {"id": "call", "name": "Initial Call", "active": true, "is_hire": false},
            {"id": "hm", "name": "Hiring Manager Screen", "active": true, "is_hire": false},
            {"id": "onsite", "name": "Onsite", "active": true, "is_hire": false},
        ],
        "stage_mapping": {"call": first, "hm": first, "ghost": "no-such-stage"},
        "reason_overrides": {"Too junior": "no-such-reason"},
    });
    let a = app.call(Method::PUT, "/v1/jobs/dj1/link", Some(req)).await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let fields = problem_fields(&a);
    for f in [
        "stage_mapping.onsite",
        "stage_mapping.hm",
        "stage_mapping.ghost",
        "post_as_user_id",
        "reason_overrides.Too junior",
    ] {
        assert!(fields.iter().any(|x| x == f), "missing {f} in {fields:?}");
    }
    let a = app.call(Method::GET, "/v1/jobs/dj1/link", None).await;
    assert_error(&a, StatusCode::NOT_FOUND, "not_found");

    let a = app.call(Method::PUT, "/v1/jobs/dj1/link", Some(json!({"connection_id": "nope", "ats_job_id": "x", "post_as_user_id": "u", "dover_stages": []}))).await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let fields = problem_fields(&a);
    assert!(
        fields.contains(&"connection_id".to_owned()) && fields.contains(&"dover_stages".to_owned()),
        "{fields:?}"
    );

    app.link_demo_job(&conn, "dj1").await;
    let a = app.call(Method::GET, "/v1/jobs/dj1/link", None).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body["connection_id"], json!(conn));
}

#[tokio::test]
async fn command_validation_names_the_fields() {
    let app = app().await;
    let conn = app.demo_connection().await;
    app.link_demo_job(&conn, "dj1").await;

    let a = app
        .call(
            Method::POST,
            "/v1/candidates/c1/push",
            Some(
                json!({"dover_job_id": "unlinked", "candidate": {"name": "A", "email": "a@x.io"}}),
            ),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "job_not_linked");
    assert_eq!(a.body["error"]["details"]["field"], json!("dover_job_id"));

    let a = app
        .call(Method::POST, "/v1/candidates/c1/push", Some(json!({"dover_job_id": "dj1", "candidate": {"name": " ", "email": "not-an-email"}, "dover_stage_id": "nope"})))
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let fields = problem_fields(&a);
    for f in ["candidate.name", "candidate.email", "dover_stage_id"] {
        assert!(fields.iter().any(|x| x == f), "missing {f} in {fields:?}");
    }

    let a = app
        .call(
            Method::POST,
            "/v1/candidates/c1/push",
            Some(json!({"dover_job_id": "dj1", "candidate": {"email": "a@x.io"}})),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(
        a.body["error"]["details"]["field"],
        json!("candidate.name"),
        "{a:?}"
    );

    let a = app
        .call(
            Method::POST,
            "/v1/candidates/c1/move-stage",
            Some(json!({"dover_job_id": "dj1", "dover_stage_id": "unmapped"})),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(problem_fields(&a), ["dover_stage_id"]);

    let a = app
        .call(
            Method::POST,
            "/v1/candidates/c1/interviews",
            Some(json!({"dover_job_id": "dj1", "dover_interview_id": "", "events": []})),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let fields = problem_fields(&a);
    assert!(
        fields.contains(&"dover_interview_id".to_owned()) && fields.contains(&"events".to_owned()),
        "{fields:?}"
    );

    let a = app
        .call(
            Method::POST,
            "/v1/candidates/c1/notes",
            Some(json!({"dover_job_id": "dj1", "body": {"type": "plain", "value": ""}})),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(problem_fields(&a), ["body.value"]);

    // Not JSON at all.
    let a = app
        .call_with(
            Method::POST,
            "/v1/candidates/c1/notes",
            Some(TOKEN),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert!(a.body["error"]["code"].is_string(), "{a:?}");
    // Wait longer than allowed.
    let a = app
        .call(
            Method::POST,
            "/v1/candidates/c1/notes?wait_ms=999999",
            Some(json!({"dover_job_id": "dj1", "body": {"type": "plain", "value": "hi"}})),
        )
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(a.body["error"]["details"]["field"], json!("wait_ms"));
}

#[tokio::test]
async fn idempotency_key_same_body_same_command_different_body_422() {
    let app = app().await;
    let conn = app.demo_connection().await;
    app.link_demo_job(&conn, "dj1").await;
    let body = json!({"dover_job_id": "dj1", "candidate": {"name": "Ada Lovelace", "email": "ada@example.com"}, "dover_stage_id": "initial-call"});
    let h = [("idempotency-key", "key-1")];

    let first = app
        .call_with(
            Method::POST,
            "/v1/candidates/c1/push",
            Some(TOKEN),
            Some(body.clone()),
            &h,
        )
        .await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{first:?}");
    assert_eq!(first.body["status"], json!("pending"));
    assert_eq!(first.body["kind"], json!("push"));
    let id = first.body["command_id"].as_str().unwrap().to_owned();

    let again = app
        .call_with(
            Method::POST,
            "/v1/candidates/c1/push",
            Some(TOKEN),
            Some(body.clone()),
            &h,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.body["command_id"], json!(id));

    let mut other = body.clone();
    other["candidate"]["name"] = json!("Someone Else");
    let a = app
        .call_with(
            Method::POST,
            "/v1/candidates/c1/push",
            Some(TOKEN),
            Some(other),
            &h,
        )
        .await;
    assert_error(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );

    // Without a key, each request is a new command.
    let b = app
        .call(Method::POST, "/v1/candidates/c1/push", Some(body.clone()))
        .await;
    assert_eq!(b.status, StatusCode::ACCEPTED);
    assert_ne!(b.body["command_id"], json!(id));

    let a = app
        .call(Method::GET, &format!("/v1/commands/{id}"), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body["attempts"], json!(0));
    assert_eq!(a.body["dover_job_id"], json!("dj1"));
    let a = app
        .call(Method::POST, &format!("/v1/commands/{id}/retry"), None)
        .await;
    assert_error(&a, StatusCode::CONFLICT, "not_dead");
    let a = app.call(Method::GET, "/v1/commands/nope", None).await;
    assert_error(&a, StatusCode::NOT_FOUND, "not_found");

    let a = app
        .call(Method::GET, &format!("/v1/connections/{conn}"), None)
        .await;
    assert_eq!(a.body["health"]["pending_commands"], json!(2));

    // Waiting with no worker running answers the pending state after the wait.
    let started = std::time::Instant::now();
    let a = app
        .call(Method::GET, &format!("/v1/commands/{id}?wait_ms=300"), None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(started.elapsed() >= std::time::Duration::from_millis(280));

    let a = app.call(Method::GET, "/v1/candidates/c1", None).await;
    assert_error(&a, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn unknown_routes_and_openapi() {
    let app = app().await;
    let a = app.call(Method::GET, "/v1/nope", None).await;
    assert_error(&a, StatusCode::NOT_FOUND, "not_found");
    let a = app
        .call_with(Method::GET, "/v1/openapi.json", None, None, &[])
        .await;
    assert_error(&a, StatusCode::UNAUTHORIZED, "unauthorized");
    let a = app.call(Method::GET, "/v1/openapi.json", None).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert!(a.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = a.body["paths"].as_object().unwrap();
    for p in [
        "/v1/connections",
        "/v1/connections/{id}",
        "/v1/connections/{id}/key",
        "/v1/connections/{id}/webhook",
        "/v1/connections/{id}/jobs",
        "/v1/connections/{id}/jobs/{ats_job_id}/stages",
        "/v1/connections/{id}/users",
        "/v1/connections/{id}/rejection-reasons",
        "/v1/connections/{id}/capabilities",
        "/v1/jobs/{dover_job_id}/link",
        "/v1/candidates/{id}/push",
        "/v1/candidates/{id}/move-stage",
        "/v1/candidates/{id}/reject",
        "/v1/candidates/{id}/withdraw",
        "/v1/candidates/{id}/interviews",
        "/v1/candidates/{id}/emails",
        "/v1/candidates/{id}/notes",
        "/v1/candidates/{id}",
        "/v1/commands/{id}",
        "/v1/commands/{id}/retry",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(a.body["components"]["schemas"]["ErrorBody"].is_object());

    let a = app.call_with(Method::GET, "/readyz", None, None, &[]).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body["store"]["ok"], json!(true));
    let a = app
        .call_with(Method::GET, "/metrics", None, None, &[])
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert!(a.text.contains("atsbridge_queue_depth"), "{}", a.text);
    assert!(
        a.text.contains("atsbridge_http_requests_total"),
        "{}",
        a.text
    );
}
