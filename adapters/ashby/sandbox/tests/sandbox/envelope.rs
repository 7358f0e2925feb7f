use axum::http::StatusCode;
use serde_json::json;

use crate::{Api, assert_error_body};

#[tokio::test]
async fn every_response_has_a_request_id() {
    let api = Api::demo();
    let a = api.call("job.list", json!({})).await;
    let b = api
        .call(
            "candidate.info",
            json!({"id": "00000000-0000-4000-8000-000000000000"}),
        )
        .await;
    let ida = a.headers["x-ashby-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let idb = b.headers["x-ashby-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(ida.len(), 26);
    assert_ne!(ida, idb);
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

#[tokio::test]
async fn not_found_codes_per_record_type() {
    let api = Api::demo();
    let unknown = "3f2a9c1e-1111-4222-8333-444455556666";
    let cases = [
        (
            "candidate.info",
            json!({"id": unknown}),
            "candidate_not_found",
        ),
        (
            "application.info",
            json!({"applicationId": unknown}),
            "application_not_found",
        ),
        ("job.info", json!({"id": unknown}), "job_not_found"),
        (
            "interviewStage.info",
            json!({"interviewStageId": unknown}),
            "interview_stage_not_found",
        ),
        ("user.info", json!({"userId": unknown}), "user_not_found"),
        (
            "interviewStage.list",
            json!({"interviewPlanId": unknown}),
            "interview_plan_not_found",
        ),
    ];
    for (ep, body, code) in cases {
        assert_eq!(api.err(ep, body).await, code, "{ep}");
    }
    // Unknown archive reason on changeStage.
    let cat = api.sb.demo_catalog();
    let (apps, _) = api
        .list_all("application.list", json!({"status": "Active"}))
        .await;
    let code = api
        .err(
            "application.changeStage",
            json!({"applicationId": apps[0]["id"], "interviewStageId": cat.stage_ids_by_type["Archived"], "archiveReasonId": unknown}),
        )
        .await;
    assert_eq!(code, "archive_reason_not_found");
}

#[tokio::test]
async fn invalid_input_names_the_field() {
    let api = Api::demo();
    let r = api.call("candidate.create", json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_error_body(&r);
    assert_eq!(r.body["errorInfo"]["code"], json!("invalid_input"));
    assert!(
        r.body["errorInfo"]["message"]
            .as_str()
            .unwrap()
            .contains("name")
    );
    let r = api
        .call(
            "candidate.create",
            json!({"name": "A", "email": "not-an-email"}),
        )
        .await;
    assert_eq!(r.body["errorInfo"]["code"], json!("invalid_input"));
    assert!(
        r.body["errorInfo"]["message"]
            .as_str()
            .unwrap()
            .contains("email")
    );
    let r = api.call("candidate.info", json!({"id": "nope"})).await;
    assert_eq!(r.body["errorInfo"]["code"], json!("invalid_input"));
    // Malformed JSON body.
    let r = api
        .raw(
            "POST",
            "/candidate.list",
            Some(crate::basic(atsbridge_ashby_sandbox::DEMO_API_KEY)),
            "{".into(),
        )
        .await;
    assert_eq!(r.body["errorInfo"]["code"], json!("invalid_input"));
}

#[tokio::test]
async fn list_envelopes() {
    let api = Api::demo();
    let b = api.ok_body("job.list", json!({})).await;
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert_eq!(b["moreDataAvailable"], json!(false));
    assert!(b["syncToken"].is_string());
    let b = api.ok_body("candidate.list", json!({"limit": 2})).await;
    assert_eq!(b["moreDataAvailable"], json!(true));
    assert!(b["nextCursor"].is_string() && b.get("syncToken").is_none());
    let b = api.ok_body("source.list", json!({})).await;
    assert_eq!(b.as_object().unwrap().len(), 3);
    assert_eq!(b["moreDataAvailable"], json!(false));
    let b = api
        .ok_body("user.search", json!({"email": "AVERY.ADMIN@acme.example"}))
        .await;
    assert_eq!(b["results"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_endpoint_is_404() {
    let api = Api::demo();
    let r = api.call("application.change_stage", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn spawn_serves_over_tcp() {
    use atsbridge_ashby_sandbox::{DEMO_API_KEY, Sandbox, SandboxConfig};
    let sb = Sandbox::new(SandboxConfig::default()).unwrap();
    let running = sb.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    assert!(running.url.starts_with("http://127.0.0.1:"));
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/apiKey.info", running.url))
        .basic_auth(DEMO_API_KEY, Some(""))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().contains_key("x-ashby-request-id"));
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["success"], json!(true));
    let r = client
        .get(format!("{}/_sandbox/catalog", running.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(running.sandbox.call_count("apiKey.info"), 1);
    running.shutdown().await;
}
