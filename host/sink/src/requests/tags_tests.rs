//! Nested columns, tag labels and source URLs in the Create requests (contract 0.3.0).

use super::*;

fn label(classification: &str, name: &str) -> TagLabel {
    TagLabel {
        classification: classification.into(),
        name: name.into(),
        classification_description: "BigQuery Policy Classification".into(),
        tag_description: "Bigquery Policy Tag".into(),
    }
}

fn col(name: &str, position: u32, nullable: bool, children: Vec<Column>) -> Column {
    Column {
        name: name.into(),
        data_type: if children.is_empty() {
            "STRING"
        } else {
            "STRUCT"
        },
        data_type_display: "string".into(),
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
        nullable,
        ordinal_position: position,
        description: None,
        children,
        tags: Vec::new(),
    }
}

/// `id`, `address{zip (tagged), street, geo{lat}}` with the fields out of position order.
fn nested_table() -> Table {
    let mut zip = col("zip", 2, false, vec![]);
    zip.tags = vec![label("pii.v1", "postal"), label("pii.v1", "postal")];
    let address = col(
        "address",
        2,
        true,
        vec![
            zip,
            col("street", 1, true, vec![]),
            col("geo", 3, true, vec![col("lat", 1, true, vec![])]),
        ],
    );
    Table {
        database: "db".into(),
        schema: "s".into(),
        name: "t".into(),
        table_type: "Regular",
        columns: vec![col("id", 1, false, vec![]), address],
        source_url: Some("https://console.example/t".into()),
        tags: vec![label("team", "sales")],
        ..Table::default()
    }
}

#[test]
fn nested_columns_are_children_in_position_order_with_their_nullability_and_tags() {
    // A service type with omrun's full requests (BigQuery's own conventions drop positions).
    let body = Requests::new("svc", "Trino")
        .entity(&Entity::Table(nested_table()))
        .body;
    let address = &body["columns"][1];
    assert_eq!(address["name"], "address");
    let names: Vec<&str> = address["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["street", "zip", "geo"]);
    let zip = &address["children"][1];
    assert_eq!(
        zip["constraint"], "NOT_NULL",
        "a field says whether it is nullable"
    );
    assert_eq!(zip["ordinalPosition"], 2, "its position among its siblings");
    assert_eq!(
        zip["tags"],
        json!([{"tagFQN": "\"pii.v1\".postal", "source": "Classification",
                "labelType": "Automated", "state": "Suggested"}]),
        "as OpenMetadata's get_tag_label builds it, the classification quoted, each tag once"
    );
    assert_eq!(address["children"][2]["children"][0]["name"], "lat");
    // Nothing for what the source did not give.
    let id = &body["columns"][0];
    assert!(
        id.get("children").is_none() && id.get("tags").is_none(),
        "{id}"
    );
    assert_eq!(body["sourceUrl"], "https://console.example/t");
    assert_eq!(body["tags"][0]["tagFQN"], "team.sales");
}

#[test]
fn structs_without_fields_have_empty_children_where_the_service_type_s_connector_gives_them() {
    // `s struct<>`, `l array<struct<>>`, `n struct<e:struct<>>`, and an empty map.
    let empty = |name: &str, position: u32, data_type: &'static str| Column {
        data_type,
        ..col(name, position, true, vec![])
    };
    let l = Column {
        array_data_type: Some("STRUCT"),
        ..empty("l", 2, "ARRAY")
    };
    let n = Column {
        data_type: "STRUCT",
        ..col("n", 3, true, vec![empty("e", 1, "STRUCT")])
    };
    let t = Table {
        columns: vec![empty("s", 1, "STRUCT"), l, n, empty("m", 4, "MAP")],
        ..nested_table()
    };
    let children = |service_type: &str| -> Vec<Option<Value>> {
        let body = Requests::new("svc", service_type)
            .entity(&Entity::Table(t.clone()))
            .body;
        let columns = body["columns"].as_array().unwrap().clone();
        let e = columns[2]["children"][0].get("children").cloned();
        let mut out: Vec<Option<Value>> =
            columns.iter().map(|c| c.get("children").cloned()).collect();
        out.push(e);
        out
    };
    let unity = children("UnityCatalog");
    let empty_list = Some(json!([]));
    assert_eq!(unity[0], empty_list, "struct<>");
    assert_eq!(unity[1], empty_list, "array<struct<>>");
    assert_eq!(unity[4], empty_list, "a field struct<>");
    assert_eq!(unity[3], None, "a map has none");
    assert_eq!(
        unity[2].as_ref().unwrap()[0]["name"],
        "e",
        "fields are still fields"
    );
    assert_eq!(children("Databricks"), unity);
    // Elsewhere a struct without fields has none: what the plugin gave.
    let bigquery = children("BigQuery");
    assert_eq!(
        (&bigquery[0], &bigquery[1], &bigquery[4]),
        (&None, &None, &None)
    );
    assert_eq!(bigquery[2].as_ref().unwrap()[0]["name"], "e");
}

