//! Polyaxon's settings as the charts render them: keys of a ConfigMap's
//! `data` (chart 1.x and 2.x) or `env` entries of a container (0.x, and the
//! password variables of every version), read and written through the
//! [`Editor`].

use crate::edit::{Editor, Element, Fragment, MapRef, Matched, NodeError};
use crate::yaml::{Node, Scalar};

/// What an env entry should hold.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvValue {
    Value(String),
    SecretKey { secret: String, key: String },
}

impl EnvValue {
    fn frag(&self, name: &str) -> Fragment {
        let value = match self {
            EnvValue::Value(v) => ("value", Fragment::quoted(v)),
            EnvValue::SecretKey { secret, key } => (
                "valueFrom",
                Fragment::map([("secretKeyRef", Fragment::map([("name", Fragment::str(secret)), ("key", Fragment::str(key))]))]),
            ),
        };
        Fragment::map([("name", Fragment::str(name)), value])
    }

    /// Whether an existing entry already says exactly this.
    fn matches(&self, entry: &Node) -> bool {
        match self {
            EnvValue::Value(v) => entry.get("valueFrom").is_none() && string_value(entry.get("value")) == Some(v.as_str()),
            EnvValue::SecretKey { secret, key } => {
                let r = secret_ref(entry);
                entry.get("value").is_none() && r == Some((secret.as_str(), key.as_str()))
            }
        }
    }
}

fn string_value(node: Option<&Node>) -> Option<&str> {
    match node?.scalar()? {
        Scalar::Str(s) => Some(s),
        _ => node?.text(),
    }
}

/// The `data` mapping of a ConfigMap or Secret.
pub fn data_section(root: &Node) -> Option<&Node> {
    root.get("data").filter(|d| d.is_map())
}

/// The string value of a ConfigMap data key.
pub fn data_value<'a>(data: &'a Node, key: &str) -> Option<&'a str> {
    string_value(data.get(key))
}

/// Sets `key` in a ConfigMap's `data` to `value`, adding it when missing.
/// Returns whether anything changes.
pub fn set_data<'n>(editor: &mut Editor<'n>, data: &'n Node, key: &str, value: &str) -> Result<bool, NodeError> {
    if data_value(data, key) == Some(value) && data.get(key).is_some_and(|v| !v.is_null()) {
        return Ok(false);
    }
    editor.set_scalar(MapRef::Node(data), key, Fragment::quoted(value))?;
    Ok(true)
}

/// Every env entry of a container with this name (Kubernetes takes the last).
pub fn env_entries<'a>(container: &'a Node, name: &str) -> Vec<&'a Node> {
    container
        .get("env")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|e| e.get("name").and_then(Node::text) == Some(name))
        .collect()
}

/// The env entry Kubernetes uses for this name.
pub fn env_entry<'a>(container: &'a Node, name: &str) -> Option<&'a Node> {
    env_entries(container, name).pop()
}

/// The plain value of a container's env var, if it has one.
pub fn env_value<'a>(container: &'a Node, name: &str) -> Option<&'a str> {
    string_value(env_entry(container, name)?.get("value"))
}

/// The `(secret, key)` an env entry reads from, if it reads from a Secret.
pub fn secret_ref(entry: &Node) -> Option<(&str, &str)> {
    let r = entry.path(&["valueFrom", "secretKeyRef"])?;
    Some((r.get("name").and_then(Node::text)?, r.get("key").and_then(Node::text)?))
}

