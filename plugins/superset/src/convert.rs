//! Superset's charts and datasets in OpenMetadata's terms, as OpenMetadata's own Superset API
//! connector writes them (`metadata/ingestion/source/dashboard/superset/{api_source,mixin}.py` and
//! `metadata/utils/helpers.py` of openmetadata-ingestion 2.0.7.0), so existing FQNs stay.

use omrun_common_db::type_parser::{self, ParsedType};
use omrun_sdk::types::{ChartType, Column, DataType, NestedColumn};

use crate::api;

/// A chart's type from its `viz_type`, as `get_standard_chart_type` maps it: lower-cased and looked
/// up in `om_chart_type_dict` (whose `levelTable` key, having a capital, is never found), `Other`
/// for everything else (most of Superset's ECharts types, e.g. `echarts_timeseries_bar`).
pub fn chart_type(viz_type: Option<&str>) -> ChartType {
    let Some(viz) = viz_type else {
        return ChartType::Other;
    };
    match viz.to_lowercase().as_str() {
        "line" | "big_number" | "big_number_total" | "dual_line" | "line_multi" => ChartType::Line,
        "table" => ChartType::Table,
        "dist_bar" | "bar" | "vertical_bar" => ChartType::Bar,
        "box_plot" | "box" | "boxplot" => ChartType::BoxPlot,
        "histogram" => ChartType::Histogram,
        "treemap" | "area" => ChartType::Area,
        "pie" => ChartType::Pie,
        "text" => ChartType::Text,
        "scatter" => ChartType::Scatter,
        "gauge" => ChartType::Gauge,
        "map" => ChartType::Map,
        "graph" => ChartType::Graph,
        "heatmap" => ChartType::Heatmap,
        "timeline" => ChartType::Timeline,
        _ => ChartType::Other,
    }
}

/// The charts a dashboard places, by id, in its layout's order: the `meta.chartId` of every
/// `CHART-…` entry of `position_json`, as `_get_charts_of_dashboard` reads them (a dashboard
/// without a layout has none). An unreadable layout is an error.
pub fn charts_of_layout(position_json: Option<&str>) -> Result<Vec<i64>, String> {
    let Some(text) = position_json.filter(|t| !t.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let layout: Ordered =
        serde_json::from_str(text).map_err(|e| format!("unreadable position_json: {e}"))?;
    Ok(layout
        .0
        .iter()
        .filter(|(key, _)| key.starts_with("CHART-"))
        .filter_map(|(_, value)| value["meta"]["chartId"].as_i64())
        .filter(|id| *id != 0)
        .collect())
}

/// A JSON object's entries in the order written (serde_json's own map sorts them; Python's
/// `json.loads`, which OpenMetadata reads the layout with, keeps them).
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Ordered, M::Error> {
                let mut out = Vec::new();
                while let Some(entry) = m.next_entry()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Entries)
    }
}

/// A dataset's columns as a data model's, as `get_column_info` makes them: only columns with a
/// type, that type with `()` removed and parsed by OpenMetadata's `ColumnTypeParser` (ported in
/// `omrun_common_db::type_parser`), shown as Superset spells it; `dataLength` the parser's, else
/// 0; no precision or scale (OpenMetadata's connector passes neither); an array of unknown
/// elements `UNKNOWN`. A type the parser
/// cannot read leaves the column out, as OpenMetadata's connector does: the second list says which
/// and why, for a warning.
pub fn columns(columns: &[api::DatasetColumn]) -> (Vec<Column>, Vec<String>) {
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    for c in columns {
        let Some(raw) = c.kind.as_deref().filter(|t| !t.is_empty()) else {
            continue;
        };
        let shown = raw.replace("()", "");
        let parsed = match type_parser::parse(&shown) {
            Ok(p) => p,
            Err(e) => {
                left_out.push(format!(
                    "column {} of type `{shown}` left out: {e}",
                    c.column_name.as_deref().unwrap_or_default()
                ));
                continue;
            }
        };
        let name = c
            .column_name
            .clone()
            .filter(|n| !n.is_empty())
            .or_else(|| c.id.map(|id| id.to_string()))
            .unwrap_or_default();
        let column = Column {
            // OpenMetadata's limit on a column name; the whole name is its displayName there.
            name: name.chars().take(256).collect(),
            data_type_display: shown,
            data_length: Some(parsed.data_length.unwrap_or(0)),
            precision: None,
            scale: None,
            array_data_type: match (parsed.data_type, parsed.array_data_type) {
                (DataType::Array, None) => Some(DataType::Unknown),
                (_, element) => element,
            },
            description: c.description.clone().filter(|d| !d.is_empty()),
            ordinal_position: u32::try_from(out.len() + 1).unwrap_or(u32::MAX),
            ..parsed.column()
        };
        out.push(NestedColumn::new(column, fields(&parsed)));
    }
    (NestedColumn::flatten(out), left_out)
}

