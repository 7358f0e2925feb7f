//! The candidate commands Dover sends, as stored in the queue's `payload` column.
//!
//! The HTTP API validates a request and enqueues one [`CommandPayload`]; the worker reads it
//! back and executes it against the connection's adapter. The command row carries the
//! connection and the Dover candidate id; the payload carries the rest.

use atsbridge_core::logic::rejection::DoverRejection;
use atsbridge_core::model::{InterviewEvent, NoteBody};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The person Dover approved for an initial call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushCandidate {
    /// Full name (required, non-empty).
    pub name: String,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// LinkedIn profile URL.
    #[serde(default)]
    pub linkedin_url: Option<String>,
    /// Current job title.
    #[serde(default)]
    pub current_title: Option<String>,
    /// Current company.
    #[serde(default)]
    pub company: Option<String>,
}

/// An email to log on the candidate's ATS record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailToLog {
    /// Dover's stable message id (logging it twice logs it once).
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// Sender.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Carbon copies.
    #[serde(default)]
    pub cc: Vec<String>,
    /// HTML body.
    pub body_html: String,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

/// One command. Every variant names the Dover job (whose link gives the ATS job, the stage
/// mapping and the user to post as).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommandPayload {
    /// Create (or adopt) the ATS candidate and its application on the linked job, at the ATS
    /// stage mapped from `dover_stage_id` (or the plan's first stage when `None`).
    Push {
        /// Dover job.
        dover_job_id: String,
        /// The person.
        candidate: PushCandidate,
        /// Dover stage to place them in.
        dover_stage_id: Option<String>,
    },
    /// Move the application to the ATS stage mapped from a Dover stage.
    MoveStage {
        /// Dover job.
        dover_job_id: String,
        /// Target Dover stage.
        dover_stage_id: String,
    },
    /// Archive the application with the closest ATS rejection reason.
    Reject {
        /// Dover job.
        dover_job_id: String,
        /// Dover's reason and its type.
        reason: DoverRejection,
    },
    /// Archive the application as withdrawn by the candidate.
    Withdraw {
        /// Dover job.
        dover_job_id: String,
        /// Dover's reason text, if any.
        reason_text: Option<String>,
    },
    /// Create the interview in the ATS (found again by `dover_interview_id` on retries).
    ScheduleInterview {
        /// Dover job.
        dover_job_id: String,
        /// Dover's interview id.
        dover_interview_id: String,
        /// The meetings.
        events: Vec<InterviewEvent>,
    },
    /// Log an email on the candidate.
    LogEmail {
        /// Dover job.
        dover_job_id: String,
        /// The message.
        message: EmailToLog,
    },
    /// Add a note to the candidate.
    AddNote {
        /// Dover job.
        dover_job_id: String,
        /// The note.
        body: NoteBody,
    },
}

impl CommandPayload {
    /// The kind name stored in the command row (`push`, `move_stage`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            CommandPayload::Push { .. } => "push",
            CommandPayload::MoveStage { .. } => "move_stage",
            CommandPayload::Reject { .. } => "reject",
            CommandPayload::Withdraw { .. } => "withdraw",
            CommandPayload::ScheduleInterview { .. } => "schedule_interview",
            CommandPayload::LogEmail { .. } => "log_email",
            CommandPayload::AddNote { .. } => "add_note",
        }
    }

    /// The Dover job the command is about.
    pub fn dover_job_id(&self) -> &str {
        match self {
            CommandPayload::Push { dover_job_id, .. }
            | CommandPayload::MoveStage { dover_job_id, .. }
            | CommandPayload::Reject { dover_job_id, .. }
            | CommandPayload::Withdraw { dover_job_id, .. }
            | CommandPayload::ScheduleInterview { dover_job_id, .. }
            | CommandPayload::LogEmail { dover_job_id, .. }
            | CommandPayload::AddNote { dover_job_id, .. } => dover_job_id,
        }
    }
}
