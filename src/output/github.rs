//! `--format github`: workflow commands that annotate the pull request,
//! `::error file=F,line=L,col=C,endLine=…,endColumn=…,title=CODE::message`.

use super::{all, level, Emitter, LintRun};
use crate::lint::report::FileReport;

pub struct Github;

impl Emitter for Github {
    fn emit(&self, run: &LintRun<'_>) -> String {
        render(run.reports)
    }
}

fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for (file, d) in all(reports) {
        let command = level(d.severity).github;
        let mut message = crate::text::sanitize(&d.message);
        if let Some(help) = &d.help {
            message.push_str(&format!(" (help: {})", crate::text::sanitize(help)));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            property(&file.path),
            d.span.line,
            d.span.col,
            d.span.end_line,
            d.span.end_col,
            property(d.code.as_str()),
            data(&message)
        ));
    }
    out
}

/// Escaping of a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping of a workflow command's property values.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_properties_and_data() {
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(data("x\ny: z"), "x%0Ay: z");
    }
}
