//! The per-connection sync loop. See `docs/sync.md` for the rules it keeps.

use super::{ReconcilerConfig, drift, streams};
use crate::adapters::AdapterProvider;
use crate::exclusion::{ExclusionIndex, row_from_candidate};
use crate::store::{
    AtsApplicationRow, CandidateLinkRow, JobLinkRow, Millis, NewEvent, StageTransitionRow, Store,
    SyncStateRow,
};
use atsbridge_core::model::{ApplicationState, Candidate, ChangePage, Outcome, SyncCursor};
use atsbridge_core::{AtsAdapter, AtsError, ErrorKind, WebhookEvent};
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The most pages one stream reads in one pass (a guard against a cursor that never ends).
const MAX_PAGES_PER_PASS: usize = 10_000;

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Candidate records read.
    pub candidates_seen: usize,
    /// Application records read.
    pub applications_seen: usize,
    /// Events appended (new ones only).
    pub events_appended: usize,
    /// True when the pass was (or included) a full pass of the candidate stream.
    pub full_pass: bool,
    /// Candidates found deleted by the drift check.
    pub deleted: usize,
}

/// Why a pass failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The ATS failed.
    #[error("ATS: {0}")]
    Ats(#[from] AtsError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// Keeps every connection's mirror current. Share it as `Arc<Reconciler>`.
pub struct Reconciler {
    store: Arc<dyn Store>,
    adapters: Arc<dyn AdapterProvider>,
    index: Arc<ExclusionIndex>,
    config: ReconcilerConfig,
    wake: tokio::sync::Notify,
    triggered: Mutex<HashSet<String>>,
    last_pass: Mutex<HashMap<String, Instant>>,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for Reconciler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reconciler")
            .field("poll_interval", &self.config.poll_interval)
            .field("drift_check_interval", &self.config.drift_check_interval)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> Millis {
    crate::signal::now_ms()
}

/// The text of an outcome as stored and shown (`active`, `hired`, `rejected`, `withdrew`).
pub fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Active => "active",
        Outcome::Hired => "hired",
        Outcome::Rejected => "rejected",
        Outcome::Withdrew => "withdrew",
    }
}

/// The event kind of an application change with outcome `o`.
pub fn event_kind(o: &str) -> &'static str {
    match o {
        "hired" => "hired",
        "rejected" => "rejected",
        "withdrew" => "withdrew",
        _ => "stage_changed",
    }
}

/// The Dover stage mapped to `ats_stage_id` by a job link's `stage_mapping` (Dover → ATS),
/// inverted. `None` when no Dover stage maps there (never guessed).
pub fn dover_stage_for(link: Option<&JobLinkRow>, ats_stage_id: &str) -> Option<String> {
    let mapping = link?.stage_mapping.as_object()?;
    mapping
        .iter()
        .find(|(_, v)| v.as_str() == Some(ats_stage_id))
        .map(|(k, _)| k.clone())
}

