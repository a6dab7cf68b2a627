//! What every table says of one path, for one chart and one validator, as
//! a tree of path segments: the linter's walk carries the row of the
//! mapping it is in and finds each key among that row's children by its
//! own name, and reads from the one row the chart's ranges, the change made
//! to the key, the rename into it and the schema's entry (no path is built
//! or hashed for a lookup). A `*` in a schema path (any entry of a map) is
//! a child like any other, looked at where a key has no entry of its own.

use std::sync::OnceLock;

use super::catalog::Change;
use super::catalog::{Catalog, ChangeKind, Range};
use super::catalog_data::SCHEMAS;
use super::deploy_schema::{tolerates_unknown_in, Schema, SchemaEntry};
use super::path_index::PathIndex;
use super::ChartName;

/// One path's row: the first of each table's entries for it (as each
/// table's own lookup finds it), and where it is in the tree.
#[derive(Debug, Clone, Copy)]
pub struct KeyRow {
    /// Its own place among the rows, and its parent's (the root's: its own).
    at: u32,
    parent: u32,
    /// The path's last segment (`gateway`, `tolerations[]`, `*`; the root's is empty).
    name: &'static str,
    /// Its child `*`, the row of any entry of it as a map.
    star: Option<u32>,
    /// The row of `name[]`, an item of it as a list (a sibling).
    items: Option<u32>,
    /// The chart's ranges ([`Catalog::at`]).
    pub ranges: Option<&'static [Range]>,
    /// What happened to the key ([`Catalog::change_of`]).
    pub change: Option<&'static Change>,
    /// The rename whose new name it is ([`Catalog::change_into`]).
    pub renamed_into: Option<&'static Change>,
    /// What the schema declares for exactly it ([`Schema::exact`]).
    pub entry: Option<&'static SchemaEntry>,
}

/// The rows of one chart's catalog and one validator's schema, the root (the empty path) first.
#[derive(Debug)]
pub struct Known {
    rows: Vec<KeyRow>,
    /// The rows by parent and name.
    children: PathIndex,
}

/// A mapping of the user's file, as the tables know it: the row of its
/// path, and the `*` row that stands for it where it is an entry of a map
/// the schema types as a whole (`persistence.data.<name>`: `persistence.data.*`).
#[derive(Debug, Clone, Copy)]
pub struct Place<'k> {
    row: Option<&'k KeyRow>,
    pattern: Option<&'k KeyRow>,
    /// Whether Polyaxon's validator lets through a key the mapping does not
    /// declare ([`Schema::tolerates_unknown`]); None below a name with a dot
    /// of its own, whose path the schema splits inside the quotes: to be
    /// asked of the schema by path.
    pub tolerates_unknown: Option<bool>,
}

/// A key of a mapping (or an item of the list that is its value), looked up.
#[derive(Debug, Clone, Copy)]
pub struct KeyIn<'k, 'n> {
    known: &'k Known,
    /// The mapping it is in.
    place: Place<'k>,
    name: &'n str,
    /// An item of the key's list (`name[]`), not the key.
    item: bool,
    /// Its row, if any table knows its path.
    pub row: Option<&'k KeyRow>,
}

