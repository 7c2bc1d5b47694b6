#!/usr/bin/env bash
# The Trino benchmark (docs/performance.md#trino): the Trino stand-in (tests/support/trino/standin.py)
# serving N generated tables (every tenth a view) with a fixed latency per HTTP request, ingested
# by omrun sequentially and then on local workers, each into a file. Checks that both files hold the
# same requests (as sorted lines) and prints both wall times.
#
#   scripts/bench-trino.sh [--tables 2000] [--latency-ms 50] [--parallelism 8] [--page-rows 1000]
#                          [--no-build]
#
# OMRUN_BIN picks the omrun to measure (default: a release build, made here); CARGO_TARGET_DIR is
# honoured. --no-build measures build/plugins/trino.wasm as it is. Needs python3 (the stand-in is
# standard library only).
set -euo pipefail

tables=2000 latency_ms=50 parallelism=8 page_rows=1000 build=1
usage="usage: scripts/bench-trino.sh [--tables N] [--latency-ms N] [--parallelism N] [--page-rows N] [--no-build]"
while [[ $# -gt 0 ]]; do
    if [[ $1 == --no-build ]]; then
        build=0
        shift
        continue
    fi
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    case $1 in
        --tables) tables=$2 ;;
        --latency-ms) latency_ms=$2 ;;
        --parallelism) parallelism=$2 ;;
        --page-rows) page_rows=$2 ;;
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

if ((build)); then
    log "building"
    bash "$repo/scripts/build-plugins.sh" >/dev/null
fi
if [[ -z ${OMRUN_BIN:-} ]]; then
    cargo build --release -q -p omrun --bin omrun --manifest-path "$repo/Cargo.toml"
    OMRUN_BIN="$CARGO_TARGET_DIR/release/omrun"
fi
omrun=$OMRUN_BIN
plugin="$repo/build/plugins/trino.wasm"

log "Trino stand-in: $tables tables and views, ${latency_ms} ms per request, $page_rows rows a page"
coproc STANDIN (exec python3 "$repo/tests/support/trino/standin.py" serve --synthetic "$tables" \
    --latency-ms "$latency_ms" --page-rows "$page_rows" --log "$work/requests.jsonl")
standin_pid=$STANDIN_PID
read -r host_port <&"${STANDIN[0]}"

cat > "$work/trino.yaml" <<YAML
source:
  type: trino
  serviceName: trino_bench
  serviceConnection:
    config:
      type: Trino
      hostPort: $host_port
      username: bench
  sourceConfig:
    config:
      type: DatabaseMetadata
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
    local start end before
    before=$(wc -l < "$work/requests.jsonl" 2>/dev/null || echo 0)
    start=$(date +%s.%N)
    if ! "$omrun" ingest -c "$work/trino.yaml" --plugin "$plugin" --file-sink "$work/$name.jsonl" \
        "$@" > "$work/$name.log" 2>&1; then
        echo "bench-trino.sh: the $name run failed:" >&2
        tail -n 20 "$work/$name.log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    grep -E '\[INFO\] (Processed|Failed|Retried):' "$work/$name.log" | sed "s/^.*\[INFO\] /    $name: /" >&2
    echo "    $name: $(( $(wc -l < "$work/requests.jsonl") - before )) HTTP requests" >&2
    echo "$end - $start" | bc
}

log "sequential"
sequential=$(run sequential --orchestrator sequential)
log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")

log "comparing the outputs"
sort "$work/sequential.jsonl" > "$work/sequential.sorted"
sort "$work/local.jsonl" > "$work/local.sorted"
if ! cmp -s "$work/sequential.sorted" "$work/local.sorted"; then
    echo "bench-trino.sh: sequential and local wrote different requests:" >&2
    diff "$work/sequential.sorted" "$work/local.sorted" | head -n 20 >&2
    exit 1
fi
count() { grep -c "\"kind\":\"$1\"" "$work/sequential.jsonl" || true; }
echo "    identical: $(wc -l < "$work/sequential.jsonl") requests each ($(count CreateTableRequest) tables and views)" >&2

printf '\n%s tables and views, %s ms per Trino request, %s rows a page\n' "$tables" "$latency_ms" "$page_rows"
printf '%-11s %8s %9s %8s\n' mode workers 'wall (s)' speedup
printf '%-11s %8d %9.2f %7.2fx\n' sequential 1 "$sequential" 1
printf '%-11s %8d %9.2f %7.2fx\n' local "$parallelism" "$local_" "$(echo "$sequential / $local_" | bc -l)"
