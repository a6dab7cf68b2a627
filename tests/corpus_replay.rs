//! Replays every render in the corpus (and Helm's captured post-renderer
//! stdin) through polyaxon-pr with its variant's values plus
//! `securityContext.enabled=true`, and checks the stream guarantees.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use polyaxon_helm::stream;
use similar::{ChangeTag, TextDiff};

/// Every (manifest, values) pair: the renders and the post-renderer stdin captures.
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let corpus = corpus();
    let mut cases = Vec::new();
    for dir in std::fs::read_dir(corpus.join("rendered")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if let Some(variant) = name.strip_suffix(".yaml").filter(|n| !n.ends_with(".values")) {
                cases.push((f.clone(), dir.join(format!("{variant}.values.yaml"))));
            }
        }
    }
    for f in std::fs::read_dir(corpus.join("postrenderer/captures")).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(prefix) = name.strip_suffix(".postrenderer-stdin.yaml") {
            let variant = prefix.split(".helm").next().unwrap();
            cases.push((f.clone(), f.with_file_name(format!("{variant}.values.yaml"))));
        }
    }
    cases.sort();
    assert!(cases.len() >= 27, "expected the whole corpus, found {} cases", cases.len());
    cases
}

fn label(path: &Path) -> String {
    let parent = path.parent().unwrap().file_name().unwrap().to_string_lossy();
    format!("{parent}/{}", path.file_name().unwrap().to_string_lossy())
}

#[test]
fn security_contexts_on_every_render_keep_the_stream_intact() {
    let scratch = tempdir();
    let (mut total_pods, mut validated) = (0, 0);
    for (manifest, values) in cases() {
        let label = label(&manifest);
        let input = std::fs::read_to_string(&manifest).unwrap();
        let values = values.to_string_lossy().into_owned();
        let args = ["--values", values.as_str(), "--set", "securityContext.enabled=true"];
        let (output, _) = post_render(&input, &args);

        let before = stream::split(&input);
        let after = stream::split(&output);
        assert_eq!(before.len(), after.len(), "{label}: document count changed");
        let (mut changed_in, mut changed_out) = (Vec::new(), Vec::new());
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            assert_eq!(b.separator, a.separator, "{label}: separator of document {} changed", i + 1);
            let is_workload = b.kind().is_some_and(polyaxon_helm::workload::is_workload);
            if !is_workload || b.is_blank() {
                assert_eq!(b.body, a.body, "{label}: document {} ({:?}) is not a workload but changed", i + 1, b.kind());
            } else if b.body != a.body {
                assert_only_additions(b.body, a.body, &format!("{label} document {}", i + 1));
                assert_eq!(b.source(), a.source(), "{label}: document {} lost its source", i + 1);
                changed_in.push(b.body);
                changed_out.push(a.body);
            }
        }
        total_pods += assert_security_contexts(&parsed(&output), &label);

        let (again, _) = post_render(&output, &args);
        assert!(again == output, "{label}: a second run changed the output");

        if !changed_in.is_empty() {
            let valid_in = k8s_valid(&changed_in, &scratch, "in");
            let valid_out = k8s_valid(&changed_out, &scratch, "out");
            let lost: Vec<_> = valid_in.difference(&valid_out).collect();
            assert!(lost.is_empty(), "{label}: no longer valid Kubernetes after post-rendering: {lost:?}");
            // Charts before 1.x use API versions (extensions/v1beta1) that have no schema any more.
            validated += valid_out.len();
        }
    }
    eprintln!("replay: {total_pods} pod specs checked, {validated} changed resources valid before and after");
    assert!(total_pods > 150, "checked only {total_pods} pod specs");
    assert!(validated > 80, "kubernetes-validate passed only {validated} changed resources");
}

/// The only change allowed to an existing line: giving an empty or `{…}`
/// securityContext its fields.
fn assert_only_additions(before: &str, after: &str, label: &str) {
    for change in TextDiff::from_lines(before, after).iter_all_changes() {
        if change.tag() == ChangeTag::Delete {
            let line = change.value().trim();
            assert!(
                line.starts_with("securityContext:") && !line.contains(": ") || line.starts_with("securityContext: {") || line == "securityContext: ~",
                "{label}: existing line changed: {line:?}"
            );
        }
    }
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polyaxon-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
