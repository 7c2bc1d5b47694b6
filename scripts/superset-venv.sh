#!/usr/bin/env bash
# A real Apache Superset for the Superset connector's tests (tests/support/superset.rs): PyPI
# `apache-superset`, installed once into a cached virtualenv whose marker names the pins (a change
# of a pin remakes it). Prints the virtualenv's path.
#
#   scripts/superset-venv.sh            # installs if needed (about 5 minutes, 1 GB), prints the path
#
# The virtualenv is $OMRUN_SUPERSET_VENV, else ~/.cache/omrun/superset-venv. Beside Superset:
# Flask-Caching 2.3.1 (pip resolves 2.5, which Superset 6.1 cannot start with:
# `SupersetMetastoreCache.__init__() got an unexpected keyword argument
# 'ignore_delete_many_errors'`), and three modules Superset imports without requiring them: `rich`
# (its CLI), `cachetools` (database connections) and `psycopg2-binary` (its connection to the test
# PostgreSQL). scripts/test.sh runs this before the tests.
set -euo pipefail

want=(
    "apache-superset==6.1.0"
    "flask-caching==2.3.1"
    "cachetools==8.0.2"
    "rich==15.0.0"
    "psycopg2-binary==2.9.13"
)
venv="${OMRUN_SUPERSET_VENV:-$HOME/.cache/omrun/superset-venv}"
marker="$venv/.omrun-installed"

if [[ -x "$venv/bin/superset" && -f "$marker" && "$(cat "$marker")" == "${want[*]}" ]]; then
    echo "$venv"
    exit 0
fi
echo "superset-venv: installing ${want[*]} into $venv (about 5 minutes the first time)" >&2
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" ||
        { echo "superset-venv: cannot create a virtualenv (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${want[@]}" >&2
[[ -x "$venv/bin/superset" ]] || { echo "superset-venv: $venv/bin/superset is missing after the install" >&2; exit 1; }
echo "${want[*]}" > "$marker"
echo "$venv"
