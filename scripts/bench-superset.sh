#!/usr/bin/env bash
# The Superset benchmark (docs/performance.md): a real Apache Superset (scripts/server-venv.sh superset,
# its metadata database from the tests' template) loaded through its REST API by
# tests/support/superset/load.py with N dashboards (3 charts each, plus one shared chart) over a
# throw-away PostgreSQL, ingested by omrun sequentially and then on local workers, each into a file.
# Checks that both files hold the same requests (as sorted lines) and prints both wall times.
#
#   scripts/bench-superset.sh [--dashboards 60] [--parallelism 8] [--omrun PATH]
#
# Superset has no latency knob: this measures it as it is, on this machine (a Flask server whose
# answers take tens of milliseconds, all on one Python process). --omrun picks another omrun
# build (default: the release build, made here).
set -euo pipefail

dashboards=60 parallelism=8 omrun=
usage="usage: scripts/bench-superset.sh [--dashboards N] [--parallelism N] [--omrun PATH]"
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    case $1 in
        --dashboards) dashboards=$2 ;;
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
superset_pid=
# shellcheck source=scripts/pg.sh
source "$repo/scripts/pg.sh"
cleanup() {
    [[ -n $superset_pid ]] && kill -- "-$superset_pid" 2>/dev/null
    pg_stop
    rm -rf "$work"
}
trap cleanup EXIT

venv=$(bash "$repo/scripts/server-venv.sh" superset)
template=$(ls "$HOME"/.cache/omrun/superset-template/*/superset.db 2>/dev/null | head -1 || true)
[[ -f $template ]] || { echo "bench-superset.sh: no template database: run the Superset tests once (scripts/test.sh -p omrun-tests --test connectors superset::)" >&2; exit 1; }

log "building"
(cd "$repo/plugins" && cargo build --release -q --target wasm32-wasip2 -p omrun-superset)
mkdir -p "$repo/build/plugins"
cp "$CARGO_TARGET_DIR/wasm32-wasip2/release/superset.wasm" "$repo/build/plugins/superset.wasm"
if [[ -z $omrun ]]; then
    cargo build --release -q -p omrun --bin omrun --manifest-path "$repo/Cargo.toml"
    omrun="$CARGO_TARGET_DIR/release/omrun"
fi
plugin="$repo/build/plugins/superset.wasm"

log "PostgreSQL and Superset"
pg_find_bindir
pg_start >/dev/null
PGPASSWORD=$OMRUN_TEST_PG_PASSWORD psql -q -h "$OMRUN_TEST_PG_HOST" -p "$OMRUN_TEST_PG_PORT" -U "$OMRUN_TEST_PG_USER" -d postgres -c "CREATE DATABASE bench"
sed -n '/^pub const SHOP_SQL/,/^";/p' "$repo/tests/support/superset.rs" | sed '1d;$d' |
    PGPASSWORD=$OMRUN_TEST_PG_PASSWORD psql -q -h "$OMRUN_TEST_PG_HOST" -p "$OMRUN_TEST_PG_PORT" -U "$OMRUN_TEST_PG_USER" -d bench
cp "$template" "$work/superset.db"
cat > "$work/superset_config.py" <<PY
SECRET_KEY = 'omrun-bench-secret-key-0123456789abcdef'
SQLALCHEMY_DATABASE_URI = 'sqlite:///$work/superset.db'
FAB_ADD_SECURITY_API = True
SUPERSET_LOG_LEVEL = 'WARNING'
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$work"
# Its own process group (setsid execs Superset: the same pid), killed whole at exit.
SUPERSET_CONFIG_PATH=$work/superset_config.py FLASK_APP=superset \
    setsid "$venv/bin/superset" run -h 127.0.0.1 -p "$port" --with-threads >"$work/superset.log" 2>&1 &
superset_pid=$!
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.5; done
log "loading $dashboards dashboards through Superset's API"
"$venv/bin/python" "$repo/tests/support/superset/load.py" "http://127.0.0.1:$port" \
    "postgresql+psycopg2://$OMRUN_TEST_PG_USER:$OMRUN_TEST_PG_PASSWORD@$OMRUN_TEST_PG_HOST:$OMRUN_TEST_PG_PORT/bench" \
    "$dashboards" >/dev/null

cat > "$work/superset.yaml" <<YAML
source:
  type: superset
  serviceName: superset_bench
  serviceConnection:
    config:
      type: Superset
      hostPort: http://127.0.0.1:$port
      connection:
        provider: db
        username: admin
        password: \${SUPERSET_PASSWORD}
  sourceConfig:
    config:
      type: DashboardMetadata
      includeOwners: true
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
    if ! SUPERSET_PASSWORD=admin-pw "$omrun" ingest -c "$work/superset.yaml" --plugin "$plugin" \
        --file-sink "$work/$name.jsonl" "$@" 2>"$work/$name.log"; then
        echo "bench-superset.sh: the $name run failed:" >&2
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
    echo "bench-superset.sh: sequential and local wrote different requests" >&2
    exit 1
fi
echo "same requests in both modes"
