#!/usr/bin/env bash
# A real server for the connector tests, from PyPI, installed once into a cached virtualenv:
# the pins are scripts/venvs/NAME.txt (a requirements file), and the virtualenv's marker holds
# them, so a change of a pin remakes it and an unchanged one costs nothing. Prints its path.
#
#   scripts/server-venv.sh superset     # Apache Superset (tests/support/superset.rs)
#   scripts/server-venv.sh airflow      # Apache Airflow 3 (tests/support/airflow.rs)
#   scripts/server-venv.sh mlflow       # MLflow tracking server (tests/support/mlflow.rs)
#
# The virtualenv is $OMRUN_<NAME>_VENV (e.g. OMRUN_AIRFLOW_VENV), else ~/.cache/omrun/NAME-venv.
# scripts/test.sh runs this for each server before the tests and exports the variable.
set -euo pipefail

name=${1:?usage: scripts/server-venv.sh NAME (a file scripts/venvs/NAME.txt)}
requirements="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/venvs/$name.txt"
[[ -f $requirements ]] || { echo "server-venv: no $requirements" >&2; exit 1; }

upper=$(printf '%s' "$name" | tr '[:lower:]-' '[:upper:]_')
override="OMRUN_${upper}_VENV"
venv="${!override:-$HOME/.cache/omrun/$name-venv}"
marker="$venv/.omrun-installed"
# The pins without comments or blank lines: what the marker records.
want=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$requirements")

if [[ -f $marker && "$(cat "$marker")" == "$want" ]]; then
    echo "$venv"
    exit 0
fi
echo "server-venv: installing $name into $venv (minutes the first time):" $want >&2
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" ||
        { echo "server-venv: cannot create a virtualenv (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
printf '%s\n' "$want" > "$marker"
echo "$venv"
