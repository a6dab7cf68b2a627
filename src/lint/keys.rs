//! Key rules: removed, renamed, moved, deprecated, unknown, ignored,
//! too-new and duplicate keys. Walks the user's mappings against what knows
//! them, in this order: the chart version (its defaults and template reads),
//! Polyaxon's own schema for that version, the keys polyaxon-pr reads; and
//! hands known keys' values to [`super::types`].

use std::collections::HashMap;

use super::fix::DELETE_THE_KEY;
use super::rules::*;
use super::{types, At, Diagnostic, RuleContext};
use crate::knowledge::catalog::{Change, ChangeKind, Kind};
use crate::knowledge::deploy_schema::{Extra, SType, Schema, SchemaEntry};
use crate::knowledge::key_rows::{KeyIn, Known, Place};
use crate::knowledge::{read_by_post_renderer, ChartName};
use crate::text::{did_you_mean, join_key, push_key};
use crate::yaml::{Node, Value};

/// How keys below a section are judged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// By the chart, then the schema.
    Checked,
    /// A section the chart hands on whole (or Polyaxon's schema alone
    /// knows): by the schema, which rejects, drops or keeps what it does not declare.
    Schema(Extra),
    /// A subchart's section: only the keys the chart itself reads there.
    Subchart,
    /// A free-form map (annotations, labels, nodeSelector): not judged.
    Free,
}

pub fn check(ctx: &mut RuleContext<'_>, root: &Node) {
    let known = Known::of(ctx.catalog, ctx.schema);
    walk(ctx, known, root, &mut String::new(), known.top(), Mode::Checked);
}

/// Judges a mapping's keys; `place` is where the tables know the mapping.
/// `path` holds the mapping's own path and, in turn, each key's, for the
/// diagnostics and the type checks: one buffer for the whole walk, no
/// allocation per key (every function given it leaves it as it found it).
fn walk(ctx: &mut RuleContext<'_>, known: &Known, map: &Node, path: &mut String, place: Place<'_>, mode: Mode) {
    let parent = path.len();
    for (key, value) in map.entries().unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        path.truncate(parent);
        push_key(path, name);
        if parent == 0 && ctx.catalog.chart == ChartName::Agent && ctx.schema.refuses_on_agent(name) && !value.is_null() {
            ctx.push(platform_key_on_agent((path.to_string(), ctx.span(key, key))));
            continue;
        }
        // What the chart, its changes and the schema say of the key: one row.
        let lookup = known.key(place, name);
        let row = lookup.row;
        let change = row.and_then(|f| f.change);
        // Below a section handed on whole, only a change is reported: no schema lookup for the rest.
        if mode == Mode::Free && change.is_none() {
            continue;
        }
        let found = lookup.found();
        let declared = found.map(|(entry, _)| entry);
        let schema = ctx.schema;
        let tolerated = tolerated(map, declared, || place.tolerates_unknown.unwrap_or_else(|| schema.tolerates_unknown(&path[..parent])));
        if let Some(change) = change {
            if report_change(ctx, lookup, change, path, declared, tolerated, key, value) {
                continue;
            }
        }
        match mode {
            Mode::Free => continue,
            Mode::Subchart => {
                subchart_key(ctx, lookup, path, parent, name, declared, key, value);
                continue;
            }
            Mode::Checked | Mode::Schema(_) => {}
        }
        let chart = lookup.range_at(ctx.target);
        let schema = Schema::typing_of(found, chart.is_some());
        // A later chart's key, on an older chart whose validator already knew it
        // (below a section handed on whole, later charts' finer reads do not matter).
        let too_new = mode == Mode::Checked
            && chart.is_none()
            && (row.is_some_and(|f| f.renamed_into.is_some()) || lookup.around(ctx.target).1.is_some());
        match (chart, schema) {
            // A section that became a list, still written the old way: its entries moved.
            (Some(range), _) if range.2 == Kind::List && moved_entries(known, value, lookup.value()) => {
                walk(ctx, known, value, path, lookup.value(), Mode::Free)
            }
            (None, _) if too_new => {
                report_unknown(ctx, lookup, path, &path[..parent], name, tolerated, key);
                judge_by_schema(ctx, lookup, path, declared, tolerated, key, value);
            }
            (Some(range), _) => {
                types::check(ctx, path, Some(range.2), schema, key, value);
                descend(ctx, value, path, lookup, Some(range.2), schema.map(|s| (s.ty, s.extra)));
            }
            (None, Some(entry)) => {
                if mode == Mode::Checked || !tolerated {
                    report_ignored(ctx, path, entry.alias_of, tolerated, key);
                }
                types::check(ctx, path, None, Some(entry), key, value);
                descend(ctx, value, path, lookup, None, Some((entry.ty, entry.extra)));
            }
            (None, None) if read_by_post_renderer(path) => {
                ctx.push(post_renderer_key((path.to_string(), ctx.span(key, key)), ctx.version()));
            }
            (None, None) => report_unknown(ctx, lookup, path, &path[..parent], name, tolerated, key),
        }
    }
    path.truncate(parent);
}

