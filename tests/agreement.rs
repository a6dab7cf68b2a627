//! The linter against Polyaxon's own validators (2.18.0, 2.15.1, 1.20.0,
//! 1.14.3 and polyaxon-deploy 0.6.1, each in its venv) on about 2,500 generated cases:
//! real values files (each validator's chart defaults, corpus variants, CI
//! files, the lint fixtures) changed one way each by scripts/mutate-values.py
//! (typos, wrong types, nulls, quoted scalars, bad enum values, old keys put back,
//! keys of other chart versions, cross-field contradictions) or rewritten
//! without changing meaning (reordering, comments, quoting, flow style, CRLF,
//! anchors, merge keys).
//!
//! A change's verdict is whether it brings new errors, for the validator and
//! for the linter (errors the base file already had do not count). They
//! agree when both or neither report it. A disagreement counts as agreement
//! only when it belongs to one of the documented [`Class`]es, each a
//! difference between what Helm and the chart do and what Polyaxon's
//! validator checks; the test pins how many fall in each. Neutral rewrites
//! must change no verdict of either, and every diagnostic's span must start
//! at its key.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use polyaxon_helm::knowledge::catalog::{Catalog, Kind};
use polyaxon_helm::knowledge::deploy_schema::{SType, Schema};
use polyaxon_helm::knowledge::{ChartName, POST_RENDER_KEYS};
use polyaxon_helm::lint::rules::Severity;
use polyaxon_helm::lint::{lint_text, Diagnostic};
use polyaxon_helm::yaml;

const VALIDATORS: [&str; 5] = ["2.18.0", "2.15.1", "1.20.0", "1.14.3", "0.6.1"];

struct Case {
    id: String,
    file: PathBuf,
    validator: String,
    target: String,
    base: String,
    kind: String,
    paths: Vec<String>,
    neutral: bool,
    /// For a base: the file it came from.
    source: String,
    text: String,
    /// The validator's errors: (loc, type).
    rejected: BTreeSet<(String, String)>,
    diagnostics: Vec<Diagnostic>,
}

impl Case {
    /// The linter's errors as (key, code, finding): cross-field rules differ
    /// by message, as the validator's whole-file rules do; a note on how Helm
    /// reads a switch (" (`x.enabled` is the string ...") is not another finding.
    fn lint_errors(&self) -> BTreeSet<(&str, &'static str, &str)> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(lint_case_key).collect()
    }
}

fn generate(out: &Path) -> Vec<Case> {
    let status = Command::new(venv_python("tools"))
        .arg(repo().join("scripts/mutate-values.py"))
        .arg("--out")
        .arg(out)
        .arg("--corpus")
        .arg(corpus())
        .status()
        .expect("the tools venv's python");
    assert!(status.success(), "scripts/mutate-values.py failed");
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    manifest
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            let file = PathBuf::from(s("file"));
            let text = std::fs::read_to_string(&file).unwrap();
            Case {
                id: s("id"),
                validator: s("validator"),
                target: s("target"),
                base: s("base"),
                kind: s("kind"),
                paths: v["paths"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect(),
                neutral: v["neutral"].as_bool().unwrap(),
                source: v["source"].as_str().unwrap_or_default().to_string(),
                file,
                text,
                rejected: BTreeSet::new(),
                diagnostics: Vec::new(),
            }
        })
        .collect()
}

fn validate(cases: &mut [Case], validator: &str, scratch: &Path) {
    let list = scratch.join(format!("{validator}.list"));
    let mine: Vec<&mut Case> = cases.iter_mut().filter(|c| c.validator == validator).collect();
    std::fs::write(&list, mine.iter().map(|c| format!("{}\n", c.file.display())).collect::<String>()).unwrap();
    let out = Command::new(venv_python("tools"))
        .arg(repo().join("scripts/polyaxon-validate.py"))
        .args(["--validator", validator, "--fast-yaml", "--files-from"])
        .arg(&list)
        .output()
        .unwrap();
    assert!(out.status.success(), "polyaxon-validate.py --validator {validator}: {}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), mine.len(), "one verdict per case");
    for (case, v) in mine.into_iter().zip(lines) {
        assert_eq!(v["path"].as_str().unwrap(), case.file.to_str().unwrap());
        case.rejected = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let (loc, kind) = (e["loc"].as_str().unwrap(), e["type"].as_str().unwrap());
                // Whole-file rules differ only by message.
                let kind = if loc.is_empty() { format!("{kind}: {}", e["msg"].as_str().unwrap()) } else { kind.to_string() };
                (loc.to_string(), kind)
            })
            .collect();
    }
}

