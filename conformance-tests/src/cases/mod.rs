//! The conformance cases, one per rule of the `AtsAdapter` contract, named after the rule.
//!
//! A case is an async function of a [`CaseCtx`]: the adapter under test (built through the
//! registry), the [`OperatorHandle`] to act on the ATS directly, and the wire (the proxy in
//! sandbox runs, the replay server in replay runs) to count calls and inject faults. The same
//! function runs in both modes; in replay the operator's answers come from the tape and injected
//! faults are already in the fixtures.

mod applications;
mod candidates;
mod errors;
mod exclusion;
mod interviews;
mod metadata;
mod sync;
mod unsupported;
mod webhooks;

use crate::proxy::Proxy;
use crate::replay::{ReplayServer, TapeEntry};
use crate::target::{Catalog, ConformanceTarget, Fault, KeyVariant, TargetSandbox};
use atsbridge_core::ids::{ApplicationId, CandidateId};
use atsbridge_core::model::CandidateProfile;
use atsbridge_core::{AdapterContext, AtsAdapter, AtsError, Capability, ErrorKind};
use futures::future::BoxFuture;
use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
use std::sync::Arc;

pub use errors::probe_call;

/// What a case returns: `Err` explains the failure.
pub type CaseResult = anyhow::Result<()>;

/// A case's body.
pub type CaseFn = for<'a> fn(&'a CaseCtx) -> BoxFuture<'a, CaseResult>;

/// One conformance case.
#[derive(Clone, Copy)]
pub struct Case {
    /// The contract rule's name (`find_by_email_ignores_case`).
    pub name: &'static str,
    /// Capabilities the adapter must declare for the case to run; otherwise it is skipped.
    /// Empty means it always runs.
    pub requires: &'static [Capability],
    /// The body.
    pub run: CaseFn,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("name", &self.name)
            .field("requires", &self.requires)
            .finish()
    }
}

impl Case {
    /// True when the adapter declares every capability the case needs.
    pub fn runs_for(&self, caps: &atsbridge_core::Capabilities) -> bool {
        self.requires.iter().all(|c| caps.has(*c))
    }
}

macro_rules! case {
    ($module:ident :: $name:ident, [$($cap:ident),*]) => {
        Case {
            name: stringify!($name),
            requires: &[$(Capability::$cap),*],
            run: |ctx| Box::pin($module::$name(ctx)),
        }
    };
}

/// Every case, in the order they are listed.
pub fn all() -> Vec<Case> {
    vec![
        case!(
            metadata::credentials_ok_reports_account,
            [ValidateCredentials]
        ),
        case!(
            metadata::bad_credentials_are_unauthenticated,
            [ValidateCredentials]
        ),
        case!(metadata::list_jobs_open_first, [ListJobs]),
        case!(metadata::stages_in_plan_order, [ListJobStages]),
        case!(metadata::unknown_job_is_not_found, [ListJobStages]),
        case!(metadata::list_users_includes_seeded_user, [ListUsers]),
        case!(metadata::list_sources_includes_seeded_source, [ListSources]),
        case!(
            metadata::rejection_reasons_flag_archived,
            [ListRejectionReasons]
        ),
        case!(exclusion::find_by_email_ignores_case, [FindCandidates]),
        case!(exclusion::find_no_match_is_empty, [FindCandidates]),
        case!(
            exclusion::find_by_each_searchable_identity,
            [FindCandidates]
        ),
        case!(
            exclusion::find_unsearchable_identity_is_invalid_input,
            [FindCandidates]
        ),
        case!(
            candidates::create_then_read_back_keeps_fields,
            [CreateCandidate]
        ),
        case!(
            candidates::duplicate_create_is_detectable,
            [CreateCandidate, FindCandidates]
        ),
        case!(
            candidates::create_with_empty_name_is_invalid_input,
            [CreateCandidate]
        ),
        case!(candidates::add_note_returns_id, [AddNote]),
        case!(candidates::log_email_is_idempotent, [LogEmail]),
        case!(
            applications::create_application_at_stage,
            [CreateApplication]
        ),
        case!(
            applications::find_application_after_create,
            [FindApplication, CreateApplication]
        ),
        case!(
            applications::move_to_unknown_stage_is_not_found,
            [MoveStage, CreateApplication]
        ),
        case!(
            applications::move_stage_is_idempotent,
            [MoveStage, CreateApplication]
        ),
        case!(
            applications::archive_sets_reason_and_outcome,
            [Archive, CreateApplication]
        ),
        case!(
            applications::archive_without_valid_reason_is_refused,
            [Archive, CreateApplication]
        ),
        case!(
            applications::unknown_application_is_not_found,
            [ApplicationState]
        ),
        case!(
            interviews::find_interview_by_external_id,
            [FindInterview, CreateInterview, CreateApplication]
        ),
        case!(
            interviews::create_interview_keeps_external_id,
            [CreateInterview, CreateApplication]
        ),
        case!(sync::full_pass_yields_each_once, [CandidateChanges]),
        case!(
            sync::incremental_returns_exactly_changes,
            [CandidateChanges]
        ),
        case!(sync::resume_from_any_page, [CandidateChanges]),
        case!(sync::expired_token_needs_full_resync, [CandidateChanges]),
        case!(
            sync::application_changes_yield_each_once,
            [ApplicationChanges]
        ),
        case!(errors::errors_map_401, []),
        case!(errors::errors_map_403, []),
        case!(errors::errors_map_429, []),
        case!(errors::errors_map_5xx, []),
        case!(errors::read_only_key_cannot_write, [CreateCandidate]),
        case!(webhooks::webhook_bad_signature_refused, [Webhooks]),
        case!(webhooks::webhook_parses_actions, [Webhooks]),
        case!(unsupported::unsupported_operations_make_no_calls, []),
    ]
}

