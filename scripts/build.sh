#!/usr/bin/env bash
# Builds polyaxon-pr from source with cargo (nothing downloaded but crates)
# into bin/, and assembles the Helm 4 post-renderer plugin beside it
# (bin/helm4-plugins/polyaxon-pr, from helm4-plugins/polyaxon-pr/*.in).
#
#   scripts/build.sh                 by hand: build in this checkout
#   scripts/build.sh install|update  the plugin's hooks (plugin.yaml)
#
# As the install hook it also:
# - turns an install from a local directory (Helm makes the plugin's
#   directory a symlink to it) into a git clone of that checkout's last
#   commit, because `helm plugin update` runs `git pull` and
#   `git clean -x -d -f -f` in the plugin's git work tree: in Helm's own
#   clone, never in the user's checkout, whose untracked files are never
#   touched. With POLYAXON_HELM_LINK=1, or when the directory is no git
#   checkout, the plugin instead links to the directory through a folder
#   with no .git, where `helm plugin update` stops before running anything;
# - under Helm 4, installs the post-renderer plugin so that
#   `--post-renderer polyaxon-pr` works, unless a Helm 3 reads the same
#   plugins directory (Helm 3 cannot load that plugin, and would fail on
#   every `helm plugin` command);
# - on any failure removes what Helm installed, so no half plugin is left.
#
# The build is skipped when bin/polyaxon-pr, or the binary last built in
# cargo's build directory, comes from the same sources. cargo's build
# directory is POLYAXON_HELM_TARGET_DIR, else $(helm env HELM_CACHE_HOME)/
# polyaxon-helm/target under Helm (an update replaces bin/, not the cache),
# else target/.
set -euo pipefail
event=${1:-}
case $event in '' | install | update) ;; *) echo "usage: $0 [install|update]" >&2; exit 2 ;; esac
root=$(cd -P "$(dirname "$0")/.." && pwd)
plugin_dir=${HELM_PLUGIN_DIR:-}
[ -n "$event" ] || plugin_dir=
say() { echo "polyaxon-helm: $*"; }

# Helm 3 names itself in HELM_BIN; Helm 4 does not, but it is this hook's
# parent (or the `sh -c` parent's). Any other parent (a terminal, `timeout`,
# a script run by hand) is not Helm: then the `helm` on PATH, if any.
helm_bin() {
  if [ -n "${HELM_BIN:-}" ]; then echo "$HELM_BIN"; return; fi
  local pid=$PPID exe
  for _ in 1 2 3; do
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || break
    case ${exe##*/} in
      sh | bash | dash | busybox) pid=$(awk '{print $4}' "/proc/$pid/stat") ;;
      helm*) echo "$exe"; return ;;
      *) break ;;
    esac
  done
  command -v helm || true
}
helm=$(helm_bin)
helm_major=$([ -n "$helm" ] && "$helm" version --template '{{.Version}}' 2>/dev/null | cut -c2 || true)

# A failed install takes the plugin away again: Helm 3 and 4 keep whatever
# their hook left, here a plugin without its binary.
cleanup() {
  local status=$?
  [ -n "${staging:-}" ] && rm -rf -- "$staging"
  if [ "$status" -ne 0 ] && [ "$event" = install ] && [ -n "$plugin_dir" ]; then
    if [ -L "$plugin_dir" ]; then
      rm -f -- "$plugin_dir" # the link only, never what it points to
    elif [ -f "$plugin_dir/plugin.yaml" ]; then
      rm -rf -- "$plugin_dir" # Helm's copy, or this hook's clone or link folder
    fi
    echo "polyaxon-helm: nothing was installed; fix the above and run \`helm plugin install\` again" >&2
  elif [ "$status" -ne 0 ] && [ "$event" = update ]; then
    echo "polyaxon-helm: the plugin cannot run until this is fixed; then run \`helm plugin update polyaxon\` again" >&2
  fi
}
trap cleanup EXIT

