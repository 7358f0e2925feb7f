//! Executes one claimed command against the connection's ATS adapter.
//!
//! The rules that make a command take effect exactly once, although the ATS has no idempotency
//! keys and a response can be lost after the ATS applied the write (issue #5, reliability notes
//! §3.2):
//!
//! - Before every ATS **create**, the intent is saved as a recovery point with the command's
//!   epoch ([`crate::store::CommandQueue::record_step`]). A `false` answer means another worker
//!   holds the command now (its lease expired and was claimed again): stop without writing.
//! - Every attempt first **looks for what an earlier attempt may have created** and adopts it:
//!   the candidate by email (and LinkedIn when the adapter can search it), the application by
//!   candidate + job, the interview by its external id. Emails are logged with Dover's message
//!   id, which the ATS deduplicates itself.
//! - Moves and archives are idempotent at the ATS; they need no search.
//! - No ATS write starts with less than [`LEASE_MARGIN_MS`] left on the lease: the command is
//!   given back instead and runs again from its recovery points.
//!
//! The candidate link (Dover candidate → ATS candidate, application, stage, outcome) is updated
//! after every successful write, so the reconciler recognises the worker's own writes.

use std::sync::Arc;

use atsbridge_core::ids::{ApplicationId, CandidateId, JobId, StageId};
use atsbridge_core::model::{
    ApplicationState, ArchiveRequest, CandidateProfile, EmailMessage, Identity, LoggedEmail,
    NewNote, Outcome,
};
use atsbridge_core::{AtsAdapter, AtsError};
use serde_json::{Value, json};

use super::adopt;
use super::limiter::ConnectionLimit;
use super::{ExclusionSink, now_ms};
use crate::commands::{CommandPayload, PushCandidate};
use crate::store::{CandidateLinkRow, CommandRow, JobLinkRow, Millis, Store, StoreError};

/// No ATS write starts with less than this left on the command's lease (ms). Longer than the
/// adapter's request timeout, so a write cannot outlive the lease that fences it.
pub const LEASE_MARGIN_MS: i64 = 15_000;

/// Why an execution stopped without a result.
#[derive(Debug)]
pub enum ExecError {
    /// The ATS (or the adapter) failed; what happens next follows the error's kind and
    /// retryability.
    Ats(AtsError),
    /// The command cannot succeed as asked (not linked, not pushed yet, unmapped stage, …). Not
    /// retried. `code` is a stable snake_case code; `message` says what to do.
    Permanent {
        /// Stable code.
        code: &'static str,
        /// What went wrong and what a recruiter can do about it.
        message: String,
    },
    /// The store failed; retried with backoff.
    Store(StoreError),
    /// The command's epoch is stale: another worker holds it. Nothing more may be written.
    Fenced,
    /// Too little lease is left to start an ATS write; give the command back.
    LeaseExpiring,
}

impl From<AtsError> for ExecError {
    fn from(e: AtsError) -> Self {
        ExecError::Ats(e)
    }
}

impl From<StoreError> for ExecError {
    fn from(e: StoreError) -> Self {
        ExecError::Store(e)
    }
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExecError::Ats(e) => write!(f, "{e}"),
            ExecError::Permanent { code, message } => write!(f, "{message} ({code})"),
            ExecError::Store(e) => write!(f, "{e}"),
            ExecError::Fenced => {
                f.write_str("the command's lease was taken over by another worker")
            }
            ExecError::LeaseExpiring => f.write_str("too little lease left to start an ATS write"),
        }
    }
}

fn permanent(code: &'static str, message: impl Into<String>) -> ExecError {
    ExecError::Permanent {
        code,
        message: message.into(),
    }
}

/// Everything one execution needs.
pub struct Execution<'a> {
    /// The store.
    pub store: &'a dyn Store,
    /// The connection's adapter.
    pub adapter: Arc<dyn AtsAdapter>,
    /// The connection's limits (every ATS call waits on its rate limiter).
    pub limit: Arc<ConnectionLimit>,
    /// The claimed command.
    pub command: &'a CommandRow,
    /// The recovery points so far (starts as the command's `steps`).
    pub steps: serde_json::Map<String, Value>,
    /// When the lease ends (epoch ms).
    pub lease_until: Millis,
    /// Told about every ATS candidate created or adopted.
    pub exclusion: Option<Arc<dyn ExclusionSink>>,
}

