#!/usr/bin/env python3
"""The Metabase stand-in's content: a generated catalog, the same for the same spec (no randomness).

    catalog.py SPEC.json      prints the whole catalog (what the tests derive expectations from)

SPEC: {"dashboards": N (10), "username": "admin@example.com", "password": "…", "api_key": "…"|null}.
The catalog holds users, databases (with their `details`, as Metabase keeps them per engine),
tables, collections (the root one aside), cards and dashboards with their dashcards, in the shapes
Metabase's API answers (see standin.py for where each shape comes from):

- 5 users, `user{k}@example.com` (user 3's e-mail written in mixed case, as Metabase keeps what
  was typed); dashboard i is created by user `i % 5 + 1`.
- 3 databases: the H2 Sample Database (`details.db` a JDBC file spec), a PostgreSQL one
  (`details.dbname`, as Metabase's postgres driver names it), a Snowflake one (`details.db`).
- 6 tables: `PUBLIC.ORDERS`, `PUBLIC.PEOPLE` (H2), `public.orders`, `public.customers`,
  `sales.invoices` (PostgreSQL), `ANALYTICS.EVENTS` (Snowflake).
- Collections 2–5 (Sales, Marketing, Finance, Operations) and 6, user 1's personal collection;
  dashboard i is in collection `[None, 2, 3, 4, 5, 6][i % 6]` (None: the root collection).
- Dashboard i (id i+1) has 1 + i % 4 question cards of its own (ids from 100), in turn
  query-builder cards on a table and native SQL cards (FROM/JOIN, a `[[…]]` optional clause, a
  CTE), of every `display` in DISPLAYS; every third dashboard also shows the first card of the
  dashboard before it, every fifth a text card (a virtual card: no card id), every seventh one
  of the Metabase models.
- 2 models (cards of type `model`, ids 10 and 11) and 2 questions on no dashboard (ids 12, 13,
  one of them built on model 10 as `source-table: "card__10"`).
"""

from __future__ import annotations

import json
import sys

DISPLAYS = ["table", "bar", "line", "pie", "scalar", "row", "area", "combo", "pivot",
            "smartscalar", "gauge", "funnel", "map", "scatter", "waterfall", "progress"]
TOPICS = ["Sales", "Marketing", "Finance", "Operations"]
COLLECTIONS = [None, 2, 3, 4, 5, 6]
TIMESTAMP = "2026-11-02T09:15:00.000Z"

DATABASES = {
    1: {"name": "Sample Database", "engine": "h2", "is_sample": True,
        "details": {"db": "file:/plugins/sample-database.db;USER=GUEST;PASSWORD=guest"}},
    2: {"name": "Shop", "engine": "postgres", "is_sample": False,
        "details": {"host": "pg.internal", "port": 5432, "dbname": "shop", "user": "metabase",
                    "password": "**MetabasePass**", "ssl": False, "tunnel-enabled": False}},
    3: {"name": "Warehouse", "engine": "snowflake", "is_sample": False,
        "details": {"account": "acme-xy12345", "user": "METABASE", "password": "**MetabasePass**",
                    "warehouse": "COMPUTE_WH", "db": "ANALYTICS", "role": "REPORTER"}},
}
# id → (database id, schema, name, display name, columns [(name, base type)])
TABLES = {
    10: (1, "PUBLIC", "ORDERS", "Orders",
         [("ID", "type/BigInteger"), ("USER_ID", "type/Integer"), ("TOTAL", "type/Float"),
          ("CREATED_AT", "type/DateTimeWithLocalTZ")]),
    11: (1, "PUBLIC", "PEOPLE", "People",
         [("ID", "type/BigInteger"), ("EMAIL", "type/Text"), ("STATE", "type/Text")]),
    20: (2, "public", "orders", "Orders",
         [("id", "type/BigInteger"), ("customer_id", "type/Integer"), ("amount", "type/Decimal"),
          ("placed_at", "type/DateTimeWithLocalTZ")]),
    21: (2, "public", "customers", "Customers",
         [("id", "type/BigInteger"), ("name", "type/Text"), ("country", "type/Text")]),
    22: (2, "sales", "invoices", "Invoices",
         [("id", "type/BigInteger"), ("order_id", "type/Integer"), ("paid", "type/Boolean")]),
    30: (3, "ANALYTICS", "EVENTS", "Events",
         [("EVENT_ID", "type/Text"), ("KIND", "type/Text"), ("AT", "type/DateTime")]),
}
# Native SQL cards in turn: (database id, query). What a lineage parser finds in each is said in
# the Rust tests (tests/tests/connectors/metabase.rs).
NATIVE = [
    (2, "SELECT o.id, c.name, o.amount\nFROM public.orders o\nJOIN public.customers c ON c.id = o.customer_id\n"
        "WHERE 1 = 1 [[AND c.country = {{country}}]]"),
    (1, "select count(*) as n from PUBLIC.PEOPLE"),
    (2, "WITH paid AS (SELECT order_id FROM sales.invoices WHERE paid)\n"
        "SELECT o.* FROM orders o INNER JOIN paid p ON p.order_id = o.id"),
    (3, "SELECT kind, count(*) FROM \"ANALYTICS\".\"EVENTS\" GROUP BY kind"),
]


