//! `helm polyaxon template|install|upgrade`: runs Helm with polyaxon-pr
//! attached as its post-renderer, handing every -f/--values/--set to both
//! and polyaxon-pr's own flags (--diff, --gpu-target, --drop-builtin,
//! --external-secret, --release) to polyaxon-pr only,
//! and shows what the post-renderer said (Helm hides it: Helm 3 on success,
//! Helm 4 always).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;

/// Name of the Helm 4 `postrenderer/v1` plugin shipped in `helm4-plugins/`.
pub const POSTRENDERER_PLUGIN: &str = "polyaxon-pr";

/// Everything polyaxon-pr says on stderr is also written to a log file,
/// because Helm 4 discards a post-renderer's stderr.
pub struct Log {
    path: Option<PathBuf>,
    text: String,
}

impl Log {
    /// `$POLYAXON_PR_LOG`, else `$XDG_CACHE_HOME/polyaxon-pr/last-run.log`
    /// (`~/.cache/…` when unset).
    pub fn open() -> Self {
        let path = env::var_os("POLYAXON_PR_LOG").map(PathBuf::from).or_else(|| {
            let cache = env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))?;
            Some(cache.join("polyaxon-pr").join("last-run.log"))
        });
        Log { path, text: String::new() }
    }

    pub fn say(&mut self, message: &str) {
        eprintln!("{message}");
        self.text.push_str(message);
        self.text.push('\n');
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        // The log is a convenience: failing to write it must not fail the render.
        if let Some(path) = &self.path {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(path, &self.text);
        }
    }
}

/// What the wrapper takes out of Helm's arguments.
#[derive(Debug, Default, PartialEq)]
pub struct Split {
    /// Arguments for Helm, unchanged except that our own `--diff` is removed.
    pub helm: Vec<String>,
    /// Arguments for polyaxon-pr.
    pub post_renderer: Vec<String>,
}

/// Finds the values arguments in a Helm command line.
pub fn split_args(args: &[String], cwd: &Path) -> Result<Split, Error> {
    let mut split = Split::default();
    let mut it = args.iter();
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
            "--diff" => {
                split.post_renderer.push("--diff".into());
                continue;
            }
            // polyaxon-pr's own flags, not Helm's.
            "--gpu-target" | "--drop-builtin" | "--external-secret" | "--release" => {
                let value = match inline {
                    Some(v) => v,
                    None => it.next().ok_or_else(|| Error::new(format!("`{flag}` needs a value")))?.clone(),
                };
                split.post_renderer.push(format!("{flag}={value}"));
                continue;
            }
            "--post-renderer" | "--post-renderer-args" => {
                return Err(Error::new(format!("`{flag}` is set by helm polyaxon itself; run helm directly to use your own")))
            }
            _ => {}
        }
        split.helm.push(arg.clone());
        let ours = match flag {
            "-f" | "--values" => "--values",
            "--set" => "--set",
            "--set-string" => "--set-string",
            _ => continue,
        };
        let value = match inline {
            Some(v) => v,
            None => {
                let v = it.next().ok_or_else(|| Error::new(format!("`{flag}` needs a value")))?;
                split.helm.push(v.clone());
                v.clone()
            }
        };
        if ours == "--values" {
            // Helm splits -f on commas; resolve each file against the caller's directory.
            for file in value.split(',') {
                if file.contains("://") {
                    return Err(Error::new(format!("values file {file}: polyaxon-pr reads local files only; download it first")));
                }
                split.post_renderer.push(format!("--values={}", cwd.join(file).display()));
            }
        } else {
            split.post_renderer.push(format!("{ours}={value}"));
        }
    }
    Ok(split)
}

/// Runs `helm <command> <args>` with the post-renderer attached; returns Helm's exit code.
pub fn wrap(command: &str, args: Vec<String>) -> Result<u8, Error> {
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
    for a in &split.post_renderer {
        cmd.arg(format!("--post-renderer-args={a}"));
    }
    let log = env::temp_dir().join(format!("polyaxon-pr-{}.log", std::process::id()));
    cmd.env("POLYAXON_PR_LOG", &log);
    let status = cmd.status().map_err(|e| Error::new(format!("cannot run {helm}: {e}")))?;
    // Helm 3 shows a failing post-renderer's stderr itself; otherwise it is hidden.
    let hidden = major >= 4 || status.success();
    if let Ok(said) = std::fs::read_to_string(&log) {
        if hidden {
            eprint!("{said}");
        }
        let _ = std::fs::remove_file(&log);
    }
    Ok(status.code().map_or(1, |c| c.clamp(0, 255) as u8))
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
        .ok_or_else(|| Error::new(format!("cannot tell the version of {helm} from `{}`", version.trim())))
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
    let roots = env::var_os("HELM_PLUGIN_DIR").map(PathBuf::from).into_iter().chain(exe.ancestors().map(Path::to_path_buf));
    let ours = roots
        .map(|r| r.join("helm4-plugins"))
        .find(|d| d.join(POSTRENDERER_PLUGIN).join("plugin.yaml").is_file())
        .ok_or_else(|| {
            Error::new(format!(
                "Helm 4 needs the `{POSTRENDERER_PLUGIN}` post-renderer plugin: run `helm plugin install <polyaxon-helm>/helm4-plugins/{POSTRENDERER_PLUGIN}`"
            ))
        })?;
    let mut dirs: Vec<PathBuf> = env::split_paths(&current).filter(|p| !p.as_os_str().is_empty()).collect();
    dirs.push(ours);
    let joined = env::join_paths(dirs).map_err(|e| Error::new(format!("cannot build HELM_PLUGINS: {e}")))?;
    Ok(Some(joined.to_string_lossy().into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn values_and_sets_go_to_both_and_diff_only_to_us() {
        let split = split_args(
            &args(&["pax", "chart", "-f", "a.yaml,b.yaml", "--values=/abs/c.yaml", "-fd.yaml", "--set", "x=1", "--set-string=y=2", "--diff", "-n", "ns", "--drop-builtin", "redis", "--gpu-target=Job/*"]),
            Path::new("/work"),
        )
        .unwrap();
        assert_eq!(
            split.helm,
            args(&["pax", "chart", "-f", "a.yaml,b.yaml", "--values=/abs/c.yaml", "-fd.yaml", "--set", "x=1", "--set-string=y=2", "-n", "ns"])
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
                "--diff",
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
    }
}
