//! The store's rules, checked identically on SQLite and on PostgreSQL.
//!
//! PostgreSQL cases read `ATSBRIDGE_TEST_POSTGRES_URL` and create a database of their own; when it
//! is unset they print `SKIPPED: PostgreSQL …` and pass, unless `ATSBRIDGE_REQUIRE_POSTGRES=1`.

use atsbridge_server::store::postgres::PgStore;
use atsbridge_server::store::sqlite::SqliteStore;
use atsbridge_server::store::*;
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;

struct Db {
    store: Arc<dyn Store>,
    url: String,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the administrative URL and the database to drop when the case is done.
    pg: Option<(String, String)>,
}

impl Db {
    /// Drops the case's PostgreSQL database (SQLite's temp dir goes with `self`).
    async fn finish(self) {
        let Db { store, pg, .. } = self;
        drop(store);
        if let Some((base, name)) = pg {
            let admin = sqlx::PgPool::connect(&base).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&admin)
            .await
            .unwrap();
        }
    }
}

async fn sqlite() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("t.db").to_str().unwrap().to_owned();
    let store = SqliteStore::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // idempotent
    Db {
        store: Arc::new(store),
        url,
        _dir: Some(dir),
        pg: None,
    }
}

/// A fresh PostgreSQL database, or `None` (with a SKIPPED line) when none is configured.
async fn postgres(case: &str) -> Option<Db> {
    let Ok(base) = std::env::var("ATSBRIDGE_TEST_POSTGRES_URL") else {
        if std::env::var("ATSBRIDGE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("ATSBRIDGE_REQUIRE_POSTGRES=1 but ATSBRIDGE_TEST_POSTGRES_URL is not set");
        }
        eprintln!("SKIPPED: PostgreSQL store case `{case}` (ATSBRIDGE_TEST_POSTGRES_URL not set)");
        return None;
    };
    let name = format!("atsbridge_t_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&base)
        .await
        .expect("PostgreSQL reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let url = match base.rsplit_once('/') {
        Some((prefix, _)) => format!("{prefix}/{name}"),
        None => panic!("ATSBRIDGE_TEST_POSTGRES_URL must end with /<database>"),
    };
    let store = PgStore::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    Some(Db {
        store: Arc::new(store),
        url,
        _dir: None,
        pg: Some((base, name)),
    })
}

fn connection(id: &str) -> ConnectionRow {
    ConnectionRow {
        id: id.into(),
        kind: "ashby".into(),
        name: format!("conn {id}"),
        encrypted_key: vec![1, 2, 3],
        encrypted_webhook_secret: None,
        settings: json!({"base_url": "http://x"}),
        created_at: 1,
        updated_at: 1,
        last_error: None,
        last_checked_at: None,
    }
}

fn command(id: &str, conn: &str, cand: &str, key: Option<&str>, hash: &str) -> NewCommand {
    NewCommand {
        id: id.into(),
        connection_id: conn.into(),
        dover_candidate_id: cand.into(),
        kind: "push".into(),
        payload: json!({"kind": "push", "n": id}),
        idempotency_key: key.map(str::to_owned),
        request_hash: hash.into(),
        max_attempts: 3,
        created_at: 10,
    }
}

fn claim(owner: &str, now: i64, limit: i64, per: i64) -> ClaimRequest {
    ClaimRequest {
        owner: owner.into(),
        now,
        lease_ms: 1_000,
        limit,
        per_connection_limit: per,
        excluded_connections: vec![],
    }
}

async fn created(s: &dyn Store, c: NewCommand) -> CommandRow {
    match s.enqueue(&c).await.unwrap() {
        Enqueued::Created(row) => row,
        other => panic!("expected a new command, got {other:?}"),
    }
}

async fn connections_and_links(s: &dyn Store) {
    s.insert_connection(&connection("c1")).await.unwrap();
    assert!(matches!(
        s.insert_connection(&connection("c1")).await,
        Err(StoreError::Conflict(_))
    ));
    s.update_connection_key("c1", &[9, 9], 5).await.unwrap();
    s.update_connection_webhook_secret("c1", Some(&[7]), 6)
        .await
        .unwrap();
    s.update_connection_health("c1", Some("key revoked"), 7)
        .await
        .unwrap();
    let c = s.get_connection("c1").await.unwrap().unwrap();
    assert_eq!(
        (
            c.encrypted_key.clone(),
            c.encrypted_webhook_secret.clone(),
            c.last_error.as_deref(),
            c.last_checked_at
        ),
        (vec![9, 9], Some(vec![7]), Some("key revoked"), Some(7))
    );
    assert!(
        !format!("{c:?}").contains("[9, 9]"),
        "Debug must not show the encrypted key"
    );
    assert!(matches!(
        s.update_connection_key("nope", &[1], 1).await,
        Err(StoreError::NotFound(_))
    ));
    let link = JobLinkRow {
        dover_job_id: "dj".into(),
        connection_id: "c1".into(),
        ats_job_id: "aj".into(),
        post_as_user_id: Some("u".into()),
        dover_stages: json!([{"id": "d1"}]),
        stage_mapping: json!({"d1": "s1"}),
        reason_overrides: json!({}),
        created_at: 1,
        updated_at: 1,
    };
    s.upsert_job_link(&link).await.unwrap();
    s.upsert_job_link(&JobLinkRow {
        ats_job_id: "aj2".into(),
        ..link.clone()
    })
    .await
    .unwrap();
    assert_eq!(
        s.get_job_link("dj").await.unwrap().unwrap().ats_job_id,
        "aj2"
    );
    assert_eq!(s.list_job_links("c1").await.unwrap().len(), 1);
    created(s, command("x1", "c1", "p", None, "h")).await;
    s.delete_connection("c1").await.unwrap();
    assert!(s.get_connection("c1").await.unwrap().is_none());
    assert!(
        s.get_job_link("dj").await.unwrap().is_none(),
        "links go with the connection"
    );
    assert!(
        s.get_command("x1").await.unwrap().is_none(),
        "commands go with the connection"
    );
}

async fn idempotency(s: &dyn Store) {
    s.insert_connection(&connection("c1")).await.unwrap();
    let first = created(s, command("a", "c1", "p", Some("k"), "h1")).await;
    match s
        .enqueue(&command("b", "c1", "p", Some("k"), "h1"))
        .await
        .unwrap()
    {
        Enqueued::Existing(row) => assert_eq!(row.id, first.id),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        s.enqueue(&command("c", "c1", "p", Some("k"), "h2"))
            .await
            .unwrap(),
        Enqueued::KeyReused
    );
    created(s, command("d", "c1", "p", None, "h1")).await;
    created(s, command("e", "c1", "p", None, "h1")).await;
}

async fn order_fairness_and_fencing(s: &dyn Store) {
    s.insert_connection(&connection("busy")).await.unwrap();
    s.insert_connection(&connection("quiet")).await.unwrap();
    for i in 0..50 {
        created(
            s,
            command(&format!("b{i:02}"), "busy", &format!("cand{i}"), None, "h"),
        )
        .await;
    }
    created(s, command("q0", "quiet", "solo", None, "h")).await;
    let got = s.claim(&claim("w1", 100, 5, 2)).await.unwrap();
    assert!(
        got.iter().any(|c| c.id == "q0"),
        "a quiet connection is not starved: {:?}",
        got.iter().map(|c| &c.id).collect::<Vec<_>>()
    );
    assert_eq!(
        got.iter().filter(|c| c.connection_id == "busy").count(),
        2,
        "per-connection limit"
    );
    assert!(
        got.iter()
            .all(|c| c.epoch == 1 && c.status == CommandStatus::Running)
    );

    // Per-candidate order: the second command of a candidate waits for the first.
    s.insert_connection(&connection("ord")).await.unwrap();
    let one = created(s, command("o1", "ord", "same", None, "h")).await;
    created(s, command("o2", "ord", "same", None, "h")).await;
    let mut req = claim("w2", 100, 10, 10);
    req.excluded_connections = vec!["busy".into(), "quiet".into()];
    let got = s.claim(&req).await.unwrap();
    assert_eq!(
        got.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        vec!["o1"]
    );
    // A stopped (permanently failed) first command no longer blocks.
    let stop = CommandFailure {
        error: json!({"code": "invalid_input"}),
        next: FailureNext::Stop,
    };
    assert!(s.fail(&one.id, 1, &stop, 101).await.unwrap());
    let got = s.claim(&req).await.unwrap();
    assert_eq!(
        got.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        vec!["o2"]
    );
    assert_eq!(
        s.get_command("o1").await.unwrap().unwrap().status,
        CommandStatus::Failed
    );

    // Lease expiry: reclaimed with a new epoch; the stale holder is fenced off.
    let again = s
        .claim(&ClaimRequest {
            now: 5_000,
            ..req.clone()
        })
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id.as_str(), again[0].epoch), ("o2", 2));
    assert!(
        !s.complete("o2", 1, &json!({}), 5_001).await.unwrap(),
        "stale epoch must not complete"
    );
    assert!(
        !s.record_step("o2", 1, &json!({"x": 1}), 5_001)
            .await
            .unwrap()
    );
    assert!(s.renew_lease("o2", 2, 9_000).await.unwrap());
    assert!(
        s.complete("o2", 2, &json!({"ok": true}), 5_002)
            .await
            .unwrap()
    );
    let done = s.get_command("o2").await.unwrap().unwrap();
    assert_eq!(
        (done.status, done.result),
        (CommandStatus::Succeeded, Some(json!({"ok": true})))
    );
}

