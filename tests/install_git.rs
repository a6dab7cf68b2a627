//! Installing the plugin the ways the README gives, with real Helm 3.18.0
//! and Helm 4.1.4 in throwaway homes and real git:
//! - from a git URL: a real `git daemon` on 127.0.0.1 serves a clone of this
//!   checkout's HEAD (`--verify=false` on Helm 4, which verifies only
//!   tarballs); the install hook builds polyaxon-pr, `helm polyaxon template`
//!   and `--post-renderer` work, an update with nothing changed does not
//!   rebuild, uninstalling removes Helm 4's post-renderer plugin too;
//! - from a checkout with untracked files: `helm plugin update` pulls the
//!   checkout's new commits and leaves every file of the checkout as it was
//!   (Helm's update runs `git pull` and `git clean -x -d -f -f`);
//! - without cargo: the hook says what is missing and nothing stays installed;
//! - Helm 4 beside a Helm 3 that reads the same plugins directory.
//!
//! The hooks' cargo builds share target/plugin-install through
//! POLYAXON_HELM_TARGET_DIR (a user's lives under $HELM_CACHE_HOME), so the
//! tests pay for one release build of HEAD, not one per Helm. It is kept
//! apart from target/release, which holds the working tree's build: cargo
//! judges freshness by modification times, and fresh clones are newer.

mod common;

use std::ffi::OsString;
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

/// PATH without the directories that hold any of `names` (a Helm 3 on PATH
/// would share the homes' plugins directory; cargo, to go without it).
fn path_without(names: &[&str]) -> OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).filter(|d| !names.iter().any(|n| d.join(n).exists()));
    std::env::join_paths(dirs).unwrap()
}

struct Home {
    major: u32,
    dir: PathBuf,
}

impl Home {
    fn new(major: u32, dir: PathBuf) -> Home {
        Home { major, dir }
    }

    fn helm(&self) -> Command {
        let mut cmd = Command::new(helm(self.major));
        for (var, sub) in [("HELM_DATA_HOME", "data"), ("HELM_CONFIG_HOME", "config"), ("HELM_CACHE_HOME", "cache")] {
            cmd.env(var, self.dir.join(sub));
        }
        cmd.env_remove("HELM_PLUGINS").env_remove("POLYAXON_HELM_LINK").env("XDG_CACHE_HOME", self.dir.join("xdg"));
        cmd.env("POLYAXON_HELM_TARGET_DIR", repo().join("target/plugin-install")).env("PATH", path_without(&["helm"]));
        cmd.current_dir(repo());
        cmd
    }

    fn plugins(&self) -> String {
        self.ok(&["plugin", "list"])
    }

    fn listed(&self, name: &str) -> bool {
        self.plugins().lines().any(|l| l.split_whitespace().next() == Some(name))
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
    build_head_once();
    let home = Home::new(major, scratch.join(format!("helm{major}")));
    let mut install = vec!["plugin", "install", url];
    if major == 4 {
        install.push("--verify=false");
    }
    let said = home.ok(&install);
    assert!(said.contains("Installed plugin: polyaxon"), "{said}");
    assert!(home.listed("polyaxon"), "{}", home.plugins());
    assert_eq!(home.listed("polyaxon-pr"), major == 4, "the post-renderer plugin, on Helm 4 only:\n{}", home.plugins());

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
    let plugins = home.plugins();
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

/// Builds HEAD once into target/plugin-install, as the hooks would, so the
/// tests running in parallel find it built instead of racing to build it.
fn build_head_once() {
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let dir = scratch("install-build-head");
        git(&["clone", "--quiet", repo().to_str().unwrap(), "head"], &dir);
        let out = Command::new(dir.join("head/scripts/build.sh"))
            .env("POLYAXON_HELM_TARGET_DIR", repo().join("target/plugin-install"))
            .env("PATH", path_without(&["helm"]))
            .output()
            .unwrap();
        assert!(out.status.success(), "scripts/build.sh: {}", String::from_utf8_lossy(&out.stderr));
    });
}