/// A documented difference between Polyaxon's validator and the linter:
/// each is a place where Helm and the chart read values differently from
/// Polyaxon, and the linter follows Helm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// A key the chart's templates read (or its defaults set) that
    /// Polyaxon's schema lacks: Helm uses it, the validator rejects it.
    /// Cleaning removes such keys from every base (pinned below); they
    /// come back when a change puts them in.
    ChartReadsValidatorLacks,
    /// `dirs` and `mountPaths`: polyaxon-pr's GPU transform reads them and
    /// the linter notes them (K009); Polyaxon's validators reject them.
    PostRendererKey,
    /// A switch written as a string: Polyaxon reads "false" as false, Helm
    /// templates read any non-empty string as true (and keep a subchart on);
    /// the linter follows Helm, and its message says so.
    HelmReadsStringAsTrue,
    /// A value of the wrong type where the chart's default fixes the type
    /// (probe thresholds, hpa bounds, ports, whole sections) and Polyaxon's
    /// schema takes the section as a free mapping: the chart renders it
    /// into Kubernetes objects or tests it as a section, the validator does
    /// not look.
    ChartTypedSchemaUntyped,
    /// Charts 1.x ship an `agent` section in their defaults and read it;
    /// the 1.x validators reject any `agent` section on a platform deployment.
    AgentSectionOnPlatform,
    /// No `broker` in the file: the chart defaults it to redis, the
    /// validator takes it as not redis and rejects a file that uses redis.
    ChartDefaultBroker,
    /// An `externalServices` entry without a host: the validator counts it
    /// as configured, the chart (which tests `.host`) does not, and the
    /// linter reports the missing service.
    ExternalServiceWithoutHost,
    /// `connections[].schema` and `artifactsStore.schema` on 1.x: the
    /// validator picks the schema by the connection's kind (bucket, claim,
    /// host path, git, registry); the linter leaves them to Polyaxon.
    ConnectionSchemaByKind,
    /// Polyaxon 2.18.0 as pip installs it pins kubernetes<37, whose models
    /// (affinity, tolerations, resources) check nothing below their own keys;
    /// the linter checks them as Kubernetes, which refuses them at apply time, does.
    KubernetesObjectUnchecked,
    /// The validator's whole-file rules stop at the first that fails: on a
    /// base it already rejects that way, a second contradiction goes
    /// unseen; the linter reports each.
    FirstWholeFileRuleOnly,
}

/// The validator's finding on its own, when a documented class explains it.
fn validator_class(case: &Case, (loc, kind): &(String, String)) -> Option<Class> {
    let top = loc.split('.').next().unwrap_or_default();
    if POST_RENDER_KEYS.iter().any(|k| k.split('.').next() == Some(top))
        && case.diagnostics.iter().any(|d| d.code == "K009" && d.key == top)
    {
        return Some(Class::PostRendererKey);
    }
    let parts: Vec<&str> = loc.split('.').collect();
    if matches!(parts[..], ["connections", _, "schema", ..] | ["artifactsStore", "schema", ..]) {
        return Some(Class::ConnectionSchemaByKind);
    }
    if matches!(kind.as_str(), "extra_forbidden" | "unknown_field") && catalog_of(case).at(loc, target_of(case)).is_some() {
        return Some(Class::ChartReadsValidatorLacks);
    }
    if loc.is_empty() && kind.contains("Platform deployment received an unexpected `agent` key") {
        return Some(Class::AgentSectionOnPlatform);
    }
    let sets_broker = yaml::parse_all(&case.text).ok().and_then(|docs| docs.first().map(|d| d.get("broker").is_some())).unwrap_or(true);
    let default_broker = Catalog::get().default("broker", target_of(case)).as_str() == Some("redis");
    if loc.is_empty() && kind.ends_with("redis is enabled but you are using a different broker backend!") && !sets_broker && default_broker
    {
        return Some(Class::ChartDefaultBroker);
    }
    None
}

