//! The post-render pipeline: split the stream, learn what it says of
//! itself ([`Facts`]), hand each document to the transforms that care about
//! its kind, and join it back.
//!
//! Documents no transform cares about are never parsed and are copied out as
//! they came in (the 1.7 MB of CRDs cost one scan for `kind:`). A document
//! leaves the stream only when a transform drops it (`--drop-builtin`), and
//! new documents are only ever appended after the last one.

use crate::edit::{Editor, Fragment};
use crate::error::{Error, Location};
use crate::knowledge::{setting_names, ChartVersion, CONFIG_MAP_MARKER};
use crate::stream::{self, Document, HELM4_FILENAME};
use crate::transform::{self, Doc, Facts, NewDocument, Options, Transform};
use crate::values::Values;
use crate::workload::{self, Owner};
use crate::yaml::{self, Node};

/// The largest stream polyaxon-pr reads.
pub const MAX_INPUT_BYTES: usize = 512 << 20;
/// The most documents one stream may hold.
pub const MAX_DOCUMENTS: usize = 200_000;

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
    /// The output stream ([`run`]; [`render`] leaves it empty and keeps it as [`Output`] pieces).
    pub output: String,
    /// Documents in the input.
    pub documents: usize,
    /// Documents a transform dropped.
    pub removed: usize,
    pub changes: Vec<Change>,
    /// Conflicts and other things the user should hear about.
    pub notes: Vec<String>,
    /// The transforms that ran, by name.
    pub transforms: Vec<&'static str>,
    pub facts: Facts,
}

impl Outcome {
    /// `--diff`: a unified diff of every changed or added document, each
    /// headed by its kind, name and place; `known` are the values'
    /// credentials, masked wherever they appear.
    pub fn diff(&self, known: &[String]) -> String {
        let mut out = String::new();
        for change in &self.changes {
            let title = format!("{}/{} (document {})", change.kind, change.name, change.index);
            out.push_str(&crate::diff::unified(&title, &title, &change.before, &change.after, known));
        }
        out
    }
}

/// With no stream to look at (an empty input): the warnings on the values
/// alone, on keys the transforms read (errors in the values are errors).
pub fn values_notes(values: &Values, options: &Options) -> Result<Vec<String>, Error> {
    let facts = gather(&[], &[], options, values.external_services());
    let ran: Vec<&'static str> = transform::build(values, options, &facts)?.iter().map(|t| t.name()).collect();
    Ok(transform::key_check::warnings(values, facts.chart.as_ref(), &ran))
}

/// Runs every transform the values turn on over a stream.
pub fn run(input: &str, values: &Values, options: &Options) -> Result<Outcome, Error> {
    let Rendered { mut outcome, output } = render(input, values, options)?;
    outcome.output = output.text(&outcome);
    Ok(outcome)
}

/// What [`render`] found and did, and the output stream as pieces.
#[derive(Debug)]
pub struct Rendered<'a> {
    pub outcome: Outcome,
    pub output: Output<'a>,
}

/// The output stream, without a copy of what it keeps of the input: runs
/// of the input as they came (the untouched documents, 1.8 MB of
/// CustomResourceDefinitions in a Polyaxon render) and the text of the
/// changed and added documents, held in [`Outcome::changes`].
#[derive(Debug, Default)]
pub struct Output<'a> {
    pieces: Vec<Piece<'a>>,
}

#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    Text(&'a str),
    /// The new text of `Outcome::changes[i]`.
    Change(usize),
}

impl<'a> Output<'a> {
    fn push(&mut self, text: &'a str) {
        if !text.is_empty() {
            self.pieces.push(Piece::Text(text));
        }
    }