impl Known {
    /// The rows of `catalog` and `schema`, made the first time they are asked for.
    pub fn of(catalog: &'static Catalog, schema: Schema) -> &'static Known {
        static KNOWN: OnceLock<Vec<OnceLock<Known>>> = OnceLock::new();
        let all = KNOWN.get_or_init(|| (0..2 * SCHEMAS.len()).map(|_| OnceLock::new()).collect());
        let chart = match catalog.chart {
            ChartName::Platform => 0,
            ChartName::Agent => 1,
        };
        all[chart * SCHEMAS.len() + schema.index()].get_or_init(|| Known::new(catalog, schema))
    }

    fn new(catalog: &'static Catalog, schema: Schema) -> Known {
        let (keys, changes, entries) = (catalog.keys(), catalog.changes(), schema.entries());
        let paths = keys.iter().map(|(k, _)| *k).chain(entries.iter().map(|(k, _)| *k));
        let paths = paths.chain(changes.iter().flat_map(|c| [Some(c.key), c.to]).flatten());
        // Room for every segment of every path, and a list's row beside its items' (`x` for `x[]`).
        let room: usize = paths.map(|p| 2 * (memchr::memchr_iter(b'.', p.as_bytes()).count() + 1)).sum();
        let root =
            KeyRow { at: 0, parent: 0, name: "", star: None, items: None, ranges: None, change: None, renamed_into: None, entry: None };
        let mut known = Known { rows: vec![root], children: PathIndex::with_room(room) };
        let last = &mut Last::default();
        for (key, ranges) in keys {
            known.row_of(key, last).ranges.get_or_insert(ranges);
        }
        for (key, entry) in entries {
            known.row_of(key, last).entry.get_or_insert(entry);
        }
        for change in changes {
            known.row_of(change.key, last).change.get_or_insert(change);
            if let (ChangeKind::Renamed, Some(to)) = (change.kind, change.to) {
                known.row_of(to, last).renamed_into.get_or_insert(change);
            }
        }
        known
    }

    /// The row of `path`, made (with its prefixes') if it has none yet;
    /// `last`: the path asked for before.
    fn row_of(&mut self, path: &'static str, last: &mut Last) -> &mut KeyRow {
        // The longest of the last path's prefixes (whole segments) that `path` starts with keeps its rows.
        let (bytes, before) = (path.as_bytes(), last.path.as_bytes());
        while let Some(&(end, _)) = last.segments.last() {
            if bytes.get(end).is_none_or(|&b| b == b'.') && bytes.get(..end) == Some(&before[..end]) {
                break;
            }
            last.segments.pop();
        }
        let (mut from, mut at) = last.segments.last().map_or((0, 0), |&(end, at)| (end + 1, at));
        while from <= path.len() {
            let end = memchr::memchr(b'.', &path.as_bytes()[from..]).map_or(path.len(), |i| from + i);
            at = self.child_or_new(at, &path[from..end]);
            last.segments.push((end, at));
            from = end + 1;
        }
        last.path = path;
        &mut self.rows[at as usize]
    }

    /// The row of `name` below the row at `parent`, made if it has none yet.
    fn child_or_new(&mut self, parent: u32, name: &'static str) -> u32 {
        if let Some(row) = self.child(&self.rows[parent as usize], name) {
            return row.at;
        }
        // An item of a list: the list's row too, which links to it.
        let list = name.strip_suffix("[]").map(|list| self.child_or_new(parent, list));
        let at = u32::try_from(self.rows.len()).expect("tables are small");
        let row = KeyRow { at, parent, name, star: None, items: None, ranges: None, change: None, renamed_into: None, entry: None };
        self.rows.push(row);
        self.children.insert(child_hash(parent, name), at as usize);
        if name == "*" {
            self.rows[parent as usize].star = Some(at);
        }
        if let Some(list) = list {
            self.rows[list as usize].items = Some(at);
        }
        at
    }

    /// The row of `name` below `row`.
    fn child(&self, row: &KeyRow, name: &str) -> Option<&KeyRow> {
        let hash = child_hash(row.at, name);
        let is = |at: usize| self.rows[at].parent == row.at && self.rows[at].name == name;
        self.children.find_by(hash, is).map(|at| &self.rows[at])
    }

    /// The row a row's link (its `*` child, its items' row) names, if any.
    fn row_at(&self, at: Option<u32>) -> Option<&KeyRow> {
        at.map(|at| &self.rows[at as usize])
    }

    /// The top mapping of a values file (every validator forbids undeclared keys there).
    pub fn top(&self) -> Place<'_> {
        Place { row: Some(&self.rows[0]), pattern: None, tolerates_unknown: Some(false) }
    }

