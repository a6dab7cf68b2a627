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

/// How deep collections may nest before the input is refused.
pub const MAX_DEPTH: usize = 200;
/// How many nodes alias expansion may create in one text (a guard against
/// "billion laughs" inputs).
pub const MAX_EXPANDED_NODES: usize = 1_000_000;

/// A node and the byte range of its text.
#[derive(Debug, Clone)]
pub struct Node {
    /// Byte offset of the node's first character (for quoted scalars, the
    /// quote; for anchored or tagged block collections, their first entry).
    pub start: usize,
    /// Byte offset just past the node. For block scalars the parser places this
    /// at the indentation of the next line; see [`crate::edit`].
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, in characters.
    pub col: usize,
    pub value: Value,
    /// The node carries an anchor (`&name`): editing it would change every alias too.
    pub anchored: bool,
    /// An explicit tag (`!!str`, `!custom`), as written after the handle is expanded.
    pub tag: Option<Box<str>>,
}

#[derive(Debug, Clone)]
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
        text: String,
        style: Style,
    },
    /// `*anchor` (only from [`parse_all`]): opaque, never edited through.
    Alias,
}

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
        self.tag.as_deref().filter(|t| !t.starts_with(CORE_TAG))
    }

    pub fn scalar(&self) -> Option<Scalar<'_>> {
        match &self.value {
            Value::Scalar { text, style } => Some(match self.tag.as_deref().and_then(|t| t.strip_prefix(CORE_TAG)) {
                Some("str") => Scalar::Str(text),
                Some("null") => Scalar::Null,
                Some("bool" | "int" | "float") => resolve(text, Style::Plain),
                _ => resolve(text, *style),
            }),
            _ => None,
        }
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
        if self.anchored {
            return Some((self, "an anchor (&name)"));
        }
        if self.custom_tag().is_some() {
            return Some((self, "a custom tag"));
        }
        match &self.value {
            Value::Map { entries, .. } => entries.iter().find_map(|(k, v)| {
                if k.text() == Some("<<") && matches!(k.value, Value::Scalar { style: Style::Plain, .. }) {
                    return Some((k, "a merge key (<<)"));
                }
                k.first_unsafe().or_else(|| v.first_unsafe())
            }),
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
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    match text.as_bytes()[0] {
        b'.' => text.parse::<f64>().map_or(Scalar::Str(text), Scalar::Float),
        b'0'..=b'9' | b'+' | b'-' => {
            let plain = text.replace('_', "");
            if let Some(n) = go_parse_int(&plain) {
                return Scalar::Int(n);
            }
            if is_float(plain.strip_prefix(['-', '+']).unwrap_or(&plain)) {
                if let Ok(f) = plain.parse::<f64>() {
                    return Scalar::Float(f);
                }
            }
            Scalar::Str(text)
        }
        _ => Scalar::Str(text),
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
    let lower = unsigned.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// Parses every document in `text`, keeping aliases as aliases. Empty
/// (comment-only) documents are skipped.
pub fn parse_all(text: &str) -> Result<Vec<Node>, ParseError> {
    Builder::new(text, false).documents()
}

/// Parses every document, expanding aliases and `<<` merge keys as Helm does.
/// An expanded alias keeps the position of the alias in the text.
pub fn parse_all_resolved(text: &str) -> Result<Vec<Node>, ParseError> {
    Builder::new(text, true).documents()
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
        return Err(ParseError { line: second.line, col: second.col, message: "expected a single YAML document, found several".into() });
    }
    Ok(docs.pop())
}

type Parsed<'a> = (Event<'a>, Span);

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    source: &'a str,
    offsets: Offsets,
    resolve: bool,
    anchors: HashMap<usize, Node>,
    expanded: usize,
}

impl<'a> Builder<'a> {
    fn new(source: &'a str, resolve: bool) -> Self {
        Builder {
            parser: Parser::new_from_str(source),
            source,
            offsets: Offsets::new(source),
            resolve,
            anchors: HashMap::new(),
            expanded: 0,
        }
    }

