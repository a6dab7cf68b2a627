//! Replays every render in the corpus (and Helm's captured post-renderer
//! stdin) through polyaxon-pr, once per transform and once with all four,
//! each time with the variant's own values plus values that turn the
//! transform on, and checks the stream guarantees, the cluster invariants
//! and each transform's result.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use polyaxon_helm::knowledge::{ChartVersion, SecurityModel};
use polyaxon_helm::stream::{self, Document};
use polyaxon_helm::transform::settings::{data_section, env_entry, secret_ref};
use polyaxon_helm::workload::{self, Owner};
use polyaxon_helm::yaml::Node;

const SECURITY: &str = "securityContext:\n  enabled: true\n";
const GPU: &str = "dirs:\n  nvidia:\n    lib: /usr/lib/nvidia-384\n    bin: /usr/lib/nvidia-384/bin\n    libcuda: /usr/lib/x86_64-linux-gnu/libcuda.so.1\nmountPaths:\n  nvidia:\n    lib: /usr/local/nvidia/lib64\n    bin: /usr/local/nvidia/bin\n";
const DNS: &str = "dns:\n  backend: coredns\n  customCluster: corp.internal\n  prefix: coredns.kube-system\n";
const EXTERNAL: &str = "postgresql:\n  enabled: false\nredis:\n  enabled: false\nrabbitmq:\n  enabled: false\nrabbitmq-ha:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: pg.example.internal\n    port: 5433\n    user: polyaxon\n    password: replay-pg-password\n    database: polyaxon\n  redis:\n    host: redis.example.internal\n    usePassword: true\n    password: replay-redis-password\n  rabbitmq:\n    host: rabbitmq.example.internal\n    user: polyaxon\n    password: replay-rabbit-password\n";
const PASSWORDS: [&str; 3] = ["replay-pg-password", "replay-redis-password", "replay-rabbit-password"];
const DROP: [&str; 6] = ["--drop-builtin", "postgresql", "--drop-builtin", "redis", "--drop-builtin", "rabbitmq"];

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
            label: format!(
                "{}/{}",
                manifest.parent().unwrap().file_name().unwrap().to_string_lossy(),
                manifest.file_name().unwrap().to_string_lossy()
            ),
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

/// The built-in subchart objects `--drop-builtin` removes: by template path
/// (Helm 3's comment, Helm 4's annotation) or chart label.
fn is_builtin(doc: &Document) -> bool {
    let Ok(Some(root)) = polyaxon_helm::yaml::parse_one(doc.body) else {
        return false;
    };
    let source = doc.source().or(workload::annotation(&root, polyaxon_helm::stream::HELM4_FILENAME));
    matches!(Owner::of(&root, source), Owner::Subchart(name) if ["postgresql", "redis", "rabbitmq", "rabbitmq-ha"].contains(&name))
}

/// A Helm 3 post-renderer capture: Helm 3 never hands it hooks.
fn helm3_capture(label: &str) -> bool {
    label.contains("helm3") && label.contains("postrenderer-stdin")
}

/// The chart version a stream comes from.
fn chart_of(text: &str) -> Option<ChartVersion> {
    parsed(text).iter().find_map(|d| {
        ["chart", "app.kubernetes.io/instance"]
            .iter()
            .find_map(|k| workload::label(d, k).and_then(ChartVersion::from_label))
            .or_else(|| workload::annotation(d, "chart").and_then(ChartVersion::from_label))
    })
}

