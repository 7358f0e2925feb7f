//! The worker against an in-memory fake ATS with faults on (503 before a write, a write applied
//! and its response lost, 429 with Retry-After) and the SQLite queue: every command applied
//! exactly once, in order, no duplicate ATS record. The fake ATS isolates the worker's own
//! protocol (intent → search → adopt) from any adapter's behaviour.

mod common;

use atsbridge_server::store::{ConnectionRow, Store, sqlite::SqliteStore};
use atsbridge_server::worker::Worker;
use common::fake_ats::{FakeAts, FakeFaults, JOB};
use common::*;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn job() -> JobSetup {
    JobSetup {
        connection_id: "conn-fake".into(),
        dover_job_id: "dover-job-fake".into(),
        ats_job_id: JOB.into(),
        post_as_user_id: Some("user-1".into()),
        new_stage: "s-lead".into(),
        onsite_stage: "s-onsite".into(),
        offer_stage: "s-offer".into(),
        interviewer_email: "interviewer@fake.test".into(),
    }
}

async fn run(
    faults: FakeFaults,
    n: usize,
    tag: &str,
) -> (
    Arc<dyn Store>,
    Arc<FakeAts>,
    Vec<atsbridge_server::store::CommandRow>,
) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(dir.path().join("queue.db").to_str().unwrap())
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let ats = Arc::new(FakeAts::new(faults, 7));
    let job = job();
    store
        .insert_connection(&ConnectionRow {
            id: job.connection_id.clone(),
            kind: "fake".into(),
            name: "fake".into(),
            encrypted_key: vec![0],
            encrypted_webhook_secret: None,
            settings: serde_json::json!({}),
            created_at: 0,
            updated_at: 0,
            last_error: None,
            last_checked_at: None,
        })
        .await
        .unwrap();
    store.upsert_job_link(&job.link()).await.unwrap();
    let mut provider = FixedProvider::default();
    provider.0.insert(job.connection_id.clone(), ats.clone());
    let ids = enqueue_scenario(store.as_ref(), &job, tag, n, 30).await;
    let shutdown = CancellationToken::new();
    let handle = Worker::new(
        store.clone(),
        Arc::new(provider),
        fast_worker_config(),
        "test".into(),
    )
    .spawn(shutdown.clone());
    let rows = wait_all_terminal(store.as_ref(), &ids, Duration::from_secs(60)).await;
    shutdown.cancel();
    handle.await.unwrap();
    check_exactly_once(store.as_ref(), ats.as_ref(), &job, tag, n, &rows).await;
    drop(dir);
    (store, ats, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn faults_apply_every_command_exactly_once() {
    let faults = FakeFaults {
        fail_rate: 0.15,
        drop_response_rate: 0.25,
        rate_limit_rate: 0.05,
    };
    let (_s, ats, rows) = run(faults, 40, "faults").await;
    let retried = rows
        .iter()
        .filter(|r| r.attempts > 0 || r.last_error.is_some())
        .count();
    assert!(
        retried > 10,
        "faults must actually have hit commands (retried: {retried})"
    );
    let calls = ats.state.lock().calls.clone();
    println!("calls: {calls:?}; commands retried at least once: {retried}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_faults_run_clean() {
    let (_s, _ats, rows) = run(FakeFaults::default(), 20, "clean").await;
    assert!(rows.iter().all(|r| r.attempts == 0));
}
