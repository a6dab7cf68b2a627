//! Key rules: removed, renamed, moved, deprecated, unknown, too-new and
//! duplicate keys. Walks the user's mappings against the catalog and hands
//! known keys' values to [`super::types`].

use super::rules::*;
use super::{types, Ctx};
use crate::knowledge::catalog::{Change, ChangeKind, Kind};
use crate::yaml::Node;

/// How keys below a section are judged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Checked,
    /// Below a subchart or a free-form map: only change rules.
    RulesOnly,
    /// Below a section Polyaxon's validator takes as a free-form dict: as
    /// `Checked`, but never worse than a warning.
    Loose,
}

pub fn check(ctx: &mut Ctx<'_>, root: &Node) {
    walk(ctx, root, "", Mode::Checked);
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn walk(ctx: &mut Ctx<'_>, map: &Node, prefix: &str, mode: Mode) {
    let first_new = ctx.out.len();
    walk_entries(ctx, map, prefix, mode);
    if mode == Mode::Loose {
        for d in &mut ctx.out[first_new..] {
            d.severity = d.severity.min(Severity::Warning);
        }
    }
}

fn walk_entries(ctx: &mut Ctx<'_>, map: &Node, prefix: &str, mode: Mode) {
    for (key, value) in map.entries().unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        let path = join(prefix, name);
        if let Some(change) = ctx.catalog.change_of(&path) {
            if report_change(ctx, change, &path, key) {
                continue;
            }
        }
        let range = ctx.catalog.at(&path, ctx.target).cloned();
        let descend_rules = |ctx: &mut Ctx<'_>| {
            if value.is_map() && ctx.catalog.changes_below(&path) {
                walk(ctx, value, &path, Mode::RulesOnly);
                true
            } else {
                false
            }
        };
        match range {
            Some(range) => match range.2 {
                Kind::Subchart | Kind::Open => {
                    if value.is_map() {
                        walk(ctx, value, &path, Mode::RulesOnly);
                    }
                }
                Kind::Map if value.is_map() => walk(ctx, value, &path, mode),
                Kind::Loose if value.is_map() => walk(ctx, value, &path, Mode::Loose),
                // A map where a list now stands, whose entries moved (tolerations.experiments …).
                Kind::List if descend_rules(ctx) => {}
                _ => types::check(ctx, &path, &range, key, value),
            },
            None if mode == Mode::RulesOnly => {
                descend_rules(ctx);
            }
            None => {
                if !descend_rules(ctx) {
                    report_unknown(ctx, &path, prefix, name, key);
                }
            }
        }
    }
}

/// Reports a renamed, moved or removed key; false when the change does not
/// concern the target version.
fn report_change(ctx: &mut Ctx<'_>, change: &Change, path: &str, key: &Node) -> bool {
    let since = ctx.catalog.index_of(change.since);
    if ctx.target < since {
        return false;
    }
    let accepted = ctx.catalog.at(path, ctx.target).is_some();
    let version = ctx.version().to_string();
    let span = ctx.span(key, key);
    let to = change.to.unwrap_or_default();
    let d = match change.kind {
        ChangeKind::Renamed if accepted && !(change.validator_rejects && ctx.target == ctx.catalog.newest()) => ctx.report(
            DEPRECATED_KEY,
            path,
            span,
            format!("`{path}` is the old name of `{to}` (renamed in chart {}); chart {version} still reads it", change.since),
        ),
        ChangeKind::Renamed => ctx.report(
            RENAMED_KEY,
            path,
            span,
            format!("`{path}` was renamed to `{to}` in chart {}; chart {version} ignores it", change.since),
        ),
        // A chart version that still has the key is not judged by its later move.
        _ if accepted => return false,
        ChangeKind::Moved => ctx.report(MOVED_KEY, path, span, format!("`{path}` moved to {to} in chart {}", change.since)),
        ChangeKind::Removed => {
            ctx.report(REMOVED_KEY, path, span, format!("`{path}` was removed in chart {} with no replacement", change.since))
        }
    };
    if change.kind == ChangeKind::Renamed {
        d.replacement = Some(to.to_string());
        d.help = Some(format!("rename `{path}` to `{to}` and keep the value"));
    } else {
        d.help = Some("delete the key".into());
    }
    if let Some(note) = &change.note {
        d.help = Some(format!("{}; {note}", d.help.take().unwrap_or_default()));
    }
    true
}

