#!/usr/bin/env bash
# The README's first command: builds omrun and its plugins, creates a small SQLite database, and
# ingests it with the sqlite plugin into a JSON Lines file of OpenMetadata Create requests. Needs
# only cargo (rustup); no database server, no OpenMetadata.
#
#   scripts/demo.sh            output in build/demo/
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
out="$repo/build/demo"
mkdir -p "$out"

bash "$repo/scripts/build-plugins.sh"
cargo build --release -p omrun --manifest-path "$repo/Cargo.toml"
cargo run --quiet --release -p omrun --manifest-path "$repo/Cargo.toml" --example demo_db -- "$out/shop.db"

export SQLITE_DATABASE_PATH="$out/shop.db" OMRUN_OUTPUT="$out/shop.jsonl"
"$CARGO_TARGET_DIR/release/omrun" ingest -c "$repo/examples/distributed-ingestion/sqlite-local.yaml" \
    --report-json "$out/report.json"

echo
echo "OpenMetadata Create requests: $OMRUN_OUTPUT ($(wc -l < "$OMRUN_OUTPUT") lines); run report: $out/report.json"
