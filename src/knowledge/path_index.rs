//! Exact lookup of a dotted path in one of the generated key tables, by
//! hash: a binary search over thousands of paths that share long prefixes
//! cost more than the rest of the linter's walk. (The walk itself finds a
//! key by its own name among its parent's children, [`super::key_rows`],
//! with the same index.)

use std::cmp::Ordering;

/// An open-addressing table of positions in a key table.
#[derive(Debug)]
pub struct PathIndex {
    /// Per slot: the position + 1 (0: empty) and the key's hash (its low half), compared before the key.
    slots: Vec<(u32, u32)>,
    /// The slot is the hash's top bits.
    shift: u32,
}

impl PathIndex {
    /// Indexes the keys of `table`; of equal keys, the first.
    pub fn new<T>(table: &[T], key: impl Fn(&T) -> &str) -> PathIndex {
        let mut index = PathIndex::with_room(table.len());
        for (position, row) in table.iter().enumerate() {
            let parts = [key(row)];
            let hash = hash(&parts);
            if index.find_hashed(table, &key, hash, &parts).is_none() {
                index.insert(hash, position);
            }
        }
        index
    }

    /// An empty index with room for `rows` keys.
    pub fn with_room(rows: usize) -> PathIndex {
        let bits = (rows * 2).max(2).next_power_of_two().trailing_zeros();
        PathIndex { slots: vec![(0, 0); 1 << bits], shift: 64 - bits }
    }

    /// Indexes the key at `position`, which hashes to `hash` and is not indexed yet
    /// (at most the room the index was made with).
    pub fn insert(&mut self, hash: u64, position: usize) {
        let mut slot = self.slot(hash);
        while self.slots[slot].0 != 0 {
            slot = (slot + 1) & (self.slots.len() - 1);
        }
        self.slots[slot] = (u32::try_from(position + 1).expect("tables are small"), hash as u32);
    }

    /// The position in `table` (the one indexed) of the key that is `parts`
    /// joined: wildcard paths are looked up in pieces, never built.
    pub fn find<T>(&self, table: &[T], key: impl Fn(&T) -> &str, parts: &[&str]) -> Option<usize> {
        self.find_hashed(table, key, hash(parts), parts)
    }

    /// [`PathIndex::find`] with the hash of `parts` joined already known ([`extend`]).
    pub fn find_hashed<T>(&self, table: &[T], key: impl Fn(&T) -> &str, hash: u64, parts: &[&str]) -> Option<usize> {
        self.find_by(hash, |position| super::cmp_joined(key(&table[position]), parts) == Ordering::Equal)
    }

    /// The first position indexed with `hash` for which `is` holds.
    pub fn find_by(&self, hash: u64, is: impl Fn(usize) -> bool) -> Option<usize> {
        let mut slot = self.slot(hash);
        loop {
            let (position, low) = self.slots[slot];
            let position = (position as usize).checked_sub(1)?;
            if low == hash as u32 && is(position) {
                return Some(position);
            }
            slot = (slot + 1) & (self.slots.len() - 1);
        }
    }

    fn slot(&self, hash: u64) -> usize {
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }
}

/// FNV-1a's start: the hash of the empty path.
pub const EMPTY: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, byte by byte: a path hashes the same however it is split into parts.
pub fn hash(parts: &[&str]) -> u64 {
    parts.iter().fold(EMPTY, |h, part| extend(h, part))
}

/// The hash of a path whose hash is `h` with `more` appended.
pub fn extend(h: u64, more: &str) -> u64 {
    more.bytes().fold(h, step)
}

/// FNV-1a's step: `h` with the byte `b` appended.
fn step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

/// FNV-1a as a `Hasher`, for maps of short names each hashed once.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(EMPTY)
    }
}

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes.iter().fold(self.0, |h, &b| step(h, b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_whole_or_in_pieces_and_only_them() {
        let table = ["a", "a.*", "a.*.b", "b", "gateway.resources.limits", "a"];
        let index = PathIndex::new(&table, |k| *k);
        assert_eq!(index.find(&table, |k| *k, &["a"]), Some(0), "the first of equal keys");
        assert_eq!(index.find(&table, |k| *k, &["a", ".*"]), Some(1));
        assert_eq!(index.find(&table, |k| *k, &["a", ".*", ".b"]), Some(2));
        assert_eq!(index.find(&table, |k| *k, &["gateway.resources", ".limits"]), Some(4));
        for missing in [&["a."][..], &["a", ".*."], &[""], &["c"], &["b", "b"]] {
            assert_eq!(index.find(&table, |k| *k, missing), None, "{missing:?}");
        }
        let empty: [&str; 0] = [];
        assert_eq!(PathIndex::new(&empty, |k| *k).find(&empty, |k| *k, &["a"]), None);
    }
}
