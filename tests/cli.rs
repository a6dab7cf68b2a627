//! The binary's contract with Helm: exit codes, stdout empty on error,
//! located messages, pass-through without values.

mod common;

use std::process::Command;

use common::*;

fn invoke(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = run(Command::new(polyaxon_pr()).args(args).env("POLYAXON_PR_LOG", "/dev/null"), stdin);
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

const STREAM: &str = "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\ndata: {a: 'x'}\n---\n# Source: c/templates/job.yaml\nkind: Job\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: b}]\n";

#[test]
fn without_values_input_passes_through_and_it_says_so() {
    let (code, out, err) = invoke(&[], STREAM);
    assert_eq!((code, out.as_str()), (0, STREAM));
    assert!(err.contains("no values given"), "{err}");
}

#[test]
fn invalid_yaml_in_a_workload_is_located_and_prints_nothing() {
    let broken = STREAM.replace("[{name: a, image: b}]", "[{name: a, image: b}");
    let (code, out, err) = invoke(&["--set", "securityContext.enabled=true"], &broken);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.starts_with("polyaxon-pr: error: <stdin>:11:39: document 2 (c/templates/job.yaml): invalid YAML"), "{err}");
}

#[test]
fn unreadable_values_file_is_an_error() {
    let (code, out, err) = invoke(&["-f", "/nonexistent/values.yaml"], STREAM);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.starts_with("polyaxon-pr: error: /nonexistent/values.yaml: no such file or directory\n"), "{err}");
}

