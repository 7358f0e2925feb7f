//! Helpers shared by the end-to-end tests: an adapter provider, fast worker settings, and the
//! candidate scenario (push → move → interview → email → reject/withdraw/move) with its checks.
#![allow(dead_code)]

pub mod fake_ats;
pub mod world;

use async_trait::async_trait;
use atsbridge_core::logic::rejection::DoverRejection;
use atsbridge_core::model::{InterviewEvent, ReasonType};
use atsbridge_core::{AtsAdapter, AtsError};
use atsbridge_server::adapters::AdapterProvider;
use atsbridge_server::commands::{CommandPayload, EmailToLog, PushCandidate};
use atsbridge_server::config::WorkerConfig;
use atsbridge_server::store::*;
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Serves fixed adapters by connection id.
#[derive(Default)]
pub struct FixedProvider(pub BTreeMap<String, Arc<dyn AtsAdapter>>);

#[async_trait]
impl AdapterProvider for FixedProvider {
    async fn adapter(&self, connection_id: &str) -> Result<Arc<dyn AtsAdapter>, AtsError> {
        self.0
            .get(connection_id)
            .cloned()
            .ok_or_else(|| AtsError::not_found(format!("connection {connection_id}")))
    }
    async fn webhook_secret(
        &self,
        _: &str,
    ) -> Result<Option<atsbridge_core::secrecy::SecretString>, AtsError> {
        Ok(None)
    }
}

/// Worker settings for tests: short backoff and poll, generous rate.
pub fn fast_worker_config() -> WorkerConfig {
    WorkerConfig {
        concurrency: 8,
        lease_secs: 60,
        max_attempts: 30,
        per_connection_rps: 1000,
        per_connection_concurrency: 4,
        poll_interval_ms: 20,
        backoff_base_ms: 10,
        backoff_max_ms: 200,
    }
}

pub fn now_ms() -> Millis {
    Utc::now().timestamp_millis()
}

/// The ATS side of a job link used by the scenario.
#[derive(Clone, Debug)]
pub struct JobSetup {
    pub connection_id: String,
    pub dover_job_id: String,
    pub ats_job_id: String,
    pub post_as_user_id: Option<String>,
    /// ATS stage ids for Dover stages `d-new`, `d-onsite`, `d-offer`.
    pub new_stage: String,
    pub onsite_stage: String,
    pub offer_stage: String,
    /// An ATS user's login email, used as the interviewer.
    pub interviewer_email: String,
}

impl JobSetup {
    pub fn link(&self) -> JobLinkRow {
        JobLinkRow {
            dover_job_id: self.dover_job_id.clone(),
            connection_id: self.connection_id.clone(),
            ats_job_id: self.ats_job_id.clone(),
            post_as_user_id: self.post_as_user_id.clone(),
            dover_stages: json!([
                {"id": "d-new", "name": "New", "active": true, "is_hire": false},
                {"id": "d-onsite", "name": "Onsite", "active": true, "is_hire": false},
                {"id": "d-offer", "name": "Offer", "active": true, "is_hire": false},
            ]),
            stage_mapping: json!({"d-new": self.new_stage, "d-onsite": self.onsite_stage, "d-offer": self.offer_stage}),
            reason_overrides: json!({}),
            created_at: now_ms(),
            updated_at: now_ms(),
        }
    }
}

/// How candidate `i` of a scenario ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Rejected,
    Withdrew,
    Offer,
}

pub fn ending(i: usize) -> Ending {
    match i % 3 {
        0 => Ending::Rejected,
        1 => Ending::Withdrew,
        _ => Ending::Offer,
    }
}

pub fn email_of(tag: &str, i: usize) -> String {
    format!("e2e.{tag}.{i}@example.com")
}

