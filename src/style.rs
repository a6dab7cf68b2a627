//! How what polyaxon-pr says looks where it lands: the colour rules of the
//! lint report for every message and diff (`--color`, `NO_COLOR`, …), and
//! at a terminal, long warnings wrapped to its width with long lists cut
//! short. Pipes and the run's log get every line whole and plain.

use std::io::IsTerminal;

/// `--color auto|always|never`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// `auto` colours a terminal unless `NO_COLOR`, `CLICOLOR=0` or
    /// `TERM=dumb` say otherwise; `FORCE_COLOR`/`CLICOLOR_FORCE` force it.
    pub fn on(self, stream: Stream) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => supports_color::on(match stream {
                Stream::Stdout => supports_color::Stream::Stdout,
                Stream::Stderr => supports_color::Stream::Stderr,
            })
            .is_some(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How lines are shown on one stream.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
    /// Wrap messages at this width (a terminal's, at most 100).
    pub width: Option<usize>,
    /// Cut lists of more than [`LIST_SHOWN`] items short.
    pub shorten: bool,
}

/// Items of a long list shown at a terminal before "and N more".
const LIST_SHOWN: usize = 2;
const MAX_WIDTH: usize = 100;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Style {
    /// Whole and plain: for pipes, files and the log.
    pub const PLAIN: Style = Style { color: false, width: None, shorten: false };

    /// The style for a stream: colour as `choice` says; at a terminal,
    /// messages wrapped and, unless `verbose`, long lists cut short.
    pub fn of(stream: Stream, choice: ColorChoice, verbose: bool) -> Style {
        let terminal = match stream {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        };
        let width = terminal.then(|| terminal_width(stream).unwrap_or(MAX_WIDTH).clamp(40, MAX_WIDTH));
        Style { color: choice.on(stream), width, shorten: terminal && !verbose }
    }

    /// A text (messages and diff lines) as shown; whether a list was cut short.
    pub fn text(&self, text: &str) -> (String, bool) {
        let mut out = String::with_capacity(text.len());
        let mut shortened = false;
        for line in text.split_inclusive('\n') {
            let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
            let (shown, cut) = self.line(body);
            out.push_str(&shown);
            out.push_str(end);
            shortened |= cut;
        }
        (out, shortened)
    }

    /// One line: a message (`NAME: warning: …`, `NAME: error: …`, other
    /// `NAME: …`) or a line of a unified diff.
    fn line(&self, line: &str) -> (String, bool) {
        if let Some((head, level, rest)) = message(line) {
            let (rest, cut) = if self.shorten { shorten_lists(rest) } else { (rest.to_string(), false) };
            let plain_head = format!("{head}{level}");
            let indent = if level.is_empty() { 2 } else { plain_head.len() + 1 };
            let body = match self.width {
                Some(width) => {
                    wrap(&rest, width.saturating_sub(plain_head.len() + 1).max(20), width.saturating_sub(indent).max(20), indent)
                }
                None => rest,
            };
            let colour = match level {
                "error:" => RED,
                "warning:" => YELLOW,
                _ => "",
            };
            let head = if self.color && !colour.is_empty() { format!("{head}{BOLD}{colour}{level}{RESET}") } else { plain_head };
            let sep = if level.is_empty() { "" } else { " " };
            return (format!("{head}{sep}{body}"), cut);
        }
        let colour = match line.as_bytes().first() {
            _ if !self.color => "",
            _ if line.starts_with("+++ ") || line.starts_with("--- ") => BOLD,
            _ if line.starts_with("@@") => CYAN,
            Some(b'+') => GREEN,
            Some(b'-') => RED,
            _ => "",
        };
        if colour.is_empty() {
            (line.to_string(), false)
        } else {
            (format!("{colour}{line}{RESET}"), false)
        }
    }
}

/// `NAME: level: rest` split into (`NAME: `, `level:`, rest), the level
/// empty for a plain message; `None` for anything else (a diff line).
fn message(line: &str) -> Option<(&str, &str, &str)> {
    let name_end = ["polyaxon-pr: ", "helm polyaxon: "].iter().find(|p| line.starts_with(*p))?.len();
    let (head, rest) = line.split_at(name_end);
    for level in ["error:", "warning:"] {
        if let Some(after) = rest.strip_prefix(level) {
            return Some((head, level, after.trim_start()));
        }
    }
    Some((head, "", rest))
}

