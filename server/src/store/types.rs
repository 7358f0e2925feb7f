//! Row types of the store. Plain data; JSON columns are `serde_json::Value`.

use super::Millis;
use serde::{Deserialize, Serialize};

/// One customer ATS account.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionRow {
    /// Server-made id.
    pub id: String,
    /// Registry kind (`"ashby"`).
    pub kind: String,
    /// Display name.
    pub name: String,
    /// The ATS API key, encrypted (see `crypto`). Never logged.
    pub encrypted_key: Vec<u8>,
    /// The webhook secret, encrypted, if webhooks are set up.
    pub encrypted_webhook_secret: Option<Vec<u8>>,
    /// Non-secret adapter settings (base URL, custom field ids, …) as a JSON object.
    pub settings: serde_json::Value,
    /// Created.
    pub created_at: Millis,
    /// Last changed.
    pub updated_at: Millis,
    /// The last ATS error in words, cleared by the next success.
    pub last_error: Option<String>,
    /// When the last ATS interaction ended (success or failure).
    pub last_checked_at: Option<Millis>,
}

impl std::fmt::Debug for ConnectionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionRow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("encrypted_key", &"<redacted>")
            .field("settings", &self.settings)
            .field("last_error", &self.last_error)
            .finish_non_exhaustive()
    }
}

/// The link of a Dover job to an ATS job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobLinkRow {
    /// Dover's job id (primary key).
    pub dover_job_id: String,
    /// The connection.
    pub connection_id: String,
    /// The ATS job.
    pub ats_job_id: String,
    /// The ATS user to credit and post as.
    pub post_as_user_id: Option<String>,
    /// Dover's stages: `[{id, name, active, is_hire}]`.
    pub dover_stages: serde_json::Value,
    /// Dover stage id → ATS stage id.
    pub stage_mapping: serde_json::Value,
    /// Dover rejection text → ATS reason id.
    pub reason_overrides: serde_json::Value,
    /// Created.
    pub created_at: Millis,
    /// Last changed.
    pub updated_at: Millis,
}

/// A command to enqueue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewCommand {
    /// Server-made id (UUID v7).
    pub id: String,
    /// The connection it acts on.
    pub connection_id: String,
    /// The Dover candidate it is about (commands of one candidate run in order).
    pub dover_candidate_id: String,
    /// `push`, `move_stage`, `reject`, `withdraw`, `schedule_interview`, `log_email`, `add_note`.
    pub kind: String,
    /// The request, as JSON.
    pub payload: serde_json::Value,
    /// The client's Idempotency-Key, if given.
    pub idempotency_key: Option<String>,
    /// Hash of the request (kind + payload) for idempotency-key reuse detection.
    pub request_hash: String,
    /// Attempts before the command is dead.
    pub max_attempts: i32,
    /// Now.
    pub created_at: Millis,
}

/// The result of [`super::CommandQueue::enqueue`].
#[derive(Clone, Debug, PartialEq)]
pub enum Enqueued {
    /// A new command was created.
    Created(CommandRow),
    /// The idempotency key was used before with the same request: the earlier command.
    Existing(CommandRow),
    /// The idempotency key was used before with a different request.
    KeyReused,
}

/// Where a command is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandStatus {
    /// Waiting to run (maybe after a backoff).
    Pending,
    /// Leased by a worker.
    Running,
    /// Done.
    Succeeded,
    /// Stopped by a permanent error; not retried.
    Failed,
    /// Out of attempts; retryable through the API.
    Dead,
}

impl CommandStatus {
    /// The text stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandStatus::Pending => "pending",
            CommandStatus::Running => "running",
            CommandStatus::Succeeded => "succeeded",
            CommandStatus::Failed => "failed",
            CommandStatus::Dead => "dead",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => CommandStatus::Pending,
            "running" => CommandStatus::Running,
            "succeeded" => CommandStatus::Succeeded,
            "failed" => CommandStatus::Failed,
            "dead" => CommandStatus::Dead,
            _ => return None,
        })
    }

    /// True for succeeded, failed and dead.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CommandStatus::Succeeded | CommandStatus::Failed | CommandStatus::Dead
        )
    }
}

/// A command as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandRow {
    /// Id.
    pub id: String,
    /// Global insertion order.
    pub seq: i64,
    /// Connection.
    pub connection_id: String,
    /// Dover candidate.
    pub dover_candidate_id: String,
    /// Kind.
    pub kind: String,
    /// Request.
    pub payload: serde_json::Value,
    /// Status.
    pub status: CommandStatus,
    /// Attempts counted so far.
    pub attempts: i32,
    /// Attempt budget.
    pub max_attempts: i32,
    /// Not claimable before.
    pub next_attempt_at: Millis,
    /// Lease holder.
    pub lease_owner: Option<String>,
    /// Lease end.
    pub lease_until: Option<Millis>,
    /// Fencing token; increments at every claim.
    pub epoch: i64,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
    /// Request hash.
    pub request_hash: String,
    /// Recovery points: `{step: data}` saved before/after each ATS write.
    pub steps: serde_json::Value,
    /// Result when succeeded.
    pub result: Option<serde_json::Value>,
    /// The last error: `{code, message, retryable, request_id}`.
    pub last_error: Option<serde_json::Value>,
    /// Created.
    pub created_at: Millis,
    /// Last changed.
    pub updated_at: Millis,
}

