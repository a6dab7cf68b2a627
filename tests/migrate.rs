//! `migrate` on every CI values file of the corpus and every old version's
//! defaults, to 2.15.1: it is idempotent, loses no value (every scalar of the
//! input is still in the output, active or commented out), leaves no key
//! error but the unsafe fixes it reports, and makes progress against
//! Polyaxon's own 2.15.1 validator (never more errors, never an accepted
//! file rejected). Then Helm itself (a chart whose template is `toJson
//! .Values`) shows that each renamed key carries the same value to the new
//! chart as the old key did; and the CLI writes atomically, or not at all.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::lint::lint_text;
use polyaxon_helm::lint::rules::Severity;
use polyaxon_helm::migrate::{migrate, Migration};
use polyaxon_helm::yaml::{self, Node};

fn inputs() -> Vec<PathBuf> {
    let corpus = corpus();
    let mut files = Vec::new();
    for dir in ["values/ci", "values/defaults"] {
        for e in std::fs::read_dir(corpus.join(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if (name.ends_with(".yml") || name.ends_with(".yaml")) && !name.starts_with("values-2.15.1") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Every scalar value's text in a document (keys may be renamed).
fn scalars(node: &Node, out: &mut Vec<String>) {
    if let Some(t) = node.text() {
        if !t.is_empty() {
            out.push(t.to_string());
        }
    }
    for (_, v) in node.entries().unwrap_or_default() {
        scalars(v, out);
    }
    for item in node.items().unwrap_or_default() {
        scalars(item, out);
    }
}

fn validate(files: &[PathBuf]) -> Vec<usize> {
    validator_errors("2.15.1", files).into_iter().map(|e| e.len()).collect()
}

/// What Polyaxon's validator `version` reports on each file: (loc, type).
fn validator_errors(version: &str, files: &[PathBuf]) -> Vec<Vec<(String, String)>> {
    // One list per call: tests run in parallel in this process, two of them for the same version.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let list = std::env::temp_dir().join(format!("polyaxon-migrate-{}-{call}-{version}.list", std::process::id()));
    std::fs::write(&list, files.iter().map(|f| format!("{}\n", f.display())).collect::<String>()).unwrap();
    let out = Command::new(venv_python(&format!("polyaxon-{version}")))
        .arg(repo().join("scripts/polyaxon-validate.py"))
        .args(["--fast-yaml", "--files-from"])
        .arg(&list)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            // Whole-file rules differ only by their message.
            let kind = |e: &serde_json::Value| match e["loc"].as_str().unwrap() {
                "" => format!("{}: {}", e["type"].as_str().unwrap(), e["msg"].as_str().unwrap()),
                _ => e["type"].as_str().unwrap().to_string(),
            };
            v["errors"].as_array().unwrap().iter().map(|e| (e["loc"].as_str().unwrap().to_string(), kind(e))).collect()
        })
        .collect()
}

/// A 2.15 deployment on RabbitMQ, with every RabbitMQ setting there was.
const RABBITMQ_KITCHEN_SINK: &str = r#"broker: rabbitmq
rabbitmq:
  enabled: true
  auth:
    username: polyaxon
    password: plant-amqp-pw
  persistence:
    enabled: true
redis:
  enabled: true
  nonBroker: true
scheduler:
  enabled: true
  celery:
    confirmPublish: true
worker:
  enabled: true
  celery:
    confirmPublish: false
    brokerPoolLimit: 10
compiler:
  celery:
    confirmPublish: true
externalServices:
  rabbitmq:
    host: amqp.example.com
    port: 5672
    user: polyaxon
    password: plant-ext-pw
"#;

#[test]
fn every_2x_file_migrates_from_2_15_1_to_2_18_0() {
    let target = Catalog::get().resolve("2.18.0").unwrap();
    let scratch = scratch("migrate-2.18");
    let sink = scratch.join("rabbitmq-kitchen-sink.yaml");
    std::fs::write(&sink, RABBITMQ_KITCHEN_SINK).unwrap();
    let mut files: Vec<PathBuf> = inputs()
        .into_iter()
        .filter(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            name.contains("@2.") || name.starts_with("values-2.")
        })
        .collect();
    files.push(corpus().join("values/defaults/values-2.15.1.yaml"));
    files.push(sink.clone());
    let mut migrated = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file.display().to_string();
        // --unsafe-fixes for the kitchen sink: it has no redis broker, the decision is to turn one on.
        let m = migrate(&shown, &text, target, *file == sink, &|_| false).unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert_eq!(migrate(&shown, &m.text, target, *file == sink, &|_| false).unwrap().text, m.text, "{shown}: not idempotent");
        let mut before = Vec::new();
        if let Some(root) = yaml::parse_one(&text).unwrap() {
            scalars(&root, &mut before);
        }
        for s in before.iter().filter(|s| !s.contains('\n')) {
            assert!(m.text.contains(s.as_str()), "{shown}: `{s}` was lost");
        }
        let out = scratch.join(format!("{i}-{}", file.file_name().unwrap().to_string_lossy()));
        std::fs::write(&out, &m.text).unwrap();
        migrated.push(out);
    }
    let (before, after) = (validator_errors("2.15.1", &files), validator_errors("2.18.0", &migrated));
    let mut new_errors = 0;
    for ((file, b), a) in files.iter().zip(&before).zip(&after) {
        let fresh: Vec<_> = a.iter().filter(|e| !b.contains(e)).collect();
        assert!(fresh.is_empty(), "{}: the 2.18.0 validator reports {fresh:?}, which 2.15.1's did not on the original", file.display());
        new_errors += fresh.len();
    }
    let kitchen = std::fs::read_to_string(migrated.last().unwrap()).unwrap();
    assert!(
        kitchen.contains("broker: redis") && kitchen.contains("# rabbitmq:") && kitchen.contains("#   password: plant-ext-pw"),
        "{kitchen}"
    );
    eprintln!(
        "{} 2.x files and a RabbitMQ kitchen sink migrated to 2.18.0: Polyaxon errors {} (2.15.1 on the originals) -> {} (2.18.0 on the results), {new_errors} new",
        files.len() - 1,
        before.iter().map(Vec::len).sum::<usize>(),
        after.iter().map(Vec::len).sum::<usize>()
    );
}

