//! A YAML tree that remembers where every node sits in the source text.
//!
//! Everything in this project that reads YAML goes through here: manifests
//! (so transforms can splice text at exact byte offsets instead of
//! re-emitting documents) and values files (so errors can name
//! file:line:column). Duplicate keys are kept in source order; lookups take
//! the last one, which is what Helm does.
//!
//! Two readings: [`parse_all`] keeps aliases as [`Value::Alias`] and marks
//! anchored and tagged nodes, so an editor can refuse to edit through them;
//! [`parse_all_resolved`] expands aliases and `<<` merge keys the way Helm's
//! YAML library does, for reading values.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

mod block;

/// How deep collections may nest before the input is refused.
pub const MAX_DEPTH: usize = 200;
/// How many nodes alias expansion may create in one text (a guard against
/// "billion laughs" inputs).
pub const MAX_EXPANDED_NODES: usize = 1_000_000;

/// A node and the byte range of its text. 64 bytes: readers move and copy
/// nodes by the hundred thousand, and a mapping's entry of two then moves
/// without a call to `memcpy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Byte offset of the node's first character (for quoted scalars, the
    /// quote; for anchored or tagged block collections, their first entry).
    pub start: usize,
    /// Byte offset just past the node. For block scalars the parser places this
    /// at the indentation of the next line; see [`crate::edit`].
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column of `start`, in characters.
    pub col: u32,
    pub value: Value,
    /// The anchor and tag, which few nodes have: see [`Node::anchored`] and [`Node::tag`].
    marks: Option<Box<Marks>>,
}

/// What a node rarely carries, boxed so that the others do not make room for it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marks {
    anchored: bool,
    tag: Option<Box<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Map {
        entries: Vec<(Node, Node)>,
        flow: bool,
    },
    Seq {
        items: Vec<Node>,
        flow: bool,
    },
    Scalar {
        text: Text,
        style: Style,
    },
    /// `*anchor` (only from [`parse_all`]): opaque, never edited through.
    Alias,
}

/// A scalar's text: most are short keys and values, kept inline without an
/// allocation of their own (allocations and frees were a third of the
/// post-renderer's work).
pub type Text = compact_str::CompactString;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

/// A scalar's meaning under the YAML 1.1 rules Helm's parser (go-yaml v2) uses.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

const CORE_TAG: &str = "tag:yaml.org,2002:";

impl Node {
    /// A node without anchor or tag.
    pub(crate) fn plain(start: usize, end: usize, line: u32, col: u32, value: Value) -> Node {
        Node { start, end, line, col, value, marks: None }
    }

    /// The node carries an anchor (`&name`): editing it would change every alias too.
    pub fn anchored(&self) -> bool {
        self.marks.as_ref().is_some_and(|m| m.anchored)
    }

    /// An explicit tag (`!!str`, `!custom`), as written after the handle is expanded.
    pub fn tag(&self) -> Option<&str> {
        self.marks.as_ref().and_then(|m| m.tag.as_deref())
    }

    fn set_marks(&mut self, anchored: bool, tag: Option<Box<str>>) {
        self.marks = (anchored || tag.is_some()).then(|| Box::new(Marks { anchored, tag }));
    }

    pub fn entries(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map { entries, .. } => Some(entries),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq { items, .. } => Some(items),
            _ => None,
        }
    }

    /// The text of a scalar node (for keys, the key name).
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The entry for `key` in a mapping (the last one if the key repeats).
    pub fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        self.entries()?.iter().rev().find(|(k, _)| k.text() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map { .. })
    }

    pub fn is_alias(&self) -> bool {
        matches!(self.value, Value::Alias)
    }

    pub fn is_flow(&self) -> bool {
        matches!(self.value, Value::Map { flow: true, .. } | Value::Seq { flow: true, .. })
    }

    /// The tag, when it is not one of YAML's core tags (`!!str`, `!!map`, ...).
    pub fn custom_tag(&self) -> Option<&str> {
        self.tag().filter(|t| !t.starts_with(CORE_TAG))
    }

    /// The scalar's meaning as go-yaml v2 reads it: `!!null`, `!!bool`,
    /// `!!int` and `!!float` resolve the text even when quoted; any other
    /// tag (`!!str`, `!!timestamp`, `!custom`, `!`) leaves it a string.
    pub fn scalar(&self) -> Option<Scalar<'_>> {
        let Value::Scalar { text, style } = &self.value else { return None };
        let Some(tag) = self.tag() else { return Some(resolve(text, *style)) };
        Some(match tag.strip_prefix(CORE_TAG) {
            Some("null" | "bool" | "int") => resolve(text, Style::Plain),
            Some("float") => match resolve(text, Style::Plain) {
                Scalar::Int(n) => Scalar::Float(n as f64),
                other => other,
            },
            _ => Scalar::Str(text),
        })
    }

    pub fn is_null(&self) -> bool {
        self.scalar() == Some(Scalar::Null)
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Map { .. } => "a mapping",
            Value::Seq { .. } => "a list",
            Value::Alias => "an alias",
            Value::Scalar { .. } => match self.scalar() {
                Some(Scalar::Null) => "null",
                Some(Scalar::Bool(_)) => "a boolean",
                Some(Scalar::Int(_)) => "an integer",
                Some(Scalar::Float(_)) => "a number",
                _ => "a string",
            },
        }
    }

    /// The first node in this subtree (itself included) that cannot be
    /// edited as text: an alias, an anchored node, a custom tag or a `<<`
    /// merge key. Editing through any of these would change, or fail to
    /// change, what the YAML means elsewhere.
    pub fn first_unsafe(&self) -> Option<(&Node, &'static str)> {
        if self.is_alias() {
            return Some((self, "an alias (*name)"));
        }
        if self.anchored() {
            return Some((self, "an anchor (&name)"));
        }
        if self.custom_tag().is_some() {
            return Some((self, "a custom tag"));
        }
        // Plain loops with the scalars checked in place: this walks every pod spec edited.
        match &self.value {
            Value::Map { entries, .. } => {
                // An untagged, unanchored scalar has nothing to find.
                let bare = |n: &Node| matches!(n.value, Value::Scalar { .. }) && n.marks.is_none();
                for (k, v) in entries {
                    if let Value::Scalar { text, style: Style::Plain } = &k.value {
                        if text.as_str() == "<<" {
                            return Some((k, "a merge key (<<)"));
                        }
                    }
                    for node in [k, v] {
                        if let Some(found) = Some(node).filter(|n| !bare(n)).and_then(Node::first_unsafe) {
                            return Some(found);
                        }
                    }
                }
                None
            }
            Value::Seq { items, .. } => items.iter().find_map(Node::first_unsafe),
            _ => None,
        }
    }
}

impl Node {
    /// The node as JSON, as Helm's `toJson` renders it: keys sorted (Go
    /// sorts map keys), aliases as null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Map { entries, .. } => {
                let mut pairs: Vec<(String, J)> =
                    entries.iter().map(|(k, v)| (k.text().unwrap_or_default().to_string(), v.to_json())).collect();
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                J::Object(pairs.into_iter().collect())
            }
            Value::Seq { items, .. } => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Alias => J::Null,
            Value::Scalar { .. } => match self.scalar() {
                Some(Scalar::Null) | None => J::Null,
                Some(Scalar::Bool(b)) => J::Bool(b),
                Some(Scalar::Int(n)) => J::from(n),
                Some(Scalar::Float(f)) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
                Some(Scalar::Str(s)) => J::from(s),
            },
        }
    }
}

