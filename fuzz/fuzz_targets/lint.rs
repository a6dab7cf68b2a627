//! `lint::lint_text` on an arbitrary values file, against the newest chart
//! version, 1.10.1 and 0.4.4, and every output format over the result.
//!
//! Properties:
//! - never panics (the linter, nor the human/json/sarif/github renderers);
//! - every span (primary and related) lies inside the text, on character
//!   boundaries: start <= end <= len, line >= 1, end_line >= line,
//!   columns >= 1; and its line/column are those of its byte offsets
//!   (lines broken at LF, CRLF and lone CR, columns counted in characters);
//! - the json and sarif outputs are valid JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyaxon_helm::knowledge::catalog::Catalog;
use polyaxon_helm::lint::report::FileReport;
use polyaxon_helm::lint::{lint_text, Span};
use polyaxon_helm::output::github::Github;
use polyaxon_helm::output::human::Human;
use polyaxon_helm::output::json::Json;
use polyaxon_helm::output::sarif::Sarif;
use polyaxon_helm::output::{Emitter, LintRun};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = Catalog::get();
    let targets = [catalog.newest(), catalog.resolve("1.10.1").expect("1.10.1"), catalog.resolve("0.4.4").expect("0.4.4")];
    let lines = LineIndex::new(text);
    for target in targets {
        let Ok(diagnostics) = lint_text(text, target) else {
            continue;
        };
        for d in &diagnostics {
            check_span(text, &lines, &d.span, &d.code);
            for (span, _) in &d.related {
                check_span(text, &lines, span, &d.code);
            }
        }
        let version = catalog.version(target);
        let reports = [FileReport { path: "values.yaml".into(), text: text.to_string(), diagnostics }];
        let run = LintRun { reports: &reports, version };
        for color in [false, true] {
            let _ = Human { color, fixable: &|_, _| color, fix_command: String::new() }.emit(&run);
        }
        let _ = Github.emit(&run);
        for (format, out) in [("json", Json.emit(&run)), ("sarif", Sarif.emit(&run))] {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&out) {
                panic!("--format {format} output is not JSON: {e}\n{out}");
            }
        }
    }
});

fn check_span(text: &str, lines: &LineIndex, s: &Span, code: &dyn std::fmt::Display) {
    assert!(s.start <= s.end && s.end <= text.len(), "{code}: span {s:?} is outside the text ({} bytes)", text.len());
    assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{code}: span {s:?} cuts a character");
    assert!(s.line >= 1 && s.end_line >= s.line && s.col >= 1 && s.end_col >= 1, "{code}: span {s:?} has impossible lines/columns");
    assert!(s.end_line > s.line || s.end_col >= s.col, "{code}: span {s:?} ends before it starts");
    assert_eq!((s.line, s.col), lines.position(text, s.start), "{code}: line/column of the start of {s:?}");
    assert_eq!((s.end_line, s.end_col), lines.position(text, s.end), "{code}: line/column of the end of {s:?}");
}

/// Line starts as YAML counts line breaks: LF, CRLF and a lone CR.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        let b = text.as_bytes();
        let breaks = (0..b.len()).filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')));
        LineIndex(std::iter::once(0).chain(breaks.map(|i| i + 1)).collect())
    }

    /// 1-based line and character column of a byte offset (a byte order
    /// mark takes no column, as YAML parsers count them).
    fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.0.partition_point(|&s| s <= offset);
        let start = self.0[line - 1];
        (line, text[start..offset].chars().filter(|&c| c != '\u{feff}').count() + 1)
    }
}
