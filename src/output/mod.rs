//! Output formats for lint results, one module each, each an [`Emitter`]
//! (as in ruff): given the run, it writes the whole report.

pub mod exit_codes;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::knowledge::catalog::Catalog;
use crate::lint::report::FileReport;
use crate::lint::rules::Severity;
use crate::lint::Diagnostic;

/// One lint run, as every output format is given it.
pub struct LintRun<'a> {
    pub reports: &'a [FileReport],
    /// The target chart version.
    pub version: &'a str,
}

/// An output format.
pub trait Emitter {
    fn emit(&self, run: &LintRun<'_>) -> String;
}

/// A severity in each format's words: the one place they are mapped.
pub struct Level {
    /// In the summary line: `2 errors, 1 warning, 0 notes`.
    pub noun: &'static str,
    pub github: &'static str,
    pub sarif: serde_sarif::sarif::ResultLevel,
    pub miette: miette::Severity,
}

pub fn level(severity: Severity) -> Level {
    use serde_sarif::sarif::ResultLevel;
    match severity {
        Severity::Error => Level { noun: "error", github: "error", sarif: ResultLevel::Error, miette: miette::Severity::Error },
        Severity::Warning => Level { noun: "warning", github: "warning", sarif: ResultLevel::Warning, miette: miette::Severity::Warning },
        Severity::Info => Level { noun: "note", github: "notice", sarif: ResultLevel::Note, miette: miette::Severity::Advice },
    }
}

/// Every diagnostic with the file it belongs to.
pub fn all(reports: &[FileReport]) -> impl Iterator<Item = (&FileReport, &Diagnostic)> {
    reports.iter().flat_map(|r| r.diagnostics.iter().map(move |d| (r, d)))
}

/// Where the knowledge of a chart version comes from, when it is inferred
/// (the chart is not public).
pub fn inferred(version: &str) -> Option<&'static str> {
    let catalog = Catalog::get();
    catalog.resolve(version).ok().and_then(|i| catalog.inferred(i))
}

/// Every diagnostic with the index of its report.
pub fn all_indexed(reports: &[FileReport]) -> impl Iterator<Item = (usize, &Diagnostic)> {
    reports.iter().enumerate().flat_map(|(i, r)| r.diagnostics.iter().map(move |d| (i, d)))
}

/// `2 errors, 1 warning in 1 file (chart 2.15.1)`.
pub fn summary(reports: &[FileReport], version: &str) -> String {
    let count = |s: Severity| all(reports).filter(|(_, d)| d.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let files = reports.iter().filter(|r| !r.diagnostics.is_empty()).count();
    let known = inferred(version).map(|source| format!("; inferred from {source}")).unwrap_or_default();
    let counted = |s: Severity| plural(count(s), level(s).noun);
    format!(
        "{}, {}, {} in {} of {} (chart {version}{known})",
        counted(Severity::Error),
        counted(Severity::Warning),
        counted(Severity::Info),
        files,
        plural(reports.len(), "file"),
    )
}

pub fn rule_name(d: &Diagnostic) -> &'static str {
    d.code.rule().name
}