/// The linter's error on its own, when a documented class explains it.
fn lint_class(case: &Case, d: &Diagnostic) -> Option<Class> {
    let kubernetes = ["affinity", "celeryAffinity", "tolerations[]", "celeryTolerations[]", "resources"];
    if case.validator == "2.18.0" && d.key.split('.').any(|s| kubernetes.contains(&s)) {
        return Some(Class::KubernetesObjectUnchecked);
    }
    if d.message.contains("which Helm reads as true)") {
        return Some(Class::HelmReadsStringAsTrue);
    }
    if matches!(d.code.as_str(), "X001" | "X002" | "X007") && has_external_entry_without_host(&case.text) {
        return Some(Class::ExternalServiceWithoutHost);
    }
    let schema = Schema::validator(&case.validator).unwrap();
    let untyped = schema.at(&d.key).is_none_or(|e| matches!(e.ty, SType::Any | SType::Dict));
    let typed_by_chart = catalog_of(case).at(&d.key, target_of(case)).is_some_and(|r| !matches!(r.2, Kind::Any | Kind::Null));
    (d.code == "T001" && untyped && typed_by_chart).then_some(Class::ChartTypedSchemaUntyped)
}

fn has_external_entry_without_host(text: &str) -> bool {
    let docs = yaml::parse_all(text).unwrap_or_default();
    let services = docs.first().and_then(|d| d.get("externalServices")).and_then(|s| s.entries()).unwrap_or_default();
    services.iter().any(|(_, v)| v.is_map() && v.get("host").is_none_or(|h| h.is_null()))
}

fn target_of(case: &Case) -> usize {
    catalog_of(case).resolve(&case.target).unwrap()
}

/// The chart a case deploys: the agent chart for `deploymentChart: agent`.
fn catalog_of(case: &Case) -> &'static Catalog {
    let agent = case.text.lines().any(|l| l.trim_end() == "deploymentChart: agent");
    Catalog::of(if agent { ChartName::Agent } else { ChartName::Platform })
}

/// The class that explains a whole disagreement: one class for all of the
/// side that reports something the other does not.
fn classify(case: &Case, base: &Case, validator_new: &[&(String, String)], lint_new: &[&Diagnostic]) -> Option<Class> {
    let whole_file_rule_failed = |c: &Case| c.rejected.iter().any(|(loc, _)| loc.is_empty());
    if validator_new.is_empty()
        && lint_new.iter().all(|d| d.code.family() == 'X')
        && whole_file_rule_failed(base)
        && whole_file_rule_failed(case)
    {
        return Some(Class::FirstWholeFileRuleOnly);
    }
    let classes: BTreeSet<Option<Class>> = if lint_new.is_empty() {
        validator_new.iter().map(|e| validator_class(case, e)).collect()
    } else {
        lint_new.iter().map(|d| lint_class(case, d)).collect()
    };
    match classes.into_iter().collect::<Vec<_>>()[..] {
        [Some(class)] => Some(class),
        _ => None,
    }
}

/// Every diagnostic starts at its key, and its line and column are those of its first byte.
fn assert_span_at_key(case: &Case, d: &Diagnostic) {
    let leaf = match d.key.strip_suffix('"') {
        Some(quoted) => &quoted[quoted.rfind('"').map_or(0, |i| i + 1)..],
        None => d.key.rsplit('.').next().unwrap_or_default(),
    };
    let leaf = leaf.trim_end_matches("[]");
    let at = &case.text[d.span.start..];
    assert!(
        at.starts_with(leaf) || at[1..].starts_with(leaf),
        "{}: {} for `{}` points at {:?}",
        case.file.display(),
        d.code,
        d.key,
        &at[..at.len().min(30)]
    );
    let before = &case.text[..d.span.start];
    let line = 1 + before.matches('\n').count() + before.matches('\r').count() - before.matches("\r\n").count();
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    assert_eq!(
        (d.span.line, d.span.col),
        (line, before[line_start..].chars().count() + 1),
        "{}: {} for `{}`",
        case.file.display(),
        d.code,
        d.key
    );
}

