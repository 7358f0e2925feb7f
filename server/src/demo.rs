//! `atsbridge demo`: pushes N candidates through the whole command flow and reports what
//! happened.
//!
//! What it sets up: a temporary SQLite store, an in-process Ashby sandbox seeded with the demo
//! organization and the given faults (or an external Ashby-compatible API with `--ats-url` and
//! `--ats-key`), a connection made through the same [`ConnectionRegistry`] as `serve` (key
//! validated and sealed), and a Dover job linked to the first open ATS job with the standard
//! Dover plan ([`crate::embedded::standard_plan`]).
//!
//! What it runs: for every candidate, five commands enqueued into the durable queue the way the
//! HTTP API enqueues them (directly through the store, not over HTTP, so the figures measure
//! the queue and the worker rather than the listener), executed by the real
//! [`crate::worker::Worker`]: push (a tenth of them people who already exist in the ATS, to be
//! adopted), a stage move, an interview, a logged email, and an ending — rejected with a
//! "we rejected" reason, rejected with a "they withdrew" reason, withdrawn, or moved to onsite.
//!
//! What it prints: commands per kind and outcome, latency percentiles from enqueue to success,
//! ATS calls per endpoint (sandbox counts when in-process), and duplicates (sandbox candidates
//! sharing a pushed email; must be 0).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use atsbridge_ashby_sandbox::{DEMO_API_KEY, RunningSandbox, Sandbox, SandboxConfig};
use atsbridge_core::logic::rejection::DoverRejection;
use atsbridge_core::model::{InterviewEvent, NoteBody, ReasonType};
use chrono::Utc;
use figment::providers::Serialized;
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use crate::api::job_links::{LinkRequest, validate_and_save};
use crate::app::AppState;
use crate::commands::{CommandPayload, EmailToLog, PushCandidate};
use crate::config::{Config, WorkerConfig};
use crate::connections::{ConnectionRegistry, NewConnection};
use crate::crypto::SecretCipher;
use crate::store::{CommandRow, CommandStatus, Enqueued, NewCommand, Store};
use crate::worker::Worker;

/// Options of `atsbridge demo`.
#[derive(Clone, Debug, clap::Args)]
pub struct DemoArgs {
    /// Candidates to push through the flow.
    #[arg(long, default_value_t = 300)]
    pub candidates: usize,
    /// An Ashby-compatible API to use instead of the in-process sandbox.
    #[arg(long, requires = "ats_key")]
    pub ats_url: Option<String>,
    /// The API key for `--ats-url` (may also come from `ATSBRIDGE_DEMO_ATS_KEY`).
    #[arg(long, env = "ATSBRIDGE_DEMO_ATS_KEY", hide_env_values = true)]
    pub ats_key: Option<String>,
    /// Commands executed at once (worker concurrency, also the per-connection cap).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// ATS requests per second (the per-connection rate limit).
    #[arg(long, default_value_t = 100)]
    pub rps: u32,
    /// In-process sandbox only: probability of HTTP 503 before a call is applied.
    #[arg(long, default_value_t = 0.05)]
    pub fail_rate: f64,
    /// In-process sandbox only: probability that a write is applied and its response lost.
    #[arg(long, default_value_t = 0.05)]
    pub drop_response_rate: f64,
    /// In-process sandbox only: latency added to every call, ms.
    #[arg(long, default_value_t = 2)]
    pub latency_ms: u64,
}