#[test]
fn non_utf8_input_is_an_error() {
    let bytes = std::env::temp_dir().join(format!("polyaxon-latin1-{}", std::process::id()));
    std::fs::write(&bytes, b"kind: Job\nname: caf\xe9\n").unwrap();
    let out = Command::new(polyaxon_pr()).env("POLYAXON_PR_LOG", "/dev/null").stdin(std::fs::File::open(&bytes).unwrap()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the manifests on stdin"));
}

#[test]
fn usage_errors_exit_2() {
    let (code, out, _) = invoke(&["--no-such-flag"], STREAM);
    assert_eq!(code, 2);
    assert!(out.is_empty());
}

#[test]
fn a_misspelt_key_a_transform_reads_is_a_located_warning() {
    let (code, out, err) = invoke(&["--set", "securityContext.enable=true"], STREAM);
    assert_eq!((code, out.as_str()), (0, STREAM));
    assert!(
        err.contains(
            "warning: argument `--set securityContext.enable`: `securityContext.enable` is not a key polyaxon-pr or chart 2.18.0 reads (did you mean `securityContext.enabled`?); the security-context transform stays off"
        ),
        "{err}"
    );
    let dir = std::env::temp_dir().join(format!("polyaxon-pr-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let values = dir.join("values.yaml");
    std::fs::write(&values, "dns:\n  backend: coredns\n  prefx: coredns.kube-system\n").unwrap();
    let (code, _, err) = invoke(&["-f", values.to_str().unwrap()], STREAM);
    assert_eq!(code, 0);
    assert!(err.contains(&format!("{}:3:10: `dns.prefx` is not a key", values.display())), "{err}");
    // The dns transform runs (backend is set): no "stays off".
    assert!(err.contains("(did you mean `dns.prefix`?)\n"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The committed completions and man page are what the CLI generates now
/// (scripts/gen-completions.sh regenerates them).
#[test]
fn completions_and_man_page_are_in_sync_with_the_cli() {
    let generate = |args: &[&str]| {
        let out = Command::new(polyaxon_pr()).args(args).env_remove("POLYAXON_PR_COMMAND").output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let committed = std::fs::read_to_string(repo().join(format!("contrib/completions/polyaxon-pr.{shell}"))).unwrap();
        assert!(
            committed == generate(&["completions", shell]),
            "contrib/completions/polyaxon-pr.{shell} is stale: run scripts/gen-completions.sh"
        );
    }
    let man = std::fs::read_to_string(repo().join("contrib/man/polyaxon-pr.1")).unwrap();
    assert!(man == generate(&["man"]), "contrib/man/polyaxon-pr.1 is stale: run scripts/gen-completions.sh");
    assert!(generate(&["completions", "bash"]).contains("lint"), "subcommands are completed");
}

/// Through the Helm plugin the CLI names itself `helm polyaxon`.
#[test]
fn through_helm_the_messages_name_helm_polyaxon() {
    let out = Command::new(polyaxon_pr()).args(["explain", "Z999"]).env("POLYAXON_PR_COMMAND", "helm polyaxon").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "helm polyaxon: error: unknown rule `Z999`; `helm polyaxon explain` lists them\n");
    let out = Command::new(polyaxon_pr()).arg("--help").env("POLYAXON_PR_COMMAND", "helm polyaxon").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Usage: helm polyaxon [OPTIONS]") && help.starts_with("`helm polyaxon`: the polyaxon-pr Helm plugin"), "{help}");
}

/// At a terminal with nothing piped in, it shows its usage instead of
/// waiting on stdin (a pseudo-terminal from util-linux `script`).
#[test]
fn at_a_terminal_without_input_it_prints_help() {
    let out = Command::new("script")
        .args(["-qec", &format!("{} < /dev/tty", polyaxon_pr().display()), "/dev/null"])
        .env("POLYAXON_PR_LOG", "/dev/null")
        .output()
        .expect("util-linux script");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("Usage:") && shown.contains("polyaxon-pr"), "{shown}");
}

/// With arguments at a terminal, it says it is waiting for the manifests.
#[test]
fn at_a_terminal_with_values_it_says_it_reads_stdin() {
    let out = Command::new("script")
        .args(["-qec", &format!("{} --set a=1 < /dev/tty", polyaxon_pr().display()), "/dev/null"])
        .env("POLYAXON_PR_LOG", "/dev/null")
        .output()
        .expect("util-linux script");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.starts_with("polyaxon-pr: waiting for manifests on stdin (pipe them in, or end with Ctrl-D)"), "{shown}");
}

#[test]
fn empty_input_says_there_was_none() {
    for input in ["", "\n"] {
        let (code, out, err) = invoke(&["--set", "dns.backend=coredns"], input);
        assert_eq!((code, out.as_str()), (0, input));
        assert_eq!(err, "polyaxon-pr: no manifests on stdin (the input was empty): nothing to post-render\n");
    }
    // Values are still read, and their errors are still errors.
    let (code, out, err) = invoke(&["-f", "/nonexistent/values.yaml"], "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("/nonexistent/values.yaml"), "{err}");
}

/// Every flag the wrapper takes for polyaxon-pr is in `help template`, with
/// the text of the top-level help; `path` is a listed command.
#[test]
fn the_wrappers_own_flags_and_path_are_in_the_help() {
    let help = |args: &[&str]| String::from_utf8(Command::new(polyaxon_pr()).args(args).output().unwrap().stdout).unwrap();
    let top = help(&["--help"]);
    assert!(top.contains("\n  path ") && top.contains("Usage: polyaxon-pr [OPTIONS] < manifests.yaml > out.yaml"), "{top}");
    for command in ["template", "install", "upgrade"] {
        let sub = help(&["help", command]);
        let own = sub.split_once("polyaxon-pr's own flags").map(|(_, own)| own.to_string()).unwrap_or_default();
        for flag in polyaxon_helm::helm::OWN_FLAGS {
            let line = top.lines().skip_while(|l| !l.trim_start().starts_with(flag)).nth(1).unwrap().trim();
            assert!(own.contains(flag) && own.contains(line), "`help {command}` lacks {flag}: {line}\n{sub}");
        }
    }
}

/// `helm polyaxon template --help` (where `--help` belongs to Helm) prints
/// the wrapper's help, then Helm's.
#[test]
fn template_help_shows_the_own_flags_then_helms() {
    let out = Command::new(polyaxon_pr())
        .args(["template", "--help"])
        .env("HELM_BIN", helm(4))
        .env("POLYAXON_PR_COMMAND", "helm polyaxon")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    let own = help.find("--drop-builtin <SERVICE>").expect("own flags");
    let helms = help.find("Helm's help for `helm template`:").expect("Helm's help announced");
    let theirs = help.find("Render chart templates locally").expect("Helm's help");
    assert!(help.starts_with("Run `helm template` with polyaxon-pr attached") && own < helms && helms < theirs, "{help}");
    assert!(help.contains("Usage: helm polyaxon template [ARGS]..."), "{help}");
}

#[test]
fn path_prints_the_binary() {
    let (code, out, _) = invoke(&["path"], "");
    assert_eq!((code, out.trim_end()), (0, polyaxon_pr().canonicalize().unwrap().to_str().unwrap()));
}

/// Post-render messages and diffs follow `--color` (and NO_COLOR) like the
/// lint report; at a terminal a long warning is wrapped and its list cut
/// short, while pipes and the log keep it whole.
#[test]
fn warnings_and_diffs_are_coloured_and_short_at_a_terminal() {
    let render = corpus().join("rendered/v2.15.1/defaults.yaml");
    let external = "externalServices.postgresql.host=pg,externalServices.postgresql.password=x";
    let stream = std::fs::read_to_string(&render).unwrap();
    let (_, err) = post_render(&stream, &["--set", external, "--diff", "--color", "always"]);
    assert!(err.contains("polyaxon-pr: \x1b[1m\x1b[33mwarning:\x1b[0m externalServices.postgresql is configured"), "{err}");
    assert!(err.contains("\n\x1b[32m+") && err.contains("\n\x1b[1m--- "), "coloured diff: {err}");
    let (_, plain) = post_render(&stream, &["--set", external]);
    let long = plain.lines().find(|l| l.contains("still rendered")).unwrap();
    assert!(long.len() > 400 && !plain.contains('\x1b'), "piped: whole and plain: {plain}");

    let log = scratch("cli-terminal").join("run.log");
    let at_terminal = |extra: &str, env: (&str, &str)| {
        let cmd = format!("stty rows 40 cols 90; {} --set {external} {extra} < {} > /dev/null", polyaxon_pr().display(), render.display());
        let out = Command::new("script").args(["-qec", &cmd, "/dev/null"]).env("POLYAXON_PR_LOG", &log).env(env.0, env.1).output().unwrap();
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
    };
    let shown = at_terminal("", ("NO_COLOR", "1"));
    assert!(!shown.contains('\x1b'), "NO_COLOR: {shown}");
    assert!(shown.lines().all(|l| l.chars().count() <= 90), "{shown}");
    let words = shown.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("(NetworkPolicy/pax-postgresql, PodDisruptionBudget/pax-postgresql and 5 more); set postgresql.enabled=false"),
        "{shown}"
    );
    assert!(words.contains(&format!("lists above are cut short; --verbose shows them whole, as does {}", log.display())), "{shown}");
    assert!(std::fs::read_to_string(&log).unwrap().contains(long), "the log keeps the whole warning");
    let verbose = at_terminal("--verbose", ("NO_COLOR", "1"));
    assert!(verbose.split_whitespace().collect::<Vec<_>>().join(" ").contains(long.trim_start_matches("polyaxon-pr: ")), "{verbose}");
    assert!(at_terminal("", ("FORCE_COLOR", "1")).contains("\x1b[33mwarning:"), "a terminal is coloured");
}

#[test]
fn migrates_diff_follows_color() {
    let file = scratch("cli-migrate-color").join("values.yaml");
    std::fs::write(&file, "securityContext:\n  enabled: true\n  user: 1000\n").unwrap();
    let diff = |when: &str| {
        let out = Command::new(polyaxon_pr()).args(["migrate", "--to", "2.15.1", "--color", when]).arg(&file).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "changes pending");
        String::from_utf8(out.stdout).unwrap()
    };
    let coloured = diff("always");
    assert!(coloured.contains("\x1b[31m-  user: 1000\x1b[0m\n") && coloured.contains("\x1b[32m+  runAsUser: 1000\x1b[0m\n"), "{coloured}");
    assert!(!diff("never").contains('\x1b') && !diff("auto").contains('\x1b'), "plain when asked, and in a pipe");
}