fn report_unknown(ctx: &mut Ctx<'_>, path: &str, parent: &str, name: &str, key: &Node) {
    let span = ctx.span(key, key);
    let version = ctx.version().to_string();
    // The new name of a renamed key, on a chart from before the rename.
    if let Some(change) = ctx.catalog.change_into(path) {
        let old = change.key;
        let since = change.since;
        let d = ctx.report(KEY_TOO_NEW, path, span, format!("`{path}` is read from chart {since}; chart {version} reads `{old}`"));
        d.help = Some(format!("rename it to `{old}`, or target chart {since} or later"));
        d.replacement = Some(old.to_string());
        return;
    }
    if let Some((first, last)) = ctx.catalog.seen(path) {
        if last < ctx.target {
            let gone = ctx.catalog.next_release(last).unwrap_or(last + 1);
            let (last, gone) = (ctx.catalog.version(last).to_string(), ctx.catalog.version(gone).to_string());
            let d = ctx.report(REMOVED_KEY, path, span, format!("`{path}` was removed in chart {gone} (last read by {last})"));
            d.help = Some("delete the key".into());
        } else if first > ctx.target {
            let first = ctx.catalog.version(first).to_string();
            let d = ctx.report(KEY_TOO_NEW, path, span, format!("`{path}` is read from chart {first}; chart {version} ignores it"));
            d.help = Some(format!("target chart {first} or later, or delete the key"));
        }
        return;
    }
    let suggestion = did_you_mean(name, &ctx.catalog.children(parent, ctx.target));
    let d = ctx.report(UNKNOWN_KEY, path, span, format!("unknown key `{path}`: chart {version} does not read it"));
    if let Some(s) = suggestion {
        let replacement = join(parent, &s);
        d.help = Some(format!("did you mean `{replacement}`?"));
        d.replacement = Some(replacement);
    }
}

