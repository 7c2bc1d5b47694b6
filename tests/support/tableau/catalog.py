"""The Tableau stand-in's catalog: one site's projects, users, workbooks with their views and
embedded data sources, published data sources, databases, tables with their columns and custom SQL,
as JSON (the spec `standin.py serve --catalog` reads), and `generate`, which writes one of any size
deterministically (ids are UUIDs derived from names, as Tableau's LUIDs are UUIDs):

    python3 catalog.py generate WORKBOOKS [PUBLISHED]     # prints the catalog

The spec (every key required unless marked):
  {"site": {"id", "contentUrl", "name"},
   "projects": [{"id", "name", "description"?, "parentProjectId"?}],
   "users": [{"id", "name", "fullName", "email"?, "siteRole"}],
   "workbooks": [{"id", "name", "description"?, "contentUrl", "webpageUrl", "projectId", "ownerId",
                  "tags": [label], "createdAt", "updatedAt",
                  "views": [{"id", "name", "contentUrl", "viewUrlName", "sheetType", "tags": [label],
                             "ownerId", "totalViewCount"}],
                  "embeddedDatasources": [{"id", "name", "fields": [FIELD], "upstreamTables": [table id],
                                           "upstreamDatasources": [published id]}]}],
   "publishedDatasources": [{"id", "luid", "name", "description"?, "projectName", "tags": [label],
                             "fields": [FIELD], "upstreamTables": [table id]}],
   "databases": [{"id", "name", "connectionType"}],
   "tables": [{"id", "luid", "name", "fullName", "schema", "databaseId",
               "columns": [{"id", "name", "remoteType"}]}],
   "customSQLTables": [{"id", "name", "query", "tables": [table id], "downstreamDatasources": [datasource id]}]}
  FIELD: {"id", "name", "description"?, "formula"? (a calculated field), "upstreamColumns": [column id]}
"""

from __future__ import annotations

import json
import sys
import uuid

NAMESPACE = uuid.UUID("6f6d7275-6e2d-7461-626c-6561752d7369")
AREAS = ["Sales", "Finance", "HR", "Marketing"]
SHEET_TYPES = ["worksheet", "dashboard", "story"]
# (name, Tableau remoteType) of the generated tables' columns.
COLUMNS = [
    ("id", "I8"),
    ("order_date", "DBTIMESTAMP"),
    ("customer_name", "WSTR"),
    ("amount", "R8"),
    ("is_paid", "BOOL"),
    ("notes", "STR"),
]


