//! Text as the user sees it: input made safe to print, and names close to
//! a misspelt one. The bottom layer: it imports nothing of the crate.

/// Text from input (names, values, paths) made safe to print on a
/// terminal: control characters other than newline and tab are escaped, so
/// a manifest cannot smuggle escape sequences into what the user sees.
pub fn sanitize(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return text.to_string();
    }
    text.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// [`sanitize`] keeping every byte offset: each control character becomes
/// as many `?` as it has bytes (for source text that spans point into).
pub fn sanitize_in_place(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && !matches!(c, '\n' | '\t' | '\r') { "?".repeat(c.len_utf8()) } else { c.to_string() })
        .collect()
}

/// Where a YAML comment (` #`) starts in a line, with a byte search (str's
/// searcher is set up anew for every call, which costs more than the line).
pub fn comment_start(line: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'#', line).find(|&i| i > 0 && line[i - 1] == b' ').map(|i| i - 1)
}

/// A dotted path; segments with dots of their own are quoted
/// (`ingress.annotations."kubernetes.io/tls-acme"`).
pub fn join_key(prefix: &str, name: &str) -> String {
    let name = if name.contains('.') { format!("\"{name}\"") } else { name.to_string() };
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}.{name}")
    }
}

/// The closest known name: same letters in another case first, then the
/// smallest edit distance within a third of the name's length (a swap of
/// neighbours counts as one edit: `hots` for `host` is one slip).
pub fn did_you_mean(name: &str, known: &[&str]) -> Option<String> {
    if let Some(same) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return Some(same.to_string());
    }
    let limit = (name.chars().count() / 3).max(1);
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::osa_distance(&lower, &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| k.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(crate::text::sanitize("pax\u{1b}[31m-api\u{7}"), "pax\\u{1b}[31m-api\\u{7}");
        assert_eq!(crate::text::sanitize("a\nb\tc"), "a\nb\tc");
    }

    #[test]
    fn suggestions() {
        use super::did_you_mean;
        assert_eq!(did_you_mean("brokr", &["broker", "dns"]).as_deref(), Some("broker"));
        assert_eq!(did_you_mean("hots", &["host"]).as_deref(), Some("host"));
        assert_eq!(did_you_mean("zzzz", &["broker"]), None);
    }
}