    fn documents(mut self) -> Result<Vec<Node>, ParseError> {
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
        let (line, col) = (span.start.line(), span.start.col() + 1);
        let node = |end: usize, value: Value, anchored: bool, tag: Option<Box<str>>| Node { start, end, line, col, value, anchored, tag };
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
                (node(end, Value::Scalar { text: text.into_owned(), style }, anchor > 0, tag_text(tag)), anchor)
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
                (copy.start, copy.end, copy.line, copy.col, copy.anchored) = (start, end, line, col, false);
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
        if anchor > 0 && self.resolve {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }

    /// Flow collections open with `{` or `[` at the end of their start mark
    /// (after any anchor or tag); block ones have an empty mark, or one that
    /// covers only an anchor or tag.
    fn is_flow(&self, span: Span) -> bool {
        let (start, end) = (self.offsets.byte(span.start.index()), self.offsets.byte(span.end.index()));
        end > start && matches!(self.source.as_bytes()[end - 1], b'{' | b'[')
    }
}

/// An anchored or tagged block collection starts at its first entry, not
/// at the anchor, so its column is its indentation.
fn place_block(node: &mut Node) {
    if node.is_flow() || !(node.anchored || node.tag.is_some()) {
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

/// Applies `<<` merge keys (YAML 1.1, as go-yaml v2 does): entries of the
/// merged mapping(s) that the mapping does not set itself are added after its
/// own; with a list of mappings, earlier ones win.
fn merge_keys(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, ParseError> {
    let is_merge = |k: &Node| k.text() == Some("<<") && matches!(k.value, Value::Scalar { style: Style::Plain, .. });
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return Ok(entries);
    }
    let mut own = Vec::new();
    let mut merged: Vec<(Node, Node)> = Vec::new();
    for (k, v) in entries {
        if !is_merge(&k) {
            own.push((k, v));
            continue;
        }
        let sources: Vec<Node> = match v.value {
            Value::Map { .. } => vec![v],
            Value::Seq { items, .. } if items.iter().all(Node::is_map) => items,
            _ => {
                return Err(ParseError {
                    line: v.line,
                    col: v.col,
                    message: "a merge key (<<) must hold a mapping or a list of mappings".into(),
                })
            }
        };
        for source in sources {
            for (mk, mv) in source.entries().unwrap_or_default() {
                if !merged.iter().any(|(k, _)| k.text() == mk.text()) {
                    merged.push((mk.clone(), mv.clone()));
                }
            }
        }
    }
    for (mk, mv) in merged {
        if !own.iter().any(|(k, _)| k.text() == mk.text()) {
            own.push((mk, mv));
        }
    }
    Ok(own)
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
    let bytes = source.as_bytes();
    // The parser's positions can be off after a `%` directive holding
    // multi-byte characters: no quote where one was expected, no scan.
    let Some(&quote @ (b'"' | b'\'')) = bytes.get(start) else { return start.min(bytes.len()) };
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
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
        ] {
            assert_eq!(resolve(text, Style::Plain), want, "{text}");
        }
    }

    #[test]
    fn anchored_and_tagged_block_mappings_are_block_and_start_at_their_first_key() {
        let text = "spec: &s\n  a: 1\n  b: !foo\n    c: 2\nt: *s\nv: &x {p: 1}\nu: !!str \"q\" # c\n";
        let d = doc(text);
        let spec = d.get("spec").unwrap();
        assert!(spec.anchored && !spec.is_flow());
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
        assert_eq!(sc.entries().unwrap().iter().map(|(k, _)| k.text().unwrap()).collect::<Vec<_>>(), ["user", "enabled"]);
        assert_eq!(sc.get("user").unwrap().scalar(), Some(Scalar::Int(2)));
        let enabled = d.path(&["ingress", "enabled"]).unwrap();
        assert_eq!(enabled.scalar(), Some(Scalar::Bool(true)));
        assert_eq!(&text[enabled.start..enabled.end], "*on");
        let list = parse_one_resolved("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n").unwrap().unwrap();
        assert_eq!(list.get("c").unwrap().to_json().to_string(), r#"{"x":1,"y":2}"#);
        assert!(parse_one_resolved("a:\n  <<: 5\n").is_err());
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
    fn comment_only_text_has_no_document() {
        assert!(parse_one("# Source: x\n").unwrap().is_none());
    }
}
