//! ATS webhook deliveries, parsed into ATS-neutral events.

use crate::ids::{ApplicationId, CandidateId, InterviewId};
use crate::model::ApplicationState;
use serde::{Deserialize, Serialize};

/// One verified webhook delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// The ATS's id of the event; identical across the ATS's retries, so use it to deduplicate.
    pub delivery_id: Option<String>,
    /// The ATS's name for the action, verbatim (`candidateStageChange`).
    pub action: String,
    /// What happened.
    pub event: WebhookEvent,
}

/// What a webhook says happened. Webhooks are hints: the receiver re-reads the ATS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WebhookEvent {
    /// An application was created, moved, hired, archived or otherwise changed.
    ApplicationChanged {
        /// The application's id.
        application_id: ApplicationId,
        /// Its state as the payload carried it, when the adapter could read it.
        state: Option<Box<ApplicationState>>,
    },
    /// Two candidates were merged; `merged` no longer exists.
    CandidatesMerged {
        /// The candidate that remains.
        survivor: CandidateId,
        /// The candidate merged away.
        merged: CandidateId,
    },
    /// A candidate was deleted.
    CandidateDeleted {
        /// The deleted candidate.
        candidate_id: CandidateId,
    },
    /// An interview was scheduled, changed or cancelled.
    InterviewChanged {
        /// The interview's id.
        interview_id: InterviewId,
        /// The application, when the payload carries it.
        application_id: Option<ApplicationId>,
    },
    /// A liveness check from the ATS; nothing to do.
    Ping,
    /// An action the product does not use; ignore it.
    Ignored,
}
