#!/usr/bin/env bash
# The Snowflake benchmark (docs/performance.md): the fakesnow emulator (scripts/fakesnow.sh)
# loaded with S schemas of T tables, behind a proxy that adds a fixed latency to every request
# (what a warehouse across a network costs), ingested by omrun (release build) sequentially and
# then on local workers, each into a file. Checks that both files hold the same requests and
# prints both wall times.
#
#   scripts/bench-snowflake.sh [--schemas 10] [--tables 20] [--latency-ms 100] [--parallelism 8]
set -euo pipefail

schemas=10 tables=20 latency_ms=100 parallelism=8
usage="usage: scripts/bench-snowflake.sh [--schemas N] [--tables N] [--latency-ms N] [--parallelism N]"
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    case $1 in
        --schemas) schemas=$2 ;;
        --tables) tables=$2 ;;
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
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

log "building (release)"
bash "$repo/scripts/build-plugins.sh" >/dev/null
cargo build --release -q -p omrun --bin omrun --manifest-path "$repo/Cargo.toml"
omrun="$CARGO_TARGET_DIR/release/omrun"

venv=$("$repo/scripts/fakesnow.sh" venv)
sf_port=$(free_port) proxy_port=$(free_port)
"$repo/scripts/fakesnow.sh" serve "$sf_port" >/dev/null 2>&1 & pids+=($!)
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $sf_port))" 2>/dev/null; do sleep 0.2; done

log "loading $schemas schemas of $tables tables"
statements=("CREATE DATABASE BENCH")
for s in $(seq 1 "$schemas"); do
    statements+=("CREATE SCHEMA BENCH.S$s")
    for t in $(seq 1 "$tables"); do
        statements+=("CREATE TABLE BENCH.S$s.T$t (ID NUMBER(38,0) PRIMARY KEY, NAME VARCHAR(100), AMOUNT NUMBER(12,2), CREATED_AT TIMESTAMP_NTZ) COMMENT = 'table $t'")
    done
done
"$repo/scripts/fakesnow.sh" load "$sf_port" "${statements[@]}"

# A proxy that waits latency_ms before passing each request on.
"$venv/bin/python" - "$proxy_port" "$sf_port" "$latency_ms" <<'PY' & pids+=($!)
import sys, time, urllib.request
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
port, upstream, latency = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000
class Proxy(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def relay(self):
        time.sleep(latency)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(f"http://127.0.0.1:{upstream}{self.path}", data=body,
                                         headers=headers, method=self.command)
        with urllib.request.urlopen(request) as answer:
            data = answer.read()
            self.send_response(answer.status)
            self.send_header("content-type", answer.headers.get("content-type", "application/json"))
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
    do_GET = do_POST = relay
ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
PY
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $proxy_port))" 2>/dev/null; do sleep 0.2; done

cat >"$work/config.yaml" <<YAML
source:
  type: snowflake
  serviceName: bench
  serviceConnection:
    config:
      type: Snowflake
      account: bench
      username: bench
      password: \${SNOWFLAKE_PASSWORD}
      warehouse: WH
      database: BENCH
      connectionArguments: {host: 127.0.0.1, port: $proxy_port, protocol: http}
  sourceConfig:
    config:
      type: DatabaseMetadata
sink:
  type: file
  config:
    filename: unused.jsonl
workflowConfig:
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig: {jwtToken: unused}
YAML

run() {
    local name=$1; shift
    local start end
    start=$(date +%s.%N)
    SNOWFLAKE_PASSWORD=bench OMRUN_STATE_DIR="$work/state" "$omrun" ingest -q \
        --plugin "$repo/build/plugins/snowflake.wasm" -c "$work/config.yaml" \
        --file-sink "$work/$name.jsonl" "$@" >/dev/null
    end=$(date +%s.%N)
    python3 -c "print(f'$name: {$end - $start:.2f} s')"
}
log "ingesting $((schemas * tables)) tables with ${latency_ms} ms per request"
run sequential --orchestrator sequential
run "local-$parallelism" --orchestrator local --parallelism "$parallelism"
if cmp -s <(sort "$work/sequential.jsonl") <(sort "$work/local-$parallelism.jsonl"); then
    echo "same requests: yes ($(wc -l <"$work/sequential.jsonl") lines)"
else
    echo "same requests: NO" >&2; exit 1
fi
