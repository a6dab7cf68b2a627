//! Replays every render in the corpus (and Helm's captured post-renderer
//! stdin) through polyaxon-pr, once per transform and once with all four,
//! each time with the variant's own values plus values that turn the
//! transform on, and checks the stream guarantees and each transform's result.

mod common;

use std::path::PathBuf;

use common::*;
use polyaxon_helm::stream::{self, Document};
use polyaxon_helm::transform::settings::{data_section, env_entry};
use polyaxon_helm::workload;
use polyaxon_helm::yaml::Node;
use similar::{ChangeTag, TextDiff};

const SECURITY: &str = "securityContext:\n  enabled: true\n";
const GPU: &str = "dirs:\n  nvidia:\n    lib: /usr/lib/nvidia-384\n    bin: /usr/lib/nvidia-384/bin\n    libcuda: /usr/lib/x86_64-linux-gnu/libcuda.so.1\nmountPaths:\n  nvidia:\n    lib: /usr/local/nvidia/lib64\n    bin: /usr/local/nvidia/bin\n";
const DNS: &str = "dns:\n  backend: coredns\n  customCluster: corp.internal\n";
const EXTERNAL: &str = "postgresql:\n  enabled: false\nredis:\n  enabled: false\nrabbitmq:\n  enabled: false\nrabbitmq-ha:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: pg.example.internal\n    port: 5433\n    user: polyaxon\n    password: replay-pg-password\n    database: polyaxon\n  redis:\n    host: redis.example.internal\n    usePassword: true\n    password: replay-redis-password\n  rabbitmq:\n    host: rabbitmq.example.internal\n    user: polyaxon\n    password: replay-rabbit-password\n";
const PASSWORDS: [&str; 3] = ["replay-pg-password", "replay-redis-password", "replay-rabbit-password"];
const DROP: [&str; 6] = ["--drop-builtin", "postgresql", "--drop-builtin", "redis", "--drop-builtin", "rabbitmq"];
const SECRET: &str = "pax-polyaxon-external-services";

struct Case {
    label: String,
    input: String,
    values: String,
}