#[test]
fn every_ci_file_and_old_default_migrates_to_2_15_1() {
    let target = Catalog::get().resolve("2.15.1").unwrap();
    let scratch = scratch("migrate");
    let files = inputs();
    assert!(files.len() > 250, "{}", files.len());
    let mut migrated_files = Vec::new();
    let (mut fixed, mut commented) = (0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file.display().to_string();
        let m: Migration = migrate(&shown, &text, target, false, &|_| false).unwrap_or_else(|e| panic!("{shown}: {e}"));
        fixed += m.fixes.iter().filter(|f| f.applied).count();
        commented += m.text.matches("# polyaxon-helm migrate:").count();
        // Idempotent.
        let again = migrate(&shown, &m.text, target, false, &|_| false).unwrap();
        assert_eq!(again.text, m.text, "{shown}: a second migration changes it");
        // Nothing lost: every scalar of the input is in the output.
        let mut before = Vec::new();
        if let Some(root) = yaml::parse_one(&text).unwrap() {
            scalars(&root, &mut before);
        }
        for s in before.iter().filter(|s| !s.contains('\n')) {
            assert!(m.text.contains(s.as_str()), "{shown}: `{s}` was lost");
        }
        // No key error left but what was reported as unsafe.
        let pending: Vec<&str> = m.pending().map(|f| f.key.as_str()).collect();
        let reported = |key: &str| pending.iter().any(|p| *p == key || p.strip_prefix(key).is_some_and(|rest| rest.starts_with('.')));
        for d in lint_text(&m.text, target).unwrap() {
            let catalog_error =
                d.severity == Severity::Error && matches!(d.code.as_str(), "K001" | "K002" | "K003" | "K004" | "K007" | "K008");
            assert!(!catalog_error || reported(&d.key), "{shown}: after migration {} {} ({})", d.code, d.key, d.message);
        }
        let out = scratch.join(file.file_name().unwrap());
        std::fs::write(&out, &m.text).unwrap();
        migrated_files.push(out);
    }
    assert!(fixed > 1000 && commented > 500, "{fixed} fixes, {commented} commented out");
    // Polyaxon's own 2.15.1 validator: never worse, better overall.
    let (before, after) = (validate(&files), validate(&migrated_files));
    for ((file, b), a) in files.iter().zip(&before).zip(&after) {
        assert!(a <= b, "{}: {b} validator errors before, {a} after", file.display());
    }
    let (b, a): (usize, usize) = (before.iter().sum(), after.iter().sum());
    assert!(a * 2 < b, "validator errors: {b} before, {a} after");
    eprintln!(
        "{} files: {fixed} fixes applied, {commented} settings commented out; Polyaxon 2.15.1 validator errors {b} -> {a}",
        files.len()
    );
}

