//! Helpers shared by the integration tests: paths to the real Helm binaries,
//! the corpus, the polyaxon-pr binary, and kubernetes-validate.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use polyaxon_helm::stream;
use polyaxon_helm::yaml::{self, Node};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The ground truth the tests read, `corpus/` and `seeds/`: the repository's
/// testdata/shared/corpus-and-seeds.tar.xz (packed from ../shared by
/// scripts/pack-testdata.sh), unpacked once under cargo's scratch space by
/// scripts/unpack-testdata.sh, which is safe to run from parallel test
/// processes; `$POLYAXON_SHARED` names another such directory.
pub fn shared() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Command::new(repo().join("scripts/unpack-testdata.sh"))
            .arg(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("testdata"))
            .output()
            .expect("scripts/unpack-testdata.sh");
        assert!(out.status.success(), "scripts/unpack-testdata.sh failed: {}", String::from_utf8_lossy(&out.stderr));
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim_end())
    })
    .clone()
}

/// The corpus (real renders, every version's defaults, CI values files,
/// post-renderer captures): `$POLYAXON_CORPUS`, else the one in [`shared`].
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("POLYAXON_CORPUS").map(PathBuf::from).unwrap_or_else(|| shared().join("corpus"));
    assert!(dir.join("rendered/index.tsv").is_file(), "corpus not found at {}", dir.display());
    dir
}

/// The chart references and migration notes: `$POLYAXON_SEEDS`, else the ones in [`shared`].
pub fn seeds() -> PathBuf {
    std::env::var_os("POLYAXON_SEEDS").map(PathBuf::from).unwrap_or_else(|| shared().join("seeds"))
}

/// The real Helm binary of a major version, installed by scripts/install-helm.sh.
pub fn helm(major: u32) -> PathBuf {
    let (var, version) = if major == 3 { ("HELM3", "v3.18.0") } else { ("HELM4", "v4.1.4") };
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| repo().join(".cache/helm").join(version).join("helm"));
    assert!(path.is_file(), "Helm {version} not found at {}: run scripts/install-helm.sh", path.display());
    path
}

/// A command of the project's Python tools venv (scripts/setup-venvs.sh).
pub fn venv_tool(name: &str) -> PathBuf {
    let path = repo().join(".cache/venv/tools/bin").join(name);
    assert!(path.is_file(), "{} missing: run scripts/setup.sh", path.display());
    path
}

/// The Python of a venv made by scripts/setup-venvs.sh (`tools`, `polyaxon-2.15.1`, ...).
pub fn venv_python(name: &str) -> PathBuf {
    let path = repo().join(".cache/venv").join(name).join("bin/python");
    assert!(path.is_file(), "{} missing: run scripts/setup.sh", path.display());
    path
}

/// An empty directory of this name under cargo's scratch space for tests.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn polyaxon_pr() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_polyaxon-pr"))
}

/// Runs a command with `stdin` and returns its output.
pub fn run(cmd: &mut Command, stdin: &str) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut input = child.stdin.take().unwrap();
    let text = stdin.to_string();
    let writer = std::thread::spawn(move || input.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("wait");
    writer.join().unwrap().ok();
    out
}

/// Runs polyaxon-pr on `input` with `args`; panics unless it succeeds.
pub fn post_render(input: &str, args: &[&str]) -> (String, String) {
    let out = run(Command::new(polyaxon_pr()).args(args).env("POLYAXON_PR_LOG", "/dev/null"), input);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "polyaxon-pr {args:?} failed: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// The resources kubernetes-validate passes in strict mode (Kubernetes 1.33),
/// as `label: kind/name`, for several files in one run.
pub fn k8s_valid_files(files: &[(String, Vec<String>)], scratch: &Path) -> BTreeSet<String> {
    let mut paths = Vec::new();
    for (i, (_, docs)) in files.iter().enumerate() {
        let path = scratch.join(format!("{i}.yaml"));
        std::fs::write(&path, docs.join("\n---\n")).unwrap();
        paths.push(path);
    }
    if paths.is_empty() {
        return BTreeSet::new();
    }
    let out = Command::new(venv_tool("kubernetes-validate"))
        .args(["--strict", "--no-warn", "-k", "1.33.0"])
        .args(&paths)
        .output()
        .expect("kubernetes-validate not found: run scripts/setup.sh");
    let mut valid = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(rest) = line.strip_prefix("INFO ") else {
            continue;
        };
        let Some((file, resource)) = rest.split_once(" passed for resource ") else {
            continue;
        };
        let index = paths.iter().position(|p| p.to_str() == Some(file)).expect("a file we wrote");
        valid.insert(format!("{}: {}", files[index].0, resource.split(" against ").next().unwrap()));
    }
    valid
}

