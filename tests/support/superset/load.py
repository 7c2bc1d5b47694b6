"""Loads a real Superset through its own REST API with the catalog the Superset connector's tests
expect, and prints what it made as one JSON document on stdout (tests/support/superset.rs reads it).

    python load.py SUPERSET_URL PG_URI DASHBOARDS

Run with the Superset virtualenv's interpreter (it has `requests`). SUPERSET_URL is the running
server (admin `admin` / `admin-pw`, as the template database was made); PG_URI the test
PostgreSQL database holding the `shop` schema (tests/support/superset.rs creates it). Made, in
this order, each as a Superset user would through the API:

- a second user, `bob` (e-mail `Bob.Builder@Example.com`, role Alpha), beside `admin`
  (`admin@example.com`);
- a database connection `shop_pg` to PG_URI (Superset tests it when it is created);
- datasets: `orders` and `customers` (physical, schema `shop`), `customer_totals` (virtual: SQL
  over shop.orders) and `unused` (physical shop.returns, which no chart uses);
- DASHBOARDS dashboards `Sales NN` (every third `Finance NN`; every fifth a draft), owned in
  turn by admin, bob, both and nobody, each with three charts of its own (the viz types of
  VIZ_TYPES in turn, over the datasets in turn) laid out in `position_json`, plus the chart
  `Shared KPI` on every dashboard; and the chart `Orphan`, on no dashboard.
"""

import json
import sys

import requests

ADMIN = ("admin", "admin-pw")
BOB = {"username": "bob", "first_name": "Bob", "last_name": "Builder",
       "email": "Bob.Builder@Example.com", "password": "bob-pw-1"}
# Superset viz types: a few OpenMetadata maps (table, pie, big_number_total, line, heatmap,
# dist_bar), and Superset 6's ECharts ones, which it does not.
VIZ_TYPES = ["table", "pie", "big_number_total", "echarts_timeseries_line",
             "echarts_timeseries_bar", "line", "heatmap", "dist_bar", "box_plot"]


class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.s = requests.Session()
        r = self.s.post(f"{self.base}/api/v1/security/login",
                        json={"username": ADMIN[0], "password": ADMIN[1], "provider": "db",
                              "refresh": True})
        r.raise_for_status()
        self.s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        # Writes need the CSRF token of this session, and a Referer.
        token = self.call("GET", "/api/v1/security/csrf_token/")["result"]
        self.s.headers["X-CSRFToken"] = token
        self.s.headers["Referer"] = self.base

    def call(self, method, path, body=None):
        r = self.s.request(method, f"{self.base}{path}", json=body)
        if r.status_code >= 300:
            raise SystemExit(f"{method} {path} -> {r.status_code}: {r.text[:2000]}")
        return r.json()