/// Where the adapter's HTTP calls go.
pub(crate) enum Wire {
    /// Sandbox run: the counting, fault-injecting proxy.
    Proxy(Arc<Proxy>),
    /// Replay run: the strict replay server.
    Replay(Arc<ReplayServer>),
}

/// Everything a case works with.
pub struct CaseCtx {
    pub(crate) target: Arc<dyn ConformanceTarget>,
    pub(crate) base_url: String,
    pub(crate) adapter: Arc<dyn AtsAdapter>,
    pub(crate) operator: OperatorHandle,
    pub(crate) wire: Wire,
}

impl CaseCtx {
    /// The adapter under test, built with valid credentials.
    pub fn adapter(&self) -> &Arc<dyn AtsAdapter> {
        &self.adapter
    }

    /// Another adapter of the same kind against the same ATS, with other credentials.
    pub fn adapter_with(&self, key: KeyVariant) -> anyhow::Result<Arc<dyn AtsAdapter>> {
        let settings = self.target.settings(&self.base_url, key);
        atsbridge_core::registry::build(
            self.target.kind(),
            &AdapterContext::from_settings(&settings),
        )
        .map_err(|e| anyhow::anyhow!("building the adapter with {key:?} credentials failed: {e}"))
    }

    /// The target being tested.
    pub fn target(&self) -> &dyn ConformanceTarget {
        &*self.target
    }

    /// Acting on the ATS directly.
    pub fn op(&self) -> &OperatorHandle {
        &self.operator
    }

    /// HTTP calls the adapters made so far.
    pub fn calls(&self) -> u64 {
        match &self.wire {
            Wire::Proxy(p) => p.calls(),
            Wire::Replay(r) => r.calls(),
        }
    }

    /// Answers the adapter's next `times` calls with `fault` (in replay the fixtures already
    /// hold the fault answers, so this does nothing).
    pub fn inject(&self, fault: Fault, times: usize) {
        if let Wire::Proxy(p) = &self.wire {
            p.inject(self.target.fault_response(fault), times);
        }
    }

    /// Answers the adapter's next `times` *writes* (as the target classifies requests) with
    /// `fault`; reads are forwarded. Does nothing in replay.
    pub fn inject_on_writes(&self, fault: Fault, times: usize) {
        if let Wire::Proxy(p) = &self.wire {
            let target = self.target.clone();
            p.inject_where(
                self.target.fault_response(fault),
                times,
                Some(Arc::new(move |path: &str| target.is_write(path))),
            );
        }
    }

    /// Write requests the adapters made so far (as the target classifies requests).
    pub fn write_calls(&self) -> usize {
        let exchanges = match &self.wire {
            Wire::Proxy(p) => p.exchanges(),
            Wire::Replay(r) => r.exchanges(),
        };
        exchanges
            .iter()
            .filter(|x| {
                self.target
                    .is_write(x.request.path.split('?').next().unwrap_or_default())
            })
            .count()
    }

    /// Disarms an injected fault.
    pub fn clear_fault(&self) {
        if let Wire::Proxy(p) = &self.wire {
            p.clear_fault();
        }
    }
}

/// The [`crate::Operator`] as cases use it: live against the sandbox (recording each answer on
/// the tape), or answered from the tape in replay.
pub struct OperatorHandle {
    live: Option<Box<dyn TargetSandbox>>,
    recorded: Mutex<Vec<TapeEntry>>,
    replay: Mutex<VecDeque<TapeEntry>>,
}

impl OperatorHandle {
    /// Acts on `sandbox` and records every answer.
    pub(crate) fn live(sandbox: Box<dyn TargetSandbox>) -> Self {
        Self {
            live: Some(sandbox),
            recorded: Mutex::new(Vec::new()),
            replay: Mutex::new(VecDeque::new()),
        }
    }

    /// Answers from `tape`.
    pub(crate) fn replay(tape: Vec<TapeEntry>) -> Self {
        Self {
            live: None,
            recorded: Mutex::new(Vec::new()),
            replay: Mutex::new(tape.into()),
        }
    }

    /// The answers recorded so far.
    pub(crate) fn tape(&self) -> Vec<TapeEntry> {
        self.recorded.lock().clone()
    }

