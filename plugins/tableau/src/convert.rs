//! Tableau's objects as OpenMetadata's Tableau connector writes them (openmetadata-ingestion
//! 2.0.7.0, `metadata/ingestion/source/dashboard/tableau/metadata.py`): names are Tableau's ids,
//! display names its names; a view's chart type from its sheet type; a data source's fields as
//! `RECORD` columns named by field id, whose children are the database columns they read — or,
//! for a plain field mirroring one column, that column's type on the field itself.

use std::collections::BTreeSet;

use omrun_common_db::type_parser::family;
use omrun_sdk::types::{ChartType, Column, DataType, NestedColumn, UpstreamTable};

use crate::api;

/// OpenMetadata's `dataTypeDisplay` of a field that is not a mirror of one column.
pub const FIELD_TYPE_DISPLAY: &str = "Tableau Field";
/// OpenMetadata limits a column's name to 256 characters (`truncate_column_name`).
const MAX_COLUMN_NAME: usize = 256;

/// `get_standard_chart_type(sheetType)`: Tableau's sheet types (`worksheet`, `dashboard`,
/// `story`) are none of the names OpenMetadata's table maps, so every view is `Other` unless its
/// type is one of them.
pub fn chart_type(sheet_type: Option<&str>) -> ChartType {
    match sheet_type.map(str::to_lowercase).as_deref() {
        Some("line" | "big_number" | "big_number_total" | "dual_line" | "line_multi") => {
            ChartType::Line
        }
        Some("table") => ChartType::Table,
        Some("dist_bar" | "bar" | "vertical_bar") => ChartType::Bar,
        Some("box_plot" | "box" | "boxplot") => ChartType::BoxPlot,
        Some("histogram") => ChartType::Histogram,
        Some("treemap" | "area") => ChartType::Area,
        Some("pie") => ChartType::Pie,
        Some("text") => ChartType::Text,
        Some("scatter") => ChartType::Scatter,
        Some("gauge") => ChartType::Gauge,
        Some("map") => ChartType::Map,
        Some("graph") => ChartType::Graph,
        Some("heatmap") => ChartType::Heatmap,
        Some("timeline") => ChartType::Timeline,
        _ => ChartType::Other,
    }
}

/// A view's URL as OpenMetadata builds it: `{base}#/site/{site}/views/{workbook}/{view}` from the
/// view's content URL `Workbook/sheets/View` (`{base}#views/…` on the default site; no `/` after
/// the base, as OpenMetadata writes it). A content URL without `/` gives empty parts, as there.
pub fn chart_url(base: &str, site: &str, content_url: &str) -> String {
    let parts: Vec<&str> = content_url.split('/').collect();
    let (workbook, view) = match parts.as_slice() {
        [w, _, v] => (*w, *v),
        // OpenMetadata's ChartUrl unpacks exactly three parts; anything else raises there and
        // the chart is skipped. Here the whole content URL stands for the view.
        _ if content_url.contains('/') => ("", content_url),
        _ => ("", ""),
    };
    let site = if site.is_empty() {
        String::new()
    } else {
        format!("/site/{site}/")
    };
    format!("{base}#{site}views/{workbook}/{view}")
}

/// A workbook's URL as OpenMetadata builds it: `{base}/#{fragment of webpageUrl}/views`.
pub fn dashboard_url(base: &str, webpage_url: Option<&str>) -> String {
    let fragment = webpage_url
        .and_then(|u| u.split_once('#'))
        .map(|(_, f)| f)
        .unwrap_or_default();
    format!("{base}/#{fragment}/views")
}

/// OpenMetadata's `normalize_column_name`: case and every non-alphanumeric character dropped
/// (`Order Date` and `order_date` are the same column).
fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn column_name(id: &str) -> String {
    id.chars().take(MAX_COLUMN_NAME).collect()
}

/// OpenMetadata's column fields for a Tableau `remoteType` (`ColumnTypeParser.get_column_type`),
/// with the `dataLength` of 0 it gives char and binary types (Tableau never says a length).
fn typed(remote_type: Option<&str>, name: String, description: Option<String>) -> Column {
    let (data_type, _) = remote_type.map_or((DataType::Unknown, "UNKNOWN"), family);
    let length = matches!(
        data_type,
        DataType::Char | DataType::Varchar | DataType::Binary | DataType::Varbinary
    )
    .then_some(0);
    Column {
        name,
        data_type,
        data_type_display: remote_type.unwrap_or("UNKNOWN").to_owned(),
        array_data_type: (remote_type == Some("ARRAY")).then_some(DataType::Unknown),
        data_length: length,
        precision: None,
        scale: None,
        nullable: true,
        ordinal_position: 0,
        description,
        parent: None,
        tags: vec![],
    }
}