/// Whether Polyaxon's validator lets the key through: it declares it (and
/// it is not a second spelling of a field the mapping also sets), or the
/// enclosing object keeps or drops keys it does not declare.
/// (As [`crate::knowledge::deploy_schema::Schema::tolerates`], with the schema entry looked up once.)
fn tolerated(map: &Node, declared: Option<&SchemaEntry>, unknown_tolerated: impl FnOnce() -> bool) -> bool {
    let twice = |field: &str| map.entries().unwrap_or_default().iter().any(|(k, _)| k.text() == Some(field));
    match declared {
        Some(entry) => !entry.crashes && !entry.alias_of.is_some_and(twice),
        None => unknown_tolerated(),
    }
}

/// Walks into the value of the key `lookup` by what the chart and the schema say it is.
fn descend(
    ctx: &mut RuleContext<'_>,
    value: &Node,
    path: &mut String,
    lookup: KeyIn<'_, '_>,
    chart: Option<Kind>,
    schema: Option<(SType, Extra)>,
) {
    let known = lookup.known();
    if let Some(items) = value.items() {
        // Lists of objects the schema describes (tolerations, connections).
        let item = lookup.items();
        if let Some((entry, _)) = item.found().filter(|(e, _)| e.ty == SType::Object) {
            let len = path.len();
            path.push_str("[]");
            let place = item.value();
            for node in items.iter().filter(|n| n.is_map()) {
                walk(ctx, known, node, path, place, Mode::Schema(entry.extra));
            }
            path.truncate(len);
        }
        return;
    }
    if !value.is_map() {
        return;
    }
    let by_schema = match schema {
        Some((SType::Object, extra)) => Mode::Schema(extra),
        _ => Mode::Free,
    };
    let mode = match chart {
        Some(Kind::Subchart) => Mode::Subchart,
        Some(Kind::Map) => Mode::Checked,
        Some(Kind::Whole | Kind::Open) => by_schema,
        // Read by the templates with no typed default: its known children, else the schema.
        Some(Kind::Any | Kind::Null) if ctx.catalog.has_children(path, ctx.target) => Mode::Checked,
        Some(_) | None => by_schema,
    };
    let place = lookup.value();
    // A map the chart leaves open whose values the schema types: scalars
    // (`resources.limits`: strings only in 2.x) or objects (0.x `persistence.data.<name>`).
    let values = match mode {
        Mode::Free | Mode::Schema(_) => known.key(place, "*").found().map(|(entry, _)| entry),
        Mode::Checked | Mode::Subchart => None,
    };
    match values {
        Some(entry) => {
            let len = path.len();
            for (key, item) in value.entries().unwrap_or_default() {
                let Some(name) = key.text() else { continue };
                path.truncate(len);
                push_key(path, name);
                if entry.ty == SType::Object && item.is_map() {
                    walk(ctx, known, item, path, known.key(place, name).value(), Mode::Schema(entry.extra));
                } else {
                    types::check(ctx, path, None, Some(entry), key, item);
                }
            }
            path.truncate(len);
        }
        None => walk(ctx, known, value, path, place, mode),
    }
}

