//! The post-render pipeline: split the stream, hand each document to the
//! transforms that care about its kind, and join it back.
//!
//! Documents no transform cares about are never parsed and are copied out as
//! they came in (the 1.7 MB of CRDs cost one scan for `kind:`).

use crate::edit::Edits;
use crate::error::{Error, Location};
use crate::stream::{self, Document};
use crate::transform::{Doc, Transform};
use crate::workload;
use crate::yaml::{self, Node};

/// A document a transform changed.
#[derive(Debug, Clone)]
pub struct Change {
    /// 1-based position in the stream.
    pub index: usize,
    pub kind: String,
    pub name: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub output: String,
    pub documents: usize,
    pub changes: Vec<Change>,
    /// Conflicts and other things the user should hear about, each prefixed with `Kind/name`.
    pub notes: Vec<String>,
}

pub fn run(input: &str, transforms: &[Box<dyn Transform>]) -> Result<Outcome, Error> {
    let docs = stream::split(input);
    let mut outcome = Outcome { output: String::with_capacity(input.len() + input.len() / 8), documents: docs.len(), ..Default::default() };
    for (i, doc) in docs.iter().enumerate() {
        outcome.output.push_str(doc.separator);
        match transform_document(i + 1, doc, transforms, &mut outcome)? {
            Some(text) => outcome.output.push_str(&text),
            None => outcome.output.push_str(doc.body),
        }
    }
    Ok(outcome)
}

/// Returns the new text of the document, or `None` when it is unchanged.
fn transform_document(
    index: usize,
    doc: &Document<'_>,
    transforms: &[Box<dyn Transform>],
    outcome: &mut Outcome,
) -> Result<Option<String>, Error> {
    if transforms.is_empty() || doc.is_blank() {
        return Ok(None);
    }
    let locate = |line: usize, col: usize, message: String| {
        let source = doc.source().map(str::to_string);
        Error::at(Location::Document { index, source, line: doc.first_line + line.saturating_sub(1), col }, message)
    };
    let parse = |text: &str| -> Result<Node, Error> {
        match yaml::parse_one(text) {
            Ok(Some(root)) => Ok(root),
            Ok(None) => Err(locate(1, 1, "document has no content".into())),
            Err(e) => Err(locate(e.line, e.col, format!("invalid YAML: {}", e.message))),
        }
    };
    // Manifests write `kind:` at column 0; anything else is parsed to find out.
    let mut parsed = None;
    let kind = match doc.kind() {
        Some(kind) => kind.to_string(),
        None => {
            let root = parse(doc.body)?;
            let kind = root.get("kind").and_then(Node::text).unwrap_or_default().to_string();
            parsed = Some(root);
            kind
        }
    };
    let wanted: Vec<&Box<dyn Transform>> = transforms.iter().filter(|t| t.applies_to(&kind)).collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    let mut text = doc.body.to_string();
    let mut root = match parsed {
        Some(root) => root,
        None => parse(&text)?,
    };
    let name = workload::name(&root).to_string();
    for transform in wanted {
        let mut edits = Edits::default();
        let mut notes = Vec::new();
        transform
            .edit(&Doc { text: &text, root: &root, kind: &kind }, &mut edits, &mut notes)
            .map_err(|e| locate(e.line, e.col, format!("{}: {}", transform.name(), e.message)))?;
        outcome.notes.extend(notes.into_iter().map(|n| format!("{kind}/{name}: {n}")));
        if !edits.is_empty() {
            text = edits.apply(&text);
            root = parse(&text)?;
        }
    }
    if text == doc.body {
        return Ok(None);
    }
    outcome.changes.push(Change { index, kind, name, before: doc.body.to_string(), after: text.clone() });
    Ok(Some(text))
}
