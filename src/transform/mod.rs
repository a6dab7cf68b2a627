//! Transforms: each one edits the documents of the kinds it cares about.
//!
//! A transform is built from the user's values and what the stream says of
//! itself ([`Facts`]: chart and version, Helm version, whether hook Jobs
//! are visible), and knows nothing of the CLI. It looks at one parsed
//! document and says what it wants through an [`Editor`]; the pipeline in
//! [`crate::postrender`] applies it.

pub mod dns;
pub mod external_services;
pub mod gpu;
pub mod key_check;
pub mod pod_security;
pub mod security_context;
pub mod settings;

use globset::GlobMatcher;

use crate::edit::{Editor, Fragment, MapRef, NodeError};
use crate::error::Error;
use crate::knowledge::{ChartVersion, Service};
use crate::values::settings::Settings;
use crate::values::Values;
use crate::workload::{Owner, WorkloadKind};
use crate::yaml::{Node, Scalar};

/// What the stream says of itself, gathered before any document is edited.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The Polyaxon chart and version, from the objects' `chart` labels.
    pub chart: Option<ChartVersion>,
    /// Helm 4 framed the stream (its filename annotation on the documents).
    pub helm4: bool,
    /// Hook Jobs are missing: a Helm 3 stream (`# Source:` comments)
    /// without any `helm.sh/hook` object. Helm 3 never hands hooks to a
    /// post-renderer; a chart render piped by hand has them.
    pub hooks_hidden: bool,
    /// The chart's full name (`pax-polyaxon`), from its main ConfigMap.
    pub fullname: Option<String>,
    /// The labels of that ConfigMap, for objects polyaxon-pr adds.
    pub config_labels: Vec<(String, String)>,
    /// The release name (`--release`, else the `release` label).
    pub release: Option<String>,
    /// What the chart rendered for Polyaxon: its `POLYAXON_*` ConfigMap data
    /// and plain env values (the first of each), gathered only when an
    /// external service is configured.
    pub settings: Vec<(String, String)>,
    /// Polyaxon env vars that read a Secret: (variable, Secret name).
    pub secret_refs: Vec<(String, String)>,
    /// Secrets the built-in subcharts render.
    pub builtin_secrets: Vec<String>,
}

impl Facts {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// One parsed document as a transform sees it.
pub struct Doc<'a> {
    pub text: &'a str,
    pub root: &'a Node,
    pub kind: &'a str,
    /// The template file, from `# Source:` (Helm 3) or the filename annotation (Helm 4).
    pub source: Option<&'a str>,
    pub owner: Owner<'a>,
    /// A `helm.sh/hook` object.
    pub hook: bool,
    pub facts: &'a Facts,
}

/// A document a transform adds at the end of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    /// Shown as the document's `# Source:`, e.g. `polyaxon-pr/external-services-secret.yaml`.
    pub source: String,
    /// The object, a mapping with `metadata`.
    pub object: Fragment,
}

pub trait Transform {
    /// Short name used in messages and `--diff` headers.
    fn name(&self) -> &'static str;
    /// Whether documents of this kind should be handed to [`Transform::edit`].
    fn applies_to(&self, kind: &str) -> bool;
    /// Asked of a document of a kind it applies to, before it is parsed:
    /// `false` when its text alone shows there is nothing to read or do in
    /// it. A document no transform reads is copied out unparsed (and so
    /// unchecked, like the kinds no transform applies to).
    fn reads(&self, _kind: &str, _text: &str) -> bool {
        true
    }
    /// Says what it wants of one document; `notes` collects what the user should hear.
    fn edit<'n>(&mut self, doc: &Doc<'n>, editor: &mut Editor<'n>, notes: &mut Vec<String>) -> Result<(), NodeError>;
    /// Asked before `edit`: `Some(reason)` removes the document from the stream.
    fn drops(&mut self, _doc: &Doc<'_>) -> Option<String> {
        None
    }
    /// Called once after the last document: documents to append, and notes
    /// about the stream as a whole. Fails for what only the whole stream
    /// shows (still before any output).
    fn finish(&mut self, _facts: &Facts, _notes: &mut Vec<String>) -> Result<Vec<NewDocument>, Error> {
        Ok(Vec::new())
    }
}

