//! One connection's in-memory exclusion index: compact candidate slots plus a hash multi-map.
//!
//! Memory layout (per indexed candidate, with the typical 2.5 identity keys):
//! - one [`HashSlotTable`] entry (12 bytes / load ≈ 0.7) per identity key, one for the
//!   normalized name and one for the ATS id → ≈ 4.5 × 17 ≈ 77 bytes;
//! - a 24-byte [`Slot`];
//! - the entry hashes of the slot (identity keys + name, 8 bytes each, so its entries can be
//!   removed exactly) ≈ 28 bytes;
//! - the ATS id in one byte arena (16 bytes when it is a canonical UUID, its text otherwise).
//!
//! Keys are hashed with SipHash-1-3 over `kind:value` (the [`IdentityKey`] display form), so
//! e-mail, LinkedIn, phone, name and id entries never meet. A 64-bit hash collision among
//! `n` keys makes a false match for one check with probability ≈ n / 2^64 (≈ 1e-13 for
//! 2.5 million keys); ATS ids are compared byte for byte, so updates never hit the wrong slot.
//!
//! [`IdentityKey`]: atsbridge_core::logic::identity::IdentityKey

use super::table::HashSlotTable;
use std::borrow::Cow;
use std::hash::Hasher;

const ALIVE: u8 = 1;
const ACTIVE: u8 = 2;
const UUID_PACKED: u8 = 4;

/// The compact record of one ATS candidate.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// Hash of the normalized company (0 = unknown).
    company: u64,
    /// Offset of the ATS id in the id arena.
    id_off: u32,
    /// Offset of the slot's entry hashes in the key arena.
    keys_off: u32,
    /// Length of the ATS id in the arena.
    id_len: u16,
    /// Number of entry hashes.
    keys_len: u8,
    /// `ALIVE | ACTIVE | UUID_PACKED`.
    flags: u8,
}

/// The hash of `prefix` followed by `value` (std's `DefaultHasher`, SipHash-1-3 with fixed
/// keys: stable within a process, never persisted).
#[inline]
pub fn hash_parts(prefix: &[u8], value: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(prefix);
    h.write(value);
    h.finish()
}

/// The hash of a whole `kind:value` identity key.
#[inline]
pub fn key_hash(key: &str) -> u64 {
    hash_parts(b"", key.as_bytes())
}

/// The hash of a normalized name.
#[inline]
pub fn name_hash(normalized_name: &str) -> u64 {
    hash_parts(b"name:", normalized_name.as_bytes())
}

/// The hash of an ATS id.
#[inline]
pub fn id_hash(ats_id: &str) -> u64 {
    hash_parts(b"id:", ats_id.as_bytes())
}

/// The hash of a normalized company (never 0).
#[inline]
pub fn company_hash(normalized_company: &str) -> u64 {
    super::table::stored(hash_parts(b"company:", normalized_company.as_bytes()))
}

/// Lowercase alphanumeric words joined by one space (`"  Ada   LOVELACE-King "` →
/// `"ada lovelace king"`). Empty when there is no letter or digit.
pub fn normalize_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for word in raw
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// A normalized company name: [`normalize_name`] without legal-form suffixes (`inc`, `llc`,
/// `gmbh`, …).
pub fn normalize_company(raw: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "gmbh",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "sa",
        "ag",
        "bv",
        "sas",
        "srl",
    ];
    let n = normalize_name(raw);
    let mut words: Vec<&str> = n.split(' ').filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// What a lookup found in one slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotView<'a> {
    /// The ATS candidate id.
    pub ats_candidate_id: Cow<'a, str>,
    /// True when the candidate has an active application.
    pub has_active_application: bool,
    /// Hash of its normalized company (0 = unknown).
    pub company_hash: u64,
}

/// One connection's index. Not synchronized: [`super::ExclusionIndex`] wraps it in a lock.
#[derive(Debug, Default)]
pub struct ConnIndex {
    table: HashSlotTable,
    slots: Vec<Slot>,
    free: Vec<u32>,
    ids: Vec<u8>,
    keys: Vec<u64>,
    live: usize,
    garbage_ids: usize,
    garbage_keys: usize,
}