/// Runs the demo (see the module docs) and prints the report on stdout.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = std::env::temp_dir().join(format!(
        "atsbridge-demo-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let result = run_inner(&args, &db).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let report = result?;
    println!("{report}");
    println!("total wall time: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn run_inner(args: &DemoArgs, db: &std::path::Path) -> anyhow::Result<String> {
    // 1. The ATS.
    let sandbox: Option<RunningSandbox> = match &args.ats_url {
        Some(_) => None,
        None => {
            let config = SandboxConfig {
                fail_rate: args.fail_rate,
                drop_response_rate: args.drop_response_rate,
                latency_ms: args.latency_ms,
                ..SandboxConfig::default()
            };
            Some(Sandbox::new(config)?.spawn("127.0.0.1:0".parse()?).await?)
        }
    };
    let (url, key) = match (&sandbox, &args.ats_url, &args.ats_key) {
        (Some(s), _, _) => (s.url.clone(), DEMO_API_KEY.to_owned()),
        (None, Some(u), Some(k)) => (u.clone(), k.clone()),
        _ => return Err(anyhow!("--ats-url needs --ats-key")),
    };
    // Setting up runs without faults; they are switched on for the commands only.
    let faults = sandbox.as_ref().map(|s| s.sandbox.faults());
    if let Some(s) = &sandbox {
        s.sandbox
            .set_faults(atsbridge_ashby_sandbox::Faults::default());
    }

    // 2. Store, connection and job link, as `serve` makes them.
    let store = crate::app::open_store(&format!("sqlite://{}", db.display())).await?;
    let figment = atsbridge_core::config::load(None)
        .merge(Serialized::default("adapters.ashby.base_url", url.clone()));
    let cipher = SecretCipher::from_base64(&SecretCipher::generate_base64())?;
    let connections = Arc::new(ConnectionRegistry::new(store.clone(), cipher, figment));
    let config = Config {
        worker: WorkerConfig {
            concurrency: args.concurrency.max(1),
            per_connection_concurrency: args.concurrency.max(1),
            per_connection_rps: args.rps.max(1),
            max_attempts: 12,
            poll_interval_ms: 50,
            backoff_base_ms: 100,
            backoff_max_ms: 3_000,
            ..WorkerConfig::default()
        },
        ..Config::default()
    };
    let state = AppState::new(store.clone(), connections.clone(), config.clone());
    let new = NewConnection {
        kind: "ashby".into(),
        name: "Demo".into(),
        api_key: SecretString::from(key),
        settings: serde_json::json!({}),
    };
    let connection = connections
        .create(new)
        .await
        .map_err(|e| anyhow!("creating the connection: {e}"))?
        .0;
    let adapter = crate::adapters::AdapterProvider::adapter(&*connections, &connection.id).await?;
    let jobs = adapter.list_jobs().await.context("listing jobs")?;
    let job = jobs.first().ok_or_else(|| anyhow!("the ATS has no job"))?;
    let stages = adapter
        .list_job_stages(&job.id)
        .await
        .context("listing stages")?;
    let users = adapter.list_users().await.context("listing users")?;
    let post_as = users
        .iter()
        .find(|u| u.enabled)
        .ok_or_else(|| anyhow!("the ATS has no enabled user"))?;
    let interviewer = users
        .iter()
        .filter(|u| u.enabled)
        .find_map(|u| u.email.clone())
        .ok_or_else(|| anyhow!("the ATS has no enabled user with an email to interview"))?;
    let (dover_stages, stage_mapping) = crate::embedded::standard_plan(&stages);
    let dover_job_id = "dover-demo-job".to_owned();
    let req = LinkRequest {
        connection_id: connection.id.clone(),
        ats_job_id: job.id.to_string(),
        post_as_user_id: post_as.id.to_string(),
        dover_stages: dover_stages.clone(),
        stage_mapping,
        reason_overrides: BTreeMap::new(),
    };
    validate_and_save(&state, &dover_job_id, req)
        .await
        .map_err(|e| anyhow!("linking the job: {} ({})", e.message, e.details))?;
    let stage_ids: Vec<String> = dover_stages
        .iter()
        .filter(|s| !s.is_hire)
        .map(|s| s.id.clone())
        .collect();
    let second = stage_ids
        .get(1)
        .cloned()
        .unwrap_or_else(|| stage_ids[0].clone());
    let third = stage_ids.get(2).cloned().unwrap_or_else(|| second.clone());

    // People already in the ATS (one email each), to be adopted rather than duplicated.
    let existing: Vec<String> = match &sandbox {
        Some(s) => {
            let dump = s.sandbox.dump_state();
            let mut emails: Vec<String> = dump["candidates"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| {
                    c["primaryEmailAddress"]["value"]
                        .as_str()
                        .map(str::to_owned)
                })
                .filter(|e| s.sandbox.find_candidates_by_email(e).len() == 1)
                .collect();
            emails.sort();
            emails.dedup();
            emails
        }
        None => Vec::new(),
    };

    // 3. Commands.
    let tag = uuid::Uuid::new_v4().simple().to_string()[..6].to_owned();
    let mut pushed_emails = Vec::new();
    let mut per_candidate = Vec::new();
    for i in 0..args.candidates {
        let email = match existing.get(i / 10).filter(|_| i % 10 == 5) {
            Some(e) => e.clone(),
            None => format!("demo.{tag}.{i}@example.com"),
        };
        pushed_emails.push(email.clone());
        per_candidate.push(demo_commands(
            &dover_job_id,
            &tag,
            i,
            &email,
            &interviewer,
            &second,
            &third,
        ));
    }
    if let (Some(s), Some(f)) = (&sandbox, faults) {
        s.sandbox.set_faults(f);
        s.sandbox.reset_call_counts();
    }
    let shutdown = CancellationToken::new();
    let worker = Worker::new(
        store.clone(),
        state.adapter_provider(),
        config.worker.clone(),
        "demo".into(),
    )
    .with_signal(state.signal.clone())
    .spawn(shutdown.clone());
    let run_started = Instant::now();
    let mut ids = Vec::new();
    let rounds = per_candidate.iter().map(Vec::len).max().unwrap_or(0);
    for r in 0..rounds {
        for (i, cmds) in per_candidate.iter().enumerate() {
            let Some(p) = cmds.get(r) else { continue };
            ids.push(
                enqueue(
                    store.as_ref(),
                    &connection.id,
                    &format!("demo-cand-{tag}-{i}"),
                    p,
                    config.worker.max_attempts,
                )
                .await?,
            );
        }
        state.signal.notify_new_command();
    }
    let rows = wait_terminal(store.as_ref(), &ids, Duration::from_secs(1800)).await?;
    let elapsed = run_started.elapsed();
    shutdown.cancel();
    let _ = worker.await;

    // 4. Report.
    let mut out = String::new();
    use std::fmt::Write;
    let _ = writeln!(
        out,
        "atsbridge demo: {} candidates, {} commands, ATS {} (fail rate {}, drop-response rate {}, latency {} ms), concurrency {}, {} rps",
        args.candidates,
        rows.len(),
        if sandbox.is_some() {
            "in-process sandbox"
        } else {
            url.as_str()
        },
        args.fail_rate,
        args.drop_response_rate,
        args.latency_ms,
        args.concurrency,
        args.rps
    );
    let _ = writeln!(
        out,
        "drained in {:.1} s ({:.1} commands/s)",
        elapsed.as_secs_f64(),
        rows.len() as f64 / elapsed.as_secs_f64()
    );
    let mut by_kind: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    let mut retried = 0;
    for r in &rows {
        *by_kind
            .entry((r.kind.clone(), r.status.as_str()))
            .or_default() += 1;
        if r.attempts > 0 || r.last_error.is_some() {
            retried += 1;
        }
    }
    let _ = writeln!(out, "commands by kind and outcome:");
    for ((kind, status), n) in &by_kind {
        let _ = writeln!(out, "  {kind:<20} {status:<10} {n}");
    }
    let _ = writeln!(out, "commands that needed more than one attempt: {retried}");
    let adopted = rows
        .iter()
        .filter(|r| r.kind == "push" && r.result.as_ref().is_some_and(|v| v["adopted"] == true))
        .count();
    let _ = writeln!(
        out,
        "pushes that adopted an existing ATS candidate: {adopted}"
    );
    let mut rules: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows.iter().filter_map(|r| r.result.as_ref()) {
        if let Some(rule) = r["reason_rule"].as_str() {
            *rules.entry(rule.to_owned()).or_default() += 1;
        }
    }
    let _ = writeln!(out, "rejection-reason rules used: {rules:?}");
    let mut lat: Vec<i64> = rows
        .iter()
        .filter(|r| r.status == CommandStatus::Succeeded)
        .map(|r| r.updated_at - r.created_at)
        .collect();
    lat.sort_unstable();
    let _ = writeln!(
        out,
        "latency enqueue → success (all commands enqueued at once): p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
        pct(&lat, 50.0),
        pct(&lat, 95.0),
        pct(&lat, 99.0),
        lat.last().copied().unwrap_or(0)
    );
    if let Some(s) = &sandbox {
        let _ = writeln!(
            out,
            "ATS calls per endpoint (sandbox counts, failed ones included):"
        );
        let mut total = 0;
        for (endpoint, n) in s.sandbox.call_counts() {
            total += n;
            let _ = writeln!(out, "  {endpoint:<36} {n}");
        }
        let _ = writeln!(out, "  {:<36} {total}", "total");
        let mut duplicates = 0;
        for e in &pushed_emails {
            let n = s.sandbox.find_candidates_by_email(e).len();
            if n > 1 {
                duplicates += n - 1;
            }
        }
        let _ = writeln!(
            out,
            "duplicate ATS candidates for pushed emails: {duplicates} (must be 0)"
        );
    }
    if let Some(s) = sandbox {
        s.shutdown().await;
    }
    Ok(out)
}

