#!/usr/bin/env bash
# Creates the project's Python virtual environments, each from its pinned
# requirements file (scripts/requirements/<name>.txt); nothing goes into the
# global Python:
#
#   .cache/venv/tools   Python 3.11  kubernetes-validate, PyYAML, pre-commit, check-jsonschema
#   .cache/venv/checkov Python 3.11  checkov (the pod-security tests' second oracle; about a minute to install)
#   and one venv per Polyaxon validator of catalog/validators.tsv (its venv name
#   and Python minor version there: polyaxon-2.18.0, ..., polyaxon-deploy-0.6.1).
#
# Usage: scripts/setup-venvs.sh [--only NAME[,NAME...]]...
#   NAME is tools, checkov, or a validator (2.18.0, 0.6.1, ...) or its venv name.
#
# Idempotent: a venv whose marker (.setup-complete: sha256 of its requirements
# file + Python version) matches is left alone. Otherwise it is rebuilt from
# scratch. Quiet: prints one line per venv created, and errors (with pip's log).
# The Python for each venv is the newest pyenv patch release of its minor version.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
reqdir=$root/scripts/requirements
venvdir=$root/.cache/venv

# name  python-minor: the tools, then every validator of catalog/validators.tsv.
all_venvs=("tools 3.11" "checkov 3.11")
while IFS=$'\t' read -r validator _package python _since venv; do
  [ "$validator" = validator ] || all_venvs+=("$venv $python")
done <"$root/catalog/validators.tsv"

die() { echo "setup-venvs: $*" >&2; exit 1; }

only=()
while [ $# -gt 0 ]; do
  case $1 in
    --only) [ $# -ge 2 ] || die "--only needs a version"; IFS=, read -r -a more <<<"$2"; only+=("${more[@]}"); shift 2 ;;
    --only=*) IFS=, read -r -a more <<<"${1#--only=}"; only+=("${more[@]}"); shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (usage: $0 [--only VERSION[,VERSION...]])" ;;
  esac
done

selected=()
if [ ${#only[@]} -eq 0 ]; then
  selected=("${all_venvs[@]}")
else
  for want in "${only[@]}"; do
    found=
    for entry in "${all_venvs[@]}"; do
      name=${entry%% *}
      if [ "$want" = "$name" ] || [ "$want" = "${name##*-}" ]; then selected+=("$entry"); found=1; fi
    done
    [ -n "$found" ] || die "unknown venv '$want' (known: tools, checkov and the validators of catalog/validators.tsv)"
  done
fi

if command -v pyenv >/dev/null 2>&1; then
  pyenv_root=$(pyenv root)
else
  pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
fi

# Newest installed patch release of a minor version, e.g. 3.9 -> .../3.9.18/bin/python
find_python() {
  local minor=$1 best=
  best=$(for p in "$pyenv_root"/versions/"$minor".*/bin/python; do
      [ -x "$p" ] || continue
      v=${p#"$pyenv_root"/versions/}; v=${v%%/*}
      # only plain releases (3.9.18), not 3.9.18t / 3.9-dev / envs
      [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && echo "$v $p"
    done | sort -V | tail -n 1 | cut -d' ' -f2-)
  [ -n "$best" ] || die "no Python $minor found under $pyenv_root/versions (install it with: pyenv install $minor)"
  echo "$best"
}

mkdir -p "$venvdir"
# Serialise concurrent runs (two test processes setting up at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$venvdir/.setup.lock"
  flock 9
fi

for entry in "${selected[@]}"; do
  name=${entry%% *}
  minor=${entry##* }
  req=$reqdir/$name.txt
  [ -f "$req" ] || die "missing requirements file $req"
  python=$(find_python "$minor")
  pyver=$("$python" -c 'import platform; print(platform.python_version())')
  want="$(sha256sum "$req" | cut -d' ' -f1) python-$pyver"
  dest=$venvdir/$name
  marker=$dest/.setup-complete
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ] && [ -x "$dest/bin/python" ]; then
    continue
  fi
  rm -rf "$dest"
  log=$(mktemp)
  if ! "$python" -m venv "$dest" >"$log" 2>&1 ||
     ! "$dest/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-virtualenv -r "$req" >>"$log" 2>&1 ||
     ! "$dest/bin/python" -m pip check >>"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    rm -rf "$dest"
    die "failed to create $dest from $req with Python $pyver"
  fi
  rm -f "$log"
  echo "$want" >"$marker"
  echo "created .cache/venv/$name (Python $pyver, $(grep -c '==' "$req") pinned packages)"
done
