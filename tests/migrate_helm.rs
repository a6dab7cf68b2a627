//! The Helm-merge oracle for `migrate`: a migrated file must mean to Helm
//! what the original meant, but where its fixes say. For every corpus
//! values file and every migrate target newer than the file, a chart whose
//! template is `{{ toJson .Values }}` and whose values.yaml is that
//! target's real defaults is rendered with the original file and with the
//! migrated one, by the real Helm 3 and Helm 4. Only keys the applied fixes
//! name may differ, and every renamed or moved key must carry the value
//! Helm read under its old name.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::*;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::knowledge::parse_version;
use polyaxon_helm::lint::fix::KeyEdit;
use polyaxon_helm::migrate::{migrate, Migration};
use polyaxon_helm::yaml;
use serde_json::Value;

/// The newest chart of each line migrate is mostly asked for.
const TARGETS: &[&str] = &["1.14.3", "1.22.0", "2.15.1"];

/// The chart version a corpus file was written for (`values-0.5.6.yaml`, `name@0.4.2-commit.yml`).
fn written_for(file: &Path) -> Option<(u64, u64, u64)> {
    let name = file.file_name()?.to_str()?;
    let version = match name.strip_prefix("values-") {
        Some(rest) => rest.strip_suffix(".yaml")?,
        None => name.split_once('@')?.1.split('-').next()?,
    };
    parse_version(version)
}

/// A probe chart for `target`: `toJson .Values` over the target's real defaults.
fn probe_chart(target: &str, scratch: &Path) -> PathBuf {
    let dir = scratch.join(format!("chart-{target}"));
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    let probe = repo().join("testdata/values-probe/chart");
    std::fs::copy(probe.join("Chart.yaml"), dir.join("Chart.yaml")).unwrap();
    std::fs::copy(probe.join("templates/values.yaml"), dir.join("templates/values.yaml")).unwrap();
    std::fs::copy(corpus().join(format!("values/defaults/values-{target}.yaml")), dir.join("values.yaml")).unwrap();
    dir
}

/// The values Helm's templates see with `file` over `chart`'s defaults.
fn helm_values(helm: &Path, chart: &Path, file: &Path) -> Result<Value, String> {
    let out = Command::new(helm).args(["template", "probe"]).arg(chart).arg("-f").arg(file).output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let rendered = String::from_utf8(out.stdout).unwrap();
    let doc = yaml::parse_all(&rendered).unwrap().into_iter().find(|d| d.get("data").is_some()).unwrap();
    Ok(serde_json::from_str(doc.path(&["data", "values.json"]).and_then(|n| n.text()).unwrap()).unwrap())
}

/// The paths where two values differ: leaves, or where one side has none.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let child = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differences(p, q, &child, out),
                    _ => out.push(child),
                }
            }
        }
        _ if a != b => out.push(path.to_string()),
        _ => {}
    }
}

fn at<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(json, |v, seg| v.get(seg))
}

/// Whether the new place holds all Helm read at the old one (merged with
/// the target's defaults there, which may add keys; null is unset).
fn carries(old: Option<&Value>, new: Option<&Value>) -> bool {
    match (old, new) {
        (None | Some(Value::Null), None | Some(Value::Null)) => true,
        (Some(Value::Object(o)), Some(Value::Object(n))) => o.iter().all(|(k, v)| carries(Some(v), n.get(k))),
        (Some(o), Some(n)) => o == n,
        _ => false,
    }
}

fn within(path: &str, key: &str) -> bool {
    path == key || path.strip_prefix(key).is_some_and(|rest| rest.starts_with('.'))
}

struct Job {
    file: PathBuf,
    target: &'static str,
    chart: PathBuf,
    migrated: PathBuf,
    migration: Migration,
}

#[test]
fn migrated_files_mean_to_helm_what_the_originals_meant() {
    let scratch = scratch("migrate-helm-oracle");
    let catalog = Catalog::get();
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["values/ci", "values/defaults"] {
        for e in std::fs::read_dir(corpus().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yml" || x == "yaml") && written_for(&p).is_some() {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut jobs = Vec::new();
    let (mut considered, mut unchanged) = (0, 0);
    for target in TARGETS {
        let chart = probe_chart(target, &scratch);
        let target_version = parse_version(target).unwrap();
        for file in files.iter().filter(|f| written_for(f).is_some_and(|v| v < target_version)) {
            considered += 1;
            let text = std::fs::read_to_string(file).unwrap();
            let migration = migrate(&file.display().to_string(), &text, catalog.resolve(target).unwrap(), false, &|_| false)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            if migration.text == text {
                unchanged += 1;
                continue;
            }
            let migrated = scratch.join(format!("{target}-{}", file.file_name().unwrap().to_string_lossy()));
            std::fs::write(&migrated, &migration.text).unwrap();
            jobs.push(Job { file: file.clone(), target, chart: chart.clone(), migrated, migration });
        }
    }
    let helms = [helm(3), helm(4)];
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::<String>::new());
    let (checked, moves) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                for helm in &helms {
                    let label = format!("{} -> {} ({})", job.file.display(), job.target, helm.display());
                    let (before, after) = match (helm_values(helm, &job.chart, &job.file), helm_values(helm, &job.chart, &job.migrated)) {
                        (Ok(b), Ok(a)) => (b, a),
                        (Err(e), _) => {
                            // Helm refuses the original too: nothing to compare (said below).
                            failures.lock().unwrap().push(format!("{label}: Helm refuses the original: {e}"));
                            continue;
                        }
                        (Ok(_), Err(e)) => {
                            failures.lock().unwrap().push(format!("{label}: Helm refuses the migrated file: {e}"));
                            continue;
                        }
                    };
                    let applied: Vec<_> = job.migration.fixes.iter().filter(|f| f.applied).collect();
                    let mut differ = Vec::new();
                    differences(&before, &after, "", &mut differ);
                    for path in &differ {
                        if !applied.iter().any(|f| f.touches.iter().any(|k| within(path, k))) {
                            failures.lock().unwrap().push(format!(
                                "{label}: `{path}` differs ({} -> {}) and no fix names it",
                                at(&before, path).map_or("unset".into(), Value::to_string),
                                at(&after, path).map_or("unset".into(), Value::to_string)
                            ));
                        }
                    }
                    for f in &applied {
                        let Some(KeyEdit::Move { key: old, to: new }) = &f.edit else { continue };
                        moves.fetch_add(1, Ordering::Relaxed);
                        if !carries(at(&before, old), at(&after, new)) {
                            failures.lock().unwrap().push(format!(
                                "{label}: `{old}` -> `{new}` carries {:?}, Helm read {:?}",
                                at(&after, new),
                                at(&before, old)
                            ));
                        }
                    }
                    checked.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    eprintln!(
        "Helm-merge oracle: {} files x {} targets ({considered} pairs, {unchanged} unchanged by migrate), {} migrated pairs rendered by Helm 3 and 4: {} comparisons, {} renamed keys checked, {} differences no fix names",
        files.len(),
        TARGETS.len(),
        jobs.len(),
        checked.load(Ordering::Relaxed),
        moves.load(Ordering::Relaxed),
        failures.len()
    );
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    assert!(jobs.len() > 300, "{} pairs", jobs.len());
}