async fn retries_dead_and_stats(s: &dyn Store) {
    s.insert_connection(&connection("c1")).await.unwrap();
    created(s, command("r", "c1", "p", None, "h")).await;
    let later = |at, count| CommandFailure {
        error: json!({"code": "unavailable"}),
        next: FailureNext::RetryAt {
            at,
            count_attempt: count,
        },
    };
    let c = &s.claim(&claim("w", 100, 1, 1)).await.unwrap()[0];
    assert!(
        s.fail(&c.id, c.epoch, &later(500, false), 100)
            .await
            .unwrap()
    );
    assert!(
        s.claim(&claim("w", 200, 1, 1)).await.unwrap().is_empty(),
        "not before next_attempt_at"
    );
    let row = s.get_command("r").await.unwrap().unwrap();
    assert_eq!(
        (row.attempts, row.status),
        (0, CommandStatus::Pending),
        "a rate-limit retry spends no attempt"
    );
    for (i, now) in [(1, 600), (2, 1_200)] {
        let c = &s.claim(&claim("w", now, 1, 1)).await.unwrap()[0];
        assert!(
            s.fail(&c.id, c.epoch, &later(now + 100, true), now)
                .await
                .unwrap()
        );
        assert_eq!(s.get_command("r").await.unwrap().unwrap().attempts, i);
    }
    let c = &s.claim(&claim("w", 2_000, 1, 1)).await.unwrap()[0];
    assert!(
        s.fail(&c.id, c.epoch, &later(2_100, true), 2_000)
            .await
            .unwrap()
    );
    assert_eq!(
        s.get_command("r").await.unwrap().unwrap().status,
        CommandStatus::Dead
    );
    let stats = s.queue_stats(3_000).await.unwrap();
    assert_eq!((stats.pending, stats.dead), (0, 1));
    assert!(s.retry_dead("r", 3_000).await.unwrap());
    assert!(!s.retry_dead("r", 3_000).await.unwrap());
    let stats = s.queue_stats(4_000).await.unwrap();
    assert_eq!(
        (stats.pending, stats.oldest_pending_age_ms),
        (1, 4_000 - 10)
    );
    assert_eq!(s.pending_for_connection("c1").await.unwrap(), 1);
}