def user(k: int) -> dict:
    first = ["Ada", "Grace", "Alan", "Edsger", "Barbara"][k - 1]
    last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov"][k - 1]
    email = f"user{k}@example.com" if k != 3 else "User3@Example.com"
    return {
        "id": k, "email": email, "first_name": first, "last_name": last,
        "common_name": f"{first} {last}", "is_superuser": k == 1, "is_active": True,
        "is_qbnewb": False, "locale": None, "date_joined": TIMESTAMP, "last_login": TIMESTAMP,
        "updated_at": TIMESTAMP, "sso_source": None, "login_attributes": None,
        "personal_collection_id": 6 if k == 1 else None, "user_group_memberships": [{"id": 1}],
    }


def database(db_id: int) -> dict:
    d = DATABASES[db_id]
    return {
        "id": db_id, "name": d["name"], "engine": d["engine"], "details": d["details"],
        "is_sample": d["is_sample"], "is_full_sync": True, "is_on_demand": False,
        "description": None, "features": ["basic-aggregations", "nested-queries"],
        "timezone": "UTC", "native_permissions": "write", "initial_sync_status": "complete",
        "auto_run_queries": True, "cache_ttl": None, "settings": None, "dbms_version": None,
        "creator_id": 1, "created_at": TIMESTAMP, "updated_at": TIMESTAMP, "tables": [],
    }


def field(table_id: int, i: int, name: str, base_type: str) -> dict:
    return {"id": table_id * 100 + i, "table_id": table_id, "name": name,
            "display_name": name.replace("_", " ").title(), "base_type": base_type,
            "effective_type": base_type, "semantic_type": "type/PK" if i == 0 else None,
            "database_type": base_type.split("/")[1].upper(), "description": None,
            "position": i, "active": True, "visibility_type": "normal"}


def table(table_id: int, with_db: bool) -> dict:
    db_id, schema, name, display, columns = TABLES[table_id]
    t = {
        "id": table_id, "db_id": db_id, "schema": schema, "name": name, "display_name": display,
        "description": None, "entity_type": "entity/GenericTable", "active": True,
        "visibility_type": None, "initial_sync_status": "complete", "field_order": "database",
        "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
        "fields": [field(table_id, i, n, b) for i, (n, b) in enumerate(columns)],
    }
    if with_db:
        # GET /api/table/:id hydrates the database (`:db`), details included.
        t["db"] = database(db_id)
    return t


def result_metadata(table_id: int) -> list:
    """A card's `result_metadata`: its columns, as Metabase records them after a run."""
    return [{**{k: f[k] for k in ("name", "display_name", "base_type", "effective_type",
                                  "semantic_type", "description", "id", "table_id")},
             "field_ref": ["field", f["id"], None]}
            for f in table(table_id, False)["fields"]]


def card(card_id: int, name: str, display: str, collection_id, creator: int, query: dict,
         kind: str = "question", description=None) -> dict:
    """A card as GET /api/card and a dashcard's `card` write it."""
    native = query["type"] == "native"
    table_id = None if native else query.get("table_id")
    db_id = query["database"]
    dataset_query = {"type": query["type"], "database": db_id}
    if native:
        dataset_query["native"] = {"query": query["sql"], "template-tags": {}}
        metadata = []
    else:
        dataset_query["query"] = {"source-table": query["source"]}
        metadata = result_metadata(table_id) if table_id else []
    return {
        "id": card_id, "entity_id": f"card{card_id:018d}"[:21], "name": name,
        "description": description, "display": display, "type": kind,
        "query_type": query["type"], "dataset_query": dataset_query, "database_id": db_id,
        "table_id": table_id, "collection_id": collection_id, "collection_position": None,
        "creator_id": creator, "archived": False, "enable_embedding": False,
        "embedding_params": None, "made_public_by_id": None, "public_uuid": None,
        "parameters": [], "parameter_mappings": [], "visualization_settings": {},
        "result_metadata": metadata, "cache_ttl": None, "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP, "collection_preview": True, "dashboard_id": None,
    }


