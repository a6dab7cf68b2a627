//! Editing YAML text without re-emitting it: the one setter layer every
//! transform goes through.
//!
//! A transform says *what* it wants (this mapping should have that key,
//! this list should end with that item, this scalar should read so) on the
//! parsed [`Node`]s of a document, and the [`Editor`] works out *where* the
//! bytes go, in the style of the surrounding text: block or flow,
//! indentation, line endings (LF or CRLF), trailing commas, null values.
//! Every byte it does not touch stays as it was: quoting, key order,
//! comments. Like kyaml's `LookupCreate` and `FieldSetter`, a lookup that
//! finds nothing creates what is missing, and all that one transform adds
//! under one existing mapping is written there in one block.
//!
//! What cannot be edited as text without changing its meaning elsewhere
//! (aliases, anchored or custom-tagged nodes, `<<` merge keys, lone CR line
//! breaks) is refused with a located [`NodeError`], never guessed at.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use crate::yaml::{resolve, Node, Scalar, Style};

/// An error at a node of the document being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl NodeError {
    pub fn at(node: &Node, message: impl Into<String>) -> Self {
        NodeError { line: node.line as usize, col: node.col as usize, message: message.into() }
    }
}

/// A list entry [`Editor::ensure_elements`] wants.
pub struct Element<'a> {
    /// Whether an existing entry is this element (`name: X`, a host path, ...).
    pub matches: Box<dyn Fn(&Node) -> bool + 'a>,
    /// The entry appended where none matches (and written over stale ones).
    pub item: Fragment,
    pub matched: Matched<'a>,
}

/// What becomes of the entries an element matches.
pub enum Matched<'a> {
    /// Kept as they are (the chart's own volume, say).
    Keep,
    /// Rewritten as the element's item where this says they are stale.
    Replace(Box<dyn Fn(&Node) -> bool + 'a>),
}

/// A piece of YAML to insert.
#[derive(Debug, Clone, PartialEq)]
pub enum Fragment {
    /// Already rendered scalar text (see [`Fragment::str`], [`Fragment::int`], [`Fragment::bool`]).
    Scalar(String),
    Map(Vec<(String, Fragment)>),
    Seq(Vec<Fragment>),
    /// A value moved from elsewhere in the same file, as its text: what
    /// followed the key's colon on its line (a scalar, a block scalar's
    /// header, a comment) and the lines below it, dedented to column 0; with
    /// the comment lines that sat above the key. See [`Editor::take_entry`].
    Moved {
        comments: Vec<String>,
        head: String,
        body: String,
    },
}

impl Fragment {
    pub fn int(n: i64) -> Fragment {
        Fragment::Scalar(n.to_string())
    }

    pub fn bool(b: bool) -> Fragment {
        Fragment::Scalar(String::from(if b { "true" } else { "false" }))
    }

    /// A string, quoted only when plain style would change its meaning.
    pub fn str(s: &str) -> Fragment {
        Fragment::Scalar(quote(s))
    }

    /// A string always double-quoted (ConfigMap data and env values, so YAML
    /// never reads `5432` or `true` as anything but a string).
    pub fn quoted(s: &str) -> Fragment {
        let q = quote(s);
        Fragment::Scalar(if q.starts_with('"') { q } else { format!("\"{s}\"") })
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Fragment)>) -> Fragment {
        Fragment::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A top-level mapping as block YAML lines.
    pub fn block(&self) -> String {
        let mut out = String::new();
        match self {
            Fragment::Map(entries) => render_entries(entries, 0, &mut out),
            other => {
                other.render_flow(&mut out);
                out.push('\n');
            }
        }
        out
    }

    /// The entries of a mapping fragment, for building objects up.
    pub fn entries_mut(&mut self) -> Option<&mut Vec<(String, Fragment)>> {
        match self {
            Fragment::Map(entries) => Some(entries),
            _ => None,
        }
    }

    fn render_flow(&self, out: &mut String) {
        match self {
            Fragment::Scalar(s) => out.push_str(s),
            // A flow context takes a one-line value without a comment ([`Editor::add`] refuses others).
            Fragment::Moved { head, .. } => out.push_str(head),
            Fragment::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    push_quoted(out, k);
                    out.push_str(": ");
                    v.render_flow(out);
                }
                out.push('}');
            }
            Fragment::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.render_flow(out);
                }
                out.push(']');
            }
        }
    }

    /// The fragment as one line of (flow) YAML.
    pub fn flow(&self) -> String {
        let mut out = String::new();
        self.render_flow(&mut out);
        out
    }
}

/// Renders mapping entries as block lines at `indent`.
fn render_entries(entries: &[(String, Fragment)], indent: usize, out: &mut String) {
    for (k, v) in entries {
        render_entry(k, v, indent, out);
    }
}

