#!/usr/bin/env bash
# The test command: builds the plugins and the host, makes OpenMetadata's JSON Schemas available,
# starts a throw-away PostgreSQL and MariaDB, runs `cargo test --workspace` (host unit tests and
# the end-to-end tests in tests/), and stops both servers whatever happens.
#
#   scripts/test.sh                      everything
#   scripts/test.sh -p omrun-tests       extra arguments go to `cargo test`
#   scripts/test.sh -p omrun-tests --test connectors postgres_filters:: -- --nocapture
#
# Needs: cargo with the wasm32-wasip2 target, PostgreSQL server binaries (initdb, pg_ctl), MariaDB
# server binaries (mariadbd, mariadb-install-db, mariadb; Debian: mariadb-server), python3
# with venv (OpenMetadata's Python package is installed into cached virtualenvs: the tests compare
# omrun's sourceHash with its own, run its `metadata ingest` as the oracle of what a client writes,
# and derive its schemas when ../shared/openmetadata-schema is absent; likewise Argo's schema from
# PyPI `hera` when ../shared/argo is absent), and the CNCF Distribution registry
# (`docker-registry`; Debian: docker-registry) for the plugin distribution tests.
# CARGO_TARGET_DIR defaults to $HOME/.cache/omrun/target. OMRUN_OM_SCHEMAS may point at a schema
# directory of your own (it must hold schema/api/{data,services,classification}/*.json).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/omrun/target}
command -v docker-registry >/dev/null ||
    die "docker-registry is missing: the plugin distribution tests push to a real OCI registry (Debian: apt-get install docker-registry)"
# One compiled-component cache for every omrun process of the run: each plugin compiles once.
export OMRUN_CACHE_DIR=${OMRUN_CACHE_DIR:-$CARGO_TARGET_DIR/omrun-test-cache}
export OMRUN_PLUGIN_DIR=$ROOT/build/plugins
# Plugins that exist for the tests only (tests/plugins/).
export OMRUN_TEST_PLUGIN_DIR=$ROOT/build/test-plugins
# The omrun the tests run; set it to measure another build (e.g. target/release/omrun).
export OMRUN_BIN=${OMRUN_BIN:-$CARGO_TARGET_DIR/debug/omrun}
# Tests pass --plugin or set OMRUN_PLUGIN_PATH themselves; an inherited one would change lookups.
unset OMRUN_PLUGIN_PATH

