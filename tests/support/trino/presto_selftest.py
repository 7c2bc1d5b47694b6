"""The stand-in's Presto flavour (`--flavour presto`) read by PrestoDB's official Python client,
PyPI `presto-python-client` (module `prestodb`): if it follows every page, gets every value in
Presto's JSON encoding, sends its `X-Presto-*` headers and gets PrestoDB's errors, and the queries
omrun's Presto path sends answer as they should, the flavour speaks the protocol as PrestoDB does.

Run by `selftest.main()` after the Trino checks, sharing their summary line.
"""

from __future__ import annotations

import http.client

import prestodb
import requests
import trino
from selftest import TYPED_COLUMNS, TYPED_ROW, Running, catalog_spec, check, rows

SEMANTIC = "com.facebook.presto.sql.analyzer.SemanticException"
# A table comment beyond printable ASCII, with a quote and a line break: SHOW CREATE TABLE prints
# it as a Unicode literal.
NOTES_COMMENT = "Customer's notes: café\nsecond line"


def presto_spec() -> dict:
    spec = catalog_spec()
    spec["catalogs"]["shop"]["schemas"]["sales"]["tables"]["notes"] = {
        "type": "BASE TABLE", "comment": NOTES_COMMENT,
        "columns": [{"name": "id", "type": "bigint", "nullable": False, "comment": "it's the id"},
                    {"name": "body", "type": "varchar"}]}
    return spec


def connect(s: Running, **kw):
    kw.setdefault("user", "alice")
    return prestodb.dbapi.connect(host="127.0.0.1", port=s.port, http_scheme="http", **kw)


def presto_protocol():
    s = Running(flavour="presto", page_rows=100)
    conn = connect(s, catalog="shop", schema="sales")
    got, desc = rows(conn, "SELECT id, label FROM big ORDER BY id")
    check("presto: 250 rows over pages, in order", [r[0] for r in got] == list(range(250)), got[:3])
    check("presto: description", [(d[0], d[1]) for d in desc] == [("id", "bigint"), ("label", "varchar(10)")], desc)
    log = s.log()
    gets = [e for e in log if e["method"] == "GET"]
    check("presto: one POST, then a GET per page", [e.get("rows") for e in gets] == [100, 100, 50], gets)
    check("presto: X-Presto-User/Catalog/Schema/Source sent, no X-Trino-*",
          all(e["user"] == "alice" and e["source"] == "presto-python-client"
              and all(h.startswith("x-presto-") for h in e["protocol_headers"]) for e in log)
          and log[0]["catalog"] == "shop" and log[0]["schema"] == "sales", log[0])
    s.close()


def presto_values():
    s = Running(flavour="presto")
    cur = connect(s).cursor()
    cur.execute("SELECT * FROM shop.sales.typed")
    got = cur.fetchall()
    check("presto: every value in Presto's JSON encoding", got == [TYPED_ROW], got)
    columns = {c["name"]: c for c in cur._query.columns}  # as the client received them
    check("presto: column types", [(n, columns[n]["type"]) for n, _ in TYPED_COLUMNS] == TYPED_COLUMNS)
    check("presto: a varchar's signature as PrestoDB serialises it",
          columns["v20"]["typeSignature"] == {"rawType": "varchar", "typeArguments": [], "literalArguments": [],
                                              "arguments": [{"kind": "LONG_LITERAL", "value": 20}]},
          columns["v20"]["typeSignature"])
    row = columns["rw"]["typeSignature"]
    check("presto: a row's signature names its fields",
          row["literalArguments"] == ["x", "y"] and [a["kind"] for a in row["arguments"]] == ["NAMED_TYPE_SIGNATURE"] * 2
          and row["arguments"][0]["value"]["fieldName"] == {"name": "x", "delimited": False}, row)
    s.close()


def presto_catalog_queries():
    s = Running(presto_spec(), flavour="presto")
    conn = connect(s, catalog="shop")
    got, _ = rows(conn, "SHOW CATALOGS")
    check("presto: SHOW CATALOGS", [r[0] for r in got] == ["lake", "shop", "system"], got)
    got, _ = rows(conn, "SELECT table_name, table_type FROM shop.information_schema.tables "
                        "WHERE table_schema = 'sales' ORDER BY table_name")
    check("presto: information_schema.tables", got == [["big", "BASE TABLE"], ["notes", "BASE TABLE"],
                                                        ["small_ids", "VIEW"], ["typed", "BASE TABLE"]], got)
    got, _ = rows(conn, "SELECT column_name, is_nullable, data_type, comment FROM shop.information_schema.columns "
                        "WHERE table_schema = 'sales' AND table_name = 'notes' ORDER BY ordinal_position")
    check("presto: columns with their comment", got == [["id", "NO", "bigint", "it's the id"],
                                                        ["body", "YES", "varchar", None]], got)
    got, _ = rows(conn, "SELECT view_definition FROM shop.information_schema.views WHERE table_name = 'small_ids'")
    check("presto: view definition", got == [["SELECT id FROM shop.sales.big WHERE id < 10"]], got)
    got, _ = rows(conn, 'SELECT "connector_name" FROM "system"."metadata"."catalogs" WHERE "catalog_name" = \'lake\'')
    check("presto: connector of a catalog", got == [["iceberg"]], got)
    got, _ = rows(conn, 'SHOW CREATE TABLE "shop"."sales"."notes"')
    check("presto: SHOW CREATE TABLE, the comment as a Unicode literal",
          got == [["CREATE TABLE shop.sales.notes (\n   id bigint NOT NULL COMMENT 'it''s the id',\n   body varchar\n)\n"
                   "COMMENT U&'Customer''s notes: caf\\00E9\\000Asecond line'"]], got)
    got, _ = rows(conn, "SHOW CREATE TABLE lake.raw.events")
    check("presto: SHOW CREATE TABLE with properties",
          got == [["CREATE TABLE lake.raw.events (\n   at timestamp(6)\n)\nCOMMENT 'Events'\nWITH (\n"
                   "   format = 'ORC'\n)"]], got)
    for sql, message in [
            ("SELECT * FROM system.metadata.table_comments", "Table system.metadata.table_comments does not exist"),
            ("SHOW CREATE TABLE shop.sales.small_ids", "Relation 'shop.sales.small_ids' is a view, not a table")]:
        try:
            rows(conn, sql)
            check(f"presto: {message} raised", False, "no error")
        except prestodb.exceptions.PrestoUserError as e:
            check(f"presto: {message}", e.error_name == "SYNTAX_ERROR" and message in e.message, e)
    s.close()


