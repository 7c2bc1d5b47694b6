#!/usr/bin/env bash
# The scale benchmark (docs/performance.md, "A million tables"): the synthetic test plugin
# (tests/plugins/synthetic: tables of 20 columns made up in memory, in one schema, so no database
# is timed: what is measured is omrun itself — the boundary, the pipeline, the sink) ingested into
# a file by a release build, local mode at the default parallelism. For each size it prints the
# wall time, the peak resident memory (GNU time's maximum RSS) and what was written. With
# `--pods N` it also runs what Argo's pods (and Airflow's tasks) run, by hand, for the last size:
# `omrun discover --shards N`, every worker (`omrun worker --shard i/N --threads 2`), then
# `omrun finalize`, each with its time and peak memory, and checks every table was written once.
#
#   scripts/bench-scale.sh [--tables 100000,1000000] [--parallelism N] [--pods N] [--no-build]
#
# OMRUN_BIN picks the omrun to measure (default: a release build made here).
set -euo pipefail

sizes=100000,1000000 parallelism= pods= build=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --tables) sizes=$2; shift 2 ;;
        --parallelism) parallelism=$2; shift 2 ;;
        --pods) pods=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        *) echo "usage: scripts/bench-scale.sh [--tables 100000,1000000] [--parallelism N] [--pods N] [--no-build]" >&2; exit 2 ;;
    esac
done
[[ -x /usr/bin/time ]] || { echo "bench-scale: needs GNU time (/usr/bin/time, Debian: apt-get install time)" >&2; exit 2; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log() { printf '\n==> %s\n' "$*" >&2; }

if ((build)); then
    log "building (release) omrun and the synthetic plugin"
    env -u CARGO_TARGET_DIR bash "$repo/scripts/build-plugins.sh" "$repo/tests/plugins" "$repo/build/test-plugins" >/dev/null
fi
if [[ -z ${OMRUN_BIN:-} ]]; then
    CARGO_TARGET_DIR=$target cargo build --release -q -p omrun --bin omrun --manifest-path "$repo/Cargo.toml"
    OMRUN_BIN="$target/release/omrun"
fi
plugin="$repo/build/test-plugins/synthetic.wasm"
[[ -f $plugin ]] || { echo "bench-scale: $plugin is missing (run without --no-build)" >&2; exit 2; }
# Compiled into omrun's cache first, so no timed run pays for it.
"$OMRUN_BIN" plugin inspect "$plugin" >/dev/null

distributed="  distributedExecution:
    enabled: true
    orchestrator: local"
[[ -n $parallelism ]] && distributed+="
    parallelism: $parallelism"

printf '\n%10s %10s %12s %12s %12s %12s\n' tables "wall (s)" "tables/s" "peak (MiB)" "out (MiB)" "requests" >&2
for tables in ${sizes//,/ }; do
    cat > "$work/config.yaml" <<YAML
source:
  type: synthetic
  serviceName: scale
  serviceConnection:
    config:
      type: CustomDatabase
      tables: $tables
sink:
  type: file
  config:
    filename: $work/out.jsonl
workflowConfig:
$distributed
YAML
    rm -f "$work/out.jsonl"
    start=$(date +%s.%N)
    if ! /usr/bin/time -v -o "$work/time.txt" "$OMRUN_BIN" ingest -c "$work/config.yaml" \
        --plugin "$plugin" > "$work/run.log" 2>&1; then
        echo "bench-scale: the run of $tables tables failed:" >&2
        tail -n 20 "$work/run.log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    wall=$(echo "$end - $start" | bc)
    peak_kib=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$work/time.txt")
    written=$(grep -c '"kind":"CreateTableRequest"' "$work/out.jsonl" || true)
    [[ $written == "$tables" ]] || { echo "bench-scale: $written of $tables tables written" >&2; exit 1; }
    printf '%10d %10.2f %12.0f %12.1f %12.1f %12d\n' "$tables" "$wall" "$(echo "$tables / $wall" | bc -l)" \
        "$(echo "$peak_kib / 1024" | bc -l)" "$(echo "$(stat -c %s "$work/out.jsonl") / 1048576" | bc -l)" \
        "$(wc -l < "$work/out.jsonl")" >&2
done

# Argo's pods, by hand, as the executor would run them one after another: the discover pod, every
# worker (each into a file of its own), then finalize with the workers' reports. Each lists the
# whole source, keeping its shard's refs only. Checks that the workers wrote every table once.
[[ -z $pods ]] && exit 0
pod() {
    local what=$1; shift
    if ! /usr/bin/time -v -o "$work/time.txt" "$OMRUN_BIN" "$@" -c "$work/config.yaml" --plugin "$plugin" \
        > "$work/pod.log" 2>&1; then
        echo "bench-scale: $what failed:" >&2
        tail -n 20 "$work/pod.log" >&2
        exit 1
    fi
    local wall peak_kib
    wall=$(sed -n 's/^\s*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
    peak_kib=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$work/time.txt")
    printf '%-28s %10s %12.1f\n' "$what" "$wall" "$(echo "$peak_kib / 1024" | bc -l)" >&2
}
printf '\n%-28s %10s %12s\n' "pod ($tables tables)" "wall" "peak (MiB)" >&2
pod "discover --shards $pods" discover --shards "$pods" --out "$work/shards.json"
rm -f "$work/out.jsonl" "$work/names.txt"
reports=()
for ((i = 0; i < pods; i++)); do
    pod "worker --shard $i/$pods" worker --shard "$i/$pods" --threads 2 \
        --file-sink "$work/shard.jsonl" --report-json "$work/report-$i.json"
    # Table names are t1…tN; column names (column_N) do not match.
    grep -o '"name":"t[0-9]*"' "$work/shard.jsonl" >> "$work/names.txt"
    rm -f "$work/shard.jsonl"
    reports+=("$work/report-$i.json")
done
# One JSON list of the reports, as Argo aggregates the workers' `report` outputs.
{
    echo '['
    for ((i = 0; i < pods; i++)); do
        ((i == 0)) || echo ','
        cat "${reports[$i]}"
    done
    echo ']'
} > "$work/reports.json"
pod "finalize --shards $pods" finalize --shards "$pods" --reports "@$work/reports.json" \
    --file-sink "$work/final.jsonl"
written=$(wc -l < "$work/names.txt")
twice=$(sort "$work/names.txt" | uniq -d | wc -l)
echo "shard list: $(wc -c < "$work/shards.json") bytes; workers wrote $written tables, $twice of them more than once" >&2
[[ $written == "$tables" && $twice == 0 ]] || { echo "bench-scale: the workers did not write every table exactly once" >&2; exit 1; }
