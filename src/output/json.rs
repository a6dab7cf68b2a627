//! `--format json`: one document, `{"version": 1, "chart_version": …, "diagnostics": [...]}`.
//!
//! Written straight into one buffer as it is walked, laid out as serde_json's
//! pretty printer lays it out (two-space indentation, `"key": value`): a
//! report of thousands of diagnostics is mostly strings, and each is copied
//! in runs between the bytes JSON escapes, found eight at a time.

use super::{all, rule_name, Emitter, LintRun};
use crate::lint::fix::{Fix, KeyEdit};
use crate::lint::report::FileReport;
use crate::lint::Diagnostic;

pub struct Json;

impl Emitter for Json {
    fn emit(&self, run: &LintRun<'_>) -> String {
        let mut out = Writer { out: String::with_capacity(640 * run.reports.iter().map(|r| r.diagnostics.len() + 1).sum::<usize>()) };
        document(&mut out, run.reports, run.version);
        out.out.push('\n');
        out.out
    }
}

fn document(w: &mut Writer, reports: &[FileReport], version: &str) {
    w.out.push('{');
    w.field(1, "version");
    w.number(1);
    w.text(1, "chart_version", version);
    w.field(1, "diagnostics");
    let mut first = true;
    w.out.push('[');
    // Each file's path escaped once, for all of its diagnostics.
    let mut path = (None, String::new());
    for (file, d) in all(reports) {
        if !first {
            w.out.push(',');
        }
        first = false;
        if path.0 != Some(std::ptr::from_ref(file)) {
            let mut escaped = Writer { out: std::mem::take(&mut path.1) };
            escaped.out.clear();
            escaped.string(&file.path);
            path = (Some(std::ptr::from_ref(file)), escaped.out);
        }
        w.newline(2);
        entry(w, &path.1, d);
    }
    if !first {
        w.newline(1);
    }
    w.out.push(']');
    if let Some(source) = super::inferred(version) {
        w.field(1, "knowledge");
        w.out.push('{');
        w.field(2, "inferred");
        w.out.push_str("true");
        w.text(2, "source", source);
        w.newline(1);
        w.out.push('}');
    }
    w.newline(0);
    w.out.push('}');
}

/// A member's name on its own line at a depth (two spaces a level), after
/// the comma that ends the one before: one literal per member written.
macro_rules! next {
    (3, $name:literal) => {
        concat!(",\n      \"", $name, "\": ")
    };
    (4, $name:literal) => {
        concat!(",\n        \"", $name, "\": ")
    };
}

/// One diagnostic, an object at depth 2; `path` is its file's, a JSON string already.
fn entry(w: &mut Writer, path: &str, d: &Diagnostic) {
    w.out.push_str("{\n      \"code\": ");
    w.word(d.code.as_str());
    w.out.push_str(next!(3, "name"));
    w.word(rule_name(d));
    w.out.push_str(next!(3, "severity"));
    w.word(d.severity.as_str());
    w.out.push_str(next!(3, "message"));
    w.string(&d.message);
    w.out.push_str(next!(3, "file"));
    w.out.push_str(path);
    w.out.push_str(next!(3, "line"));
    w.number(d.span.line);
    w.out.push_str(next!(3, "column"));
    w.number(d.span.col);
    w.out.push_str(next!(3, "end_line"));
    w.number(d.span.end_line);
    w.out.push_str(next!(3, "end_column"));
    w.number(d.span.end_col);
    w.out.push_str(next!(3, "key"));
    w.string(&d.key);
    if let Some(help) = &d.help {
        w.out.push_str(next!(3, "help"));
        w.string(help);
    }
    if let Some(replacement) = &d.replacement {
        w.out.push_str(next!(3, "replacement"));
        w.string(replacement);
    }
    if let Some(fix) = &d.fix {
        w.out.push_str(next!(3, "fix"));
        fix_entry(w, fix);
    }
    w.out.push_str("\n    }");
}

/// A diagnostic's fix, an object at depth 3.
fn fix_entry(w: &mut Writer, fix: &Fix) {
    if let [KeyEdit::Move { to, .. }] = fix.edits.as_slice() {
        w.out.push_str("{\n        \"replacement\": ");
        w.string(to);
        w.out.push_str(next!(4, "applicability"));
    } else {
        w.out.push_str("{\n        \"applicability\": ");
    }
    w.word(fix.applicability.as_str());
    w.out.push_str(next!(4, "message"));
    w.string(&fix.title);
    w.out.push_str("\n      }");
}

struct Writer {
    out: String,
}

impl Writer {
    /// A line break and two spaces per level (no document goes deeper than 4).
    fn newline(&mut self, depth: usize) {
        const INDENT: &str = "\n        ";
        self.out.push_str(&INDENT[..1 + 2 * depth]);
    }

