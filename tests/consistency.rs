//! The commands agree with each other and with their documentation: one
//! exit-code table (in `--help`, in the README, and true of the binary),
//! one way to say a file is missing, the same default path for `lint` and
//! `migrate`, a tip where a values file lacks its `-f`, directories walked
//! the same way, and `lint` saying which findings `--fix` fixes.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use polyaxon_helm::output::exit_codes;

/// Runs polyaxon-pr in `dir` with `stdin`: (exit code, stdout, stderr).
fn pr(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let out =
        run(Command::new(polyaxon_pr()).args(args).current_dir(dir).env("POLYAXON_PR_LOG", "/dev/null").env("HELM_BIN", helm(4)), stdin);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_exit_code_table_is_in_the_help_and_the_readme() {
    let (_, help, _) = pr(&repo(), &["--help"], "");
    assert!(help.trim_end().ends_with(&exit_codes::help_text()), "--help lacks the exit codes:\n{help}");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&exit_codes::markdown()),
        "README.md's exit-code table differs from src/output/exit_codes.rs; it is:\n{}",
        exit_codes::markdown()
    );
}

/// Each command's each documented code, from the binary.
#[test]
fn every_exit_code_in_the_table_is_what_the_binary_does() {
    let dir = scratch("consistency-exit-codes");
    std::fs::write(dir.join("values.yaml"), "securityContext:\n  enabled: true\n  user: 1000\n").unwrap();
    std::fs::write(dir.join("clean.yaml"), "securityContext:\n  enabled: true\n").unwrap();
    std::fs::write(dir.join("bad.yaml"), "securityContext:\n  enabled: [\n").unwrap();
    let stream = "---\n# Source: c/templates/job.yaml\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: b}]\n";
    let cases: &[(&str, &[&str], i32)] = &[
        ("post-render (no command)", &["--set", "securityContext.enabled=true"], 0),
        ("post-render (no command)", &["-f", "bad.yaml"], 1),
        ("post-render (no command)", &["--no-such-flag"], 2),
        ("template, install, upgrade", &["template", "pax", "/nonexistent-chart"], 1),
        ("template, install, upgrade", &["template", "--post-renderer", "x"], 1),
        ("values", &["values", "-f", "clean.yaml"], 0),
        ("values", &["values", "-f", "bad.yaml"], 1),
        ("values", &["values", "values.yaml"], 2),
        ("lint", &["lint", "--no-config", "clean.yaml"], 0),
        ("lint", &["lint", "--no-config"], 1),
        ("lint", &["lint", "--no-config", "bad.yaml"], 2),
        ("migrate", &["migrate", "--to", "2.15.1", "clean.yaml"], 0),
        ("migrate", &["migrate", "--to", "2.15.1"], 1),
        ("migrate", &["migrate", "--to", "0.0.0"], 2),
        ("explain", &["explain", "K001"], 0),
        ("explain", &["explain", "Z999"], 2),
        ("schema", &["schema", "--chart-version", "1.10"], 0),
        ("schema", &["schema", "--chart-version", "0.0.0"], 2),
        ("path, completions", &["path"], 0),
        ("path, completions", &["completions", "nosh"], 2),
    ];
    for (command, args, code) in cases {
        let row = exit_codes::EXIT_CODES.iter().find(|r| r.command == *command).expect("a row of the table");
        assert_ne!(row.codes[*code as usize], "–", "{command}: code {code} is not in the table");
        let (got, out, err) = pr(&dir, args, stream);
        assert_eq!(got, *code, "polyaxon-pr {args:?} ({command}): {err}");
        if *command == "post-render (no command)" && *code != 0 {
            assert!(out.is_empty(), "nothing on stdout on error: {out}");
        }
    }
    // Every row is exercised.
    for row in exit_codes::EXIT_CODES {
        assert!(cases.iter().any(|(c, _, _)| *c == row.command), "no case for {}", row.command);
    }
}

#[test]
fn a_missing_file_is_said_the_same_way_everywhere() {
    let dir = scratch("consistency-missing");
    let said = "nofile.yaml: no such file or directory";
    for args in [
        &["lint", "nofile.yaml"][..],
        &["lint", "--config", "nofile.yaml", "x"],
        &["migrate", "--to", "2.15.1", "nofile.yaml"],
        &["values", "-f", "nofile.yaml"],
        &["-f", "nofile.yaml"],
    ] {
        let (code, _, err) = pr(&dir, args, "");
        assert!(code != 0 && err.lines().next().is_some_and(|l| l.ends_with(&format!("error: {said}"))), "{args:?}: {err}");
    }
    let (_, _, err) = pr(&dir, &["--set-file", "a=nofile.yaml"], "");
    assert!(err.starts_with("polyaxon-pr: error: argument `--set-file (argument 1)`: nofile.yaml: no such file or directory\n"), "{err}");
}

