//! The chart as oracle: for every setting a chart version renders natively,
//! the defaults render post-rendered with that setting must agree with the
//! chart's own render of it, object by object and field by field (the
//! random secrets and `checksum/*` annotations aside).
//!
//! Every difference that remains is listed, with the reason it is right, in
//! `testdata/oracle/<chart>-<variant>.txt`; a difference missing from that
//! file, or listed there and gone, fails the test. Each group of lines
//! there must be preceded by a `# why:` comment. Pairs of one variant with
//! different arguments share the file: they must differ from the chart alike.

mod common;

use std::collections::BTreeMap;

use common::*;
use polyaxon_helm::stream;
use polyaxon_helm::yaml;
use serde_json::Value;

struct Pair {
    chart: &'static str,
    variant: &'static str,
    args: &'static [&'static str],
}

/// The external-services variants turn every built-in off: whichever of them
/// polyaxon-pr is told to drop, the result must be the chart's.
const DROP_POSTGRESQL: &[&str] = &["--drop-builtin", "postgresql"];
const DROP_REDIS_TOO: &[&str] = &["--drop-builtin", "postgresql", "--drop-builtin", "redis"];
const DROP_RABBITMQ_TOO: &[&str] = &["--drop-builtin", "postgresql", "--drop-builtin", "rabbitmq"];
const DROP_ALL: &[&str] = &["--drop-builtin", "postgresql", "--drop-builtin", "redis", "--drop-builtin", "rabbitmq"];

const PAIRS: &[Pair] = &[
    Pair { chart: "v2.15.1", variant: "security-context", args: &[] },
    Pair { chart: "v2.15.1", variant: "dns-coredns", args: &[] },
    Pair { chart: "v2.15.1", variant: "external-services", args: DROP_POSTGRESQL },
    Pair { chart: "v2.15.1", variant: "external-services", args: DROP_REDIS_TOO },
    Pair { chart: "v2.15.1", variant: "external-services", args: DROP_RABBITMQ_TOO },
    Pair { chart: "v2.15.1", variant: "external-services", args: DROP_ALL },
    Pair { chart: "v2.15.1", variant: "external-pgbouncer", args: DROP_POSTGRESQL },
    Pair { chart: "v1.10.1", variant: "security-context", args: &[] },
    Pair { chart: "v1.10.1", variant: "dns-coredns", args: &[] },
    Pair { chart: "v1.10.1", variant: "dns-prefix-quirk", args: &[] },
    Pair { chart: "v1.10.1", variant: "external-services", args: DROP_POSTGRESQL },
    Pair { chart: "v1.10.1", variant: "external-services", args: DROP_REDIS_TOO },
    Pair { chart: "v1.10.1", variant: "external-services", args: DROP_RABBITMQ_TOO },
    Pair { chart: "v1.10.1", variant: "external-services", args: DROP_ALL },
    Pair { chart: "v0.5.6", variant: "security-context", args: &[] },
    Pair { chart: "v0.5.6", variant: "dns-coredns", args: &[] },
    Pair { chart: "v0.4.4", variant: "security-context", args: &[] },
    Pair { chart: "v0.4.4", variant: "dns-coredns", args: &[] },
    Pair { chart: "v0.4.4", variant: "nvidia", args: &[] },
];

/// Secret keys the charts fill with `randAlphaNum`, different on every render.
const RANDOM_KEYS: &[&str] = &[
    "POLYAXON_SECRET_KEY",
    "POLYAXON_SECRET_INTERNAL_TOKEN",
    "rabbitmq-password",
    "rabbitmq-erlang-cookie",
    "haSharedSecret",
    "postgres-password",
    "postgresql-password",
];

/// Objects by `Kind/name` (with the namespace when the object has one).
fn objects(text: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for doc in stream::split(text).iter().filter(|d| !d.is_blank()) {
        let root = yaml::parse_one(doc.body).unwrap().unwrap();
        let json = root.to_json();
        let kind = json["kind"].as_str().unwrap_or_default();
        let name = json["metadata"]["name"].as_str().unwrap_or_default();
        let key = match json["metadata"]["namespace"].as_str() {
            Some(ns) => format!("{kind}/{ns}/{name}"),
            None => format!("{kind}/{name}"),
        };
        out.insert(key, json);
    }
    out
}

