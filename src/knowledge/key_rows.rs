//! What every table says of one path, for one chart and one validator:
//! the linter's walk looks each key up once, and reads from the one row
//! the chart's ranges, the change made to the key, the rename into it and
//! the schema's entry (instead of one lookup in each table).

use std::sync::OnceLock;

use super::catalog::Change;
use super::catalog::{Catalog, ChangeKind, Range};
use super::catalog_data::SCHEMAS;
use super::deploy_schema::{Schema, SchemaEntry, Stars};
use super::path_index::{hash, Key, PathIndex};
use super::ChartName;

/// One path's row: the first of each table's entries for it (as each
/// table's own lookup finds it).
#[derive(Debug, Clone, Copy)]
pub struct KeyRow {
    path: &'static str,
    /// The chart's ranges ([`Catalog::at`]).
    pub ranges: Option<&'static [Range]>,
    /// What happened to the key ([`Catalog::change_of`]).
    pub change: Option<&'static Change>,
    /// The rename whose new name it is ([`Catalog::change_into`]).
    pub renamed_into: Option<&'static Change>,
    /// What the schema declares for exactly it ([`Schema::exact`]).
    pub entry: Option<&'static SchemaEntry>,
}

/// The rows of one chart's catalog and one validator's schema, indexed by path.
#[derive(Debug)]
pub struct Known {
    schema: Schema,
    rows: Vec<KeyRow>,
    index: PathIndex,
    stars: Stars,
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
        let mut known = Known {
            schema,
            rows: Vec::with_capacity(keys.len() + entries.len()),
            index: PathIndex::with_room(keys.len() + entries.len() + 2 * changes.len()),
            stars: Stars::new(entries),
        };
        for (key, ranges) in keys {
            known.row(key).ranges.get_or_insert(ranges);
        }
        for (key, entry) in entries {
            known.row(key).entry.get_or_insert(entry);
        }
        for change in changes {
            known.row(change.key).change.get_or_insert(change);
            if let (ChangeKind::Renamed, Some(to)) = (change.kind, change.to) {
                known.row(to).renamed_into.get_or_insert(change);
            }
        }
        known
    }

    /// The row of `path`, made empty if it has none yet.
    fn row(&mut self, path: &'static str) -> &mut KeyRow {
        let parts = [path];
        let hash = hash(&parts);
        let at = match self.index.find_hashed(&self.rows, |f| f.path, hash, &parts) {
            Some(at) => at,
            None => {
                self.rows.push(KeyRow { path, ranges: None, change: None, renamed_into: None, entry: None });
                self.index.insert(hash, self.rows.len() - 1);
                self.rows.len() - 1
            }
        };
        &mut self.rows[at]
    }

    /// The row of a path, if any table knows it.
    pub fn get<'k>(&self, path: impl Into<Key<'k>>) -> Option<&KeyRow> {
        let path = path.into();
        self.find(path.hash(), &[path.as_str()])
    }

    fn find(&self, hash: u64, parts: &[&str]) -> Option<&KeyRow> {
        self.index.find_hashed(&self.rows, |f| f.path, hash, parts).map(|at| &self.rows[at])
    }

    /// [`Schema::found`] for `path`, whose row is `row`.
    pub fn found(&self, path: Key<'_>, row: Option<&KeyRow>) -> Option<(&'static SchemaEntry, bool)> {
        let exact = row.and_then(|f| f.entry);
        Schema::found_by(path, exact, &self.stars, |hash, parts| self.find(hash, parts).and_then(|f| f.entry))
    }

    /// [`Schema::at`].
    pub fn schema_at<'k>(&self, path: impl Into<Key<'k>>) -> Option<&'static SchemaEntry> {
        let path = path.into();
        self.found(path, self.get(path)).map(|(entry, _)| entry)
    }

    /// [`Schema::tolerates_unknown`].
    pub fn tolerates_unknown<'k>(&self, parent: impl Into<Key<'k>>) -> bool {
        super::deploy_schema::tolerates_unknown_by(parent.into(), &|path| self.schema_at(path))
    }

    pub fn schema(&self) -> Schema {
        self.schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_say_what_each_table_says() {
        for chart in [ChartName::Platform, ChartName::Agent] {
            let catalog = Catalog::of(chart);
            for (i, data) in SCHEMAS.iter().enumerate() {
                let schema = Schema::validator(data.validator).unwrap();
                assert_eq!(schema.index(), i);
                let known = Known::of(catalog, schema);
                let paths = catalog.keys().iter().map(|(k, _)| *k).chain(data.entries.iter().map(|(k, _)| *k));
                let paths = paths.chain(catalog.changes().iter().flat_map(|c| [Some(c.key), c.to]).flatten());
                for path in paths.chain(["", "nope", "gateway.nope", "a.*"]) {
                    let f = known.get(path);
                    let same = |a: Option<&Change>, b: Option<&Change>| a.map(|c| c as *const Change) == b.map(|c| c as *const Change);
                    assert_eq!(
                        f.and_then(|f| f.ranges).map(|r| r.as_ptr()),
                        catalog.keys().iter().find(|(k, _)| *k == path).map(|(_, r)| r.as_ptr())
                    );
                    assert!(same(f.and_then(|f| f.change), catalog.change_of(path)), "{path}");
                    assert!(same(f.and_then(|f| f.renamed_into), catalog.change_into(path)), "{path}");
                    let found = known.found(path.into(), f).map(|(e, exact)| (e as *const SchemaEntry, exact));
                    assert_eq!(found, schema.found(path).map(|(e, exact)| (e as *const SchemaEntry, exact)), "{path}");
                    assert_eq!(known.tolerates_unknown(path), schema.tolerates_unknown(path), "{path}");
                }
            }
        }
    }
}
