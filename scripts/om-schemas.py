#!/usr/bin/env python3
"""Derive OpenMetadata's JSON Schemas for the Create* requests omrun emits.

    scripts/om-schemas.py OUT_DIR            # writes OUT_DIR/schema/api/{data,services}/*.json

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

import argparse
import importlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

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
    ("schema/api/data/createStoredProcedure.json",
     "metadata.generated.schema.api.data.createStoredProcedure", "CreateStoredProcedureRequest"),
]

STAMP = ".omrun-om-schemas"


def log(msg: str) -> None:
    print(f"om-schemas: {msg}", file=sys.stderr, flush=True)


def default_venv() -> Path:
    if os.environ.get("OMRUN_OM_VENV"):
        return Path(os.environ["OMRUN_OM_VENV"])
    return Path.home() / ".cache" / "omrun" / "om-venv"


def venv_python(venv_dir: Path) -> Path:
    return venv_dir / "bin" / "python"


def up_to_date(out: Path) -> bool:
    stamp = out / STAMP
    if not stamp.is_file() or stamp.read_text().strip() != f"{OM_PACKAGE}=={OM_VERSION}":
        return False
    return all((out / rel).is_file() for rel, _, _ in MODELS)


def ensure_venv(venv_dir: Path) -> Path:
    py = venv_python(venv_dir)
    marker = venv_dir / ".omrun-installed"
    want = f"{OM_PACKAGE}=={OM_VERSION} " + " ".join(EXTRA_REQUIREMENTS)
    if py.exists() and marker.is_file() and marker.read_text().strip() == want:
        return py
    log(f"creating virtualenv {venv_dir}")
    venv_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    except Exception as e:  # Debian without python3-venv: ensurepip is missing
        sys.exit(f"om-schemas: error: cannot create a virtualenv ({e}); "
                 "on Debian/Ubuntu: apt-get install -y python3-venv")
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    log(f"installing {OM_PACKAGE}=={OM_VERSION} (--no-deps) and {', '.join(EXTRA_REQUIREMENTS)}")
    # The extras first: pip checks the installed set after each install, and would list every one
    # of the ingestion package's (deliberately) missing dependencies after a later one.
    subprocess.run(pip + EXTRA_REQUIREMENTS, check=True)
    subprocess.run(pip + ["--no-deps", f"{OM_PACKAGE}=={OM_VERSION}"], check=True)
    marker.write_text(want + "\n")
    return py


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
        check_self_contained(doc, rel)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(doc, indent=2))
        tmp.replace(path)
        log(f"wrote {path}")
    (out / STAMP).write_text(f"{OM_PACKAGE}=={OM_VERSION}\n")


def check_self_contained(doc: dict, rel: str) -> None:
    defs = doc.get("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                if not ref.startswith("#/$defs/") or ref[len("#/$defs/"):] not in defs:
                    raise SystemExit(f"om-schemas: error: {rel}: unresolved $ref {ref}")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output directory (gets schema/api/{data,services}/*.json)")
    ap.add_argument("--venv", type=Path, default=None, help="virtualenv to use (default: %(default)s)")
    ap.add_argument("--force", action="store_true", help="regenerate even if the output is complete")
    ap.add_argument("--inside-venv", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    out = args.out.resolve()

    if args.inside_venv:
        generate(out)
        return
    if not args.force and up_to_date(out):
        log(f"{out} is up to date ({OM_PACKAGE}=={OM_VERSION})")
        return
    py = ensure_venv((args.venv or default_venv()).resolve())
    subprocess.run([str(py), os.path.abspath(__file__), "--inside-venv", str(out)], check=True)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.exit(f"om-schemas: error: {' '.join(map(str, e.cmd))} exited with {e.returncode}")
