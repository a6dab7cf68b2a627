#!/usr/bin/env bash
# The plugin's install and update hook (safe to run by hand): builds
# polyaxon-pr from source with cargo (nothing downloaded but crates) into
# bin/, then, under Helm 4, installs the postrenderer/v1 plugin beside it so
# that `--post-renderer polyaxon-pr` works. Helm 3 needs no second plugin
# (it takes the binary's path) and could not read one.
#
# The build is skipped when bin/polyaxon-pr was built from the same sources;
# cargo's build directory lives under $HELM_CACHE_HOME/polyaxon-helm when
# Helm runs this (an update replaces the plugin's directory, not the cache),
# under target/ otherwise. POLYAXON_HELM_TARGET_DIR overrides both.
set -euo pipefail
root=$(cd -P "$(dirname "$0")/.." && pwd)
if [ -n "${POLYAXON_HELM_TARGET_DIR:-}" ]; then
  target=$POLYAXON_HELM_TARGET_DIR
elif [ -n "${HELM_CACHE_HOME:-}" ]; then
  target=$HELM_CACHE_HOME/polyaxon-helm/target
else
  target=$root/target
fi
# What the binary is built from: the manifest, the lock file and every source file.
stamp=$(cd "$root" && find Cargo.toml Cargo.lock src catalog -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
if [ -x "$root/bin/polyaxon-pr" ] && [ "$(cat "$root/bin/.built-from" 2>/dev/null)" = "$stamp" ]; then
  echo "polyaxon-pr is up to date: $root/bin/polyaxon-pr"
else
  echo "Building polyaxon-pr with cargo in $target (the first build takes a few minutes; later ones reuse it)..."
  # cargo's progress (a line per crate) goes to stderr, which Helm shows as it comes.
  cargo build --release --locked --manifest-path "$root/Cargo.toml" --target-dir "$target"
  mkdir -p "$root/bin"
  cp "$target/release/polyaxon-pr" "$root/bin/polyaxon-pr.$$"
  mv "$root/bin/polyaxon-pr.$$" "$root/bin/polyaxon-pr"
  echo "$stamp" >"$root/bin/.built-from"
  echo "polyaxon-pr built: $root/bin/polyaxon-pr"
fi
# Helm 4: the post-renderer plugin, once. Helm 3 names itself in HELM_BIN;
# Helm 4 does not, but it is this hook's parent (or the `sh -c` parent's).
helm_bin() {
  if [ -n "${HELM_BIN:-}" ]; then echo "$HELM_BIN"; return; fi
  local pid=$PPID exe
  for _ in 1 2 3; do
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || break
    case ${exe##*/} in sh | bash | dash | busybox) pid=$(awk '{print $4}' "/proc/$pid/stat") ;; *) echo "$exe"; return ;; esac
  done
  command -v helm || true
}
helm=$(helm_bin)
if [ -n "$helm" ] && "$helm" version --template '{{.Version}}' 2>/dev/null | grep -q '^v4'; then
  if "$helm" plugin list 2>/dev/null | grep -q '^polyaxon-pr[[:space:]]'; then
    echo "Helm 4 post-renderer plugin polyaxon-pr: already installed"
  else
    "$helm" plugin install "$root/helm4-plugins/polyaxon-pr" >/dev/null
    echo "Helm 4 post-renderer plugin polyaxon-pr installed: use --post-renderer polyaxon-pr"
  fi
fi
