//! `--diff`: a unified diff of every document the post-renderer changed,
//! with secret values masked.

use similar::TextDiff;

use crate::postrender::Change;
use crate::secrets::mask_for_diff;

pub fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        let before = mask_for_diff(&change.before);
        let after = mask_for_diff(&change.after);
        let title = format!("{}/{} (document {})", change.kind, change.name, change.index);
        let diff = TextDiff::from_lines(&before, &after);
        out.push_str(&diff.unified_diff().context_radius(3).header(&title, &title).to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_is_headed_by_kind_and_name() {
        let change = Change {
            index: 3,
            kind: "Secret".into(),
            name: "s".into(),
            before: "kind: Secret\ndata:\n  k: b2xk\n".into(),
            after: "kind: Secret\ndata:\n  k: b2xk\n  n: bmV3\n".into(),
        };
        let diff = render(&[change]);
        assert!(diff.starts_with("--- Secret/s (document 3)\n+++ Secret/s (document 3)\n"), "{diff}");
        assert!(diff.contains("+  n: *****") && !diff.contains("bmV3") && !diff.contains("b2xk"), "{diff}");
    }
}
