//! The [`Sandbox`] handle: shared state, runtime settings and the Rust-side API.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::anyhow;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::{Value, json};

use crate::actions::{self, Act, NewApplication, NewCandidate, StartStage};
use crate::config::{Faults, SandboxConfig};
use crate::envelope::ApiError;
use crate::faults::FaultRng;
use crate::identities::{SeededIdentity, seeded_identity_variants_for};
use crate::ids::{Kind, id};
use crate::model::{CandState, Contact, ContactType, Link, StageType, State};
use crate::ratelimit::RateWindow;
use crate::sync::TokenTable;
use crate::webhooks::{Dispatcher, WebhookDelivery};
use crate::{render, seed};

pub(crate) struct Inner {
    pub config: SandboxConfig,
    pub state: Mutex<State>,
    pub tokens: Mutex<TokenTable>,
    pub faults: Mutex<Faults>,
    pub rng: Mutex<FaultRng>,
    pub rate: Mutex<RateWindow>,
    pub calls: Mutex<BTreeMap<String, u64>>,
    pub webhooks: Dispatcher,
}

/// A running simulation of one Ashby organization. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").finish_non_exhaustive()
    }
}

/// A sandbox served on a TCP port.
#[derive(Debug)]
pub struct RunningSandbox {
    /// Base URL, e.g. `http://127.0.0.1:43121` (no trailing slash).
    pub url: String,
    /// The served sandbox (for control from Rust).
    pub sandbox: Sandbox,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSandbox {
    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// A candidate created "by hand in Ashby" (control API / [`Sandbox::create_candidate`]).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManualCandidate {
    /// Full name (required).
    pub name: String,
    /// Email addresses; the first is primary.
    pub emails: Vec<String>,
    /// Phone numbers; the first is primary.
    pub phones: Vec<String>,
    /// LinkedIn URL, stored as given.
    pub linkedin_url: Option<String>,
    /// Job to add an application for (in the plan's first Lead stage); fires `applicationSubmit`.
    pub job_id: Option<String>,
    /// Source of the candidate (and application).
    pub source_id: Option<String>,
}

/// Ids returned by [`Sandbox::create_candidate`].
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CreatedCandidate {
    /// The new candidate's id.
    pub candidate_id: String,
    /// The new application's id, when a job was given.
    pub application_id: Option<String>,
}

/// One stage of a seeded interview plan.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DemoStage {
    /// Stage id.
    pub id: String,
    /// Stage title, e.g. "Recruiter Screen".
    pub title: String,
    /// Stage type: Lead, PreInterviewScreen, Active, Offer, Hired or Archived.
    pub stage_type: String,
}

/// Ids of the seeded organization's metadata, for tests (works for any seed).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DemoIds {
    /// Job title → id.
    pub jobs: BTreeMap<String, String>,
    /// Ids of jobs with status Open.
    pub open_job_ids: Vec<String>,
    /// Ids of jobs with status Closed.
    pub closed_job_ids: Vec<String>,
    /// The first Open job (the one tests usually use).
    pub primary_job_id: Option<String>,
    /// Interview plan title → id.
    pub interview_plans: BTreeMap<String, String>,
    /// Plan id → stages in plan order.
    pub stages: BTreeMap<String, Vec<DemoStage>>,
    /// Stage type → id of the first stage of that type in the primary job's plan.
    pub stage_ids_by_type: BTreeMap<String, String>,
    /// User email → id.
    pub users: BTreeMap<String, String>,
    /// Users who are a hiring manager on some job.
    pub hiring_manager_ids: Vec<String>,
    /// Users who are a recruiter on some job.
    pub recruiter_ids: Vec<String>,
    /// Source title → id.
    pub sources: BTreeMap<String, String>,
    /// The source titled "Dover", if seeded.
    pub dover_source_id: Option<String>,
    /// Archive reason text → id.
    pub archive_reasons: BTreeMap<String, String>,
    /// Custom field title → id.
    pub custom_fields: BTreeMap<String, String>,
    /// Candidate tag title → id.
    pub tags: BTreeMap<String, String>,
    /// Interview title → id.
    pub interviews: BTreeMap<String, String>,
}

fn api_err(e: ApiError) -> anyhow::Error {
    anyhow!("{}: {}", e.code, e.message)
}