/// A mapping (at `place`) whose entries are sections that moved (`tolerations.experiments`).
fn moved_entries(known: &Known, value: &Node, place: Place<'_>) -> bool {
    value
        .entries()
        .unwrap_or_default()
        .iter()
        .any(|(k, _)| k.text().is_some_and(|k| known.key(place, k).row.is_some_and(|f| f.change.is_some())))
}

/// Keys of a subchart section: the ones the chart sets or reads there (by
/// their type), the ones it set or read in other versions
/// (`postgresql.postgresUser`), near misses of the ones it reads, and what
/// Polyaxon's schema declares there (`rabbitmq.resources`).
#[allow(clippy::too_many_arguments)]
fn subchart_key(
    ctx: &mut RuleContext<'_>,
    lookup: KeyIn<'_, '_>,
    path: &mut String,
    parent: usize,
    name: &str,
    declared: Option<&SchemaEntry>,
    key: &Node,
    value: &Node,
) {
    let chart = lookup.range_at(ctx.target).map(|r| r.2);
    if let Some(entry) = declared {
        types::check(ctx, path, chart, Some(entry), key, value);
        descend(ctx, value, path, lookup, None, Some((entry.ty, entry.extra)));
        return;
    }
    if chart.is_some() {
        types::check(ctx, path, chart, None, key, value);
        return;
    }
    match lookup.around(ctx.target) {
        (Some(last), _) => {
            let removal = Removal::FromSubchart { last: ctx.catalog.version(last) };
            ctx.push(removed_key((path.to_string(), ctx.span(key, key)), ctx.version(), removal, false));
            return;
        }
        // A later chart's key: not a misspelling.
        (None, Some(_)) => return,
        (None, None) => {}
    }
    let prefix = &path[..parent];
    let read_here: Vec<&str> = ctx.catalog.children(prefix, ctx.target);
    if value.is_map() || read_here.contains(&name) {
        return;
    }
    if let Some(close) = did_you_mean(name, &read_here).filter(|c| c != name) {
        let replacement = join_key(prefix, &close);
        ctx.push(subchart_key_typo((path.to_string(), ctx.span(key, key)), replacement));
    }
}

/// Reports a renamed, moved or removed key; false when the change does not
/// concern the target version.
#[allow(clippy::too_many_arguments)]
fn report_change(
    ctx: &mut RuleContext<'_>,
    lookup: KeyIn<'_, '_>,
    change: &Change,
    path: &mut String,
    declared: Option<&SchemaEntry>,
    tolerated: bool,
    key: &Node,
    value: &Node,
) -> bool {
    let since = ctx.catalog.index_of(change.since);
    if ctx.target < since {
        return false;
    }
    let accepted = lookup.range_at(ctx.target).is_some();
    let version = ctx.version();
    let at = (path.to_string(), ctx.span(key, key));
    // What the validator lets through matters only where the chart ignores the key.
    let ignored_but_tolerated = !accepted && tolerated;
    let d = match change.kind {
        ChangeKind::Renamed if accepted => deprecated_key(at, version, change, change.validator_rejects && !tolerated),
        ChangeKind::Renamed => renamed_key(at, version, change, ignored_but_tolerated),
        // A chart version that still has the key is not judged by its later move;
        // a merge is migrate's business (the linter reports the section that left).
        ChangeKind::Merged => return false,
        _ if accepted => return false,
        ChangeKind::Moved => moved_key(at, change, ignored_but_tolerated),
        ChangeKind::Removed => removed_key(at, version, Removal::NoReplacement(change), ignored_but_tolerated),
    };
    ctx.push(d);
    judge_by_schema(ctx, lookup, path, declared, ignored_but_tolerated, key, value);
    true
}

