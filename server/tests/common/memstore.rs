//! An in-memory `Store` with the queue semantics of the trait docs (leases, epoch fencing,
//! per-candidate order), for worker tests that must not wait for a database. Only the parts the
//! worker uses are implemented; the rest panic.
#![allow(dead_code)]

use async_trait::async_trait;
use atsbridge_server::store::*;
use parking_lot::Mutex;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct MemStore {
    inner: Mutex<Mem>,
}

#[derive(Debug, Default)]
struct Mem {
    seq: i64,
    commands: BTreeMap<i64, CommandRow>,
    job_links: BTreeMap<String, JobLinkRow>,
    links: BTreeMap<(String, String), CandidateLinkRow>,
    health: BTreeMap<String, Option<String>>,
    connections: BTreeMap<String, ConnectionRow>,
}

impl MemStore {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn health(&self, connection_id: &str) -> Option<Option<String>> {
        self.inner.lock().health.get(connection_id).cloned()
    }
    pub fn all_commands(&self) -> Vec<CommandRow> {
        self.inner.lock().commands.values().cloned().collect()
    }
}

fn find<'a>(m: &'a mut Mem, id: &str) -> Option<&'a mut CommandRow> {
    m.commands.values_mut().find(|c| c.id == id)
}

#[async_trait]
impl ConnectionStore for MemStore {
    async fn insert_connection(&self, c: &ConnectionRow) -> StoreResult<()> {
        self.inner
            .lock()
            .connections
            .insert(c.id.clone(), c.clone());
        Ok(())
    }
    async fn get_connection(&self, id: &str) -> StoreResult<Option<ConnectionRow>> {
        Ok(self.inner.lock().connections.get(id).cloned())
    }
    async fn list_connections(&self) -> StoreResult<Vec<ConnectionRow>> {
        Ok(self.inner.lock().connections.values().cloned().collect())
    }
    async fn update_connection_key(&self, _: &str, _: &[u8], _: Millis) -> StoreResult<()> {
        unimplemented!()
    }
    async fn update_connection_health(
        &self,
        id: &str,
        e: Option<&str>,
        _: Millis,
    ) -> StoreResult<()> {
        self.inner
            .lock()
            .health
            .insert(id.to_owned(), e.map(str::to_owned));
        Ok(())
    }
    async fn delete_connection(&self, _: &str) -> StoreResult<()> {
        unimplemented!()
    }
    async fn upsert_job_link(&self, l: &JobLinkRow) -> StoreResult<()> {
        self.inner
            .lock()
            .job_links
            .insert(l.dover_job_id.clone(), l.clone());
        Ok(())
    }
    async fn get_job_link(&self, id: &str) -> StoreResult<Option<JobLinkRow>> {
        Ok(self.inner.lock().job_links.get(id).cloned())
    }
    async fn list_job_links(&self, c: &str) -> StoreResult<Vec<JobLinkRow>> {
        Ok(self
            .inner
            .lock()
            .job_links
            .values()
            .filter(|l| l.connection_id == c)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl CommandQueue for MemStore {
    async fn enqueue(&self, n: &NewCommand) -> StoreResult<Enqueued> {
        let mut m = self.inner.lock();
        if let Some(k) = &n.idempotency_key
            && let Some(c) = m.commands.values().find(|c| {
                c.connection_id == n.connection_id && c.idempotency_key.as_deref() == Some(k)
            })
        {
            return Ok(if c.request_hash == n.request_hash {
                Enqueued::Existing(c.clone())
            } else {
                Enqueued::KeyReused
            });
        }
        m.seq += 1;
        let row = CommandRow {
            id: n.id.clone(),
            seq: m.seq,
            connection_id: n.connection_id.clone(),
            dover_candidate_id: n.dover_candidate_id.clone(),
            kind: n.kind.clone(),
            payload: n.payload.clone(),
            status: CommandStatus::Pending,
            attempts: 0,
            max_attempts: n.max_attempts,
            next_attempt_at: n.created_at,
            lease_owner: None,
            lease_until: None,
            epoch: 0,
            idempotency_key: n.idempotency_key.clone(),
            request_hash: n.request_hash.clone(),
            steps: serde_json::json!({}),
            result: None,
            last_error: None,
            created_at: n.created_at,
            updated_at: n.created_at,
        };
        let seq = m.seq;
        m.commands.insert(seq, row.clone());
        Ok(Enqueued::Created(row))
    }
    async fn get_command(&self, id: &str) -> StoreResult<Option<CommandRow>> {
        Ok(self
            .inner
            .lock()
            .commands
            .values()
            .find(|c| c.id == id)
            .cloned())
    }
    async fn claim(&self, r: &ClaimRequest) -> StoreResult<Vec<CommandRow>> {
        let mut m = self.inner.lock();
        let mut blocked: std::collections::HashSet<(String, String)> = Default::default();
        let mut per_conn: BTreeMap<String, i64> = BTreeMap::new();
        let mut picked = Vec::new();
        for (seq, c) in m.commands.iter() {
            let key = (c.connection_id.clone(), c.dover_candidate_id.clone());
            let live = matches!(c.status, CommandStatus::Pending | CommandStatus::Running);
            if !live {
                continue;
            }
            let ready = (c.status == CommandStatus::Pending && c.next_attempt_at <= r.now)
                || (c.status == CommandStatus::Running && c.lease_until.unwrap_or(0) < r.now);
            let first = blocked.insert(key);
            if !first || !ready || r.excluded_connections.contains(&c.connection_id) {
                continue;
            }
            let n = per_conn.entry(c.connection_id.clone()).or_default();
            if *n >= r.per_connection_limit || picked.len() as i64 >= r.limit {
                continue;
            }
            *n += 1;
            picked.push(*seq);
        }
        let mut out = Vec::new();
        for seq in picked {
            let c = m.commands.get_mut(&seq).unwrap();
            c.status = CommandStatus::Running;
            c.lease_owner = Some(r.owner.clone());
            c.lease_until = Some(r.now + r.lease_ms);
            c.epoch += 1;
            c.updated_at = r.now;
            out.push(c.clone());
        }
        Ok(out)
    }
    async fn record_step(
        &self,
        id: &str,
        epoch: i64,
        steps: &serde_json::Value,
        _: Millis,
    ) -> StoreResult<bool> {
        let mut m = self.inner.lock();
        let Some(c) = find(&mut m, id) else {
            return Ok(false);
        };
        if c.epoch != epoch || c.status != CommandStatus::Running {
            return Ok(false);
        }
        c.steps = steps.clone();
        Ok(true)
    }
    async fn complete(
        &self,
        id: &str,
        epoch: i64,
        result: &serde_json::Value,
        now: Millis,
    ) -> StoreResult<bool> {
        let mut m = self.inner.lock();
        let Some(c) = find(&mut m, id) else {
            return Ok(false);
        };
        if c.epoch != epoch || c.status != CommandStatus::Running {
            return Ok(false);
        }
        c.status = CommandStatus::Succeeded;
        c.result = Some(result.clone());
        c.lease_owner = None;
        c.lease_until = None;
        c.updated_at = now;
        Ok(true)
    }
    async fn fail(
        &self,
        id: &str,
        epoch: i64,
        f: &CommandFailure,
        now: Millis,
    ) -> StoreResult<bool> {
        let mut m = self.inner.lock();
        let Some(c) = find(&mut m, id) else {
            return Ok(false);
        };
        if c.epoch != epoch || c.status != CommandStatus::Running {
            return Ok(false);
        }
        c.last_error = Some(f.error.clone());
        c.lease_owner = None;
        c.lease_until = None;
        c.updated_at = now;
        match f.next {
            FailureNext::Stop => c.status = CommandStatus::Failed,
            FailureNext::RetryAt { at, count_attempt } => {
                if count_attempt {
                    c.attempts += 1;
                }
                if count_attempt && c.attempts >= c.max_attempts {
                    c.status = CommandStatus::Dead;
                } else {
                    c.status = CommandStatus::Pending;
                    c.next_attempt_at = at;
                }
            }
        }
        Ok(true)
    }
    async fn release(&self, id: &str, epoch: i64, now: Millis) -> StoreResult<bool> {
        let mut m = self.inner.lock();
        let Some(c) = find(&mut m, id) else {
            return Ok(false);
        };
        if c.epoch != epoch || c.status != CommandStatus::Running {
            return Ok(false);
        }
        c.status = CommandStatus::Pending;
        c.lease_owner = None;
        c.lease_until = None;
        c.next_attempt_at = now;
        Ok(true)
    }
    async fn retry_dead(&self, _: &str, _: Millis) -> StoreResult<bool> {
        unimplemented!()
    }
    async fn queue_stats(&self, _: Millis) -> StoreResult<QueueStats> {
        let m = self.inner.lock();
        let mut s = QueueStats::default();
        for c in m.commands.values() {
            match c.status {
                CommandStatus::Pending => s.pending += 1,
                CommandStatus::Running => s.running += 1,
                CommandStatus::Dead => s.dead += 1,
                _ => {}
            }
        }
        Ok(s)
    }
    async fn pending_for_connection(&self, conn: &str) -> StoreResult<i64> {
        let m = self.inner.lock();
        Ok(m.commands
            .values()
            .filter(|c| {
                c.connection_id == conn
                    && matches!(c.status, CommandStatus::Pending | CommandStatus::Running)
            })
            .count() as i64)
    }
}

#[async_trait]
impl CandidateLinkStore for MemStore {
    async fn get_candidate_link(&self, c: &str, d: &str) -> StoreResult<Option<CandidateLinkRow>> {
        Ok(self
            .inner
            .lock()
            .links
            .get(&(c.to_owned(), d.to_owned()))
            .cloned())
    }
    async fn upsert_candidate_link(&self, l: &CandidateLinkRow) -> StoreResult<()> {
        self.inner.lock().links.insert(
            (l.connection_id.clone(), l.dover_candidate_id.clone()),
            l.clone(),
        );
        Ok(())
    }
    async fn find_links_by_application(
        &self,
        _: &str,
        _: &str,
    ) -> StoreResult<Vec<CandidateLinkRow>> {
        unimplemented!()
    }
    async fn find_links_by_ats_candidate(
        &self,
        _: &str,
        _: &str,
    ) -> StoreResult<Vec<CandidateLinkRow>> {
        unimplemented!()
    }
    async fn list_links_for_job(&self, j: &str) -> StoreResult<Vec<CandidateLinkRow>> {
        Ok(self
            .inner
            .lock()
            .links
            .values()
            .filter(|l| l.dover_job_id == j)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl SyncStore for MemStore {
    async fn get_sync_state(&self, _: &str, _: &str) -> StoreResult<Option<SyncStateRow>> {
        unimplemented!()
    }
    async fn save_sync_state(&self, _: &SyncStateRow) -> StoreResult<()> {
        unimplemented!()
    }
    async fn upsert_ats_candidate(&self, _: &AtsCandidateRow) -> StoreResult<()> {
        Ok(())
    }
    async fn delete_ats_candidate(&self, _: &str, _: &str) -> StoreResult<bool> {
        unimplemented!()
    }
    async fn list_ats_candidates(&self, _: &str) -> StoreResult<Vec<AtsCandidateRow>> {
        Ok(vec![])
    }
    async fn ats_candidates_not_seen_since(&self, _: &str, _: Millis) -> StoreResult<Vec<String>> {
        unimplemented!()
    }
    async fn upsert_ats_application(
        &self,
        _: &AtsApplicationRow,
    ) -> StoreResult<Option<AtsApplicationRow>> {
        unimplemented!()
    }
    async fn get_ats_application(
        &self,
        _: &str,
        _: &str,
    ) -> StoreResult<Option<AtsApplicationRow>> {
        unimplemented!()
    }
    async fn append_stage_transition(&self, _: &StageTransitionRow) -> StoreResult<()> {
        unimplemented!()
    }
    async fn list_stage_transitions(
        &self,
        _: &str,
        _: &str,
    ) -> StoreResult<Vec<StageTransitionRow>> {
        unimplemented!()
    }
    async fn append_event(&self, _: &NewEvent) -> StoreResult<EventRow> {
        unimplemented!()
    }
    async fn list_events(&self, _: i64, _: i64, _: Option<&str>) -> StoreResult<Vec<EventRow>> {
        unimplemented!()
    }
    async fn remember_webhook_delivery(&self, _: &str, _: &str, _: Millis) -> StoreResult<bool> {
        unimplemented!()
    }
}

#[async_trait]
impl Store for MemStore {
    async fn migrate(&self) -> StoreResult<()> {
        Ok(())
    }
    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
    fn backend(&self) -> &'static str {
        "memory"
    }
}
