//! `PATCH /v1/tables/{id}` with a JSON Patch, as OpenMetadata's `metadata ingest` uses it to add
//! the foreign keys it could not send at creation: RFC 6902 operations applied for real, the
//! patched table checked again (schema and constraint rules), nothing written when nothing changes.

use crate::openmetadata::{Collection, StandIn};
use serde_json::{Value, json};

use super::api::{Api, TOKEN, table};

const JSON_PATCH: &str = "application/json-patch+json";

fn patch(api: &Api, id: &str, ops: Value) -> (u16, Value) {
    api.send("PATCH", &format!("/v1/tables/{id}"), JSON_PATCH, &ops)
}

fn two_tables(om: &StandIn, api: &Api) -> (String, String) {
    api.parents();
    let child = json!({"name": "child", "databaseSchema": "svc.db.sales",
        "columns": [{"name": "id", "dataType": "INT"}, {"name": "parent_id", "dataType": "INT"}],
        "tableConstraints": [{"constraintType": "PRIMARY_KEY", "columns": ["id"]}]});
    let r = api.bulk("tables", json!([table("parent", "svc.db.hr", None), child]));
    assert_eq!(r["status"], "success", "{r}");
    let id = |fqn: &str| om.entity(Collection::Tables, fqn).unwrap().id;
    (id("svc.db.sales.child"), id("svc.db.hr.parent"))
}

fn fk(referred: &str) -> Value {
    json!({"constraintType": "FOREIGN_KEY", "columns": ["parent_id"], "referredColumns": [referred],
           "relationshipType": "MANY_TO_ONE"})
}

#[test]
fn a_patch_adds_a_foreign_key_the_way_metadata_ingest_sends_it() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let (child, _) = two_tables(&om, &api);
    // What the client sends: an add at the end of the constraints it read back, and a replace of
    // the columns as it read them (with their FQNs).
    let columns =
        api.get("/v1/tables/name/svc.db.sales.child?fields=tableConstraints")["columns"].clone();
    let (status, patched) = patch(
        &api,
        &child,
        json!([
            {"op": "add", "path": "/tableConstraints/1", "value": fk("svc.db.hr.parent.id")},
            {"op": "replace", "path": "/columns", "value": columns},
        ]),
    );
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["version"], 0.2);
    let stored = om.entity(Collection::Tables, "svc.db.sales.child").unwrap();
    assert_eq!(
        stored.body["tableConstraints"],
        json!([{"constraintType": "PRIMARY_KEY", "columns": ["id"]}, fk("svc.db.hr.parent.id")])
    );
    assert_eq!(stored.version, 0.2);
    assert_eq!(
        stored.body["columns"][1]["fullyQualifiedName"],
        "svc.db.sales.child.parent_id"
    );
    // The Create request it was made from stays as it was; the stored entity is what changed.
    assert_eq!(
        stored.request["tableConstraints"].as_array().unwrap().len(),
        1
    );
    // The same patch again would add the key twice: refused, as any duplicate constraint.
    let (status, err) = patch(
        &api,
        &child,
        json!([{"op": "add", "path": "/tableConstraints/-", "value": fk("svc.db.hr.parent.id")}]),
    );
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .starts_with("Duplicate constraint found in request: "),
        "{err}"
    );
    // A patch that changes nothing writes nothing.
    let (status, same) = patch(
        &api,
        &child,
        json!([{"op": "test", "path": "/name", "value": "child"}]),
    );
    assert_eq!((status, &same["version"]), (200, &json!(0.2)));
    assert!(om.unexpected_requests().is_empty());
}

#[test]
fn a_patched_table_is_checked_like_a_put() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let (child, parent) = two_tables(&om, &api);
    let add = |referred: &str| json!([{"op": "add", "path": "/tableConstraints/-", "value": fk(referred)}]);
    for (ops, message) in [
        (add("svc.db.hr.nope.id"), "Table not found: svc.db.hr.nope"),
        (add("svc.db.hr.parent.ID"), "Invalid column name ID"),
    ] {
        let (status, err) = patch(&api, &child, ops);
        assert_eq!(
            (status, err),
            (400, json!({"code": 400, "message": message}))
        );
    }
    // The patched entity must still validate: a column without a dataType is no column.
    let (status, err) = patch(
        &api,
        &child,
        json!([{"op": "remove", "path": "/columns/0/dataType"}]),
    );
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("dataType"),
        "{err}"
    );
    // Operations that do not apply.
    for ops in [
        json!([{"op": "remove", "path": "/tableConstraints/5"}]),
        json!([{"op": "replace", "path": "/nothing/here", "value": 1}]),
        json!([{"op": "test", "path": "/name", "value": "other"}]),
        json!([{"op": "jump", "path": "/name"}]),
        json!({"op": "add", "path": "/description", "value": "x"}),
    ] {
        let (status, err) = patch(&api, &child, ops.clone());
        assert_eq!((status, &err["code"]), (400, &json!(400)), "{ops}: {err}");
    }
    // A JSON Patch only as application/json-patch+json.
    let (status, _) = api.send(
        "PATCH",
        &format!("/v1/tables/{child}"),
        "application/json",
        &add("svc.db.hr.parent.id"),
    );
    assert_eq!(status, 415);
    // What a patch may not change is put back: name, FQN, parents.
    let (status, p) = patch(
        &api,
        &child,
        json!([
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/fullyQualifiedName", "value": "x.y.z.w"},
            {"op": "add", "path": "/description", "value": "patched"},
        ]),
    );
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (&p["name"], &p["fullyQualifiedName"], &p["description"]),
        (
            &json!("child"),
            &json!("svc.db.sales.child"),
            &json!("patched")
        )
    );
    let stored = om.entity(Collection::Tables, "svc.db.sales.child").unwrap();
    assert_eq!(
        (
            stored.version,
            stored.body["tableConstraints"].as_array().unwrap().len()
        ),
        (0.2, 1)
    );
    // Unknown or deleted tables are not there to patch.
    let (status, err) = patch(
        &api,
        "00000000-0000-4000-8000-000000000000",
        add("svc.db.hr.parent.id"),
    );
    assert_eq!(
        (status, err),
        (
            404,
            json!({"code": 404, "message": "table instance for 00000000-0000-4000-8000-000000000000 not found"})
        )
    );
    api.call(
        "DELETE",
        "/v1/tables/deleteStale",
        Some(&json!({"scopeFqn": "svc.db.hr", "scopeEntityType": "databaseSchema", "seenFqns": ["svc.db.hr.x"]})),
    );
    assert_eq!(
        patch(
            &api,
            &parent,
            json!([{"op": "add", "path": "/description", "value": "x"}])
        )
        .0,
        404
    );
    // A deleted table is still a valid target of a key.
    let (status, p) = patch(&api, &child, add("svc.db.hr.parent.id"));
    assert_eq!((status, &p["version"]), (200, &json!(0.3)), "{p}");
}