/// The values Helm's templates see, as JSON (Helm 4, `toJson .Values`).
fn helm_values(file: &Path) -> serde_json::Value {
    let out = Command::new(helm(4))
        .args(["template", "probe"])
        .arg(repo().join("testdata/values-probe/chart"))
        .arg("-f")
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "helm: {}", String::from_utf8_lossy(&out.stderr));
    let rendered = String::from_utf8(out.stdout).unwrap();
    let doc = yaml::parse_all(&rendered).unwrap().into_iter().find(|d| d.get("data").is_some()).unwrap();
    serde_json::from_str(doc.path(&["data", "values.json"]).and_then(Node::text).unwrap()).unwrap()
}

fn at<'a>(json: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(json, |v, seg| v.get(seg))
}

#[test]
fn renamed_keys_carry_the_same_value_to_helm() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("migrate-helm");
    std::fs::create_dir_all(&scratch).unwrap();
    let target = Catalog::get().resolve("2.15.1").unwrap();
    let original = r#"# before
securityContext:
  enabled: true
  user: 1000      # uid
  group: "2000"
postgresql:
  enabled: false
  postgresqlUsername: px
  postgresqlPassword: 'p@ss:0644'
  postgresqlDatabase: polyaxon
email:
  use_tls: yes
rabbitmq-ha:
  enabled: false
timeZone: UTC
"#;
    let m = migrate("values.yaml", original, target, false, &|_| false).unwrap();
    let renames: BTreeMap<&str, &str> =
        m.fixes.iter().filter(|f| f.applied).filter_map(|f| Some((f.key.as_str(), f.to.as_deref()?))).collect();
    assert!(renames.len() >= 7, "{renames:?}\n{}", m.text);
    let (a, b) = (scratch.join("original.yaml"), scratch.join("migrated.yaml"));
    std::fs::write(&a, original).unwrap();
    std::fs::write(&b, &m.text).unwrap();
    let (before, after) = (helm_values(&a), helm_values(&b));
    for (old, new) in &renames {
        assert_eq!(at(&before, old), at(&after, new), "`{old}` -> `{new}` changed what Helm reads");
        assert!(at(&after, old).is_none(), "`{old}` is still set");
    }
    assert!(m.text.starts_with("# before\n") && m.text.contains("runAsUser: 1000      # uid"), "comments kept:\n{}", m.text);
}