/// An entry to put in the index: an ATS candidate with its normalized identity keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexEntry<'a> {
    /// ATS candidate id.
    pub ats_candidate_id: &'a str,
    /// Normalized identity keys (`email:…`, `linkedin:…`, `phone:…`).
    pub identity_keys: &'a [String],
    /// The display name.
    pub name: &'a str,
    /// The current company, if known.
    pub company: Option<&'a str>,
    /// Whether any of its applications is active.
    pub has_active_application: bool,
}

impl ConnIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty index sized for `candidates` candidates with `keys` identity keys in all.
    pub fn with_capacity(candidates: usize, keys: usize) -> Self {
        Self {
            table: HashSlotTable::with_capacity(keys + 2 * candidates),
            slots: Vec::with_capacity(candidates),
            free: Vec::new(),
            ids: Vec::with_capacity(candidates * 16),
            keys: Vec::with_capacity(keys + candidates),
            ..Self::default()
        }
    }

    /// The number of candidates indexed.
    pub fn len(&self) -> usize {
        self.live
    }

    /// True when no candidate is indexed.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Heap bytes held by the index (capacities of all its arrays).
    pub fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
            + self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.free.capacity() * 4
            + self.ids.capacity()
            + self.keys.capacity() * 8
    }

    /// Releases spare capacity (after a bulk load).
    pub fn shrink_to_fit(&mut self) {
        self.slots.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.keys.shrink_to_fit();
        self.free.shrink_to_fit();
    }

    fn id_of(&self, s: &Slot) -> Cow<'_, str> {
        let bytes = &self.ids[s.id_off as usize..s.id_off as usize + s.id_len as usize];
        if s.flags & UUID_PACKED != 0 {
            let mut b = [0u8; 16];
            b.copy_from_slice(bytes);
            Cow::Owned(uuid::Uuid::from_bytes(b).hyphenated().to_string())
        } else {
            Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default())
        }
    }

    fn id_equals(&self, s: &Slot, id: &str) -> bool {
        let bytes = &self.ids[s.id_off as usize..s.id_off as usize + s.id_len as usize];
        if s.flags & UUID_PACKED != 0 {
            packed_uuid(id).is_some_and(|u| u.as_slice() == bytes)
        } else {
            bytes == id.as_bytes()
        }
    }

    fn find_slot(&self, ats_candidate_id: &str) -> Option<u32> {
        let mut found = None;
        self.table.for_each(id_hash(ats_candidate_id), |slot| {
            let s = &self.slots[slot as usize];
            if found.is_none() && s.flags & ALIVE != 0 && self.id_equals(s, ats_candidate_id) {
                found = Some(slot);
            }
        });
        found
    }

    /// True when the candidate is indexed.
    pub fn contains(&self, ats_candidate_id: &str) -> bool {
        self.find_slot(ats_candidate_id).is_some()
    }

    fn unlink_entries(&mut self, slot: u32) {
        let s = self.slots[slot as usize];
        for i in 0..s.keys_len as usize {
            let h = self.keys[s.keys_off as usize + i];
            self.table.remove(h, slot);
        }
        self.garbage_keys += s.keys_len as usize;
    }

    /// Adds or replaces a candidate.
    pub fn upsert(&mut self, e: &IndexEntry<'_>) {
        let mut hashes: Vec<u64> = e.identity_keys.iter().map(|k| key_hash(k)).collect();
        let name = normalize_name(e.name);
        if !name.is_empty() {
            hashes.push(name_hash(&name));
        }
        hashes.sort_unstable();
        hashes.dedup();
        hashes.truncate(u8::MAX as usize);
        let company = e
            .company
            .map(normalize_company)
            .filter(|c| !c.is_empty())
            .map(|c| company_hash(&c))
            .unwrap_or(0);
        let active = if e.has_active_application { ACTIVE } else { 0 };

        let slot = match self.find_slot(e.ats_candidate_id) {
            Some(slot) => {
                self.unlink_entries(slot);
                slot
            }
            None => {
                let (id_off, id_len, packed) = self.push_id(e.ats_candidate_id);
                let s = Slot {
                    id_off,
                    id_len,
                    flags: ALIVE | packed,
                    ..Slot::default()
                };
                let slot = match self.free.pop() {
                    Some(n) => {
                        self.slots[n as usize] = s;
                        n
                    }
                    None => {
                        self.slots.push(s);
                        (self.slots.len() - 1) as u32
                    }
                };
                self.table.insert(id_hash(e.ats_candidate_id), slot);
                self.live += 1;
                slot
            }
        };
        let keys_off = self.keys.len() as u32;
        self.keys.extend_from_slice(&hashes);
        for h in &hashes {
            self.table.insert(*h, slot);
        }
        let s = &mut self.slots[slot as usize];
        s.keys_off = keys_off;
        s.keys_len = hashes.len() as u8;
        s.company = company;
        s.flags = (s.flags & !ACTIVE) | active;
        self.maybe_compact();
    }

    fn push_id(&mut self, id: &str) -> (u32, u16, u8) {
        let off = self.ids.len() as u32;
        if let Some(b) = packed_uuid(id) {
            self.ids.extend_from_slice(&b);
            (off, 16, UUID_PACKED)
        } else {
            let bytes = &id.as_bytes()[..id.len().min(u16::MAX as usize)];
            self.ids.extend_from_slice(bytes);
            (off, bytes.len() as u16, 0)
        }
    }

    /// Removes a candidate. `false` when it was not indexed.
    pub fn remove(&mut self, ats_candidate_id: &str) -> bool {
        let Some(slot) = self.find_slot(ats_candidate_id) else {
            return false;
        };
        self.unlink_entries(slot);
        self.table.remove(id_hash(ats_candidate_id), slot);
        let s = &mut self.slots[slot as usize];
        self.garbage_ids += s.id_len as usize;
        *s = Slot::default();
        self.free.push(slot);
        self.live -= 1;
        self.maybe_compact();
        true
    }

    /// Sets only the active-application flag of an indexed candidate. `false` when unknown.
    pub fn set_active(&mut self, ats_candidate_id: &str, active: bool) -> bool {
        let Some(slot) = self.find_slot(ats_candidate_id) else {
            return false;
        };
        let s = &mut self.slots[slot as usize];
        s.flags = (s.flags & !ACTIVE) | if active { ACTIVE } else { 0 };
        true
    }

    /// Rewrites the arenas without garbage once garbage outweighs live data.
    fn maybe_compact(&mut self) {
        if self.garbage_keys > 4096 && self.garbage_keys > self.keys.len() / 2 {
            let mut keys = Vec::with_capacity(self.keys.len() - self.garbage_keys);
            for s in self.slots.iter_mut().filter(|s| s.flags & ALIVE != 0) {
                let off = keys.len() as u32;
                keys.extend_from_slice(
                    &self.keys[s.keys_off as usize..s.keys_off as usize + s.keys_len as usize],
                );
                s.keys_off = off;
            }
            self.keys = keys;
            self.garbage_keys = 0;
        }
        if self.garbage_ids > 4096 && self.garbage_ids > self.ids.len() / 2 {
            let mut ids = Vec::with_capacity(self.ids.len() - self.garbage_ids);
            for s in self.slots.iter_mut().filter(|s| s.flags & ALIVE != 0) {
                let off = ids.len() as u32;
                ids.extend_from_slice(
                    &self.ids[s.id_off as usize..s.id_off as usize + s.id_len as usize],
                );
                s.id_off = off;
            }
            self.ids = ids;
            self.garbage_ids = 0;
        }
    }

    /// Calls `f` with every live slot stored under `hash`.
    #[inline]
    pub fn lookup(&self, hash: u64, mut f: impl FnMut(u32)) {
        self.table.for_each(hash, |slot| {
            if self.slots[slot as usize].flags & ALIVE != 0 {
                f(slot)
            }
        });
    }

    /// Candidates indexed under a whole identity key (`email:…`).
    pub fn candidates_with_key(&self, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        let h = key_hash(key);
        self.lookup(h, |slot| {
            if self.slot_has_hash(slot, h) {
                out.push(self.view(slot).ats_candidate_id.into_owned());
            }
        });
        out
    }

    /// True when `hash` is one of the slot's entries (not its id entry).
    #[inline]
    pub fn slot_has_hash(&self, slot: u32, hash: u64) -> bool {
        let s = &self.slots[slot as usize];
        let h = super::table::stored(hash);
        self.keys[s.keys_off as usize..s.keys_off as usize + s.keys_len as usize]
            .iter()
            .any(|k| super::table::stored(*k) == h)
    }

    /// The public data of a slot.
    pub fn view(&self, slot: u32) -> SlotView<'_> {
        let s = &self.slots[slot as usize];
        SlotView {
            ats_candidate_id: self.id_of(s),
            has_active_application: s.flags & ACTIVE != 0,
            company_hash: s.company,
        }
    }
}

