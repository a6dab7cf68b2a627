#!/usr/bin/env sh
# `helm polyaxon …` runs this: hand everything to the polyaxon-pr binary,
# which names itself `helm polyaxon` in messages and help.
root=$(cd -P "$(dirname "$0")/.." && pwd)
bin="$root/bin/polyaxon-pr"
if [ ! -x "$bin" ]; then
  echo "helm polyaxon: $bin is missing; build it with $root/scripts/build.sh" >&2
  exit 1
fi
POLYAXON_PR_COMMAND="helm polyaxon" exec "$bin" "$@"
