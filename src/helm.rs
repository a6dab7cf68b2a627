//! Running beside Helm: the `helm polyaxon template|install|upgrade`
//! wrapper.
//!
//! The wrapper hands every values flag (`-f`, `--set`, `--set-string`,
//! `--set-json`, `--set-file`, `--set-literal`) to Helm and to polyaxon-pr,
//! polyaxon-pr's own flags to polyaxon-pr only, and turns
//! `--drop-builtin SERVICE` into `--set SERVICE.enabled=false` for both, so
//! the chart itself renders the external service: its hook Jobs included,
//! which Helm 3 never shows a post-renderer.

use std::env;
use std::fs;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::Error;
use crate::knowledge::Service;
use crate::style::{ColorChoice, Stream, Style};

/// Name of the Helm 4 `postrenderer/v1` plugin, assembled by scripts/build.sh in `bin/helm4-plugins/`.
pub const POSTRENDERER_PLUGIN: &str = "polyaxon-pr";
/// What the wrapper takes out of Helm's arguments.
#[derive(Debug, Default, PartialEq)]
pub struct Split {
    /// Arguments for Helm: the user's, minus polyaxon-pr's own flags, plus
    /// what `--drop-builtin` asks of the chart.
    pub helm: Vec<String>,
    /// Arguments for polyaxon-pr.
    pub post_renderer: Vec<String>,
    /// `--color` and `--verbose`: how the wrapper shows what polyaxon-pr said.
    pub color: ColorChoice,
    pub verbose: bool,
}

/// Values flags Helm and polyaxon-pr both take (and `-f`/`--values`). The
/// CLI's own test checks these lists against its definition.
pub const VALUES_FLAGS: &[&str] = &["--set", "--set-string", "--set-json", "--set-file", "--set-literal"];
/// polyaxon-pr's flags the wrapper does not take: it asks Helm its version
/// itself, and runs polyaxon-pr as Helm 3's post-renderer.
pub const NOT_WRAPPED: &[&str] = &["--helm-version", "--helm4-plugin"];
/// polyaxon-pr's own flags: the wrapper hands them to polyaxon-pr only (and
/// `--drop-builtin` to Helm as a `--set` too). All but `--diff` take a value.
pub const OWN_FLAGS: &[&str] = &[
    "--diff",
    "--gpu-target",
    "--drop-builtin",
    "--external-secret",
    "--release",
    "--security-scope",
    "--pod-security",
    "--pod-security-mode",
    "--color",
    "--verbose",
];

