//! An expired sync token makes the reconciler restart with a full pass, and the full pass
//! produces no duplicate events.

mod sync_common;

use atsbridge_ashby_sandbox::SandboxConfig;
use serde_json::json;
use std::time::Duration;
use sync_common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_expiry_full_resync_without_duplicate_events() {
    let w = World::start(Options {
        sandbox: Some(SandboxConfig {
            sync_token_ttl: Duration::from_millis(1500),
            ..SandboxConfig::default()
        }),
        ..Options::default()
    })
    .await;
    let (_, app_a) = w.linked_candidate("d-a").await;
    let (_, app_b) = w.linked_candidate("d-b").await;
    w.reconciler.run_pass(CONN).await.expect("first pass");

    w.sandbox
        .sandbox
        .move_stage(&app_a, &w.mapping["screen"], None)
        .unwrap();
    let r = w.reconciler.run_pass(CONN).await.expect("incremental pass");
    assert!(!r.full_pass, "{r:?}");
    assert_eq!(w.events_of("d-a").await.len(), 1);

    // Let the tokens expire, change something, and sync again.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    w.sandbox
        .sandbox
        .move_stage(&app_b, &w.mapping["onsite"], None)
        .unwrap();
    let r = w
        .reconciler
        .run_pass(CONN)
        .await
        .expect("pass after expiry");
    assert!(
        r.full_pass,
        "an expired token restarts with a full pass: {r:?}"
    );
    assert!(r.candidates_seen >= 300);
    let a = w.events_of("d-a").await;
    let b = w.events_of("d-b").await;
    assert_eq!(a.len(), 1, "no duplicate after the full resync: {a:#?}");
    assert_eq!(b.len(), 1, "{b:#?}");
    assert_eq!(b[0].payload["dover_stage_id"], json!("onsite"));

    // The saved state says the pass caught up and is no longer in a full pass.
    let st = w
        .store
        .get_sync_state(CONN, "candidates")
        .await
        .unwrap()
        .unwrap();
    assert!(!st.in_full_pass);
    assert!(st.cursor.is_some());
    assert!(st.last_caught_up_at.is_some());
}
