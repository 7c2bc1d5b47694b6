#!/usr/bin/env bash
# OpenMetadata's JSON Schemas, for the tests and the benchmark's OpenMetadata stand-in, which
# validate every Create request against them. Sourced; `om_schemas` sets and exports
# OMRUN_OM_SCHEMAS to a directory holding schema/api/{data,services}/*.json:
#   - $OMRUN_OM_SCHEMAS if already set (it must be complete);
#   - else ../shared/openmetadata-schema/json beside the repo, if present;
#   - else derived from OpenMetadata's PyPI package by scripts/om-schemas.py into
#     $HOME/.cache/omrun/openmetadata-schema (needs python3 with venv).

OM_SCHEMA_FILES=(
    schema/api/services/createDatabaseService.json schema/api/services/createDashboardService.json
    schema/api/data/createDatabase.json schema/api/data/createDatabaseSchema.json
    schema/api/data/createTable.json schema/api/data/createDashboard.json schema/api/data/createChart.json
)

_om_schemas_complete() {
    local f
    for f in "${OM_SCHEMA_FILES[@]}"; do [[ -f "$1/$f" ]] || return 1; done
}

# om_schemas REPO_ROOT
om_schemas() {
    local root=$1
    if [[ -n "${OMRUN_OM_SCHEMAS:-}" ]]; then
        _om_schemas_complete "$OMRUN_OM_SCHEMAS" ||
            { echo "OMRUN_OM_SCHEMAS=$OMRUN_OM_SCHEMAS lacks some of: ${OM_SCHEMA_FILES[*]}" >&2; return 1; }
        echo "using OMRUN_OM_SCHEMAS=$OMRUN_OM_SCHEMAS" >&2
    elif _om_schemas_complete "$root/../shared/openmetadata-schema/json"; then
        OMRUN_OM_SCHEMAS=$(cd "$root/../shared/openmetadata-schema/json" && pwd)
        echo "using the shared copy $OMRUN_OM_SCHEMAS" >&2
    else
        command -v python3 >/dev/null ||
            { echo "no OpenMetadata schemas (../shared/openmetadata-schema absent) and no python3 to derive them" >&2; return 1; }
        OMRUN_OM_SCHEMAS=$HOME/.cache/omrun/openmetadata-schema
        echo "../shared/openmetadata-schema is absent: deriving the schemas into $OMRUN_OM_SCHEMAS" >&2
        python3 "$root/scripts/om-schemas.py" "$OMRUN_OM_SCHEMAS" || { echo "scripts/om-schemas.py failed" >&2; return 1; }
        _om_schemas_complete "$OMRUN_OM_SCHEMAS" || { echo "scripts/om-schemas.py did not write every schema" >&2; return 1; }
    fi
    export OMRUN_OM_SCHEMAS
}
