//! A YAML tree that remembers where every node sits in the source text.
//!
//! Everything in this project that reads YAML goes through here: manifests
//! (so transforms can splice text at exact byte offsets instead of
//! re-emitting documents) and values files (so errors can name
//! file:line:column). Duplicate keys are kept in source order; lookups take
//! the last one, which is what Helm does.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A node and the byte range of its text.
#[derive(Debug, Clone)]
pub struct Node {
    /// Byte offset of the node's first character (for quoted scalars, the quote).
    pub start: usize,
    /// Byte offset just past the node. For block scalars the parser places this
    /// at the indentation of the next line; see [`crate::edit::insertion_point_after`].
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, in characters.
    pub col: usize,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub enum Value {
    Map { entries: Vec<(Node, Node)>, flow: bool },
    Seq { items: Vec<Node>, flow: bool },
    Scalar { text: String, style: Style },
    /// `*anchor`: opaque to us, never edited through.
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

    /// The key text of a scalar key node.
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

    pub fn is_flow(&self) -> bool {
        matches!(self.value, Value::Map { flow: true, .. } | Value::Seq { flow: true, .. })
    }

    pub fn scalar(&self) -> Option<Scalar<'_>> {
        match &self.value {
            Value::Scalar { text, style } => Some(resolve(text, *style)),
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
}

impl Node {
    /// The node as JSON, as Helm's `toJson` renders it: keys sorted (Go
    /// sorts map keys), aliases as null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Map { entries, .. } => {
                let mut pairs: Vec<(String, J)> = entries.iter().map(|(k, v)| (k.text().unwrap_or_default().to_string(), v.to_json())).collect();
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                J::Object(pairs.into_iter().collect())
            }
            Value::Seq { items, .. } => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Alias => J::Null,
            Value::Scalar { .. } => match self.scalar() {
                Some(Scalar::Null) | None => J::Null,
                Some(Scalar::Bool(b)) => J::Bool(b),
                Some(Scalar::Int(n)) => J::from(n),
                Some(Scalar::Float(f)) => J::from(f),
                Some(Scalar::Str(s)) => J::from(s),
            },
        }
    }
}

/// Resolves a scalar as go-yaml v2 does (YAML 1.1 booleans included), since
/// that is how Helm reads values files.
pub fn resolve(text: &str, style: Style) -> Scalar<'_> {
    if style != Style::Plain {
        return Scalar::Str(text);
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Scalar::Bool(false)
        }
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        // YAML 1.1: a leading zero means octal (file modes such as 0644).
        let octal = digits.len() > 1 && digits.starts_with('0');
        let parsed = if octal {
            i64::from_str_radix(&digits.replace('_', ""), 8).map(|n| if text.starts_with('-') { -n } else { n })
        } else {
            text.replace('_', "").parse::<i64>()
        };
        if let Ok(n) = parsed {
            return Scalar::Int(n);
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(n) = i64::from_str_radix(hex, 16) {
            return Scalar::Int(n);
        }
    }
    if text.bytes().any(|b| b.is_ascii_digit()) && !text.starts_with("0x") {
        if let Ok(f) = text.parse::<f64>() {
            return Scalar::Float(f);
        }
    }
    Scalar::Str(text)
}

/// Parses every document in `text`. Empty (comment-only) documents are skipped.
pub fn parse_all(text: &str) -> Result<Vec<Node>, ParseError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    loop {
        let (event, _) = next(&mut parser)?;
        match event {
            Event::StreamEnd => return Ok(docs),
            Event::DocumentStart(_) => {
                let (event, span) = next(&mut parser)?;
                if !matches!(event, Event::DocumentEnd) {
                    docs.push(build(&mut parser, text, &offsets, event, span)?);
                    let (end, span) = next(&mut parser)?;
                    if !matches!(end, Event::DocumentEnd) {
                        return Err(error_at(span, "unexpected content after the document"));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Parses a text that holds at most one document.
pub fn parse_one(text: &str) -> Result<Option<Node>, ParseError> {
    let mut docs = parse_all(text)?;
    if docs.len() > 1 {
        let second = &docs[1];
        return Err(ParseError {
            line: second.line,
            col: second.col,
            message: "expected a single YAML document, found several".into(),
        });
    }
    Ok(docs.pop())
}

type Parsed<'a> = (Event<'a>, Span);

fn next<'a>(parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>) -> Result<Parsed<'a>, ParseError> {
    match parser.next_event() {
        Some(Ok(ev)) => Ok(ev),
        Some(Err(e)) => Err(ParseError {
            line: e.marker().line(),
            col: e.marker().col() + 1,
            message: e.info().to_string(),
        }),
        None => Err(ParseError { line: 0, col: 0, message: "unexpected end of input".into() }),
    }
}

fn error_at(span: Span, message: &str) -> ParseError {
    ParseError { line: span.start.line(), col: span.start.col() + 1, message: message.into() }
}

fn build<'a>(
    parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
    source: &str,
    offsets: &Offsets,
    event: Event<'a>,
    span: Span,
) -> Result<Node, ParseError> {
    let start = offsets.byte(span.start.index());
    let (line, col) = (span.start.line(), span.start.col() + 1);
    let node = |end: usize, value: Value| Node { start, end, line, col, value };
    match event {
        Event::Scalar(text, style, _, _) => {
            let end = match style {
                // The parser's end mark runs on over trailing blanks and a comment.
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => closing_quote(source, start),
                _ => offsets.byte(span.end.index()),
            };
            let style = match style {
                ScalarStyle::Plain => Style::Plain,
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
            };
            Ok(node(end, Value::Scalar { text: text.into_owned(), style }))
        }
        Event::Alias(_) => Ok(node(offsets.byte(span.end.index()), Value::Alias)),
        Event::MappingStart(..) => {
            let flow = !span.is_empty();
            let mut entries = Vec::new();
            loop {
                let (event, span) = next(parser)?;
                if let Event::MappingEnd = event {
                    let end = if flow { offsets.byte(span.end.index()) } else { last_end(&entries, start) };
                    return Ok(node(end, Value::Map { entries, flow }));
                }
                let key = build(parser, source, offsets, event, span)?;
                let (event, span) = next(parser)?;
                let value = build(parser, source, offsets, event, span)?;
                entries.push((key, value));
            }
        }
        Event::SequenceStart(..) => {
            let flow = !span.is_empty();
            let mut items: Vec<Node> = Vec::new();
            loop {
                let (event, span) = next(parser)?;
                if let Event::SequenceEnd = event {
                    let end = if flow {
                        offsets.byte(span.end.index())
                    } else {
                        items.last().map_or(start, |n| n.end)
                    };
                    return Ok(node(end, Value::Seq { items, flow }));
                }
                items.push(build(parser, source, offsets, event, span)?);
            }
        }
        _ => Err(error_at(span, "unexpected YAML event")),
    }
}

/// The byte just past the quote that closes the quoted scalar opening at `start`.
fn closing_quote(source: &str, start: usize) -> usize {
    let bytes = source.as_bytes();
    let quote = bytes[start];
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
    fn comment_only_text_has_no_document() {
        assert!(parse_one("# Source: x\n").unwrap().is_none());
    }
}
