//! The log of one post-render run: it keeps what the post-renderer said
//! where Helm hides it (Helm 4 discards a post-renderer's stderr, Helm 3
//! shows it only on failure).

use std::env;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::style::Style;

/// How many run logs are kept.
const KEPT_LOGS: usize = 20;

/// What one post-render run says, on stderr and in its own log file.
/// Everything said is made safe for a terminal.
pub struct Log {
    path: Option<PathBuf>,
    file: Option<fs::File>,
    /// Also keep the text (for Helm 4's error report).
    pub text: String,
    /// How stderr shows it (the file and `text` stay whole and plain).
    style: Style,
    /// Whether stderr got a list cut short.
    pub shortened: bool,
}

impl Log {
    /// A log for this run: `$POLYAXON_PR_LOG` when set (the wrapper sets
    /// it), else a new file `run-<time>-<pid>.log` under
    /// `$XDG_CACHE_HOME/polyaxon-pr/logs` (`~/.cache/...`), created 0600 in a
    /// 0700 directory; older runs beyond the last 20 are pruned. Failing to
    /// write a log never fails the render.
    pub fn open(style: Style) -> Self {
        let path = env::var_os("POLYAXON_PR_LOG").filter(|p| !p.is_empty()).map(PathBuf::from).or_else(new_path);
        let file = path.as_ref().and_then(|p| create_private_file(p).ok());
        Log { path, file, text: String::new(), style, shortened: false }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Says something on stderr only, not in the log.
    pub fn tell(&self, message: &str) {
        eprintln!("{}", self.style.text(message).0);
    }

    pub fn say(&mut self, message: &str) {
        let line = crate::text::sanitize(message);
        let (shown, shortened) = self.style.text(&line);
        eprintln!("{shown}");
        self.shortened |= shortened;
        if let Some(file) = &mut self.file {
            let _ = writeln!(file, "{line}");
        }
        self.text.push_str(&line);
        self.text.push('\n');
    }
}

/// A new log file's path, `run-<time>-<pid>.log` in [`log_dir`] (made
/// private, older logs pruned); `None` when there is no such directory.
pub fn new_path() -> Option<PathBuf> {
    let dir = log_dir()?;
    create_private_dir(&dir).ok()?;
    prune(&dir);
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Some(dir.join(format!("run-{stamp}-{}.log", std::process::id())))
}

/// `$XDG_CACHE_HOME/polyaxon-pr/logs`, or `~/.cache/polyaxon-pr/logs`. An
/// empty or relative `XDG_CACHE_HOME` is ignored, as the XDG spec says.
pub fn log_dir() -> Option<PathBuf> {
    let cache = env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env::var_os("HOME").map(PathBuf::from).filter(|h| h.is_absolute()).map(|h| h.join(".cache")))?;
    Some(cache.join("polyaxon-pr").join("logs"))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn create_private_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Removes all but the newest run logs.
fn prune(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut logs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("run-") && n.ends_with(".log")))
        .collect();
    logs.sort_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok());
    let excess = logs.len().saturating_sub(KEPT_LOGS - 1);
    for old in &logs[..excess] {
        let _ = fs::remove_file(old);
    }
}
