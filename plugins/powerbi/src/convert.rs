//! Power BI items in OpenMetadata's terms, as OpenMetadata's own Power BI connector writes them
//! (its `metadata/ingestion/source/dashboard/powerbi/metadata.py`), so the FQNs users already have
//! stay the same: every entity is named by its Power BI id, shown by its Power BI name.

use omrun_sdk::types::{Column, DataType};

use crate::api;

/// OpenMetadata's access rights that make a user an owner (`OWNER_ACCESS_RIGHTS_KEYWORDS`).
const OWNER_RIGHTS: [&str; 3] = ["owner", "write", "admin"];
/// OpenMetadata's longest column name (`truncate_column_name`).
const MAX_COLUMN_NAME: usize = 256;

/// `{hostPort}/groups/{workspace}/dashboards/{id}?experience=power-bi`.
pub fn dashboard_url(web: &str, workspace: &str, id: &str) -> String {
    format!("{web}/groups/{workspace}/dashboards/{id}?experience=power-bi")
}

/// `{hostPort}/groups/{workspace}/{reports|rdlreports}/{id}[/{page}]?experience=power-bi`.
pub fn report_url(web: &str, workspace: &str, report: &api::Report, page: Option<&str>) -> String {
    let prefix = if report.format.as_deref() == Some("RDL") {
        "rdlreports"
    } else {
        "reports"
    };
    let page = page.map(|p| format!("/{p}")).unwrap_or_default();
    format!(
        "{web}/groups/{workspace}/{prefix}/{}{page}?experience=power-bi",
        report.id
    )
}

/// A tile's URL: the report it shows, else its dashboard (no `?experience`, as OpenMetadata).
pub fn tile_url(web: &str, workspace: &str, tile: &api::Tile, dashboard: &str) -> String {
    match &tile.report_id {
        Some(report) => format!("{web}/groups/{workspace}/reports/{report}"),
        None => format!("{web}/groups/{workspace}/dashboards/{dashboard}"),
    }
}

/// A data model's URL by kind (`datasets/{id}/details`, `dataflows/{id}`, `datamarts/{id}`).
pub fn data_model_url(web: &str, workspace: &str, kind: &str, id: &str) -> String {
    let details = if kind == "datasets" { "/details" } else { "" };
    format!("{web}/groups/{workspace}/{kind}/{id}{details}?experience=power-bi")
}

/// A report page's chart name: `{report id}_{page name}` (page names repeat across reports).
pub fn page_chart_name(report: &str, page: &str) -> String {
    format!("{report}_{page}")
}

/// The owners of an item, as OpenMetadata's `get_owner_ref` picks them: its users who are
/// members (`userType: Member`) with an access right naming owner, write or admin, by e-mail
/// (lower-cased, as OpenMetadata looks it up); then the user who last changed it
/// (`modifiedBy`, a dataset's `configuredBy`), once.
pub fn owners(
    users: &[api::User],
    right: fn(&api::User) -> Option<&String>,
    last_changed_by: Option<&str>,
) -> Vec<String> {
    let mut owners: Vec<String> = Vec::new();
    let mut add = |email: &str| {
        let email = email.trim().to_lowercase();
        if is_email(&email) && !owners.contains(&email) {
            owners.push(email);
        }
    };
    for user in users {
        if user.user_type.as_deref() != Some("Member") {
            continue;
        }
        let Some(access) = right(user) else { continue };
        let access = access.to_lowercase();
        if !OWNER_RIGHTS.iter().any(|k| access.contains(k)) {
            continue;
        }
        if let Some(email) = &user.email_address {
            add(email);
        }
    }
    if let Some(user) = last_changed_by {
        add(user);
    }
    owners
}