/// The resources (`kind/name`) kubernetes-validate passes in strict mode.
pub fn k8s_valid(docs: &[&str], scratch: &Path, label: &str) -> BTreeSet<String> {
    let dir = scratch.join(label);
    std::fs::create_dir_all(&dir).unwrap();
    k8s_valid_files(&[(label.to_string(), docs.iter().map(|d| d.to_string()).collect())], &dir)
        .into_iter()
        .map(|r| r.split_once(": ").unwrap().1.to_string())
        .collect()
}

/// The parsed documents of a stream (blank ones skipped).
pub fn parsed(stream_text: &str) -> Vec<Node> {
    stream::split(stream_text).iter().filter(|d| !d.is_blank()).map(|d| yaml::parse_one(d.body).unwrap().unwrap()).collect()
}

pub fn kind(doc: &Node) -> &str {
    doc.get("kind").and_then(Node::text).unwrap_or_default()
}

/// Asserts that every pod spec of Polyaxon's own workloads (not a
/// subchart's) has the fields chart 2.x renders, and every container its
/// container fields. Returns how many pod specs were checked.
pub fn assert_security_contexts(docs: &[Node], label: &str) -> usize {
    let mut pods = 0;
    for doc in docs {
        let Some((pod, path)) = polyaxon_helm::workload::pod_spec(doc, kind(doc)).unwrap() else {
            continue;
        };
        let source = polyaxon_helm::workload::annotation(doc, polyaxon_helm::stream::HELM4_FILENAME);
        if polyaxon_helm::workload::Owner::of(doc, source) != polyaxon_helm::workload::Owner::Polyaxon {
            continue;
        }
        pods += 1;
        let sc = pod.get("securityContext").unwrap_or_else(|| panic!("{label}: {path} has no securityContext"));
        for field in ["runAsUser", "runAsGroup", "fsGroup"] {
            assert!(
                sc.get(field).is_some(),
                "{label}: {}/{}: {path}.securityContext.{field} missing",
                kind(doc),
                polyaxon_helm::workload::name(doc)
            );
        }
        for (c, cpath) in polyaxon_helm::workload::containers(pod, &path).unwrap() {
            let sc = c.get("securityContext").unwrap_or_else(|| panic!("{label}: {cpath} has no securityContext"));
            for field in ["allowPrivilegeEscalation", "runAsNonRoot"] {
                assert!(sc.get(field).is_some(), "{label}: {cpath}.securityContext.{field} missing");
            }
        }
    }
    pods
}

fn sc_int(node: &Node, key: &str) -> Option<i64> {
    match node.path(&["securityContext", key]).and_then(Node::scalar) {
        Some(polyaxon_helm::yaml::Scalar::Int(n)) => Some(n),
        _ => None,
    }
}

fn sc_true(node: &Node, key: &str) -> bool {
    node.path(&["securityContext", key]).and_then(Node::scalar) == Some(polyaxon_helm::yaml::Scalar::Bool(true))
}

/// What the kubelet and the API server refuse never comes out: a container
/// whose effective settings (container field, else pod field) say
/// runAsNonRoot with uid 0, or allowPrivilegeEscalation false when privileged.
pub fn assert_cluster_invariants(docs: &[Node], label: &str) {
    for doc in docs {
        let Some((pod, path)) = polyaxon_helm::workload::pod_spec(doc, kind(doc)).unwrap() else {
            continue;
        };
        for (c, cpath) in polyaxon_helm::workload::containers(pod, &path).unwrap() {
            let uid = sc_int(c, "runAsUser").or(sc_int(pod, "runAsUser"));
            let non_root =
                c.path(&["securityContext", "runAsNonRoot"]).or(pod.path(&["securityContext", "runAsNonRoot"])).and_then(Node::scalar)
                    == Some(polyaxon_helm::yaml::Scalar::Bool(true));
            assert!(!(non_root && uid == Some(0)), "{label}: {cpath} runs as root with runAsNonRoot");
            let no_escalation = c.path(&["securityContext", "allowPrivilegeEscalation"]).and_then(Node::scalar)
                == Some(polyaxon_helm::yaml::Scalar::Bool(false));
            assert!(!(no_escalation && sc_true(c, "privileged")), "{label}: {cpath} privileged without escalation");
        }
    }
}
