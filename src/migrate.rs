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
use crate::edit::Editor;
use crate::error::{Error, Location};
use crate::files::write_atomically;
use crate::lint::fix::{self, KeyEdit};
use crate::lint::rules::{Applicability, Code};
use crate::lint::{lint_text, Diagnostic};
use crate::secrets;
use crate::values::{HelmMajor, Values};
use crate::yaml::{self, Node};

/// One change migrate made, or would make with `--unsafe-fixes`, or leaves
/// to a person: one line of its report.
#[derive(Debug, Clone, PartialEq)]
pub struct FixOutcome {
    pub code: Code,
    /// The key the change is about, as the linter names it at that pass.
    pub key: String,
    /// Where the user wrote it.
    pub line: usize,
    pub col: usize,
    /// What it does, in words (and why it was not done, when it was tried).
    pub action: String,
    /// For a rename, move or carry: the new dotted path.
    pub to: Option<String>,
    /// Every key path whose value the change alters.
    pub touches: Vec<String>,
    /// The edit itself (none for a fix left for a person).
    pub edit: Option<KeyEdit>,
    pub applicability: Applicability,
    pub applied: bool,
}

#[derive(Debug, Default)]
pub struct Migration {
    pub text: String,
    pub fixes: Vec<FixOutcome>,
}

impl Migration {
    /// Changes left out (unsafe, display-only or failed), to report.
    pub fn pending(&self) -> impl Iterator<Item = &FixOutcome> {
        self.fixes.iter().filter(|f| !f.applied)
    }
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
        let before = crate::files::read_text(path)?;
        let migration = migrate(&shown, &before, target, unsafe_fixes, ignored)?;
        Ok(FileMigration { path: path.to_path_buf(), shown, before, migration })
    }

    pub fn changed(&self) -> bool {
        self.migration.text != self.before
    }

    pub fn write(&self) -> Result<(), Error> {
        write_atomically(&self.path, &self.migration.text)
    }

    /// The unified diff between the file and exactly the text `write`
    /// writes, with every credential the file holds masked.
    pub fn diff(&self) -> String {
        let mut values = Values::default();
        let mut known = if values.add_text(&self.shown, &self.before, HelmMajor::V4).is_ok() { values.secrets() } else { Vec::new() };
        // Commented-out credentials are no longer under a key the masking sees.
        known.extend(secrets::credentials_in(&self.before));
        diff::unified(&self.shown, &format!("{} (migrated)", self.shown), &self.before, &self.migration.text, &known)
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
    // Moves applied so far (new path, old path): later findings under a
    // new path are reported where the user wrote the old one.
    let mut moved: Vec<(String, String)> = Vec::new();
    for _ in 0..MAX_PASSES {
        let Some(root) = yaml::parse_one(&migration.text).map_err(located)? else { break };
        let mut diagnostics = lint_text(&migration.text, target).map_err(located)?;
        diagnostics.retain(|d| d.fix.is_some() && !ignored(d.code));
        // Duplicate keys first: every other fix waits for one copy of its key.
        diagnostics.sort_by_key(|d| d.code != Code::K006);
        let mut editor = Editor::new(&migration.text);
        let mut done: Vec<&str> = Vec::new();
        for d in &diagnostics {
            let fix = d.fix.as_ref().expect("kept above");
            // One change per key and pass, never inside a key changed this pass.
            let within = |k: &str, of: &str| k == of || k.strip_prefix(of).is_some_and(|rest| rest.starts_with('.'));
            if fix.edits.iter().flat_map(KeyEdit::touches).any(|k| done.iter().any(|d| within(k, d) || within(d, k))) {
                continue;
            }
            let apply = match fix.applicability {
                Applicability::Safe => true,
                Applicability::Unsafe => unsafe_fixes,
                Applicability::DisplayOnly => false,
            };
            let mut not_done = None;
            if apply {
                // A move can fail after taking the entry out: keep none of the fix then.
                let before = editor.clone();
                if let Some(why) = fix.edits.iter().find_map(|e| fix::apply(&mut editor, &root, e).err()) {
                    editor = before;
                    not_done = Some(why);
                } else {
                    done.extend(fix.edits.iter().flat_map(KeyEdit::touches));
                }
            }
            let applied = apply && not_done.is_none();
            let mut outcomes = outcomes(d, fix, applied, not_done.as_deref());
            for outcome in &mut outcomes {
                // Reported where the user wrote it: later passes see text already changed.
                let written = moved.iter().rev().fold(outcome.key.clone(), |key, (new, old)| match key.strip_prefix(new.as_str()) {
                    Some(rest) if rest.is_empty() || rest.starts_with('.') => format!("{old}{rest}"),
                    _ => key,
                });
                // A duplicate is reported at the copy it comments out, not the one a path finds.
                if let Some(at) = original.as_ref().and_then(|root| written_at(root, &written)).filter(|_| d.code != Code::K006) {
                    (outcome.line, outcome.col) = at;
                }
                if applied {
                    if let Some(to) = &outcome.to {
                        moved.push((to.clone(), written));
                    }
                }
            }
            for outcome in outcomes {
                if !migration.fixes.iter().any(|f| f.key == outcome.key && f.code == outcome.code && f.applied == outcome.applied) {
                    migration.fixes.push(outcome);
                }
            }
        }
        if done.is_empty() {
            break;
        }
        let at = |e: crate::edit::NodeError| Error::at(Location::File { path: path.to_string(), line: e.line, col: e.col }, e.message);
        let mut text = editor.finish().map_err(at)?;
        // A section left with comments only would read as null and wipe the chart's defaults.
        let after = yaml::parse_one(&text).ok().flatten();
        let mut emptied = Vec::new();
        if let Some(after) = &after {
            fix::emptied_sections(&root, after, "", &mut emptied);
        }
        if !emptied.is_empty() {
            text = fix::keep_emptied(&text, &emptied).map_err(at)?;
        }
        // Each pass must leave YAML that reads back; positions in it are not the user's.
        if let Err(e) = yaml::parse_all(&text) {
            return Err(Error::new(format!("{path}: migrating produced text that does not parse ({}); nothing was written", e.message)));
        }
        migration.text = text;
    }
    migration.fixes.sort_by_key(|f| (f.line, f.col));
    Ok(migration)
}

