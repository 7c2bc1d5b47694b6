#!/usr/bin/env python3
"""A stand-in for a Databricks workspace's Unity Catalog REST API 2.1, over a catalog the test writes.

    standin.py serve (--catalog CATALOG.json | --synthetic TABLES) [--port 0] [--token TOKEN] [--latency-ms N]
                     [--page-size N] [--flaky-every N] [--log FILE]
    standin.py selftest        # needs PyPI `databricks-sdk` (scripts/databricks-standin.sh runs it)

`serve` prints `127.0.0.1:PORT` on its first line of standard output (the workspace is then
`http://127.0.0.1:PORT`) and answers until its standard input closes (or it is killed).

What it answers, as Databricks' API reference (docs.databricks.com/api/workspace/catalogs, /schemas,
/tables) and its official Python SDK (PyPI `databricks-sdk`, `databricks.sdk.service.catalog`, which
`selftest` runs against it) have it:

- `GET /api/2.1/unity-catalog/catalogs` → `{"catalogs": [CatalogInfo…], "next_page_token"}`;
  `GET …/catalogs/{name}` → `CatalogInfo`.
- `GET …/schemas?catalog_name=` → `{"schemas": [SchemaInfo…], …}`; `GET …/schemas/{full_name}`.
- `GET …/tables?catalog_name=&schema_name=` → `{"tables": [TableInfo…], …}`, each with its
  `columns` unless `omit_columns=true`, `properties` unless `omit_properties=true`, `owner`,
  `created_by`, `updated_by` unless `omit_username=true`; never `table_constraints` or
  `view_dependencies` (the API reference: "not returned by ListTables queries").
  `GET …/tables/{full_name}` → the whole `TableInfo`, constraints included.
- `GET …/table-summaries?catalog_name=[&schema_name_pattern=&table_name_pattern=]` (SQL LIKE
  patterns) → `{"tables": [{"full_name", "table_type"}…], …}`.
- Pagination as the reference describes it: without `max_results` everything at once (the legacy
  form); `max_results=0` pages of the server's size (`--page-size`); `max_results>0` pages of
  `min(max_results, page size)`; `max_results<0` → 400 `INVALID_PARAMETER_VALUE`. A full page
  always carries an opaque `next_page_token` (so a listing that ends on a page boundary ends with
  an empty page without one: clients must read until the token is absent); a token that is not
  one of ours → 400. Items in name order.
- `ColumnInfo` from each column's Databricks SQL type (lower case, e.g. `decimal(10,2)`,
  `array<string>`, `map<string,int>`, `struct<city:string,zip:string not null comment 'ZIP'>`):
  `type_text` as Spark's `catalogString` spells it (the API reference: "Full data type
  specification as SQL/catalogString text": a struct field's `NOT NULL` and comment left out),
  `type_name` (`INT`, `LONG`, `DECIMAL`, `ARRAY`, `STRUCT`…), `type_precision`/`type_scale`,
  `type_json` (the Spark `StructField` JSON: comments in `metadata`, a field's nullability),
  `type_interval_type`, `position` (0-based), `nullable`, `partition_index`, `comment`.
- Authentication: `Authorization: Bearer <token>` on every request when `--token` is given. No or
  another kind of credential → 401 `{"error_code": "UNAUTHENTICATED", …}`; a wrong token → 403
  `{"error_code": 403, "message": "Invalid access token."}` with `X-Databricks-Reason-Phrase`, as
  Databricks answers a bad personal access token (its numeric `error_code` included, e.g.
  github.com/databricks/databricks-sdk-go/issues/873).
- A missing object → 404 `CATALOG_DOES_NOT_EXIST` / `SCHEMA_DOES_NOT_EXIST` /
  `TABLE_DOES_NOT_EXIST` (`{"error_code", "message"}`); an unknown path → 404
  `ENDPOINT_NOT_FOUND`; a method other than GET → 405 (the stand-in is read-only).
- `GET /.well-known/databricks-config` (no credentials needed): the host-metadata document
  Databricks' SDKs read first (`oidc_endpoint`, `workspace_id`, `cloud`).
- `--latency-ms N` before every answer (requests are served concurrently); `--flaky-every N`:
  every Nth request is answered 503 `TEMPORARILY_UNAVAILABLE` once.
- `--log FILE`: one JSON line per request: `method`, `path`, `query` (name → value),
  `authorization` (the scheme only, never the credential), `status`, `error_code`.

The catalog file: {"metastore_id": str?, "catalogs": {NAME: {"comment": str|null, "catalog_type":
str?, "deny_listing": bool (listing its schemas → 403 PERMISSION_DENIED, as for a catalog one may
only BROWSE), "schemas": {NAME: {"comment": str|null, "tables": {NAME: {"table_type": "MANAGED"|
"EXTERNAL"|"VIEW"|"MATERIALIZED_VIEW"|"STREAMING_TABLE"|…, "comment": str|null,
"data_source_format": str?, "storage_location": str?, "view_definition": str?, "vanished": bool
(listed, but `GET …/tables/{full_name}` → 404, as a table dropped after the listing),
"table_constraints": [{"primary_key_constraint": {"name", "child_columns"}} | {"foreign_key_constraint":
{"name", "child_columns", "parent_table", "parent_columns"}}], "columns": [{"name", "type_text",
"comment"?, "nullable"?, "partition_index"?}]}}}}}}}.

`--synthetic TABLES` serves a generated catalog instead (scripts/bench-databricks.sh): the tables
over 2 catalogs of 10 schemas, every tenth a view, 8 columns of mixed types each.

Standard library only (the `serve` side), so the tests need no virtualenv to run it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import sys
import time
import uuid
from urllib.parse import parse_qsl, unquote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

import standin_kit  # noqa: E402
from standin_kit import JsonHandler, JsonServer, serve_until_stdin_closes, start_thread  # noqa: E402

API = "/api/2.1/unity-catalog"
DEFAULT_PAGE_SIZE = 50
CREATED_AT = 1_760_000_000_000  # milliseconds, as the API writes times
WORKSPACE_ID = "1234567890123456"

# ---- Databricks SQL types -------------------------------------------------------------------------


class TypeError_(Exception):
    pass


def split_top(text: str, sep: str = ",") -> list[str]:
    """Splits at `sep` outside <> and () and backquotes."""
    parts, depth, quoted, buf = [], 0, False, ""
    for c in text:
        if c == "`":
            quoted = not quoted
        elif not quoted and c in "<(":
            depth += 1
        elif not quoted and c in ">)":
            depth -= 1
        if c == sep and depth == 0 and not quoted:
            parts.append(buf.strip())
            buf = ""
        else:
            buf += c
    if buf.strip():
        parts.append(buf.strip())
    return parts


# type_text → (type_name, Spark's JSON name)
PRIMITIVES = {
    "tinyint": ("BYTE", "byte"),
    "smallint": ("SHORT", "short"),
    "int": ("INT", "integer"),
    "bigint": ("LONG", "long"),
    "float": ("FLOAT", "float"),
    "double": ("DOUBLE", "double"),
    "boolean": ("BOOLEAN", "boolean"),
    "string": ("STRING", "string"),
    "binary": ("BINARY", "binary"),
    "date": ("DATE", "date"),
    "timestamp": ("TIMESTAMP", "timestamp"),
    "timestamp_ntz": ("TIMESTAMP_NTZ", "timestamp_ntz"),
    "void": ("NULL", "void"),
    "variant": ("VARIANT", "variant"),
}


def parse_type(text: str) -> dict:
    """A type's spelling → {type_name, text (Spark's catalogString, what `type_text` holds), json
    (Spark's), precision, scale, interval, metadata}. A struct field may say `NOT NULL` and
    `COMMENT '…'` after its type, as in Databricks SQL: both go to the JSON only."""
    t = text.strip()
    low = t.lower()
    m = re.fullmatch(r"(array|map|struct)\s*<(.*)>", t, re.S | re.I)
    if m:
        kind, inner = m.group(1).lower(), m.group(2)
        if kind == "array":
            element = parse_type(inner)
            return {"type_name": "ARRAY", "text": f"array<{element['text']}>",
                    "json": {"type": "array", "elementType": element["json"], "containsNull": True}}
        if kind == "map":
            parts = split_top(inner)
            if len(parts) != 2:
                raise TypeError_(f"map needs a key and a value type: {text}")
            key, value = parse_type(parts[0]), parse_type(parts[1])
            return {"type_name": "MAP", "text": f"map<{key['text']},{value['text']}>",
                    "json": {"type": "map", "keyType": key["json"], "valueType": value["json"],
                             "valueContainsNull": True}}
        fields, texts = [], []
        for f in split_top(inner):
            name, sep, ftype = f.partition(":")
            if not sep:
                raise TypeError_(f"a struct field needs a name and a type: {f!r} in {text}")
            name = name.strip().strip("`")
            fm = re.fullmatch(r"(.*?)(\s+not\s+null)?(?:\s+comment\s+'((?:[^']|'')*)')?", ftype.strip(),
                              re.S | re.I)
            ftype, not_null, comment = fm.group(1), fm.group(2), fm.group(3)
            comment = comment.replace("''", "'") if comment else None
            field_type = parse_type(ftype)
            fields.append({"name": name, "type": field_type["json"], "nullable": not not_null,
                           "metadata": {"comment": comment} if comment else {}})
            texts.append(f"{name}:{field_type['text']}")
        return {"type_name": "STRUCT", "text": f"struct<{','.join(texts)}>",
                "json": {"type": "struct", "fields": fields}}
    m = re.fullmatch(r"decimal\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?", low)
    if m:
        p = int(m.group(1) or 10)
        s = int(m.group(2) or 0)
        return {"type_name": "DECIMAL", "text": t, "json": f"decimal({p},{s})", "precision": p, "scale": s}
    m = re.fullmatch(r"(var)?char\s*\(\s*(\d+)\s*\)", low)
    if m:
        return {"type_name": "STRING" if m.group(1) else "CHAR", "text": t, "json": "string",
                "metadata": {"__CHAR_VARCHAR_TYPE_STRING": low.replace(" ", "")}}
    m = re.fullmatch(r"interval\s+(year|month|day|hour|minute|second)(?:\s+to\s+(year|month|day|hour|minute|second))?",
                     low)
    if m:
        return {"type_name": "INTERVAL", "text": t, "json": low, "interval": low[len("interval "):].upper()}
    m = re.fullmatch(r"(geography|geometry)\s*\(\s*(\d+|any)\s*\)", low)
    if m:
        return {"type_name": m.group(1).upper(), "text": t, "json": low.replace(" ", "")}
    if low in PRIMITIVES:
        name, json_name = PRIMITIVES[low]
        return {"type_name": name, "text": t, "json": json_name}
    raise TypeError_(f"not a Databricks type: {text!r}")


def column_info(table: dict, c: dict, position: int) -> dict:
    """The API's `ColumnInfo` of a fixture column."""
    t = parse_type(c["type_text"])
    nullable = c.get("nullable", True)
    metadata = dict(t.get("metadata") or {})
    if c.get("comment"):
        metadata["comment"] = c["comment"]
    info = {
        "name": c["name"],
        "type_text": t["text"],
        "type_name": t["type_name"],
        "type_precision": t.get("precision", 0),
        "type_scale": t.get("scale", 0),
        "type_json": json.dumps({"name": c["name"], "type": t["json"], "nullable": nullable,
                                 "metadata": metadata}),
        "position": position,
        "nullable": nullable,
    }
    if t.get("interval"):
        info["type_interval_type"] = t["interval"]
    if c.get("comment") is not None:
        info["comment"] = c["comment"]
    if c.get("partition_index") is not None:
        info["partition_index"] = c["partition_index"]
    return info


# ---- the catalog -----------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, code, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class Metastore:
    def __init__(self, spec: dict):
        self.spec = spec
        self.metastore_id = spec.get("metastore_id") or "11111111-2222-3333-4444-555555555555"
        # Every type is parsed up front: a fixture with a type the stand-in does not know fails at
        # once, not in the middle of a test.
        for catalog, schema, name, t in self.all_tables():
            for i, c in enumerate(t.get("columns") or []):
                column_info(t, c, i)

    def all_tables(self):
        for catalog, cat in sorted(self.spec.get("catalogs", {}).items()):
            for schema, s in sorted((cat.get("schemas") or {}).items()):
                for name, t in sorted((s.get("tables") or {}).items()):
                    yield catalog, schema, name, t

    def catalog(self, name: str) -> dict:
        cat = self.spec.get("catalogs", {}).get(name)
        if cat is None:
            raise ApiError(404, "CATALOG_DOES_NOT_EXIST", f"Catalog '{name}' does not exist.")
        return cat

    def schema(self, catalog: str, name: str) -> dict:
        s = (self.catalog(catalog).get("schemas") or {}).get(name)
        if s is None:
            raise ApiError(404, "SCHEMA_DOES_NOT_EXIST", f"Schema '{catalog}.{name}' does not exist.")
        return s

    def catalog_info(self, name: str) -> dict:
        cat = self.catalog(name)
        info = {
            "name": name,
            "full_name": name,
            "owner": "admins",
            "catalog_type": cat.get("catalog_type", "MANAGED_CATALOG"),
            "metastore_id": self.metastore_id,
            "created_at": CREATED_AT,
            "created_by": "admin@example.com",
            "updated_at": CREATED_AT,
            "updated_by": "admin@example.com",
            "isolation_mode": "OPEN",
            "securable_type": "CATALOG",
            "browse_only": False,
        }
        if cat.get("comment") is not None:
            info["comment"] = cat["comment"]
        return info

    def schema_info(self, catalog: str, name: str) -> dict:
        s = self.schema(catalog, name)
        info = {
            "name": name,
            "catalog_name": catalog,
            "full_name": f"{catalog}.{name}",
            "owner": "admins",
            "catalog_type": self.catalog(catalog).get("catalog_type", "MANAGED_CATALOG"),
            "metastore_id": self.metastore_id,
            "schema_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{catalog}.{name}")),
            "created_at": CREATED_AT,
            "created_by": "admin@example.com",
            "updated_at": CREATED_AT,
            "updated_by": "admin@example.com",
            "browse_only": False,
        }
        if s.get("comment") is not None:
            info["comment"] = s["comment"]
        return info

    def table_info(self, catalog: str, schema: str, name: str, *, listing: bool,
                   omit_columns=False, omit_properties=False, omit_username=False) -> dict:
        t = (self.schema(catalog, schema).get("tables") or {}).get(name)
        if t is None or (t.get("vanished") and not listing):
            raise ApiError(404, "TABLE_DOES_NOT_EXIST",
                           f"Table '{catalog}.{schema}.{name}' does not exist.")
        table_type = t.get("table_type", "MANAGED")
        is_view = table_type in ("VIEW", "MATERIALIZED_VIEW", "METRIC_VIEW")
        info = {
            "name": name,
            "catalog_name": catalog,
            "schema_name": schema,
            "full_name": f"{catalog}.{schema}.{name}",
            "table_type": table_type,
            "metastore_id": self.metastore_id,
            "table_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{catalog}.{schema}.{name}")),
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
        }
        if not is_view:
            info["data_source_format"] = t.get("data_source_format", "DELTA")
            info["storage_location"] = t.get(
                "storage_location",
                f"s3://metastore-bucket/{self.metastore_id}/tables/{info['table_id']}")
        if t.get("comment") is not None:
            info["comment"] = t["comment"]
        if t.get("view_definition") is not None:
            info["view_definition"] = t["view_definition"]
        if not omit_columns:
            info["columns"] = [column_info(t, c, i) for i, c in enumerate(t.get("columns") or [])]
        if not omit_properties:
            info["properties"] = {"delta.minReaderVersion": "1"} if not is_view else {}
        if not omit_username:
            info.update(owner="alice@example.com", created_by="alice@example.com",
                        updated_by="alice@example.com")
        if not listing:
            if t.get("table_constraints"):
                info["table_constraints"] = t["table_constraints"]
            if is_view:
                info["view_dependencies"] = {"dependencies": []}
        return info