/// The commands of candidate `i`, in order.
pub fn candidate_commands(job: &JobSetup, tag: &str, i: usize) -> Vec<CommandPayload> {
    let dj = job.dover_job_id.clone();
    let start =
        Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 0).unwrap() + chrono::Duration::hours(i as i64);
    let mut out = vec![
        CommandPayload::Push {
            dover_job_id: dj.clone(),
            candidate: PushCandidate {
                name: format!("E2E Person {i}"),
                email: Some(email_of(tag, i)),
                phone: None,
                linkedin_url: Some(format!("https://www.linkedin.com/in/e2e-{tag}-{i}")),
                current_title: Some("Engineer".into()),
                company: Some("Acme".into()),
            },
            dover_stage_id: Some("d-new".into()),
        },
        CommandPayload::MoveStage {
            dover_job_id: dj.clone(),
            dover_stage_id: "d-onsite".into(),
        },
        CommandPayload::ScheduleInterview {
            dover_job_id: dj.clone(),
            dover_interview_id: format!("dover-int-{tag}-{i}"),
            events: vec![InterviewEvent {
                start,
                end: start + chrono::Duration::minutes(45),
                interviewer_emails: vec![job.interviewer_email.clone()],
            }],
        },
        CommandPayload::LogEmail {
            dover_job_id: dj.clone(),
            message: EmailToLog {
                message_id: format!("<msg-{tag}-{i}@dover.test>"),
                subject: "Hello".into(),
                from: "recruiter@dover.test".into(),
                to: vec![email_of(tag, i)],
                cc: vec![],
                body_html: "<p>Hi</p>".into(),
                sent_at: start - chrono::Duration::days(1),
            },
        },
    ];
    out.push(match ending(i) {
        Ending::Rejected => CommandPayload::Reject {
            dover_job_id: dj,
            reason: DoverRejection {
                text: "Not a fit for the role".into(),
                reason_type: ReasonType::WeRejected,
            },
        },
        Ending::Withdrew => CommandPayload::Withdraw {
            dover_job_id: dj,
            reason_text: Some("Took another offer".into()),
        },
        Ending::Offer => CommandPayload::MoveStage {
            dover_job_id: dj,
            dover_stage_id: "d-offer".into(),
        },
    });
    out
}

/// Dover's candidate id of candidate `i`.
pub fn dover_id(tag: &str, i: usize) -> String {
    format!("dover-cand-{tag}-{i}")
}