/// The one column a plain field mirrors: a field that is not calculated, reads exactly one column,
/// and has that column's name up to case and separators.
fn mirrored(field: &api::Field) -> Option<&api::UpstreamColumn> {
    if field.formula.is_some() {
        return None;
    }
    let columns: Vec<&api::UpstreamColumn> =
        field.upstream_columns.iter().flatten().flatten().collect();
    let [column] = columns.as_slice() else {
        return None;
    };
    let field_name = normalized(field.name.as_deref().unwrap_or(&field.id));
    let column_name = normalized(column.name.as_deref().unwrap_or(&column.id));
    (!field_name.is_empty() && field_name == column_name).then_some(*column)
}

/// A data source's fields as OpenMetadata's `get_column_info` makes them.
pub fn columns(fields: &[api::Field]) -> Vec<Column> {
    let tree = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let mut description = f.description.clone().unwrap_or_default();
            if let Some(formula) = &f.formula {
                let formula = format!("**Formula:** `{formula}`");
                description = if description.is_empty() {
                    formula
                } else {
                    format!("{description}\n\n{formula}")
                };
            }
            let description = Some(description).filter(|d| !d.is_empty());
            let name = column_name(&f.id);
            if let Some(column) = mirrored(f) {
                let column = typed(column.remote_type.as_deref(), name, description);
                return NestedColumn::new(
                    Column {
                        ordinal_position: position,
                        ..column
                    },
                    vec![],
                );
            }
            let field = Column {
                data_type: DataType::Record,
                data_type_display: FIELD_TYPE_DISPLAY.into(),
                data_length: None,
                ordinal_position: position,
                ..typed(None, name, description)
            };
            let children = f
                .upstream_columns
                .iter()
                .flatten()
                .flatten()
                .map(|c| {
                    NestedColumn::new(
                        typed(c.remote_type.as_deref(), column_name(&c.id), None),
                        vec![],
                    )
                })
                .collect();
            NestedColumn::new(field, children)
        })
        .collect();
    NestedColumn::flatten(tree)
}

/// The custom SQL behind a data source: the distinct queries that read its upstream tables,
/// joined by a blank line (sorted: OpenMetadata joins a set, in no fixed order).
pub fn sql(tables: &[api::UpstreamTable]) -> Option<String> {
    let queries: BTreeSet<&str> = tables
        .iter()
        .flat_map(|t| t.referenced_by_queries.iter().flatten())
        .filter_map(|q| q.query.as_deref())
        .collect();
    (!queries.is_empty()).then(|| queries.into_iter().collect::<Vec<_>>().join("\n\n"))
}

