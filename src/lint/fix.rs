//! Fixes: what each diagnostic's remedy does to the values file, decided
//! once, where the diagnostic is made ([`attach`]), and read by everything
//! that offers it: `migrate` and `lint --fix` apply it ([`apply`]), the JSON
//! output describes it and SARIF carries its exact text replacements.
//!
//! A fix is safe only if the values Helm computes from the file (over the
//! target chart's defaults) change exactly where it says: a renamed key
//! keeps its value, nothing reached through a YAML alias or a duplicate key
//! is left behind or lost. What cannot promise that is unsafe (a choice to
//! review) or display-only (left for a person, with the reason).

use super::rules::{Applicability, Code, Severity};
use super::written::TopIndexed;
use super::Diagnostic;
use crate::edit::{Editor, Fragment, MapRef, NodeError};
use crate::knowledge::catalog::{Catalog, ChangeKind};
use crate::knowledge::storage::{self, Connection, Setting};
use crate::text::parent_and_leaf;
use crate::yaml::{self, Node, Scalar};

/// The prefix of every note migrate writes into a file.
pub const NOTE: &str = "polyaxon-helm migrate:";

/// A diagnostic's remedy.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What it does, in words.
    pub title: String,
    pub edits: Vec<KeyEdit>,
}

/// One change to the file, by dotted key paths of plain segments.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyEdit {
    /// Renames the entry where it stands, or moves it (value, comments) to
    /// the path `to`, creating its parents.
    Move { key: String, to: String },
    /// Comments the entry out where it stands, under a note.
    CommentOut { key: String, note: String },
    /// Comments out every entry of `key` in its mapping but the last, the one Helm reads.
    CommentOutShadowed { key: String, note: String },
    /// Writes the old `ingress.tls` mapping as the list of `{secretName, hosts}`.
    TlsList { key: String },
    /// Writes a quoted boolean unquoted.
    Unquote { key: String },
    /// Sets the scalar at `key` (created with its parents where missing).
    Set { key: String, value: Fragment },
    /// Adds the new entry `key` (which must not be set) holding `value`,
    /// carried from the settings at `from`.
    Add { key: String, value: Fragment, from: String },
    /// Appends items to the list at `key` (created where missing), carried from `from`.
    Append { key: String, items: Vec<Fragment>, from: Vec<String> },
}

impl KeyEdit {
    /// The key the user wrote that this edit changes (for reports).
    pub fn source(&self) -> &str {
        match self {
            KeyEdit::Move { key, .. }
            | KeyEdit::CommentOut { key, .. }
            | KeyEdit::CommentOutShadowed { key, .. }
            | KeyEdit::TlsList { key }
            | KeyEdit::Unquote { key }
            | KeyEdit::Set { key, .. } => key,
            KeyEdit::Add { from, .. } => from,
            KeyEdit::Append { from, key, .. } => from.first().unwrap_or(key),
        }
    }

    /// The new place of what the edit moves or carries.
    pub fn destination(&self) -> Option<&str> {
        match self {
            KeyEdit::Move { to, .. } => Some(to),
            KeyEdit::Add { key, .. } | KeyEdit::Append { key, .. } => Some(key),
            _ => None,
        }
    }

    /// Every key path the edit changes in the file's values: where the
    /// merged values may differ after it.
    pub fn touches(&self) -> Vec<&str> {
        match self {
            KeyEdit::Move { key, to } => vec![key, to],
            KeyEdit::Add { key, from, .. } => vec![key, from],
            KeyEdit::Append { key, from, .. } => std::iter::once(key.as_str()).chain(from.iter().map(String::as_str)).collect(),
            other => vec![other.source()],
        }
    }

    /// What it does, in words, for one report line.
    pub fn describe(&self) -> String {
        match self {
            KeyEdit::Move { key, to } => format!("`{key}` -> `{to}`"),
            KeyEdit::CommentOut { key, note } => format!("`{key}` commented out: {}", note.trim_start_matches(NOTE).trim()),
            KeyEdit::CommentOutShadowed { key, .. } => format!("the earlier `{key}` commented out (Helm reads only the last)"),
            KeyEdit::TlsList { .. } => "`ingress.tls` rewritten as a list of {secretName, hosts}".into(),
            KeyEdit::Unquote { key } => format!("`{key}` written unquoted (Helm read the string as true)"),
            KeyEdit::Set { key, value } => format!("`{key}` set to {}", value.flow()),
            KeyEdit::Add { key, from, .. } => format!("`{from}` -> `{key}`"),
            KeyEdit::Append { key, from, .. } => format!("`{}` -> `{key}`", from.join("`, `")),
        }
    }
}

