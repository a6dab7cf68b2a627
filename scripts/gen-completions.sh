#!/usr/bin/env bash
# Regenerates the shell completions (contrib/completions/) and the man page
# (contrib/man/polyaxon-pr.1) from the CLI itself. tests/cli.rs fails when
# they are out of date.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --manifest-path "$root/Cargo.toml"
bin=$root/target/debug/polyaxon-pr
mkdir -p "$root/contrib/completions" "$root/contrib/man"
for shell in bash zsh fish powershell elvish; do
  "$bin" completions "$shell" >"$root/contrib/completions/polyaxon-pr.$shell"
done
"$bin" man >"$root/contrib/man/polyaxon-pr.1"
echo "contrib/ regenerated"