/// Files of the user's own in the checkout, which git does not track.
const UNTRACKED: [(&str, &str); 4] = [
    ("my-values.yaml", "securityContext:\n  enabled: true\n  user: 1000\n"),
    (".cache/venv/keep.txt", "a cache of mine\n"),
    ("bin/keep.txt", "a tool of mine\n"),
    ("target/keep.txt", "a build of mine\n"),
];

/// The user's checkout: a clone of HEAD, named as `git clone` names it, with [`UNTRACKED`].
fn checkout(scratch: &Path) -> PathBuf {
    git(&["clone", "--quiet", repo().to_str().unwrap(), "polyaxon-helm"], scratch);
    let dir = scratch.join("polyaxon-helm");
    // On a branch, as a user's clone is (the repository under test may be a detached checkout).
    git(&["checkout", "--quiet", "-B", "main"], &dir);
    for (file, text) in UNTRACKED {
        std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// Every file of a checkout outside .git, with its bytes.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .map(Result::unwrap)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap_or_default()))
        .collect()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn a_checkout_install_updates_without_touching_the_checkout() {
    build_head_once();
    let scratch = scratch("install-checkout");
    let src = checkout(&scratch);
    for major in [3, 4] {
        let home = Home::new(major, scratch.join(format!("helm{major}")));
        let in_scratch = |args: &[&str], link: bool| {
            let mut cmd = home.helm();
            if link {
                cmd.env("POLYAXON_HELM_LINK", "1");
            }
            cmd.current_dir(&scratch).args(args).output().unwrap()
        };
        // As the README says: `helm plugin install ./polyaxon-helm`.
        let out = in_scratch(&["plugin", "install", "./polyaxon-helm"], false);
        assert!(out.status.success() && text(&out).contains("cloning the last commit of"), "helm {major}: {}", text(&out));
        let plugin = home.dir.join("data/plugins/polyaxon-helm");
        assert!(!plugin.is_symlink() && plugin.join(".git").is_dir(), "helm {major}: not Helm's own clone");
        assert!(home.listed("polyaxon"), "{}", home.plugins());

        // A new commit in the checkout, then Helm's update (`git pull`, `git clean -x -d -f -f`).
        let note = format!("docs/note-helm{major}.md");
        std::fs::write(src.join(&note), "a new commit\n").unwrap();
        git(&["add", &note], &src);
        git(&["-c", "user.name=u", "-c", "user.email=u@example.com", "commit", "--quiet", "-m", "note"], &src);
        let before = snapshot(&src);
        let out = in_scratch(&["plugin", "update", "polyaxon"], false);
        assert!(out.status.success() && text(&out).contains("Updated plugin: polyaxon"), "helm {major}: {}", text(&out));
        assert!(plugin.join(&note).is_file(), "helm {major}: the update did not pull the checkout's commit");
        assert!(snapshot(&src) == before, "helm {major}: the update changed the checkout");
        for (file, text) in UNTRACKED {
            assert_eq!(std::fs::read_to_string(src.join(file)).unwrap(), text, "helm {major}: {file}");
        }
        // The updated plugin works: lint the user's file.
        let lint =
            in_scratch(&["polyaxon", "lint", "--chart-version", "2.15.1", "--color", "never", "polyaxon-helm/my-values.yaml"], false);
        assert_eq!(lint.status.code(), Some(1), "helm {major}: {}", text(&lint));
        assert!(text(&lint).contains("K004") && text(&lint).contains("my-values.yaml:3:3"), "helm {major}: {}", text(&lint));
        home.ok(&["plugin", "uninstall", "polyaxon"]);
        assert!(!plugin.exists() && !home.plugins().contains("polyaxon"), "{}", home.plugins());

        // The developer's linked install: Helm's update stops before running git.
        let out = in_scratch(&["plugin", "install", "./polyaxon-helm"], true);
        assert!(out.status.success() && text(&out).contains("installed as a link to"), "helm {major}: {}", text(&out));
        let before = snapshot(&src);
        let out = in_scratch(&["plugin", "update", "polyaxon"], true);
        assert!(!out.status.success() && text(&out).contains("cannot get information about plugin source"), "helm {major}: {}", text(&out));
        assert!(snapshot(&src) == before, "helm {major}: the update of a linked install changed the checkout");
        assert!(in_scratch(&["polyaxon", "--help"], true).status.success());
        home.ok(&["plugin", "uninstall", "polyaxon"]);
        assert!(snapshot(&src) == before, "helm {major}: uninstalling a linked install changed the checkout");
    }
}

#[test]
fn without_cargo_the_install_says_so_and_leaves_no_plugin() {
    let scratch = scratch("install-no-cargo");
    let src = checkout(&scratch);
    let before = snapshot(&src);
    let (_daemon, url) = serve(&scratch);
    for major in [3, 4] {
        let home = Home::new(major, scratch.join(format!("helm{major}")));
        for source in ["./polyaxon-helm", url.as_str()] {
            let mut cmd = home.helm();
            // No build to reuse either, so cargo is needed.
            cmd.current_dir(&scratch)
                .env("PATH", path_without(&["helm", "cargo"]))
                .env("POLYAXON_HELM_TARGET_DIR", scratch.join("no-target"));
            cmd.args(["plugin", "install", source]);
            if major == 4 && source == url {
                cmd.arg("--verify=false");
            }
            let out = cmd.output().unwrap();
            let said = text(&out);
            assert!(!out.status.success(), "helm {major} {source}: {said}");
            let missing = format!(
                "cargo is not on PATH: polyaxon-pr is built from source and needs Rust {} or newer",
                env!("CARGO_PKG_RUST_VERSION")
            );
            assert!(
                said.contains(&missing) && said.contains("https://rustup.rs") && said.contains("nothing was installed"),
                "helm {major} {source}: {said}"
            );
            assert!(!home.plugins().contains("polyaxon"), "helm {major} {source}: {}", home.plugins());
            let left: Vec<_> = std::fs::read_dir(home.dir.join("data/plugins")).unwrap().collect();
            assert!(left.is_empty(), "helm {major} {source}: left in the plugins directory: {left:?}");
        }
    }
    assert!(snapshot(&src) == before, "the failed installs changed the checkout");
}

#[test]
fn helm4_beside_a_helm3_that_reads_the_same_plugins() {
    build_head_once();
    let scratch = scratch("install-shared");
    checkout(&scratch);
    let helm3_on_path = scratch.join("path");
    std::fs::create_dir_all(&helm3_on_path).unwrap();
    std::os::unix::fs::symlink(helm(3), helm3_on_path.join("helm")).unwrap();
    let mut path = vec![helm3_on_path];
    path.extend(std::env::split_paths(&path_without(&["helm"])));
    let (helm3, helm4) = (Home::new(3, scratch.join("home")), Home::new(4, scratch.join("home")));
    let out = helm4
        .helm()
        .current_dir(&scratch)
        .env("PATH", std::env::join_paths(path).unwrap())
        .args(["plugin", "install", "./polyaxon-helm"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("polyaxon-pr: not installed, because Helm 3"), "{}", text(&out));
    // Helm 3 still loads its plugins, ours included, and runs it.
    assert!(helm3.listed("polyaxon") && !helm3.listed("polyaxon-pr"), "{}", helm3.plugins());
    assert!(helm3.ok(&["polyaxon", "--help"]).contains("Usage: helm polyaxon"));
    // Helm 4's wrapper finds its post-renderer plugin beside the binary.
    let values = "testdata/values/security-context.yaml";
    let rendered = helm4.ok(&["polyaxon", "template", "pax", "testdata/chart", "-n", "polyaxon", "-f", values]);
    assert!(rendered.contains("runAsUser: 2222"), "helm polyaxon template applied nothing");
}