# ---- pagination ------------------------------------------------------------------------------------


def page(items: list, query: dict, page_size: int, listing: str) -> tuple[list, str | None]:
    """One page of `items` and the token of the next, as the API pages (see the module's doc)."""
    raw = query.get("max_results")
    token = query.get("page_token")
    if raw is None:
        if token:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "page_token requires max_results")
        return items, None
    try:
        max_results = int(raw)
    except ValueError:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"max_results must be an integer: {raw}")
    if max_results < 0:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", "max_results must be greater than or equal to 0")
    size = page_size if max_results == 0 else min(max_results, page_size)
    start = 0
    if token:
        start = read_token(token, listing)
    chunk = items[start:start + size]
    # A full page always has a next token: the server does not look ahead.
    next_token = make_token(start + size, listing) if len(chunk) == size else None
    return chunk, next_token


def make_token(offset: int, listing: str) -> str:
    body = json.dumps({"o": offset, "l": hashlib.sha256(listing.encode()).hexdigest()[:12]})
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def read_token(token: str, listing: str) -> int:
    try:
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if body["l"] != hashlib.sha256(listing.encode()).hexdigest()[:12]:
            raise ValueError("another listing's token")
        return int(body["o"])
    except Exception:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid page token: {token}")


def like(pattern: str | None, name: str) -> bool:
    """SQL LIKE (`%`, `_`), as the summaries' name patterns are."""
    if not pattern:
        return True
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name, re.S) is not None