    /// Operator answers the replayed case did not ask for.
    pub(crate) fn unused(&self) -> usize {
        self.replay.lock().len()
    }

    /// In replay, the next answer on the tape (which must be for `op`); live, `None`.
    fn replayed<T: DeserializeOwned>(&self, op: &str) -> anyhow::Result<Option<T>> {
        if self.live.is_some() {
            return Ok(None);
        }
        let entry = self.replay.lock().pop_front().ok_or_else(|| {
            anyhow::anyhow!("operator tape has no answer left for `{op}` (re-record the case)")
        })?;
        anyhow::ensure!(
            entry.op == op,
            "operator tape answers `{}` where the case asks `{op}` (re-record)",
            entry.op
        );
        Ok(Some(serde_json::from_value(entry.result)?))
    }

    fn sandbox(&self) -> &dyn TargetSandbox {
        self.live
            .as_deref()
            .expect("live when nothing was replayed")
    }

    fn record<T: Serialize>(&self, op: &str, value: T) -> anyhow::Result<T> {
        self.recorded.lock().push(TapeEntry {
            op: op.to_owned(),
            result: serde_json::to_value(&value)?,
        });
        Ok(value)
    }

    /// See [`crate::Operator::catalog`].
    pub async fn catalog(&self) -> anyhow::Result<Catalog> {
        match self.replayed("catalog")? {
            Some(v) => Ok(v),
            None => self.record("catalog", self.sandbox().catalog().await?),
        }
    }

    /// See [`crate::Operator::create_candidate`].
    pub async fn create_candidate(
        &self,
        profile: &CandidateProfile,
    ) -> anyhow::Result<CandidateId> {
        match self.replayed("create_candidate")? {
            Some(v) => Ok(v),
            None => self.record(
                "create_candidate",
                self.sandbox().create_candidate(profile).await?,
            ),
        }
    }

    /// See [`crate::Operator::rename_candidate`].
    pub async fn rename_candidate(
        &self,
        candidate: &CandidateId,
        name: &str,
    ) -> anyhow::Result<()> {
        match self.replayed("rename_candidate")? {
            Some(v) => Ok(v),
            None => self.record(
                "rename_candidate",
                self.sandbox().rename_candidate(candidate, name).await?,
            ),
        }
    }

    /// See [`crate::Operator::candidate_ids`].
    pub async fn candidate_ids(&self) -> anyhow::Result<Vec<CandidateId>> {
        match self.replayed("candidate_ids")? {
            Some(v) => Ok(v),
            None => self.record("candidate_ids", self.sandbox().candidate_ids().await?),
        }
    }

    /// See [`crate::Operator::application_ids`].
    pub async fn application_ids(&self) -> anyhow::Result<Vec<ApplicationId>> {
        match self.replayed("application_ids")? {
            Some(v) => Ok(v),
            None => self.record("application_ids", self.sandbox().application_ids().await?),
        }
    }

    /// See [`crate::Operator::expire_sync_tokens`].
    pub async fn expire_sync_tokens(&self) -> anyhow::Result<()> {
        match self.replayed("expire_sync_tokens")? {
            Some(v) => Ok(v),
            None => self.record(
                "expire_sync_tokens",
                self.sandbox().expire_sync_tokens().await?,
            ),
        }
    }

    /// See [`crate::Operator::logged_email_count`].
    pub async fn logged_email_count(
        &self,
        candidate: &CandidateId,
    ) -> anyhow::Result<Option<usize>> {
        match self.replayed("logged_email_count")? {
            Some(v) => Ok(v),
            None => self.record(
                "logged_email_count",
                self.sandbox().logged_email_count(candidate).await?,
            ),
        }
    }
}

/// A profile with a name and one email, for cases that just need a candidate.
pub(crate) fn person(tag: &str) -> CandidateProfile {
    CandidateProfile {
        name: format!("Conformance {tag}"),
        emails: vec![format!("conformance.{tag}@example.com")],
        ..CandidateProfile::default()
    }
}

/// The error of `result`, or a failure saying what succeeded instead.
pub(crate) fn expect_err<T: std::fmt::Debug>(
    result: atsbridge_core::Result<T>,
    what: &str,
) -> anyhow::Result<AtsError> {
    match result {
        Ok(v) => anyhow::bail!("{what}: expected an error, got Ok({v:?})"),
        Err(e) => Ok(e),
    }
}

/// Fails unless `err` is permanent and its kind satisfies `ok`.
pub(crate) fn expect_permanent(
    err: &AtsError,
    what: &str,
    ok: impl Fn(&ErrorKind) -> bool,
) -> CaseResult {
    anyhow::ensure!(ok(err.kind()), "{what}: wrong error kind: {err:?}");
    anyhow::ensure!(
        !err.is_temporary(),
        "{what}: error must be permanent: {err:?}"
    );
    Ok(())
}

/// Fails with the adapter error `e`, naming the step.
pub(crate) fn step<T>(what: &str, r: atsbridge_core::Result<T>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("{what} failed: {e} ({e:?})"))
}