/// Runs one scenario over the corpus; `check` sees each input and output.
/// Returns how many changed resources validated before and after. Helm 3
/// captures may be refused (exit 1, empty stdout) when `refuse_on_helm3`.
fn replay(name: &str, overlay: &str, args: &[&str], drops: bool, refuse_on_helm3: bool, check: impl Fn(&str, &str, &str)) -> usize {
    let dir = scratch(name);
    let overlay_file = dir.join("overlay.yaml");
    std::fs::write(&overlay_file, overlay).unwrap();
    let overlay_file = overlay_file.to_string_lossy().into_owned();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let mut refused = 0;
    for case in cases() {
        let label = &case.label;
        let mut all_args = vec!["--values", &case.values, "--values", &overlay_file];
        all_args.extend(args);
        let out = run(Command::new(polyaxon_pr()).args(&all_args).env("POLYAXON_PR_LOG", "/dev/null"), &case.input);
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(refuse_on_helm3 && helm3_capture(label), "{label}: polyaxon-pr failed: {stderr}");
            assert!(
                out.stdout.is_empty() && stderr.contains("this is Helm 3"),
                "{label}: a refusal must say why and print nothing: {stderr}"
            );
            refused += 1;
            continue;
        }
        let output = String::from_utf8(out.stdout).unwrap();

        let input_docs = stream::split(&case.input);
        let output_docs = stream::split(&output);
        let kept: Vec<&Document> = input_docs.iter().filter(|d| !(drops && is_builtin(d))).collect();
        // The only documents ever added are the chart's Secrets for external services, at the end.
        assert!(output_docs.len() >= kept.len(), "{label}: document count");
        let added = &output_docs[kept.len()..];
        for doc in added {
            assert!(
                doc.body.contains("kind: Secret\n") && doc.body.contains("-secret\n"),
                "{label}: unexpected document added: {}",
                doc.body
            );
        }
        let (mut changed_in, mut changed_out) = (Vec::new(), Vec::new());
        for (i, (b, a)) in kept.iter().zip(&output_docs).enumerate() {
            // Separators change only where a dropped document took the first one away.
            if !(drops && i == 0) {
                assert_eq!(b.separator, a.separator, "{label}: separator of output document {}", i + 1);
            }
            let touched = b.kind().is_some_and(|k| k == "ConfigMap" || k == "Secret" || workload::is_workload(k));
            if !touched || b.is_blank() {
                assert!(b.body == a.body, "{label}: {:?} {:?} changed", b.kind(), b.source());
            } else if b.body != a.body {
                assert_eq!(b.source(), a.source(), "{label}: document {} lost its source", i + 1);
                changed_in.push(b.body.to_string());
                changed_out.push(a.body.to_string());
            }
        }
        changed_out.extend(added.iter().map(|d| d.body.to_string()));
        assert_cluster_invariants(&parsed(&output), label);
        check(label, &case.input, &output);

        let (again, _) = post_render(&output, &all_args);
        assert!(again == output, "{label}: a second run changed the output");
        before.push((label.clone(), changed_in));
        after.push((label.clone(), changed_out));
    }
    if refuse_on_helm3 {
        // v0.4.4's Helm 3 capture has the built-ins; the v2.15.1 probe's chart already renders the external services.
        assert_eq!(refused, 1, "{name}: Helm 3 captures that need a rewrite are refused");
    }
    let valid_before = k8s_valid_files(&before, &scratch(&format!("{name}-before")));
    let valid_after = k8s_valid_files(&after, &scratch(&format!("{name}-after")));
    let lost: Vec<_> = valid_before.difference(&valid_after).collect();
    assert!(lost.is_empty(), "{name}: no longer valid Kubernetes after post-rendering: {lost:?}");
    valid_after.len()
}

#[test]
fn replay_security_contexts() {
    let valid = replay("security", SECURITY, &[], false, false, |label, input, out| {
        let model = chart_of(input).as_ref().map_or(SecurityModel::Full, SecurityModel::of);
        let (docs_in, docs_out) = (parsed(input), parsed(out));
        for (b, a) in docs_in.iter().zip(&docs_out) {
            let Some((pod, path)) = workload::pod_spec(a, kind(a)).unwrap() else {
                continue;
            };
            let source = stream::split(input)
                .iter()
                .find(|d| d.body.contains(&format!("name: {}\n", workload::name(b))))
                .and_then(|d| d.source().map(str::to_string));
            let owner = Owner::of(b, source.as_deref());
            if owner != Owner::Polyaxon
                || model == SecurityModel::None
                || workload::name(a).ends_with("-resources") && model == SecurityModel::FsGroup
            {
                let (pod_b, _) = workload::pod_spec(b, kind(b)).unwrap().unwrap();
                let contexts = |pod: &Node| -> Vec<serde_json::Value> {
                    let mut all = vec![pod.get("securityContext").map_or(serde_json::Value::Null, Node::to_json)];
                    all.extend(
                        workload::containers(pod, "")
                            .unwrap()
                            .iter()
                            .map(|(c, _)| c.get("securityContext").map_or(serde_json::Value::Null, Node::to_json)),
                    );
                    all
                };
                assert_eq!(contexts(pod_b), contexts(pod), "{label}: {} security contexts changed", workload::name(a));
                continue;
            }
            let wanted: &[&str] = if model == SecurityModel::Full { &["runAsUser", "runAsGroup", "fsGroup"] } else { &["fsGroup"] };
            for field in wanted {
                assert!(pod.path(&["securityContext", field]).is_some(), "{label}: {path}.securityContext.{field} missing");
            }
            if model == SecurityModel::Full {
                for (c, cpath) in workload::containers(pod, &path).unwrap() {
                    assert!(c.path(&["securityContext", "allowPrivilegeEscalation"]).is_some(), "{label}: {cpath}");
                }
            }
        }
    });
    eprintln!("security: {valid} changed resources valid after");
    assert!(valid > 30, "kubernetes-validate passed only {valid} changed resources");
}