/// Attaches its fix to every diagnostic that has one. `raw` is the
/// document as written (aliases kept, for editing), `resolved` as Helm
/// reads it; `target` the chart version (an index of the platform catalog).
pub fn attach(diagnostics: &mut [Diagnostic], raw: &Node, resolved: &Node, catalog: &Catalog, target: usize) {
    let raw = TopIndexed::new(raw);
    for d in diagnostics.iter_mut() {
        d.fix = fix_for(d, &raw, resolved, catalog, target);
        // The help says what the fix does, not the generic advice.
        if let (Some(fix), Some(help)) = (d.fix.as_ref().filter(|f| !f.edits.is_empty()), d.help.as_mut()) {
            if let Some(rest) = help.strip_prefix(DELETE_THE_KEY) {
                // Mostly the whole help: then the title, copied.
                *help = if rest.is_empty() { fix.title.clone() } else { [fix.title.as_str(), rest].concat() };
            }
        }
    }
}

/// The help of a key that should go, until a fix says what it does instead.
pub const DELETE_THE_KEY: &str = "delete the key";

fn fix_for(d: &Diagnostic, raw: &TopIndexed<'_>, resolved: &Node, catalog: &Catalog, target: usize) -> Option<Fix> {
    // Keys with dots of their own or list items: no plain path to edit by
    // (a `"`, or `[]`: one pass over the key's bytes).
    let bytes = d.key.as_bytes();
    if bytes.iter().enumerate().any(|(i, &b)| b == b'"' || (b == b'[' && bytes.get(i + 1) == Some(&b']'))) {
        return None;
    }
    match (d.code, &d.replacement) {
        (Code::K002 | Code::K004 | Code::K007 | Code::K008 | Code::K005 | Code::K010, Some(to)) if to != &d.key => Some(rename(d, raw, to)),
        (Code::K001 | Code::K003, _) => Some(section_left(d, raw, resolved, catalog, target)),
        (Code::K006, _) => {
            let note = format!("{NOTE} duplicate `{}`: Helm reads only the one below", leaf(&d.key));
            let edits = vec![KeyEdit::CommentOutShadowed { key: d.key.clone(), note }];
            Some(Fix { applicability: Applicability::Safe, title: format!("comment out the earlier `{}`", d.key), edits })
        }
        (Code::T001, _) if d.key == "ingress.tls" && raw.lookup("ingress.tls").is_some_and(Node::is_map) => Some(tls(d, raw.root)),
        (Code::T002, _) if d.key == "broker" => broker(resolved, target),
        (Code::T003, _) => {
            let edits = vec![KeyEdit::Unquote { key: d.key.clone() }];
            Some(Fix { applicability: Applicability::Unsafe, title: format!("write `{}` unquoted", d.key), edits })
        }
        // Pinning may be deliberate (a staged upgrade): commented out only when asked.
        (Code::V002, _) => Some(comment_out(d, Applicability::Unsafe, [NOTE, " ", &d.message].concat())),
        _ => None,
    }
}

fn comment_out(d: &Diagnostic, applicability: Applicability, note: String) -> Fix {
    Fix { applicability, title: ["comment out `", &d.key, "`"].concat(), edits: vec![KeyEdit::CommentOut { key: d.key.clone(), note }] }
}

fn display_only(title: String) -> Fix {
    Fix { applicability: Applicability::DisplayOnly, title, edits: Vec::new() }
}