/// The closest known name: same letters in another case first, then the
/// smallest edit distance within a third of the name's length.
fn did_you_mean(name: &str, known: &[&str]) -> Option<String> {
    if let Some(same) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return Some(same.to_string());
    }
    let limit = (name.chars().count() / 3).max(1);
    known
        .iter()
        .map(|k| (edit_distance(&name.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| k.to_string())
}

/// Edit distance counting a swap of neighbours as one edit (optimal string
/// alignment), since `hots` for `host` is one slip, not two.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Every mapping, at any depth (free-form and subchart sections included).
pub fn check_duplicates(ctx: &mut Ctx<'_>, node: &Node, prefix: &str) {
    if let Some(entries) = node.entries() {
        for (i, (key, value)) in entries.iter().enumerate() {
            let name = key.text().unwrap_or_default();
            let path = join(prefix, name);
            if let Some((first, _)) = entries[..i].iter().rev().find(|(k, _)| k.text().is_some() && k.text() == key.text()) {
                let (span, first_span) = (ctx.span(key, key), ctx.span(first, first));
                let line = first.line;
                let d = ctx.report(
                    DUPLICATE_KEY,
                    &path,
                    span,
                    format!("duplicate key `{path}`: Helm keeps this one and silently drops the one on line {line}"),
                );
                d.label = "this one wins".into();
                d.related.push((first_span, "this one is dropped".into()));
                d.help = Some("merge the two entries".into());
            }
            check_duplicates(ctx, value, &path);
        }
    }
    for item in node.items().unwrap_or_default() {
        check_duplicates(ctx, item, prefix);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lint_text, Diagnostic};
    use super::*;

    fn lint(text: &str, version: &str) -> Vec<Diagnostic> {
        let target = crate::knowledge::catalog::Catalog::get().resolve(version).unwrap();
        lint_text(text, target).unwrap()
    }

    fn codes(d: &[Diagnostic]) -> Vec<(&str, usize, usize, &str)> {
        d.iter().map(|d| (d.code, d.span.line, d.span.col, d.key.as_str())).collect()
    }

    #[test]
    fn unknown_key_suggests_the_known_spelling() {
        let d = lint("email:\n  useTLS: true\n  hots: smtp\n", "2.15.1");
        assert_eq!(codes(&d), [("K005", 2, 3, "email.useTLS"), ("K005", 3, 3, "email.hots")]);
        assert_eq!(d[0].replacement.as_deref(), Some("email.useTls"));
        assert_eq!(d[1].replacement.as_deref(), Some("email.host"));
        assert_eq!(d[0].severity, Severity::Error);
    }

    #[test]
    fn renamed_key_is_an_error_where_the_old_name_is_gone_and_a_warning_where_it_lingers() {
        let text = "securityContext:\n  enabled: true\n  user: 1000\n";
        let d = lint(text, "2.15.1");
        assert_eq!(codes(&d), [("K002", 3, 3, "securityContext.user")]);
        assert_eq!(d[0].replacement.as_deref(), Some("securityContext.runAsUser"));
        let d = lint(text, "1.14.0");
        assert_eq!(codes(&d), [("K004", 3, 3, "securityContext.user")]);
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(lint(text, "1.10.1").is_empty());
    }

    #[test]
    fn new_name_on_an_old_chart_points_back() {
        let d = lint("securityContext:\n  runAsUser: 1000\n", "1.10.1");
        assert_eq!(codes(&d), [("K007", 2, 3, "securityContext.runAsUser")]);
        assert_eq!(d[0].replacement.as_deref(), Some("securityContext.user"));
    }

    #[test]
    fn moved_and_removed_keys_say_where_they_went() {
        let d = lint("integrations:\n  slack: []\napi:\n  replicas: 2\nhpsearch:\n  enabled: true\nisMinikube: true\n", "2.15.1");
        assert_eq!(
            codes(&d),
            [("K003", 1, 1, "integrations"), ("K003", 3, 1, "api"), ("K001", 5, 1, "hpsearch"), ("K001", 7, 1, "isMinikube")]
        );
        assert!(d[0].message.contains("web UI"), "{}", d[0].message);
        assert!(d[1].message.contains("gateway"));
        assert!(d[3].message.contains("last read by 0.4.3"), "{}", d[3].message);
    }

    #[test]
    fn subchart_sections_are_judged_only_by_known_changes() {
        let d = lint("postgresql:\n  enabled: false\n  postgresqlUsername: polyaxon\n  primary:\n    anything: 1\nexternalServices:\n  postgresql:\n    host: db\n", "2.15.1");
        assert_eq!(codes(&d), [("K002", 3, 3, "postgresql.postgresqlUsername")]);
        assert_eq!(d[0].replacement.as_deref(), Some("postgresql.auth.username"));
        let d = lint("rabbitmq-ha:\n  enabled: false\n", "2.15.1");
        assert_eq!(codes(&d), [("K002", 1, 1, "rabbitmq-ha")]);
    }

    #[test]
    fn free_form_maps_accept_any_key() {
        assert!(lint("ingress:\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-body-size: 4g\ngateway:\n  resources:\n    limits:\n      nvidia.com/gpu: \"1\"\n", "2.15.1").is_empty());
    }

    #[test]
    fn moved_entries_of_a_section_that_became_a_list() {
        let d = lint("tolerations:\n  experiments:\n  - key: gpu\n", "2.15.1");
        assert_eq!(codes(&d), [("K003", 2, 3, "tolerations.experiments")]);
    }

    #[test]
    fn duplicates_point_at_both() {
        let d = lint("email:\n  host: a\n  port: 25\n  host: b\n", "2.15.1");
        assert_eq!(codes(&d), [("K006", 4, 3, "email.host")]);
        assert_eq!(d[0].related[0].0.line, 2);
    }

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("hots", "host"), 1);
        assert_eq!(did_you_mean("brokr", &["broker", "dns"]).as_deref(), Some("broker"));
        assert_eq!(did_you_mean("zzzz", &["broker"]), None);
    }
}