/// Finds the values arguments in a Helm command line.
pub fn split_args(args: &[String], cwd: &Path) -> Result<Split, Error> {
    let mut split = Split::default();
    let mut it = args.iter();
    let value_of = |flag: &str, inline: Option<String>, it: &mut std::slice::Iter<String>| -> Result<String, Error> {
        match inline {
            Some(v) => Ok(v),
            None => it.next().cloned().ok_or_else(|| Error::new(format!("`{flag}` needs a value"))),
        }
    };
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let (flag, inline) = match flag {
            f if f.starts_with("-f") && f.len() > 2 => ("-f", Some(arg[2..].trim_start_matches('=').to_string())),
            f => (f, inline),
        };
        match flag {
            "--diff" => split.post_renderer.push(flag.to_string()),
            "--verbose" => split.verbose = true,
            "--color" => {
                split.color = match value_of(flag, inline, &mut it)?.as_str() {
                    "auto" => ColorChoice::Auto,
                    "always" => ColorChoice::Always,
                    "never" => ColorChoice::Never,
                    other => return Err(Error::new(format!("`--color {}`: use auto, always or never", crate::text::sanitize(other)))),
                }
            }
            "--show-secrets" => return Err(Error::new("`--show-secrets` belongs to `helm polyaxon values`")),
            f if NOT_WRAPPED.contains(&f) => {
                return Err(Error::new(format!(
                    "`{f}` is not for helm polyaxon {{template,install,upgrade}}: it asks Helm its version itself"
                )))
            }
            "--drop-builtin" => {
                let value = value_of(flag, inline, &mut it)?;
                let service: Service = value.parse().map_err(Error::new)?;
                // Let the chart render the external service itself, hooks included; polyaxon-pr
                // still checks that the external one is configured, and drops whatever is left.
                let sets: Vec<String> = service.subcharts().iter().map(|s| format!("{s}.enabled=false")).collect();
                for set in sets {
                    split.helm.extend(["--set".to_string(), set.clone()]);
                    split.post_renderer.push(format!("--set={set}"));
                }
                split.post_renderer.push(format!("--drop-builtin={value}"));
            }
            f if OWN_FLAGS.contains(&f) => {
                let value = value_of(flag, inline, &mut it)?;
                split.post_renderer.push(format!("{flag}={value}"));
            }
            "--post-renderer" | "--post-renderer-args" => {
                return Err(Error::new(format!("`{flag}` is set by helm polyaxon itself; run helm directly to use your own")))
            }
            "-f" | "--values" => {
                let value = value_of(flag, inline.clone(), &mut it)?;
                split.helm.push(arg.clone());
                if inline.is_none() {
                    split.helm.push(value.clone());
                }
                // Helm splits -f on commas; resolve each file against the caller's directory.
                for file in value.split(',') {
                    if file.contains("://") {
                        return Err(Error::new(format!("values file {file}: polyaxon-pr reads local files only; download it first")));
                    }
                    if file.trim() == "-" {
                        return Err(Error::new("`-f -` (values on stdin) cannot be shared with the post-renderer, which reads the manifests there; save them to a file"));
                    }
                    split.post_renderer.push(format!("--values={}", cwd.join(file).display()));
                }
            }
            f if VALUES_FLAGS.contains(&f) => {
                let value = value_of(flag, inline.clone(), &mut it)?;
                split.helm.push(arg.clone());
                if inline.is_none() {
                    split.helm.push(value.clone());
                }
                let value = if f == "--set-file" { absolute_set_file(&value, cwd) } else { value };
                split.post_renderer.push(format!("{flag}={value}"));
            }
            _ => split.helm.push(arg.clone()),
        }
    }
    Ok(split)
}

