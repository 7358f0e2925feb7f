use std::time::{Duration, Instant};

use atsbridge_ashby_sandbox::{DEMO_CANDIDATES, Faults, SandboxConfig};
use axum::http::StatusCode;
use serde_json::json;

use crate::Api;

async fn pattern(seed: u64) -> Vec<u16> {
    let api = Api::with(SandboxConfig {
        fail_rate: 0.3,
        drop_response_rate: 0.3,
        rng_seed: seed,
        ..SandboxConfig::default()
    });
    let mut out = vec![];
    for i in 0..40 {
        let r = if i % 2 == 0 {
            api.call("job.list", json!({})).await
        } else {
            api.call("candidate.create", json!({"name": format!("F{i}")}))
                .await
        };
        out.push(r.status.as_u16());
    }
    out
}

#[tokio::test]
async fn faults_are_reproducible_from_the_seed() {
    let a = pattern(7).await;
    let b = pattern(7).await;
    let c = pattern(8).await;
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(
        a.contains(&503) && a.contains(&502) && a.contains(&200),
        "{a:?}"
    );
    // Reads are never dropped.
    assert!(a.iter().step_by(2).all(|&s| s != 502));
}

#[tokio::test]
async fn failure_before_applying_changes_nothing() {
    let api = Api::with(SandboxConfig {
        fail_rate: 1.0,
        ..SandboxConfig::default()
    });
    let r = api.call("candidate.create", json!({"name": "Never"})).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers.contains_key("x-ashby-request-id"));
    assert_eq!(api.sb.candidate_count(), DEMO_CANDIDATES);
    assert_eq!(api.sb.call_count("candidate.create"), 1);
    // apiKey.info and the control API are exempt.
    assert_eq!(
        api.call("apiKey.info", json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        api.control("GET", "/_sandbox/catalog", json!(null))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn dropped_response_still_applies_the_write() {
    let api = Api::with(SandboxConfig {
        drop_response_rate: 1.0,
        ..SandboxConfig::default()
    });
    let r = api
        .call(
            "candidate.create",
            json!({"name": "Ghost Write", "email": "ghost@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(api.sb.candidate_count(), DEMO_CANDIDATES + 1);
    assert_eq!(
        api.sb.find_candidates_by_email("ghost@example.com").len(),
        1
    );
    // The retry a client makes creates the duplicate real integrations suffer from.
    api.call(
        "candidate.create",
        json!({"name": "Ghost Write", "email": "ghost@example.com"}),
    )
    .await;
    assert_eq!(
        api.sb.find_candidates_by_email("ghost@example.com").len(),
        2
    );
    // Reads are served.
    assert_eq!(
        api.call("candidate.search", json!({"email": "ghost@example.com"}))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn latency_and_runtime_changes() {
    let api = Api::demo();
    api.sb.set_faults(Faults {
        latency_ms: 120,
        ..Faults::default()
    });
    let t = Instant::now();
    assert_eq!(api.call("job.list", json!({})).await.status, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(120));
    let r = api
        .control(
            "PUT",
            "/_sandbox/faults",
            json!({"latencyMs": 0, "failRate": 1.0}),
        )
        .await;
    assert_eq!(r.body["failRate"], json!(1.0));
    assert_eq!(
        api.call("job.list", json!({})).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        api.control("PUT", "/_sandbox/faults", json!({"failRate": 2}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    api.sb.set_faults(Faults::default());
    assert_eq!(api.call("job.list", json!({})).await.status, StatusCode::OK);
}
