#!/usr/bin/env python3
"""A stand-in for a Trino coordinator: the client REST protocol over a catalog held in SQLite.

    standin.py serve --catalog CATALOG.json [--port 0] [--password USER:PASS] [--jwt TOKEN]
                     [--latency-ms N] [--page-rows N] [--log FILE] [--flaky-every N]
                     [--flavour trino|presto]
    standin.py selftest        # needs PyPI `trino` and `presto-python-client`
                               # (scripts/trino-standin.sh runs it in its venv)

`serve` prints `127.0.0.1:PORT` (the `hostPort` of OpenMetadata's Trino connection) on its first
line of standard output and answers until its standard input closes (or it is killed).

The protocol, as https://trino.io/docs/current/develop/client-protocol.html and the official
Python client (PyPI `trino`, which `selftest` runs against it) have it:

- `POST /v1/statement` with the SQL as body and `X-Trino-User` (required: 400 without),
  `X-Trino-Catalog` and `X-Trino-Schema` for unqualified names. It answers at once with a
  `QueryResults` document in state QUEUED: `id`, `infoUri`, `nextUri`, `stats`, no data.
- `GET nextUri` answers the next page: `columns` (name, Trino type, `typeSignature`) from the first
  page on, `data` (rows as JSON arrays, values in Trino's JSON encoding: decimals as strings,
  timestamps as text, varbinary as base64, arrays/maps/rows as JSON), and a `nextUri` while pages
  remain; the last page has none (state FINISHED). A failed query answers one page with an `error`
  (`message`, `errorCode`, `errorName`, `errorType`, `errorLocation`, `failureInfo`) and state
  FAILED. An unknown or stale `nextUri` is a 404; `DELETE nextUri` cancels.
- Authentication, when configured (`--password` or `--jwt`), on every request: `Authorization:
  Basic base64(user:password)` or `Bearer <jwt>`, else 401 with `WWW-Authenticate`. With basic
  authentication `X-Trino-User` must be the authenticated user (else the query fails with
  PERMISSION_DENIED, as Trino's default impersonation rules do).
- `--flaky-every N`: every Nth request is answered 503 once (a gateway's hiccup; clients retry).
- `--flavour presto`: answers as PrestoDB does where it differs from Trino (`X-Presto-*` headers,
  a request without `X-Presto-User` refused whatever `X-Trino-*` it carries, PrestoDB's error names
  and type signatures, no `system.metadata.table_comments`): `presto_flavour.py` says what and why.

SQL is run by SQLite after the stand-in rewrites Trino's relation names (`catalog.schema.table`,
quoted or not, or shorter names resolved against the session) into its own tables, so simple
`SELECT … FROM … WHERE … IN (…) ORDER BY …` statements over `information_schema.schemata`,
`.tables`, `.columns` (with its hidden `comment`), `.views`, `system.metadata.table_comments`,
`system.metadata.catalogs` and the catalog's own tables work as in Trino. `GET /v1/info` answers
without authentication, as Trino's does. Also: `SHOW CATALOGS`,
`SHOW SCHEMAS [FROM c]`, `SHOW TABLES [FROM [c.]s]`, `SHOW COLUMNS FROM t`, `SHOW CREATE VIEW v`,
`SHOW CREATE TABLE t` (formatted as Trino's and PrestoDB's `SqlFormatter` format it: the table's
`COMMENT` after the column list, strings as `'…'` or, beyond printable ASCII, `U&'…'`).
Unknown relations fail with Trino's TABLE_NOT_FOUND / SCHEMA_NOT_FOUND / CATALOG_NOT_FOUND.

The catalog file: {"catalogs": {NAME: {"connector": "memory", "schemas": {NAME: {"tables": {NAME:
{"type": "BASE TABLE"|"VIEW", "comment": str|null, "definition": str (views), "columns": [{"name",
"type" (Trino's spelling, e.g. `decimal(10,2)`, `row("a" integer)`), "nullable": bool, "comment"}],
"rows": [[value, …], …] (Trino's JSON encoding)}}}}}}}. Every catalog also has its
`information_schema`, and a `system` catalog is always there, as in Trino.

Standard library only (the `serve` side), so the tests need no virtualenv to run it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import presto_flavour  # beside this file

# ---- Trino types ---------------------------------------------------------------------------------

UNBOUNDED = 2147483647


class TypeError_(Exception):
    pass


def split_top(text: str, sep: str = ",") -> list[str]:
    """Splits at `sep` outside parentheses and double quotes."""
    parts, depth, quoted, buf = [], 0, False, ""
    for c in text:
        if c == '"':
            quoted = not quoted
        elif not quoted and c == "(":
            depth += 1
        elif not quoted and c == ")":
            depth -= 1
        if c == sep and depth == 0 and not quoted:
            parts.append(buf.strip())
            buf = ""
        else:
            buf += c
    if buf.strip():
        parts.append(buf.strip())
    return parts


def signature(t: str) -> dict:
    """Trino's `ClientTypeSignature` of a type spelling."""
    t = t.strip()
    m = re.fullmatch(r"(timestamp|time)(?:\((\d+)\))?( with time zone)?", t)
    if m:
        raw = m.group(1) + (m.group(3) or "")
        precision = int(m.group(2)) if m.group(2) else (3 if m.group(1) == "timestamp" else 3)
        return {"rawType": raw, "arguments": [{"kind": "LONG", "value": precision}]}
    if t in ("interval year to month", "interval day to second"):
        return {"rawType": t, "arguments": []}
    m = re.fullmatch(r"(\w+)\s*(?:\((.*)\))?", t, re.S)
    if not m:
        raise TypeError_(f"unknown type: {t}")
    name, args = m.group(1).lower(), m.group(2)
    if name in ("varchar", "char"):
        n = int(args) if args else (UNBOUNDED if name == "varchar" else 1)
        return {"rawType": name, "arguments": [{"kind": "LONG", "value": n}]}
    if name == "decimal":
        p, s = ([int(x) for x in split_top(args)] + [0])[:2] if args else (38, 0)
        return {"rawType": name, "arguments": [{"kind": "LONG", "value": p}, {"kind": "LONG", "value": s}]}
    if name in ("array", "map"):
        return {"rawType": name,
                "arguments": [{"kind": "TYPE", "value": signature(a)} for a in split_top(args or "")]}
    if name == "row":
        fields = []
        for f in split_top(args or ""):
            named = re.fullmatch(r'"((?:[^"]|"")*)"\s+(.+)', f, re.S)
            # PrestoDB (and Trinos before 2020) spell a field's name bare: `row(city varchar)`.
            bare = re.fullmatch(r"([A-Za-z_]\w*)\s+(.+)", f, re.S)
            if named:
                value = {"fieldName": {"name": named.group(1).replace('""', '"')},
                         "typeSignature": signature(named.group(2))}
            elif bare and not re.fullmatch(r"(timestamp|time)(\(\d+\))? with time zone|interval .*", f):
                value = {"fieldName": {"name": bare.group(1)}, "typeSignature": signature(bare.group(2))}
            else:
                value = {"typeSignature": signature(f)}
            fields.append({"kind": "NAMED_TYPE", "value": value})
        return {"rawType": "row", "arguments": fields}
    return {"rawType": name, "arguments": []}


