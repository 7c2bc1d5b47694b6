#!/usr/bin/env bash
# A throw-away MariaDB server for the tests (the MySQL protocol): `mariadb-install-db` into a
# `mktemp -d` directory, `mariadbd` on a free TCP port of 127.0.0.1 with its socket inside that
# directory, and a user `omrun` with a random password and every privilege. Stopped and removed on
# exit, like scripts/pg.sh, and used the same two ways:
#
#   scripts/mariadb.sh [--] COMMAND [ARGS...]   run COMMAND with the server up and these exported:
#       OMRUN_TEST_MYSQL_HOST OMRUN_TEST_MYSQL_PORT OMRUN_TEST_MYSQL_USER OMRUN_TEST_MYSQL_PASSWORD
#       OMRUN_TEST_MYSQL_SOCKET (for the `mariadb` client as root)
#   source scripts/mariadb.sh; maria_start; ...; maria_stop       (scripts/test.sh does this)
#
# Environment: MARIADB_BINDIR (directory of mariadbd; default: found on PATH or in /usr/sbin),
# MARIADB_KEEP=1 keeps the directory after stopping. As root the server runs as the `mysql` OS
# user (Debian's mariadb-server package creates it).

_maria_log() { printf 'mariadb.sh: %s\n' "$*" >&2; }
_maria_die() { printf 'mariadb.sh: error: %s\n' "$*" >&2; return 1; }

# Finds mariadbd and mariadb-install-db. Sets _MARIA_SERVER, _MARIA_INSTALL_DB, _MARIA_CLIENT.
maria_find_binaries() {
    local dirs=("${MARIADB_BINDIR:-}" /usr/sbin /usr/bin /usr/local/bin /usr/local/sbin) d
    _MARIA_SERVER= _MARIA_INSTALL_DB= _MARIA_CLIENT=
    _MARIA_SERVER=$(command -v mariadbd 2>/dev/null || true)
    _MARIA_INSTALL_DB=$(command -v mariadb-install-db 2>/dev/null || true)
    _MARIA_CLIENT=$(command -v mariadb 2>/dev/null || true)
    for d in "${dirs[@]}"; do
        [[ -n "$d" ]] || continue
        [[ -z "$_MARIA_SERVER" && -x "$d/mariadbd" ]] && _MARIA_SERVER=$d/mariadbd
        [[ -z "$_MARIA_INSTALL_DB" && -x "$d/mariadb-install-db" ]] && _MARIA_INSTALL_DB=$d/mariadb-install-db
        [[ -z "$_MARIA_CLIENT" && -x "$d/mariadb" ]] && _MARIA_CLIENT=$d/mariadb
    done
    [[ -n "$_MARIA_SERVER" && -n "$_MARIA_INSTALL_DB" && -n "$_MARIA_CLIENT" ]] && return 0
    _maria_die "MariaDB server binaries (mariadbd, mariadb-install-db, mariadb) not found.
  Install them:  Debian/Ubuntu: sudo apt-get install -y mariadb-server
                 macOS:         brew install mariadb
  or point MARIADB_BINDIR at the directory that holds mariadbd."
}

