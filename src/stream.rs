//! The manifest stream Helm hands a post-renderer, split into documents
//! without parsing them.
//!
//! Helm 3 sends `---\n# Source: …\n<yaml>` documents (comment-only ones
//! included); Helm 4 sends documents joined by `\n---\n` with a
//! `postrenderer.helm.sh/postrender-filename` annotation instead of the
//! comment. Either way the stream is cut at `---` lines and each piece is kept
//! as a slice, so documents nobody changes are written back byte for byte.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// The annotation Helm 4 puts on every document it hands a post-renderer.
pub const HELM4_FILENAME: &str = "postrenderer.helm.sh/postrender-filename";

/// One document: the separator line before it (if any) and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Document<'a> {
    /// The `---` marker and, when it holds only that and a comment, the rest of its line.
    pub separator: &'a str,
    pub body: &'a str,
}

impl<'a> Document<'a> {
    /// The value of the top-level `kind:` line, read without parsing.
    ///
    /// Manifests always write `kind` as a block key at column 0; a document
    /// written any other way gets `None` and is parsed to find out.
    pub fn kind(&self) -> Option<&'a str> {
        let bytes = self.body.as_bytes();
        let at = if bytes.starts_with(b"kind:") { 0 } else { KIND_LINE.find(bytes)? + 1 };
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
        // With a lone CR line break up to here the lines are not what they seem: parse.
        let prefix = &bytes[..end];
        if memchr::memchr_iter(b'\r', prefix).any(|i| prefix.get(i + 1) != Some(&b'\n')) {
            return None;
        }
        let line = &self.body[at + "kind:".len()..end];
        let value = line[..crate::text::comment_start(line.as_bytes()).unwrap_or(line.len())].trim();
        Some(value.trim_matches(['"', '\'']))
    }

    /// The template file the document came from, as Helm 3's leading
    /// `# Source:` comment tells it. (Helm 4's annotation is read from the
    /// parsed metadata, never searched for in the text, where a data value
    /// could hold the same words.)
    pub fn source(&self) -> Option<&'a str> {
        let leading_comments = self.body.lines().take_while(|l| l.is_empty() || l.starts_with('#'));
        leading_comments.filter_map(|l| l.strip_prefix("# Source: ")).next().map(str::trim)
    }

    /// True when the document holds nothing but blank lines and comments.
    pub fn is_blank(&self) -> bool {
        // Byte by byte over blanks, a comment's line skipped with a byte search.
        let bytes = self.body.as_bytes();
        let mut i = 0;
        loop {
            match bytes.get(i) {
                None => return true,
                Some(&b) if b.is_ascii() && char::from(b).is_whitespace() => i += 1,
                Some(b'#') => i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n + 1),
                Some(b) if b.is_ascii() => return false,
                // Unicode blanks, which `trim` takes too: line by line.
                Some(_) => {
                    return self.body.lines().all(|l| {
                        let l = l.trim();
                        l.is_empty() || l.starts_with('#')
                    })
                }
            }
        }
    }
}

/// Splits a stream into documents. Concatenating `separator` and `body` of
/// every document gives back the input exactly.
///
/// Only lines starting with `---` can be markers: they are found with a
/// byte search. Lines are not counted (that was a quarter of the work on a
/// stream nobody changes): [`line_at`] gives a document's line when an error
/// needs it.
pub fn split(input: &str) -> Vec<Document<'_>> {
    Documents::new(input).collect()
}

/// The 1-based line of the byte at `offset`: where a document whose body
/// starts there starts.
pub fn line_at(input: &str, offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &input.as_bytes()[..offset]).count()
}

/// Whether Helm 4 framed the stream: it puts its filename annotation on
/// every document it hands a post-renderer, so the first document with
/// content says (the rest of the stream is not searched).
pub fn helm4_framed(input: &str) -> bool {
    let mut docs = Documents::new(input);
    docs.find(|d| !d.is_blank()).is_some_and(|d| memchr::memmem::find(d.body.as_bytes(), HELM4_FILENAME.as_bytes()).is_some())
}