/// Names of a container's env entries, each once, in order.
pub fn env_names(container: &Node) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for name in container.get("env").and_then(Node::items).unwrap_or_default().iter().filter_map(|e| e.get("name").and_then(Node::text)) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Sets env vars on a container: every existing entry of a name is
/// rewritten in place (so no stale duplicate keeps an old value), a
/// missing one appended (creating `env:` when the container has none).
/// When `vars` names a variable twice, the last wins.
pub fn set_env<'n>(editor: &mut Editor<'n>, container: &'n Node, vars: &[(String, EnvValue)], path: &str) -> Result<(), NodeError> {
    let mut wanted: Vec<&(String, EnvValue)> = Vec::new();
    for var in vars {
        wanted.retain(|(name, _)| *name != var.0);
        wanted.push(var);
    }
    let elements: Vec<Element<'_>> = wanted
        .into_iter()
        .map(|(name, value)| Element {
            matches: Box::new(move |e: &Node| e.get("name").and_then(Node::text) == Some(name)),
            item: value.frag(name),
            matched: Matched::Replace(Box::new(move |e: &Node| !value.matches(e))),
        })
        .collect();
    editor.ensure_elements(container, "env", &format!("{path}.env"), &elements)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one;

    fn apply(text: &str, f: impl for<'n> FnOnce(&'n Node, &mut Editor<'n>)) -> String {
        let root = parse_one(text).unwrap().unwrap();
        let mut editor = Editor::new(text);
        f(&root, &mut editor);
        editor.finish().unwrap()
    }

    #[test]
    fn sets_and_adds_config_map_keys_as_strings() {
        let text = r#"data:
  POLYAXON_DB_HOST: "pax-postgresql"   # in-cluster
  POLYAXON_DB_PORT: "5432"
"#;
        let out = apply(text, |root, e| {
            let data = data_section(root).unwrap();
            assert!(set_data(e, data, "POLYAXON_DB_HOST", "pg.example.internal").unwrap());
            assert!(!set_data(e, data, "POLYAXON_DB_PORT", "5432").unwrap());
            assert!(set_data(e, data, "POLYAXON_DB_NAME", "polyaxon").unwrap());
        });
        assert_eq!(
            out,
            r#"data:
  POLYAXON_DB_HOST: "pg.example.internal"   # in-cluster
  POLYAXON_DB_PORT: "5432"
  POLYAXON_DB_NAME: "polyaxon"
"#
        );
    }

    #[test]
    fn env_entries_are_rewritten_in_place_or_appended() {
        let text = r#"name: c
env:
- name: POLYAXON_DB_PASSWORD
  value: hunter2
- name: KEEP
  value: "1"
- {name: POLYAXON_DB_PASSWORD, value: again,}
"#;
        let out = apply(text, |c, e| {
            let vars = [
                ("POLYAXON_DB_PASSWORD".to_string(), EnvValue::SecretKey { secret: "s".into(), key: "postgres-password".into() }),
                ("A".to_string(), EnvValue::Value("1".into())),
                ("A".to_string(), EnvValue::Value("2".into())),
            ];
            set_env(e, c, &vars, "c").unwrap()
        });
        assert_eq!(
            out,
            r#"name: c
env:
- name: POLYAXON_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: s
      key: postgres-password
- name: KEEP
  value: "1"
- {name: POLYAXON_DB_PASSWORD, valueFrom: {secretKeyRef: {name: s, key: postgres-password}}}
- name: A
  value: "2"
"#
        );
        assert!(!out.contains("hunter2") && !out.contains("again"));
    }

    #[test]
    fn env_is_created_when_missing_or_null() {
        let out = apply("name: c\nimage: x\n", |c, e| set_env(e, c, &[("A".into(), EnvValue::Value("1".into()))], "c").unwrap());
        assert_eq!(out, "name: c\nimage: x\nenv:\n- name: A\n  value: \"1\"\n");
        let out = apply("name: c\nenv: []\n", |c, e| set_env(e, c, &[("A".into(), EnvValue::Value("1".into()))], "c").unwrap());
        assert_eq!(out, "name: c\nenv: [{name: A, value: \"1\"}]\n");
        let out = apply("name: c\nenv: # none\n", |c, e| set_env(e, c, &[("A".into(), EnvValue::Value("1".into()))], "c").unwrap());
        assert_eq!(out, "name: c\nenv: [{name: A, value: \"1\"}] # none\n");
    }

    #[test]
    fn duplicate_config_map_keys_are_refused() {
        let text = "data:\n  POLYAXON_DB_PASSWORD: a\n  POLYAXON_DB_PASSWORD: b\n";
        let root = parse_one(text).unwrap().unwrap();
        let mut e = Editor::new(text);
        let err = set_data(&mut e, data_section(&root).unwrap(), "POLYAXON_DB_PASSWORD", "x").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(!err.message.contains('a') || !err.message.contains(": a"), "{}", err.message);
    }
}