#[test]
fn the_cli_diffs_by_default_and_writes_atomically() {
    let dir = scratch("migrate-cli");
    let file = dir.join("values.yaml");
    let text = "securityContext:\n  enabled: true\n  user: 1000\nexternalServices:\n  postgresql:\n    password: hunter2-secret\nemail:\n  hots: smtp\n";
    std::fs::write(&file, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = |args: &[&str]| Command::new(polyaxon_pr()).arg("migrate").args(args).arg(&file).output().unwrap();
    let out = run(&["--to", "2.15.1"]);
    assert_eq!(out.status.code(), Some(1), "changes pending");
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.contains("-  user: 1000\n+  runAsUser: 1000\n") && !diff.contains("hunter2"), "{diff}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("K005 `email.hots` -> `email.host` [unsafe, not applied (--unsafe-fixes)]"), "{said}");
    assert!(said.contains("`securityContext.user` -> `securityContext.runAsUser` [would fix]"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text, "nothing written without --write");

    let out = run(&["--to", "2.15.1", "--write"]);
    assert_eq!(out.status.code(), Some(1), "an unsafe fix is still pending");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("  runAsUser: 1000\n") && written.contains("hots: smtp"), "{written}");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o640, "permissions kept");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");

    let out = run(&["--to", "2.15.1", "--write", "--unsafe-fixes"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&file).unwrap().contains("  host: smtp\n"));
    // Broken YAML: a located error, the file untouched.
    std::fs::write(&file, "email: [\n").unwrap();
    let out = run(&["--to", "2.15.1", "--write"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("values.yaml:1:9: invalid YAML"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "email: [\n");

    // Through a symbolic link: the file it points at is rewritten, the link stays a link.
    std::fs::create_dir_all(dir.join("store")).unwrap();
    std::fs::write(dir.join("store/real.yaml"), text).unwrap();
    let link = dir.join("linked.yaml");
    std::os::unix::fs::symlink("store/real.yaml", &link).unwrap();
    let out = Command::new(polyaxon_pr()).args(["migrate", "--to", "2.15.1", "--write"]).arg(&link).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced by a file");
    assert!(std::fs::read_to_string(dir.join("store/real.yaml")).unwrap().contains("  runAsUser: 1000\n"));
    assert_eq!(std::fs::read_dir(dir.join("store")).unwrap().count(), 1, "no temporary file left");

    // Another user's file rewritten by root (CI runs as root): the owner stays.
    use std::os::unix::fs::MetadataExt;
    let theirs = dir.join("theirs.yaml");
    std::fs::write(&theirs, text).unwrap();
    if std::os::unix::fs::chown(&theirs, Some(4321), Some(4322)).is_ok() {
        let out = Command::new(polyaxon_pr()).args(["migrate", "--to", "2.15.1", "--write"]).arg(&theirs).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        let meta = std::fs::metadata(&theirs).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (4321, 4322), "owner changed");
        assert!(std::fs::read_to_string(&theirs).unwrap().contains("  runAsUser: 1000\n"));
    }
}

#[test]
fn credentials_commented_out_stay_masked_in_the_diff() {
    let dir = scratch("migrate-masked");
    let file = dir.join("values.yaml");
    // privateRegistries left the values file in 0.5: migrate comments it out,
    // and a commented line is no longer under a key the masking knows.
    std::fs::write(
        &file,
        r#"privateRegistries:
  - host: my.registry.com
    user: _json_key
    password: '{"type": "service_account", "private_key": "Zq8vLk3Tn"}'
  - "user-foo:tKV9DYsxrwfiY85@cloud.somewhere.io:5000"
"#,
    )
    .unwrap();
    let out = Command::new(polyaxon_pr()).args(["migrate", "--to", "2.15.1"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.contains("+# privateRegistries:"), "{diff}");
    for secret in ["Zq8vLk3Tn", "tKV9DYsxrwfiY85"] {
        assert!(!diff.contains(secret), "{secret} shown:\n{diff}");
    }
}

#[test]
fn lint_fix_applies_the_safe_fixes_then_reports_the_rest() {
    let dir = scratch("lint-fix");
    std::fs::write(dir.join("values.yaml"), "securityContext:\n  enabled: true\n  user: 1000\n  group: 1000\nemail:\n  hots: smtp\n")
        .unwrap();
    let out = Command::new(polyaxon_pr())
        .args(["lint", "--no-config", "--fix", "--format", "json", "values.yaml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["K005"], "only the guess is left: {report}");
    assert!(std::fs::read_to_string(dir.join("values.yaml")).unwrap().contains("runAsGroup: 1000"));
}

#[test]
fn lint_fix_leaves_what_the_configuration_ignores() {
    let dir = scratch("lint-fix-config");
    std::fs::write(dir.join(".polyaxon-lint.yaml"), "ignore: [K004]\n").unwrap();
    std::fs::write(dir.join("values.yaml"), "securityContext:\n  enabled: true\n  user: 1000\nintegrations:\n  slack: []\n").unwrap();
    let out = Command::new(polyaxon_pr()).args(["lint", "--fix", "values.yaml"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let fixed = std::fs::read_to_string(dir.join("values.yaml")).unwrap();
    assert!(fixed.contains("\n  user: 1000\n"), "an ignored finding was fixed:\n{fixed}");
    assert!(fixed.contains("# integrations:\n"), "the rest was not:\n{fixed}");
}

#[test]
fn lint_fix_writes_what_migrate_writes() {
    let dir = scratch("lint-fix-same");
    let text = "securityContext:\n  enabled: true\n  user: 1000\n  user: 2000\nemail:\n  password: x\npersistence:\n  data:\n    d:\n      existingClaim: d\n      mountPath: /d\napi:\n  replicas: 2\n";
    for name in ["a.yaml", "b.yaml"] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let migrate = Command::new(polyaxon_pr()).args(["migrate", "--to", "2.15.1", "--write", "a.yaml"]).current_dir(&dir).output().unwrap();
    assert_eq!(migrate.status.code(), Some(0), "{}", String::from_utf8_lossy(&migrate.stderr));
    let lint = Command::new(polyaxon_pr())
        .args(["lint", "--no-config", "--chart-version", "2.15.1", "--fix", "b.yaml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let (a, b) = (std::fs::read_to_string(dir.join("a.yaml")).unwrap(), std::fs::read_to_string(dir.join("b.yaml")).unwrap());
    assert_ne!(a, text);
    assert_eq!(a, b, "lint --fix and migrate --write differ; lint said:\n{}", String::from_utf8_lossy(&lint.stderr));
    // lint --fix says which fixes it applied, one line each.
    let said = String::from_utf8_lossy(&lint.stderr);
    assert!(said.contains("K006 the earlier `securityContext.user` commented out") && said.contains("[fixed]"), "{said}");
}

#[test]
fn what_is_not_a_regular_file_is_named() {
    let dir = scratch("not-a-file");
    let fifo = dir.join("pipe.yaml");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for (path, said) in
        [(fifo.as_path(), "a FIFO (named pipe), not a regular file"), (Path::new("/dev/null"), "a device, not a regular file")]
    {
        for args in [&["lint", "--no-config"][..], &["migrate", "--to", "2.15.1"][..]] {
            let out = Command::new(polyaxon_pr()).args(args).arg(path).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?} {}: {stderr}", path.display());
            assert!(stderr.contains(said) && !stderr.contains("no such file"), "{args:?} {}: {stderr}", path.display());
        }
    }
    let missing = Command::new(polyaxon_pr()).args(["migrate", "--to", "2.15.1"]).arg(dir.join("gone.yaml")).output().unwrap();
    assert!(String::from_utf8_lossy(&missing.stderr).contains("gone.yaml: no such file or directory"));
}

#[test]
fn a_write_that_fails_is_reported_as_not_written() {
    let dir = scratch("write-fails");
    let file = dir.join("values.yaml");
    let text = "securityContext:\n  enabled: true\n  user: 1000\n";
    std::fs::write(&file, text).unwrap();
    // An immutable directory: nothing can be created in it, not even by root (CI runs as root).
    if !Command::new("chattr").arg("+i").arg(&dir).status().is_ok_and(|s| s.success()) {
        panic!("chattr +i is needed to make a directory nobody can write to (e2fsprogs)");
    }
    let out = Command::new(polyaxon_pr()).args(["migrate", "--to", "2.15.1", "--write"]).arg(&file).output().unwrap();
    Command::new("chattr").arg("-i").arg(&dir).status().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("[would fix]") && !said.contains("[fixed]") && said.contains("cannot rewrite"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}
