//! What an adapter can do.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One operation of the [`crate::AtsAdapter`] contract that an adapter may or may not support.
///
/// The conformance suite runs the cases of every capability an adapter declares, and checks that
/// every operation it does not declare answers [`crate::ErrorKind::Unsupported`] without any ATS call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// [`crate::AtsAdapter::validate_credentials`].
    ValidateCredentials,
    /// [`crate::AtsAdapter::list_jobs`].
    ListJobs,
    /// [`crate::AtsAdapter::list_job_stages`].
    ListJobStages,
    /// [`crate::AtsAdapter::list_users`].
    ListUsers,
    /// [`crate::AtsAdapter::list_sources`].
    ListSources,
    /// [`crate::AtsAdapter::list_rejection_reasons`].
    ListRejectionReasons,
    /// [`crate::AtsAdapter::find_candidates`].
    FindCandidates,
    /// [`crate::AtsAdapter::candidate_changes`].
    CandidateChanges,
    /// [`crate::AtsAdapter::create_candidate`].
    CreateCandidate,
    /// [`crate::AtsAdapter::find_application`].
    FindApplication,
    /// [`crate::AtsAdapter::create_application`].
    CreateApplication,
    /// [`crate::AtsAdapter::move_stage`].
    MoveStage,
    /// [`crate::AtsAdapter::archive`].
    Archive,
    /// [`crate::AtsAdapter::find_interview`].
    FindInterview,
    /// [`crate::AtsAdapter::create_interview`].
    CreateInterview,
    /// [`crate::AtsAdapter::add_note`].
    AddNote,
    /// [`crate::AtsAdapter::log_email`].
    LogEmail,
    /// [`crate::AtsAdapter::application_state`].
    ApplicationState,
    /// [`crate::AtsAdapter::application_changes`].
    ApplicationChanges,
    /// [`crate::AtsAdapter::parse_webhook`].
    Webhooks,
}

impl Capability {
    /// Every capability, in declaration order.
    pub const ALL: [Capability; 20] = [
        Capability::ValidateCredentials,
        Capability::ListJobs,
        Capability::ListJobStages,
        Capability::ListUsers,
        Capability::ListSources,
        Capability::ListRejectionReasons,
        Capability::FindCandidates,
        Capability::CandidateChanges,
        Capability::CreateCandidate,
        Capability::FindApplication,
        Capability::CreateApplication,
        Capability::MoveStage,
        Capability::Archive,
        Capability::FindInterview,
        Capability::CreateInterview,
        Capability::AddNote,
        Capability::LogEmail,
        Capability::ApplicationState,
        Capability::ApplicationChanges,
        Capability::Webhooks,
    ];

    /// The trait method's name (`create_candidate`), as used in errors and metrics.
    pub fn operation(self) -> &'static str {
        match self {
            Capability::ValidateCredentials => "validate_credentials",
            Capability::ListJobs => "list_jobs",
            Capability::ListJobStages => "list_job_stages",
            Capability::ListUsers => "list_users",
            Capability::ListSources => "list_sources",
            Capability::ListRejectionReasons => "list_rejection_reasons",
            Capability::FindCandidates => "find_candidates",
            Capability::CandidateChanges => "candidate_changes",
            Capability::CreateCandidate => "create_candidate",
            Capability::FindApplication => "find_application",
            Capability::CreateApplication => "create_application",
            Capability::MoveStage => "move_stage",
            Capability::Archive => "archive",
            Capability::FindInterview => "find_interview",
            Capability::CreateInterview => "create_interview",
            Capability::AddNote => "add_note",
            Capability::LogEmail => "log_email",
            Capability::ApplicationState => "application_state",
            Capability::ApplicationChanges => "application_changes",
            Capability::Webhooks => "parse_webhook",
        }
    }
}

/// The set of capabilities an adapter declares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Capabilities(pub BTreeSet<Capability>);

impl Capabilities {
    /// Every capability.
    pub fn all() -> Self {
        Self(Capability::ALL.into_iter().collect())
    }

    /// Exactly the given capabilities.
    pub fn of(caps: impl IntoIterator<Item = Capability>) -> Self {
        Self(caps.into_iter().collect())
    }

    /// True when `cap` is declared.
    pub fn has(&self, cap: Capability) -> bool {
        self.0.contains(&cap)
    }

    /// The capabilities not declared.
    pub fn missing(&self) -> Vec<Capability> {
        Capability::ALL
            .into_iter()
            .filter(|c| !self.has(*c))
            .collect()
    }
}
