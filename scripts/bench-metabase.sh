#!/usr/bin/env bash
# The Metabase benchmark (docs/performance.md#metabase): the Metabase stand-in
# (tests/support/metabase/standin.py) serving N generated dashboards (1-4 cards each, models,
# questions on no dashboard) with a fixed latency per API call, ingested by omrun sequentially and
# then on local workers, each into a file, with a session login (the password reaches omrun only
# through the environment). Checks that both files hold the same requests (as sorted lines) and
# that the password appears in neither, and prints both wall times and the calls each made.
#
#   scripts/bench-metabase.sh [--dashboards 500] [--latency-ms 50] [--parallelism 8] [--no-default]
#                             [--no-build]
#
# --no-default leaves out OpenMetadata's `default` dashboard (the cards on no dashboard) by
# dashboardFilterPattern: finding those cards reads every dashboard again in one ref, which no
# number of workers shortens (docs/connectors.md#metabase).
#
# OMRUN_BIN and CARGO_TARGET_DIR as in scripts/bench-lib.sh; --no-build measures
# build/plugins/metabase.wasm as it is. Needs python3.
set -euo pipefail

dashboards=500 latency_ms=50 parallelism=8 build=1 filter=
usage="usage: scripts/bench-metabase.sh [--dashboards N] [--latency-ms N] [--parallelism N] [--no-default] [--no-build]"
while [[ $# -gt 0 ]]; do
    if [[ $1 == --no-build ]]; then
        build=0
        shift
        continue
    fi
    if [[ $1 == --no-default ]]; then
        filter=$'      dashboardFilterPattern:\n        excludes: ["^default$"]'
        shift
        continue
    fi
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    case $1 in
        --dashboards) dashboards=$2 ;;
        --latency-ms) latency_ms=$2 ;;
        --parallelism) parallelism=$2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
    shift 2
done

bench=bench-metabase.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_start
plugin="$repo/build/plugins/metabase.wasm"

# A fresh password per run, in the environment only: the stand-in refuses any other.
METABASE_PASSWORD="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export METABASE_PASSWORD
printf '{"generate": {"dashboards": %d, "password": "%s"}}\n' "$dashboards" "$METABASE_PASSWORD" \
    > "$work/spec.json"

bench_log "Metabase stand-in: $dashboards dashboards, ${latency_ms} ms per call"
: > "$work/requests.jsonl"
coproc STANDIN (exec python3 "$repo/tests/support/metabase/standin.py" serve --catalog "$work/spec.json" \
    --latency-ms "$latency_ms" --log "$work/requests.jsonl")
standin_pid=$STANDIN_PID
read -r host_port <&"${STANDIN[0]}"
rm "$work/spec.json"

cat > "$work/metabase.yaml" <<YAML
source:
  type: metabase
  serviceName: metabase_bench
  serviceConnection:
    config:
      type: Metabase
      hostPort: http://$host_port
      username: admin@example.com
      password: \${METABASE_PASSWORD}
  sourceConfig:
    config:
      type: DashboardMetadata
      includeOwners: true
$filter
sink:
  type: file
  config:
    filename: $work/unused.jsonl
workflowConfig:
  loggerLevel: INFO
YAML

run() { bench_run "$1" "$work/metabase.yaml" "$plugin" "${@:2}"; }
bench_log "sequential"
sequential=$(run sequential --orchestrator sequential)
bench_log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")
bench_compare "$METABASE_PASSWORD"
count() { grep -c "\"kind\":\"$1\"" "$work/sequential.jsonl" || true; }
echo "    $(count CreateDashboardRequest) dashboards, $(count CreateChartRequest) charts, $(count CreateDashboardDataModelRequest) data models" >&2
bench_table "$dashboards dashboards, $latency_ms ms per Metabase call" "$sequential" "$local_"