impl Sandbox {
    /// Builds the organization from `config.seed` (plus `extra_candidates`).
    pub fn new(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let state = seed::build(&config)?;
        Ok(Sandbox {
            inner: Arc::new(Inner {
                faults: Mutex::new(Faults::from_config(&config)),
                rng: Mutex::new(FaultRng::new(config.rng_seed)),
                rate: Mutex::new(RateWindow::new()),
                calls: Mutex::default(),
                tokens: Mutex::default(),
                webhooks: Dispatcher::new(config.webhook.clone(), config.webhook_retry_base),
                state: Mutex::new(state),
                config,
            }),
        })
    }

    /// The axum app: every Ashby endpoint at `POST /<endpoint>` and the control API under `/_sandbox`.
    pub fn router(&self) -> axum::Router {
        crate::http::router(self.clone())
    }

    /// Serves [`Sandbox::router`] on `addr` (`127.0.0.1:0` picks a free port).
    pub async fn spawn(self, addr: SocketAddr) -> anyhow::Result<RunningSandbox> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = self.router();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(RunningSandbox {
            url: format!("http://{local}"),
            sandbox: self,
            shutdown: Some(tx),
            task,
        })
    }

    /// Requests received for `endpoint` (e.g. `"candidate.create"`), including failed ones.
    pub fn call_count(&self, endpoint: &str) -> u64 {
        self.inner.calls.lock().get(endpoint).copied().unwrap_or(0)
    }

    /// Requests received per endpoint.
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        self.inner.calls.lock().clone()
    }

    /// Sets every call count to zero.
    pub fn reset_call_counts(&self) {
        self.inner.calls.lock().clear();
    }

    /// Replaces the runtime fault settings (the fault generator keeps its position).
    pub fn set_faults(&self, faults: Faults) {
        let limit_changed =
            self.inner.faults.lock().rate_limit_per_minute != faults.rate_limit_per_minute;
        *self.inner.faults.lock() = faults;
        if limit_changed {
            self.inner.rate.lock().reset();
        }
    }

    /// The current runtime fault settings.
    pub fn faults(&self) -> Faults {
        self.inner.faults.lock().clone()
    }

    /// Restarts the fault generator from `seed`.
    pub fn reseed_faults(&self, seed: u64) {
        *self.inner.rng.lock() = FaultRng::new(seed);
    }

    /// Rebuilds the organization from the configured seed; tokens and counts are reset.
    pub fn reset(&self) -> anyhow::Result<()> {
        let st = seed::build(&self.inner.config)?;
        self.replace_state(st);
        Ok(())
    }

    /// Replaces the organization with one built from a seed document (seed file format).
    pub fn load_seed_json(&self, doc: Value) -> anyhow::Result<()> {
        let st = seed::from_json(doc, &self.inner.config)?;
        self.replace_state(st);
        Ok(())
    }

    fn replace_state(&self, mut st: State) {
        let mut cur = self.inner.state.lock();
        // Keep the change sequence monotonic across resets.
        st.seq += cur.seq;
        *cur = st;
        self.inner.tokens.lock().clear();
        self.inner.calls.lock().clear();
        self.inner.rate.lock().reset();
    }

    /// Runs a recruiter action and fires its webhooks.
    pub(crate) fn act<T>(
        &self,
        f: impl FnOnce(&mut State, &mut Act) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let (out, events, hooks) = {
            let mut st = self.inner.state.lock();
            let admin = st
                .users
                .iter()
                .position(|u| u.global_role == "Organization Admin")
                .map(|u| u as u32);
            let mut act = Act::new(admin);
            let out = f(&mut st, &mut act)?;
            (out, act.events, registered_hooks(&st))
        };
        self.inner.webhooks.fire(&hooks, events);
        Ok(out)
    }

    /// As a recruiter: moves an application to a stage (archive reason exactly for Archived stages).
    pub fn move_stage(
        &self,
        application_id: &str,
        interview_stage_id: &str,
        archive_reason_id: Option<&str>,
    ) -> anyhow::Result<()> {
        self.act(|st, act| {
            let a = st.application_idx(application_id)?;
            let s = st.stage_idx(interview_stage_id)?;
            let r = archive_reason_id.map(|r| st.reason_idx(r)).transpose()?;
            actions::change_stage(st, a, s, r, act)
        })
        .map_err(api_err)
    }

    fn move_to_type(
        &self,
        application_id: &str,
        kind: StageType,
        reason: Option<&str>,
    ) -> Result<(), ApiError> {
        self.act(|st, act| {
            let a = st.application_idx(application_id)?;
            let plan = st.stages[st.applications[a as usize].stage as usize].plan;
            let s = st.first_stage_of(plan, kind).ok_or_else(|| {
                ApiError::new(
                    "interview_stage_not_found",
                    format!("the plan has no {} stage", kind.as_str()),
                )
            })?;
            let r = reason.map(|r| st.reason_idx(r)).transpose()?;
            actions::change_stage(st, a, s, r, act)
        })
    }

    /// As a recruiter: moves an application to its plan's Hired stage.
    pub fn hire(&self, application_id: &str) -> anyhow::Result<()> {
        self.move_to_type(application_id, StageType::Hired, None)
            .map_err(api_err)
    }

    /// As a recruiter: archives an application with a reason (any reason type).
    pub fn archive(&self, application_id: &str, archive_reason_id: &str) -> anyhow::Result<()> {
        self.move_to_type(application_id, StageType::Archived, Some(archive_reason_id))
            .map_err(api_err)
    }

    /// As a recruiter: merges `merged_id` into `survivor_id`. The survivor keeps
    /// both candidates' emails, phones, links, tags and applications; the merged
    /// candidate disappears from lists and `candidate.info` answers `candidate_not_found`.
    pub fn merge_candidates(&self, survivor_id: &str, merged_id: &str) -> anyhow::Result<()> {
        self.act(|st, act| {
            let s = st.candidate_idx(survivor_id)?;
            let m = st.candidate_idx(merged_id)?;
            actions::merge(st, s, m, act)
        })
        .map_err(api_err)
    }

    /// As a recruiter: deletes a candidate (and its applications).
    pub fn delete_candidate(&self, candidate_id: &str) -> anyhow::Result<()> {
        self.act(|st, act| {
            let c = st.candidate_idx(candidate_id)?;
            actions::delete_candidate(st, c, act);
            Ok(())
        })
        .map_err(api_err)
    }

    /// As a recruiter: adds a candidate by hand (no deduplication), optionally
    /// with an application for a job (fires `applicationSubmit`).
    pub fn create_candidate(&self, c: ManualCandidate) -> anyhow::Result<CreatedCandidate> {
        self.act(|st, act| create_manual(st, act, c))
            .map_err(api_err)
    }

    /// Number of live (not merged, not deleted) candidates.
    pub fn candidate_count(&self) -> usize {
        self.inner.state.lock().live_candidates()
    }

    /// Number of live applications.
    pub fn application_count(&self) -> usize {
        self.inner
            .state
            .lock()
            .applications
            .iter()
            .filter(|a| !a.deleted)
            .count()
    }

    /// Ids of live candidates having `email` (case-insensitive exact match on any of their emails).
    pub fn find_candidates_by_email(&self, email: &str) -> Vec<String> {
        let st = self.inner.state.lock();
        st.email_index
            .get(email.to_lowercase().as_str())
            .map(|v| v.iter().map(|&c| id(Kind::Candidate, c)).collect())
            .unwrap_or_default()
    }

    /// Ids of a live candidate's live applications (empty when not found).
    pub fn applications_of_candidate(&self, candidate_id: &str) -> Vec<String> {
        let st = self.inner.state.lock();
        let Ok(c) = st.candidate_idx(candidate_id) else {
            return vec![];
        };
        st.candidates[c as usize]
            .applications
            .iter()
            .filter(|&&a| !st.applications[a as usize].deleted)
            .map(|&a| id(Kind::Application, a))
            .collect()
    }

    /// The application as `application.info` would return it, if it exists.
    pub fn application_json(&self, application_id: &str) -> Option<Value> {
        let st = self.inner.state.lock();
        let a = st.application_idx(application_id).ok()?;
        Some(render::application(&st, a, true))
    }

    /// The candidate as `candidate.info` would return it, if it exists.
    pub fn candidate_json(&self, candidate_id: &str) -> Option<Value> {
        let st = self.inner.state.lock();
        let c = st.candidate_idx(candidate_id).ok()?;
        Some(render::candidate(&st, c))
    }

    /// Identities of the demo seed's candidates for this sandbox's rng seed.
    pub fn seeded_identities(&self) -> Vec<SeededIdentity> {
        seeded_identity_variants_for(self.inner.config.rng_seed)
    }

    /// Webhook deliveries so far (one per event and receiver).
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.inner.webhooks.deliveries.lock().clone()
    }

    /// Ids of the seeded metadata: jobs, plans, stages, users, sources, reasons, fields.
    pub fn demo_catalog(&self) -> DemoIds {
        let st = self.inner.state.lock();
        catalog(&st)
    }

    /// How many logged email messages carry `email_provider_email_id` (any API key).
    pub fn email_message_count(&self, email_provider_email_id: &str) -> usize {
        let st = self.inner.state.lock();
        st.emails
            .iter()
            .filter(|m| m.provider_id == email_provider_email_id)
            .count()
    }

    /// The whole state as JSON (the control API's `GET /_sandbox/state`): users, jobs, plans,
    /// stages, sources, reasons, fields, tags, live/merged/deleted candidates, applications,
    /// notes, interview schedules, logged email messages and webhooks.
    pub fn dump_state(&self) -> Value {
        let st = self.inner.state.lock();
        let live_c: Vec<Value> = (0..st.candidates.len() as u32)
            .filter(|&c| st.candidates[c as usize].state == CandState::Live)
            .map(|c| render::candidate(&st, c))
            .collect();
        let merged: Vec<Value> = st
            .candidates
            .iter()
            .enumerate()
            .filter_map(|(c, x)| match x.state {
                CandState::Merged(s) => Some(json!({
                    "id": id(Kind::Candidate, c as u32),
                    "mergedInto": id(Kind::Candidate, s),
                })),
                _ => None,
            })
            .collect();
        let deleted: Vec<String> = st
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, x)| x.state == CandState::Deleted)
            .map(|(c, _)| id(Kind::Candidate, c as u32))
            .collect();
        let apps: Vec<Value> = (0..st.applications.len() as u32)
            .filter(|&a| !st.applications[a as usize].deleted)
            .map(|a| render::application(&st, a, true))
            .collect();
        json!({
            "changeSequence": st.seq,
            "users": (0..st.users.len() as u32).map(|u| render::user(&st, u)).collect::<Vec<_>>(),
            "jobs": (0..st.jobs.len() as u32).map(|j| render::job(&st, j)).collect::<Vec<_>>(),
            "interviewPlans": (0..st.plans.len() as u32).map(|p| render::plan(&st, p)).collect::<Vec<_>>(),
            "interviewStages": (0..st.stages.len() as u32).map(|s| render::stage(&st, s)).collect::<Vec<_>>(),
            "sources": (0..st.sources.len() as u32).map(|s| render::source(&st, s)).collect::<Vec<_>>(),
            "archiveReasons": (0..st.archive_reasons.len() as u32).map(|r| render::archive_reason(&st, r, false)).collect::<Vec<_>>(),
            "customFields": (0..st.custom_fields.len() as u32).map(|f| render::custom_field(&st, f)).collect::<Vec<_>>(),
            "candidateTags": (0..st.tags.len() as u32).map(|t| render::tag(&st, t)).collect::<Vec<_>>(),
            "candidates": live_c,
            "mergedCandidates": merged,
            "deletedCandidates": deleted,
            "applications": apps,
            "notes": (0..st.notes.len() as u32).map(|n| render::note(&st, n)).collect::<Vec<_>>(),
            "interviewSchedules": (0..st.schedules.len() as u32).map(|s| render::schedule(&st, s)).collect::<Vec<_>>(),
            "emailMessages": st.emails.iter().map(|m| json!({
                "candidateId": id(Kind::Candidate, m.candidate), "emailProviderEmailId": m.provider_id,
            })).collect::<Vec<_>>(),
            "webhooks": st.webhooks.iter().enumerate().filter(|(_, w)| !w.deleted).map(|(i, w)| json!({
                "id": id(Kind::Webhook, i as u32), "webhookType": w.kind, "requestUrl": w.url, "enabled": w.enabled,
            })).collect::<Vec<_>>(),
        })
    }
}