/// Parenthesised lists of more than [`LIST_SHOWN`] + 1 comma-separated items
/// cut to their first items and "and N more".
fn shorten_lists(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut cut = false;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else { break };
        let items: Vec<&str> = rest[open + 1..close].split(", ").collect();
        out.push_str(&rest[..=open]);
        if items.len() > LIST_SHOWN + 1 && !rest[open + 1..close].contains('(') {
            out.push_str(&format!("{} and {} more", items[..LIST_SHOWN].join(", "), items.len() - LIST_SHOWN));
            cut = true;
        } else {
            out.push_str(&rest[open + 1..close]);
        }
        out.push(')');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    (out, cut)
}

/// Words wrapped: the first line to `first` columns, the others to `others`
/// columns after `indent` spaces. A word longer than a line stays whole.
fn wrap(text: &str, first: usize, others: usize, indent: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut used = 0;
    let mut limit = first;
    for word in text.split(' ') {
        let len = word.chars().count();
        if used > 0 && used + 1 + len > limit {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            used = 0;
            limit = others;
        } else if used > 0 {
            out.push(' ');
            used += 1;
        }
        out.push_str(word);
        used += len;
    }
    out
}

fn terminal_width(stream: Stream) -> Option<usize> {
    let size = match stream {
        Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
        Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
    };
    size.map(|(w, _)| usize::from(w.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "polyaxon-pr: warning: externalServices.postgresql is configured but the built-in postgresql is still rendered (NetworkPolicy/pax-postgresql, PodDisruptionBudget/pax-postgresql, ServiceAccount/pax-postgresql, Secret/pax-postgresql, Service/pax-postgresql); set postgresql.enabled=false, or pass --drop-builtin postgresql (on an upgrade that deletes these objects, and their data, from the cluster)\n";

    #[test]
    fn plain_is_the_text_itself() {
        assert_eq!(Style::PLAIN.text(LONG), (LONG.to_string(), false));
        assert_eq!(Style::PLAIN.text("+ a\n- b\n"), ("+ a\n- b\n".to_string(), false));
    }

    #[test]
    fn a_terminal_gets_short_wrapped_lines() {
        let (shown, cut) = Style { color: false, width: Some(80), shorten: true }.text(LONG);
        assert!(cut);
        let joined = shown.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(joined.contains("(NetworkPolicy/pax-postgresql, PodDisruptionBudget/pax-postgresql and 3 more)"), "{shown}");
        assert!(
            joined.contains("(on an upgrade that deletes these objects, and their data, from the cluster)"),
            "short lists stay: {shown}"
        );
        assert!(shown.lines().all(|l| l.chars().count() <= 80), "{shown}");
        assert!(shown.lines().skip(1).all(|l| l.starts_with("                      ")), "hanging indent under the message: {shown}");
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let (whole, _) = Style { color: false, width: Some(80), shorten: false }.text(LONG);
        assert_eq!(words(&whole), words(LONG), "wrapping only moves words");
    }

    #[test]
    fn colours_mark_levels_and_diff_lines() {
        let style = Style { color: true, width: None, shorten: false };
        assert_eq!(style.text("polyaxon-pr: warning: x\n").0, "polyaxon-pr: \x1b[1m\x1b[33mwarning:\x1b[0m x\n");
        assert_eq!(style.text("helm polyaxon: error: y").0, "helm polyaxon: \x1b[1m\x1b[31merror:\x1b[0m y");
        assert_eq!(style.text("polyaxon-pr: 1 of 2 documents changed").0, "polyaxon-pr: 1 of 2 documents changed");
        let diff = style.text("--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n z\n").0;
        assert_eq!(
            diff,
            "\x1b[1m--- a\x1b[0m\n\x1b[1m+++ b\x1b[0m\n\x1b[36m@@ -1 +1 @@\x1b[0m\n\x1b[31m-x\x1b[0m\n\x1b[32m+y\x1b[0m\n z\n"
        );
    }
}