/// A rename from the chart's history (safe), or a did-you-mean (a guess).
fn rename(d: &Diagnostic, raw: &TopIndexed<'_>, to: &str) -> Fix {
    // A did-you-mean is a guess; a rename from the chart's history is safe.
    let applicability = if matches!(d.code, Code::K005 | Code::K010) { Applicability::Unsafe } else { Applicability::Safe };
    let Some(((_, value), _)) = raw.entry(&d.key) else {
        return display_only(format!("rename `{}` to `{to}` where it is written (it is reached through an alias or a merge key)", d.key));
    };
    if raw.lookup(to).is_some() {
        let note = format!("{NOTE} `{to}` is set too; this was its old name");
        return comment_out(d, Applicability::Unsafe, note);
    }
    let in_place = parent_and_leaf(&d.key).0 == parent_and_leaf(to).0;
    if !in_place {
        if let Some((_, what)) = value.first_unsafe() {
            return display_only(format!("move `{}` to `{to}` by hand: it holds {what}", d.key));
        }
    }
    Fix {
        applicability,
        title: format!("rename `{}` to `{to}`", d.key),
        edits: vec![KeyEdit::Move { key: d.key.clone(), to: to.to_string() }],
    }
}

/// A setting that moved out of the values file or was removed: its
/// carried settings first (a v1 `api`'s into the v2 `gateway`, 0.x
/// storage into the artifacts store and connections), else commented out.
fn section_left(d: &Diagnostic, raw: &TopIndexed<'_>, resolved: &Node, catalog: &Catalog, target: usize) -> Fix {
    // The entry (the last of its name, the one Helm reads), and whether its mapping has more of that name.
    let Some(((_, section), twice)) = raw.entry(&d.key) else {
        return display_only(format!("`{}` is reached through an alias or a merge key: edit it where it is written", d.key));
    };
    // Reported from 1.0.5 on, where connections took its place.
    if d.key == "persistence" && d.code == Code::K003 {
        return storage_carry(d, raw.root, section);
    }
    // What the chart's history carries elsewhere (Helm's reading: through
    // aliases; without any, the same tree). Each entry's path is written
    // only for an entry that has a change.
    // (Most sections have none: then their entries are not looked at.)
    let read = if !catalog.has_change_below(&d.key) {
        None
    } else if std::ptr::eq(raw.root, resolved) {
        Some(section)
    } else {
        lookup(resolved, &d.key)
    };
    let mut child = String::new();
    let carried: Vec<(String, String)> = read
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, _)| {
            child.clear();
            child.extend([d.key.as_str(), ".", k.text()?]);
            let change = catalog.change_of(&child)?;
            let to = change
                .to
                .filter(|_| matches!(change.kind, ChangeKind::Renamed | ChangeKind::Merged) && target >= catalog.index_of(change.since))?;
            Some((child.clone(), to.to_string()))
        })
        .collect();
    let first_unsafe = section.first_unsafe();
    if let Some((_, what)) = first_unsafe.filter(|(n, _)| n.anchored()) {
        return display_only(format!("comment `{}` out by hand: it holds {what} that other keys may use", d.key));
    }
    // Nothing is carried out of a flow, duplicated or aliased section, nor
    // into a flow one: the editor cannot move those.
    let movable = !twice && !section.is_flow() && first_unsafe.is_none();
    let place_editable = |to: &str| raw.lookup(parent_and_leaf(to).0).is_none_or(|n| n.is_map() && !n.is_flow());
    let mut planned: Vec<&str> = Vec::new();
    let mut moves = Vec::new();
    for (child, to) in carried.iter().filter(|(_, to)| movable && place_editable(to)) {
        if raw.lookup(to).is_none() && !planned.contains(&to.as_str()) {
            planned.push(to);
            moves.push(KeyEdit::Move { key: child.clone(), to: to.clone() });
        }
    }
    if !moves.is_empty() {
        let place = parent_and_leaf(&carried[0].1).0;
        return Fix { applicability: Applicability::Safe, title: format!("carry `{}`'s settings into `{place}`", d.key), edits: moves };
    }
    // A subchart key the bundled subchart probably ignores: a guess.
    let mut applicability =
        if d.severity == Severity::Warning && d.code == Code::K001 { Applicability::Unsafe } else { Applicability::Safe };
    let mut note = [NOTE, " ", &d.message].concat();
    // Why it went, where the chart's history says (RabbitMQ in 2.17).
    if let Some(why) = catalog.change_of(&d.key).filter(|c| c.kind == ChangeKind::Removed).and_then(|c| c.note) {
        note.push_str(&format!(": {why}"));
    }
    if let Some((_, to)) = carried.first() {
        let place = parent_and_leaf(to).0;
        let names = |list: Vec<&(String, String)>| list.iter().map(|(_, to)| leaf(to)).collect::<Vec<_>>().join(", ");
        let (taken, stuck): (Vec<_>, Vec<_>) = carried.iter().partition(|(_, to)| raw.lookup(to).is_some());
        if !taken.is_empty() {
            note.push_str(&format!("; {place} sets {} already", names(taken)));
        }
        if !stuck.is_empty() {
            note.push_str(&format!("; move {} into {place} by hand", names(stuck)));
            // Settings Helm read through an alias would be lost without a word.
            if first_unsafe.is_some() {
                applicability = Applicability::Unsafe;
            }
        }
    }
    comment_out(d, applicability, note)
}

