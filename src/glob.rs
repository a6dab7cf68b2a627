//! Shell-style name patterns, for `--gpu-target` and per-path lint ignores.

/// `*` matches any run of characters, `?` any one.
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_a_shell() {
        assert!(glob("*-resources", "pax-polyaxon-resources"));
        assert!(glob("pax-?pi", "pax-api"));
        assert!(!glob("pax-*-gpu", "pax-api"));
        assert!(glob("*", ""));
        assert!(glob("ci/*.yaml", "ci/deep/values.yaml"));
    }
}
