//! The post-render pipeline: split the stream, hand each document to the
//! transforms that care about its kind, and join it back.
//!
//! Documents no transform cares about are never parsed and are copied out as
//! they came in (the 1.7 MB of CRDs cost one scan for `kind:`). A document
//! leaves the stream only when a transform drops it (`--drop-builtin`), and
//! new documents are only ever appended after the last one.

use crate::edit::{Edits, Frag};
use crate::error::{Error, Location};
use crate::stream::{self, Document};
use crate::transform::{Doc, NewDocument, Transform};
use crate::workload;
use crate::yaml::{self, Node};

/// The annotation Helm 4 puts on every document it hands a post-renderer.
const HELM4_FILENAME: &str = "postrenderer.helm.sh/postrender-filename";

/// A document a transform changed, or added (`before` empty). Dropped
/// documents are counted in [`Outcome::removed`] and named in the notes.
#[derive(Debug, Clone)]
pub struct Change {
    /// 1-based position in the input stream (for added documents, in the output).
    pub index: usize,
    pub kind: String,
    pub name: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub output: String,
    /// Documents in the input.
    pub documents: usize,
    /// Documents a transform dropped.
    pub removed: usize,
    pub changes: Vec<Change>,
    /// Conflicts and other things the user should hear about.
    pub notes: Vec<String>,
}

pub fn run(input: &str, transforms: &mut [Box<dyn Transform>]) -> Result<Outcome, Error> {
    let docs = stream::split(input);
    let mut outcome = Outcome { output: String::with_capacity(input.len() + input.len() / 8), documents: docs.len(), ..Default::default() };
    for (i, doc) in docs.iter().enumerate() {
        match transform_document(i + 1, doc, transforms, &mut outcome)? {
            Fate::Keep => {
                outcome.output.push_str(doc.separator);
                outcome.output.push_str(doc.body);
            }
            Fate::Changed(text) => {
                outcome.output.push_str(doc.separator);
                outcome.output.push_str(&text);
            }
            Fate::Dropped => outcome.removed += 1,
        }
    }
    let helm4 = input.contains(HELM4_FILENAME);
    let mut added = Vec::new();
    for t in transforms.iter_mut() {
        added.extend(t.finish(&mut outcome.notes)?);
    }
    for (i, doc) in added.into_iter().enumerate() {
        let text = render_new(doc, helm4);
        if !outcome.output.is_empty() && !outcome.output.ends_with('\n') {
            outcome.output.push('\n');
        }
        let separator = if helm4 && outcome.output.is_empty() { "" } else { "---\n" };
        outcome.output.push_str(separator);
        outcome.output.push_str(&text);
        let root = yaml::parse_one(&text).ok().flatten().expect("generated documents parse");
        let kind = root.get("kind").and_then(Node::text).unwrap_or_default().to_string();
        let name = workload::name(&root).to_string();
        outcome.changes.push(Change { index: docs.len() + i + 1, kind, name, before: String::new(), after: text });
    }
    Ok(outcome)
}

/// Frames an added document as the Helm version at hand frames its own:
/// a `# Source:` comment for Helm 3, the filename annotation for Helm 4.
fn render_new(doc: NewDocument, helm4: bool) -> String {
    let NewDocument { source, mut object } = doc;
    if !helm4 {
        return format!("# Source: {source}\n{}", object.block());
    }
    let metadata = object.entries_mut().and_then(|e| e.iter_mut().find(|(k, _)| k == "metadata")).map(|(_, v)| v);
    if let Some(entries) = metadata.and_then(Frag::entries_mut) {
        let annotation = (HELM4_FILENAME.to_string(), Frag::str(&source));
        match entries.iter_mut().find(|(k, _)| k == "annotations").and_then(|(_, v)| v.entries_mut()) {
            Some(annotations) => annotations.push(annotation),
            None => entries.push(("annotations".into(), Frag::Map(vec![annotation]))),
        }
    }
    object.block()
}

enum Fate {
    Keep,
    Changed(String),
    Dropped,
}

fn transform_document(
    index: usize,
    doc: &Document<'_>,
    transforms: &mut [Box<dyn Transform>],
    outcome: &mut Outcome,
) -> Result<Fate, Error> {
    if transforms.is_empty() || doc.is_blank() {
        return Ok(Fate::Keep);
    }
    let source = doc.source();
    let locate = |line: usize, col: usize, message: String| {
        Error::at(Location::Document { index, source: source.map(str::to_string), line: doc.first_line + line.saturating_sub(1), col }, message)
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
    let wanted: Vec<usize> = (0..transforms.len()).filter(|&i| transforms[i].applies_to(&kind)).collect();
    if wanted.is_empty() {
        return Ok(Fate::Keep);
    }
    let mut text = doc.body.to_string();
    let mut root = match parsed {
        Some(root) => root,
        None => parse(&text)?,
    };
    let name = workload::name(&root).to_string();
    for &i in &wanted {
        let view = Doc { text: &text, root: &root, kind: &kind, source };
        if let Some(reason) = transforms[i].drops(&view) {
            outcome.notes.push(format!("{kind}/{name}: removed ({reason})"));
            return Ok(Fate::Dropped);
        }
    }
    for &i in &wanted {
        let transform = &mut transforms[i];
        let mut edits = Edits::default();
        let mut notes = Vec::new();
        transform
            .edit(&Doc { text: &text, root: &root, kind: &kind, source }, &mut edits, &mut notes)
            .map_err(|e| locate(e.line, e.col, format!("{}: {}", transform.name(), e.message)))?;
        outcome.notes.extend(notes.into_iter().map(|n| format!("{kind}/{name}: {n}")));
        if !edits.is_empty() {
            text = edits.apply(&text);
            root = parse(&text)?;
        }
    }
    if text == doc.body {
        return Ok(Fate::Keep);
    }
    outcome.changes.push(Change { index, kind, name, before: doc.body.to_string(), after: text.clone() });
    Ok(Fate::Changed(text))
}
