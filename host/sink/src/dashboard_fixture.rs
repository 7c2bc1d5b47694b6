//! The dashboard requests omrun writes for a Looker-like service, checked in as file-sink output
//! (`tests/fixtures/dashboard_requests.jsonl`) until a dashboard plugin can produce them: the tests
//! crate validates that file against OpenMetadata's JSON Schemas, compares its `sourceHash`es with
//! OpenMetadata's own `generate_source_hash` (scripts/om-source-hash.py), and replays it into the
//! OpenMetadata stand-in. This test keeps the file equal to what the sink writes today.

use super::file::line;
use super::requests::Requests;
use omrun_model::{Chart, Column, Dashboard, DashboardDataModel, Entity};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/dashboard_requests.jsonl"
);

fn column(name: &str, position: u32, data_type: &'static str, display: &str) -> Column {
    Column {
        name: name.into(),
        data_type,
        data_type_display: display.into(),
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
        nullable: true,
        ordinal_position: position,
        description: None,
        children: Vec::new(),
        tags: Vec::new(),
    }
}

/// What a Looker plugin returns, in the order the pipeline writes it: data models first, then
/// each dashboard's charts followed by the dashboard. Names exercise quoting (dots), OpenMetadata's
/// reserved sequences (`::`) and non-ASCII text.
pub(crate) fn entities() -> Vec<Entity> {
    let orders = DashboardDataModel {
        name: "sales.orders".into(),
        display_name: Some("Orders".into()),
        description: Some("Orders with their customer".into()),
        data_model_type: "LookMlExplore",
        columns: vec![
            column("orders.count", 2, "NUMBER", "count"),
            column("orders.id", 1, "NUMBER", "number"),
            Column {
                array_data_type: Some("UNKNOWN"),
                ..column("orders.tags", 3, "ARRAY", "list")
            },
            Column {
                description: Some("Ville du client, « livraison »".into()),
                ..column("customers.city", 4, "STRING", "string")
            },
        ],
        sql: Some(
            "SELECT *\n  FROM orders\n  JOIN customers ON orders.customer_id = customers.id".into(),
        ),
        project: Some("finance".into()),
        source_url: Some("https://looker.example.com/explore/sales/orders".into()),
        upstream: vec![],
    };
    let ventes = DashboardDataModel {
        name: "ventes_été".into(),
        display_name: None,
        description: None,
        data_model_type: "LookMlView",
        columns: vec![column("montant", 1, "NUMBER", "sum")],
        sql: None,
        project: None,
        source_url: None,
        upstream: vec![],
    };
    let chart = |name: &str, title: Option<&str>, chart_type| Chart {
        name: name.into(),
        display_name: title.map(Into::into),
        description: None,
        chart_type,
        source_url: Some(format!(
            "https://looker.example.com/dashboards/7?tile={name}"
        )),
        upstream: vec![],
    };
    let sales = Dashboard {
        name: "7".into(),
        display_name: Some("Sales overview".into()),
        description: Some("Weekly sales, by region".into()),
        dashboard_type: "Dashboard",
        source_url: Some("https://looker.example.com/dashboards/7".into()),
        project: Some("Shared/Finance".into()),
        charts: vec!["12".into(), "kpi::total".into()],
        data_models: vec!["sales.orders".into(), "ventes_été".into()],
        owners: vec!["ann@example.com".into()],
        upstream: vec![],
    };
    let empty = Dashboard {
        name: "draft.1".into(),
        display_name: None,
        description: None,
        dashboard_type: "Report",
        source_url: None,
        project: None,
        charts: vec![],
        data_models: vec![],
        owners: vec![],
        upstream: vec![],
    };
    vec![
        Entity::DashboardDataModel(orders),
        Entity::DashboardDataModel(ventes),
        Entity::Chart(chart("12", Some("Sales by week"), "Line")),
        Entity::Chart(Chart {
            description: Some("Total, all regions".into()),
            ..chart("kpi::total", None, "Text")
        }),
        Entity::Dashboard(sales),
        Entity::Dashboard(empty),
    ]
}

#[test]
fn the_checked_in_dashboard_requests_are_what_the_sink_writes() {
    let requests = Requests::new("looker.prod", "Looker");
    let mut text = line(&requests.service()) + "\n";
    for entity in entities() {
        text += &(line(&requests.entity(&entity)) + "\n");
    }
    let checked_in = std::fs::read_to_string(FIXTURE).unwrap_or_default();
    if checked_in != text {
        if std::env::var_os("OMRUN_BLESS").is_some() {
            std::fs::write(FIXTURE, &text).expect("write the fixture");
            return;
        }
        panic!(
            "{FIXTURE} is not what the sink writes: regenerate it with `OMRUN_BLESS=1 cargo test \
             -p omrun-sink --lib dashboard_fixture`, then run the omrun-tests test `dashboard_requests` \
             (it compares every sourceHash with OpenMetadata's). Expected:\n{text}"
        );
    }
}
