//! `DELETE /v1/<collection>/deleteStale`, as OpenMetadata's `bulkDeleteStaleEntities` answers it:
//! soft deletes (recursive unless told otherwise) of what a run did not see under a scope, and
//! nothing at all for an empty `seenFqns` or a scope the server does not hold.

use crate::openmetadata::{Collection, StandIn};
use serde_json::{Value, json};

use super::api::{Api, TOKEN, table};

fn stale(api: &Api, collection: &str, body: Value) -> (u16, Value) {
    api.call(
        "DELETE",
        &format!("/v1/{collection}/deleteStale"),
        Some(&body),
    )
}

fn scope(fqn: &str, ty: &str, seen: &[&str]) -> Value {
    json!({"scopeFqn": fqn, "scopeEntityType": ty, "seenFqns": seen, "recursive": true})
}

fn deleted(om: &StandIn, c: Collection, fqn: &str) -> bool {
    om.entity(c, fqn)
        .unwrap_or_else(|| panic!("{fqn} is not stored"))
        .deleted
}

fn procedure(name: &str, schema: &str) -> Value {
    json!({"name": name, "databaseSchema": schema,
           "storedProcedureCode": {"code": "SELECT 1", "language": "SQL"}})
}

#[test]
fn delete_stale_deletes_only_unseen_tables_of_the_schema() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let h = "0123456789abcdef0123456789abcdef";
    api.bulk(
        "tables",
        json!([
            table("keep", "svc.db.sales", Some(h)),
            table("stale", "svc.db.sales", Some(h)),
            table("other", "svc.db.hr", Some(h)),
        ]),
    );
    let body = scope("svc.db.sales", "databaseSchema", &["svc.db.sales.keep"]);
    let (status, r) = stale(&api, "tables", body.clone());
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        r,
        json!({
            "dryRun": false, "status": "success",
            "numberOfRowsProcessed": 1, "numberOfRowsPassed": 1, "numberOfRowsFailed": 0,
            "successRequest": [{"request": "svc.db.sales.stale", "status": 200}],
            "failedRequest": [],
        })
    );
    let stale_table = om.entity(Collection::Tables, "svc.db.sales.stale").unwrap();
    assert_eq!(
        (
            stale_table.deleted,
            stale_table.version,
            &stale_table.body["deleted"]
        ),
        (true, 0.2, &json!(true))
    );
    for fqn in ["svc.db.sales.keep", "svc.db.hr.other"] {
        let e = om.entity(Collection::Tables, fqn).unwrap();
        assert_eq!((e.deleted, e.version), (false, 0.1), "{fqn}");
    }
    assert_eq!(om.writes_in(Collection::Tables).deletes, 1);
    // Already deleted: not deleted again.
    assert_eq!(stale(&api, "tables", body).1["numberOfRowsProcessed"], 0);
    // Seen again, with the same hash: undeleted, as an update.
    let r = api.bulk("tables", json!([table("stale", "svc.db.sales", Some(h))]));
    assert_eq!(r["successRequest"][0]["status"], 200);
    let back = om.entity(Collection::Tables, "svc.db.sales.stale").unwrap();
    assert_eq!((back.deleted, back.version), (false, 0.3));

    // Quoting does not matter: FQNs are compared part by part.
    api.bulk("tables", json!([table("my.t", "svc.db.hr", None)]));
    let (_, r) = stale(
        &api,
        "tables",
        scope(
            "svc.db.hr",
            "databaseSchema",
            &["svc.db.hr.other", "svc.db.hr.\"my.t\""],
        ),
    );
    assert_eq!(r["numberOfRowsProcessed"], 0, "{r}");
    assert_eq!(om.writes_in(Collection::Tables).deletes, 1);
}

