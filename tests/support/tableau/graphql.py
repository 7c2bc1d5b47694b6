"""Tableau's Metadata API (GraphQL, `POST /api/metadata/graphql`) over the stand-in's catalog: a
small GraphQL executor for the part of Tableau's schema the connectors read, validating as
Tableau's server (graphql-java) does — a field the type does not have is refused (a field of an
implementation only through `... on Type`), as are unknown arguments and filter keys — and the
node limit: an answer holding more objects than `node_limit` is cut there, with Tableau's
`NODE_LIMIT_EXCEEDED` error beside the partial data.

Supported: one anonymous or named `query` operation, fields with arguments (string, integer,
boolean, enum, list and object literals), inline fragments, `__typename`. Not supported (refused
with an error): variables, named fragments, aliases, directives, mutations.
"""

from __future__ import annotations

import base64
import re

# --- Tableau's schema (the part read): type → field → (type, is_list); `Connection` types are
# generated below. Interfaces list their fields and implementations.
SCALAR = None
OBJECTS = {
    "Workbook": {"id": SCALAR, "luid": SCALAR, "name": SCALAR, "description": SCALAR,
                 "projectName": SCALAR, "projectLuid": SCALAR, "uri": SCALAR, "createdAt": SCALAR,
                 "updatedAt": SCALAR, "owner": ("TableauUser", False), "tags": ("Tag", True),
                 "embeddedDatasources": ("EmbeddedDatasource", True),
                 "upstreamDatasources": ("PublishedDatasource", True),
                 "upstreamTables": ("DatabaseTable", True)},
    "TableauUser": {"id": SCALAR, "luid": SCALAR, "name": SCALAR, "username": SCALAR, "email": SCALAR},
    "Tag": {"id": SCALAR, "name": SCALAR},
    "EmbeddedDatasource": {"id": SCALAR, "name": SCALAR, "hasExtracts": SCALAR,
                           "fields": ("Field", True), "upstreamTables": ("DatabaseTable", True),
                           "upstreamDatasources": ("PublishedDatasource", True),
                           "workbook": ("Workbook", False)},
    "PublishedDatasource": {"id": SCALAR, "luid": SCALAR, "name": SCALAR, "description": SCALAR,
                            "projectName": SCALAR, "projectVaultLuid": SCALAR, "uri": SCALAR,
                            "hasExtracts": SCALAR, "isCertified": SCALAR,
                            "tags": ("Tag", True), "owner": ("TableauUser", False),
                            "fields": ("Field", True), "upstreamTables": ("DatabaseTable", True),
                            "upstreamDatasources": ("PublishedDatasource", True),
                            "downstreamWorkbooks": ("Workbook", True)},
    "ColumnField": {"id": SCALAR, "name": SCALAR, "description": SCALAR, "isHidden": SCALAR,
                    "folderName": SCALAR, "dataType": SCALAR, "role": SCALAR,
                    "upstreamColumns": ("Column", True), "datasource": ("Datasource", False)},
    "CalculatedField": {"id": SCALAR, "name": SCALAR, "description": SCALAR, "isHidden": SCALAR,
                        "folderName": SCALAR, "dataType": SCALAR, "role": SCALAR, "formula": SCALAR,
                        "upstreamColumns": ("Column", True), "datasource": ("Datasource", False)},
    "Column": {"id": SCALAR, "luid": SCALAR, "name": SCALAR, "remoteType": SCALAR,
               "description": SCALAR, "isNullable": SCALAR, "table": ("DatabaseTable", False)},
    "DatabaseTable": {"id": SCALAR, "luid": SCALAR, "name": SCALAR, "fullName": SCALAR,
                      "schema": SCALAR, "connectionType": SCALAR, "description": SCALAR,
                      "isEmbedded": SCALAR, "columns": ("Column", True),
                      "database": ("Database", False),
                      "referencedByQueries": ("CustomSQLTable", True)},
    "DatabaseServer": {"id": SCALAR, "luid": SCALAR, "name": SCALAR, "connectionType": SCALAR,
                       "hostName": SCALAR},
    "CustomSQLTable": {"id": SCALAR, "name": SCALAR, "query": SCALAR, "isUnsupportedCustomSql": SCALAR,
                       "connectionType": SCALAR, "tables": ("DatabaseTable", True),
                       "columns": ("Column", True), "database": ("Database", False),
                       "downstreamDatasources": ("Datasource", True)},
    "PageInfo": {"hasNextPage": SCALAR, "hasPreviousPage": SCALAR, "startCursor": SCALAR,
                 "endCursor": SCALAR},
}
INTERFACES = {
    "Field": (["id", "name", "description", "isHidden", "folderName", "upstreamColumns", "datasource"],
              ["ColumnField", "CalculatedField"]),
    "Datasource": (["id", "name", "hasExtracts", "fields", "upstreamTables", "upstreamDatasources"],
                   ["EmbeddedDatasource", "PublishedDatasource"]),
    "Database": (["id", "luid", "name", "connectionType"], ["DatabaseServer"]),
}
# Root lists: name → (type, catalog collection); each has a `…Connection` twin.
ROOTS = {
    "workbooks": "Workbook",
    "embeddedDatasources": "EmbeddedDatasource",
    "publishedDatasources": "PublishedDatasource",
    "customSQLTables": "CustomSQLTable",
    "databaseTables": "DatabaseTable",
}
# Lists an object also offers as a `…Connection(first, offset, after)`.
CONNECTIONS = {("Workbook", "embeddedDatasources"), ("PublishedDatasource", "fields"),
               ("EmbeddedDatasource", "fields")}