#[test]
fn replay_security_contexts_on_every_pod_never_changes_a_subchart_identity() {
    replay("security-all", SECURITY, &["--security-scope", "all"], false, false, |label, input, out| {
        for (b, a) in parsed(input).iter().zip(parsed(out).iter()) {
            let Some((pod_b, path)) = workload::pod_spec(b, kind(b)).unwrap() else {
                continue;
            };
            if !matches!(Owner::of(b, None), Owner::Subchart(_)) {
                continue;
            }
            let (pod_a, _) = workload::pod_spec(a, kind(a)).unwrap().unwrap();
            for field in ["runAsUser", "runAsGroup", "fsGroup", "supplementalGroups", "runAsNonRoot"] {
                assert_eq!(
                    pod_b.path(&["securityContext", field]).map(Node::to_json),
                    pod_a.path(&["securityContext", field]).map(Node::to_json),
                    "{label}: {path}.securityContext.{field}"
                );
            }
            for ((cb, cpath), (ca, _)) in
                workload::containers(pod_b, &path).unwrap().iter().zip(workload::containers(pod_a, &path).unwrap().iter())
            {
                for field in ["runAsUser", "runAsGroup"] {
                    assert_eq!(
                        cb.path(&["securityContext", field]).map(Node::to_json),
                        ca.path(&["securityContext", field]).map(Node::to_json),
                        "{label}: {cpath}.{field}"
                    );
                }
            }
        }
    });
}

#[test]
fn replay_gpu_mounts() {
    let valid = replay("gpu", GPU, &["--gpu-target", "Deployment/*"], false, false, |label, _, out| {
        let mut mounted = 0;
        for doc in parsed(out).iter().filter(|d| kind(d) == "Deployment") {
            let (pod, path) = workload::pod_spec(doc, "Deployment").unwrap().unwrap();
            for volume in pod.get("volumes").and_then(Node::items).unwrap_or_default() {
                assert!(
                    volume.path(&["hostPath", "type"]).is_none()
                        || !volume.get("name").and_then(Node::text).unwrap_or_default().starts_with("nvidia"),
                    "{label}: typed NVIDIA hostPath"
                );
            }
            for (c, cpath) in workload::containers(pod, &path).unwrap().into_iter().filter(|(_, p)| p.contains(".containers[")) {
                let mounts: Vec<&str> = c
                    .get("volumeMounts")
                    .and_then(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|m| m.get("mountPath")?.text())
                    .collect();
                for want in ["/usr/local/nvidia/lib64", "/usr/local/nvidia/bin", "/usr/lib/x86_64-linux-gnu/libcuda.so.1"] {
                    assert!(mounts.contains(&want), "{label}: {cpath} lacks {want}");
                }
                assert!(env_entry(c, "PATH").is_none(), "{label}: {cpath}: PATH would replace the image's own");
                mounted += 1;
            }
        }
        assert!(mounted > 0, "{label}: no Deployment container");
    });
    eprintln!("gpu: {valid} changed resources valid after");
    assert!(valid > 15);
}