/// A broker the chart version no longer has (`broker: rabbitmq` from 2.17):
/// redis, the only one left; a decision where no redis is deployed or
/// configured yet (the in-cluster one is then turned on, when asked).
fn broker(resolved: &Node, target: usize) -> Option<Fix> {
    let value = lookup(resolved, "broker").and_then(Node::text)?;
    crate::knowledge::broker_removed(value, target)?;
    let external = lookup(resolved, "externalServices.redis.host").and_then(Node::text).is_some_and(|h| !h.is_empty());
    let in_cluster = lookup(resolved, "redis.enabled").and_then(Node::scalar) == Some(Scalar::Bool(true));
    let mut edits = vec![KeyEdit::Set { key: "broker".into(), value: Fragment::str("redis") }];
    // A redis kept apart from the broker on purpose becomes it: a decision.
    if lookup(resolved, "redis.nonBroker").and_then(Node::scalar) == Some(Scalar::Bool(true)) {
        edits.push(KeyEdit::Set { key: "redis.nonBroker".into(), value: Fragment::bool(false) });
        let title = "set `broker: redis` and make the redis that is there the broker (redis.nonBroker: false): a decision";
        return Some(Fix { applicability: Applicability::Unsafe, title: title.into(), edits });
    }
    if external || in_cluster {
        return Some(Fix { applicability: Applicability::Safe, title: "set `broker: redis`".into(), edits });
    }
    edits.push(KeyEdit::Set { key: "redis.enabled".into(), value: Fragment::bool(true) });
    let title = "set `broker: redis` and turn on the in-cluster redis (or set externalServices.redis.host instead): a decision";
    Some(Fix { applicability: Applicability::Unsafe, title: title.into(), edits })
}

/// `ingress.tls` in the old `{enabled, hosts, secretName}` form.
fn tls(d: &Diagnostic, raw: &Node) -> Fix {
    let tls = lookup(raw, "ingress.tls").expect("checked by the caller");
    if let Some((_, what)) = tls.first_unsafe() {
        return display_only(format!("rewrite `ingress.tls` as a list of {{secretName, hosts}} by hand: it holds {what}"));
    }
    let on = lookup(raw, "ingress.tls.enabled").and_then(Node::scalar).is_none_or(|s| s == Scalar::Bool(true));
    if on {
        let edits = vec![KeyEdit::TlsList { key: d.key.clone() }];
        Fix { applicability: Applicability::Safe, title: "rewrite `ingress.tls` as a list of {secretName, hosts}".into(), edits }
    } else {
        // Off: the list form is empty (the chart's default); the old settings stay as a comment.
        let note = format!("{NOTE} `ingress.tls` is a list of {{secretName, hosts}} now; this was the old form, with TLS off");
        comment_out(d, Applicability::Safe, note)
    }
}

/// 0.x `persistence` into a 1.x/2.x `artifactsStore` and `connections`.
fn storage_carry(d: &Diagnostic, raw: &Node, section: &Node) -> Fix {
    if let Some((_, what)) = section.first_unsafe() {
        return display_only(format!("carry `persistence` into artifactsStore and connections by hand: it holds {what}"));
    }
    let plan = storage::carry(section, lookup(raw, "artifactsStore").is_some_and(|n| !n.is_null()));
    let mut edits = Vec::new();
    if let Some((from, store)) = &plan.store {
        edits.push(KeyEdit::Add { key: "artifactsStore".into(), value: connection(store), from: from.clone() });
    }
    if !plan.connections.is_empty() {
        let from = plan.connections.iter().map(|(f, _)| f.clone()).collect();
        let items = plan.connections.iter().map(|(_, c)| connection(c)).collect();
        edits.push(KeyEdit::Append { key: "connections".into(), items, from });
    }
    let mut note = format!("{NOTE} {}", d.message);
    for said in &plan.notes {
        note.push_str("; ");
        note.push_str(said);
    }
    let carried = !edits.is_empty();
    edits.push(KeyEdit::CommentOut { key: d.key.clone(), note });
    let applicability = if plan.needs_choice { Applicability::Unsafe } else { Applicability::Safe };
    let title = if carried { "carry `persistence` into artifactsStore and connections" } else { "comment out `persistence`" };
    Fix { applicability, title: title.into(), edits }
}

