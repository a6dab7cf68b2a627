//! Secrets stay secret: which values are credentials, and masking them in
//! text shown to people (`--diff`, linter source snippets).

use crate::yaml::{self, Node, Value};

/// A key that names a credential, not one that points at one or describes one
/// (`…_SECRET_NAME`, `…_TOKENS_URL`, `…_PASSWORD_LENGTH`, `passwordSecretRef`).
pub fn sensitive(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let describes = ["ref", "name", "url", "length", "enabled"].iter().any(|s| key.ends_with(s));
    ["password", "secret", "token", "cookie", "apikey", "api_key", "credential", "privatekey", "private_key"]
        .iter()
        .any(|w| key.contains(w))
        && !describes
}

/// The value nodes to hide in one document: every value of a Secret's `data`
/// and `stringData`, and any scalar whose key or env `name` looks like a credential.
fn secret_values<'a>(root: &'a Node, out: &mut Vec<&'a Node>) {
    if root.get("kind").and_then(Node::text) == Some("Secret") {
        for section in ["data", "stringData"] {
            out.extend(root.get(section).and_then(Node::entries).unwrap_or_default().iter().map(|(_, v)| v));
        }
    }
    collect(root, out);
}

fn collect<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
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
                    collect(v, out);
                }
            }
        }
        Value::Seq { items, .. } => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

/// The credentials in a values text as they are written, to mask wherever
/// they show up again (commented out by migrate, say): each value under a
/// credential-like key, raw and by line, and the password of any
/// `user:password@host` in a scalar.
pub fn credentials_in(text: &str) -> Vec<String> {
    let Ok(docs) = yaml::parse_all(text) else { return Vec::new() };
    let mut out = Vec::new();
    for doc in &docs {
        let mut nodes = Vec::new();
        secret_values(doc, &mut nodes);
        // Strings and numbers only: `usePassword: false` must not mask every `false`.
        for node in nodes.into_iter().filter(|n| !matches!(n.scalar(), Some(yaml::Scalar::Null | yaml::Scalar::Bool(_)))) {
            let raw = text[node.start..node.end].trim_matches(['"', '\'']);
            out.extend(raw.lines().map(str::trim).filter(|l| l.len() >= 3).map(String::from));
            out.extend(node.text().map(String::from));
        }
        scalars(doc, &mut |s| out.extend(url_password(s).map(String::from)));
    }
    out.sort();
    out.dedup();
    out
}

fn scalars<'a>(node: &'a Node, f: &mut impl FnMut(&'a str)) {
    match &node.value {
        Value::Map { entries, .. } => entries.iter().for_each(|(_, v)| scalars(v, f)),
        Value::Seq { items, .. } => items.iter().for_each(|i| scalars(i, f)),
        _ => f(node.text().unwrap_or_default()),
    }
}

/// The password of `[scheme://]user:password@host…`: up to the last `@`,
/// as a password may hold `@` and `/` where a user name does not.
fn url_password(s: &str) -> Option<&str> {
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    let userinfo = &rest[..rest.rfind('@')?];
    let (user, password) = userinfo.split_once(':')?;
    (!user.contains(['/', ' ', '@']) && !password.is_empty()).then_some(password)
}

/// Masks secret values in one document with `*****`, line by line, keeping
/// indentation and line count so a diff of two masked texts lines up; then
/// every occurrence of a `known` secret (passwords from the values), under
/// whatever key it sits (a DB URL, args, an options JSON).
pub fn mask_for_diff(text: &str, known: &[String]) -> String {
    let masked = match yaml::parse_one(text) {
        Ok(Some(root)) => mask_nodes(text, &root),
        _ => text.to_string(),
    };
    redact(&masked, known)
}

/// Replaces every occurrence of a known secret with `*****`, except inside
/// a longer name (`pax-polyaxon-api` when the password is `polyaxon`): a
/// secret sits between quotes, blanks or URL punctuation.
pub fn redact(text: &str, known: &[String]) -> String {
    let name_char = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    let mut out = text.to_string();
    for secret in known.iter().filter(|s| s.len() >= 3) {
        if !out.contains(secret.as_str()) {
            continue;
        }
        let mut masked = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(secret.as_str()) {
            let (before, after) = (&rest[..i], &rest[i + secret.len()..]);
            let inside_name = before.chars().next_back().is_some_and(name_char) || after.chars().next().is_some_and(name_char);
            masked.push_str(before);
            masked.push_str(if inside_name { secret } else { "*****" });
            rest = after;
        }
        masked.push_str(rest);
        out = masked;
    }
    out
}

