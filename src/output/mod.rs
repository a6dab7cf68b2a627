//! Output formats for lint results, one module each.

pub mod exit_codes;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod style;

use crate::knowledge::catalog::Catalog;
use crate::lint::report::FileReport;
use crate::lint::rules::Severity;
use crate::lint::Diagnostic;

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
    format!(
        "{}, {}, {} in {} of {} (chart {version}{known})",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "note"),
        files,
        plural(reports.len(), "file"),
    )
}

pub fn rule_name(d: &Diagnostic) -> &'static str {
    d.code.rule().name
}
