//! The server's write rules for tables: a bulk request's rows are checked against the state
//! before the batch; a foreign key must name a stored table (soft-deleted counts) and a column of
//! exactly that name; a constraint listed twice is refused; a PUT replaces the stored
//! constraints; the `sourceHash` fast path. Messages as OpenMetadata's
//! `TableRepository.validateTableConstraints` words them.

use crate::openmetadata::{Collection, StandIn};
use serde_json::{Value, json};

use super::api::{Api, TOKEN, table};

/// A table of `svc.db.<schema>` with the given columns (all INT) and constraints.
fn table_with(name: &str, schema: &str, columns: &[&str], constraints: Value) -> Value {
    let cols: Vec<Value> = columns
        .iter()
        .map(|c| json!({"name": c, "dataType": "INT"}))
        .collect();
    json!({"name": name, "databaseSchema": format!("svc.db.{schema}"), "columns": cols,
           "tableConstraints": constraints})
}

fn fk(columns: &[&str], referred: &[&str]) -> Value {
    json!({"constraintType": "FOREIGN_KEY", "columns": columns, "referredColumns": referred})
}

/// (status, message) of every failed row.
fn failures(r: &Value) -> Vec<(u64, String)> {
    r["failedRequest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["status"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_bulk_row_cannot_rely_on_an_earlier_row_of_the_same_request() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let parent = table_with("parent", "sales", &["id"], json!([]));
    let child = table_with(
        "child",
        "sales",
        &["id", "parent_id"],
        json!([fk(&["parent_id"], &["svc.db.sales.parent.id"])]),
    );
    let r = api.bulk("tables", json!([parent, child.clone()]));
    assert_eq!(r["status"], "partialSuccess", "{r}");
    assert_eq!(
        failures(&r),
        [(400, "Table not found: svc.db.sales.parent".to_string())]
    );
    // The refused row is echoed whole, as sent.
    assert_eq!(r["failedRequest"][0]["request"], child);
    assert_eq!(
        r["successRequest"],
        json!([{"request": "svc.db.sales.parent", "status": 200}])
    );
    assert!(
        om.entity(Collection::Tables, "svc.db.sales.child")
            .is_none()
    );
    // Once the parent is stored, the same row goes in, its key with it.
    let r = api.bulk("tables", json!([child]));
    assert_eq!(r["status"], "success", "{r}");
    let stored = om.entity(Collection::Tables, "svc.db.sales.child").unwrap();
    assert_eq!(
        stored.body["tableConstraints"][0]["referredColumns"],
        json!(["svc.db.sales.parent.id"])
    );
    // A self-reference never gets in on creation: the table is not stored before its own row.
    let me = table_with(
        "me",
        "sales",
        &["id", "up"],
        json!([fk(&["up"], &["svc.db.sales.me.id"])]),
    );
    let r = api.bulk("tables", json!([me]));
    assert_eq!(
        failures(&r),
        [(400, "Table not found: svc.db.sales.me".to_string())]
    );
}

#[test]
fn a_foreign_key_must_name_a_stored_table_and_one_of_its_columns() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let r = api.bulk(
        "tables",
        json!([
            table_with("target", "hr", &["id", "Code"], json!([])),
            table_with("my.t", "hr", &["id"], json!([])),
            table_with("gone", "hr", &["id"], json!([])),
        ]),
    );
    assert_eq!(r["status"], "success", "{r}");
    let (status, _) = api.call(
        "DELETE",
        "/v1/tables/deleteStale",
        Some(
            &json!({"scopeFqn": "svc.db.hr", "scopeEntityType": "databaseSchema",
                      "seenFqns": ["svc.db.hr.target", "svc.db.hr.\"my.t\""]}),
        ),
    );
    assert_eq!(status, 200);
    assert!(
        om.entity(Collection::Tables, "svc.db.hr.gone")
            .unwrap()
            .deleted
    );

    let cases = [
        // (the constraint, the refusal; None when accepted)
        (fk(&["x"], &["svc.db.hr.target.id"]), None),
        // A soft-deleted table counts (findByName with Include.ALL).
        (fk(&["x"], &["svc.db.hr.gone.id"]), None),
        // A table whose name has a dot, its part quoted as in FQNs.
        (fk(&["x"], &["svc.db.hr.\"my.t\".id"]), None),
        (
            fk(&["x"], &["svc.db.hr.my.t.id"]),
            Some("Table not found: svc.db.hr.my.t"),
        ),
        (
            fk(&["x"], &["svc.db.hr.nope.id"]),
            Some("Table not found: svc.db.hr.nope"),
        ),
        (
            fk(&["x"], &["svc.db.sales.target.id"]),
            Some("Table not found: svc.db.sales.target"),
        ),
        // Column names are compared exactly.
        (
            fk(&["x"], &["svc.db.hr.target.ID"]),
            Some("Invalid column name ID"),
        ),
        (
            fk(&["x"], &["svc.db.hr.target.code"]),
            Some("Invalid column name code"),
        ),
        (fk(&["x"], &["svc.db.hr.target.Code"]), None),
        // The referring columns must be the table's own.
        (
            fk(&["y"], &["svc.db.hr.target.id"]),
            Some("Invalid column name y"),
        ),
        (
            json!({"constraintType": "PRIMARY_KEY", "columns": ["nope"]}),
            Some("Invalid column name nope"),
        ),
        // Not a column FQN (fewer than five parts).
        (
            fk(&["x"], &["svc.db.hr.target"]),
            Some("Invalid fully qualified column name svc.db.hr.target"),
        ),
    ];
    for (i, (constraint, refusal)) in cases.iter().enumerate() {
        let name = format!("t{i}");
        let request = table_with(&name, "sales", &["x"], json!([constraint]));
        // As a bulk row...
        let r = api.bulk("tables", json!([request.clone()]));
        let expected: Vec<(u64, String)> = refusal.iter().map(|m| (400, m.to_string())).collect();
        assert_eq!(failures(&r), expected, "bulk {constraint}");
        // ...and as a single PUT, the same rule and message.
        let (status, body) = api.call("PUT", "/v1/tables", Some(&request));
        match refusal {
            None => assert_eq!(status, 200, "PUT {constraint}: {body}"),
            Some(m) => assert_eq!(
                (status, &body),
                (400, &json!({"code": 400, "message": m})),
                "PUT {constraint}"
            ),
        }
        assert_eq!(
            om.entity(Collection::Tables, &format!("svc.db.sales.{name}"))
                .is_some(),
            refusal.is_none(),
            "{constraint}"
        );
    }
}

