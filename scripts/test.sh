#!/usr/bin/env bash
# The test command: installs what the tests need if missing (scripts/setup.sh:
# Helm 3 and 4, the Python venvs with Polyaxon's validators, the SARIF
# validator), then runs every test (unit, golden, corpus replay, chart oracle,
# agreement with Polyaxon's validators, real Helm 3 and 4 end to end, git-URL
# install, pre-commit, the GitHub Action) and, beside them, a short fuzzing
# smoke run of every fuzz target (scripts/fuzz.sh --smoke, on nightly).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cd "$root"
fuzz_log=$(mktemp)
trap 'rm -f "$fuzz_log"' EXIT
"$root/scripts/fuzz.sh" --smoke >"$fuzz_log" 2>&1 &
fuzz=$!
status=0
cargo test --locked "$@" || status=$?
fuzz_status=0
wait "$fuzz" || fuzz_status=$?
echo "== fuzz smoke (scripts/fuzz.sh --smoke)"
grep -v '^\s*\(Compiling\|Finished\|Blocking\)' "$fuzz_log" || true
if [ "$fuzz_status" -ne 0 ]; then echo "fuzz smoke FAILED" >&2; status=1; fi
exit "$status"