/// A key the chart ignores but Polyaxon reads: its value must still be
/// what Polyaxon's schema declares, all the way down.
fn judge_by_schema(
    ctx: &mut RuleContext<'_>,
    lookup: KeyIn<'_, '_>,
    path: &mut String,
    declared: Option<&SchemaEntry>,
    tolerated: bool,
    key: &Node,
    value: &Node,
) {
    if let Some(entry) = declared.filter(|_| tolerated) {
        types::check(ctx, path, None, Some(entry), key, value);
        descend(ctx, value, path, lookup, None, Some((entry.ty, entry.extra)));
    }
}

/// A key Polyaxon's schema declares but the chart version does not read;
/// an error where Polyaxon rejects it after all (a second spelling of a
/// field the mapping also sets).
fn report_ignored(ctx: &mut RuleContext<'_>, path: &str, alias_of: Option<&str>, tolerated: bool, key: &Node) {
    let at = (path.to_string(), ctx.span(key, key));
    let why = match alias_of {
        Some(field) => {
            let (parent, _) = path.rsplit_once('.').unwrap_or(("", path));
            Ignored::Alias { of: join_key(parent, field), tolerated }
        }
        None if tolerated => Ignored::Accepted,
        None => Ignored::Refused { validator: ctx.schema.version() },
    };
    ctx.push(ignored_key(at, ctx.version(), why));
}

/// A key the target chart does not read: an error, or a warning where
/// Polyaxon's validator lets it through (it declares the key, or the
/// enclosing object ignores what it does not declare).
fn report_unknown(ctx: &mut RuleContext<'_>, lookup: KeyIn<'_, '_>, path: &str, parent: &str, name: &str, tolerated: bool, key: &Node) {
    let at = (path.to_string(), ctx.span(key, key));
    let version = ctx.version();
    let of = |i: usize| ctx.catalog.version(i);
    let d = match (lookup.row.and_then(|f| f.renamed_into), lookup.around(ctx.target)) {
        // The new name of a renamed key, on a chart from before the rename.
        (Some(change), _) => key_too_new(at, version, TooNew::Renamed(change), tolerated),
        (None, (Some(last), None)) => {
            let gone = of(ctx.catalog.next_release(last).unwrap_or(last + 1));
            removed_key(at, version, Removal::Gone { gone, last: of(last) }, tolerated)
        }
        (None, (None, Some(first))) => key_too_new(at, version, TooNew::Later { first: of(first) }, tolerated),
        // Read by older and newer charts, not by this one.
        (None, (Some(last), Some(first))) => removed_key(at, version, Removal::Between { last: of(last), first: of(first) }, tolerated),
        (None, (None, None)) => {
            let mut known = ctx.catalog.children(parent, ctx.target);
            known.extend(ctx.schema.children(parent));
            let suggestion = did_you_mean(name, &known).map(|s| join_key(parent, &s));
            unknown_key(at, version, suggestion, tolerated)
        }
    };
    ctx.push(d);
}

// Each rule's diagnostic, made whole (message, help, severity, replacement)
// from where it points and the facts that decided it; `version` is the
// chart version linted.

/// Made a warning where the chart ignores the key and Polyaxon's validator
/// lets it through: the file deploys, the setting has no effect.
fn tolerated_by_polyaxon(mut d: Diagnostic, tolerated: bool) -> Diagnostic {
    if tolerated {
        d.severity = Severity::Warning;
        d.message.push_str(" (Polyaxon's validator lets it through)");
    }
    d
}

/// The help, and after it the chart's note on the change, if any.
fn with_note(mut help: String, change: &Change) -> String {
    if let Some(note) = change.note {
        help.push_str("; ");
        help.push_str(note);
    }
    help
}

/// The help and replacement of a near miss of `replacement`.
fn did_you_mean_help(d: Diagnostic, replacement: String) -> Diagnostic {
    Diagnostic { help: Some(format!("did you mean `{replacement}`?")), replacement: Some(replacement), ..d }
}

