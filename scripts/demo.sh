#!/usr/bin/env bash
# The main job on bundled data, no cluster: `helm polyaxon template` of the
# testdata chart with all four transforms on (security contexts, GPU
# mounts, DNS, an external postgres replacing the built-in one) under Helm 3
# and Helm 4, every output checked with kubernetes-validate; the values file
# linted; then a real Polyaxon v2.15.1 render from the corpus through
# polyaxon-pr (the corpus in testdata/shared).
#
#   scripts/demo.sh [OUTPUT_DIR]     (default: demo-output/)
#
# Installs only what it uses: Helm 3 and 4 (.cache/helm) and the tools venv
# (kubernetes-validate). Everything it produces stays in OUTPUT_DIR; it
# prints a short summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/demo-output}" && cd "${1:-$root/demo-output}" && pwd)
cd "$root"
step() { printf '%-62s' "$1"; }
step "Installing Helm 3.18.0 and 4.1.4, kubernetes-validate"
"$root/scripts/install-helm.sh" >"$out/setup.log" 2>&1 && "$root/scripts/setup-venvs.sh" --only tools >>"$out/setup.log" 2>&1 || { echo "failed: see $out/setup.log"; exit 1; }
echo "ok"
step "Building polyaxon-pr (cargo; the first build takes minutes)"
"$root/scripts/build.sh" >"$out/build.log" 2>&1 || { echo "failed: see $out/build.log"; exit 1; }
echo "ok"
eval "$("$root/scripts/install-helm.sh" --print)"
validate=$root/.cache/venv/tools/bin/kubernetes-validate
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HELM_DATA_HOME=$home/data HELM_CONFIG_HOME=$home/config HELM_CACHE_HOME=$home/cache
unset HELM_PLUGINS

values=testdata/values/all-transforms.yaml
for helm in "$HELM3" "$HELM4"; do
  major=$("$helm" version --template '{{.Version}}' | cut -c2)
  step "Helm $major: helm polyaxon template (4 transforms, --drop-builtin)"
  # Linked to this checkout (the developer's install), so it runs the binary just built.
  POLYAXON_HELM_LINK=1 "$helm" plugin install "$root" >/dev/null
  "$helm" polyaxon template pax testdata/chart -n polyaxon -f "$values" --drop-builtin postgresql --diff \
    >"$out/helm$major.yaml" 2>"$out/helm$major.diff"
  if "$validate" --strict --no-warn --quiet -k 1.33.0 "$out/helm$major.yaml" >"$out/helm$major.validate.txt" 2>&1; then valid="valid"; else valid="INVALID (see helm$major.validate.txt)"; fi
  echo "$(grep -c '^kind:' "$out/helm$major.yaml") documents, $valid"
  rm -rf "$home"/*
done

step "helm polyaxon lint $values"
"$root/bin/polyaxon-pr" lint --no-config --color never "$values" >"$out/lint.txt" 2>&1 || true
tail -1 "$out/lint.txt"

corpus=$("$root/scripts/unpack-testdata.sh")/corpus/rendered/v2.15.1
if [ -d "$corpus" ]; then
  step "Polyaxon v2.15.1 render (1.8 MB) + security contexts"
  start=$(date +%s%N)
  "$root/bin/polyaxon-pr" -f "$corpus/defaults.values.yaml" --set securityContext.enabled=true --diff \
    <"$corpus/defaults.yaml" >"$out/v2.15.1.yaml" 2>"$out/v2.15.1.diff"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "$(grep -o '[0-9]* of [0-9]* documents changed' "$out/v2.15.1.diff" | tail -1), ${ms} ms"

  # The restricted Pod Security Standard: refused as rendered (the default
  # host_path artifacts store), admitted with the store on a claim.
  py=$root/.cache/venv/tools/bin/python
  step "v2.15.1 --pod-security restricted: default store"
  if "$root/bin/polyaxon-pr" --pod-security restricted <"$corpus/defaults.yaml" >"$out/pss-refused.yaml" 2>"$out/pss-refused.txt"; then
    echo "ADMITTED (unexpected)"
  else
    echo "refused: $(grep -o 'volumes\[name=[a-z-]*\]\.hostPath' "$out/pss-refused.txt" | head -1)"
  fi
  step "v2.15.1 --pod-security restricted: volume_claim store"
  "$py" -c 'import sys; print(sys.stdin.read().replace("hostPath:\n          path: \"/tmp/artifactsStore\"", "persistentVolumeClaim:\n          claimName: \"polyaxon-artifacts\""), end="")' \
    <"$corpus/defaults.yaml" >"$out/v2.15.1-claim.yaml"
  "$root/bin/polyaxon-pr" --pod-security restricted --diff <"$out/v2.15.1-claim.yaml" >"$out/v2.15.1-restricted.yaml" 2>"$out/v2.15.1-restricted.diff"
  before=$("$py" scripts/pss-check.py restricted <"$out/v2.15.1-claim.yaml" | wc -l)
  after=$("$py" scripts/pss-check.py restricted <"$out/v2.15.1-restricted.yaml" | wc -l)
  echo "PSS checker: $before violations before, $after after"
fi

cat <<SUMMARY

Everything is in $out:
  helm3.yaml, helm4.yaml       the rendered manifests (what Helm would apply)
  helm3.diff, helm4.diff       what polyaxon-pr changed, document by document (passwords masked)
  lint.txt                     the linter's report on $values
  v2.15.1.yaml, v2.15.1.diff   the real Polyaxon render and its changes
SUMMARY
