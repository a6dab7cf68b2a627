//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning uploads it.

use serde_json::{json, Value};

use super::all;
use crate::lint::files::FileReport;
use crate::lint::rules::{Severity, RULES};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Absolute paths as `file://` URIs; relative ones against the source root,
/// as code scanning resolves them from the repository root.
fn artifact(path: &str) -> Value {
    let encoded: String = path
        .trim_start_matches("./")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "/-._~".contains(c) { c.to_string() } else { format!("%{:02X}", c as u32) })
        .collect();
    if path.starts_with('/') {
        json!({"uri": format!("file://{encoded}")})
    } else {
        json!({"uri": encoded, "uriBaseId": "%SRCROOT%"})
    }
}

pub fn render(reports: &[FileReport], version: &str) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.explanation},
                "help": {"text": r.explanation},
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = all(reports)
        .map(|(file, d)| {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(&format!(" (help: {help})"));
            }
            json!({
                "ruleId": d.code,
                "ruleIndex": RULES.iter().position(|r| r.code == d.code).expect("known rule"),
                "level": level(d.severity),
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&file.path),
                        "region": {
                            "startLine": d.span.line,
                            "startColumn": d.span.col,
                            "endLine": d.span.end_line,
                            "endColumn": d.span.end_col,
                        },
                    },
                    "logicalLocations": [{"fullyQualifiedName": d.key, "kind": "member"}],
                }],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "polyaxon-lint",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "properties": {"chartVersion": version},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialise") + "\n"
}
