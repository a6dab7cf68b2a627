#!/usr/bin/env bash
# Extracts the schema of every Polyaxon validator into catalog/schema/<version>.json
# by running scripts/extract-schema.py in each validator venv
# (made by scripts/setup-venvs.sh, which this runs first; it skips
# venvs that are already complete).
#
# Usage: scripts/extract-schema.sh [--check] [--only VERSION[,VERSION...]]
#   --check  regenerate into a temporary directory and diff against the
#            checked-in files; exit 1 if any differs (the data is stale).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/catalog/schema

check=
only=
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=1; shift ;;
    --only) [ $# -ge 2 ] || { echo "extract-schema: --only needs a version" >&2; exit 2; }; only=${only:+$only,}$2; shift 2 ;;
    --only=*) only=${only:+$only,}${1#--only=}; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "extract-schema: unknown argument: $1" >&2; exit 2 ;;
  esac
done

# version  venv, from catalog/validators.tsv
all=()
while IFS=$'\t' read -r validator _package _python _since venv; do
  [ "$validator" = validator ] || all+=("$validator $venv")
done <"$root/catalog/validators.tsv"
selected=()
for entry in "${all[@]}"; do
  v=${entry%% *}
  if [ -z "$only" ] || [[ ",$only," == *",$v,"* ]]; then selected+=("$entry"); fi
done
[ ${#selected[@]} -gt 0 ] || { echo "extract-schema: nothing selected by --only $only" >&2; exit 2; }

"$root/scripts/setup-venvs.sh" ${only:+--only "$only"}

if [ -n "$check" ]; then
  dest=$(mktemp -d)
  trap 'rm -rf "$dest"' EXIT
else
  dest=$out
  mkdir -p "$dest"
fi

status=0
for entry in "${selected[@]}"; do
  v=${entry%% *}
  venv=${entry##* }
  # -W ignore: deprecation chatter from old packages is not an error
  "$root/.cache/venv/$venv/bin/python" -W ignore "$root/scripts/extract-schema.py" --out "$dest/$v.json"
  if [ -n "$check" ]; then
    if [ ! -f "$out/$v.json" ]; then
      echo "extract-schema: catalog/schema/$v.json is missing (run scripts/extract-schema.sh)" >&2
      status=1
    elif ! diff -u "$out/$v.json" "$dest/$v.json" >"$dest/$v.diff"; then
      echo "extract-schema: catalog/schema/$v.json is stale (run scripts/extract-schema.sh); diff:" >&2
      head -n 40 "$dest/$v.diff" >&2
      status=1
    fi
  fi
done
exit $status
