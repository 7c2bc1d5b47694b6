#!/usr/bin/env bash
# The Trino stand-in (tests/support/trino/standin.py) and its self-test against the official Trino
# Python client.
#
#   scripts/trino-standin.sh selftest        the official client (PyPI trino, with its SQLAlchemy
#                                            dialect) reads the stand-in: columns, types, pages,
#                                            errors, authentication; exit 0 when every check passes
#   scripts/trino-standin.sh venv            prints the client's virtualenv, installing it if needed
#   scripts/trino-standin.sh serve ARGS…     runs the stand-in (python3 alone: standard library)
#
# The virtualenv is $OMRUN_TRINO_VENV, else ~/.cache/omrun/trino-venv; it is made once (a few
# seconds, about 30 MB) and its marker file names what it holds, so a change of the pinned
# version below remakes it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
standin="$repo/tests/support/trino/standin.py"
want="trino[sqlalchemy]==0.340.0"
venv="${OMRUN_TRINO_VENV:-$HOME/.cache/omrun/trino-venv}"

ensure_venv() {
    local marker="$venv/.omrun-installed"
    if [[ -x "$venv/bin/python" && -f "$marker" && "$(cat "$marker")" == "$want" ]]; then
        return
    fi
    echo "trino-standin: installing $want into $venv" >&2
    if [[ ! -x "$venv/bin/python" ]]; then
        python3 -m venv "$venv" ||
            { echo "trino-standin: cannot create a virtualenv (Debian: apt-get install python3-venv)" >&2; exit 1; }
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
        echo "usage: scripts/trino-standin.sh selftest | venv | serve ARGS…" >&2
        exit 2
        ;;
esac
