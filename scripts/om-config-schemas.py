#!/usr/bin/env python3
"""Derive the JSON Schemas OpenMetadata checks a workflow's `serviceConnection.config` and
`sourceConfig.config` against, for omrun to check them the same way.

    scripts/om-config-schemas.py OUT_DIR [--force]     # writes OUT_DIR/{connections,pipelines}.json

omrun carries the output in its binary (host/config/schemas/, checked in): a config is checked
before the run, on machines without Python. Regenerate it when OM_VERSION (om-schemas.py's) moves.

- connections.json: `{"<service type>": {"category": ..., "schema": {...}}}` for every service type
  of OpenMetadata's database, dashboard, pipeline and ML model services (`Postgres`, `Looker`, ...),
  the members of the `config` union of `DatabaseConnection`, `DashboardConnection`, ... .
- pipelines.json: `{"<pipeline type>": {"category": ..., "schema": {...}}}` for the metadata
  pipelines of those services (`DatabaseMetadata`, `DashboardMetadata`, ...), what
  `sourceConfig.config` is.

Each schema is pydantic's `model_json_schema(mode="validation")` of the model openmetadata-ingestion
generates from its openmetadata-spec JSON Schema: draft 2020-12, self-contained (`$ref`s point into
its own `$defs`), `additionalProperties: false` where OpenMetadata refuses unknown keys. The
virtualenv is om-schemas.py's.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import json
import sys
import typing
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def load_om_schemas():
    """scripts/om-schemas.py as a module: its pinned version, virtualenv and model importer."""
    spec = importlib.util.spec_from_file_location("om_schemas", HERE / "om-schemas.py")
    if spec is None or spec.loader is None:
        sys.exit(f"om-config-schemas: error: cannot load {HERE / 'om-schemas.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


om = load_om_schemas()

SERVICES = "metadata.generated.schema.entity.services"
PIPELINES = "metadata.generated.schema.metadataIngestion"
# (category as omrun names it, module, the class whose `config` field is the union of connections)
CONNECTIONS = [
    ("database", f"{SERVICES}.databaseService", "DatabaseConnection"),
    ("dashboard", f"{SERVICES}.dashboardService", "DashboardConnection"),
    ("pipeline", f"{SERVICES}.pipelineService", "PipelineConnection"),
    ("mlmodel", f"{SERVICES}.mlmodelService", "MlModelConnection"),
]
# (category, module, class): `sourceConfig.config` of each category's metadata ingestion.
METADATA_PIPELINES = [
    ("database", f"{PIPELINES}.databaseServiceMetadataPipeline", "DatabaseServiceMetadataPipeline"),
    ("dashboard", f"{PIPELINES}.dashboardServiceMetadataPipeline", "DashboardServiceMetadataPipeline"),
    ("pipeline", f"{PIPELINES}.pipelineServiceMetadataPipeline", "PipelineServiceMetadataPipeline"),
    ("mlmodel", f"{PIPELINES}.mlmodelServiceMetadataPipeline", "MlModelServiceMetadataPipeline"),
]
FILES = ("connections.json", "pipelines.json")
STAMP = ".omrun-om-config-schemas"
PINNED = f"{om.OM_PACKAGE}=={om.OM_VERSION}"


def type_name(model) -> str | None:
    """The `type` a config of this model carries (its field's default, an enum member)."""
    field = model.model_fields.get("type")
    if field is None:
        return None
    if not field.is_required() and field.default is not None:
        return getattr(field.default, "value", field.default)
    # A required `type` (no default): its enum has the one member.
    for arg in typing.get_args(field.annotation) or (field.annotation,):
        values = [m.value for m in arg] if isinstance(arg, type) and issubclass(arg, enum.Enum) else []
        if len(values) == 1:
            return values[0]
    return None


def members(annotation) -> list:
    """The models of a (possibly Optional) union annotation."""
    out = []
    for arg in typing.get_args(annotation) or (annotation,):
        nested = typing.get_args(arg)
        out += [a for a in nested] if nested else [arg]
    return [m for m in out if m is not type(None) and hasattr(m, "model_json_schema")]


def schema_of(model, where: str) -> dict:
    schema = model.model_json_schema(mode="validation")
    om.SCRIPT.check_self_contained(schema, "$defs", where)
    return schema


def generate(out: Path) -> None:
    om.import_models_only()
    connections: dict[str, dict] = {}
    for category, module, cls in CONNECTIONS:
        union = getattr(importlib.import_module(module), cls).model_fields["config"].annotation
        for model in members(union):
            name = type_name(model)
            if name is None:
                om.SCRIPT.log(f"skipping {model.__name__}: no `type` to select it by")
                continue
            if name in connections:
                om.SCRIPT.fail(f"service type {name} is in both {connections[name]['category']} and {category}")
            connections[name] = {"category": category, "model": f"{model.__module__}.{model.__name__}",
                                 "schema": schema_of(model, name)}
    pipelines: dict[str, dict] = {}
    for category, module, cls in METADATA_PIPELINES:
        model = getattr(importlib.import_module(module), cls)
        name = type_name(model)
        pipelines[name] = {"category": category, "model": f"{module}.{cls}", "schema": schema_of(model, name)}

    out.mkdir(parents=True, exist_ok=True)
    comment = (f"DERIVED by scripts/om-config-schemas.py from PyPI {PINNED}: pydantic "
               "model_json_schema(mode='validation') of the models OpenMetadata generates from its "
               "openmetadata-spec JSON Schemas. Do not edit; regenerate.")
    for name, table in (("connections.json", connections), ("pipelines.json", pipelines)):
        doc = {"$comment": comment, "version": om.OM_VERSION, "types": table}
        path = out / name
        tmp = path.with_suffix(".json.tmp")
        # One line per schema keeps a regeneration's diff readable without tripling the size.
        lines = [json.dumps({k: v for k, v in doc.items() if k != "types"})[:-1] + ', "types": {']
        for i, (key, value) in enumerate(sorted(table.items())):
            sep = "," if i + 1 < len(table) else ""
            lines.append(f"{json.dumps(key)}: {json.dumps(value, sort_keys=True, separators=(',', ':'))}{sep}")
        lines.append("}}")
        tmp.write_text("\n".join(lines) + "\n")
        json.loads(tmp.read_text())  # what omrun will parse
        tmp.replace(path)
        om.SCRIPT.log(f"wrote {path} ({len(table)} types, {path.stat().st_size} bytes)")
    (out / STAMP).write_text(PINNED + "\n")


def up_to_date(out: Path) -> bool:
    stamp = out / STAMP
    return (stamp.is_file() and stamp.read_text().strip() == PINNED
            and all((out / f).is_file() for f in FILES))


def main() -> None:
    om.SCRIPT.main(
        doc=__doc__,
        script=__file__,
        out_help="output directory (gets connections.json and pipelines.json)",
        pinned=PINNED,
        up_to_date=up_to_date,
        generate=generate,
        default_out=HERE.parent / "host" / "config" / "schemas",
    )


if __name__ == "__main__":
    main()
