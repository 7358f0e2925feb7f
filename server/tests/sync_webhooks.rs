//! ATS webhook intake: a bad signature is refused with 401 `invalid_signature`; a verified
//! delivery triggers a pass and the change reaches the event feed in under 2 s (with polling
//! effectively off); the feed endpoint pages with a cursor.

mod sync_common;

use atsbridge_ashby_sandbox::{SandboxConfig, WebhookTarget};
use atsbridge_server::feed::{FeedDeps, authed_router, public_router};
use atsbridge_server::sync::ReconcilerConfig;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use sync_common::*;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_verified_deduplicated_and_fast() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let w = World::start(Options {
        sandbox: Some(SandboxConfig {
            webhook: Some(WebhookTarget {
                url: format!("http://{addr}/v1/webhooks/{CONN}"),
                secret: WEBHOOK_SECRET.into(),
            }),
            ..SandboxConfig::default()
        }),
        webhook_secret: Some(WEBHOOK_SECRET.into()),
        reconciler: Some(ReconcilerConfig {
            poll_interval: Duration::from_secs(3600),
            ..ReconcilerConfig::default()
        }),
    })
    .await;
    let deps = FeedDeps {
        store: w.store.clone(),
        index: w.index.clone(),
        reconciler: w.reconciler.clone(),
        adapters: w.provider.clone(),
    };
    let public = public_router(deps.clone());
    let authed = authed_router(deps);
    let server = public.clone();
    tokio::spawn(async move { axum::serve(listener, server).await });
    let (_, app) = w.linked_candidate("d-web").await;
    let shutdown = CancellationToken::new();
    let task = w.reconciler.clone().spawn(shutdown.clone());
    // The first (full) pass runs at start.
    let store = w.store.clone();
    assert!(
        wait_until(Duration::from_secs(20), || {
            let store = store.clone();
            async move {
                store
                    .get_sync_state(CONN, "applications")
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|s| s.last_caught_up_at.is_some())
            }
        })
        .await
    );

    // Bad signature → 401 invalid_signature.
    let resp = public
        .clone()
        .oneshot(
            Request::post(format!("/v1/webhooks/{CONN}"))
                .header("content-type", "application/json")
                .header("Ashby-Signature", "sha256=00ff")
                .body(Body::from(r#"{"action":"ping","data":{}}"#))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(
        &axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["error"]["code"], json!("invalid_signature"));

    // A recruiter move: the sandbox's signed webhook triggers a pass; the event is in the feed
    // in under 2 s although polling is hourly.
    let t0 = Instant::now();
    w.sandbox
        .sandbox
        .move_stage(&app, &w.mapping["onsite"], None)
        .unwrap();
    let store = w.store.clone();
    let arrived = wait_until(Duration::from_secs(2), || {
        let store = store.clone();
        async move {
            store
                .list_events(0, 100, Some(CONN))
                .await
                .unwrap()
                .iter()
                .any(|e| e.payload["dover_candidate_id"] == json!("d-web"))
        }
    })
    .await;
    assert!(arrived, "event not in the feed within 2 s");
    eprintln!("webhook → event feed: {:?}", t0.elapsed());

    // The feed endpoint: the event with its Dover stage, and a cursor that pages.
    let get = |uri: String| {
        let r = authed.clone();
        async move {
            let resp = r
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = resp.status();
            let v: Value = serde_json::from_slice(
                &axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .unwrap(),
            )
            .unwrap();
            (status, v)
        }
    };
    let (status, page) = get(format!("/v1/events?connection_id={CONN}&limit=10")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let ev = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["dover_candidate_id"] == json!("d-web"))
        .cloned()
        .expect("event in page");
    assert_eq!(ev["kind"], json!("stage_changed"));
    assert_eq!(ev["dover_stage_id"], json!("onsite"));
    assert_eq!(ev["outcome"], json!("active"));
    assert!(ev["id"].is_string() && ev["position"].is_i64());
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let (_, next) = get(format!("/v1/events?connection_id={CONN}&after={cursor}")).await;
    assert!(next["events"].as_array().unwrap().is_empty());
    assert_eq!(next["next_cursor"], json!(cursor));
    let (status, _) = get("/v1/events?after=bogus".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The job report reflects the ATS-confirmed state.
    let (status, report) = get(format!("/v1/jobs/{DOVER_JOB}/report")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let onsite = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["dover_stage_id"] == json!("onsite"))
        .cloned()
        .unwrap();
    assert!(onsite["current"].as_u64().unwrap() >= 1, "{report}");

    shutdown.cancel();
    let _ = task.await;
}