def presto_errors():
    s = Running(flavour="presto")
    conn = connect(s, catalog="shop", schema="sales")
    for sql, message in [("SELECT * FROM nowhere", "Table shop.sales.nowhere does not exist"),
                         ("SELECT * FROM nope.x.y", "Catalog nope does not exist"),
                         ("SELECT * FROM shop.nope.y", "Schema nope does not exist")]:
        try:
            rows(conn, sql)
            check(f"presto: {message} raised", False, "no error")
        except prestodb.exceptions.PrestoUserError as e:
            check(f"presto: {message}, a SemanticException's SYNTAX_ERROR",
                  (e.error_name, e.error_code, e.error_type, e.error_exception) == ("SYNTAX_ERROR", 1, "USER_ERROR", SEMANTIC)
                  and message in e.message and e.query_id, e)
    for headers, answer in [({"X-Trino-User": "alice"}, b"User must be set"),
                            ({"X-Presto-User": "alice", "X-Presto-Schema": "sales"}, b"Schema is set but catalog is not")]:
        c = http.client.HTTPConnection("127.0.0.1", s.port)
        c.request("POST", "/v1/statement", body="SELECT 1", headers=headers)
        r = c.getresponse()
        check(f"presto: 400 {answer.decode()} ({', '.join(headers)})", r.status == 400 and answer in r.read(), r.status)
    try:
        rows(trino.dbapi.connect(host="127.0.0.1", port=s.port, user="alice", http_scheme="http"), "SELECT 1")
        check("presto: the Trino client refused", False)
    except trino.exceptions.HttpError as e:
        check("presto: the Trino client (X-Trino-User) refused as PrestoDB refuses it",
              "400" in str(e) and "User must be set" in str(e), e)
    s.close()


def presto_authentication():
    s = Running(flavour="presto", password="alice:s3cr3t pass")
    try:
        connect(s, auth=prestodb.auth.BasicAuthentication("alice", "s3cr3t pass")).cursor()
        check("presto: the client refuses a password over http", False)
    except ValueError as e:
        check("presto: the client refuses a password over http", "HTTP" in str(e), e)
    # The stand-in speaks http (as behind a proxy that ends TLS): the client's own session carries
    # the credentials.
    good = connect(s, catalog="shop")
    good._http_session.auth = requests.auth.HTTPBasicAuth("alice", "s3cr3t pass")
    got, _ = rows(good, "SELECT count(*) FROM sales.big")
    check("presto: basic authentication", got == [[250]], got)
    check("presto: credentials on every request",
          all(e["authorization"] == "Basic" and e["status"] == 200 for e in s.log()), s.log())
    other = connect(s, user="bob", catalog="shop")
    other._http_session.auth = requests.auth.HTTPBasicAuth("alice", "s3cr3t pass")
    got, _ = rows(other, "SELECT count(*) FROM sales.big")
    check("presto: another X-Presto-User is allowed (allow-all access control)", got == [[250]], got)
    bad = connect(s, catalog="shop")
    bad._http_session.auth = requests.auth.HTTPBasicAuth("alice", "wrong")
    try:
        rows(bad, "SELECT 1 FROM sales.big")
        check("presto: a wrong password raised", False)
    except prestodb.exceptions.HttpError as e:
        check("presto: a wrong password is a 401", "401" in str(e), e)
    s.close()


def presto_retries():
    s = Running(flavour="presto", flaky_every=3, page_rows=50)
    got, _ = rows(connect(s, catalog="shop"), "SELECT id FROM sales.big")
    check("presto: 503s are retried by the client and nothing is lost", len(got) == 250, len(got))
    check("presto: the stand-in did answer 503s", any(e["status"] == 503 for e in s.log()))
    s.close()


PARTS = (presto_protocol, presto_values, presto_catalog_queries, presto_errors, presto_authentication,
         presto_retries)
