//! The fast path of [`super::read`]: a line-by-line reader for the block YAML
//! that rendered manifests and values files are made of (block mappings and
//! sequences, one-line plain and quoted scalars, literal and folded block
//! scalars, empty flow collections, comments, one document). It builds the
//! tree the general reader (saphyr) builds, byte for byte, or gives up at the
//! first thing outside that subset and the general reader reads the whole
//! text instead: anchors, aliases, tags, merge keys, flow collections with
//! content, multi-line plain or quoted scalars, escapes, tabs, carriage
//! returns, directives, a second document, and anything malformed (whose
//! errors only the general reader words). `tests/yaml_reader.rs` holds the
//! two readers to the same trees over the corpus, and the `yaml` fuzz target
//! over any text.

use super::{past_closing_quote, Node, Style, Text, Value, MAX_DEPTH};

/// Outside the subset: the general reader takes over.
struct GiveUp;

type Read<T> = Result<T, GiveUp>;

/// The documents of `text` (none or one), or `None` when the general reader must read it.
pub(super) fn read(text: &str) -> Option<Vec<Node>> {
    let ascii = readable(text)?;
    // The stacks of the last text read: a stream's documents are read one
    // after another, and each allocating its own cost more than a small one.
    let (entries, items) = STACKS.with(|s| s.take());
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        ascii,
        at: 0,
        line: 1,
        indent: None,
        end_of_line: std::cell::Cell::new((usize::MAX, 0)),
        search: Search::new(),
        entries,
        items,
    };
    let docs = reader.document().ok();
    let (mut entries, mut items) = (reader.entries, reader.items);
    // What a text given up on left behind goes; a wide mapping's room is not all kept.
    entries.clear();
    items.clear();
    entries.shrink_to(KEPT);
    items.shrink_to(KEPT);
    STACKS.with(|s| s.set((entries, items)));
    docs
}

/// The most entries or items a kept stack keeps room for.
const KEPT: usize = 1024;

/// The reader's stacks of entries and items.
type Stacks = (Vec<(Node, Node)>, Vec<Node>);

thread_local! {
    // Room for a manifest's nesting, so the stacks do not grow a step at a time.
    static STACKS: std::cell::Cell<Stacks> = std::cell::Cell::new((Vec::with_capacity(32), Vec::with_capacity(16)));
}

/// No byte the general reader reads differently, or refuses, or breaks
/// lines at: `Some(whether the text is ASCII)`, else `None`.
fn readable(text: &str) -> Option<bool> {
    // First one look per byte for any byte that needs a closer one: a control
    // character but the line break, DEL, or a non-ASCII byte (as a signed byte,
    // `b + 1` is below `!` for exactly these and the line break).
    let unusual = |block: &[u8]| block.iter().fold(false, |seen, &b| seen | (((b.wrapping_add(1) as i8) < 0x21) & (b != b'\n')));
    if !text.as_bytes().chunks(256).any(unusual) {
        return Some(true);
    }
    // Folded over blocks without an early exit, which the compiler
    // vectorises: bit 0 for a control character, bit 7 for a non-ASCII byte.
    let flags = |block: &[u8]| block.iter().fold(0u8, |seen, &b| seen | (((b < b' ') & (b != b'\n')) | (b == 0x7f)) as u8 | (b & 0x80));
    let mut high = 0;
    for block in text.as_bytes().chunks(256) {
        let seen = flags(block);
        if seen & 1 != 0 {
            return None;
        }
        high |= seen;
    }
    // C1 controls and NEL, LS, PS, BOM and the non-characters U+FFFE/U+FFFF.
    let ascii = high == 0;
    let refused = |c| matches!(c, '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}');
    (ascii || !text.chars().any(refused)).then_some(ascii)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    ascii: bool,
    /// Start of the current line and its 1-based number.
    at: usize,
    line: u32,
    /// The current line's indentation when it has content; `None` at the end.
    indent: Option<usize>,
    /// The start of the line whose end was last searched for, and that end:
    /// a line is looked at by several steps.
    end_of_line: std::cell::Cell<(usize, usize)>,
    search: Search,
    /// The entries and items of the collections being read, innermost last:
    /// each collection then takes its own in one allocation of the right size.
    entries: Vec<(Node, Node)>,
    items: Vec<Node>,
}