/// Resolves a plain scalar as go-yaml v2 does (its `resolve`: YAML 1.1
/// booleans, Go's base-prefixed integers with `_` separators, floats by
/// pattern), since that is how Helm reads values files.
pub fn resolve(text: &str, style: Style) -> Scalar<'_> {
    if style != Style::Plain {
        return Scalar::Str(text);
    }
    // Most scalars are names and words: one look at the first byte settles them.
    match text.as_bytes().first() {
        None => return Scalar::Null,
        Some(b'~' | b'n' | b'N' | b'y' | b'Y' | b'o' | b'O' | b't' | b'T' | b'f' | b'F' | b'.' | b'+' | b'-' | b'0'..=b'9') => {}
        Some(_) => return Scalar::Str(text),
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    // Go's ParseFloat fails on overflow (`1e400`), and go-yaml then keeps the text.
    let finite = |f: f64| if f.is_finite() { Scalar::Float(f) } else { Scalar::Str(text) };
    match text.as_bytes()[0] {
        // No `_` removal here, unlike the digits below (go-yaml v2's `.` hint).
        b'.' if is_float(text) => text.parse::<f64>().map_or(Scalar::Str(text), finite),
        b'0'..=b'9' | b'+' | b'-' => {
            let plain: std::borrow::Cow<str> = if text.contains('_') { text.replace('_', "").into() } else { text.into() };
            if let Some(n) = go_parse_int(&plain) {
                return Scalar::Int(n);
            }
            // A uint64 past int64 (`0xFFFFFFFFFFFFFFFF`): Helm holds it as a float64.
            if let Some(n) = go_parse_uint(&plain) {
                return Scalar::Float(n as f64);
            }
            if is_float(plain.strip_prefix(['-', '+']).unwrap_or(&plain)) {
                if let Ok(f) = plain.parse::<f64>() {
                    return finite(f);
                }
            }
            Scalar::Str(text)
        }
        _ => Scalar::Str(text),
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`, for the unsigned integers past
/// int64 that go-yaml v2 reads as uint64 (`s` without `_`).
pub fn go_parse_uint(s: &str) -> Option<u64> {
    let unsigned = s.strip_prefix('+').unwrap_or(s);
    if let Some(decimal) = decimal(unsigned) {
        return decimal?.parse().ok();
    }
    let lower = unsigned.to_ascii_lowercase();
    let (digits, radix) = base_and_digits(&lower);
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Without a leading `0` (which may open a base prefix), digits that can
/// only be decimal: `Some(Some(digits))`, or `Some(None)` when they are not a
/// number at all; `None` for a leading `0`, read the long way. Spares the
/// lowering and base search for most scalars.
fn decimal(unsigned: &str) -> Option<Option<&str>> {
    match unsigned.as_bytes() {
        [b'0', _, ..] => None,
        b => Some(Some(unsigned).filter(|_| !b.is_empty() && b.iter().all(u8::is_ascii_digit))),
    }
}

/// Go's base prefixes: `0x`, `0o`, `0b`, or a leading `0` for octal.
fn base_and_digits(lower: &str) -> (&str, u32) {
    if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower, 10)
    }
}

/// go-yaml v2's float pattern (after the sign):
/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_float(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |i: usize| b.get(i..).unwrap_or_default().iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = if b.first() == Some(&b'.') {
        match digits(1) {
            0 => return false,
            n => 1 + n,
        }
    } else {
        match digits(0) {
            0 => return false,
            n if b.get(n) == Some(&b'.') => n + 1 + digits(n + 1),
            n => n,
        }
    };
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        match digits(i) {
            0 => return false,
            n => i += n,
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then `0x`, `0o`,
/// `0b` or a leading `0` (octal) choose the base.
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, unsigned) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = match decimal(unsigned) {
        Some(decimal) => decimal?.parse::<i128>().ok()?,
        None => {
            let lower = unsigned.to_ascii_lowercase();
            let (digits, radix) = base_and_digits(&lower);
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            i128::from_str_radix(digits, radix).ok()?
        }
    };
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// Parses every document in `text`, keeping aliases as aliases. Empty
/// (comment-only) documents are skipped.
pub fn parse_all(text: &str) -> Result<Vec<Node>, ParseError> {
    Ok(read(text, Reading { resolve: false, first_only: false })?.0)
}

/// Parses every document, expanding aliases and `<<` merge keys as Helm does.
/// An expanded alias keeps the position of the alias in the text.
pub fn parse_all_resolved(text: &str) -> Result<Vec<Node>, ParseError> {
    Ok(read(text, Reading { resolve: true, first_only: false })?.0)
}

/// [`parse_all_resolved`], and whether the text has no alias, anchor, tag
/// or `<<` merge key: then [`parse_all`] would read the same trees.
pub fn parse_all_resolved_and_plain(text: &str) -> Result<(Vec<Node>, bool), ParseError> {
    read(text, Reading { resolve: true, first_only: false })
}

/// The first document only, read as Helm 3 reads a values file: what
/// follows it is never looked at, invalid or not.
pub fn parse_first_resolved(text: &str) -> Result<Option<Node>, ParseError> {
    Ok(read(text, Reading { resolve: true, first_only: true })?.0.pop())
}

#[derive(Debug, Clone, Copy)]
struct Reading {
    resolve: bool,
    first_only: bool,
}

/// How many times a text saphyr refuses is patched (see [`Patches`]) before the error stands.
const MAX_PATCHES: usize = 64;

/// The documents, and whether none of them has an alias, anchor, tag or merge key.
fn read(text: &str, reading: Reading) -> Result<(Vec<Node>, bool), ParseError> {
    if let Some(docs) = block::read(text) {
        return Ok((docs, true));
    }
    read_general(text, reading)
}

/// The block reader alone: `None` where it leaves the text to the general one.
pub fn parse_all_block(text: &str) -> Option<Vec<Node>> {
    block::read(text)
}

/// [`read`] with saphyr alone, whatever the text: the reference the block
/// reader is held to (`tests/yaml_reader.rs`, the `yaml` fuzz target).
pub fn parse_all_general(text: &str) -> Result<Vec<Node>, ParseError> {
    Ok(read_general(text, Reading { resolve: false, first_only: false })?.0)
}

fn read_general(text: &str, reading: Reading) -> Result<(Vec<Node>, bool), ParseError> {
    let mut patches = Patches::default();
    let mut patched = std::borrow::Cow::Borrowed(text);
    for _ in 0..MAX_PATCHES {
        let mut builder = Builder::new(&patched, reading);
        match builder.documents() {
            Ok(mut docs) => {
                let map = patches.map(text);
                docs.iter_mut().for_each(|d| map.restore(d));
                let read_up_to = match (reading.first_only, docs.first()) {
                    (true, Some(doc)) => next_document(text, doc.end),
                    _ => text.len(),
                };
                check_tabs(&text[..read_up_to], &docs)?;
                return Ok((docs, builder.plain));
            }
            Err(e) => {
                let map = patches.map(text);
                let e = map.restore_error(e);
                if !patches.add(text, &e) {
                    return Err(line_break_before(text, e.line).unwrap_or(e));
                }
                patched = std::borrow::Cow::Owned(patches.apply(text));
            }
        }
    }
    Err(ParseError { line: 1, col: 1, message: "too many quoted scalars continued at a lower indentation".into() })
}

/// Where the document after the one ending at `end` starts (its `---` or `...` line).
fn next_document(text: &str, end: usize) -> usize {
    let mut at = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    while at < text.len() {
        let line = &text[at..];
        if line.starts_with("---") || line.starts_with("...") {
            return at;
        }
        at = line.find('\n').map_or(text.len(), |i| at + i + 1);
    }
    text.len()
}

/// NEL, LS and PS: line breaks in YAML 1.1 (libyaml), not in YAML 1.2 (saphyr).
const YAML11_BREAKS: [char; 3] = ['\u{85}', '\u{2028}', '\u{2029}'];

fn line_break_error(text: &str, at: usize) -> ParseError {
    let c = text[at..].chars().next().expect("a character") as u32;
    ParseError {
        line: text[..at].matches('\n').count() + 1,
        col: text[..at].rsplit('\n').next().unwrap_or("").chars().count() + 1,
        message: format!("U+{c:04X} is a line break to Helm's YAML reader (YAML 1.1) and not to polyaxon-pr's; write it as an escape in a double-quoted string"),
    }
}

/// A YAML 1.1 line break on or before `line`, the likely cause of a parse error there.
fn line_break_before(text: &str, line: usize) -> Option<ParseError> {
    let at = text.find(YAML11_BREAKS)?;
    (text[..at].matches('\n').count() < line).then(|| line_break_error(text, at))
}

/// Refuses tabs where libyaml (Helm's YAML reader) refuses them and saphyr
/// does not: in a line's indentation in block context, right after a `-`,
/// `?` or `:` indicator there, and in a block scalar's indentation. Lines
/// inside quoted, plain multi-line and flow text are left to the parser.
fn check_tabs(text: &str, docs: &[Node]) -> Result<(), ParseError> {
    if !text.contains('\t') && !text.contains(YAML11_BREAKS) {
        return Ok(());
    }
    let mut spans = Spans::default();
    docs.iter().for_each(|d| spans.collect(text, d));
    spans.sort();
    // YAML 1.1's other line breaks: libyaml breaks lines at them, saphyr does
    // not (inside quotes both keep U+2028 and U+2029).
    for (at, c) in text.match_indices(YAML11_BREAKS) {
        if c == "\u{85}" || Spans::covering(&spans.quoted, at).is_none() {
            return Err(line_break_error(text, at));
        }
    }
    let refuse = |line: usize, col: usize, what: &str| ParseError {
        line,
        col,
        message: format!("a tab {what}, which Helm's YAML reader (libyaml) refuses; use spaces"),
    };
    let mut start = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_start = start;
        start += line.len();
        if !line.contains('\t') {
            continue;
        }
        if let Some((header_end, _)) = Spans::covering(&spans.blocks, line_start) {
            check_block_line(text, header_end, line_start, line).map_err(|col| refuse(i + 1, col, "in a block scalar's indentation"))?;
        } else if !spans.in_opaque(line_start) {
            let chars: Vec<char> = line.chars().collect();
            let mut c = 0;
            loop {
                while chars.get(c) == Some(&' ') {
                    c += 1;
                }
                match chars.get(c) {
                    Some('-' | '?' | ':') if matches!(chars.get(c + 1), None | Some(' ' | '\t' | '\r' | '\n')) => c += 1,
                    Some('\t') => return Err(refuse(i + 1, c + 1, "in indentation or after a `-`, `?` or `:` indicator")),
                    _ => break,
                }
            }
        }
    }
    Ok(())
}

/// Byte spans of a text the tab check leaves to the parser or checks its own way.
#[derive(Default)]
struct Spans {
    /// Quoted scalars (which never nest).
    quoted: Vec<(usize, usize)>,
    /// Quoted and multi-line plain scalars, flow collections (which nest), and
    /// how far the spans up to each one reach.
    opaque: Vec<(usize, usize)>,
    reach: Vec<usize>,
    /// Block scalars, from the end of their header line.
    blocks: Vec<(usize, usize)>,
}

impl Spans {
    fn collect(&mut self, text: &str, node: &Node) {
        match &node.value {
            Value::Scalar { style: Style::Block, .. } => {
                let content_line = text[..node.start].rfind('\n').map_or(0, |i| i + 1);
                self.blocks.push((text[..content_line].trim_end().len(), node.end));
            }
            Value::Scalar { style: Style::Quoted, .. } => {
                self.quoted.push((node.start, node.end));
                self.opaque.push((node.start, node.end));
            }
            Value::Scalar { .. } if text.get(node.start..node.end).is_some_and(|t| t.contains('\n')) => {
                self.opaque.push((node.start, node.end))
            }
            _ if node.is_flow() => self.opaque.push((node.start, node.end)),
            Value::Map { entries, .. } => entries.iter().for_each(|(k, v)| {
                self.collect(text, k);
                self.collect(text, v);
            }),
            Value::Seq { items, .. } => items.iter().for_each(|i| self.collect(text, i)),
            _ => {}
        }
    }

    fn sort(&mut self) {
        for spans in [&mut self.quoted, &mut self.opaque, &mut self.blocks] {
            spans.sort_unstable();
        }
        let mut reach = 0;
        self.reach = self
            .opaque
            .iter()
            .map(|(_, end)| {
                reach = reach.max(*end);
                reach
            })
            .collect();
    }

    /// The span, of a list whose spans do not nest, that has `at` strictly inside it.
    fn covering(spans: &[(usize, usize)], at: usize) -> Option<(usize, usize)> {
        let i = spans.partition_point(|(s, _)| *s < at);
        i.checked_sub(1).map(|i| spans[i]).filter(|(_, end)| at < *end)
    }

    fn in_opaque(&self, at: usize) -> bool {
        let i = self.opaque.partition_point(|(s, _)| *s < at);
        i > 0 && self.reach[i - 1] > at
    }
}

/// libyaml's block scalar indentation: until the first line with content
/// fixes it, a tab after leading spaces is an error; after, a tab before
/// that indentation is. Returns the tab's column. (With an explicit
/// indentation indicator nothing is checked.)
fn check_block_line(text: &str, header_end: usize, line_start: usize, line: &str) -> Result<(), usize> {
    let header = text[..header_end].rsplit('\n').next().unwrap_or("");
    let indicators = header.split(" #").next().unwrap_or("");
    if indicators[indicators.rfind(['|', '>']).unwrap_or(0)..].chars().any(|c| c.is_ascii_digit()) {
        return Ok(());
    }
    let first_line = text[header_end..].find('\n').map_or(text.len(), |i| header_end + i + 1);
    // The indentation the first line with content gives, if it comes before this one.
    let indent = text[first_line..line_start].lines().find(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start_matches(' ').len());
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let tab_next = line[spaces..].starts_with('\t');
    match indent {
        None if tab_next => Err(spaces + 1),
        Some(indent) if tab_next && spaces < indent => Err(spaces + 1),
        _ => Ok(()),
    }
}

/// What go-yaml (libyaml) reads and saphyr refuses, rewritten so that saphyr
/// reads the same thing: blanks put before the continuation lines of a
/// quoted scalar (leading blanks fold away, and libyaml does not check their
/// indentation), and tabs after a key's `:` made spaces. Positions are
/// mapped back to the user's text.
#[derive(Debug, Default)]
struct Patches {
    /// 0-based line -> spaces put at its start.
    indents: std::collections::BTreeMap<usize, usize>,
    /// Byte offsets of tabs made spaces.
    tabs: Vec<usize>,
}

impl Patches {
    fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.indents.values().sum::<usize>());
        for (i, line) in text.split_inclusive('\n').enumerate() {
            out.extend(std::iter::repeat_n(' ', self.indents.get(&i).copied().unwrap_or(0)));
            out.push_str(line);
        }
        let mut bytes = out.into_bytes();
        let map = self.map(text);
        for &tab in &self.tabs {
            bytes[map.patched(tab)] = b' ';
        }
        String::from_utf8(bytes).expect("ASCII for ASCII")
    }

    fn map<'p>(&'p self, text: &str) -> PatchMap<'p> {
        // (0-based line, its start in the patched text, spaces before it, spaces on it)
        let mut lines = Vec::with_capacity(self.indents.len());
        let mut before = 0;
        let mut line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut line = 0;
        let mut start = line_starts.next().unwrap_or(0);
        for (&at, &n) in &self.indents {
            while line < at {
                start = line_starts.next().unwrap_or(text.len());
                line += 1;
            }
            lines.push((at, start + before, before, n));
            before += n;
        }
        PatchMap { lines, patches: self }
    }

    /// Adds the patch for a refusal saphyr gives and libyaml does not;
    /// false when there is none (or it was already made).
    fn add(&mut self, text: &str, e: &ParseError) -> bool {
        let line_start = |l: usize| if l == 0 { 0 } else { text.match_indices('\n').nth(l - 1).map_or(text.len(), |(i, _)| i + 1) };
        let (line, at) = (e.line.saturating_sub(1), line_start(e.line.saturating_sub(1)));
        let offset = at + text[at..].chars().take(e.col.saturating_sub(1)).map(char::len_utf8).sum::<usize>();
        match e.message.as_str() {
            // At the opening quote: every continuation line goes past it.
            "invalid indentation in quoted scalar" => {
                let end = closing_quote(text, offset);
                let width = e.col;
                let mut added = false;
                for (i, l) in text[at..end].split_inclusive('\n').enumerate().skip(1) {
                    let indicator = (l.starts_with("---") || l.starts_with("...")) && l[3..].starts_with([' ', '\t', '\r', '\n']);
                    if l.trim().is_empty() && !l.contains('\t') || indicator || self.indents.get(&(line + i)) >= Some(&width) {
                        continue;
                    }
                    self.indents.insert(line + i, width);
                    added = true;
                }
                added
            }
            // On a quoted scalar's continuation line (the only place saphyr says this): past any column before it.
            "tab cannot be used as indentation" => {
                let width = text[..at].lines().map(|l| l.chars().count()).max().unwrap_or(0) + 1;
                if self.indents.get(&line) >= Some(&width) {
                    return false;
                }
                self.indents.insert(line, width);
                true
            }
            // After the tabs that follow a key's `:` (not a `? key`'s `:` at the start of a line, which libyaml refuses too).
            "':' must be followed by a valid YAML whitespace" => {
                let run = text[..offset].len() - text[..offset].trim_end_matches('\t').len();
                let colon = offset - run;
                let first_on_line = text[at..colon.saturating_sub(1)].trim().is_empty();
                if run == 0 || !text[..colon].ends_with(':') || first_on_line || self.tabs.contains(&(colon)) {
                    return false;
                }
                self.tabs.extend(colon..offset);
                true
            }
            _ => false,
        }
    }
}

struct PatchMap<'p> {
    lines: Vec<(usize, usize, usize, usize)>,
    patches: &'p Patches,
}

impl PatchMap<'_> {
    /// Where an offset of the user's text is in the patched one.
    fn patched(&self, offset: usize) -> usize {
        // The patched start of the last patched line starting at or before `offset`.
        let shift = self.lines.iter().take_while(|(_, start, before, _)| start - before <= offset).last();
        shift.map_or(offset, |(_, _, before, n)| offset + before + n)
    }

    /// Where an offset of the patched text is in the user's.
    fn original(&self, offset: usize) -> usize {
        match self.lines.iter().take_while(|(_, start, _, _)| *start <= offset).last() {
            None => offset,
            Some((_, start, before, n)) => offset - before - (offset - start).min(*n),
        }
    }

    fn column(&self, line: usize, col: usize) -> usize {
        match self.lines.iter().find(|(l, ..)| *l + 1 == line) {
            Some((.., n)) if col > *n => col - n,
            Some(_) => 1,
            None => col,
        }
    }

    fn restore(&self, node: &mut Node) {
        if self.patches.indents.is_empty() {
            return;
        }
        let col = self.column(node.line as usize, node.col as usize) as u32;
        (node.start, node.end, node.col) = (self.original(node.start), self.original(node.end), col);
        match &mut node.value {
            Value::Map { entries, .. } => entries.iter_mut().for_each(|(k, v)| {
                self.restore(k);
                self.restore(v);
            }),
            Value::Seq { items, .. } => items.iter_mut().for_each(|i| self.restore(i)),
            _ => {}
        }
    }

    fn restore_error(&self, mut e: ParseError) -> ParseError {
        e.col = self.column(e.line, e.col);
        e
    }
}

/// Parses a text that holds at most one document.
pub fn parse_one(text: &str) -> Result<Option<Node>, ParseError> {
    single(parse_all(text)?)
}

/// [`parse_one`], with aliases and merge keys expanded.
pub fn parse_one_resolved(text: &str) -> Result<Option<Node>, ParseError> {
    single(parse_all_resolved(text)?)
}

fn single(mut docs: Vec<Node>) -> Result<Option<Node>, ParseError> {
    if docs.len() > 1 {
        let second = &docs[1];
        return Err(ParseError {
            line: second.line as usize,
            col: second.col as usize,
            message: "expected a single YAML document, found several".into(),
        });
    }
    Ok(docs.pop())
}

type Parsed<'a> = (Event<'a>, Span);

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    source: &'a str,
    offsets: Offsets,
    resolve: bool,
    first_only: bool,
    anchors: HashMap<usize, Node>,
    expanded: usize,
    /// No alias, anchor, tag or merge key seen.
    plain: bool,
}

impl<'a> Builder<'a> {
    fn new(source: &'a str, reading: Reading) -> Self {
        Builder {
            parser: Parser::new_from_str(source),
            source,
            offsets: Offsets::new(source),
            resolve: reading.resolve,
            first_only: reading.first_only,
            anchors: HashMap::new(),
            expanded: 0,
            plain: true,
        }
    }

    fn documents(&mut self) -> Result<Vec<Node>, ParseError> {
        let mut docs = Vec::new();
        loop {
            let (event, _) = self.next()?;
            match event {
                Event::StreamEnd => return Ok(docs),
                Event::DocumentStart(_) => {
                    // Anchors are scoped to their document.
                    self.anchors.clear();
                    let (event, span) = self.next()?;
                    if !matches!(event, Event::DocumentEnd) {
                        docs.push(self.build(event, span, 0)?);
                        let (end, span) = self.next()?;
                        if !matches!(end, Event::DocumentEnd) {
                            return Err(error_at(span, "unexpected content after the document"));
                        }
                    }
                    if self.first_only {
                        return Ok(docs);
                    }
                }
                _ => {}
            }
        }
    }

    fn next(&mut self) -> Result<Parsed<'a>, ParseError> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => {
                Err(within(self.source, ParseError { line: e.marker().line(), col: e.marker().col() + 1, message: e.info().to_string() }))
            }
            None => Err(within(self.source, ParseError { line: 0, col: 0, message: "unexpected end of input".into() })),
        }
    }

    fn build(&mut self, event: Event<'a>, span: Span, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(error_at(span, &format!("collections nest deeper than {MAX_DEPTH} levels")));
        }
        let start = self.offsets.byte(span.start.index());
        let (line, col) = (span.start.line() as u32, span.start.col() as u32 + 1);
        let node = |end: usize, value: Value, anchored: bool, tag: Option<Box<str>>| {
            let mut node = Node::plain(start, end, line, col, value);
            node.set_marks(anchored, tag);
            node
        };
        if matches!(
            &event,
            Event::Alias(_) | Event::Scalar(.., Some(_)) | Event::MappingStart(_, Some(_)) | Event::SequenceStart(_, Some(_))
        ) {
            self.plain = false;
        }
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let end = match style {
                    // The parser's end mark runs on over trailing blanks and a comment.
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => closing_quote(self.source, opening_quote(self.source, start)),
                    _ => self.offsets.byte(span.end.index()),
                };
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
                };
                let mut scalar = node(end, Value::Scalar { text: Text::from(text), style }, anchor > 0, tag_text(tag));
                if self.resolve {
                    read_tag(&mut scalar).map_err(|message| error_at(span, &message))?;
                }
                (scalar, anchor)
            }
            Event::Alias(id) => {
                let end = self.offsets.byte(span.end.index());
                if !self.resolve {
                    return Ok(node(end, Value::Alias, false, None));
                }
                let Some(target) = self.anchors.get(&id) else {
                    return Err(error_at(span, "alias to an unknown anchor"));
                };
                self.expanded += count(target);
                if self.expanded > MAX_EXPANDED_NODES {
                    return Err(error_at(span, &format!("aliases expand to more than {MAX_EXPANDED_NODES} nodes")));
                }
                let mut copy = target.clone();
                (copy.start, copy.end, copy.line, copy.col) = (start, end, line, col);
                let tag = copy.marks.take().and_then(|m| m.tag);
                copy.set_marks(false, tag);
                return Ok(copy);
            }
            Event::MappingStart(anchor, tag) => {
                let flow = self.is_flow(span);
                let mut entries = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if let Event::MappingEnd = event {
                        let end = if flow {
                            closing_bracket(self.source, self.offsets.byte(span.start.index()), self.offsets.byte(span.end.index()), b'}')
                        } else {
                            last_end(&entries, start)
                        };
                        self.plain &= !entries.iter().any(|(k, _)| is_merge_key(k));
                        if self.resolve {
                            entries = merge_keys(entries)?;
                        }
                        let mut map = node(end, Value::Map { entries, flow }, anchor > 0, tag_text(tag));
                        place_block(&mut map);
                        break (map, anchor);
                    }
                    let key = self.build(event, span, depth + 1)?;
                    let (event, span) = self.next()?;
                    let value = self.build(event, span, depth + 1)?;
                    entries.push((key, value));
                }
            }
            Event::SequenceStart(anchor, tag) => {
                let flow = self.is_flow(span);
                let mut items: Vec<Node> = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if let Event::SequenceEnd = event {
                        let end = if flow {
                            closing_bracket(self.source, self.offsets.byte(span.start.index()), self.offsets.byte(span.end.index()), b']')
                        } else {
                            items.last().map_or(start, |n| n.end)
                        };
                        let mut seq = node(end, Value::Seq { items, flow }, anchor > 0, tag_text(tag));
                        place_block(&mut seq);
                        break (seq, anchor);
                    }
                    items.push(self.build(event, span, depth + 1)?);
                }
            }
            _ => return Err(error_at(span, "unexpected YAML event")),
        };
        self.plain &= anchor == 0;
        if anchor > 0 && self.resolve {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }

    /// Flow collections open with `{` or `[` at the end of their start mark
    /// (after any anchor or tag, and before the blanks the mark runs on
    /// over when some follow); block ones have an empty mark, or one that
    /// covers only an anchor or tag.
    fn is_flow(&self, span: Span) -> bool {
        let (start, end) = (self.offsets.byte(span.start.index()), self.offsets.byte(span.end.index()));
        self.source[start..end].trim_end_matches([' ', '\t', '\r', '\n']).ends_with(['{', '['])
    }
}

/// An anchored or tagged block collection starts at its first entry, not
/// at the anchor, so its column is its indentation.
fn place_block(node: &mut Node) {
    if node.is_flow() || node.marks.is_none() {
        return;
    }
    let first = match &node.value {
        Value::Map { entries, .. } => entries.first().map(|(k, _)| k),
        Value::Seq { items, .. } => items.first(),
        _ => None,
    };
    if let Some(first) = first {
        (node.start, node.line, node.col) = (first.start, first.line, first.col);
    }
}

fn tag_text(tag: Option<std::borrow::Cow<'_, Tag>>) -> Option<Box<str>> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix).into_boxed_str())
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Map { entries, .. } => entries.iter().map(|(k, v)| count(k) + count(v)).sum(),
        Value::Seq { items, .. } => items.iter().map(count).sum(),
        _ => 0,
    }
}

fn is_merge_key(k: &Node) -> bool {
    k.text() == Some("<<") && matches!(k.value, Value::Scalar { style: Style::Plain, .. })
}

/// Applies `<<` merge keys as go-yaml v2 does: in order, so a merge sets
/// its keys over the ones before it, and the ones after it win; in a list
/// of mappings, earlier ones win. A mapping without one is left as written
/// (duplicate keys included, for the linter).
fn merge_keys(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, ParseError> {
    let is_merge = is_merge_key;
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return Ok(entries);
    }
    // Each entry and whether a merge brought it: a key written twice stays
    // twice (the linter reports it), one written over a merged one replaces it.
    let mut out: Vec<(Node, Node, bool)> = Vec::new();
    for (k, v) in entries {
        if !is_merge(&k) {
            out.retain(|(e, _, merged)| !(*merged && same_key(e, &k)));
            out.push((k, v, false));
            continue;
        }
        let sources: Vec<Node> = match v.value {
            Value::Map { .. } => vec![v],
            Value::Seq { items, .. } if items.iter().all(Node::is_map) => items.into_iter().rev().collect(),
            _ => {
                return Err(ParseError {
                    line: v.line as usize,
                    col: v.col as usize,
                    message: "a merge key (<<) must hold a mapping or a list of mappings".into(),
                })
            }
        };
        for source in sources {
            for (mk, mv) in source.entries().unwrap_or_default() {
                out.retain(|(k, _, _)| !same_key(k, mk));
                out.push((mk.clone(), mv.clone(), true));
            }
        }
    }
    Ok(out.into_iter().map(|(k, v, _)| (k, v)).collect())
}

/// Whether two keys are one key to go-yaml (`1` and `"1"` are not).
fn same_key(a: &Node, b: &Node) -> bool {
    a.scalar().is_some() && a.scalar() == b.scalar()
}

/// What go-yaml v2 does with a scalar's tag when Helm reads it: refuses
/// one its text does not fit (`!!int abc`, `!!timestamp 2001-02-29`) and
/// decodes `!!binary` (bytes that are not UTF-8 become U+FFFD, as Go's JSON
/// encoding makes them).
fn read_tag(node: &mut Node) -> Result<(), String> {
    let (Some(tag), Value::Scalar { text, .. }) = (node.marks.as_ref().and_then(|m| m.tag.as_deref()), &mut node.value) else {
        return Ok(());
    };
    let Some(core) = tag.strip_prefix(CORE_TAG) else { return Ok(()) };
    let resolved = resolve(text, Style::Plain);
    let fits = match core {
        "null" => resolved == Scalar::Null,
        "bool" => matches!(resolved, Scalar::Bool(_)),
        // A uint64 past int64 is an integer to go-yaml, a float64 to us.
        "int" => matches!(resolved, Scalar::Int(_)) || go_parse_uint(&text.replace('_', "")).is_some(),
        "float" => matches!(resolved, Scalar::Int(_) | Scalar::Float(_)),
        "timestamp" => is_go_timestamp(text),
        "binary" => {
            let compact: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
            use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
            let config = GeneralPurposeConfig::new()
                .with_decode_allow_trailing_bits(true)
                .with_decode_padding_mode(DecodePaddingMode::RequireCanonical);
            let bytes = base64::Engine::decode(&GeneralPurpose::new(&base64::alphabet::STANDARD, config), compact)
                .map_err(|_| "a !!binary value that is not valid base64; Helm refuses it".to_string())?;
            *text = go_lossy(&bytes).into();
            let anchored = node.anchored();
            node.set_marks(anchored, Some(format!("{CORE_TAG}str").into_boxed_str()));
            return Ok(());
        }
        _ => true,
    };
    if fits {
        Ok(())
    } else {
        Err(format!("the text of a !!{core} value is not one; Helm refuses it (quote it, or drop the tag)"))
    }
}

/// Bytes as a string the way Go's JSON encoding writes them: each byte
/// that is not part of valid UTF-8 becomes U+FFFD.
pub fn go_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).expect("checked"));
                out.push('\u{fffd}');
                rest = &after[1..];
            }
        }
    }
}

/// Whether Go's `time.Parse` takes the text in one of go-yaml v2's
/// timestamp layouts: `2006-1-2`, then `T`, `t` or ` `, `15:4:5`, an
/// optional fraction, and (not after ` `) `Z` or `±07:00`.
fn is_go_timestamp(text: &str) -> bool {
    fn num(s: &mut &[u8], max_digits: usize) -> Option<u32> {
        let n = s.iter().take(max_digits).take_while(|b| b.is_ascii_digit()).count();
        let value = std::str::from_utf8(&s[..n]).ok()?.parse().ok()?;
        *s = &s[n..];
        Some(value)
    }
    fn eat(s: &mut &[u8], c: u8) -> Option<()> {
        let (&first, rest) = s.split_first()?;
        (first == c).then(|| *s = rest)
    }
    let mut s = text.as_bytes();
    let date = (|| {
        let year = (s.len() > 4 && s[..4].iter().all(u8::is_ascii_digit)).then(|| num(&mut s, 4))??;
        eat(&mut s, b'-')?;
        let month = num(&mut s, 2).filter(|m| (1..=12).contains(m))?;
        eat(&mut s, b'-')?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month as usize - 1];
        num(&mut s, 2).filter(|d| (1..=days).contains(d))
    })();
    if date.is_none() {
        return false;
    }
    let Some((&sep, rest)) = s.split_first() else { return true };
    s = rest;
    let time = (|| {
        matches!(sep, b'T' | b't' | b' ').then_some(())?;
        num(&mut s, 2).filter(|h| *h < 24)?;
        eat(&mut s, b':')?;
        num(&mut s, 2).filter(|m| *m < 60)?;
        eat(&mut s, b':')?;
        num(&mut s, 2).filter(|sec| *sec < 60)?;
        if s.len() >= 2 && matches!(s[0], b'.' | b',') && s[1].is_ascii_digit() {
            s = &s[1..];
            let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
            s = &s[digits..];
        }
        Some(())
    })();
    if time.is_none() {
        return false;
    }
    match (sep, s) {
        (_, []) => sep == b' ',
        (b' ', _) => false,
        (_, b"Z") => true,
        (_, [b'+' | b'-', h1, h2, b':', m1, m2]) => [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// The parser reports some errors at the end of input, one line past a last
/// line without a newline; keep positions inside the text.
fn within(source: &str, mut e: ParseError) -> ParseError {
    let lines = source.split_inclusive(['\n', '\r']).count().max(1);
    if e.line == 0 || e.line > lines {
        let last = source.split_inclusive(['\n', '\r']).next_back().unwrap_or("");
        e.line = lines;
        e.col = last.trim_end_matches(['\n', '\r']).chars().count() + 1;
    }
    e
}

fn error_at(span: Span, message: &str) -> ParseError {
    ParseError { line: span.start.line(), col: span.start.col() + 1, message: message.into() }
}

/// Just past the bracket that closes a flow collection whose end mark spans
/// `start..end`. The mark starts at the bracket but runs on over the blanks
/// after it; on a trailing comma (`{a: 1,}`) it starts at the comma.
fn closing_bracket(source: &str, start: usize, end: usize, bracket: u8) -> usize {
    let bytes = source.as_bytes();
    if bytes.get(start) == Some(&bracket) {
        return start + 1;
    }
    if end > 0 && bytes[end - 1] == bracket {
        return end;
    }
    let mut i = end;
    while i < bytes.len() {
        match bytes[i] {
            b if b == bracket => return i + 1,
            b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
            _ => break,
        }
    }
    end
}

/// Where the quote of a quoted scalar whose text (with any anchor or tag) starts at `start` is.
fn opening_quote(source: &str, start: usize) -> usize {
    source[start..].find(['"', '\'']).map_or(start, |i| start + i)
}

/// The byte just past the quote that closes the quoted scalar opening at `start`.
pub fn closing_quote(source: &str, start: usize) -> usize {
    // The parser's positions can be off after a `%` directive holding
    // multi-byte characters: no quote where one was expected, no scan.
    match source.as_bytes().get(start) {
        Some(b'"' | b'\'') => past_closing_quote(source, start).unwrap_or(source.len()),
        _ => start.min(source.len()),
    }
}

/// Just past the quote that closes the one at `start` (escapes skipped),
/// `None` when nothing closes it.
pub(crate) fn past_closing_quote(source: &str, start: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let quote = bytes[start];
    debug_assert!(matches!(quote, b'"' | b'\''));
    let mut i = start + 1;
    loop {
        // The next quote, or in a double-quoted scalar the next escape.
        let rest = bytes.get(i..)?;
        let found = i + if quote == b'"' { memchr::memchr2(b'"', b'\\', rest)? } else { memchr::memchr(b'\'', rest)? };
        match bytes[found] {
            b'\\' => i = found + 2,
            b'\'' if quote == b'\'' && bytes.get(found + 1) == Some(&b'\'') => i = found + 2,
            _ => return Some(found + 1),
        }
    }
}

fn last_end(entries: &[(Node, Node)], start: usize) -> usize {
    entries.last().map_or(start, |(k, v)| v.end.max(k.end))
}

/// The parser counts characters; edits need bytes.
struct Offsets {
    /// Byte offset of each character, or `None` when the text is ASCII.
    bytes: Option<Vec<usize>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let bytes = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Offsets { bytes, len: text.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.bytes {
            None => char_index.min(self.len),
            Some(map) => map.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        parse_one(text).unwrap().unwrap()
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_characters() {
        let text = "é: x\nkey: \"quoted\"\n";
        let d = doc(text);
        let v = d.get("key").unwrap();
        assert_eq!(&text[v.start..v.end], "\"quoted\"");
        assert_eq!((v.line, v.col), (2, 6));
    }

    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let text = "a: \"x \\\" y\"   # note\nb: 'it''s'  # more\n";
        let d = doc(text);
        let (a, b) = (d.get("a").unwrap(), d.get("b").unwrap());
        assert_eq!(&text[a.start..a.end], "\"x \\\" y\"");
        assert_eq!(&text[b.start..b.end], "'it''s'");
        assert_eq!(b.text(), Some("it's"));
    }

    #[test]
    fn flow_collections_with_trailing_commas_end_at_their_bracket() {
        let text = "a: {x: 1,}\nb: [1, 2,]\n";
        let d = doc(text);
        let (a, b) = (d.get("a").unwrap(), d.get("b").unwrap());
        assert_eq!(&text[a.start..a.end], "{x: 1,}");
        assert_eq!(&text[b.start..b.end], "[1, 2,]");
    }

    #[test]
    fn flow_and_block_collections_are_told_apart() {
        let d = doc("a: {}\nb:\n  c: 1\nl: [1, 2]\n");
        assert!(d.get("a").unwrap().is_flow());
        assert!(!d.get("b").unwrap().is_flow());
        let l = d.get("l").unwrap();
        assert!(l.is_flow());
        assert_eq!(l.items().unwrap().len(), 2);
        // Blanks inside the brackets (the agent chart's ClusterRole writes `[ "" ]`).
        let text = "v: [ \"\" ]\nm: { a: b }\nx: &x [ 1 ]\n";
        let d = &parse_all_general(text).unwrap()[0];
        for key in ["v", "m", "x"] {
            let n = d.get(key).unwrap();
            assert!(n.is_flow(), "{key}");
            assert!(text[n.start..n.end].ends_with([']', '}']), "{key}: {:?}", &text[n.start..n.end]);
        }
    }

    #[test]
    fn block_mapping_ends_with_its_last_value() {
        let text = "spec:\n  a: 1\n  b: two\nnext: 3\n";
        let d = doc(text);
        let spec = d.get("spec").unwrap();
        assert_eq!(&text[spec.start..spec.end], "a: 1\n  b: two");
    }

    #[test]
    fn duplicate_keys_are_kept_and_the_last_wins() {
        let d = doc("a: 1\na: 2\n");
        assert_eq!(d.entries().unwrap().len(), 2);
        assert_eq!(d.get("a").unwrap().scalar(), Some(Scalar::Int(2)));
    }

    #[test]
    fn scalars_resolve_like_go_yaml_v2() {
        assert_eq!(resolve("yes", Style::Plain), Scalar::Bool(true));
        assert_eq!(resolve("yes", Style::Quoted), Scalar::Str("yes"));
        assert_eq!(resolve("0644", Style::Plain), Scalar::Int(0o644));
        assert_eq!(resolve("~", Style::Plain), Scalar::Null);
        assert_eq!(resolve("1.5", Style::Plain), Scalar::Float(1.5));
        assert_eq!(resolve("v1.2", Style::Plain), Scalar::Str("v1.2"));
        // The decimal shortcut next to the long way's base prefixes and signs.
        for (text, want) in [
            ("0", Scalar::Int(0)),
            ("-0", Scalar::Int(0)),
            ("+7", Scalar::Int(7)),
            ("007", Scalar::Int(7)),
            ("08", Scalar::Float(8.0)),
            ("2.15.1", Scalar::Str("2.15.1")),
            ("1_0", Scalar::Int(10)),
            ("-", Scalar::Str("-")),
            ("+", Scalar::Str("+")),
            ("--flag", Scalar::Str("--flag")),
            ("9223372036854775808", Scalar::Float(9223372036854775808.0)),
            ("+18446744073709551615", Scalar::Float(18446744073709551615.0)),
            ("18446744073709551616", Scalar::Float(18446744073709551616.0)),
            ("1e3", Scalar::Float(1000.0)),
            ("value", Scalar::Str("value")),
        ] {
            assert_eq!(resolve(text, Style::Plain), want, "{text}");
        }
    }

    #[test]
    fn converts_to_json_with_yaml_types() {
        let d = doc("sslmode: require\nretries: 3\nflags: [yes, \"no\"]\n");
        assert_eq!(d.to_json().to_string(), r#"{"flags":[true,"no"],"retries":3,"sslmode":"require"}"#);
    }

    #[test]
    fn parse_errors_carry_a_location() {
        let err = parse_one("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn integers_follow_go_base_prefixes_and_floats_the_yaml_pattern() {
        for (text, want) in [
            ("0x1F", Scalar::Int(31)),
            ("-0x1F", Scalar::Int(-31)),
            ("0o17", Scalar::Int(15)),
            ("0b101", Scalar::Int(5)),
            ("+12", Scalar::Int(12)),
            ("1_000", Scalar::Int(1000)),
            ("08", Scalar::Float(8.0)),
            ("1e3", Scalar::Float(1000.0)),
            (".5", Scalar::Float(0.5)),
            ("-.inf", Scalar::Float(f64::NEG_INFINITY)),
            ("_1", Scalar::Str("_1")),
            ("1.2.3", Scalar::Str("1.2.3")),
            ("2001-12-14", Scalar::Str("2001-12-14")),
            ("9223372036854775808", Scalar::Float(9223372036854775808.0)),
            ("0xFFFFFFFFFFFFFFFF", Scalar::Float(18446744073709551615.0)),
            ("1e400", Scalar::Str("1e400")),
            (".5e400", Scalar::Str(".5e400")),
            ("._5", Scalar::Str("._5")),
            ("1_000.5", Scalar::Float(1000.5)),
        ] {
            assert_eq!(resolve(text, Style::Plain), want, "{text}");
        }
    }

    #[test]
    fn anchored_and_tagged_block_mappings_are_block_and_start_at_their_first_key() {
        let text = "spec: &s\n  a: 1\n  b: !foo\n    c: 2\nt: *s\nv: &x {p: 1}\nu: !!str \"q\" # c\n";
        let d = doc(text);
        let spec = d.get("spec").unwrap();
        assert!(spec.anchored() && !spec.is_flow());
        assert_eq!((spec.line, spec.col), (2, 3));
        let b = spec.get("b").unwrap();
        assert_eq!(b.custom_tag(), Some("!foo"));
        assert_eq!((b.line, b.col, b.is_flow()), (4, 5, false));
        assert!(d.get("t").unwrap().is_alias());
        assert!(d.get("v").unwrap().is_flow());
        let u = d.get("u").unwrap();
        assert_eq!(&text[u.start..u.end], "!!str \"q\"");
        assert_eq!(u.scalar(), Some(Scalar::Str("q")));
        assert_eq!(d.first_unsafe().map(|(n, why)| (n.line, why)), Some((2, "an anchor (&name)")));
    }

    #[test]
    fn resolved_reading_expands_aliases_and_merge_keys_at_the_users_text() {
        let text = "base: &b\n  enabled: true\n  user: 1\nsc:\n  <<: *b\n  user: 2\non: &on yes\ningress: {enabled: *on}\n";
        let d = parse_one_resolved(text).unwrap().unwrap();
        let sc = d.get("sc").unwrap();
        assert_eq!(sc.entries().unwrap().iter().map(|(k, _)| k.text().unwrap()).collect::<Vec<_>>(), ["enabled", "user"]);
        assert_eq!(sc.get("user").unwrap().scalar(), Some(Scalar::Int(2)));
        let enabled = d.path(&["ingress", "enabled"]).unwrap();
        assert_eq!(enabled.scalar(), Some(Scalar::Bool(true)));
        assert_eq!(&text[enabled.start..enabled.end], "*on");
        let list = parse_one_resolved("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n").unwrap().unwrap();
        assert_eq!(list.get("c").unwrap().to_json().to_string(), r#"{"x":1,"y":2}"#);
        assert!(parse_one_resolved("a:\n  <<: 5\n").is_err());
        // In order, as go-yaml v2: a merge sets its keys over the ones before it.
        let order = parse_one_resolved("a: 1\n<<: {a: 2, b: 2}\nb: 3\n").unwrap().unwrap();
        assert_eq!(order.to_json().to_string(), r#"{"a":2,"b":3}"#);
    }

    #[test]
    fn nesting_and_alias_expansion_are_bounded() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 5), "]".repeat(MAX_DEPTH + 5));
        assert!(parse_one(&deep).unwrap_err().message.contains("nest deeper"));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", ")));
        }
        assert!(parse_one_resolved(&bomb).unwrap_err().message.contains("expand to more than"));
        assert!(parse_one(&bomb).is_ok(), "unexpanded aliases cost nothing");
    }

    #[test]
    fn what_libyaml_reads_and_saphyr_refuses_is_read_at_the_users_text() {
        // A quoted scalar continued below its key, a tab after a key's `:`.
        let text = "x:\n  a: \"one\ntwo\" # c\n  b:\t1\n  c: 'three\n\tfour'\n";
        let d = doc(text);
        let a = d.path(&["x", "a"]).unwrap();
        assert_eq!((a.text(), &text[a.start..a.end], a.line, a.col), (Some("one two"), "\"one\ntwo\"", 2, 6));
        let b = d.path(&["x", "b"]).unwrap();
        assert_eq!((&text[b.start..b.end], b.line, b.col), ("1", 4, 6));
        let c = d.path(&["x", "c"]).unwrap();
        assert_eq!((c.text(), &text[c.start..c.end]), (Some("three four"), "'three\n\tfour'"));
        // Not after a `? key`'s `:`, which libyaml refuses too.
        assert!(parse_one("? a\n:\t1\n").is_err());
    }

    #[test]
    fn tabs_and_line_breaks_libyaml_refuses_are_refused() {
        for (text, at) in [
            ("a:\n  -\tx\n", (2, 4)),
            ("a:\n  - - \tx\n", (2, 7)),
            ("a: 1\n\t\nb: 2\n", (2, 1)),
            ("a: |\n  \tx\n", (2, 3)),
            ("a: x\u{2028}b: y\n", (1, 5)),
            ("a: |\n  x\u{85}y\n", (2, 4)),
        ] {
            let err = parse_all(text).unwrap_err();
            assert_eq!((err.line, err.col), at, "{text:?}: {err:?}");
        }
        for text in ["a: [1,\n\t2]\n", "a: b\n  \tc\n", "a: |\n  x\n  \ty\n", "a: \"x\u{2028}y\"\n", "a: 1\t# c\n"] {
            assert!(parse_all(text).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn tags_are_read_as_go_yaml_v2_reads_them() {
        let d = parse_one_resolved(
            "a: !foo 1\nb: !!int \"3\"\nc: !!float 1\nd: !!binary aGVsbG8=\ne: !!binary /w==\nf: !!timestamp 2001-1-2\n",
        )
        .unwrap()
        .unwrap();
        let scalar = |k: &str| d.get(k).unwrap().scalar().unwrap();
        assert_eq!(
            [scalar("a"), scalar("b"), scalar("c"), scalar("d"), scalar("e"), scalar("f")],
            [Scalar::Str("1"), Scalar::Int(3), Scalar::Float(1.0), Scalar::Str("hello"), Scalar::Str("\u{fffd}"), Scalar::Str("2001-1-2")]
        );
        for text in [
            "a: !!int abc",
            "a: !!bool 1",
            "a: !!null x",
            "a: !!int",
            "a: !!binary aGk",
            "a: !!timestamp 2001-02-29",
            "a: !!timestamp 2001-12-14T1:2:3",
        ] {
            let err = parse_one_resolved(text).unwrap_err();
            assert!(err.message.contains("Helm refuses it"), "{text}: {err:?}");
        }
        assert!(
            is_go_timestamp("2000-02-29 1:2:3.5")
                && is_go_timestamp("2001-12-14t21:59:43.10-05:00")
                && !is_go_timestamp("2001-12-14 1:2:3Z")
        );
    }

    #[test]
    fn helm_3_reads_the_first_document_only() {
        assert_eq!(parse_first_resolved("a: 1\n--- b: 2\n").unwrap().unwrap().to_json().to_string(), r#"{"a":1}"#);
        assert!(parse_all_resolved("a: 1\n--- b: 2\n").is_err());
    }

    #[test]
    fn nodes_stay_small() {
        // An entry of two nodes is then moved inline, without a call to memcpy.
        assert_eq!(std::mem::size_of::<Node>(), 64);
    }

    #[test]
    fn comment_only_text_has_no_document() {
        assert!(parse_one("# Source: x\n").unwrap().is_none());
    }
}
