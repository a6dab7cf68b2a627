//! `--format json`: one document, `{"version": 1, "chart_version": …, "diagnostics": [...]}`.

use serde_json::{json, Map, Value};

use super::{all, rule_name, Emitter, LintRun};
use crate::lint::fix::KeyEdit;
use crate::lint::report::FileReport;

pub struct Json;

impl Emitter for Json {
    fn emit(&self, run: &LintRun<'_>) -> String {
        render(run.reports, run.version)
    }
}

fn render(reports: &[FileReport], version: &str) -> String {
    let diagnostics: Vec<Value> = all(reports)
        .map(|(file, d)| {
            let mut o = Map::new();
            o.insert("code".into(), json!(d.code));
            o.insert("name".into(), json!(rule_name(d)));
            o.insert("severity".into(), json!(d.severity.as_str()));
            o.insert("message".into(), json!(d.message));
            o.insert("file".into(), json!(file.path));
            o.insert("line".into(), json!(d.span.line));
            o.insert("column".into(), json!(d.span.col));
            o.insert("end_line".into(), json!(d.span.end_line));
            o.insert("end_column".into(), json!(d.span.end_col));
            o.insert("key".into(), json!(d.key));
            if let Some(help) = &d.help {
                o.insert("help".into(), json!(help));
            }
            if let Some(replacement) = &d.replacement {
                o.insert("replacement".into(), json!(replacement));
            }
            if let Some(fix) = &d.fix {
                let mut f = Map::new();
                if let [KeyEdit::Move { to, .. }] = fix.edits.as_slice() {
                    f.insert("replacement".into(), json!(to));
                }
                f.insert("applicability".into(), json!(fix.applicability.as_str()));
                f.insert("message".into(), json!(fix.title));
                o.insert("fix".into(), Value::Object(f));
            }
            Value::Object(o)
        })
        .collect();
    let mut doc = json!({"version": 1, "chart_version": version, "diagnostics": diagnostics});
    if let Some(source) = super::inferred(version) {
        doc["knowledge"] = json!({"inferred": true, "source": source});
    }
    serde_json::to_string_pretty(&doc).expect("JSON values serialise") + "\n"
}
