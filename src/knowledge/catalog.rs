//! What every chart version's values hold and its templates read: static
//! tables generated from the corpus by `scripts/gen-catalog.py`
//! ([`super::catalog_data`]), so neither the linter nor the post-renderer
//! parses anything to know it.

use super::catalog_data::{AGENT, CHANGES, PLATFORM};
use std::sync::OnceLock;

use super::path_index::PathIndex;
use super::ChartName;

/// What a key holds in a version's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Map,
    /// A map whose keys are the user's (annotations, labels, `{}` defaults).
    Open,
    /// A section handed to a subchart.
    Subchart,
    /// A map the templates read as a whole (`toJson .Values.notifier`,
    /// `with .Values.x`): what is below is judged by Polyaxon's schema.
    Whole,
    List,
    Str,
    Int,
    Float,
    Bool,
    /// Read by the templates, with no default.
    Any,
    /// The defaults hold null: any type, and null is the chart's own value.
    Null,
}

/// A key's default value in a version's values.yaml.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    None,
    /// A credential's default, deliberately not copied.
    Hidden,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'static str),
    /// The chart's own version (most image tags).
    ChartVersion,
}

impl DefaultValue {
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            DefaultValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            DefaultValue::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&'static str> {
        match self {
            DefaultValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A key over consecutive versions `first..=last` (indexes into the versions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range(pub usize, pub usize, pub Kind, pub DefaultValue);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Renamed,
    Moved,
    /// Carried into `to` where that is not set (a v1 `api` setting into the v2 gateway).
    Merged,
    Removed,
}

/// A key that was renamed, moved or removed, from `catalog/changes.yaml`.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub key: &'static str,
    pub kind: ChangeKind,
    pub to: Option<&'static str>,
    pub since: &'static str,
    pub note: Option<&'static str>,
    pub validator_rejects: bool,
}

/// Of a key's `ranges`, the newest version whose default is the string `value`.
pub fn newest_with_default(ranges: &[Range], value: &str) -> Option<usize> {
    ranges.iter().rev().find(|r| matches!(r.3, DefaultValue::Str(s) if s == value)).map(|r| r.1)
}

/// One chart's generated tables.
#[derive(Debug)]
pub struct CatalogData {
    pub versions: &'static [&'static str],
    pub prereleases: &'static [&'static str],
    /// Versions known by inference (their charts are not public), with where the knowledge comes from.
    pub inferred: &'static [(&'static str, &'static str)],
    /// Every key any version knows, sorted, with the version ranges that know it.
    pub keys: &'static [(&'static str, &'static [Range])],
}

/// A version parsed ([`super::parse_version`]).
type Parsed = Option<(u64, u64, u64)>;

