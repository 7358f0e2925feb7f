//! What a user sees when Ashby refuses, throttles, fails or hangs; and what is (not) retried.

mod common;

use atsbridge_ashby::AtsAdapter;
use atsbridge_core::ids::{ApplicationId, CandidateId};
use atsbridge_core::model::*;
use atsbridge_core::{ErrorKind, Retryability};
use base64::Engine;
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn new_note() -> NewNote {
    NewNote {
        candidate_id: CandidateId::new("c1"),
        body: NoteBody::Plain("hello".into()),
    }
}

#[tokio::test]
async fn sends_basic_auth_and_versioned_accept_header() {
    let server = MockServer::start().await;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"));
    Mock::given(method("POST"))
        .and(path("/source.list"))
        .and(header("authorization", format!("Basic {token}").as_str()))
        .and(header("accept", "application/json; version=1"))
        .and(header("content-type", "application/json"))
        .respond_with(ok(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    assert!(adapter(&server).list_sources().await.unwrap().is_empty());
}

#[tokio::test]
async fn http_401_is_unauthenticated_permanent_and_never_shows_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string("Unauthorized")
                .insert_header("x-ashby-request-id", "01JREQ401"),
        )
        .mount(&server)
        .await;
    let e = adapter(&server).list_sources().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unauthenticated);
    assert!(!e.is_temporary());
    assert_eq!(e.request_id(), Some("01JREQ401"));
    assert_eq!(e.operation(), Some("list_sources"));
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert_eq!(
        calls(&server, "/source.list").await,
        1,
        "auth failures are not retried"
    );
}

#[tokio::test]
async fn wrong_key_at_403_is_unauthenticated_for_validate_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"success": false,
            "errorInfo": {"code": "invalid_api_key", "message": "The API key is invalid or has been deactivated"}})))
        .mount(&server)
        .await;
    let e = adapter(&server).validate_credentials().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unauthenticated);
    assert!(!e.is_temporary());
}

#[tokio::test]
async fn missing_permission_names_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/candidate.createNote"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"success": false,
            "errorInfo": {"code": "missing_endpoint_permission", "message": "Missing permission", "requestId": "01JREQ403"}})))
        .mount(&server)
        .await;
    let e = adapter(&server).add_note(&new_note()).await.unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::PermissionDenied {
            permission: Some("candidatesWrite".into())
        }
    );
    assert_eq!(e.request_id(), Some("01JREQ403"));
    assert!(e.to_string().contains("candidatesWrite"));
}

#[tokio::test]
async fn validate_credentials_lists_missing_permissions() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/apiKey.info"))
        .respond_with(ok(json!({"title": "Read-only key", "scopes": []})))
        .mount(&server)
        .await;
    let denied = ResponseTemplate::new(403)
        .set_body_json(json!({"success": false, "errorInfo": {"code": "missing_endpoint_permission", "message": "no"}}));
    for write in ["/candidate.update", "/interviewSchedule.cancel"] {
        Mock::given(method("POST"))
            .and(path(write))
            .respond_with(denied.clone())
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/archiveReason.list"))
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(refusal("candidate_not_found", "Candidate not found"))
        .mount(&server)
        .await;
    let report = adapter(&server).validate_credentials().await.unwrap();
    assert_eq!(report.account, "Read-only key");
    assert_eq!(report.missing, ["candidatesWrite", "interviewsWrite"]);
    assert_eq!(report.granted.len(), 5);
    // The write probes target the nil uuid and are sent once each.
    let sent = bodies(&server, "/candidate.update").await;
    assert_eq!(
        sent,
        [
            json!({"candidateId": "00000000-0000-0000-0000-000000000000", "sendNotifications": false})
        ]
    );
}

#[tokio::test]
async fn rate_limited_carries_retry_after_and_reads_wait_it_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/user.list"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(json!({"success": false,
            "errorInfo": {"code": "rate_limit_exceeded", "message": "Rate limit exceeded. Try again in 1 seconds."}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/user.list"))
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    let started = Instant::now();
    adapter(&server).list_users().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(calls(&server, "/user.list").await, 2);
}

#[tokio::test]
async fn rate_limited_write_is_returned_with_the_wait_not_repeated() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .mount(&server)
        .await;
    let e = adapter(&server).add_note(&new_note()).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RateLimited);
    assert_eq!(
        e.retry(),
        Retryability::Temporary {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert!(!e.maybe_applied(), "a 429 was refused, not applied");
    assert_eq!(calls(&server, "/candidate.createNote").await, 1);
}

#[tokio::test]
async fn server_errors_retry_reads_then_give_up_as_temporary() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("x-ashby-request-id", "01JREQ503"))
        .mount(&server)
        .await;
    let e = adapter(&server).list_rejection_reasons().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unavailable);
    assert!(e.is_temporary());
    assert_eq!(e.request_id(), Some("01JREQ503"));
    assert_eq!(
        calls(&server, "/archiveReason.list").await,
        3,
        "first try + max_read_retries (2)"
    );
}

