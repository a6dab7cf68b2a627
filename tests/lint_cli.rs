//! `polyaxon-pr lint` as CI and people use it: exit codes, output formats
//! (SARIF checked by Microsoft's own validator), inputs, config, explain.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

fn lint(args: &[&str], dir: &Path) -> Output {
    Command::new(polyaxon_pr()).arg("lint").args(args).current_dir(dir).env_remove("NO_COLOR").output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polyaxon-lint-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const TYPO: &str = "email:\n  useTLS: true\n";
const WARNING_ONLY: &str = "ingress:\n  enabled: \"false\"\n";
const CLEAN: &str = "gateway:\n  replicas: 2\n";

#[test]
fn exit_codes() {
    let dir = scratch("exit", &[("typo.yaml", TYPO), ("warn.yaml", WARNING_ONLY), ("clean.yaml", CLEAN), ("broken.yaml", "a: [1\n")]);
    let code = |args: &[&str]| lint(args, &dir).status.code();
    assert_eq!(code(&["--no-config", "clean.yaml"]), Some(0));
    assert_eq!(code(&["--no-config", "typo.yaml"]), Some(1));
    assert_eq!(code(&["--no-config", "warn.yaml"]), Some(0));
    assert_eq!(code(&["--no-config", "--deny", "warnings", "warn.yaml"]), Some(1));
    assert_eq!(code(&["--no-config", "missing.yaml"]), Some(2));
    // A release that never was is an error; one newer than any known is judged as the newest, said so.
    assert_eq!(code(&["--no-config", "--chart-version", "1.10.7", "clean.yaml"]), Some(2));
    let newer = lint(&["--no-config", "--chart-version", "9.9", "clean.yaml"], &dir);
    assert_eq!(newer.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&newer.stderr).contains("warning: chart 9.9 is newer than any polyaxon-helm knows"));
    assert_eq!(code(&["--no-config", "--format", "xml", "clean.yaml"]), Some(2));
    let out = lint(&["--no-config", "broken.yaml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml:1:6: invalid YAML"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn json_output_has_the_documented_fields() {
    let dir = scratch("json", &[("values.yaml", TYPO)]);
    let out = lint(&["--no-config", "--format", "json", "--chart-version", "2.15.1", "values.yaml"], &dir);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["chart_version"], "2.15.1");
    assert!(report.get("knowledge").is_none(), "2.15.1's chart is public: {report}");
    // By default, the newest chart: known by inference, and the report says from what.
    let newest: serde_json::Value =
        serde_json::from_slice(&lint(&["--no-config", "--format", "json", "values.yaml"], &dir).stdout).unwrap();
    assert_eq!(newest["chart_version"], "2.18.0");
    assert_eq!(newest["knowledge"]["inferred"], true);
    assert!(newest["knowledge"]["source"].as_str().unwrap().contains("Polyaxon 2.18.0's deploy schema"), "{newest}");
    let d = &report["diagnostics"][0];
    let fields: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        ["code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column", "key", "help", "replacement", "fix"]
    );
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64(), d["end_column"].as_u64()),
        (Some("K005"), Some(2), Some(3), Some(9))
    );
    assert_eq!(d["replacement"], "email.useTls");
}

#[test]
fn github_annotations() {
    let dir = scratch("github", &[("values.yaml", TYPO)]);
    let out = lint(&["--no-config", "--format", "github", "--chart-version", "2.15.1", "values.yaml"], &dir);
    assert_eq!(
        stdout(&out),
        "::error file=values.yaml,line=2,col=3,endLine=2,endColumn=9,title=K005::unknown key `email.useTLS`: neither chart 2.15.1 nor Polyaxon reads it (help: did you mean `email.useTls`?)\n"
    );
}

