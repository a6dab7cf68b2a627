//! `--diff`: a unified diff of every document the post-renderer changed,
//! with secret values masked.

use std::time::{Duration, Instant};

use similar::{Algorithm, TextDiff};

use crate::postrender::Change;
use crate::secrets::mask_for_diff;

/// How long one document's diff may search for the smallest edit script
/// before it settles for a larger one (Myers' search is quadratic in the
/// number of changes, and a workload can have thousands of containers).
const DEADLINE: Duration = Duration::from_millis(200);

/// The diff of every change; `known` are secret strings (passwords from
/// the values) to mask wherever they appear.
pub fn render(changes: &[Change], known: &[String]) -> String {
    let mut out = String::new();
    for change in changes {
        let before = mask_for_diff(&change.before, known);
        let after = mask_for_diff(&change.after, known);
        let title = format!("{}/{} (document {})", change.kind, change.name, change.index);
        let diff = TextDiff::configure().algorithm(Algorithm::Myers).deadline(Instant::now() + DEADLINE).diff_lines(&before, &after);
        out.push_str(&diff.unified_diff().context_radius(3).header(&title, &title).to_string());
    }
    out
}

/// A unified diff of one file rewritten (`migrate`), with credentials
/// masked: values under credential keys, and `known` secrets wherever they
/// sit (a commented-out password too).
pub fn unified(name: &str, before: &str, after: &str, known: &[String]) -> String {
    let (before, after) = (mask_for_diff(before, known), mask_for_diff(after, known));
    let diff = TextDiff::configure().algorithm(Algorithm::Myers).deadline(Instant::now() + DEADLINE).diff_lines(&before, &after);
    diff.unified_diff().context_radius(3).header(name, &format!("{name} (migrated)")).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_is_headed_by_kind_and_name_and_masks_secrets() {
        let change = Change {
            index: 3,
            kind: "Secret".into(),
            name: "s".into(),
            before: "kind: Secret\ndata:\n  k: b2xk\nstringData:\n  url: postgres://u:hunter2@db\n".into(),
            after: "kind: Secret\ndata:\n  k: b2xk\n  n: bmV3\nstringData:\n  url: postgres://u:hunter2@db\n".into(),
        };
        let diff = render(&[change], &["hunter2".into()]);
        assert!(diff.starts_with("--- Secret/s (document 3)\n+++ Secret/s (document 3)\n"), "{diff}");
        assert!(diff.contains("+  n: *****") && !diff.contains("bmV3") && !diff.contains("b2xk") && !diff.contains("hunter2"), "{diff}");
    }

    #[test]
    fn many_changes_stay_fast() {
        let containers = 4000;
        let before: String = (0..containers).map(|i| format!("- name: c{i}\n  image: x\n")).collect();
        let after: String =
            (0..containers).map(|i| format!("- name: c{i}\n  image: x\n  securityContext:\n    runAsNonRoot: true\n")).collect();
        let change = Change { index: 1, kind: "Deployment".into(), name: "d".into(), before, after };
        // A quadratic search would take many seconds here; the deadline bounds it.
        let diff = render(&[change], &[]);
        assert_eq!(diff.matches("+  securityContext:").count(), containers);
    }
}