def column_json(name: str, t: str) -> dict:
    return {"name": name, "type": t, "typeSignature": signature(t)}


def encode(value, t: str):
    """A stored value in Trino's JSON encoding of type `t`."""
    if value is None:
        return None
    raw = signature(t)["rawType"]
    if raw in ("array", "map", "row"):
        return json.loads(value) if isinstance(value, str) else value
    if raw == "boolean":
        return bool(value)
    if raw in ("tinyint", "smallint", "integer", "bigint"):
        return int(value)
    if raw in ("double", "real"):
        v = float(value)
        if v != v:
            return "NaN"
        if v in (float("inf"), float("-inf")):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if raw == "decimal":
        return str(value)
    if raw == "varbinary":
        return value if isinstance(value, str) else base64.b64encode(value).decode()
    return value if isinstance(value, str) else str(value)


def storable(value):
    """A fixture value as SQLite keeps it: structures as JSON text."""
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


# ---- the catalog in SQLite --------------------------------------------------------------------------

# information_schema and system tables: columns and their Trino types.
INFO_SCHEMA = {
    "schemata": [("catalog_name", "varchar"), ("schema_name", "varchar")],
    "tables": [("table_catalog", "varchar"), ("table_schema", "varchar"), ("table_name", "varchar"),
               ("table_type", "varchar")],
    "columns": [("table_catalog", "varchar"), ("table_schema", "varchar"), ("table_name", "varchar"),
                ("column_name", "varchar"), ("ordinal_position", "bigint"), ("column_default", "varchar"),
                ("is_nullable", "varchar"), ("data_type", "varchar")],
    "views": [("table_catalog", "varchar"), ("table_schema", "varchar"), ("table_name", "varchar"),
              ("view_definition", "varchar")],
}
# Hidden columns: selectable by name, not by `*`.
HIDDEN = {"columns": [("comment", "varchar"), ("extra_info", "varchar")], "tables": [("table_comment", "varchar")]}
SYSTEM = {
    ("metadata", "catalogs"): [("catalog_name", "varchar"), ("connector_id", "varchar"),
                               ("connector_name", "varchar")],
    ("metadata", "table_comments"): [("catalog_name", "varchar"), ("schema_name", "varchar"),
                                     ("table_name", "varchar"), ("comment", "varchar")],
    ("runtime", "nodes"): [("node_id", "varchar"), ("http_uri", "varchar"), ("node_version", "varchar"),
                           ("coordinator", "boolean"), ("state", "varchar")],
}


