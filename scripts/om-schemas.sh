#!/usr/bin/env bash
# OpenMetadata's JSON Schemas, for the tests and the benchmark's OpenMetadata stand-in, which
# validate every Create request against them. Sourced; `om_schemas` sets and exports
# OMRUN_OM_SCHEMAS to a directory holding schema/api/{data,services,classification,lineage}/*.json
# and schema/entity/data/pipelineStatus.json:
#   - $OMRUN_OM_SCHEMAS if already set (it must be complete);
#   - else ../shared/openmetadata-schema/json beside the repo, if it has every schema;
#   - else derived from OpenMetadata's PyPI package by scripts/om-schemas.py into
#     $HOME/.cache/omrun/openmetadata-schema (needs python3 with venv). When the shared copy has
#     some of the schemas, a merged directory links those and takes only the others from the
#     derived set: the shared originals are preferred wherever they exist.

OM_SCHEMA_FILES=(
    schema/api/services/createDatabaseService.json schema/api/services/createDashboardService.json
    schema/api/data/createDatabase.json schema/api/data/createDatabaseSchema.json
    schema/api/data/createTable.json schema/api/data/createDashboard.json schema/api/data/createChart.json
    schema/api/data/createStoredProcedure.json schema/api/data/createDashboardDataModel.json
    schema/api/classification/createClassification.json schema/api/classification/createTag.json
    schema/api/lineage/addLineage.json
    schema/api/services/createPipelineService.json schema/api/services/createMlModelService.json
    schema/api/data/createPipeline.json schema/api/data/createMlModel.json
    schema/entity/data/pipelineStatus.json
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
        local shared="$root/../shared/openmetadata-schema/json"
        _om_schemas_derive "$root" || return 1
        if [[ -d "$shared" ]]; then
            # Links, not copies: the shared schemas stay the one source where they exist. In
            # this checkout's build/ directory: test runs of other checkouts (other branches, CI's
            # clean clone) remake their own at the same time.
            local merged=$root/build/openmetadata-schema-merged f from
            rm -rf "$merged"
            for f in "${OM_SCHEMA_FILES[@]}"; do
                from="$OMRUN_OM_SCHEMAS/$f"
                [[ -f "$shared/$f" ]] && from=$(cd "$shared" && pwd)/$f
                mkdir -p "$(dirname "$merged/$f")"
                ln -s "$from" "$merged/$f"
            done
            echo "the shared copy lacks some schemas: $merged links the shared ones and derived ones for the rest" >&2
            OMRUN_OM_SCHEMAS=$merged
        fi
    fi
    export OMRUN_OM_SCHEMAS
}

# Derives every schema from the PyPI package into $HOME/.cache/omrun/openmetadata-schema.
_om_schemas_derive() {
    local root=$1
    command -v python3 >/dev/null ||
        { echo "no complete OpenMetadata schemas in ../shared/openmetadata-schema and no python3 to derive them" >&2; return 1; }
    OMRUN_OM_SCHEMAS=$HOME/.cache/omrun/openmetadata-schema
    echo "deriving the schemas from OpenMetadata's PyPI package into $OMRUN_OM_SCHEMAS" >&2
    python3 "$root/scripts/om-schemas.py" "$OMRUN_OM_SCHEMAS" || { echo "scripts/om-schemas.py failed" >&2; return 1; }
    _om_schemas_complete "$OMRUN_OM_SCHEMAS" || { echo "scripts/om-schemas.py did not write every schema" >&2; return 1; }
}