FILTER_KEYS = {"id", "luid", "name", "idWithin", "luidWithin", "nameWithin"}
CONNECTION_ARGS = {"first", "offset", "after", "filter", "orderBy"}


class GraphQLError(Exception):
    def __init__(self, message: str, classification: str = "ValidationError"):
        super().__init__(message)
        self.message = message
        self.classification = classification


def _fields_of(type_name: str) -> dict:
    if type_name in OBJECTS:
        return OBJECTS[type_name]
    if type_name in INTERFACES:
        names, impls = INTERFACES[type_name]
        return {n: OBJECTS[impls[0]][n] for n in names}
    if type_name.endswith("Connection"):
        node = type_name[: -len("Connection")]
        return {"nodes": (node, True), "totalCount": SCALAR, "pageInfo": ("PageInfo", False)}
    raise GraphQLError(f"Unknown type '{type_name}'")


def _possible(type_name: str) -> set:
    if type_name in INTERFACES:
        return set(INTERFACES[type_name][1]) | {type_name}
    return {type_name}


# --- parsing

TOKEN = re.compile(r'\s*(?:(\.\.\.)|("(?:[^"\\]|\\.)*")|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|([{}():,\[\]$@!=])|(#[^\n]*))',
                   re.S)


def _tokens(text: str) -> list:
    out, at = [], 0
    text = text.rstrip()
    while at < len(text):
        m = TOKEN.match(text, at)
        if not m or m.end() == at:
            raise GraphQLError(f"Invalid syntax at offset {at}", "InvalidSyntax")
        at = m.end()
        spread, string, number, name, punct, comment = m.groups()
        if comment:
            continue
        if spread:
            out.append(("...", spread))
        elif string is not None:
            out.append(("str", bytes(string[1:-1], "utf-8").decode("unicode_escape")))
        elif number is not None:
            out.append(("int", int(number)))
        elif name is not None:
            out.append(("name", name))
        elif punct == ",":
            continue
        else:
            out.append(("p", punct))
    return out