/// Per validator: changes judged, agreeing, explained by each class, unexplained.
#[derive(Default)]
struct Tally {
    changes: usize,
    agree: usize,
    classes: BTreeMap<Class, usize>,
    unexplained: Vec<String>,
}

/// What cleaning removes from each chart's own defaults before they serve
/// as bases: the `externalServices` entries whose every field is null (the
/// chart tests `.host` and leaves them off; the validators count them as
/// configured and reject the defaults at the root), the `agent` section of
/// 1.x defaults ([`Class::AgentSectionOnPlatform`]), and the keys the
/// chart reads that Polyaxon's schema lacks ([`Class::ChartReadsValidatorLacks`]).
const CLEANED_DEFAULTS: &[(&str, &str, &[&str])] = &[
    // The newest charts are not public: judged on 2.15.1's defaults (less what 2.16 and 2.17 removed).
    (
        "2.18.0",
        "agent:2.15.1",
        &[
            "gateway.routes",
            "agent.isReplica",
            "agent.executorRefreshInterval",
            "operator.maxConcurrentReconciles",
            "operator.leaderElection",
            "operator.skipStatus",
            "externalServices.streams",
            "api",
            "defaultArtifactsStore",
        ],
    ),
    (
        "2.18.0",
        "values/defaults/values-2.15.1.yaml",
        &[
            "externalServices.postgresql",
            "externalServices.redis",
            "externalServices.rabbitmq",
            "externalServices.gateway",
            "externalServices.api",
            "externalServices.streams",
            "externalServices.metrics",
            "externalServices.analytics",
            "externalServices.transactions",
            "externalServices.errors",
            "gateway.useResolver",
            "gateway.routes",
            "operator.skipStatus",
            "operator.leaderElection",
            "operator.maxConcurrentReconciles",
            "flower.service",
            "postgresql.image",
            "rabbitmq",
            "defaultArtifactsStore",
            "cronIntervals",
        ],
    ),
    (
        "2.15.1",
        "agent:2.15.1",
        &[
            "gateway.routes",
            "agent.executorRefreshInterval",
            "operator.maxConcurrentReconciles",
            "operator.leaderElection",
            "operator.skipStatus",
            "externalServices.streams",
            "api",
            "defaultArtifactsStore",
        ],
    ),
    (
        "2.15.1",
        "values/defaults/values-2.15.1.yaml",
        &[
            "externalServices.postgresql",
            "externalServices.redis",
            "externalServices.rabbitmq",
            "externalServices.gateway",
            "externalServices.api",
            "externalServices.streams",
            "externalServices.metrics",
            "externalServices.analytics",
            "externalServices.transactions",
            "externalServices.errors",
            "gateway.useResolver",
            "gateway.routes",
            "operator.skipStatus",
            "operator.leaderElection",
            "operator.maxConcurrentReconciles",
            "flower.service",
            "postgresql.image",
            "defaultArtifactsStore",
            "cronIntervals",
        ],
    ),
    ("1.20.0", "agent:1.20.0", &["defaultArtifactsStore"]),
    (
        "1.20.0",
        "values/defaults/values-1.20.0.yaml",
        &[
            "externalServices.redis",
            "externalServices.rabbitmq",
            "externalServices.gateway",
            "externalServices.api",
            "externalServices.metrics",
            "externalServices.analytics",
            "externalServices.transactions",
            "externalServices.errors",
            "defaultArtifactsStore",
            "agent",
        ],
    ),
    (
        "1.14.3",
        "values/defaults/values-1.14.3.yaml",
        &[
            "externalServices.redis",
            "externalServices.rabbitmq",
            "externalServices.gateway",
            "externalServices.api",
            "externalServices.metrics",
            "externalServices.analytics",
            "externalServices.transactions",
            "externalServices.errors",
            "defaultArtifactsStore",
            "agent",
        ],
    ),
    (
        "0.6.1",
        "values/defaults/values-0.6.1.yaml",
        &["externalServices.redis", "externalServices.rabbitmq", "defaultPersistence", "includeChartRevision", "k8s", "roles", "types"],
    ),
];

