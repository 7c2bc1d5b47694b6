//! The sink-output checks every e2e run goes through (crate::Records::read) catch what they
//! claim to: order, parents, duplicates, line shape, schema errors. Synthetic files, no server.

use crate::{Records, Workdir};
use serde_json::json;

fn line(kind: &str, request: serde_json::Value) -> String {
    json!({"kind": kind, "request": request}).to_string()
}

fn service() -> String {
    line(
        "CreateDatabaseServiceRequest",
        json!({"name": "svc", "serviceType": "Postgres"}),
    )
}
fn database() -> String {
    line(
        "CreateDatabaseRequest",
        json!({"name": "db", "service": "svc"}),
    )
}
fn schema() -> String {
    line(
        "CreateDatabaseSchemaRequest",
        json!({"name": "sales", "database": "svc.db"}),
    )
}
fn table(name: &str) -> String {
    line(
        "CreateTableRequest",
        json!({"name": name, "databaseSchema": "svc.db.sales", "columns": [{"name": "id", "dataType": "INT"}]}),
    )
}

fn read(lines: &[String]) -> Records {
    let work = Workdir::new();
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let p = work.write("out.jsonl", text);
    Records::read(&p)
}

#[test]
fn a_good_file_reads_with_fqns() {
    let r = read(&[
        service(),
        database(),
        schema(),
        table("orders"),
        table("my.table"),
    ]);
    assert_eq!(r.items.len(), 5);
    assert_eq!(
        r.table_fqns().into_iter().collect::<Vec<_>>(),
        ["svc.db.sales.\"my.table\"", "svc.db.sales.orders"]
    );
}

#[test]
#[should_panic(expected = "parents must come before children")]
fn a_table_before_its_schema() {
    let hr = line(
        "CreateDatabaseSchemaRequest",
        json!({"name": "hr", "database": "svc.db"}),
    );
    read(&[service(), database(), schema(), table("orders"), hr]);
}

#[test]
#[should_panic(expected = "which was not written before it")]
fn a_table_of_an_unknown_schema() {
    let orphan = line(
        "CreateTableRequest",
        json!({"name": "t", "databaseSchema": "svc.db.nowhere", "columns": [{"name": "id", "dataType": "INT"}]}),
    );
    read(&[service(), database(), schema(), orphan]);
}

#[test]
#[should_panic(expected = "written twice")]
fn a_table_twice() {
    read(&[
        service(),
        database(),
        schema(),
        table("orders"),
        table("orders"),
    ]);
}

/// `orders` with a foreign key to `customers.id`.
fn orders_with_key() -> String {
    line(
        "CreateTableRequest",
        json!({"name": "orders", "databaseSchema": "svc.db.sales",
               "columns": [{"name": "id", "dataType": "INT"}, {"name": "customer", "dataType": "INT"}],
               "tableConstraints": [{"constraintType": "FOREIGN_KEY", "columns": ["customer"],
                                     "referredColumns": ["svc.db.sales.customers.id"]}]}),
    )
}

fn orders_without_key() -> String {
    line(
        "CreateTableRequest",
        json!({"name": "orders", "databaseSchema": "svc.db.sales",
               "columns": [{"name": "id", "dataType": "INT"}, {"name": "customer", "dataType": "INT"}]}),
    )
}

#[test]
#[should_panic(expected = "which was not written before it: OpenMetadata would refuse the table")]
fn a_foreign_key_to_a_table_written_later() {
    read(&[
        service(),
        database(),
        schema(),
        orders_with_key(),
        table("customers"),
    ]);
}

#[test]
fn a_table_again_with_the_keys_it_waited_for_is_the_final_record() {
    let r = read(&[
        service(),
        database(),
        schema(),
        orders_without_key(),
        table("customers"),
        orders_with_key(),
    ]);
    assert_eq!(r.count("CreateTableRequest"), 2);
    assert!(r.get("svc.db.sales.orders")["tableConstraints"].is_array());
}

#[test]
#[should_panic(expected = "written again with more than its foreign keys changed")]
fn a_table_again_with_other_changes() {
    let mut changed: serde_json::Value = serde_json::from_str(&orders_with_key()).unwrap();
    changed["request"]["description"] = json!("not the same request");
    read(&[
        service(),
        database(),
        schema(),
        orders_without_key(),
        table("customers"),
        changed.to_string(),
    ]);
}

#[test]
#[should_panic(expected = "the service must be the first line")]
fn no_service_first() {
    read(&[database(), service()]);
}

#[test]
#[should_panic(expected = "exactly {\"kind\", \"request\"}")]
fn an_extra_key_on_a_line() {
    read(&[json!({"kind": "CreateDatabaseServiceRequest", "request": {"name": "svc", "serviceType": "Postgres"}, "x": 1})
        .to_string()]);
}

#[test]
#[should_panic(expected = "does not validate against OpenMetadata's schema")]
fn a_request_that_breaks_the_schema() {
    let bad = line(
        "CreateTableRequest",
        json!({"name": "t", "databaseSchema": "svc.db.sales", "columns": [{"name": "id"}]}),
    );
    read(&[service(), database(), schema(), bad]);
}

#[test]
#[should_panic(expected = "no CreateDatabaseServiceRequest")]
fn an_empty_file() {
    read(&[]);
}