/// The reader's byte searches, set up once for a text: `memchr`'s own
/// functions choose their routine and load their needles at every call,
/// which for the few bytes a search on a line covers cost as much as the search.
struct Search {
    #[cfg(target_arch = "x86_64")]
    stops: Option<memchr::arch::x86_64::avx2::memchr::Three>,
    #[cfg(target_arch = "x86_64")]
    breaks: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl Search {
    fn new() -> Search {
        #[cfg(target_arch = "x86_64")]
        {
            use memchr::arch::x86_64::avx2::memchr::{One, Three};
            Search { stops: Three::new(b':', b'#', b'\n'), breaks: One::new(b'\n') }
        }
        #[cfg(not(target_arch = "x86_64"))]
        Search {}
    }

    /// The first `:`, `#` or line break in `bytes`.
    #[inline]
    fn stop(&self, bytes: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(three) = &self.stops {
            return three.find(bytes);
        }
        memchr::memchr3(b':', b'#', b'\n', bytes)
    }

    /// The first line break in `bytes`.
    #[inline]
    fn line_break(&self, bytes: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(one) = &self.breaks {
            return one.find(bytes);
        }
        memchr::memchr(b'\n', bytes)
    }
}

impl Reader<'_> {
    fn document(&mut self) -> Read<Vec<Node>> {
        self.skip_to_content(true)?;
        let Some(indent) = self.indent else {
            return Ok(Vec::new());
        };
        let root = self.block(indent, -1, 0)?;
        match self.indent {
            None => Ok(vec![root]),
            Some(_) => Err(GiveUp),
        }
    }

    /// The end of the current line (`from` is on it), before its line break.
    #[inline]
    fn line_end(&self, from: usize) -> usize {
        let (line, end) = self.end_of_line.get();
        if line == self.at {
            return end;
        }
        self.find_line_end(from)
    }

    /// [`Self::line_end`] when the line's end is not known yet.
    #[inline(never)]
    fn find_line_end(&self, from: usize) -> usize {
        let end = self.search.line_break(&self.bytes[from..]).map_or(self.bytes.len(), |i| from + i);
        self.end_of_line.set((self.at, end));
        end
    }

    fn next_line(&mut self) {
        let end = self.line_end(self.at);
        if end < self.bytes.len() {
            self.at = end + 1;
            self.line += 1;
        } else {
            self.at = end;
        }
    }

    /// Moves past blank and comment lines to the next line with content. A
    /// document marker there is outside the subset, but for a bare `---`
    /// that opens the text.
    #[inline]
    fn skip_to_content(&mut self, opening: bool) -> Read<()> {
        // Most often the line has content, indented: no call for it.
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        let spaces = leading_spaces(rest);
        if spaces > 0 && !matches!(rest.get(spaces), None | Some(b'\n' | b'#')) {
            self.indent = Some(spaces);
            return Ok(());
        }
        self.skip_lines(opening)
    }

    /// [`Self::skip_to_content`] past blank and comment lines, and to lines
    /// at the first column.
    #[inline(never)]
    fn skip_lines(&mut self, mut opening: bool) -> Read<()> {
        loop {
            if self.at >= self.bytes.len() {
                self.indent = None;
                return Ok(());
            }
            let rest = &self.bytes[self.at..];
            let spaces = leading_spaces(rest);
            match rest.get(spaces) {
                None | Some(b'\n' | b'#') => self.next_line(),
                // Markers and directives start at the line's first byte.
                Some(_) if spaces == 0 && matches!(rest[0], b'-' | b'.' | b'%') => {
                    let marker = (rest.starts_with(b"---") || rest.starts_with(b"...")) && matches!(rest.get(3), None | Some(b' ' | b'\n'));
                    if opening && marker && rest.starts_with(b"---") && self.line_end(self.at) == self.at + 3 {
                        self.next_line();
                        opening = false;
                        continue;
                    }
                    if marker || rest[0] == b'%' {
                        return Err(GiveUp);
                    }
                    self.indent = Some(spaces);
                    return Ok(());
                }
                Some(_) => {
                    self.indent = Some(spaces);
                    return Ok(());
                }
            }
        }
    }

    fn col(&self, line_start: usize, at: usize) -> u32 {
        (if self.ascii { at - line_start } else { self.text[line_start..at].chars().count() }) as u32 + 1
    }