/// Roughly pydantic's `EmailStr`: `local@domain.tld`, no spaces.
fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// A column, flat list: `parent` is its table's index.
fn column(
    name: &str,
    data_type: DataType,
    display: String,
    description: Option<String>,
    position: usize,
    parent: Option<usize>,
) -> Column {
    Column {
        name: name.chars().take(MAX_COLUMN_NAME).collect(),
        data_type,
        array_data_type: (data_type == DataType::Array).then_some(DataType::Unknown),
        data_type_display: display,
        data_length: None,
        precision: None,
        scale: None,
        nullable: true,
        ordinal_position: u32::try_from(position).unwrap_or(u32::MAX),
        description: description.filter(|d| !d.trim().is_empty()),
        parent: parent.map(|p| u32::try_from(p).unwrap_or(u32::MAX)),
        tags: vec![],
    }
}

/// A table of a data model as OpenMetadata builds it: a `TABLE` column shown as `PowerBI Table`,
/// its columns (typed by OpenMetadata's `ColumnTypeParser`) and then its measures
/// (`MEASURE_VISIBLE`/`MEASURE_HIDDEN`, described by their DAX) as children.
fn push_table(
    out: &mut Vec<Column>,
    name: &str,
    description: Option<String>,
    columns: &[api::Column],
    measures: &[api::Measure],
) {
    let table = out.len();
    let position = out.iter().filter(|c| c.parent.is_none()).count() + 1;
    out.push(column(
        name,
        DataType::Table,
        "PowerBI Table".into(),
        description,
        position,
        None,
    ));
    let mut child = 0;
    for c in columns {
        let Some(name) = c.name.as_deref().filter(|n| !n.is_empty()) else {
            continue;
        };
        child += 1;
        let (data_type, display) = match c.data_type.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => (omrun_common_db::type_parser::family(t).0, t.to_owned()),
            None => (DataType::Unknown, "UNKNOWN".to_owned()),
        };
        out.push(column(
            name,
            data_type,
            display,
            c.description.clone(),
            child,
            Some(table),
        ));
    }
    for m in measures {
        let Some(name) = m.name.as_deref().filter(|n| !n.is_empty()) else {
            continue;
        };
        child += 1;
        let kind = if m.is_hidden == Some(true) {
            (DataType::MeasureHidden, "MEASURE HIDDEN")
        } else {
            (DataType::MeasureVisible, "MEASURE VISIBLE")
        };
        out.push(column(
            name,
            kind.0,
            kind.1.into(),
            Some(measure_description(m)),
            child,
            Some(table),
        ));
    }
}

/// `Expression : {dax}\n\nDescription : {text}`, either part empty when unset.
fn measure_description(m: &api::Measure) -> String {
    let part = |label: &str, v: &Option<String>| {
        v.as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| format!("{label} : {s}"))
            .unwrap_or_default()
    };
    format!(
        "{}\n\n{}",
        part("Expression", &m.expression),
        part("Description", &m.description)
    )
}

/// A dataset's tables as data-model columns.
pub fn dataset_columns(dataset: &api::Dataset) -> Vec<Column> {
    let mut out = Vec::new();
    for t in &dataset.tables {
        if let Some(name) = t.name.as_deref().filter(|n| !n.is_empty()) {
            push_table(
                &mut out,
                name,
                t.description.clone(),
                &t.columns,
                &t.measures,
            );
        }
    }
    out
}

