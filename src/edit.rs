//! Splicing new YAML into a document's text without re-emitting it.
//!
//! Transforms describe what to add as [`Frag`]ments and where (a parsed
//! [`Node`]); [`Edits`] turns that into text insertions at byte offsets that
//! match the surrounding style (block or flow, indentation). Every byte the
//! edits do not touch stays as it was: quoting, key order, comments.

use crate::yaml::{resolve, Node, Scalar, Style};

/// A piece of YAML to insert.
#[derive(Debug, Clone, PartialEq)]
pub enum Frag {
    /// Already rendered scalar text (see [`Frag::str`], [`Frag::int`], [`Frag::bool`]).
    Scalar(String),
    Map(Vec<(String, Frag)>),
    Seq(Vec<Frag>),
}

impl Frag {
    pub fn int(n: i64) -> Frag {
        Frag::Scalar(n.to_string())
    }

    pub fn bool(b: bool) -> Frag {
        Frag::Scalar(b.to_string())
    }

    /// A string, quoted only when plain style would change its meaning.
    pub fn str(s: &str) -> Frag {
        Frag::Scalar(quote(s))
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Frag)>) -> Frag {
        Frag::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A top-level mapping as block YAML lines.
    pub fn block(&self) -> String {
        let mut out = String::new();
        match self {
            Frag::Map(entries) => Frag::render_entries(entries, 0, &mut out),
            other => {
                other.render_flow(&mut out);
                out.push('\n');
            }
        }
        out
    }

    /// The entries of a mapping fragment, for building objects up.
    pub fn entries_mut(&mut self) -> Option<&mut Vec<(String, Frag)>> {
        match self {
            Frag::Map(entries) => Some(entries),
            _ => None,
        }
    }

    fn render_flow(&self, out: &mut String) {
        match self {
            Frag::Scalar(s) => out.push_str(s),
            Frag::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote(k));
                    out.push_str(": ");
                    v.render_flow(out);
                }
                out.push('}');
            }
            Frag::Seq(items) => {
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

    fn flow(&self) -> String {
        let mut out = String::new();
        self.render_flow(&mut out);
        out
    }

    /// Renders mapping entries as block lines at `indent`.
    fn render_entries(entries: &[(String, Frag)], indent: usize, out: &mut String) {
        for (k, v) in entries {
            out.push_str(&" ".repeat(indent));
            out.push_str(&quote(k));
            out.push(':');
            match v {
                Frag::Map(inner) if !inner.is_empty() => {
                    out.push('\n');
                    Frag::render_entries(inner, indent + 2, out);
                }
                // Lists sit flush with their key, as Helm 4 and the Polyaxon chart write them.
                Frag::Seq(items) if !items.is_empty() => {
                    out.push('\n');
                    Frag::render_items(items, indent, out);
                }
                _ => {
                    out.push(' ');
                    v.render_flow(out);
                    out.push('\n');
                }
            }
        }
    }

    /// Renders list items as block lines whose dash sits at `indent`.
    fn render_items(items: &[Frag], indent: usize, out: &mut String) {
        for item in items {
            match item {
                Frag::Map(entries) if !entries.is_empty() => {
                    let mut inner = String::new();
                    Frag::render_entries(entries, indent + 2, &mut inner);
                    out.push_str(&" ".repeat(indent));
                    out.push_str("- ");
                    out.push_str(&inner[indent + 2..]);
                }
                _ => {
                    out.push_str(&" ".repeat(indent));
                    out.push_str("- ");
                    item.render_flow(out);
                    out.push('\n');
                }
            }
        }
    }
}

