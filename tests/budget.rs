//! The instruction budgets of `scripts/bench.sh --budget` (issue 19): the
//! post-render of the v2.15.1 render, a workload-dense stream (and its 8x),
//! and the lint of corpus defaults files, counted with callgrind on a release
//! build. Deterministic counts, not timings; skipped where valgrind is absent
//! (`scripts/setup.sh` installs it).

use std::process::Command;

#[test]
fn instruction_counts_stay_within_their_budgets() {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("SKIPPED: valgrind is not installed (scripts/setup.sh installs it); the instruction budgets were not checked");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash").arg(format!("{root}/scripts/bench.sh")).arg("--budget").output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    eprintln!("{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("budgets: all met"), "a budget is broken:\n{report}");
    assert!(out.status.success());
}