class QueryError(Exception):
    def __init__(self, name: str, code: int, message: str, kind: str = "USER_ERROR"):
        super().__init__(message)
        self.name, self.code, self.message, self.kind = name, code, message, kind


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Catalog:
    """Every relation of every catalog, as SQLite tables and views named `r<n>`."""

    def __init__(self, spec: dict, flavour: str = "trino"):
        self.flavour = flavour
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        # (catalog, schema, table) -> (sqlite name, [(column, type)], hidden [(column, type)])
        self.relations: dict[tuple[str, str, str], tuple[str, list, list]] = {}
        self.catalogs: dict[str, str] = {}  # name -> connector
        self.views: dict[tuple[str, str, str], str] = {}
        self.comments: dict[tuple[str, str, str], str] = {}  # tables' comments
        self._load(spec)

    def _table(self, key, columns, hidden=()):
        name = f"r{len(self.relations)}"
        cols = ", ".join(quote(c) for c, _ in list(columns) + list(hidden))
        self.db.execute(f"CREATE TABLE {name} ({cols})")
        self.relations[key] = (name, list(columns), list(hidden))
        return name

    def _load(self, spec: dict):
        catalogs = dict(spec.get("catalogs", {}))
        schemata, tables, columns, views, comments = [], [], [], [], []
        for cat, c in catalogs.items():
            self.catalogs[cat] = c.get("connector", "memory")
            for schema, s in c.get("schemas", {}).items():
                schemata.append((cat, schema))
                for table, t in s.get("tables", {}).items():
                    kind = t.get("type", "BASE TABLE")
                    tables.append((cat, schema, table, kind, t.get("comment")))
                    if t.get("comment") is not None:
                        comments.append((cat, schema, table, t["comment"]))
                        self.comments[(cat, schema, table)] = t["comment"]
                    cols = [(col["name"], col["type"]) for col in t["columns"]]
                    for i, col in enumerate(t["columns"], 1):
                        signature(col["type"])  # a spelling the stand-in cannot parse fails here
                        columns.append((cat, schema, table, col["name"], i, None,
                                        "YES" if col.get("nullable", True) else "NO", col["type"],
                                        col.get("comment"), None))
                    if kind == "VIEW":
                        # `definition` may be null: information_schema.views then has none (Trino
                        # shows it to the view's owner only) and only SHOW CREATE VIEW tells it.
                        views.append((cat, schema, table, t.get("definition")))
                        self.views[(cat, schema, table)] = t.get("show_create") or (
                            f"CREATE VIEW {cat}.{schema}.{table} SECURITY DEFINER AS\n{t.get('definition') or ''}")
                    name = self._table((cat, schema, table), cols)
                    rows = t.get("rows", [])
                    if rows:
                        marks = ", ".join("?" for _ in cols)
                        self.db.executemany(f"INSERT INTO {name} VALUES ({marks})",
                                            [[storable(v) for v in row] for row in rows])
        self.catalogs["system"] = "system"
        for schema in ("jdbc", "metadata", "runtime"):
            schemata.append(("system", schema))
        system = {k: v for k, v in SYSTEM.items()
                  if self.flavour != presto_flavour.NAME or k not in presto_flavour.ABSENT_SYSTEM_TABLES}
        for (schema, table), cols in system.items():
            tables.append(("system", schema, table, "BASE TABLE", None))
            for i, (col, t) in enumerate(cols, 1):
                columns.append(("system", schema, table, col, i, None, "YES", t, None, None))
        # Every catalog's information_schema lists itself, as Trino's does.
        for cat in self.catalogs:
            schemata.append((cat, "information_schema"))
            for table, cols in INFO_SCHEMA.items():
                tables.append((cat, "information_schema", table, "BASE TABLE", None))
                for i, (col, t) in enumerate(cols, 1):
                    columns.append((cat, "information_schema", table, col, i, None, "YES", t, None, None))

        base = {}
        for table, cols in INFO_SCHEMA.items():
            base[table] = self._table(("", "", f"all_{table}"), cols, HIDDEN.get(table, ()))
        self.db.executemany(f"INSERT INTO {base['schemata']} VALUES (?, ?)", schemata)
        self.db.executemany(f"INSERT INTO {base['tables']} VALUES (?, ?, ?, ?, ?)", tables)
        self.db.executemany(f"INSERT INTO {base['columns']} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", columns)
        self.db.executemany(f"INSERT INTO {base['views']} VALUES (?, ?, ?, ?)", views)
        for cat in self.catalogs:
            for table, cols in INFO_SCHEMA.items():
                name = f"r{len(self.relations)}"
                first = cols[0][0]
                every = ", ".join(quote(c) for c, _ in cols + HIDDEN.get(table, []))
                self.db.execute(f"CREATE VIEW {name} AS SELECT {every} FROM {base[table]} "
                                f"WHERE {quote(first)} = {sql_literal(cat)}")
                self.relations[(cat, "information_schema", table)] = (name, cols, HIDDEN.get(table, []))
        sys_cat = self._table(("system", "metadata", "catalogs"), SYSTEM[("metadata", "catalogs")])
        self.db.executemany(f"INSERT INTO {sys_cat} VALUES (?, ?, ?)",
                            [(c, c, conn) for c, conn in self.catalogs.items()])
        if ("metadata", "table_comments") in system:
            sys_com = self._table(("system", "metadata", "table_comments"), system[("metadata", "table_comments")])
            self.db.executemany(f"INSERT INTO {sys_com} VALUES (?, ?, ?, ?)", comments)
        self._table(("system", "runtime", "nodes"), SYSTEM[("runtime", "nodes")])
        self.db.commit()

    # -- running a statement --

    def run(self, sql: str, catalog: str | None, schema: str | None) -> tuple[list[dict], list[list]]:
        sql = re.sub(r"^(\s*(/\*.*?\*/|--[^\n]*\n))*", "", sql, flags=re.S)  # leading comments
        sql = sql.strip().rstrip(";").strip()
        m = re.fullmatch(r"(?is)execute\s+immediate\s+'((?:[^']|'')*)'(?:\s+using\s+(.*))?", sql)
        if m:  # what the clients send for a statement with parameters
            sql = bind(m.group(1).replace("''", "'"), m.group(2) or "")
        show = self._show(sql, catalog, schema)
        if show is not None:
            return show
        if not re.match(r"(?is)^\s*(select|with)\b", sql):
            raise QueryError("NOT_SUPPORTED", 13, f"The stand-in runs SELECT and SHOW only: {sql[:60]}")
        rewritten, used = self._rewrite(sql, catalog, schema)
        with self.lock:
            try:
                cur = self.db.execute(rewritten)
            except sqlite3.Error as e:
                raise QueryError("SYNTAX_ERROR", 1, f"line 1:1: {e}")
            rows = cur.fetchall()
            names = [d[0] for d in cur.description]
        types_by_name: dict[str, str] = {}
        for key in used:
            _, cols, hidden = self.relations[key]
            for c, t in cols + hidden:
                types_by_name.setdefault(c.lower(), t)
        columns = []
        for i, n in enumerate(names):
            t = types_by_name.get(n.lower())
            if t is None:
                sample = next((r[i] for r in rows if r[i] is not None), None)
                t = ("boolean" if isinstance(sample, bool) else "bigint" if isinstance(sample, int)
                     else "double" if isinstance(sample, float) else "varchar")
            n = n.lower() if re.fullmatch(r"[A-Za-z_]\w*", n) else f"_col{i}"
            columns.append(column_json(n, t))
        data = [[encode(v, c["type"]) for v, c in zip(r, columns)] for r in rows]
        return columns, data

    def _resolve(self, parts: list[str], catalog, schema, where: str) -> tuple[str, str, str]:
        if len(parts) == 3:
            key = tuple(parts)
        elif len(parts) == 2:
            if not catalog:
                raise QueryError("MISSING_CATALOG_NAME", 45,
                                 f"{where}: Catalog must be specified when session catalog is not set")
            key = (catalog, parts[0], parts[1])
        else:
            if not catalog:
                raise QueryError("MISSING_CATALOG_NAME", 45,
                                 f"{where}: Catalog must be specified when session catalog is not set")
            if not schema:
                raise QueryError("MISSING_SCHEMA_NAME", 44,
                                 f"{where}: Schema must be specified when session schema is not set")
            key = (catalog, schema, parts[0])
        key = tuple(k.lower() for k in key)  # Trino's names are case-insensitive, quoted or not
        if key in self.relations:
            return key
        if key[0] not in self.catalogs:
            raise QueryError("CATALOG_NOT_FOUND", 44, f"{where}: Catalog '{key[0]}' not found")
        if not any(k[0] == key[0] and k[1] == key[1] for k in self.relations):
            raise QueryError("SCHEMA_NOT_FOUND", 47, f"{where}: Schema '{key[1]}' does not exist")
        raise QueryError("TABLE_NOT_FOUND", 46, f"{where}: Table '{'.'.join(key)}' does not exist")

    def _rewrite(self, sql: str, catalog, schema):
        tokens = tokenize(sql)
        out, used, i, prev = [], [], 0, ""
        while i < len(tokens):
            kind, text, pos = tokens[i]
            if kind == "ident":
                parts, j = [ident_value(text)], i + 1
                while j + 1 < len(tokens) and tokens[j][1] == "." and tokens[j + 1][0] == "ident":
                    parts.append(ident_value(tokens[j + 1][1]))
                    j += 2
                relation_position = prev.upper() in ("FROM", "JOIN")
                if relation_position and not text.startswith('"') and text.upper() in RESERVED:
                    raise QueryError("SYNTAX_ERROR", 1, f"line 1:{pos + 1}: mismatched input '{text}'")
                if relation_position or len(parts) == 3:
                    key = self._resolve(parts, catalog, schema, f"line 1:{pos + 1}")
                    out.append(self.relations[key][0])
                    used.append(key)
                    i, prev = j, "<relation>"
                    continue
                out.append(" ".join(tokens[k][1] for k in range(i, j)).replace(" . ", "."))
                i, prev = j, text
                continue
            out.append(text)
            if kind != "space":
                prev = text
            i += 1
        return "".join(out), used

    def _show(self, sql, catalog, schema):
        varchar = lambda n: [column_json(n, "varchar")]  # noqa: E731
        if re.fullmatch(r"(?i)show\s+catalogs", sql):
            return varchar("Catalog"), [[c] for c in sorted(self.catalogs)]
        m = re.fullmatch(r"(?i)show\s+schemas(?:\s+from\s+(.+))?", sql)
        if m:
            cat = ident_value(m.group(1).strip()) if m.group(1) else catalog
            if not cat:
                raise QueryError("MISSING_CATALOG_NAME", 45, "Catalog must be specified when session catalog is not set")
            if cat not in self.catalogs:
                raise QueryError("CATALOG_NOT_FOUND", 44, f"Catalog '{cat}' not found")
            names = sorted({k[1] for k in self.relations if k[0] == cat})
            return varchar("Schema"), [[n] for n in names]
        m = re.fullmatch(r"(?i)show\s+tables(?:\s+from\s+(.+))?", sql)
        if m:
            parts = [ident_value(p) for p in split_name(m.group(1))] if m.group(1) else []
            cat, sch = (parts if len(parts) == 2 else [catalog] + parts if parts else [catalog, schema])
            names = sorted(k[2] for k in self.relations if k[0] == cat and k[1] == sch)
            return varchar("Table"), [[n] for n in names]
        m = re.fullmatch(r"(?i)show\s+columns\s+from\s+(.+)", sql)
        if m:
            key = self._resolve([ident_value(p) for p in split_name(m.group(1))], catalog, schema, "line 1:1")
            every = self.relations[("", "", "all_columns")][0]
            with self.lock:
                rows = self.db.execute(
                    f"SELECT column_name, data_type, comment FROM {every} WHERE table_catalog = ? "
                    "AND table_schema = ? AND table_name = ? ORDER BY ordinal_position", key).fetchall()
            cols = [column_json(n, "varchar") for n in ("Column", "Type", "Extra", "Comment")]
            return cols, [[n, t, "", c or ""] for n, t, c in rows]
        m = re.fullmatch(r"(?i)show\s+create\s+table\s+(.+)", sql)
        if m:
            key = self._resolve([ident_value(p) for p in split_name(m.group(1))], catalog, schema, "line 1:1")
            if key in self.views:
                raise QueryError("NOT_SUPPORTED", 13, f"Relation '{'.'.join(key)}' is a view, not a table")
            return varchar("Create Table"), [[self._create_table(key)]]
        m = re.fullmatch(r"(?i)show\s+create\s+view\s+(.+)", sql)
        if m:
            key = self._resolve([ident_value(p) for p in split_name(m.group(1))], catalog, schema, "line 1:1")
            if key not in self.views:
                raise QueryError("NOT_SUPPORTED", 13, f"Relation '{'.'.join(key)}' is a table, not a view")
            return varchar("Create View"), [[self.views[key]]]
        return None


    def _create_table(self, key) -> str:
        """`SHOW CREATE TABLE`'s text, as `SqlFormatter.visitCreateTable` prints it."""
        every = self.relations[("", "", "all_columns")][0]
        with self.lock:
            rows = self.db.execute(
                f"SELECT column_name, data_type, is_nullable, comment FROM {every} WHERE table_catalog = ? "
                "AND table_schema = ? AND table_name = ? ORDER BY ordinal_position", key).fetchall()
        columns = ",\n".join(
            f"   {format_identifier(n)} {t}" + (" NOT NULL" if nullable == "NO" else "")
            + (f" COMMENT {format_string_literal(c)}" if c is not None else "")
            for n, t, nullable, c in rows)
        text = f"CREATE TABLE {'.'.join(format_identifier(k) for k in key)} (\n{columns}\n)"
        if key in self.comments:
            text += f"\nCOMMENT {format_string_literal(self.comments[key])}"
        if self.catalogs.get(key[0]) in ("hive", "iceberg"):
            text += "\nWITH (\n   format = 'ORC'\n)"
        return text


