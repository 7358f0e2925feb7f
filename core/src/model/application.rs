use super::job::{RejectionReason, StageKind};
use crate::ids::{ApplicationId, CandidateId, JobId, SourceId, StageId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The ATS's own status of an application, kept as the ATS says it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtsStatus {
    /// A lead, not yet in process.
    Lead,
    /// In process.
    Active,
    /// Hired.
    Hired,
    /// Archived (rejected or withdrawn).
    Archived,
    /// A status the model does not know, kept verbatim.
    Other(String),
}

/// Where a candidate stands from Dover's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still in process.
    Active,
    /// Hired.
    Hired,
    /// The company rejected the candidate.
    Rejected,
    /// The candidate withdrew.
    Withdrew,
}

/// A stage as embedded in an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRef {
    /// The stage's id.
    pub id: StageId,
    /// Its title, when the ATS included it.
    pub title: Option<String>,
    /// Its kind, when the ATS included it.
    pub kind: Option<StageKind>,
}

/// An application's state in the ATS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationState {
    /// The ATS's id.
    pub id: ApplicationId,
    /// The candidate it belongs to.
    pub candidate_id: CandidateId,
    /// The job it is for.
    pub job_id: JobId,
    /// The current stage.
    pub stage: StageRef,
    /// The ATS's status.
    pub status: AtsStatus,
    /// The Dover-side outcome derived from status and archive reason.
    pub outcome: Outcome,
    /// The archive reason, when archived.
    pub archive_reason: Option<RejectionReason>,
    /// The credited source.
    pub source_id: Option<SourceId>,
    /// The credited user.
    pub credited_to: Option<UserId>,
    /// Created in the ATS.
    pub created_at: Option<DateTime<Utc>>,
    /// Last changed in the ATS.
    pub updated_at: Option<DateTime<Utc>>,
    /// When it was archived, if it is.
    pub archived_at: Option<DateTime<Utc>>,
    /// When it was hired, if it is (the ATS may not say).
    pub hired_at: Option<DateTime<Utc>>,
}

/// An application to create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApplication {
    /// The candidate to consider.
    pub candidate_id: CandidateId,
    /// The job to consider them for.
    pub job_id: JobId,
    /// The stage to place them in; `None` means the plan's first stage.
    pub stage_id: Option<StageId>,
    /// The source to credit.
    pub source_id: Option<SourceId>,
    /// The user to credit.
    pub credited_to: Option<UserId>,
}
