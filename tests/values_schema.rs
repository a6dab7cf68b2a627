//! `polyaxon-pr schema` against a real JSON Schema validator
//! (check-jsonschema, in the tools venv): on the lint fixtures and the
//! corpus values files (defaults, CI files, render variants), each against
//! its own chart version and against the newest, the schema rejects a file
//! exactly when the linter reports an error a schema can express (key and
//! type rules; not duplicate keys, cross-field rules or version traps).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::lint::rules::Severity;
use polyaxon_helm::lint::{lint_text, Diagnostic};

/// The files a schema must agree with the linter on, by chart version.
fn cases() -> BTreeMap<String, Vec<PathBuf>> {
    let corpus = corpus();
    let newest = Catalog::get().version(Catalog::get().newest()).to_string();
    let mut by_version: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut add = |version: &str, file: PathBuf| by_version.entry(version.to_string()).or_default().push(file);
    for e in std::fs::read_dir(repo().join("testdata/lint")).unwrap() {
        let file = e.unwrap().path();
        let text = std::fs::read_to_string(&file).unwrap();
        let version = text.lines().next().and_then(|l| l.strip_prefix("# chart-version: ")).unwrap().trim().to_string();
        add(&version, file);
    }
    // Each version line's newest defaults against their own chart; all of them against the newest.
    let mut newest_of_line: BTreeMap<String, String> = BTreeMap::new();
    for e in std::fs::read_dir(corpus.join("values/defaults")).unwrap() {
        let file = e.unwrap().path();
        let Some(version) = file.file_name().unwrap().to_str().unwrap().strip_prefix("values-").and_then(|v| v.strip_suffix(".yaml"))
        else {
            continue;
        };
        if version.contains('+') || version.contains("rc") {
            continue;
        }
        let line = version.rsplit_once('.').unwrap().0.to_string();
        let index = |v: &str| Catalog::get().resolve(v).unwrap();
        if newest_of_line.get(&line).is_none_or(|v| index(v) < index(version)) {
            newest_of_line.insert(line, version.to_string());
        }
        add(&newest, file);
    }
    for version in newest_of_line.values() {
        add(version, corpus.join(format!("values/defaults/values-{version}.yaml")));
    }
    for e in std::fs::read_dir(corpus.join("values/ci")).unwrap() {
        let file = e.unwrap().path();
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        if let Some(version) = name.split_once('@').and_then(|(_, rest)| rest.split_once('-')).map(|(v, _)| v) {
            add(version, file.clone());
            add(&newest, file);
        }
    }
    for dir in ["v0.4.4", "v0.5.6", "v1.10.1", "v2.15.1"] {
        for e in std::fs::read_dir(corpus.join("rendered").join(dir)).unwrap() {
            let file = e.unwrap().path();
            if file.to_string_lossy().ends_with(".values.yaml") {
                add(&dir[1..], file);
            }
        }
    }
    by_version
}

/// What the linter says a schema can say too.
fn expressible(d: &Diagnostic) -> bool {
    d.severity == Severity::Error && matches!(d.code.family(), 'K' | 'T') && d.code != "K006"
}

/// The files check-jsonschema rejects.
fn rejected(schema: &Path, files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let out =
        Command::new(venv_tool("check-jsonschema")).arg("--schemafile").arg(schema).args(["-o", "json"]).args(files).output().unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("check-jsonschema: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut failed = BTreeSet::new();
    for key in ["errors", "parse_errors"] {
        for e in report[key].as_array().into_iter().flatten() {
            failed.insert(PathBuf::from(e["filename"].as_str().unwrap()));
        }
    }
    failed
}

#[test]
fn the_schema_rejects_what_the_linter_calls_an_error() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("values-schema");
    std::fs::create_dir_all(&scratch).unwrap();
    let (mut judged, mut rejected_files, mut mismatches) = (0, 0, Vec::new());
    for (version, files) in cases() {
        let schema = scratch.join(format!("{version}.json"));
        let out = Command::new(polyaxon_pr()).args(["schema", "--chart-version", &version]).output().unwrap();
        assert!(out.status.success(), "schema --chart-version {version}: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::write(&schema, &out.stdout).unwrap();
        // One document per file, no duplicate keys (ruamel.yaml refuses them, Helm keeps the last).
        let target = Catalog::get().resolve(&version).unwrap();
        let mut linted = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let diagnostics = lint_text(&text, target).unwrap();
            if text.contains("\n---") || diagnostics.iter().any(|d| d.code == "K006") {
                continue;
            }
            linted.push((file, diagnostics));
        }
        let files: Vec<PathBuf> = linted.iter().map(|(f, _)| f.clone()).collect();
        let failed = rejected(&schema, &files);
        for (file, diagnostics) in &linted {
            judged += 1;
            let lint_says = diagnostics.iter().any(expressible);
            rejected_files += usize::from(lint_says);
            if lint_says != failed.contains(file) {
                let errors: Vec<_> = diagnostics.iter().filter(|d| expressible(d)).map(|d| (d.code.as_str(), &d.key)).collect();
                mismatches.push(format!(
                    "{version} {}: schema {}, linter {errors:?}",
                    file.display(),
                    if failed.contains(file) { "rejects" } else { "accepts" }
                ));
            }
        }
    }
    eprintln!("{judged} file/version pairs, {rejected_files} with lint errors");
    assert!(judged > 300 && rejected_files > 200, "{judged} judged, {rejected_files} rejected");
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}
