#!/usr/bin/env bash
# The Airflow benchmark: a real Apache Airflow 3 (scripts/server-venv.sh airflow) with N generated
# DAGs of 6 tasks each (one DAG file makes them all), serialized once by `airflow dags reserialize`
# and served by `airflow api-server` on a SQLite metadata database, ingested by omrun sequentially
# and then on local workers, each into a file. Checks that both files hold the same requests (as
# sorted lines) and prints both wall times.
#
#   scripts/bench-airflow.sh [--dags 200] [--parallelism 4] [--omrun PATH]
#
# The DAGs have no runs (a run needs `airflow dags test`, ~10 s each, or a scheduler): each DAG
# costs its three calls (the DAG, its tasks, its runs); the task instance calls a run adds are not
# measured. Airflow has no latency knob: this measures its API server as it is, on this machine.
# --omrun picks another omrun build (default: the release build, made here).
set -euo pipefail

dags=200 parallelism=4 omrun=
usage="usage: scripts/bench-airflow.sh [--dags N] [--parallelism N] [--omrun PATH]"
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    case $1 in
        --dags) dags=$2 ;;
        --parallelism) parallelism=$2 ;;
        --omrun) omrun=$2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
    shift 2
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
work=$(mktemp -d)
log() { printf '\n==> %s\n' "$*" >&2; }
airflow_pid=
cleanup() {
    [[ -n $airflow_pid ]] && kill -- "-$airflow_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

venv=$(bash "$repo/scripts/server-venv.sh" airflow)

log "building"
(cd "$repo/plugins" && cargo build --release -q --target wasm32-wasip2 -p omrun-airflow)
mkdir -p "$repo/build/plugins"
cp "$CARGO_TARGET_DIR/wasm32-wasip2/release/airflow.wasm" "$repo/build/plugins/airflow.wasm"
if [[ -z $omrun ]]; then
    cargo build --release -q -p omrun --bin omrun --manifest-path "$repo/Cargo.toml"
    omrun="$CARGO_TARGET_DIR/release/omrun"
fi
plugin="$repo/build/plugins/airflow.wasm"

log "Airflow with $dags DAGs"
mkdir -p "$work/dags"
cat > "$work/dags/generated.py" <<PY
"""$dags DAGs for scripts/bench-airflow.sh: extract >> [a, b, c] >> join >> load, tagged, owned."""
from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

for i in range($dags):
    with DAG(
        dag_id=f"bench_{i:05d}",
        description=f"Generated DAG {i}",
        schedule="@daily" if i % 2 else None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["bench", f"group_{i % 7}"],
        default_args={"owner": f"team_{i % 5}"},
        is_paused_upon_creation=bool(i % 3 == 0),
    ) as dag:
        branches = [EmptyOperator(task_id=b) for b in ("a", "b", "c")]
        EmptyOperator(task_id="extract") >> branches >> EmptyOperator(task_id="join") >> EmptyOperator(task_id="load")
    globals()[dag.dag_id] = dag
PY
echo '{"admin": "bench-Airfl0w-pw"}' > "$work/passwords.json"
export AIRFLOW_HOME=$work
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$work/airflow.db
export AIRFLOW__CORE__DAGS_FOLDER=$work/dags
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=$work/passwords.json
export AIRFLOW__API_AUTH__JWT_SECRET=omrun-bench-airflow-jwt-secret-0123456789
export AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING
"$venv/bin/airflow" db migrate >"$work/migrate.log" 2>&1
"$venv/bin/airflow" dags reserialize >"$work/reserialize.log" 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Its own process group (setsid execs Airflow: the same pid), killed whole at exit.
setsid "$venv/bin/airflow" api-server -H 127.0.0.1 -p "$port" -w 1 >"$work/api-server.log" 2>&1 &
airflow_pid=$!
until curl -sf "http://127.0.0.1:$port/api/v2/version" >/dev/null; do sleep 0.5; done

cat > "$work/airflow.yaml" <<YAML
source:
  type: airflow
  serviceName: airflow_bench
  serviceConnection:
    config:
      type: Airflow
      hostPort: http://127.0.0.1:$port
      connection:
        type: RestAPI
        authConfig:
          username: admin
          password: \${AIRFLOW_PASSWORD}
  sourceConfig:
    config:
      type: PipelineMetadata
sink:
  type: file
  config:
    filename: unused.jsonl
workflowConfig:
  loggerLevel: WARN
  distributedExecution:
    enabled: true
    orchestrator: sequential
YAML

run() {
    local name=$1
    shift
    local start end
    start=$(date +%s.%N)
    if ! AIRFLOW_PASSWORD=bench-Airfl0w-pw "$omrun" ingest -c "$work/airflow.yaml" --plugin "$plugin" \
        --file-sink "$work/$name.jsonl" "$@" 2>"$work/$name.log"; then
        echo "bench-airflow.sh: the $name run failed:" >&2
        cat "$work/$name.log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    printf '%-12s %8.2f s  %s requests\n' "$name" "$(echo "$end - $start" | bc)" "$(wc -l <"$work/$name.jsonl")"
}

log "omrun: sequential, then local $parallelism"
run sequential --orchestrator sequential
run local --orchestrator local --parallelism "$parallelism"
if ! cmp -s <(sort "$work/sequential.jsonl") <(sort "$work/local.jsonl"); then
    echo "bench-airflow.sh: sequential and local wrote different requests" >&2
    exit 1
fi
pipelines=$(grep -c '"kind":"CreatePipelineRequest"' "$work/local.jsonl")
[[ $pipelines -eq $dags ]] || { echo "bench-airflow.sh: $pipelines pipelines written, not $dags" >&2; exit 1; }
echo "same requests in both modes; $pipelines pipelines"
if grep -q 'bench-Airfl0w-pw' "$work"/*.jsonl "$work"/sequential.log "$work"/local.log; then
    echo "bench-airflow.sh: the password appears in the output" >&2
    exit 1
fi
