//! Golden tests: each directory in testdata/golden holds an `input.yaml`
//! stream, a `values.yaml` and optionally `args` (one argument a line);
//! polyaxon-pr's stdout must equal `expected.yaml` and its stderr (warnings
//! and `--diff`) `expected.stderr`.
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites them; review the diff.

mod common;

use common::*;

#[test]
fn golden_cases() {
    let root = repo().join("testdata/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut cases = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let input = std::fs::read_to_string(dir.join("input.yaml")).unwrap();
        let values = dir.join("values.yaml").to_string_lossy().into_owned();
        let extra = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
        let mut args = vec!["--values", &values, "--diff"];
        args.extend(extra.lines());
        let (out, err) = post_render(&input, &args);
        for (file, actual) in [("expected.yaml", &out), ("expected.stderr", &err)] {
            let path = dir.join(file);
            if update {
                std::fs::write(&path, actual).unwrap();
            }
            let expected =
                std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", path.display()));
            assert!(
                &expected == actual,
                "{}: output differs from {file}:\n{}",
                dir.display(),
                similar::TextDiff::from_lines(&expected, actual).unified_diff()
            );
        }
        cases += 1;
    }
    assert!(cases >= 5);
}