/// The report lines of one fix: one per edit (a carry names each key it
/// moves), or the fix's title when it has no edits (display-only).
fn outcomes(d: &Diagnostic, fix: &fix::Fix, applied: bool, not_done: Option<&str>) -> Vec<FixOutcome> {
    // A duplicate key's fix changes the earlier copy, which `related` points at.
    let at = if d.code == Code::K006 { d.related.first().map_or(d.span, |(s, _)| *s) } else { d.span };
    let line = |key: &str, action: String, to: Option<String>, touches: Vec<String>, edit: Option<&KeyEdit>| FixOutcome {
        code: d.code,
        key: key.to_string(),
        line: at.line,
        col: at.col,
        action: match not_done {
            Some(why) => format!("{action} (not done: {why})"),
            None => action,
        },
        to,
        touches,
        edit: edit.cloned(),
        applicability: fix.applicability,
        applied,
    };
    if fix.edits.is_empty() {
        return vec![line(&d.key, fix.title.clone(), None, vec![d.key.clone()], None)];
    }
    // The comment-out that closes a carry is said with the keys it carried.
    let closes = |e: &KeyEdit| fix.edits.len() > 1 && matches!(e, KeyEdit::CommentOut { .. });
    let mut out: Vec<FixOutcome> = fix
        .edits
        .iter()
        .filter(|e| !closes(e))
        .map(|e| {
            let touches = e.touches().into_iter().map(String::from).collect();
            line(e.source(), e.describe(), e.destination().map(String::from), touches, Some(e))
        })
        .collect();
    let closing = fix.edits.iter().filter(|e| closes(e)).flat_map(KeyEdit::touches).map(String::from);
    if let Some(first) = out.first_mut() {
        first.touches.extend(closing);
    }
    out
}

/// Line and column of the key of `path` in `root`, or of its deepest ancestor there.
fn written_at(root: &Node, path: &str) -> Option<(usize, usize)> {
    let mut node = root;
    let mut at = None;
    for seg in path.split('.') {
        let Some((k, v)) = node.entry(seg) else { break };
        at = Some((k.line as usize, k.col as usize));
        node = v;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::catalog::Catalog;

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