#[test]
fn an_update_is_checked_too_and_the_whole_row_refused() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    api.bulk(
        "tables",
        json!([table_with("target", "hr", &["id"], json!([]))]),
    );
    let good = table_with(
        "t",
        "sales",
        &["x"],
        json!([fk(&["x"], &["svc.db.hr.target.id"])]),
    );
    let (status, created) = api.call("PUT", "/v1/tables", Some(&good));
    assert_eq!(status, 201, "{created}");
    // An update naming a missing table changes nothing, not even its other fields.
    let mut bad = table_with(
        "t",
        "sales",
        &["x"],
        json!([fk(&["x"], &["svc.db.hr.missing.id"])]),
    );
    bad["description"] = json!("changed");
    let r = api.bulk("tables", json!([bad]));
    assert_eq!(
        failures(&r),
        [(400, "Table not found: svc.db.hr.missing".to_string())]
    );
    let stored = om.entity(Collection::Tables, "svc.db.sales.t").unwrap();
    assert_eq!(stored.version, 0.1);
    assert!(stored.body.get("description").is_none());
    assert_eq!(stored.body["tableConstraints"], good["tableConstraints"]);
}

#[test]
fn a_constraint_listed_twice_is_refused() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let pk = json!({"constraintType": "PRIMARY_KEY", "columns": ["id"]});
    let twice = table_with("t", "sales", &["id"], json!([pk, pk]));
    let r = api.bulk("tables", json!([twice.clone()]));
    let f = failures(&r);
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0].0, 400);
    // `Duplicate constraint found in request: ` + the constraint's Java toString.
    let prefix =
        "Duplicate constraint found in request: org.openmetadata.schema.type.TableConstraint@";
    assert!(f[0].1.starts_with(prefix), "{}", f[0].1);
    assert!(
        f[0].1.ends_with("[constraintType=PRIMARY_KEY,columns=[id],referredColumns=<null>,relationshipType=<null>]"),
        "{}",
        f[0].1
    );
    let (status, _) = api.call("PUT", "/v1/tables", Some(&twice));
    assert_eq!(status, 400);
    // Equal means every property: the same columns under another type are another constraint.
    let unique = json!({"constraintType": "UNIQUE", "columns": ["id"]});
    let r = api.bulk(
        "tables",
        json!([table_with("t", "sales", &["id"], json!([pk, unique]))]),
    );
    assert_eq!(r["status"], "success", "{r}");
}