class _Parser:
    def __init__(self, text: str):
        self.t = _tokens(text)
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            raise GraphQLError(f"Invalid syntax: expected {value or kind}, found {tok[1]!r}", "InvalidSyntax")
        self.i += 1
        return tok

    def document(self):
        if self.peek() == ("name", "query"):
            self.take()
            if self.peek()[0] == "name":
                self.take()
            if self.peek() == ("p", "("):
                raise GraphQLError("variables are not supported by the stand-in", "InvalidSyntax")
        elif self.peek()[0] == "name":
            raise GraphQLError(f"only queries are supported, not {self.peek()[1]}", "InvalidSyntax")
        sel = self.selection_set()
        if self.peek()[0] is not None:
            raise GraphQLError("Invalid syntax: one operation only", "InvalidSyntax")
        return sel

    def selection_set(self):
        self.take("p", "{")
        out = []
        while self.peek() != ("p", "}"):
            if self.peek()[0] == "...":
                self.take()
                if self.peek() != ("name", "on"):
                    raise GraphQLError("named fragments are not supported by the stand-in", "InvalidSyntax")
                self.take()
                type_name = self.take("name")[1]
                out.append(("on", type_name, self.selection_set()))
                continue
            name = self.take("name")[1]
            if self.peek() == ("p", ":"):
                raise GraphQLError("aliases are not supported by the stand-in", "InvalidSyntax")
            args = {}
            if self.peek() == ("p", "("):
                self.take()
                while self.peek() != ("p", ")"):
                    key = self.take("name")[1]
                    self.take("p", ":")
                    args[key] = self.value()
                self.take()
            if self.peek() == ("p", "@"):
                raise GraphQLError("directives are not supported by the stand-in", "InvalidSyntax")
            sub = self.selection_set() if self.peek() == ("p", "{") else None
            out.append(("field", name, args, sub))
        self.take()
        return out

    def value(self):
        kind, v = self.peek()
        if kind in ("str", "int"):
            self.take()
            return v
        if kind == "name":
            self.take()
            return {"true": True, "false": False, "null": None}.get(v, v)
        if (kind, v) == ("p", "["):
            self.take()
            out = []
            while self.peek() != ("p", "]"):
                out.append(self.value())
            self.take()
            return out
        if (kind, v) == ("p", "{"):
            self.take()
            out = {}
            while self.peek() != ("p", "}"):
                key = self.take("name")[1]
                self.take("p", ":")
                out[key] = self.value()
            self.take()
            return out
        if (kind, v) == ("p", "$"):
            raise GraphQLError("variables are not supported by the stand-in", "InvalidSyntax")
        raise GraphQLError(f"Invalid syntax: unexpected {v!r}", "InvalidSyntax")


# --- validation and execution

def _validate(sel, type_name: str, path: str):
    fields = {} if type_name == "Query" else _fields_of(type_name)
    for item in sel:
        if item[0] == "on":
            _, on, sub = item
            if on not in OBJECTS and on not in INTERFACES:
                raise GraphQLError(f"Validation error (UnknownType@[{path}]) : Unknown type '{on}'")
            if not (_possible(on) & _possible(type_name)):
                raise GraphQLError(f"Validation error (InlineFragmentTypeConditionInvalid@[{path}]) : "
                                   f"Inline fragment type condition is invalid, must be on Object/Interface/Union")
            _validate(sub, on, path)
            continue
        _, name, args, sub = item
        here = f"{path}/{name}" if path else name
        if name == "__typename":
            continue
        if type_name == "Query":
            base = name[: -len("Connection")] if name.endswith("Connection") else name
            if base not in ROOTS:
                raise GraphQLError(f"Validation error (FieldUndefined@[{here}]) : Field '{name}' in type 'Query' is undefined")
            _check_args(args, name.endswith("Connection"), here)
            target = ROOTS[base] + ("Connection" if name.endswith("Connection") else "")
        else:
            base = name[: -len("Connection")] if name.endswith("Connection") else name
            if name.endswith("Connection") and (type_name, base) in CONNECTIONS:
                _check_args(args, True, here)
                target = fields[base][0] + "Connection"
            elif name in fields:
                if args:
                    raise GraphQLError(f"Validation error (UnknownArgument@[{here}]) : Unknown field argument '{next(iter(args))}'")
                spec = fields[name]
                target = spec[0] if spec else None
            else:
                raise GraphQLError(f"Validation error (FieldUndefined@[{here}]) : Field '{name}' in type '{type_name}' is undefined")
        if target is None and sub is not None:
            raise GraphQLError(f"Validation error (SubselectionNotAllowed@[{here}]) : Sub selection not allowed on leaf type of field {name}")
        if target is not None and sub is None:
            raise GraphQLError(f"Validation error (SubselectionRequired@[{here}]) : Sub selection required for type {target} of field {name}")
        if sub is not None:
            _validate(sub, target, here)


def _check_args(args: dict, connection: bool, here: str):
    allowed = CONNECTION_ARGS if connection else {"filter", "orderBy"}
    for key, value in args.items():
        if key not in allowed:
            raise GraphQLError(f"Validation error (UnknownArgument@[{here}]) : Unknown field argument '{key}'")
        if key == "filter":
            if not isinstance(value, dict):
                raise GraphQLError(f"Validation error (WrongType@[{here}]) : argument 'filter' with value '{value}' is not a valid object")
            for k in value:
                if k not in FILTER_KEYS:
                    raise GraphQLError(f"Validation error (WrongType@[{here}]) : argument 'filter' contains a field not in the filter type: '{k}'")
        if key in ("first", "offset") and not (isinstance(value, int) and value >= 0):
            raise GraphQLError(f"Validation error (WrongType@[{here}]) : argument '{key}' with value '{value}' is not a valid 'Int'")


