#!/usr/bin/env sh
# Runs polyaxon-pr for Helm 4: the binary the `helm polyaxon` wrapper named,
# else the one this plugin was assembled beside (bin/helm4-plugins/polyaxon-pr
# -> bin/polyaxon-pr), else the one on PATH.
if [ -n "${POLYAXON_PR_BIN:-}" ]; then exec "$POLYAXON_PR_BIN" "$@"; fi
bin=$(cd -P "$(dirname "$0")/../.." && pwd)/polyaxon-pr
if [ -x "$bin" ]; then exec "$bin" "$@"; fi
exec polyaxon-pr "$@"
