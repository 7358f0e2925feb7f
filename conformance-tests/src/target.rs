//! What the suite needs from each ATS: the [`ConformanceTarget`] an adapter kind implements.
//!
//! The suite is generic: it reaches the adapter only through `atsbridge_core::registry::build`
//! and drives the ATS's sandbox only through these traits. A target knows how to start a fresh
//! sandbox, how the adapter's settings look, how the ATS answers faults, how it signs webhooks,
//! and how a recruiter or operator acts on the ATS directly ([`Operator`]).

use async_trait::async_trait;
use atsbridge_core::WebhookEvent;
use atsbridge_core::ids::{
    ApplicationId, CandidateId, JobId, RejectionReasonId, SourceId, StageId, UserId,
};
use atsbridge_core::model::{CandidateProfile, IdentityKind};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which credentials the adapter's settings carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyVariant {
    /// A key with every permission.
    Valid,
    /// A key the ATS does not know.
    Bad,
    /// A key with read permissions only.
    ReadOnly,
}

/// A fault the call-counting proxy answers with instead of forwarding a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 401: the ATS did not accept the credentials.
    Unauthenticated,
    /// HTTP 403: the key lacks a permission for the endpoint.
    PermissionDenied,
    /// HTTP 429 with a `Retry-After` of this many seconds.
    RateLimited {
        /// The wait the ATS asks for, in seconds.
        retry_after_secs: u64,
    },
    /// HTTP 5xx: the ATS failed.
    ServerError,
}

/// How the ATS answers a [`Fault`], as the target writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers (name, value).
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: serde_json::Value,
    /// For [`Fault::PermissionDenied`]: the permission the body names, which the adapter's
    /// `PermissionDenied` error must name too.
    pub permission: Option<String>,
}

/// Ids of records the sandbox is seeded with, which the cases use. Every id is as the ATS issued
/// it; the `unknown_*` ids are shaped like real ones but exist nowhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// An open job with a plan that has at least two non-archive stages.
    pub job: JobId,
    /// The first stage of the job's plan (where an application lands by default).
    pub first_stage: StageId,
    /// Another non-archive stage of the job's plan.
    pub other_stage: StageId,
    /// An enabled user who may be credited.
    pub user: UserId,
    /// That user's login email (used as an interviewer).
    pub user_email: String,
    /// A non-archived source.
    pub source: SourceId,
    /// A non-archived reason of type "we rejected".
    pub reject_reason: RejectionReasonId,
    /// A non-archived reason of type "they withdrew", if the ATS has one.
    pub withdraw_reason: Option<RejectionReasonId>,
    /// An archived reason, if the ATS has one.
    pub archived_reason: Option<RejectionReasonId>,
    /// A job id that does not exist.
    pub unknown_job: JobId,
    /// A stage id that does not exist.
    pub unknown_stage: StageId,
    /// A reason id that does not exist.
    pub unknown_reason: RejectionReasonId,
    /// An application id that does not exist.
    pub unknown_application: ApplicationId,
}

/// A webhook payload the target provides with the event the adapter must parse it into.
#[derive(Clone, Debug)]
pub struct WebhookSample {
    /// The ATS's action name.
    pub action: String,
    /// The raw body, exactly as the ATS sends it.
    pub body: Vec<u8>,
    /// The expected event. `ApplicationChanged::state` is not compared.
    pub expected: WebhookEvent,
}

/// Acting on the ATS directly, as a recruiter or operator would, bypassing the adapter.
///
/// In replay runs these answers come back from the recorded operator tape, so every method's
/// result must be serializable and deterministic for a fresh sandbox.
#[async_trait]
pub trait Operator: Send + Sync {
    /// Ids of the seeded records the cases use.
    async fn catalog(&self) -> anyhow::Result<Catalog>;
    /// Creates a candidate in the ATS with the given name and identities; returns its id.
    async fn create_candidate(&self, profile: &CandidateProfile) -> anyhow::Result<CandidateId>;
    /// Changes a candidate (renames it), as a recruiter editing it in the ATS would.
    async fn rename_candidate(&self, candidate: &CandidateId, name: &str) -> anyhow::Result<()>;
    /// Every candidate the ATS holds now.
    async fn candidate_ids(&self) -> anyhow::Result<Vec<CandidateId>>;
    /// Every application the ATS holds now.
    async fn application_ids(&self) -> anyhow::Result<Vec<ApplicationId>>;
    /// Makes every sync token issued so far unusable (expired).
    async fn expire_sync_tokens(&self) -> anyhow::Result<()>;
    /// How many emails are logged on the candidate, when the ATS can tell.
    async fn logged_email_count(&self, candidate: &CandidateId) -> anyhow::Result<Option<usize>>;
}

/// A running sandbox of one ATS, fresh for one case.
pub trait TargetSandbox: Operator {
    /// The base URL of the sandbox's ATS API (the proxy forwards there).
    fn api_url(&self) -> String;
}

/// Everything the suite needs to know about one adapter kind and its sandbox.
#[async_trait]
pub trait ConformanceTarget: Send + Sync {
    /// The registry kind (`"ashby"`).
    fn kind(&self) -> &'static str;

    /// Starts a fresh sandbox, seeded so that every case can run (for the change-stream cases:
    /// more candidates than one page holds).
    async fn start(&self) -> anyhow::Result<Box<dyn TargetSandbox>>;

    /// The adapter's settings (JSON for `AdapterContext::from_settings`) for an ATS at `base_url`.
    fn settings(&self, base_url: &str, key: KeyVariant) -> serde_json::Value;

    /// How the ATS answers `fault`.
    fn fault_response(&self, fault: Fault) -> FaultResponse;

    /// True when a request to `path` writes (creates or changes a record in the ATS).
    fn is_write(&self, path: &str) -> bool;

    /// The identity kinds the ATS can search candidates by.
    fn searchable_identities(&self) -> Vec<IdentityKind>;

    /// Webhook payloads of the actions the product uses, and one it does not.
    fn webhook_samples(&self) -> Vec<WebhookSample>;

    /// The headers the ATS sends with `body` when the webhook secret is `secret`.
    fn sign_webhook(&self, secret: &str, body: &[u8]) -> http::HeaderMap;

    /// The trimmed extract of the ATS's published request-body schemas (see [`crate::schema`]),
    /// or `None` when the ATS publishes none.
    fn request_schemas(&self) -> Option<&'static str>;

    /// The folder holding this kind's fixtures, one sub-folder per case.
    fn fixtures_dir(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(self.kind())
    }

    /// Request-body keys whose values differ between runs (generated ids, clock times); record
    /// mode writes them as `"<any>"` so replay matches them leniently.
    fn volatile_request_fields(&self) -> &'static [&'static str] {
        &[]
    }
}
