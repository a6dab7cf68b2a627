//! Polyaxon's own deploy schema, per validator version (2.15.1, 1.20.0,
//! 1.14.3, 0.6.1): every key by the dotted path a values file uses (list
//! items as `[]`, map values as `*`), its type, its allowed values and what
//! the enclosing object does with keys it does not declare. Extracted from
//! the real packages by `scripts/extract-schema.py` and generated into
//! [`super::catalog_data`].

use std::sync::OnceLock;

use super::catalog_data::SCHEMAS;
use super::path_index::{extend, hash, PathIndex, EMPTY};
use super::ChartVersion;
use crate::text::split_last;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SType {
    Str,
    Int,
    Float,
    Bool,
    List,
    Dict,
    Any,
    Object,
    /// One value of several scalar types (a number or a string), not a list or mapping.
    Scalar,
}

/// What an object does with a key it does not declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// Rejects the file.
    Forbid,
    /// Drops the key silently.
    Ignore,
    /// Keeps it.
    Allow,
}

#[derive(Debug, Clone, Copy)]
pub struct SchemaEntry {
    pub ty: SType,
    /// No coercion: `"25"` is not an integer.
    pub strict: bool,
    pub nullable: bool,
    /// Allowed values, when the schema restricts them.
    pub values: &'static [&'static str],
    /// For objects.
    pub extra: Extra,
    /// This path is another spelling the schema accepts for that field.
    pub alias_of: Option<&'static str>,
    /// The validator declares the key but crashes on it.
    pub crashes: bool,
}

/// A generated entry: `flags` holds strict (1), nullable (2) and crashes (4).
pub const fn entry(ty: SType, flags: u8, values: &'static [&'static str], extra: Extra, alias_of: Option<&'static str>) -> SchemaEntry {
    SchemaEntry { ty, strict: flags & 1 != 0, nullable: flags & 2 != 0, values, extra, alias_of, crashes: flags & 4 != 0 }
}

#[derive(Debug)]
pub struct SchemaData {
    pub validator: &'static str,
    /// The first chart version this validator judges (up to the next one's).
    pub judges_from: &'static str,
    /// Top-level keys the validator refuses in an agent deployment.
    pub agent_rejects: &'static [&'static str],
    pub entries: &'static [(&'static str, SchemaEntry)],
}

/// One validator version's schema.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    data: &'static SchemaData,
    /// Its place in the generated table.
    index: usize,
    /// Its paths, indexed the first time one is looked up.
    paths: &'static OnceLock<Indexed>,
}

/// A schema's paths indexed, and where it declares a `*`.
#[derive(Debug)]
struct Indexed {
    paths: PathIndex,
    stars: Stars,
}

/// The paths below which a schema declares a `*` (`P.*`, `P.*.key`): one
/// bit each of 1024 by hash, so that most keys the schema does not declare
/// are not looked up again as a map's entry.
#[derive(Debug)]
struct Stars {
    bits: [u64; 16],
    /// A `*.key` entry at the top.
    top: bool,
}

