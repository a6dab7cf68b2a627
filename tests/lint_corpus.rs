//! The linter against the corpus: the catalog is what the generator makes
//! of it, every chart version's own defaults lint clean against that
//! version, and the 0.4.4 defaults against 2.15.1 give the findings the
//! migration notes predict.

mod common;

use std::process::Command;

use common::*;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::lint::lint_text;

#[test]
fn catalog_is_what_the_generator_makes_of_the_corpus() {
    let out = Command::new(venv_python("tools"))
        .arg(repo().join("scripts/gen-catalog.py"))
        .arg("--check")
        .env("POLYAXON_CORPUS", corpus())
        .env("POLYAXON_SEEDS", seeds())
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_versions_defaults_lint_clean_against_that_version() {
    let catalog = Catalog::get();
    let mut checked = 0;
    let mut findings = Vec::new();
    // The newest versions' charts are not public (known by inference): no defaults to lint.
    for (index, version) in catalog.versions.iter().enumerate().filter(|(i, _)| catalog.inferred(*i).is_none()) {
        let path = corpus().join(format!("values/defaults/values-{version}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        for d in lint_text(&text, index).unwrap() {
            findings.push(format!("{version}:{}:{} {} {}", d.span.line, d.span.col, d.code, d.key));
        }
        checked += 1;
    }
    assert_eq!(checked, 260);
    // Charts 0.0.1 and 0.0.2 really do define postgresql.persistence twice; Helm drops the first.
    assert_eq!(findings, ["0.0.1:28:3 K006 postgresql.persistence", "0.0.2:207:3 K006 postgresql.persistence"]);
}

#[test]
fn defaults_of_0_4_4_against_2_15_1() {
    let text = std::fs::read_to_string(corpus().join("values/defaults/values-0.4.4.yaml")).unwrap();
    let d = lint_text(&text, Catalog::get().resolve("2.15.1").unwrap()).unwrap();
    let at = |line: usize| d.iter().find(|d| d.span.line == line).unwrap_or_else(|| panic!("nothing on line {line}"));
    let spot = [
        (34, "K001", "serviceType", None),
        (68, "K003", "persistence", None),
        (166, "K003", "auth.github", None),
        (196, "K003", "tolerations.experiments", None),
        (221, "K003", "api", None),
        (241, "K003", "streams", None),
        (430, "K002", "postgresql.externalPostgresHost", Some("externalServices.postgresql.host")),
        (491, "K001", "docker-registry", None),
        (549, "K003", "integrations", None),
    ];
    for (line, code, key, replacement) in spot {
        let found = at(line);
        assert_eq!((found.code.as_str(), found.key.as_str(), found.replacement.as_deref()), (code, key, replacement), "line {line}");
    }
    assert!(at(221).message.contains("gateway") && at(549).message.contains("web UI"));
    // Key findings, 0.4's `redis.image: redis` where 2.15.1's bitnami subchart takes a mapping,
    // and the 0.4.4 images pinned in sections 2.15.1 still has.
    let others: Vec<(&str, &str)> = d.iter().filter(|d| d.code.family() != 'K').map(|d| (d.code.as_str(), d.key.as_str())).collect();
    assert_eq!(
        others,
        [
            ("V002", "scheduler.imageTag"),
            ("V002", "beat.imageTag"),
            ("V002", "sidecar.imageTag"),
            ("V002", "init.imageTag"),
            ("T001", "redis.image")
        ]
    );
    assert!(d.len() > 45, "{} findings", d.len());
}

#[test]
fn all_default_files_in_one_call() {
    let dir = corpus().join("values/defaults");
    let out = Command::new(polyaxon_pr()).args(["lint", "--no-config", "--format", "json"]).arg(&dir).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: std::collections::BTreeSet<&str> =
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["file"].as_str().unwrap()).collect();
    // Old versions' defaults against the newest chart: most files have findings.
    assert!(files.len() > 150, "{}", files.len());
    assert_eq!(out.status.code(), Some(1));
}
