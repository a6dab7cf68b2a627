//! `polyaxon-pr migrate`: rewrites a values file for a target chart version
//! with the fixes the linter's findings carry, through the same setter layer
//! as the post-renderer ([`crate::edit`]): comments, blank lines, key
//! order, quoting and line endings stay as they were.
//!
//! What each finding becomes:
//! - a rename the chart's history records (K002, K004, K007, K008): the key
//!   renamed where it stands, or moved under its new parent (created where
//!   missing) with its comments; safe, unless the new key is already set;
//! - a setting that moved out of the values file or was removed (K001,
//!   K003): commented out in place under a note saying where it went, so
//!   nothing is lost; a section some of whose entries carry over (a v1
//!   `api`'s replicas, resources, scheduling, ... into the v2 `gateway`)
//!   gives those up first, where their new place is free;
//! - `ingress.tls` in the old `{enabled, hosts, secretName}` form: the list form;
//! - guesses (a did-you-mean, K005/K010), a quoted boolean Helm reads
//!   differently (T003), a subchart key the bundled subchart probably
//!   ignores, a rename whose new key is already set, and an image of
//!   another chart version (V002, commented out): unsafe, applied only
//!   when asked.
//!
//! Fixes are reported where the user wrote the key, also when a later pass
//! finds it (a key carried into a new section is reported at its old place).
//!
//! Keys polyaxon-pr reads (`dirs`, `mountPaths`) are kept. Migrating the
//! result again changes nothing.

use std::path::{Path, PathBuf};

use crate::diff;
use crate::edit::{Editor, Frag, MapRef};
use crate::error::{Error, Location};
use crate::knowledge::catalog::{Catalog, ChangeKind};
use crate::lint::files::write_atomically;
use crate::lint::rules::{Applicability, Code, Severity};
use crate::lint::types::boolean_string;
use crate::lint::{lint_text, Diagnostic};
use crate::secrets;
use crate::values::{HelmMajor, Values};
use crate::yaml::{self, Node};

/// One change migrate makes, or would make with `--unsafe-fixes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub code: Code,
    pub key: String,
    pub line: usize,
    pub col: usize,
    /// What it does, in words.
    pub action: String,
    /// For a rename or move: the new dotted path.
    pub to: Option<String>,
    pub applicability: Applicability,
    pub applied: bool,
}

#[derive(Debug, Default)]
pub struct Migration {
    pub text: String,
    pub fixes: Vec<Fix>,
}

impl Migration {
    /// Unsafe fixes left out, to report.
    pub fn pending(&self) -> impl Iterator<Item = &Fix> {
        self.fixes.iter().filter(|f| !f.applied)
    }
}

/// What to do with one key.
enum Action {
    /// Rename (or move) the key to this dotted path.
    Rename(String),
    /// Comment the entry out under this note.
    CommentOut(String),
    /// Replace the old `ingress.tls` mapping with the list form.
    TlsList,
    /// Write a quoted boolean unquoted.
    Unquote,
}

const MAX_PASSES: usize = 8;

/// One values file migrated (not yet written).
#[derive(Debug)]
pub struct FileMigration {
    pub path: PathBuf,
    /// As shown in messages.
    pub shown: String,
    pub before: String,
    pub migration: Migration,
}

impl FileMigration {
    /// Reads and migrates `path`, leaving out the findings `ignored` names
    /// (a lint configuration's ignores).
    pub fn read(path: &Path, target: usize, unsafe_fixes: bool, ignored: &dyn Fn(Code) -> bool) -> Result<Self, Error> {
        let shown = path.display().to_string();
        let before = std::fs::read_to_string(path).map_err(|e| Error::unreadable(&shown, &e))?;
        let migration = migrate(&shown, &before, target, unsafe_fixes, ignored)?;
        Ok(FileMigration { path: path.to_path_buf(), shown, before, migration })
    }