#[test]
fn sarif_passes_microsofts_validator() {
    let validator = repo().join(".cache/sarif-multitool/package/Sarif.Multitool");
    assert!(validator.is_file(), "run scripts/setup.sh");
    let dir = scratch(
        "sarif",
        &[
            ("values.yaml", TYPO),
            ("ci/old.yaml", "api:\n  replicas: 1\npostgresql:\n  enabled: false\n"),
            ("quoted.yaml", "securityContext:\n  enabled: true\n  'user': 1000\n"),
        ],
    );
    let out = lint(&["--no-config", "--format", "sarif", "."], &dir);
    std::fs::write(dir.join("out.sarif"), &out.stdout).unwrap();
    let check = Command::new(&validator)
        .args(["validate", "out.sarif", "--output", "validation.sarif", "--log", "ForceOverwrite"])
        .current_dir(&dir)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success() && said.contains("Analysis completed successfully"), "{said}");
    assert!(!said.contains(": error ") && !said.contains("SARIF2005"), "{said}");
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(sarif["runs"][0]["columnKind"], "unicodeCodePoints");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "ci/old.yaml");
    // A key renamed where it stands comes with a fix: its text replaced by the new name.
    let typo = results.iter().find(|r| r["ruleId"] == "K005").unwrap();
    let replacement = &typo["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "useTls");
    assert_eq!(
        (replacement["deletedRegion"]["startColumn"].as_u64(), replacement["deletedRegion"]["endColumn"].as_u64()),
        (Some(3), Some(9))
    );
    // A quoted key: the region takes in its quotes.
    let quoted = results.iter().find(|r| r["ruleId"] == "K004").unwrap();
    let replacement = &quoted["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "runAsUser");
    assert_eq!(
        (replacement["deletedRegion"]["startColumn"].as_u64(), replacement["deletedRegion"]["endColumn"].as_u64()),
        (Some(3), Some(9))
    );
}

#[test]
fn human_output_is_plain_off_a_terminal_and_hides_secrets() {
    let text =
        "postgresql:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: db\n    password: hunter2-secret\n    prot: 5432\n";
    let dir = scratch("human", &[("values.yaml", text)]);
    let out = stdout(&lint(&["--no-config", "--chart-version", "2.15.1", "values.yaml"], &dir));
    assert!(!out.contains('\u{1b}'), "ANSI escapes in plain output");
    assert!(
        out.contains("K005 (unknown-key)")
            && out.contains("[values.yaml:7:5]")
            && out.contains("did you mean `externalServices.postgresql.port`?"),
        "{out}"
    );
    assert!(!out.contains("hunter2"), "a password was printed:\n{out}");
    assert!(out.ends_with("1 error, 0 warnings, 0 notes in 1 of 1 file (chart 2.15.1)\n"), "{out}");
}

#[test]
fn stdin_directories_and_multi_document_files() {
    let dir = scratch(
        "inputs",
        &[
            ("a/values.yaml", TYPO),
            ("a/.hidden/x.yaml", TYPO),
            ("a/vendor/y.yml", TYPO),
            ("b.yml", "email:\n  hots: x\n---\nemail:\n  prot: 1\n"),
        ],
    );
    let out = lint(&["--no-config", "--format", "github", "a", "b.yml"], &dir);
    let files: Vec<String> = stdout(&out).lines().map(|l| l.split(',').next().unwrap().to_string()).collect();
    assert_eq!(files, ["::error file=a/values.yaml", "::error file=b.yml", "::error file=b.yml"]);
    let mut child = Command::new(polyaxon_pr())
        .args(["lint", "--no-config", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), TYPO.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(stdout(&out).contains("\"file\": \"<stdin>\""));
}

#[test]
fn config_file_sets_the_target_and_ignores() {
    let config = "chart-version: 1.10.1\nignore: [quoted-boolean]\nper-path-ignores:\n  \"legacy/*.yaml\": [K005]\n";
    let dir = scratch(
        "config",
        &[
            (".polyaxon-lint.yaml", config),
            ("new.yaml", "securityContext:\n  runAsUser: 1\n"),
            ("warn.yaml", WARNING_ONLY),
            ("legacy/old.yaml", TYPO),
        ],
    );
    let out = lint(&["--format", "json", "."], &dir);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["chart_version"], "1.10.1");
    let codes: Vec<&str> = report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["K007"], "runAsUser is too new for 1.10.1; the rest is ignored");
    let out = lint(&["--no-config", "--format", "json", "."], &dir);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 2, "without the config: the typo and the quoted boolean");
}

#[test]
fn explain_prints_the_rule() {
    let out = Command::new(polyaxon_pr()).args(["explain", "unknown-key"]).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "K005 (unknown-key): neither the target chart nor Polyaxon reads this key\ndefault severity: error; fix: sometimes\n"
        ),
        "{text}"
    );
    let out = Command::new(polyaxon_pr()).args(["lint", "--explain", "K002"]).output().unwrap();
    assert!(stdout(&out).contains("renamed-key"));
    let out = Command::new(polyaxon_pr()).arg("explain").output().unwrap();
    assert_eq!(stdout(&out).lines().count(), polyaxon_helm::lint::rules::RULES.len());
    assert_eq!(Command::new(polyaxon_pr()).args(["explain", "Z999"]).output().unwrap().status.code(), Some(2));
}

/// The JSON report validates against the checked-in schema
/// (schemas/lint-report.schema.json), with check-jsonschema.
#[test]
fn json_output_matches_its_published_schema() {
    let dir = scratch("json-schema", &[("values.yaml", TYPO), ("w.yaml", WARNING_ONLY), ("clean.yaml", CLEAN)]);
    let out = lint(&["--no-config", "--format", "json", "."], &dir);
    std::fs::write(dir.join("report.json"), &out.stdout).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["fix"]["applicability"], "unsafe", "a did-you-mean is a guess: {report}");
    let check = Command::new(venv_tool("check-jsonschema"))
        .arg("--schemafile")
        .arg(repo().join("schemas/lint-report.schema.json"))
        .arg(dir.join("report.json"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
}

/// The help says what `--fix` does: a section that left is carried or
/// commented out, never "delete the key" while the fix keeps it.
#[test]
fn help_says_what_the_fix_does() {
    let files = [
        ("api.yaml", "api:\n  replicas: 2\n"),
        ("gone.yaml", "hpsearch:\n  replicas: 2\n"),
        ("dup.yaml", "email:\n  host: a\n  host: b\n"),
    ];
    let dir = scratch("help-fix", &files);
    for (file, _) in files {
        let out = lint(&["--no-config", "--format", "json", "--chart-version", "2.15.1", file], &dir);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let fixed: Vec<&serde_json::Value> = report["diagnostics"].as_array().unwrap().iter().filter(|d| d["fix"].is_object()).collect();
        assert!(!fixed.is_empty(), "{file}: {report}");
        for d in fixed {
            let help = d["help"].as_str().unwrap_or_default();
            assert!(!help.starts_with("delete the key"), "{file}: the help contradicts the fix: {d}");
        }
    }
    let out = lint(&["--no-config", "--chart-version", "2.15.1", "api.yaml"], &dir);
    assert!(String::from_utf8_lossy(&out.stdout).contains("help: carry `api`'s settings into `gateway`"), "{out:?}");
}