def format_identifier(name: str) -> str:
    """An identifier as the formatter writes it: bare when it can be, else quoted."""
    if re.fullmatch(r"[a-z_][a-z0-9_]*", name) and name.upper() not in RESERVED:
        return name
    return quote(name)


def format_string_literal(s: str) -> str:
    r"""`formatStringLiteral`: `'…'`, quotes doubled; beyond printable ASCII, `U&'…'` with `\`
    doubled and other characters as `\XXXX` or `\+XXXXXX`."""
    s = s.replace("'", "''")
    if all(0x20 <= ord(c) <= 0x7E for c in s):
        return f"'{s}'"
    out = []
    for c in s:
        point = ord(c)
        if 0x20 <= point < 0x7F:
            out.append("\\\\" if c == "\\" else c)
        elif point <= 0xFFFF:
            out.append(f"\\{point:04X}")
        else:
            out.append(f"\\+{point:06X}")
    return "U&'" + "".join(out) + "'"


def bind(sql: str, using: str) -> str:
    """`sql` with each `?` replaced by the next literal of the `USING` list."""
    literals, current = [], ""
    for kind, text, _ in tokenize(using):
        if kind == "other" and text == ",":
            literals.append(current.strip())
            current = ""
        else:
            current += text
    if current.strip():
        literals.append(current.strip())
    out, used = [], 0
    for kind, text, _ in tokenize(sql):
        if kind == "other" and text == "?":
            if used >= len(literals):
                raise QueryError("INVALID_PARAMETER_USAGE", 53, "Incorrect number of parameters")
            text = literals[used]
            used += 1
        out.append(text)
    if used != len(literals):
        raise QueryError("INVALID_PARAMETER_USAGE", 53, "Incorrect number of parameters")
    return "".join(out)


