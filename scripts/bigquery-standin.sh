#!/usr/bin/env bash
# The BigQuery stand-in (tests/support/bigquery/standin.py: Google's OAuth token endpoint, BigQuery's
# REST API v2 and Data Catalog's policy tags on one base URL) and its self-test against Google's own
# Python clients.
#
#   scripts/bigquery-standin.sh selftest      google-auth exchanges a service account's key for a
#                                             token against it, google-cloud-bigquery reads datasets
#                                             and tables, google-api-python-client reads taxonomies
#                                             and policy tags, and every answer is checked against
#                                             Google's discovery documents; exit 0 when every check
#                                             passes (needs the openssl CLI for its keys)
#   scripts/bigquery-standin.sh venv          prints the clients' virtualenv, installing it if needed
#   scripts/bigquery-standin.sh serve ARGS…   runs the stand-in (python3 alone: standard library)
#
# The virtualenv is $OMRUN_BIGQUERY_VENV, else ~/.cache/omrun/bigquery-venv (about 20 seconds and
# 200 MB the first time, most of it the discovery documents google-api-python-client ships);
# scripts/standin-venv.sh makes it. google-auth is pinned too: it is what signs and exchanges the
# assertion, and its newer versions look up more on their own (see selftest.py).
set -euo pipefail

name=bigquery
want=(
    "google-cloud-bigquery==3.47.0"
    "google-cloud-datacatalog==3.32.0"
    "google-api-python-client==2.202.0"
    "google-auth==2.62.2"
)
# shellcheck source=scripts/standin-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/standin-venv.sh"
standin_main "$@"
