//! The parts of the Power BI REST API's answers the connector reads (the shapes of Microsoft's
//! REST reference, as OpenMetadata's `powerbi/models.py` reads them). Every field but ids is
//! optional: the API leaves out what is not set, and the scan result holds only what its flags
//! asked for.

use serde::{Deserialize, Deserializer};

/// Microsoft Entra ID's token answer (v2.0 client credentials).
#[derive(Debug, Deserialize)]
pub struct Token {
    pub access_token: String,
    /// Seconds.
    pub expires_in: Option<u64>,
}

/// Entra ID's error answer: `{"error", "error_description": "AADSTSnnn: …\r\nTrace ID: …"}`.
#[derive(Debug, Deserialize)]
pub struct TokenError {
    pub error_description: Option<String>,
}

/// `GET groups` / `GET admin/groups`.
#[derive(Debug, Deserialize)]
pub struct Groups {
    #[serde(rename = "@odata.count")]
    pub count: Option<usize>,
    #[serde(default)]
    pub value: Vec<Group>,
}

#[derive(Debug, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: Option<String>,
}

/// `{"value": [...]}`, the other listings.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct List<T> {
    #[serde(default = "Vec::new", deserialize_with = "nullable")]
    pub value: Vec<T>,
}

/// `ScanRequest`, the answer of `POST admin/workspaces/getInfo` and `GET …/scanStatus/{id}`.
#[derive(Debug, Deserialize)]
pub struct Scan {
    pub id: String,
    pub status: Option<String>,
}

/// `GET admin/workspaces/scanResult/{id}`.
#[derive(Debug, Deserialize)]
pub struct ScanResult {
    #[serde(default, deserialize_with = "nullable")]
    pub workspaces: Vec<Workspace>,
}

/// A workspace with its items: from the scan result, or assembled from the per-workspace API.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: Option<String>,
    pub state: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub reports: Vec<Report>,
    #[serde(default, deserialize_with = "nullable")]
    pub dashboards: Vec<Dashboard>,
    #[serde(default, deserialize_with = "nullable")]
    pub datasets: Vec<Dataset>,
    #[serde(default, deserialize_with = "nullable")]
    pub dataflows: Vec<Dataflow>,
    #[serde(default, deserialize_with = "nullable")]
    pub datamarts: Vec<Datamart>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// The dataset it shows: for the lineage report → data model (contract 0.4.0).
    #[allow(dead_code)]
    pub dataset_id: Option<String>,
    /// `PowerBIReport` or `RDL` (a paginated report).
    pub format: Option<String>,
    pub modified_by: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub tiles: Vec<Tile>,
    #[serde(default, deserialize_with = "nullable")]
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tile {
    pub id: String,
    pub title: Option<String>,
    pub report_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Owners of data models: OpenMetadata sets them, contract 0.3.0's data models have none.
    #[allow(dead_code)]
    pub configured_by: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub tables: Vec<Table>,
    #[serde(default, deserialize_with = "nullable")]
    pub expressions: Vec<Expression>,
    #[allow(dead_code)]
    #[serde(default, deserialize_with = "nullable")]
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Table {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub columns: Vec<Column>,
    #[serde(default, deserialize_with = "nullable")]
    pub measures: Vec<Measure>,
    /// Its Power Query source; a `.pbit` file's tables have it on their first partition instead.
    #[serde(default, deserialize_with = "nullable")]
    pub source: Vec<Source>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub name: Option<String>,
    pub data_type: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Measure {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lines")]
    pub expression: Option<String>,
    pub description: Option<String>,
    pub is_hidden: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Source {
    #[serde(default, deserialize_with = "lines")]
    pub expression: Option<String>,
}

/// A dataset's shared expression (a Power Query parameter: `"value" meta [IsParameterQuery=true…]`).
#[derive(Debug, Clone, Deserialize)]
pub struct Expression {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lines")]
    pub expression: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // `modified_by`, `users`: data models have no owners in contract 0.3.0
pub struct Dataflow {
    #[serde(rename = "objectId")]
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub modified_by: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // `modified_by`, `users`: data models have no owners in contract 0.3.0
pub struct Datamart {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub modified_by: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub users: Vec<User>,
}

/// A user's access to an item (`getArtifactUsers`); the access right's key depends on the item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // the data models' access rights: no owners in contract 0.3.0
pub struct User {
    pub email_address: Option<String>,
    pub user_type: Option<String>,
    pub report_user_access_right: Option<String>,
    pub dashboard_user_access_right: Option<String>,
    pub dataset_user_access_right: Option<String>,
    pub dataflow_user_access_right: Option<String>,
    pub datamart_user_access_right: Option<String>,
}

/// A report page (`GET groups/{g}/reports/{r}/pages`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub name: Option<String>,
    pub display_name: Option<String>,
}

/// `GET admin/dataflows/{id}/export`: the dataflow's model.json.
#[derive(Debug, Deserialize)]
pub struct DataflowExport {
    #[serde(default, deserialize_with = "nullable")]
    pub entities: Vec<DataflowEntity>,
}

#[derive(Debug, Deserialize)]
pub struct DataflowEntity {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub attributes: Vec<Column>,
}

/// A list that may be `null`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// An expression given as a string or as a list of lines (joined with `\n`, as OpenMetadata does).
fn lines<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        One(String),
        Lines(Vec<String>),
    }
    Ok(Option::<Text>::deserialize(d)?.map(|t| match t {
        Text::One(s) => s,
        Text::Lines(l) => l.join("\n"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_results_with_nulls_and_lines() {
        let r: ScanResult = serde_json::from_str(
            r#"{"workspaces":[{"id":"w","name":"Sales","state":"Active","reports":null,
                "datasets":[{"id":"d","tables":[{"name":"t","columns":null,
                  "measures":[{"name":"m","expression":["SUM(x)","+1"]}],
                  "source":[{"expression":["let","in x"]}]}]}],
                "dataflows":[{"objectId":"f","name":"Flow"}]}],"datasourceInstances":[]}"#,
        )
        .unwrap();
        let w = &r.workspaces[0];
        assert!(w.reports.is_empty() && w.dashboards.is_empty());
        let t = &w.datasets[0].tables[0];
        assert_eq!(t.measures[0].expression.as_deref(), Some("SUM(x)\n+1"));
        assert_eq!(t.source[0].expression.as_deref(), Some("let\nin x"));
        assert_eq!(w.dataflows[0].id, "f");
    }
}