impl<'a> Execution<'a> {
    /// An execution of `command`, holding its lease until `lease_until`.
    pub fn new(
        store: &'a dyn Store,
        adapter: Arc<dyn AtsAdapter>,
        limit: Arc<ConnectionLimit>,
        command: &'a CommandRow,
        lease_until: Millis,
        exclusion: Option<Arc<dyn ExclusionSink>>,
    ) -> Self {
        let steps = command.steps.as_object().cloned().unwrap_or_default();
        Execution {
            store,
            adapter,
            limit,
            command,
            steps,
            lease_until,
            exclusion,
        }
    }

    /// Runs the command to its result JSON.
    pub async fn run(&mut self) -> Result<Value, ExecError> {
        let payload: CommandPayload = serde_json::from_value(self.command.payload.clone())
            .map_err(|e| {
                permanent(
                    "invalid_payload",
                    format!("the stored command could not be read ({e}); send it again"),
                )
            })?;
        let job_link = self.job_link(payload.dover_job_id()).await?;
        match &payload {
            CommandPayload::Push {
                candidate,
                dover_stage_id,
                ..
            } => {
                self.push(&job_link, candidate, dover_stage_id.as_deref())
                    .await
            }
            CommandPayload::MoveStage { dover_stage_id, .. } => {
                self.move_stage(&job_link, dover_stage_id).await
            }
            CommandPayload::Reject { reason, .. } => {
                let choice = super::reasons::Choice::Reject(reason.clone());
                self.archive(&job_link, choice).await
            }
            CommandPayload::Withdraw { reason_text, .. } => {
                let choice = super::reasons::Choice::Withdraw(reason_text.clone());
                self.archive(&job_link, choice).await
            }
            CommandPayload::ScheduleInterview {
                dover_interview_id,
                events,
                ..
            } => {
                self.schedule_interview(&job_link, dover_interview_id, events)
                    .await
            }
            CommandPayload::LogEmail { message, .. } => self.log_email(&job_link, message).await,
            CommandPayload::AddNote { body, .. } => self.add_note(&job_link, body).await,
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    /// Calls the ATS once: waits for the connection's rate limiter, counts the call by operation
    /// and outcome, and names the operation on the error.
    pub(crate) async fn call<T>(
        &self,
        operation: &'static str,
        fut: impl std::future::Future<Output = Result<T, AtsError>>,
    ) -> Result<T, AtsError> {
        self.limit.ready().await;
        let result = fut.await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.kind().code(),
        };
        metrics::counter!("atsbridge_ats_calls_total", "operation" => operation, "outcome" => outcome).increment(1);
        result.map_err(|e| {
            if e.operation().is_none() {
                e.with_operation(operation)
            } else {
                e
            }
        })
    }

    /// Fails with [`ExecError::LeaseExpiring`] when too little lease is left for an ATS write.
    pub(crate) fn check_lease(&self) -> Result<(), ExecError> {
        if self.lease_until - now_ms() < LEASE_MARGIN_MS {
            return Err(ExecError::LeaseExpiring);
        }
        Ok(())
    }

    /// True when an earlier attempt saved the recovery point `step`.
    pub(crate) fn has_step(&self, step: &str) -> bool {
        self.steps.contains_key(step)
    }

    /// Saves the recovery point `step` (fenced by the epoch). Call before every ATS create.
    pub(crate) async fn record(&mut self, step: &str, data: Value) -> Result<(), ExecError> {
        self.check_lease()?;
        self.steps.insert(step.to_owned(), data);
        let steps = Value::Object(self.steps.clone());
        let ok = self
            .store
            .record_step(&self.command.id, self.command.epoch, &steps, now_ms())
            .await?;
        if !ok {
            return Err(ExecError::Fenced);
        }
        Ok(())
    }

    async fn job_link(&self, dover_job_id: &str) -> Result<JobLinkRow, ExecError> {
        let link = self.store.get_job_link(dover_job_id).await?.ok_or_else(|| {
            permanent(
                "job_not_linked",
                format!("Dover job `{dover_job_id}` is not linked to an ATS job; link it, then send the command again"),
            )
        })?;
        if link.connection_id != self.command.connection_id {
            return Err(permanent(
                "job_linked_elsewhere",
                format!(
                    "Dover job `{dover_job_id}` is linked through connection `{}`, not `{}`; send the command to that connection",
                    link.connection_id, self.command.connection_id
                ),
            ));
        }
        Ok(link)
    }

    async fn candidate_link(&self) -> Result<Option<CandidateLinkRow>, ExecError> {
        Ok(self
            .store
            .get_candidate_link(
                &self.command.connection_id,
                &self.command.dover_candidate_id,
            )
            .await?)
    }

    /// The link of a candidate that was pushed for `job`, with its application.
    async fn pushed_link(
        &self,
        job: &JobLinkRow,
    ) -> Result<(CandidateLinkRow, CandidateId, ApplicationId), ExecError> {
        let not_pushed = || {
            permanent(
                "candidate_not_pushed",
                format!(
                    "candidate `{}` has not been pushed to the ATS yet; push them for Dover job `{}` first",
                    self.command.dover_candidate_id, job.dover_job_id
                ),
            )
        };
        let link = self.candidate_link().await?.ok_or_else(not_pushed)?;
        if link.dover_job_id != job.dover_job_id {
            return Err(permanent(
                "candidate_pushed_for_other_job",
                format!(
                    "candidate `{}` was pushed for Dover job `{}`, not `{}`",
                    self.command.dover_candidate_id, link.dover_job_id, job.dover_job_id
                ),
            ));
        }
        let cand = link.ats_candidate_id.clone().ok_or_else(not_pushed)?;
        let app = link.ats_application_id.clone().ok_or_else(not_pushed)?;
        Ok((link, CandidateId::new(cand), ApplicationId::new(app)))
    }

    /// Writes the application's new stage and outcome into the candidate link.
    async fn save_link_state(
        &self,
        mut link: CandidateLinkRow,
        state: &ApplicationState,
    ) -> Result<(), ExecError> {
        link.ats_application_id = Some(state.id.to_string());
        link.ats_candidate_id = Some(state.candidate_id.to_string());
        link.ats_stage_id = Some(state.stage.id.to_string());
        link.outcome = Some(outcome_str(state.outcome).to_owned());
        link.updated_at = now_ms();
        self.store.upsert_candidate_link(&link).await?;
        Ok(())
    }

    // ---- push ----------------------------------------------------------------------------

    async fn push(
        &mut self,
        job: &JobLinkRow,
        person: &PushCandidate,
        dover_stage_id: Option<&str>,
    ) -> Result<Value, ExecError> {
        if person.name.trim().is_empty() {
            return Err(permanent(
                "invalid_input",
                "the candidate's name is empty; send it with a name",
            ));
        }
        let stage = push_stage(job, dover_stage_id)?;
        let ats_job = JobId::new(job.ats_job_id.clone());
        let credited_to = job
            .post_as_user_id
            .clone()
            .map(atsbridge_core::ids::UserId::new);
        let existing = self.candidate_link().await?;
        if let Some(l) = existing
            .as_ref()
            .filter(|l| l.dover_job_id == job.dover_job_id)
            && let (Some(cand), Some(app)) = (&l.ats_candidate_id, &l.ats_application_id)
        {
            // Pushed before (an earlier command, or this one before a lost completion).
            return Ok(json!({
                "ats_candidate_id": cand,
                "ats_application_id": app,
                "adopted": l.adopted,
                "candidate_created": false,
                "application_adopted": true,
                "ats_stage_id": l.ats_stage_id,
                "outcome": l.outcome,
                "already_pushed": true,
            }));
        }

        // 1. The ATS candidate: known from the link, found (an earlier attempt's or a
        //    pre-existing one, adopted), or created.
        let known = existing
            .as_ref()
            .and_then(|l| l.ats_candidate_id.clone().map(|id| (id, l.adopted)));
        let (candidate_id, adopted, created, candidate) = match known {
            Some((id, adopted)) => (CandidateId::new(id), adopted, false, None),
            None => {
                let profile = profile_of(person);
                let found = adopt::find_candidate(self, person).await?;
                match found {
                    Some(c) => {
                        // Found after our own create was started: that create went through and
                        // only its response was lost. Otherwise the person was already there.
                        let ours = self.has_step(adopt::STEP_CREATE_CANDIDATE);
                        (c.id.clone(), !ours, ours, Some(c))
                    }
                    None => {
                        if self.has_step(adopt::STEP_CREATE_CANDIDATE) && !adopt::searchable(person)
                        {
                            return Err(permanent(
                                "candidate_unverifiable",
                                "an earlier attempt to create this candidate may have succeeded, and the candidate has \
                                 no email or LinkedIn URL to look them up by; check the ATS for the candidate, then push \
                                 again with an email",
                            ));
                        }
                        let c = adopt::create_candidate(self, profile, credited_to.clone()).await?;
                        (c.id.clone(), false, true, Some(c))
                    }
                }
            }
        };

        // 2. The application on the linked job: found (adopted) or created.
        let (app, app_adopted) = adopt::ensure_application(
            self,
            &candidate_id,
            &ats_job,
            stage.clone(),
            credited_to.clone(),
        )
        .await?;

        // 3. The exclusion index learns the candidate at once (no wait for the next sync).
        if let (Some(sink), Some(c)) = (&self.exclusion, &candidate) {
            sink.record(
                self.store,
                &self.command.connection_id,
                c,
                app.outcome == Outcome::Active,
                now_ms(),
            )
            .await;
        }

        // 4. The link, so later commands and the reconciler know the records.
        let link = CandidateLinkRow {
            connection_id: self.command.connection_id.clone(),
            dover_candidate_id: self.command.dover_candidate_id.clone(),
            dover_job_id: job.dover_job_id.clone(),
            ats_candidate_id: Some(candidate_id.to_string()),
            ats_application_id: Some(app.id.to_string()),
            ats_stage_id: Some(app.stage.id.to_string()),
            outcome: Some(outcome_str(app.outcome).to_owned()),
            adopted,
            updated_at: now_ms(),
        };
        self.store.upsert_candidate_link(&link).await?;
        Ok(json!({
            "ats_candidate_id": candidate_id.as_str(),
            "ats_application_id": app.id.as_str(),
            "adopted": adopted,
            "candidate_created": created,
            "application_adopted": app_adopted,
            "ats_stage_id": app.stage.id.as_str(),
            "outcome": outcome_str(app.outcome),
        }))
    }

    // ---- move, archive ---------------------------------------------------------------------

    async fn move_stage(
        &mut self,
        job: &JobLinkRow,
        dover_stage_id: &str,
    ) -> Result<Value, ExecError> {
        let stage = mapped_stage(job, dover_stage_id)?;
        let (link, candidate_id, app_id) = self.pushed_link(job).await?;
        self.check_lease()?;
        let state = self
            .call("move_stage", self.adapter.move_stage(&app_id, &stage))
            .await?;
        self.save_link_state(link, &state).await?;
        Ok(json!({
            "ats_candidate_id": candidate_id.as_str(),
            "ats_application_id": app_id.as_str(),
            "ats_stage_id": state.stage.id.as_str(),
            "outcome": outcome_str(state.outcome),
        }))
    }

    async fn archive(
        &mut self,
        job: &JobLinkRow,
        choice: super::reasons::Choice,
    ) -> Result<Value, ExecError> {
        let (link, candidate_id, app_id) = self.pushed_link(job).await?;
        let reasons = self
            .call(
                "list_rejection_reasons",
                self.adapter.list_rejection_reasons(),
            )
            .await?;
        let chosen = super::reasons::choose(&choice, &reasons, &job.reason_overrides).ok_or_else(|| {
            permanent(
                "no_rejection_reason",
                "the ATS has no usable (non-archived) rejection reason; add one in the ATS, then send the command again",
            )
        })?;
        self.check_lease()?;
        let request = ArchiveRequest {
            application_id: app_id.clone(),
            reason_id: chosen.reason.id.clone(),
            email_template_id: None,
        };
        let state = self.call("archive", self.adapter.archive(&request)).await?;
        self.save_link_state(link, &state).await?;
        Ok(json!({
            "ats_candidate_id": candidate_id.as_str(),
            "ats_application_id": app_id.as_str(),
            "ats_stage_id": state.stage.id.as_str(),
            "outcome": outcome_str(state.outcome),
            "ats_reason_id": chosen.reason.id.as_str(),
            "reason_text": chosen.reason.text,
            "reason_rule": chosen.rule,
        }))
    }

    // ---- interview, email, note ------------------------------------------------------------

    async fn schedule_interview(
        &mut self,
        job: &JobLinkRow,
        dover_interview_id: &str,
        events: &[atsbridge_core::model::InterviewEvent],
    ) -> Result<Value, ExecError> {
        let (_link, candidate_id, app_id) = self.pushed_link(job).await?;
        let (interview, adopted) =
            adopt::ensure_interview(self, &app_id, dover_interview_id, events).await?;
        Ok(json!({
            "ats_candidate_id": candidate_id.as_str(),
            "ats_application_id": app_id.as_str(),
            "ats_interview_id": interview.id.as_str(),
            "adopted": adopted,
        }))
    }

    async fn log_email(
        &mut self,
        job: &JobLinkRow,
        message: &crate::commands::EmailToLog,
    ) -> Result<Value, ExecError> {
        let (_link, candidate_id, app_id) = self.pushed_link(job).await?;
        let email = EmailMessage {
            candidate_id: candidate_id.clone(),
            message_id: message.message_id.clone(),
            subject: message.subject.clone(),
            from: message.from.clone(),
            to: message.to.clone(),
            cc: message.cc.clone(),
            body_html: message.body_html.clone(),
            sent_at: message.sent_at,
        };
        // Logging is idempotent at the ATS by message id: a retry after a lost response logs
        // nothing new. No intent or search needed.
        self.check_lease()?;
        let logged = self
            .call("log_email", self.adapter.log_email(&email))
            .await?;
        let (logged_as, note_id) = match logged {
            LoggedEmail::AsEmail => ("email", None),
            LoggedEmail::AsNote(id) => ("note", Some(id.to_string())),
        };
        Ok(json!({
            "ats_candidate_id": candidate_id.as_str(),
            "ats_application_id": app_id.as_str(),
            "message_id": message.message_id,
            "logged_as": logged_as,
            "ats_note_id": note_id,
        }))
    }

    async fn add_note(
        &mut self,
        job: &JobLinkRow,
        body: &atsbridge_core::model::NoteBody,
    ) -> Result<Value, ExecError> {
        let (_link, candidate_id, app_id) = self.pushed_link(job).await?;
        // The contract has no way to find a note again, so a note whose response was lost may
        // be added twice (at least once, never lost). The result says when that can have
        // happened.
        let retried_after_unknown = self.has_step(adopt::STEP_ADD_NOTE);
        self.record(adopt::STEP_ADD_NOTE, json!({ "started_at": now_ms() }))
            .await?;
        let note = NewNote {
            candidate_id: candidate_id.clone(),
            body: body.clone(),
        };
        let id = self.call("add_note", self.adapter.add_note(&note)).await?;
        Ok(json!({
            "ats_candidate_id": candidate_id.as_str(),
            "ats_application_id": app_id.as_str(),
            "ats_note_id": id.as_str(),
            "possible_duplicate": retried_after_unknown,
        }))
    }
}

/// The ATS stage a push places the application in: the mapped stage of `dover_stage_id`, or,
/// when none is given, the mapped stage of the first active Dover stage (`None` = the plan's
/// first stage when nothing is mapped).
fn push_stage(
    job: &JobLinkRow,
    dover_stage_id: Option<&str>,
) -> Result<Option<StageId>, ExecError> {
    if let Some(id) = dover_stage_id {
        return mapped_stage(job, id).map(Some);
    }
    let first_active = job
        .dover_stages
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|s| {
            let active = s.get("active").and_then(Value::as_bool).unwrap_or(true);
            let id = s.get("id").and_then(Value::as_str)?;
            if !active {
                return None;
            }
            job.stage_mapping
                .get(id)
                .and_then(Value::as_str)
                .map(|ats| StageId::new(ats.to_owned()))
        });
    Ok(first_active)
}