#[test]
fn a_data_models_nested_columns_carry_no_constraint() {
    let model = DashboardDataModel {
        name: "m".into(),
        display_name: None,
        description: None,
        data_model_type: "LookMlExplore",
        columns: vec![col("a", 1, false, vec![col("b", 1, false, vec![])])],
        sql: None,
        project: None,
        source_url: None,
        upstream: vec![],
    };
    let body = Requests::new("lk", "Looker")
        .entity(&Entity::DashboardDataModel(model))
        .body;
    let child = &body["columns"][0]["children"][0];
    assert_eq!(child["name"], "b");
    assert!(child.get("constraint").is_none(), "{child}");
}

#[test]
fn schemas_and_databases_carry_their_source_url_and_schemas_their_tags() {
    let requests = Requests::new("svc", "BigQuery");
    let schema = requests
        .entity(&Entity::DatabaseSchema(DatabaseSchema {
            database: "db".into(),
            name: "s".into(),
            description: None,
            source_url: Some("https://console.example/s".into()),
            tags: vec![label("env", "prod")],
        }))
        .body;
    assert_eq!(schema["sourceUrl"], "https://console.example/s");
    assert_eq!(schema["tags"][0]["tagFQN"], "env.prod");
    let database = requests
        .entity(&Entity::Database(Database {
            name: "db".into(),
            description: None,
            source_url: Some(" ".into()),
        }))
        .body;
    assert!(
        database.get("sourceUrl").is_none(),
        "a blank URL is left out"
    );
    assert!(database.get("tags").is_none());
}

#[test]
fn classification_and_tag_requests_name_each_other() {
    let requests = Requests::new("svc", "BigQuery");
    let odd = label("pii.v1", "a::b");
    let classification = requests.classification(&odd);
    assert_eq!(classification.kind, RequestKind::Classification);
    assert_eq!(classification.fqn, "\"pii.v1\"");
    assert_eq!(
        classification.body,
        json!({"name": "pii.v1", "description": "BigQuery Policy Classification"})
    );
    let tag = requests.tag(&odd);
    assert_eq!(tag.kind, RequestKind::Tag);
    // Names encoded as OpenMetadata's models encode them; the label names the tag so stored.
    assert_eq!(tag.fqn, "\"pii.v1\".a__reserved__colon__b");
    assert_eq!(
        tag.body,
        json!({"classification": "\"pii.v1\"", "name": "a__reserved__colon__b",
               "description": "Bigquery Policy Tag"})
    );
    assert_eq!(tag_fqn(&odd), tag.fqn);
    assert!(
        RequestKind::Tag < RequestKind::Database,
        "written before what carries them"
    );
    assert_eq!(
        RequestKind::Classification.endpoint(),
        Endpoint::Put("classifications")
    );
}

#[test]
fn labels_of_entities_are_each_tag_once() {
    let entities = [Entity::Table(nested_table()), Entity::Table(nested_table())];
    let fqns: Vec<String> = labels_of(&entities).into_iter().map(tag_fqn).collect();
    assert_eq!(fqns, ["team.sales", "\"pii.v1\".postal"]);
}
