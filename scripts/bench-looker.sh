#!/usr/bin/env bash
# The Looker benchmark (docs/performance.md): the Looker API stand-in (tests/support/looker.rs)
# serving N synthetic dashboards with a fixed latency per call, ingested by omrun (release build)
# sequentially and then on local workers, each into a file. Checks that both files hold the same
# requests (as sorted lines) and prints both wall times.
#
#   scripts/bench-looker.sh [--dashboards 2000] [--models 20] [--latency-ms 200] [--parallelism 50]
#
# Sequential makes one call after another: 2,000 dashboards at 200 ms take about 7 minutes.
set -euo pipefail

dashboards=2000 models=20 latency_ms=200 parallelism=50
usage="usage: scripts/bench-looker.sh [--dashboards N] [--models N] [--latency-ms N] [--parallelism N]"
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    case $1 in
        --dashboards) dashboards=$2 ;;
        --models) models=$2 ;;
        --latency-ms) latency_ms=$2 ;;
        --parallelism) parallelism=$2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
    shift 2
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
work=$(mktemp -d)
log() { printf '\n==> %s\n' "$*" >&2; }
standin_pid=
cleanup() {
    [[ -n $standin_pid ]] && kill "$standin_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

log "building (release)"
bash "$repo/scripts/build-plugins.sh" >/dev/null
cargo build --release -q -p omrun -p omrun-tests --bin omrun --bin looker-standin \
    --manifest-path "$repo/Cargo.toml"
omrun="$CARGO_TARGET_DIR/release/omrun"
plugin="$repo/build/plugins/looker.wasm"

# A fresh secret per run, in the environment only: the stand-in refuses any other, and it must
# not appear in anything omrun writes.
LOOKER_CLIENT_SECRET="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export LOOKER_CLIENT_SECRET

log "Looker stand-in: $dashboards dashboards, $models LookML models, ${latency_ms} ms per call"
coproc STANDIN (exec "$CARGO_TARGET_DIR/release/looker-standin" --client-id bench \
    --dashboards "$dashboards" --models "$models" --latency-ms "$latency_ms")
standin_pid=$STANDIN_PID
read -r host_port <&"${STANDIN[0]}"

cat > "$work/looker.yaml" <<YAML
source:
  type: looker
  serviceName: looker_bench
  serviceConnection:
    config:
      type: Looker
      hostPort: $host_port
      clientId: bench
      clientSecret: \${LOOKER_CLIENT_SECRET}
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

# Compiles the plugin into omrun's cache, so neither timed run pays for it.
"$omrun" plugin inspect "$plugin" >/dev/null

run() { # name, orchestrator flags… -> wall seconds on stdout
    local name=$1
    shift
    local start end
    start=$(date +%s.%N)
    if ! "$omrun" ingest -c "$work/looker.yaml" --plugin "$plugin" --file-sink "$work/$name.jsonl" \
        "$@" > "$work/$name.log" 2>&1; then
        echo "bench-looker.sh: the $name run failed:" >&2
        tail -n 20 "$work/$name.log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    grep -E '^\[INFO\] (Processed|Failed|Retried):' "$work/$name.log" | sed "s/^/    $name: /" >&2
    echo "$end - $start" | bc
}

log "sequential"
sequential=$(run sequential --orchestrator sequential)
log "local, $parallelism workers"
local_=$(run local --orchestrator local --parallelism "$parallelism")

log "comparing the outputs"
sort "$work/sequential.jsonl" > "$work/sequential.sorted"
sort "$work/local.jsonl" > "$work/local.sorted"
if ! cmp -s "$work/sequential.sorted" "$work/local.sorted"; then
    echo "bench-looker.sh: sequential and local wrote different requests:" >&2
    diff "$work/sequential.sorted" "$work/local.sorted" | head -n 20 >&2
    exit 1
fi
if grep -qF "$LOOKER_CLIENT_SECRET" "$work"/*.jsonl "$work"/*.log; then
    echo "bench-looker.sh: the client secret appears in omrun's output" >&2
    exit 1
fi
count() { grep -c "\"kind\":\"$1\"" "$work/sequential.jsonl" || true; }
echo "    identical: $(wc -l < "$work/sequential.jsonl") requests each ($(count CreateDashboardRequest) dashboards, $(count CreateChartRequest) charts, $(count CreateDashboardDataModelRequest) data models)" >&2

stdin_fd=${STANDIN[1]}
exec {stdin_fd}>&- # closes the stand-in's stdin: it prints its tally and exits
wait "$standin_pid" 2>/dev/null || true
standin_pid=

printf '\n%s dashboards, %s ms per Looker call\n' "$dashboards" "$latency_ms"
printf '%-11s %8s %9s %8s\n' mode workers 'wall (s)' speedup
printf '%-11s %8d %9.1f %7.2fx\n' sequential 1 "$sequential" 1
printf '%-11s %8d %9.1f %7.2fx\n' local "$parallelism" "$local_" "$(echo "$sequential / $local_" | bc -l)"