async fn concurrent_claims_run_each_once(stores: Vec<Arc<dyn Store>>) {
    let s = stores[0].clone();
    s.insert_connection(&connection("c1")).await.unwrap();
    s.insert_connection(&connection("c2")).await.unwrap();
    for i in 0..300 {
        let conn = if i % 2 == 0 { "c1" } else { "c2" };
        created(
            s.as_ref(),
            command(
                &format!("k{i:03}"),
                conn,
                &format!("p{}", i % 40),
                None,
                "h",
            ),
        )
        .await;
    }
    let mut tasks = Vec::new();
    for w in 0..8 {
        let s = stores[w % stores.len()].clone();
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            for _ in 0..2_000 {
                let got = s
                    .claim(&ClaimRequest {
                        owner: format!("w{w}"),
                        now: 100,
                        lease_ms: 600_000,
                        limit: 4,
                        per_connection_limit: 2,
                        excluded_connections: vec![],
                    })
                    .await
                    .unwrap();
                if got.is_empty() {
                    if s.queue_stats(100).await.unwrap().pending == 0 {
                        break;
                    }
                    tokio::task::yield_now().await;
                    continue;
                }
                for c in got {
                    assert!(
                        s.complete(&c.id, c.epoch, &json!({"by": w}), 100)
                            .await
                            .unwrap()
                    );
                    done.push(c.id);
                }
            }
            done
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 300, "each command completed exactly once");
    assert_eq!(unique.len(), 300);
}