    fn node(&self, line_start: usize, start: usize, end: usize, value: Value) -> Node {
        Node::plain(start, end, self.line, self.col(line_start, start), value)
    }

    fn is_entry(&self, at: usize) -> bool {
        self.bytes.get(at) == Some(&b'-') && matches!(self.bytes.get(at + 1), None | Some(b' ' | b'\n'))
    }

    /// A collection starting on the current line at `indent`, inside one at
    /// `parent` (-1 for the document).
    fn block(&mut self, indent: usize, parent: isize, depth: usize) -> Read<Node> {
        if depth > MAX_DEPTH || indent as isize <= parent {
            return Err(GiveUp);
        }
        let first = self.at + indent;
        if self.is_entry(first) {
            self.sequence(indent, false, depth)
        } else {
            self.mapping(first, indent, depth)
        }
    }

    /// A block sequence whose first `-` is on the current line at `indent`;
    /// `indentless` when it is a mapping's value at the mapping's own indentation.
    fn sequence(&mut self, indent: usize, indentless: bool, depth: usize) -> Read<Node> {
        let base = self.items.len();
        let mut head: Option<(usize, u32, u32)> = None;
        while self.indent == Some(indent) {
            let (line_start, dash) = (self.at, self.at + indent);
            if !self.is_entry(dash) {
                if indentless {
                    break;
                }
                return Err(GiveUp);
            }
            let end = self.line_end(dash);
            let mark = skip_spaces(self.bytes, dash + 1, end);
            if head.is_none() {
                let start = if indentless { mark } else { dash };
                head = Some((start, self.line, self.col(line_start, start)));
            }
            let item = if mark == end {
                let null = self.node(line_start, mark, mark, empty());
                self.next_line();
                self.skip_to_content(false)?;
                match self.indent {
                    Some(i) if i > indent => self.block(i, indent as isize, depth + 1)?,
                    _ => null,
                }
            } else if self.bytes[mark] == b'#' || self.is_entry(mark) {
                return Err(GiveUp);
            } else if self.key_colon(mark).is_some() {
                self.mapping(mark, mark - line_start, depth + 1)?
            } else {
                self.inline(line_start, mark, indent as isize, depth + 1)?
            };
            self.items.push(item);
            if matches!(self.indent, Some(i) if i > indent) {
                return Err(GiveUp);
            }
        }
        let (start, line, col) = head.ok_or(GiveUp)?;
        let items = self.items.split_off(base);
        let end = items.last().map_or(start, |n: &Node| n.end);
        Ok(Node::plain(start, end, line, col, Value::Seq { items, flow: false }))
    }

    /// A block mapping whose first key is at `first` on the current line, its
    /// entries at `indent`.
    fn mapping(&mut self, first: usize, indent: usize, depth: usize) -> Read<Node> {
        if depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        let base = self.entries.len();
        let mut at = first;
        loop {
            let line_start = self.at;
            let colon = self.key_colon(at).ok_or(GiveUp)?;
            let key = self.key(line_start, at, colon)?;
            let value_at = colon + 1 + leading_spaces(&self.bytes[colon + 1..]);
            let value = if matches!(self.bytes.get(value_at), None | Some(b'\n' | b'#')) {
                let null = self.node(line_start, colon, colon, empty());
                self.next_line();
                self.skip_to_content(false)?;
                match self.indent {
                    Some(i) if i > indent => self.block(i, indent as isize, depth + 1)?,
                    Some(i) if i == indent && self.is_entry(self.at + i) => self.sequence(i, true, depth + 1)?,
                    _ => null,
                }
            } else {
                self.inline(line_start, value_at, indent as isize, depth + 1)?
            };
            self.entries.push((key, value));
            match self.indent {
                Some(i) if i == indent && !self.is_entry(self.at + i) => at = self.at + i,
                Some(i) if i >= indent => return Err(GiveUp),
                _ => break,
            }
        }
        let entries = self.entries.split_off(base);
        let (k, v) = entries.last().expect("one entry at least");
        let end = v.end.max(k.end);
        let (start, line, col) = (entries[0].0.start, entries[0].0.line, entries[0].0.col);
        Ok(Node::plain(start, end, line, col, Value::Map { entries, flow: false }))
    }