#[test]
fn delete_stale_refuses_a_malformed_request_and_deletes_nothing_when_unsure() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    api.bulk("tables", json!([table("t", "svc.db.sales", None)]));
    for (bad, message) in [
        (
            json!({"scopeEntityType": "databaseSchema", "seenFqns": ["x"]}),
            "scopeFqn is required for deleteStale",
        ),
        (
            json!({"scopeFqn": "svc.db.sales", "seenFqns": ["x"]}),
            "scopeEntityType is required for deleteStale",
        ),
        (
            json!({"scopeFqn": "svc.db.sales", "scopeEntityType": "schema", "seenFqns": ["x"]}),
            "Unsupported scopeEntityType 'schema' for deleteStale",
        ),
    ] {
        let (status, err) = stale(&api, "tables", bad.clone());
        assert_eq!((status, &err["message"]), (400, &json!(message)), "{bad}");
    }
    for bad in [
        json!({"scopeFqn": "svc.db.sales", "scopeEntityType": "databaseSchema", "seenFqns": [1]}),
        json!({"scopeFqn": "svc.db.sales", "scopeEntityType": "databaseSchema", "x": 1}),
        json!([]),
    ] {
        let (status, err) = stale(&api, "tables", bad.clone());
        assert_eq!((status, &err["code"]), (400, &json!(400)), "{bad}: {err}");
    }
    // An empty seenFqns, a scope the server does not hold, a type it stores nothing of: 200,
    // nothing deleted.
    for unsure in [
        scope("svc.db.sales", "databaseSchema", &[]),
        json!({"scopeFqn": "svc.db.sales", "scopeEntityType": "databaseSchema"}),
        scope("svc.db.nowhere", "databaseSchema", &["svc.db.nowhere.x"]),
        scope("svc.db.sales", "pipeline", &["svc.db.sales.x"]),
    ] {
        let (status, r) = stale(&api, "tables", unsure.clone());
        assert_eq!(
            (status, &r["status"], &r["numberOfRowsProcessed"]),
            (200, &json!("success"), &json!(0)),
            "{unsure}: {r}"
        );
    }
    assert!(!deleted(&om, Collection::Tables, "svc.db.sales.t"));
    // A deleted scope is not held either.
    stale(
        &api,
        "databaseSchemas",
        scope("svc.db", "database", &["svc.db.hr"]),
    );
    assert!(deleted(&om, Collection::DatabaseSchemas, "svc.db.sales"));
    let (_, r) = stale(
        &api,
        "tables",
        scope("svc.db.sales", "databaseSchema", &["x.y"]),
    );
    assert_eq!(r["numberOfRowsProcessed"], 0, "{r}");
}

#[test]
fn delete_stale_of_schemas_and_databases_takes_their_children_along() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    api.bulk(
        "tables",
        json!([
            table("a", "svc.db.sales", None),
            table("b", "svc.db.hr", None)
        ]),
    );
    api.bulk("storedProcedures", json!([procedure("p", "svc.db.hr")]));
    // Schemas of a database: hr was not seen; its table and procedure go with it.
    let (status, r) = stale(
        &api,
        "databaseSchemas",
        scope("svc.db", "database", &["svc.db.sales"]),
    );
    assert_eq!(
        (status, &r["successRequest"]),
        (200, &json!([{"request": "svc.db.hr", "status": 200}])),
        "{r}"
    );
    assert!(deleted(&om, Collection::DatabaseSchemas, "svc.db.hr"));
    assert!(deleted(&om, Collection::Tables, "svc.db.hr.b"));
    assert!(deleted(&om, Collection::StoredProcedures, "svc.db.hr.p"));
    assert!(!deleted(&om, Collection::Tables, "svc.db.sales.a"));

    // Databases of a service, the scope type given as `service`, as OpenMetadata's client does.
    let r = api.bulk("databases", json!([{"name": "db2", "service": "svc"}]));
    assert_eq!(r["status"], "success");
    let (status, r) = stale(
        &api,
        "databases",
        scope("svc", "service", &["svc.db2", "svc.template0"]),
    );
    assert_eq!(
        (status, &r["successRequest"]),
        (200, &json!([{"request": "svc.db", "status": 200}])),
        "{r}"
    );
    assert!(deleted(&om, Collection::Databases, "svc.db"));
    assert!(deleted(&om, Collection::DatabaseSchemas, "svc.db.sales"));
    assert!(deleted(&om, Collection::Tables, "svc.db.sales.a"));
    assert!(!deleted(&om, Collection::Databases, "svc.db2"));
    // Tables are found at any depth under the scope: a database scope reaches its schemas' tables.
    api.bulk(
        "databaseSchemas",
        json!([{"name": "s", "database": "svc.db2"}]),
    );
    api.bulk("tables", json!([table("x", "svc.db2.s", None)]));
    let (_, r) = stale(
        &api,
        "tables",
        scope("svc.db2", "database", &["svc.db2.s.y"]),
    );
    assert_eq!(
        r["successRequest"],
        json!([{"request": "svc.db2.s.x", "status": 200}])
    );
}