async fn links_sync_mirror_and_events(s: &dyn Store) {
    s.insert_connection(&connection("c1")).await.unwrap();
    let link = CandidateLinkRow {
        connection_id: "c1".into(),
        dover_candidate_id: "d1".into(),
        dover_job_id: "dj".into(),
        ats_candidate_id: Some("ac".into()),
        ats_application_id: Some("aa".into()),
        ats_stage_id: Some("s1".into()),
        outcome: Some("active".into()),
        adopted: true,
        updated_at: 1,
    };
    s.upsert_candidate_link(&link).await.unwrap();
    assert_eq!(
        s.get_candidate_link("c1", "d1").await.unwrap(),
        Some(link.clone())
    );
    assert_eq!(
        s.find_links_by_application("c1", "aa").await.unwrap().len(),
        1
    );
    assert_eq!(
        s.find_links_by_ats_candidate("c1", "ac")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(s.list_links_for_job("dj").await.unwrap().len(), 1);

    let state = SyncStateRow {
        connection_id: "c1".into(),
        stream: "candidates".into(),
        cursor: Some("cur".into()),
        in_full_pass: true,
        full_pass_started_at: Some(5),
        last_caught_up_at: None,
        last_error: None,
        updated_at: 6,
    };
    s.save_sync_state(&state).await.unwrap();
    assert_eq!(
        s.get_sync_state("c1", "candidates").await.unwrap(),
        Some(state)
    );

    let cand = AtsCandidateRow {
        connection_id: "c1".into(),
        ats_candidate_id: "ac".into(),
        name: "Ada".into(),
        identity_keys: vec!["email:a@b.co".into()],
        company: None,
        has_active_application: true,
        last_seen_at: 10,
    };
    s.upsert_ats_candidate(&cand).await.unwrap();
    s.upsert_ats_candidate(&AtsCandidateRow {
        ats_candidate_id: "old".into(),
        last_seen_at: 2,
        ..cand.clone()
    })
    .await
    .unwrap();
    assert_eq!(s.list_ats_candidates("c1").await.unwrap().len(), 2);
    assert_eq!(
        s.ats_candidates_not_seen_since("c1", 5).await.unwrap(),
        vec!["old".to_owned()]
    );
    assert!(s.delete_ats_candidate("c1", "old").await.unwrap());
    assert!(!s.delete_ats_candidate("c1", "old").await.unwrap());

    let app = AtsApplicationRow {
        connection_id: "c1".into(),
        ats_application_id: "aa".into(),
        ats_candidate_id: "ac".into(),
        ats_job_id: "aj".into(),
        ats_stage_id: "s1".into(),
        status: "Active".into(),
        outcome: "active".into(),
        archive_reason: None,
        ats_updated_at: Some(1),
        last_seen_at: 1,
    };
    assert_eq!(s.upsert_ats_application(&app).await.unwrap(), None);
    let moved = AtsApplicationRow {
        ats_stage_id: "s2".into(),
        ..app.clone()
    };
    assert_eq!(s.upsert_ats_application(&moved).await.unwrap(), Some(app));
    s.append_stage_transition(&StageTransitionRow {
        connection_id: "c1".into(),
        ats_job_id: "aj".into(),
        ats_application_id: "aa".into(),
        ats_stage_id: "s2".into(),
        outcome: "active".into(),
        at: 3,
    })
    .await
    .unwrap();
    assert_eq!(s.list_stage_transitions("c1", "aj").await.unwrap().len(), 1);

    let ev = |id: &str, key: &str| NewEvent {
        id: id.into(),
        connection_id: "c1".into(),
        event_key: key.into(),
        kind: "stage_changed".into(),
        payload: json!({"k": key}),
        created_at: 1,
    };
    let a = s.append_event(&ev("e1", "k1")).await.unwrap();
    let b = s.append_event(&ev("e2", "k2")).await.unwrap();
    let again = s.append_event(&ev("e3", "k1")).await.unwrap();
    assert!(b.position > a.position);
    assert_eq!(again.id, "e1", "an event key is appended once");
    let all = s.list_events(0, 10, None).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        vec!["e1", "e2"]
    );
    assert_eq!(
        s.list_events(a.position, 10, Some("c1"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        s.list_events(0, 10, Some("other"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.remember_webhook_delivery("c1", "w1", 1).await.unwrap());
    assert!(!s.remember_webhook_delivery("c1", "w1", 2).await.unwrap());
    s.ping().await.unwrap();
}

macro_rules! both_backends {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { let db = super::sqlite().await; super::$case(db.store.as_ref()).await; })*
        }
        mod on_postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let Some(db) = super::postgres(stringify!($case)).await { super::$case(db.store.as_ref()).await; db.finish().await; }
            })*
        }
    };
}

both_backends!(
    connections_and_links,
    idempotency,
    order_fairness_and_fencing,
    retries_dead_and_stats,
    links_sync_mirror_and_events
);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_concurrent_claims_run_each_once() {
    let db = sqlite().await;
    concurrent_claims_run_each_once(vec![db.store.clone()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_replicas_claim_each_command_once() {
    let Some(db) = postgres("two_replicas_claim_each_command_once").await else {
        return;
    };
    // A second store instance (its own pool) on the same database plays the second replica.
    let second: Arc<dyn Store> = Arc::new(PgStore::open(&db.url).await.unwrap());
    concurrent_claims_run_each_once(vec![db.store.clone(), second.clone()]).await;
    drop(second);
    db.finish().await;
}
