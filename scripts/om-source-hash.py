#!/usr/bin/env python3
"""Check the `sourceHash` omrun writes against the one OpenMetadata's own ingestion computes.

    scripts/om-source-hash.py FILE.jsonl           # one line per mismatch, a summary; exit 1 if any
    scripts/om-source-hash.py --print FILE.jsonl   # OpenMetadata's hash per line (test vectors)

FILE.jsonl is file-sink output: `{"kind": "Create...Request", "request": {...}}` per line. For every
request whose model has a `sourceHash` field (services have none and are skipped), the request is
rebuilt as OpenMetadata's pydantic model (`model_validate`), made what OpenMetadata's connector
would have built (`as_connector_built`), and hashed with
`metadata.utils.source_hash.generate_source_hash`, the function OpenMetadata's topology runner
stamps every Create request with, from PyPI openmetadata-ingestion (the version om-schemas.py pins).

Exit status: 0 when every hash matches (or, with --print, every line could be hashed); 1 on a
mismatch, a line without `sourceHash`, or a line that cannot be hashed; 2 on a usage error.

The virtualenv is om-schemas.py's (`$HOME/.cache/omrun/om-venv`, or `$OMRUN_OM_VENV`): this script
imports that one's setup rather than keeping a second copy of it.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent


def om_schemas() -> types.ModuleType:
    """scripts/om-schemas.py as a module (its file name is not an importable name).

    It owns the package version, the virtualenv (`SCRIPT.ensure_venv`, `SCRIPT.default_venv`), the
    table of request kinds and their model classes (`MODELS`), and `import_models_only`. Loading it
    runs only stdlib imports (its own and schematool.py's): it works both outside and inside the
    virtualenv.
    """
    spec = importlib.util.spec_from_file_location("om_schemas", HERE / "om-schemas.py")
    if spec is None or spec.loader is None:
        sys.exit(f"om-source-hash: error: cannot load {HERE / 'om-schemas.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stub_heavy_imports() -> None:
    """Minimal stand-ins for the heavy modules that hashing a Create request reaches.

    - `metadata.utils.source_hash` imports `C` from `metadata.ingestion.ometa.ometa_api` (the whole
      REST client: SQLAlchemy, requests, ...) only to annotate an argument, and `utils_logger` from
      `metadata.utils.logger` (data-quality, lineage and profiler models) only to log a failure.
    - Building a request model runs OpenMetadata's name encoding (`::`, `>`, `"`, tabs and newlines
      in names become `__reserved__...__`; `custom_basemodel_validation`), which first imports
      `ProfilerResponse` from `metadata.profiler.api.models` (SQLAlchemy) and `CustomColumnName`
      from `metadata.utils.entity_link` (antlr4, requests) only to use the classes as keys of its
      table of models: placeholder classes do. Without them the encoding silently does nothing,
      and names with those characters would hash differently from OpenMetadata's ingestion.

    None of these take part in the hash, so they are stubbed instead of installing the package's
    full dependency set; the model building and the hashing code (normalisation, `json.dumps`,
    md5) are OpenMetadata's, unmodified. If a later version imports anything else from them, the
    import fails loudly, and `check` refuses any line during which OpenMetadata logged a warning
    (its fallbacks log and carry on).
    """
    from pydantic import BaseModel

    stubs = {
        "metadata.ingestion.ometa.ometa_api": {"C": TypeVar("C", bound=BaseModel)},
        "metadata.utils.logger": {"utils_logger": lambda: logging.getLogger("metadata.Utils")},
        "metadata.profiler.api.models": {"ProfilerResponse": type("ProfilerResponse", (), {})},
        "metadata.utils.entity_link": {"CustomColumnName": type("CustomColumnName", (), {})},
    }
    for name, attrs in stubs.items():
        module = types.ModuleType(name, "omrun stub: see om-source-hash.py stub_heavy_imports")
        module.__dict__.update(attrs)
        sys.modules[name] = module


def as_connector_built(model, request: dict):
    """The model as OpenMetadata's SQL connectors build a table, which the wire does not show.

    OpenMetadata hashes the model its connector built, and that differs from one parsed back from
    the request it sends (`exclude_none` drops the difference):
    - `sql_column_handler.py` sets every column's `tags` to the tag context's answer, `None`
      without tags, where the model's default is `[]`; nested columns (`children`, which its
      `process_column` builds the same way) too;
    - `common_db_source.py` `yield_table` marks a partitioned table by assigning the string
      `TableType.Partitioned.value` to `tableType` after the model is built (no enum coercion),
      so the hash sees `"Partitioned"`, not `TableType.Partitioned`.
    A request of another kind is returned as it is.
    """
    from metadata.generated.schema.api.data.createTable import CreateTableRequest
    from metadata.generated.schema.entity.data.table import TableType

    if not isinstance(model, CreateTableRequest):
        return model
    def untagged(columns, sent_columns):
        for column, sent in zip(columns or [], sent_columns or []):
            if "tags" not in sent:
                column.tags = None
            untagged(column.children, sent.get("children"))

    untagged(model.columns, request.get("columns"))
    if model.tablePartition is not None and model.tableType == TableType.Partitioned:
        model.tableType = TableType.Partitioned.value
    return model


class Warnings(logging.Handler):
    """Collects what OpenMetadata's code logs at WARNING and above: its fallbacks log and carry on
    (a name left unencoded, a hash of None), and a hash computed past one cannot be trusted."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


