#!/usr/bin/env bash
# The Tableau benchmark (docs/performance.md): the Tableau stand-in (tests/support/tableau/
# standin.py, python3 alone) serving N synthetic workbooks with a fixed latency per call, ingested
# by omrun (release build) sequentially and then on local workers, each into a file. Checks that
# both files hold the same requests (as sorted lines) and prints both wall times.
#
#   scripts/bench-tableau.sh [--workbooks 500] [--published 20] [--latency-ms 100] [--parallelism 8]
#
# Each workbook is three calls (the workbook, its views, its data sources' ids) and each data
# source one: 500 workbooks (about 750 data sources) at 100 ms take about 4 minutes sequentially.
set -euo pipefail

workbooks=500 published=20 latency_ms=100 parallelism=8
usage="usage: scripts/bench-tableau.sh [--workbooks N] [--published N] [--latency-ms N] [--parallelism N]"
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    case $1 in
        --workbooks) workbooks=$2 ;;
        --published) published=$2 ;;
        --latency-ms) latency_ms=$2 ;;
        --parallelism) parallelism=$2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
    shift 2
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
work=$(mktemp -d)
log() { printf '\n==> %s\n' "$*" >&2; }
standin_pid=
cleanup() {
    [[ -n $standin_pid ]] && kill "$standin_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

log "building (release)"
(cd "$repo/plugins" && cargo build --release -q --locked --target wasm32-wasip2 -p omrun-tableau)
cargo build --release -q -p omrun --bin omrun --manifest-path "$repo/Cargo.toml"
omrun="$CARGO_TARGET_DIR/release/omrun"
plugin="$CARGO_TARGET_DIR/wasm32-wasip2/release/tableau.wasm"

# A fresh token secret per run, in the environment only: the stand-in refuses any other, and it
# must not appear in anything omrun writes.
TABLEAU_TOKEN_SECRET="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export TABLEAU_TOKEN_SECRET

log "Tableau stand-in: $workbooks workbooks, $published published data sources, ${latency_ms} ms per call"
printf '{"generate": {"workbooks": %d, "published": %d}}\n' "$workbooks" "$published" > "$work/catalog.json"
coproc STANDIN (exec python3 "$repo/tests/support/tableau/standin.py" serve --catalog "$work/catalog.json" \
    --token-name bench --token-secret "$TABLEAU_TOKEN_SECRET" --latency-ms "$latency_ms" --log "$work/requests.jsonl")
standin_pid=$STANDIN_PID
read -r host_port <&"${STANDIN[0]}"

cat > "$work/tableau.yaml" <<YAML
source:
  type: tableau
  serviceName: tableau_bench
  serviceConnection:
    config:
      type: Tableau
      hostPort: http://$host_port
      siteName: omrun
      authType:
        personalAccessTokenName: bench
        personalAccessTokenSecret: \${TABLEAU_TOKEN_SECRET}
  sourceConfig:
    config:
      type: DashboardMetadata
      includeDataModels: true
sink:
  type: file
  config:
    filename: $work/unused.jsonl
workflowConfig:
  loggerLevel: INFO
YAML

# Compiles the plugin into omrun's cache, so neither timed run pays for it.
"$omrun" plugin inspect "$plugin" >/dev/null

run() { # name, orchestrator flags… -> wall seconds on stdout
    local name=$1
    shift
    local start end
    start=$(date +%s.%N)
    if ! "$omrun" ingest -c "$work/tableau.yaml" --plugin "$plugin" --file-sink "$work/$name.jsonl" \
        "$@" > "$work/$name.log" 2>&1; then
        echo "bench-tableau.sh: the $name run failed:" >&2
        tail -n 20 "$work/$name.log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    grep -E '\[INFO\] (Processed|Failed|Retried|Duration):' "$work/$name.log" | sed "s/^.*\[INFO\]/    $name:/" >&2
    echo "$end - $start" | bc
}

log "sequential"
sequential=$(run sequential --orchestrator sequential)
calls=$(wc -l < "$work/requests.jsonl")
log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")

log "comparing the outputs"
sort "$work/sequential.jsonl" > "$work/sequential.sorted"
sort "$work/local.jsonl" > "$work/local.sorted"
if ! cmp -s "$work/sequential.sorted" "$work/local.sorted"; then
    echo "bench-tableau.sh: sequential and local wrote different requests:" >&2
    diff "$work/sequential.sorted" "$work/local.sorted" | head -n 20 >&2
    exit 1
fi
if grep -qF "$TABLEAU_TOKEN_SECRET" "$work"/*.jsonl "$work"/*.log; then
    echo "bench-tableau.sh: the token secret appears in omrun's output" >&2
    exit 1
fi
count() { grep -c "\"kind\":\"$1\"" "$work/sequential.jsonl" || true; }
echo "    identical: $(wc -l < "$work/sequential.jsonl") requests each ($(count CreateDashboardRequest) dashboards, $(count CreateChartRequest) charts, $(count CreateDashboardDataModelRequest) data models); $calls calls to Tableau sequentially" >&2

stdin_fd=${STANDIN[1]}
exec {stdin_fd}>&- # closes the stand-in's stdin: it exits
wait "$standin_pid" 2>/dev/null || true
standin_pid=

printf '\n%s workbooks, %s ms per Tableau call\n' "$workbooks" "$latency_ms"
printf '%-11s %8s %9s %8s\n' mode workers 'wall (s)' speedup
printf '%-11s %8d %9.1f %7.2fx\n' sequential 1 "$sequential" 1
printf '%-11s %8d %9.1f %7.2fx\n' local "$parallelism" "$local_" "$(echo "$sequential / $local_" | bc -l)"
