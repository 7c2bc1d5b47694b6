#!/usr/bin/env bash
# Airflow mode's cost (docs/performance.md): the benchmark's PostgreSQL catalog (scripts/
# bench-catalog.sql) ingested into the OpenMetadata stand-in by `omrun ingest` in local mode, then
# with `orchestrator: airflow` on a real Airflow 3 (API server, scheduler with the LocalExecutor,
# DAG processor, on SQLite, all on this machine), each into a fresh stand-in. Prints both wall
# times and what Airflow adds: parsing the DAG, scheduling, a process per task.
#
#   scripts/bench-airflow-mode.sh [--tables N] [--views N] [--parallelism N] [--latency-ms N]
#
# Defaults: 10000 tables, 500 views, 4 workers (local threads, then Airflow worker tasks), 0 ms.
set -euo pipefail

tables=10000 views=500 parallelism=4 latency_ms=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --tables) tables=$2 ;;
        --views) views=$2 ;;
        --parallelism) parallelism=$2 ;;
        --latency-ms) latency_ms=$2 ;;
        *) echo "usage: scripts/bench-airflow-mode.sh [--tables N] [--views N] [--parallelism N] [--latency-ms N]" >&2; exit 2 ;;
    esac
    shift 2
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
work=$(mktemp -d)
log() { printf '\n==> %s\n' "$*" >&2; }

# shellcheck source=scripts/pg.sh
source "$repo/scripts/pg.sh"
# shellcheck source=scripts/om-schemas.sh
source "$repo/scripts/om-schemas.sh"
standin_pid= airflow_pid=
cleanup() {
    [[ -n $standin_pid ]] && kill "$standin_pid" 2>/dev/null
    [[ -n $airflow_pid ]] && kill -- "-$airflow_pid" 2>/dev/null
    pg_stop
    rm -rf "$work"
}
trap cleanup EXIT

log "building (release); Airflow's virtualenv"
bash "$repo/scripts/build-plugins.sh" >/dev/null
cargo build --release -q -p omrun -p omrun-tests --bin omrun --bin om-standin --manifest-path "$repo/Cargo.toml"
omrun="$CARGO_TARGET_DIR/release/omrun"
venv=$(bash "$repo/scripts/server-venv.sh" airflow)
om_schemas "$repo"
pg_start

log "creating $tables tables and $views views"
psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE bench"
PGOPTIONS="-c bench.tables=$tables -c bench.views=$views" \
    psql -q -X -v ON_ERROR_STOP=1 -d bench -f "$repo/scripts/bench-catalog.sql"

# The workers are the scheduler's processes: they inherit its environment (the PostgreSQL
# variables pg_start exported, and this token); the stand-in's address, new for each run, they
# read from the Airflow Variable of its name.
export BENCH_OM_TOKEN=bench-token AIRFLOW_USERNAME=admin AIRFLOW_PASSWORD=bench-admin-pw
log "starting Airflow (LocalExecutor, SQLite) in $work/airflow"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
home="$work/airflow"
mkdir -p "$home/dags"
echo '{"admin": "bench-admin-pw"}' > "$home/passwords.json"
export AIRFLOW_HOME=$home AIRFLOW__CORE__DAGS_FOLDER=$home/dags AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$home/airflow.db" \
    AIRFLOW__CORE__EXECUTOR=LocalExecutor AIRFLOW__CORE__PARALLELISM=$((parallelism + 2)) \
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$port/execution/" \
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin \
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$home/passwords.json" \
    AIRFLOW__API_AUTH__JWT_SECRET=omrun-bench-airflow-jwt-secret-0123456789 \
    AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=1 AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC=1 \
    AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING
"$venv/bin/airflow" db migrate >"$home/migrate.log" 2>&1
setsid sh -c "\"$venv/bin/airflow\" api-server -H 127.0.0.1 -p $port -w 1 >\"$home/api.log\" 2>&1 &
              \"$venv/bin/airflow\" scheduler >\"$home/scheduler.log\" 2>&1 &
              \"$venv/bin/airflow\" dag-processor >\"$home/dag-processor.log\" 2>&1 & wait" &
airflow_pid=$!
for i in $(seq 241); do
    curl -fs "http://127.0.0.1:$port/api/v2/version" >/dev/null && break
    ((i < 241)) || { echo "Airflow's API server did not start:" >&2; tail -20 "$home/api.log" >&2; exit 1; }
    sleep 0.5