/// `--set-file key=path,key2=path2` with relative paths made absolute, for a
/// post-renderer Helm runs in another directory.
fn absolute_set_file(value: &str, cwd: &Path) -> String {
    value
        .split(',')
        .map(|pair| match pair.split_once('=') {
            Some((key, path)) if !Path::new(path).is_absolute() => {
                format!("{key}={}", cwd.join(path).display())
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Runs `helm <command> --help`; returns Helm's exit code.
pub fn help(command: &str) -> Result<u8, Error> {
    let helm = env::var("HELM_BIN").unwrap_or_else(|_| "helm".into());
    let status = Command::new(&helm).args([command, "--help"]).status().map_err(|e| Error::new(format!("cannot run {helm}: {e}")))?;
    Ok(status.code().map_or(1, |c| c.clamp(0, 255) as u8))
}

/// Runs `helm <command> <args>` with the post-renderer attached; returns Helm's exit code.
/// Says so under `name`, the command the user typed, when the post-renderer failed.
pub fn wrap(command: &str, args: Vec<String>, name: &str) -> Result<u8, Error> {
    let cwd = env::current_dir().map_err(|e| Error::new(format!("cannot read the current directory: {e}")))?;
    let split = split_args(&args, &cwd)?;
    let helm = env::var("HELM_BIN").unwrap_or_else(|_| "helm".into());
    let exe = env::current_exe().map_err(|e| Error::new(format!("cannot locate polyaxon-pr itself: {e}")))?;
    let major = helm_major_version(&helm)?;

    let mut cmd = Command::new(&helm);
    cmd.arg(command).args(&split.helm);
    // Helm takes its global flags out of a plugin's argv and hands them over as environment.
    for (var, flag) in [("HELM_NAMESPACE", "--namespace"), ("HELM_KUBECONTEXT", "--kube-context")] {
        if let Ok(v) = env::var(var) {
            if !v.is_empty() {
                cmd.arg(format!("{flag}={v}"));
            }
        }
    }
    if major >= 4 {
        cmd.args(["--post-renderer", POSTRENDERER_PLUGIN]);
        cmd.env("POLYAXON_PR_BIN", &exe);
        if let Some(plugins) = helm4_plugins_path(&helm, &exe)? {
            cmd.env("HELM_PLUGINS", plugins);
        }
    } else {
        cmd.arg("--post-renderer").arg(&exe);
    }
    cmd.arg(format!("--post-renderer-args=--helm-version={}", major.min(4)));
    for a in &split.post_renderer {
        cmd.arg(format!("--post-renderer-args={a}"));
    }
    let log = crate::run_log::new_path();
    if let Some(log) = &log {
        cmd.env("POLYAXON_PR_LOG", log);
    }
    let mut child = cmd.stderr(Stdio::piped()).spawn().map_err(|e| Error::new(format!("cannot run {helm}: {e}")))?;
    let stderr = child.stderr.take().expect("piped");
    let held = std::thread::spawn(move || pass_stderr_until_post_render_error(stderr));
    let status = child.wait().map_err(|e| Error::new(format!("cannot run {helm}: {e}")))?;
    let held = held.join().unwrap_or_default();
    // What polyaxon-pr said, which Helm 4 hides and Helm 3 shows only inside its own error.
    let said = log.as_ref().and_then(|l| fs::read_to_string(l).ok()).unwrap_or_default();
    let style = Style::of(Stream::Stderr, split.color, split.verbose);
    let (shown, shortened) = style.text(&said);
    eprint!("{shown}");
    if shortened {
        let whole = log.as_ref().map_or_else(String::new, |p| format!(", as does {}", p.display()));
        eprintln!("{}", style.text(&format!("{name}: lists above are cut short; --verbose shows them whole{whole}")).0);
    }
    if said.lines().any(|l| l.starts_with("polyaxon-pr: error:")) {
        // Helm's report repeats the error above under its own prefix (Helm 4's inside "wrong node kind").
        eprintln!("{}", style.text(&format!("{name}: `helm {command}` stopped: its post-renderer failed (above)")).0);
    } else {
        eprint!("{held}");
    }
    Ok(status.code().map_or(1, |c| c.clamp(0, 255) as u8))
}

/// Copies Helm's stderr through as it comes, up to Helm's report of a failed
/// post-render (its last words), which is returned instead.
fn pass_stderr_until_post_render_error(stderr: impl std::io::Read) -> String {
    const REPORTS: [&str; 2] = ["Error: error while running post render on files", "Error: error while parsing post rendered output"];
    let mut held = String::new();
    for line in std::io::BufReader::new(stderr).split(b'\n') {
        let Ok(line) = line else { break };
        let line = String::from_utf8_lossy(&line);
        if held.is_empty() && !REPORTS.iter().any(|r| line.starts_with(r)) {
            eprintln!("{line}");
        } else {
            held.push_str(&line);
            held.push('\n');
        }
    }
    held
}

fn helm_major_version(helm: &str) -> Result<u32, Error> {
    let out = Command::new(helm)
        .args(["version", "--template", "{{.Version}}"])
        .output()
        .map_err(|e| Error::new(format!("cannot run {helm}: {e}")))?;
    let version = String::from_utf8_lossy(&out.stdout);
    version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| Error::new(format!("cannot tell the version of {helm} from `{}`", crate::text::sanitize(version.trim()))))
}

/// The HELM_PLUGINS value under which Helm 4 finds our post-renderer plugin,
/// or `None` when the user's plugin directories already have it.
fn helm4_plugins_path(helm: &str, exe: &Path) -> Result<Option<String>, Error> {
    let current = match env::var("HELM_PLUGINS") {
        Ok(v) => v,
        Err(_) => {
            let out = Command::new(helm).args(["env", "HELM_PLUGINS"]).output();
            out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
        }
    };
    if env::split_paths(&current).any(|d| d.join(POSTRENDERER_PLUGIN).join("plugin.yaml").is_file()) {
        return Ok(None);
    }
    // bin/helm4-plugins, beside bin/polyaxon-pr.
    let ours = exe
        .parent()
        .map(|bin| bin.join("helm4-plugins"))
        .filter(|d| d.join(POSTRENDERER_PLUGIN).join("plugin.yaml").is_file())
        .ok_or_else(|| Error::new(format!("Helm 4 needs the `{POSTRENDERER_PLUGIN}` post-renderer plugin, which scripts/build.sh assembles in bin/helm4-plugins/ beside polyaxon-pr; reinstall the plugin")))?;
    let mut dirs: Vec<PathBuf> = env::split_paths(&current).filter(|p| !p.as_os_str().is_empty()).collect();
    dirs.push(ours);
    let joined = env::join_paths(dirs).map_err(|e| Error::new(format!("cannot build HELM_PLUGINS: {e}")))?;
    Ok(Some(joined.to_string_lossy().into_owned()))
}

/// The text Helm 4 shows when a `postrenderer/v1` plugin fails: Helm 4
/// discards the plugin's stderr and exit status, but when the plugin's
/// output is a YAML scalar instead of objects it reports "wrong node kind"
/// with the scalar's text. So in that mode a failure is written as a
/// literal block (`|2-`), never as anything Helm could take for objects.
pub fn helm4_error_block(said: &str) -> String {
    let mut out = String::from("|2-\n");
    let lines: Vec<&str> = said.lines().map(str::trim_end).collect();
    let last = lines.iter().rposition(|l| !l.is_empty()).map_or(0, |i| i + 1);
    for line in &lines[..last] {
        let clean: String = line.chars().map(|c| if c.is_control() && c != '\t' { '?' } else { c }).collect();
        out.push_str("  ");
        out.push_str(&clean);
        out.push('\n');
    }
    if last == 0 {
        out.push_str("  polyaxon-pr failed\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn values_go_to_both_own_flags_only_to_us_and_drop_becomes_a_chart_setting() {
        let split = split_args(
            &args(&[
                "pax",
                "chart",
                "-f",
                "a.yaml,b.yaml",
                "--values=/abs/c.yaml",
                "-fd.yaml",
                "--set",
                "x=1",
                "--set-string=y=2",
                "--set-json",
                "j={\"a\":1}",
                "--set-file",
                "k=cert.pem",
                "--set-literal=l=a,b",
                "--diff",
                "-n",
                "ns",
                "--drop-builtin",
                "redis",
                "--gpu-target=Job/*",
            ]),
            Path::new("/work"),
        )
        .unwrap();
        assert_eq!(
            split.helm,
            args(&[
                "pax",
                "chart",
                "-f",
                "a.yaml,b.yaml",
                "--values=/abs/c.yaml",
                "-fd.yaml",
                "--set",
                "x=1",
                "--set-string=y=2",
                "--set-json",
                "j={\"a\":1}",
                "--set-file",
                "k=cert.pem",
                "--set-literal=l=a,b",
                "-n",
                "ns",
                "--set",
                "redis.enabled=false"
            ])
        );
        assert_eq!(
            split.post_renderer,
            args(&[
                "--values=/work/a.yaml",
                "--values=/work/b.yaml",
                "--values=/abs/c.yaml",
                "--values=/work/d.yaml",
                "--set=x=1",
                "--set-string=y=2",
                "--set-json=j={\"a\":1}",
                "--set-file=k=/work/cert.pem",
                "--set-literal=l=a,b",
                "--diff",
                "--set=redis.enabled=false",
                "--drop-builtin=redis",
                "--gpu-target=Job/*"
            ])
        );
    }

    #[test]
    fn a_post_renderer_of_the_users_own_is_refused() {
        assert!(split_args(&args(&["--post-renderer", "x"]), Path::new("/")).is_err());
        assert!(split_args(&args(&["-f"]), Path::new("/")).is_err());
        assert!(split_args(&args(&["-f", "https://x/v.yaml"]), Path::new("/")).is_err());
        assert!(split_args(&args(&["--drop-builtin", "mysql"]), Path::new("/")).is_err());
        let err = split_args(&args(&["--show-secrets"]), Path::new("/")).unwrap_err().to_string();
        assert!(err.contains("belongs to `helm polyaxon values`"), "{err}");
    }

    #[test]
    fn helm4_error_blocks_are_scalars() {
        let block = helm4_error_block("polyaxon-pr: error: a.yaml:1:2: bad  \n\u{1b}[31mred\n\n");
        assert_eq!(block, "|2-\n  polyaxon-pr: error: a.yaml:1:2: bad\n  ?[31mred\n");
        let parsed = crate::yaml::parse_one(&block).unwrap().unwrap();
        assert!(parsed.text().is_some(), "a scalar, never objects");
    }
}