/// A connection as the YAML a values file holds.
fn connection(c: &Connection) -> Fragment {
    let schema = c.schema.iter().map(|(k, v)| {
        (
            *k,
            match v {
                Setting::Str(s) => Fragment::str(s),
                Setting::Bool(b) => Fragment::bool(*b),
            },
        )
    });
    let mut entries = vec![("name", Fragment::str(&c.name)), ("kind", Fragment::str(c.kind)), ("schema", Fragment::map(schema))];
    if let Some(secret) = &c.secret {
        entries.push(("secret", Fragment::map([("name", Fragment::str(secret))])));
    }
    Fragment::map(entries)
}

/// Applies one edit through the setter layer.
pub fn apply<'n>(editor: &mut Editor<'n>, root: &'n Node, edit: &'n KeyEdit) -> Result<(), String> {
    let err = |e: NodeError| e.message;
    match edit {
        KeyEdit::Set { key, value } => {
            let (map, leaf) = create_parents(editor, root, key)?;
            return editor.set_scalar(map, leaf, value.clone()).map_err(err);
        }
        KeyEdit::Add { key, value, .. } => {
            let (map, leaf) = create_parents(editor, root, key)?;
            return editor.add(map, leaf, value.clone()).map_err(err);
        }
        KeyEdit::Append { key, items, .. } => {
            let (map, leaf) = create_parents(editor, root, key)?;
            let list = editor.ensure_seq(map, leaf, key).map_err(err)?;
            for item in items {
                editor.append(list, item.clone());
            }
            return Ok(());
        }
        _ => {}
    }
    let key = edit.source();
    let (parent_path, leaf) = parent_and_leaf(key);
    let parent = if parent_path.is_empty() { Some(root) } else { lookup(root, parent_path) };
    let parent = parent.filter(|p| p.is_map()).ok_or_else(|| format!("`{parent_path}` is not a mapping"))?;
    let (key_node, value) = parent.entry(leaf).ok_or_else(|| format!("`{key}` is not there"))?;
    if !matches!(edit, KeyEdit::CommentOutShadowed { .. }) {
        if let Some(twice) = duplicated_on(root, key) {
            return Err(format!("`{twice}` appears more than once; the duplicate-key fix (K006) goes first"));
        }
    }
    match edit {
        KeyEdit::Move { to, .. } => {
            let (to_parent, to_leaf) = parent_and_leaf(to);
            if to_parent == parent_path {
                return editor.rename_key(key_node, to_leaf).map_err(err);
            }
            let moved = editor.take_entry(parent, leaf).map_err(err)?;
            let (map, to_leaf) = create_parents(editor, root, to)?;
            editor.add(map, to_leaf, moved).map_err(err)
        }
        KeyEdit::CommentOut { note, .. } => editor.comment_out(parent, leaf, note).map_err(err),
        KeyEdit::CommentOutShadowed { note, .. } => match editor.comment_out_shadowed(parent, leaf, note).map_err(err)? {
            0 => Err(format!("`{key}` is not duplicated")),
            _ => Ok(()),
        },
        KeyEdit::TlsList { .. } => {
            let mut entry = Vec::new();
            if let Some(secret) = value.get("secretName").and_then(Node::text) {
                entry.push(("secretName".to_string(), Fragment::str(secret)));
            }
            let hosts: Vec<Fragment> =
                value.get("hosts").and_then(Node::items).unwrap_or_default().iter().filter_map(Node::text).map(Fragment::str).collect();
            if !hosts.is_empty() {
                entry.push(("hosts".to_string(), Fragment::Seq(hosts)));
            }
            let list = if entry.is_empty() { Vec::new() } else { vec![Fragment::Map(entry)] };
            editor.replace_value(key_node, value, Fragment::Seq(list)).map_err(err)
        }
        KeyEdit::Unquote { .. } => {
            let b = value.text().and_then(crate::knowledge::boolean_string).ok_or("not a boolean string")?;
            editor.replace(value, Fragment::bool(b)).map_err(err)
        }
        KeyEdit::Add { .. } | KeyEdit::Append { .. } | KeyEdit::Set { .. } => unreachable!("handled above"),
    }
}

