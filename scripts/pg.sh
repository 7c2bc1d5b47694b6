#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: a fresh cluster in a `mktemp -d` directory, on a free
# TCP port of 127.0.0.1, with its socket inside that directory, password authentication
# (scram-sha-256) for a superuser `omrun` whose random password comes from a pwfile. Stopped and
# removed on exit, on failure and on Ctrl-C.
#
# Two ways to use it:
#
#   scripts/pg.sh [--] COMMAND [ARGS...]   run COMMAND with the server up and these variables exported:
#       OMRUN_TEST_PG_HOST OMRUN_TEST_PG_PORT OMRUN_TEST_PG_USER OMRUN_TEST_PG_PASSWORD
#       (and PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE for psql); exits with COMMAND's status
#   scripts/pg.sh                           start it, print the variables, wait for Ctrl-C
#
#   source scripts/pg.sh; pg_start; ...; pg_stop
#       as a library (scripts/test.sh does this); the caller owns the traps and calls pg_stop.
#
# Environment: PG_BINDIR (directory of initdb/pg_ctl; default: pg_config --bindir, else the newest
# /usr/lib/postgresql/*/bin), PG_KEEP=1 keeps the directory after stopping (for a post-mortem).
# As root the server runs as the `postgres` OS user (initdb refuses root).

_pg_log() { printf 'pg.sh: %s\n' "$*" >&2; }
_pg_die() { printf 'pg.sh: error: %s\n' "$*" >&2; return 1; }

# Finds initdb/pg_ctl. Sets PG_BINDIR.
pg_find_bindir() {
    local d
    if [[ -n "${PG_BINDIR:-}" ]]; then
        [[ -x "$PG_BINDIR/initdb" && -x "$PG_BINDIR/pg_ctl" ]] ||
            { _pg_die "PG_BINDIR=$PG_BINDIR has no initdb/pg_ctl"; return 1; }
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then PG_BINDIR=$d; return 0; fi
    fi
    # Debian/Ubuntu keep the server binaries out of PATH, one directory per major version.
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then PG_BINDIR=$d; return 0; fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BINDIR=$(dirname "$(command -v initdb)"); return 0
    fi
    _pg_die "PostgreSQL server binaries (initdb, pg_ctl) not found.
  Install them:  Debian/Ubuntu: sudo apt-get install -y postgresql
                 Fedora/RHEL:   sudo dnf install -y postgresql-server
                 macOS:         brew install postgresql@15
  or point PG_BINDIR at the directory that holds initdb and pg_ctl."
}

# Prints a TCP port of 127.0.0.1 that nothing listens on right now.
_pg_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 40000))
        # A refused connection means the port is free.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
    _pg_die "no free TCP port found"
}

# Runs a PostgreSQL binary as the server's OS user.
_pg_as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$_PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

# _pg_make_certificates DIR DATA: a CA in DIR/ca.{key,crt}, and DATA/server.{key,crt} it signs.
_pg_make_certificates() {
    local dir=$1 data=$2
    {
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$dir/server.ext" &&
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=omrun-test-ca" \
                -keyout "$dir/ca.key" -out "$dir/ca.crt" &&
            openssl req -newkey rsa:2048 -nodes -subj "/CN=omrun-test-pg" \
                -keyout "$data/server.key" -out "$dir/server.csr" &&
            openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
                -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$data/server.crt" &&
            chmod 0600 "$data/server.key" && chmod 0644 "$dir/ca.crt"
    } >"$dir/openssl.log" 2>&1
}