/// Whose workloads the security-context transform touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecurityScope {
    /// Polyaxon's own workloads, as the chart version itself would render them.
    #[default]
    Polyaxon,
    /// Also subchart workloads, with only the container fields that cannot
    /// change who a process runs as.
    All,
}

/// `--gpu-target KIND/NAME`: a workload kind and a name glob.
#[derive(Debug, Clone)]
pub struct GpuTarget {
    pub kind: WorkloadKind,
    pub name: GlobMatcher,
    /// As the user wrote it, for messages.
    pub shown: String,
}

impl GpuTarget {
    pub fn parse(text: &str) -> Result<GpuTarget, String> {
        let (kind, name) = text
            .split_once('/')
            .filter(|(k, n)| !k.is_empty() && !n.is_empty())
            .ok_or_else(|| format!("`{text}`: expected KIND/NAME, e.g. DaemonSet/pax-polyaxon-resources or Deployment/*-gpu-*"))?;
        let kind = kind.parse::<WorkloadKind>()?;
        let glob = globset::Glob::new(name).map_err(|e| format!("`{name}` is not a valid name pattern: {e}"))?;
        Ok(GpuTarget { kind, name: glob.compile_matcher(), shown: text.to_string() })
    }

    pub fn matches(&self, kind: &str, name: &str) -> bool {
        self.kind.name() == kind && self.name.is_match(name)
    }
}

/// What the command line adds to the values.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub gpu_targets: Vec<GpuTarget>,
    /// `--drop-builtin SERVICE`: built-in subcharts to remove from the stream.
    pub drop_builtin: Vec<Service>,
    /// `--external-secret NAME`: an existing Secret holding the external services' passwords.
    pub external_secret: Option<String>,
    /// `--release NAME`.
    pub release: Option<String>,
    pub security_scope: SecurityScope,
    /// `--pod-security LEVEL`: the Pod Security Standard every pod must meet.
    pub pod_security: Option<crate::knowledge::pod_security::Level>,
    /// `--pod-security-mode warn`: report what the level forbids, write the output anyway.
    pub pod_security_warn: bool,
}

/// Builds every transform the values turn on, in the order they run.
pub fn build(values: &Values, options: &Options, facts: &Facts) -> Result<Vec<Box<dyn Transform>>, Error> {
    let settings = Settings::new(values, facts.chart);
    let mut transforms: Vec<Box<dyn Transform>> = Vec::new();
    if let Some(t) = security_context::SecurityContext::from_settings(&settings, options.security_scope)? {
        transforms.push(Box::new(t));
    }
    if let Some(t) = gpu::Gpu::from_settings(&settings, &options.gpu_targets)? {
        transforms.push(Box::new(t));
    }
    if let Some(t) = dns::Dns::from_settings(&settings)? {
        transforms.push(Box::new(t));
    }
    if let Some(t) = external_services::ExternalServices::from_settings(&settings, options, facts)? {
        transforms.push(Box::new(t));
    }
    // Last: it judges the pods as the other transforms leave them.
    if let Some(level) = options.pod_security {
        transforms.push(Box::new(pod_security::PodSecurity::new(level, options.pod_security_warn, options.security_scope, &settings)));
    }
    Ok(transforms)
}

/// A scalar setting a transform wants a field to have.
#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    Int(i64),
    Bool(bool),
    Str(String),
}

impl Wanted {
    fn frag(&self) -> Fragment {
        match self {
            Wanted::Int(n) => Fragment::int(*n),
            Wanted::Bool(b) => Fragment::bool(*b),
            Wanted::Str(s) => Fragment::str(s),
        }
    }

