#!/usr/bin/env bash
# The Databricks Unity Catalog stand-in (tests/support/databricks/standin.py) and its self-test
# against Databricks' official Python client.
#
#   scripts/databricks-standin.sh selftest       the official client (PyPI databricks-sdk, its
#                                                WorkspaceClient) reads the stand-in: catalogs,
#                                                schemas, tables with columns and types, pages,
#                                                errors, the token; exit 0 when every check passes
#   scripts/databricks-standin.sh venv           prints the client's virtualenv, installing it if
#                                                needed
#   scripts/databricks-standin.sh serve ARGS…    runs the stand-in (python3 alone: standard library)
#
# The virtualenv is $OMRUN_DATABRICKS_VENV, else ~/.cache/omrun/databricks-venv; it is made once (a
# few seconds, about 70 MB) and its marker file names what it holds, so a change of the pinned
# version below remakes it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
standin="$repo/tests/support/databricks/standin.py"
want="databricks-sdk==0.167.0"
venv="${OMRUN_DATABRICKS_VENV:-$HOME/.cache/omrun/databricks-venv}"

ensure_venv() {
    local marker="$venv/.omrun-installed"
    if [[ -x "$venv/bin/python" && -f "$marker" && "$(cat "$marker")" == "$want" ]]; then
        return
    fi
    echo "databricks-standin: installing $want into $venv" >&2
    if [[ ! -x "$venv/bin/python" ]]; then
        python3 -m venv "$venv" ||
            { echo "databricks-standin: cannot create a virtualenv (Debian: apt-get install python3-venv)" >&2; exit 1; }
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$want" >&2
    echo "$want" > "$marker"
}

case "${1:-}" in
    selftest)
        ensure_venv
        exec "$venv/bin/python" "$standin" selftest
        ;;
    venv)
        ensure_venv
        echo "$venv"
        ;;
    serve)
        shift
        exec python3 "$standin" serve "$@"
        ;;
    *)
        echo "usage: scripts/databricks-standin.sh selftest | venv | serve ARGS…" >&2
        exit 2
        ;;
esac
