//! The keys polyaxon-pr reads, checked in the values the post-renderer is
//! given (files and `--set` flags alike): a misspelt, unknown or renamed key
//! in a section a transform reads is a warning at its file:line:col or
//! flag, with a did-you-mean, and says when the transform stays off.

use crate::knowledge::catalog::{Catalog, ChangeKind};
use crate::knowledge::deploy_schema::Schema;
use crate::knowledge::{read_by_post_renderer, ChartName, ChartVersion, POST_RENDER_KEYS, TRANSFORM_SECTIONS};
use crate::text::{did_you_mean, join_key};
use crate::values::{Value, ValueData, Values};

/// Warnings on the user's keys under the sections polyaxon-pr reads,
/// judged against `chart` (the newest when the stream does not say), and
/// `ran`: the transforms that ran.
pub fn warnings(values: &Values, chart: Option<&ChartVersion>, ran: &[&str]) -> Vec<String> {
    let chart = chart.copied().unwrap_or_else(|| ChartVersion::newest(ChartName::Platform));
    let catalog = Catalog::of(chart.name);
    let target = chart.index_in(catalog).unwrap_or_else(|| catalog.newest());
    let schema = Schema::for_chart(&chart);
    let mut out = Vec::new();
    for (section, transform) in TRANSFORM_SECTIONS {
        let Some(found) = values.get(section) else { continue };
        let off = (!ran.contains(transform)).then_some(*transform);
        check(&mut Checker { catalog, target, schema, off, out: &mut out }, section, found.val);
    }
    out
}

struct Checker<'a> {
    catalog: &'static Catalog,
    target: usize,
    schema: Schema,
    /// The section's transform, when it did not run.
    off: Option<&'static str>,
    out: &'a mut Vec<String>,
}

fn check(j: &mut Checker<'_>, path: &str, val: &Value) {
    let ValueData::Map(entries) = &val.data else { return };
    let mut known: Vec<&str> =
        POST_RENDER_KEYS.iter().filter_map(|k| k.strip_prefix(path)?.strip_prefix('.')).map(|r| r.split('.').next().unwrap_or(r)).collect();
    known.extend(j.catalog.children(path, j.target));
    known.extend(j.schema.children(path));
    for (name, child) in entries {
        let key = join_key(path, name);
        let at = child.origin.location();
        let off = j.off.map(|t| format!("; the {t} transform stays off")).unwrap_or_default();
        if let Some(change) = j.catalog.change_of(&key).filter(|c| c.kind == ChangeKind::Renamed && j.target >= j.catalog.index_of(c.since))
        {
            let to = change.to.unwrap_or_default();
            // polyaxon-pr still reads the old spelling where the chart version does.
            if !read_by_post_renderer(&key) || j.catalog.at(&key, j.target).is_none() {
                j.out.push(format!("{at}: `{key}` was renamed to `{to}` in chart {}", change.since));
            }
            continue;
        }
        if known.contains(&name.as_str()) || j.catalog.knows(&key) {
            if read_by_post_renderer(&key) {
                check(j, &key, child);
            }
            continue;
        }
        if child.origin.hides_key() {
            j.out.push(format!(
                "{at}: a key set after a credential is not one polyaxon-pr or chart {} reads; if it is the rest of the value, escape its comma as \\,{off}",
                j.catalog.version(j.target)
            ));
            continue;
        }
        let hint = did_you_mean(name, &known).map(|k| format!(" (did you mean `{}`?)", join_key(path, &k))).unwrap_or_default();
        j.out.push(format!("{at}: `{key}` is not a key polyaxon-pr or chart {} reads{hint}{off}", j.catalog.version(j.target)));
    }
}
