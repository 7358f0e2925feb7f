//! The store: everything the server keeps, behind one trait with two implementations on sqlx.
//!
//! - [`sqlite::SqliteStore`]: the embedded default, a single file in WAL mode.
//! - [`postgres::PgStore`]: PostgreSQL, for several replicas sharing one database.
//!
//! Both run the same test suite ([`suite`]) and apply their own migrations at start (and through
//! `atsbridge migrate`). Timestamps are epoch milliseconds (`i64`), ids are text (UUID v7 for
//! ids the server makes). Secrets are stored only encrypted: the store never sees a plaintext key.
//!
//! The trait is split by concern; [`Store`] is all of them together and is what the server
//! holds (`Arc<dyn Store>`).

pub mod postgres;
pub(crate) mod sql;
pub mod sqlite;
mod types;

pub use types::*;

use std::sync::Arc;

/// Opens the store at `url` and applies its migrations: `postgres://…` (or `postgresql://…`)
/// gives PostgreSQL; `sqlite://path`, `sqlite:path` or a bare path gives SQLite.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    let store: Arc<dyn Store> =
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Arc::new(postgres::PgStore::open(url).await?)
        } else {
            Arc::new(sqlite::SqliteStore::open(url).await?)
        };
    store.migrate().await?;
    Ok(store)
}

use async_trait::async_trait;

/// Errors of the store. Messages never contain secrets or ciphertext.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A uniqueness rule was broken (e.g. a second connection with the same name).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Database(String),
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// Connections (one per customer ATS account) and job links.
#[async_trait]
pub trait ConnectionStore: Send + Sync {
    /// Inserts a connection. A duplicate id is `Conflict`.
    async fn insert_connection(&self, connection: &ConnectionRow) -> StoreResult<()>;
    /// One connection by id.
    async fn get_connection(&self, id: &str) -> StoreResult<Option<ConnectionRow>>;
    /// Every connection, oldest first.
    async fn list_connections(&self) -> StoreResult<Vec<ConnectionRow>>;
    /// Replaces the encrypted key (rotation). `NotFound` when the connection does not exist.
    async fn update_connection_key(
        &self,
        id: &str,
        encrypted_key: &[u8],
        now: Millis,
    ) -> StoreResult<()>;
    /// Sets (or, with `None`, clears) the encrypted webhook secret. `NotFound` when the
    /// connection does not exist.
    async fn update_connection_webhook_secret(
        &self,
        id: &str,
        encrypted_secret: Option<&[u8]>,
        now: Millis,
    ) -> StoreResult<()>;
    /// Records the outcome of the latest ATS interaction: `last_error` = None clears it.
    async fn update_connection_health(
        &self,
        id: &str,
        last_error: Option<&str>,
        now: Millis,
    ) -> StoreResult<()>;
    /// Deletes a connection and everything that belongs to it (links, commands, sync state,
    /// index entries, events). `NotFound` when it does not exist.
    async fn delete_connection(&self, id: &str) -> StoreResult<()>;

    /// Creates or replaces the link of a Dover job.
    async fn upsert_job_link(&self, link: &JobLinkRow) -> StoreResult<()>;
    /// The link of a Dover job.
    async fn get_job_link(&self, dover_job_id: &str) -> StoreResult<Option<JobLinkRow>>;
    /// The links of a connection.
    async fn list_job_links(&self, connection_id: &str) -> StoreResult<Vec<JobLinkRow>>;
}

/// The durable command queue.
///
/// Rules every implementation keeps (the shared suite checks each):
/// - Idempotency: enqueueing with an idempotency key already used by the same connection
///   returns the existing command when the request hash matches, and `KeyReused` otherwise.
/// - Per-candidate order: a command is claimable only when no earlier command (lower `seq`) of
///   the same connection and Dover candidate is still pending, running or failed-waiting.
///   Dead (given up) and succeeded commands no longer block.
/// - Leases with epoch fencing: claiming sets `lease_owner`, `lease_until` and increments
///   `epoch`; `complete`, `fail`, `release` and `record_step` succeed only with the current epoch
///   (a stale holder gets `false` and must drop its work). An expired lease is claimable again.
/// - `claim` never returns a command whose `next_attempt_at` is in the future, nor one whose
///   connection is in `excluded_connections`.
#[async_trait]
pub trait CommandQueue: Send + Sync {
    /// Adds a command, or returns the existing one for a reused idempotency key.
    async fn enqueue(&self, command: &NewCommand) -> StoreResult<Enqueued>;
    /// One command by id.
    async fn get_command(&self, id: &str) -> StoreResult<Option<CommandRow>>;
    /// Claims up to `limit` ready commands for `owner`, oldest first, fairly across connections
    /// (at most `per_connection_limit` per connection in one claim).
    async fn claim(&self, claim: &ClaimRequest) -> StoreResult<Vec<CommandRow>>;
    /// Extends the lease of a running command to `until`. `false` when fenced (another epoch).
    async fn renew_lease(&self, id: &str, epoch: i64, until: Millis) -> StoreResult<bool>;
    /// Saves a recovery point (a named step and its data) for the current attempt.
    async fn record_step(
        &self,
        id: &str,
        epoch: i64,
        steps: &serde_json::Value,
        now: Millis,
    ) -> StoreResult<bool>;
    /// Marks succeeded with its result.
    async fn complete(
        &self,
        id: &str,
        epoch: i64,
        result: &serde_json::Value,
        now: Millis,
    ) -> StoreResult<bool>;
    /// Records a failed attempt. `outcome` says whether it will be retried (and when), whether
    /// the attempt counts, or whether the command is dead.
    async fn fail(
        &self,
        id: &str,
        epoch: i64,
        failure: &CommandFailure,
        now: Millis,
    ) -> StoreResult<bool>;
    /// Gives the lease back without counting an attempt (graceful shutdown).
    async fn release(&self, id: &str, epoch: i64, now: Millis) -> StoreResult<bool>;
    /// Puts a dead command back to pending with a fresh attempt budget. `false` if not dead.
    async fn retry_dead(&self, id: &str, now: Millis) -> StoreResult<bool>;
    /// Pending + running counts and the oldest pending command's age, per connection and total.
    async fn queue_stats(&self, now: Millis) -> StoreResult<QueueStats>;
    /// The number of pending or running commands of one connection.
    async fn pending_for_connection(&self, connection_id: &str) -> StoreResult<i64>;
}