def _matches(obj: dict, flt: dict) -> bool:
    for key, want in (flt or {}).items():
        if key.endswith("Within"):
            if obj.get(key[: -len("Within")]) not in want:
                return False
        elif obj.get(key) != want:
            return False
    return True


class _Budget:
    def __init__(self, limit: int):
        self.left = limit
        self.exceeded = False

    def spend(self) -> bool:
        if self.left <= 0:
            self.exceeded = True
            return False
        self.left -= 1
        return True


def _cursor(i: int) -> str:
    return base64.b64encode(str(i).encode()).decode()


def _page(items: list, args: dict) -> dict:
    items = [o for o in items if _matches(o, args.get("filter"))]
    start = 0
    if "after" in args and args["after"] is not None:
        try:
            start = int(base64.b64decode(args["after"]).decode()) + 1
        except Exception:
            raise GraphQLError(f"Invalid cursor '{args['after']}'", "DataFetchingException")
    start += args.get("offset") or 0
    first = args.get("first")
    end = len(items) if first is None else start + first
    page = items[start:end]
    return {"__typename": "Connection", "nodes": page, "totalCount": len(items),
            "pageInfo": {"__typename": "PageInfo", "hasNextPage": end < len(items),
                         "hasPreviousPage": start > 0,
                         "startCursor": _cursor(start) if page else None,
                         "endCursor": _cursor(start + len(page) - 1) if page else None}}


def _resolve(obj: dict, sel, budget: _Budget, roots: dict | None = None):
    out = {}
    for item in sel:
        if item[0] == "on":
            _, on, sub = item
            if obj["__typename"] in _possible(on):
                out.update(_resolve(obj, sub, budget, roots))
            continue
        _, name, args, sub = item
        if name == "__typename":
            out[name] = obj["__typename"]
            continue
        if roots is not None:
            base = name[: -len("Connection")] if name.endswith("Connection") else name
            items = roots[base]
            value = _page(items, args) if name.endswith("Connection") else \
                [o for o in items if _matches(o, args.get("filter"))]
        elif name.endswith("Connection") and name not in obj:
            value = _page(obj.get(name[: -len("Connection")]) or [], args)
        else:
            value = obj.get(name)
        if sub is None:
            out[name] = value
        elif isinstance(value, list):
            kept = []
            for v in value:
                if not budget.spend():
                    break
                kept.append(_resolve(v, sub, budget))
            out[name] = kept
        elif value is None:
            out[name] = None
        else:
            out[name] = _resolve(value, sub, budget) if budget.spend() else None
    return out


def execute(query: str, roots: dict, node_limit: int) -> dict:
    """The answer's JSON: `{"data": …}`, with `errors` where there are any."""
    try:
        sel = _Parser(query).document()
        _validate(sel, "Query", "")
    except GraphQLError as e:
        return {"errors": [{"message": e.message, "locations": [],
                            "extensions": {"classification": e.classification}}]}
    budget = _Budget(node_limit)
    data = _resolve({"__typename": "Query"}, sel, budget, roots)
    answer = {"data": data}
    if budget.exceeded:
        answer["errors"] = [{
            "message": f"Showing partial results. The request exceeded the {node_limit} node limit. "
                       "Use pagination, additional filtering, or both in the query to adjust results.",
            "extensions": {"severity": "WARNING", "code": "NODE_LIMIT_EXCEEDED",
                           "properties": {"nodeLimit": node_limit}}}]
    return answer


