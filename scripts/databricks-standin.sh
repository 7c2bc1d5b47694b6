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
# The virtualenv is $OMRUN_DATABRICKS_VENV, else ~/.cache/omrun/databricks-venv (a few seconds and
# about 70 MB the first time); scripts/standin-venv.sh makes it.
set -euo pipefail

name=databricks
want=("databricks-sdk==0.167.0")
# shellcheck source=scripts/standin-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/standin-venv.sh"
standin_main "$@"
