#!/usr/bin/env bash
# Absorbs a Polyaxon release into polyaxon-helm's knowledge in one step:
#
#   scripts/update-knowledge.sh VERSION
#
# 1. installs polyaxon==VERSION from PyPI into a fresh venv (Python 3.11 from
#    pyenv) and pins what it resolved in scripts/requirements/polyaxon-VERSION.txt;
# 2. registers it in catalog/validators.tsv as the validator of charts VERSION
#    and later (scripts/setup-venvs.sh then builds .cache/venv/polyaxon-VERSION);
# 3. extracts its deploy schema into catalog/schema/VERSION.json
#    (scripts/extract-schema.sh);
# 4. adds chart VERSION to catalog/inferred.yaml, platform and agent, based on
#    the newest chart known: its chart is not public (add its defaults to the
#    corpus when it is, and drop the entry);
# 5. regenerates src/knowledge/catalog_data.rs (scripts/gen-catalog.py): keys the
#    release dropped from its schema become removed keys from VERSION on; say why
#    in catalog/changes.yaml where a note helps.
#
# Then review `git diff` and run scripts/test.sh. Running it again for the same
# VERSION changes nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "update-knowledge: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 VERSION (a Polyaxon release on PyPI, e.g. 2.19.0)"
version=$1
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "\`$version\` is not a release version (MAJOR.MINOR.PATCH)"
venv=polyaxon-$version
requirements=$root/scripts/requirements/$venv.txt

if command -v pyenv >/dev/null 2>&1; then pyenv_root=$(pyenv root); else pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}; fi
python=$(ls -d "$pyenv_root"/versions/3.11.*/bin/python 2>/dev/null | sort -V | tail -n 1)
[ -n "$python" ] || die "no Python 3.11 under $pyenv_root/versions (install it with: pyenv install 3.11)"

# 1. What polyaxon==VERSION resolves to today, pinned.
if [ ! -f "$requirements" ]; then
  echo "update-knowledge: installing polyaxon==$version from PyPI to pin its requirements"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  "$python" -m venv "$work/venv"
  "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "polyaxon==$version" ||
    die "polyaxon==$version could not be installed from PyPI (is it released?)"
  {
    echo "# Python 3.11 (pyenv). Full resolved set for $venv, from pip freeze; installed by scripts/setup-venvs.sh."
    "$work/venv/bin/python" -m pip freeze --disable-pip-version-check
  } >"$requirements"
fi

# 2. The validator, judging charts from this version on.
if ! grep -q "^$version	" "$root/catalog/validators.tsv"; then
  awk -v row="$version	polyaxon==$version	3.11	$version	$venv" 'NR == 2 { print row } { print }' "$root/catalog/validators.tsv" >"$root/catalog/validators.tsv.new"
  mv "$root/catalog/validators.tsv.new" "$root/catalog/validators.tsv"
fi

# 3. Its deploy schema (builds its venv from the pinned requirements first).
"$root/scripts/extract-schema.sh" --only "$version"

# 4. The chart version, known by inference until its chart is public.
"$python" - "$root/catalog/inferred.yaml" "$version" <<'EOF'
import re, sys
path, version = sys.argv[1], sys.argv[2]
text = open(path).read()
key = lambda v: tuple(int(x) for x in v.split("."))
for chart, label in (("platform", "chart"), ("agent", "agent chart")):
    section = re.search(rf"^{chart}:\n((?:  .*\n)*)", text, re.M)
    known = re.findall(r"version: ([0-9.]+)", section.group(1))
    if version in known:
        continue
    base = max(known, key=key)
    if key(version) <= key(base):
        sys.exit(f"update-knowledge: {version} is not newer than {chart} {base}, the newest inferred; edit catalog/inferred.yaml by hand")
    entry = f'  - {{version: {version}, base: {base}, source: "{label} {base} (inferred) and Polyaxon {version}\'s deploy schema"}}\n'
    text = text[: section.end()] + entry + text[section.end():]
open(path, "w").write(text)
EOF

# 5. The generated knowledge.
"$root/.cache/venv/tools/bin/python" "$root/scripts/gen-catalog.py"
echo "update-knowledge: Polyaxon $version absorbed; review \`git diff\` (catalog/, scripts/requirements/, src/knowledge/catalog_data.rs) and run scripts/test.sh"
