#!/usr/bin/env bash
# The Databricks benchmark (docs/performance.md#databricks): the Unity Catalog stand-in
# (tests/support/databricks/standin.py) serving N generated tables (every tenth a view) with a fixed
# latency per API call, ingested by omrun sequentially and then on local workers, each into a file.
# Checks that both files hold the same requests (as sorted lines) and that the token appears in
# neither, and prints both wall times and the calls each run made.
#
#   scripts/bench-databricks.sh [--tables 1000] [--latency-ms 50] [--parallelism 8] [--page-size 50]
#                               [--no-build]
#
# OMRUN_BIN picks the omrun to measure (default: a release build, made here); CARGO_TARGET_DIR is
# honoured for it (the plugins build into their own target dir). --no-build measures
# build/plugins/databricks.wasm as it is. Needs python3 (the stand-in is standard library only).
set -euo pipefail

tables=1000 latency_ms=50 parallelism=8 page_size=50 build=1
usage="usage: scripts/bench-databricks.sh [--tables N] [--latency-ms N] [--parallelism N] [--page-size N] [--no-build]"
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
        --page-size) page_size=$2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
    shift 2
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
host_target="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
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
    env -u CARGO_TARGET_DIR bash "$repo/scripts/build-plugins.sh" >/dev/null
fi
if [[ -z ${OMRUN_BIN:-} ]]; then
    CARGO_TARGET_DIR=$host_target cargo build --release -q -p omrun --bin omrun --manifest-path "$repo/Cargo.toml"
    OMRUN_BIN="$host_target/release/omrun"
fi
omrun=$OMRUN_BIN
plugin="$repo/build/plugins/databricks.wasm"
# A fresh token per run, from the environment only: it must appear in no output.
token="dapi$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

log "Unity Catalog stand-in: $tables tables and views, ${latency_ms} ms per call, $page_size items a page"
coproc STANDIN (exec python3 "$repo/tests/support/databricks/standin.py" serve --synthetic "$tables" \
    --token "$token" --latency-ms "$latency_ms" --page-size "$page_size" --log "$work/requests.jsonl")
standin_pid=$STANDIN_PID
read -r host_port <&"${STANDIN[0]}"

cat > "$work/databricks.yaml" <<YAML
source:
  type: databricks
  serviceName: databricks_bench
  serviceConnection:
    config:
      type: UnityCatalog
      hostPort: http://$host_port
      authType:
        token: \${DATABRICKS_TOKEN}
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
    before=0
    [[ -f $work/requests.jsonl ]] && before=$(wc -l < "$work/requests.jsonl")
    start=$(date +%s.%N)
    if ! DATABRICKS_TOKEN=$token "$omrun" ingest -c "$work/databricks.yaml" --plugin "$plugin" \
        --file-sink "$work/$name.jsonl" "$@" > "$work/$name.log" 2>&1; then
        echo "bench-databricks.sh: the $name run failed:" >&2
        tail -n 20 "$work/$name.log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    grep -E '\[INFO\] (Processed|Failed|Retried):' "$work/$name.log" | sed "s/^.*\[INFO\] /    $name: /" >&2
    echo "    $name: $(( $(wc -l < "$work/requests.jsonl") - before )) API calls" >&2
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
    echo "bench-databricks.sh: sequential and local wrote different requests:" >&2
    diff "$work/sequential.sorted" "$work/local.sorted" | head -n 20 >&2
    exit 1
fi
if grep -q -- "$token" "$work"/*.jsonl "$work"/*.log; then
    echo "bench-databricks.sh: the token appears in omrun's output" >&2
    exit 1
fi
count() { grep -c "\"kind\":\"$1\"" "$work/sequential.jsonl" || true; }
echo "    identical: $(wc -l < "$work/sequential.jsonl") requests each ($(count CreateTableRequest) tables and views); the token in neither" >&2

printf '\n%s tables and views, %s ms per Unity Catalog call, %s items a page\n' "$tables" "$latency_ms" "$page_size"
printf '%-11s %8s %9s %8s\n' mode workers 'wall (s)' speedup
printf '%-11s %8d %9.2f %7.2fx\n' sequential 1 "$sequential" 1
printf '%-11s %8d %9.2f %7.2fx\n' local "$parallelism" "$local_" "$(echo "$sequential / $local_" | bc -l)"