fn mapped_stage(job: &JobLinkRow, dover_stage_id: &str) -> Result<StageId, ExecError> {
    job.stage_mapping.get(dover_stage_id).and_then(Value::as_str).map(|s| StageId::new(s.to_owned())).ok_or_else(|| {
        permanent(
            "stage_not_mapped",
            format!(
                "Dover stage `{dover_stage_id}` is not mapped to an ATS stage in the link of Dover job `{}`; add it to \
                 the job link's stage mapping, then send the command again",
                job.dover_job_id
            ),
        )
    })
}

/// The profile to create in the ATS from Dover's push.
pub(crate) fn profile_of(p: &PushCandidate) -> CandidateProfile {
    CandidateProfile {
        name: p.name.trim().to_owned(),
        emails: p
            .email
            .iter()
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .collect(),
        phones: p
            .phone
            .iter()
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .collect(),
        current_title: p.current_title.clone(),
        company: p.company.clone(),
        linkedin_url: p.linkedin_url.clone().filter(|s| !s.trim().is_empty()),
        other_links: Vec::new(),
        location: None,
    }
}

/// The identities a push can be found again by, strongest first.
pub(crate) fn identities_of(p: &PushCandidate) -> Vec<Identity> {
    let prof = profile_of(p);
    let mut out: Vec<Identity> = prof.emails.iter().map(Identity::email).collect();
    out.extend(prof.linkedin_url.iter().map(Identity::linkedin));
    out
}

/// The stored text of an outcome.
pub fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Active => "active",
        Outcome::Hired => "hired",
        Outcome::Rejected => "rejected",
        Outcome::Withdrew => "withdrew",
    }
}