_maria_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts the server and exports the OMRUN_TEST_MYSQL_* variables; sets MARIA_TMPDIR.
maria_start() {
    maria_find_binaries || return 1
    local os_user
    os_user=$(id -un)
    if [[ $(id -u) -eq 0 ]]; then
        os_user=${MARIADB_OS_USER:-mysql}
        id "$os_user" >/dev/null 2>&1 ||
            { _maria_die "running as root: create the OS user '$os_user' (Debian's mariadb-server does) or set MARIADB_OS_USER"; return 1; }
    fi
    MARIA_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/omrun-mariadb.XXXXXX") || { _maria_die "mktemp failed"; return 1; }
    chmod 0755 "$MARIA_TMPDIR"
    local data=$MARIA_TMPDIR/data sock=$MARIA_TMPDIR/mysqld.sock log=$MARIA_TMPDIR/mariadb.log
    mkdir -m 0700 "$data"
    [[ $(id -u) -eq 0 ]] && chown "$os_user" "$data" "$MARIA_TMPDIR"

    _maria_log "mariadb-install-db in $data ($("$_MARIA_SERVER" --version 2>/dev/null | sed 's/^.*Ver //'))"
    if ! "$_MARIA_INSTALL_DB" --no-defaults --user="$os_user" --datadir="$data" \
        --auth-root-authentication-method=socket --skip-test-db >"$MARIA_TMPDIR/install.log" 2>&1; then
        tail -n 30 "$MARIA_TMPDIR/install.log" >&2
        _maria_die "mariadb-install-db failed"
        maria_stop
        return 1
    fi

    local port tries=0 i
    while :; do
        port=$(_maria_free_port) || { maria_stop; return 1; }
        # --no-defaults: nothing from /etc/mysql; durability off: a throw-away server.
        "$_MARIA_SERVER" --no-defaults --user="$os_user" --datadir="$data" --socket="$sock" \
            --pid-file="$MARIA_TMPDIR/mariadbd.pid" --port="$port" --bind-address=127.0.0.1 \
            --log-error="$log" --skip-name-resolve --innodb-flush-log-at-trx-commit=0 \
            --innodb-doublewrite=0 --max-connections=200 --character-set-server=utf8mb4 \
            --collation-server=utf8mb4_general_ci >/dev/null 2>&1 &
        _MARIA_PID=$!
        for i in $(seq 120); do
            [[ -S "$sock" ]] && "$_MARIA_CLIENT" --no-defaults -uroot --socket="$sock" -e 'select 1' >/dev/null 2>&1 && break
            kill -0 "$_MARIA_PID" 2>/dev/null || break
            sleep 0.25
        done
        if kill -0 "$_MARIA_PID" 2>/dev/null && [[ -S "$sock" ]]; then break; fi
        tries=$((tries + 1))
        if ((tries >= 3)) || ! grep -q 'Address already in use\|Do you already have another' "$log" 2>/dev/null; then
            tail -n 30 "$log" >&2 2>/dev/null
            _maria_die "mariadbd did not start"
            maria_stop
            return 1
        fi
        _maria_log "port $port was taken, retrying"
    done

    local user=omrun password
    password="omrun-pw-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    "$_MARIA_CLIENT" --no-defaults -uroot --socket="$sock" <<SQL || { _maria_die "creating the user failed"; maria_stop; return 1; }
CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1' WITH GRANT OPTION;
SQL
    export OMRUN_TEST_MYSQL_HOST=127.0.0.1 OMRUN_TEST_MYSQL_PORT=$port OMRUN_TEST_MYSQL_USER=$user
    export OMRUN_TEST_MYSQL_PASSWORD=$password OMRUN_TEST_MYSQL_SOCKET=$sock
    _maria_log "MariaDB up on 127.0.0.1:$port (user $user; directory $MARIA_TMPDIR)"
}

# Stops the server (if running) and removes its directory. Safe to call more than once.
maria_stop() {
    [[ -n "${MARIA_TMPDIR:-}" ]] || return 0
    if [[ -n "${_MARIA_PID:-}" ]] && kill -0 "$_MARIA_PID" 2>/dev/null; then
        kill -TERM "$_MARIA_PID" 2>/dev/null
        local i
        for i in $(seq 120); do kill -0 "$_MARIA_PID" 2>/dev/null || break; sleep 0.25; done
        kill -KILL "$_MARIA_PID" 2>/dev/null || true
    fi
    if [[ "${MARIADB_KEEP:-0}" == 1 ]]; then
        _maria_log "kept $MARIA_TMPDIR (MARIADB_KEEP=1)"
    else
        rm -rf -- "$MARIA_TMPDIR"
        _maria_log "MariaDB stopped and removed"
    fi
    MARIA_TMPDIR= _MARIA_PID=
    unset OMRUN_TEST_MYSQL_PASSWORD
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -uo pipefail
    _maria_sleeper=
    trap '[[ -n "$_maria_sleeper" ]] && kill "$_maria_sleeper" 2>/dev/null; maria_stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    maria_start || exit 1
    [[ "${1:-}" == "--" ]] && shift
    if [[ $# -gt 0 ]]; then
        "$@"
        exit $?
    fi
    cat <<EOF
export OMRUN_TEST_MYSQL_HOST=$OMRUN_TEST_MYSQL_HOST OMRUN_TEST_MYSQL_PORT=$OMRUN_TEST_MYSQL_PORT OMRUN_TEST_MYSQL_USER=$OMRUN_TEST_MYSQL_USER
export OMRUN_TEST_MYSQL_PASSWORD=$OMRUN_TEST_MYSQL_PASSWORD
# root over the socket: mariadb -uroot --socket=$OMRUN_TEST_MYSQL_SOCKET
# Ctrl-C stops and removes the server.
EOF
    while :; do sleep 3600 & _maria_sleeper=$!; wait "$_maria_sleeper"; done
fi
