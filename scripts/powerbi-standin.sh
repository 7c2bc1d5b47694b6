#!/usr/bin/env bash
# The Power BI stand-in (tests/support/powerbi/standin.py: Microsoft Entra ID's token endpoint and
# the Power BI REST API) and its self-test against Microsoft's own token client.
#
#   scripts/powerbi-standin.sh selftest        msal (PyPI, the client OpenMetadata's Power BI
#                                              connector uses) gets a token from the stand-in over
#                                              TLS; requests reads the scanner API with it; exit 0
#                                              when every check passes (needs openssl)
#   scripts/powerbi-standin.sh venv            prints the client's virtualenv, installing it if needed
#   scripts/powerbi-standin.sh serve ARGS…     runs the stand-in (python3 alone: standard library)
#
# The virtualenv is $OMRUN_POWERBI_VENV, else ~/.cache/omrun/powerbi-venv (a few seconds and
# about 20 MB the first time); scripts/standin-venv.sh makes it.
set -euo pipefail

name=powerbi
# msal as openmetadata-ingestion 2.0.7.0 resolves it.
want=("msal==1.39.0" "requests==2.34.2")
# shellcheck source=scripts/standin-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/standin-venv.sh"
standin_main "$@"