/// Enqueues the scenario's commands, interleaving candidates (as Dover would send them).
pub async fn enqueue_scenario(
    store: &dyn Store,
    job: &JobSetup,
    tag: &str,
    n: usize,
    max_attempts: i32,
) -> Vec<String> {
    let per: Vec<Vec<CommandPayload>> = (0..n).map(|i| candidate_commands(job, tag, i)).collect();
    let mut ids = Vec::new();
    let rounds = per.iter().map(Vec::len).max().unwrap_or(0);
    for r in 0..rounds {
        for (i, cmds) in per.iter().enumerate() {
            let Some(p) = cmds.get(r) else { continue };
            let id = uuid::Uuid::now_v7().to_string();
            let new = NewCommand {
                id: id.clone(),
                connection_id: job.connection_id.clone(),
                dover_candidate_id: dover_id(tag, i),
                kind: p.kind().to_owned(),
                payload: serde_json::to_value(p).unwrap(),
                idempotency_key: Some(format!("{tag}-{i}-{r}")),
                request_hash: format!("{tag}-{i}-{r}"),
                max_attempts,
                created_at: now_ms(),
            };
            match store.enqueue(&new).await.unwrap() {
                Enqueued::Created(row) => ids.push(row.id),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    ids
}

/// Waits until every command is terminal; returns them. Panics after `timeout`.
pub async fn wait_all_terminal(
    store: &dyn Store,
    ids: &[String],
    timeout: Duration,
) -> Vec<CommandRow> {
    let deadline = Instant::now() + timeout;
    loop {
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            rows.push(
                store
                    .get_command(id)
                    .await
                    .unwrap()
                    .expect("command exists"),
            );
        }
        if rows.iter().all(|r| r.status.is_terminal()) {
            return rows;
        }
        if Instant::now() > deadline {
            let open: Vec<_> = rows
                .iter()
                .filter(|r| !r.status.is_terminal())
                .map(|r| (&r.kind, r.status, r.attempts, &r.last_error))
                .take(5)
                .collect();
            panic!(
                "commands not terminal after {timeout:?}: {} open, e.g. {open:?}",
                rows.iter().filter(|r| !r.status.is_terminal()).count()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the ATS holds, as the checks need it.
pub trait AtsView {
    /// Candidates carrying `email`.
    fn candidates_with_email(&self, email: &str) -> usize;
    /// Applications of `candidate` for `job`.
    fn applications(&self, candidate: &str, job: &str) -> usize;
    /// Interviews carrying Dover's `external_id`.
    fn interviews_with_external_id(&self, external_id: &str) -> usize;
    /// Emails logged with `message_id`.
    fn emails_with_message_id(&self, message_id: &str) -> usize;
    /// The application's stage id and whether it is archived.
    fn application_stage(&self, application: &str) -> Option<(String, bool)>;
}

/// The exactly-once checks: every command succeeded, one ATS record per identity, and the final
/// stages as commanded.
pub async fn check_exactly_once(
    store: &dyn Store,
    view: &dyn AtsView,
    job: &JobSetup,
    tag: &str,
    n: usize,
    rows: &[CommandRow],
) {
    let bad: Vec<_> = rows
        .iter()
        .filter(|r| r.status != CommandStatus::Succeeded)
        .map(|r| (&r.kind, r.status, &r.last_error))
        .collect();
    assert!(
        bad.is_empty(),
        "{} commands did not succeed: {bad:?}",
        bad.len()
    );
    for i in 0..n {
        let email = email_of(tag, i);
        assert_eq!(
            view.candidates_with_email(&email),
            1,
            "candidates with {email}"
        );
        let link = store
            .get_candidate_link(&job.connection_id, &dover_id(tag, i))
            .await
            .unwrap()
            .expect("link");
        let cand = link.ats_candidate_id.clone().expect("candidate id");
        let app = link.ats_application_id.clone().expect("application id");
        assert_eq!(
            view.applications(&cand, &job.ats_job_id),
            1,
            "applications of {cand}"
        );
        assert_eq!(
            view.interviews_with_external_id(&format!("dover-int-{tag}-{i}")),
            1,
            "interviews of {i}"
        );
        assert_eq!(
            view.emails_with_message_id(&format!("<msg-{tag}-{i}@dover.test>")),
            1,
            "emails of {i}"
        );
        let (stage, archived) = view.application_stage(&app).expect("application exists");
        match ending(i) {
            Ending::Offer => {
                assert_eq!(stage, job.offer_stage, "final stage of {i}");
                assert!(!archived);
                assert_eq!(link.outcome.as_deref(), Some("active"));
            }
            Ending::Rejected => {
                assert!(archived, "{i} archived");
                assert_eq!(link.outcome.as_deref(), Some("rejected"));
            }
            Ending::Withdrew => {
                assert!(archived, "{i} archived");
                assert_eq!(link.outcome.as_deref(), Some("withdrew"));
            }
        }
        assert_eq!(
            link.ats_stage_id.as_deref(),
            Some(stage.as_str()),
            "link stage of {i} matches the ATS"
        );
    }
    // In order: per candidate, each command finished after the previous one started.
    let mut by_cand: BTreeMap<&str, Vec<&CommandRow>> = BTreeMap::new();
    for r in rows {
        by_cand.entry(&r.dover_candidate_id).or_default().push(r);
    }
    for (cand, mut cmds) in by_cand {
        cmds.sort_by_key(|r| r.seq);
        for w in cmds.windows(2) {
            assert!(
                w[0].updated_at <= w[1].updated_at,
                "order of {cand}: {} before {}",
                w[0].kind,
                w[1].kind
            );
        }
    }
}

impl AtsView for fake_ats::FakeAts {
    fn candidates_with_email(&self, email: &str) -> usize {
        self.state
            .lock()
            .candidates
            .iter()
            .filter(|c| c.profile.emails.iter().any(|e| e == email))
            .count()
    }
    fn applications(&self, candidate: &str, job: &str) -> usize {
        self.state
            .lock()
            .applications
            .iter()
            .filter(|a| a.candidate_id.as_str() == candidate && a.job_id.as_str() == job)
            .count()
    }
    fn interviews_with_external_id(&self, external_id: &str) -> usize {
        self.state
            .lock()
            .interviews
            .iter()
            .filter(|i| i.external_id.as_deref() == Some(external_id))
            .count()
    }
    fn emails_with_message_id(&self, message_id: &str) -> usize {
        self.state
            .lock()
            .emails
            .iter()
            .filter(|m| *m == message_id)
            .count()
    }
    fn application_stage(&self, application: &str) -> Option<(String, bool)> {
        self.state
            .lock()
            .applications
            .iter()
            .find(|a| a.id.as_str() == application)
            .map(|a| {
                (
                    a.stage.id.to_string(),
                    a.status == atsbridge_core::model::AtsStatus::Archived,
                )
            })
    }
}