fn dashboard_service() -> String {
    line(
        "CreateDashboardServiceRequest",
        json!({"name": "lk", "serviceType": "Looker"}),
    )
}
fn data_model(name: &str) -> String {
    line(
        "CreateDashboardDataModelRequest",
        json!({"name": name, "service": "lk", "dataModelType": "LookMlExplore",
               "columns": [{"name": "id", "dataType": "NUMBER"}]}),
    )
}
fn chart(name: &str) -> String {
    line(
        "CreateChartRequest",
        json!({"name": name, "service": "lk", "chartType": "Bar"}),
    )
}
fn dashboard(name: &str, charts: &[&str], models: &[&str]) -> String {
    line(
        "CreateDashboardRequest",
        json!({"name": name, "service": "lk", "charts": charts, "dataModels": models}),
    )
}

#[test]
fn a_good_dashboard_file_reads_with_fqns() {
    // Charts and dashboards interleave: each dashboard follows its own charts.
    let r = read(&[
        dashboard_service(),
        data_model("sales.orders"),
        chart("1"),
        dashboard("7", &["lk.1"], &["lk.model.\"sales.orders\""]),
        chart("2"),
        dashboard("8", &["lk.2", "lk.1"], &[]),
    ]);
    assert_eq!(
        r.fqns("CreateDashboardDataModelRequest")
            .into_iter()
            .collect::<Vec<_>>(),
        ["lk.model.\"sales.orders\""]
    );
    assert_eq!(
        r.fqns("CreateDashboardRequest")
            .into_iter()
            .collect::<Vec<_>>(),
        ["lk.7", "lk.8"]
    );
}

#[test]
#[should_panic(expected = "which was not written before it")]
fn a_dashboard_naming_an_unwritten_chart() {
    read(&[
        dashboard_service(),
        dashboard("7", &["lk.1"], &[]),
        chart("1"),
    ]);
}

#[test]
#[should_panic(expected = "which was not written before it")]
fn a_dashboard_naming_a_data_model_without_its_model_part() {
    read(&[
        dashboard_service(),
        data_model("orders"),
        dashboard("7", &[], &["lk.orders"]),
    ]);
}

#[test]
#[should_panic(expected = "parents must come before children")]
fn a_data_model_after_a_dashboard() {
    read(&[
        dashboard_service(),
        dashboard("7", &[], &[]),
        data_model("orders"),
    ]);
}

#[test]
#[should_panic(expected = "does not belong under a CreateDashboardServiceRequest")]
fn a_database_under_a_dashboard_service() {
    let db = line(
        "CreateDatabaseRequest",
        json!({"name": "db", "service": "lk"}),
    );
    read(&[dashboard_service(), db]);
}

fn classification(name: &str) -> String {
    line(
        "CreateClassificationRequest",
        json!({"name": name, "description": "c"}),
    )
}

fn tag(classification: &str, name: &str) -> String {
    line(
        "CreateTagRequest",
        json!({"classification": classification, "name": name, "description": "t"}),
    )
}

/// A table whose nested column `a.b` carries a label of `fqn`.
fn labelled_table(fqn: &str) -> String {
    let label = json!({"tagFQN": fqn, "source": "Classification", "labelType": "Automated", "state": "Suggested"});
    line(
        "CreateTableRequest",
        json!({"name": "t", "databaseSchema": "svc.db.sales", "columns": [
            {"name": "a", "dataType": "STRUCT", "children": [{"name": "b", "dataType": "INT", "tags": [label]}]}]}),
    )
}

#[test]
fn classification_and_tag_lines_come_before_the_labels_that_name_them() {
    let r = read(&[
        service(),
        database(),
        schema(),
        classification("pii.v1"),
        tag("\"pii.v1\"", "email"),
        labelled_table("\"pii.v1\".email"),
        // Written again by a resumed run: allowed.
        classification("pii.v1"),
    ]);
    assert_eq!(
        r.fqns("CreateTagRequest").into_iter().collect::<Vec<_>>(),
        ["\"pii.v1\".email"]
    );
    assert_eq!(r.count("CreateClassificationRequest"), 2);
}

#[test]
#[should_panic(expected = "carries a label of tag pii.email, which was not written before it")]
fn a_label_of_a_tag_not_written_is_caught_even_in_a_nested_column() {
    read(&[service(), database(), schema(), labelled_table("pii.email")]);
}

#[test]
#[should_panic(expected = "tag email of classification pii, which was not written before it")]
fn a_tag_before_its_classification_is_caught() {
    read(&[service(), tag("pii", "email")]);
}

#[test]
fn a_chart_on_two_dashboards_may_come_again_identically() {
    let r = read(&[
        dashboard_service(),
        chart("1"),
        dashboard("7", &["lk.1"], &[]),
        chart("1"),
        dashboard("8", &["lk.1"], &[]),
    ]);
    assert_eq!(r.count("CreateChartRequest"), 2);
}

#[test]
#[should_panic(expected = "chart lk.1 written twice, differently")]
fn a_chart_written_again_differently() {
    let other = line(
        "CreateChartRequest",
        json!({"name": "1", "service": "lk", "chartType": "Pie"}),
    );
    read(&[dashboard_service(), chart("1"), other]);
}