    pub fn changed(&self) -> bool {
        self.migration.text != self.before
    }

    pub fn write(&self) -> Result<(), Error> {
        write_atomically(&self.path, &self.migration.text)
    }

    /// The unified diff, with the file's credentials masked.
    pub fn diff(&self) -> String {
        let mut values = Values::default();
        let mut known = if values.add_text(&self.shown, &self.before, HelmMajor::V4).is_ok() { values.secrets() } else { Vec::new() };
        // Commented-out credentials are no longer under a key the masking sees.
        known.extend(secrets::credentials_in(&self.before));
        diff::unified(&self.shown, &self.before, &self.migration.text, &known)
    }
}

/// Migrates `text` (one document) to chart `target`, applying unsafe fixes
/// only when `unsafe_fixes` and none for the findings `ignored` names.
/// `path` names the file in errors.
pub fn migrate(path: &str, text: &str, target: usize, unsafe_fixes: bool, ignored: &dyn Fn(Code) -> bool) -> Result<Migration, Error> {
    let located = |e: yaml::ParseError| {
        Error::at(Location::File { path: path.to_string(), line: e.line, col: e.col }, format!("invalid YAML: {}", e.message))
    };
    if yaml::parse_all(text).map_err(located)?.len() > 1 {
        return Err(Error::new(format!("{path}: migrate edits values files of one document; this one has several")));
    }
    let original = yaml::parse_one(text).map_err(located)?;
    let mut migration = Migration { text: text.to_string(), fixes: Vec::new() };
    // Renames applied so far (new path, old path): later findings under a
    // new path are reported where the user wrote the old one.
    let mut renamed: Vec<(String, String)> = Vec::new();
    for _ in 0..MAX_PASSES {
        let Some(root) = yaml::parse_one(&migration.text).map_err(located)? else { break };
        let mut diagnostics = lint_text(&migration.text, target).map_err(located)?;
        diagnostics.retain(|d| !ignored(d.code));
        let planned = plan(&root, &diagnostics, target);
        let mut editor = Editor::new(&migration.text);
        let mut changed = false;
        let mut done: Vec<String> = Vec::new();
        for (d, action, applicability) in planned {
            // One change per key and pass, never inside a key changed this pass.
            if done.iter().any(|k| d.key == *k || d.key.starts_with(&format!("{k}."))) {
                continue;
            }
            let apply = applicability == Applicability::Safe || unsafe_fixes;
            let words = describe(&action, &d);
            let to = match &action {
                Action::Rename(to) => Some(to.clone()),
                _ => None,
            };
            // Reported where the user wrote it: later passes see text already changed.
            let written = renamed.iter().rev().fold(d.key.clone(), |key, (new, old)| match key.strip_prefix(new.as_str()) {
                Some(rest) if rest.is_empty() || rest.starts_with('.') => format!("{old}{rest}"),
                _ => key,
            });
            let (line, col) = original.as_ref().and_then(|root| written_at(root, &written)).unwrap_or((d.span.line, d.span.col));
            let mut fix = Fix { code: d.code, key: d.key.clone(), line, col, action: words, to, applicability, applied: false };
            if apply {
                // A move can fail after taking the entry out: keep none of it then.
                let before = editor.clone();
                match apply_action(&mut editor, &root, &d.key, &action) {
                    Ok(()) => {
                        if let Action::Rename(to) = &action {
                            renamed.push((to.clone(), written.clone()));
                        }
                        fix.applied = true;
                        changed = true;
                        done.push(d.key.clone());
                    }
                    Err(why) => {
                        editor = before;
                        fix.action = format!("{} (not done: {why})", fix.action);
                    }
                }
            }
            if !migration.fixes.iter().any(|f| f.key == fix.key && f.code == fix.code && f.applied == fix.applied) {
                migration.fixes.push(fix);
            }
        }
        if !changed {
            break;
        }
        let text =
            editor.finish().map_err(|e| Error::at(Location::File { path: path.to_string(), line: e.line, col: e.col }, e.message))?;
        // Each pass must leave YAML that reads back; positions in it are not the user's.
        if let Err(e) = yaml::parse_all(&text) {
            return Err(Error::new(format!("{path}: migrating produced text that does not parse ({}); nothing was written", e.message)));
        }
        migration.text = text;
    }
    migration.fixes.sort_by_key(|f| (f.line, f.col));
    Ok(migration)
}