/// Renders a string scalar: plain when that reads back as the same string,
/// double-quoted otherwise.
pub fn quote(s: &str) -> String {
    let plain_safe = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !s.starts_with(['-', '.'])
        && resolve(s, Style::Plain) == Scalar::Str(s);
    if plain_safe {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    /// At one offset, deeper insertions must come first (a container's new
    /// field before the pod spec's new key that follows the containers).
    depth: usize,
    text: String,
}

/// A set of non-overlapping edits computed against one text.
#[derive(Debug, Default)]
pub struct Edits {
    edits: Vec<Edit>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// Applies the edits to the text they were computed against.
    pub fn apply(mut self, text: &str) -> String {
        self.edits.sort_by_key(|e| (e.start, std::cmp::Reverse(e.depth)));
        let mut out = String::with_capacity(text.len() + self.edits.iter().map(|e| e.text.len()).sum::<usize>());
        let mut pos = 0;
        for e in &self.edits {
            debug_assert!(e.start >= pos, "overlapping edits");
            out.push_str(&text[pos..e.start]);
            out.push_str(&e.text);
            pos = e.end;
        }
        out.push_str(&text[pos..]);
        out
    }

    fn insert(&mut self, at: usize, depth: usize, text: String) {
        self.edits.push(Edit { start: at, end: at, depth, text });
    }

    /// Replaces the text of `node` (a scalar) with `text`.
    pub fn replace(&mut self, node: &Node, text: String) {
        self.edits.push(Edit { start: node.start, end: node.end, depth: 0, text });
    }

    /// Adds entries to a mapping node, in its own style.
    pub fn add_entries(&mut self, text: &str, map: &Node, entries: Vec<(String, Frag)>) {
        if entries.is_empty() {
            return;
        }
        let empty = map.entries().is_none_or(|e| e.is_empty());
        if map.is_flow() {
            let inner = Frag::Map(entries).flow();
            let inner = &inner[1..inner.len() - 1];
            let sep = if empty { "" } else { ", " };
            self.insert(map.end - 1, 0, format!("{sep}{inner}"));
            return;
        }
        let indent = map.col - 1;
        let mut block = String::new();
        Frag::render_entries(&entries, indent, &mut block);
        self.insert_block(text, map.end, indent, block);
    }

    /// Appends items to a sequence node, in its own style.
    pub fn add_items(&mut self, text: &str, seq: &Node, items: Vec<Frag>) {
        if items.is_empty() {
            return;
        }
        let all = seq.items().unwrap_or_default();
        if seq.is_flow() {
            let inner = Frag::Seq(items).flow();
            let inner = &inner[1..inner.len() - 1];
            let sep = if all.is_empty() { "" } else { ", " };
            self.insert(seq.end - 1, 0, format!("{sep}{inner}"));
            return;
        }
        let Some(first) = all.first() else { return };
        let indent = dash_column(text, first.start);
        let mut block = String::new();
        Frag::render_items(&items, indent, &mut block);
        self.insert_block(text, seq.end, indent, block);
    }

    /// Replaces a node with a fragment: in block style when the node is a
    /// block mapping (a list item such as an env entry), in flow style otherwise.
    pub fn replace_with(&mut self, text: &str, node: &Node, frag: &Frag) {
        match frag {
            Frag::Map(entries) if node.is_map() && !node.is_flow() => {
                let indent = node.col - 1;
                let mut block = String::new();
                Frag::render_entries(entries, indent, &mut block);
                block.pop();
                let end = block_end(text, node.end);
                self.edits.push(Edit { start: node.start, end, depth: 0, text: block[indent..].to_string() });
            }
            _ => self.replace(node, frag.flow()),
        }
    }

    /// Removes a `key: value` entry that sits on lines of its own in a block
    /// mapping. Returns false (and does nothing) when it does not.
    pub fn remove_entry(&mut self, text: &str, key: &Node, value: &Node) -> bool {
        let line_start = text[..key.start].rfind('\n').map_or(0, |i| i + 1);
        if !text[line_start..key.start].bytes().all(|b| b == b' ') || value.is_flow() && value.line != key.line {
            return false;
        }
        let end = insertion_point_after(text, value.end);
        self.edits.push(Edit { start: line_start, end, depth: 0, text: String::new() });
        true
    }

    /// Gives a key whose value is null (`key:`, `key: ~`) a value, in flow
    /// style so a trailing comment on the line stays where it was.
    pub fn fill_null(&mut self, text: &str, key: &Node, value: &Node, frag: &Frag) {
        if value.end > value.start {
            self.replace(value, frag.flow());
        } else {
            let colon = key.end + text[key.end..].find(':').unwrap_or(0) + 1;
            self.insert(colon, 0, format!(" {}", frag.flow()));
        }
    }

    fn insert_block(&mut self, text: &str, after: usize, depth: usize, mut block: String) {
        let at = insertion_point_after(text, after);
        if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
            // Keep the document's missing final newline missing.
            block.pop();
            block.insert(0, '\n');
        }
        self.insert(at, depth, block);
    }
}