/// The mapping that holds `path`'s last segment, created where missing, and that segment.
fn create_parents<'n, 'p>(editor: &mut Editor<'n>, root: &'n Node, path: &'p str) -> Result<(MapRef<'n>, &'p str), String> {
    let (parent, leaf) = parent_and_leaf(path);
    let mut map = MapRef::Node(root);
    let mut walked = String::new();
    for seg in parent.split('.').filter(|s| !s.is_empty()) {
        walked = if walked.is_empty() { seg.to_string() } else { format!("{walked}.{seg}") };
        map = editor.ensure_map(map, seg, &walked).map_err(|e| e.message)?;
    }
    Ok((map, leaf))
}

/// The first segment of `path` written twice in its mapping, as a path.
fn duplicated_on(root: &Node, path: &str) -> Option<String> {
    let mut node = root;
    let mut walked = String::new();
    for seg in path.split('.') {
        walked = if walked.is_empty() { seg.to_string() } else { format!("{walked}.{seg}") };
        let entries = node.entries()?;
        if entries.iter().filter(|(k, _)| k.text() == Some(seg)).count() > 1 {
            return Some(walked);
        }
        node = node.get(seg)?;
    }
    None
}

/// The node at a dotted path (plain segments only).
pub fn lookup<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    path.split('.').try_fold(root, |node, key| node.get(key))
}

fn leaf(path: &str) -> &str {
    parent_and_leaf(path).1
}

/// Sections the edits emptied: mappings in `before` with entries that
/// `after` holds as null (every entry commented out or moved away). Helm
/// would read such a null over the chart's defaults and drop them all.
pub fn emptied_sections(before: &Node, after: &Node, path: &str, out: &mut Vec<String>) {
    for (k, v) in before.entries().unwrap_or_default() {
        let Some(name) = k.text() else { continue };
        let child = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
        match after.get(name) {
            Some(now) if now.is_null() && now.tag().is_none() && v.entries().is_some_and(|e| !e.is_empty()) => out.push(child),
            Some(now) if now.is_map() && !v.is_alias() && !now.is_alias() => emptied_sections(v, now, &child, out),
            _ => {}
        }
    }
}

/// Gives each emptied section an explicit `{}`, which Helm merges with the
/// chart's defaults as nothing set (comments stay beside it).
pub fn keep_emptied(text: &str, sections: &[String]) -> Result<String, NodeError> {
    let Some(root) = yaml::parse_one(text).map_err(|e| NodeError { line: e.line, col: e.col, message: e.message })? else {
        return Ok(text.to_string());
    };
    let mut editor = Editor::new(text);
    for path in sections {
        let (parent, name) = parent_and_leaf(path);
        let Some(holder) = (if parent.is_empty() { Some(&root) } else { lookup(&root, parent) }) else { continue };
        editor.ensure_map(MapRef::Node(holder), name, path)?;
    }
    editor.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emptied_sections_are_found_and_kept_as_empty_mappings() {
        let before = yaml::parse_one("email:\n  password: x\nrbac:\n  enabled: true\n").unwrap().unwrap();
        let text = "email:\n  # polyaxon-helm migrate: gone\n  # password: x\nrbac:\n  enabled: true\n";
        let after = yaml::parse_one(text).unwrap().unwrap();
        let mut found = Vec::new();
        emptied_sections(&before, &after, "", &mut found);
        assert_eq!(found, ["email"]);
        assert_eq!(
            keep_emptied(text, &found).unwrap(),
            "email: {}\n  # polyaxon-helm migrate: gone\n  # password: x\nrbac:\n  enabled: true\n"
        );
    }
}
