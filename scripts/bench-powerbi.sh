#!/usr/bin/env bash
# The Power BI benchmark (docs/performance.md): the Power BI stand-in
# (tests/support/powerbi/standin.py: Entra ID's token endpoint and the Power BI REST API) serving
# a synthetic tenant with a fixed latency per call, ingested by omrun (release build) through the
# admin scanner API, sequentially and then on local workers, each into a file. Checks that both
# files hold the same requests and prints both wall times.
#
#   scripts/bench-powerbi.sh [--workspaces 40] [--reports 10] [--latency-ms 50] [--parallelism 8]
#                            [--no-build]
#
# Per workspace: `--reports` reports of two pages, a dashboard of three tiles, a dataset and a
# dataflow. The per-entity work is one call per report (its pages) and per dataflow (its
# definition); every worker also lists and scans the workspaces once.
set -euo pipefail

workspaces=40 reports=10 latency_ms=50 parallelism=8 build=1
usage="usage: scripts/bench-powerbi.sh [--workspaces N] [--reports N] [--latency-ms N] [--parallelism N] [--no-build]"
while [[ $# -gt 0 ]]; do
    if [[ $1 == --no-build ]]; then
        build=0
        shift
        continue
    fi
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    case $1 in
        --workspaces) workspaces=$2 ;;
        --reports) reports=$2 ;;
        --latency-ms) latency_ms=$2 ;;
        --parallelism) parallelism=$2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
    shift 2
done

bench=bench-powerbi.sh
source "$(dirname "$0")/bench-lib.sh"
bench_start
plugin="$repo/build/plugins/powerbi.wasm"
tenant=5f3c2a10-7c1e-4b8e-9d2a-0c0ffee0bench
client=bench-app
# A fresh secret per run, in the environment only: the stand-in refuses any other, and it must
# not appear in anything omrun writes.
POWERBI_CLIENT_SECRET="bench~$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export POWERBI_CLIENT_SECRET

python3 - "$work/catalog.json" "$workspaces" "$reports" "$tenant" "$client" <<'PY'
import json, os, sys
out, workspaces, reports, tenant, client = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
gid = lambda k, w, i: f"{k:08x}-{w:04x}-4000-8000-{i:012x}"
ws = []
for w in range(workspaces):
    ws.append({
        "id": gid(0, w, 0), "name": f"Workspace {w}", "state": "Active",
        "reports": [{"id": gid(1, w, r), "name": f"Report {w}.{r}", "datasetId": gid(3, w, 0),
                     "pages": [{"name": f"ReportSection{p}", "displayName": f"Page {p}"} for p in range(2)]}
                    for r in range(reports)],
        "dashboards": [{"id": gid(2, w, 0), "displayName": f"Dashboard {w}",
                        "tiles": [{"id": gid(5, w, t), "title": f"Tile {t}", "reportId": gid(1, w, 0)}
                                  for t in range(3)]}],
        "datasets": [{"id": gid(3, w, 0), "name": f"Model {w}", "tables": [{"name": "orders", "columns": [
            {"name": "id", "dataType": "Int64"}, {"name": "amount", "dataType": "Decimal"}]}]}],
        "dataflows": [{"objectId": gid(4, w, 0), "name": f"Flow {w}", "export": {"entities": [
            {"name": "customers", "attributes": [{"name": "id", "dataType": "int64"}]}]}}],
    })
json.dump({"tenant": tenant, "client_id": client, "client_secret": os.environ["POWERBI_CLIENT_SECRET"],
           "workspaces": ws}, open(out, "w"))
PY

bench_log "Power BI stand-in: $workspaces workspaces of $reports reports, ${latency_ms} ms per call"
coproc STANDIN (exec python3 "$repo/tests/support/powerbi/standin.py" serve --catalog "$work/catalog.json" \
    --latency-ms "$latency_ms" --log "$work/requests.jsonl")
standin_pid=$STANDIN_PID
read -r host_port <&"${STANDIN[0]}"

cat > "$work/powerbi.yaml" <<YAML
source:
  type: powerbi
  serviceName: powerbi_bench
  serviceConnection:
    config:
      type: PowerBI
      tenantId: $tenant
      clientId: $client
      clientSecret: \${POWERBI_CLIENT_SECRET}
      authorityURI: http://$host_port/
      apiURL: http://$host_port
      hostPort: http://$host_port
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

run() { bench_run "$1" "$work/powerbi.yaml" "$plugin" "${@:2}"; }
bench_log "sequential"
sequential=$(run sequential --orchestrator sequential)
bench_log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")
bench_compare "$POWERBI_CLIENT_SECRET"
count() { grep -c "\"kind\":\"$1\"" "$work/sequential.jsonl" || true; }
echo "    $(count CreateDashboardRequest) dashboards, $(count CreateChartRequest) charts, $(count CreateDashboardDataModelRequest) data models" >&2
bench_table "$workspaces workspaces, $((workspaces * (reports + 1))) reports and dashboards, $latency_ms ms per Power BI call" "$sequential" "$local_"
