//! A compact open-addressing multi-map from 64-bit key hashes to 32-bit candidate slots.
//!
//! Two parallel arrays (hashes, slots): 12 bytes per bucket, no padding. Linear probing over a
//! capacity of any size (the home bucket is chosen by multiply-shift), backward-shift deletion
//! (no tombstones), load kept at or below 3/4. A hash may occur several times (duplicate
//! candidates sharing an email): a lookup scans the probe run and yields every slot stored
//! under that hash. Hash 0 marks an empty bucket, so hashes are stored with 0 mapped to 1.

/// The multi-map. See the module docs.
#[derive(Debug, Default, Clone)]
pub struct HashSlotTable {
    hashes: Vec<u64>,
    slots: Vec<u32>,
    len: usize,
}

const MAX_LOAD_NUM: usize = 3;
const MAX_LOAD_DEN: usize = 4;

/// Stored form of a hash: never 0 (0 marks an empty bucket).
#[inline]
pub fn stored(hash: u64) -> u64 {
    if hash == 0 { 1 } else { hash }
}

impl HashSlotTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty table that holds `entries` without growing (load about 0.7 when full).
    pub fn with_capacity(entries: usize) -> Self {
        let cap = if entries == 0 {
            0
        } else {
            (entries * 10 / 7).max(16)
        };
        Self {
            hashes: vec![0; cap],
            slots: vec![0; cap],
            len: 0,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes held (capacity, not length).
    pub fn heap_bytes(&self) -> usize {
        self.hashes.capacity() * 8 + self.slots.capacity() * 4
    }

    #[inline]
    fn home(&self, hash: u64) -> usize {
        ((hash as u128 * self.hashes.len() as u128) >> 64) as usize
    }

    #[inline]
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.hashes.len() { 0 } else { i + 1 }
    }

    /// Adds `(hash, slot)`. Adding the same pair twice stores it twice; callers avoid that.
    pub fn insert(&mut self, hash: u64, slot: u32) {
        let hash = stored(hash);
        if (self.len + 1) * MAX_LOAD_DEN > self.hashes.len() * MAX_LOAD_NUM {
            self.grow();
        }
        let mut i = self.home(hash);
        while self.hashes[i] != 0 {
            i = self.next(i);
        }
        self.hashes[i] = hash;
        self.slots[i] = slot;
        self.len += 1;
    }

    fn grow(&mut self) {
        let new_cap = ((self.len + 1) * 2).max(16);
        let old_h = std::mem::replace(&mut self.hashes, vec![0; new_cap]);
        let old_s = std::mem::replace(&mut self.slots, vec![0; new_cap]);
        self.len = 0;
        for (h, s) in old_h.into_iter().zip(old_s) {
            if h != 0 {
                let mut i = self.home(h);
                while self.hashes[i] != 0 {
                    i = self.next(i);
                }
                self.hashes[i] = h;
                self.slots[i] = s;
                self.len += 1;
            }
        }
    }

    /// Calls `f` with every slot stored under `hash`.
    #[inline]
    pub fn for_each(&self, hash: u64, mut f: impl FnMut(u32)) {
        if self.hashes.is_empty() {
            return;
        }
        let hash = stored(hash);
        let mut i = self.home(hash);
        loop {
            let h = self.hashes[i];
            if h == 0 {
                return;
            }
            if h == hash {
                f(self.slots[i]);
            }
            i = self.next(i);
        }
    }

    /// Every slot stored under `hash`.
    pub fn get_all(&self, hash: u64) -> Vec<u32> {
        let mut out = Vec::new();
        self.for_each(hash, |s| out.push(s));
        out
    }

    /// Removes one `(hash, slot)` pair. `false` when it was not there.
    pub fn remove(&mut self, hash: u64, slot: u32) -> bool {
        if self.hashes.is_empty() {
            return false;
        }
        let hash = stored(hash);
        let mut i = self.home(hash);
        loop {
            let h = self.hashes[i];
            if h == 0 {
                return false;
            }
            if h == hash && self.slots[i] == slot {
                break;
            }
            i = self.next(i);
        }
        // Backward-shift deletion: pull later members of the run into the hole when their home
        // bucket does not lie (cyclically) in (hole, j].
        let mut hole = i;
        let mut j = self.next(i);
        loop {
            let h = self.hashes[j];
            if h == 0 {
                break;
            }
            let k = self.home(h);
            let k_in_range = if hole <= j {
                hole < k && k <= j
            } else {
                hole < k || k <= j
            };
            if !k_in_range {
                self.hashes[hole] = h;
                self.slots[hole] = self.slots[j];
                hole = j;
            }
            j = self.next(j);
        }
        self.hashes[hole] = 0;
        self.slots[hole] = 0;
        self.len -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn insert_find_remove_with_duplicates_and_zero() {
        let mut t = HashSlotTable::new();
        t.insert(0, 1);
        t.insert(5, 2);
        t.insert(5, 3);
        assert_eq!(t.get_all(0), vec![1]);
        let mut five = t.get_all(5);
        five.sort();
        assert_eq!(five, vec![2, 3]);
        assert!(t.remove(5, 2));
        assert!(!t.remove(5, 2));
        assert_eq!(t.get_all(5), vec![3]);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn matches_a_model_under_churn() {
        // Small capacity with clustered hashes stresses wrap-around and backward shifting.
        let mut t = HashSlotTable::with_capacity(4);
        let mut model: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for step in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let h = ((x % 64) + 2) | (x & 0xF000_0000_0000_0000);
            if x.is_multiple_of(3) {
                if let Some(v) = model.get_mut(&h)
                    && let Some(s) = v.pop()
                {
                    assert!(t.remove(h, s));
                }
            } else {
                t.insert(h, step);
                model.entry(h).or_default().push(step);
            }
        }
        for (h, v) in &model {
            let mut got = t.get_all(*h);
            got.sort();
            let mut want = v.clone();
            want.sort();
            assert_eq!(got, want);
        }
        assert_eq!(t.len(), model.values().map(Vec::len).sum::<usize>());
    }
}
