#!/usr/bin/env bash
# The Snowflake emulator the Snowflake tests run: PyPI `fakesnow` (Snowflake's client protocol
# over DuckDB), which nobody here wrote, with Snowflake's own Python connector to load it.
#
#   scripts/fakesnow.sh venv            prints the virtualenv's folder, creating it once
#   scripts/fakesnow.sh serve PORT      runs `fakesnow -s -p PORT` (in the foreground)
#   scripts/fakesnow.sh load PORT SQL…  runs each statement through snowflake-connector-python
#   scripts/fakesnow.sh om-path         prints a PYTHONPATH on which openmetadata-ingestion's
#                                       virtualenv finds its Snowflake extra: the connector from
#                                       this virtualenv, snowflake-sqlalchemy (installed once,
#                                       without dependencies, beside it)
#
# The virtualenv is cached in $OMRUN_FAKESNOW_VENV (default ~/.cache/omrun/fakesnow-venv).
# fakesnow 0.12.1 needs snowflake-connector-python < 5 (5.x moved `converter`).
set -euo pipefail
VENV=${OMRUN_FAKESNOW_VENV:-$HOME/.cache/omrun/fakesnow-venv}
PACKAGES=('fakesnow[server]==0.12.1' 'snowflake-connector-python>=3.12,<5')

ensure_venv() {
    local stamp="$VENV/.omrun-packages"
    if [[ -f $stamp && $(cat "$stamp") == "${PACKAGES[*]}" ]]; then return; fi
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check "${PACKAGES[@]}" >&2
    printf '%s' "${PACKAGES[*]}" >"$stamp"
}

# What openmetadata-ingestion[snowflake]==2.0.7.0 asks for (snowflake-sqlalchemy>=1.11.0).
OM_EXTRA=("snowflake-sqlalchemy==2.1.0")
om_path() {
    ensure_venv
    local extra="$VENV/om-extra" stamp="$VENV/om-extra/.omrun-packages"
    if [[ ! -f $stamp || $(cat "$stamp") != "${OM_EXTRA[*]}" ]]; then
        rm -rf "$extra"
        "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --target "$extra" \
            "${OM_EXTRA[@]}" >&2
        printf '%s' "${OM_EXTRA[*]}" >"$stamp"
    fi
    local site
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$extra:$site"
}

case ${1:-} in
venv) ensure_venv; echo "$VENV" ;;
om-path) om_path ;;
serve) ensure_venv; exec "$VENV/bin/fakesnow" -s -p "$2" ;;
load)
    ensure_venv
    port=$2; shift 2
    exec "$VENV/bin/python" - "$port" "$@" <<'PY'
import sys
import snowflake.connector
port, statements = int(sys.argv[1]), sys.argv[2:]
conn = snowflake.connector.connect(user="loader", password="loader", account="omrun",
                                   host="127.0.0.1", port=port, protocol="http")
cursor = conn.cursor()
for sql in statements:
    cursor.execute(sql)
PY
    ;;
*) echo "usage: $0 venv | om-path | serve PORT | load PORT SQL..." >&2; exit 2 ;;
esac
