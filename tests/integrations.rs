//! The linter inside other people's tools, each run for real: the GitHub
//! Action (action.yml validated against the Actions metadata schema with
//! check-jsonschema, and its shell steps run the way the runner runs them)
//! and the pre-commit hook (.pre-commit-hooks.yaml through the real
//! `pre-commit try-repo` on a throwaway git repository).
//!
//! Both build polyaxon-pr with cargo as a user's machine would; the builds
//! share this checkout's target/ through CARGO_TARGET_DIR.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use polyaxon_helm::yaml::{self, Node};

const TYPO: &str = "email:\n  useTLS: true\n";

/// `${{ … }}` expressions of a step, as the runner would expand them here.
fn expand(text: &str, context: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").expect("closed expression") + i;
        let expr = rest[i + 3..end].trim();
        out.push_str(context.get(expr).unwrap_or_else(|| panic!("unexpected expression `{expr}` in action.yml")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Runs the action's shell steps in `workspace` with `inputs` over the
/// defaults; returns (the last step's exit code, the outputs, all stdout).
fn run_action(workspace: &Path, inputs: &[(&str, &str)]) -> (i32, BTreeMap<String, String>, String) {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let action = yaml::parse_one(&text).unwrap().unwrap();
    let runner_temp = workspace.join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let (outputs_file, path_file) = (runner_temp.join("output"), runner_temp.join("path"));
    let mut context: BTreeMap<&str, String> = BTreeMap::new();
    for (name, spec) in action.get("inputs").and_then(Node::entries).unwrap() {
        let name = name.text().unwrap();
        let default = spec.get("default").and_then(Node::text).unwrap_or_default().to_string();
        let value = inputs.iter().find(|(k, _)| *k == name).map_or(default, |(_, v)| v.to_string());
        context.insert(Box::leak(format!("inputs.{name}").into_boxed_str()), value);
    }
    context.insert("github.action_path", repo().display().to_string());
    let mut log = String::new();
    let mut last = 0;
    for step in action.path(&["runs", "steps"]).and_then(Node::items).unwrap() {
        let Some(script) = step.get("run").and_then(Node::text) else {
            // `uses:` steps (the SARIF upload) need GitHub; check they take our report.
            let with = step.get("with").unwrap();
            assert_eq!(with.get("sarif_file").and_then(Node::text), Some("${{ inputs.sarif-file }}"));
            continue;
        };
        assert_eq!(step.get("shell").and_then(Node::text), Some("bash"), "every run step says its shell");
        let outputs = std::fs::read_to_string(&outputs_file).unwrap_or_default();
        if let Some(code) = outputs.lines().find_map(|l| l.strip_prefix("exit-code=")) {
            context.insert("steps.lint.outputs.exit-code", code.to_string());
        }
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &expand(script, &context)]);
        for (k, v) in step.get("env").and_then(Node::entries).unwrap_or_default() {
            cmd.env(k.text().unwrap(), expand(v.text().unwrap(), &context));
        }
        let out = cmd
            .current_dir(workspace)
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_OUTPUT", &outputs_file)
            .env("GITHUB_PATH", &path_file)
            .env("CARGO_TARGET_DIR", repo().join("target"))
            .output()
            .unwrap();
        log.push_str(&String::from_utf8_lossy(&out.stdout));
        last = out.status.code().unwrap_or(-1);
        let name = step.get("name").and_then(Node::text).unwrap_or_default();
        if name != "Fail on findings" {
            assert_eq!(last, 0, "step `{name}` failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let outputs = std::fs::read_to_string(&outputs_file).unwrap_or_default();
    let outputs = outputs.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    (last, outputs, log)
}

#[test]
fn github_action_validates_and_its_steps_lint_and_report() {
    let check = Command::new(venv_tool("check-jsonschema"))
        .args(["--builtin-schema", "vendor.github-actions"])
        .arg(repo().join("action.yml"))
        .output()
        .unwrap();
    assert!(check.status.success(), "action.yml against the Actions metadata schema: {}", String::from_utf8_lossy(&check.stdout));

    let workspace = scratch("action");
    std::fs::create_dir_all(workspace.join("deploy")).unwrap();
    std::fs::write(workspace.join("deploy/values.yaml"), TYPO).unwrap();
    let (code, outputs, log) = run_action(&workspace, &[("paths", "deploy"), ("chart-version", "2.15.1")]);
    assert_eq!(code, 1, "errors fail the job by default");
    assert_eq!(outputs.get("exit-code").map(String::as_str), Some("1"));
    assert!(log.contains("::error file=deploy/values.yaml,line=2,col=3"), "annotations: {log}");
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(workspace.join("polyaxon-lint.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "K005");
    assert!(PathBuf::from(std::fs::read_to_string(workspace.join("runner-temp/path")).unwrap().trim()).join("polyaxon-pr").is_file());

    let (code, _, _) = run_action(&workspace, &[("paths", "deploy"), ("fail-on", "never")]);
    assert_eq!(code, 0, "fail-on: never");
}

#[test]
fn pre_commit_hook_runs_through_real_pre_commit() {
    let dir = scratch("pre-commit");
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(&project).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "--quiet"]);
    std::fs::write(project.join("values.yaml"), TYPO).unwrap();
    std::fs::write(project.join("other.yaml"), "not: [polyaxon]\n").unwrap();
    git(&["add", "."]);
    let try_repo = || {
        Command::new(venv_tool("pre-commit"))
            .arg("try-repo")
            .arg(repo())
            .args(["polyaxon-lint", "--all-files", "--color", "never"])
            .current_dir(&project)
            .env("PRE_COMMIT_HOME", dir.join("cache"))
            .env("CARGO_TARGET_DIR", repo().join("target"))
            .output()
            .unwrap()
    };
    let out = try_repo();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("polyaxon-lint") && said.contains("Failed") && said.contains("K005 (unknown-key)"), "{said}");
    assert!(!said.contains("other.yaml"), "only values files are linted: {said}");

    std::fs::write(project.join("values.yaml"), "email:\n  useTls: true\n").unwrap();
    git(&["add", "."]);
    let out = try_repo();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("Passed"), "{said}");
}
