//! Transforms: each one edits the documents of the kinds it cares about.
//!
//! A transform is built from the user's values and knows nothing of the CLI
//! or of the stream. It looks at one parsed document and records
//! [`Edits`]; the pipeline in [`crate::postrender`] applies them.

pub mod dns;
pub mod external_services;
pub mod gpu;
pub mod security_context;
pub mod settings;

use crate::edit::{Edits, Frag};
use crate::error::Error;
use crate::values::Values;
use crate::yaml::{Node, Scalar};

/// One parsed document as a transform sees it.
pub struct Doc<'a> {
    pub text: &'a str,
    pub root: &'a Node,
    pub kind: &'a str,
    /// The template file, from `# Source:` (Helm 3) or the filename annotation (Helm 4).
    pub source: Option<&'a str>,
}

/// A document a transform adds at the end of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    /// Shown as the document's `# Source:`, e.g. `polyaxon-pr/external-services-secret.yaml`.
    pub source: String,
    /// The object, a mapping with `metadata`.
    pub object: Frag,
}

/// An error at a node of the document being transformed.
#[derive(Debug, PartialEq, Eq)]
pub struct NodeError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl NodeError {
    pub fn at(node: &Node, message: impl Into<String>) -> Self {
        NodeError { line: node.line, col: node.col, message: message.into() }
    }
}

pub trait Transform {
    /// Short name used in messages and `--diff` headers.
    fn name(&self) -> &'static str;
    /// Whether documents of this kind should be handed to [`Transform::edit`].
    fn applies_to(&self, kind: &str) -> bool;
    /// Records the edits for one document; `notes` collects conflicts worth telling the user.
    fn edit(&mut self, doc: &Doc<'_>, edits: &mut Edits, notes: &mut Vec<String>) -> Result<(), NodeError>;
    /// Asked before `edit`: `Some(reason)` removes the document from the stream.
    fn drops(&mut self, _doc: &Doc<'_>) -> Option<String> {
        None
    }
    /// Called once after the last document: documents to append, and notes
    /// about the stream as a whole.
    /// Fails for what only the whole stream shows (still before any output).
    fn finish(&mut self, _notes: &mut Vec<String>) -> Result<Vec<NewDocument>, Error> {
        Ok(Vec::new())
    }
}

/// What the command line adds to the values.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--gpu-target KIND/NAME`: workloads whose every container gets the NVIDIA mounts.
    pub gpu_targets: Vec<String>,
    /// `--drop-builtin SERVICE`: built-in subcharts to remove from the stream.
    pub drop_builtin: Vec<String>,
    /// `--external-secret NAME`: an existing Secret holding the external services' passwords.
    pub external_secret: Option<String>,
    /// The release name (`--release`, else the stream's `release:` label).
    pub release: Option<String>,
}

/// Builds every transform the values turn on, in the order they run.
pub fn from_values(values: &Values, options: &Options) -> Result<Vec<Box<dyn Transform>>, Error> {
    let mut transforms: Vec<Box<dyn Transform>> = Vec::new();
    if let Some(t) = security_context::SecurityContext::from_values(values)? {
        transforms.push(Box::new(t));
    }
    if let Some(t) = gpu::Gpu::from_values(values, &options.gpu_targets)? {
        transforms.push(Box::new(t));
    }
    if let Some(t) = dns::Dns::from_values(values)? {
        transforms.push(Box::new(t));
    }
    let (drop, secret, release) = (&options.drop_builtin, options.external_secret.as_deref(), options.release.as_deref());
    if let Some(t) = external_services::ExternalServices::from_values(values, drop, secret, release)? {
        transforms.push(Box::new(t));
    }
    Ok(transforms)
}

/// A scalar setting a transform wants a field to have.
#[derive(Debug, Clone, PartialEq)]
pub enum Want {
    Int(i64),
    Bool(bool),
    Str(String),
}

impl Want {
    fn frag(&self) -> Frag {
        match self {
            Want::Int(n) => Frag::int(*n),
            Want::Bool(b) => Frag::bool(*b),
            Want::Str(s) => Frag::str(s),
        }
    }

    fn matches(&self, node: &Node) -> bool {
        match (self, node.scalar()) {
            (Want::Int(a), Some(Scalar::Int(b))) => *a == b,
            (Want::Bool(a), Some(Scalar::Bool(b))) => *a == b,
            (Want::Str(a), Some(Scalar::Str(b))) => a == b,
            _ => false,
        }
    }

    fn show(&self) -> String {
        match self.frag() {
            Frag::Scalar(s) => s,
            _ => unreachable!("wants are scalars"),
        }
    }
}

/// Makes `parent.<key>` a mapping holding `fields`: adds the mapping or the
/// missing fields, never overwrites. A field that already holds another value
/// is kept and reported in `notes` (one line per field).
pub fn ensure_fields(
    text: &str,
    parent: &Node,
    parent_path: &str,
    key: &str,
    fields: &[(&str, Want)],
    edits: &mut Edits,
    notes: &mut Vec<String>,
) -> Result<(), NodeError> {
    let all = || fields.iter().map(|(k, w)| (k.to_string(), w.frag())).collect::<Vec<_>>();
    match parent.entry(key) {
        None => edits.add_entries(text, parent, vec![(key.to_string(), Frag::Map(all()))]),
        Some((k, v)) if v.is_null() => edits.fill_null(text, k, v, &Frag::Map(all())),
        Some((_, v)) if v.is_map() => {
            let mut missing = Vec::new();
            for (field, want) in fields {
                match v.get(field) {
                    None => missing.push((field.to_string(), want.frag())),
                    Some(have) if !want.matches(have) => notes.push(format!(
                        "{parent_path}.{key}.{field} is {}, not {}; kept as the chart set it",
                        shown(text, have),
                        want.show()
                    )),
                    Some(_) => {}
                }
            }
            edits.add_entries(text, v, missing);
        }
        Some((_, v)) => {
            return Err(NodeError::at(v, format!("{parent_path}.{key} must be a mapping, found {}", v.type_name())))
        }
    }
    Ok(())
}

/// A node's text as written, for messages.
fn shown<'a>(text: &'a str, node: &Node) -> &'a str {
    text[node.start..node.end].trim_end()
}