# Starts the server. Sets and exports OMRUN_TEST_PG_{HOST,PORT,USER,PASSWORD}, PG{HOST,PORT,USER,
# PASSWORD,DATABASE}; sets PG_TMPDIR. Returns non-zero (after cleaning up) if it cannot start.
pg_start() {
    pg_find_bindir || return 1
    _PG_OS_USER=$(id -un)
    if [[ $(id -u) -eq 0 ]]; then
        _PG_OS_USER=${PG_OS_USER:-postgres}
        id "$_PG_OS_USER" >/dev/null 2>&1 || {
            _pg_die "running as root, and initdb refuses root: create the OS user '$_PG_OS_USER'" \
                "(installing Debian's postgresql package does) or set PG_OS_USER"
            return 1
        }
        command -v runuser >/dev/null 2>&1 || { _pg_die "runuser (util-linux) is needed to run as $_PG_OS_USER"; return 1; }
    fi

    PG_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/omrun-pg.XXXXXX") || { _pg_die "mktemp failed"; return 1; }
    chmod 0700 "$PG_TMPDIR"
    [[ $(id -u) -eq 0 ]] && chown "$_PG_OS_USER" "$PG_TMPDIR"
    local data=$PG_TMPDIR/data sock=$PG_TMPDIR/sock log=$PG_TMPDIR/postgres.log pwfile=$PG_TMPDIR/pwfile
    _pg_as_owner mkdir -m 0700 "$sock"

    local user=omrun password
    # Distinctive prefix: the tests grep every output for the password, a short one could collide.
    password="omrun-pw-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    (umask 077; printf '%s\n' "$password" >"$pwfile")
    [[ $(id -u) -eq 0 ]] && chown "$_PG_OS_USER" "$pwfile"

    _pg_log "initdb in $data ($("$PG_BINDIR/postgres" --version 2>/dev/null || echo postgres))"
    if ! _pg_as_owner "$PG_BINDIR/initdb" -D "$data" -U "$user" --pwfile="$pwfile" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C --no-sync >"$PG_TMPDIR/initdb.log" 2>&1; then
        cat "$PG_TMPDIR/initdb.log" >&2
        _pg_die "initdb failed"
        pg_stop
        return 1
    fi

    # TLS for the sslMode tests: a throw-away CA (its certificate in OMRUN_TEST_PG_CA_FILE) signs
    # the server's certificate for 127.0.0.1, and a role `omrun_tls` may only connect over TLS.
    # Other roles may use either.
    local tls_opts=""
    if command -v openssl >/dev/null 2>&1 && _pg_make_certificates "$PG_TMPDIR" "$data"; then
        [[ $(id -u) -eq 0 ]] && chown "$_PG_OS_USER" "$data/server.key" "$data/server.crt"
        { echo "hostnossl all omrun_tls all reject"; cat "$data/pg_hba.conf"; } >"$data/pg_hba.new"
        mv "$data/pg_hba.new" "$data/pg_hba.conf"
        [[ $(id -u) -eq 0 ]] && chown "$_PG_OS_USER" "$data/pg_hba.conf"
        tls_opts="-c ssl=on"
        export OMRUN_TEST_PG_CA_FILE=$PG_TMPDIR/ca.crt
    else
        _pg_log "no openssl or it failed (see $PG_TMPDIR/openssl.log): TLS is off"
    fi

    local port tries=0
    while :; do
        port=$(_pg_free_port) || { pg_stop; return 1; }
        # fsync off / no synchronous commit: a throw-away cluster, durability is irrelevant.
        # max_locks_per_transaction: fixtures create 1,000 tables in one transaction.
        if _pg_as_owner "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" -w -t 60 -s \
            -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c max_locks_per_transaction=256 $tls_opts" \
            start; then
            break
        fi
        tries=$((tries + 1))
        # Another process may have taken the port between the probe and the bind: try another.
        if ((tries >= 3)) || ! grep -q 'could not bind\|Address already in use' "$log" 2>/dev/null; then
            tail -n 30 "$log" >&2 2>/dev/null
            _pg_die "pg_ctl start failed"
            pg_stop
            return 1
        fi
        _pg_log "port $port was taken, retrying"
    done

    # pg_ctl -w waits for the postmaster; also wait until it accepts a password login over TCP.
    local i
    for i in $(seq 60); do
        if PGPASSWORD=$password "$PG_BINDIR/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres \
            -qAtX -c 'select 1' >/dev/null 2>&1; then
            break
        fi
        if ((i == 60)); then
            tail -n 30 "$log" >&2
            _pg_die "the server did not accept connections on 127.0.0.1:$port"
            pg_stop
            return 1
        fi
        sleep 0.5
    done

    export OMRUN_TEST_PG_HOST=127.0.0.1 OMRUN_TEST_PG_PORT=$port OMRUN_TEST_PG_USER=$user
    export OMRUN_TEST_PG_PASSWORD=$password
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=$user PGPASSWORD=$password PGDATABASE=postgres
    _PG_DATA=$data
    # How the source-fault tests restart the server mid-run (same port and options: pg_ctl keeps
    # them in postmaster.opts). A command line, run with `sh -c`.
    local owner=()
    [[ $(id -u) -eq 0 ]] && owner=(runuser -u "$_PG_OS_USER" --)
    OMRUN_TEST_PG_RESTART=$(printf '%q ' "${owner[@]}" "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" -m fast -w -t 60 -s restart)
    export OMRUN_TEST_PG_RESTART
    _pg_log "PostgreSQL up on 127.0.0.1:$port (user $user; directory $PG_TMPDIR)"
}

# Stops the server (if running) and removes its directory. Safe to call more than once.
pg_stop() {
    [[ -n "${PG_TMPDIR:-}" ]] || return 0
    if [[ -n "${_PG_DATA:-}" && -f "$_PG_DATA/postmaster.pid" ]]; then
        _pg_as_owner "$PG_BINDIR/pg_ctl" -D "$_PG_DATA" -m fast -w -t 30 -s stop >/dev/null 2>&1 ||
            _pg_as_owner "$PG_BINDIR/pg_ctl" -D "$_PG_DATA" -m immediate -w -t 30 -s stop >/dev/null 2>&1 ||
            _pg_log "could not stop the server in $_PG_DATA"
    elif [[ -d "$PG_TMPDIR/data" && -f "$PG_TMPDIR/data/postmaster.pid" ]]; then
        _pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_TMPDIR/data" -m immediate -w -t 30 -s stop >/dev/null 2>&1 || true
    fi
    if [[ "${PG_KEEP:-0}" == 1 ]]; then
        _pg_log "kept $PG_TMPDIR (PG_KEEP=1)"
    else
        rm -rf -- "$PG_TMPDIR"
        _pg_log "PostgreSQL stopped and removed"
    fi
    PG_TMPDIR= _PG_DATA=
    unset OMRUN_TEST_PG_PASSWORD PGPASSWORD
}

# Executed (not sourced): run a command with the server up, or wait for Ctrl-C.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -uo pipefail
    _pg_sleeper=
    trap '[[ -n "$_pg_sleeper" ]] && kill "$_pg_sleeper" 2>/dev/null; pg_stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    pg_start || exit 1
    [[ "${1:-}" == "--" ]] && shift
    if [[ $# -gt 0 ]]; then
        "$@"
        exit $?
    fi
    cat <<EOF
export OMRUN_TEST_PG_HOST=$OMRUN_TEST_PG_HOST OMRUN_TEST_PG_PORT=$OMRUN_TEST_PG_PORT OMRUN_TEST_PG_USER=$OMRUN_TEST_PG_USER
export OMRUN_TEST_PG_PASSWORD=$OMRUN_TEST_PG_PASSWORD
export PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGPASSWORD=$PGPASSWORD
# Ctrl-C stops and removes the server.
EOF
    while :; do sleep 3600 & _pg_sleeper=$!; wait "$_pg_sleeper"; done
fi
