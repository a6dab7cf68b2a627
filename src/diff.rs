//! Unified diffs of plain before/after texts with every credential masked
//! line by line: the diff is computed on the texts themselves (what is
//! written), and only then is each shown line masked, so it has exactly
//! the lines of the change.

use std::time::{Duration, Instant};

use similar::udiff::UnifiedHunkHeader;
use similar::{Algorithm, ChangeTag, TextDiff};

use crate::secrets::LineMask;

/// How long one diff may search for the smallest edit script before it
/// settles for a larger one (Myers' search is quadratic in the number of
/// changes, and a workload can have thousands of containers).
const DEADLINE: Duration = Duration::from_millis(200);

/// A unified diff of `before` and `after` under the headers `old` and
/// `new`; `known` are secret strings (passwords from the values) to mask
/// wherever they appear, besides what each text's own keys say is secret.
pub fn unified(old: &str, new: &str, before: &str, after: &str, known: &[String]) -> String {
    let diff = TextDiff::configure().algorithm(Algorithm::Myers).deadline(Instant::now() + DEADLINE).diff_lines(before, after);
    let groups = diff.grouped_ops(3);
    if groups.is_empty() {
        return String::new();
    }
    let (mask_before, mask_after) = (LineMask::of(before, known), LineMask::of(after, known));
    let mut out = format!("--- {old}\n+++ {new}\n");
    for group in &groups {
        out.push_str(&UnifiedHunkHeader::new(group).to_string());
        out.push('\n');
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value();
                let line = text.strip_suffix('\n').unwrap_or(text);
                let line = line.strip_suffix('\r').unwrap_or(line);
                let (sign, shown) = match change.tag() {
                    ChangeTag::Equal => (' ', mask_before.line(change.old_index().unwrap_or(0), line)),
                    ChangeTag::Delete => ('-', mask_before.line(change.old_index().unwrap_or(0), line)),
                    ChangeTag::Insert => ('+', mask_after.line(change.new_index().unwrap_or(0), line)),
                };
                out.push(sign);
                out.push_str(&shown);
                out.push('\n');
                if !text.ends_with('\n') {
                    out.push_str("\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_and_keeps_the_lines_of_the_change() {
        let before = "kind: Secret\ndata:\n  k: b2xk\nstringData:\n  url: postgres://u:hunter2@db\n";
        let after = "kind: Secret\ndata:\n  k: b2xk\n  n: bmV3\nstringData:\n  url: postgres://u:hunter2@db\n";
        let diff = unified("Secret/s (document 3)", "Secret/s (document 3)", before, after, &["hunter2".into()]);
        assert!(diff.starts_with("--- Secret/s (document 3)\n+++ Secret/s (document 3)\n"), "{diff}");
        assert!(diff.contains("+  n: *****") && !diff.contains("bmV3") && !diff.contains("b2xk") && !diff.contains("hunter2"), "{diff}");
    }

    #[test]
    fn a_block_scalar_password_commented_out_shows_every_written_line() {
        let before = "email:\n  password: |\n    s3cr3t-one\n    s3cr3t-two\n  host: smtp\n";
        let after = "# note\n# email:\n#   password: |\n#     s3cr3t-one\n#     s3cr3t-two\n#   host: smtp\n";
        let known = crate::secrets::credentials_in(before);
        let diff = unified("a", "b", before, after, &known);
        assert!(!diff.contains("s3cr3t"), "{diff}");
        assert_eq!(diff.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).count(), after.lines().count(), "{diff}");
        assert_eq!(diff.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).count(), before.lines().count(), "{diff}");
    }

    #[test]
    fn a_missing_final_newline_is_said() {
        let diff = unified("a", "b", "x: 1", "x: 2", &[]);
        assert_eq!(diff, "--- a\n+++ b\n@@ -1 +1 @@\n-x: 1\n\\ No newline at end of file\n+x: 2\n\\ No newline at end of file\n");
    }

    #[test]
    fn many_changes_stay_fast() {
        let containers = 4000;
        let before: String = (0..containers).map(|i| format!("- name: c{i}\n  image: x\n")).collect();
        let after: String =
            (0..containers).map(|i| format!("- name: c{i}\n  image: x\n  securityContext:\n    runAsNonRoot: true\n")).collect();
        // A quadratic search would take many seconds here; the deadline bounds it.
        let diff = unified("d", "d", &before, &after, &[]);
        assert_eq!(diff.matches("+  securityContext:").count(), containers);
    }
}