/// What each documented class accounts for, over all validators (pinned:
/// a change here means the linter or the generator moved; review it).
const EXPECTED_CLASSES: &[(Class, usize)] = &[
    (Class::ChartReadsValidatorLacks, 7),
    (Class::PostRendererKey, 7),
    (Class::HelmReadsStringAsTrue, 5),
    (Class::ChartTypedSchemaUntyped, 33),
    (Class::AgentSectionOnPlatform, 1),
    (Class::ChartDefaultBroker, 10),
    (Class::ExternalServiceWithoutHost, 1),
    (Class::KubernetesObjectUnchecked, 22),
    (Class::FirstWholeFileRuleOnly, 6),
];

#[test]
fn linter_agrees_with_polyaxons_validators() {
    let scratch = scratch("agreement");
    let mut cases = generate(&scratch.join("cases"));
    assert!(cases.len() > 1500, "{} cases", cases.len());
    for validator in VALIDATORS {
        validate(&mut cases, validator, &scratch);
    }
    for case in &mut cases {
        // The platform chart's version: the linter picks the agent chart's by the document.
        let target = Catalog::get().resolve(&case.target).unwrap();
        case.diagnostics = lint_text(&case.text, target).unwrap_or_else(|e| panic!("{}: {e:?}", case.file.display()));
    }
    let by_id: BTreeMap<(&str, &str), &Case> = cases.iter().map(|c| ((c.validator.as_str(), c.id.as_str()), c)).collect();
    let cleaned: Vec<(&str, &str, Vec<&str>)> = cases
        .iter()
        .filter(|c| c.kind == "base" && (c.source.starts_with("values/defaults/") || c.source.starts_with("agent:")))
        .map(|c| (c.validator.as_str(), c.source.as_str(), c.paths.iter().map(String::as_str).collect()))
        .collect();
    let pinned: Vec<(&str, &str, Vec<&str>)> = CLEANED_DEFAULTS.iter().map(|(v, s, p)| (*v, *s, p.to_vec())).collect();
    assert_eq!(cleaned, pinned, "what the validators reject in the charts' own defaults changed");

    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    let (mut spans, mut accepted_files) = (0, 0);
    for case in &cases {
        for d in &case.diagnostics {
            assert_span_at_key(case, d);
            spans += 1;
        }
        let lint_errors: Vec<&Diagnostic> = case.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        // Files Polyaxon accepts: no lint error, but where a class explains it.
        if case.rejected.is_empty() {
            accepted_files += 1;
            for d in &lint_errors {
                assert!(
                    lint_class(case, d).is_some(),
                    "{}: Polyaxon accepts it, the linter says {} {} ({})",
                    case.file.display(),
                    d.code,
                    d.key,
                    d.message
                );
            }
        }
        let base = by_id[&(case.validator.as_str(), case.base.as_str())];
        let is_base = case.kind == "base";
        let (lint_case, lint_base) = (case.lint_errors(), base.lint_errors());
        if case.neutral {
            assert_eq!(case.rejected, base.rejected, "{} ({}): the validator's verdict changed", case.file.display(), case.kind);
            assert_eq!(lint_case, lint_base, "{} ({}): the linter's verdict changed", case.file.display(), case.kind);
            continue;
        }
        // A change's verdict is what it adds to its base's; a base's is its own.
        let validator_new: Vec<&(String, String)> = case.rejected.iter().filter(|e| is_base || !base.rejected.contains(*e)).collect();
        let lint_new: Vec<&Diagnostic> =
            lint_errors.iter().copied().filter(|d| is_base || !lint_base.iter().any(|b| lint_case_key(d) == *b)).collect();
        let t = tally.entry(&case.validator).or_default();
        t.changes += 1;
        if validator_new.is_empty() == lint_new.is_empty() {
            t.agree += 1;
            continue;
        }
        match classify(case, base, &validator_new, &lint_new) {
            Some(class) => *t.classes.entry(class).or_default() += 1,
            None => t.unexplained.push(format!(
                "{} ({} {:?}): validator {:?}, linter {:?}",
                case.file.display(),
                case.kind,
                case.paths,
                validator_new,
                lint_new.iter().map(|d| (d.code.as_str(), &d.key, &d.message)).collect::<Vec<_>>()
            )),
        }
    }

    let mut summary = String::from(
        "| validator | changes | agree | documented | unexplained | raw agreement | agreement |\n|---|---|---|---|---|---|---|\n",
    );
    let mut classes: BTreeMap<Class, usize> = BTreeMap::new();
    for (validator, t) in &tally {
        let documented: usize = t.classes.values().sum();
        let pct = 100.0 * (t.agree + documented) as f64 / t.changes as f64;
        let raw = 100.0 * t.agree as f64 / t.changes as f64;
        summary.push_str(&format!(
            "| {validator} | {} | {} | {documented} | {} | {raw:.1}% | {pct:.1}% |\n",
            t.changes,
            t.agree,
            t.unexplained.len()
        ));
        for (class, n) in &t.classes {
            *classes.entry(*class).or_default() += n;
        }
        let floor = if validator.starts_with("2.") { 97.0 } else { 95.0 };
        assert!(pct >= floor, "{validator}: {pct:.1}% < {floor}%:\n{}", t.unexplained.join("\n"));
        assert!(t.unexplained.is_empty(), "{validator}: disagreements no documented class explains:\n{}", t.unexplained.join("\n"));
    }
    let schema_judged = schema_agrees(&cases, &scratch);
    summary.push_str(&format!(
        "\n{} diagnostics, every span at its key; {accepted_files} files Polyaxon accepts; the values JSON Schema agrees with the linter on {schema_judged} files\n",
        spans
    ));
    for (class, n) in &classes {
        summary.push_str(&format!("{class:?}: {n}\n"));
    }
    eprintln!("{summary}");
    if let Some(path) = std::env::var_os("AGREEMENT_SUMMARY") {
        std::fs::write(path, &summary).unwrap();
    }
    assert_eq!(classes.into_iter().collect::<Vec<_>>(), EXPECTED_CLASSES, "the documented disagreements changed");
}

