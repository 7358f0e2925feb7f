//! The `AtsAdapter` contract.
//!
//! One implementation per ATS. The server holds adapters as `Arc<dyn AtsAdapter>` and knows them
//! only through this trait. Each method's `# Behaviour` section is the contract; every rule there
//! has a conformance case of the same name in `atsbridge-conformance`.
//!
//! Rules that hold for every method:
//! - An operation the adapter does not declare in [`AtsAdapter::capabilities`] returns
//!   [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) and makes no ATS call. The
//!   default method bodies do exactly that.
//! - Errors are [`AtsError`]s: kind and retryability are set from what the ATS said (401 →
//!   unauthenticated, 403 → permission denied naming the permission, 429 → rate limited with the
//!   wait, 5xx/timeouts → unavailable and temporary, ...). The ATS's request id travels with them.
//! - Reads may be retried by the adapter. **Writes are never repeated by the adapter**: when a
//!   write's outcome is unknown (timeout, connection lost after sending, 5xx) the error is
//!   temporary and marked [`AtsError::maybe_applied`]; the caller looks for the record before
//!   writing again (that is what the `find_*` methods are for).
//! - Records the ATS sends with missing or `null` optional fields, or with enum values the
//!   adapter does not know, are still returned (unknown values kept in `Other(..)` variants).
//! - No secret (API key, token, webhook secret) appears in any error, log line or `Debug` output.

use crate::capability::{Capabilities, Capability};
use crate::error::{AtsError, Result};
use crate::ids::{ApplicationId, CandidateId, JobId, NoteId};
use crate::model::*;
use crate::webhook::WebhookDelivery;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What the ATS said about a set of credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialReport {
    /// The account or key name the ATS reports (never the key itself).
    pub account: String,
    /// Permissions the integration needs that the key has.
    pub granted: Vec<String>,
    /// Permissions the integration needs that the key lacks. Empty means fully usable.
    pub missing: Vec<String>,
}

/// Raw HTTP parts of a webhook delivery, exactly as received.
#[derive(Clone, Copy, Debug)]
pub struct WebhookRequest<'a> {
    /// Request headers, names in any case.
    pub headers: &'a http::HeaderMap,
    /// The raw body bytes, before any JSON parsing (signatures cover these bytes).
    pub body: &'a [u8],
}

fn unsupported<T>(cap: Capability) -> Result<T> {
    Err(AtsError::unsupported(cap.operation()))
}