#[test]
fn delete_stale_honours_recursive_dry_run_and_hard_delete() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    api.bulk("tables", json!([table("b", "svc.db.hr", None)]));
    // Not recursive: a schema with a live table cannot be deleted; the failure is per entity.
    let mut body = scope("svc.db", "database", &["svc.db.sales"]);
    body["recursive"] = json!(false);
    let (status, r) = stale(&api, "databaseSchemas", body);
    assert_eq!(status, 200);
    assert_eq!(
        (&r["status"], &r["failedRequest"]),
        (
            &json!("partialSuccess"),
            &json!([{"request": "svc.db.hr", "status": 500, "message": "databaseSchema is not empty"}])
        ),
        "{r}"
    );
    assert!(!deleted(&om, Collection::DatabaseSchemas, "svc.db.hr"));
    // A dry run reports what it would delete and deletes nothing.
    let mut body = scope("svc.db", "database", &["svc.db.sales"]);
    body["dryRun"] = json!(true);
    let (_, r) = stale(&api, "databaseSchemas", body);
    assert_eq!(
        (&r["dryRun"], &r["successRequest"]),
        (
            &json!(true),
            &json!([{"request": "svc.db.hr", "status": 200}])
        )
    );
    assert!(!deleted(&om, Collection::DatabaseSchemas, "svc.db.hr"));
    assert_eq!(om.writes().deletes, 0);
    // A hard delete removes it, and its table, from the store.
    let mut body = scope("svc.db", "database", &["svc.db.sales"]);
    body["hardDelete"] = json!(true);
    let (_, r) = stale(&api, "databaseSchemas", body);
    assert_eq!(r["numberOfRowsPassed"], 1, "{r}");
    assert!(
        om.entity(Collection::DatabaseSchemas, "svc.db.hr")
            .is_none()
    );
    assert!(om.entity(Collection::Tables, "svc.db.hr.b").is_none());
}

#[test]
fn delete_stale_of_stored_procedures() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let r = api.bulk(
        "storedProcedures",
        json!([
            procedure("keep", "svc.db.sales"),
            procedure("old", "svc.db.sales")
        ]),
    );
    assert_eq!(r["status"], "success", "{r}");
    let (status, r) = stale(
        &api,
        "storedProcedures",
        scope("svc.db.sales", "databaseSchema", &["svc.db.sales.keep"]),
    );
    assert_eq!(
        (status, &r["successRequest"]),
        (
            200,
            &json!([{"request": "svc.db.sales.old", "status": 200}])
        )
    );
    assert!(deleted(
        &om,
        Collection::StoredProcedures,
        "svc.db.sales.old"
    ));
    assert!(!deleted(
        &om,
        Collection::StoredProcedures,
        "svc.db.sales.keep"
    ));
    assert!(om.unexpected_requests().is_empty());
}