/// The fixes the findings carry, with how safe each is.
fn plan(root: &Node, diagnostics: &[Diagnostic], target: usize) -> Vec<(Diagnostic, Action, Applicability)> {
    let catalog = Catalog::get();
    let mut out = Vec::new();
    for d in diagnostics.iter().filter(|d| !d.key.contains("[]") && !d.key.contains('"')) {
        let safety = d.code.fix_applicability();
        let action = match (d.code, &d.replacement) {
            (Code::K002 | Code::K004 | Code::K007 | Code::K008 | Code::K005 | Code::K010, Some(to)) if to != &d.key => {
                let taken = lookup(root, to).is_some();
                let safety = if taken { Applicability::Unsafe } else { safety };
                if taken {
                    out.push((
                        d.clone(),
                        Action::CommentOut(format!("polyaxon-helm migrate: `{}` is set too; this was its old name", to)),
                        safety,
                    ));
                    continue;
                }
                (Action::Rename(to.clone()), safety)
            }
            (Code::K001 | Code::K003, _) => {
                // Entries renamed out of a section that moved go first.
                let renamed_children: Vec<(String, String)> = lookup(root, &d.key)
                    .and_then(Node::entries)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|(k, _)| {
                        let child = format!("{}.{}", d.key, k.text()?);
                        let change = catalog.change_of(&child)?;
                        let to = change.to.filter(|_| {
                            matches!(change.kind, ChangeKind::Renamed | ChangeKind::Merged) && target >= catalog.index_of(change.since)
                        })?;
                        Some((child, to.to_string()))
                    })
                    .collect();
                // Every child whose new place is free, at most one per place; the
                // rest go with the section. Nothing is carried out of a flow or
                // duplicated section, nor into a flow one: the editor cannot move
                // those, and the section would stay behind unreported.
                let (parent, leaf) = parent_and_leaf(&d.key);
                let parent = if parent.is_empty() { Some(root) } else { lookup(root, parent) };
                let section_movable =
                    parent.and_then(Node::entries).is_none_or(|e| e.iter().filter(|(k, _)| k.text() == Some(leaf)).count() < 2)
                        && lookup(root, &d.key).is_none_or(|n| !n.is_flow());
                let carry = |to: &str| section_movable && lookup(root, parent_and_leaf(to).0).is_none_or(|n| n.is_map() && !n.is_flow());
                let mut carried = false;
                for (child, to) in renamed_children.iter().filter(|(_, to)| carry(to)) {
                    let planned = out.iter().any(|(_, a, _)| matches!(a, Action::Rename(t) if t == to));
                    if lookup(root, to).is_none() && !planned {
                        let mut moved = d.clone();
                        moved.key = child.clone();
                        out.push((moved, Action::Rename(to.clone()), Applicability::Safe));
                        carried = true;
                    }
                }
                if carried {
                    continue;
                }
                // Children that would carry over but stay: their place is taken, or cannot be edited.
                let (taken, stuck): (Vec<_>, Vec<_>) = renamed_children.iter().partition(|(_, to)| lookup(root, to).is_some());
                let leaves = |list: Vec<&(String, String)>| list.iter().map(|(_, to)| parent_and_leaf(to).1).collect::<Vec<_>>().join(", ");
                // A subchart key the bundled subchart probably ignores: a guess.
                let safety =
                    if d.severity == Severity::Warning && d.code == Code::K001 { Applicability::Unsafe } else { Applicability::Safe };
                let mut note = format!("polyaxon-helm migrate: {}", d.message);
                // A section's children all carry into one place.
                if let Some((_, to)) = renamed_children.first() {
                    let place = parent_and_leaf(to).0;
                    if !taken.is_empty() {
                        note.push_str(&format!("; {place} sets {} already", leaves(taken)));
                    }
                    if !stuck.is_empty() {
                        note.push_str(&format!("; move {} into {place} by hand", leaves(stuck)));
                    }
                }
                (Action::CommentOut(note), safety)
            }
            (Code::T001, _) if d.key == "ingress.tls" && lookup(root, "ingress.tls").is_some_and(Node::is_map) => {
                let on = lookup(root, "ingress.tls.enabled").and_then(Node::scalar).is_none_or(|s| s == yaml::Scalar::Bool(true));
                if on {
                    (Action::TlsList, Applicability::Safe)
                } else {
                    // Off: the list form is empty (the chart's default); the old settings stay as a comment.
                    let note =
                        "polyaxon-helm migrate: `ingress.tls` is a list of {secretName, hosts} now; this was the old form, with TLS off";
                    (Action::CommentOut(note.into()), Applicability::Safe)
                }
            }
            (Code::T003, _) => (Action::Unquote, Applicability::Unsafe),
            // Pinning may be deliberate (a staged upgrade): commented out only when asked.
            (Code::V002, _) => (Action::CommentOut(format!("polyaxon-helm migrate: {}", d.message)), Applicability::Unsafe),
            _ => continue,
        };
        out.push((d.clone(), action.0, action.1));
    }
    out
}

