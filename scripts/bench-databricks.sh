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
# OMRUN_BIN and CARGO_TARGET_DIR as in scripts/bench-lib.sh; --no-build measures
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

bench=bench-databricks.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_start
plugin="$repo/build/plugins/databricks.wasm"
# A fresh token per run, from the environment only: it must appear in no output.
token="dapi$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

bench_log "Unity Catalog stand-in: $tables tables and views, ${latency_ms} ms per call, $page_size items a page"
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

run() { DATABRICKS_TOKEN=$token bench_run "$1" "$work/databricks.yaml" "$plugin" "${@:2}"; }
bench_log "sequential"
sequential=$(run sequential --orchestrator sequential)
bench_log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")
bench_compare "$token"
bench_table "$tables tables and views, $latency_ms ms per Unity Catalog call, $page_size items a page" "$sequential" "$local_"
