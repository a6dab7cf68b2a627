//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning uploads it, built
//! from serde-sarif's types. A diagnostic whose fix renames the key in place
//! carries it as a SARIF `fix`.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix, Location, LogicalLocation, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, Replacement, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, Run, Sarif as SarifLog, Tool,
    ToolComponent,
};

use super::{all, level, Emitter, LintRun};
use crate::edit::Editor;
use crate::lint::report::FileReport;
use crate::lint::rules::{Applicability, RULES};
use crate::lint::Diagnostic;
use crate::{lint, secrets, yaml};

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

/// The diagnostic's fix as SARIF carries it: the exact replacements
/// applying it alone to the file makes (what `lint --fix` would write for it).
fn fix(file: &FileReport, d: &Diagnostic) -> Option<Fix> {
    let fix = d.fix.as_ref().filter(|f| f.applicability != Applicability::DisplayOnly)?;
    // The document the diagnostic is in: the last one starting before it.
    let docs = yaml::parse_all(&file.text).ok()?;
    let root = docs.iter().rev().find(|doc| doc.start <= d.span.start).or(docs.first())?;
    let mut editor = Editor::new(&file.text);
    for edit in &fix.edits {
        lint::fix::apply(&mut editor, root, edit).ok()?;
    }
    let splices = editor.splices().ok()?;
    // A moved or commented-out credential would travel in the replacement text.
    let credentials = secrets::credentials_in(&file.text);
    if splices.is_empty() || splices.iter().any(|s| credentials.iter().any(|c| s.text.contains(c.as_str()))) {
        return None;
    }
    let position = Positions::new(&file.text);
    let replacements: Vec<Replacement> = splices
        .iter()
        .map(|splice| {
            let ((start_line, start_col), (end_line, end_col)) = (position.of(splice.start), position.of(splice.end));
            let region = Region::builder().start_line(start_line).start_column(start_col).end_line(end_line).end_column(end_col).build();
            Replacement::builder()
                .deleted_region(region)
                .inserted_content(ArtifactContent::builder().text(splice.text.as_str()).build())
                .build()
        })
        .collect();
    let change = ArtifactChange::builder().artifact_location(artifact(&file.path)).replacements(replacements).build();
    Some(Fix::builder().description(Message::builder().text(fix.title.as_str()).build()).artifact_changes(vec![change]).build())
}

/// 1-based lines and columns (code points) of byte offsets.
struct Positions<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Self {
        Positions { text, line_starts: std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect() }
    }

    fn of(&self, offset: usize) -> (i64, i64) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        (line as i64, self.text[start..offset].chars().count() as i64 + 1)
    }
}

pub struct Sarif;

impl Emitter for Sarif {
    fn emit(&self, run: &LintRun<'_>) -> String {
        render(run.reports, run.version)
    }
}

fn render(reports: &[FileReport], version: &str) -> String {
    let rules: Vec<ReportingDescriptor> = RULES
        .iter()
        .map(|r| {
            ReportingDescriptor::builder()
                .id(r.code.as_str())
                .name(r.name)
                .short_description(text(r.summary))
                .full_description(text(r.explanation))
                .help(text(r.explanation))
                .default_configuration(ReportingConfiguration::builder().level(json!(level(r.severity).sarif)).build())
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
                .level(level(d.severity).sarif)
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
    let mut bag = BTreeMap::from([("chartVersion".to_string(), json!(version))]);
    if let Some(source) = super::inferred(version) {
        bag.insert("chartKnowledgeInferredFrom".to_string(), json!(source));
    }
    let properties = PropertyBag::builder().additional_properties(bag).build();
    // Columns count characters, as the parsers and editors do.
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(json!("unicodeCodePoints"))
        .properties(properties)
        .results(results)
        .build();
    let log = SarifLog::builder().schema("https://json.schemastore.org/sarif-2.1.0.json").version(json!("2.1.0")).runs(vec![run]).build();
    serde_json::to_string_pretty(&log).expect("SARIF serialises") + "\n"
}
