use crate::ids::{ApplicationId, InterviewId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One meeting of an interview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewEvent {
    /// Start time.
    pub start: DateTime<Utc>,
    /// End time; after `start`.
    pub end: DateTime<Utc>,
    /// Interviewers by their ATS login email.
    pub interviewer_emails: Vec<String>,
}

/// An interview to create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInterview {
    /// The application it belongs to.
    pub application_id: ApplicationId,
    /// Dover's id for the interview; stored in the ATS so the interview can be found again.
    pub external_id: String,
    /// The meetings; at least one.
    pub events: Vec<InterviewEvent>,
}

/// An interview as the ATS holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    /// The ATS's id.
    pub id: InterviewId,
    /// The application it belongs to.
    pub application_id: ApplicationId,
    /// Dover's id, when the interview was created by atsbridge.
    pub external_id: Option<String>,
    /// The ATS's status text ("Scheduled", "Cancelled", …).
    pub status: String,
    /// The meetings.
    pub events: Vec<InterviewEvent>,
}