    /// A member's name (a plain word: nothing to escape) on its own line at
    /// `depth`, after a comma unless it is the object's first.
    fn field(&mut self, depth: usize, name: &str) {
        if !self.out.ends_with('{') {
            self.out.push(',');
        }
        self.newline(depth);
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\": ");
    }

    /// A member whose value is a string.
    fn text(&mut self, depth: usize, name: &str, value: &str) {
        self.field(depth, name);
        self.string(value);
    }

    fn number(&mut self, n: usize) {
        // Lines and columns: mostly a few digits, pushed one by one (up to
        // three without a call).
        let digit = |d: usize| char::from(b'0' + (d % 10) as u8);
        match n {
            0..10 => self.out.push(digit(n)),
            10..100 => {
                self.out.push(digit(n / 10));
                self.out.push(digit(n));
            }
            100..1000 => {
                self.out.push(digit(n / 100));
                self.out.push(digit(n / 10));
                self.out.push(digit(n));
            }
            _ => {
                self.number(n / 10);
                self.out.push(digit(n));
            }
        }
    }

    /// A name of the rules' catalog (a code, a rule's name, a severity, an
    /// applicability) as a JSON string: plain words, nothing to escape.
    fn word(&mut self, word: &'static str) {
        debug_assert!(first_escaped(word.as_bytes()).is_none(), "{word}");
        self.out.reserve(word.len() + 2);
        self.out.push('"');
        self.out.push_str(word);
        self.out.push('"');
    }

    /// A JSON string as serde_json writes it: `"` and `\` escaped, control
    /// characters as `\n`, `\t`, ... or `\u00XX`, everything else as it is.
    fn string(&mut self, text: &str) {
        self.out.push('"');
        let mut rest = text;
        while let Some(i) = first_escaped(rest.as_bytes()) {
            self.out.push_str(&rest[..i]);
            let byte = rest.as_bytes()[i];
            match byte {
                b'"' => self.out.push_str("\\\""),
                b'\\' => self.out.push_str("\\\\"),
                b'\x08' => self.out.push_str("\\b"),
                b'\t' => self.out.push_str("\\t"),
                b'\n' => self.out.push_str("\\n"),
                b'\x0c' => self.out.push_str("\\f"),
                b'\r' => self.out.push_str("\\r"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.out.push_str("\\u00");
                    self.out.push(char::from(HEX[usize::from(byte >> 4)]));
                    self.out.push(char::from(HEX[usize::from(byte & 0xf)]));
                }
            }
            rest = &rest[i + 1..];
        }
        self.out.push_str(rest);
        self.out.push('"');
    }
}

/// The first byte JSON escapes (`"`, `\`, below 0x20): eight bytes at a time,
/// each word tested for any such byte, then the one found located.
fn first_escaped(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let escaped = |b: &u8| *b < 0x20 || *b == b'"' || *b == b'\\';
    let mut start = 0;
    for word in bytes.chunks_exact(8) {
        let v = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        // A byte below 0x20, one equal to `"`, one equal to `\`: each test as
        // `(x - ONES) & !x & HIGH` (x has a zero byte), in one, as `x`'s high
        // bits are `v`'s (the bytes compared with are ASCII).
        let below = v.wrapping_sub(ONES * 0x20);
        let quote = (v ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES);
        let backslash = (v ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
        if (below | quote | backslash) & !v & HIGH != 0 {
            break;
        }
        start += 8;
    }
    bytes[start..].iter().position(escaped).map(|i| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = (0u8..0x80).map(|b| format!("ab{}cdefghijklmnop", char::from(b))).collect();
        texts.extend(
            ["", "\"", "plain text longer than eight bytes", "é \\ ü\u{7f}\u{1f}", "0123456\"", "01234567\"", "\u{2028}x\ty"]
                .map(String::from),
        );
        for text in texts {
            let mut w = Writer { out: String::new() };
            w.string(&text);
            assert_eq!(w.out, serde_json::to_string(&text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn the_catalog_words_need_no_escape() {
        use crate::lint::rules::{Applicability, Severity, RULES};
        let severities = [Severity::Info, Severity::Warning, Severity::Error].map(Severity::as_str);
        let applicabilities = [Applicability::Safe, Applicability::Unsafe, Applicability::DisplayOnly].map(Applicability::as_str);
        let rules = RULES.iter().flat_map(|r| [r.code.as_str(), r.name]);
        for word in rules.chain(severities).chain(applicabilities) {
            let mut w = Writer { out: String::new() };
            w.word(word);
            assert_eq!(w.out, serde_json::to_string(word).unwrap());
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 1, 9, 10, 99, 100, 12345, usize::MAX] {
            let mut w = Writer { out: String::new() };
            w.number(n);
            assert_eq!(w.out, n.to_string());
        }
    }
}
