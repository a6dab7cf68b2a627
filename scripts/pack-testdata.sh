#!/usr/bin/env bash
# Packs the ground truth the tests read (../shared/corpus and ../shared/seeds)
# into testdata/shared/corpus-and-seeds.tar.xz, so that a clone tests itself.
# Deterministic: the same files give the same bytes (names sorted, fixed
# mtime and owner, single-threaded xz). tests/testdata.rs fails when the
# tarball and ../shared differ; rerun this then.
#
#   scripts/pack-testdata.sh [SHARED_DIR]    # default: ../shared beside the checkout
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$root/../shared}
for d in corpus seeds; do
  [ -d "$shared/$d" ] || { echo "pack-testdata: $shared/$d not found" >&2; exit 1; }
done
out=$root/testdata/shared/corpus-and-seeds.tar.xz
tar -C "$shared" --sort=name --mtime='2026-01-01 00:00Z' --owner=0 --group=0 --numeric-owner \
  --mode='u+w,a+r' -cf - corpus seeds | xz -9e -T1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out: $(wc -c <"$out") bytes, sha256 $(sha256sum "$out" | cut -d' ' -f1)"
