#!/usr/bin/env bash
# The test command: installs what the tests need if missing (scripts/setup.sh:
# Helm 3 and 4, the Python venvs with Polyaxon's validators, the SARIF
# validator), then runs every test (unit, golden, corpus replay, chart oracle,
# agreement with Polyaxon's validators, real Helm 3 and 4 end to end, git-URL
# install, pre-commit, the GitHub Action), rustfmt and clippy (-D warnings),
# and, beside them, a fuzzing smoke
# run of every fuzz target (scripts/fuzz.sh --smoke, on nightly). The data
# the tests read is in the repository (testdata/shared). Ends with one line:
# `N passed, N failed` (tests, and each fuzz target as one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cd "$root"
fuzz_log=$(mktemp) test_log=$(mktemp)
trap 'rm -f "$fuzz_log" "$test_log"' EXIT
start=$SECONDS
"$root/scripts/fuzz.sh" --smoke >"$fuzz_log" 2>&1 &
fuzz=$!
status=0
# Style first: rustfmt and clippy (-D warnings), each a failure of its own.
lint_failed=0
if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
  cargo fmt --check >/dev/null 2>&1 || { echo "rustfmt FAILED: run \`cargo fmt\`" >&2; lint_failed=$((lint_failed + 1)); }
  cargo clippy --locked --all-targets --quiet -- -D warnings || { echo "clippy FAILED" >&2; lint_failed=$((lint_failed + 1)); }
else
  echo "test.sh: rustfmt or clippy is not installed (rustup component add rustfmt clippy): style NOT checked" >&2
fi
[ "$lint_failed" -eq 0 ] || status=1
cargo test --locked "$@" 2>&1 | tee "$test_log" || status=$?
fuzz_status=0
wait "$fuzz" || fuzz_status=$?
echo "== fuzz smoke (scripts/fuzz.sh --smoke)"
grep -v '^\s*\(Compiling\|Finished\|Blocking\)' "$fuzz_log" || true
if [ "$fuzz_status" -ne 0 ]; then echo "fuzz smoke FAILED" >&2; status=1; fi
# cargo's "test result:" lines, plus one per fuzz target.
read -r passed failed < <(sed -n 's/^test result: .*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$test_log" |
  awk '{p += $1; f += $2} END {print p + 0, f + 0}')
fuzz_ok=$(grep -c ': ok, ' "$fuzz_log" || true)
fuzz_failed=$(grep -c ': FAILED' "$fuzz_log" || true)
# A build that failed ran no test: count it as one failure.
failed=$((failed + lint_failed))
if [ "$status" -ne 0 ] && [ $((failed + fuzz_failed)) -eq 0 ]; then failed=1; fi
echo "== $((SECONDS - start)) s"
echo "$((passed + fuzz_ok)) passed, $((failed + fuzz_failed)) failed"
exit "$status"
