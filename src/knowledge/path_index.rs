//! Exact lookup of a dotted path in one of the generated key tables, by
//! hash. The linter looks every key of a values file up in the catalog and
//! the schema, several times; a binary search over thousands of paths that
//! share long prefixes cost more than the rest of the walk. A [`KeyPath`]
//! (the linter's walk) carries the hash of each prefix it was built
//! through, so a lookup hashes only the key's last segment, not its whole path.

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

    /// [`PathIndex::find`] with the hash of `parts` joined already known
    /// ([`Key::hash`], [`extend`]).
    pub fn find_hashed<T>(&self, table: &[T], key: impl Fn(&T) -> &str, hash: u64, parts: &[&str]) -> Option<usize> {
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

/// A length a [`KeyPath`] had: the hash of its text up to it, and where
/// the last dot before it is ([`NO_DOT`]: none).
type Mark = (usize, u64, usize);

const NO_DOT: usize = usize::MAX;

/// A dotted path built segment by segment (the linter's walk: one buffer
/// for the whole walk), with the hash of each prefix it was built through.
#[derive(Debug)]
pub struct KeyPath {
    text: String,
    /// One per push, the empty path first.
    marks: Vec<Mark>,
}

impl Default for KeyPath {
    fn default() -> Self {
        KeyPath::new()
    }
}

impl KeyPath {
    pub fn new() -> KeyPath {
        KeyPath { text: String::new(), marks: vec![(0, EMPTY, NO_DOT)] }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Appends `more` as it is (`[]`, `.*`).
    pub fn push_str(&mut self, more: &str) {
        let from = self.text.len();
        self.text.push_str(more);
        self.mark(from);
    }

    /// Appends one segment, as [`crate::text::join_key`] writes it: after a
    /// dot, quoted when it holds a dot of its own.
    pub fn push_segment(&mut self, name: &str) {
        let from = self.text.len();
        // One pass over the name: its hash, and whether it needs quotes.
        let start = self.key().hash_upto(from);
        let mut h = if from > 0 { step(start, b'.') } else { start };
        let mut dotted = false;
        for &b in name.as_bytes() {
            dotted |= b == b'.';
            h = step(h, b);
        }
        if from > 0 {
            self.text.push('.');
        }
        if dotted {
            self.text.push('"');
            self.text.push_str(name);
            self.text.push('"');
            h = extend(start, &self.text[from..]);
            // The name's own last dot.
            let dot = memchr::memrchr(b'.', &self.text.as_bytes()[from..]).map_or(NO_DOT, |at| from + at);
            self.marks.push((self.text.len(), h, dot));
        } else {
            self.text.push_str(name);
            // The dot before the name; none before the first.
            self.marks.push((self.text.len(), h, if from > 0 { from } else { NO_DOT }));
        }
    }

    /// Records the hash of the text, which grew from `from`.
    fn mark(&mut self, from: usize) {
        let h = extend(self.key().hash_upto(from), &self.text[from..]);
        // What is appended is short (`[]`, `.*`): searched byte by byte.
        let dot =
            self.text.as_bytes()[from..].iter().rposition(|&b| b == b'.').map_or_else(|| self.key().last_dot_upto(from), |at| from + at);
        self.marks.push((self.text.len(), h, dot));
    }

    /// Back to the first `len` bytes (a length it had).
    pub fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        while self.marks.last().is_some_and(|&(at, _, _)| at > len) {
            self.marks.pop();
        }
    }

    /// The whole path, for a lookup.
    pub fn key(&self) -> Key<'_> {
        Key { text: &self.text, marks: &self.marks }
    }

    /// The path's first `len` bytes, for a lookup.
    pub fn prefix(&self, len: usize) -> Key<'_> {
        self.key().prefix(len)
    }
}

impl std::ops::Deref for KeyPath {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

/// A path to look up, with the hashes of its prefixes where a
/// [`KeyPath`] knows them (a plain `&str` knows none and is hashed whole).
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    text: &'a str,
    marks: &'a [Mark],
}