# shellcheck source=scripts/pg.sh
source "$ROOT/scripts/pg.sh"
# shellcheck source=scripts/mariadb.sh
source "$ROOT/scripts/mariadb.sh"

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    # Virtualenv installs still running (a build failed first): stopped; a half-made one has no
    # marker, so the next run installs it again.
    jobs -p | xargs -r kill 2>/dev/null || true
    pg_stop
    maria_stop
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Every edit of a test leaves its old binary behind (100–300 MiB each with debug info): keep the
# two newest `name-<hash>` executables of each name (a package's lib and bin tests share a name).
prune_stale_test_binaries() {
    local deps f name
    for deps in "$1"/debug/deps "$1"/*/debug/deps; do
        [[ -d $deps ]] || continue
        local -A kept=()
        while IFS= read -r f; do
            name=${f%-*}
            kept[$name]=$((${kept[$name]:-0} + 1))
            ((kept[$name] <= 2)) || rm -f -- "$deps/$f"
        done < <(cd "$deps" && ls -t | grep -E -- '-[0-9a-f]{16}$' || true)
        unset kept
    done
}

# --- prerequisites, checked before anything slow ---------------------------------------------------
command -v cargo >/dev/null || die "cargo not found (https://rustup.rs)"
pg_find_bindir || exit 1
maria_find_binaries || exit 1
[[ -x "$ROOT/scripts/build-plugins.sh" || -f "$ROOT/scripts/build-plugins.sh" ]] ||
    die "scripts/build-plugins.sh is missing: the plugins cannot be built"

# --- OpenMetadata JSON Schemas: every Create request is validated against them ------------------
log "OpenMetadata JSON Schemas"
# shellcheck source=scripts/om-schemas.sh
source "$ROOT/scripts/om-schemas.sh"
om_schemas "$ROOT" || die "no OpenMetadata schemas"

# --- Argo Workflows' JSON Schema: every rendered Workflow is validated against it -----------------
# The developers' copy of Argo's own file when it is there; else one derived from PyPI `hera`.
if [[ -z ${OMRUN_ARGO_SCHEMA:-} ]]; then
    if [[ -f "$ROOT/../shared/argo/schema.json" ]]; then
        export OMRUN_ARGO_SCHEMA=$ROOT/../shared/argo/schema.json
    else
        log "Argo's JSON Schema (derived from PyPI hera: no ../shared/argo here)"
        python3 "$ROOT/scripts/argo-schema.py" || die "could not derive Argo's schema"
        export OMRUN_ARGO_SCHEMA=$HOME/.cache/omrun/argo-schema/schema.json
    fi
fi
[[ -f $OMRUN_ARGO_SCHEMA ]] || die "OMRUN_ARGO_SCHEMA=$OMRUN_ARGO_SCHEMA is not a file"

# --- Python virtualenvs, installed in the background while the builds run ------------------------
# Each is installed once into a cache (minutes and up to 1 GB each the first time; a later run
# finds its marker and does nothing): OpenMetadata's own ingestion (`metadata ingest`, the oracle
# of what a client writes; scripts/om-ingest.py, run by tests/support/om_ingest.rs) and the real
# servers the connector tests start (scripts/server-venv.sh, pins in scripts/venvs/; Superset,
# Airflow and MLflow, started by tests/support/{superset,airflow,mlflow}.rs). Downloads and
# unpacking overlap the compiles; `await_venvs` collects them before the tests.
venv_logs=$(mktemp -d)
declare -A venv_jobs=()
start_venv() { # NAME VARIABLE COMMAND...
    local name=$1 var=$2
    shift 2
    "$@" >"$venv_logs/$name.path" 2>"$venv_logs/$name.log" &
    venv_jobs[$name]="$! $var"
}
start_venv openmetadata-ingestion OMRUN_OM_INGEST_VENV python3 "$ROOT/scripts/om-ingest.py"
for server in superset airflow mlflow; do
    start_venv "$server" "OMRUN_$(printf '%s' "$server" | tr '[:lower:]' '[:upper:]')_VENV" \
        bash "$ROOT/scripts/server-venv.sh" "$server"
done
await_venvs() {
    local name pid var
    for name in "${!venv_jobs[@]}"; do
        read -r pid var <<<"${venv_jobs[$name]}"
        if ! wait "$pid"; then
            cat "$venv_logs/$name.log" >&2
            die "could not install $name (see above)"
        fi
        grep -v '^$' "$venv_logs/$name.log" >&2 || true
        export "$var=$(tail -n 1 "$venv_logs/$name.path")"
        log "$name: ${!var}"
    done
    rm -rf "$venv_logs"
}

# --- builds ----------------------------------------------------------------------------------------
log "building the plugins (scripts/build-plugins.sh)"
bash "$ROOT/scripts/build-plugins.sh"
bash "$ROOT/scripts/build-plugins.sh" "$ROOT/tests/plugins" "$OMRUN_TEST_PLUGIN_DIR"
for p in postgres mysql sqlite redshift looker metabase powerbi superset snowflake tableau trino databricks bigquery airflow mlflow; do
    [[ -f "$OMRUN_PLUGIN_DIR/$p.wasm" ]] || die "scripts/build-plugins.sh did not produce $OMRUN_PLUGIN_DIR/$p.wasm"
done

log "building the host and the tests"
cargo build -p omrun --bin omrun
[[ -x "$OMRUN_BIN" ]] || die "the host build did not produce $OMRUN_BIN"
# `--workspace` unless the caller picked packages; `--no-fail-fast` so one failing test binary does
# not hide the results of the others.
scope=(--workspace)
fail_fast=(--no-fail-fast)
for a in "$@"; do
    case $a in
        -p | --package | --package=* | -p?*) scope=() ;;
        --no-fail-fast) fail_fast=() ;;
        --) break ;;
    esac
done
# Compile every test target now, so a compile error shows before PostgreSQL starts.
cargo test "${scope[@]}" --no-run "$@"
prune_stale_test_binaries "$CARGO_TARGET_DIR"

# The plugins' pure logic (filters, type mapping, batching) is unit-tested natively; it belongs to
# the whole-project run, not to a run of chosen packages.
if [[ ${#scope[@]} -gt 0 ]]; then
    log "plugin unit tests (native)"
    (cd "$ROOT/plugins" && cargo test --workspace --target "$(rustc -vV | sed -n 's/^host: //p')")
    # omrun-sdk is what connector authors read on docs.rs: every item documented (the crate denies
    # missing docs) and every link resolving.
    log "omrun-sdk's documentation"
    (cd "$ROOT/plugins" && RUSTDOCFLAGS="-D warnings" cargo doc -q -p omrun-sdk --no-deps)
fi

log "waiting for the virtualenvs"
await_venvs

# --- PostgreSQL and the tests --------------------------------------------------------------------
log "starting PostgreSQL and MariaDB"
pg_start || die "PostgreSQL did not start"
maria_start || die "MariaDB did not start"

test_cmd=(cargo test "${scope[@]}" "${fail_fast[@]}" "$@")
log "${test_cmd[*]}"
"${test_cmd[@]}"
