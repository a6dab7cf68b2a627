#!/usr/bin/env bash
# Builds polyaxon-pr from source with cargo (no download) and puts it in bin/.
# Run by `helm plugin install` (install hook); safe to run by hand.
set -euo pipefail
root=$(cd -P "$(dirname "$0")/.." && pwd)
cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml" --target-dir "$root/target"
mkdir -p "$root/bin"
cp "$root/target/release/polyaxon-pr" "$root/bin/polyaxon-pr.$$"
mv "$root/bin/polyaxon-pr.$$" "$root/bin/polyaxon-pr"
echo "polyaxon-pr built: $root/bin/polyaxon-pr"
