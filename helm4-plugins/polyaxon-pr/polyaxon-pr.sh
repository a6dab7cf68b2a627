#!/usr/bin/env sh
# Runs polyaxon-pr for Helm 4: the binary the `helm polyaxon` wrapper named,
# else the one built in this checkout, else the one on PATH.
if [ -n "${POLYAXON_PR_BIN:-}" ]; then exec "$POLYAXON_PR_BIN" "$@"; fi
root=$(cd -P "$(dirname "$0")/../.." && pwd)
if [ -x "$root/bin/polyaxon-pr" ]; then exec "$root/bin/polyaxon-pr" "$@"; fi
exec polyaxon-pr "$@"
