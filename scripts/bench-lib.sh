# What the HTTP connector benchmarks (scripts/bench-{bigquery,databricks,trino}.sh) share: the
# build, the work directory, the two timed runs (sequential, then local) against a stand-in that
# logs one line per request, the comparison of their outputs, and the table of figures. Sourced
# after the script has parsed its arguments into `build` (1 or 0) and `parallelism`, and set
# `bench` (its name, for messages).
#
#   bench_start                 repo, work dir (removed on exit), plugins and a release omrun
#   bench_run NAME CONFIG PLUGIN FLAGS…
#                               one timed `omrun ingest` into $work/NAME.jsonl; prints the wall
#                               seconds; logs the run's summary and the requests it made
#   bench_compare [SECRET]      the two runs wrote the same requests; SECRET in no output
#   bench_table HEADLINE SEQUENTIAL LOCAL
#
# OMRUN_BIN picks the omrun to measure (default: a release build, made here); CARGO_TARGET_DIR is
# honoured for it (the plugins build into their own target dir).

bench_log() { printf '\n==> %s\n' "$*" >&2; }

bench_start() {
    repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    local host_target="${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}"
    work=$(mktemp -d)
    standin_pid=
    trap '[[ -n $standin_pid ]] && kill "$standin_pid" 2>/dev/null; rm -rf "$work"' EXIT
    if ((build)); then
        bench_log "building"
        env -u CARGO_TARGET_DIR bash "$repo/scripts/build-plugins.sh" >/dev/null
    fi
    if [[ -z ${OMRUN_BIN:-} ]]; then
        CARGO_TARGET_DIR=$host_target cargo build --release -q -p omrun --bin omrun \
            --manifest-path "$repo/Cargo.toml"
        OMRUN_BIN="$host_target/release/omrun"
    fi
    omrun=$OMRUN_BIN
}

# The stand-in's request log: what each run's count of requests is read from.
bench_requests() { wc -l < "$work/requests.jsonl" 2>/dev/null || echo 0; }

bench_run() {
    local name=$1 config=$2 plugin=$3
    shift 3
    local start end before
    # Compiles the plugin into omrun's cache first, so no timed run pays for it.
    "$omrun" plugin inspect "$plugin" >/dev/null
    before=$(bench_requests)
    start=$(date +%s.%N)
    if ! "$omrun" ingest -c "$config" --plugin "$plugin" --file-sink "$work/$name.jsonl" "$@" \
        > "$work/$name.log" 2>&1; then
        echo "$bench: the $name run failed:" >&2
        tail -n 20 "$work/$name.log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    grep -E '\[INFO\] (Processed|Failed|Retried):' "$work/$name.log" | sed "s/^.*\[INFO\] /    $name: /" >&2
    echo "    $name: $(( $(bench_requests) - before )) requests to the source" >&2
    echo "$end - $start" | bc
}

bench_compare() {
    local secret=${1:-}
    bench_log "comparing the outputs"
    sort "$work/sequential.jsonl" > "$work/sequential.sorted"
    sort "$work/local.jsonl" > "$work/local.sorted"
    if ! cmp -s "$work/sequential.sorted" "$work/local.sorted"; then
        echo "$bench: sequential and local wrote different requests:" >&2
        diff "$work/sequential.sorted" "$work/local.sorted" | head -n 20 >&2
        exit 1
    fi
    local also=
    if [[ -n $secret ]]; then
        if grep -qF -- "$secret" "$work"/*.jsonl "$work"/*.log; then
            echo "$bench: the credential appears in omrun's output" >&2
            exit 1
        fi
        also="; the credential in neither"
    fi
    local tables
    tables=$(grep -c '"kind":"CreateTableRequest"' "$work/sequential.jsonl" || true)
    echo "    identical: $(wc -l < "$work/sequential.jsonl") requests each ($tables tables and views)$also" >&2
}

bench_table() {
    local headline=$1 sequential=$2 local_=$3
    printf '\n%s\n' "$headline"
    printf '%-11s %8s %9s %8s\n' mode workers 'wall (s)' speedup
    printf '%-11s %8d %9.2f %7.2fx\n' sequential 1 "$sequential" 1
    printf '%-11s %8d %9.2f %7.2fx\n' local "$parallelism" "$local_" "$(echo "$sequential / $local_" | bc -l)"
}
