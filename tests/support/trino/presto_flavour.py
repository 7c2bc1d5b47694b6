"""Where the stand-in answers as PrestoDB rather than Trino (`standin.py serve --flavour presto`).

Trino is PrestoSQL renamed; PrestoDB kept the protocol and changed less. What differs, from
PrestoDB's sources (presto-main-base, presto-client) and its Python client (PyPI
`presto-python-client`, which `presto_selftest.py` runs against the stand-in):

- The headers are `X-Presto-*` (`User`, `Catalog`, `Schema`, `Source`…); `X-Trino-*` mean nothing
  to PrestoDB, so a request naming its user only in `X-Trino-User` is refused like one naming none:
  400 `User must be set` (`HttpRequestSessionContext`).
- Analysis errors (a catalog, schema or table that does not exist, a relation of the wrong kind)
  are `SYNTAX_ERROR` (code 1, `USER_ERROR`) from a `SemanticException`, worded `Table c.s.t does
  not exist` (`Failures.toErrorCode`), where Trino has `TABLE_NOT_FOUND` and friends.
- `system.metadata` has no `table_comments` (PrestoDB's system connector never had one): a table's
  comment is only in `SHOW CREATE TABLE`. `system.metadata.catalogs` has `connector_name`.
- Column type signatures carry the deprecated `typeArguments` and `literalArguments` beside
  `arguments`, whose kinds keep their old names (`TYPE_SIGNATURE`, `NAMED_TYPE_SIGNATURE`,
  `LONG_LITERAL`: `ParameterKind.jsonName`).
- With the default (allow-all) access control any authenticated user may name another user in
  `X-Presto-User`; Trino's default refuses it.
"""

from __future__ import annotations

import re

NAME = "presto"

# Trino's names for the errors PrestoDB reports as a SemanticException's SYNTAX_ERROR.
SEMANTIC = {"MISSING_CATALOG_NAME", "MISSING_SCHEMA_NAME", "CATALOG_NOT_FOUND", "SCHEMA_NOT_FOUND",
            "TABLE_NOT_FOUND", "NOT_SUPPORTED"}

# The `system` tables PrestoDB does not have.
ABSENT_SYSTEM_TABLES = {("metadata", "table_comments")}

KINDS = {"LONG": "LONG_LITERAL", "TYPE": "TYPE_SIGNATURE", "NAMED_TYPE": "NAMED_TYPE_SIGNATURE"}


def header_prefix(flavour: str) -> str:
    return "X-Presto-" if flavour == NAME else "X-Trino-"


def signature(sig: dict) -> dict:
    """A (Trino-shaped) `ClientTypeSignature` as PrestoDB serialises it."""
    arguments, types, names = [], [], []
    for a in sig["arguments"]:
        kind, value = a["kind"], a["value"]
        if kind == "TYPE":
            value = signature(value)
            types.append(value)
        elif kind == "NAMED_TYPE":
            inner = signature(value["typeSignature"])
            field = value.get("fieldName")
            value = {"typeSignature": inner}
            if field is not None:
                value["fieldName"] = {"name": field["name"], "delimited": False}
            types.append(inner)
            names.append(field["name"] if field else None)
        arguments.append({"kind": KINDS[kind], "value": value})
    kinds = {a["kind"] for a in sig["arguments"]}
    return {
        "rawType": sig["rawType"],
        # Deprecated views of `arguments`: empty unless every argument is a type (a named one).
        "typeArguments": types if kinds <= {"TYPE", "NAMED_TYPE"} else [],
        "literalArguments": names if kinds == {"NAMED_TYPE"} else [],
        "arguments": arguments,
    }


def error(name: str, code: int, message: str, kind: str) -> tuple[str, int, str, str, str]:
    """PrestoDB's `(errorName, errorCode, message, errorType, failureInfo.type)` for the error
    Trino names `name`."""
    if name in SEMANTIC:
        # `Table 'c.s.t' does not exist`, `Catalog 'c' not found` → `Table c.s.t does not exist`.
        message = re.sub(r"'([^']*)' (?:not found|does not exist)", r"\1 does not exist", message)
        return "SYNTAX_ERROR", 1, message, "USER_ERROR", "com.facebook.presto.sql.analyzer.SemanticException"
    return name, code, message, kind, "com.facebook.presto.spi.PrestoException"