/// `polyaxon-pr schema` under check-jsonschema on every case: it rejects a
/// file exactly when the linter reports an error a schema can express (key
/// and type rules). Files with duplicate keys are left out (ruamel.yaml
/// refuses them; Helm keeps the last). Returns how many were judged.
fn schema_agrees(cases: &[Case], scratch: &Path) -> usize {
    let mut groups: BTreeMap<(String, bool), Vec<&Case>> = BTreeMap::new();
    for case in cases.iter().filter(|c| !c.diagnostics.iter().any(|d| d.code == "K006")) {
        groups.entry((case.target.clone(), catalog_of(case).chart == ChartName::Agent)).or_default().push(case);
    }
    let mut mismatches = Vec::new();
    let mut judged = 0;
    for ((version, agent), group) in groups {
        let schema = scratch.join(format!("schema-{version}-{agent}.json"));
        let mut cmd = Command::new(polyaxon_pr());
        cmd.args(["schema", "--chart-version", &version]);
        if agent {
            cmd.arg("--agent");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        std::fs::write(&schema, &out.stdout).unwrap();
        let out = Command::new(venv_tool("check-jsonschema"))
            .arg("--schemafile")
            .arg(&schema)
            .args(["-o", "json"])
            .args(group.iter().map(|c| &c.file))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let failed: BTreeSet<&str> = ["errors", "parse_errors"]
            .iter()
            .flat_map(|k| report[k].as_array().into_iter().flatten())
            .map(|e| e["filename"].as_str().unwrap())
            .collect();
        for case in group {
            judged += 1;
            let lint: Vec<(&str, &str)> = case
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error && ((d.code.family() == 'K') || (d.code.family() == 'T')))
                .map(|d| (d.code.as_str(), d.key.as_str()))
                .collect();
            if lint.is_empty() == failed.contains(case.file.to_str().unwrap()) {
                mismatches.push(format!("{} ({}): linter {lint:?}", case.file.display(), case.kind));
            }
        }
    }
    assert!(mismatches.is_empty(), "the schema and the linter disagree on {}:\n{}", mismatches.len(), mismatches.join("\n"));
    judged
}

fn lint_case_key(d: &Diagnostic) -> (&str, &'static str, &str) {
    let finding = if d.code.family() == 'X' { d.message.split(" (`").next().unwrap_or_default() } else { "" };
    (d.key.as_str(), d.code.as_str(), finding)
}