# ---- the server -------------------------------------------------------------------------------------


class Server(JsonServer):
    def __init__(self, addr, metastore: Metastore, token: str | None, latency: float, page_size: int,
                 flaky_every: int, log_path: str | None):
        super().__init__(addr, Handler, log_path)
        self.metastore = metastore
        self.token = token
        self.latency = latency
        self.page_size = page_size
        self.flaky_every = flaky_every
        self.count = 0


class Handler(JsonHandler):
    server: Server

    def respond(self, method: str):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        auth = self.headers.get("Authorization") or ""
        record = {"method": method, "path": unquote(url.path), "query": query,
                  "authorization": auth.split(" ", 1)[0] if auth else None}
        if self.server.latency:
            time.sleep(self.server.latency)
        with self.server.lock:
            self.server.count += 1
            n = self.server.count
        try:
            if self.server.flaky_every and n % self.server.flaky_every == 0:
                raise ApiError(503, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable.")
            if url.path == "/.well-known/databricks-config" and method == "GET":
                # The host-metadata discovery document, which Databricks' SDKs read (without
                # credentials) before anything else.
                host = self.headers.get("Host") or "127.0.0.1"
                status, body, headers = 200, {"oidc_endpoint": f"http://{host}/oidc",
                                              "workspace_id": WORKSPACE_ID, "cloud": "AWS"}, {}
                record["status"] = status
                self.server.write_log(record)
                self.answer(status, body, headers)
                return
            self.authenticate(auth)
            if method != "GET":
                raise ApiError(405, "METHOD_NOT_ALLOWED", f"the stand-in is read-only: {method}")
            status, body, headers = 200, self.route(url.path, query), {}
        except ApiError as e:
            status, headers = e.status, e.headers
            body = {"error_code": e.code, "message": e.message}
            record["error_code"] = e.code
        record["status"] = status
        self.server.write_log(record)
        self.answer(status, body, headers)

    def authenticate(self, auth: str):
        token = self.server.token
        if token is None:
            return
        scheme, _, credential = auth.partition(" ")
        if scheme.lower() != "bearer" or not credential:
            raise ApiError(401, "UNAUTHENTICATED",
                           "Credential was not sent or was of an unsupported type for this API.")
        if credential.strip() != token:
            raise ApiError(403, 403, "Invalid access token.",
                           {"X-Databricks-Reason-Phrase": "Invalid access token."})

    def route(self, path: str, query: dict) -> dict:
        m = self.server.metastore
        size = self.server.page_size
        if not path.startswith(API + "/"):
            raise ApiError(404, "ENDPOINT_NOT_FOUND", f"No API found for 'GET {path}'")
        rest = [unquote(p) for p in path[len(API) + 1:].split("/")]
        flag = lambda k: query.get(k, "false").lower() == "true"  # noqa: E731
        if rest == ["catalogs"]:
            names = sorted(m.spec.get("catalogs", {}))
            items, token = page([m.catalog_info(n) for n in names], query, size, "catalogs")
            return with_token({"catalogs": items}, token)
        if len(rest) == 2 and rest[0] == "catalogs":
            return m.catalog_info(rest[1])
        if rest == ["schemas"]:
            catalog = required(query, "catalog_name")
            cat = m.catalog(catalog)
            if cat.get("deny_listing"):
                raise ApiError(403, "PERMISSION_DENIED",
                               f"User does not have USE CATALOG on Catalog '{catalog}'.")
            names = sorted(cat.get("schemas") or {})
            items, token = page([m.schema_info(catalog, n) for n in names], query, size,
                                f"schemas/{catalog}")
            return with_token({"schemas": items}, token)
        if len(rest) == 2 and rest[0] == "schemas":
            catalog, _, schema = rest[1].partition(".")
            return m.schema_info(catalog, schema)
        if rest == ["tables"]:
            catalog = required(query, "catalog_name")
            schema = required(query, "schema_name")
            names = sorted(m.schema(catalog, schema).get("tables") or {})
            infos = [m.table_info(catalog, schema, n, listing=True, omit_columns=flag("omit_columns"),
                                  omit_properties=flag("omit_properties"),
                                  omit_username=flag("omit_username")) for n in names]
            items, token = page(infos, query, size, f"tables/{catalog}.{schema}")
            return with_token({"tables": items}, token)
        if len(rest) == 2 and rest[0] == "tables":
            parts = rest[1].split(".")
            if len(parts) != 3:
                raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid table full name: {rest[1]}")
            return m.table_info(*parts, listing=False)
        if rest == ["table-summaries"]:
            catalog = required(query, "catalog_name")
            m.catalog(catalog)
            summaries = [{"full_name": f"{c}.{s}.{t}", "table_type": spec.get("table_type", "MANAGED")}
                         for c, s, t, spec in m.all_tables()
                         if c == catalog and like(query.get("schema_name_pattern"), s)
                         and like(query.get("table_name_pattern"), t)]
            # Paged by default, as the reference says of this listing.
            q = dict(query)
            q.setdefault("max_results", "0")
            items, token = page(summaries, q, size, f"summaries/{catalog}")
            return with_token({"tables": items}, token)
        raise ApiError(404, "ENDPOINT_NOT_FOUND", f"No API found for 'GET {path}'")


def required(query: dict, key: str) -> str:
    value = query.get(key)
    if not value:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Missing required field: {key}")
    return value


def with_token(body: dict, token: str | None) -> dict:
    if token:
        body["next_page_token"] = token
    return body


def start(spec: dict, *, port=0, token=None, latency_ms=0, page_size=DEFAULT_PAGE_SIZE, flaky_every=0,
          log=None) -> Server:
    return start_thread(Server(("127.0.0.1", port), Metastore(spec), token, latency_ms / 1000, page_size,
                               flaky_every, log))


SYNTHETIC_TYPES = ["bigint", "string", "decimal(12,2)", "timestamp", "array<string>", "map<string,int>",
                   "struct<city:string,zip:string>", "date"]


def synthetic(tables: int) -> dict:
    """`tables` tables over 2 catalogs of 10 schemas, every tenth a view, 8 columns of mixed types
    each (the last a partition column), comments on tables and on every other column."""
    catalogs: dict = {}
    for n in range(tables):
        catalog, schema = f"cat{n % 2}", f"schema{(n // 2) % 10:02d}"
        view = n % 10 == 9
        columns = [{"name": f"c{i}", "type_text": t, "comment": f"column {i}" if i % 2 else None}
                   for i, t in enumerate(SYNTHETIC_TYPES)]
        if not view:
            columns[-1]["partition_index"] = 0
        table = {"table_type": "VIEW" if view else "MANAGED", "comment": f"table {n}", "columns": columns}
        if view:
            table["view_definition"] = f"SELECT * FROM {catalog}.{schema}.t{n - 1:06d}"
        cat = catalogs.setdefault(catalog, {"comment": f"catalog {catalog}", "schemas": {}})
        cat["schemas"].setdefault(schema, {"comment": f"schema {schema}", "tables": {}})["tables"][
            f"t{n:06d}"] = table
    return {"catalogs": catalogs}


def serve(args):
    if args.synthetic is not None:
        spec = synthetic(args.synthetic)
    else:
        with open(args.catalog) as f:
            spec = json.load(f)
    server = start(spec, port=args.port, token=args.token, latency_ms=args.latency_ms,
                   page_size=args.page_size, flaky_every=args.flaky_every, log=args.log)
    serve_until_stdin_closes(server)


def arguments(s: argparse.ArgumentParser):
    source = s.add_mutually_exclusive_group(required=True)
    source.add_argument("--catalog")
    source.add_argument("--synthetic", type=int, metavar="TABLES")
    s.add_argument("--token")


if __name__ == "__main__":
    standin_kit.main(sys.modules[__name__], serve, arguments, DEFAULT_PAGE_SIZE)
