//! The user's Polyaxon values, layered the way Helm layers them.
//!
//! Files given with `-f` are read in order (later files win, maps merge
//! deeply, a `null` deletes the key), then `--set` arguments win over all
//! files. Nothing is merged eagerly: a lookup walks the layers from the top,
//! so every value keeps the file, line and column it came from. Keys the
//! post-renderer does not look up are never judged here; that is the linter's job.

use std::path::Path;

use crate::error::{Error, Location};
use crate::yaml::{self, Node, Scalar, Style, Value};

/// One source of values: a parsed file or a `--set` argument.
#[derive(Debug)]
enum Layer {
    File { path: String, root: Node },
    Set { arg: String, path: Vec<String>, value: Node },
}

/// A value found by a lookup, with where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    pub node: &'a Node,
    layer: &'a Layer,
}

impl Found<'_> {
    pub fn location(&self) -> Location {
        match self.layer {
            Layer::File { path, .. } => Location::File { path: path.clone(), line: self.node.line, col: self.node.col },
            Layer::Set { arg, .. } => Location::Arg(arg.clone()),
        }
    }

    fn type_error(&self, key: &str, expected: &str) -> Error {
        Error::at(self.location(), format!("`{key}` must be {expected}, found {}", self.node.type_name()))
    }
}

#[derive(Debug, Default)]
pub struct Values {
    layers: Vec<Layer>,
}

impl Values {
    /// True when no values were given at all.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Reads values files (in order) and `--set` / `--set-string` arguments.
    pub fn load(files: &[impl AsRef<Path>], sets: &[String], set_strings: &[String]) -> Result<Self, Error> {
        let mut values = Values::default();
        for file in files {
            values.add_file(file.as_ref())?;
        }
        for arg in sets {
            values.add_set(arg, Style::Plain)?;
        }
        for arg in set_strings {
            values.add_set(arg, Style::Quoted)?;
        }
        Ok(values)
    }

    pub fn add_file(&mut self, file: &Path) -> Result<(), Error> {
        let path = file.display().to_string();
        let text = std::fs::read_to_string(file).map_err(|e| Error::new(format!("cannot read values file {path}: {e}")))?;
        self.add_text(&path, &text)
    }

    /// Adds a values document read from `path` (used for files and tests).
    pub fn add_text(&mut self, path: &str, text: &str) -> Result<(), Error> {
        let at = |line, col| Location::File { path: path.to_string(), line, col };
        // Helm reads the first document of a values file.
        let root = yaml::parse_all(text)
            .map_err(|e| Error::at(at(e.line, e.col), format!("invalid YAML: {}", e.message)))?
            .into_iter()
            .next();
        match root {
            Some(root) if root.is_map() => self.layers.push(Layer::File { path: path.to_string(), root }),
            Some(root) if !root.is_null() => {
                return Err(Error::at(at(root.line, root.col), format!("a values file must be a mapping, found {}", root.type_name())))
            }
            _ => {}
        }
        Ok(())
    }

    /// Adds one `--set` argument: `a.b=1,c=x` (Helm's syntax, without list indexes).
    pub fn add_set(&mut self, arg: &str, style: Style) -> Result<(), Error> {
        let flag = if style == Style::Plain { "--set" } else { "--set-string" };
        let shown = format!("{flag} {arg}");
        for pair in split_unescaped(arg, ',') {
            let Some((key, value)) = split_once_unescaped(&pair, '=') else {
                return Err(Error::at(Location::Arg(shown), format!("`{pair}` is not of the form key=value")));
            };
            if key.contains('[') {
                return Err(Error::at(Location::Arg(shown), "list indexes in --set are not supported; use a values file"));
            }
            let path = split_unescaped(&key, '.').into_iter().map(|k| unescape(&k)).collect();
            let value = Node { start: 0, end: 0, line: 0, col: 0, value: Value::Scalar { text: unescape(&value), style } };
            self.layers.push(Layer::Set { arg: shown.clone(), path, value });
        }
        Ok(())
    }