RESERVED = {"SELECT", "FROM", "WHERE", "GROUP", "ORDER", "BY", "HAVING", "LIMIT", "JOIN", "ON", "UNION",
            "AS", "AND", "OR", "NOT", "IN", "IS", "NULL", "LEFT", "RIGHT", "INNER", "OUTER", "CROSS",
            "WITH", "OFFSET", "FETCH"}


def sql_literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def split_name(text: str) -> list[str]:
    return [t[1] for t in tokenize(text.strip()) if t[0] == "ident"]


def ident_value(text: str) -> str:
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    return text.lower()


def tokenize(sql: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset): kinds `ident` (bare or "quoted"), `string`, `space`, `other`."""
    out, i, n = [], 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            j = i
            while j < n and sql[j].isspace():
                j += 1
            out.append(("space", sql[i:j], i))
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(("space", " ", i))
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(("space", " ", i))
        elif c in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == c and j + 1 < n and sql[j + 1] == c:
                    j += 2
                    continue
                if sql[j] == c:
                    break
                j += 1
            j += 1
            out.append(("string" if c == "'" else "ident", sql[i:j], i))
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(("ident", sql[i:j], i))
        else:
            j = i + 1
            out.append(("other", c, i))
        i = j
    return out


# ---- the HTTP server ------------------------------------------------------------------------------


class Query:
    def __init__(self, qid: str, user: str, sql: str, catalog, schema):
        self.id, self.user, self.sql, self.catalog, self.schema = qid, user, sql, catalog, schema
        self.slug = secrets.token_hex(8)
        self.token = 0  # the next token a nextUri carries
        self.columns = None
        self.data = None
        self.error = None
        self.page = 0
        self.done = False


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, catalog: Catalog, opts):
        super().__init__(addr, Handler)
        self.catalog = catalog
        self.opts = opts
        self.queries: dict[str, Query] = {}
        self.lock = threading.Lock()
        self.counter = 0
        self.requests = 0
        self.flaked: set[int] = set()
        self.log_file = open(opts.log, "a", encoding="utf-8") if opts.log else None

    def next_id(self) -> str:
        with self.lock:
            self.counter += 1
            return time.strftime("%Y%m%d_%H%M%S", time.gmtime()) + f"_{self.counter:05d}_standin"

    def log(self, entry: dict):
        if self.log_file:
            with self.lock:
                self.log_file.write(json.dumps(entry) + "\n")
                self.log_file.flush()


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the log file has every request
        pass

    # -- plumbing --

    def _send(self, status: int, body, headers=()):
        data = body if isinstance(body, bytes) else (
            json.dumps(body).encode() if not isinstance(body, str) else body.encode())
        self.send_response(status)
        ctype = "application/json" if not isinstance(body, (str, bytes)) else "text/plain; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self._entry["status"] = status
        self.server.log(self._entry)

    def _protocol_header(self, what: str):
        """`X-Trino-<what>`, or `X-Presto-<what>` for the Presto flavour: only the engine's own."""
        return self.headers.get(presto_flavour.header_prefix(self.server.opts.flavour) + what)

    def _begin(self):
        opts = self.server.opts
        length = int(self.headers.get("Content-Length") or 0)
        self._body = self.rfile.read(length).decode("utf-8") if length else ""
        self._entry = {"method": self.command, "path": self.path.split("?")[0],
                       "user": self._protocol_header("User"),
                       "catalog": self._protocol_header("Catalog"),
                       "schema": self._protocol_header("Schema"),
                       "source": self._protocol_header("Source"),
                       # Every X-Trino-* and X-Presto-* header sent, lower-cased: which protocol the
                       # client speaks.
                       "protocol_headers": sorted({k.lower() for k in self.headers.keys()
                                                   if k.lower().startswith(("x-trino-", "x-presto-"))}),
                       "authorization": (self.headers.get("Authorization") or "").split(" ")[0] or None,
                       "at": time.time()}
        if self.command == "POST":
            self._entry["sql"] = self._body
        if opts.latency_ms:
            time.sleep(opts.latency_ms / 1000)
        with self.server.lock:
            self.server.requests += 1
            n = self.server.requests
        if opts.flaky_every and n % opts.flaky_every == 0:
            self._send(503, "Service Unavailable")
            return False
        return self._authenticated()

    def _authenticated(self) -> bool:
        opts = self.server.opts
        if not (opts.password or opts.jwt):
            return True
        header = self.headers.get("Authorization") or ""
        self._auth_user = None
        if opts.password and header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except Exception:  # noqa: BLE001
                user, password = None, None
            want_user, _, want_password = opts.password.partition(":")
            if user == want_user and password == want_password:
                self._auth_user = user
                return True
            self._entry["auth_failure"] = "bad basic credentials"
        elif opts.jwt and header.startswith("Bearer "):
            if header[7:] == opts.jwt:
                return True
            self._entry["auth_failure"] = "bad jwt"
        else:
            self._entry["auth_failure"] = "no credentials"
        realm = "Presto" if opts.flavour == presto_flavour.NAME else "Trino"
        schemes = [f'Basic realm="{realm}"'] if opts.password else []
        schemes += ["Bearer"] if opts.jwt else []
        self._send(401, "Unauthorized", [("WWW-Authenticate", s) for s in schemes])
        return False

    def _base(self) -> str:
        return f"http://{self.headers.get('Host') or '%s:%d' % self.server.server_address[:2]}"

    def _results(self, q: Query, state: str, next_uri: str | None, page=None):
        doc = {"id": q.id, "infoUri": f"{self._base()}/ui/query.html?{q.id}",
               "stats": {"state": state, "queued": state == "QUEUED", "scheduled": state != "QUEUED",
                         "nodes": 1, "totalSplits": 1, "queuedSplits": 0, "runningSplits": 0,
                         "completedSplits": 1 if state == "FINISHED" else 0, "cpuTimeMillis": 0,
                         "wallTimeMillis": 0, "queuedTimeMillis": 0, "elapsedTimeMillis": 0,
                         "processedRows": len(q.data or []), "processedBytes": 0, "physicalInputBytes": 0,
                         "peakMemoryBytes": 0, "spilledBytes": 0},
               "warnings": []}
        presto = self.server.opts.flavour == presto_flavour.NAME
        if next_uri:
            doc["nextUri"] = next_uri
        if q.columns is not None and state != "QUEUED":
            doc["columns"] = q.columns if not presto else [
                dict(c, typeSignature=presto_flavour.signature(c["typeSignature"])) for c in q.columns]
        if page:
            doc["data"] = page
        if q.error is not None:
            e = q.error
            name, code, message, kind, failure = (
                presto_flavour.error(e.name, e.code, e.message, e.kind) if presto
                else (e.name, e.code, e.message, e.kind, "io.trino.spi.TrinoException"))
            doc["error"] = {"message": message, "errorCode": code, "errorName": name,
                            "errorType": kind, "errorLocation": {"lineNumber": 1, "columnNumber": 1},
                            "failureInfo": {"type": failure, "message": message,
                                            "suppressed": [], "stack": []}}
        self._send(200, doc)

    # -- verbs --

    def do_POST(self):
        if not self._begin():
            return
        if self.path.split("?")[0] != "/v1/statement":
            return self._send(404, "Not Found")
        # Only the engine's own headers count: a PrestoDB ignores X-Trino-User, so a request that
        # names its user there names none.
        user = (self._protocol_header("User") or "").strip()
        if not user:
            return self._send(400, "User must be set")
        catalog, schema = self._protocol_header("Catalog"), self._protocol_header("Schema")
        if schema and not catalog:
            return self._send(400, "Schema is set but catalog is not")
        if not self._body.strip():
            return self._send(400, "SQL statement is empty")
        q = Query(self.server.next_id(), user, self._body, catalog, schema)
        self._entry["query"] = q.id
        with self.server.lock:
            self.server.queries[q.id] = q
        q.token = 1
        self._results(q, "QUEUED", f"{self._base()}/v1/statement/queued/{q.id}/{q.slug}/1")

    def _query_of_path(self):
        m = re.fullmatch(r"/v1/statement/(queued|executing)/([^/]+)/([^/]+)/(\d+)", self.path.split("?")[0])
        if not m:
            return None, None
        with self.server.lock:
            q = self.server.queries.get(m.group(2))
        if q is None or q.slug != m.group(3):
            return None, None
        return q, (m.group(1), int(m.group(4)))

    def do_GET(self):
        if self.path.split("?")[0] == "/v1/info":  # unauthenticated, as Trino's (health checks)
            self._entry = {"method": "GET", "path": "/v1/info", "at": time.time(),
                           "authorization": (self.headers.get("Authorization") or "").split(" ")[0] or None}
            return self._send(200, {"nodeVersion": {"version": "stand-in"}, "environment": "test",
                                    "coordinator": True, "starting": False, "uptime": "1.00m"})
        if not self._begin():
            return
        q, where = self._query_of_path()
        if q is None:
            return self._send(404, "Query not found")
        self._entry["query"] = q.id
        stage, token = where
        if token != q.token or q.done:
            return self._send(404 if q.done else 410, "Query not found or token is stale")
        if q.columns is None and q.error is None:
            auth_user = getattr(self, "_auth_user", None)
            try:
                # Trino's default impersonation rules; PrestoDB's default (allow-all) has none.
                if (auth_user is not None and auth_user != q.user
                        and self.server.opts.flavour != presto_flavour.NAME):
                    raise QueryError("PERMISSION_DENIED", 4,
                                     f"Access Denied: User {auth_user} cannot impersonate user {q.user}")
                q.columns, q.data = self.server.catalog.run(q.sql, q.catalog, q.schema)
            except QueryError as e:
                q.error = e
            except Exception as e:  # noqa: BLE001  (the stand-in's own bug: a Trino internal error)
                q.error = QueryError("GENERIC_INTERNAL_ERROR", 65536, f"stand-in: {e!r}", "INTERNAL_ERROR")
        if q.error is not None:
            q.done = True
            self._entry["error"] = q.error.name
            return self._results(q, "FAILED", None)
        size = self.server.opts.page_rows
        page = q.data[q.page * size:(q.page + 1) * size]
        q.page += 1
        more = q.page * size < len(q.data)
        if more:
            q.token += 1
            nxt = f"{self._base()}/v1/statement/executing/{q.id}/{q.slug}/{q.token}"
            self._entry["rows"] = len(page)
            return self._results(q, "RUNNING", nxt, page)
        q.done = True
        self._entry["rows"] = len(page)
        self._results(q, "FINISHED", None, page)

    def do_DELETE(self):
        if not self._begin():
            return
        q, _ = self._query_of_path()
        if q is None:
            return self._send(404, "Query not found")
        q.done = True
        self._send(204, b"")