/// The catalog of one chart (platform or agent): a view over the generated tables.
#[derive(Debug)]
pub struct Catalog {
    pub chart: ChartName,
    pub versions: &'static [&'static str],
    prereleases: &'static [&'static str],
    inferred: &'static [(&'static str, &'static str)],
    keys: &'static [(&'static str, &'static [Range])],
    changes: &'static [Change],
    /// The greatest version parsed up to each, made once (for [`Catalog::index_of`]).
    greatest_so_far: OnceLock<Vec<Parsed>>,
    /// The versions, keys and changed keys, indexed the first time one is looked up.
    version_index: OnceLock<PathIndex>,
    key_index: OnceLock<PathIndex>,
    change_index: OnceLock<PathIndex>,
    /// The renames, in order, indexed by their new names.
    renames: OnceLock<(Vec<&'static Change>, PathIndex)>,
    /// Every proper prefix (`a`, `a.b`) of a changed key `a.b.c`, indexed
    /// ([`Catalog::has_change_below`]).
    changed_parents: OnceLock<(Vec<&'static str>, PathIndex)>,
    /// Whether each version is a pre-release, by index (made once).
    prerelease: OnceLock<Vec<bool>>,
    /// The keys named `image` or `imageTag`, sorted ([`Catalog::image_keys`]).
    images: OnceLock<Vec<(&'static str, &'static [Range])>>,
}

static PLATFORM_CATALOG: Catalog = Catalog {
    chart: ChartName::Platform,
    versions: PLATFORM.versions,
    prereleases: PLATFORM.prereleases,
    inferred: PLATFORM.inferred,
    keys: PLATFORM.keys,
    changes: CHANGES,
    greatest_so_far: OnceLock::new(),
    version_index: OnceLock::new(),
    key_index: OnceLock::new(),
    change_index: OnceLock::new(),
    renames: OnceLock::new(),
    changed_parents: OnceLock::new(),
    prerelease: OnceLock::new(),
    images: OnceLock::new(),
};
static AGENT_CATALOG: Catalog = Catalog {
    chart: ChartName::Agent,
    versions: AGENT.versions,
    prereleases: AGENT.prereleases,
    inferred: AGENT.inferred,
    keys: AGENT.keys,
    changes: CHANGES,
    greatest_so_far: OnceLock::new(),
    version_index: OnceLock::new(),
    key_index: OnceLock::new(),
    change_index: OnceLock::new(),
    renames: OnceLock::new(),
    changed_parents: OnceLock::new(),
    prerelease: OnceLock::new(),
    images: OnceLock::new(),
};

impl Catalog {
    /// The platform chart's catalog.
    pub fn get() -> &'static Catalog {
        &PLATFORM_CATALOG
    }

    pub fn of(chart: ChartName) -> &'static Catalog {
        match chart {
            ChartName::Platform => &PLATFORM_CATALOG,
            ChartName::Agent => &AGENT_CATALOG,
        }
    }

    fn ranges(&self, key: &str) -> Option<&'static [Range]> {
        let keys = self.keys;
        let index = self.key_index.get_or_init(|| PathIndex::new(keys, |(k, _)| k));
        index.find(keys, |(k, _)| k, &[key]).map(|i| keys[i].1)
    }

    /// Every key any version knows, with its ranges (for [`super::key_rows`]).
    pub(super) fn keys(&self) -> &'static [(&'static str, &'static [Range])] {
        self.keys
    }

    /// The key's entry at a version, from its ranges.
    pub fn in_ranges(ranges: &'static [Range], version: usize) -> Option<&'static Range> {
        ranges.iter().find(|r| r.0 <= version && version <= r.1)
    }

    /// [`Catalog::around`], from the key's ranges.
    pub fn around_ranges(ranges: &[Range], version: usize) -> (Option<usize>, Option<usize>) {
        (ranges.iter().filter(|r| r.1 < version).map(|r| r.1).max(), ranges.iter().filter(|r| r.0 > version).map(|r| r.0).min())
    }

    /// The keys any version has whose last segment is `image` or `imageTag`,
    /// sorted, with their ranges: the image trap looks for these alone.
    pub fn image_keys(&self) -> &[(&'static str, &'static [Range])] {
        self.images.get_or_init(|| {
            let image =
                |k: &str| ["image", "imageTag"].iter().any(|leaf| k.strip_suffix(leaf).is_some_and(|p| p.is_empty() || p.ends_with('.')));
            self.keys.iter().filter(|(k, _)| image(k)).copied().collect()
        })
    }

    /// The newest released (not pre-release) version: the default target.
    pub fn newest(&self) -> usize {
        (0..self.versions.len()).rev().find(|&i| !self.prereleases.contains(&self.versions[i])).expect("a release")
    }

    /// A version by name (`1.10.1`, `v1.10.1`), or the newest of a line (`1.10`, `v2`).
    pub fn resolve(&self, name: &str) -> Result<usize, String> {
        let name = name.trim_start_matches('v');
        if let Some(i) = self.versions.iter().position(|v| *v == name) {
            return Ok(i);
        }
        let line = format!("{name}.");
        (0..self.versions.len())
            .rev()
            .find(|&i| self.versions[i].starts_with(&line) && !self.prereleases.contains(&self.versions[i]))
            .ok_or_else(|| self.unknown(name))
    }

    /// [`Catalog::resolve`], and a version newer than any known (a release
    /// after this build) as the newest known, with a warning saying so.
    pub fn resolve_target(&self, name: &str) -> Result<(usize, Option<String>), String> {
        match self.resolve(name) {
            Ok(i) => Ok((i, None)),
            Err(e) => {
                let newest = self.newest();
                let wanted = super::parse_version(&format!("{}.0.0", name.trim_start_matches('v')))
                    .filter(|_| name.trim_start_matches('v').matches('.').count() < 2)
                    .or_else(|| super::parse_version(name));
                match wanted {
                    Some(v) if super::parse_version(self.versions[newest]).is_some_and(|known| v > known) => {
                        let known = self.versions[newest];
                        Ok((newest, Some(format!(
                            "chart {} is newer than any polyaxon-helm knows (newest: {known}): judged as {known}; update polyaxon-helm, or absorb the release with scripts/update-knowledge.sh",
                            name.trim_start_matches('v')
                        ))))
                    }
                    _ => Err(e),
                }
            }
        }
    }

    /// Why `name` is no version of this chart, with the nearest real ones.
    fn unknown(&self, name: &str) -> String {
        let chart = match self.chart {
            ChartName::Platform => "polyaxon",
            ChartName::Agent => "agent",
        };
        let releases: Vec<&str> = self.versions.iter().copied().filter(|v| !self.prereleases.contains(v)).collect();
        let nearest = super::parse_version(name).map(|wanted| {
            let after = releases.iter().position(|v| super::parse_version(v).is_some_and(|v| v > wanted));
            let before = after.map_or(releases.len(), |i| i).checked_sub(1).map(|i| releases[i]);
            [before, after.map(|i| releases[i])].into_iter().flatten().collect::<Vec<_>>()
        });
        match nearest.filter(|n| !n.is_empty()) {
            Some(n) => format!("unknown {chart} chart version `{name}`: no such release; the nearest are {}", n.join(" and ")),
            None => format!(
                "unknown {chart} chart version `{name}`: the catalog knows {} to {}",
                self.versions[0],
                self.versions[self.newest()]
            ),
        }
    }

    /// Where the knowledge of version `index` comes from, when its chart is not
    /// public and the version is known by inference.
    pub fn inferred(&self, index: usize) -> Option<&'static str> {
        let version = self.versions[index];
        self.inferred.iter().find(|(v, _)| *v == version).map(|(_, source)| *source)
    }

    /// The first release (not a pre-release) after version `index`, if any.
    pub fn next_release(&self, index: usize) -> Option<usize> {
        let prerelease = self.prerelease.get_or_init(|| self.versions.iter().map(|v| self.prereleases.contains(v)).collect());
        (index + 1..self.versions.len()).find(|&i| !prerelease[i])
    }

    pub fn version(&self, index: usize) -> &'static str {
        self.versions[index]
    }

    /// The key's entry at a version, if that version accepts it.
    pub fn at(&self, key: &str, version: usize) -> Option<&'static Range> {
        Self::in_ranges(self.ranges(key)?, version)
    }

    /// Whether any version accepted the key.
    pub fn knows(&self, key: &str) -> bool {
        self.ranges(key).is_some_and(|r| !r.is_empty())
    }

    /// Around a version that does not accept the key: the last version
    /// before it and the first after it that do.
    pub fn around(&self, key: &str, version: usize) -> (Option<usize>, Option<usize>) {
        Self::around_ranges(self.ranges(key).unwrap_or_default(), version)
    }

    /// Child key names of `parent` (`""` for the top level) at a version.
    pub fn children(&self, parent: &str, version: usize) -> Vec<&'static str> {
        self.children_at(parent, version).collect()
    }

    /// Whether `parent` has a child key at a version.
    pub fn has_children(&self, parent: &str, version: usize) -> bool {
        self.children_at(parent, version).next().is_some()
    }

    fn children_at<'a>(&self, parent: &'a str, version: usize) -> impl Iterator<Item = &'static str> + 'a {
        let prefix = if parent.is_empty() { [""; 2] } else { [parent, "."] };
        let len = prefix[0].len() + prefix[1].len();
        // Keys are sorted, so the children of `parent` form one run.
        let keys = self.keys;
        let first = keys.partition_point(|(k, _)| super::cmp_joined(k, &prefix).is_lt());
        keys[first..].iter().take_while(move |(k, _)| k.starts_with(prefix[0]) && k[prefix[0].len()..].starts_with(prefix[1])).filter_map(
            move |(k, ranges)| {
                let rest = &k[len..];
                (!rest.contains('.') && ranges.iter().any(|r| r.0 <= version && version <= r.1)).then_some(rest)
            },
        )
    }

    /// The default of a scalar key at a version.
    pub fn default(&self, key: &str, version: usize) -> DefaultValue {
        self.at(key, version).map_or(DefaultValue::None, |r| r.3)
    }

    /// The string default of `key` when every version that has the key agrees on it.
    pub fn same_default_everywhere(&self, key: &str) -> Option<&'static str> {
        let ranges = self.ranges(key)?;
        let first = ranges.first()?.3.as_str()?;
        ranges.iter().all(|r| r.3 == DefaultValue::Str(first)).then_some(first)
    }

    /// The newest version whose default for `key` is the string `value`.
    pub fn default_in(&self, key: &str, value: &str) -> Option<usize> {
        newest_with_default(self.ranges(key)?, value)
    }

    /// Every rename, move and removal, for all versions.
    pub fn changes(&self) -> &'static [Change] {
        self.changes
    }

    /// What happened to `key` (or the section holding it).
    pub fn change_of(&self, key: &str) -> Option<&'static Change> {
        let changes = self.changes;
        let index = self.change_index.get_or_init(|| PathIndex::new(changes, |c| c.key));
        index.find(changes, |c| c.key, &[key]).map(|i| &changes[i])
    }

    /// Whether a key below `key` (`key.` and more) was renamed, moved or removed.
    pub fn has_change_below(&self, key: &str) -> bool {
        let (parents, index) = self.changed_parents.get_or_init(|| {
            let mut parents: Vec<&'static str> =
                self.changes.iter().flat_map(|c| c.key.match_indices('.').map(|(dot, _)| &c.key[..dot])).collect();
            parents.sort_unstable();
            parents.dedup();
            let index = PathIndex::new(&parents, |p| p);
            (parents, index)
        });
        index.find(parents, |p| p, &[key]).is_some()
    }

    /// The change whose new name is `key` (for a new name used on an old chart).
    pub fn change_into(&self, key: &str) -> Option<&'static Change> {
        // The first rename to `key`, as a scan of the changes in order would find it.
        let (renames, index) = self.renames.get_or_init(|| {
            let renames: Vec<&'static Change> = self.changes.iter().filter(|c| c.kind == ChangeKind::Renamed && c.to.is_some()).collect();
            let index = PathIndex::new(&renames, |c| c.to.unwrap_or_default());
            (renames, index)
        });
        index.find(renames, |c| c.to.unwrap_or_default(), &[key]).map(|i| renames[i])
    }

    /// The index of a version, or of the first one after it this chart has
    /// (the agent chart lacks some platform versions).
    pub fn index_of(&self, version: &str) -> usize {
        let versions = self.versions;
        let index = self.version_index.get_or_init(|| PathIndex::new(versions, |v| v));
        index.find(versions, |v| v, &[version]).unwrap_or_else(|| {
            let wanted = super::parse_version(version);
            // The greatest version up to each one (the list is not quite in order:
            // 0.0.81 comes before 0.0.9): the first of these at or after `wanted`
            // is the first version that is, found by halves.
            let most = self.greatest_so_far.get_or_init(|| {
                let mut most = None;
                self.versions
                    .iter()
                    .map(|v| {
                        most = most.max(super::parse_version(v));
                        most
                    })
                    .collect()
            });
            most.partition_point(|v| *v < wanted)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_versions_and_lines() {
        let c = Catalog::get();
        assert_eq!(c.version(c.newest()), "2.18.0");
        assert!(c.inferred(c.newest()).is_some_and(|s| s.contains("Polyaxon 2.18.0")));
        assert!(c.inferred(c.resolve("2.15.1").unwrap()).is_none());
        assert_eq!(c.version(c.resolve("v1.10.1").unwrap()), "1.10.1");
        assert_eq!(c.version(c.resolve("1.10").unwrap()), "1.10.1");
        assert_eq!(c.version(c.resolve("0.4").unwrap()), "0.4.4");
        assert!(c.resolve("3.0").is_err());
        let newest = c.version(c.newest());
        let (i, note) = c.resolve_target("2.19.0").unwrap();
        assert_eq!(c.version(i), newest);
        assert!(note.unwrap().contains("newer than any polyaxon-helm knows"));
        assert!(c.resolve_target("v3").unwrap().1.is_some());
        let err = c.resolve_target("2.15.7").unwrap_err();
        assert!(err.ends_with("the nearest are 2.15.1 and 2.16.0"), "{err}");
        assert_eq!(c.resolve_target("2.18").unwrap(), (c.resolve("2.18.0").unwrap(), None));
    }

    #[test]
    fn every_key_is_found_with_its_ranges() {
        for catalog in [Catalog::of(ChartName::Platform), Catalog::of(ChartName::Agent)] {
            for (key, ranges) in catalog.keys {
                assert!(catalog.ranges(key).is_some_and(|r| std::ptr::eq(r, *ranges)), "{key}");
            }
            for change in catalog.changes {
                assert_eq!(catalog.change_of(change.key).map(|c| c.key), Some(change.key));
                for name in [Some(change.key), change.to].into_iter().flatten() {
                    let scanned = catalog.changes.iter().find(|c| c.kind == ChangeKind::Renamed && c.to == Some(name));
                    assert_eq!(catalog.change_into(name).map(|c| c as *const Change), scanned.map(|c| c as *const Change), "{name}");
                }
            }
        }
    }

    #[test]
    fn knows_when_keys_came_and_went() {
        let c = Catalog::get();
        let v = |s: &str| c.resolve(s).unwrap();
        assert!(c.at("securityContext.runAsUser", v("1.13.0")).is_some());
        assert!(c.at("securityContext.runAsUser", v("1.12.2")).is_none());
        assert_eq!(c.at("email.port", v("2.15.1")).unwrap().2, Kind::Int);
        assert_eq!(c.default("broker", v("2.15.1")), DefaultValue::Str("redis"));
        assert_eq!(c.default("broker", v("1.10.1")), DefaultValue::Str("rabbitmq"));
        // Read by the templates although the defaults say `dns: {}`.
        assert!(c.at("dns.backend", v("1.10.1")).is_some());
        assert!(c.children("email", v("2.15.1")).contains(&"useTls"));
        assert_eq!(c.change_of("rabbitmq-ha").unwrap().to, Some("rabbitmq"));
        assert_eq!(c.default("adminApiKey", v("0.0.1")), DefaultValue::Hidden);
    }
}