    fn pieces<'o>(&'o self, outcome: &'o Outcome) -> impl Iterator<Item = &'o str> + 'o {
        self.pieces.iter().map(|p| match *p {
            Piece::Text(text) => text,
            Piece::Change(i) => outcome.changes[i].after.as_str(),
        })
    }

    /// Writes the stream, piece by piece.
    pub fn write_to(&self, outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.pieces(outcome).try_for_each(|piece| out.write_all(piece.as_bytes()))
    }

    /// The stream as one text.
    pub fn text(&self, outcome: &Outcome) -> String {
        self.pieces(outcome).collect()
    }
}

/// [`run`], keeping the output as pieces of the input and of the outcome.
pub fn render<'a>(input: &'a str, values: &Values, options: &Options) -> Result<Rendered<'a>, Error> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(Error::new(format!(
            "the manifest stream is {} MiB; polyaxon-pr reads at most {} MiB",
            input.len() >> 20,
            MAX_INPUT_BYTES >> 20
        )));
    }
    let docs = stream::split(input);
    if docs.len() > MAX_DOCUMENTS {
        return Err(Error::new(format!("the manifest stream holds {} documents; polyaxon-pr reads at most {MAX_DOCUMENTS}", docs.len())));
    }
    // Each document's `kind:` line, read once: `None` for a blank document,
    // `Some(None)` for one that must be parsed to tell.
    let kinds: Vec<Option<Option<&str>>> = docs.iter().map(|d| (!d.is_blank()).then(|| d.kind())).collect();
    let facts = gather(&docs, &kinds, options, values.external_services());
    let mut transforms = transform::build(values, options, &facts)?;
    let ran: Vec<&'static str> = transforms.iter().map(|t| t.name()).collect();
    let mut outcome = Outcome {
        documents: docs.len(),
        notes: transform::key_check::warnings(values, facts.chart.as_ref(), &ran),
        transforms: ran,
        ..Default::default()
    };
    if let Some(chart) = facts.chart {
        let newest = ChartVersion::newest(chart.name);
        if chart.version > newest.version {
            outcome
                .notes
                .push(format!("{chart} is newer than any chart this polyaxon-pr knows: handled as {newest}; update polyaxon-helm"));
        }
    }
    let mut output = Output::default();
    // The input kept as it came since `kept` (the documents concatenate back to it).
    let (mut kept, mut at) = (0, 0);
    for (i, doc) in docs.iter().enumerate() {
        let (body_start, end) = (at + doc.separator.len(), at + doc.separator.len() + doc.body.len());
        let first_line = || stream::line_at(input, body_start);
        match transform_document(i + 1, doc, kinds[i], &first_line, &mut transforms, &facts, &mut outcome)? {
            Fate::Keep => {}
            Fate::Changed => {
                output.push(&input[kept..body_start]);
                output.pieces.push(Piece::Change(outcome.changes.len() - 1));
                kept = end;
            }
            Fate::Dropped => {
                output.push(&input[kept..at]);
                outcome.removed += 1;
                kept = end;
            }
        }
        at = end;
    }
    output.push(&input[kept..]);
    let mut added = Vec::new();
    for t in transforms.iter_mut() {
        added.extend(t.finish(&facts, &mut outcome.notes)?);
    }
    for (i, doc) in added.into_iter().enumerate() {
        let (kind, name) = (frag_text(&doc.object, &["kind"]), frag_text(&doc.object, &["metadata", "name"]));
        let text = render_new(doc, facts.helm4);
        let last = output.pieces(&outcome).filter(|piece| !piece.is_empty()).last().map(|piece| piece.ends_with('\n'));
        if last == Some(false) {
            output.push("\n");
        }
        output.push(if facts.helm4 && last.is_none() { "" } else { "---\n" });
        outcome.changes.push(Change { index: docs.len() + i + 1, kind, name, before: String::new(), after: text });
        output.pieces.push(Piece::Change(outcome.changes.len() - 1));
    }
    outcome.facts = facts;
    Ok(Rendered { outcome, output })
}