#[test]
fn replay_dns() {
    replay("dns", DNS, &[], false, false, |label, input, out| {
        let chart = chart_of(input);
        for doc in parsed(out) {
            if kind(&doc) != "ConfigMap" {
                continue;
            }
            let settings: Vec<(String, String)> = data_section(&doc)
                .and_then(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(|(k, v)| (k.text().unwrap_or_default().to_string(), v.text().unwrap_or_default().to_string()))
                .collect();
            let in_env = chart.as_ref().is_some_and(polyaxon_helm::knowledge::dns_in_env);
            if !in_env && settings.iter().any(|(k, _)| k.starts_with("POLYAXON_DNS_")) {
                for (key, want) in [
                    ("POLYAXON_DNS_BACKEND", "coredns"),
                    ("POLYAXON_DNS_PREFIX", "coredns.kube-system"),
                    ("POLYAXON_DNS_CUSTOM_CLUSTER", "corp.internal"),
                ] {
                    assert!(
                        settings.iter().any(|(k, v)| k == key && v == want),
                        "{label}: ConfigMap {} lacks {key}={want}",
                        workload::name(&doc)
                    );
                }
            }
            for (k, v) in &settings {
                assert!(!(k.starts_with("POLYAXON_") && v.contains(".svc.cluster.local")), "{label}: {k} kept the default cluster domain");
            }
        }
    });
}

#[test]
fn replay_external_services() {
    let valid = replay("external", EXTERNAL, &DROP, true, true, check_external);
    eprintln!("external services: {valid} changed or added resources valid after");
    assert!(valid > 10);
}

/// No password in plain text, no built-in left, nothing pointing at what was
/// dropped, and every password read from a Secret that exists.
fn check_external(label: &str, input: &str, out: &str) {
    for password in PASSWORDS {
        assert!(!out.contains(password), "{label}: a password in plain text");
    }
    for doc in stream::split(out) {
        assert!(!is_builtin(&doc), "{label}: built-in {:?} kept", doc.source());
    }
    let dropped: Vec<String> = stream::split(input).iter().filter(|d| is_builtin(d)).filter_map(|d| yaml_name(d.body)).collect();
    let docs = parsed(out);
    let secrets: Vec<&str> = docs.iter().filter(|d| kind(d) == "Secret").map(workload::name).collect();
    for doc in &docs {
        if kind(doc) == "ConfigMap" {
            let data = data_section(doc);
            if let Some(host) = data.and_then(|d| d.get("POLYAXON_DB_HOST")).and_then(Node::text) {
                // Behind the chart's own pgbouncer, Polyaxon talks to the pooler.
                assert!(
                    host == "pg.example.internal" || host.ends_with("-pgbouncer"),
                    "{label}: ConfigMap {} DB host {host}",
                    workload::name(doc)
                );
            }
            for (k, v) in data.and_then(Node::entries).unwrap_or_default() {
                let (k, v) = (k.text().unwrap_or_default(), v.text().unwrap_or_default());
                assert!(!dropped.iter().any(|d| v.contains(d.as_str())), "{label}: {k} names {v}, which was dropped");
            }
        }
        let Some((pod, path)) = workload::pod_spec(doc, kind(doc)).unwrap() else {
            continue;
        };
        for (c, cpath) in workload::containers(pod, &path).unwrap() {
            for var in ["POLYAXON_DB_PASSWORD", "POLYAXON_REDIS_PASSWORD", "POLYAXON_RABBITMQ_PASSWORD"] {
                if let Some((secret, _)) = env_entry(c, var).and_then(secret_ref) {
                    assert!(
                        secrets.contains(&secret) || !secret.ends_with("-secret"),
                        "{label}: {cpath} {var} reads Secret {secret}, which is not rendered"
                    );
                    assert!(!dropped.iter().any(|d| d == secret), "{label}: {cpath} {var} reads the dropped {secret}");
                }
            }
        }
    }
}

fn yaml_name(body: &str) -> Option<String> {
    let root = polyaxon_helm::yaml::parse_one(body).ok()??;
    Some(workload::name(&root).to_string())
}

#[test]
fn replay_all_four_transforms_together() {
    let overlay = format!("{SECURITY}{GPU}{DNS}{EXTERNAL}");
    let mut args = vec!["--gpu-target", "Deployment/*"];
    args.extend(DROP);
    let valid = replay("all", &overlay, &args, true, true, check_external);
    eprintln!("all four: {valid} changed or added resources valid after");
    assert!(valid > 20);
}
