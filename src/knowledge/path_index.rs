//! Exact lookup of a dotted path in one of the generated key tables, by
//! hash. The linter looks every key of a values file up in the catalog and
//! the schema, several times; a binary search over thousands of paths that
//! share long prefixes cost more than the rest of the walk.

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
        let bits = (table.len() * 2).max(2).next_power_of_two().trailing_zeros();
        let mut index = PathIndex { slots: vec![(0, 0); 1 << bits], shift: 64 - bits };
        for (position, row) in table.iter().enumerate() {
            let parts = [key(row)];
            if index.find(table, &key, &parts).is_none() {
                let hash = hash(&parts);
                let mut slot = index.slot(hash);
                while index.slots[slot].0 != 0 {
                    slot = (slot + 1) & (index.slots.len() - 1);
                }
                index.slots[slot] = (u32::try_from(position + 1).expect("tables are small"), hash as u32);
            }
        }
        index
    }

    /// The position in `table` (the one indexed) of the key that is `parts`
    /// joined: wildcard paths are looked up in pieces, never built.
    pub fn find<T>(&self, table: &[T], key: impl Fn(&T) -> &str, parts: &[&str]) -> Option<usize> {
        let hash = hash(parts);
        let mut slot = self.slot(hash);
        loop {
            let (position, low) = self.slots[slot];
            let position = (position as usize).checked_sub(1)?;
            if low == hash as u32 && super::cmp_joined(key(&table[position]), parts) == Ordering::Equal {
                return Some(position);
            }
            slot = (slot + 1) & (self.slots.len() - 1);
        }
    }

    fn slot(&self, hash: u64) -> usize {
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }
}

/// FNV-1a, byte by byte: a path hashes the same however it is split into parts.
fn hash(parts: &[&str]) -> u64 {
    parts.iter().flat_map(|p| p.bytes()).fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
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