/// Every (manifest, values) pair: the renders and the post-renderer stdin captures.
fn cases() -> Vec<Case> {
    let corpus = corpus();
    let mut pairs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for dir in std::fs::read_dir(corpus.join("rendered")).unwrap() {
        let dir = dir.unwrap().path();
        for f in std::fs::read_dir(&dir).into_iter().flatten() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if let Some(variant) = name.strip_suffix(".yaml").filter(|n| !n.ends_with(".values")) {
                pairs.push((f.clone(), dir.join(format!("{variant}.values.yaml"))));
            }
        }
    }
    for f in std::fs::read_dir(corpus.join("postrenderer/captures")).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(prefix) = name.strip_suffix(".postrenderer-stdin.yaml") {
            let variant = prefix.split(".helm").next().unwrap();
            pairs.push((f.clone(), f.with_file_name(format!("{variant}.values.yaml"))));
        }
    }
    pairs.sort();
    assert!(pairs.len() >= 27, "expected the whole corpus, found {} cases", pairs.len());
    pairs
        .into_iter()
        .map(|(manifest, values)| Case {
            label: format!("{}/{}", manifest.parent().unwrap().file_name().unwrap().to_string_lossy(), manifest.file_name().unwrap().to_string_lossy()),
            input: std::fs::read_to_string(&manifest).unwrap(),
            values: values.to_string_lossy().into_owned(),
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polyaxon-replay-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The built-in subchart objects `--drop-builtin` removes, by template path.
fn is_builtin(doc: &Document) -> bool {
    doc.source().is_some_and(|s| ["postgresql", "redis", "rabbitmq", "rabbitmq-ha"].iter().any(|c| s.contains(&format!("/charts/{c}/"))))
}

/// Runs one scenario over the corpus; `check` sees each output stream.
/// Returns how many changed resources validated before and after.
/// Variant values may turn on any transform, so workloads and ConfigMaps may
/// change in every scenario; every other document must come out as it came in.
fn replay(name: &str, overlay: &str, args: &[&str], drops: bool, check: impl Fn(&str, &str)) -> usize {
    let dir = scratch(name);
    let overlay_file = dir.join("overlay.yaml");
    std::fs::write(&overlay_file, overlay).unwrap();
    let overlay_file = overlay_file.to_string_lossy().into_owned();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for case in cases() {
        let label = &case.label;
        let mut all_args = vec!["--values", &case.values, "--values", &overlay_file];
        all_args.extend(args);
        let (output, _) = post_render(&case.input, &all_args);

        let input_docs = stream::split(&case.input);
        let output_docs = stream::split(&output);
        let kept: Vec<&Document> = input_docs.iter().filter(|d| !(drops && is_builtin(d))).collect();
        // The only document ever added is the external services Secret, at the end.
        assert!(output_docs.len() >= kept.len(), "{label}: document count");
        let added = &output_docs[kept.len()..];
        assert!(added.len() <= 1, "{label}: {} documents added", added.len());
        if let Some(doc) = added.first() {
            assert!(doc.body.contains(&format!("name: {SECRET}\n")), "{label}: unexpected document added: {}", doc.body);
        } else {
            assert!(!overlay.contains("externalServices"), "{label}: no Secret emitted");
        }
        let (mut changed_in, mut changed_out) = (Vec::new(), Vec::new());
        for (i, (b, a)) in kept.iter().zip(&output_docs).enumerate() {
            // Separators change only where a dropped document took the first one away.
            if !(drops && i == 0) {
                assert_eq!(b.separator, a.separator, "{label}: separator of output document {}", i + 1);
            }
            let touched = b.kind().is_some_and(|k| k == "ConfigMap" || workload::is_workload(k));
            if !touched || b.is_blank() {
                assert!(b.body == a.body, "{label}: {:?} {:?} changed", b.kind(), b.source());
            } else if b.body != a.body {
                assert_eq!(b.source(), a.source(), "{label}: document {} lost its source", i + 1);
                changed_in.push(b.body.to_string());
                changed_out.push(a.body.to_string());
            }
        }
        changed_out.extend(added.iter().map(|d| d.body.to_string()));
        check(label, &output);

        let (again, _) = post_render(&output, &all_args);
        assert!(again == output, "{label}: a second run changed the output");
        before.push((label.clone(), changed_in));
        after.push((label.clone(), changed_out));
    }
    let valid_before = k8s_valid_files(&before, &scratch(&format!("{name}-before")));
    let valid_after = k8s_valid_files(&after, &scratch(&format!("{name}-after")));
    let lost: Vec<_> = valid_before.difference(&valid_after).collect();
    assert!(lost.is_empty(), "{name}: no longer valid Kubernetes after post-rendering: {lost:?}");
    valid_after.len()
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

#[test]
fn replay_security_contexts() {
    let valid = replay("security", SECURITY, &[], false, |label, out| {
        assert_security_contexts(&parsed(out), label);
    });
    // Alone, the security transform only ever adds lines.
    for case in cases() {
        let (out, _) = post_render(&case.input, &["--set", "securityContext.enabled=true"]);
        for (b, a) in stream::split(&case.input).iter().zip(stream::split(&out).iter()) {
            assert_only_additions(b.body, a.body, &case.label);
        }
    }
    eprintln!("security: {valid} changed resources valid after");
    // Charts before 1.x use API versions (extensions/v1beta1) that have no schema any more.
    assert!(valid > 80, "kubernetes-validate passed only {valid} changed resources");
}

#[test]
fn replay_gpu_mounts() {
    let valid = replay("gpu", GPU, &["--gpu-target", "Deployment/*"], false, |label, out| {
        let mut mounted = 0;
        for doc in parsed(out).iter().filter(|d| kind(d) == "Deployment") {
            let (pod, path) = workload::pod_spec(doc, "Deployment").unwrap();
            for (c, cpath) in workload::containers(pod, &path) {
                let mounts: Vec<&str> =
                    c.get("volumeMounts").and_then(Node::items).unwrap_or_default().iter().filter_map(|m| m.get("mountPath")?.text()).collect();
                for want in ["/usr/local/nvidia/lib64", "/usr/local/nvidia/bin", "/usr/lib/x86_64-linux-gnu/libcuda.so.1"] {
                    assert!(mounts.contains(&want), "{label}: {cpath} lacks {want}");
                }
                let ld = env_entry(c, "LD_LIBRARY_PATH").and_then(|e| e.get("value")).and_then(Node::text).unwrap_or_default();
                assert!(ld.contains("/usr/local/nvidia/lib64") && ld.contains("/usr/lib/x86_64-linux-gnu") && !ld.contains("libcuda.so"), "{label}: {cpath} LD_LIBRARY_PATH={ld}");
                mounted += 1;
            }
        }
        assert!(mounted > 0, "{label}: no Deployment container");
    });
    eprintln!("gpu: {valid} changed resources valid after");
    assert!(valid > 50);
}

#[test]
fn replay_dns() {
    let valid = replay("dns", DNS, &[], false, |label, out| {
        assert!(!out.contains("svc.cluster.local\""), "{label}: a service URL kept the default cluster domain");
        for doc in parsed(out) {
            let settings: Vec<(String, String)> = match kind(&doc) {
                "ConfigMap" => data_section(&doc)
                    .and_then(Node::entries)
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| (k.text().unwrap_or_default().to_string(), v.text().unwrap_or_default().to_string()))
                    .collect(),
                _ => Vec::new(),
            };
            if settings.iter().any(|(k, _)| k.starts_with("POLYAXON_DNS_")) {
                for (key, want) in [("POLYAXON_DNS_BACKEND", "coredns"), ("POLYAXON_DNS_PREFIX", "coredns.kube-system"), ("POLYAXON_DNS_CUSTOM_CLUSTER", "corp.internal")] {
                    assert!(settings.iter().any(|(k, v)| k == key && v == want), "{label}: ConfigMap {} lacks {key}={want}", workload::name(&doc));
                }
            }
        }
    });
    eprintln!("dns: {valid} changed resources valid after");
}

#[test]
fn replay_external_services() {
    let valid = replay("external", EXTERNAL, &DROP, true, check_external);
    eprintln!("external services: {valid} changed or added resources valid after");
    assert!(valid > 40);
}

fn check_external(label: &str, out: &str) {
    for password in PASSWORDS {
        assert!(!out.contains(password), "{label}: a password in plain text");
    }
    for doc in stream::split(out) {
        assert!(!is_builtin(&doc), "{label}: built-in {:?} kept", doc.source());
    }
    let docs = parsed(out);
    let secret = docs.iter().find(|d| kind(d) == "Secret" && workload::name(d) == SECRET).expect("Secret emitted");
    assert!(secret.path(&["data", "postgres-password"]).is_some(), "{label}");
    for doc in &docs {
        if kind(doc) == "ConfigMap" {
            if let Some(host) = data_section(doc).and_then(|d| d.get("POLYAXON_DB_HOST")).and_then(Node::text) {
                // Behind the chart's pgbouncer, Polyaxon talks to the pooler.
                let want = if label.contains("pgbouncer") { "pax-polyaxon-pgbouncer" } else { "pg.example.internal" };
                assert_eq!(host, want, "{label}: ConfigMap {}", workload::name(doc));
            }
            let has_password = data_section(doc).and_then(Node::entries).unwrap_or_default().iter().any(|(k, _)| {
                let k = k.text().unwrap_or_default();
                k == "POLYAXON_DB_PASSWORD" || k == "POLYAXON_REDIS_PASSWORD" || k == "POLYAXON_RABBITMQ_PASSWORD"
            });
            assert!(!has_password, "{label}: password in ConfigMap {}", workload::name(doc));
        }
        let Some((pod, path)) = workload::pod_spec(doc, kind(doc)) else { continue };
        for (c, cpath) in workload::containers(pod, &path) {
            for var in ["POLYAXON_DB_PASSWORD", "POLYAXON_REDIS_PASSWORD", "POLYAXON_RABBITMQ_PASSWORD"] {
                if let Some(e) = env_entry(c, var) {
                    let from = e.path(&["valueFrom", "secretKeyRef", "name"]).and_then(Node::text);
                    assert_eq!(from, Some(SECRET), "{label}: {cpath} {var}");
                }
            }
        }
    }
}

#[test]
fn replay_all_four_transforms_together() {
    let overlay = format!("{SECURITY}{GPU}{DNS}{EXTERNAL}");
    let mut args = vec!["--gpu-target", "Deployment/*"];
    args.extend(DROP);
    let valid = replay("all", &overlay, &args, true, |label, out| {
        check_external(label, out);
        assert_security_contexts(&parsed(out), label);
    });
    eprintln!("all four: {valid} changed or added resources valid after");
    assert!(valid > 80);
}

