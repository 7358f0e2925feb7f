//! Issue #5 end to end: the worker, a real store (SQLite and PostgreSQL) and the Ashby sandbox
//! with faults on (503 before a call, writes applied then their response lost, 429 rate limit):
//! every command applied exactly once, in order, and no duplicate ATS record (one candidate per
//! email, one application per candidate + job, one interview per Dover id, one email per
//! message id, final stages as commanded).

mod common;

use atsbridge_ashby_sandbox::Faults;
use atsbridge_server::worker::Worker;
use common::world::{postgres_url, world};
use common::*;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn faults() -> Faults {
    Faults {
        latency_ms: 2,
        fail_rate: 0.1,
        drop_response_rate: 0.2,
        ..Faults::default()
    }
}

async fn scenario(store_url: &str, tag: &str, n: usize) {
    let w = world(store_url, faults()).await;
    let ids = enqueue_scenario(w.store.as_ref(), &w.job, tag, n, 30).await;
    let shutdown = CancellationToken::new();
    let worker = Worker::new(
        w.store.clone(),
        w.connections.clone(),
        fast_worker_config(),
        "e2e".into(),
    )
    .spawn(shutdown.clone());
    let rows = wait_all_terminal(w.store.as_ref(), &ids, Duration::from_secs(90)).await;
    shutdown.cancel();
    worker.await.unwrap();
    check_exactly_once(w.store.as_ref(), &w.sandbox.sandbox, &w.job, tag, n, &rows).await;
    let retried = rows.iter().filter(|r| r.last_error.is_some()).count();
    println!(
        "{tag}: {} commands, {retried} retried at least once; sandbox calls {:?}",
        rows.len(),
        w.sandbox.sandbox.call_counts()
    );
    assert!(retried > 0, "faults must have hit some commands");
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_faults_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    scenario(
        &format!("sqlite://{}", dir.path().join("e2e.db").display()),
        "sqlite",
        40,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_faults_exactly_once() {
    let Some(url) = postgres_url("faults").await else {
        return;
    };
    scenario(&url, "pg", 40).await;
    // Drop the test database (connections of the finished run are closed by FORCE).
    let (head, name) = url.rsplit_once('/').unwrap();
    let admin = sqlx::PgPool::connect(&std::env::var("ATSBRIDGE_TEST_POSTGRES_URL").unwrap())
        .await
        .unwrap();
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .map_err(|e| eprintln!("could not drop {name} ({head}): {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limited_connection_pauses_without_spending_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(
        &format!("sqlite://{}", dir.path().join("rl.db").display()),
        Faults::default(),
    )
    .await;
    // A limit low enough that the run hits 429 many times; a 2-second window keeps the waits short.
    let mut f = w.sandbox.sandbox.faults();
    f.rate_limit_per_minute = Some(15);
    f.rate_limit_window = Duration::from_secs(2);
    w.sandbox.sandbox.set_faults(f);
    let n = 4;
    let ids = enqueue_scenario(w.store.as_ref(), &w.job, "rl", n, 3).await;
    let shutdown = CancellationToken::new();
    let worker = Worker::new(
        w.store.clone(),
        w.connections.clone(),
        fast_worker_config(),
        "e2e".into(),
    )
    .spawn(shutdown.clone());
    let rows = wait_all_terminal(w.store.as_ref(), &ids, Duration::from_secs(100)).await;
    shutdown.cancel();
    worker.await.unwrap();
    // With max_attempts = 3 a 429 that spent attempts would leave dead commands.
    check_exactly_once(w.store.as_ref(), &w.sandbox.sandbox, &w.job, "rl", n, &rows).await;
    assert!(
        rows.iter().any(|r| r
            .last_error
            .as_ref()
            .is_some_and(|e| e["code"] == "rate_limited")),
        "a 429 was hit"
    );
    w.sandbox.shutdown().await;
}