    /// Where the key starting at `at` (on the current line) ends with its
    /// `:`, if the line holds a key there. The search stops at the line's
    /// end, which it records when it gets there (a key with no value on
    /// its line), sparing a search for it.
    fn key_colon(&self, at: usize) -> Option<usize> {
        let b = self.bytes;
        let after_key = match b[at] {
            b'\'' | b'"' => past_closing_quote(self.text, at).filter(|&after| after <= self.line_end(at))?,
            _ => at,
        };
        let mut i = after_key;
        loop {
            let Some(found) = self.search.stop(&b[i..]).map(|j| i + j) else {
                self.end_of_line.set((self.at, b.len()));
                return None;
            };
            match b[found] {
                b'\n' => {
                    self.end_of_line.set((self.at, found));
                    return None;
                }
                b'#' if found > at && b[found - 1] == b' ' => return None,
                b':' => match b.get(found + 1) {
                    None | Some(b'\n') => {
                        self.end_of_line.set((self.at, found + 1));
                        return Some(found);
                    }
                    Some(b' ') => return Some(found),
                    _ => i = found + 1,
                },
                _ => i = found + 1,
            }
        }
    }

    /// The key from `at` to its `:` at `colon`.
    fn key(&self, line_start: usize, at: usize, colon: usize) -> Read<Node> {
        let text = &self.text[at..colon];
        let node = match self.bytes[at] {
            b'\'' | b'"' => {
                let close = past_closing_quote(self.text, at).filter(|&after| after <= colon).ok_or(GiveUp)? - 1;
                if !self.text[close + 1..colon].bytes().all(|b| b == b' ') {
                    return Err(GiveUp);
                }
                self.quoted(line_start, at, close)?
            }
            _ => {
                let key = trim_spaces(text);
                if key.len() > 1024 || key == "<<" || !plain_start(key.as_bytes()) {
                    return Err(GiveUp);
                }
                self.node(line_start, at, at + key.len(), Value::Scalar { text: Text::from(key), style: Style::Plain })
            }
        };
        Ok(node)
    }

    /// A quoted scalar from its opening quote at `at` to its closing one at `close`, on one line.
    fn quoted(&self, line_start: usize, at: usize, close: usize) -> Read<Node> {
        let inner = &self.text[at + 1..close];
        let text = match self.bytes[at] {
            b'"' if inner.contains('\\') => Text::from(unescape(inner).ok_or(GiveUp)?),
            b'"' => Text::from(inner),
            _ if inner.contains('\'') => Text::from(inner.replace("''", "'")),
            _ => Text::from(inner),
        };
        Ok(self.node(line_start, at, close + 1, Value::Scalar { text, style: Style::Quoted }))
    }

    /// A value that starts on the current line at `at`, inside a collection at
    /// `parent`; leaves the reader at the next line with content.
    fn inline(&mut self, line_start: usize, at: usize, parent: isize, depth: usize) -> Read<Node> {
        let node = match self.bytes[at] {
            b'|' | b'>' => return self.block_scalar(at, parent),
            b'\'' | b'"' | b'[' | b'{' => {
                let end = self.line_end(at);
                let (node, after) = self.flow_node(line_start, at, end, depth)?;
                if !blanks_and_comment(&self.bytes[after..end]) {
                    return Err(GiveUp);
                }
                node
            }
            _ => self.plain(line_start, at)?,
        };
        self.next_line();
        self.skip_to_content(false)?;
        Ok(node)
    }

    /// A plain scalar at `at`, to its line's end or the comment there.
    fn plain(&self, line_start: usize, at: usize) -> Read<Node> {
        // One pass for the line's end, the comment that ends the
        // scalar and a `: ` (or a `:` at its end) that would make it a key.
        let b = self.bytes;
        let mut from = at;
        let (stop, end) = loop {
            let Some(i) = self.search.stop(&b[from..]).map(|i| from + i) else { break (b.len(), b.len()) };
            match b[i] {
                b'\n' => break (i, i),
                b'#' if i > at && b[i - 1] == b' ' => break (i - 1, self.line_end(i)),
                b':' if matches!(b.get(i + 1), None | Some(b' ' | b'\n')) => return Err(GiveUp),
                _ => from = i + 1,
            }
        };
        self.end_of_line.set((self.at, end));
        let text = trim_spaces(&self.text[at..stop]);
        if !plain_start(text.as_bytes()) {
            return Err(GiveUp);
        }
        Ok(self.node(line_start, at, at + text.len(), Value::Scalar { text: Text::from(text), style: Style::Plain }))
    }