if [ "$event" = install ] && [ -L "$plugin_dir" ]; then
  src=$(readlink -- "$plugin_dir")
  if [ -z "${POLYAXON_HELM_LINK:-}" ] && [ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)" -ef "$src" ] &&
    git -C "$src" rev-parse -q --verify HEAD >/dev/null; then
    # A clone beside the link (same filesystem), swapped in when complete.
    # Its origin is the checkout's path, whose last part names the plugin's
    # directory as Helm's update expects.
    staging=$(mktemp -d "$plugin_dir.XXXXXX")
    say "cloning the last commit of $src ($(git -C "$src" log -1 --format='%h %s')) into $plugin_dir"
    git clone --quiet -- "$src" "$staging/clone"
    # Helm's `git pull` then follows the checkout through amends and rebases
    # (the clone has no commits of its own to replay).
    git -C "$staging/clone" config pull.rebase true
    rm -f -- "$plugin_dir"
    mv -- "$staging/clone" "$plugin_dir"
    root=$(cd -P "$plugin_dir" && pwd)
    if [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
      say "note: uncommitted changes in $src are not installed (commit them, then \`helm plugin update polyaxon\`)"
    fi
    cloned=$src
  else
    # A folder of links with no .git: Helm's update finds no git work tree
    # there and stops ("cannot get information about plugin source").
    rm -f -- "$plugin_dir"
    mkdir -- "$plugin_dir"
    ln -s -- "$src/plugin.yaml" "$plugin_dir/plugin.yaml"
    ln -s -- "$src/scripts" "$plugin_dir/scripts"
    root=$(cd -P "$src" && pwd)
    linked=$src
  fi
fi

if [ -n "${POLYAXON_HELM_TARGET_DIR:-}" ]; then
  target=$POLYAXON_HELM_TARGET_DIR
elif cache=${HELM_CACHE_HOME:-$([ -n "$event" ] && [ -n "$helm" ] && "$helm" env HELM_CACHE_HOME 2>/dev/null || true)} && [ -n "$cache" ]; then
  target=$cache/polyaxon-helm/target
else
  target=$root/target
fi

# polyaxon-pr needs cargo and a rustc at least as new as Cargo.toml's rust-version.
need_rust() {
  local want have rustup
  want=$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' "$root/Cargo.toml")
  rustup="Rust comes with rustup (https://rustup.rs): curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh, then open a new shell (or run . \"\$HOME/.cargo/env\")"
  if ! command -v cargo >/dev/null; then
    echo "polyaxon-helm: cargo is not on PATH: polyaxon-pr is built from source and needs Rust $want or newer." >&2
    echo "polyaxon-helm: $rustup" >&2
    exit 1
  fi
  if ! have=$("${RUSTC:-rustc}" --version 2>/dev/null | awk '{print $2}') || [ -z "$have" ]; then
    echo "polyaxon-helm: cargo is on PATH but rustc does not run; with rustup: rustup default stable (Rust $want or newer)" >&2
    exit 1
  fi
  if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" != "$want" ]; then
    echo "polyaxon-helm: Rust $have is too old: polyaxon-pr needs $want or newer (rust-version in Cargo.toml); with rustup: rustup update stable" >&2
    exit 1
  fi
}

# What the binary is built from: the manifest, the lock file and every source file.
stamp=$(cd "$root" && find Cargo.toml Cargo.lock src catalog -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
built=$target/release/polyaxon-pr
install_bin() {
  mkdir -p "$root/bin"
  cp "$1" "$root/bin/polyaxon-pr.$$"
  mv "$root/bin/polyaxon-pr.$$" "$root/bin/polyaxon-pr"
  echo "$stamp" >"$root/bin/.built-from"
}
if [ -x "$root/bin/polyaxon-pr" ] && [ "$(cat "$root/bin/.built-from" 2>/dev/null)" = "$stamp" ]; then
  say "polyaxon-pr is up to date: $root/bin/polyaxon-pr"
elif [ -x "$built" ] && [ "$(cat "$built.built-from" 2>/dev/null)" = "$stamp" ] && ! [ "$built" -nt "$built.built-from" ]; then
  # Built from the same sources before (an update's `git clean` removed bin/).
  install_bin "$built"
  say "polyaxon-pr is up to date: $root/bin/polyaxon-pr (as built in $target)"
else
  need_rust
  say "building polyaxon-pr with cargo in $target (the first build takes a few minutes; later ones reuse it)..."
  # cargo's progress (a line per crate) goes to stderr, which Helm shows as it comes.
  cargo build --release --locked --manifest-path "$root/Cargo.toml" --target-dir "$target"
  echo "$stamp" >"$built.built-from"
  install_bin "$built"
  say "polyaxon-pr built: $root/bin/polyaxon-pr"
fi

# The Helm 4 post-renderer plugin, beside the binary it runs.
h4=$root/bin/helm4-plugins/polyaxon-pr
mkdir -p "$h4"
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
# Written aside and renamed: a Helm 4 install of this folder is a link to
# it, read at any time (by another install's Helm, for one).
sed "s/@VERSION@/$version/" "$root/helm4-plugins/polyaxon-pr/plugin.yaml.in" >"$h4/.plugin.yaml.$$"
mv -f -- "$h4/.plugin.yaml.$$" "$h4/plugin.yaml"
cp "$root/helm4-plugins/polyaxon-pr/polyaxon-pr.sh" "$h4/.polyaxon-pr.sh.$$"
mv -f -- "$h4/.polyaxon-pr.sh.$$" "$h4/polyaxon-pr.sh"

# The Helm 3 that reads these plugins directories, if any: a `helm` or
# `helm3…` on PATH other than the Helm running this.
helm3_sharing() {
  local dir f p
  while IFS= read -r dir; do
    for f in "$dir"/helm "$dir"/helm3*; do
      [ -x "$f" ] && ! [ "$f" -ef "$helm" ] || continue
      [ "$("$f" version --template '{{.Version}}' 2>/dev/null | cut -c1-2)" = v3 ] || continue
      while IFS= read -r p; do
        [ "$p" -ef "$1" ] && { echo "$f"; return 0; }
      done < <("$f" env HELM_PLUGINS 2>/dev/null | tr : '\n')
    done
  done < <(tr : '\n' <<<"$PATH")
  return 1
}
if [ -n "$plugin_dir" ]; then
  plugins=$(dirname "$plugin_dir")
elif [ -n "$helm" ]; then
  plugins=$("$helm" env HELM_PLUGINS 2>/dev/null | cut -d: -f1)
else
  plugins=
fi
if [ "$helm_major" = 4 ] && [ -n "$plugins" ]; then
  if [ -f "$plugins/polyaxon-pr/plugin.yaml" ]; then
    say "Helm 4 post-renderer plugin polyaxon-pr: already installed"
  elif helm3=$(helm3_sharing "$plugins"); then
    say "Helm 4 post-renderer plugin polyaxon-pr: not installed, because Helm 3 ($helm3) reads the same plugins directory and cannot load it."
    say "\`helm polyaxon template|install|upgrade\` works without it; for \`--post-renderer polyaxon-pr\` by hand, run Helm 4 with"
    say "HELM_PLUGINS=\"$plugins:$root/bin/helm4-plugins\""
  else
    # A link left dangling by an earlier install would block Helm's.
    [ -L "$plugins/polyaxon-pr" ] && ! [ -e "$plugins/polyaxon-pr" ] && rm -f -- "$plugins/polyaxon-pr"
    if "$helm" plugin install "$h4" >/dev/null; then
      say "Helm 4 post-renderer plugin polyaxon-pr installed: use --post-renderer polyaxon-pr"
    else
      say "warning: the Helm 4 post-renderer plugin polyaxon-pr could not be installed (above); \`helm polyaxon template|install|upgrade\` works without it"
    fi
  fi
elif [ "$helm_major" = 3 ] && [ -n "$plugins" ] && grep -qs '^apiVersion:' "$plugins/polyaxon-pr/plugin.yaml"; then
  say "warning: $plugins/polyaxon-pr is Helm 4's post-renderer plugin, which Helm 3 cannot load (every \`helm plugin\` command fails);"
  say "remove it with Helm 4 (\`helm plugin uninstall polyaxon-pr\`): Helm 4's \`helm polyaxon\` works without it"
fi

if [ -n "${cloned:-}" ]; then
  say "installed from a git clone of $cloned: \`helm plugin update polyaxon\` pulls its new commits and never writes to $cloned"
elif [ -n "${linked:-}" ]; then
  why=$([ -n "${POLYAXON_HELM_LINK:-}" ] && echo "POLYAXON_HELM_LINK is set" || echo "it is no git checkout")
  say "installed as a link to $linked ($why): it runs what is built there; rebuild with"
  say "$root/scripts/build.sh (\`helm plugin update polyaxon\` does not apply to a linked install)"
fi