/// `(type, url, secret)` of enabled registrations.
pub(crate) fn registered_hooks(st: &State) -> Vec<(String, String, String)> {
    st.webhooks
        .iter()
        .filter(|w| w.enabled && !w.deleted)
        .map(|w| (w.kind.clone(), w.url.clone(), w.secret.clone()))
        .collect()
}

fn create_manual(
    st: &mut State,
    act: &mut Act,
    c: ManualCandidate,
) -> Result<CreatedCandidate, ApiError> {
    if c.name.trim().is_empty() {
        return Err(ApiError::invalid("name is required"));
    }
    let source = c
        .source_id
        .as_deref()
        .map(|s| st.source_idx(s))
        .transpose()?;
    let job = c.job_id.as_deref().map(|j| st.job_idx(j)).transpose()?;
    let contacts = |v: Vec<String>| {
        v.into_iter()
            .map(|x| Contact {
                value: x.into(),
                kind: ContactType::Personal,
            })
            .collect()
    };
    let cand = actions::add_candidate(
        st,
        NewCandidate {
            name: c.name,
            emails: contacts(c.emails),
            phones: contacts(c.phones),
            links: c
                .linkedin_url
                .into_iter()
                .map(|u| Link {
                    kind: "LinkedIn",
                    url: u.into(),
                })
                .collect(),
            source,
            ..Default::default()
        },
        act,
    );
    let app = match job {
        Some(j) => {
            let a = actions::add_application(
                st,
                NewApplication {
                    candidate: cand,
                    job: j,
                    plan: None,
                    start: StartStage::FirstLead,
                    source,
                    credited: None,
                    created_at: None,
                },
                act,
            )?;
            actions::application_submit_event(st, a, act);
            Some(id(Kind::Application, a))
        }
        None => None,
    };
    Ok(CreatedCandidate {
        candidate_id: id(Kind::Candidate, cand),
        application_id: app,
    })
}

