//! The real `atsbridge` binary over HTTP against an Ashby sandbox with faults on (5xx before the
//! write, the write applied and its response dropped, 429): it is killed with SIGKILL while
//! commands are in flight, restarted with the same configuration, and every command still ends
//! applied exactly once — one ATS candidate per person, one application per candidate and job,
//! one interview per Dover interview id, one logged email per message id, final stages as
//! commanded — on SQLite and on PostgreSQL.

#![cfg(unix)]

use atsbridge_ashby_sandbox::{DEMO_API_KEY, Faults, RunningSandbox, Sandbox, SandboxConfig};
use base64::Engine;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "crash-test-token";
const DOVER_JOB: &str = "dover-crash-job";

/// The server process; killed when dropped so a failing test leaves nothing behind.
struct Server {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let exited = self.child.try_wait().ok().flatten();
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!(
                "server {} (exited on its own: {exited:?}), log tail:\n{}",
                self.base,
                &log[log.len().saturating_sub(4000)..]
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write_config(dir: &Path, store_url: &str, sandbox_url: &str, port: u16) -> std::path::PathBuf {
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let config = format!(
        "[server]\nbind = \"127.0.0.1:{port}\"\ntokens = [\"{TOKEN}\"]\nshutdown_grace_secs = 2\n\
         [store]\nurl = \"{store_url}\"\n[security]\nencryption_key = \"{key}\"\n\
         [worker]\nconcurrency = 8\nper_connection_concurrency = 4\nper_connection_rps = 200\nlease_secs = 20\n\
         poll_interval_ms = 50\nbackoff_base_ms = 20\nbackoff_max_ms = 300\nmax_attempts = 50\n\
         [sync]\npoll_interval_secs = 3600\n[adapters.ashby]\nbase_url = \"{sandbox_url}\"\ntimeout_secs = 5\n"
    );
    let path = dir.join("atsbridge.toml");
    std::fs::write(&path, config).unwrap();
    path
}

async fn start(config: &Path, dir: &Path, run: usize, port: u16) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atsbridge"));
    for (k, _) in std::env::vars() {
        if k.starts_with("ATSBRIDGE_") {
            cmd.env_remove(k);
        }
    }
    let log_path = dir.join(format!("server-{run}.log"));
    let log = std::fs::File::create(&log_path).unwrap();
    cmd.arg("serve")
        .arg("--config")
        .arg(config)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    let server = Server {
        child: cmd.spawn().expect("spawn atsbridge"),
        base: format!("http://127.0.0.1:{port}"),
        log: log_path,
    };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = http.get(format!("{}/readyz", server.base)).send().await
            && r.status().is_success()
        {
            return server;
        }
        assert!(
            Instant::now() < deadline,
            "server not ready: {}",
            std::fs::read_to_string(dir.join(format!("server-{run}.log"))).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut req = http
        .request(method, format!("{base}{path}"))
        .bearer_auth(TOKEN);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Creates the connection and links the Dover job; returns the interviewer email to use.
async fn connect_and_link(base: &str, sandbox: &Sandbox) -> String {
    let (s, conn) = call(
        base,
        reqwest::Method::POST,
        "/v1/connections",
        Some(json!({"kind": "ashby", "name": "crash", "api_key": DEMO_API_KEY})),
    )
    .await;
    assert_eq!(s, 201, "{conn}");
    let conn = conn["id"].as_str().unwrap().to_owned();
    let catalog = sandbox.demo_catalog();
    let job = catalog.open_job_ids[0].clone();
    let (s, stages) = call(
        base,
        reqwest::Method::GET,
        &format!("/v1/connections/{conn}/jobs/{job}/stages"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{stages}");
    let stages: Vec<atsbridge_core::model::Stage> =
        serde_json::from_value(stages["stages"].clone()).unwrap();
    let (dover, mapping) = atsbridge_server::embedded::standard_plan(&stages);
    let user = catalog.recruiter_ids[0].clone();
    let link = json!({"connection_id": conn, "ats_job_id": job, "post_as_user_id": user, "dover_stages": dover, "stage_mapping": mapping});
    let (s, body) = call(
        base,
        reqwest::Method::PUT,
        &format!("/v1/jobs/{DOVER_JOB}/link"),
        Some(link),
    )
    .await;
    assert!(s == 200 || s == 201, "{body}");
    catalog.users.keys().next().unwrap().clone()
}

fn email(i: usize) -> String {
    format!("crash.person{i}@example.org")
}

/// The commands of candidate `i`, in order: push, move to onsite, interview, email, then a
/// rejection for even `i` and a move to offer for odd `i`.
fn commands(i: usize, interviewer: &str) -> Vec<(&'static str, Value)> {
    let start = format!("2031-02-{:02}T10:00:00Z", 1 + i % 27);
    let end = format!("2031-02-{:02}T11:00:00Z", 1 + i % 27);
    let mut out = vec![
        (
            "push",
            json!({"dover_job_id": DOVER_JOB, "candidate": {"name": format!("Crash Person {i}"), "email": email(i)}, "dover_stage_id": "initial-call"}),
        ),
        (
            "move-stage",
            json!({"dover_job_id": DOVER_JOB, "dover_stage_id": "onsite"}),
        ),
        (
            "interviews",
            json!({"dover_job_id": DOVER_JOB, "dover_interview_id": format!("crash-int-{i}"), "events": [{"start": start, "end": end, "interviewer_emails": [interviewer]}]}),
        ),
        (
            "emails",
            json!({"dover_job_id": DOVER_JOB, "message": {"message_id": format!("<crash-msg-{i}@dover.test>"), "subject": "Hi", "from": "recruiter@dover.test", "to": [email(i)], "cc": [], "body_html": "<p>Hi</p>", "sent_at": "2031-01-01T09:00:00Z"}}),
        ),
    ];
    if i.is_multiple_of(2) {
        out.push(("reject", json!({"dover_job_id": DOVER_JOB, "reason": {"text": "Not enough experience", "reason_type": "we_rejected"}})));
    } else {
        out.push((
            "move-stage",
            json!({"dover_job_id": DOVER_JOB, "dover_stage_id": "offer"}),
        ));
    }
    out
}

async fn statuses(base: &str, ids: &[String]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for id in ids {
        let (s, body) = call(
            base,
            reqwest::Method::GET,
            &format!("/v1/commands/{id}"),
            None,
        )
        .await;
        assert_eq!(s, 200, "{body}");
        out.push((body["status"].as_str().unwrap_or("?").to_owned(), body));
    }
    out
}

async fn crash_and_recover(store_url: &str, dir: &Path) {
    let sandbox: RunningSandbox = Sandbox::new(SandboxConfig {
        latency_ms: 15,
        rng_seed: 11,
        ..SandboxConfig::default()
    })
    .unwrap()
    .spawn("127.0.0.1:0".parse().unwrap())
    .await
    .unwrap();
    let port = free_port();
    let config = write_config(dir, store_url, &sandbox.url, port);
    let first = start(&config, dir, 1, port).await;
    let interviewer = connect_and_link(&first.base, &sandbox.sandbox).await;
    // Faults on only after set-up: connection validation is not what this test is about.
    let mut faults: Faults = sandbox.sandbox.faults();
    faults.fail_rate = 0.1;
    faults.drop_response_rate = 0.15;
    faults.rate_limit_per_minute = Some(400);
    faults.rate_limit_window = Duration::from_secs(1);
    sandbox.sandbox.set_faults(faults);

    let n = 24;
    let mut ids = Vec::new();
    for i in 0..n {
        for (route, body) in commands(i, &interviewer) {
            let (s, v) = call(
                &first.base,
                reqwest::Method::POST,
                &format!("/v1/candidates/crash-{i}/{route}"),
                Some(body),
            )
            .await;
            assert_eq!(s, 202, "{route}: {v}");
            ids.push(v["command_id"].as_str().unwrap().to_owned());
        }
    }
    // Kill -9 once some, but not all, commands are done.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = statuses(&first.base, &ids)
            .await
            .iter()
            .filter(|(s, _)| s == "succeeded")
            .count();
        if done >= 10 {
            assert!(
                done < ids.len(),
                "the kill must land mid-run (all {done} were already done)"
            );
            break;
        }
        if Instant::now() > deadline {
            let rows = statuses(&first.base, &ids).await;
            let log = std::fs::read_to_string(dir.join("server-1.log")).unwrap_or_default();
            panic!(
                "no progress before the kill: {:?}\n{}",
                rows.iter().take(3).map(|(_, b)| b).collect::<Vec<_>>(),
                &log[log.len().saturating_sub(3000)..]
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(first); // SIGKILL: Child::kill sends SIGKILL on Unix.

    let second = start(&config, dir, 2, port).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let rows = loop {
        let rows = statuses(&second.base, &ids).await;
        if rows
            .iter()
            .all(|(s, _)| matches!(s.as_str(), "succeeded" | "failed" | "dead"))
        {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "commands still open after restart: {:?}",
            rows.iter()
                .filter(|(s, _)| s != "succeeded")
                .map(|(_, b)| b)
                .take(3)
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let failed: Vec<&Value> = rows
        .iter()
        .filter(|(s, _)| s != "succeeded")
        .map(|(_, b)| b)
        .collect();
    assert!(failed.is_empty(), "every command succeeds: {failed:#?}");
    let retried = rows
        .iter()
        .filter(|(_, b)| b["last_error"].is_object())
        .count();
    assert!(retried > 0, "the faults must have hit some commands");

    let sb = &sandbox.sandbox;
    for i in 0..n {
        let candidates = sb.find_candidates_by_email(&email(i));
        assert_eq!(candidates.len(), 1, "one ATS candidate for person {i}");
        let apps = sb.applications_of_candidate(&candidates[0]);
        assert_eq!(apps.len(), 1, "one application for person {i}");
        let app = sb.application_json(&apps[0]).unwrap();
        if i.is_multiple_of(2) {
            assert_eq!(app["status"], "Archived", "person {i} rejected");
        } else {
            assert_eq!(
                app["currentInterviewStage"]["type"], "Offer",
                "person {i} at offer"
            );
        }
        assert_eq!(
            sb.email_message_count(&format!("<crash-msg-{i}@dover.test>")),
            1,
            "one email for person {i}"
        );
        let external = format!("crash-int-{i}");
        let schedules = sb.dump_state()["interviewSchedules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["interviewEvents"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|e| {
                        e["extraData"].as_object().is_some_and(|x| {
                            x.values().any(|v| v.as_str() == Some(external.as_str()))
                        })
                    })
            })
            .count();
        assert_eq!(schedules, 1, "one interview for person {i}");
    }
    drop(second);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_run_loses_nothing_and_duplicates_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    crash_and_recover(&url, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_run_loses_nothing_and_duplicates_nothing_on_postgres() {
    let Ok(base) = std::env::var("ATSBRIDGE_TEST_POSTGRES_URL") else {
        assert_ne!(
            std::env::var("ATSBRIDGE_REQUIRE_POSTGRES").as_deref(),
            Ok("1"),
            "ATSBRIDGE_REQUIRE_POSTGRES=1 but ATSBRIDGE_TEST_POSTGRES_URL is not set"
        );
        eprintln!("SKIPPED: PostgreSQL crash test (ATSBRIDGE_TEST_POSTGRES_URL not set)");
        return;
    };
    let name = format!("atsbridge_crash_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&base)
        .await
        .expect("PostgreSQL reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let url = format!(
        "{}/{name}",
        base.rsplit_once('/').expect("URL ends with /<database>").0
    );
    let dir = tempfile::tempdir().unwrap();
    crash_and_recover(&url, dir.path()).await;
    admin.close().await;
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await;
}