def luid(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def title(name: str) -> str:
    """How Tableau titles a database column when it builds a field (`order_date` → `Order Date`)."""
    return " ".join(w.capitalize() for w in name.split("_"))


def generate(workbooks: int, published: int = 3, users: int = 3) -> dict:
    site = {"id": luid("site"), "contentUrl": "omrun", "name": "omrun"}
    projects = []
    for area in AREAS:
        projects.append({"id": luid("project", area), "name": area, "description": f"The {area} team"})
    # A nested project: its path is `Sales.Regional`.
    projects.append({"id": luid("project", "Regional"), "name": "Regional",
                     "parentProjectId": luid("project", "Sales")})
    people = []
    for u in range(1, users + 1):
        person = {"id": luid("user", u), "name": f"owner{u}", "fullName": f"Owner {u}",
                  "siteRole": "Creator"}
        # The last user has no e-mail; the others are written as Tableau keeps what was typed.
        if u < users or users == 1:
            person["email"] = f"Owner{u}@Example.COM"
        people.append(person)
    databases = [
        {"id": luid("database", "warehouse"), "name": "warehouse", "connectionType": "postgres"},
        {"id": luid("database", "sales_db"), "name": "sales_db", "connectionType": "snowflake"},
    ]
    tables = []
    for t in range(max(2, published + 1)):
        db = databases[t % 2]
        schema = "public" if t % 2 == 0 else "sales"
        name = f"orders_{t}"
        cols = [{"id": luid("column", t, c), "name": c, "remoteType": r} for c, r in COLUMNS]
        tables.append({"id": luid("table", t), "luid": luid("table-luid", t), "name": name,
                       "fullName": f"[{schema}].[{name}]", "schema": schema, "databaseId": db["id"],
                       "columns": cols})

    def fields_over(owner: str, table: dict, count: int) -> list:
        out = []
        for c in table["columns"][:count]:
            out.append({"id": luid("field", owner, c["name"]), "name": title(c["name"]),
                        "upstreamColumns": [c["id"]]})
        # A calculated field over two columns, with a description.
        a, b = table["columns"][3], table["columns"][0]
        out.append({"id": luid("field", owner, "calc"), "name": "Amount per order",
                    "description": "What an order brings", "formula": "SUM([Amount]) / COUNT([Id])",
                    "upstreamColumns": [a["id"], b["id"]]})
        return out

    pubs = []
    for p in range(published):
        table = tables[p]
        ds = {"id": luid("published", p), "luid": luid("published-luid", p), "name": f"Published orders {p}",
              "projectName": AREAS[p % len(AREAS)], "tags": ["certified"] if p % 2 == 0 else [],
              "fields": fields_over(f"published{p}", table, 5), "upstreamTables": [table["id"]]}
        if p % 2 == 0:
            ds["description"] = f"Orders, published {p}"
        pubs.append(ds)
    # A custom SQL query over the last table, feeding embedded data sources that say so below.
    sql_table = tables[-1]
    custom = {"id": luid("customsql", 0), "name": "Custom SQL Query",
              "query": f"SELECT id, amount FROM {sql_table['schema']}.{sql_table['name']} WHERE amount > 0",
              "tables": [sql_table["id"]], "downstreamDatasources": []}

    books = []
    for i in range(workbooks):
        area = AREAS[i % len(AREAS)]
        project = projects[4] if i % 5 == 4 else projects[i % len(AREAS)]
        slug = f"{area}Workbook{i}"
        wb = {"id": luid("workbook", i), "name": f"{area} workbook {i}", "contentUrl": slug,
              "webpageUrl": f"https://tableau.example.com/#/site/omrun/workbooks/{1000 + i}",
              "projectId": project["id"], "ownerId": people[i % len(people)]["id"],
              "tags": ["quarterly"] if i % 3 == 0 else [], "createdAt": "2026-01-02T03:04:05Z",
              "updatedAt": "2026-06-07T08:09:10Z", "views": [], "embeddedDatasources": []}
        if i % 2 == 0:
            wb["description"] = f"How {area} does, part {i}"
        for j in range(1 + i % 4):
            view = f"Sheet{j}"
            wb["views"].append({"id": luid("view", i, j), "name": f"Sheet {j} of {i}",
                                "contentUrl": f"{slug}/sheets/{view}", "viewUrlName": view,
                                "sheetType": SHEET_TYPES[j % len(SHEET_TYPES)],
                                "tags": ["kpi"] if j == 0 else [], "ownerId": wb["ownerId"],
                                "totalViewCount": 10 * i + j})
        for k in range(1 + i % 2):
            ds_id = luid("embedded", i, k)
            ds = {"id": ds_id, "name": f"Orders of {i}.{k}", "fields": [], "upstreamTables": [],
                  "upstreamDatasources": []}
            if pubs and (i + k) % 3 == 0:
                pub = pubs[(i + k) % len(pubs)]
                ds["upstreamDatasources"] = [pub["id"]]
                # Fields of a data source over a published one reach the published one's columns.
                ds["fields"] = [dict(f, id=luid("field", ds_id, f["id"])) for f in pub["fields"][:3]]
            elif (i + k) % 3 == 1:
                ds["upstreamTables"] = [sql_table["id"]]
                ds["fields"] = fields_over(ds_id, sql_table, 2)
                custom["downstreamDatasources"].append(ds_id)
            else:
                table = tables[(i + k) % len(tables)]
                ds["upstreamTables"] = [table["id"]]
                ds["fields"] = fields_over(ds_id, table, 4)
            wb["embeddedDatasources"].append(ds)
        books.append(wb)
    return {"site": site, "projects": projects, "users": people, "workbooks": books,
            "publishedDatasources": pubs, "databases": databases, "tables": tables,
            "customSQLTables": [custom]}


def check(spec: dict) -> dict:
    """Refuses a spec with unknown top-level keys or dangling references."""
    known = {"site", "projects", "users", "workbooks", "publishedDatasources", "databases", "tables",
             "customSQLTables"}
    unknown = set(spec) - known
    if unknown:
        raise SystemExit(f"unknown catalog keys: {sorted(unknown)}")
    for key in known - {"site"}:
        spec.setdefault(key, [])
    tables = {t["id"] for t in spec["tables"]}
    pubs = {p["id"] for p in spec["publishedDatasources"]}
    for wb in spec["workbooks"]:
        for ds in wb["embeddedDatasources"]:
            for t in ds["upstreamTables"]:
                if t not in tables:
                    raise SystemExit(f"data source {ds['id']}: no table {t}")
            for p in ds["upstreamDatasources"]:
                if p not in pubs:
                    raise SystemExit(f"data source {ds['id']}: no published data source {p}")
    return spec


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "generate":
        raise SystemExit("usage: catalog.py generate WORKBOOKS [PUBLISHED]")
    published = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    json.dump(generate(int(sys.argv[2]), published), sys.stdout, indent=1)
    print()
