//! Secrets stay secret: the one rule for what is a credential, and masking
//! it in every text shown to people (`values`, lint excerpts, diffs).
//!
//! A value is a credential when its key names one (`password`,
//! `hostPassword`, `POLYAXON_SECRET_KEY`), when it sits anywhere below such
//! a key (`password: {x: …}`, `secrets: [{value: …}]`, `api.secret.key`)
//! unless its own key only names or points at one (`secret: {name: …}`),
//! when it is the `value` of an env entry whose `name` is one, when it is
//! the data of a Secret, and, in any string, the password of a
//! `user:password@host` URL.

use std::collections::HashMap;

use crate::yaml::{self, Node, Scalar, Value};

/// Words that make a key name a credential.
const CREDENTIAL_WORDS: &[&str] =
    &["password", "secret", "token", "cookie", "apikey", "api_key", "credential", "privatekey", "private_key"];
/// Endings of keys that name, point at or describe a credential without
/// holding one (`…_SECRET_NAME`, `…_TOKENS_URL`, `passwordSecretRef`,
/// `usePassword`'s siblings, `imagePullSecrets` (names of Secrets)).
const DESCRIBING_ENDINGS: &[&str] = &["ref", "name", "url", "length", "enabled", "path", "mode", "kind", "pullsecrets"];

/// A key that names a credential, not one that points at one or describes one.
pub fn sensitive(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|w| key.contains(w)) && !describes(&key)
}

fn describes(lower_key: &str) -> bool {
    DESCRIBING_ENDINGS.iter().any(|s| lower_key.ends_with(s))
}

/// Whether the scalar under `key` is a credential, given whether a key
/// above it names one.
pub fn credential(key: &str, below_credential: bool) -> bool {
    sensitive(key) || (below_credential && !describes(&key.to_ascii_lowercase()))
}

/// Whether what lies below `key` is below a credential.
pub fn below(key: &str, below_credential: bool) -> bool {
    below_credential || sensitive(key)
}

/// Whether the value at a dotted key path (the linter's, `a."b.c"[].d`) is a credential.
pub fn credential_path(path: &str) -> bool {
    let segments: Vec<&str> = path.split('.').map(|s| s.trim_end_matches("[]").trim_matches('"')).collect();
    let Some((last, above)) = segments.split_last() else { return false };
    credential(last, above.iter().any(|s| sensitive(s)))
}

/// The value nodes to hide in one document (see the module doc).
fn secret_values<'a>(root: &'a Node, out: &mut Vec<&'a Node>) {
    if root.get("kind").and_then(Node::text) == Some("Secret") {
        for section in ["data", "stringData"] {
            out.extend(root.get(section).and_then(Node::entries).unwrap_or_default().iter().map(|(_, v)| v));
        }
    }
    collect(root, false, out);
}

fn collect<'a>(node: &'a Node, below_credential: bool, out: &mut Vec<&'a Node>) {
    match &node.value {
        Value::Map { entries, .. } => {
            // An env entry: `- name: DB_PASSWORD` / `value: …`.
            let env_name = node.get("name").and_then(Node::text).filter(|n| sensitive(n));
            for (k, v) in entries {
                let child = k.text().unwrap_or_default();
                let env_value = env_name.is_some() && child == "value";
                if matches!(v.value, Value::Scalar { .. }) && (credential(child, below_credential) || env_value) {
                    out.push(v);
                } else {
                    collect(v, below(child, below_credential), out);
                }
            }
        }
        // A list's items are judged by the list's key.
        Value::Seq { items, .. } => {
            for item in items {
                if matches!(item.value, Value::Scalar { .. }) && below_credential {
                    out.push(item);
                } else {
                    collect(item, below_credential, out);
                }
            }
        }
        _ => {}
    }
}

/// Every scalar node of a document, for URL passwords.
fn scalars<'a>(node: &'a Node, f: &mut impl FnMut(&'a Node)) {
    match &node.value {
        Value::Map { entries, .. } => entries.iter().for_each(|(_, v)| scalars(v, f)),
        Value::Seq { items, .. } => items.iter().for_each(|i| scalars(i, f)),
        Value::Scalar { .. } => f(node),
        Value::Alias => {}
    }
}

