//! One linted file: its text and its diagnostics.

use std::io::Read;
use std::path::Path;

use super::config::Config;
use super::{lint_text_for, Diagnostic};
use crate::error::{Error, Location};
use crate::files::read_text;
use crate::knowledge::pod_security::Level;

/// One linted file.
#[derive(Debug)]
pub struct FileReport {
    /// As shown in diagnostics (`<stdin>` for `-`).
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
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
