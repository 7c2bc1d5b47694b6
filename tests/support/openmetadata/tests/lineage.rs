//! Lineage: `PUT /v1/lineage` checked as the server checks it — the schema, both ends by type and
//! id, every column pair's FQNs among the ends' columns, no columns into a chart.

use crate::openmetadata::StandIn;
use serde_json::{Value, json};

use super::api::{Api, TOKEN};

/// A table `pg.shop.public.orders (id, total)`, a data model `bi.model.orders (order_id)` and a
/// chart `bi.c1`; returns their ids.
fn seed(api: &Api) -> (String, String, String) {
    let put = |path: &str, body: Value| {
        let (status, answer) = api.call("PUT", path, Some(&body));
        assert!(status == 200 || status == 201, "{path}: {status} {answer}");
        answer["id"].as_str().unwrap_or_default().to_owned()
    };
    put(
        "/v1/services/databaseServices",
        json!({"name": "pg", "serviceType": "Postgres"}),
    );
    put("/v1/databases", json!({"name": "shop", "service": "pg"}));
    put(
        "/v1/databaseSchemas",
        json!({"name": "public", "database": "pg.shop"}),
    );
    let column = |name: &str| json!({"name": name, "dataType": "INT"});
    let table = put(
        "/v1/tables",
        json!({"name": "orders", "databaseSchema": "pg.shop.public", "columns": [column("id"), column("total")]}),
    );
    put(
        "/v1/services/dashboardServices",
        json!({"name": "bi", "serviceType": "Superset"}),
    );
    let model = put(
        "/v1/dashboard/datamodels",
        json!({"name": "orders", "service": "bi", "dataModelType": "SupersetDataModel", "columns": [column("order_id")]}),
    );
    let chart = put("/v1/charts", json!({"name": "c1", "service": "bi"}));
    (table, model, chart)
}

fn edge(from: (&str, &str), to: (&str, &str), columns: Value) -> Value {
    let mut details = json!({"source": "DashboardLineage"});
    if !columns.is_null() {
        details["columnsLineage"] = columns;
    }
    json!({"edge": {
        "fromEntity": {"id": from.0, "type": from.1},
        "toEntity": {"id": to.0, "type": to.1},
        "lineageDetails": details,
    }})
}

#[test]
fn an_edge_needs_both_ends_and_columns_they_have() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let (table, model, chart) = seed(&api);
    let pair = |from: &str, to: &str| json!([{"fromColumns": [from], "toColumn": to}]);

    let good = edge(
        (&table, "table"),
        (&model, "dashboardDataModel"),
        pair("pg.shop.public.orders.id", "bi.model.orders.order_id"),
    );
    let (status, answer) = api.call("PUT", "/v1/lineage", Some(&good));
    assert_eq!(status, 200, "{answer}");
    let edges = om.lineage();
    assert_eq!(edges.len(), 1);
    assert_eq!(
        (edges[0].from_fqn.as_str(), edges[0].to_fqn.as_str()),
        ("pg.shop.public.orders", "bi.model.orders")
    );
    // Once per (from, to): the same edge again replaces it.
    assert_eq!(api.call("PUT", "/v1/lineage", Some(&good)).0, 200);
    assert_eq!(om.lineage().len(), 1);

    let stranger = "00000000-0000-4000-8000-000000000000";
    let (status, refused) = api.call(
        "PUT",
        "/v1/lineage",
        Some(&edge(
            (stranger, "table"),
            (&model, "dashboardDataModel"),
            Value::Null,
        )),
    );
    assert_eq!(
        (status, refused["message"].as_str()),
        (
            404,
            Some(format!("table instance for {stranger} not found").as_str())
        )
    );
    let (status, refused) = api.call(
        "PUT",
        "/v1/lineage",
        Some(&edge(
            (&table, "table"),
            (&model, "dashboardDataModel"),
            pair("pg.shop.public.orders.nope", "bi.model.orders.order_id"),
        )),
    );
    assert_eq!(
        (status, refused["message"].as_str()),
        (400, Some("Invalid column name pg.shop.public.orders.nope"))
    );
    let (status, refused) = api.call(
        "PUT",
        "/v1/lineage",
        Some(&edge(
            (&table, "table"),
            (&chart, "chart"),
            pair("pg.shop.public.orders.id", "bi.c1"),
        )),
    );
    assert_eq!(
        (status, refused["message"].as_str()),
        (400, Some("Unsupported Entity Type chart for lineage"))
    );
    // Without columns, a chart takes an edge.
    let (status, _) = api.call(
        "PUT",
        "/v1/lineage",
        Some(&edge((&table, "table"), (&chart, "chart"), Value::Null)),
    );
    assert_eq!(status, 200);
    // The schema: an end without an id is refused.
    let (status, refused) = api.call(
        "PUT",
        "/v1/lineage",
        Some(&json!({"edge": {"fromEntity": {"type": "table"}, "toEntity": {"id": model, "type": "dashboardDataModel"}}})),
    );
    assert_eq!(status, 400, "{refused}");
    assert_eq!(om.lineage().len(), 2);
}