#[test]
fn a_put_replaces_the_stored_constraints() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    api.bulk(
        "tables",
        json!([table_with("target", "hr", &["id"], json!([]))]),
    );
    let fqn = "svc.db.sales.t";
    let with_fk = table_with(
        "t",
        "sales",
        &["id", "x"],
        json!([
            {"constraintType": "PRIMARY_KEY", "columns": ["id"]},
            fk(&["x"], &["svc.db.hr.target.id"]),
        ]),
    );
    api.bulk("tables", json!([with_fk]));
    assert_eq!(
        om.entity(Collection::Tables, fqn).unwrap().body["tableConstraints"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A PUT without the FK removes it: the server holds what the last request said.
    let without = table_with(
        "t",
        "sales",
        &["id", "x"],
        json!([{"constraintType": "PRIMARY_KEY", "columns": ["id"]}]),
    );
    api.bulk("tables", json!([without]));
    let stored = om.entity(Collection::Tables, fqn).unwrap();
    assert_eq!(
        stored.body["tableConstraints"],
        json!([{"constraintType": "PRIMARY_KEY", "columns": ["id"]}])
    );
    assert_eq!(stored.version, 0.2);
    // No tableConstraints at all: none stored.
    api.bulk("tables", json!([table("t", "svc.db.sales", None)]));
    let stored = om.entity(Collection::Tables, fqn).unwrap();
    assert!(
        stored.body.get("tableConstraints").is_none(),
        "{}",
        stored.body
    );
}

#[test]
fn the_source_hash_fast_path_needs_a_row_alone_in_its_batch_and_no_override() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let h = "0123456789abcdef0123456789abcdef";
    let fqn = "svc.db.sales.t";
    let described = |d: &str| {
        let mut t = table("t", "svc.db.sales", Some(h));
        t["description"] = json!(d);
        t
    };
    let description =
        |om: &StandIn| om.entity(Collection::Tables, fqn).unwrap().body["description"].clone();
    api.bulk("tables", json!([described("a")]));
    // Same hash, other content: accepted without a diff, nothing written.
    let r = api.bulk("tables", json!([described("b")]));
    assert_eq!(
        r["successRequest"],
        json!([{"request": fqn, "status": 200}])
    );
    assert_eq!(description(&om), "a");
    // overrideMetadata=true disables the fast path.
    let (status, r) = api.call(
        "PUT",
        "/v1/tables/bulk?async=false&overrideMetadata=true",
        Some(&json!([described("b")])),
    );
    assert_eq!((status, &r["status"]), (200, &json!("success")), "{r}");
    assert_eq!(description(&om), "b");
    // The FQN twice in one batch: each row is diffed, so both are written in turn.
    api.bulk("tables", json!([described("c"), described("d")]));
    assert_eq!(description(&om), "d");
    assert_eq!(om.entity(Collection::Tables, fqn).unwrap().version, 0.4);
    // A soft-deleted entity is never skipped: the same hash restores (and updates) it.
    api.call(
        "DELETE",
        "/v1/tables/deleteStale",
        Some(
            &json!({"scopeFqn": "svc.db.sales", "scopeEntityType": "databaseSchema",
                      "seenFqns": ["svc.db.sales.other"]}),
        ),
    );
    assert!(om.entity(Collection::Tables, fqn).unwrap().deleted);
    api.bulk("tables", json!([described("e")]));
    let back = om.entity(Collection::Tables, fqn).unwrap();
    assert_eq!(
        (back.deleted, &back.body["description"]),
        (false, &json!("e"))
    );
    // The fast path does not skip the checks: a row it would accept with a key to a missing
    // table is still refused.
    let mut broken = described("e");
    broken["tableConstraints"] = json!([fk(&["id"], &["svc.db.hr.nope.id"])]);
    let r = api.bulk("tables", json!([broken]));
    assert_eq!(
        failures(&r),
        [(400, "Table not found: svc.db.hr.nope".to_string())]
    );
}