/// A column's fields: a struct's, or an array of structs' (a `ROW`, parsed as a `STRUCT`, has none).
fn fields(parsed: &ParsedType) -> Vec<NestedColumn> {
    parsed.nested_fields()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset_columns(json: &str) -> Vec<api::DatasetColumn> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn chart_types_as_openmetadata_maps_them() {
        assert_eq!(chart_type(Some("line")), ChartType::Line);
        assert_eq!(chart_type(Some("big_number_total")), ChartType::Line);
        assert_eq!(chart_type(Some("table")), ChartType::Table);
        assert_eq!(chart_type(Some("Pie")), ChartType::Pie);
        assert_eq!(chart_type(Some("dist_bar")), ChartType::Bar);
        assert_eq!(chart_type(Some("heatmap")), ChartType::Heatmap);
        assert_eq!(chart_type(Some("treemap")), ChartType::Area);
        // Superset 6's ECharts types are not in OpenMetadata's table; nor, lower-cased, levelTable.
        assert_eq!(chart_type(Some("echarts_timeseries_bar")), ChartType::Other);
        assert_eq!(chart_type(Some("levelTable")), ChartType::Other);
        assert_eq!(chart_type(None), ChartType::Other);
    }

    #[test]
    fn charts_in_layout_order() {
        let layout = r#"{"DASHBOARD_VERSION_KEY":"v2","ROOT_ID":{"type":"ROOT"},
            "CHART-b":{"type":"CHART","meta":{"chartId":7,"width":4}},
            "HEADER_ID":{"meta":{"text":"x"}},
            "CHART-a":{"type":"CHART","meta":{"chartId":3}},
            "CHART-c":{"type":"CHART","meta":{}}}"#;
        assert_eq!(charts_of_layout(Some(layout)).unwrap(), [7, 3]);
        assert!(charts_of_layout(None).unwrap().is_empty());
        assert!(charts_of_layout(Some("")).unwrap().is_empty());
        assert!(charts_of_layout(Some("{")).is_err());
    }

    #[test]
    fn columns_as_openmetadata_types_them() {
        let (cols, left_out) = columns(&dataset_columns(
            r#"[{"id":1,"column_name":"id","type":"INTEGER","description":"Key"},
                    {"id":2,"column_name":"name","type":"VARCHAR(40)"},
                    {"id":3,"column_name":"amount","type":"NUMERIC(12, 3)"},
                    {"id":4,"column_name":"tags","type":"ARRAY"},
                    {"id":5,"column_name":"untyped","type":null},
                    {"id":6,"column_name":"created","type":"TIMESTAMP WITHOUT TIME ZONE"},
                    {"id":7,"column_name":"n","type":"COUNT()"},
                    {"id":8,"column_name":"bad","type":"struct<a:int"},
                    {"id":9,"column_name":"","type":"TEXT"}]"#,
        ));
        assert_eq!(left_out.len(), 1, "{left_out:?}");
        assert!(left_out[0].starts_with("column bad of type `struct<a:int` left out: expected"));
        let got: Vec<(&str, DataType, &str, Option<u32>)> = cols
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.data_type,
                    c.data_type_display.as_str(),
                    c.data_length,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("id", DataType::Int, "INTEGER", Some(0)),
                ("name", DataType::Varchar, "VARCHAR(40)", Some(40)),
                ("amount", DataType::Numeric, "NUMERIC(12, 3)", Some(0)),
                ("tags", DataType::Array, "ARRAY", Some(0)),
                (
                    "created",
                    DataType::Unknown,
                    "TIMESTAMP WITHOUT TIME ZONE",
                    Some(1)
                ),
                ("n", DataType::Unknown, "COUNT", Some(1)),
                ("9", DataType::Text, "TEXT", Some(0)),
            ]
        );
        assert_eq!(cols[0].description.as_deref(), Some("Key"));
        assert_eq!((cols[2].precision, cols[2].scale), (None, None));
        assert_eq!(cols[3].array_data_type, Some(DataType::Unknown));
        let positions: Vec<u32> = cols.iter().map(|c| c.ordinal_position).collect();
        assert_eq!(positions, [1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn struct_fields_are_nested_columns() {
        let (cols, _) = columns(&dataset_columns(
            r#"[{"column_name":"r","type":"ROW"},{"column_name":"s","type":"struct<a:int,b:string>"}]"#,
        ));
        let names: Vec<(&str, Option<u32>)> =
            cols.iter().map(|c| (c.name.as_str(), c.parent)).collect();
        assert_eq!(
            names,
            [("r", None), ("s", None), ("a", Some(1)), ("b", Some(1))]
        );
        assert_eq!(cols[0].data_type, DataType::Struct);
    }
}