def graph(catalog: dict, base_url: str = "") -> dict:
    """The catalog as linked GraphQL objects: the root lists by name."""
    users = {u["id"]: {"__typename": "TableauUser", "id": "u-" + u["id"], "luid": u["id"],
                       "name": u.get("fullName"), "username": u["name"], "email": u.get("email")}
             for u in catalog["users"]}
    projects = {p["id"]: p for p in catalog["projects"]}
    dbs = {d["id"]: {"__typename": "DatabaseServer", "id": "d-" + d["id"], "luid": d["id"],
                     "name": d["name"], "connectionType": d["connectionType"], "hostName": "db.example.com"}
           for d in catalog["databases"]}
    columns, tables = {}, {}
    for t in catalog["tables"]:
        db = dbs[t["databaseId"]]
        table = {"__typename": "DatabaseTable", "id": t["id"], "luid": t["luid"], "name": t["name"],
                 "fullName": t["fullName"], "schema": t["schema"], "connectionType": db["connectionType"],
                 "description": "", "isEmbedded": False, "database": db, "columns": [],
                 "referencedByQueries": []}
        for c in t["columns"]:
            col = {"__typename": "Column", "id": c["id"], "luid": None, "name": c["name"],
                   "remoteType": c["remoteType"], "description": "", "isNullable": True, "table": table}
            columns[c["id"]] = col
            table["columns"].append(col)
        tables[t["id"]] = table
    tags = lambda labels: [{"__typename": "Tag", "id": "tag-" + l, "name": l} for l in labels]  # noqa: E731

    def fields(spec: list, ds: dict) -> list:
        return [{"__typename": "CalculatedField" if "formula" in f else "ColumnField", "id": f["id"],
                 "name": f["name"], "description": f.get("description"), "isHidden": False,
                 "folderName": None, "dataType": None, "role": "DIMENSION",
                 **({"formula": f["formula"]} if "formula" in f else {}),
                 "upstreamColumns": [columns[c] for c in f["upstreamColumns"]], "datasource": ds}
                for f in spec]

    published = {}
    for p in catalog["publishedDatasources"]:
        ds = {"__typename": "PublishedDatasource", "id": p["id"], "luid": p["luid"], "name": p["name"],
              "description": p.get("description", ""), "projectName": p["projectName"],
              "projectVaultLuid": None, "uri": f"sites/1/datasources/{p['luid']}", "hasExtracts": False,
              "isCertified": False, "tags": tags(p["tags"]), "owner": None,
              "upstreamTables": [tables[t] for t in p["upstreamTables"]], "upstreamDatasources": [],
              "downstreamWorkbooks": []}
        ds["fields"] = fields(p["fields"], ds)
        published[p["id"]] = ds
    workbooks, embedded = [], []
    datasources = dict(published)
    for w in catalog["workbooks"]:
        project = projects.get(w["projectId"], {})
        wb = {"__typename": "Workbook", "id": "w-" + w["id"], "luid": w["id"], "name": w["name"],
              "description": w.get("description", ""), "projectName": project.get("name"),
              "projectLuid": w["projectId"], "uri": f"sites/1/workbooks/{w['id']}",
              "createdAt": w["createdAt"], "updatedAt": w["updatedAt"],
              "owner": users.get(w["ownerId"]), "tags": tags(w["tags"]), "embeddedDatasources": []}
        for e in w["embeddedDatasources"]:
            ups = [published[p] for p in e["upstreamDatasources"]]
            # `upstreamTables` reach through published data sources to their tables.
            own = [tables[t] for t in e["upstreamTables"]]
            through = [t for p in ups for t in p["upstreamTables"] if t not in own]
            ds = {"__typename": "EmbeddedDatasource", "id": e["id"], "name": e["name"], "hasExtracts": False,
                  "upstreamTables": own + through, "upstreamDatasources": ups, "workbook": wb}
            ds["fields"] = fields(e["fields"], ds)
            wb["embeddedDatasources"].append(ds)
            embedded.append(ds)
            datasources[e["id"]] = ds
            for p in ds["upstreamDatasources"]:
                if wb not in p["downstreamWorkbooks"]:
                    p["downstreamWorkbooks"].append(wb)
        wb["upstreamDatasources"] = [p for ds in wb["embeddedDatasources"] for p in ds["upstreamDatasources"]]
        wb["upstreamTables"] = [t for ds in wb["embeddedDatasources"] for t in ds["upstreamTables"]]
        workbooks.append(wb)
    custom = []
    for c in catalog["customSQLTables"]:
        ct = {"__typename": "CustomSQLTable", "id": c["id"], "name": c["name"], "query": c["query"],
              "isUnsupportedCustomSql": False, "connectionType": None,
              "tables": [tables[t] for t in c["tables"]], "columns": [], "database": None,
              "downstreamDatasources": [datasources[d] for d in c["downstreamDatasources"] if d in datasources]}
        for t in ct["tables"]:
            t["referencedByQueries"].append(ct)
            ct["database"] = t["database"]
        custom.append(ct)
    return {"workbooks": workbooks, "embeddedDatasources": embedded,
            "publishedDatasources": list(published.values()), "customSQLTables": custom,
            "databaseTables": list(tables.values())}
