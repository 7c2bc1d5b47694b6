//! A top-level `STRUCT` column needs its `children`, as OpenMetadata 2.0.7's
//! `DatabaseUtil.validateStructColumn` has it: absent or `null`, the table (or data model) is
//! refused; an empty list, or a `STRUCT` field without fields, passes.

use crate::openmetadata::{Collection, StandIn};
use serde_json::{Value, json};

use super::api::{Api, TOKEN};

const REFUSED: &str = "For column data type struct, children must not be null";

fn table(name: &str, columns: Value) -> Value {
    json!({"name": name, "databaseSchema": "svc.db.sales", "columns": columns})
}

fn int(name: &str) -> Value {
    json!({"name": name, "dataType": "INT"})
}

/// `(name, status, message)` of each refused row.
fn refused(r: &Value) -> Vec<(String, u64, String)> {
    r["failedRequest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["request"]["name"].as_str().unwrap().to_owned(),
                f["status"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn tables(api: &Api) -> Value {
    api.bulk(
        "tables",
        json!([
            table(
                "absent",
                json!([int("id"), {"name": "s", "dataType": "STRUCT"}])
            ),
            table(
                "null",
                json!([{"name": "s", "dataType": "STRUCT", "children": null}])
            ),
            table(
                "empty",
                json!([{"name": "s", "dataType": "STRUCT", "children": []}])
            ),
            table(
                "fields",
                json!([{"name": "s", "dataType": "STRUCT", "children": [int("a")]}])
            ),
            // The server looks at top-level columns only.
            table(
                "deeper",
                json!([{"name": "s", "dataType": "STRUCT", "children": [
                    {"name": "t", "dataType": "STRUCT"}]}])
            ),
            table(
                "array",
                json!([{"name": "l", "dataType": "ARRAY", "arrayDataType": "STRUCT"}])
            ),
        ]),
    )
}

#[test]
fn a_top_level_struct_without_children_refuses_the_table() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let r = tables(&api);
    assert_eq!(
        refused(&r),
        [
            ("absent".to_owned(), 400, REFUSED.to_owned()),
            ("null".to_owned(), 400, REFUSED.to_owned())
        ]
    );
    assert_eq!(r["numberOfRowsPassed"], 4, "{r}");
    // A single PUT, and a data model, alike.
    let (status, e) = api.call(
        "PUT",
        "/v1/tables",
        Some(&table("one", json!([{"name": "s", "dataType": "STRUCT"}]))),
    );
    assert_eq!((status, e["message"].as_str()), (400, Some(REFUSED)));
    let service = json!({"name": "lk", "serviceType": "Looker"});
    assert_eq!(
        api.call("PUT", "/v1/services/dashboardServices", Some(&service))
            .0,
        201
    );
    let model = json!({"name": "m", "service": "lk", "dataModelType": "LookMlExplore",
        "columns": [{"name": "s", "dataType": "STRUCT"}]});
    let r = api.bulk("dashboard/datamodels", json!([model]));
    assert_eq!(r["failedRequest"][0]["message"], REFUSED, "{r}");
    assert!(om.entities(Collection::DashboardDataModels).is_empty());
}
