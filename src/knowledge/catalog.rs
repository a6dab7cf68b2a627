//! What every chart version accepts: `catalog/catalog.json`, generated from
//! the corpus by `scripts/gen-catalog.py` and embedded in the binary.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

const CATALOG_JSON: &str = include_str!("../../catalog/catalog.json");

/// What a key holds in a version's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Map,
    /// A map whose keys are the user's (annotations, labels, `{}` defaults).
    Open,
    /// A section handed to a subchart.
    Subchart,
    /// A section the chart reads known keys from, but Polyaxon's validator
    /// takes as a free-form dict: findings below it are warnings.
    Loose,
    List,
    Str,
    Int,
    Float,
    Bool,
    /// Read by the templates, with no typed default.
    Any,
}

/// A key over consecutive versions `first..=last` (indexes into `versions`).
#[derive(Debug, Clone, Deserialize)]
pub struct Range(pub usize, pub usize, pub Kind, pub Option<Value>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Renamed,
    Moved,
    Removed,
}

/// A key that was renamed, moved or removed, from `catalog/changes.yaml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    pub key: String,
    pub kind: ChangeKind,
    pub to: Option<String>,
    pub since: String,
    pub note: Option<String>,
    #[serde(default)]
    pub validator_rejects: bool,
}

#[derive(Debug, Deserialize)]
pub struct Catalog {
    pub versions: Vec<String>,
    prereleases: Vec<String>,
    keys: HashMap<String, Vec<Range>>,
    changes: Vec<Change>,
}

impl Catalog {
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| serde_json::from_str(CATALOG_JSON).expect("catalog/catalog.json is valid (tested)"))
    }

    /// The newest released (not pre-release) version: the default target.
    pub fn newest(&self) -> usize {
        (0..self.versions.len()).rev().find(|&i| !self.prereleases.contains(&self.versions[i])).expect("a release")
    }

    /// A version by name (`1.10.1`, `v1.10.1`), or the newest of a line (`1.10`, `v2`).
    pub fn resolve(&self, name: &str) -> Result<usize, String> {
        let name = name.trim_start_matches('v');
        if let Some(i) = self.versions.iter().position(|v| v == name) {
            return Ok(i);
        }
        let line = format!("{name}.");
        (0..self.versions.len())
            .rev()
            .find(|&i| self.versions[i].starts_with(&line) && !self.prereleases.contains(&self.versions[i]))
            .ok_or_else(|| {
                format!(
                    "unknown chart version `{name}`: the catalog knows {} to {}",
                    self.versions[0],
                    self.versions[self.newest()]
                )
            })
    }

    /// The first release (not a pre-release) after version `index`, if any.
    pub fn next_release(&self, index: usize) -> Option<usize> {
        (index + 1..self.versions.len()).find(|&i| !self.prereleases.contains(&self.versions[i]))
    }

    pub fn version(&self, index: usize) -> &str {
        &self.versions[index]
    }

    /// The key's entry at a version, if that version accepts it.
    pub fn at(&self, key: &str, version: usize) -> Option<&Range> {
        self.keys.get(key)?.iter().find(|r| r.0 <= version && version <= r.1)
    }

    /// The first and last version that accepted the key, if any did.
    pub fn seen(&self, key: &str) -> Option<(usize, usize)> {
        let ranges = self.keys.get(key)?;
        Some((ranges.first()?.0, ranges.last()?.1))
    }

    /// Child key names of `parent` (`""` for the top level) at a version.
    pub fn children(&self, parent: &str, version: usize) -> Vec<&str> {
        let prefix = if parent.is_empty() { String::new() } else { format!("{parent}.") };
        let mut names: Vec<&str> = self
            .keys
            .iter()
            .filter_map(|(k, ranges)| {
                let rest = k.strip_prefix(&prefix)?;
                (!rest.contains('.') && ranges.iter().any(|r| r.0 <= version && version <= r.1)).then_some(rest)
            })
            .collect();
        names.sort_unstable();
        names
    }

    /// The default of a scalar key at a version.
    pub fn default(&self, key: &str, version: usize) -> Option<&Value> {
        self.at(key, version)?.3.as_ref()
    }

    /// What happened to `key` (or the section holding it).
    pub fn change_of(&self, key: &str) -> Option<&Change> {
        self.changes.iter().find(|c| c.key == key)
    }

    /// The change whose new name is `key` (for a new name used on an old chart).
    pub fn change_into(&self, key: &str) -> Option<&Change> {
        self.changes.iter().find(|c| c.kind == ChangeKind::Renamed && c.to.as_deref() == Some(key))
    }

    pub fn index_of(&self, version: &str) -> usize {
        self.versions.iter().position(|v| v == version).expect("changes.yaml versions are checked by the generator")
    }

    /// Whether any change rule is about a key below `section`.
    pub fn changes_below(&self, section: &str) -> bool {
        let prefix = format!("{section}.");
        self.changes.iter().any(|c| c.key.starts_with(&prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_versions_and_lines() {
        let c = Catalog::get();
        assert_eq!(c.version(c.newest()), "2.15.1");
        assert_eq!(c.version(c.resolve("v1.10.1").unwrap()), "1.10.1");
        assert_eq!(c.version(c.resolve("1.10").unwrap()), "1.10.1");
        assert_eq!(c.version(c.resolve("0.4").unwrap()), "0.4.4");
        assert!(c.resolve("3.0").is_err());
    }

    #[test]
    fn knows_when_keys_came_and_went() {
        let c = Catalog::get();
        let v = |s: &str| c.resolve(s).unwrap();
        assert!(c.at("securityContext.runAsUser", v("1.13.0")).is_some());
        assert!(c.at("securityContext.runAsUser", v("1.12.2")).is_none());
        assert_eq!(c.at("email.port", v("2.15.1")).unwrap().2, Kind::Int);
        assert_eq!(c.default("broker", v("2.15.1")), Some(&Value::from("redis")));
        assert_eq!(c.default("broker", v("1.10.1")), Some(&Value::from("rabbitmq")));
        // Read by the templates although the defaults say `dns: {}`.
        assert!(c.at("dns.backend", v("1.10.1")).is_some());
        assert!(c.children("email", v("2.15.1")).contains(&"useTls"));
        assert_eq!(c.change_of("rabbitmq-ha").unwrap().to.as_deref(), Some("rabbitmq"));
    }
}