/// `lint` and `migrate` both default to ./values.yaml.
#[test]
fn lint_and_migrate_default_to_values_yaml() {
    let dir = scratch("consistency-default");
    let (lint, _, err) = pr(&dir, &["lint", "--no-config"], "");
    let (migrate, _, err2) = pr(&dir, &["migrate", "--to", "2.15.1"], "");
    assert_eq!((lint, migrate), (2, 2));
    assert_eq!(err.lines().next(), err2.lines().next(), "the same message");
    assert_eq!(err.lines().next(), Some("polyaxon-pr: error: values.yaml: no such file or directory"));
    std::fs::write(dir.join("values.yaml"), "securityContext:\n  user: 1000\n").unwrap();
    let (code, diff, _) = pr(&dir, &["migrate", "--to", "2.15.1"], "");
    assert_eq!(code, 1);
    assert!(diff.contains("+  runAsUser: 1000"), "{diff}");
}

#[test]
fn a_values_file_without_its_f_gets_a_tip() {
    for args in [&["values", "values.yaml"][..], &["values.yaml"], &["--set", "a=1", "values.yaml"]] {
        let (code, out, err) = pr(&repo(), args, "");
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}");
        assert!(err.contains("tip: values files are given with -f, as to Helm: `-f values.yaml`"), "{args:?}: {err}");
    }
}

/// A manifest in a directory is skipped with a note; named, it is an error.
#[test]
fn migrate_and_lint_fix_skip_what_a_directory_holds_besides_values() {
    let dir = scratch("consistency-dir");
    std::fs::write(dir.join("manifest.yaml"), "kind: ConfigMap\n---\nkind: Secret\n").unwrap();
    std::fs::write(dir.join("values.yaml"), "securityContext:\n  user: 1000\n").unwrap();
    let (code, diff, err) = pr(&dir, &["migrate", "--to", "2.15.1", "."], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("polyaxon-pr: skipped ./manifest.yaml: "), "{err}");
    assert!(diff.contains("+  runAsUser: 1000"), "the values file is migrated: {diff}");
    let (code, _, err) = pr(&dir, &["migrate", "--to", "2.15.1", "manifest.yaml"], "");
    assert_eq!(code, 2, "{err}");
    let (_, _, err) = pr(&dir, &["lint", "--no-config", "--fix", "."], "");
    assert!(err.contains("polyaxon-pr: skipped ./manifest.yaml: "), "{err}");
    assert!(
        err.contains("./values.yaml:2:3: K004 `securityContext.user` -> `securityContext.runAsUser` [fixed]"),
        "--fix says which: {err}"
    );
}

/// The human report marks exactly what `--fix` then fixes.
#[test]
fn lint_marks_what_fix_fixes() {
    let dir = scratch("consistency-marks");
    std::fs::copy(repo().join("testdata/lint/keys-2.15.1.yaml"), dir.join("values.yaml")).unwrap();
    let (_, report, _) = pr(&dir, &["lint", "--no-config", "--color", "never"], "");
    let marked: Vec<&str> = report.lines().filter(|l| l.ends_with(" [*]")).collect();
    assert!(!marked.is_empty(), "{report}");
    assert!(report.trim_end().ends_with(&format!("[*] {} fixable with `polyaxon-pr lint --fix`", marked.len())), "{report}");
    let (_, _, fixed) = pr(&dir, &["lint", "--no-config", "--fix", "--color", "never"], "");
    // Each marked finding's code is among the fixes, and the findings left are the unmarked ones.
    let (_, after, _) = pr(&dir, &["lint", "--no-config", "--color", "never"], "");
    let codes = |text: &str| {
        text.lines()
            .filter(|l| l.len() > 4 && l.as_bytes()[0].is_ascii_uppercase() && l.contains(" ("))
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let unmarked: Vec<String> =
        report.lines().filter(|l| !l.ends_with(" [*]")).collect::<Vec<_>>().join("\n").lines().map(str::to_string).collect();
    assert_eq!(codes(&after), codes(&unmarked.join("\n")), "what is left is what was not marked\n{report}\n{after}");
    for line in &marked {
        let code = line.split(' ').next().unwrap();
        assert!(fixed.contains(&format!(": {code} ")), "{code} marked but not fixed: {fixed}");
    }
    assert!(!after.contains("[*]"), "{after}");
}