impl Stars {
    fn new(entries: &[(&'static str, SchemaEntry)]) -> Stars {
        let mut bits = [0u64; 16];
        for (key, _) in entries {
            // Each `.*` (a `*` is rare: searched for first).
            for star in memchr::memchr_iter(b'*', key.as_bytes()) {
                if let Some(at) = star.checked_sub(1).filter(|&at| key.as_bytes()[at] == b'.') {
                    let bit = star_bit(extend(EMPTY, &key[..at]));
                    bits[bit / 64] |= 1 << (bit % 64);
                }
            }
        }
        let top = entries.iter().any(|(key, _)| key.starts_with('*'));
        Stars { bits, top }
    }

    /// Whether the schema may declare `P.*…` for the path `P` that hashes to `hash`.
    fn may_star(&self, hash: u64) -> bool {
        let bit = star_bit(hash);
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }
}

fn star_bit(hash: u64) -> usize {
    (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 54) as usize
}

impl Schema {
    /// The validator that judges a chart version (the generated table says
    /// from which version each one does: 2.15.1 for charts 2.x, ...).
    pub fn for_chart(chart: &ChartVersion) -> Schema {
        // Each validator's first version, parsed once (every file linted asks).
        static FROM: OnceLock<Vec<Option<(u64, u64, u64)>>> = OnceLock::new();
        let from = FROM.get_or_init(|| SCHEMAS.iter().map(|s| super::parse_version(s.judges_from)).collect());
        let at = (0..SCHEMAS.len()).filter(|&i| from[i].is_some_and(|v| chart.version >= v)).max_by_key(|&i| from[i]);
        Schema::at_index(at.expect("a validator judges from 0.0.0"))
    }

    pub fn validator(version: &str) -> Option<Schema> {
        SCHEMAS.iter().position(|s| s.validator == version).map(Schema::at_index)
    }

    fn at_index(i: usize) -> Schema {
        static PATHS: OnceLock<Vec<OnceLock<Indexed>>> = OnceLock::new();
        Schema { data: &SCHEMAS[i], index: i, paths: &PATHS.get_or_init(|| SCHEMAS.iter().map(|_| OnceLock::new()).collect())[i] }
    }

    /// The entry whose path is `parts` joined, which hashes to `hash`.
    fn find(&self, hash: u64, parts: &[&str]) -> Option<&'static SchemaEntry> {
        let entries = self.data.entries;
        self.indexed().paths.find_hashed(entries, |(k, _)| k, hash, parts).map(|i| &entries[i].1)
    }

    fn indexed(&self) -> &'static Indexed {
        let entries = self.data.entries;
        self.paths.get_or_init(|| Indexed { paths: PathIndex::new(entries, |(k, _)| k), stars: Stars::new(entries) })
    }

    /// Its place among the validators (the generated table's order).
    pub(super) fn index(&self) -> usize {
        self.index
    }

    pub(super) fn entries(&self) -> &'static [(&'static str, SchemaEntry)] {
        self.data.entries
    }

    pub fn version(&self) -> &'static str {
        self.data.validator
    }

    /// The entry the schema declares for exactly this path (no `*`).
    pub fn exact(&self, path: &str) -> Option<&'static SchemaEntry> {
        self.find(hash(&[path]), &[path])
    }

    /// The entry that types a key: where the chart version knows the key, only
    /// what the schema declares for exactly it. An entry for "any entry of this
    /// map" describes another version's shape (0.6's named
    /// `persistence.data.<name>` over 0.1's one `persistence.data`).
    pub fn typing(&self, path: &str, chart_knows: bool) -> Option<&'static SchemaEntry> {
        Self::typing_of(self.found(path), chart_knows)
    }

    /// [`Schema::typing`] from what [`Schema::found`] gave for the path.
    pub fn typing_of(found: Option<(&'static SchemaEntry, bool)>, chart_knows: bool) -> Option<&'static SchemaEntry> {
        found.filter(|&(_, exact)| exact || !chart_knows).map(|(entry, _)| entry)
    }

    /// A key's entry; a value of a map matches the map's `*` entry, and a
    /// key of such a value its `*.key` entry.
    pub fn at(&self, path: &str) -> Option<&'static SchemaEntry> {
        self.found(path).map(|(entry, _)| entry)
    }

    /// [`Schema::at`], and whether the entry is declared for exactly this path.
    pub fn found(&self, path: &str) -> Option<(&'static SchemaEntry, bool)> {
        // The wildcard paths are looked up in pieces, never built, and
        // hashed from their prefixes' hashes; a `*` entry is looked for only
        // below a path the schema has one under.
        let stars = &self.indexed().stars;
        let find = |hash: u64, parts: &[&str]| self.find(hash, parts).map(|entry| (entry, false));
        self.exact(path).map(|entry| (entry, true)).or_else(|| {
            let (parent, rest) = split_last(path)?;
            let parent_hash = hash(&[parent]);
            let map_entry = if stars.may_star(parent_hash) { find(extend(parent_hash, ".*"), &[parent, ".*"]) } else { None };
            map_entry.or_else(|| match split_last(parent) {
                Some((grand, _)) if !grand.is_empty() => {
                    let grand_hash = hash(&[grand]);
                    if !stars.may_star(grand_hash) {
                        return None;
                    }
                    find(extend(extend(grand_hash, ".*"), rest), &[grand, ".*", rest])
                }
                _ if stars.top => find(extend(extend(EMPTY, "*"), rest), &["*", rest]),
                _ => None,
            })
        })
    }

    /// Whether the validator lets a key through: it declares it (and does
    /// not crash on it), or the enclosing object keeps or drops what it
    /// does not declare, or the key lies below one it lets through undeclared.
    pub fn tolerates(&self, path: &str, parent: &str) -> bool {
        match self.at(path) {
            Some(entry) => !entry.crashes,
            None => self.tolerates_unknown(parent),
        }
    }

    /// Whether the validator lets through a key `parent` does not declare.
    pub fn tolerates_unknown(&self, parent: &str) -> bool {
        // Every validator's root forbids extras.
        if parent.is_empty() {
            return false;
        }
        let grand = split_last(parent).map(|(grand, _)| grand);
        tolerates_unknown_in(self.at(parent), grand.is_some(), || grand.is_some_and(|grand| self.tolerates_unknown(grand)))
    }

    /// Whether the validator refuses a top-level key in an agent deployment
    /// (`postgresql`, `broker`: the control plane's settings).
    pub fn refuses_on_agent(&self, key: &str) -> bool {
        self.data.agent_rejects.contains(&key)
    }

    /// The keys an object declares (aliases included).
    pub fn children(&self, parent: &str) -> Vec<&'static str> {
        let prefix = if parent.is_empty() { String::new() } else { format!("{parent}.") };
        let entries = self.data.entries;
        let first = entries.partition_point(|(k, _)| *k < prefix.as_str());
        entries[first..]
            .iter()
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| &k[prefix.len()..])
            .filter(|rest| !rest.contains('.') && !rest.contains("[]") && *rest != "*")
            .collect()
    }
}

