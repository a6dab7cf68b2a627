//! `--diff`: a unified diff of every document the post-renderer changed,
//! with secret values masked.

use similar::TextDiff;

use crate::edit::Edits;
use crate::postrender::Change;
use crate::yaml::{self, Node, Value};

const MASK: &str = "*****";

pub fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        let before = mask(&change.kind, &change.before);
        let after = mask(&change.kind, &change.after);
        let title = format!("{}/{} (document {})", change.kind, change.name, change.index);
        let diff = TextDiff::from_lines(&before, &after);
        out.push_str(&diff.unified_diff().context_radius(3).header(&title, &title).to_string());
    }
    out
}

/// Replaces secret values with a mask: every value of a Secret's `data` and
/// `stringData`, and any scalar whose key or env `name` looks like a credential.
pub fn mask(kind: &str, text: &str) -> String {
    let Ok(Some(root)) = yaml::parse_one(text) else { return text.to_string() };
    let mut spans = Vec::new();
    if kind == "Secret" {
        for section in ["data", "stringData"] {
            if let Some(entries) = root.get(section).and_then(Node::entries) {
                spans.extend(entries.iter().map(|(_, v)| v));
            }
        }
    }
    collect_sensitive(&root, &mut spans);
    let mut edits = Edits::default();
    spans.sort_by_key(|n| n.start);
    spans.dedup_by_key(|n| n.start);
    for node in spans {
        edits.replace(node, mask_lines(&text[node.start..node.end]));
    }
    edits.apply(text)
}

fn collect_sensitive<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    match &node.value {
        Value::Map { entries, .. } => {
            // An env entry: `- name: DB_PASSWORD` / `value: …`.
            let env_name = node.get("name").and_then(Node::text).filter(|n| sensitive(n));
            for (k, v) in entries {
                let key = k.text().unwrap_or_default();
                let is_scalar = matches!(v.value, Value::Scalar { .. });
                if is_scalar && (sensitive(key) || (env_name.is_some() && key == "value")) {
                    out.push(v);
                } else {
                    collect_sensitive(v, out);
                }
            }
        }
        Value::Seq { items, .. } => items.iter().for_each(|i| collect_sensitive(i, out)),
        _ => {}
    }
}

/// A key that names a credential, not one that points at one or describes one
/// (`…_SECRET_NAME`, `…_TOKENS_URL`, `…_PASSWORD_LENGTH`, `passwordSecretRef`).
fn sensitive(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let describes = ["ref", "name", "url", "length", "enabled"].iter().any(|s| key.ends_with(s));
    ["password", "secret", "token", "cookie"].iter().any(|w| key.contains(w)) && !describes
}

/// Masks each line of a value's text, keeping indentation so line counts stay right.
fn mask_lines(value: &str) -> String {
    value
        .split_inclusive('\n')
        .map(|line| {
            let indent = line.len() - line.trim_start_matches(' ').len();
            let body = line[indent..].trim_end_matches('\n');
            let eol = if line.ends_with('\n') { "\n" } else { "" };
            if body.is_empty() { line.to_string() } else { format!("{}{MASK}{eol}", &line[..indent]) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_data_and_credential_like_keys() {
        let text = "kind: Secret\ndata:\n  a: c2VjcmV0\nstringData:\n  b: |\n    multi\n    line\n  c: x\nmetadata:\n  name: s\n";
        let masked = mask("Secret", text);
        assert!(!masked.contains("c2VjcmV0") && !masked.contains("multi") && !masked.contains(" x\n"), "{masked}");
        assert!(masked.contains("name: s"));
        let env = "kind: Deployment\nenv:\n- name: POLYAXON_DB_PASSWORD\n  value: hunter2\n- name: HOST\n  value: db\nredisPassword: p4ss\npasswordSecretRef: keep\n";
        let masked = mask("Deployment", env);
        assert!(!masked.contains("hunter2") && !masked.contains("p4ss"), "{masked}");
        assert!(masked.contains("value: db") && masked.contains("passwordSecretRef: keep"), "{masked}");
        let cm = "data:\n  POLYAXON_REDIS_EPHEMERAL_TOKENS_URL: r:1/6\n  POLYAXON_K8S_DB_SECRET_NAME: s\n  POLYAXON_SECRET_KEY: k3y\n";
        let masked = mask("ConfigMap", cm);
        assert!(masked.contains("r:1/6") && masked.contains("NAME: s") && !masked.contains("k3y"), "{masked}");
    }

    #[test]
    fn diff_is_headed_by_kind_and_name() {
        let change = Change {
            index: 3,
            kind: "Secret".into(),
            name: "s".into(),
            before: "kind: Secret\ndata:\n  k: b2xk\n".into(),
            after: "kind: Secret\ndata:\n  k: b2xk\n  n: bmV3\n".into(),
        };
        let diff = render(&[change]);
        assert!(diff.starts_with("--- Secret/s (document 3)\n+++ Secret/s (document 3)\n"), "{diff}");
        assert!(diff.contains("+  n: *****") && !diff.contains("bmV3") && !diff.contains("b2xk"), "{diff}");
    }
}
