//! End to end inside the real Helm 3.18.0 and Helm 4.1.4: plugins installed
//! the way a user installs them, `helm template` on testdata/chart.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::*;
use polyaxon_helm::stream;
use polyaxon_helm::transform::settings::env_entry;
use polyaxon_helm::workload;
use polyaxon_helm::yaml::Node;

/// A throwaway Helm home with the plugins installed from this checkout.
struct Home {
    major: u32,
    dir: PathBuf,
}

/// Builds the release binary once, so the install hooks of the tests running
/// in parallel find it up to date instead of all waiting on one cold build.
fn build_once() {
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let out = Command::new(repo().join("scripts/build.sh")).output().unwrap();
        assert!(out.status.success(), "scripts/build.sh: {}", String::from_utf8_lossy(&out.stderr));
    });
}

impl Home {
    fn new(major: u32) -> Home {
        build_once();
        let dir = std::env::temp_dir().join(format!("polyaxon-e2e-{}-helm{major}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let home = Home { major, dir };
        // The install hook builds polyaxon-pr from source into bin/ and, on
        // Helm 4, installs the postrenderer/v1 plugin too: one command per Helm.
        // Linked (the developer's install), so that this working tree is what runs.
        home.ok(home.helm().arg("plugin").arg("install").arg(repo()).env("POLYAXON_HELM_LINK", "1"));
        let plugins = home.ok(home.helm().args(["plugin", "list"]));
        assert_eq!(plugins.lines().any(|l| l.split_whitespace().next() == Some("polyaxon-pr")), major == 4, "{plugins}");
        home
    }

    fn helm(&self) -> Command {
        let mut cmd = Command::new(helm(self.major));
        for (var, sub) in [("HELM_DATA_HOME", "data"), ("HELM_CONFIG_HOME", "config"), ("HELM_CACHE_HOME", "cache")] {
            cmd.env(var, self.dir.join(sub));
        }
        cmd.env_remove("HELM_PLUGINS").env("XDG_CACHE_HOME", self.dir.join("xdg")).current_dir(repo());
        cmd
    }

    fn ok(&self, cmd: &mut Command) -> String {
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "helm {} failed: {}", self.major, String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn template(&self, extra: &[&str]) -> Output {
        self.helm().args(["template", "pax", "testdata/chart", "-n", "polyaxon"]).args(extra).output().unwrap()
    }

    fn polyaxon_template(&self, extra: &[&str]) -> Output {
        self.helm().args(["polyaxon", "template", "pax", "testdata/chart", "-n", "polyaxon"]).args(extra).output().unwrap()
    }
}

const VALUES: &str = "testdata/values/security-context.yaml";

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Documents by their `# Source:` so Helm 3 and Helm 4 (which re-sorts) compare.
/// Comment-only documents are left out: Helm 4 drops them from any
/// post-renderer's output when it parses it.
fn by_source(text: &str) -> Vec<(String, String)> {
    let mut docs: Vec<(String, String)> =
        stream::split(text).iter().filter(|d| !d.is_blank()).map(|d| (d.source().unwrap_or("").to_string(), d.body.to_string())).collect();
    docs.sort();
    docs
}

fn hook_job(text: &str) -> polyaxon_helm::yaml::Node {
    parsed(text).into_iter().find(|d| workload::name(d) == "pax-migrate").expect("hook job rendered")
}

fn check(home: &Home) {
    let plain = stdout(&home.template(&["-f", VALUES]));
    let wrapped = home.polyaxon_template(&["-f", VALUES]);
    let out = stdout(&wrapped);
    let stderr = String::from_utf8_lossy(&wrapped.stderr);

    // Same documents, and only workloads differ.
    let (before, after) = (by_source(&plain), by_source(&out));
    assert_eq!(before.len(), after.len(), "document count");
    for ((src_b, body_b), (src_a, body_a)) in before.iter().zip(&after) {
        assert_eq!(src_b, src_a);
        let kind = stream::Document { separator: "", body: body_b }.kind().unwrap_or_default();
        // Workloads, and the main ConfigMap (which tells Polyaxon the ids for its runs).
        if !workload::is_workload(kind) && !body_b.contains("POLYAXON_K8S_NAMESPACE") {
            assert_eq!(body_b, body_a, "helm {}: {src_b} changed", home.major);
        }
    }
    assert!(out.contains("\"yes\"") && out.contains("'0644'"), "scalars re-quoted");

    // Every workload carries the fields, except that Helm 3 never post-renders hooks.
    let docs: Vec<_> = parsed(&out).into_iter().filter(|d| workload::name(d) != "pax-migrate").collect();
    assert_eq!(assert_security_contexts(&docs, "testdata chart"), 7);
    let hook_has_context = hook_job(&out).path(&["spec", "template", "spec", "securityContext"]).is_some();
    assert_eq!(hook_has_context, home.major == 4, "hooks reach the post-renderer only on Helm 4");
    assert!(out.contains("fsGroupChangePolicy: OnRootMismatch"));

    // What the post-renderer said reaches the user although Helm hides it.
    assert!(stderr.contains("StatefulSet/pax-worker: spec.template.spec.securityContext.fsGroup is 1001, not 2222"), "{stderr}");
    let changed = if home.major == 4 { 9 } else { 8 };
    assert!(stderr.contains(&format!("polyaxon-pr: {changed} of")) && stderr.contains("0 added, 0 removed"), "{stderr}");
    // Polyaxon is told the ids for the runs it starts.
    assert!(out.contains("POLYAXON_SECURITY_CONTEXT_USER: \"2222\""), "{out}");

    // Valid Kubernetes, every resource.
    let scratch = std::env::temp_dir();
    let bodies: Vec<&str> = stream::split(&out).iter().map(|d| d.body).filter(|b| !b.trim().is_empty()).collect::<Vec<_>>();
    let valid = k8s_valid(&bodies, &scratch, &format!("e2e-helm{}-{}", home.major, std::process::id()));
    assert!(valid.len() >= 9, "helm {}: only {valid:?} validated", home.major);
}

#[test]
fn helm3_wrapper_and_direct_post_renderer() {
    let home = Home::new(3);
    check(&home);
    let values = repo().join(VALUES);
    let bin = repo().join("bin/polyaxon-pr");
    let direct = stdout(&home.template(&[
        "-f",
        VALUES,
        "--post-renderer",
        bin.to_str().unwrap(),
        &format!("--post-renderer-args=--values={}", values.display()),
    ]));
    assert_eq!(direct, stdout(&home.polyaxon_template(&["-f", VALUES])));
}

#[test]
fn helm4_wrapper_and_postrenderer_plugin() {
    let home = Home::new(4);
    check(&home);
    let values = repo().join(VALUES);
    let direct = stdout(&home.template(&[
        "-f",
        VALUES,
        "--post-renderer",
        "polyaxon-pr",
        &format!("--post-renderer-args=--values={}", values.display()),
    ]));
    assert_eq!(direct, stdout(&home.polyaxon_template(&["-f", VALUES])));
    // Helm turns the filename annotation back into `# Source:` and strips it.
    assert!(direct.contains("# Source: pax-mini/templates/migrate-hook.yaml") && !direct.contains("postrender-filename"));
}

#[test]
fn without_values_helm3_output_is_byte_identical() {
    let home = Home::new(3);
    let bin = repo().join("bin/polyaxon-pr");
    let plain = stdout(&home.template(&[]));
    let through = home.template(&["--post-renderer", bin.to_str().unwrap()]);
    assert_eq!(stdout(&through), plain);
}

#[test]
fn bad_values_abort_helm_with_a_located_error_and_no_output() {
    let bad = repo().join("testdata/values/bad-type.yaml");
    let want = format!("{}:3:14: `securityContext.runAsUser` must be an integer, found a string", bad.display());
    for major in [3, 4] {
        let home = Home::new(major);
        let out = home.polyaxon_template(&["-f", "testdata/values/bad-type.yaml"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "helm {major} succeeded");
        assert!(out.stdout.is_empty(), "helm {major} printed manifests");
        // The first line is the error, said once; Helm's own copy of it is left out, and
        // only Helm's last word on any failing plugin follows the wrapper's note.
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.first().copied(), Some(format!("polyaxon-pr: error: {want}").as_str()), "helm {major}: {stderr}");
        assert_eq!(stderr.matches(&want).count(), 1, "helm {major}: {stderr}");
        assert_eq!(
            lines[lines.len() - 2..],
            ["helm polyaxon: `helm template` stopped: its post-renderer failed (above)", "Error: plugin \"polyaxon\" exited with error"],
            "helm {major}: {stderr}"
        );
    }
    // Used directly, Helm 4 discards the plugin's stderr; the plugin's
    // failure report (a YAML scalar) makes Helm show the reason, and the
    // run's own log keeps it too.
    let home = Home::new(4);
    let out = home.template(&["--post-renderer", "polyaxon-pr", &format!("--post-renderer-args=--values={}", bad.display())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && out.stdout.is_empty(), "{stderr}");
    assert!(stderr.contains(&want) && stderr.contains("polyaxon-pr: error:"), "Helm 4 does not show the reason: {stderr}");
    let logs = home.dir.join("xdg/polyaxon-pr/logs");
    let log = std::fs::read_dir(&logs).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).find(|l| l.contains(&want));
    assert!(log.is_some(), "no run log in {} holds the error", logs.display());
}

/// All four transforms at once, in both Helm versions, through the wrapper.
#[test]
fn all_four_transforms_in_helm3_and_helm4() {
    for major in [3, 4] {
        let home = Home::new(major);
        let out = home.polyaxon_template(&["-f", "testdata/values/all-transforms.yaml", "--drop-builtin", "postgresql", "--diff"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let text = stdout(&out);
        let docs = parsed(&text);
        let label = format!("helm {major}");

        // `--drop-builtin` had the chart render the external database itself,
        // its hook Job included, which Helm 3 never shows a post-renderer.
        assert!(!text.contains("charts/postgresql/"), "{label}: built-in kept");
        assert!(!text.contains("e2e-external-password") && !stderr.contains("e2e-external-password"), "{label}: password leaked");
        let secret = docs.iter().find(|d| workload::name(d) == "pax-postgresql-secret").expect("the chart's Secret");
        assert_eq!(secret.path(&["data", "postgres-password"]).and_then(Node::text), Some("ZTJlLWV4dGVybmFsLXBhc3N3b3Jk"));

        // DNS: the prefix the chart dropped, and the custom cluster domain.
        let cm = docs.iter().find(|d| workload::name(d) == "pax-platform-config").unwrap();
        let data = cm.get("data").unwrap();
        assert_eq!(data.get("POLYAXON_DNS_PREFIX").and_then(Node::text), Some("coredns.kube-system"), "{label}");
        assert_eq!(data.get("POLYAXON_HOST").and_then(Node::text), Some("http://pax-api.polyaxon.svc.corp.internal:80"), "{label}");

        // No object, hooks included, reads a Secret or names a host that is not the external one.
        assert_eq!(data.get("POLYAXON_DB_HOST").and_then(Node::text), Some("pg.example.internal"), "{label}");
        for name in ["pax-api", "pax-migrate"] {
            let doc = docs.iter().find(|d| workload::name(d) == name).unwrap_or_else(|| panic!("{label}: {name}"));
            let (pod, path) = workload::pod_spec(doc, kind(doc)).unwrap().unwrap();
            for (container, cpath) in workload::containers(pod, &path).unwrap() {
                if let Some(entry) = env_entry(container, "POLYAXON_DB_PASSWORD") {
                    let from = entry.path(&["valueFrom", "secretKeyRef", "name"]).and_then(Node::text);
                    assert_eq!(from, Some("pax-postgresql-secret"), "{label}: {cpath}");
                }
            }
        }

        // GPU: the driver mounted into the container that asks for a GPU.
        let gpu = docs.iter().find(|d| workload::name(d) == "pax-gpu-worker").unwrap();
        let (pod, path) = workload::pod_spec(gpu, "Deployment").unwrap().unwrap();
        let (trainer, _) = &workload::containers(pod, &path).unwrap()[0];
        let mounts: Vec<&str> =
            trainer.get("volumeMounts").and_then(Node::items).unwrap().iter().filter_map(|m| m.get("mountPath")?.text()).collect();
        assert_eq!(mounts, ["/usr/local/nvidia/lib64", "/usr/local/nvidia/bin", "/usr/lib/x86_64-linux-gnu/libcuda.so.1"], "{label}");

        // Security contexts everywhere the post-renderer sees.
        let non_hooks: Vec<_> = docs.into_iter().filter(|d| workload::name(d) != "pax-migrate").collect();
        assert_security_contexts(&non_hooks, &label);

        // The diff went through the wrapper.
        assert!(stderr.contains("+++ ConfigMap/pax-platform-config"), "{label}: {stderr}");

        let bodies: Vec<&str> = stream::split(&text).iter().filter(|d| !d.is_blank()).map(|d| d.body).collect();
        let valid = k8s_valid(&bodies, &std::env::temp_dir(), &format!("e2e-all-helm{major}-{}", std::process::id()));
        assert_eq!(valid.len(), bodies.len(), "{label}: not every resource validated: {valid:?}");
    }
}

/// `helm polyaxon lint` runs the linter through the plugin, exit codes intact.
#[test]
fn helm_polyaxon_lint_in_helm3_and_helm4() {
    for major in [3, 4] {
        let home = Home::new(major);
        let ok = home.helm().args(["polyaxon", "lint", "testdata/lint/ok-2.15.1.yaml"]).output().unwrap();
        assert!(ok.status.success(), "helm {major}: {}", String::from_utf8_lossy(&ok.stdout));
        let bad = home.helm().args(["polyaxon", "lint", "--format", "json", "testdata/lint/keys-2.15.1.yaml"]).output().unwrap();
        assert_eq!(bad.status.code(), Some(1), "helm {major}");
        let report: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
        assert!(report["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "K005" && d["line"] == 5), "helm {major}");
        let explain = home.helm().args(["polyaxon", "lint", "--explain", "K005"]).output().unwrap();
        assert!(String::from_utf8_lossy(&explain.stdout).starts_with("K005 (unknown-key)"), "helm {major}");
    }
}

/// `helm polyaxon install` through Helm 4's client-side dry run (Helm 3.18's
/// dry run, and any upgrade, need a cluster).
#[test]
fn helm4_polyaxon_install_dry_run() {
    let home = Home::new(4);
    let out = home
        .helm()
        .args(["polyaxon", "install", "pax", "testdata/chart", "-n", "polyaxon", "-f", VALUES, "--dry-run=client"])
        .output()
        .unwrap();
    let text = stdout(&out);
    // Helm prints hooks in their own section before the manifest.
    let after_hooks = text.split("HOOKS:").nth(1).expect("install prints the hooks");
    let (hooks, manifest) = after_hooks.split_once("MANIFEST:").expect("and the manifest");
    let mut docs = parsed(hooks);
    docs.extend(parsed(manifest));
    assert_eq!(assert_security_contexts(&docs, "helm 4 install"), 8, "every workload, the hook Job included");
    assert!(String::from_utf8_lossy(&out.stderr).contains("polyaxon-pr: 9 of"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Every plugin folder of the repository (a tracked `plugin.yaml`) installs
/// into Helm 3, which then still loads its plugins: a Helm-4-only folder
/// would break every `helm plugin` command ("unknown field apiVersion").
#[test]
fn every_plugin_folder_of_the_repository_loads_in_helm3() {
    let out = Command::new("git").args(["ls-files", "--cached", "--others", "--exclude-standard"]).current_dir(repo()).output().unwrap();
    let files = String::from_utf8(out.stdout).unwrap();
    let folders: Vec<&str> = files.lines().filter_map(|f| f.strip_suffix("plugin.yaml")).map(|d| d.trim_end_matches('/')).collect();
    assert!(folders.contains(&""), "the root plugin: {folders:?}");
    // The Helm 4 plugin exists only as a template, assembled into bin/.
    assert!(files.lines().any(|f| f == "helm4-plugins/polyaxon-pr/plugin.yaml.in"), "the Helm 4 plugin's template");
    let home = Home::new(3); // installs the root folder
    for folder in folders.iter().filter(|f| !f.is_empty()) {
        home.ok(home.helm().args(["plugin", "install"]).arg(repo().join(folder)).env("POLYAXON_HELM_LINK", "1"));
    }
    let listed = home.ok(home.helm().args(["plugin", "list"]));
    assert!(listed.lines().any(|l| l.starts_with("polyaxon\t") || l.starts_with("polyaxon ")), "{listed}");
    // What build.sh assembled for Helm 4 is a Helm 4 plugin, out of Helm 3's way.
    let assembled = std::fs::read_to_string(repo().join("bin/helm4-plugins/polyaxon-pr/plugin.yaml")).unwrap();
    assert!(
        assembled.contains("type: postrenderer/v1") && assembled.contains(&format!("version: {}\n", env!("CARGO_PKG_VERSION"))),
        "{assembled}"
    );
}
