#!/usr/bin/env bash
# The BigQuery benchmark (docs/performance.md#bigquery): the BigQuery stand-in
# (tests/support/bigquery/standin.py) serving N generated tables (in datasets of 100, every tenth a
# view, each with a nested record and a policy-tagged column) with a fixed latency per API call,
# ingested by omrun sequentially and then on local workers, each into a file. The service
# account's key is made here with openssl and reaches omrun only through the environment; the
# host signs the token assertion with it. Checks that both files hold the same requests (as sorted
# lines) and that the key appears in neither, and prints both wall times and the calls each made.
#
#   scripts/bench-bigquery.sh [--tables 1000] [--latency-ms 50] [--parallelism 8] [--page-size 50]
#                             [--no-build]
#
# OMRUN_BIN and CARGO_TARGET_DIR as in scripts/bench-lib.sh; --no-build measures
# build/plugins/bigquery.wasm as it is. Needs python3 and openssl.
set -euo pipefail

tables=1000 latency_ms=50 parallelism=8 page_size=50 build=1
usage="usage: scripts/bench-bigquery.sh [--tables N] [--latency-ms N] [--parallelism N] [--page-size N] [--no-build]"
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

bench=bench-bigquery.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_start
plugin="$repo/build/plugins/bigquery.wasm"

project=omrun-bench email="omrun-bench@omrun-bench.iam.gserviceaccount.com" key_id=bench-key-1
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/public.pem"
python3 - "$tables" "$project" > "$work/spec.json" <<'PY'
import json, sys
tables, project = int(sys.argv[1]), sys.argv[2]
taxonomy = f"projects/{project}/locations/us/taxonomies/1"
tag = f"{taxonomy}/policyTags/1"
datasets = {}
for i in range(tables):
    dataset = datasets.setdefault(f"ds_{i // 100:04d}", {"description": "generated", "tables": {}})
    fields = [
        {"name": "id", "type": "INT64", "mode": "REQUIRED", "description": "the key"},
        {"name": "email", "type": "STRING", "mode": "NULLABLE", "policyTags": {"names": [tag]}},
        {"name": "address", "type": "RECORD", "mode": "NULLABLE", "fields": [
            {"name": "city", "type": "STRING", "mode": "NULLABLE"},
            {"name": "zip", "type": "STRING", "mode": "NULLABLE"}]},
        {"name": "amount", "type": "NUMERIC", "mode": "NULLABLE", "precision": "12", "scale": "2"},
        {"name": "at", "type": "TIMESTAMP", "mode": "NULLABLE"},
    ]
    table = {"type": "TABLE", "description": f"table {i}", "schema": {"fields": fields},
             "timePartitioning": {"type": "DAY", "field": "at"}, "clustering": {"fields": ["id"]}}
    if i % 10 == 9:
        table = {"type": "VIEW", "view": {"query": f"SELECT 1 AS x -- {i}"},
                 "schema": {"fields": [{"name": "x", "type": "INT64", "mode": "NULLABLE"}]}}
    dataset["tables"][f"t_{i:06d}"] = table
print(json.dumps({"projects": {project: {"datasets": datasets}},
                  "taxonomies": {taxonomy: {"displayName": "Sensitivity",
                                            "policyTags": {tag: {"displayName": "PII"}}}}}))
PY

bench_log "BigQuery stand-in: $tables tables and views, ${latency_ms} ms per call, $page_size items a page"
coproc STANDIN (exec python3 "$repo/tests/support/bigquery/standin.py" serve --catalog "$work/spec.json" \
    --client-email "$email" --key-id "$key_id" --public-key "$work/public.pem" \
    --latency-ms "$latency_ms" --page-size "$page_size" --log "$work/requests.jsonl")
standin_pid=$STANDIN_PID
read -r host_port <&"${STANDIN[0]}"

cat > "$work/bigquery.yaml" <<YAML
source:
  type: bigquery
  serviceName: bigquery_bench
  serviceConnection:
    config:
      type: BigQuery
      hostPort: http://$host_port
      credentials:
        gcpConfig:
          type: service_account
          projectId: $project
          privateKeyId: $key_id
          privateKey: \${BQ_PRIVATE_KEY}
          clientEmail: $email
          tokenUri: http://$host_port/token
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


run() { BQ_PRIVATE_KEY=$(cat "$work/key.pem") bench_run "$1" "$work/bigquery.yaml" "$plugin" "${@:2}"; }
bench_log "sequential"
sequential=$(run sequential --orchestrator sequential)
bench_log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")
bench_compare "$(sed -n 2p "$work/key.pem")"
bench_table "$tables tables and views, $latency_ms ms per BigQuery call, $page_size items a page" \
    "$sequential" "$local_"
