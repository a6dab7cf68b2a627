//! Polyaxon's settings as the charts render them: keys of a ConfigMap's
//! `data` (chart 1.x and 2.x) or `env` entries of a container (0.x, and the
//! password variables of every version).

use super::NodeError;
use crate::edit::{quote, Edits, Frag};
use crate::yaml::{Node, Scalar};

/// What an env entry should hold.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvValue {
    Value(String),
    SecretKey { secret: String, key: String },
}

impl EnvValue {
    fn frag(&self, name: &str) -> Frag {
        let value = match self {
            EnvValue::Value(v) => ("value", Frag::Scalar(always_quoted(v))),
            EnvValue::SecretKey { secret, key } => (
                "valueFrom",
                Frag::map([("secretKeyRef", Frag::map([("name", Frag::str(secret)), ("key", Frag::str(key))]))]),
            ),
        };
        Frag::map([("name", Frag::str(name)), value])
    }

    /// Whether an existing entry already says exactly this.
    fn matches(&self, entry: &Node) -> bool {
        match self {
            EnvValue::Value(v) => entry.get("valueFrom").is_none() && string_value(entry.get("value")) == Some(v.as_str()),
            EnvValue::SecretKey { secret, key } => {
                let r = entry.path(&["valueFrom", "secretKeyRef"]);
                entry.get("value").is_none()
                    && r.and_then(|r| r.get("name")).and_then(Node::text) == Some(secret)
                    && r.and_then(|r| r.get("key")).and_then(Node::text) == Some(key)
            }
        }
    }
}

/// ConfigMap values and env values are strings; quote them so YAML never
/// reads `5432` or `true` as anything else.
pub fn always_quoted(s: &str) -> String {
    let q = quote(s);
    if q.starts_with('"') { q } else { format!("\"{s}\"") }
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
/// Returns true when anything changes.
pub fn set_data(text: &str, data: &Node, key: &str, value: &str, edits: &mut Edits) -> bool {
    match data.get(key) {
        Some(v) if string_value(Some(v)) == Some(value) => false,
        Some(v) => {
            edits.replace(v, always_quoted(value));
            true
        }
        None => {
            edits.add_entries(text, data, vec![(key.to_string(), Frag::Scalar(always_quoted(value)))]);
            true
        }
    }
}

/// The env entry of a container with this name (the last one, as Kubernetes takes it).
pub fn env_entry<'a>(container: &'a Node, name: &str) -> Option<&'a Node> {
    container.get("env")?.items()?.iter().rev().find(|e| e.get("name").and_then(Node::text) == Some(name))
}

/// The plain value of a container's env var, if it has one.
pub fn env_value<'a>(container: &'a Node, name: &str) -> Option<&'a str> {
    string_value(env_entry(container, name)?.get("value"))
}

/// Names of a container's env entries.
pub fn env_names(container: &Node) -> impl Iterator<Item = &str> {
    container.get("env").and_then(Node::items).unwrap_or_default().iter().filter_map(|e| e.get("name").and_then(Node::text))
}

/// Sets env vars on a container: an existing entry is rewritten in place,
/// a missing one appended (creating `env:` when the container has none).
pub fn set_env(text: &str, container: &Node, vars: &[(String, EnvValue)], edits: &mut Edits) -> Result<(), NodeError> {
    let mut missing = Vec::new();
    for (name, value) in vars {
        match env_entry(container, name) {
            Some(entry) if value.matches(entry) => {}
            Some(entry) => edits.replace_with(text, entry, &value.frag(name)),
            None => missing.push(value.frag(name)),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    match container.entry("env") {
        Some((k, env)) if env.is_null() => edits.fill_null(text, k, env, &Frag::Seq(missing)),
        Some((_, env)) if env.items().is_some() => edits.add_items(text, env, missing),
        Some((_, env)) => return Err(NodeError::at(env, format!("env must be a list, found {}", env.type_name()))),
        None => edits.add_entries(text, container, vec![("env".into(), Frag::Seq(missing))]),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one;

    fn apply(text: &str, f: impl FnOnce(&Node, &mut Edits)) -> String {
        let root = parse_one(text).unwrap().unwrap();
        let mut edits = Edits::default();
        f(&root, &mut edits);
        edits.apply(text)
    }

    #[test]
    fn sets_and_adds_config_map_keys_as_strings() {
        let text = "data:\n  POLYAXON_DB_HOST: \"pax-postgresql\"\n  POLYAXON_DB_PORT: \"5432\"\n";
        let out = apply(text, |root, e| {
            let data = data_section(root).unwrap();
            assert!(set_data(text, data, "POLYAXON_DB_HOST", "pg.example.internal", e));
            assert!(!set_data(text, data, "POLYAXON_DB_PORT", "5432", e));
            assert!(set_data(text, data, "POLYAXON_DB_NAME", "polyaxon", e));
        });
        assert_eq!(out, "data:\n  POLYAXON_DB_HOST: \"pg.example.internal\"\n  POLYAXON_DB_PORT: \"5432\"\n  POLYAXON_DB_NAME: \"polyaxon\"\n");
    }

    #[test]
    fn replacing_a_quoted_value_keeps_its_comment() {
        let text = "data:\n  POLYAXON_DB_HOST: \"pax-postgresql\"   # in-cluster\n";
        let out = apply(text, |root, e| {
            set_data(text, data_section(root).unwrap(), "POLYAXON_DB_HOST", "pg.example.internal", e);
        });
        assert_eq!(out, "data:\n  POLYAXON_DB_HOST: \"pg.example.internal\"   # in-cluster\n");
    }

    #[test]
    fn env_entries_are_rewritten_in_place_or_appended() {
        let text = "name: c\nenv:\n- name: POLYAXON_DB_PASSWORD\n  value: hunter2\n- name: KEEP\n  value: \"1\"\n";
        let out = apply(text, |c, e| {
            set_env(
                text,
                c,
                &[
                    ("POLYAXON_DB_PASSWORD".into(), EnvValue::SecretKey { secret: "s".into(), key: "postgres-password".into() }),
                    ("PATH".into(), EnvValue::Value("/usr/bin".into())),
                ],
                e,
            )
            .unwrap()
        });
        assert_eq!(
            out,
            "name: c\nenv:\n- name: POLYAXON_DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: s\n      key: postgres-password\n- name: KEEP\n  value: \"1\"\n- name: PATH\n  value: \"/usr/bin\"\n"
        );
    }

    #[test]
    fn env_is_created_when_missing() {
        let text = "name: c\nimage: x\n";
        let out = apply(text, |c, e| set_env(text, c, &[("A".into(), EnvValue::Value("1".into()))], e).unwrap());
        assert_eq!(out, "name: c\nimage: x\nenv:\n- name: A\n  value: \"1\"\n");
        let text = "name: c\nenv: []\n";
        let out = apply(text, |c, e| set_env(text, c, &[("A".into(), EnvValue::Value("1".into()))], e).unwrap());
        assert_eq!(out, "name: c\nenv: [{name: A, value: \"1\"}]\n");
    }
}