/// The tables a data source reads, as OpenMetadata's lineage finds them: the table's database and
/// schema as the Metadata API gives them, else from its name (`schema.table`, `db.schema.table`);
/// each table column with the data-model columns (fields, by id) that read it. A table whose name
/// Tableau withholds is left out, as there is nothing to find it by.
pub fn upstream_tables(ds: &api::Datasource) -> Vec<UpstreamTable> {
    let fields = ds.fields.as_deref().unwrap_or_default();
    ds.upstream_tables
        .iter()
        .flatten()
        .filter_map(|t| {
            let full = t.name.as_deref().filter(|n| !n.is_empty())?;
            let mut parts: Vec<&str> = full.split('.').collect();
            let table = parts.pop().unwrap_or(full).to_owned();
            let (db, schema) = match parts.as_slice() {
                [db, schema] => (Some(*db), Some(*schema)),
                [schema] => (None, Some(*schema)),
                _ => (None, None),
            };
            let database = t
                .database
                .as_ref()
                .and_then(|d| d.name.clone())
                .or(db.map(str::to_owned));
            let schema = t
                .schema
                .clone()
                .filter(|s| !s.is_empty())
                .or(schema.map(str::to_owned));
            let mut columns: Vec<(String, String)> = Vec::new();
            for c in t.columns.iter().flatten() {
                let Some(column) = c.name.clone() else {
                    continue;
                };
                for f in fields {
                    let reads = f
                        .upstream_columns
                        .iter()
                        .flatten()
                        .flatten()
                        .any(|u| u.id == c.id);
                    if reads {
                        columns.push((column.clone(), column_name(&f.id)));
                    }
                }
            }
            Some(UpstreamTable::new(database, schema, table).with_columns(columns))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(json: &str) -> api::Field {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn chart_types_and_urls() {
        assert_eq!(chart_type(Some("worksheet")), ChartType::Other);
        assert_eq!(chart_type(Some("dashboard")), ChartType::Other);
        assert_eq!(chart_type(Some("Pie")), ChartType::Pie);
        assert_eq!(chart_type(None), ChartType::Other);
        assert_eq!(
            chart_url("https://t.example.com", "omrun", "Sales/sheets/Overview"),
            "https://t.example.com#/site/omrun/views/Sales/Overview"
        );
        assert_eq!(
            chart_url("https://t.example.com", "", "Sales/sheets/Overview"),
            "https://t.example.com#views/Sales/Overview"
        );
        assert_eq!(
            dashboard_url("https://t", Some("https://x/#/site/omrun/workbooks/12")),
            "https://t/#/site/omrun/workbooks/12/views"
        );
        assert_eq!(dashboard_url("https://t", None), "https://t/#/views");
    }

    #[test]
    fn a_mirror_takes_its_column_s_type() {
        let cols = columns(&[field(
            r#"{"id":"f1","name":"Order Date","upstreamColumns":[{"id":"c1","name":"order_date","remoteType":"DBTIMESTAMP"}]}"#,
        )]);
        assert_eq!(cols.len(), 1);
        assert_eq!(cols[0].name, "f1");
        assert_eq!(cols[0].data_type, DataType::Timestamp);
        assert_eq!(cols[0].data_type_display, "DBTIMESTAMP");
        assert_eq!(cols[0].ordinal_position, 1);
    }

    #[test]
    fn other_fields_are_records_with_their_columns() {
        let cols = columns(&[
            field(
                r#"{"id":"f2","name":"Per order","description":"Why","formula":"SUM([a])",
                    "upstreamColumns":[{"id":"c1","name":"amount","remoteType":"R8"},
                                       {"id":"c2","name":"code","remoteType":"VARCHAR"}, null]}"#,
            ),
            field(r#"{"id":"f3","name":"Renamed","upstreamColumns":[{"id":"c3","name":"x"}]}"#),
        ]);
        let shape: Vec<_> = cols
            .iter()
            .map(|c| (c.name.as_str(), c.data_type, c.parent, c.data_length))
            .collect();
        assert_eq!(
            shape,
            [
                ("f2", DataType::Record, None, None),
                ("c1", DataType::Double, Some(0), None),
                ("c2", DataType::Varchar, Some(0), Some(0)),
                ("f3", DataType::Record, None, None),
                ("c3", DataType::Unknown, Some(3), None),
            ]
        );
        assert_eq!(cols[0].data_type_display, FIELD_TYPE_DISPLAY);
        assert_eq!(
            cols[0].description.as_deref(),
            Some("Why\n\n**Formula:** `SUM([a])`")
        );
        assert_eq!(cols[4].data_type_display, "UNKNOWN");
    }

    #[test]
    fn custom_sql_and_upstream_tables() {
        let ds: api::Datasource = serde_json::from_str(
            r#"{"id":"d","fields":[
                  {"id":"f1","name":"Amount","upstreamColumns":[{"id":"c1","name":"amount"}]},
                  {"id":"f2","name":"Calc","formula":"1","upstreamColumns":[{"id":"c1"},{"id":"c2"}]}],
                "upstreamTables":[
                  {"id":"t1","name":"orders","schema":"public","database":{"name":"warehouse"},
                   "columns":[{"id":"c1","name":"amount"},{"id":"c2","name":"id"},{"id":"c9","name":"unused"}],
                   "referencedByQueries":[{"query":"SELECT 2"},{"query":"SELECT 1"},{"query":"SELECT 2"}]},
                  {"id":"t2","name":"sales.items","columns":[]},
                  {"id":"t3","name":null}]}"#,
        )
        .unwrap();
        assert_eq!(
            sql(ds.upstream_tables.as_deref().unwrap()).as_deref(),
            Some("SELECT 1\n\nSELECT 2")
        );
        let up = upstream_tables(&ds);
        assert_eq!(
            up,
            [
                UpstreamTable::new(Some("warehouse".into()), Some("public".into()), "orders")
                    .with_columns([
                        ("amount".into(), "f1".into()),
                        ("amount".into(), "f2".into()),
                        ("id".into(), "f2".into())
                    ]),
                UpstreamTable::new(None, Some("sales".into()), "items"),
            ]
        );
    }
}
