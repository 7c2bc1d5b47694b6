#!/usr/bin/env bash
# The Tableau stand-in (tests/support/tableau/standin.py: Tableau Server's REST API, XML and JSON,
# and its Metadata API, GraphQL) and its self-test against Tableau's own Python client.
#
#   scripts/tableau-standin.sh selftest      tableauserverclient signs in with a personal access
#                                            token, pages through workbooks and projects, populates
#                                            views, reads users and queries the Metadata API; exit 0
#                                            when every check passes
#   scripts/tableau-standin.sh venv          prints the client's virtualenv, installing it if needed
#   scripts/tableau-standin.sh serve ARGS…   runs the stand-in (python3 alone: standard library)
#
# The virtualenv is $OMRUN_TABLEAU_VENV, else ~/.cache/omrun/tableau-venv (a few seconds and about
# 30 MB the first time); scripts/standin-venv.sh makes it. tableauserverclient is pinned to the
# version openmetadata-ingestion 2.0.7.0 pins for its Tableau connector.
set -euo pipefail

name=tableau
want=("tableauserverclient==0.40" "validators~=0.22.0")
# shellcheck source=scripts/standin-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/standin-venv.sh"
standin_main "$@"
