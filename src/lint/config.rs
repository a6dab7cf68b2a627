//! `.polyaxon-lint.yaml`: project settings for the linter.
//!
//! ```yaml
//! chart-version: 1.10.1        # default target
//! ignore: [K004, quoted-boolean]
//! per-path-ignores:
//!   "ci/legacy-*.yaml": [K001, K003]
//! ```
//! Found in the current directory or the nearest parent; `--config` names one.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

use super::rules::{self, Code};
use crate::error::{Error, Location};
use crate::yaml::{self, Node};

pub const FILE_NAME: &str = ".polyaxon-lint.yaml";

#[derive(Debug, Default)]
pub struct Config {
    /// Directory per-path patterns are relative to.
    pub dir: PathBuf,
    pub chart_version: Option<String>,
    ignore: Vec<Code>,
    /// Patterns relative to `dir` (`*` stays within a directory, `**` crosses them).
    per_path: Vec<(GlobMatcher, Vec<Code>)>,
}

impl Config {
    /// The nearest `.polyaxon-lint.yaml` from `start` upwards, if any.
    pub fn discover(start: &Path) -> Result<Option<Config>, Error> {
        match start.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file()) {
            Some(path) => Config::load(&path).map(Some),
            None => Ok(None),
        }
    }

    pub fn load(path: &Path) -> Result<Config, Error> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::unreadable(&shown, &e))?;
        let at = |node: &Node| Location::File { path: shown.clone(), line: node.line as usize, col: node.col as usize };
        let root = yaml::parse_one(&text).map_err(|e| {
            Error::at(Location::File { path: shown.clone(), line: e.line, col: e.col }, format!("invalid YAML: {}", e.message))
        })?;
        let mut config = Config { dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(), ..Default::default() };
        let Some(root) = root else { return Ok(config) };
        let entries = root.entries().ok_or_else(|| Error::at(at(&root), "the config must be a mapping"))?;
        for (key, value) in entries {
            match key.text().unwrap_or_default() {
                "chart-version" => {
                    config.chart_version =
                        Some(value.text().ok_or_else(|| Error::at(at(value), "chart-version must be a version"))?.to_string())
                }
                "ignore" => config.ignore = codes(value, &at)?,
                "per-path-ignores" => {
                    for (pattern, list) in
                        value.entries().ok_or_else(|| Error::at(at(value), "per-path-ignores must map patterns to codes"))?
                    {
                        let text = pattern.text().unwrap_or_default();
                        let glob = GlobBuilder::new(text)
                            .literal_separator(true)
                            .build()
                            .map_err(|e| Error::at(at(pattern), format!("`{text}` is not a valid path pattern: {}", e.kind())))?;
                        config.per_path.push((glob.compile_matcher(), codes(list, &at)?));
                    }
                }
                other => return Err(Error::at(at(key), format!("unknown setting `{other}` (chart-version, ignore, per-path-ignores)"))),
            }
        }
        Ok(config)
    }

    /// Whether `code` is ignored for `file`.
    pub fn ignores(&self, file: &Path, code: Code) -> bool {
        if self.ignore.contains(&code) {
            return true;
        }
        let relative = file.strip_prefix(&self.dir).unwrap_or(file);
        let relative = relative.strip_prefix("./").unwrap_or(relative);
        self.per_path.iter().any(|(pattern, codes)| codes.contains(&code) && pattern.is_match(relative))
    }
}

fn codes(node: &Node, at: &impl Fn(&Node) -> Location) -> Result<Vec<Code>, Error> {
    let items = node.items().ok_or_else(|| Error::at(at(node), "expected a list of codes"))?;
    items
        .iter()
        .map(|item| {
            let text = item.text().unwrap_or_default();
            rules::find(text)
                .map(|r| r.code)
                .ok_or_else(|| Error::at(at(item), format!("unknown rule `{text}`: see `polyaxon-pr explain`")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("polyaxon-lint-config-{}-{}", std::process::id(), text.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_codes_names_and_per_path_patterns() {
        let path = write("chart-version: 1.10.1\nignore: [K004, quoted-boolean]\nper-path-ignores:\n  \"ci/*.yaml\": [unknown-key]\n");
        let c = Config::load(&path).unwrap();
        assert_eq!(c.chart_version.as_deref(), Some("1.10.1"));
        assert!(c.ignores(&c.dir.join("x.yaml"), Code::T003));
        assert!(c.ignores(&c.dir.join("ci/a.yaml"), Code::K005));
        assert!(!c.ignores(&c.dir.join("a.yaml"), Code::K005));
        assert!(!c.ignores(&c.dir.join("ci/deeper/a.yaml"), Code::K005), "* stays within a directory");
        assert!(Config::discover(&c.dir.join("ci")).unwrap().is_some());
    }

    #[test]
    fn mistakes_are_located() {
        let err = Config::load(&write("ignore: [K999]\n")).unwrap_err().to_string();
        assert!(err.ends_with(":1:10: unknown rule `K999`: see `polyaxon-pr explain`"), "{err}");
        let err = Config::load(&write("ignores: []\n")).unwrap_err().to_string();
        assert!(err.contains(":1:1: unknown setting `ignores`"), "{err}");
        let err = Config::load(&write("per-path-ignores:\n  \"ci/[a.yaml\": [K005]\n")).unwrap_err().to_string();
        assert!(err.contains(":2:3: `ci/[a.yaml` is not a valid path pattern"), "{err}");
    }
}