def check(path: Path, print_only: bool) -> int:
    """Runs inside the virtualenv. Returns the exit status."""
    om = om_schemas()
    om.import_models_only()
    stub_heavy_imports()
    from metadata.utils.source_hash import generate_source_hash
    from pydantic import ValidationError

    warnings = Warnings()
    logging.getLogger("metadata").addHandler(warnings)
    logging.getLogger("metadata").propagate = False

    modules = {cls: module for _, module, cls in om.MODELS}
    counts = {"lines": 0, "match": 0, "mismatch": 0, "missing": 0, "skipped": 0, "errors": 0}

    def problem(where: str, what: str) -> None:
        counts["errors"] += 1
        print(f"{where}: {what}")

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        print(f"om-source-hash: error: {e}", file=sys.stderr)
        return 2
    for n, raw in enumerate(lines, 1):
        counts["lines"] += 1
        where = f"{path}:{n}"
        try:
            record = json.loads(raw)
            kind, request = record["kind"], record["request"]
        except (ValueError, TypeError, KeyError) as e:
            problem(where, f"not a {{\"kind\", \"request\"}} line ({e!r})")
            continue
        if kind not in modules:
            problem(where, f"unknown kind {kind!r}")
            continue
        model_cls = getattr(importlib.import_module(modules[kind]), kind)
        # OpenMetadata stamps a request only if its model has the field (services do not).
        if "sourceHash" not in model_cls.model_fields:
            counts["skipped"] += 1
            continue
        name = request.get("name") if isinstance(request, dict) else None
        warnings.seen.clear()
        try:
            model = as_connector_built(model_cls.model_validate(request), request)
        except ValidationError as e:
            problem(where, f"{kind} {name}: not a valid {kind}: {e}")
            continue
        expected = generate_source_hash(model)
        if warnings.seen or expected is None:  # it logs the exception and returns None
            logged = "; ".join(dict.fromkeys(warnings.seen))
            problem(where, f"{kind} {name}: OpenMetadata's code failed: {logged}")
            continue
        if print_only:
            # The name JSON-quoted: names may hold tabs and newlines.
            print(f"{n}\t{kind}\t{json.dumps(name)}\t{expected}")
            continue
        actual = request.get("sourceHash")
        if actual is None:
            counts["missing"] += 1
            print(f"{where}: {kind} {name}: no sourceHash (expected {expected})")
        elif actual != expected:
            counts["mismatch"] += 1
            # A usual cause: OpenMetadata's model encodes `::`, `>`, `"`, tabs and newlines in
            # names, and hashes (and sends) the encoded request.
            encoded = getattr(getattr(model, "name", None), "root", name)
            note = f" (OpenMetadata's model names it {encoded!r})" if encoded != name else ""
            print(f"{where}: {kind} {name}: expected {expected}, actual {actual}{note}")
        else:
            counts["match"] += 1

    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"om-source-hash: {path}: {summary}", file=sys.stderr if print_only else sys.stdout)
    failed = counts["errors"] + (0 if print_only else counts["mismatch"] + counts["missing"])
    return 1 if failed else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="file-sink output (JSON Lines)")
    ap.add_argument("--print", action="store_true", dest="print_only",
                    help="print OpenMetadata's hash per line (line, kind, JSON name, hash; tab-separated)")
    ap.add_argument("--venv", type=Path, default=None, help="virtualenv to use (default: om-schemas.py's)")
    ap.add_argument("--inside-venv", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    path = args.file.resolve()

    if args.inside_venv:
        sys.exit(check(path, args.print_only))
    om = om_schemas()
    py = om.SCRIPT.ensure_venv((args.venv or om.SCRIPT.default_venv()).resolve())
    cmd = [str(py), os.path.abspath(__file__), "--inside-venv", str(path)]
    if args.print_only:
        cmd.append("--print")
    sys.exit(subprocess.run(cmd).returncode)


if __name__ == "__main__":
    main()