/// K011.
fn platform_key_on_agent(at: At) -> Diagnostic {
    let message = format!("`{}` configures the control plane: the agent chart ignores it and Polyaxon rejects it here", at.0);
    Diagnostic::new(PLATFORM_KEY_ON_AGENT, at, message).with_help("move it to the control plane's values, or delete it")
}

/// K009.
fn post_renderer_key(at: At, version: &str) -> Diagnostic {
    let message = format!("`{}` is read by polyaxon-pr, not by chart {version}", at.0);
    Diagnostic::new(POST_RENDERER_KEY, at, message)
        .with_help("fine when you render through polyaxon-pr; Polyaxon's own validator rejects it")
}

/// K010: a near miss of `replacement`, which the chart reads in a subchart section.
fn subchart_key_typo(at: At, replacement: String) -> Diagnostic {
    let message = format!("`{}` looks like a misspelling of `{replacement}`, which the chart reads", at.0);
    did_you_mean_help(Diagnostic::new(SUBCHART_KEY_TYPO, at, message), replacement)
}

/// K004: the old name of a renamed key, which the chart still reads;
/// `rejected` where Polyaxon's validator refuses it (Helm reads it, `polyaxon admin deploy` does not).
fn deprecated_key(at: At, version: &str, change: &Change, rejected: bool) -> Diagnostic {
    let (path, to) = (&at.0, change.to.unwrap_or_default());
    let mut message = format!("`{path}` is the old name of `{to}` (renamed in chart {}); chart {version} still reads it", change.since);
    let help = with_note(format!("rename `{path}` to `{to}` and keep the value"), change);
    let severity = if rejected {
        message.push_str(", but Polyaxon's validator rejects it");
        Severity::Error
    } else {
        DEPRECATED_KEY.rule().severity
    };
    Diagnostic { severity, replacement: Some(to.to_string()), ..Diagnostic::new(DEPRECATED_KEY, at, message).with_help(help) }
}

/// K002.
fn renamed_key(at: At, version: &str, change: &Change, tolerated: bool) -> Diagnostic {
    let (path, to) = (&at.0, change.to.unwrap_or_default());
    let message = format!("`{path}` was renamed to `{to}` in chart {}; chart {version} ignores it", change.since);
    let help = with_note(format!("rename `{path}` to `{to}` and keep the value"), change);
    let d = Diagnostic { replacement: Some(to.to_string()), ..Diagnostic::new(RENAMED_KEY, at, message).with_help(help) };
    tolerated_by_polyaxon(d, tolerated)
}

/// K003.
fn moved_key(at: At, change: &Change, tolerated: bool) -> Diagnostic {
    let message = ["`", &at.0, "` moved to ", change.to.unwrap_or_default(), " in chart ", change.since].concat();
    let d = Diagnostic::new(MOVED_KEY, at, message).with_help(with_note(DELETE_THE_KEY.into(), change));
    tolerated_by_polyaxon(d, tolerated)
}