def main():
    base, pg_uri, dashboards = sys.argv[1], sys.argv[2], int(sys.argv[3])
    api = Api(base)

    roles = {r["name"]: r["id"] for r in api.call("GET", "/api/v1/security/roles/?q=(page_size:100)")["result"]}
    users = api.call("GET", "/api/v1/security/users/?q=(page_size:100)")["result"]
    admin_id = next(u["id"] for u in users if u["username"] == "admin")
    bob = api.call("POST", "/api/v1/security/users/",
                   dict(BOB, active=True, roles=[roles["Alpha"]]))
    bob_id = bob["id"]
    owners_in_turn = [[admin_id], [bob_id], [admin_id, bob_id], []]

    db = api.call("POST", "/api/v1/database/",
                  {"database_name": "shop_pg", "sqlalchemy_uri": pg_uri, "expose_in_sqllab": True})
    db_id = db["id"]

    def dataset(table, sql=None, description=None):
        body = {"database": db_id, "schema": "shop", "table_name": table}
        if sql:
            body["sql"] = sql
        made = api.call("POST", "/api/v1/dataset/", body)
        if description:
            api.call("PUT", f"/api/v1/dataset/{made['id']}", {"description": description})
        return made["id"]

    datasets = [
        dataset("orders", description="Every order"),
        dataset("customers"),
        dataset("customer_totals",
                sql="SELECT customer, sum(amount) AS total, count(*) AS orders\n"
                    "FROM shop.orders\nGROUP BY customer"),
    ]
    unused = dataset("returns")

    def chart(name, viz, ds, description=None):
        params = {"viz_type": viz, "datasource": f"{ds}__table"}
        body = {"slice_name": name, "viz_type": viz, "datasource_id": ds,
                "datasource_type": "table", "params": json.dumps(params), "owners": [admin_id]}
        if description:
            body["description"] = description
        return api.call("POST", "/api/v1/chart/", body)["id"]

    shared = chart("Shared KPI", "big_number_total", datasets[0], "Revenue, all time")
    orphan = chart("Orphan", "table", datasets[1])

    made = []
    n_chart = 0
    for d in range(dashboards):
        kind = "Finance" if d % 3 == 2 else "Sales"
        title = f"{kind} {d:02d}"
        charts = []
        for k in range(3):
            viz = VIZ_TYPES[n_chart % len(VIZ_TYPES)]
            ds = datasets[n_chart % len(datasets)]
            charts.append(chart(f"{title} chart {k}", viz, ds,
                                f"Chart {k} of {title}" if k == 1 else None))
            n_chart += 1
        layout_charts = charts + [shared]
        position = {"DASHBOARD_VERSION_KEY": "v2",
                    "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                    "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ["ROW-1"],
                                "parents": ["ROOT_ID"]},
                    "ROW-1": {"type": "ROW", "id": "ROW-1",
                              "children": [f"CHART-{c}" for c in layout_charts],
                              "parents": ["ROOT_ID", "GRID_ID"], "meta": {"background": "BACKGROUND_TRANSPARENT"}}}
        for c in layout_charts:
            position[f"CHART-{c}"] = {"type": "CHART", "id": f"CHART-{c}", "children": [],
                                      "parents": ["ROOT_ID", "GRID_ID", "ROW-1"],
                                      "meta": {"chartId": c, "width": 4, "height": 50}}
        owners = owners_in_turn[d % len(owners_in_turn)]
        dash = api.call("POST", "/api/v1/dashboard/", {
            "dashboard_title": title, "published": d % 5 != 4, "owners": owners,
            "position_json": json.dumps(position)})
        made.append({"id": dash["id"], "charts": layout_charts})
        for c in layout_charts:
            # The chart ↔ dashboard relation, as the UI keeps it beside the layout.
            current = api.call("GET", f"/api/v1/chart/{c}?q=(columns:!(dashboards.id))")
            ids = [x["id"] for x in current["result"].get("dashboards", [])]
            api.call("PUT", f"/api/v1/chart/{c}", {"dashboards": sorted(set(ids + [dash["id"]]))})

    # What Superset now holds, read back through the API as a client sees it.
    def listing(path, columns):
        out, page = [], 0
        while True:
            r = api.call("GET", f"{path}?q=(columns:!({','.join(columns)}),page:{page},page_size:100)")
            out += r["result"]
            page += 1
            if page * 100 >= r["count"]:
                return out

    listed = {x["id"]: x for x in listing("/api/v1/dashboard/", ["id", "dashboard_title", "published",
                                                                  "url", "owners.email"])}
    result = {
        "database": {"id": db_id, "name": "shop_pg"},
        "users": {"admin": {"id": admin_id, "email": "admin@example.com"},
                  "bob": {"id": bob_id, "email": BOB["email"]}},
        "datasets": [api.call("GET", f"/api/v1/dataset/{i}")["result"] for i in datasets + [unused]],
        "charts": listing("/api/v1/chart/", ["id", "slice_name", "viz_type", "url", "description",
                                              "datasource_id", "dashboards.id"]),
        "dashboards": [dict(d, **listed[d["id"]]) for d in made],
        "orphan": orphan,
        "shared": shared,
        "unused_dataset": unused,
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