fn pct(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let idx = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn demo_commands(
    job: &str,
    tag: &str,
    i: usize,
    email: &str,
    interviewer: &str,
    second: &str,
    third: &str,
) -> Vec<CommandPayload> {
    let dj = job.to_owned();
    let start = Utc::now() + chrono::Duration::days(7) + chrono::Duration::minutes(30 * i as i64);
    let ending = match i % 4 {
        0 => CommandPayload::Reject {
            dover_job_id: dj.clone(),
            reason: DoverRejection {
                text: "Not enough experience".into(),
                reason_type: ReasonType::WeRejected,
            },
        },
        1 => CommandPayload::Reject {
            dover_job_id: dj.clone(),
            reason: DoverRejection {
                text: "Accepted another offer".into(),
                reason_type: ReasonType::TheyWithdrew,
            },
        },
        2 => CommandPayload::Withdraw {
            dover_job_id: dj.clone(),
            reason_text: None,
        },
        _ => CommandPayload::MoveStage {
            dover_job_id: dj.clone(),
            dover_stage_id: third.to_owned(),
        },
    };
    vec![
        CommandPayload::Push {
            dover_job_id: dj.clone(),
            candidate: PushCandidate {
                name: format!("Demo Person {i}"),
                email: Some(email.to_owned()),
                phone: None,
                linkedin_url: Some(format!("https://www.linkedin.com/in/demo-{tag}-{i}")),
                current_title: Some("Software Engineer".into()),
                company: Some("Example Co".into()),
            },
            dover_stage_id: None,
        },
        CommandPayload::MoveStage {
            dover_job_id: dj.clone(),
            dover_stage_id: second.to_owned(),
        },
        CommandPayload::ScheduleInterview {
            dover_job_id: dj.clone(),
            dover_interview_id: format!("demo-int-{tag}-{i}"),
            events: vec![InterviewEvent {
                start,
                end: start + chrono::Duration::minutes(30),
                interviewer_emails: vec![interviewer.to_owned()],
            }],
        },
        CommandPayload::LogEmail {
            dover_job_id: dj.clone(),
            message: EmailToLog {
                message_id: format!("<demo-{tag}-{i}@dover.example>"),
                subject: "Intro call".into(),
                from: "recruiter@dover.example".into(),
                to: vec![email.to_owned()],
                cc: vec![],
                body_html: "<p>Thanks for your time!</p>".into(),
                sent_at: Utc::now(),
            },
        },
        if i.is_multiple_of(25) {
            CommandPayload::AddNote {
                dover_job_id: dj,
                body: NoteBody::Plain("Strong systems background".into()),
            }
        } else {
            ending
        },
    ]
}

async fn enqueue(
    store: &dyn Store,
    connection_id: &str,
    candidate: &str,
    p: &CommandPayload,
    max_attempts: i32,
) -> anyhow::Result<String> {
    let payload = serde_json::to_value(p)?;
    let new = NewCommand {
        id: uuid::Uuid::now_v7().to_string(),
        connection_id: connection_id.to_owned(),
        dover_candidate_id: candidate.to_owned(),
        kind: p.kind().to_owned(),
        request_hash: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            payload.to_string().as_bytes(),
        )),
        payload,
        idempotency_key: None,
        max_attempts,
        created_at: crate::worker::now_ms(),
    };
    match store.enqueue(&new).await? {
        Enqueued::Created(row) | Enqueued::Existing(row) => Ok(row.id),
        Enqueued::KeyReused => Err(anyhow!("idempotency key reused")),
    }
}

async fn wait_terminal(
    store: &dyn Store,
    ids: &[String],
    timeout: Duration,
) -> anyhow::Result<Vec<CommandRow>> {
    let deadline = Instant::now() + timeout;
    loop {
        let stats = store.queue_stats(crate::worker::now_ms()).await?;
        if stats.pending == 0 && stats.running == 0 {
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids {
                rows.push(
                    store
                        .get_command(id)
                        .await?
                        .ok_or_else(|| anyhow!("command {id} vanished"))?,
                );
            }
            if rows.iter().all(|r| r.status.is_terminal()) {
                return Ok(rows);
            }
        }
        if Instant::now() > deadline {
            return Err(anyhow!("the queue did not drain within {timeout:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
