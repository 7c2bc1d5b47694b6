//! The validator the e2e tests rely on can fail: OpenMetadata's schemas reject what they should,
//! and accept a well-formed request. (Needs only the schemas, no server.)

use crate::schemas;
use serde_json::json;

fn table() -> serde_json::Value {
    json!({
        "name": "orders",
        "databaseSchema": "svc.db.sales",
        "tableType": "Regular",
        "columns": [
            {"name": "id", "dataType": "BIGINT", "dataTypeDisplay": "bigint", "constraint": "PRIMARY_KEY", "ordinalPosition": 1},
            {"name": "tags", "dataType": "ARRAY", "arrayDataType": "TEXT", "dataTypeDisplay": "text[]", "ordinalPosition": 2},
            {"name": "total", "dataType": "NUMERIC", "precision": 10, "scale": 2, "dataTypeDisplay": "numeric(10,2)", "ordinalPosition": 3}
        ],
        "tableConstraints": [
            {"constraintType": "FOREIGN_KEY", "columns": ["id"], "referredColumns": ["svc.db.sales.other.id"]}
        ],
        "tablePartition": {"columns": [{"columnName": "id", "intervalType": "TIME-UNIT"}]},
        "schemaDefinition": null,
        "description": "Orders"
    })
}

#[test]
fn a_well_formed_table_request_is_valid() {
    let errors = schemas().errors("CreateTableRequest", &table());
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn invalid_table_requests_are_rejected_with_their_paths() {
    let s = schemas();
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "missing columns",
            Box::new(|t| {
                t.as_object_mut().unwrap().remove("columns");
            }),
            "columns",
        ),
        (
            "bad tableType",
            Box::new(|t| t["tableType"] = json!("Table")),
            "/tableType",
        ),
        (
            "bad dataType",
            Box::new(|t| t["columns"][0]["dataType"] = json!("INTEGER")),
            "/columns/0/dataType",
        ),
        (
            "bad constraint",
            Box::new(|t| t["columns"][0]["constraint"] = json!("PK")),
            "/columns/0/constraint",
        ),
        (
            "unknown field",
            Box::new(|t| t["rowCount"] = json!(3)),
            "rowCount",
        ),
        (
            "string precision",
            Box::new(|t| t["columns"][2]["precision"] = json!("10")),
            "/columns/2/precision",
        ),
        ("empty name", Box::new(|t| t["name"] = json!("")), "/name"),
        (
            "bad constraintType",
            Box::new(|t| t["tableConstraints"][0]["constraintType"] = json!("FK")),
            "/tableConstraints/0",
        ),
    ];
    for (what, edit, at) in cases {
        let mut t = table();
        edit(&mut t);
        let errors = s.errors("CreateTableRequest", &t);
        assert!(!errors.is_empty(), "{what}: accepted {t}");
        assert!(
            errors.iter().any(|e| e.contains(at)),
            "{what}: no error mentions {at}: {errors:#?}"
        );
    }
}

#[test]
fn container_requests() {
    let s = schemas();
    let service = json!({"name": "svc", "serviceType": "Postgres"});
    assert!(
        s.errors("CreateDatabaseServiceRequest", &service)
            .is_empty()
    );
    assert!(
        !s.errors(
            "CreateDatabaseServiceRequest",
            &json!({"name": "svc", "serviceType": "NoSuchDb"})
        )
        .is_empty()
    );
    assert!(
        s.errors(
            "CreateDatabaseRequest",
            &json!({"name": "db", "service": "svc"})
        )
        .is_empty()
    );
    assert!(
        !s.errors("CreateDatabaseRequest", &json!({"name": "db"}))
            .is_empty()
    );
    assert!(
        s.errors(
            "CreateDatabaseSchemaRequest",
            &json!({"name": "sales", "database": "svc.db"})
        )
        .is_empty()
    );
    assert!(
        !s.errors(
            "CreateDatabaseSchemaRequest",
            &json!({"name": "sales", "database": 7})
        )
        .is_empty()
    );
}

#[test]
#[should_panic(expected = "does not validate against OpenMetadata's schema")]
fn assert_valid_panics_with_the_errors() {
    schemas().assert_valid("test:1", "{}", "CreateTableRequest", &json!({"name": "t"}));
}

#[test]
#[should_panic(expected = "unknown request kind")]
fn an_unknown_kind_is_an_error() {
    schemas().errors("CreateTopicRequest", &json!({}));
}