/// A dataflow's entities (its export's model.json) as data-model columns.
pub fn dataflow_columns(export: &api::DataflowExport) -> Vec<Column> {
    let mut out = Vec::new();
    for e in &export.entities {
        if let Some(name) = e.name.as_deref().filter(|n| !n.is_empty()) {
            push_table(&mut out, name, e.description.clone(), &e.attributes, &[]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(json: &str) -> api::User {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn urls_follow_openmetadata() {
        let report: api::Report = serde_json::from_str(r#"{"id":"r1","name":"Sales"}"#).unwrap();
        assert_eq!(
            report_url(
                "https://app.powerbi.com",
                "w",
                &report,
                Some("ReportSection")
            ),
            "https://app.powerbi.com/groups/w/reports/r1/ReportSection?experience=power-bi"
        );
        let rdl: api::Report = serde_json::from_str(r#"{"id":"r2","format":"RDL"}"#).unwrap();
        assert_eq!(
            report_url("h", "w", &rdl, None),
            "h/groups/w/rdlreports/r2?experience=power-bi"
        );
        assert_eq!(
            dashboard_url("h", "w", "d"),
            "h/groups/w/dashboards/d?experience=power-bi"
        );
        assert_eq!(
            data_model_url("h", "w", "datasets", "x"),
            "h/groups/w/datasets/x/details?experience=power-bi"
        );
        assert_eq!(
            data_model_url("h", "w", "dataflows", "x"),
            "h/groups/w/dataflows/x?experience=power-bi"
        );
        let tile: api::Tile = serde_json::from_str(r#"{"id":"t","reportId":"r"}"#).unwrap();
        assert_eq!(tile_url("h", "w", &tile, "d"), "h/groups/w/reports/r");
        let bare: api::Tile = serde_json::from_str(r#"{"id":"t"}"#).unwrap();
        assert_eq!(tile_url("h", "w", &bare, "d"), "h/groups/w/dashboards/d");
    }

    #[test]
    fn owners_are_members_with_write_rights_then_the_last_editor() {
        let users = [
            user(
                r#"{"emailAddress":"Ann@Example.com","userType":"Member","reportUserAccessRight":"Owner"}"#,
            ),
            user(
                r#"{"emailAddress":"guest@example.com","userType":"Guest","reportUserAccessRight":"Owner"}"#,
            ),
            user(
                r#"{"emailAddress":"reader@example.com","userType":"Member","reportUserAccessRight":"Read"}"#,
            ),
            user(
                r#"{"emailAddress":"w@example.com","userType":"Member","reportUserAccessRight":"ReadWrite"}"#,
            ),
            user(
                r#"{"emailAddress":"not-an-email","userType":"Member","reportUserAccessRight":"Admin"}"#,
            ),
            user(r#"{"userType":"Member","datasetUserAccessRight":"ReadWriteReshareExplore"}"#),
        ];
        let right: fn(&api::User) -> Option<&String> = |u| u.report_user_access_right.as_ref();
        assert_eq!(
            owners(&users, right, Some("ann@example.com")),
            ["ann@example.com", "w@example.com"]
        );
        assert_eq!(
            owners(&users[1..3], right, Some("Ed@Example.com")),
            ["ed@example.com"]
        );
        assert!(owners(&users, |u| u.dataset_user_access_right.as_ref(), None).is_empty());
    }

    #[test]
    fn dataset_columns_are_tables_with_columns_and_measures() {
        let d: api::Dataset = serde_json::from_str(
            r#"{"id":"d","tables":[
                {"name":"orders","description":"All orders","columns":[
                    {"name":"id","dataType":"Int64"},{"name":"when","dataType":"DateTime"},
                    {"name":"x"},{"name":""}],
                 "measures":[{"name":"Total","expression":"SUM(orders[amount])"},
                             {"name":"Secret","isHidden":true,"description":"hidden"}]},
                {"name":"people","columns":[{"name":"name","dataType":"String"}]},
                {"name":null}]}"#,
        )
        .unwrap();
        let cols = dataset_columns(&d);
        let shown: Vec<_> = cols
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.data_type,
                    c.data_type_display.as_str(),
                    c.ordinal_position,
                    c.parent,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("orders", DataType::Table, "PowerBI Table", 1, None),
                ("id", DataType::Bigint, "Int64", 1, Some(0)),
                ("when", DataType::Datetime, "DateTime", 2, Some(0)),
                ("x", DataType::Unknown, "UNKNOWN", 3, Some(0)),
                (
                    "Total",
                    DataType::MeasureVisible,
                    "MEASURE VISIBLE",
                    4,
                    Some(0)
                ),
                (
                    "Secret",
                    DataType::MeasureHidden,
                    "MEASURE HIDDEN",
                    5,
                    Some(0)
                ),
                ("people", DataType::Table, "PowerBI Table", 2, None),
                ("name", DataType::String, "String", 1, Some(6)),
            ]
        );
        assert_eq!(cols[0].description.as_deref(), Some("All orders"));
        assert_eq!(
            cols[4].description.as_deref(),
            Some("Expression : SUM(orders[amount])\n\n")
        );
        assert_eq!(
            cols[5].description.as_deref(),
            Some("\n\nDescription : hidden")
        );
    }
}
