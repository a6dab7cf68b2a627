#!/usr/bin/env bash
# The main job on bundled data, no cluster: `helm template` of the testdata
# chart through polyaxon-pr with all four transforms on (security contexts,
# GPU mounts, DNS, external postgres replacing the built-in one), with Helm 3
# and Helm 4, showing the diff of what changed, then a real Polyaxon v2.15.1
# render from the corpus when ../shared/corpus is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
eval "$("$root/scripts/install-helm.sh" --print)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HELM_DATA_HOME=$work/data HELM_CONFIG_HOME=$work/config HELM_CACHE_HOME=$work/cache
unset HELM_PLUGINS

for helm in "$HELM3" "$HELM4"; do
  version=$("$helm" version --template '{{.Version}}')
  echo "== Helm $version: helm polyaxon template pax testdata/chart -f testdata/values/all-transforms.yaml --drop-builtin postgresql --diff"
  "$helm" plugin install "$root" >/dev/null
  "$helm" polyaxon template pax testdata/chart -n polyaxon -f testdata/values/all-transforms.yaml --drop-builtin postgresql --diff >"$work/out.yaml"
  echo "== $(grep -c '^kind:' "$work/out.yaml") documents rendered; kubernetes-validate:"
  kubernetes-validate --strict --no-warn --quiet -k 1.33.0 "$work/out.yaml" && echo "all resources valid"
  rm -rf "$work/data" "$work/config" "$work/cache"
done

corpus=$root/../shared/corpus/rendered/v2.15.1
if [ -d "$corpus" ]; then
  echo "== corpus: Polyaxon v2.15.1 render (1.8 MB) through polyaxon-pr --set securityContext.enabled=true"
  time "$root/bin/polyaxon-pr" -f "$corpus/defaults.values.yaml" --set securityContext.enabled=true \
    <"$corpus/defaults.yaml" >"$work/v2.yaml"
fi
