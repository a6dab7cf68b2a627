//! What the linter reads: files, directories (walked for *.yaml and *.yml,
//! skipping hidden and vendored directories) and `-` for stdin.

use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::config::Config;
use super::{lint_text_for, Diagnostic};
use crate::error::{Error, Location};
use crate::knowledge::pod_security::Level;

/// Directories never walked into.
const SKIPPED_DIRS: &[&str] = &["vendor", "node_modules", "third_party", "target", "charts"];

/// One linted file.
#[derive(Debug)]
pub struct FileReport {
    /// As shown in diagnostics (`<stdin>` for `-`).
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// The files to lint, in a stable order.
pub fn inputs(paths: &[String]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for path in paths {
        let p = Path::new(path);
        if path == "-" || p.is_file() {
            files.push(p.to_path_buf());
        } else if p.is_dir() {
            let walker = WalkDir::new(p).sort_by_file_name().into_iter().filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0 || !(e.file_type().is_dir() && (name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref())))
            });
            for entry in walker {
                let entry = entry.map_err(|e| Error::new(format!("cannot walk {path}: {e}")))?;
                let name = entry.file_name().to_string_lossy();
                if entry.file_type().is_file() && (name.ends_with(".yaml") || name.ends_with(".yml")) && !name.starts_with('.') {
                    files.push(entry.into_path());
                }
            }
        } else {
            return Err(Error::new(format!("{path}: {}", not_a_file(p))));
        }
    }
    Ok(files)
}

/// Why `path` is neither a regular file nor a directory to walk, in words.
fn not_a_file(path: &Path) -> String {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::metadata(path) {
        Err(e) => crate::error::io_reason(&e),
        Ok(meta) => {
            let t = meta.file_type();
            let what = if t.is_fifo() {
                "a FIFO (named pipe)"
            } else if t.is_char_device() || t.is_block_device() {
                "a device"
            } else if t.is_socket() {
                "a socket"
            } else {
                "not a file or directory"
            };
            format!("{what}, not a regular file")
        }
    }
}

/// A values file's text; what stands in the way, in words.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(Error::new(format!("{shown}: a directory, not a regular file")));
    }
    if !path.is_file() {
        return Err(Error::new(format!("{shown}: {}", not_a_file(path))));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::unreadable(&shown, &e))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::new(format!("{shown}: not UTF-8 text (byte {at})"))
    })
}

/// Lints one file (with `pod_security`, for that level too); unreadable
/// files and YAML that does not parse are errors.
pub fn lint_file(path: &Path, target: usize, config: Option<&Config>, pod_security: Option<Level>) -> Result<FileReport, Error> {
    let (shown, text) = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| Error::new(format!("cannot read stdin: {e}")))?;
        ("<stdin>".to_string(), text)
    } else {
        (path.display().to_string(), read_text(path)?)
    };
    let mut diagnostics = lint_text_for(&text, target, pod_security)
        .map_err(|e| Error::at(Location::File { path: shown.clone(), line: e.line, col: e.col }, format!("invalid YAML: {}", e.message)))?;
    if let Some(config) = config {
        diagnostics.retain(|d| !config.ignores(path, d.code));
    }
    Ok(FileReport { path: shown, text, diagnostics })
}

/// Replaces a file's text atomically: a temporary file beside it (beside
/// the target, for a symbolic link, which stays a link), with the
/// original's owner and permissions, synced, then renamed over it. On any
/// error (an owner this user cannot give the file, too) the original is
/// untouched.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let cannot = |e: std::io::Error| Error::new(format!("cannot rewrite {}: {e}", path.display()));
    let target = std::fs::canonicalize(path).map_err(cannot)?;
    let dir = target.parent().unwrap_or(Path::new("/"));
    let mut tmp = tempfile::Builder::new().prefix(".polyaxon-").suffix(".tmp").tempfile_in(dir).map_err(cannot)?;
    tmp.write_all(text.as_bytes()).map_err(cannot)?;
    let meta = std::fs::metadata(&target).map_err(cannot)?;
    // The rename would hand the file to whoever runs this (root in a
    // container, say): keep its owner, or write nothing.
    let mine = tmp.as_file().metadata().map_err(cannot)?;
    if (mine.uid(), mine.gid()) != (meta.uid(), meta.gid()) {
        std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid())).map_err(|e| {
            Error::new(format!(
                "cannot rewrite {} keeping its owner (uid {}, gid {}): {e}; nothing written",
                path.display(),
                meta.uid(),
                meta.gid()
            ))
        })?;
    }
    tmp.as_file().set_permissions(meta.permissions()).map_err(cannot)?;
    tmp.as_file().sync_all().map_err(cannot)?;
    tmp.persist(&target).map_err(|e| cannot(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_directories_for_yaml_skipping_hidden_and_vendored() {
        let root = std::env::temp_dir().join(format!("polyaxon-lint-walk-{}", std::process::id()));
        for dir in ["a", ".git", "vendor", "charts/sub"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in ["values.yaml", "a/b.yml", "a/notes.txt", ".git/x.yaml", "vendor/v.yaml", "charts/sub/values.yaml"] {
            std::fs::write(root.join(file), "{}\n").unwrap();
        }
        let found: Vec<String> =
            inputs(&[root.display().to_string()]).unwrap().iter().map(|p| p.strip_prefix(&root).unwrap().display().to_string()).collect();
        assert_eq!(found, ["a/b.yml", "values.yaml"]);
        assert!(inputs(&["/no/such/path".into()]).is_err());
    }
}
