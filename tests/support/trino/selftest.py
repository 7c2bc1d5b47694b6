"""The stand-in read by the official Trino Python client (PyPI `trino`, with its SQLAlchemy dialect,
which OpenMetadata's Trino connector is built on): if the client accepts every answer, maps every
value to the right Python type, follows every page and raises Trino's errors, the stand-in speaks
the protocol as Trino does. Its Presto flavour is read by PrestoDB's own client the same way
(`presto_selftest.py`).

Run by `standin.py selftest` inside the virtualenv of scripts/trino-standin.sh. Exits non-zero on
the first failed check; prints one line per check.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import math
import os
import tempfile
import threading
import time
import uuid
from decimal import Decimal

import standin
import trino
from trino.auth import BasicAuthentication

CHECKS: list[str] = []

TYPED_COLUMNS = [
    ("b", "boolean"), ("ti", "tinyint"), ("si", "smallint"), ("i", "integer"), ("bi", "bigint"),
    ("r", "real"), ("d", "double"), ("dec", "decimal(10,2)"), ("v", "varchar"), ("v20", "varchar(20)"),
    ("c3", "char(3)"), ("vb", "varbinary"), ("j", "json"), ("day", "date"), ("t3", "time(3)"),
    ("ts3", "timestamp(3)"), ("tstz", "timestamp(3) with time zone"), ("arr", "array(integer)"),
    ("m", "map(varchar, integer)"), ("rw", 'row("x" integer, "y" varchar)'), ("u", "uuid"),
    ("nan", "double"), ("nothing", "varchar"),
]
TYPED_ROW = [
    True, 7, 300, 70000, 9007199254740993, 1.5, 2.25, "12.34", "héllo 'quoted'", "twenty", "abc",
    base64.b64encode(b"\x00\x01bytes").decode(), '{"k": [1, 2]}', "2024-02-29", "12:34:56.789",
    "2024-02-29 12:34:56.789", "2024-02-29 12:34:56.789 UTC", [1, 2, 3], {"a": 1, "b": 2}, [5, "five"],
    "12151fd2-7586-11e9-8f9e-2a86e4085a59", "NaN", None,
]


def catalog_spec() -> dict:
    big = {"type": "BASE TABLE", "comment": "two hundred and fifty rows",
           "columns": [{"name": "id", "type": "bigint", "nullable": False},
                       {"name": "label", "type": "varchar(10)", "comment": "a label"}],
           "rows": [[n, f"row {n}"] for n in range(250)]}
    typed = {"type": "BASE TABLE", "comment": None,
             "columns": [{"name": n, "type": t} for n, t in TYPED_COLUMNS], "rows": [TYPED_ROW]}
    view = {"type": "VIEW", "definition": "SELECT id FROM shop.sales.big WHERE id < 10",
            "columns": [{"name": "id", "type": "bigint"}]}
    return {"catalogs": {
        "shop": {"connector": "memory", "schemas": {"sales": {"tables": {"big": big, "typed": typed,
                                                                         "small_ids": view}}}},
        "lake": {"connector": "iceberg", "schemas": {"raw": {"tables": {"events": {
            "type": "BASE TABLE", "comment": "Events", "columns": [{"name": "at", "type": "timestamp(6)"}]}}}}},
    }}


class Running:
    """A stand-in on its own thread, with its request log in a temporary file."""

    def __init__(self, spec_json: dict | None = None, **overrides):
        self.dir = tempfile.mkdtemp(prefix="trino-standin-selftest-")
        spec = os.path.join(self.dir, "catalog.json")
        with open(spec, "w") as f:
            json.dump(spec_json or catalog_spec(), f)
        args = ["serve", "--catalog", spec, "--log", os.path.join(self.dir, "log.jsonl")]
        for k, v in overrides.items():
            args += [f"--{k.replace('_', '-')}", str(v)]
        self.opts = standin.options(args)
        with open(spec) as f:
            self.server = standin.Server(("127.0.0.1", 0), standin.Catalog(json.load(f), self.opts.flavour),
                                         self.opts)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def log(self) -> list[dict]:
        with open(os.path.join(self.dir, "log.jsonl")) as f:
            return [json.loads(line) for line in f]

    def connect(self, **kw):
        kw.setdefault("user", "alice")
        return trino.dbapi.connect(host="127.0.0.1", port=self.port, http_scheme="http", **kw)

    def close(self):
        self.server.shutdown()


def check(name: str, ok: bool, detail: object = "") -> None:
    if not ok:
        raise SystemExit(f"selftest: FAILED {name}: {detail}")
    CHECKS.append(name)
    print(f"selftest: ok   {name}", flush=True)


def rows(conn, sql: str):
    cur = conn.cursor()
    cur.execute(sql)
    return cur.fetchall(), cur.description


def protocol_and_paging():
    s = Running(page_rows=100)
    conn = s.connect(catalog="shop", schema="sales")
    got, desc = rows(conn, "SELECT id, label FROM big ORDER BY id")
    check("250 rows over pages, in order", [r[0] for r in got] == list(range(250)), got[:3])
    check("labels", got[249][1] == "row 249", got[249])
    check("description: names and types", [(d[0], d[1]) for d in desc] == [("id", "bigint"), ("label", "varchar(10)")], desc)
    check("description: varchar length", desc[1][3] == 10, desc[1])
    gets = [e for e in s.log() if e["method"] == "GET"]
    check("one POST, then a GET per page plus the queued one",
          len(gets) == 3 and [e.get("rows") for e in gets] == [100, 100, 50], gets)
    check("X-Trino-User/Catalog/Schema sent", all(e["user"] == "alice" for e in s.log())
          and s.log()[0]["catalog"] == "shop" and s.log()[0]["schema"] == "sales", s.log()[0])
    got, _ = rows(conn, "SELECT id FROM big WHERE id > 1000")
    check("an empty result", got == [], got)
    s.close()


def types_and_values():
    s = Running()
    conn = s.connect()
    got, desc = rows(conn, "SELECT * FROM shop.sales.typed")
    check("typed columns come back with their Trino types", [(d[0], d[1]) for d in desc] == TYPED_COLUMNS, desc)
    row = dict(zip([d[0] for d in desc], got[0]))
    check("decimal precision/scale", desc[7][4:6] == (10, 2), desc[7])
    check("boolean", row["b"] is True)
    check("integers", (row["ti"], row["si"], row["i"], row["bi"]) == (7, 300, 70000, 9007199254740993), row)
    check("real and double", row["r"] == 1.5 and row["d"] == 2.25)
    check("decimal", row["dec"] == Decimal("12.34"), row["dec"])
    check("varchar with quotes and accents", row["v"] == "héllo 'quoted'", row["v"])
    check("varbinary", row["vb"] == b"\x00\x01bytes", row["vb"])
    check("json as text", json.loads(row["j"]) == {"k": [1, 2]}, row["j"])
    check("date", row["day"] == dt.date(2024, 2, 29), row["day"])
    check("time(3)", row["t3"] == dt.time(12, 34, 56, 789000), row["t3"])
    check("timestamp(3)", row["ts3"] == dt.datetime(2024, 2, 29, 12, 34, 56, 789000), row["ts3"])
    check("timestamp with time zone", row["tstz"].utcoffset() == dt.timedelta(0)
          and row["tstz"].replace(tzinfo=None) == dt.datetime(2024, 2, 29, 12, 34, 56, 789000), row["tstz"])
    check("array", row["arr"] == [1, 2, 3], row["arr"])
    check("map", row["m"] == {"a": 1, "b": 2}, row["m"])
    check("row with field names", tuple(row["rw"]) == (5, "five") and row["rw"].x == 5 and row["rw"].y == "five", row["rw"])
    check("uuid", row["u"] == uuid.UUID("12151fd2-7586-11e9-8f9e-2a86e4085a59"), row["u"])
    check("NaN", math.isnan(row["nan"]), row["nan"])
    check("NULL", row["nothing"] is None)
    s.close()


def catalog_queries():
    s = Running()
    conn = s.connect(catalog="shop")
    got, _ = rows(conn, "SHOW CATALOGS")
    check("SHOW CATALOGS", [r[0] for r in got] == ["lake", "shop", "system"], got)
    got, _ = rows(conn, "SELECT schema_name FROM information_schema.schemata ORDER BY schema_name")
    check("schemata of the session catalog", [r[0] for r in got] == ["information_schema", "sales"], got)
    got, _ = rows(conn, 'SELECT "table_name", "table_type" FROM "lake"."information_schema"."tables" '
                        "WHERE table_schema = 'raw'")
    check("tables of another catalog, quoted names", got == [["events", "BASE TABLE"]], got)
    got, desc = rows(conn, "SELECT table_name, column_name, ordinal_position, is_nullable, data_type, comment "
                           "FROM shop.information_schema.columns WHERE table_schema = 'sales' "
                           "AND table_name IN ('big', 'small_ids') ORDER BY table_name, ordinal_position")
    check("columns with the hidden comment",
          got == [["big", "id", 1, "NO", "bigint", None], ["big", "label", 2, "YES", "varchar(10)", "a label"],
                  ["small_ids", "id", 1, "YES", "bigint", None]], got)
    check("ordinal_position is a bigint", desc[2][1] == "bigint", desc[2])
    got, _ = rows(conn, "SELECT view_definition FROM information_schema.views WHERE table_name = 'small_ids'")
    check("view definition", got == [["SELECT id FROM shop.sales.big WHERE id < 10"]], got)
    got, _ = rows(conn, 'SELECT "comment" table_comment, "schema_name" schema, "table_name" '
                        'FROM "system"."metadata"."table_comments" WHERE "catalog_name" = \'shop\' '
                        "and \"schema_name\" = 'sales' and \"comment\" is not null")
    check("OpenMetadata's table-comments query", got == [["two hundred and fifty rows", "sales", "big"]], got)
    got, _ = rows(conn, "SELECT connector_name FROM system.metadata.catalogs WHERE catalog_name = 'lake'")
    check("connector of a catalog", got == [["iceberg"]], got)
    got, _ = rows(conn, "SHOW COLUMNS FROM sales.big")
    check("SHOW COLUMNS", got == [["id", "bigint", "", ""], ["label", "varchar(10)", "", "a label"]], got)
    s.close()


def errors():
    s = Running()
    conn = s.connect(catalog="shop", schema="sales")
    for sql, name in [("SELECT * FROM nowhere", "TABLE_NOT_FOUND"), ("SELECT * FROM nope.x.y", "CATALOG_NOT_FOUND"),
                      ("SELECT * FROM shop.nope.y", "SCHEMA_NOT_FOUND"), ("SELECT FROM WHERE", "SYNTAX_ERROR")]:
        try:
            rows(conn, sql)
            check(f"{name} raised", False, "no error")
        except trino.exceptions.TrinoUserError as e:
            check(f"{name} as Trino's error object", e.error_name == name and e.error_type == "USER_ERROR"
                  and e.query_id is not None and e.message, (e.error_name, e.error_type, e.message))
    bare = s.connect()
    try:
        rows(bare, "SELECT * FROM big")
        check("no session catalog raised", False)
    except trino.exceptions.TrinoUserError as e:
        check("an unqualified name without a session catalog", e.error_name == "MISSING_CATALOG_NAME", e.error_name)
    c = http.client.HTTPConnection("127.0.0.1", s.port)
    c.request("POST", "/v1/statement", body="SELECT 1")
    r = c.getresponse()
    check("X-Trino-User is required", r.status == 400 and b"User must be set" in r.read(), r.status)
    s.close()


def authentication():
    s = Running(password="alice:s3cr3t pass")
    good = s.connect(auth=BasicAuthentication("alice", "s3cr3t pass"), catalog="shop", allow_insecure_auth=True)
    got, _ = rows(good, "SELECT count(*) FROM sales.big")
    check("basic authentication", got == [[250]], got)
    check("credentials on every request", all(e["authorization"] == "Basic" and e["status"] == 200 for e in s.log()),
          s.log())
    bad = s.connect(auth=BasicAuthentication("alice", "wrong"), catalog="shop", allow_insecure_auth=True)
    try:
        rows(bad, "SELECT 1 FROM sales.big")
        check("a wrong password raised", False)
    except trino.exceptions.HttpError as e:
        check("a wrong password is a 401", "401" in str(e), e)
    other = s.connect(user="mallory", auth=BasicAuthentication("alice", "s3cr3t pass"), catalog="shop",
                      allow_insecure_auth=True)
    try:
        rows(other, "SELECT 1 FROM sales.big")
        check("impersonation raised", False)
    except trino.exceptions.TrinoQueryError as e:
        check("X-Trino-User must be the authenticated user", e.error_name == "PERMISSION_DENIED", e.error_name)
    s.close()


def retries_and_latency():
    s = Running(flaky_every=3, page_rows=50)
    got, _ = rows(s.connect(catalog="shop"), "SELECT id FROM sales.big")
    check("503s are retried by the client and nothing is lost", len(got) == 250, len(got))
    check("the stand-in did answer 503s", any(e["status"] == 503 for e in s.log()))
    s.close()
    s = Running(latency_ms=40, page_rows=100)
    started = time.monotonic()
    rows(s.connect(catalog="shop"), "SELECT id FROM sales.big")
    took = time.monotonic() - started
    check("latency per request (1 POST + 3 GETs at 40 ms)", took >= 0.16, took)
    s.close()


def sqlalchemy_dialect():
    """What OpenMetadata's Trino connector reads through trino's SQLAlchemy dialect."""
    try:
        import sqlalchemy as sa  # noqa: PLC0415
    except ImportError:
        raise SystemExit("selftest: SQLAlchemy is missing: install trino[sqlalchemy]")
    s = Running()
    engine = sa.create_engine(f"trino://alice@127.0.0.1:{s.port}/shop")
    insp = sa.inspect(engine)
    check("dialect: schema names", sorted(insp.get_schema_names()) == ["information_schema", "sales"])
    check("dialect: table names", sorted(insp.get_table_names("sales")) == ["big", "typed"])
    check("dialect: view names", insp.get_view_names("sales") == ["small_ids"])
    cols = insp.get_columns("big", "sales")
    check("dialect: columns", [(c["name"], str(c["type"]), c["comment"]) for c in cols]
          == [("id", "BIGINT", None), ("label", "VARCHAR(10)", "a label")], cols)
    check("dialect: table comment", insp.get_table_comment("big", "sales") == {"text": "two hundred and fifty rows"})
    check("dialect: view definition", insp.get_view_definition("small_ids", "sales").startswith("SELECT id"))
    with engine.connect() as c:
        n = c.execute(sa.text("SELECT count(*) FROM sales.big WHERE label <> :x"), {"x": "row 1"}).scalar()
    check("dialect: a statement with a parameter", n == 249, n)
    s.close()


def main() -> None:
    import presto_selftest  # noqa: PLC0415  (beside this file; needs PyPI presto-python-client)

    for part in (protocol_and_paging, types_and_values, catalog_queries, errors, authentication,
                 retries_and_latency, sqlalchemy_dialect, *presto_selftest.PARTS):
        part()
    print(f"{len(CHECKS)} passed, 0 failed", flush=True)