/// The contract every ATS adapter implements. See the module docs for rules common to all methods.
#[async_trait]
pub trait AtsAdapter: Send + Sync + std::fmt::Debug + 'static {
    /// The adapter's registry kind (`"ashby"`).
    fn kind(&self) -> &'static str;

    /// The operations this adapter supports. Constant for the adapter's lifetime.
    fn capabilities(&self) -> Capabilities;

    /// Checks the credentials and reports which needed permissions are granted and missing.
    ///
    /// # Behaviour
    /// - `credentials_ok_reports_account`: valid credentials give `Ok` with the account name and
    ///   `missing` listing every needed permission the key lacks (empty when none).
    /// - `bad_credentials_are_unauthenticated`: a wrong or revoked key gives `Unauthenticated`,
    ///   permanent (not `Ok` with everything missing).
    async fn validate_credentials(&self) -> Result<CredentialReport> {
        unsupported(Capability::ValidateCredentials)
    }

    /// Lists the ATS's jobs, open jobs first, then the others; each once.
    ///
    /// # Behaviour
    /// - `list_jobs_open_first`: every job the key can see, open ones before others.
    /// - An organization with no jobs gives `Ok(vec![])`.
    async fn list_jobs(&self) -> Result<Vec<Job>> {
        unsupported(Capability::ListJobs)
    }

    /// Lists the stages of a job's (default) interview plan in plan order.
    ///
    /// # Behaviour
    /// - `stages_in_plan_order`: sorted by [`Stage::order`], each with its [`StageKind`].
    /// - `unknown_job_is_not_found`: an unknown job gives `NotFound`, permanent.
    async fn list_job_stages(&self, job: &JobId) -> Result<Vec<Stage>> {
        let _ = job;
        unsupported(Capability::ListJobStages)
    }

    /// Lists the ATS's users (enabled and disabled; see [`User::enabled`]).
    async fn list_users(&self) -> Result<Vec<User>> {
        unsupported(Capability::ListUsers)
    }

    /// Lists candidate sources, archived ones included and flagged.
    async fn list_sources(&self) -> Result<Vec<Source>> {
        unsupported(Capability::ListSources)
    }

    /// Lists rejection (archive) reasons, archived ones included and flagged, so that reasons on
    /// old applications can still be read. Callers choose only among non-archived ones.
    async fn list_rejection_reasons(&self) -> Result<Vec<RejectionReason>> {
        unsupported(Capability::ListRejectionReasons)
    }

    /// Finds candidates that carry `identity` (an email, LinkedIn URL or phone).
    ///
    /// # Behaviour
    /// - `find_by_email_ignores_case`: email matching ignores case and surrounding spaces.
    /// - `find_no_match_is_empty`: no match gives `Ok(vec![])`, never `NotFound`.
    /// - Several candidates may match (the ATS allows duplicates); all are returned, oldest
    ///   first when the ATS says.
    /// - An identity kind the ATS cannot search gives `InvalidInput` naming the kind.
    async fn find_candidates(&self, identity: &Identity) -> Result<Vec<Candidate>> {
        let _ = identity;
        unsupported(Capability::FindCandidates)
    }

    /// Reads one page of the candidate change stream.
    ///
    /// `since = None` starts a full pass over every candidate. Otherwise pass the
    /// [`ChangePage::next`] of the previous page.
    ///
    /// # Behaviour
    /// - `full_pass_yields_each_once`: following `next` while `more` yields every candidate once.
    /// - `incremental_returns_exactly_changes`: passing the final `next` of a pass later yields
    ///   exactly the candidates created or changed since (it may repeat a record, never miss one).
    /// - `resume_from_any_page`: any page's `next`, stored and passed back, continues there.
    /// - `expired_token_needs_full_resync`: an expired or unusable position gives
    ///   `FullResyncNeeded`; the caller restarts with `None`.
    async fn candidate_changes(&self, since: Option<&SyncCursor>) -> Result<ChangePage<Candidate>> {
        let _ = since;
        unsupported(Capability::CandidateChanges)
    }

    /// Creates a candidate. Not idempotent: call [`AtsAdapter::find_candidates`] first.
    ///
    /// # Behaviour
    /// - `create_then_read_back_keeps_fields`: the returned candidate carries the name, emails,
    ///   phones and LinkedIn URL given; title and company are kept where the ATS has a place
    ///   (otherwise in the sourcing note).
    /// - `duplicate_create_is_detectable`: after a create, `find_candidates` with the email finds
    ///   the new candidate, so a retry can adopt it instead of creating a second.
    /// - An empty name gives `InvalidInput` naming `name`, with no ATS call.
    async fn create_candidate(&self, candidate: &NewCandidate) -> Result<Candidate> {
        let _ = candidate;
        unsupported(Capability::CreateCandidate)
    }

    /// Finds the candidate's application for a job, if one exists (any status).
    ///
    /// # Behaviour
    /// - `find_application_after_create`: returns an application created by
    ///   [`AtsAdapter::create_application`] for the same candidate and job.
    /// - No application gives `Ok(None)`; an unknown candidate gives `NotFound`.
    async fn find_application(
        &self,
        candidate: &CandidateId,
        job: &JobId,
    ) -> Result<Option<ApplicationState>> {
        let _ = (candidate, job);
        unsupported(Capability::FindApplication)
    }

    /// Creates an application of a candidate for a job at a stage. Not idempotent: call
    /// [`AtsAdapter::find_application`] first.
    ///
    /// # Behaviour
    /// - `create_application_at_stage`: the returned state is at `stage_id` (or the plan's first
    ///   stage when `None`), with the source and credited user given.
    /// - An unknown candidate, job or stage gives `NotFound`, permanent.
    async fn create_application(&self, application: &NewApplication) -> Result<ApplicationState> {
        let _ = application;
        unsupported(Capability::CreateApplication)
    }

    /// Moves an application to a non-archive stage of its plan. Idempotent: moving to the stage it
    /// is already in succeeds and changes nothing.
    ///
    /// # Behaviour
    /// - `move_to_unknown_stage_is_not_found`: an unknown stage gives `NotFound` (or
    ///   `InvalidInput`), permanent.
    /// - A move to an archive-kind stage gives `InvalidInput`: use [`AtsAdapter::archive`].
    async fn move_stage(
        &self,
        application: &ApplicationId,
        stage: &crate::ids::StageId,
    ) -> Result<ApplicationState> {
        let _ = (application, stage);
        unsupported(Capability::MoveStage)
    }

    /// Archives (rejects) an application with a reason. Idempotent when already archived with
    /// the same reason.
    ///
    /// # Behaviour
    /// - `archive_sets_reason_and_outcome`: the returned state is archived with the reason, and
    ///   its outcome is rejected or withdrew by the reason's type.
    /// - `archive_without_valid_reason_is_refused`: an unknown or archived reason gives
    ///   `NotFound` or `InvalidInput`, permanent, and the application is unchanged.
    async fn archive(&self, request: &ArchiveRequest) -> Result<ApplicationState> {
        let _ = request;
        unsupported(Capability::Archive)
    }

    /// Finds an interview previously created with `external_id` on an application.
    ///
    /// # Behaviour
    /// - `find_interview_by_external_id`: returns the interview created by
    ///   [`AtsAdapter::create_interview`] with that external id; `Ok(None)` when there is none.
    async fn find_interview(
        &self,
        application: &ApplicationId,
        external_id: &str,
    ) -> Result<Option<Interview>> {
        let _ = (application, external_id);
        unsupported(Capability::FindInterview)
    }

    /// Schedules an interview. Not idempotent: call [`AtsAdapter::find_interview`] first.
    ///
    /// # Behaviour
    /// - `create_interview_keeps_external_id`: the interview can be found again by its
    ///   `external_id`.
    /// - No events, or an event ending before it starts, gives `InvalidInput` with no ATS call.
    async fn create_interview(&self, interview: &NewInterview) -> Result<Interview> {
        let _ = interview;
        unsupported(Capability::CreateInterview)
    }

    /// Adds a note to a candidate. Not idempotent.
    async fn add_note(&self, note: &NewNote) -> Result<NoteId> {
        let _ = note;
        unsupported(Capability::AddNote)
    }

    /// Logs an email exchanged with a candidate.
    ///
    /// # Behaviour
    /// - `log_email_is_idempotent`: logging the same `message_id` twice logs it once.
    /// - When the ATS refuses email logging for the key, the adapter may log a note instead and
    ///   says so with [`LoggedEmail::AsNote`].
    async fn log_email(&self, email: &EmailMessage) -> Result<LoggedEmail> {
        let _ = email;
        unsupported(Capability::LogEmail)
    }

    /// Reads an application's current state.
    ///
    /// # Behaviour
    /// - An unknown application gives `NotFound`, permanent.
    async fn application_state(&self, application: &ApplicationId) -> Result<ApplicationState> {
        let _ = application;
        unsupported(Capability::ApplicationState)
    }

    /// Reads one page of the application change stream. Same rules as
    /// [`AtsAdapter::candidate_changes`].
    async fn application_changes(
        &self,
        since: Option<&SyncCursor>,
    ) -> Result<ChangePage<ApplicationState>> {
        let _ = since;
        unsupported(Capability::ApplicationChanges)
    }

    /// Verifies a webhook delivery's signature with `secret` and parses it.
    ///
    /// # Behaviour
    /// - `webhook_bad_signature_refused`: a missing or wrong signature gives `Unauthenticated`;
    ///   the comparison is constant-time.
    /// - `webhook_parses_actions`: each action the product uses becomes its [`crate::WebhookEvent`];
    ///   other actions become `Ignored`; a body that is not the ATS's shape gives `InvalidInput`.
    fn parse_webhook(
        &self,
        secret: &secrecy::SecretString,
        request: WebhookRequest<'_>,
    ) -> Result<WebhookDelivery> {
        let _ = (secret, request);
        unsupported(Capability::Webhooks)
    }
}
