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
    let mut path = String::with_capacity(prefix.len() + name.len() + 3);
    path.push_str(prefix);
    push_key(&mut path, name);
    path
}

/// Appends a key's name to a path as [`join_key`] writes it: after a dot,
/// quoted when it holds a dot of its own.
pub fn push_key(path: &mut String, name: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    if has_dot(name) {
        path.push('"');
        path.push_str(name);
        path.push('"');
    } else {
        path.push_str(name);
    }
}

/// A dotted path's parent and last segment (`a.b.c`: `a.b` and `c`;
/// `a`: the empty parent).
pub fn parent_and_leaf(path: &str) -> (&str, &str) {
    split_last(path).map_or(("", path), |(parent, rest)| (parent, &rest[1..]))
}

/// Up to the last dot, and the rest from it (as `rsplit_once('.')` by
/// bytes, the dot kept in the rest); None without a dot.
pub fn split_last(path: &str) -> Option<(&str, &str)> {
    let dot = path.as_bytes().iter().rposition(|&b| b == b'.')?;
    Some((&path[..dot], &path[dot..]))
}

/// Whether a key's name holds a dot (and is quoted in a path): eight bytes at a time.
pub fn has_dot(name: &str) -> bool {
    const DOTS: u64 = 0x2e2e_2e2e_2e2e_2e2e;
    const LOW: u64 = 0x0101_0101_0101_0101;
    // A byte of `word ^ DOTS` is zero where `word` has a dot.
    let dot_in = |word: u64| ((word ^ DOTS).wrapping_sub(LOW) & !(word ^ DOTS) & (LOW << 7)) != 0;
    let mut words = name.as_bytes().chunks_exact(8);
    words.any(|word| dot_in(u64::from_le_bytes(word.try_into().expect("eight bytes")))) || words.remainder().contains(&b'.')
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

    #[test]
    fn dots_are_found_anywhere_in_a_name() {
        for name in ["", ".", "a", "kubernetes.io/tls", "nvidia.com/gpu", "abcdefgh.", "abcdefghijklmnop", "\u{e9}\u{2e}x", "\u{ae}\u{ee}"]
        {
            assert_eq!(super::has_dot(name), name.contains('.'), "{name:?}");
        }
        for at in 0..20 {
            let name: String = (0..20).map(|i| if i == at { '.' } else { 'x' }).collect();
            assert!(super::has_dot(&name) && !super::has_dot(&name.replace('.', "\u{ae}")), "{name}");
        }
    }
}