/// One mapping entry as block lines at `indent`.
fn render_entry(k: &str, v: &Fragment, indent: usize, out: &mut String) {
    if let Fragment::Moved { comments, .. } = v {
        for c in comments {
            pad(out, indent);
            out.push_str(c);
            out.push('\n');
        }
    }
    pad(out, indent);
    push_quoted(out, k);
    out.push(':');
    match v {
        Fragment::Moved { head, body, .. } => {
            if !head.is_empty() {
                out.push(' ');
                out.push_str(head);
            }
            out.push('\n');
            for line in body.lines() {
                if !line.is_empty() {
                    pad(out, indent + 2);
                }
                out.push_str(line);
                out.push('\n');
            }
        }
        Fragment::Map(inner) if !inner.is_empty() => {
            out.push('\n');
            render_entries(inner, indent + 2, out);
        }
        // Lists sit flush with their key, as Helm 4 and the Polyaxon chart write them.
        Fragment::Seq(items) if !items.is_empty() => {
            out.push('\n');
            render_items(items, indent, out);
        }
        _ => {
            out.push(' ');
            v.render_flow(out);
            out.push('\n');
        }
    }
}

/// Renders list items as block lines whose dash sits at `indent`.
fn render_items(items: &[Fragment], indent: usize, out: &mut String) {
    for item in items {
        pad(out, indent);
        out.push_str("- ");
        match item {
            Fragment::Map(entries) if !entries.is_empty() => {
                let mut inner = String::with_capacity(256);
                render_entries(entries, indent + 2, &mut inner);
                out.push_str(&inner[indent + 2..]);
            }
            _ => {
                item.render_flow(out);
                out.push('\n');
            }
        }
    }
}

/// `n` spaces.
fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                ";
    while n > 0 {
        let step = n.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        n -= step;
    }
}

/// Renders a string scalar: plain when that reads back as the same string,
/// double-quoted otherwise (control characters escaped).
pub fn quote(s: &str) -> String {
    let mut out = String::new();
    push_quoted(&mut out, s);
    out
}

/// The bytes a plain scalar [`push_quoted`] writes may hold: ASCII letters
/// and digits, `_`, `.`, `/`, `-` (a table: this runs for every key written).
const PLAIN_SAFE: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-');
        c += 1;
    }
    table
};

