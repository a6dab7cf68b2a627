//! Real values files that people outside the Polyaxon project wrote
//! (testdata/thirdparty, with their sources): the linter reports exactly
//! the findings reviewed as true at the chart version each was written
//! for, and `migrate` to the newest chart keeps their storage.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use common::*;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::lint::lint_text;
use polyaxon_helm::migrate::migrate;
use polyaxon_helm::yaml::{self, Node};

struct Entry {
    file: PathBuf,
    version: String,
    findings: BTreeSet<String>,
}

fn manifest() -> Vec<Entry> {
    let dir = repo().join("testdata/thirdparty");
    let text = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let entries: Vec<Entry> = text
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            Entry {
                file: dir.join(cells[0]),
                version: cells[1].to_string(),
                findings: cells[4].split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
            }
        })
        .collect();
    assert!(entries.len() >= 20 && entries.iter().all(|e| e.file.is_file()));
    entries
}

#[test]
fn no_false_findings_at_their_own_chart_versions() {
    let mut failures = Vec::new();
    for entry in manifest() {
        let text = std::fs::read_to_string(&entry.file).unwrap();
        let target = Catalog::get().resolve(&entry.version).unwrap();
        let found: BTreeSet<String> = lint_text(&text, target).unwrap().iter().map(|d| format!("{}@{}", d.code, d.span.line)).collect();
        if found != entry.findings {
            failures.push(format!("{} at chart {}: found {found:?}, reviewed {:?}", entry.file.display(), entry.version, entry.findings));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The claims, host paths and buckets of a 0.x section's data and outputs
/// volumes (logs, repos and upload have other homes from 1.0), by path.
fn storage(persistence: &Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for section in ["data", "outputs"] {
        let Some(volumes) = persistence.get(section) else { continue };
        // Before chart 0.2 a section is one volume; later, a map of named ones.
        let named: Vec<(String, &Node)> = if volumes.get("existingClaim").is_some() || volumes.get("mountPath").is_some() {
            vec![(format!("persistence.{section}"), volumes)]
        } else {
            volumes
                .entries()
                .unwrap_or_default()
                .iter()
                .filter_map(|(k, v)| Some((format!("persistence.{section}.{}", k.text()?), v)))
                .collect()
        };
        for (path, volume) in named {
            for key in ["existingClaim", "hostPath", "bucket"] {
                if let Some(s) = volume.get(key).and_then(Node::text).filter(|s| !s.is_empty()) {
                    out.push((path.clone(), s.to_string()));
                }
            }
        }
    }
    out
}

/// The storage the artifacts store and connections name.
fn connected(root: &Node, out: &mut BTreeSet<String>) {
    let store = root.get("artifactsStore").into_iter();
    let connections = root.get("connections").and_then(Node::items).unwrap_or_default().iter();
    for c in store.chain(connections) {
        for key in ["volumeClaim", "hostPath", "bucket"] {
            if let Some(s) = c.path(&["schema", key]).and_then(Node::text) {
                out.insert(s.to_string());
            }
        }
    }
}

#[test]
fn migrate_keeps_their_storage() {
    let scratch = scratch("thirdparty-migrate");
    let target = Catalog::get().resolve("2.15.1").unwrap();
    let (mut originals, mut migrated_files) = (Vec::new(), Vec::new());
    let (mut with_storage, mut carried_safely, mut carried_when_asked) = (0, 0, 0);
    for entry in manifest() {
        let text = std::fs::read_to_string(&entry.file).unwrap();
        let shown = entry.file.display().to_string();
        let root = yaml::parse_one(&text).unwrap().unwrap();
        let old = Catalog::get().resolve(&entry.version).unwrap() < Catalog::get().resolve("1.0.5").unwrap();
        let named = root.get("persistence").filter(|_| old).map(storage).unwrap_or_default();
        for unsafe_fixes in [false, true] {
            let m = migrate(&shown, &text, target, unsafe_fixes, &|_| false).unwrap_or_else(|e| panic!("{shown}: {e}"));
            let after = yaml::parse_one(&m.text).unwrap().unwrap();
            let mut kept = BTreeSet::new();
            connected(&after, &mut kept);
            let waiting = after.get("persistence").is_some() && m.pending().any(|f| f.key.starts_with("persistence"));
            let note: String = m.text.lines().filter(|l| l.contains("polyaxon-helm migrate: `persistence`")).collect();
            // Storage not carried is still active with a fix that says why, or named in the note.
            for (path, value) in named.iter().filter(|(_, v)| !kept.contains(v)) {
                assert!(
                    waiting || note.contains(&format!("`{path}")),
                    "{shown} (unsafe fixes: {unsafe_fixes}): `{path}` ({value}) lost without a word:\n{}",
                    m.text
                );
            }
            if !named.is_empty() && named.iter().all(|(_, v)| kept.contains(v)) {
                if unsafe_fixes {
                    carried_when_asked += 1;
                } else {
                    carried_safely += 1;
                }
            }
            if !unsafe_fixes {
                let out = scratch.join(entry.file.file_name().unwrap());
                std::fs::write(&out, &m.text).unwrap();
                originals.push(entry.file.clone());
                migrated_files.push(out);
            }
        }
        with_storage += usize::from(!named.is_empty());
    }
    // Polyaxon's own 2.15.1 validator: never more errors after than before.
    let (before, after) = (validate(&originals), validate(&migrated_files));
    for ((file, b), a) in originals.iter().zip(&before).zip(&after) {
        assert!(a <= b, "{}: {b} validator errors before, {a} after", file.display());
    }
    eprintln!(
        "third-party files: {} with 0.x storage; all of it carried by the safe fixes in {carried_safely}, with --unsafe-fixes in {carried_when_asked}; Polyaxon 2.15.1 validator errors {} -> {}",
        with_storage,
        before.iter().sum::<usize>(),
        after.iter().sum::<usize>()
    );
    assert!(
        with_storage >= 10 && carried_safely >= 10 && carried_when_asked == with_storage,
        "{with_storage} with storage, {carried_safely} carried safely, {carried_when_asked} with --unsafe-fixes"
    );
}

/// Polyaxon 2.15.1's validator errors per file.
fn validate(files: &[PathBuf]) -> Vec<usize> {
    let out = Command::new(venv_python("polyaxon-2.15.1"))
        .arg(repo().join("scripts/polyaxon-validate.py"))
        .arg("--fast-yaml")
        .args(files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["errors"].as_array().unwrap().len())
        .collect()
}
