//! `polyaxon-pr lint`: a version-aware linter for Polyaxon values files.
//!
//! [`lint_text`] judges one file against one chart version and returns
//! diagnostics that point at source spans. Each rule family has its own
//! module: [`keys`] (removed, renamed, moved, unknown, duplicate keys),
//! [`types`] (types and allowed values), [`cross`] (contradictions between
//! fields, judged on the file merged over the chart's defaults) and
//! [`traps`] (chart bugs of particular versions). [`rules`] is the catalog of
//! codes. What the linter knows comes from [`crate::knowledge`]: each chart
//! version's defaults and template reads, Polyaxon's own schema for that
//! version, and the keys polyaxon-pr reads.

pub mod config;
pub mod cross;
pub mod fix;
pub mod keys;
pub mod pod_security;
pub mod report;
pub mod rules;
pub mod traps;
pub mod types;
mod written;

use crate::knowledge::catalog::Catalog;
use crate::knowledge::deploy_schema::Schema;
use crate::knowledge::pod_security::Level;
use crate::knowledge::{ChartName, ChartVersion};
use rules::Severity;

use crate::yaml::{self, Node};

/// A place in a file: byte range and 1-based line/column of both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
}

/// Where a diagnostic points: the key's dotted path and its span.
pub type At = (String, Span);

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: rules::Code,
    pub severity: Severity,
    pub message: String,
    /// Dotted path of the key.
    pub key: String,
    /// Where it points: the key, or key and value.
    pub span: Span,
    /// The rule's summary, unless the rule says more (borrowed: no copy per diagnostic).
    pub label: std::borrow::Cow<'static, str>,
    /// Other places worth showing (the first of two duplicate keys).
    pub related: Vec<(Span, String)>,
    pub help: Option<String>,
    /// The key to write instead, where there is one.
    pub replacement: Option<String>,
    /// The remedy `migrate` and `lint --fix` apply, where there is one.
    pub fix: Option<fix::Fix>,
}

impl Diagnostic {
    /// A rule's diagnostic at `key` with the rule's default severity and
    /// label: the start of each rule's own constructor, which completes it.
    pub fn new(code: rules::Code, (key, span): At, message: String) -> Diagnostic {
        let rule = code.rule();
        Diagnostic {
            code,
            severity: rule.severity,
            message,
            key,
            span,
            label: rule.summary.into(),
            related: Vec::new(),
            help: None,
            replacement: None,
            fix: None,
        }
    }

    pub fn with_help(self, help: impl Into<String>) -> Diagnostic {
        Diagnostic { help: Some(help.into()), ..self }
    }
}

/// What a rule family needs: the text, the chart's catalog, the target
/// version and Polyaxon's schema for it.
pub struct RuleContext<'a> {
    pub text: &'a str,
    /// The platform or the agent chart's catalog (`deploymentChart: agent`).
    pub catalog: &'static Catalog,
    pub target: usize,
    pub chart: ChartVersion,
    pub schema: Schema,
    line_starts: Vec<usize>,
    pub out: Vec<Diagnostic>,
}

impl<'a> RuleContext<'a> {
    pub fn new(text: &'a str, target: usize) -> Self {
        // Line breaks as YAML counts them: LF, CRLF and a lone CR.
        let bytes = text.as_bytes();
        // Room for a line of every 16 bytes, so the list seldom grows.
        let mut line_starts = Vec::with_capacity(text.len() / 16 + 2);
        line_starts.push(0);
        if memchr::memchr(b'\r', bytes).is_none() {
            // The usual text: LF only.
            push_lf_ends(bytes, &mut line_starts);
        } else {
            let breaks = memchr::memchr2_iter(b'\n', b'\r', bytes).filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'));
            line_starts.extend(breaks.map(|i| i + 1));
        }
        let catalog = Catalog::get();
        let chart = ChartVersion::at(catalog, target);
        RuleContext { text, catalog, target, chart, schema: Schema::for_chart(&chart), line_starts, out: Vec::new() }
    }

    /// Judges the next document against the chart it names: the agent
    /// chart's catalog for `deploymentChart: agent`, the same version name.
    fn for_document(&mut self, doc: &Node, platform_target: usize) {
        let platform = Catalog::get();
        let agent = doc.get("deploymentChart").and_then(Node::text) == Some("agent");
        let (catalog, target) = if agent {
            let agent_catalog = Catalog::of(ChartName::Agent);
            let name = platform.version(platform_target);
            (agent_catalog, agent_catalog.resolve(name).unwrap_or_else(|_| agent_catalog.newest()))
        } else {
            (platform, platform_target)
        };
        self.chart = ChartVersion::at(catalog, target);
        self.schema = Schema::for_chart(&self.chart);
        self.catalog = catalog;
        self.target = target;
    }

    pub fn version(&self) -> &'static str {
        self.catalog.version(self.target)
    }

    /// The span from the start of `from` to the end of `to`.
    pub fn span(&self, from: &Node, to: &Node) -> Span {
        // Both ends from byte offsets, counted one way (a BOM is no column;
        // an empty key at the end of the text is where it starts).
        let start = from.start.min(self.text.len());
        let end = self.text_end(to).max(start);
        let ((line, col), (end_line, end_col)) = (self.position(start), self.position(end));
        Span { start, end, line, col, end_line, end_col }
    }

    /// Where a node's own text ends (block scalars end at the next line's indentation).
    fn text_end(&self, node: &Node) -> usize {
        let end = node.end.max(node.start);
        self.text[node.start..end].trim_end().len() + node.start
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        // Columns as YAML parsers count them: a byte order mark takes none.
        (line, self.text[start..offset].chars().filter(|&c| c != '\u{feff}').count() + 1)
    }

    /// Records a diagnostic its rule's constructor made.
    pub fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }
}

