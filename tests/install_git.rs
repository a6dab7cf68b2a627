//! Installing the plugin the way Helm plugins are normally installed: from a
//! git URL. A real `git daemon` on 127.0.0.1 serves a clone of this
//! checkout's HEAD; Helm 3.18.0 and Helm 4.1.4, each in a throwaway home,
//! install it (`--verify=false` on Helm 4, which verifies only tarballs),
//! build polyaxon-pr through the install hook, and then `helm polyaxon
//! template` and `--post-renderer` work. An update with nothing changed does
//! not rebuild; uninstalling removes Helm 4's post-renderer plugin too.
//!
//! The install hook's cargo build reuses this checkout's target/ through
//! POLYAXON_HELM_TARGET_DIR (a user's lives under $HELM_CACHE_HOME), so the
//! test pays for one release build, not one per Helm.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn git(args: &[&str], dir: &Path) {
    let out = Command::new("git").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Serves a bare clone of HEAD as git://127.0.0.1:PORT/polyaxon-helm.git.
fn serve(scratch: &Path) -> (Daemon, String) {
    let srv = scratch.join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    git(&["clone", "--quiet", "--bare", repo().to_str().unwrap(), srv.join("polyaxon-helm.git").to_str().unwrap()], scratch);
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("git")
        .args(["daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", &format!("--port={port}")])
        .arg(format!("--base-path={}", srv.display()))
        .arg(&srv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("git daemon");
    let daemon = Daemon(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "git daemon did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (daemon, format!("git://127.0.0.1:{port}/polyaxon-helm.git"))
}

struct Home {
    major: u32,
    dir: PathBuf,
}

impl Home {
    fn helm(&self) -> Command {
        let mut cmd = Command::new(helm(self.major));
        for (var, sub) in [("HELM_DATA_HOME", "data"), ("HELM_CONFIG_HOME", "config"), ("HELM_CACHE_HOME", "cache")] {
            cmd.env(var, self.dir.join(sub));
        }
        cmd.env_remove("HELM_PLUGINS").env("XDG_CACHE_HOME", self.dir.join("xdg")).env("POLYAXON_HELM_TARGET_DIR", repo().join("target"));
        cmd.current_dir(repo());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.helm().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "helm {} {args:?}: {}{}",
            self.major,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr)
    }
}

fn install_use_update_uninstall(major: u32, url: &str, scratch: &Path) {
    let home = Home { major, dir: scratch.join(format!("helm{major}")) };
    let mut install = vec!["plugin", "install", url];
    if major == 4 {
        install.push("--verify=false");
    }
    let said = home.ok(&install);
    assert!(said.contains("Installed plugin: polyaxon"), "{said}");
    let plugins = home.ok(&["plugin", "list"]);
    let listed = |name: &str| plugins.lines().any(|l| l.split_whitespace().next() == Some(name));
    assert!(listed("polyaxon"), "{plugins}");
    assert_eq!(listed("polyaxon-pr"), major == 4, "the post-renderer plugin, on Helm 4 only:\n{plugins}");

    let help = home.ok(&["polyaxon", "--help"]);
    assert!(help.starts_with("`helm polyaxon`: the polyaxon-pr Helm plugin") && help.contains("Usage: helm polyaxon"), "{help}");
    let values = "testdata/values/security-context.yaml";
    let rendered = home.ok(&["polyaxon", "template", "pax", "testdata/chart", "-n", "polyaxon", "-f", values]);
    assert!(rendered.contains("runAsUser: 2222"), "helm polyaxon template applied nothing");
    // The post-renderer by hand: Helm 3 takes the binary's path, Helm 4 the plugin's name.
    let post_renderer = if major == 3 { home.ok(&["polyaxon", "path"]).trim().to_string() } else { "polyaxon-pr".to_string() };
    let by_hand = home.ok(&[
        "template",
        "pax",
        "testdata/chart",
        "-n",
        "polyaxon",
        "-f",
        values,
        "--post-renderer",
        &post_renderer,
        &format!("--post-renderer-args=--values={values}"),
    ]);
    assert!(by_hand.contains("runAsUser: 2222"), "--post-renderer applied nothing");

    let start = Instant::now();
    let updated = home.ok(&["plugin", "update", "polyaxon"]);
    // Either the binary is still there from the same sources, or cargo finds its cache fresh.
    let skipped =
        updated.contains("polyaxon-pr is up to date") || updated.contains("Finished `release` profile [optimized] target(s) in 0.");
    assert!(skipped && start.elapsed() < Duration::from_secs(60), "an update with nothing changed rebuilt:\n{updated}");

    home.ok(&["plugin", "uninstall", "polyaxon"]);
    let plugins = home.ok(&["plugin", "list"]);
    assert!(!plugins.contains("polyaxon"), "left behind:\n{plugins}");
}

#[test]
fn helm3_and_helm4_install_from_a_git_url() {
    let scratch = scratch("install-git");
    let (_daemon, url) = serve(&scratch);
    for major in [3, 4] {
        install_use_update_uninstall(major, &url, &scratch);
    }
}
