#!/usr/bin/env bash
# The Tableau benchmark (docs/performance.md#tableau): the Tableau stand-in
# (tests/support/tableau/standin.py) serving N generated workbooks with a fixed latency per call,
# ingested by omrun sequentially and then on local workers, each into a file. Checks that both
# files hold the same requests (as sorted lines) and that the token secret appears in neither, and
# prints both wall times and the calls each run made.
#
#   scripts/bench-tableau.sh [--workbooks 500] [--published 20] [--latency-ms 100]
#                            [--parallelism 8] [--no-build]
#
# Each workbook is three calls (the workbook, its views, its data sources' ids) and each data source
# one. OMRUN_BIN and CARGO_TARGET_DIR as in scripts/bench-lib.sh; --no-build measures
# build/plugins/tableau.wasm as it is. Needs python3 (the stand-in is standard library only).
set -euo pipefail

workbooks=500 published=20 latency_ms=100 parallelism=8 build=1
usage="usage: scripts/bench-tableau.sh [--workbooks N] [--published N] [--latency-ms N] [--parallelism N] [--no-build]"
while [[ $# -gt 0 ]]; do
    if [[ $1 == --no-build ]]; then
        build=0
        shift
        continue
    fi
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

bench=bench-tableau.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_start
plugin="$repo/build/plugins/tableau.wasm"
# A fresh token secret per run, from the environment only: it must appear in no output.
secret="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

bench_log "Tableau stand-in: $workbooks workbooks, $published published data sources, ${latency_ms} ms per call"
printf '{"generate": {"workbooks": %d, "published": %d}}\n' "$workbooks" "$published" > "$work/catalog.json"
: > "$work/requests.jsonl" # counted from before the first request
coproc STANDIN (exec python3 "$repo/tests/support/tableau/standin.py" serve --catalog "$work/catalog.json" \
    --token-name bench --token-secret "$secret" --latency-ms "$latency_ms" --log "$work/requests.jsonl")
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
sink:
  type: file
  config:
    filename: $work/unused.jsonl
workflowConfig:
  loggerLevel: INFO
YAML

run() { TABLEAU_TOKEN_SECRET=$secret bench_run "$1" "$work/tableau.yaml" "$plugin" "${@:2}"; }
bench_log "sequential"
sequential=$(run sequential --orchestrator sequential)
bench_log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")
bench_compare "$secret"
count() { grep -c "\"kind\":\"$1\"" "$work/sequential.jsonl" || true; }
echo "    of which $(count CreateDashboardRequest) dashboards, $(count CreateChartRequest) charts, $(count CreateDashboardDataModelRequest) data models" >&2
bench_table "$workbooks workbooks, $latency_ms ms per Tableau call" "$sequential" "$local_"
