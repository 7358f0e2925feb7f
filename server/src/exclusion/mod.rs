//! The exclusion index: every ATS candidate of every connection by normalized email, LinkedIn
//! profile and phone (plus name, for "possible" matches), answering bulk checks in memory.
//!
//! - Filled at start from the store ([`ExclusionIndex::load`]), kept current by the reconciler
//!   ([`crate::sync`]) and by the worker's own creates ([`ExclusionIndex::record_and_persist`]).
//! - Per connection: a [`index::ConnIndex`] behind a read-write lock; checks take the read lock.
//! - The store's `ats_candidates` rows are the durable copy; the in-memory index is rebuilt
//!   from them at start and can be rebuilt for one connection at any time.

pub mod check;
pub mod index;
pub mod table;

use crate::store::{AtsCandidateRow, Millis, Store, StoreResult};
use atsbridge_core::logic::identity::normalize;
use atsbridge_core::model::Candidate;
use check::{PersonQuery, PersonResult};
use index::{ConnIndex, IndexEntry};
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

/// The exclusion index of all connections. Cheap to share (`Arc<ExclusionIndex>`).
#[derive(Debug, Default)]
pub struct ExclusionIndex {
    connections: RwLock<HashMap<String, Arc<RwLock<ConnIndex>>>>,
}

/// The country code national phone numbers are read with (on both sides of a check) unless a
/// check says otherwise.
pub const DEFAULT_COUNTRY_CODE: u16 = 1;

/// The normalized identity keys (`email:…`, `linkedin:…`, `phone:…`) of an ATS candidate,
/// sorted and without repeats. Identities that do not normalize are left out. A national phone
/// number is keyed both as its digits and read with [`DEFAULT_COUNTRY_CODE`], so it matches
/// national and international spellings.
pub fn identity_keys(candidate: &Candidate) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for i in candidate.profile.identities() {
        if let Ok(k) = normalize(&i, None) {
            keys.push(k.to_string());
        }
        if i.kind == atsbridge_core::model::IdentityKind::Phone
            && let Ok(k) = normalize(&i, Some(DEFAULT_COUNTRY_CODE))
        {
            keys.push(k.to_string());
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The exclusion row of `candidate` on `connection_id`, seen at `now`.
pub fn row_from_candidate(
    connection_id: &str,
    candidate: &Candidate,
    has_active_application: bool,
    now: Millis,
) -> AtsCandidateRow {
    AtsCandidateRow {
        connection_id: connection_id.to_string(),
        ats_candidate_id: candidate.id.as_str().to_string(),
        name: candidate.profile.name.clone(),
        identity_keys: identity_keys(candidate),
        company: candidate.profile.company.clone(),
        has_active_application,
        last_seen_at: now,
    }
}

impl ExclusionIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds the index of every connection from the store's exclusion rows.
    pub async fn load(store: &dyn Store) -> StoreResult<ExclusionIndex> {
        let index = ExclusionIndex::new();
        for c in store.list_connections().await? {
            index.load_connection(store, &c.id).await?;
        }
        Ok(index)
    }

    /// Rebuilds one connection's index from the store (replacing what was there).
    pub async fn load_connection(&self, store: &dyn Store, connection_id: &str) -> StoreResult<()> {
        let rows = store.list_ats_candidates(connection_id).await?;
        let ix = build(&rows);
        self.connections
            .write()
            .insert(connection_id.to_string(), Arc::new(RwLock::new(ix)));
        Ok(())
    }

    fn conn(&self, connection_id: &str) -> Arc<RwLock<ConnIndex>> {
        if let Some(c) = self.connections.read().get(connection_id) {
            return c.clone();
        }
        self.connections
            .write()
            .entry(connection_id.to_string())
            .or_default()
            .clone()
    }

    /// Adds or replaces a candidate from its exclusion row (memory only).
    pub fn apply_row(&self, row: &AtsCandidateRow) {
        self.conn(&row.connection_id).write().upsert(&entry(row));
    }

    /// Removes a candidate (memory only). `false` when it was not indexed.
    pub fn remove(&self, connection_id: &str, ats_candidate_id: &str) -> bool {
        match self.connections.read().get(connection_id) {
            Some(c) => c.write().remove(ats_candidate_id),
            None => false,
        }
    }

    /// Sets a candidate's active-application flag (memory only). `false` when not indexed.
    pub fn set_active(&self, connection_id: &str, ats_candidate_id: &str, active: bool) -> bool {
        match self.connections.read().get(connection_id) {
            Some(c) => c.write().set_active(ats_candidate_id, active),
            None => false,
        }
    }

    /// Forgets a connection entirely (it was deleted).
    pub fn drop_connection(&self, connection_id: &str) {
        self.connections.write().remove(connection_id);
    }

    /// Records an ATS candidate the server itself created or adopted: persists its exclusion
    /// row and indexes it at once (rather than at the next sync).
    pub async fn record_and_persist(
        &self,
        store: &dyn Store,
        connection_id: &str,
        candidate: &Candidate,
        has_active_application: bool,
        now: Millis,
    ) -> StoreResult<()> {
        let row = row_from_candidate(connection_id, candidate, has_active_application, now);
        store.upsert_ats_candidate(&row).await?;
        self.apply_row(&row);
        Ok(())
    }

    /// The number of candidates indexed for a connection.
    pub fn size(&self, connection_id: &str) -> usize {
        self.connections
            .read()
            .get(connection_id)
            .map(|c| c.read().len())
            .unwrap_or(0)
    }

    /// True when the candidate is indexed.
    pub fn contains(&self, connection_id: &str, ats_candidate_id: &str) -> bool {
        self.connections
            .read()
            .get(connection_id)
            .is_some_and(|c| c.read().contains(ats_candidate_id))
    }

    /// Checks `people` against a connection's index (no ATS call).
    pub fn check(
        &self,
        connection_id: &str,
        people: &[PersonQuery],
        default_country_code: Option<u16>,
    ) -> Vec<PersonResult> {
        let conn = self.conn(connection_id);
        let ix = conn.read();
        check::check_all(&ix, people, default_country_code)
    }

    /// Runs `f` with read access to a connection's index (benchmarks, diagnostics).
    pub fn with_connection<R>(&self, connection_id: &str, f: impl FnOnce(&ConnIndex) -> R) -> R {
        let conn = self.conn(connection_id);
        let ix = conn.read();
        f(&ix)
    }
}

fn entry(row: &AtsCandidateRow) -> IndexEntry<'_> {
    IndexEntry {
        ats_candidate_id: &row.ats_candidate_id,
        identity_keys: &row.identity_keys,
        name: &row.name,
        company: row.company.as_deref(),
        has_active_application: row.has_active_application,
    }
}

/// Builds one connection's index from its rows, sized exactly.
pub fn build(rows: &[AtsCandidateRow]) -> ConnIndex {
    let keys: usize = rows.iter().map(|r| r.identity_keys.len()).sum();
    let mut ix = ConnIndex::with_capacity(rows.len(), keys);
    for r in rows {
        ix.upsert(&entry(r));
    }
    ix.shrink_to_fit();
    ix
}
