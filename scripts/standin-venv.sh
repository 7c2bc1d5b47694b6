# What scripts/<name>-standin.sh share (sourced, not run): the stand-in
# tests/support/<name>/standin.py, the virtualenv of the vendor's client that checks it, and the
# commands
#
#   scripts/<name>-standin.sh selftest      the vendor's client against the stand-in; exit 0 when
#                                           every check passes
#   scripts/<name>-standin.sh venv          prints the client's virtualenv, installing it if needed
#   scripts/<name>-standin.sh serve ARGS…   runs the stand-in (python3 alone: standard library)
#
# The sourcing script sets `name` (the folder under tests/support) and `want` (an array of pinned
# pip requirements). The virtualenv is $OMRUN_<NAME>_VENV, else ~/.cache/omrun/<name>-venv; it is
# made once, and its marker file names what it holds, so a change of a pin remakes it.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
standin="$repo/tests/support/$name/standin.py"
venv_var="OMRUN_${name^^}_VENV"
venv="${!venv_var:-$HOME/.cache/omrun/$name-venv}"

ensure_venv() {
    local marker="$venv/.omrun-installed"
    if [[ -x "$venv/bin/python" && -f "$marker" && "$(cat "$marker")" == "${want[*]}" ]]; then
        return
    fi
    echo "$name-standin: installing ${want[*]} into $venv" >&2
    if [[ ! -x "$venv/bin/python" ]]; then
        python3 -m venv "$venv" ||
            { echo "$name-standin: cannot create a virtualenv (Debian: apt-get install python3-venv)" >&2; exit 1; }
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${want[@]}" >&2
    echo "${want[*]}" > "$marker"
}

standin_main() {
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
            echo "usage: scripts/$name-standin.sh selftest | venv | serve ARGS…" >&2
            exit 2
            ;;
    esac
}