def generate(spec: dict) -> dict:
    n = int(spec.get("dashboards", 10))
    collections = [
        {"id": c, "name": TOPICS[c - 2], "slug": TOPICS[c - 2].lower(), "description": None,
         "location": "/", "personal_owner_id": None, "archived": False, "namespace": None,
         "type": None, "authority_level": None, "entity_id": f"coll{c:017d}"}
        for c in (2, 3, 4, 5)
    ] + [{"id": 6, "name": "Ada Lovelace's Personal Collection", "slug": "ada_lovelace_s_personal_collection",
          "description": None, "location": "/", "personal_owner_id": 1, "archived": False,
          "namespace": None, "type": None, "authority_level": None, "entity_id": "coll00000000000000006"}]
    cards: list[dict] = [
        card(10, "Orders model", "table", 2, 1,
             {"type": "query", "database": 1, "table_id": 10, "source": 10}, kind="model",
             description="Every order, cleaned"),
        card(11, "Customer model", "table", 3, 2,
             {"type": "native", "database": 2, "sql": "SELECT id, name FROM public.customers"},
             kind="model"),
        card(12, "Unused question", "bar", 2, 1,
             {"type": "query", "database": 1, "table_id": 10, "source": "card__10"}),
        card(13, "Scratch SQL", "line", None, 4, {"type": "native", "database": 1,
                                                  "sql": "SELECT * FROM PUBLIC.ORDERS"}),
    ]
    # card__10 is model 10's rows: its table is model 10's (Metabase reports the model's table).
    cards[2]["table_id"] = 10
    dashboards = []
    next_card = 100
    query_tables = [10, 20, 21, 30, 11, 22]
    for i in range(n):
        d_id = i + 1
        collection = COLLECTIONS[i % 6]
        topic = TOPICS[i % 4]
        name = f"{topic} overview {d_id}" if i % 3 else f"{topic} & KPIs: Q{i % 4 + 1} ({d_id})"
        own = []
        for j in range(1 + i % 4):
            cid = next_card
            next_card += 1
            display = DISPLAYS[cid % len(DISPLAYS)]
            if cid % 2:
                db_id, sql = NATIVE[(cid // 2) % len(NATIVE)]
                q = {"type": "native", "database": db_id, "sql": sql}
            else:
                t = query_tables[(cid // 2) % len(query_tables)]
                q = {"type": "query", "database": TABLES[t][0], "table_id": t, "source": t}
            c = card(cid, f"{topic} chart {cid}", display, collection, i % 5 + 1, q,
                     description=f"Card {cid} of dashboard {d_id}" if j == 0 else None)
            cards.append(c)
            own.append(c)
        shown = list(own)
        if i % 3 == 2 and dashboards:
            shown.append(dashboards[-1]["_own"][0])
        if i % 7 == 6:
            shown.append(cards[0])
        dashcards = []
        for k, c in enumerate(shown):
            dashcards.append({
                "id": d_id * 1000 + k, "dashboard_id": d_id, "card_id": c["id"], "card": c,
                "row": k * 4, "col": 0, "size_x": 12, "size_y": 4, "dashboard_tab_id": None,
                "parameter_mappings": [], "visualization_settings": {}, "series": [],
                "action_id": None, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
                "entity_id": f"dc{d_id * 1000 + k:019d}",
            })
        if i % 5 == 4:
            # A text card: no card of its own (Metabase answers `card` with nulls only).
            dashcards.append({
                "id": d_id * 1000 + 99, "dashboard_id": d_id, "card_id": None,
                "card": {"query_average_duration": None}, "row": 40, "col": 0, "size_x": 24,
                "size_y": 2, "dashboard_tab_id": None, "parameter_mappings": [], "series": [],
                "visualization_settings": {"virtual_card": {"name": None, "display": "text",
                                                            "visualization_settings": {},
                                                            "dataset_query": {}, "archived": False},
                                           "text": f"Notes for {d_id}"},
                "action_id": None, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
                "entity_id": f"dc{d_id * 1000 + 99:019d}",
            })
        dashboards.append({
            "id": d_id, "name": name,
            "description": f"{topic} at a glance" if i % 2 == 0 else None,
            "collection_id": collection, "creator_id": i % 5 + 1, "dashcards": dashcards,
            "tabs": [], "parameters": [], "archived": False, "auto_apply_filters": True,
            "cache_ttl": None, "enable_embedding": False, "embedding_params": None,
            "made_public_by_id": None, "public_uuid": None, "position": None,
            "collection_position": None, "width": "fixed", "points_of_interest": None,
            "caveats": None, "show_in_getting_started": False, "entity_id": f"dash{d_id:017d}",
            "created_at": TIMESTAMP, "updated_at": TIMESTAMP, "_own": own,
        })
    for d in dashboards:
        del d["_own"]
    return {
        "username": spec.get("username", "admin@example.com"),
        "password": spec.get("password", "metabase-pass"),
        "api_key": spec.get("api_key"),
        "users": {str(k): user(k) for k in range(1, 6)},
        "databases": {str(k): database(k) for k in DATABASES},
        "tables": {str(k): table(k, True) for k in TABLES},
        "collections": collections,
        "cards": cards,
        "dashboards": {str(d["id"]): d for d in dashboards},
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(generate(json.load(f))))
