use crate::ids::{JobId, RejectionReasonId, SourceId, StageId, UserId};
use serde::{Deserialize, Serialize};

/// Whether a job is taking candidates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Published and accepting candidates.
    Open,
    /// Not yet opened.
    Draft,
    /// Closed (filled or cancelled).
    Closed,
    /// Archived in the ATS.
    Archived,
    /// A status the model does not know, kept verbatim.
    Other(String),
}

/// An ATS job (requisition).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The ATS's id.
    pub id: JobId,
    /// The job's title as shown in the ATS.
    pub title: String,
    /// Open, closed, ….
    pub status: JobStatus,
    /// Users on the hiring team, hiring manager first when the ATS says who that is.
    pub hiring_team: Vec<UserId>,
}

/// What a stage means in the hiring process, independent of its title.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// Sourced or added, not yet contacted or screened.
    Lead,
    /// Screening before the interview process proper.
    PreInterviewScreen,
    /// In the interview process.
    Active,
    /// Offer extended.
    Offer,
    /// Hired. A terminal stage.
    Hired,
    /// Archived (rejected or withdrawn). A terminal stage.
    Archived,
    /// A stage type the model does not know, kept verbatim.
    Other(String),
}

impl StageKind {
    /// True for Hired and Archived: stages a candidate does not move on from.
    pub fn is_terminal(&self) -> bool {
        matches!(self, StageKind::Hired | StageKind::Archived)
    }
}

/// One stage of a job's interview plan.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stage {
    /// The ATS's id.
    pub id: StageId,
    /// The stage's title ("Recruiter Screen").
    pub title: String,
    /// What the stage means.
    pub kind: StageKind,
    /// Position in the plan, 0 first; stages are returned sorted by it.
    pub order: u32,
}

/// An ATS user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The ATS's id.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Login email, when the ATS shares it.
    pub email: Option<String>,
    /// False for deactivated users, who cannot be credited.
    pub enabled: bool,
}

/// A candidate source ("Dover", "Referral", …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The ATS's id.
    pub id: SourceId,
    /// The source's title.
    pub title: String,
    /// Archived sources cannot be assigned.
    pub archived: bool,
}

/// Who ended the process, as a rejection reason's type says.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonType {
    /// The company rejected the candidate.
    WeRejected,
    /// The candidate withdrew or turned the company down.
    TheyWithdrew,
    /// Anything else (position filled, duplicate, …).
    Other,
}

/// A rejection (archive) reason configured in the ATS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionReason {
    /// The ATS's id.
    pub id: RejectionReasonId,
    /// The reason's text ("Too inexperienced").
    pub text: String,
    /// Who ended the process.
    pub reason_type: ReasonType,
    /// Archived reasons may still appear on old applications but must never be chosen.
    pub archived: bool,
}