/// The 16 bytes of `id` when it is a UUID in canonical lowercase hyphenated form (so that it
/// prints back identically).
fn packed_uuid(id: &str) -> Option<[u8; 16]> {
    if id.len() != 36 || id.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let u = uuid::Uuid::try_parse(id).ok()?;
    (u.hyphenated().to_string() == id).then(|| *u.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e<'a>(id: &'a str, keys: &'a [String], name: &'a str) -> IndexEntry<'a> {
        IndexEntry {
            ats_candidate_id: id,
            identity_keys: keys,
            name,
            company: Some("Acme Inc."),
            has_active_application: true,
        }
    }

    #[test]
    fn upsert_replace_remove() {
        let mut ix = ConnIndex::new();
        let k1 = vec![
            "email:a@x.com".to_string(),
            "phone:+14155550123".to_string(),
        ];
        let uuid = "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b";
        ix.upsert(&e(uuid, &k1, "Ada Lovelace"));
        ix.upsert(&e("plain-id", &k1[..1], "Bob"));
        let mut got = ix.candidates_with_key("email:a@x.com");
        got.sort();
        assert_eq!(got, vec![uuid.to_string(), "plain-id".to_string()]);
        // Replace the keys of the UUID candidate: the old phone no longer finds it.
        let k2 = vec!["email:new@x.com".to_string()];
        ix.upsert(&e(uuid, &k2, "Ada Lovelace"));
        assert!(ix.candidates_with_key("phone:+14155550123").is_empty());
        assert_eq!(
            ix.candidates_with_key("email:new@x.com"),
            vec![uuid.to_string()]
        );
        assert_eq!(ix.len(), 2);
        assert!(ix.remove(uuid));
        assert!(!ix.remove(uuid));
        assert!(ix.candidates_with_key("email:new@x.com").is_empty());
        assert_eq!(ix.len(), 1);
    }

    #[test]
    fn split_hash_equals_whole_key_hash() {
        assert_eq!(hash_parts(b"email:", b"a@x.com"), key_hash("email:a@x.com"));
        assert_eq!(
            hash_parts(b"linkedin:", b"in/some-long-slug-1234567890"),
            key_hash("linkedin:in/some-long-slug-1234567890")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Every inserted key finds its candidate; keys never inserted find nothing; removed
        /// candidates are no longer found while the others still are.
        #[test]
        fn inserted_found_others_not_removal_works(
            people in proptest::collection::vec(
                proptest::collection::vec("[a-z0-9]{1,12}", 1..4), 1..60),
            strangers in proptest::collection::vec("[A-Z]{1,12}", 1..30),
            remove_every in 2usize..5,
        ) {
            let mut ix = ConnIndex::new();
            let keyed: Vec<(String, Vec<String>)> = people
                .iter()
                .enumerate()
                .map(|(i, ks)| (format!("cand-{i}"), ks.iter().map(|k| format!("email:{k}@x.com")).collect()))
                .collect();
            for (id, keys) in &keyed {
                ix.upsert(&IndexEntry { ats_candidate_id: id, identity_keys: keys, name: id, company: None, has_active_application: false });
            }
            for (id, keys) in &keyed {
                for k in keys {
                    proptest::prop_assert!(ix.candidates_with_key(k).contains(id));
                }
            }
            for s in &strangers {
                // Upper-case local parts are never inserted (inserted ones are lower-case).
                let key = format!("email:{s}@x.com");
                let found = ix.candidates_with_key(&key);
                proptest::prop_assert!(found.is_empty());
            }
            for (i, (id, _)) in keyed.iter().enumerate() {
                if i % remove_every == 0 {
                    proptest::prop_assert!(ix.remove(id));
                }
            }
            for (i, (id, keys)) in keyed.iter().enumerate() {
                for k in keys {
                    let found = ix.candidates_with_key(k).contains(id);
                    proptest::prop_assert_eq!(found, i % remove_every != 0);
                }
            }
            proptest::prop_assert_eq!(ix.len(), keyed.len() - keyed.len().div_ceil(remove_every));
        }
    }

    #[test]
    fn names_and_companies_normalize() {
        assert_eq!(
            normalize_name("  Ada   LOVELACE-King "),
            "ada lovelace king"
        );
        assert_eq!(normalize_company("Acme, Inc."), "acme");
        assert_eq!(normalize_company("Acme GmbH"), "acme");
        assert_eq!(normalize_company("Inc"), "inc");
    }
}