/// Whether the validator lets through a key that a mapping does not
/// declare, from the mapping's own entry; `nested`: the mapping is below the
/// top, where `outer` says what the mapping holding it does.
pub fn tolerates_unknown_in(entry: Option<&SchemaEntry>, nested: bool, outer: impl FnOnce() -> bool) -> bool {
    match entry {
        Some(e) if e.ty == SType::Object => e.extra != Extra::Forbid,
        // A free mapping takes any key.
        Some(e) if matches!(e.ty, SType::Dict | SType::Any) => true,
        // Declared as something else: as the mapping itself goes.
        Some(e) => nested && !e.crashes,
        // Below a key the schema does not declare: as that key goes.
        None => outer(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_chart_line_has_its_validator() {
        let at = |label: &str| Schema::for_chart(&ChartVersion::from_label(label).unwrap()).version();
        assert_eq!(at("polyaxon-2.15.1"), "2.15.1");
        assert_eq!(at("polyaxon-1.20.0"), "1.20.0");
        assert_eq!(at("polyaxon-1.10.1"), "1.14.3");
        assert_eq!(at("polyaxon-0.5.6"), "0.6.1");
    }

    #[test]
    fn knows_types_values_and_extras() {
        let s = Schema::validator("2.15.1").unwrap();
        assert_eq!(s.at("proxy").unwrap().extra, Extra::Forbid);
        assert_eq!(s.at("proxy.port").unwrap().ty, SType::Int);
        assert_eq!(s.at("broker").unwrap().values, ["redis", "rabbitmq"]);
        assert!(s.children("proxy").contains(&"noProxy"));
        assert_eq!(s.at("securityContext.run_as_user").unwrap().alias_of, Some("runAsUser"));
        assert!(s.at("gateway.resources.requests").is_some());
    }

    #[test]
    fn every_path_is_found_as_declared() {
        for (i, data) in SCHEMAS.iter().enumerate() {
            let schema = Schema::at_index(i);
            for (path, entry) in data.entries {
                assert!(schema.exact(path).is_some_and(|e| std::ptr::eq(e, entry)), "{} {path}", data.validator);
            }
        }
    }

    #[test]
    fn joined_parts_compare_as_the_joined_string() {
        for key in ["", "a", "a.*", "a.*.b", "a.b", "a.*b", "b", "*", "*.x"] {
            for parts in [&["a", ".*"][..], &["a", ".*", ".b"], &["*", ".x"], &["a"], &["", ""], &["a.", "*"]] {
                assert_eq!(crate::knowledge::cmp_joined(key, parts), key.cmp(parts.concat().as_str()), "{key:?} {parts:?}");
            }
        }
    }
}