#[tokio::test]
async fn read_recovers_after_a_transient_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    assert!(adapter(&server).list_sources().await.unwrap().is_empty());
    assert_eq!(calls(&server, "/source.list").await, 2);
}

#[tokio::test]
async fn write_failing_with_5xx_is_not_repeated_and_may_be_applied() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let e = adapter(&server).add_note(&new_note()).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unavailable);
    assert!(e.is_temporary());
    assert!(e.maybe_applied());
    assert_eq!(e.operation(), Some("add_note"));
    assert_eq!(calls(&server, "/candidate.createNote").await, 1);
}

#[tokio::test]
async fn write_timing_out_is_not_repeated_and_may_be_applied() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok(json!({"id": "n1"})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let e = adapter(&server).add_note(&new_note()).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unavailable);
    assert!(e.maybe_applied());
    assert_eq!(calls(&server, "/candidate.createNote").await, 1);
}

#[tokio::test]
async fn read_timing_out_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok(json!([])).set_delay(Duration::from_secs(3)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    adapter(&server).list_sources().await.unwrap();
    assert_eq!(calls(&server, "/source.list").await, 2);
}

#[tokio::test]
async fn unreachable_ashby_is_unavailable_and_writes_are_not_marked_applied() {
    // Nothing listens on this port: the request provably never left.
    let server = MockServer::start().await;
    let a = adapter_with(&server, |c| c.with_base_url("http://127.0.0.1:9"));
    let e = a.add_note(&new_note()).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unavailable);
    assert!(e.is_temporary());
    assert!(!e.maybe_applied(), "{e:?}");
}

#[tokio::test]
async fn business_errors_at_http_200_map_to_kinds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/application.info"))
        .respond_with(refusal("application_not_found", "Application not found"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/candidate.list"))
        .respond_with(refusal(
            "sync_token_expired",
            "The sync token has expired; run a full sync",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/application.list"))
        .respond_with(refusal("incremental_sync_too_large", "Too many changes"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/candidate.createNote"))
        .respond_with(refusal("invalid_input", "candidateId must be a valid uuid"))
        .mount(&server)
        .await;
    let a = adapter(&server);

    let e = a
        .application_state(&ApplicationId::new("nope"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::NotFound);
    assert!(!e.is_temporary());
    assert_eq!(e.request_id(), Some("01JERRREQUEST0000000000000"));
    assert_eq!(
        calls(&server, "/application.info").await,
        1,
        "permanent errors are not retried"
    );

    let start = a.candidate_changes(None).await;
    assert_eq!(start.unwrap_err().kind(), &ErrorKind::FullResyncNeeded);
    assert_eq!(
        a.application_changes(None).await.unwrap_err().kind(),
        &ErrorKind::FullResyncNeeded
    );

    let e = a.add_note(&new_note()).await.unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::InvalidInput {
            field: Some("candidateId".into())
        }
    );
}

#[tokio::test]
async fn a_cursor_from_elsewhere_needs_full_resync_without_a_call() {
    let server = MockServer::start().await;
    let e = adapter(&server)
        .candidate_changes(Some(&SyncCursor("hello".into())))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::FullResyncNeeded);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn pacing_waits_for_the_window_when_nearly_used_up() {
    let server = MockServer::start().await;
    let reset = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2)
    .to_string();
    Mock::given(method("POST"))
        .respond_with(
            ok(json!([]))
                .insert_header("x-ratelimit-limit", "100")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.as_str()),
        )
        .mount(&server)
        .await;
    let a = adapter(&server);
    a.list_sources().await.unwrap();
    let started = Instant::now();
    a.list_sources().await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(500),
        "second call should wait for the reset, waited {waited:?}"
    );
    assert!(waited <= Duration::from_secs(4), "{waited:?}");
}

#[tokio::test]
async fn operations_that_need_no_call_make_none() {
    let server = MockServer::start().await;
    let a = adapter(&server);
    let e = a
        .create_candidate(&NewCandidate {
            profile: CandidateProfile {
                name: "  ".into(),
                ..Default::default()
            },
            source_id: None,
            credited_to: None,
            sourcing_note: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::InvalidInput {
            field: Some("name".into())
        }
    );
    let e = a
        .find_candidates(&Identity::linkedin("https://linkedin.com/in/x"))
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InvalidInput { field: Some(f) } if f == "linkedin"),
        "{e:?}"
    );
    assert!(e.message().contains("linkedin"));
    let e = a
        .find_candidates(&Identity::phone("+1 555 0100"))
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }));
    let e = a
        .create_interview(&NewInterview {
            application_id: "a".into(),
            external_id: "x".into(),
            events: vec![],
        })
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }));
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "no call reached Ashby"
    );
}
