use crate::ids::{ApplicationId, CandidateId, NoteId, RejectionReasonId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A note's body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum NoteBody {
    /// Plain text.
    Plain(String),
    /// HTML; adapters keep only the subset their ATS supports.
    Html(String),
}

/// A note to add to a candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNote {
    /// The candidate.
    pub candidate_id: CandidateId,
    /// The note.
    pub body: NoteBody,
}

/// An email exchanged with a candidate, to log in the ATS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMessage {
    /// The candidate.
    pub candidate_id: CandidateId,
    /// Dover's stable id of the message; logging the same id twice logs it once.
    pub message_id: String,
    /// Subject line.
    pub subject: String,
    /// Sender address.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Carbon-copy recipients.
    pub cc: Vec<String>,
    /// HTML body.
    pub body_html: String,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

/// How an email was logged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoggedEmail {
    /// Logged as an email message on the candidate.
    AsEmail,
    /// The ATS refused email logging; logged as a note instead.
    AsNote(NoteId),
}

/// Archive (reject) an application with a reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveRequest {
    /// The application.
    pub application_id: ApplicationId,
    /// The reason, chosen with [`crate::logic::rejection::choose_rejection_reason`].
    pub reason_id: RejectionReasonId,
    /// An ATS email template to send the candidate, if any.
    pub email_template_id: Option<String>,
}