/// The documents of a stream one at a time ([`split`]).
struct Documents<'a> {
    input: &'a str,
    /// Where the next marker search starts, and whether the input's first line is still to be looked at.
    search: usize,
    at_start: bool,
    separator: &'a str,
    body_start: usize,
    done: bool,
}

impl<'a> Documents<'a> {
    fn new(input: &'a str) -> Self {
        Documents { input, search: 0, at_start: true, separator: "", body_start: 0, done: false }
    }

    /// The start of the next line that begins with `---`.
    fn next_candidate(&mut self) -> Option<usize> {
        let bytes = self.input.as_bytes();
        if std::mem::take(&mut self.at_start) && bytes.starts_with(b"---") {
            return Some(0);
        }
        let pos = self.search + MARKER_LINE.find(&bytes[self.search..])? + 1;
        self.search = pos;
        Some(pos)
    }
}

impl<'a> Iterator for Documents<'a> {
    type Item = Document<'a>;

    fn next(&mut self) -> Option<Document<'a>> {
        if self.done {
            return None;
        }
        let (input, bytes) = (self.input, self.input.as_bytes());
        while let Some(pos) = self.next_candidate() {
            let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(input.len(), |i| pos + i + 1);
            let line = &input[pos..line_end];
            let Some(marker_len) = separator_len(line) else { continue };
            let doc = (pos > 0).then(|| Document { separator: self.separator, body: &input[self.body_start..pos] });
            self.separator = &input[pos..pos + marker_len];
            self.body_start = pos + marker_len;
            if doc.is_some() {
                return doc;
            }
        }
        self.done = true;
        (self.body_start < input.len() || !self.separator.is_empty())
            .then(|| Document { separator: self.separator, body: &input[self.body_start..] })
    }
}

static MARKER_LINE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("\n---"));
static KIND_LINE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("\nkind:"));

/// For a `---` document-start line, how many of its bytes form the separator.
fn separator_len(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("---")?;
    let content = rest.trim_start_matches([' ', '\t']);
    match content.trim_end_matches(['\n', '\r']) {
        "" => Some(line.len()),
        c if c.starts_with('#') && rest.starts_with([' ', '\t']) => Some(line.len()),
        // `--- {a: 1}`: the document's content starts on the marker line.
        _ if rest.starts_with([' ', '\t']) => Some(3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejoin(docs: &[Document]) -> String {
        docs.iter().map(|d| format!("{}{}", d.separator, d.body)).collect()
    }

    #[test]
    fn helm3_stream_splits_on_markers_and_rejoins_exactly() {
        let input = "---\n# Source: a.yaml\nkind: ServiceAccount\n---\n# Source: b.yaml\n---\n# Source: c.yaml\nkind: Job\n";
        let docs = split(input);
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].source(), Some("a.yaml"));
        assert_eq!(docs[0].kind(), Some("ServiceAccount"));
        assert!(docs[1].is_blank());
        assert_eq!(docs[2].kind(), Some("Job"));
        let third_body_at = input.find("# Source: c").unwrap();
        assert_eq!(line_at(input, third_body_at), 7);
        assert_eq!(rejoin(&docs), input);
    }

    #[test]
    fn helm4_stream_has_no_leading_marker() {
        let input = "kind: ConfigMap\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'p/templates/cm.yaml'\n---\nkind: \"Deployment\" # x\n";
        let docs = split(input);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].separator, "");
        assert_eq!(docs[0].source(), None, "the annotation is read from parsed metadata");
        assert_eq!(docs[1].kind(), Some("Deployment"));
        assert_eq!(rejoin(&docs), input);
    }

    #[test]
    fn markers_inside_content_lines_do_not_split() {
        let input = "a: |\n  text\n  ---\nb: ---x\n";
        assert_eq!(split(input).len(), 1);
    }

    #[test]
    fn marker_with_inline_content_keeps_the_content_in_the_body() {
        let input = "--- {kind: Pod}\n--- # comment\nkind: Job";
        let docs = split(input);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].body, " {kind: Pod}\n");
        assert_eq!(docs[1].separator, "--- # comment\n");
        assert_eq!(rejoin(&docs), input);
    }

    #[test]
    fn empty_input_has_no_documents() {
        assert!(split("").is_empty());
    }
}