fn describe(action: &Action, d: &Diagnostic) -> String {
    match action {
        Action::Rename(to) => format!("`{}` -> `{to}`", d.key),
        Action::CommentOut(_) => format!("`{}` commented out: {}", d.key, d.message),
        Action::TlsList => "`ingress.tls` rewritten as a list of {secretName, hosts}".into(),
        Action::Unquote => format!("`{}` written unquoted (Helm read the string as true)", d.key),
    }
}

/// The node at a dotted path (plain segments only).
fn lookup<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    root.path(&path.split('.').collect::<Vec<_>>())
}

/// Line and column of the key of `path` in `root`, or of its deepest ancestor there.
fn written_at(root: &Node, path: &str) -> Option<(usize, usize)> {
    let mut node = root;
    let mut at = None;
    for seg in path.split('.') {
        let Some((k, v)) = node.entry(seg) else { break };
        at = Some((k.line, k.col));
        node = v;
    }
    at
}

fn parent_and_leaf(path: &str) -> (&str, &str) {
    path.rsplit_once('.').unwrap_or(("", path))
}

fn apply_action<'n>(editor: &mut Editor<'n>, root: &'n Node, key: &str, action: &Action) -> Result<(), String> {
    let (parent_path, leaf) = parent_and_leaf(key);
    let parent = if parent_path.is_empty() { Some(root) } else { lookup(root, parent_path) };
    let parent = parent.filter(|p| p.is_map()).ok_or_else(|| format!("`{parent_path}` is not a mapping"))?;
    let (key_node, value) = parent.entry(leaf).ok_or_else(|| format!("`{key}` is not there"))?;
    match action {
        Action::Rename(to) => {
            let (to_parent, to_leaf) = parent_and_leaf(to);
            if to_parent == parent_path {
                return editor.rename_key(key_node, to_leaf).map_err(|e| e.message);
            }
            let moved = editor.take_entry(parent, leaf).map_err(|e| e.message)?;
            let mut map = MapRef::Node(root);
            let mut walked = String::new();
            for seg in to_parent.split('.').filter(|s| !s.is_empty()) {
                walked = if walked.is_empty() { seg.to_string() } else { format!("{walked}.{seg}") };
                map = editor.ensure_map(map, seg, &walked).map_err(|e| e.message)?;
            }
            editor.add(map, to_leaf, moved).map_err(|e| e.message)
        }
        Action::CommentOut(note) => editor.comment_out(parent, leaf, note).map_err(|e| e.message),
        Action::TlsList => {
            let mut entry = Vec::new();
            if let Some(secret) = value.get("secretName").and_then(Node::text) {
                entry.push(("secretName".to_string(), Frag::str(secret)));
            }
            let hosts: Vec<Frag> =
                value.get("hosts").and_then(Node::items).unwrap_or_default().iter().filter_map(Node::text).map(Frag::str).collect();
            if !hosts.is_empty() {
                entry.push(("hosts".to_string(), Frag::Seq(hosts)));
            }
            let list = if entry.is_empty() { Vec::new() } else { vec![Frag::Map(entry)] };
            editor.replace_value(key_node, value, Frag::Seq(list)).map_err(|e| e.message)
        }
        Action::Unquote => {
            let b = value.text().and_then(boolean_string).ok_or("not a boolean string")?;
            editor.replace(value, Frag::bool(b)).map_err(|e| e.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, version: &str, unsafe_fixes: bool) -> Migration {
        migrate("values.yaml", text, Catalog::get().resolve(version).unwrap(), unsafe_fixes, &|_| false).unwrap()
    }

    #[test]
    fn renames_in_place_keep_comments_and_quoting() {
        let text = "# security\nsecurityContext:\n  enabled: true\n  # the uid\n  user: '1000'   # ours\n  group: 1000\n";
        let m = run(text, "2.15.1", false);
        assert_eq!(
            m.text,
            "# security\nsecurityContext:\n  enabled: true\n  # the uid\n  runAsUser: '1000'   # ours\n  runAsGroup: 1000\n"
        );
        assert!(m.fixes.iter().all(|f| f.applied));
        assert_eq!(run(&m.text, "2.15.1", false).text, m.text, "idempotent");
    }

    #[test]
    fn a_finding_on_a_carried_key_is_reported_where_the_user_wrote_it() {
        let text = r#"api:
  replicas: 3
  hpa:
    enabled: "true"
"#;
        let m = run(text, "2.15.1", false);
        assert!(m.text.ends_with("gateway:\n  replicas: 3\n  hpa:\n    enabled: \"true\"\n"), "{}", m.text);
        let quoted = m.fixes.iter().find(|f| f.code == Code::T003).expect("the quoted boolean, found in a later pass");
        assert_eq!((quoted.key.as_str(), quoted.line, quoted.col, quoted.applied), ("gateway.hpa.enabled", 4, 5, false));
    }

    #[test]
    fn a_flow_section_is_commented_out_whole_not_left_behind() {
        let text = "api: {replicas: 3, imageTag: 1.20.0}\ngateway: {replicas: 1}\n";
        let m = run(text, "2.15.1", false);
        assert_eq!(
            m.text,
            "# polyaxon-helm migrate: `api` moved to gateway in chart 2.0.0; gateway sets replicas already\n# api: {replicas: 3, imageTag: 1.20.0}\ngateway: {replicas: 1}\n"
        );
        let text = "api:\n  replicas: 3\ngateway: {image: polyaxon/polyaxon-api}\n";
        let m = run(text, "2.15.1", false);
        assert!(m.text.contains("move replicas into gateway by hand\n# api:\n#   replicas: 3\n"), "{}", m.text);
    }

    #[test]
    fn moves_create_the_new_parent_and_carry_comments() {
        let text = "postgresql:\n  enabled: true\n  # who\n  postgresqlUsername: px\n  postgresqlDatabase: polyaxon\n";
        let m = run(text, "2.15.1", false);
        assert_eq!(m.text, "postgresql:\n  enabled: true\n  auth:\n    # who\n    username: px\n    database: polyaxon\n");
    }

    #[test]
    fn settings_that_left_are_commented_out_not_lost() {
        let text = "integrations:\n  slack:\n  - url: https://hooks.example\nrbac:\n  enabled: true\n";
        let m = run(text, "2.15.1", false);
        assert!(m.text.starts_with("# polyaxon-helm migrate: `integrations` moved to the web UI settings page in chart 0.5.0\n# integrations:\n#   slack:\n#   - url: https://hooks.example\nrbac:"), "{}", m.text);
    }

    #[test]
    fn guesses_wait_for_unsafe_fixes() {
        let text = "email:\n  hots: smtp\n";
        let m = run(text, "2.15.1", false);
        assert_eq!(m.text, text);
        assert_eq!(m.pending().count(), 1);
        assert_eq!(run(text, "2.15.1", true).text, "email:\n  host: smtp\n");
    }

    #[test]
    fn a_moved_block_scalar_keeps_its_style_and_a_comment_in_any_script() {
        let text = "postgresql:\n  # 日本の説明\n  postgresqlUsername: |\n    line1\n    line2\n";
        let m = run(text, "2.15.1", false);
        assert_eq!(m.text, "postgresql:\n  auth:\n    # 日本の説明\n    username: |\n      line1\n      line2\n");
    }

    #[test]
    fn a_flow_destination_is_left_for_a_person() {
        let text = "postgresql:\n  auth: {password: x}\n  postgresqlUsername: px   # who\n";
        let m = run(text, "2.15.1", false);
        assert_eq!(m.text, text, "nothing half-done");
        assert!(m.fixes.iter().any(|f| !f.applied && f.action.contains("flow style")), "{:?}", m.fixes);
    }

    #[test]
    fn a_move_that_fails_half_way_leaves_the_entry_where_it_was() {
        // The other fix in the same pass must not carry the failed one's half with it.
        let text = "postgresql:\n  auth: none\n  postgresqlUsername: px\nsecurityContext:\n  user: 1000\n";
        let m = run(text, "2.15.1", false);
        assert_eq!(m.text, text.replace("user:", "runAsUser:"));
        assert!(m.fixes.iter().any(|f| !f.applied && f.key == "postgresql.postgresqlUsername"), "{:?}", m.fixes);
    }

    #[test]
    fn api_settings_carry_into_the_v2_gateway_unless_it_sets_them() {
        let text = r#"gateway:
  replicas: 2

api:
  imageTag: 1.20.0
  # the API is our hot path
  replicas: 3
  nodeSelector:
    pool: cpu

streams:
  replicas: 2
"#;
        let m = run(text, "2.15.1", false);
        assert_eq!(
            m.text,
            r#"gateway:
  replicas: 2
  nodeSelector:
    pool: cpu

# polyaxon-helm migrate: `api` moved to gateway in chart 2.0.0; gateway sets replicas already
# api:
#   imageTag: 1.20.0
#   # the API is our hot path
#   replicas: 3

# polyaxon-helm migrate: `streams` moved to gateway in chart 2.0.0
# streams:
#   replicas: 2
"#
        );
        // Reported where the user wrote each key, in file order.
        let at: Vec<(&str, usize, usize)> = m.fixes.iter().map(|f| (f.key.as_str(), f.line, f.col)).collect();
        assert_eq!(at, [("api", 4, 1), ("api.nodeSelector", 8, 3), ("streams", 11, 1)]);
        assert_eq!(run(&m.text, "2.15.1", false).text, m.text, "idempotent");
    }

    #[test]
    fn old_tls_form_becomes_the_list() {
        let text =
            "ingress:\n  enabled: true\n  tls:\n    enabled: true\n    secretName: pax-tls\n    hosts:\n    - polyaxon.example.com\n";
        let m = run(text, "2.15.1", false);
        assert_eq!(m.text, "ingress:\n  enabled: true\n  tls: [{secretName: pax-tls, hosts: [polyaxon.example.com]}]\n");
    }
}