def synthetic(tables: int) -> dict:
    """A generated catalog of `tables` tables and views, a hundred a schema."""
    types = ["bigint", "varchar(64)", "decimal(12,2)", "timestamp(3) with time zone", "array(varchar)",
             "map(varchar, integer)", 'row("a" integer, "b" varchar)', "boolean"]
    schemas: dict = {}
    for n in range(tables):
        schema = schemas.setdefault(f"s{n // 100:04d}", {"tables": {}})
        columns = [{"name": f"c{i}", "type": t, "comment": f"column {i}" if i % 3 == 0 else None}
                   for i, t in enumerate(types)]
        if n % 10 == 9:
            table = {"type": "VIEW", "definition": f"SELECT * FROM bench.s{n // 100:04d}.t{n - 1:06d}",
                     "comment": None, "columns": columns}
        else:
            table = {"type": "BASE TABLE", "comment": f"table {n}", "columns": columns}
        schema["tables"][f"t{n:06d}"] = table
    return {"catalogs": {"bench": {"connector": "hive", "schemas": schemas}}}


def serve(opts) -> None:
    if opts.synthetic:
        spec = synthetic(opts.synthetic)
    else:
        with open(opts.catalog, encoding="utf-8") as f:
            spec = json.load(f)
    server = Server(("127.0.0.1", opts.port), Catalog(spec, opts.flavour), opts)
    host, port = server.server_address[:2]
    print(f"{host}:{port}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # Until whoever started us closes our standard input (or kills us).
    try:
        while sys.stdin.read(1024):
            pass
    except KeyboardInterrupt:
        pass
    server.shutdown()


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve a catalog file")
    s.add_argument("--catalog", help="the catalog file (or --synthetic)")
    s.add_argument("--synthetic", type=int, default=0, help="serve this many generated tables")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--password", help="USER:PASSWORD: require basic authentication")
    s.add_argument("--jwt", help="require this bearer token")
    s.add_argument("--latency-ms", type=int, default=0, help="added to every request")
    s.add_argument("--page-rows", type=int, default=100, help="rows per page")
    s.add_argument("--log", help="append one JSON line per request to this file")
    s.add_argument("--flaky-every", type=int, default=0, help="answer every Nth request 503")
    s.add_argument("--flavour", choices=["trino", "presto"], default="trino",
                   help="answer as Trino or as PrestoDB (presto_flavour.py)")
    sub.add_parser("selftest", help="the official Python client against the stand-in")
    return ap.parse_args(argv)


def main() -> None:
    opts = options()
    if opts.command == "serve" and not (opts.catalog or opts.synthetic):
        sys.exit("standin.py serve: --catalog FILE or --synthetic N")
    if opts.command == "serve":
        serve(opts)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import selftest  # noqa: PLC0415  (beside this file; needs PyPI trino)

        selftest.main()


if __name__ == "__main__":
    main()
