#!/usr/bin/env bash
# The end-to-end benchmark (docs/performance.md): a deterministic PostgreSQL catalog in its own
# server, the catalog floor (the same metadata pulled with a few bulk queries in one session), then
# `omrun compare` (release build) sequentially and on local workers into (a) a file and (b) the
# OpenMetadata stand-in answering each call after a fixed latency. Prints one table with medians
# and each wall time's ratio to the floor.
#
#   scripts/bench.sh [--tables N] [--views N] [--runs N] [--parallelism 4,8,16] [--latency-ms 5]
#                    [--discovery N]
#
# Last, it times runs into an empty stand-in (a new one per run, local mode, 4 workers), where the
# foreign keys wait for their tables, and counts every call such a run makes.
# Defaults: 10000 tables, 500 views, 5 runs, parallelism 4,8,16, 5 ms. --discovery N also times the
# discovery of N tables (a separate database of N one-column tables). Needs python3 (to tabulate).
set -euo pipefail

tables=10000 views=500 runs=5 parallelism=4,8,16 latency_ms=5 discovery=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --tables) tables=$2 ;;
        --views) views=$2 ;;
        --runs) runs=$2 ;;
        --parallelism) parallelism=$2 ;;
        --latency-ms) latency_ms=$2 ;;
        --discovery) discovery=$2 ;;
        *) echo "usage: scripts/bench.sh [--tables N] [--views N] [--runs N] [--parallelism 4,8,16] [--latency-ms 5] [--discovery N]" >&2; exit 2 ;;
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
standin_pid=
cleanup() {
    [[ -n $standin_pid ]] && kill "$standin_pid" 2>/dev/null
    pg_stop
    rm -rf "$work"
}
trap cleanup EXIT

log "building (release)"
bash "$repo/scripts/build-plugins.sh" >/dev/null
cargo build --release -q -p omrun -p omrun-tests --bin omrun --bin om-standin --manifest-path "$repo/Cargo.toml"
omrun="$CARGO_TARGET_DIR/release/omrun"
om_schemas "$repo"
pg_start

log "creating $tables tables and $views views"
psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE bench"
PGOPTIONS="-c bench.tables=$tables -c bench.views=$views" \
    psql -q -X -v ON_ERROR_STOP=1 -d bench -f "$repo/scripts/bench-catalog.sql"

log "catalog floor: the same metadata in bulk queries, one session"
floor_sql="$work/floor.sql"
cat > "$floor_sql" <<'SQL'
\timing on
\o /dev/null
-- tables with their comments
SELECT c.oid, n.nspname, c.relname, c.relkind, obj_description(c.oid, 'pg_class')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema';
-- every column with its type and comment
SELECT a.attrelid, a.attname, a.attnum, a.attnotnull, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema';
-- primary keys, unique constraints and foreign keys with their columns
SELECT con.conrelid, con.contype, con.conkey, con.confrelid, con.confkey
  FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
 WHERE con.contype IN ('p', 'u', 'f') AND n.nspname !~ '^pg_';
-- view definitions
SELECT c.oid, pg_get_viewdef(c.oid, true)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema';
SQL
floor_ms() { # median over 3 sessions of the four queries' sum
    for _ in 1 2 3; do
        psql -X -q -d bench -f "$floor_sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{ s += $1 } END { print s }'
    done | sort -n | sed -n 2p
}
floor=$(floor_ms)
echo "catalog floor: $floor ms" >&2

