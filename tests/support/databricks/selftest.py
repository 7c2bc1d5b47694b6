"""The stand-in read by Databricks' official Python client (PyPI `databricks-sdk`, its
`WorkspaceClient`, which OpenMetadata's Unity Catalog connector is built on): if the client accepts
every answer, parses every field into its own types (enums included), follows every page and raises
the right error classes, the stand-in answers as Unity Catalog's REST API 2.1 does.

Run by `standin.py selftest` inside the virtualenv of scripts/databricks-standin.sh. Exits non-zero
on the first failed check; prints one line per check and `N passed, 0 failed` at the end.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.error
import urllib.request

from databricks.sdk import WorkspaceClient
from databricks.sdk import errors
from databricks.sdk.service.catalog import (
    CatalogType,
    ColumnTypeName,
    DataSourceFormat,
    TableType,
)
from standin_kit import Checks

TOKEN = "dapi0123456789abcdef-stand-in"
CHECKS = Checks()
check = CHECKS.check

COLUMNS = [
    {"name": "id", "type_text": "bigint", "nullable": False, "comment": "Order id"},
    {"name": "total", "type_text": "decimal(12,2)"},
    {"name": "tags", "type_text": "array<string>"},
    {"name": "attrs", "type_text": "map<string,int>"},
    {"name": "ship", "type_text": "struct<city:string,zip:string not null comment 'postal code'>"},
    {"name": "placed_at", "type_text": "timestamp"},
    {"name": "code", "type_text": "varchar(8)"},
    {"name": "span", "type_text": "interval day to second"},
    {"name": "region", "type_text": "string", "partition_index": 0},
    {"name": "day", "type_text": "date", "partition_index": 1},
]


def catalog_spec() -> dict:
    many = {f"t{n:02d}": {"table_type": "MANAGED", "columns": [{"name": "x", "type_text": "int"}]}
            for n in range(7)}
    return {"catalogs": {
        "main": {"comment": "Main catalog", "schemas": {
            "sales": {"comment": "Sales", "tables": {
                "orders": {"table_type": "MANAGED", "comment": "Orders", "columns": COLUMNS,
                           "table_constraints": [
                               {"primary_key_constraint": {"name": "orders_pk", "child_columns": ["id"]}},
                               {"foreign_key_constraint": {"name": "orders_region_fk",
                                                           "child_columns": ["region"],
                                                           "parent_table": "main.ref.regions",
                                                           "parent_columns": ["code"]}}]},
                "big_orders": {"table_type": "VIEW", "view_definition": "SELECT * FROM main.sales.orders",
                               "columns": [{"name": "id", "type_text": "bigint"}]},
                "ext": {"table_type": "EXTERNAL", "data_source_format": "PARQUET",
                        "storage_location": "abfss://c@a.dfs.core.windows.net/ext",
                        "columns": [{"name": "v", "type_text": "double"}]},
                "gone": {"table_type": "MANAGED", "vanished": True, "columns": []},
            }},
            "ref": {"tables": {"regions": {"table_type": "MANAGED",
                                           "columns": [{"name": "code", "type_text": "string"}]}}},
            "wide": {"tables": many},
        }},
        "lake": {"comment": None, "catalog_type": "FOREIGN_CATALOG", "schemas": {"raw": {"tables": {}}}},
        "hidden": {"deny_listing": True, "schemas": {"x": {"tables": {}}}},
    }}


def requests_logged(path: str) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f]


def raw_get(base: str, path: str, auth: str | None) -> tuple[int, dict, dict]:
    req = urllib.request.Request(base + path)
    if auth:
        req.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read())


def run(standin) -> int:
    tmp = tempfile.mkdtemp(prefix="databricks-selftest-")
    log = os.path.join(tmp, "requests.jsonl")
    server = standin.start(catalog_spec(), token=TOKEN, page_size=2, log=log)
    host = f"http://127.0.0.1:{server.server_address[1]}"
    w = WorkspaceClient(host=host, token=TOKEN, auth_type="pat")

    # Catalogs: every page followed, fields parsed into the SDK's types.
    catalogs = list(w.catalogs.list())
    check("catalogs.list() returns every catalog, in pages of two",
          [c.name for c in catalogs] == ["hidden", "lake", "main"], [c.name for c in catalogs])
    pages = [r for r in requests_logged(log) if r["path"].endswith("/catalogs")]
    check("catalogs.list() asked for max_results=0 and followed next_page_token",
          len(pages) == 2 and pages[0]["query"].get("max_results") == "0"
          and "page_token" in pages[1]["query"], pages)
    main = w.catalogs.get("main")
    check("catalogs.get(): comment, type and owner",
          main.comment == "Main catalog" and main.catalog_type == CatalogType.MANAGED_CATALOG
          and main.owner == "admins" and main.full_name == "main", main)
    lake = [c for c in catalogs if c.name == "lake"][0]
    check("a catalog without comment has none; FOREIGN_CATALOG parsed",
          lake.comment is None and lake.catalog_type == CatalogType.FOREIGN_CATALOG, lake)

    # Schemas.
    schemas = list(w.schemas.list(catalog_name="main"))
    check("schemas.list() follows pages (three schemas, two a page)",
          [s.name for s in schemas] == ["ref", "sales", "wide"], schemas)
    sales = w.schemas.get("main.sales")
    check("schemas.get(full_name)", sales.comment == "Sales" and sales.catalog_name == "main", sales)
    try:
        list(w.schemas.list(catalog_name="nope"))
        check("schemas of a missing catalog raise NotFound", False, "no error")
    except errors.NotFound as e:
        check("schemas of a missing catalog raise NotFound", "CATALOG_DOES_NOT_EXIST" in str(e.error_code), e)
    try:
        list(w.schemas.list(catalog_name="hidden"))
        check("a catalog one may not use raises PermissionDenied", False, "no error")
    except errors.PermissionDenied as e:
        check("a catalog one may not use raises PermissionDenied", "USE CATALOG" in str(e), e)

    # Tables, with their columns.
    tables = list(w.tables.list(catalog_name="main", schema_name="sales"))
    check("tables.list() follows pages", [t.name for t in tables] == ["big_orders", "ext", "gone", "orders"],
          [t.name for t in tables])
    orders = [t for t in tables if t.name == "orders"][0]
    check("table_type and data_source_format are the SDK's enums",
          orders.table_type == TableType.MANAGED and orders.data_source_format == DataSourceFormat.DELTA,
          orders)
    check("a listing carries no constraints", not orders.table_constraints, orders.table_constraints)
    cols = {c.name: c for c in orders.columns}
    check("columns in order with 0-based positions",
          [c.name for c in orders.columns] == [c["name"] for c in COLUMNS]
          and [c.position for c in orders.columns] == list(range(len(COLUMNS))), orders.columns)
    check("type_name is ColumnTypeName",
          cols["id"].type_name == ColumnTypeName.LONG and cols["total"].type_name == ColumnTypeName.DECIMAL
          and cols["tags"].type_name == ColumnTypeName.ARRAY and cols["attrs"].type_name == ColumnTypeName.MAP
          and cols["ship"].type_name == ColumnTypeName.STRUCT
          and cols["placed_at"].type_name == ColumnTypeName.TIMESTAMP
          and cols["code"].type_name == ColumnTypeName.STRING
          and cols["span"].type_name == ColumnTypeName.INTERVAL, {n: c.type_name for n, c in cols.items()})
    check("decimal precision and scale", (cols["total"].type_precision, cols["total"].type_scale) == (12, 2),
          cols["total"])
    check("type_text as Spark's catalogString (a field's NOT NULL and comment only in type_json)",
          cols["ship"].type_text == "struct<city:string,zip:string>", cols["ship"].type_text)
    check("interval's type_interval_type", cols["span"].type_interval_type == "DAY TO SECOND", cols["span"])
    check("nullable and comment", cols["id"].nullable is False and cols["id"].comment == "Order id"
          and cols["total"].nullable is True and cols["total"].comment is None, cols["id"])
    check("partition_index on partition columns only",
          (cols["region"].partition_index, cols["day"].partition_index, cols["id"].partition_index) == (0, 1, None),
          cols)
    ship = json.loads(cols["ship"].type_json)
    check("type_json is Spark's StructField JSON",
          ship["name"] == "ship" and ship["type"]["type"] == "struct"
          and [f["name"] for f in ship["type"]["fields"]] == ["city", "zip"]
          and ship["type"]["fields"][1]["metadata"] == {"comment": "postal code"}
          and [f["nullable"] for f in ship["type"]["fields"]] == [True, False], ship)
    tags = json.loads(cols["tags"].type_json)
    check("an array's type_json", tags["type"] == {"type": "array", "elementType": "string", "containsNull": True},
          tags)
    idj = json.loads(cols["id"].type_json)
    check("a primitive's type_json carries the comment",
          idj == {"name": "id", "type": "long", "nullable": False, "metadata": {"comment": "Order id"}}, idj)

    bare = list(w.tables.list(catalog_name="main", schema_name="sales", omit_columns=True,
                              omit_properties=True, omit_username=True))
    check("omit_columns, omit_properties, omit_username (as the SDK reads them)",
          all(not t.columns and t.properties is None and t.owner is None for t in bare)
          and len(bare) == 4, bare)
    _, _, body = raw_get(host, "/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=sales"
                         "&max_results=0&omit_columns=true&omit_properties=true&omit_username=true",
                         f"Bearer {TOKEN}")
    fields = set().union(*(t.keys() for t in body["tables"]))
    check("omitted fields are absent from the answer",
          not fields & {"columns", "properties", "owner", "created_by", "updated_by", "table_constraints"}
          and {"name", "table_type", "full_name"} <= fields, fields)
    last = [r for r in requests_logged(log) if r["path"].endswith("/tables")][-1]
    check("the omit flags travel as query parameters",
          last["query"].get("omit_columns") == "true" and last["query"].get("omit_username") == "true", last)

    got = w.tables.get("main.sales.orders")
    kinds = [(c.primary_key_constraint is not None, c.foreign_key_constraint is not None)
             for c in got.table_constraints]
    check("tables.get() carries the primary and foreign keys", kinds == [(True, False), (False, True)], kinds)
    fk = got.table_constraints[1].foreign_key_constraint
    check("a foreign key's parent table and columns",
          fk.parent_table == "main.ref.regions" and fk.parent_columns == ["code"]
          and fk.child_columns == ["region"], fk)
    check("tables.get(): comment, owner, storage location",
          got.comment == "Orders" and got.owner == "alice@example.com"
          and (got.storage_location or "").startswith("s3://"), got)
    view = w.tables.get("main.sales.big_orders")
    check("a view: type, definition, no storage",
          view.table_type == TableType.VIEW and view.view_definition == "SELECT * FROM main.sales.orders"
          and view.storage_location is None and view.data_source_format is None, view)
    ext = w.tables.get("main.sales.ext")
    check("an external table", ext.table_type == TableType.EXTERNAL
          and ext.data_source_format == DataSourceFormat.PARQUET
          and ext.storage_location == "abfss://c@a.dfs.core.windows.net/ext", ext)
    try:
        w.tables.get("main.sales.gone")
        check("a table dropped after the listing raises NotFound", False, "no error")
    except errors.NotFound as e:
        check("a table dropped after the listing raises NotFound",
              e.error_code == "TABLE_DOES_NOT_EXIST" and "main.sales.gone" in str(e), e)

    # Pagination in detail: a listing ending on a page boundary ends with an empty page.
    before = len(requests_logged(log))
    wide = list(w.tables.list(catalog_name="main", schema_name="wide", max_results=1))
    asked = requests_logged(log)[before:]
    check("max_results=1: seven tables in seven pages and an empty last one",
          [t.name for t in wide] == [f"t{n:02d}" for n in range(7)] and len(asked) == 8, asked)
    before = len(requests_logged(log))
    two = list(w.tables.list(catalog_name="main", schema_name="ref", max_results=5))
    check("max_results above the server's page size is cut to it",
          [t.name for t in two] == ["regions"] and len(requests_logged(log)) - before == 1, two)
    try:
        list(w.tables.list(catalog_name="main", schema_name="wide", max_results=-1))
        check("a negative max_results is refused", False, "no error")
    except errors.InvalidParameterValue as e:
        check("a negative max_results is refused", True, e)
    status, _, body = raw_get(host, "/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=wide",
                              f"Bearer {TOKEN}")
    check("without max_results every table comes at once (the legacy form)",
          status == 200 and len(body["tables"]) == 7 and "next_page_token" not in body, body)
    status, _, body = raw_get(host, "/api/2.1/unity-catalog/catalogs?max_results=0&page_token=bogus",
                              f"Bearer {TOKEN}")
    check("a token that is not the server's is refused",
          status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE", body)

    summaries = list(w.tables.list_summaries(catalog_name="main", schema_name_pattern="sal%"))
    check("table summaries with a LIKE pattern",
          sorted(s.full_name for s in summaries) == ["main.sales.big_orders", "main.sales.ext",
                                                     "main.sales.gone", "main.sales.orders"]
          and {s.full_name: s.table_type for s in summaries}["main.sales.big_orders"] == TableType.VIEW,
          summaries)

    # Authentication.
    wrong = WorkspaceClient(host=host, token="dapi-wrong", auth_type="pat")
    try:
        list(wrong.catalogs.list())
        check("a wrong token raises PermissionDenied", False, "no error")
    except errors.PermissionDenied as e:
        check("a wrong token raises PermissionDenied", "Invalid access token" in str(e), e)
    status, headers, body = raw_get(host, "/api/2.1/unity-catalog/catalogs", "Bearer dapi-wrong")
    check("a wrong token: 403, numeric error_code, reason phrase",
          status == 403 and body == {"error_code": 403, "message": "Invalid access token."}
          and headers.get("X-Databricks-Reason-Phrase") == "Invalid access token.", (status, body))
    status, _, body = raw_get(host, "/api/2.1/unity-catalog/catalogs", None)
    check("no credential: 401 UNAUTHENTICATED", status == 401 and body["error_code"] == "UNAUTHENTICATED",
          body)
    status, _, body = raw_get(host, "/api/2.1/unity-catalog/catalogs", f"Basic {TOKEN}")
    check("another kind of credential: 401", status == 401, body)
    logged = requests_logged(log)
    check("the log never holds a credential",
          all(TOKEN not in json.dumps(r) and "dapi-wrong" not in json.dumps(r) for r in logged)
          and {r["authorization"] for r in logged} >= {"Bearer", None, "Basic"}, logged[-3:])
    status, _, body = raw_get(host, "/api/2.1/unity-catalog/volumes", f"Bearer {TOKEN}")
    check("an unknown endpoint: 404 ENDPOINT_NOT_FOUND", status == 404
          and body["error_code"] == "ENDPOINT_NOT_FOUND", body)
    server.shutdown()

    # Latency and a flaky gateway: the SDK waits, retries the 503s, and loses nothing.
    slow = standin.start(catalog_spec(), token=TOKEN, latency_ms=150, page_size=2, flaky_every=3,
                         log=os.path.join(tmp, "slow.jsonl"))
    w = WorkspaceClient(host=f"http://127.0.0.1:{slow.server_address[1]}", token=TOKEN, auth_type="pat")
    started = time.monotonic()
    names = [t.name for t in w.tables.list(catalog_name="main", schema_name="sales")]
    took = time.monotonic() - started
    logged = requests_logged(os.path.join(tmp, "slow.jsonl"))
    check("503s retried by the SDK, every table read",
          names == ["big_orders", "ext", "gone", "orders"] and any(r["status"] == 503 for r in logged),
          (names, [r["status"] for r in logged]))
    check("each request waits --latency-ms", took >= 0.15 * len(logged), (took, len(logged)))
    slow.shutdown()

    print(CHECKS.summary(), flush=True)
    return 0
