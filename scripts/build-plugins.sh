#!/usr/bin/env bash
# Builds every connector plugin (plugins/*) in release for wasm32-wasip2 and copies each plugin's
# component to build/plugins/<name>.wasm. The one documented way to build the plugins.
#
#   scripts/build-plugins.sh
#
# CARGO_TARGET_DIR is honoured (default: $HOME/.cache/omrun/plugins-target).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/build/plugins"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/plugins-target}"
target=wasm32-wasip2

if ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target"
fi

cd "$repo/plugins"
cargo build --release --locked --target "$target" --workspace

# Only cdylib crates produce a .wasm: the sdk and common-db are rlibs. Their lib names come from
# cargo metadata, so a new plugin needs no change here.
mapfile -t plugins < <(cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    for t in p["targets"]:
        if "cdylib" in t["crate_types"]:
            print(t["name"])
')

mkdir -p "$out"
for name in "${plugins[@]}"; do
    cp "$CARGO_TARGET_DIR/$target/release/$name.wasm" "$out/$name.wasm"
    printf '%-40s %8d bytes\n' "build/plugins/$name.wasm" "$(stat -c %s "$out/$name.wasm")"
done
