//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning uploads it, built
//! from serde-sarif's types. A diagnostic whose fix renames the key in place
//! carries it as a SARIF `fix`.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix, Location, LogicalLocation, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, Replacement, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool,
    ToolComponent,
};

use super::all;
use crate::lint::files::FileReport;
use crate::lint::rules::{Severity, RULES};
use crate::lint::Diagnostic;
use crate::{edit, yaml};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result_level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

/// Absolute paths as `file://` URIs; relative ones against the source root,
/// as code scanning resolves them from the repository root.
fn artifact(path: &str) -> ArtifactLocation {
    let encoded: String = path
        .trim_start_matches("./")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "/-._~".contains(c) { c.to_string() } else { format!("%{:02X}", c as u32) })
        .collect();
    if path.starts_with('/') {
        ArtifactLocation::builder().uri(format!("file://{encoded}")).build()
    } else {
        ArtifactLocation::builder().uri(encoded).uri_base_id("%SRCROOT%").build()
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

/// A fix SARIF can carry: a key renamed where it stands (same parent), the
/// key's text (quotes and all) replaced by the new name, quoted if need be.
fn fix(file: &FileReport, d: &Diagnostic) -> Option<Fix> {
    let replacement = d.replacement.as_deref()?;
    let (old_parent, old_leaf) = d.key.rsplit_once('.').unwrap_or(("", &d.key));
    let (new_parent, new_leaf) = replacement.rsplit_once('.').unwrap_or(("", replacement));
    // A key holding a dot or a bracket is spelt with quotes in the dotted path: not a plain leaf.
    if old_parent != new_parent || d.key.contains('"') || new_leaf.contains(['"', '[']) {
        return None;
    }
    let key_end = match file.text.as_bytes().get(d.span.start)? {
        b'"' | b'\'' => yaml::closing_quote(&file.text, d.span.start),
        _ if file.text[d.span.start..].starts_with(old_leaf) => d.span.start + old_leaf.len(),
        // An anchor, a tag, a key spelt some other way: no safe region.
        _ => return None,
    };
    let key_text = &file.text[d.span.start..key_end];
    if key_text.contains('\n') {
        return None;
    }
    let region = Region::builder()
        .start_line(d.span.line as i64)
        .start_column(d.span.col as i64)
        .end_line(d.span.line as i64)
        .end_column((d.span.col + key_text.chars().count()) as i64)
        .build();
    let change = ArtifactChange::builder()
        .artifact_location(artifact(&file.path))
        .replacements(vec![Replacement::builder()
            .deleted_region(region)
            .inserted_content(ArtifactContent::builder().text(edit::quote(new_leaf)).build())
            .build()])
        .build();
    Some(
        Fix::builder()
            .description(Message::builder().text(format!("rename to `{replacement}`")).build())
            .artifact_changes(vec![change])
            .build(),
    )
}

pub fn render(reports: &[FileReport], version: &str) -> String {
    let rules: Vec<ReportingDescriptor> = RULES
        .iter()
        .map(|r| {
            ReportingDescriptor::builder()
                .id(r.code.as_str())
                .name(r.name)
                .short_description(text(r.summary))
                .full_description(text(r.explanation))
                .help(text(r.explanation))
                .default_configuration(ReportingConfiguration::builder().level(json!(level(r.severity))).build())
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = all(reports)
        .map(|(file, d)| {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(&format!(" (help: {help})"));
            }
            let region = Region::builder()
                .start_line(d.span.line as i64)
                .start_column(d.span.col as i64)
                .end_line(d.span.end_line as i64)
                .end_column(d.span.end_col as i64)
                .build();
            let location = Location::builder()
                .physical_location(PhysicalLocation::builder().artifact_location(artifact(&file.path)).region(region).build())
                .logical_locations(vec![LogicalLocation::builder().fully_qualified_name(d.key.as_str()).kind("member").build()])
                .build();
            let result = SarifResult::builder()
                .rule_id(d.code.as_str())
                .rule_index(RULES.iter().position(|r| r.code == d.code).expect("known rule") as i64)
                .level(result_level(d.severity))
                .message(Message::builder().text(message).build())
                .locations(vec![location]);
            match fix(file, d) {
                Some(f) => result.fixes(vec![f]).build(),
                None => result.build(),
            }
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("polyaxon-lint")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_HOMEPAGE"))
        .rules(rules)
        .build();
    let properties = PropertyBag::builder().additional_properties(BTreeMap::from([("chartVersion".to_string(), json!(version))])).build();
    // Columns count characters, as the parsers and editors do.
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(json!("unicodeCodePoints"))
        .properties(properties)
        .results(results)
        .build();
    let log = Sarif::builder().schema("https://json.schemastore.org/sarif-2.1.0.json").version(json!("2.1.0")).runs(vec![run]).build();
    serde_json::to_string_pretty(&log).expect("SARIF serialises") + "\n"
}
