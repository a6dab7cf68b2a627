//! The linter on small fixtures (testdata/lint), and its agreement with
//! Polyaxon's own validator on every values file of the corpus and every
//! fixture for the newest chart.
//!
//! Fixtures say what they expect inline: `# expect: K005@3` on a line means
//! the linter reports K005 at that line, column 3; the first line names the
//! target (`# chart-version: 2.15.1`). Lines without a mark must be clean.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use common::*;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::lint::rules::Severity;
use polyaxon_helm::lint::{lint_text, Diagnostic};

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("testdata/lint")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10);
    files
}

fn target_of(text: &str) -> usize {
    let version = text.lines().next().and_then(|l| l.strip_prefix("# chart-version: ")).expect("first line names the chart version");
    Catalog::get().resolve(version.trim()).unwrap()
}

/// `(line, "CODE@col")` for every `# expect:` mark.
fn expected(text: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(marks) = line.split("# expect: ").nth(1) {
            for mark in marks.split(',') {
                out.insert((i + 1, mark.trim().to_string()));
            }
        }
    }
    out
}

fn found(diagnostics: &[Diagnostic]) -> BTreeSet<(usize, String)> {
    diagnostics.iter().map(|d| (d.span.line, format!("{}@{}", d.code, d.span.col))).collect()
}

#[test]
fn fixtures_report_exactly_what_they_expect() {
    let mut total = 0;
    for file in fixtures() {
        let text = std::fs::read_to_string(&file).unwrap();
        let diagnostics = lint_text(&text, target_of(&text)).unwrap();
        let (want, got) = (expected(&text), found(&diagnostics));
        assert_eq!(got, want, "{}", file.display());
        total += want.len();
    }
    assert!(total >= 30, "only {total} expectations");
}

/// Polyaxon's verdict on each file: accepted, and the dotted keys of its errors.
struct Verdict {
    path: String,
    accepted: bool,
    errors: Vec<(String, String)>,
}

fn polyaxon_validate(files: &[PathBuf]) -> Vec<Verdict> {
    let out = Command::new(venv_python("polyaxon-2.15.1"))
        .arg(repo().join("scripts/polyaxon-validate.py"))
        .args(files)
        .output()
        .expect("the polyaxon-2.15.1 venv's python");
    assert!(out.status.success(), "polyaxon-validate.py: {} (run scripts/setup.sh)", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let errors = v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e["loc"].as_str().unwrap().to_string(), e["type"].as_str().unwrap().to_string()))
                .collect();
            Verdict { path: v["path"].as_str().unwrap().to_string(), accepted: v["accepted"].as_bool().unwrap(), errors }
        })
        .collect()
}

/// Keys the 2.15.1 chart's own defaults set that Polyaxon's schema does not
/// know: Helm reads them, `polyaxon admin deploy` would refuse them. The
/// linter follows the chart here, so the validator's rejections of exactly
/// these keys are expected to go unreported.
const CHART_KEYS_THE_VALIDATOR_LACKS: &[&str] = &[
    "cronIntervals",
    "defaultArtifactsStore",
    "externalServices.streams",
    "flower.service",
    "gateway.routes",
    "gateway.useResolver",
    "operator.leaderElection",
    "operator.maxConcurrentReconciles",
    "operator.skipStatus",
    "postgresql.image",
];

fn under(key: &str, section: &str) -> bool {
    key == section || key.starts_with(&format!("{section}."))
}

#[test]
fn agrees_with_polyaxons_own_validator() {
    let corpus = corpus();
    let mut files = Vec::new();
    for dir in ["values/ci", "values/defaults", "postrenderer/captures"] {
        for e in std::fs::read_dir(corpus.join(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if (name.ends_with(".yml") || name.ends_with(".yaml")) && (dir != "postrenderer/captures" || name.ends_with(".values.yaml")) {
                files.push(p);
            }
        }
    }
    for e in std::fs::read_dir(corpus.join("rendered")).unwrap() {
        for f in std::fs::read_dir(e.unwrap().path()).into_iter().flatten() {
            let p = f.unwrap().path();
            if p.to_string_lossy().ends_with(".values.yaml") {
                files.push(p);
            }
        }
    }
    let newest = Catalog::get().newest();
    files.extend(fixtures().into_iter().filter(|f| target_of(&std::fs::read_to_string(f).unwrap()) == newest));
    files.sort();
    assert!(files.len() > 330, "{} files", files.len());

    let verdicts = polyaxon_validate(&files);
    assert_eq!(verdicts.len(), files.len());
    // The chart's own newest defaults are rejected for exactly the known keys.
    let own = verdicts.iter().find(|v| v.path.ends_with("values-2.15.1.yaml")).unwrap();
    let rejected: BTreeSet<&str> = own.errors.iter().map(|(loc, _)| loc.as_str()).collect();
    assert_eq!(rejected, CHART_KEYS_THE_VALIDATOR_LACKS.iter().copied().collect(), "the chart/validator divergence changed");

    let (mut rejected_files, mut fully_matched) = (0, 0);
    for v in &verdicts {
        let text = std::fs::read_to_string(&v.path).unwrap();
        let diagnostics = lint_text(&text, newest).unwrap();
        let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        if v.accepted {
            // Divergences by design: duplicate keys (PyYAML, like Helm, keeps the last
            // silently) and renamed subchart keys (the validator does not model subcharts).
            for d in &errors {
                let subchart = ["postgresql.", "redis.", "rabbitmq."].iter().any(|s| d.key.starts_with(s));
                assert!(
                    d.code == "K006" || (d.code == "K002" && subchart),
                    "{}: accepted by Polyaxon, but {} at {}:{} ({})",
                    v.path,
                    d.code,
                    d.span.line,
                    d.span.col,
                    d.message
                );
            }
            continue;
        }
        // An empty file: Polyaxon cannot read it, Helm takes it as no values.
        if v.errors.iter().all(|(_, kind)| kind == "SchemaError") {
            assert!(
                errors.is_empty() && text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "{}"),
                "{}",
                v.path
            );
            continue;
        }
        let relevant: Vec<&(String, String)> =
            v.errors.iter().filter(|(loc, _)| !CHART_KEYS_THE_VALIDATOR_LACKS.iter().any(|k| under(loc, k))).collect();
        if relevant.is_empty() {
            assert!(
                errors.is_empty(),
                "{}: only chart keys the validator lacks, yet {:?}",
                v.path,
                errors.iter().map(|d| &d.key).collect::<Vec<_>>()
            );
            continue;
        }
        rejected_files += 1;
        let matches = |loc: &str| {
            if loc.is_empty() {
                errors.iter().any(|d| d.code.starts_with('X'))
            } else {
                errors.iter().any(|d| under(loc, &d.key) || under(&d.key, loc))
            }
        };
        assert!(
            relevant.iter().any(|(loc, _)| matches(loc)),
            "{}: Polyaxon rejects it at {:?}, the linter reports no error there ({:?})",
            v.path,
            relevant.iter().map(|(l, _)| l).collect::<Vec<_>>(),
            errors.iter().map(|d| (&d.key, d.code)).collect::<Vec<_>>()
        );
        if relevant.iter().all(|(loc, _)| matches(loc)) {
            fully_matched += 1;
        }
    }
    eprintln!("agreement: {} files; {rejected_files} rejected by Polyaxon, every one with a linter error at an offending key; {fully_matched} with every offending key reported", verdicts.len());
    assert!(rejected_files > 250);
}