fn catalog(st: &State) -> DemoIds {
    let mut d = DemoIds::default();
    for (j, x) in st.jobs.iter().enumerate() {
        let jid = id(Kind::Job, j as u32);
        d.jobs.insert(x.title.clone(), jid.clone());
        match x.status.as_str() {
            "Open" => d.open_job_ids.push(jid),
            "Closed" => d.closed_job_ids.push(jid),
            _ => {}
        }
        for m in &x.hiring_team {
            let uid = id(Kind::User, m.user);
            let list = match m.role.as_str() {
                "Hiring Manager" => &mut d.hiring_manager_ids,
                "Recruiter" => &mut d.recruiter_ids,
                _ => continue,
            };
            if !list.contains(&uid) {
                list.push(uid);
            }
        }
    }
    d.primary_job_id = d.open_job_ids.first().cloned();
    for (p, x) in st.plans.iter().enumerate() {
        let pid = id(Kind::Plan, p as u32);
        d.interview_plans.insert(x.title.clone(), pid.clone());
        d.stages.insert(
            pid,
            x.stages
                .iter()
                .map(|&s| DemoStage {
                    id: id(Kind::Stage, s),
                    title: st.stages[s as usize].title.clone(),
                    stage_type: st.stages[s as usize].kind.as_str().into(),
                })
                .collect(),
        );
    }
    let primary_plan = st
        .jobs
        .iter()
        .find(|j| j.status == "Open")
        .and_then(|j| j.default_plan);
    if let Some(p) = primary_plan {
        for k in StageType::ALL {
            if let Some(s) = st.first_stage_of(p, k) {
                d.stage_ids_by_type
                    .insert(k.as_str().into(), id(Kind::Stage, s));
            }
        }
    }
    for (u, x) in st.users.iter().enumerate() {
        d.users.insert(x.email.clone(), id(Kind::User, u as u32));
    }
    for (s, x) in st.sources.iter().enumerate() {
        d.sources
            .insert(x.title.clone(), id(Kind::Source, s as u32));
    }
    d.dover_source_id = d.sources.get("Dover").cloned();
    for (r, x) in st.archive_reasons.iter().enumerate() {
        d.archive_reasons
            .insert(x.text.clone(), id(Kind::ArchiveReason, r as u32));
    }
    for (f, x) in st.custom_fields.iter().enumerate() {
        d.custom_fields
            .insert(x.title.clone(), id(Kind::CustomField, f as u32));
    }
    for (t, x) in st.tags.iter().enumerate() {
        d.tags.insert(x.title.clone(), id(Kind::Tag, t as u32));
    }
    for (i, x) in st.interviews.iter().enumerate() {
        d.interviews
            .insert(x.title.clone(), id(Kind::Interview, i as u32));
    }
    d
}