    fn matches(&self, node: &Node) -> bool {
        match (self, node.scalar()) {
            (Wanted::Int(a), Some(Scalar::Int(b))) => *a == b,
            (Wanted::Bool(a), Some(Scalar::Bool(b))) => *a == b,
            (Wanted::Str(a), Some(Scalar::Str(b))) => a == b,
            _ => false,
        }
    }

    fn show(&self) -> String {
        match self.frag() {
            Fragment::Scalar(s) => s,
            _ => unreachable!("wants are scalars"),
        }
    }
}

/// Makes `parent.<key>` a mapping holding `fields`: adds the mapping or the
/// missing fields, never overwrites. A field that already holds another
/// value is kept and reported in `notes` (one line per field).
pub fn ensure_fields<'n>(
    editor: &mut Editor<'n>,
    parent: &'n Node,
    parent_path: &dyn std::fmt::Display,
    key: &str,
    fields: &[(&str, Wanted)],
    notes: &mut Vec<String>,
) -> Result<(), NodeError> {
    if fields.is_empty() {
        return Ok(());
    }
    // Spelled for a message only.
    let path = || format!("{parent_path}.{key}");
    let map = editor.ensure_map_at(MapRef::Node(parent), key, &path)?;
    let existing = parent.get(key).filter(|v| v.is_map());
    for (field, want) in fields {
        match existing.and_then(|m| m.get(field)) {
            None => editor.set_scalar(map, field, want.frag())?,
            Some(have) if have.is_null() => editor.set_scalar(map, field, want.frag())?,
            Some(have) if !want.matches(have) => {
                notes.push(format!("{}.{field} is {}, not {}; kept as the chart set it", path(), shown(editor.text(), have), want.show()))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A node's text as written, for messages (control characters escaped).
fn shown(text: &str, node: &Node) -> String {
    crate::text::sanitize(text[node.start..node.end].trim_end())
}

/// Said once when a transform changed workloads of a stream whose hook Jobs
/// Helm 3 kept from it.
pub const HOOKS_HIDDEN_NOTE: &str = "{transform}: Helm 3 does not hand hook Jobs (database migrations, cleanups) to post-renderers, so they keep what the chart rendered; run through Helm 4 to have them changed too";

/// What the unit tests of every transform share: values from text, facts
/// for a chart label, and one document run through one transform.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{Doc, Facts, Transform};
    use crate::edit::Editor;
    use crate::knowledge::ChartVersion;
    use crate::values::{HelmMajor, Values};
    use crate::workload::{self, Owner};
    use crate::yaml::{parse_one, Node};

    pub fn values(text: &str) -> Values {
        let mut v = Values::default();
        v.add_text("values.yaml", text, HelmMajor::V4).unwrap();
        v
    }

    pub fn facts_for(chart: &str) -> Facts {
        Facts {
            chart: ChartVersion::from_label(chart),
            fullname: Some("pax-polyaxon".into()),
            release: Some("pax".into()),
            ..Facts::default()
        }
    }

    /// Runs `t` on one document; returns the edited text and the notes.
    pub fn run_one(t: &mut dyn Transform, text: &str, facts: &Facts) -> (String, Vec<String>) {
        let root = parse_one(text).unwrap().unwrap();
        let kind = root.get("kind").and_then(Node::text).unwrap().to_string();
        let doc = Doc {
            text,
            root: &root,
            kind: &kind,
            source: None,
            owner: Owner::of(&root, None),
            hook: workload::annotation(&root, "helm.sh/hook").is_some(),
            facts,
        };
        let mut editor = Editor::new(text);
        let mut notes = Vec::new();
        if t.applies_to(&kind) {
            t.edit(&doc, &mut editor, &mut notes).unwrap();
        }
        (editor.finish().unwrap(), notes)
    }
}
