#!/usr/bin/env bash
# Wall time of `omrun ingest` on a generated PostgreSQL catalog, sequential vs local, release build.
# Starts its own PostgreSQL (scripts/pg.sh) and removes it afterwards.
#
#   scripts/bench.sh [TABLES] [PARALLELISM] [RUNS]      defaults: 1000 8 5
#
# TABLES tables over 4 schemas, 5-20 columns each of mixed types (integer, bigint, numeric(p,s),
# varchar(n), text, timestamptz, jsonb, uuid, integer[]), a primary key, a foreign key to the
# previous table of its schema every third table, comments; plus one view per 20 tables. Prints the
# median of RUNS runs per mode, with entities/s from the run report.
set -euo pipefail

tables=${1:-1000}
parallelism=${2:-8}
runs=${3:-5}
repo="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
work=$(mktemp -d)

# shellcheck source=scripts/pg.sh
source "$repo/scripts/pg.sh"
trap 'pg_stop; rm -rf "$work"' EXIT

bash "$repo/scripts/build-plugins.sh" >/dev/null
cargo build --release -q -p omrun --manifest-path "$repo/Cargo.toml"
pg_start

psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE bench"
psql -q -v ON_ERROR_STOP=1 -d bench <<SQL
DO \$\$
DECLARE
  types text[] := ARRAY['integer', 'bigint', 'numeric(12,2)', 'varchar(64)', 'text', 'timestamptz',
                        'jsonb', 'uuid', 'integer[]', 'boolean'];
  s text; cols text; n int;
BEGIN
  FOR i IN 0..3 LOOP EXECUTE format('CREATE SCHEMA s%s', i); END LOOP;
  FOR t IN 1..$tables LOOP
    s := 's' || (t % 4);
    n := 5 + (t * 7) % 16;
    cols := 'id bigint PRIMARY KEY';
    FOR c IN 2..n LOOP
      cols := cols || format(', c%s %s%s', c, types[1 + (t + c) % array_length(types, 1)],
                             CASE WHEN c % 3 = 0 THEN ' NOT NULL' ELSE '' END);
    END LOOP;
    IF t > 4 AND t % 3 = 0 THEN
      cols := cols || format(', parent_id bigint REFERENCES %s.t%s(id)', s, t - 4);
    END IF;
    EXECUTE format('CREATE TABLE %s.t%s (%s)', s, t, cols);
    EXECUTE format('COMMENT ON TABLE %s.t%s IS %L', s, t, 'table number ' || t);
    IF t % 20 = 0 THEN
      EXECUTE format('CREATE VIEW %s.v%s AS SELECT id, c2 FROM %s.t%s', s, t, s, t);
    END IF;
  END LOOP;
END \$\$;
ANALYZE;
SQL

cat > "$work/config.yaml" <<YAML
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
  sourceConfig: {config: {type: DatabaseMetadata}}
sink: {type: file, config: {filename: $work/out.jsonl}}
workflowConfig:
  loggerLevel: WARN
  distributedExecution: {enabled: true, orchestrator: local, parallelism: $parallelism}
YAML

omrun="$CARGO_TARGET_DIR/release/omrun"
"$omrun" ingest -c "$work/config.yaml" --orchestrator sequential >/dev/null # warm the component cache

# One line per mode: the median run by the report's duration (discovery to last write), with the
# whole process's wall time (start-up and plugin loading included) of that same run.
measure() { # mode parallelism -> "run_seconds process_seconds entities/s processed failed"
    local results=() start end
    for _ in $(seq "$runs"); do
        start=$(date +%s.%N)
        "$omrun" ingest -c "$work/config.yaml" --orchestrator "$1" --parallelism "$2" \
            --report-json "$work/report.json" 2>/dev/null
        end=$(date +%s.%N)
        results+=("$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["durationSeconds"], float(sys.argv[3]) - float(sys.argv[2]), r["entitiesPerSecond"], r["processed"], r["failed"])' "$work/report.json" "$start" "$end")")
    done
    printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

row='%-12s %11s %10.3f %13.3f %12.1f %10s %7s\n'
printf '%-12s %11s %10s %13s %12s %10s %7s\n' mode parallelism "run (s)" "process (s)" "entities/s" processed failed
read -r seq_s seq_p seq_rate seq_n seq_f < <(measure sequential 1)
printf "$row" sequential 1 "$seq_s" "$seq_p" "$seq_rate" "$seq_n" "$seq_f"
read -r loc_s loc_p loc_rate loc_n loc_f < <(measure local "$parallelism")
printf "$row" local "$parallelism" "$loc_s" "$loc_p" "$loc_rate" "$loc_n" "$loc_f"
python3 -c "import sys; print(f'local vs sequential (run time): {float(sys.argv[1]) / float(sys.argv[2]):.2f}x')" "$seq_s" "$loc_s"
echo "(median of $runs runs each; $(grep -c CreateTableRequest "$work/out.jsonl") CreateTableRequest lines in the last output)"
