//! Human output: miette's graphical diagnostics, the source line with a
//! labelled span, the code and the help. Plain ASCII without colour when
//! stdout is not a terminal or NO_COLOR is set. Secret values in the shown
//! source are masked.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{level, rule_name, Emitter, LintRun};
use crate::lint::report::FileReport;
use crate::lint::Diagnostic;
use crate::secrets::mask_in_place;

struct Shown<'a> {
    d: &'a Diagnostic,
    code: String,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::text::sanitize(&self.d.message))
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::text::sanitize(&self.d.message))
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(level(self.d.severity).miette)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d.help.as_ref().map(|h| Box::new(crate::text::sanitize(h)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = |s: &crate::lint::Span| SourceSpan::from(s.start..s.end);
        let primary = LabeledSpan::new_primary_with_span(Some(self.d.label.to_string()), span(&self.d.span));
        let related = self.d.related.iter().map(move |(s, label)| LabeledSpan::new_with_span(Some(label.clone()), span(s)));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// The reports and the summary line; a finding `--fix` fixes is marked
/// `[*]` after its code, as ruff does, and counted in a footer.
pub struct Human<'a> {
    pub color: bool,
    /// Whether `--fix` fixes a finding (by report index).
    pub fixable: &'a dyn Fn(usize, &Diagnostic) -> bool,
    /// How to run `--fix`, for the footer.
    pub fix_command: String,
}

impl Emitter for Human<'_> {
    fn emit(&self, run: &LintRun<'_>) -> String {
        let count = super::all_indexed(run.reports).filter(|(i, d)| (self.fixable)(*i, d)).count();
        let footer = if count == 0 { String::new() } else { format!("\n[*] {count} fixable with `{}`", self.fix_command) };
        format!("{}{}{footer}\n", render(run.reports, self.color, self.fixable), super::summary(run.reports, run.version))
    }
}

fn render(reports: &[FileReport], color: bool, fixable: &dyn Fn(usize, &Diagnostic) -> bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::none() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for (index, report) in reports.iter().enumerate().filter(|(_, r)| !r.diagnostics.is_empty()) {
        let source = NamedSource::new(crate::text::sanitize(&report.path), crate::text::sanitize_in_place(&mask_in_place(&report.text)))
            .with_language("yaml");
        for d in &report.diagnostics {
            let mark = if fixable(index, d) { " [*]" } else { "" };
            let shown = Shown { d, code: format!("{} ({}){mark}", d.code, rule_name(d)), source: &source };
            handler.render_report(&mut out, &shown).expect("writing to a String");
            out.push('\n');
        }
    }
    out
}