fn ms(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<Millis> {
    t.map(|t| t.timestamp_millis())
}

fn rfc3339(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Reconciler {
    /// A reconciler over `store`, reading ATSs through `adapters`, keeping `index` current.
    /// `config` is a [`ReconcilerConfig`] or the server's `config::SyncConfig`.
    pub fn new(
        store: Arc<dyn Store>,
        adapters: Arc<dyn AdapterProvider>,
        index: Arc<ExclusionIndex>,
        config: impl Into<ReconcilerConfig>,
    ) -> Self {
        Self {
            store,
            adapters,
            index,
            config: config.into(),
            wake: tokio::sync::Notify::new(),
            triggered: Mutex::new(HashSet::new()),
            last_pass: Mutex::new(HashMap::new()),
            locks: Mutex::new(HashMap::new()),
        }
    }

    /// The exclusion index it keeps current.
    pub fn index(&self) -> &Arc<ExclusionIndex> {
        &self.index
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &ReconcilerConfig {
        &self.config
    }

    /// Runs the loop until `shutdown` is cancelled: every connection gets an incremental pass
    /// every poll interval (and a full drift pass every drift interval); a [`Self::trigger`]ed
    /// connection gets one at once. Also delivers new events to Dover's webhook when
    /// configured.
    pub fn spawn(self: Arc<Self>, shutdown: CancellationToken) -> JoinHandle<()> {
        if self.config.dover_webhook_url.is_some() {
            let me = self.clone();
            let sd = shutdown.clone();
            tokio::spawn(async move { crate::feed::delivery::run(me, sd).await });
        }
        tokio::spawn(async move {
            loop {
                self.run_due().await;
                let tick = self.config.poll_interval.min(Duration::from_secs(1));
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = self.wake.notified() => {},
                    _ = tokio::time::sleep(tick) => {},
                }
            }
        })
    }

    async fn run_due(&self) {
        let connections = match self.store.list_connections().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "reconciler: cannot list connections");
                return;
            }
        };
        let triggered: HashSet<String> = std::mem::take(&mut *self.triggered.lock());
        for c in connections {
            let due = triggered.contains(&c.id)
                || self
                    .last_pass
                    .lock()
                    .get(&c.id)
                    .is_none_or(|t| t.elapsed() >= self.config.poll_interval);
            if !due {
                continue;
            }
            self.last_pass.lock().insert(c.id.clone(), Instant::now());
            if let Err(e) = self.run_pass(&c.id).await {
                tracing::warn!(connection_id = %c.id, error = %e, "sync pass failed; retried next interval");
            }
        }
    }

    /// Asks for an immediate incremental pass of `connection_id` (webhook hint).
    pub fn trigger(&self, connection_id: &str) {
        self.triggered.lock().insert(connection_id.to_string());
        self.wake.notify_one();
    }

    fn lock_for(&self, connection_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks
            .lock()
            .entry(connection_id.to_string())
            .or_default()
            .clone()
    }

    /// One pass of `connection_id` now: a full drift pass when one is due, else incremental.
    /// Passes of one connection never overlap.
    pub async fn run_pass(&self, connection_id: &str) -> Result<PassReport, SyncError> {
        self.pass(connection_id, false).await
    }

    /// A full pass of `connection_id` now (drift check: notices deletions).
    pub async fn run_full_pass(&self, connection_id: &str) -> Result<PassReport, SyncError> {
        self.pass(connection_id, true).await
    }

    async fn pass(&self, connection_id: &str, force_full: bool) -> Result<PassReport, SyncError> {
        let lock = self.lock_for(connection_id);
        let _guard = lock.lock().await;
        let adapter = self.adapters.adapter(connection_id).await?;
        let mut report = PassReport::default();
        let now = now_ms();
        let interval = self.config.drift_check_interval.as_millis() as i64;
        let cand_state = self.state(connection_id, streams::CANDIDATES).await?;
        let full = force_full
            || (!cand_state.in_full_pass
                && drift::drift_due(cand_state.full_pass_started_at, now, interval));
        let result = async {
            self.sync_candidates(&*adapter, connection_id, cand_state, full, &mut report)
                .await?;
            let app_state = self.state(connection_id, streams::APPLICATIONS).await?;
            self.sync_applications(&*adapter, connection_id, app_state, full, &mut report)
                .await?;
            Ok::<_, SyncError>(())
        }
        .await;
        let err = result.as_ref().err().map(|e| e.to_string());
        let _ = self
            .store
            .update_connection_health(connection_id, err.as_deref(), now_ms())
            .await;
        result.map(|_| report)
    }

    async fn state(&self, connection_id: &str, stream: &str) -> Result<SyncStateRow, SyncError> {
        Ok(self
            .store
            .get_sync_state(connection_id, stream)
            .await?
            .unwrap_or_else(|| SyncStateRow {
                connection_id: connection_id.to_string(),
                stream: stream.to_string(),
                cursor: None,
                in_full_pass: false,
                full_pass_started_at: None,
                last_caught_up_at: None,
                last_error: None,
                updated_at: now_ms(),
            }))
    }

    fn start_full(state: &mut SyncStateRow) {
        state.cursor = None;
        state.in_full_pass = true;
        state.full_pass_started_at = Some(now_ms());
    }

    async fn sync_candidates(
        &self,
        adapter: &dyn AtsAdapter,
        connection_id: &str,
        mut state: SyncStateRow,
        full: bool,
        report: &mut PassReport,
    ) -> Result<(), SyncError> {
        if full || state.cursor.is_none() && !state.in_full_pass {
            Self::start_full(&mut state);
            self.store.save_sync_state(&state).await?;
        }
        for _ in 0..MAX_PAGES_PER_PASS {
            let cursor = state.cursor.clone().map(SyncCursor);
            let page: ChangePage<Candidate> = match adapter.candidate_changes(cursor.as_ref()).await
            {
                Ok(p) => p,
                Err(e) if matches!(e.kind(), ErrorKind::FullResyncNeeded) => {
                    tracing::info!(connection_id, "candidate sync token expired: full resync");
                    Self::start_full(&mut state);
                    self.store.save_sync_state(&state).await?;
                    continue;
                }
                Err(e) => {
                    state.last_error = Some(e.to_string());
                    state.updated_at = now_ms();
                    self.store.save_sync_state(&state).await?;
                    return Err(e.into());
                }
            };
            let now = now_ms();
            for c in &page.items {
                report.candidates_seen += 1;
                let active = self.candidate_active(connection_id, c).await?;
                let row = row_from_candidate(connection_id, c, active, now);
                self.store.upsert_ats_candidate(&row).await?;
                self.index.apply_row(&row);
            }
            state.cursor = Some(page.next.0.clone());
            state.last_error = None;
            state.updated_at = now;
            let finished_full = !page.more && state.in_full_pass;
            if !page.more {
                state.in_full_pass = false;
                state.last_caught_up_at = Some(now);
            }
            if finished_full {
                report.full_pass = true;
                if let Some(started) = state.full_pass_started_at {
                    report.deleted += self.sweep_deleted(connection_id, started, report).await?;
                }
            }
            self.store.save_sync_state(&state).await?;
            if !page.more {
                break;
            }
        }
        Ok(())
    }

    /// True when any of the candidate's mirrored applications is active (unknown ones count
    /// as active: a new application is active until the application stream says otherwise).
    async fn candidate_active(
        &self,
        connection_id: &str,
        c: &Candidate,
    ) -> Result<bool, SyncError> {
        for a in &c.application_ids {
            match self
                .store
                .get_ats_application(connection_id, a.as_str())
                .await?
            {
                Some(row) if row.outcome != "active" => {}
                _ => return Ok(true),
            }
        }
        Ok(false)
    }

    /// After a full pass: every candidate not seen since it started is gone from the ATS.
    async fn sweep_deleted(
        &self,
        connection_id: &str,
        started: Millis,
        report: &mut PassReport,
    ) -> Result<usize, SyncError> {
        let gone = self
            .store
            .ats_candidates_not_seen_since(connection_id, started)
            .await?;
        for id in &gone {
            report.events_appended += self.apply_deleted(connection_id, id, "drift_check").await?;
        }
        Ok(gone.len())
    }

    /// Applies a deletion: removes the candidate from the index and the store, and appends a
    /// `candidate_deleted` event per Dover candidate linked to it (one unlinked event when none).
    /// Returns the number of new events.
    pub async fn apply_deleted(
        &self,
        connection_id: &str,
        ats_candidate_id: &str,
        detected_by: &str,
    ) -> Result<usize, SyncError> {
        let links = self
            .store
            .find_links_by_ats_candidate(connection_id, ats_candidate_id)
            .await?;
        let existed = self
            .store
            .delete_ats_candidate(connection_id, ats_candidate_id)
            .await?;
        let indexed = self.index.remove(connection_id, ats_candidate_id);
        if !existed && !indexed && links.is_empty() {
            return Ok(0);
        }
        let now = now_ms();
        let mut n = 0;
        let targets: Vec<Option<&CandidateLinkRow>> = if links.is_empty() {
            vec![None]
        } else {
            links.iter().map(Some).collect()
        };
        for link in targets {
            let key = format!(
                "candidate:{ats_candidate_id}:deleted:{}",
                link.map(|l| l.dover_candidate_id.as_str()).unwrap_or("-")
            );
            let payload = json!({
                "connection_id": connection_id,
                "kind": "candidate_deleted",
                "dover_candidate_id": link.map(|l| l.dover_candidate_id.clone()),
                "dover_job_id": link.map(|l| l.dover_job_id.clone()),
                "ats_candidate_id": ats_candidate_id,
                "ats_application_id": link.and_then(|l| l.ats_application_id.clone()),
                "ats_stage_id": Value::Null,
                "dover_stage_id": Value::Null,
                "outcome": link.and_then(|l| l.outcome.clone()),
                "detected_by": detected_by,
                "occurred_at": rfc3339(now),
            });
            n += self
                .append(connection_id, key, "candidate_deleted", payload)
                .await?;
        }
        Ok(n)
    }

    /// Applies a merge: the survivor replaces the merged candidate in every candidate link and
    /// in the index, and a `candidate_merged` event is appended per Dover candidate linked to
    /// the merged one. Returns the number of new events.
    pub async fn apply_merged(
        &self,
        connection_id: &str,
        survivor: &str,
        merged: &str,
    ) -> Result<usize, SyncError> {
        let links = self
            .store
            .find_links_by_ats_candidate(connection_id, merged)
            .await?;
        let now = now_ms();
        let mut n = 0;
        for mut link in links {
            link.ats_candidate_id = Some(survivor.to_string());
            link.updated_at = now;
            self.store.upsert_candidate_link(&link).await?;
            let key = format!(
                "candidate:{merged}:merged_into:{survivor}:{}",
                link.dover_candidate_id
            );
            let payload = json!({
                "connection_id": connection_id,
                "kind": "candidate_merged",
                "dover_candidate_id": link.dover_candidate_id,
                "dover_job_id": link.dover_job_id,
                "ats_candidate_id": survivor,
                "merged_ats_candidate_id": merged,
                "ats_application_id": link.ats_application_id,
                "ats_stage_id": link.ats_stage_id,
                "outcome": link.outcome,
                "occurred_at": rfc3339(now),
            });
            n += self
                .append(connection_id, key, "candidate_merged", payload)
                .await?;
        }
        self.store
            .delete_ats_candidate(connection_id, merged)
            .await?;
        self.index.remove(connection_id, merged);
        Ok(n)
    }

    /// Applies what a verified webhook says directly where incremental sync cannot see it
    /// (merges, deletions), then triggers an incremental pass.
    pub async fn apply_webhook(
        &self,
        connection_id: &str,
        event: &WebhookEvent,
    ) -> Result<usize, SyncError> {
        let n = match event {
            WebhookEvent::CandidatesMerged { survivor, merged } => {
                self.apply_merged(connection_id, survivor.as_str(), merged.as_str())
                    .await?
            }
            WebhookEvent::CandidateDeleted { candidate_id } => {
                self.apply_deleted(connection_id, candidate_id.as_str(), "webhook")
                    .await?
            }
            WebhookEvent::Ping | WebhookEvent::Ignored => return Ok(0),
            _ => 0,
        };
        self.trigger(connection_id);
        Ok(n)
    }

    async fn sync_applications(
        &self,
        adapter: &dyn AtsAdapter,
        connection_id: &str,
        mut state: SyncStateRow,
        full: bool,
        report: &mut PassReport,
    ) -> Result<(), SyncError> {
        if full || state.cursor.is_none() && !state.in_full_pass {
            Self::start_full(&mut state);
            self.store.save_sync_state(&state).await?;
        }
        let mut job_links: HashMap<String, Option<JobLinkRow>> = HashMap::new();
        for _ in 0..MAX_PAGES_PER_PASS {
            let cursor = state.cursor.clone().map(SyncCursor);
            let page = match adapter.application_changes(cursor.as_ref()).await {
                Ok(p) => p,
                Err(e) if matches!(e.kind(), ErrorKind::FullResyncNeeded) => {
                    tracing::info!(connection_id, "application sync token expired: full resync");
                    Self::start_full(&mut state);
                    self.store.save_sync_state(&state).await?;
                    continue;
                }
                Err(e) => {
                    state.last_error = Some(e.to_string());
                    state.updated_at = now_ms();
                    self.store.save_sync_state(&state).await?;
                    return Err(e.into());
                }
            };
            for a in &page.items {
                report.applications_seen += 1;
                report.events_appended += self
                    .apply_application(connection_id, a, &mut job_links)
                    .await?;
            }
            let now = now_ms();
            state.cursor = Some(page.next.0.clone());
            state.last_error = None;
            state.updated_at = now;
            if !page.more {
                state.in_full_pass = false;
                state.last_caught_up_at = Some(now);
            }
            self.store.save_sync_state(&state).await?;
            if !page.more {
                break;
            }
        }
        Ok(())
    }

    /// Mirrors one application state and turns an ATS-side change of a linked application into
    /// an event. Returns the number of new events.
    pub async fn apply_application(
        &self,
        connection_id: &str,
        a: &ApplicationState,
        job_links: &mut HashMap<String, Option<JobLinkRow>>,
    ) -> Result<usize, SyncError> {
        let now = now_ms();
        let outcome = outcome_str(a.outcome);
        let row = AtsApplicationRow {
            connection_id: connection_id.to_string(),
            ats_application_id: a.id.as_str().to_string(),
            ats_candidate_id: a.candidate_id.as_str().to_string(),
            ats_job_id: a.job_id.as_str().to_string(),
            ats_stage_id: a.stage.id.as_str().to_string(),
            status: format!("{:?}", a.status).to_lowercase(),
            outcome: outcome.to_string(),
            archive_reason: a.archive_reason.as_ref().map(|r| r.text.clone()),
            ats_updated_at: ms(a.updated_at),
            last_seen_at: now,
        };
        let prev = self.store.upsert_ats_application(&row).await?;
        let changed = prev
            .as_ref()
            .is_none_or(|p| p.ats_stage_id != row.ats_stage_id || p.outcome != row.outcome);
        let mut events = 0;
        if changed {
            self.store
                .append_stage_transition(&StageTransitionRow {
                    connection_id: connection_id.to_string(),
                    ats_job_id: row.ats_job_id.clone(),
                    ats_application_id: row.ats_application_id.clone(),
                    ats_stage_id: row.ats_stage_id.clone(),
                    outcome: outcome.to_string(),
                    at: row.ats_updated_at.unwrap_or(now),
                })
                .await?;
            // The candidate's active flag follows its applications.
            let active = outcome == "active";
            if active || prev.as_ref().is_some_and(|p| p.outcome == "active") {
                self.index
                    .set_active(connection_id, &row.ats_candidate_id, active);
            }
        }
        // The application moved to another candidate: a merge seen through the stream.
        if let Some(p) = &prev
            && p.ats_candidate_id != row.ats_candidate_id
        {
            events += self
                .apply_merged(connection_id, &row.ats_candidate_id, &p.ats_candidate_id)
                .await?;
        }
        let links = self
            .store
            .find_links_by_application(connection_id, &row.ats_application_id)
            .await?;
        for mut link in links {
            if link.ats_stage_id.as_deref() == Some(row.ats_stage_id.as_str())
                && link.outcome.as_deref() == Some(outcome)
            {
                // Already known: our own write (the worker updated the link) or a repeat.
                continue;
            }
            if !job_links.contains_key(&link.dover_job_id) {
                let jl = self.store.get_job_link(&link.dover_job_id).await?;
                job_links.insert(link.dover_job_id.clone(), jl);
            }
            let job_link = job_links.get(&link.dover_job_id).and_then(Option::as_ref);
            let dover_stage = dover_stage_for(job_link, &row.ats_stage_id);
            let occurred = row.ats_updated_at.unwrap_or(now);
            let key = format!(
                "app:{}:stage:{}:{}:{}",
                row.ats_application_id,
                row.ats_stage_id,
                outcome,
                row.ats_updated_at
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            );
            let kind = event_kind(outcome);
            let payload = json!({
                "connection_id": connection_id,
                "kind": kind,
                "dover_candidate_id": link.dover_candidate_id,
                "dover_job_id": link.dover_job_id,
                "ats_candidate_id": row.ats_candidate_id,
                "ats_application_id": row.ats_application_id,
                "ats_job_id": row.ats_job_id,
                "ats_stage_id": row.ats_stage_id,
                "ats_stage_title": a.stage.title,
                "dover_stage_id": dover_stage,
                "unmapped": dover_stage.is_none(),
                "outcome": outcome,
                "previous_ats_stage_id": link.ats_stage_id,
                "previous_outcome": link.outcome,
                "archive_reason": a.archive_reason.as_ref().map(|r| json!({
                    "id": r.id.as_str(), "text": r.text, "type": r.reason_type,
                })),
                "occurred_at": rfc3339(occurred),
            });
            events += self.append(connection_id, key, kind, payload).await?;
            link.ats_stage_id = Some(row.ats_stage_id.clone());
            link.outcome = Some(outcome.to_string());
            link.ats_candidate_id = Some(row.ats_candidate_id.clone());
            link.updated_at = now;
            self.store.upsert_candidate_link(&link).await?;
        }
        Ok(events)
    }

    /// Appends an event (deduplicated by `event_key`); 1 when it is new, 0 when it existed.
    async fn append(
        &self,
        connection_id: &str,
        event_key: String,
        kind: &str,
        payload: Value,
    ) -> Result<usize, SyncError> {
        let id = uuid::Uuid::now_v7().to_string();
        let row = self
            .store
            .append_event(&NewEvent {
                id: id.clone(),
                connection_id: connection_id.to_string(),
                event_key,
                kind: kind.to_string(),
                payload,
                created_at: now_ms(),
            })
            .await?;
        Ok(usize::from(row.id == id))
    }
}
