#!/usr/bin/env bash
# Builds every connector plugin (plugins/*) in release for wasm32-wasip2 and copies each plugin's
# component to build/plugins/<name>.wasm. The one documented way to build the plugins.
#
#   scripts/build-plugins.sh                         plugins/ into build/plugins/
#   scripts/build-plugins.sh WORKSPACE OUTPUT_DIR    another plugin workspace (the tests' own)
#
# CARGO_TARGET_DIR is honoured (default: $HOME/.cache/omrun/plugins-target).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
workspace="$(cd "${1:-$repo/plugins}" && pwd)"
out="$(mkdir -p "${2:-$repo/build/plugins}" && cd "${2:-$repo/build/plugins}" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/plugins-target}"
target=wasm32-wasip2

if ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target"
fi

cd "$workspace"
cargo build --release --locked --target "$target" --workspace

# Only cdylib crates produce a .wasm (the sdk and common-db are libraries); the file is named after
# the crate's [lib] name, so a new plugin needs no change here.
mapfile -t plugins < <(for manifest in */Cargo.toml; do
    grep -q cdylib "$manifest" && sed -n '/^\[lib\]/,/^\[/s/^name *= *"\(.*\)"/\1/p' "$manifest"
done)
[[ ${#plugins[@]} -gt 0 ]] || { echo "build-plugins.sh: no plugin crate in $workspace" >&2; exit 1; }

mkdir -p "$out"
for name in "${plugins[@]}"; do
    cp "$CARGO_TARGET_DIR/$target/release/$name.wasm" "$out/$name.wasm"
    printf '%-40s %8d bytes\n' "$out/$name.wasm" "$(stat -c %s "$out/$name.wasm")"
done