impl<'a> Key<'a> {
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The hash of the whole path.
    pub fn hash(&self) -> u64 {
        self.hash_upto(self.text.len())
    }

    /// The hash of the first `len` bytes: from the nearest known prefix.
    pub fn hash_upto(&self, len: usize) -> u64 {
        match self.marks.last() {
            // The whole path as it was built, or one of its prefixes.
            Some(&(at, h, _)) if at == len => h,
            _ => {
                let (at, h, _) = self.marks.iter().rev().find(|&&(at, _, _)| at <= len).copied().unwrap_or((0, EMPTY, NO_DOT));
                extend(h, &self.text[at..len])
            }
        }
    }

    /// Where the last dot of the first `len` bytes is: from the nearest known prefix.
    fn last_dot_upto(&self, len: usize) -> usize {
        let (at, dot) = match self.marks.iter().rev().find(|&&(at, _, _)| at <= len) {
            Some(&(at, _, dot)) => (at, dot),
            None => (0, NO_DOT),
        };
        if at == len {
            return dot;
        }
        memchr::memrchr(b'.', &self.text.as_bytes()[at..len]).map_or(dot, |i| at + i)
    }

    /// The first `len` bytes.
    pub fn prefix(&self, len: usize) -> Key<'a> {
        Key { text: &self.text[..len], marks: self.marks }
    }

    /// Up to the last dot, and the rest from it (as `rsplit_once('.')`, the dot kept in the rest).
    pub fn split_last(&self) -> Option<(Key<'a>, &'a str)> {
        let dot = Some(self.last_dot_upto(self.text.len())).filter(|&dot| dot != NO_DOT)?;
        Some((self.prefix(dot), &self.text[dot..]))
    }
}

impl<'a> From<&'a str> for Key<'a> {
    fn from(text: &'a str) -> Key<'a> {
        Key { text, marks: &[] }
    }
}

impl<'a, 'b: 'a> From<&'a &'b str> for Key<'a> {
    fn from(text: &'a &'b str) -> Key<'a> {
        Key { text, marks: &[] }
    }
}

impl<'a> From<&'a String> for Key<'a> {
    fn from(text: &'a String) -> Key<'a> {
        Key { text, marks: &[] }
    }
}

impl<'a> From<&'a KeyPath> for Key<'a> {
    fn from(path: &'a KeyPath) -> Key<'a> {
        path.key()
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

    #[test]
    fn a_built_path_hashes_as_its_text() {
        let mut path = KeyPath::new();
        assert_eq!(path.key().hash(), hash(&[""]));
        path.push_segment("gateway");
        let gateway = path.len();
        path.push_segment("kubernetes.io/tls");
        path.push_str("[]");
        path.push_segment("x");
        assert_eq!(path.as_str(), "gateway.\"kubernetes.io/tls\"[].x");
        for len in 0..=path.len() {
            let text = &path[..len];
            assert_eq!(path.prefix(len).hash(), hash(&[text]), "{text}");
            assert_eq!(Key::from(text).hash(), hash(&[text]), "{text}");
        }
        for len in 0..=path.len() {
            let text = &path[..len];
            let split = |k: Key<'_>| k.split_last().map(|(p, r)| (p.as_str().to_string(), r.to_string()));
            assert_eq!(split(path.prefix(len)), split(Key::from(text)), "{text}");
            assert_eq!(split(path.prefix(len)).map(|(p, _)| p.len()), text.rfind('.'), "{text}");
        }
        let (parent, rest) = path.key().split_last().unwrap();
        assert_eq!((parent.as_str(), rest), ("gateway.\"kubernetes.io/tls\"[]", ".x"));
        path.truncate(gateway);
        path.push_segment("host");
        assert_eq!(path.as_str(), "gateway.host");
        assert_eq!(path.key().hash(), hash(&["gateway.host"]));
        assert!(Key::from("host").split_last().is_none());
    }
}