    /// A quoted scalar or a flow collection at `at`, all on its line before
    /// `end`, and where it ends.
    fn flow_node(&self, line_start: usize, at: usize, end: usize, depth: usize) -> Read<(Node, usize)> {
        if depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        let b = self.bytes;
        match b[at] {
            b'\'' | b'"' => {
                let close = past_closing_quote(self.text, at).filter(|&after| after <= end).ok_or(GiveUp)? - 1;
                Ok((self.quoted(line_start, at, close)?, close + 1))
            }
            open @ (b'[' | b'{') => {
                let close = if open == b'[' { b']' } else { b'}' };
                let mut items = Vec::new();
                let mut entries = Vec::new();
                let mut i = skip_spaces(b, at + 1, end);
                if b.get(i) != Some(&close) {
                    loop {
                        let (item, after) = self.flow_item(line_start, i, end, depth)?;
                        i = skip_spaces(b, after, end);
                        if open == b'{' {
                            if !(b.get(i) == Some(&b':') && b.get(i + 1) == Some(&b' ')) {
                                return Err(GiveUp);
                            }
                            let (value, after) = self.flow_item(line_start, skip_spaces(b, i + 1, end), end, depth)?;
                            entries.push((item, value));
                            i = skip_spaces(b, after, end);
                        } else {
                            items.push(item);
                        }
                        match b.get(i) {
                            Some(&c) if c == close => break,
                            // A comma before the closing bracket is left to the general reader.
                            Some(b',') if !matches!(b.get(skip_spaces(b, i + 1, end)), Some(b']' | b'}')) => i = skip_spaces(b, i + 1, end),
                            _ => return Err(GiveUp),
                        }
                    }
                }
                let value = match open {
                    b'[' => Value::Seq { items, flow: true },
                    _ => Value::Map { entries, flow: true },
                };
                Ok((self.node(line_start, at, i + 1, value), i + 1))
            }
            _ => Err(GiveUp),
        }
    }

