#!/usr/bin/env bash
# Prints a directory holding corpus/ and seeds/, the ground truth the tests
# and scripts read: $POLYAXON_SHARED when set, else the repository's
# testdata/shared/corpus-and-seeds.tar.xz unpacked once under DIR (default
# target/testdata), in a directory named after the tarball's sha256. Safe to
# run from several processes at once: each unpacks into its own temporary
# directory and renames it into place; the first rename wins.
#
#   scripts/unpack-testdata.sh [DIR]
set -euo pipefail
if [ -n "${POLYAXON_SHARED:-}" ]; then echo "$POLYAXON_SHARED"; exit 0; fi
root=$(cd "$(dirname "$0")/.." && pwd)
tarball=$root/testdata/shared/corpus-and-seeds.tar.xz
base=${1:-$root/target/testdata}
dest=$base/shared-$(sha256sum "$tarball" | cut -c1-16)
if [ ! -d "$dest" ]; then
  mkdir -p "$base"
  tmp=$(mktemp -d "$base/.unpack.XXXXXX")
  tar -C "$tmp" -xJf "$tarball"
  mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp"
fi
echo "$dest"