/// Leaf paths of a value; list items that have a `name` are keyed by it.
fn flatten(value: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                flatten(v, p, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let id = item.get("name").and_then(Value::as_str).map_or(i.to_string(), |n| format!("name={n}"));
                flatten(item, format!("{path}[{id}]"), out);
            }
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}

/// Whether a leaf is noise: a random secret or a checksum of one.
fn ignored(key: &str, path: &str) -> bool {
    (key.starts_with("Secret/") && RANDOM_KEYS.iter().any(|k| path == format!("data.{k}")) && !key.contains("-polyaxon-"))
        || (key.starts_with("Secret/") && ["data.POLYAXON_SECRET_KEY", "data.POLYAXON_SECRET_INTERNAL_TOKEN"].contains(&path))
        || path.contains("annotations.checksum/")
}

/// The differences between the chart's render and polyaxon-pr's, one line each.
fn differences(ours: &str, chart: &str) -> Vec<String> {
    let (ours, chart) = (objects(ours), objects(chart));
    let mut lines = Vec::new();
    for key in chart.keys().filter(|k| !ours.contains_key(*k)) {
        lines.push(format!("only the chart renders {key}"));
    }
    for key in ours.keys().filter(|k| !chart.contains_key(*k)) {
        lines.push(format!("only polyaxon-pr renders {key}"));
    }
    for (key, theirs) in &chart {
        let Some(mine) = ours.get(key) else { continue };
        let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
        flatten(theirs, String::new(), &mut a);
        flatten(mine, String::new(), &mut b);
        let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for path in paths {
            if ignored(key, path) {
                continue;
            }
            let (x, y) = (a.get(path).map_or("(none)", String::as_str), b.get(path).map_or("(none)", String::as_str));
            if x != y {
                lines.push(format!("{key} {path}: chart {x}, polyaxon-pr {y}"));
            }
        }
    }
    lines
}

/// The documented differences of a pair: lines that are not comments,
/// each group preceded by a `# why:` comment.
fn documented(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut why = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("# why:") {
            why = true;
        } else if line.trim().is_empty() {
            why = false;
        } else if !line.starts_with('#') {
            assert!(why, "{}: `{line}` has no `# why:` comment before it", path.display());
            out.push(line.to_string());
        }
    }
    out
}

#[test]
fn defaults_render_plus_polyaxon_pr_agrees_with_the_chart() {
    let rendered = corpus().join("rendered");
    let mut failures = Vec::new();
    let mut total = 0;
    for pair in PAIRS {
        let dir = rendered.join(pair.chart);
        let input = std::fs::read_to_string(dir.join("defaults.yaml")).unwrap();
        let chart = std::fs::read_to_string(dir.join(format!("{}.yaml", pair.variant))).unwrap();
        let values = dir.join(format!("{}.values.yaml", pair.variant));
        let mut args = vec!["--values", values.to_str().unwrap()];
        args.extend(pair.args);
        let (ours, _) = post_render(&input, &args);
        let found = differences(&ours, &chart);
        let file = repo().join("testdata/oracle").join(format!("{}-{}.txt", pair.chart, pair.variant));
        let expected = documented(&file);
        total += found.len();
        let unexplained: Vec<&String> = found.iter().filter(|l| !expected.contains(l)).collect();
        let gone: Vec<&String> = expected.iter().filter(|l| !found.contains(l)).collect();
        if !unexplained.is_empty() || !gone.is_empty() {
            failures.push(format!(
                "{} {} {:?}:\n  not explained in {}:\n    {}\n  explained but gone:\n    {}",
                pair.chart,
                pair.variant,
                pair.args,
                file.display(),
                unexplained.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n    "),
                gone.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} pairs, {total} documented differences", PAIRS.len());
}