/// What the stream says of itself: the chart (from the first object with a
/// `chart` label), Helm's framing, the main ConfigMap, whether hooks are in it.
/// `kinds` are the documents' `kind:` lines, as [`render`] read them.
fn gather(docs: &[Document<'_>], kinds: &[Option<Option<&str>>], options: &Options, want_settings: bool) -> Facts {
    let mut facts = Facts { release: options.release.clone(), ..Facts::default() };
    let helm3_framed = docs.first().is_some_and(|d| d.body.starts_with("# Source: "));
    let mut hooks_seen = false;
    // Byte searches, set up once: str's `contains` sets a searcher up for every document.
    let [config_marker, hook, polyaxon] = [CONFIG_MAP_MARKER, "helm.sh/hook", setting_names::PREFIX].map(memchr::memmem::Finder::new);
    let has = |doc: &Document<'_>, what: &memchr::memmem::Finder<'_>| what.find(doc.body.as_bytes()).is_some();
    for (doc, kind) in docs.iter().zip(kinds).filter_map(|(d, k)| Some((d, (*k)?))) {
        if kind == Some("CustomResourceDefinition") {
            continue;
        }
        let need_chart = facts.chart.is_none();
        let is_config = kind == Some("ConfigMap") && facts.fullname.is_none() && has(doc, &config_marker);
        let maybe_hook = !hooks_seen && has(doc, &hook);
        let settings = want_settings && (has(doc, &polyaxon) || kind == Some("Secret"));
        if !(need_chart || is_config || maybe_hook || settings) {
            continue;
        }
        let Ok(Some(root)) = yaml::parse_one(doc.body) else {
            continue;
        };
        if settings {
            gather_settings(&root, doc.source(), &mut facts);
        }
        if need_chart {
            // `chart: polyaxon-0.4.4` labels; `chart` annotations and `app.kubernetes.io/instance: polyaxon-2.15.1` labels from 1.x.
            let label = ["chart", "helm.sh/chart", "app.kubernetes.io/instance"]
                .iter()
                .find_map(|k| workload::label(&root, k).and_then(ChartVersion::from_label))
                .or_else(|| workload::annotation(&root, "chart").and_then(ChartVersion::from_label));
            facts.chart = label;
            if facts.chart.is_some() {
                facts.helm4 = workload::annotation(&root, HELM4_FILENAME).is_some();
                if facts.release.is_none() {
                    facts.release = workload::label(&root, "release").map(str::to_string);
                }
            }
        }
        if is_config && Owner::of(&root, None) == Owner::Polyaxon && root.path(&["data", CONFIG_MAP_MARKER]).is_some() {
            facts.fullname = workload::name(&root).strip_suffix("-config").map(str::to_string);
            let labels = root.path(&["metadata", "labels"]).and_then(Node::entries).unwrap_or_default();
            facts.config_labels = labels.iter().filter_map(|(k, v)| Some((k.text()?.to_string(), v.text()?.to_string()))).collect();
        }
        if maybe_hook && workload::annotation(&root, "helm.sh/hook").is_some() {
            hooks_seen = true;
        }
    }
    facts.hooks_hidden = helm3_framed && !facts.helm4 && !hooks_seen;
    facts
}

/// Records what the chart rendered for Polyaxon (settings and Secret
/// references) and the Secrets of built-in subcharts.
fn gather_settings(root: &Node, source: Option<&str>, facts: &mut Facts) {
    let source = source.map(str::to_string).or_else(|| workload::annotation(root, HELM4_FILENAME).map(str::to_string));
    let owner = Owner::of(root, source.as_deref());
    let kind = root.get("kind").and_then(Node::text).unwrap_or_default();
    let mut record = |key: &str, value: &str| {
        if key.starts_with(setting_names::PREFIX) && !facts.settings.iter().any(|(k, _)| k == key) {
            facts.settings.push((key.to_string(), value.to_string()));
        }
    };
    match (kind, owner) {
        ("Secret", Owner::Subchart(_)) => facts.builtin_secrets.push(workload::name(root).to_string()),
        ("ConfigMap", Owner::Polyaxon) => {
            for (k, v) in root.get("data").and_then(Node::entries).unwrap_or_default() {
                if let (Some(k), Some(v)) = (k.text(), v.text()) {
                    record(k, v);
                }
            }
        }
        (_, Owner::Polyaxon) => {
            let Some(pod) = workload::WorkloadKind::of(kind).and_then(|k| root.path(k.pod_spec_path())) else {
                return;
            };
            // Wrong shapes are refused where a transform reads them.
            for (container, _) in workload::containers(pod, "").unwrap_or_default() {
                for entry in container.get("env").and_then(Node::items).unwrap_or_default() {
                    let Some(name) = entry.get("name").and_then(Node::text) else {
                        continue;
                    };
                    if let Some(value) = entry.get("value").and_then(Node::text) {
                        record(name, value);
                    } else if let Some((secret, _)) = crate::transform::settings::secret_ref(entry) {
                        if !facts.secret_refs.iter().any(|(n, s)| n == name && s == secret) {
                            facts.secret_refs.push((name.to_string(), secret.to_string()));
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

fn frag_text(frag: &Fragment, path: &[&str]) -> String {
    let mut node = frag;
    for key in path {
        let Fragment::Map(entries) = node else {
            return String::new();
        };
        match entries.iter().find(|(k, _)| k == key) {
            Some((_, v)) => node = v,
            None => return String::new(),
        }
    }
    match node {
        Fragment::Scalar(s) => s.trim_matches('"').to_string(),
        _ => String::new(),
    }
}

/// Frames an added document as the Helm version at hand frames its own:
/// a `# Source:` comment for Helm 3, the filename annotation for Helm 4.
fn render_new(doc: NewDocument, helm4: bool) -> String {
    let NewDocument { source, mut object } = doc;
    if !helm4 {
        return format!("# Source: {source}\n{}", object.block());
    }
    let metadata = object.entries_mut().and_then(|e| e.iter_mut().find(|(k, _)| k == "metadata")).map(|(_, v)| v);
    if let Some(entries) = metadata.and_then(Fragment::entries_mut) {
        let annotation = (HELM4_FILENAME.to_string(), Fragment::str(&source));
        match entries.iter_mut().find(|(k, _)| k == "annotations").and_then(|(_, v)| v.entries_mut()) {
            Some(annotations) => annotations.push(annotation),
            None => entries.push(("annotations".into(), Fragment::Map(vec![annotation]))),
        }
    }
    object.block()
}

enum Fate {
    Keep,
    /// The new text is the last of [`Outcome::changes`].
    Changed,
    Dropped,
}

/// One document (the `index`th, 1-based) through the transforms; `kind_line`
/// as [`render`] read it; `first_line` is where its body starts, for an error.
fn transform_document(
    index: usize,
    doc: &Document<'_>,
    kind_line: Option<Option<&str>>,
    first_line: &dyn Fn() -> usize,
    transforms: &mut [Box<dyn Transform>],
    facts: &Facts,
    outcome: &mut Outcome,
) -> Result<Fate, Error> {
    let Some(kind_line) = kind_line.filter(|_| !transforms.is_empty()) else {
        return Ok(Fate::Keep);
    };
    // Helm 3's `# Source:` comment, looked for only when a message or a transform needs it.
    let comment_source = || doc.source();
    let locate = |source: Option<&str>, line: usize, col: usize, message: String| {
        let source = source.map(crate::text::sanitize);
        Error::at(Location::Document { index, source, line: first_line() + line.saturating_sub(1), col }, message)
    };
    let parse = |text: &str| -> Result<Node, Error> {
        match yaml::parse_one(text) {
            Ok(Some(root)) => Ok(root),
            Ok(None) => Err(locate(comment_source(), 1, 1, "document has no content".into())),
            Err(e) => Err(locate(comment_source(), e.line, e.col, format!("invalid YAML: {}", e.message))),
        }
    };
    // Manifests write `kind:` at column 0; anything else is parsed to find out.
    let mut parsed = None;
    let kind = match kind_line {
        Some(kind) => kind.to_string(),
        None => {
            let root = parse(doc.body)?;
            let kind = root.get("kind").and_then(Node::text).unwrap_or_default().to_string();
            parsed = Some(root);
            kind
        }
    };
    let wanted: Vec<usize> =
        (0..transforms.len()).filter(|&i| transforms[i].applies_to(&kind) && transforms[i].reads(&kind, doc.body)).collect();
    if wanted.is_empty() {
        return Ok(Fate::Keep);
    }
    let root = match parsed {
        Some(root) => root,
        None => parse(doc.body)?,
    };
    workload::check_object(&root).map_err(|e| locate(comment_source(), e.line, e.col, e.message))?;
    // Helm 4's filename annotation, read from the object's metadata only.
    let annotated = workload::annotation(&root, HELM4_FILENAME).map(str::to_string);
    let source_owned = comment_source().map(str::to_string).or(annotated);
    let source = source_owned.as_deref();
    let name = crate::text::sanitize(workload::name(&root));
    let first = view(doc.body, &root, &kind, source, facts);
    for &i in &wanted {
        if let Some(reason) = transforms[i].drops(&first) {
            outcome.notes.push(format!("{kind}/{name}: removed ({reason})"));
            return Ok(Fate::Dropped);
        }
    }
    // The document is parsed once, and the transforms share one editor on
    // it. Only a transform after one that changed the document gets the
    // changed text, parsed again: it must read what the earlier one wrote
    // (a URL another transform rewrote, a field another one set).
    let mut edited: Option<(String, Option<Node>)> = None;
    let mut pending = &wanted[..];
    while let Some((&i, rest)) = pending.split_first() {
        // The first transforms see the document as it came (and as `drops` saw it).
        let changed_view;
        let (text, view) = match &edited {
            Some((text, Some(root))) => {
                changed_view = view(text, root, &kind, source, facts);
                (text.as_str(), &changed_view)
            }
            _ => (doc.body, &first),
        };
        let mut editor = Editor::new(text);
        let mut next = Some((i, rest));
        let mut last = i;
        while let Some((i, rest)) = next.filter(|_| editor.is_empty()) {
            let transform = &mut transforms[i];
            let mut notes = Vec::new();
            transform
                .edit(view, &mut editor, &mut notes)
                .map_err(|e| locate(source, e.line.max(1), e.col.max(1), format!("{}: {}", transform.name(), e.message)))?;
            outcome.notes.extend(notes.into_iter().map(|n| format!("{kind}/{name}: {n}")));
            (last, pending) = (i, rest);
            next = rest.split_first().map(|(&i, rest)| (i, rest));
        }
        if editor.is_empty() {
            break;
        }
        let new_text = editor
            .finish()
            .map_err(|e| locate(source, e.line.max(1), e.col.max(1), format!("{}: {}", transforms[last].name(), e.message)))?;
        let new_root = if pending.is_empty() { None } else { Some(parse(&new_text)?) };
        edited = Some((new_text, new_root));
    }
    let Some((text, _)) = edited.filter(|(text, _)| text != doc.body) else {
        return Ok(Fate::Keep);
    };
    outcome.changes.push(Change { index, kind, name, before: doc.body.to_string(), after: text });
    Ok(Fate::Changed)
}

fn view<'a>(text: &'a str, root: &'a Node, kind: &'a str, source: Option<&'a str>, facts: &'a Facts) -> Doc<'a> {
    Doc { text, root, kind, source, owner: Owner::of(root, source), hook: workload::annotation(root, "helm.sh/hook").is_some(), facts }
}