done

config() { # name orchestrator-section -> config file
    cat > "$work/$1.yaml" <<YAML
source:
  type: postgres
  serviceName: bench
  serviceConnection:
    config:
      type: Postgres
      username: \${OMRUN_TEST_PG_USER}
      authType:
        password: \${OMRUN_TEST_PG_PASSWORD}
      hostPort: \${OMRUN_TEST_PG_HOST}:\${OMRUN_TEST_PG_PORT}
      database: bench
  sourceConfig:
    config:
      type: DatabaseMetadata
sink:
  type: metadata-rest
workflowConfig:
  loggerLevel: INFO
  openMetadataServerConfig:
    hostPort: \${BENCH_OM_HOST_PORT}
    authProvider: openmetadata
    securityConfig:
      jwtToken: \${BENCH_OM_TOKEN}
  distributedExecution:
    enabled: true
    parallelism: $parallelism
$2
YAML
    echo "$work/$1.yaml"
}
local_config=$(config local "    orchestrator: local")
airflow_config=$(config airflow "    orchestrator: airflow
    plugin: {path: $repo/build/plugins/postgres.wasm}
    airflow: {url: 'http://127.0.0.1:$port', dagsFolder: '$home/dags', omrun: '$omrun', pollSeconds: 0.5}")

set_variable() { # KEY VALUE: an Airflow Variable, through its REST API
    local token
    token=$(curl -fs -X POST "http://127.0.0.1:$port/auth/token" -H 'content-type: application/json' \
        -d '{"username": "admin", "password": "bench-admin-pw"}' |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
    curl -fs -o /dev/null -X DELETE -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$port/api/v2/variables/$1" || true
    curl -fs -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'content-type: application/json' \
        "http://127.0.0.1:$port/api/v2/variables" -d "{\"key\": \"$1\", \"value\": \"$2\"}"
}
# Compiles the plugin into the cache once.
BENCH_OM_HOST_PORT=http://127.0.0.1:9/api "$omrun" ingest -c "$local_config" \
    --file-sink "$work/warm.jsonl" --orchestrator sequential >"$work/warm.log" 2>&1 ||
    { echo "the warm-up run failed:" >&2; tail -20 "$work/warm.log" >&2; exit 1; }

timed() { # name config -> wall seconds; the run's log in $work/name.log
    coproc STANDIN (exec "$CARGO_TARGET_DIR/release/om-standin" --token bench-token --latency-ms "$latency_ms")
    standin_pid=$STANDIN_PID
    read -r BENCH_OM_HOST_PORT <&"${STANDIN[0]}"
    export BENCH_OM_HOST_PORT
    set_variable BENCH_OM_HOST_PORT "$BENCH_OM_HOST_PORT"
    local start end
    start=$(date +%s.%N)
    "$omrun" ingest -c "$2" >"$work/$1.log" 2>&1 ||
        { echo "the $1 run failed:" >&2; tail -30 "$work/$1.log" >&2; exit 1; }
    end=$(date +%s.%N)
    kill "$standin_pid" 2>/dev/null; wait "$standin_pid" 2>/dev/null || true
    standin_pid=
    python3 -c "print(f'{$end - $start:.2f}')"
}

log "local mode, $parallelism workers"
local_wall=$(timed local "$local_config")
log "Airflow mode, $parallelism worker tasks (the DAG new to Airflow)"
airflow_wall=$(timed airflow "$airflow_config")
log "Airflow mode again (the DAG parsed already)"
airflow_again=$(timed airflow_again "$airflow_config")

processed=$(sed -n 's/.*Processed: \([0-9]*\).*/\1/p' "$work/airflow.log" | tail -1)
echo
echo "$tables tables + $views views, $parallelism workers, stand-in latency ${latency_ms} ms"
printf '%-34s %9s\n' "run" "wall (s)"
printf '%-34s %9s\n' "local" "$local_wall"
printf '%-34s %9s\n' "airflow (new DAG)" "$airflow_wall"
printf '%-34s %9s\n' "airflow (DAG already parsed)" "$airflow_again"
echo "processed by the Airflow run: $processed"
grep -h "Duration:" "$work/local.log" "$work/airflow_again.log" | sed 's/^.*Duration/  run report: Duration/'