config() { # sink yaml -> config file
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
      database: ${3:-bench}
  sourceConfig:
    config:
      type: DatabaseMetadata
$2
workflowConfig:
  loggerLevel: WARN
  openMetadataServerConfig:
    hostPort: \${BENCH_OM_HOST_PORT:-http://127.0.0.1:9/api}
    authProvider: openmetadata
    securityConfig:
      jwtToken: bench-token
  distributedExecution:
    enabled: true
    orchestrator: local
YAML
    echo "$work/$1.yaml"
}

"$omrun" ingest -c "$(config file "sink: {type: file, config: {filename: $work/warm.jsonl}}")" \
    --orchestrator sequential >/dev/null 2>&1 # compiles the plugin into the cache once

log "omrun compare into a file"
"$omrun" compare -c "$work/file.yaml" --parallelism "$parallelism" --runs "$runs" --json > "$work/file.json"

log "omrun compare into the OpenMetadata stand-in (${latency_ms} ms per call)"
coproc STANDIN (exec "$CARGO_TARGET_DIR/release/om-standin" --token bench-token --latency-ms "$latency_ms")
standin_pid=$STANDIN_PID
read -r BENCH_OM_HOST_PORT <&"${STANDIN[0]}"
export BENCH_OM_HOST_PORT
"$omrun" compare -c "$(config openmetadata "sink: {type: metadata-rest}")" --use-config-sink \
    --parallelism "$parallelism" --runs "$runs" --json > "$work/openmetadata.json"

python3 - "$work/file.json" "$work/openmetadata.json" "$floor" "$tables" "$views" "$runs" <<'PY'
import json, sys
file_rows, om_rows = (json.load(open(p)) for p in sys.argv[1:3])
floor_s = float(sys.argv[3]) / 1000
tables, views, runs = sys.argv[4:7]
print(f"\n{tables} tables + {views} views; medians of {runs} runs; catalog floor {floor_s:.3f} s")
print(f"{'sink':<13} {'mode':<10} {'workers':>7} {'wall (s)':>9} {'entities/s':>10} {'speedup':>8} {'RSS (MiB)':>10} {'x floor':>8}")
for sink, rows in (("file", file_rows), ("openmetadata", om_rows)):
    for r in rows:
        print(f"{sink:<13} {r['mode']:<10} {r['parallelism']:>7} {r['wallSeconds']:>9.3f} {r['entitiesPerSecond']:>10.0f} "
              f"{r['speedup']:>7.2f}x {r['peakRssMib']:>10.1f} {r['wallSeconds'] / floor_s:>7.1f}x"
              + ("" if r["failed"] == 0 else f"   FAILED {r['failed']}"))
PY

log "omrun into an empty OpenMetadata stand-in (${latency_ms} ms per call), local 4 workers, $runs runs"
# A first run into an empty server is the one whose foreign keys must wait for the tables they
# name (docs/configuration.md#foreign-keys): each run gets a new stand-in, and its calls are counted.
kill "$standin_pid" 2>/dev/null; wait "$standin_pid" 2>/dev/null || true
standin_pid=
for i in $(seq "$runs"); do
    coproc FRESH (exec "$CARGO_TARGET_DIR/release/om-standin" --token bench-token --latency-ms "$latency_ms" --log 2>"$work/fresh-$i.calls")
    read -r fresh_host <&"${FRESH[0]}"
    BENCH_OM_HOST_PORT=$fresh_host "$omrun" ingest -c "$work/openmetadata.yaml" --orchestrator local \
        --parallelism 4 --report-json "$work/fresh-$i.json" >/dev/null 2>"$work/fresh-$i.log" ||
        { echo "run $i into an empty stand-in failed:" >&2; tail -20 "$work/fresh-$i.log" >&2; exit 1; }
    eval "exec ${FRESH[1]}>&-"
    wait "$FRESH_PID"
done
python3 - "$work" "$runs" <<'PY'
import collections, json, re, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
walls, calls = [], collections.Counter()
for i in range(1, runs + 1):
    report = json.load(open(f"{work}/fresh-{i}.json"))
    assert report["failed"] == 0, f"run {i}: {report['failures'][:3]}"
    walls.append(report["durationSeconds"])
    for line in open(f"{work}/fresh-{i}.calls"):
        m = re.match(r"(GET|PUT|PATCH|DELETE|POST) (\S+?)(\?\S*)? -> ", line)
        if m:
            calls[f"{m.group(1)} {m.group(2)}"] += 1
processed = report["processed"]
print(f"\ninto an empty OpenMetadata, local 4: {processed} entities, median {statistics.median(walls):.3f} s "
      f"(runs: {', '.join(f'{w:.3f}' for w in walls)})")
print("calls per run:")
for call, n in sorted(calls.items(), key=lambda kv: -kv[1]):
    print(f"  {n / runs:>7.1f}  {call}")
PY

if [[ $discovery -gt 0 ]]; then
    log "discovery of $discovery tables"
    psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE discovery"
    psql -q -X -v ON_ERROR_STOP=1 -d discovery -c \
        "DO \$\$ BEGIN FOR t IN 1..$discovery LOOP EXECUTE format('CREATE TABLE t%s (id int)', t);
         IF t % 5000 = 0 THEN COMMIT; END IF; END LOOP; END \$\$;"
    "$omrun" ingest -c "$(config discovery "sink: {type: file, config: {filename: $work/discovery.jsonl}}" discovery)" \
        --orchestrator local --parallelism 8 --report-json "$work/discovery-report.json" >/dev/null 2>&1
    python3 - "$work/discovery-report.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"\ndiscovery of {d['found']} tables: {d['discoverySeconds']:.2f} s (whole run {d['durationSeconds']:.2f} s)")
PY
fi