    /// The key `name` of the mapping at `place`.
    pub fn key<'k, 'n>(&'k self, place: Place<'k>, name: &'n str) -> KeyIn<'k, 'n> {
        KeyIn { known: self, place, name, item: false, row: place.row.and_then(|row| self.child(row, name)) }
    }
}

impl<'k, 'n> KeyIn<'k, 'n> {
    /// The rows it was looked up in.
    pub fn known(&self) -> &'k Known {
        self.known
    }

    /// The key's entry in the chart at `version` ([`Catalog::at`]).
    pub fn range_at(&self, version: usize) -> Option<&'static Range> {
        Catalog::in_ranges(self.row.and_then(|row| row.ranges)?, version)
    }

    /// Around a version whose chart does not have the key ([`Catalog::around`]).
    pub fn around(&self, version: usize) -> (Option<usize>, Option<usize>) {
        Catalog::around_ranges(self.row.and_then(|row| row.ranges).unwrap_or_default(), version)
    }

    /// An item of the list that is the key's value (`name[]`, a key of the same mapping).
    pub fn items(self) -> KeyIn<'k, 'n> {
        KeyIn { item: true, row: self.row.and_then(|row| self.known.row_at(row.items)), ..self }
    }

    /// What the schema declares for the key ([`Schema::found`]): its own
    /// entry (exact), else, below the top, the mapping's `*` entry or the
    /// `*.name` entry of the map the mapping is an entry of. A name with a
    /// dot of its own is in no table (its path is quoted).
    pub fn found(&self) -> Option<(&'static SchemaEntry, bool)> {
        if let Some(entry) = self.row.and_then(|row| row.entry) {
            return Some((entry, true));
        }
        let known = self.known;
        if crate::text::has_dot(self.name) {
            return None;
        }
        let any = self.place.row.filter(|row| row.at != 0).and_then(|row| known.row_at(row.star));
        let like = || {
            let like = known.child(self.place.pattern?, self.name)?;
            if self.item {
                known.row_at(like.items)
            } else {
                Some(like)
            }
        };
        any.and_then(|row| row.entry).or_else(|| like().and_then(|row| row.entry)).map(|entry| (entry, false))
    }

    /// The mapping that is the key's value (or the item's).
    pub fn value(&self) -> Place<'k> {
        let top = self.place.row.is_some_and(|row| row.at == 0);
        if crate::text::has_dot(self.name) {
            // A name with a dot: its path is in no table, nor any below it.
            return Place { row: None, pattern: None, tolerates_unknown: None };
        }
        if top && self.name.is_empty() && !self.item {
            // An empty key at the top: its keys' paths are the top's own (the path adds no dot for it).
            return self.place;
        }
        let entry = self.found().map(|(entry, _)| entry);
        Place {
            row: self.row,
            pattern: self.place.row.and_then(|row| self.known.row_at(row.star)),
            tolerates_unknown: self.place.tolerates_unknown.map(|outer| tolerates_unknown_in(entry, !top, || outer)),
        }
    }
}

/// The segments of the path whose row was made last (where each ends,
/// and its row): the tables are sorted, so most of a path's prefixes are
/// the last one's.
#[derive(Default)]
struct Last {
    path: &'static str,
    segments: Vec<(usize, u32)>,
}