    /// The value at a dotted path, or `None` when no layer sets it (or the top
    /// layer that reaches it sets it to null).
    pub fn get(&self, key: &str) -> Option<Found<'_>> {
        let path: Vec<&str> = key.split('.').collect();
        for layer in self.layers.iter().rev() {
            let node = match layer {
                Layer::File { root, .. } => walk(root, &path),
                Layer::Set { path: set, value, .. } => {
                    (set.len() == path.len() && set.iter().zip(&path).all(|(a, b)| a == b)).then_some(Step::Found(value))
                }
            };
            match node {
                Some(Step::Found(node)) if node.is_null() => return None,
                Some(Step::Found(node)) => return Some(Found { node, layer }),
                // A scalar where a map should be hides everything below it in older layers.
                Some(Step::Blocked) => return None,
                None => {}
            }
        }
        None
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        let Some(found) = self.get(key) else { return Ok(None) };
        match found.node.scalar() {
            Some(Scalar::Bool(b)) => Ok(Some(b)),
            _ => Err(found.type_error(key, "a boolean (true or false)")),
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, Error> {
        let Some(found) = self.get(key) else { return Ok(None) };
        match found.node.scalar() {
            Some(Scalar::Int(n)) => Ok(Some(n)),
            _ => Err(found.type_error(key, "an integer")),
        }
    }

    /// Any scalar as written (a password may well be all digits).
    pub fn scalar_text(&self, key: &str) -> Result<Option<String>, Error> {
        let Some(found) = self.get(key) else { return Ok(None) };
        match (found.node.text(), found.node.scalar()) {
            (Some(text), Some(_)) => Ok(Some(text.to_string())),
            _ => Err(found.type_error(key, "a string")),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, Error> {
        let Some(found) = self.get(key) else { return Ok(None) };
        match found.node.scalar() {
            Some(Scalar::Str(s)) => Ok(Some(s.to_string())),
            _ => Err(found.type_error(key, "a string")),
        }
    }
}

enum Step<'a> {
    Found(&'a Node),
    Blocked,
}

fn walk<'a>(root: &'a Node, path: &[&str]) -> Option<Step<'a>> {
    let mut node = root;
    for (i, key) in path.iter().enumerate() {
        if !node.is_map() {
            return (!node.is_null() && i > 0).then_some(Step::Blocked);
        }
        node = node.get(key)?;
    }
    Some(Step::Found(node))
}

fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = parts.last_mut().expect("never empty");
                last.push('\\');
                last.extend(chars.next());
            }
            c if c == sep => parts.push(String::new()),
            c => parts.last_mut().expect("never empty").push(c),
        }
    }
    parts
}

fn split_once_unescaped(s: &str, sep: char) -> Option<(String, String)> {
    let mut parts = split_unescaped(s, sep).into_iter();
    let key = parts.next()?;
    let rest: Vec<String> = parts.collect();
    (!rest.is_empty()).then(|| (key, rest.join(&sep.to_string())))
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(files: &[(&str, &str)], sets: &[&str]) -> Values {
        let mut v = Values::default();
        for (path, text) in files {
            v.add_text(path, text).unwrap();
        }
        for s in sets {
            v.add_set(s, Style::Plain).unwrap();
        }
        v
    }

    #[test]
    fn later_files_win_and_maps_merge() {
        let v = values(&[("a.yaml", "sc:\n  enabled: true\n  user: 1\n"), ("b.yaml", "sc:\n  user: 2\n")], &[]);
        assert_eq!(v.bool("sc.enabled").unwrap(), Some(true));
        assert_eq!(v.int("sc.user").unwrap(), Some(2));
    }

    #[test]
    fn null_in_a_later_file_deletes_the_key() {
        let v = values(&[("a.yaml", "sc:\n  user: 1\n"), ("b.yaml", "sc:\n  user: null\n")], &[]);
        assert_eq!(v.int("sc.user").unwrap(), None);
    }

    #[test]
    fn set_wins_over_files_and_is_typed_like_helm() {
        let v = values(&[("a.yaml", "sc:\n  enabled: false\n")], &["sc.enabled=true,sc.user=7", "name=a\\,b"]);
        assert_eq!(v.bool("sc.enabled").unwrap(), Some(true));
        assert_eq!(v.int("sc.user").unwrap(), Some(7));
        assert_eq!(v.string("name").unwrap().as_deref(), Some("a,b"));
    }

    #[test]
    fn wrong_types_name_file_line_and_column() {
        let v = values(&[("vals.yaml", "sc:\n  enabled: true\n  user: \"abc\"\n")], &[]);
        let err = v.int("sc.user").unwrap_err();
        assert_eq!(err.to_string(), "vals.yaml:3:9: `sc.user` must be an integer, found a string");
    }

    #[test]
    fn wrong_type_from_set_names_the_argument() {
        let v = values(&[], &["sc.enabled=maybe"]);
        let err = v.bool("sc.enabled").unwrap_err();
        assert_eq!(err.to_string(), "argument `--set sc.enabled=maybe`: `sc.enabled` must be a boolean (true or false), found a string");
    }

    #[test]
    fn a_scalar_above_the_path_hides_older_layers() {
        let v = values(&[("a.yaml", "sc:\n  user: 1\n"), ("b.yaml", "sc: off\n")], &[]);
        assert!(v.get("sc.user").is_none());
    }

    #[test]
    fn invalid_yaml_and_non_mapping_files_are_located_errors() {
        let mut v = Values::default();
        let err = v.add_text("bad.yaml", "a: [1\n").unwrap_err();
        assert!(err.to_string().starts_with("bad.yaml:"), "{err}");
        let err = v.add_text("list.yaml", "- a\n").unwrap_err();
        assert_eq!(err.to_string(), "list.yaml:1:1: a values file must be a mapping, found a list");
    }

    #[test]
    fn malformed_set_is_an_error() {
        let mut v = Values::default();
        assert!(v.add_set("novalue", Style::Plain).is_err());
        assert!(v.add_set("a[0]=x", Style::Plain).is_err());
    }
}
