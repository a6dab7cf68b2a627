//! The linter on small fixtures (testdata/lint). Its agreement with
//! Polyaxon's own validators is tests/agreement.rs.
//!
//! Fixtures say what they expect inline: `# expect: K005@3` on a line means
//! the linter reports K005 at that line, column 3; the first line names the
//! target (`# chart-version: 2.15.1`). Lines without a mark must be clean.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::*;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::lint::rules::FixAvailability;
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
        // What `explain` says of a rule's fix holds for what the diagnostics carry.
        for d in &diagnostics {
            let availability = d.code.rule().fix;
            assert!(
                d.fix.is_none() || availability != FixAvailability::Never,
                "{}: {} carries a fix but its rule says it never has one",
                file.display(),
                d.code
            );
            assert!(d.fix.is_some() || availability != FixAvailability::Always, "{}: {} {} has no fix", file.display(), d.code, d.key);
        }
    }
    assert!(total >= 30, "only {total} expectations");
}

/// The chart hands `artifactsStore` to Polyaxon whole (its templates read
/// the section itself): on every chart version that has it, no field
/// Polyaxon declares for any store kind is "ignored by the chart" (K008).
#[test]
fn the_artifacts_store_is_judged_by_polyaxon_on_every_version() {
    let catalog = Catalog::get();
    let stores = [
        ("gcs", "    bucket: gs://b\n"),
        ("s3", "    bucket: s3://b\n"),
        ("wasb", "    bucket: wasbs://c@a.blob.core.windows.net/\n"),
        ("volume_claim", "    volumeClaim: pvc\n    mountPath: /plx\n    readOnly: false\n"),
        ("host_path", "    hostPath: /tmp/plx\n    mountPath: /plx\n"),
    ];
    let mut versions = 0;
    for target in (0..catalog.versions.len()).filter(|&v| catalog.at("artifactsStore", v).is_some()) {
        versions += 1;
        for (kind, schema) in stores {
            let text = format!("artifactsStore:\n  name: store\n  kind: {kind}\n  schema:\n{schema}  secret:\n    name: s\n");
            let found: Vec<_> = lint_text(&text, target).unwrap().into_iter().filter(|d| d.code == "K008").map(|d| d.key).collect();
            assert!(found.is_empty(), "chart {} ({kind}): K008 on {found:?}", catalog.version(target));
        }
    }
    assert!(versions > 200, "{versions}");
}