/// The password of `[scheme://]user:password@host…`: up to the last `@`,
/// as a password may hold `@` and `/` where a user name does not.
pub fn url_password(s: &str) -> Option<&str> {
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    let userinfo = &rest[..rest.rfind('@')?];
    let (user, password) = userinfo.split_once(':')?;
    (!user.contains(['/', ' ', '@']) && !password.is_empty()).then_some(password)
}

/// A string with the password of every URL in it masked.
pub fn mask_url_password(s: &str) -> std::borrow::Cow<'_, str> {
    match url_password(s) {
        Some(password) => {
            let at = password.as_ptr() as usize - s.as_ptr() as usize;
            format!("{}*****{}", &s[..at], &s[at + password.len()..]).into()
        }
        None => s.into(),
    }
}

/// The credentials in a values text as they are written, to mask wherever
/// they show up again (commented out by migrate, say): each value the rule
/// names, raw and by line, and the password of any `user:password@host`.
pub fn credentials_in(text: &str) -> Vec<String> {
    let Ok(docs) = yaml::parse_all(text) else { return Vec::new() };
    let mut out = Vec::new();
    for doc in &docs {
        let mut nodes = Vec::new();
        secret_values(doc, &mut nodes);
        // Strings and numbers only: `usePassword: false` must not mask every `false`.
        for node in nodes.into_iter().filter(|n| !matches!(n.scalar(), Some(Scalar::Null | Scalar::Bool(_)))) {
            let raw = text[node.start..node.end].trim_matches(['"', '\'']);
            out.extend(raw.lines().map(str::trim).filter(|l| l.len() >= 3).map(String::from));
            out.extend(node.text().map(String::from));
        }
        scalars(doc, &mut |n| out.extend(n.text().and_then(url_password).map(String::from)));
    }
    out.sort();
    out.dedup();
    out
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

/// Masks one text line by line, for diffs: what each line shows is its own
/// text with every credential replaced by `*****`, so a diff of two masked
/// texts has exactly the lines of the diff of the texts themselves.
#[derive(Debug, Default)]
pub struct LineMask {
    /// Line index -> byte column of the line from which everything is hidden.
    hide_from: HashMap<usize, usize>,
    known: Vec<String>,
}

impl LineMask {
    /// The mask of `text` (every document in it), plus `known` secrets
    /// wherever they sit (a DB URL, args, a commented-out password).
    pub fn of(text: &str, known: &[String]) -> LineMask {
        let mut mask = LineMask { hide_from: HashMap::new(), known: known.to_vec() };
        let Ok(docs) = yaml::parse_all(text) else { return mask };
        let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
        for doc in &docs {
            let mut nodes = Vec::new();
            secret_values(doc, &mut nodes);
            for node in nodes {
                // Block scalars end at the next line's indentation, which is not theirs.
                let end = node.start + text[node.start..node.end.max(node.start)].trim_end().len();
                let (first, last) = (line_of(node.start), line_of(end.saturating_sub(1).max(node.start)));
                for (line, start) in line_starts.iter().enumerate().take(last + 1).skip(first) {
                    let from = if line == first { node.start - start } else { 0 };
                    let at = mask.hide_from.entry(line).or_insert(from);
                    *at = (*at).min(from);
                }
            }
            scalars(doc, &mut |n| mask.known.extend(n.text().and_then(url_password).map(String::from)));
        }
        mask
    }

    /// Line `index` (0-based, without its line break) as it may be shown.
    pub fn line(&self, index: usize, line: &str) -> String {
        let shown = match self.hide_from.get(&index) {
            Some(&from) if from < line.len() && line.is_char_boundary(from) => {
                let (kept, hidden) = line.split_at(from);
                let indent = hidden.len() - hidden.trim_start().len();
                if hidden.trim().is_empty() {
                    line.to_string()
                } else {
                    format!("{kept}{}*****", &hidden[..indent])
                }
            }
            _ => line.to_string(),
        };
        redact(&shown, &self.known)
    }
}

/// Masks secret values in every document with `*` byte for byte, so every
/// offset into the text stays valid (diagnostic spans point into it).
pub fn mask_in_place(text: &str) -> String {
    let Ok(docs) = yaml::parse_all(text) else {
        return text.to_string();
    };
    let mut bytes = text.as_bytes().to_vec();
    let mut hide = |start: usize, end: usize| {
        for b in &mut bytes[start..end] {
            if !b.is_ascii_whitespace() {
                *b = b'*';
            }
        }
    };
    for doc in &docs {
        let mut nodes = Vec::new();
        secret_values(doc, &mut nodes);
        for node in nodes {
            hide(node.start, node.end);
        }
        scalars(doc, &mut |node| {
            let raw = &text[node.start..node.end];
            if let Some(password) = url_password(raw) {
                let at = node.start + (password.as_ptr() as usize - raw.as_ptr() as usize);
                hide(at, at + password.len());
            }
        });
    }
    String::from_utf8(bytes).expect("only whole characters are replaced by ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let mask = LineMask::of(text, &[]);
        text.lines().enumerate().map(|(i, l)| mask.line(i, l) + "\n").collect()
    }

    #[test]
    fn masks_secret_data_and_credential_like_keys() {
        let text = "kind: Secret\ndata:\n  a: c2VjcmV0\nstringData:\n  b: |\n    multi\n    line\n  c: x\nmetadata:\n  name: s\n";
        let out = masked(text);
        assert!(!out.contains("c2VjcmV0") && !out.contains("multi") && !out.contains(" x\n"), "{out}");
        assert!(out.contains("name: s") && out.lines().count() == text.lines().count());
        let env = "kind: Deployment\nenv:\n- name: POLYAXON_DB_PASSWORD\n  value: hunter2\n- name: HOST\n  value: db\nredisPassword: p4ss\npasswordSecretRef: keep\n";
        let out = masked(env);
        assert!(!out.contains("hunter2") && !out.contains("p4ss"), "{out}");
        assert!(out.contains("value: db") && out.contains("passwordSecretRef: keep"), "{out}");
        let cm = "data:\n  POLYAXON_REDIS_EPHEMERAL_TOKENS_URL: r:1/6\n  POLYAXON_K8S_DB_SECRET_NAME: s\n  POLYAXON_SECRET_KEY: k3y\n";
        let out = masked(cm);
        assert!(out.contains("r:1/6") && out.contains("NAME: s") && !out.contains("k3y"), "{out}");
    }

    #[test]
    fn values_below_a_credential_key_are_credentials_unless_they_name_one() {
        let text = "password:\n  x: p1\ntoken:\n  a:\n    b: p2\nsecrets:\n- value: p3\napi:\n  secret:\n    key: p4\nartifactsStore:\n  secret:\n    name: gcs-secret\n    mountPath: /gcs\nimagePullSecrets: [regcred]\nregistry: https://user:pw55x@host/x\n";
        let out = masked(text);
        for hidden in ["p1", "p2", "p3", "p4", "pw55x"] {
            assert!(!out.contains(hidden), "{hidden}: {out}");
        }
        for shown in ["gcs-secret", "/gcs", "regcred", "https://user:"] {
            assert!(out.contains(shown), "{shown}: {out}");
        }
        let in_place = mask_in_place(text);
        assert_eq!(in_place.len(), text.len());
        assert!(["p1", "p2", "p3", "p4", "pw55x"].iter().all(|p| !in_place.contains(p)) && in_place.contains("gcs-secret"), "{in_place}");
    }

    #[test]
    fn known_secrets_are_masked_under_any_key() {
        let text = "data:\n  POLYAXON_DB_OPTIONS: '{\"password\": \"p@ss,word\"}'\n  URL: postgres://u:p@ss,word@db/x\n";
        let mask = LineMask::of(text, &["p@ss,word".to_string()]);
        let out: String = text.lines().enumerate().map(|(i, l)| mask.line(i, l) + "\n").collect();
        assert!(!out.contains("p@ss,word"), "{out}");
        assert_eq!(out.lines().count(), 3);
        // A password that is also a common word leaves longer names alone.
        let out = redact("name: pax-polyaxon-api\nuser: polyaxon\nurl: pg://polyaxon:polyaxon@db\n", &["polyaxon".to_string()]);
        assert_eq!(out, "name: pax-polyaxon-api\nuser: *****\nurl: pg://*****:*****@db\n");
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
        assert_eq!(mask_url_password("https://u:pw@h/x"), "https://u:*****@h/x");
    }

    #[test]
    fn a_block_scalar_password_keeps_every_line() {
        let text = "email:\n  password: |\n    line one\n    line two\n  host: smtp\n";
        let out = masked(text);
        assert_eq!(out, "email:\n  password: |\n    *****\n    *****\n  host: smtp\n");
    }
}