/// The offset just past each LF of `bytes`, eight bytes at a time: a
/// values file's lines are short, and a search started again after every
/// LF costs more per line than a word's LFs read off its bits.
fn push_lf_ends(bytes: &[u8], out: &mut Vec<usize>) {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const LF: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut words = bytes.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ LF;
        // The high bit of each byte that was an LF (is zero now), and of no other.
        let mut lfs = !(((x & LOW).wrapping_add(LOW)) | x | LOW);
        while lfs != 0 {
            out.push(base + lfs.trailing_zeros() as usize / 8 + 1);
            lfs &= lfs - 1;
        }
        base += 8;
    }
    out.extend(words.remainder().iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| base + i + 1));
}

/// Lints every document of a values file against chart version `target`.
pub fn lint_text(text: &str, target: usize) -> Result<Vec<Diagnostic>, yaml::ParseError> {
    lint_text_for(text, target, None)
}

/// [`lint_text`], and with a Pod Security Standards level (`--pod-security`)
/// the values that make a pod inadmissible under it.
pub fn lint_text_for(text: &str, target: usize, pod_security: Option<Level>) -> Result<Vec<Diagnostic>, yaml::ParseError> {
    // Aliases and merge keys are linted as Helm reads them, reported at the user's text.
    let (docs, plain) = yaml::parse_all_resolved_and_plain(text)?;
    let mut ctx = RuleContext::new(text, target);
    // The text as written, for the fixes: parsed once, when one is needed
    // (without aliases, anchors, tags or merge keys both readings are the same trees).
    let mut raw: Option<Vec<Node>> = None;
    for (i, doc) in docs.iter().enumerate() {
        let before = ctx.out.len();
        ctx.for_document(doc, target);
        keys::check_duplicates(&mut ctx, doc, "");
        if doc.is_map() {
            keys::check(&mut ctx, doc);
            // The control plane's dependencies and chart bugs: not the agent's.
            if ctx.catalog.chart == ChartName::Platform {
                cross::check(&mut ctx, doc);
                traps::check(&mut ctx, doc);
            }
            if let Some(level) = pod_security {
                pod_security::check(&mut ctx, doc, level);
            }
        }
        if ctx.out.len() > before {
            let raw = if plain { &docs } else { raw.get_or_insert_with(|| yaml::parse_all(text).unwrap_or_default()) };
            if let Some(raw_doc) = raw.get(i) {
                fix::attach(&mut ctx.out[before..], raw_doc, doc, ctx.catalog, ctx.target);
            }
        }
    }
    let mut out = ctx.out;
    // Most files have no suppression comment: then no line is searched for one.
    // (One searcher for every file: setting one up costs about as much as a small file's search.)
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    if FINDER.get_or_init(|| memchr::memmem::Finder::new(IGNORE)).find(text.as_bytes()).is_some() {
        out.retain(|d| !suppressed(text, d));
    }
    out.sort_by_key(|d| (d.span.start, d.code));
    Ok(out)
}

/// What a suppression comment says.
const IGNORE: &str = "polyaxon-lint: ignore";

/// `# polyaxon-lint: ignore K005,T001` (or a bare `ignore`) on the key's line.
fn suppressed(text: &str, d: &Diagnostic) -> bool {
    let start = text[..d.span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[d.span.start..].find('\n').map_or(text.len(), |i| d.span.start + i);
    let line = &text[start..end];
    let Some(i) = line.find(IGNORE) else {
        return false;
    };
    let codes = line[i + IGNORE.len()..].trim();
    codes.is_empty() || codes.split([',', ' ']).filter(|c| !c.is_empty()).any(|c| rules::find(c).is_some_and(|r| r.code == d.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(v: &str) -> usize {
        Catalog::get().resolve(v).unwrap()
    }

    #[test]
    fn inline_comments_suppress_by_code_or_name() {
        let text = "email:\n  useTLS: true # polyaxon-lint: ignore K005\n  hots: x # polyaxon-lint: ignore unknown-key\n  prot: 1 # polyaxon-lint: ignore T001\n";
        let d = lint_text(text, target("2.15.1")).unwrap();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].code.as_str(), d[0].span.line), ("K005", 4));
    }

    #[test]
    fn every_document_of_a_file_is_linted() {
        let d = lint_text("email:\n  hots: a\n---\nemail:\n  prot: 1\n", target("2.15.1")).unwrap();
        assert_eq!(d.iter().map(|d| d.span.line).collect::<Vec<_>>(), [2, 5]);
    }

    #[test]
    fn line_feeds_are_found_in_every_place_of_a_word() {
        for text in ["", "\n", "a\nb", "\n\n\n\n\n\n\n\n\n", "0123456\n89\n", "é\u{7f}\n\x0b\n\u{8a}\x0a\u{10a0a}\nxyz\n\n"] {
            let mut found = Vec::new();
            push_lf_ends(text.as_bytes(), &mut found);
            assert_eq!(found, text.match_indices('\n').map(|(i, _)| i + 1).collect::<Vec<_>>(), "{text:?}");
        }
        let all: String = (0u8..=127).map(char::from).cycle().take(1000).collect();
        let mut found = Vec::new();
        push_lf_ends(all.as_bytes(), &mut found);
        assert_eq!(found, all.match_indices('\n').map(|(i, _)| i + 1).collect::<Vec<_>>());
    }

    #[test]
    fn spans_cover_key_and_value() {
        let d = lint_text("email:\n  port: \"25\"\n", target("2.15.1")).unwrap();
        let s = d[0].span;
        assert_eq!((s.line, s.col, s.end_line, s.end_col), (2, 3, 2, 13));
    }
}