/// The mapping of Dover candidates to ATS records.
#[async_trait]
pub trait CandidateLinkStore: Send + Sync {
    /// The link of a Dover candidate on a connection.
    async fn get_candidate_link(
        &self,
        connection_id: &str,
        dover_candidate_id: &str,
    ) -> StoreResult<Option<CandidateLinkRow>>;
    /// Creates or replaces a link.
    async fn upsert_candidate_link(&self, link: &CandidateLinkRow) -> StoreResult<()>;
    /// The links that point at an ATS application (the reconciler maps changes back with it).
    async fn find_links_by_application(
        &self,
        connection_id: &str,
        ats_application_id: &str,
    ) -> StoreResult<Vec<CandidateLinkRow>>;
    /// The links that point at an ATS candidate.
    async fn find_links_by_ats_candidate(
        &self,
        connection_id: &str,
        ats_candidate_id: &str,
    ) -> StoreResult<Vec<CandidateLinkRow>>;
    /// The links of a Dover job (reports).
    async fn list_links_for_job(&self, dover_job_id: &str) -> StoreResult<Vec<CandidateLinkRow>>;
}

/// Sync progress, the mirror of ATS records, the exclusion index's rows, and the event feed.
#[async_trait]
pub trait SyncStore: Send + Sync {
    /// The saved position of one change stream (`"candidates"`, `"applications"`).
    async fn get_sync_state(
        &self,
        connection_id: &str,
        stream: &str,
    ) -> StoreResult<Option<SyncStateRow>>;
    /// Saves a stream's position (after every page).
    async fn save_sync_state(&self, state: &SyncStateRow) -> StoreResult<()>;

    /// Creates or replaces an ATS candidate's exclusion entry (its normalized identity keys).
    async fn upsert_ats_candidate(&self, row: &AtsCandidateRow) -> StoreResult<()>;
    /// Removes an ATS candidate's entry (deleted or merged away). `false` if there was none.
    async fn delete_ats_candidate(
        &self,
        connection_id: &str,
        ats_candidate_id: &str,
    ) -> StoreResult<bool>;
    /// Every ATS candidate entry of a connection (to build the in-memory index at start).
    async fn list_ats_candidates(&self, connection_id: &str) -> StoreResult<Vec<AtsCandidateRow>>;
    /// Ids of ATS candidates whose entry was last seen before `before` (drift check: deletions).
    async fn ats_candidates_not_seen_since(
        &self,
        connection_id: &str,
        before: Millis,
    ) -> StoreResult<Vec<String>>;

    /// Creates or replaces the mirror of an ATS application; returns the previous row, so the
    /// caller can tell a real change from a repeat.
    async fn upsert_ats_application(
        &self,
        row: &AtsApplicationRow,
    ) -> StoreResult<Option<AtsApplicationRow>>;
    /// The mirror of an ATS application.
    async fn get_ats_application(
        &self,
        connection_id: &str,
        ats_application_id: &str,
    ) -> StoreResult<Option<AtsApplicationRow>>;
    /// Records that an application entered a stage (reports: time in stage, conversion).
    async fn append_stage_transition(&self, row: &StageTransitionRow) -> StoreResult<()>;
    /// The stage transitions of the applications of a connection's ATS job.
    async fn list_stage_transitions(
        &self,
        connection_id: &str,
        ats_job_id: &str,
    ) -> StoreResult<Vec<StageTransitionRow>>;

    /// Appends an event to the feed; assigns its position. Events with an `event_key` already
    /// present for the connection are not appended again (returns the existing one).
    async fn append_event(&self, event: &NewEvent) -> StoreResult<EventRow>;
    /// Events with position greater than `after`, in order, at most `limit`.
    async fn list_events(
        &self,
        after: i64,
        limit: i64,
        connection_id: Option<&str>,
    ) -> StoreResult<Vec<EventRow>>;
    /// Remembers a webhook delivery id; `true` the first time it is seen.
    async fn remember_webhook_delivery(
        &self,
        connection_id: &str,
        delivery_id: &str,
        now: Millis,
    ) -> StoreResult<bool>;
}

/// Everything the server keeps.
#[async_trait]
pub trait Store:
    ConnectionStore + CommandQueue + CandidateLinkStore + SyncStore + Send + Sync + std::fmt::Debug
{
    /// Applies pending migrations. Safe to call at every start and from several replicas.
    async fn migrate(&self) -> StoreResult<()>;
    /// A cheap round trip to the database (readiness).
    async fn ping(&self) -> StoreResult<()>;
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;
}