    /// An item of a flow collection: a flow node, or a plain scalar of no
    /// `:`, `#` or bracket (which the general reader reads its own way).
    fn flow_item(&self, line_start: usize, at: usize, end: usize, depth: usize) -> Read<(Node, usize)> {
        let b = self.bytes;
        if at >= end {
            return Err(GiveUp);
        }
        if matches!(b[at], b'\'' | b'"' | b'[' | b'{') {
            return self.flow_node(line_start, at, end, depth + 1);
        }
        let stop = at + b[at..end].iter().position(|c| matches!(c, b',' | b'[' | b']' | b'{' | b'}' | b':' | b'#')).unwrap_or(end - at);
        if !matches!(b.get(stop), Some(b',' | b']' | b'}' | b':')) {
            return Err(GiveUp);
        }
        let text = trim_spaces(&self.text[at..stop]);
        if !plain_start(text.as_bytes()) || (b[stop] == b':' && b.get(stop + 1) != Some(&b' ')) {
            return Err(GiveUp);
        }
        let node = self.node(line_start, at, at + text.len(), Value::Scalar { text: Text::from(text), style: Style::Plain });
        Ok((node, at + text.len()))
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `at`.
    fn block_scalar(&mut self, at: usize, parent: isize) -> Read<Node> {
        let end = self.line_end(at);
        let header = &self.bytes[at..end];
        let literal = header[0] == b'|';
        let (chomp, rest) = match header.get(1) {
            Some(&c @ (b'-' | b'+')) => (c, &header[2..]),
            _ => (b' ', &header[1..]),
        };
        if !blanks_and_comment(rest) || parent < 0 {
            return Err(GiveUp);
        }
        // The content lines: up to the first line with content indented less than the first one.
        self.next_line();
        let first_line = self.line;
        let content_start = self.at;
        let indent = leading_spaces(&self.bytes[self.at..]);
        if matches!(self.bytes.get(self.at + indent), None | Some(b'\n')) || indent as isize <= parent {
            return Err(GiveUp); // leading blank lines, or no content
        }
        let mut lines: Vec<&str> = Vec::new();
        let mut trailing_blank = 0;
        loop {
            if self.at >= self.bytes.len() {
                break;
            }
            let line_end = self.line_end(self.at);
            let line = &self.text[self.at..line_end];
            let spaces = leading_spaces(line.as_bytes());
            if spaces == line.len() {
                if spaces > indent {
                    return Err(GiveUp);
                }
                trailing_blank += 1;
            } else if spaces < indent {
                break;
            } else {
                if !literal && spaces > indent {
                    return Err(GiveUp); // folded more-indented lines keep their breaks
                }
                lines.extend(std::iter::repeat_n("", trailing_blank));
                trailing_blank = 0;
                lines.push(&line[indent..]);
            }
            if line_end == self.bytes.len() {
                return Err(GiveUp); // no line break at the end of the text
            }
            self.next_line();
        }
        let mut text = String::new();
        let mut blank_run = 0;
        for (i, line) in lines.iter().enumerate() {
            if line.is_empty() {
                blank_run += 1;
                continue;
            }
            if i > 0 {
                match (literal, blank_run) {
                    (true, n) => text.extend(std::iter::repeat_n('\n', n + 1)),
                    (false, 0) => text.push(' '),
                    (false, n) => text.extend(std::iter::repeat_n('\n', n)),
                }
            }
            blank_run = 0;
            text.push_str(line);
        }
        match chomp {
            b'-' => {}
            b'+' => text.extend(std::iter::repeat_n('\n', 1 + trailing_blank)),
            _ => text.push('\n'),
        }
        let start = content_start + indent;
        // The general reader ends it where the next token starts.
        let next = leading_spaces(&self.bytes[self.at..]);
        let node = Node::plain(
            start,
            self.at + next,
            first_line,
            indent as u32 + 1,
            Value::Scalar { text: Text::from(text), style: Style::Block },
        );
        self.skip_to_content(false)?;
        Ok(node)
    }
}

fn leading_spaces(bytes: &[u8]) -> usize {
    // Most runs (indentations, the blank after a `:`) end within eight bytes:
    // one look at the first eight finds where.
    if let Some(first) = bytes.first_chunk::<8>() {
        let others = u64::from_le_bytes(*first) ^ u64::from_le_bytes([b' '; 8]);
        if others != 0 {
            return (others.trailing_zeros() / 8) as usize;
        }
    }
    bytes.iter().take_while(|&&b| b == b' ').count()
}

/// `text` without the spaces it ends with, looked at as bytes.
fn trim_spaces(text: &str) -> &str {
    let b = text.as_bytes();
    let mut n = b.len();
    while n > 0 && b[n - 1] == b' ' {
        n -= 1;
    }
    &text[..n]
}

fn skip_spaces(bytes: &[u8], at: usize, end: usize) -> usize {
    at + leading_spaces(&bytes[at..end])
}

/// Nothing but blanks, or blanks and then a comment (which needs a blank before its `#`).
fn blanks_and_comment(tail: &[u8]) -> bool {
    let blanks = leading_spaces(tail);
    blanks == tail.len() || (blanks > 0 && tail[blanks] == b'#')
}

/// A double-quoted scalar's escapes, the common ones; `None` for any other.
fn unescape(inner: &str) -> Option<String> {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            c @ ('"' | '\\' | '/') => c,
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            _ => return None,
        });
    }
    Some(out)
}

fn empty() -> Value {
    Value::Scalar { text: Text::default(), style: Style::Plain }
}

/// Whether a plain scalar may start so: with none of YAML's indicators but a
/// `-` before a non-blank (`--flag`, `-1`). Starts the general reader reads
/// in ways of its own (`?x`, `:x`) are left to it.
#[inline(always)]
fn plain_start(text: &[u8]) -> bool {
    match text.first() {
        None => false,
        Some(b'-') => !matches!(text.get(1), None | Some(b' ')),
        Some(
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`',
        ) => false,
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn the_quick_look_at_the_bytes_lets_no_refused_byte_through() {
        for b in 0..=0x7fu8 {
            let text = format!("a: x{}y\n", b as char);
            let refused = (b < b' ' && b != b'\n') || b == 0x7f;
            assert_eq!(readable(&text), (!refused).then_some(true), "byte {b:#04x}");
        }
        assert_eq!(readable("a: é\n"), Some(false));
        assert_eq!(readable("a: x\u{85}y\n"), None);
        assert_eq!(readable("a: \u{feff}\n"), None);
        assert_eq!(readable("a: é\t\n"), None);
    }
}