fn mask_nodes(text: &str, root: &Node) -> String {
    let mut nodes = Vec::new();
    secret_values(root, &mut nodes);
    nodes.sort_by_key(|n| n.start);
    nodes.dedup_by_key(|n| n.start);
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for node in nodes {
        if node.start < pos {
            continue;
        }
        let masked: String = text[node.start..node.end]
            .split_inclusive('\n')
            .map(|line| {
                let indent = line.len() - line.trim_start_matches(' ').len();
                let eol = if line.ends_with('\n') { "\n" } else { "" };
                if line[indent..].trim_end_matches('\n').is_empty() {
                    line.to_string()
                } else {
                    format!("{}*****{eol}", &line[..indent])
                }
            })
            .collect();
        out.push_str(&text[pos..node.start]);
        out.push_str(&masked);
        pos = node.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Masks secret values in every document with `*` byte for byte, so every
/// offset into the text stays valid (diagnostic spans point into it).
pub fn mask_in_place(text: &str) -> String {
    let Ok(docs) = yaml::parse_all(text) else {
        return text.to_string();
    };
    let mut bytes = text.as_bytes().to_vec();
    for doc in &docs {
        let mut nodes = Vec::new();
        secret_values(doc, &mut nodes);
        for node in nodes {
            for b in &mut bytes[node.start..node.end] {
                if !b.is_ascii_whitespace() {
                    *b = b'*';
                }
            }
        }
    }
    String::from_utf8(bytes).expect("only whole characters are replaced by ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_data_and_credential_like_keys() {
        let text = "kind: Secret\ndata:\n  a: c2VjcmV0\nstringData:\n  b: |\n    multi\n    line\n  c: x\nmetadata:\n  name: s\n";
        let masked = mask_for_diff(text, &[]);
        assert!(!masked.contains("c2VjcmV0") && !masked.contains("multi") && !masked.contains(" x\n"), "{masked}");
        assert!(masked.contains("name: s"));
        let env = "kind: Deployment\nenv:\n- name: POLYAXON_DB_PASSWORD\n  value: hunter2\n- name: HOST\n  value: db\nredisPassword: p4ss\npasswordSecretRef: keep\n";
        let masked = mask_for_diff(env, &[]);
        assert!(!masked.contains("hunter2") && !masked.contains("p4ss"), "{masked}");
        assert!(masked.contains("value: db") && masked.contains("passwordSecretRef: keep"), "{masked}");
        let cm = "data:\n  POLYAXON_REDIS_EPHEMERAL_TOKENS_URL: r:1/6\n  POLYAXON_K8S_DB_SECRET_NAME: s\n  POLYAXON_SECRET_KEY: k3y\n";
        let masked = mask_for_diff(cm, &[]);
        assert!(masked.contains("r:1/6") && masked.contains("NAME: s") && !masked.contains("k3y"), "{masked}");
    }

    #[test]
    fn known_secrets_are_masked_under_any_key() {
        let text = "data:\n  POLYAXON_DB_OPTIONS: '{\"password\": \"p@ss,word\"}'\n  URL: postgres://u:p@ss,word@db/x\n";
        let masked = mask_for_diff(text, &["p@ss,word".to_string()]);
        assert!(!masked.contains("p@ss,word"), "{masked}");
        assert_eq!(masked.lines().count(), 3);
        // A password that is also a common word leaves longer names alone.
        let masked = redact("name: pax-polyaxon-api\nuser: polyaxon\nurl: pg://polyaxon:polyaxon@db\n", &["polyaxon".to_string()]);
        assert_eq!(masked, "name: pax-polyaxon-api\nuser: *****\nurl: pg://*****:*****@db\n");
    }

    #[test]
    fn credentials_are_found_as_written_in_lists_block_scalars_and_urls() {
        let text = r#"privateRegistries:
  - host: my.registry.com
    password: '{"type": "sa", "key": "k\n"}'
  - password: |
      -----BEGIN KEY-----
      AbCdEf
  - "user-foo:tKV9DY@cloud.somewhere.io:5000"
  - "deploy:p@ssw0rd/XYZ@cloud.somewhere.io"
usePassword: false
image: polyaxon/polyaxon-api:2.15.1
"#;
        let found = credentials_in(text);
        for want in [r#"{"type": "sa", "key": "k\n"}"#, "-----BEGIN KEY-----", "AbCdEf", "tKV9DY", "p@ssw0rd/XYZ"] {
            assert!(found.iter().any(|f| f == want), "{want} not in {found:?}");
        }
        assert!(!found.iter().any(|f| f.contains("registry") || f.contains("2.15.1") || f == "false"), "{found:?}");
        assert_eq!(url_password("polyaxon/polyaxon-api@sha256:abc"), None);
        let commented = "# privateRegistries:
#     password: '{\"type\": \"sa\", \"key\": \"k\\n\"}'
#   - \"user-foo:tKV9DY@cloud\"
";
        let masked = redact(commented, &found);
        assert!(!masked.contains("sa\"") && !masked.contains("tKV9DY"), "{masked}");
    }

    #[test]
    fn in_place_masking_keeps_every_offset() {
        let text = "externalServices:\n  postgresql:\n    password: \"pä55\"\n    host: db\n";
        let masked = mask_in_place(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("55") && masked.contains("host: db"), "{masked}");
    }
}
