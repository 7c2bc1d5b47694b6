#!/usr/bin/env bash
# The Trino benchmark (docs/performance.md#trino): the Trino stand-in (tests/support/trino/standin.py)
# serving N generated tables (every tenth a view) with a fixed latency per HTTP request, ingested
# by omrun sequentially and then on local workers, each into a file. Checks that both files hold the
# same requests (as sorted lines) and prints both wall times.
#
#   scripts/bench-trino.sh [--tables 2000] [--latency-ms 50] [--parallelism 8] [--page-rows 1000]
#                          [--no-build]
#
# OMRUN_BIN and CARGO_TARGET_DIR as in scripts/bench-lib.sh; --no-build measures
# build/plugins/trino.wasm as it is. Needs python3 (the stand-in is standard library only).
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

bench=bench-trino.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_start
plugin="$repo/build/plugins/trino.wasm"

bench_log "Trino stand-in: $tables tables and views, ${latency_ms} ms per request, $page_rows rows a page"
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

run() { bench_run "$1" "$work/trino.yaml" "$plugin" "${@:2}"; }
bench_log "sequential"
sequential=$(run sequential --orchestrator sequential)
bench_log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")
bench_compare 
bench_table "$tables tables and views, $latency_ms ms per Trino request, $page_rows rows a page" "$sequential" "$local_"
