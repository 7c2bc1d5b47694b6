#!/usr/bin/env bash
# The Trino stand-in (tests/support/trino/standin.py) and its self-test against the official Trino
# and PrestoDB Python clients.
#
#   scripts/trino-standin.sh selftest        the official clients (PyPI trino, with its SQLAlchemy
#                                            dialect; presto-python-client for the Presto flavour)
#                                            read the stand-in: columns, types, pages, errors,
#                                            authentication; exit 0 when every check passes
#   scripts/trino-standin.sh venv            prints the client's virtualenv, installing it if needed
#   scripts/trino-standin.sh serve ARGS…     runs the stand-in (python3 alone: standard library)
#
# The virtualenv is $OMRUN_TRINO_VENV, else ~/.cache/omrun/trino-venv (a few seconds and about
# 30 MB the first time); scripts/standin-venv.sh makes it.
set -euo pipefail

name=trino
# PyHive: the driver OpenMetadata's Presto connector uses, lent to it by the tests that run it.
want=("trino[sqlalchemy]==0.340.0" "presto-python-client==0.8.4" "PyHive==0.7.0")
# shellcheck source=scripts/standin-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/standin-venv.sh"
standin_main "$@"