/// A claim request.
#[derive(Clone, Debug)]
pub struct ClaimRequest {
    /// Worker identity (`replica-id/worker`).
    pub owner: String,
    /// Now.
    pub now: Millis,
    /// Lease length.
    pub lease_ms: i64,
    /// At most this many commands.
    pub limit: i64,
    /// At most this many per connection.
    pub per_connection_limit: i64,
    /// Connections not to claim for (paused by a rate limit, or at their concurrency limit).
    pub excluded_connections: Vec<String>,
}

/// How an attempt failed and what happens next.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandFailure {
    /// `{code, message, retryable, request_id}` shown to the API client.
    pub error: serde_json::Value,
    /// What happens next.
    pub next: FailureNext,
}

/// What happens after a failed attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum FailureNext {
    /// Retry at `at`; `count_attempt` false for rate limits (Retry-After does not spend attempts).
    /// When counting the attempt exhausts the budget the command becomes dead instead.
    RetryAt {
        /// Not before.
        at: Millis,
        /// Whether this attempt counts against the budget.
        count_attempt: bool,
    },
    /// Permanent failure: status `failed`.
    Stop,
}

/// Queue figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueueStats {
    /// Pending commands.
    pub pending: i64,
    /// Running commands.
    pub running: i64,
    /// Dead commands.
    pub dead: i64,
    /// Age of the oldest pending command, ms (0 when none).
    pub oldest_pending_age_ms: i64,
}

/// A Dover candidate's ATS records on one connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateLinkRow {
    /// Connection.
    pub connection_id: String,
    /// Dover's candidate id.
    pub dover_candidate_id: String,
    /// Dover's job id.
    pub dover_job_id: String,
    /// The ATS candidate.
    pub ats_candidate_id: Option<String>,
    /// The ATS application.
    pub ats_application_id: Option<String>,
    /// The current ATS stage, as last confirmed by the ATS.
    pub ats_stage_id: Option<String>,
    /// `active`, `hired`, `rejected`, `withdrew`.
    pub outcome: Option<String>,
    /// True when the ATS candidate was adopted (existed before the push).
    pub adopted: bool,
    /// Last changed.
    pub updated_at: Millis,
}

/// A change stream's saved position.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncStateRow {
    /// Connection.
    pub connection_id: String,
    /// `"candidates"` or `"applications"`.
    pub stream: String,
    /// The adapter's opaque cursor; None = start a full pass.
    pub cursor: Option<String>,
    /// True while a full pass is under way (its pages are not yet all read).
    pub in_full_pass: bool,
    /// When the current/last full pass started (drift check: rows not seen since are gone).
    pub full_pass_started_at: Option<Millis>,
    /// When a pass last caught up.
    pub last_caught_up_at: Option<Millis>,
    /// The last error of this stream, if any.
    pub last_error: Option<String>,
    /// Last changed.
    pub updated_at: Millis,
}

/// An ATS candidate's exclusion entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AtsCandidateRow {
    /// Connection.
    pub connection_id: String,
    /// ATS candidate id.
    pub ats_candidate_id: String,
    /// Display name.
    pub name: String,
    /// Normalized identity keys (`email:…`, `linkedin:…`, `phone:…`).
    pub identity_keys: Vec<String>,
    /// Current company, for name+company "possible" matches.
    pub company: Option<String>,
    /// True when any of the candidate's applications is active (not hired/archived).
    pub has_active_application: bool,
    /// When the sync last saw it.
    pub last_seen_at: Millis,
}

/// The mirror of an ATS application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AtsApplicationRow {
    /// Connection.
    pub connection_id: String,
    /// ATS application id.
    pub ats_application_id: String,
    /// ATS candidate id.
    pub ats_candidate_id: String,
    /// ATS job id.
    pub ats_job_id: String,
    /// Current ATS stage id.
    pub ats_stage_id: String,
    /// ATS status text.
    pub status: String,
    /// Derived outcome.
    pub outcome: String,
    /// Archive reason text, when archived.
    pub archive_reason: Option<String>,
    /// ATS updatedAt.
    pub ats_updated_at: Option<Millis>,
    /// When the sync last saw it.
    pub last_seen_at: Millis,
}

/// An application entering a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageTransitionRow {
    /// Connection.
    pub connection_id: String,
    /// ATS job.
    pub ats_job_id: String,
    /// ATS application.
    pub ats_application_id: String,
    /// The stage entered.
    pub ats_stage_id: String,
    /// The outcome after the transition.
    pub outcome: String,
    /// When it was observed (or the ATS's time, when known).
    pub at: Millis,
}

/// An event to append to the feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Stable event id (UUID v7).
    pub id: String,
    /// Connection.
    pub connection_id: String,
    /// Deduplication key: an event with a key already present is not appended twice.
    pub event_key: String,
    /// `stage_changed`, `hired`, `rejected`, `withdrew`, `candidate_merged`, `candidate_deleted`, ….
    pub kind: String,
    /// The event body.
    pub payload: serde_json::Value,
    /// Now.
    pub created_at: Millis,
}

/// An event of the feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    /// Position in the feed (strictly increasing).
    pub position: i64,
    /// Stable event id.
    pub id: String,
    /// Connection.
    pub connection_id: String,
    /// Deduplication key.
    pub event_key: String,
    /// Kind.
    pub kind: String,
    /// Body.
    pub payload: serde_json::Value,
    /// Appended at.
    pub created_at: Millis,
}
