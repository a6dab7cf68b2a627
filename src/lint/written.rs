//! The linted document as written, read the way Helm reads it: the value at
//! a dotted path is the last of duplicate keys. The cross-field and pod
//! security rules read settings through it, and the fixes their paths.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::knowledge::Fnv;
use crate::text::parent_and_leaf;
use crate::values::settings::{Held, Kind, Source};
use crate::yaml::{Node, Scalar};

/// The user's value at a dotted path (the last of duplicate keys, as Helm).
pub(super) fn user<'a>(doc: &'a Node, path: &str) -> Option<(&'a Node, &'a Node)> {
    let mut node = doc;
    let mut found = None;
    for part in path.split('.') {
        let (k, v) = node.entry(part)?;
        found = Some((k, v));
        node = v;
    }
    found.filter(|(_, v)| !v.is_null())
}

/// One mapping of the linted file, as the settings model reads it: each
/// value as written (an integer stays one).
pub(super) struct Written<'a>(pub &'a Node);

impl Source for Written<'_> {
    fn held(&self, key: &str) -> Option<Held<'_>> {
        let (_, v) = user(self.0, key)?;
        held(v)
    }
}

/// [`Written`] with the document's top-level names hashed once: the
/// settings model asks a dozen keys of a document and the fixes the paths
/// of its diagnostics, most of them through its top level (scanned from
/// the end for each, as [`Node::get`], they cost more than the rest).
pub(super) struct TopIndexed<'a> {
    pub root: &'a Node,
    /// Each top-level name: its last entry (the one Helm reads), and whether an earlier one has it too.
    top: HashMap<&'a str, (&'a (Node, Node), bool), BuildHasherDefault<Fnv>>,
}

impl<'a> TopIndexed<'a> {
    pub(super) fn new(root: &'a Node) -> TopIndexed<'a> {
        let entries = root.entries().unwrap_or_default();
        let mut top = HashMap::with_capacity_and_hasher(entries.len(), BuildHasherDefault::default());
        for entry in entries {
            if let Some(name) = entry.0.text() {
                top.entry(name).and_modify(|last: &mut (&(Node, Node), bool)| *last = (entry, true)).or_insert((entry, false));
            }
        }
        TopIndexed { root, top }
    }

    /// The node at a dotted path (plain segments only).
    pub(super) fn lookup(&self, path: &str) -> Option<&'a Node> {
        let mut segments = path.split('.');
        let first = &self.top.get(segments.next().unwrap_or_default())?.0 .1;
        segments.try_fold(first, |node, key| node.get(key))
    }

    /// The entry at a dotted path (plain segments only), and whether its
    /// mapping has another of that name before it.
    pub(super) fn entry(&self, path: &str) -> Option<(&'a (Node, Node), bool)> {
        let (parent, name) = parent_and_leaf(path);
        if parent.is_empty() {
            return self.top.get(name).copied();
        }
        let entries = self.lookup(parent)?.entries()?;
        let at = entries.iter().rposition(|(k, _)| k.text() == Some(name))?;
        Some((&entries[at], entries[..at].iter().any(|(k, _)| k.text() == Some(name))))
    }
}

impl Source for TopIndexed<'_> {
    fn held(&self, key: &str) -> Option<Held<'_>> {
        held(self.lookup(key)?)
    }
}

/// A written value as the settings model reads it (a null: none).
fn held(v: &Node) -> Option<Held<'_>> {
    let kind = match v.scalar() {
        Some(Scalar::Null) => return None,
        Some(Scalar::Bool(b)) => Kind::Bool(b),
        Some(Scalar::Int(n)) => Kind::Int(n),
        Some(Scalar::Float(f)) => Kind::Float(f),
        Some(Scalar::Str(_)) => Kind::Str,
        None => Kind::Collection { empty: v.entries().map(<[_]>::is_empty).or(v.items().map(<[_]>::is_empty)).unwrap_or(true) },
    };
    Some(Held { kind, text: Cow::Borrowed(v.text().unwrap_or_default()) })
}
