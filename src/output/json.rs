//! `--format json`: one document, `{"version": 1, "chart_version": …, "diagnostics": [...]}`.
//!
//! Serialised as it is walked, straight into the output: no `serde_json::Value`
//! in between (a report of thousands of diagnostics cost more to build than to write).

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::{all, rule_name, Emitter, LintRun};
use crate::lint::fix::{Fix, KeyEdit};
use crate::lint::report::FileReport;
use crate::lint::Diagnostic;

pub struct Json;

impl Emitter for Json {
    fn emit(&self, run: &LintRun<'_>) -> String {
        let mut out = Vec::with_capacity(512 * run.reports.iter().map(|r| r.diagnostics.len() + 1).sum::<usize>());
        Document { reports: run.reports, version: run.version }
            .serialize(&mut serde_json::Serializer::pretty(&mut out))
            .expect("writing JSON to memory does not fail");
        out.push(b'\n');
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

struct Document<'a> {
    reports: &'a [FileReport],
    version: &'a str,
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let source = super::inferred(self.version);
        let mut doc = s.serialize_map(None)?;
        doc.serialize_entry("version", &1)?;
        doc.serialize_entry("chart_version", self.version)?;
        doc.serialize_entry("diagnostics", &Diagnostics(self.reports))?;
        if let Some(source) = source {
            doc.serialize_entry("knowledge", &Knowledge { source })?;
        }
        doc.end()
    }
}

struct Diagnostics<'a>(&'a [FileReport]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(all(self.0).map(|(file, d)| Entry { file, d }))
    }
}

struct Entry<'a> {
    file: &'a FileReport,
    d: &'a Diagnostic,
}

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.d;
        let mut o = s.serialize_map(None)?;
        o.serialize_entry("code", &d.code)?;
        o.serialize_entry("name", rule_name(d))?;
        o.serialize_entry("severity", d.severity.as_str())?;
        o.serialize_entry("message", &d.message)?;
        o.serialize_entry("file", &self.file.path)?;
        o.serialize_entry("line", &d.span.line)?;
        o.serialize_entry("column", &d.span.col)?;
        o.serialize_entry("end_line", &d.span.end_line)?;
        o.serialize_entry("end_column", &d.span.end_col)?;
        o.serialize_entry("key", &d.key)?;
        if let Some(help) = &d.help {
            o.serialize_entry("help", help)?;
        }
        if let Some(replacement) = &d.replacement {
            o.serialize_entry("replacement", replacement)?;
        }
        if let Some(fix) = &d.fix {
            o.serialize_entry("fix", &FixEntry(fix))?;
        }
        o.end()
    }
}

struct FixEntry<'a>(&'a Fix);

impl Serialize for FixEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fix = self.0;
        let mut f = s.serialize_map(None)?;
        if let [KeyEdit::Move { to, .. }] = fix.edits.as_slice() {
            f.serialize_entry("replacement", to)?;
        }
        f.serialize_entry("applicability", fix.applicability.as_str())?;
        f.serialize_entry("message", &fix.title)?;
        f.end()
    }
}

struct Knowledge {
    source: &'static str,
}

impl Serialize for Knowledge {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut k = s.serialize_map(Some(2))?;
        k.serialize_entry("inferred", &true)?;
        k.serialize_entry("source", self.source)?;
        k.end()
    }
}
