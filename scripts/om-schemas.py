#!/usr/bin/env python3
"""Derive OpenMetadata's JSON Schemas for the Create* requests omrun emits.

    scripts/om-schemas.py OUT_DIR            # writes OUT_DIR/schema/{api,entity}/…/*.json

The schemas are generated from the pydantic models shipped in PyPI `openmetadata-ingestion` (the
models OpenMetadata itself generates from its openmetadata-spec JSON Schemas), with
`model_json_schema(mode="validation")`: draft 2020-12, self-contained (every `$ref` points into
`$defs`). The output is byte-for-byte the layout of the copy the omrun developers keep beside the
repo (`../shared/openmetadata-schema/json`), so the tests read either one the same way.

The package is installed into a cached virtualenv (`$HOME/.cache/omrun/om-venv`, or `$OMRUN_OM_VENV`)
with `--no-deps` plus only what importing the generated models needs, to keep it small. A second run
with the same version and complete output does nothing.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schematool  # noqa: E402  (beside this script)

OM_PACKAGE = "openmetadata-ingestion"
OM_VERSION = "2.0.7.0"
# What importing metadata.generated.schema.* needs (found by trying: `pip install --no-deps
# openmetadata-ingestion`, then importing the modules below): pydantic (the range the ingestion
# package declares) and email-validator (models with `EmailStr` fields). Nothing else: the
# package's own `metadata/__init__.py` pulls in the profiler (SQLAlchemy and much more), so
# `generate` imports the generated models without running it (see `import_models_only`).
EXTRA_REQUIREMENTS = [
    "pydantic>=2.12.5,<3",
    "email-validator>=2.0,<3",
]

# (output path under OUT_DIR, module, class)
MODELS = [
    ("schema/api/services/createDatabaseService.json",
     "metadata.generated.schema.api.services.createDatabaseService", "CreateDatabaseServiceRequest"),
    ("schema/api/services/createDashboardService.json",
     "metadata.generated.schema.api.services.createDashboardService", "CreateDashboardServiceRequest"),
    ("schema/api/data/createDatabase.json",
     "metadata.generated.schema.api.data.createDatabase", "CreateDatabaseRequest"),
    ("schema/api/data/createDatabaseSchema.json",
     "metadata.generated.schema.api.data.createDatabaseSchema", "CreateDatabaseSchemaRequest"),
    ("schema/api/data/createTable.json",
     "metadata.generated.schema.api.data.createTable", "CreateTableRequest"),
    ("schema/api/data/createDashboard.json",
     "metadata.generated.schema.api.data.createDashboard", "CreateDashboardRequest"),
    ("schema/api/data/createChart.json",
     "metadata.generated.schema.api.data.createChart", "CreateChartRequest"),
    ("schema/api/data/createDashboardDataModel.json",
     "metadata.generated.schema.api.data.createDashboardDataModel", "CreateDashboardDataModelRequest"),
    ("schema/api/data/createStoredProcedure.json",
     "metadata.generated.schema.api.data.createStoredProcedure", "CreateStoredProcedureRequest"),
    # Not in the shared copy: the classification and the tag a label names, which the sinks write
    # first (OpenMetadata's PUT /v1/classifications and /v1/tags).
    ("schema/api/classification/createClassification.json",
     "metadata.generated.schema.api.classification.createClassification", "CreateClassificationRequest"),
    ("schema/api/classification/createTag.json",
     "metadata.generated.schema.api.classification.createTag", "CreateTagRequest"),
    # The lineage edges a dashboard's data models and tables make (PUT /v1/lineage).
    ("schema/api/lineage/addLineage.json",
     "metadata.generated.schema.api.lineage.addLineage", "AddLineageRequest"),
    # Pipeline and ML model services (contract 0.5.0): their services, their entities, and a
    # pipeline's runs (PUT /v1/pipelines/{fqn}/status takes an entity/data/pipeline.json
    # PipelineStatus, not a Create request).
    ("schema/api/services/createPipelineService.json",
     "metadata.generated.schema.api.services.createPipelineService", "CreatePipelineServiceRequest"),
    ("schema/api/services/createMlModelService.json",
     "metadata.generated.schema.api.services.createMlModelService", "CreateMlModelServiceRequest"),
    ("schema/api/data/createPipeline.json",
     "metadata.generated.schema.api.data.createPipeline", "CreatePipelineRequest"),
    ("schema/api/data/createMlModel.json",
     "metadata.generated.schema.api.data.createMlModel", "CreateMlModelRequest"),
    ("schema/entity/data/pipelineStatus.json",
     "metadata.generated.schema.entity.data.pipeline", "PipelineStatus"),
]

STAMP = ".omrun-om-schemas"

SCRIPT = schematool.SchemaScript(
    tool="om-schemas",
    venv_env="OMRUN_OM_VENV",
    venv_name="om-venv",
    want=f"{OM_PACKAGE}=={OM_VERSION} " + " ".join(EXTRA_REQUIREMENTS),
    what=f"{OM_PACKAGE}=={OM_VERSION} (--no-deps) and {', '.join(EXTRA_REQUIREMENTS)}",
    # The extras first: pip checks the installed set after each install, and would list every one
    # of the ingestion package's (deliberately) missing dependencies after a later one.
    installs=(tuple(EXTRA_REQUIREMENTS), ("--no-deps", f"{OM_PACKAGE}=={OM_VERSION}")),
)
log = SCRIPT.log


def up_to_date(out: Path) -> bool:
    stamp = out / STAMP
    if not stamp.is_file() or stamp.read_text().strip() != f"{OM_PACKAGE}=={OM_VERSION}":
        return False
    return all((out / rel).is_file() for rel, _, _ in MODELS)


def import_models_only() -> None:
    """Registers the `metadata` package without executing its `__init__.py`.

    That file wires the profiler's dependency container (importing SQLAlchemy, the profiler metrics,
    the source loaders...), none of which the generated pydantic models use: they import only
    `metadata.generated.*` and `metadata.ingestion.models.custom_pydantic` (pydantic alone). Skipping
    it keeps the virtualenv to openmetadata-ingestion --no-deps plus pydantic.
    """
    import importlib.util
    import types

    spec = importlib.util.find_spec("metadata")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"om-schemas: error: package `metadata` ({OM_PACKAGE}) is not installed in {sys.prefix}")
    pkg = types.ModuleType("metadata")
    pkg.__path__ = list(spec.submodule_search_locations)
    pkg.__spec__ = spec
    pkg.__file__ = spec.origin
    sys.modules["metadata"] = pkg


def generate(out: Path) -> None:
    """Runs inside the virtualenv: import the models and write their schemas."""
    import_models_only()
    for rel, module, cls in MODELS:
        model = getattr(importlib.import_module(module), cls)
        schema = model.model_json_schema(mode="validation")
        doc = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$comment": (
                "DERIVED, not the original openmetadata-spec file: generated with pydantic "
                f"model_json_schema(mode='validation') from {module}.{cls} in PyPI "
                f"{OM_PACKAGE}=={OM_VERSION} (whose models are generated from open-metadata/OpenMetadata "
                "openmetadata-spec/src/main/resources/json/schema/"
                + rel.removeprefix("schema/")
                + "). Self-contained: every $ref points into $defs."
            ),
            "title": schema.pop("title", cls),
            **schema,
        }
        SCRIPT.check_self_contained(doc, "$defs", rel)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(doc, indent=2))
        tmp.replace(path)
        log(f"wrote {path}")
    (out / STAMP).write_text(f"{OM_PACKAGE}=={OM_VERSION}\n")


def main() -> None:
    SCRIPT.main(
        doc=__doc__,
        script=__file__,
        out_help="output directory (gets schema/api/{data,services,classification}/*.json)",
        pinned=f"{OM_PACKAGE}=={OM_VERSION}",
        up_to_date=up_to_date,
        generate=generate,
    )


if __name__ == "__main__":
    main()