/// How a key came to be removed (K001).
enum Removal<'a> {
    /// The chart's history says so.
    NoReplacement(&'a Change),
    /// Chart `last` was the last to read it, `gone` the first without it.
    Gone { gone: &'a str, last: &'a str },
    /// Chart `last` read it and `first` reads it again.
    Between { last: &'a str, first: &'a str },
    /// A subchart key chart `last` last set or read: likely ignored, a warning.
    FromSubchart { last: &'a str },
}

/// K001.
fn removed_key(at: At, version: &str, removal: Removal<'_>, tolerated: bool) -> Diagnostic {
    let path = &at.0;
    let (message, help) = match removal {
        Removal::NoReplacement(change) => (
            ["`", path, "` was removed in chart ", change.since, " with no replacement"].concat(),
            with_note(DELETE_THE_KEY.into(), change),
        ),
        Removal::Gone { gone, last } => {
            (["`", path, "` was removed in chart ", gone, " (last read by ", last, ")"].concat(), DELETE_THE_KEY.into())
        }
        Removal::Between { last, first } => {
            (format!("`{path}` is not read by chart {version}: chart {last} read it, chart {first} reads it again"), DELETE_THE_KEY.into())
        }
        Removal::FromSubchart { last } => {
            let message =
                format!("`{path}` was last set or read by chart {last}; chart {version} and the subchart it bundles likely ignore it");
            let d = Diagnostic::new(REMOVED_KEY, at, message).with_help("delete the key, or use the bundled subchart's setting");
            return Diagnostic { severity: Severity::Warning, ..d };
        }
    };
    tolerated_by_polyaxon(Diagnostic::new(REMOVED_KEY, at, message).with_help(help), tolerated)
}

/// Why a key is read only by later charts (K007).
enum TooNew<'a> {
    /// The new name of a renamed key.
    Renamed(&'a Change),
    /// First read by chart `first`.
    Later { first: &'a str },
}

/// K007.
fn key_too_new(at: At, version: &str, why: TooNew<'_>, tolerated: bool) -> Diagnostic {
    let path = &at.0;
    let (message, help, replacement) = match why {
        TooNew::Renamed(change) => {
            let (old, since) = (change.key, change.since);
            (
                format!("`{path}` is read from chart {since}; chart {version} reads `{old}`"),
                format!("rename it to `{old}`, or target chart {since} or later"),
                Some(old.to_string()),
            )
        }
        TooNew::Later { first } => (
            format!("`{path}` is read from chart {first}; chart {version} ignores it"),
            format!("target chart {first} or later, or delete the key"),
            None,
        ),
    };
    let d = Diagnostic { replacement, ..Diagnostic::new(KEY_TOO_NEW, at, message).with_help(help) };
    tolerated_by_polyaxon(d, tolerated)
}

/// K005: `suggestion` the closest key the chart or Polyaxon knows; a
/// warning where Polyaxon ignores the key.
fn unknown_key(at: At, version: &str, suggestion: Option<String>, tolerated: bool) -> Diagnostic {
    let message = if tolerated {
        format!("unknown key `{}`: chart {version} does not read it and Polyaxon ignores it", at.0)
    } else {
        format!("unknown key `{}`: neither chart {version} nor Polyaxon reads it", at.0)
    };
    let mut d = Diagnostic::new(UNKNOWN_KEY, at, message);
    if let Some(replacement) = suggestion {
        d = did_you_mean_help(d, replacement);
    }
    if tolerated {
        d.severity = Severity::Warning;
    }
    d
}

/// Why Polyaxon's schema declares a key the chart does not read (K008).
enum Ignored {
    /// Polyaxon's other spelling of `of`; `tolerated` unless `of` is set too.
    Alias { of: String, tolerated: bool },
    /// Declared and let through.
    Accepted,
    /// Declared, but the `validator` fails on it.
    Refused { validator: &'static str },
}

/// K008.
fn ignored_key(at: At, version: &str, why: Ignored) -> Diagnostic {
    let path = &at.0;
    match why {
        Ignored::Alias { of, tolerated: true } => {
            let message = format!("Polyaxon reads `{path}` as `{of}`, but chart {version} reads only `{of}`");
            Diagnostic { replacement: Some(of.clone()), ..Diagnostic::new(IGNORED_KEY, at, message).with_help(format!("write `{of}`")) }
        }
        Ignored::Alias { of, tolerated: false } => {
            let message = format!("`{path}` is Polyaxon's other spelling of `{of}`, which is set too: Polyaxon rejects the file, and chart {version} reads only `{of}`");
            Diagnostic { severity: Severity::Error, ..Diagnostic::new(IGNORED_KEY, at, message).with_help("delete this one") }
        }
        Ignored::Accepted => {
            let message = format!("Polyaxon accepts `{path}`, but chart {version} does not read it: with Helm it has no effect");
            Diagnostic::new(IGNORED_KEY, at, message)
                .with_help("delete it, unless a tool other than Helm reads it (`polyaxon admin deploy` reads releaseName)")
        }
        Ignored::Refused { validator } => {
            let message =
                format!("Polyaxon's validator {validator} declares `{path}` but fails on it, and chart {version} does not read it");
            Diagnostic { severity: Severity::Error, ..Diagnostic::new(IGNORED_KEY, at, message).with_help("delete it") }
        }
    }
}

/// K006: Helm keeps the one at `at` and drops the one at `first` (on `line`).
fn duplicate_key(at: At, first: super::Span, line: usize) -> Diagnostic {
    let message = format!("duplicate key `{}`: Helm keeps this one and silently drops the one on line {line}", at.0);
    Diagnostic {
        label: "this one wins".into(),
        related: vec![(first, "this one is dropped".into())],
        ..Diagnostic::new(DUPLICATE_KEY, at, message).with_help("merge the two entries")
    }
}

/// Every mapping, at any depth (free-form and subchart sections included);
/// one pass per mapping.
pub fn check_duplicates(ctx: &mut RuleContext<'_>, node: &Node, prefix: &str) {
    duplicates_below(ctx, node, prefix, &mut Vec::new());
}

/// [`check_duplicates`] below `prefix` and the keys `names`: a path is
/// written only for a duplicate found, not for every key.
fn duplicates_below<'a>(ctx: &mut RuleContext<'_>, node: &'a Node, prefix: &str, names: &mut Vec<&'a str>) {
    if let Some(entries) = node.entries() {
        // Mappings of up to 64 keys are searched; larger ones (thousands of keys) indexed.
        let large = entries.len() > 64;
        let mut last_of: Option<HashMap<&str, &Node>> = large.then(|| HashMap::with_capacity(entries.len()));
        // A small mapping's names seen so far, one bit each by length and
        // bytes: a name whose bit is clear has no earlier twin to search for.
        let mut seen = [0u64; 4];
        for (i, (key, value)) in entries.iter().enumerate() {
            if let Some(name) = key.text() {
                let earlier = if let Some(last_of) = last_of.as_mut() {
                    last_of.insert(name, key)
                } else {
                    let class = fingerprint(name);
                    let (word, bit) = (class / 64, 1u64 << (class % 64));
                    let searched = seen[word] & bit != 0;
                    seen[word] |= bit;
                    if searched {
                        entries[..i].iter().rev().map(|(k, _)| k).find(|k| k.text() == Some(name))
                    } else {
                        None
                    }
                };
                if let Some(first) = earlier {
                    let mut path = prefix.to_string();
                    for segment in names.iter().chain([&name]) {
                        push_key(&mut path, segment);
                    }
                    let (span, first_span) = (ctx.span(key, key), ctx.span(first, first));
                    ctx.push(duplicate_key((path, span), first_span, first.line as usize));
                }
            }
            if is_collection(value) {
                names.push(key.text().unwrap_or_default());
                duplicates_below(ctx, value, prefix, names);
                names.pop();
            }
        }
    }
    for item in node.items().unwrap_or_default().iter().filter(|item| is_collection(item)) {
        duplicates_below(ctx, item, prefix, names);
    }
}

/// A mapping or a list: where duplicates can hide.
fn is_collection(node: &Node) -> bool {
    matches!(node.value, Value::Map { .. } | Value::Seq { .. })
}

/// One of 256 classes of a key name: equal names share one.
fn fingerprint(name: &str) -> usize {
    let b = name.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            let second = b.get(1).copied().unwrap_or(0);
            ((b.len() * 29) ^ usize::from(first) ^ (usize::from(last) << 3) ^ (usize::from(second) << 1)) & 255
        }
        _ => 0,
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
        d.iter().map(|d| (d.code.as_str(), d.span.line, d.span.col, d.key.as_str())).collect()
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
    fn renamed_keys_by_what_chart_and_validator_do() {
        let text = "securityContext:\n  enabled: true\n  user: 1000\n";
        // 2.15.1's templates still read `user` (and prefer it); its validator rejects it.
        let d = lint(text, "2.15.1");
        assert_eq!(codes(&d), [("K004", 3, 3, "securityContext.user")]);
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].message.contains("still reads it") && d[0].message.contains("validator rejects"), "{}", d[0].message);
        assert_eq!(d[0].replacement.as_deref(), Some("securityContext.runAsUser"));
        let d = lint(text, "1.14.0");
        assert_eq!(codes(&d), [("K004", 3, 3, "securityContext.user")]);
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
    fn keys_known_only_to_polyaxon_or_to_polyaxon_pr() {
        let d = lint(
            "releaseName: pax\ngateway:\n  scheme: https\ndirs:\n  nvidia: {lib: /a}\nnotifier:\n  nodeSelector: {pool: cpu}\n",
            "2.15.1",
        );
        assert_eq!(codes(&d), [("K008", 1, 1, "releaseName"), ("K008", 3, 3, "gateway.scheme"), ("K009", 4, 1, "dirs")]);
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[2].severity, Severity::Info);
    }

    #[test]
    fn sections_handed_on_whole_are_judged_by_the_schema() {
        let d = lint("proxy:\n  enabled: true\n  nlProxy: localhost\nartifactsStore:\n  name: a\n  kindd: s3\n", "2.15.1");
        assert_eq!(codes(&d), [("K005", 3, 3, "proxy.nlProxy"), ("K005", 6, 3, "artifactsStore.kindd")]);
        assert_eq!(d[0].replacement.as_deref(), Some("proxy.noProxy"));
    }

    #[test]
    fn subchart_sections_are_judged_only_by_what_the_chart_reads_there() {
        let d = lint("postgresql:\n  enabeld: false\n  postgresqlUsername: polyaxon\n  primary:\n    anything: 1\nexternalServices:\n  postgresql:\n    host: db\n", "2.15.1");
        assert_eq!(codes(&d)[..2], [("K010", 2, 3, "postgresql.enabeld"), ("K002", 3, 3, "postgresql.postgresqlUsername")]);
        let d = lint("rabbitmq-ha:\n  enabled: false\n", "2.15.1");
        assert_eq!(codes(&d), [("K002", 1, 1, "rabbitmq-ha")]);
        let d = lint("postgresql:\n  postgresUser: polyaxon\n", "2.15.1");
        assert_eq!(codes(&d), [("K001", 2, 3, "postgresql.postgresUser")]);
    }

    #[test]
    fn free_form_maps_accept_any_key_and_dotted_keys_are_quoted() {
        assert!(lint("ingress:\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-body-size: 4g\ngateway:\n  resources:\n    limits:\n      nvidia.com/gpu: \"1\"\n", "2.15.1").is_empty());
        assert_eq!(join_key("ingress.annotations", "kubernetes.io/tls-acme"), "ingress.annotations.\"kubernetes.io/tls-acme\"");
    }

    #[test]
    fn kubernetes_shapes_are_checked() {
        let d = lint("gateway:\n  resources:\n    requets:\n      cpu: 1\ntolerations:\n- key: dedicated\n  operater: Equal\n", "2.15.1");
        assert_eq!(codes(&d), [("K005", 3, 5, "gateway.resources.requets"), ("K005", 7, 3, "tolerations[].operater")]);
    }

    #[test]
    fn moved_entries_of_a_section_that_became_a_list() {
        let d = lint("tolerations:\n  experiments:\n  - key: gpu\n", "2.15.1");
        assert_eq!(codes(&d)[0], ("K003", 2, 3, "tolerations.experiments"));
    }

    #[test]
    fn duplicates_point_at_both_and_scale() {
        let d = lint("email:\n  host: a\n  port: 25\n  host: b\n", "2.15.1");
        assert_eq!(codes(&d), [("K006", 4, 3, "email.host")]);
        assert_eq!(d[0].related[0].0.line, 2);
    }
}
