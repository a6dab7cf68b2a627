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
/// key's text replaced by the new name.
fn fix(file: &str, d: &Diagnostic) -> Option<Fix> {
    let replacement = d.replacement.as_deref()?;
    let (old_parent, _) = d.key.rsplit_once('.').unwrap_or(("", &d.key));
    let (new_parent, new_leaf) = replacement.rsplit_once('.').unwrap_or(("", replacement));
    if old_parent != new_parent || new_leaf.contains(['"', '[']) || d.span.line != d.span.end_line {
        return None;
    }
    let old_leaf_len = d.key.rsplit('.').next().unwrap_or(&d.key).chars().count() as i64;
    let region = Region::builder()
        .start_line(d.span.line as i64)
        .start_column(d.span.col as i64)
        .end_line(d.span.line as i64)
        .end_column(d.span.col as i64 + old_leaf_len)
        .build();
    let change = ArtifactChange::builder()
        .artifact_location(artifact(file))
        .replacements(vec![Replacement::builder()
            .deleted_region(region)
            .inserted_content(ArtifactContent::builder().text(new_leaf).build())
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
            match fix(&file.path, d) {
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
    let run = Run::builder().tool(Tool::builder().driver(driver).build()).properties(properties).results(results).build();
    let log = Sarif::builder().schema("https://json.schemastore.org/sarif-2.1.0.json").version(json!("2.1.0")).runs(vec![run]).build();
    serde_json::to_string_pretty(&log).expect("SARIF serialises") + "\n"
}