/// [`quote`] onto `out`.
fn push_quoted(out: &mut String, s: &str) {
    // Past five characters, a word that starts with a letter is no null, boolean or number: no need to resolve it.
    let plain_safe = !s.is_empty()
        && s.bytes().all(|c| PLAIN_SAFE[usize::from(c)])
        && !s.starts_with(['-', '.'])
        && ((s.len() > 5 && s.as_bytes()[0].is_ascii_alphabetic()) || resolve(s, Style::Plain) == Scalar::Str(s));
    if plain_safe {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A mapping to add entries to: one in the text, or one this editor is creating.
#[derive(Debug, Clone, Copy)]
pub enum MapRef<'n> {
    Node(&'n Node),
    New(usize),
}

/// A list to append items to: one in the text, or one this editor is creating.
#[derive(Debug, Clone, Copy)]
pub enum SeqRef<'n> {
    Node(&'n Node),
    New(usize),
}

/// Content this editor creates, referenced by index from [`MapRef::New`] and [`SeqRef::New`].
#[derive(Debug, Clone)]
enum NewNode {
    Map(Vec<(String, Child)>),
    Seq(Vec<Child>),
}

#[derive(Debug, Clone)]
enum Child {
    Fragment(Fragment),
    New(usize),
}

/// Where created content is attached to the text.
#[derive(Debug, Clone)]
enum Host<'n> {
    /// A new `key: …` entry of an existing mapping.
    Entry { map: &'n Node, key: String },
    /// An existing `key:` whose value is null.
    Fill { key: &'n Node, value: &'n Node },
    /// A new last item of an existing list.
    Item { seq: &'n Node },
}

/// One replacement in the original text: bytes `start..end` become `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// An entry of a block mapping and the bytes it takes: from the comment
/// lines above it (`first`), its key's line (`line_start`), to past its value.
#[derive(Debug, Clone, Copy)]
struct EntryLines<'n> {
    key: &'n Node,
    value: &'n Node,
    first: usize,
    line_start: usize,
    end: usize,
}

#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    /// At one offset, deeper insertions come first (a container's new field
    /// before the pod spec's new key that follows the containers).
    depth: usize,
    text: String,
}

/// Records what one transform wants of one document and turns it into text.
/// Cloning it is how a caller undoes a change that failed half-way.
#[derive(Debug, Clone)]
pub struct Editor<'n> {
    text: &'n str,
    crlf: bool,
    /// Byte offset of a CR not followed by LF, if the text has one.
    lone_cr: Option<usize>,
    edits: Vec<Edit>,
    created: Vec<NewNode>,
    attached: Vec<(Host<'n>, Child)>,
    /// Indices into `attached` by [`Host::id`]: a workload with thousands
    /// of containers is not searched once per container.
    /// (Ordered, not hashed: most documents have a handful of hosts, and hashing them cost more than the rest of the edit.)
    by_host: BTreeMap<HostId, (usize, usize)>,
    /// For each of `attached`, the next one to the same host (`usize::MAX`
    /// after the last): a host's attachments are a chain from the first
    /// to the last that `by_host` holds, without a list of their own.
    next_same: Vec<usize>,
}

impl<'n> Editor<'n> {
    pub fn new(text: &'n str) -> Self {
        let bytes = text.as_bytes();
        let mut crs = memchr::memchr_iter(b'\r', bytes);
        let crlf = crs.clone().any(|i| bytes.get(i + 1) == Some(&b'\n'));
        let lone_cr = crs.find(|&i| bytes.get(i + 1) != Some(&b'\n'));
        Editor {
            text,
            crlf,
            lone_cr,
            edits: Vec::new(),
            created: Vec::new(),
            attached: Vec::new(),
            by_host: BTreeMap::new(),
            next_same: Vec::new(),
        }
    }

    /// The text the editor works on.
    pub fn text(&self) -> &'n str {
        self.text
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.attached.is_empty()
    }

    /// The mapping at `parent[key]`: the existing one, or a new one created
    /// where the key is missing or null. Anything else there is an error.
    pub fn ensure_map(&mut self, parent: MapRef<'n>, key: &str, path: &str) -> Result<MapRef<'n>, NodeError> {
        self.ensure_map_at(parent, key, &|| path.to_string())
    }

    /// [`Editor::ensure_map`], with the path for a message spelled only when there is one.
    pub fn ensure_map_at(&mut self, parent: MapRef<'n>, key: &str, path: &dyn Fn() -> String) -> Result<MapRef<'n>, NodeError> {
        match self.child(parent, key)? {
            Reached::Node(v) if v.is_map() => {
                check_editable_at(v, path)?;
                Ok(MapRef::Node(v))
            }
            Reached::Node(v) => Err(NodeError::at(v, format!("{} must be a mapping, found {}", path(), v.type_name()))),
            Reached::Missing(slot) => Ok(MapRef::New(self.create(slot, NewNode::Map(Vec::new())))),
            Reached::NewMap(id) => Ok(MapRef::New(id)),
            Reached::NewSeq(_) | Reached::NewOther => Err(self.conflict(parent, key)),
        }
    }

    /// The list at `parent[key]`: the existing one, or a new one where the key
    /// is missing or null.
    pub fn ensure_seq(&mut self, parent: MapRef<'n>, key: &str, path: &str) -> Result<SeqRef<'n>, NodeError> {
        match self.child(parent, key)? {
            Reached::Node(v) if v.items().is_some() => {
                check_editable(v, path)?;
                Ok(SeqRef::Node(v))
            }
            Reached::Node(v) => Err(NodeError::at(v, format!("{path} must be a list, found {}", v.type_name()))),
            Reached::Missing(slot) => Ok(SeqRef::New(self.create(slot, NewNode::Seq(Vec::new())))),
            Reached::NewSeq(id) => Ok(SeqRef::New(id)),
            Reached::NewMap(_) | Reached::NewOther => Err(self.conflict(parent, key)),
        }
    }

    /// Adds `key: value` to a mapping that does not have the key (the caller
    /// has looked: an existing key is an error, not overwritten).
    pub fn add(&mut self, map: MapRef<'n>, key: &str, value: Fragment) -> Result<(), NodeError> {
        if let (MapRef::Node(node), Fragment::Moved { head, body, .. }) = (map, &value) {
            if node.is_flow() && (!body.is_empty() || head.contains('#')) {
                return Err(NodeError::at(
                    node,
                    format!("`{key}` has lines or a comment of its own and this mapping is flow style; move it by hand"),
                ));
            }
        }
        match self.child(map, key)? {
            Reached::Missing(slot) => {
                self.put(slot, Child::Fragment(value));
                Ok(())
            }
            Reached::Node(v) => Err(NodeError::at(v, format!("`{key}` is already set here"))),
            _ => Err(self.conflict(map, key)),
        }
    }

    /// Sets `map[key]` to a scalar: adds the entry, or replaces the value in place.
    pub fn set_scalar(&mut self, map: MapRef<'n>, key: &str, value: Fragment) -> Result<(), NodeError> {
        match self.child(map, key)? {
            Reached::Node(v) if v.entries().is_none() && v.items().is_none() => self.replace(v, value),
            Reached::Node(v) => Err(NodeError::at(v, format!("`{key}` holds {}, not a scalar", v.type_name()))),
            Reached::Missing(slot) => {
                self.put(slot, Child::Fragment(value));
                Ok(())
            }
            _ => Err(self.conflict(map, key)),
        }
    }

    /// Appends an item to a list.
    pub fn append(&mut self, seq: SeqRef<'n>, item: Fragment) {
        match seq {
            SeqRef::Node(seq) => self.attach(Host::Item { seq }, Child::Fragment(item)),
            SeqRef::New(id) => match &mut self.created[id] {
                NewNode::Seq(items) => items.push(Child::Fragment(item)),
                NewNode::Map(_) => unreachable!("SeqRef::New points at a list"),
            },
        }
    }

    /// List entries by key, as kyaml's `ElementSetter`: for each wanted
    /// element, the entries of `parent[key]` it `matches` are found; none is
    /// appended (creating the list where it is missing), and with
    /// [`Matched::Replace`] each matching entry the element calls stale is
    /// rewritten in place. Returns the first entry each element matched.
    pub fn ensure_elements(
        &mut self,
        parent: &'n Node,
        key: &str,
        path: &str,
        elements: &[Element<'_>],
    ) -> Result<Vec<Option<&'n Node>>, NodeError> {
        let existing = parent.get(key).and_then(Node::items).unwrap_or_default();
        let mut found = Vec::with_capacity(elements.len());
        let mut missing = Vec::new();
        for element in elements {
            let matching: Vec<&'n Node> = existing.iter().filter(|e| (element.matches)(e)).collect();
            if matching.is_empty() {
                missing.push(element.item.clone());
            }
            if let Matched::Replace(stale) = &element.matched {
                for entry in matching.iter().copied().filter(|e| stale(e)) {
                    self.replace(entry, element.item.clone())?;
                }
            }
            found.push(matching.first().copied());
        }
        if !missing.is_empty() {
            let seq = self.ensure_seq(MapRef::Node(parent), key, path)?;
            for item in missing {
                self.append(seq, item);
            }
        }
        Ok(found)
    }

    /// Replaces a node with a fragment: a block mapping (a list item such as
    /// an env entry) stays block, anything else is written in flow style.
    pub fn replace(&mut self, node: &'n Node, frag: Fragment) -> Result<(), NodeError> {
        check_node(node)?;
        match &frag {
            Fragment::Map(entries) if node.is_map() && !node.is_flow() => {
                let indent = node.col as usize - 1;
                let mut block = String::new();
                render_entries(entries, indent, &mut block);
                block.pop();
                let end = block_end(self.text, text_end(self.text, node));
                self.edits.push(Edit { start: node.start, end, depth: 0, text: block[indent..].to_string() });
            }
            _ => self.edits.push(Edit { start: node.start, end: text_end(self.text, node), depth: 0, text: frag.flow() }),
        }
        Ok(())
    }

    /// Replaces the value of `key` with a fragment: a block value that was
    /// on lines of its own and becomes a flow value moves up to the key's
    /// line (keeping a comment there).
    pub fn replace_value(&mut self, key: &'n Node, value: &'n Node, frag: Fragment) -> Result<(), NodeError> {
        let block_below = value.line > key.line && !value.is_flow() && (value.is_map() || value.items().is_some());
        if !block_below || matches!(frag, Fragment::Map(_)) {
            return self.replace(value, frag);
        }
        check_node(value)?;
        let line_end = key.end + self.text[key.end..].find('\n').unwrap_or(self.text.len() - key.end);
        let comment = self.text[key.end..line_end].find('#').map(|i| format!("  {}", self.text[key.end + i..line_end].trim_end()));
        let end = block_end(self.text, text_end(self.text, value));
        self.edits.push(Edit { start: key.end, end, depth: 0, text: format!(": {}{}", frag.flow(), comment.unwrap_or_default()) });
        Ok(())
    }

    /// Replaces a scalar's text with other text of the same length or not,
    /// without looking at it (for masking).
    pub fn overwrite(&mut self, node: &Node, text: String) {
        self.edits.push(Edit { start: node.start, end: node.end, depth: 0, text });
    }

    /// Removes the `key` entry of a block mapping, with its lines. Entries
    /// that do not sit on lines of their own are refused.
    pub fn remove_entry(&mut self, map: &'n Node, key: &str) -> Result<(), NodeError> {
        check_editable(map, key)?;
        let Some((k, v)) = map.entry(key) else {
            return Ok(());
        };
        if map.entries().unwrap_or_default().iter().filter(|(other, _)| other.text() == Some(key)).count() > 1 {
            return Err(NodeError::at(k, format!("`{key}` appears more than once in this mapping; refusing to remove it")));
        }
        let line_start = self.text[..k.start].rfind('\n').map_or(0, |i| i + 1);
        if map.is_flow() || !self.text[line_start..k.start].bytes().all(|b| b == b' ') || v.is_flow() && v.line != k.line {
            return Err(NodeError::at(k, format!("cannot remove `{key}`: it does not sit on lines of its own")));
        }
        let end = insertion_point_after(self.text, v.end);
        self.edits.push(Edit { start: line_start, end, depth: 0, text: String::new() });
        Ok(())
    }

    /// Renames a key where it stands: its value, comments and position stay.
    pub fn rename_key(&mut self, key: &'n Node, new: &str) -> Result<(), NodeError> {
        check_node(key)?;
        self.edits.push(Edit { start: key.start, end: key.end, depth: 0, text: quote(new) });
        Ok(())
    }

    /// The entry `key` of a block mapping and its lines, from the comment
    /// lines right above it (same indentation) to the end of its value.
    fn entry_lines(&self, map: &'n Node, key: &str) -> Result<EntryLines<'n>, NodeError> {
        check_editable(map, key)?;
        let (k, v) = map.entry(key).ok_or_else(|| NodeError::at(map, format!("`{key}` is not in this mapping")))?;
        if map.entries().unwrap_or_default().iter().filter(|(other, _)| other.text() == Some(key)).count() > 1 {
            return Err(NodeError::at(k, format!("`{key}` appears more than once in this mapping; refusing to move it")));
        }
        self.lines_of(map, k, v)
    }

    /// The lines of one entry (`k`, `v`) of a block mapping.
    fn lines_of(&self, map: &'n Node, k: &'n Node, v: &'n Node) -> Result<EntryLines<'n>, NodeError> {
        let key = k.text().unwrap_or_default();
        let line_start = self.text[..k.start].rfind('\n').map_or(0, |i| i + 1);
        if map.is_flow() || !self.text[line_start..k.start].bytes().all(|b| b == b' ') || v.is_flow() && v.line != k.line {
            return Err(NodeError::at(k, format!("`{key}` does not sit on lines of its own; edit it by hand")));
        }
        let indent = k.start - line_start;
        let mut first = line_start;
        // Comment lines directly above, at the key's indentation, belong to it.
        while first > 0 {
            let prev_start = self.text[..first - 1].rfind('\n').map_or(0, |i| i + 1);
            let prev = self.text[prev_start..first].trim_end_matches(['\n', '\r']);
            if prev.len() > indent && prev.as_bytes()[..indent].iter().all(|&b| b == b' ') && prev.as_bytes()[indent] == b'#' {
                first = prev_start;
            } else {
                break;
            }
        }
        Ok(EntryLines { key: k, value: v, first, line_start, end: insertion_point_after(self.text, v.end) })
    }

    /// Takes the entry `key` out of a block mapping, to put it elsewhere as
    /// [`Fragment::Moved`] (its comments and value text travel with it).
    pub fn take_entry(&mut self, map: &'n Node, key: &str) -> Result<Fragment, NodeError> {
        let EntryLines { key: k, value: v, first, line_start, end } = self.entry_lines(map, key)?;
        check_node(v)?;
        let comments = self.text[first..line_start].lines().map(|l| l.trim().to_string()).collect();
        let key_line_end = self.text[k.end..end].find('\n').map_or(end, |i| k.end + i + 1);
        let after_key = self.text[k.end..key_line_end].trim_end_matches(['\n', '\r']);
        let head = after_key.trim_start().strip_prefix(':').unwrap_or(after_key).trim().to_string();
        // The lines below the key (a block value, a block scalar's text), dedented.
        let lines: Vec<&str> = self.text[key_line_end..end].lines().map(|l| l.trim_end_matches('\r')).collect();
        let strip = lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
        let body: String = lines.iter().map(|l| format!("{}\n", l.get(strip..).unwrap_or(""))).collect();
        // The last line of a text without a final newline: the line break before it goes too.
        let start = if end == self.text.len() && !self.text.ends_with('\n') && first > 0 { first - 1 } else { first };
        self.edits.push(Edit { start, end, depth: 0, text: String::new() });
        Ok(Fragment::Moved { comments, head, body })
    }

    /// Comments an entry out where it stands, under a one-line note: nothing
    /// the user wrote is lost, and the chart stops reading it.
    pub fn comment_out(&mut self, map: &'n Node, key: &str, note: &str) -> Result<(), NodeError> {
        let lines = self.entry_lines(map, key)?;
        self.comment_lines(lines, note);
        Ok(())
    }

    /// Comments out every entry of `key` in a block mapping but the last
    /// (the one Helm reads), each under a note.
    pub fn comment_out_shadowed(&mut self, map: &'n Node, key: &str, note: &str) -> Result<usize, NodeError> {
        check_editable(map, key)?;
        let same: Vec<&'n (Node, Node)> = map.entries().unwrap_or_default().iter().filter(|(k, _)| k.text() == Some(key)).collect();
        let shadowed = same.len().saturating_sub(1);
        for (k, v) in same.into_iter().take(shadowed) {
            let lines = self.lines_of(map, k, v)?;
            self.comment_lines(lines, note);
        }
        Ok(shadowed)
    }

    fn comment_lines(&mut self, lines: EntryLines<'n>, note: &str) {
        let EntryLines { key: k, line_start, end, .. } = lines;
        let indent = k.start - line_start;
        let pad = " ".repeat(indent);
        let mut text = format!("{pad}# {note}\n");
        for line in self.text[line_start..end].lines() {
            let line = line.trim_end_matches('\r');
            let (lead, rest) = line.split_at(line.len() - line.trim_start().len());
            let cut = lead.len().min(indent);
            text.push_str(&format!("{}# {}{}\n", &line[..cut], &lead[cut..], rest));
        }
        if !self.text[..end].ends_with('\n') {
            text.pop();
        }
        self.edits.push(Edit { start: line_start, end, depth: 0, text });
    }

    /// The edited text, or an error when the edits cannot be applied safely.
    pub fn finish(self) -> Result<String, NodeError> {
        let text = self.text;
        let splices = self.splices()?;
        let mut out = String::with_capacity(text.len() + splices.iter().map(|e| e.text.len()).sum::<usize>());
        let mut pos = 0;
        for e in &splices {
            out.push_str(&text[pos..e.start]);
            out.push_str(&e.text);
            pos = e.end;
        }
        out.push_str(&text[pos..]);
        Ok(out)
    }

    /// The edits as byte ranges of the original text and what replaces
    /// each, in order and never overlapping (a SARIF fix's replacements).
    pub fn splices(mut self) -> Result<Vec<Splice>, NodeError> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(at) = self.lone_cr {
            let line = self.text[..at].matches(['\n', '\r']).count() + 1;
            return Err(NodeError {
                line,
                col: 1,
                message: "the document uses lone CR line breaks; polyaxon-pr edits only LF or CRLF text".into(),
            });
        }
        // Each host's attachments, rendered together where the first of them came.
        let mut attached: Vec<Option<(Host<'n>, Child)>> = std::mem::take(&mut self.attached).into_iter().map(Some).collect();
        let next_same = std::mem::take(&mut self.next_same);
        for first in 0..attached.len() {
            if attached[first].is_none() {
                continue;
            }
            let chain = std::iter::successors(Some(first), |&j| Some(next_same[j]).filter(|&n| n != usize::MAX));
            let members: Vec<(Host<'n>, Fragment)> =
                chain.filter_map(|j| attached[j].take()).map(|(host, child)| (host, self.build(child))).collect();
            self.render(members)?;
        }
        let mut edits = std::mem::take(&mut self.edits);
        // At one offset, insertions come before a replacement that starts there.
        edits.sort_by_key(|e| (e.start, e.end != e.start, std::cmp::Reverse(e.depth)));
        edits.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.text == b.text);
        let mut pos = 0;
        let mut splices = Vec::with_capacity(edits.len());
        for e in edits {
            if e.start < pos {
                let line = self.text[..e.start].matches('\n').count() + 1;
                return Err(NodeError {
                    line,
                    col: 1,
                    message: "two changes overlap here (duplicate keys or entries?); refusing to guess".into(),
                });
            }
            pos = e.end;
            let text = if self.crlf { e.text.replace("\r\n", "\n").replace('\n', "\r\n") } else { e.text };
            splices.push(Splice { start: e.start, end: e.end, text });
        }
        Ok(splices)
    }

    fn attach(&mut self, host: Host<'n>, child: Child) {
        let at = self.attached.len();
        match self.by_host.entry(host.id()) {
            Entry::Vacant(slot) => {
                slot.insert((at, at));
            }
            Entry::Occupied(mut ends) => {
                self.next_same[ends.get().1] = at;
                ends.get_mut().1 = at;
            }
        }
        self.next_same.push(usize::MAX);
        self.attached.push((host, child));
    }

    /// What is attached to one host, in order.
    fn attached_to(&self, id: HostId) -> impl Iterator<Item = &(Host<'n>, Child)> {
        let first = self.by_host.get(&id).map(|&(first, _)| first);
        std::iter::successors(first, |&i| Some(self.next_same[i]).filter(|&n| n != usize::MAX)).map(|i| &self.attached[i])
    }

    fn create(&mut self, slot: Slot<'n>, node: NewNode) -> usize {
        self.created.push(node);
        let id = self.created.len() - 1;
        self.put(slot, Child::New(id));
        id
    }

    fn put(&mut self, slot: Slot<'n>, child: Child) {
        match slot {
            Slot::Host(host) => self.attach(host, child),
            Slot::InNew(id, key) => match &mut self.created[id] {
                NewNode::Map(entries) => entries.push((key, child)),
                NewNode::Seq(_) => unreachable!("MapRef::New points at a mapping"),
            },
        }
    }

    /// What `parent[key]` holds, seen through what this editor already created.
    fn child(&self, parent: MapRef<'n>, key: &str) -> Result<Reached<'n>, NodeError> {
        match parent {
            MapRef::Node(map) => {
                check_node(map)?;
                let mut same = map.entries().unwrap_or_default().iter().filter(|(k, _)| k.text() == Some(key));
                // The key once at most: the entry is the first found.
                let entry = same.next();
                if let Some((second, _)) = same.next() {
                    return Err(NodeError::at(second, format!("`{key}` appears more than once in this mapping; refusing to edit it")));
                }
                match entry {
                    Some((k, v)) if v.is_null() && v.custom_tag().is_none() && !v.anchored() => {
                        // Something this editor already put under that null key?
                        let existing = self.attached_to(HostId::Fill(k.start)).find_map(|(_, c)| match c {
                            Child::New(id) => Some(*id),
                            Child::Fragment(_) => None,
                        });
                        Ok(match existing {
                            Some(id) => self.found_new(id),
                            None => Reached::Missing(Slot::Host(Host::Fill { key: k, value: v })),
                        })
                    }
                    Some((_, v)) => {
                        check_node(v)?;
                        Ok(Reached::Node(v))
                    }
                    None => {
                        let existing = self.attached_to(HostId::Entry(map.start, map.end)).find_map(|(h, c)| match h {
                            Host::Entry { key: hk, .. } if hk == key => Some(c),
                            _ => None,
                        });
                        Ok(match existing {
                            Some(Child::New(id)) => self.found_new(*id),
                            Some(Child::Fragment(_)) => Reached::NewOther,
                            None => Reached::Missing(Slot::Host(Host::Entry { map, key: key.to_string() })),
                        })
                    }
                }
            }
            MapRef::New(id) => {
                let NewNode::Map(entries) = &self.created[id] else { unreachable!("MapRef::New points at a mapping") };
                Ok(match entries.iter().find(|(k, _)| k == key).map(|(_, c)| c) {
                    Some(Child::New(child)) => self.found_new(*child),
                    Some(Child::Fragment(_)) => Reached::NewOther,
                    None => Reached::Missing(Slot::InNew(id, key.to_string())),
                })
            }
        }
    }

    fn found_new(&self, id: usize) -> Reached<'n> {
        match self.created[id] {
            NewNode::Map(_) => Reached::NewMap(id),
            NewNode::Seq(_) => Reached::NewSeq(id),
        }
    }

    fn conflict(&self, _parent: MapRef<'n>, key: &str) -> NodeError {
        NodeError { line: 0, col: 0, message: format!("`{key}` was given two different kinds of value by one transform") }
    }

    /// The fragment a child stands for, taken out of the editor (each created node has one parent).
    fn build(&mut self, child: Child) -> Fragment {
        match child {
            Child::Fragment(f) => f,
            Child::New(id) => match std::mem::replace(&mut self.created[id], NewNode::Seq(Vec::new())) {
                NewNode::Map(entries) => Fragment::Map(entries.into_iter().map(|(k, c)| (k, self.build(c))).collect()),
                NewNode::Seq(items) => Fragment::Seq(items.into_iter().map(|c| self.build(c)).collect()),
            },
        }
    }

    /// Turns everything attached to one host (one or more members) into one text edit.
    fn render(&mut self, members: Vec<(Host<'n>, Fragment)>) -> Result<(), NodeError> {
        let host = match &members[0].0 {
            Host::Entry { map, .. } => Host::Entry { map, key: String::new() },
            other => other.clone(),
        };
        match &host {
            Host::Entry { map, .. } => {
                check_editable(map, "")?;
                let entries = members.into_iter().map(|(h, frag)| match h {
                    Host::Entry { key, .. } => (key, frag),
                    _ => unreachable!("grouped by host"),
                });
                if map.is_flow() {
                    let inner = Fragment::Map(entries.collect()).flow();
                    self.insert_flow(map, &inner[1..inner.len() - 1]);
                } else {
                    let indent = map.col as usize - 1;
                    // Sized for a few lines: grown a byte-size step at a time, the string cost more than its rendering.
                    let mut block = String::with_capacity(256);
                    for (key, frag) in entries {
                        render_entry(&key, &frag, indent, &mut block);
                    }
                    self.insert_block(map.end, indent, block);
                }
            }
            Host::Fill { key, value } => {
                let (_, frag) = members.into_iter().next().expect("one fill per key");
                if value.end > value.start {
                    self.edits.push(Edit { start: value.start, end: value.end, depth: 0, text: frag.flow() });
                } else {
                    let colon = key.end + self.text[key.end..].find(':').unwrap_or(0) + 1;
                    self.edits.push(Edit { start: colon, end: colon, depth: 0, text: format!(" {}", frag.flow()) });
                }
            }
            Host::Item { seq } => {
                check_editable(seq, "")?;
                let frags: Vec<Fragment> = members.into_iter().map(|(_, frag)| frag).collect();
                if seq.is_flow() {
                    let inner = Fragment::Seq(frags).flow();
                    self.insert_flow(seq, &inner[1..inner.len() - 1]);
                } else {
                    let first = &seq.items().unwrap_or_default()[0];
                    let indent = dash_column(self.text, first.start);
                    let mut block = String::with_capacity(256);
                    render_items(&frags, indent, &mut block);
                    self.insert_block(seq.end, indent, block);
                }
            }
        }
        Ok(())
    }

    /// Inserts flow entries or items before the closing bracket, with a
    /// separator unless the collection is empty or already ends with a comma.
    fn insert_flow(&mut self, node: &Node, inner: &str) {
        let close = node.end - 1;
        let before = self.text[node.start..close].trim_end();
        let sep = if before.ends_with(['{', '[', ',']) { "" } else { ", " };
        self.edits.push(Edit { start: close, end: close, depth: 0, text: format!("{sep}{inner}") });
    }

    fn insert_block(&mut self, after: usize, depth: usize, mut block: String) {
        let at = insertion_point_after(self.text, after);
        if at == self.text.len() && !self.text.is_empty() && !self.text.ends_with('\n') {
            // Keep the document's missing final newline missing.
            block.pop();
            block.insert(0, '\n');
        }
        self.edits.push(Edit { start: at, end: at, depth, text: block });
    }
}

enum Reached<'n> {
    Node(&'n Node),
    Missing(Slot<'n>),
    NewMap(usize),
    NewSeq(usize),
    /// A scalar this editor already set.
    NewOther,
}

/// Where a missing key would go.
enum Slot<'n> {
    Host(Host<'n>),
    /// A key of a mapping this editor is creating.
    InNew(usize, String),
}

/// What makes two attachments go to the same place: the node's span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum HostId {
    Entry(usize, usize),
    Fill(usize),
    Item(usize, usize),
}

impl Host<'_> {
    fn id(&self) -> HostId {
        match self {
            Host::Entry { map, .. } => HostId::Entry(map.start, map.end),
            Host::Fill { key, .. } => HostId::Fill(key.start),
            Host::Item { seq } => HostId::Item(seq.start, seq.end),
        }
    }
}

/// Refuses a node that cannot be edited as text: an alias, an anchored
/// node, a custom tag.
fn check_node(node: &Node) -> Result<(), NodeError> {
    let what = if node.is_alias() {
        "an alias (*name)"
    } else if node.anchored() {
        "an anchor (&name)"
    } else if node.custom_tag().is_some() {
        "a custom tag"
    } else {
        return Ok(());
    };
    Err(NodeError::at(node, format!("this node is {what}; polyaxon-pr does not edit through YAML aliases, anchors or tags: expand it")))
}

/// [`check_node`], plus: a mapping with a `<<` merge key gets keys from
/// elsewhere, so what it lacks cannot be told from its text.
pub fn check_editable(node: &Node, path: &str) -> Result<(), NodeError> {
    check_editable_at(node, &|| path.to_string())
}

/// [`check_editable`], with the path spelled only for an error.
fn check_editable_at(node: &Node, path: &dyn Fn() -> String) -> Result<(), NodeError> {
    check_node(node)?;
    if let Some((k, _)) = node
        .entries()
        .unwrap_or_default()
        .iter()
        .find(|(k, _)| k.text() == Some("<<") && matches!(k.value, crate::yaml::Value::Scalar { style: Style::Plain, .. }))
    {
        let path = path();
        let at = if path.is_empty() { String::new() } else { format!("{path}: ") };
        return Err(NodeError::at(
            k,
            format!("{at}a merge key (<<) takes fields from elsewhere; polyaxon-pr cannot tell which are set: expand it"),
        ));
    }
    Ok(())
}

/// Where a new block line can go after a node that ends at byte `end`: the
/// start of the next line, or of the line `end` sits on when only indentation
/// precedes it (the parser ends block scalars at the next line's indentation).
pub fn insertion_point_after(text: &str, end: usize) -> usize {
    let bytes = text.as_bytes();
    let line_start = memchr::memrchr(b'\n', &bytes[..end]).map_or(0, |i| i + 1);
    if line_start > 0 && bytes[line_start..end].iter().all(|&b| b == b' ') {
        return line_start;
    }
    memchr::memchr(b'\n', &bytes[end..]).map_or(text.len(), |i| end + i + 1)
}

/// Where a node's text ends, as a replacement must take it: a block
/// collection whose last value is empty (`valueFrom:`) ends, as the reader
/// places that empty value, before its key's colon.
fn text_end(text: &str, node: &Node) -> usize {
    let block_collection = !node.is_flow() && (node.is_map() || node.items().is_some());
    node.end + usize::from(block_collection && text[node.end..].starts_with(':'))
}

/// Where a block node's own text ends: block scalars end at the next line's
/// indentation, which belongs to what follows.
fn block_end(text: &str, end: usize) -> usize {
    match text[..end].rfind('\n') {
        Some(nl) if text[nl + 1..end].bytes().all(|b| b == b' ') => {
            if nl > 0 && text.as_bytes()[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            }
        }
        _ => end,
    }
}

/// The column (0-based) of the `-` that introduces a list item starting at `start`.
fn dash_column(text: &str, start: usize) -> usize {
    let before = text[..start].trim_end();
    let dash = before.len().saturating_sub(1);
    let line_start = text[..dash].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..dash].chars().count()
}
