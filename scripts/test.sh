#!/usr/bin/env bash
# The test command: installs Helm 3/4 and kubernetes-validate if missing,
# then runs every test (unit, golden, corpus replay, Helm end to end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cd "$root"
cargo test --locked "$@"