/// The hash of a child's `name` below the row at `parent`: eight bytes at
/// a time, the last eight overlapping the words before (a short name: its
/// ends), with no copy of the name's bytes.
fn child_hash(parent: u32, name: &str) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, word: u64| (h.rotate_left(23) ^ word).wrapping_mul(K);
    let (b, n) = (name.as_bytes(), name.len());
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"));
    let half = |at: usize| u64::from(u32::from_le_bytes(b[at..at + 4].try_into().expect("four bytes")));
    let mut h = u64::from(parent) ^ (n as u64) << 32;
    let last = match n {
        0 => 0,
        1..=3 => u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
        4..=7 => half(0) | half(n - 4) << 32,
        _ => {
            for at in (0..n - 8).step_by(8) {
                h = mix(h, word(at));
            }
            word(n - 8)
        }
    };
    mix(h, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key at a dotted path (no quoted segment), looked up as the walk does: segment by segment from the top.
    fn key_at<'k, 'n>(known: &'k Known, path: &'n str) -> KeyIn<'k, 'n> {
        let mut segments = path.split('.');
        let mut key = known.key(known.top(), segments.next().unwrap_or_default());
        for name in segments {
            key = known.key(key.value(), name);
        }
        key
    }

    #[test]
    fn rows_say_what_each_table_says() {
        let same = |a: Option<&Change>, b: Option<&Change>| a.map(|c| c as *const Change) == b.map(|c| c as *const Change);
        for chart in [ChartName::Platform, ChartName::Agent] {
            let catalog = Catalog::of(chart);
            for (i, data) in SCHEMAS.iter().enumerate() {
                let schema = Schema::validator(data.validator).unwrap();
                assert_eq!(schema.index(), i);
                let known = Known::of(catalog, schema);
                let paths = catalog.keys().iter().map(|(k, _)| *k).chain(data.entries.iter().map(|(k, _)| *k));
                let paths = paths.chain(catalog.changes().iter().flat_map(|c| [Some(c.key), c.to]).flatten());
                let made_up = ["nope", "gateway.nope", "a.*", "persistence.data.foo.mountPath", "persistence.data.foo.bar.x"];
                for path in paths.chain(made_up).chain(["persistence.data.*.*", "tolerations[].key", "x.tolerations[].key"]) {
                    let key = key_at(known, path);
                    let f = key.row;
                    assert_eq!(
                        f.and_then(|f| f.ranges).map(|r| r.as_ptr()),
                        catalog.keys().iter().find(|(k, _)| *k == path).map(|(_, r)| r.as_ptr())
                    );
                    assert!(same(f.and_then(|f| f.change), catalog.change_of(path)), "{path}");
                    assert!(same(f.and_then(|f| f.renamed_into), catalog.change_into(path)), "{path}");
                    let found = key.found().map(|(e, exact)| (e as *const SchemaEntry, exact));
                    assert_eq!(found, schema.found(path).map(|(e, exact)| (e as *const SchemaEntry, exact)), "{path}");
                    assert_eq!(key.value().tolerates_unknown, Some(schema.tolerates_unknown(path)), "{path}");
                    // The same list item, reached as the walk reaches it: through the list's key.
                    if let Some((list_path, rest)) = path.split_once("[]") {
                        let mut item = key_at(known, list_path).items();
                        for name in rest.split('.').skip(1) {
                            item = known.key(item.value(), name);
                        }
                        let found = item.found().map(|(e, exact)| (e as *const SchemaEntry, exact));
                        assert_eq!(found, schema.found(path).map(|(e, exact)| (e as *const SchemaEntry, exact)), "{path}");
                    }
                }
            }
        }
    }

    #[test]
    fn names_with_dots_and_empty_names_are_found_as_their_paths_are() {
        let catalog = Catalog::get();
        let schema = Schema::validator("0.6.1").unwrap();
        let known = Known::of(catalog, schema);
        // `persistence.data."a.b".mountPath`: a quoted segment is in no table, nor anything below it.
        let data = known.key(known.key(known.top(), "persistence").value(), "data");
        assert!(known.key(data.value(), "a").found().is_some(), "an entry of the map");
        let dotted = known.key(data.value(), "a.b");
        assert!(dotted.found().is_none() && schema.found("persistence.data.\"a.b\"").is_none());
        assert!(known.key(dotted.value(), "mountPath").found().is_none());
        assert_eq!(dotted.value().tolerates_unknown, None, "asked of the schema by path");
        assert!(schema.found("persistence.data.\"a.b\".mountPath").is_none());
        // An empty key at the top: the path of its key `email` is `email`.
        let email = known.key(known.key(known.top(), "").value(), "email");
        assert!(email.row.is_some_and(|row| row.ranges.is_some()));
    }
}