/// Where a new block line can go after a node that ends at byte `end`: the
/// start of the next line, or of the line `end` sits on when only indentation
/// precedes it (the parser ends block scalars at the next line's indentation).
pub fn insertion_point_after(text: &str, end: usize) -> usize {
    let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
    if line_start > 0 && text[line_start..end].bytes().all(|b| b == b' ') {
        return line_start;
    }
    text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
}

/// Where a block node's own text ends: block scalars end at the next line's
/// indentation, which belongs to what follows.
fn block_end(text: &str, end: usize) -> usize {
    match text[..end].rfind('\n') {
        Some(nl) if text[nl + 1..end].bytes().all(|b| b == b' ') => nl,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one;

    fn with(text: &str, f: impl FnOnce(&Node, &mut Edits)) -> String {
        let doc = parse_one(text).unwrap().unwrap();
        let mut edits = Edits::default();
        f(&doc, &mut edits);
        edits.apply(text)
    }

    fn sc() -> Vec<(String, Frag)> {
        vec![("runAsUser".into(), Frag::int(2222)), ("runAsNonRoot".into(), Frag::bool(true))]
    }

    #[test]
    fn adds_entries_to_a_block_mapping_after_its_last_line() {
        let out = with("spec:\n  a: 1 # note\n  b: '0644'\nnext: yes\n", |d, e| {
            e.add_entries("spec:\n  a: 1 # note\n  b: '0644'\nnext: yes\n", d.get("spec").unwrap(), sc())
        });
        assert_eq!(out, "spec:\n  a: 1 # note\n  b: '0644'\n  runAsUser: 2222\n  runAsNonRoot: true\nnext: yes\n");
    }

    #[test]
    fn adds_after_a_block_scalar_without_changing_it() {
        let text = "spec:\n  a: |\n    hi\n\n  b: 1\nc: 2\n";
        let out = with(text, |d, e| e.add_entries(text, d.get("spec").unwrap(), sc()));
        assert_eq!(out, "spec:\n  a: |\n    hi\n\n  b: 1\n  runAsUser: 2222\n  runAsNonRoot: true\nc: 2\n");
        let text = "spec:\n  a: |\n    hi\n\nc: 2\n";
        let out = with(text, |d, e| e.add_entries(text, d.get("spec").unwrap(), sc()));
        assert_eq!(out, "spec:\n  a: |\n    hi\n\n  runAsUser: 2222\n  runAsNonRoot: true\nc: 2\n");
    }

    #[test]
    fn adds_entries_to_flow_mappings() {
        let text = "a: {}\nb: {x: 1}\n";
        let out = with(text, |d, e| {
            e.add_entries(text, d.get("a").unwrap(), sc());
            e.add_entries(text, d.get("b").unwrap(), sc());
        });
        assert_eq!(out, "a: {runAsUser: 2222, runAsNonRoot: true}\nb: {x: 1, runAsUser: 2222, runAsNonRoot: true}\n");
    }

    #[test]
    fn nested_fragments_render_in_block_style() {
        let text = "containers:\n- name: c\n  image: x";
        let out = with(text, |d, e| {
            let c = &d.get("containers").unwrap().items().unwrap()[0];
            e.add_entries(text, c, vec![("securityContext".into(), Frag::Map(sc()))]);
        });
        assert_eq!(out, "containers:\n- name: c\n  image: x\n  securityContext:\n    runAsUser: 2222\n    runAsNonRoot: true");
    }

    #[test]
    fn appends_list_items_at_the_dash_column() {
        let text = "spec:\n  volumes:\n    - name: a\n      emptyDir: {}\n  x: 1\n";
        let out = with(text, |d, e| {
            let v = d.path(&["spec", "volumes"]).unwrap();
            e.add_items(text, v, vec![Frag::map([("name", Frag::str("b")), ("path", Frag::str("/usr/lib"))])]);
        });
        assert_eq!(out, "spec:\n  volumes:\n    - name: a\n      emptyDir: {}\n    - name: b\n      path: /usr/lib\n  x: 1\n");
    }

    #[test]
    fn deeper_insertions_at_the_same_offset_come_first() {
        let text = "spec:\n  containers:\n  - name: c\nafter: 1\n";
        let out = with(text, |d, e| {
            let spec = d.get("spec").unwrap();
            let c = &spec.get("containers").unwrap().items().unwrap()[0];
            e.add_entries(text, spec, vec![("pod".into(), Frag::int(1))]);
            e.add_entries(text, c, vec![("ctr".into(), Frag::int(2))]);
        });
        assert_eq!(out, "spec:\n  containers:\n  - name: c\n    ctr: 2\n  pod: 1\nafter: 1\n");
    }

    #[test]
    fn fills_null_values_in_flow_style() {
        let text = "a:\nb: ~ # keep\n";
        let out = with(text, |d, e| {
            for (k, v) in d.entries().unwrap() {
                e.fill_null(text, k, v, &Frag::Map(sc()));
            }
        });
        assert_eq!(out, "a: {runAsUser: 2222, runAsNonRoot: true}\nb: {runAsUser: 2222, runAsNonRoot: true} # keep\n");
    }

    #[test]
    fn replaces_a_list_item_mapping_in_block_style() {
        let text = "env:\n- name: A\n  value: x\n- {name: B, value: y}\nnext: 1\n";
        let out = with(text, |d, e| {
            let items = d.get("env").unwrap().items().unwrap();
            let frag = Frag::map([("name", Frag::str("A")), ("valueFrom", Frag::map([("secretKeyRef", Frag::map([("name", Frag::str("s")), ("key", Frag::str("k"))]))]))]);
            e.replace_with(text, &items[0], &frag);
            e.replace_with(text, &items[1], &Frag::map([("name", Frag::str("B")), ("value", Frag::str("z"))]));
        });
        assert_eq!(out, "env:\n- name: A\n  valueFrom:\n    secretKeyRef:\n      name: s\n      key: k\n- {name: B, value: z}\nnext: 1\n");
    }

    #[test]
    fn removes_an_entry_on_its_own_lines() {
        let text = "data:\n  A: \"1\"\n  PASSWORD: |\n    p\n  B: \"2\"\n";
        let out = with(text, |d, e| {
            let (k, v) = d.get("data").unwrap().entry("PASSWORD").unwrap();
            assert!(e.remove_entry(text, k, v));
        });
        assert_eq!(out, "data:\n  A: \"1\"\n  B: \"2\"\n");
    }

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(quote("OnRootMismatch"), "OnRootMismatch");
        assert_eq!(quote("/usr/lib/nvidia"), "/usr/lib/nvidia");
        assert_eq!(quote("yes"), "\"yes\"");
        assert_eq!(quote("0644"), "\"0644\"");
        assert_eq!(quote("a: b"), "\"a: b\"");
        assert_eq!(quote(""), "\"\"");
    }
}
