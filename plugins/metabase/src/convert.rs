//! Metabase's names, URLs and types in OpenMetadata's terms, as OpenMetadata's own Metabase
//! connector writes them (metadata/ingestion/source/dashboard/metabase/metadata.py and
//! metadata/utils/helpers.py of openmetadata-ingestion 2.0.7.0), so the FQNs users already
//! have stay the same.

use omrun_sdk::types::{ChartType, Column, DataType};

use crate::api;

/// The dashboard OpenMetadata's connector makes for the cards on no dashboard
/// (`DEFAULT_DASHBOARD`): its name, display name-less, with this project and no source URL.
pub const DEFAULT_DASHBOARD: &str = "default";

/// A name in a Metabase URL: lower-cased, every character but an ASCII letter or digit as `-`
/// (OpenMetadata's `replace_special_with(raw=name.lower(), replacement="-")`; Metabase itself
/// ignores what follows the id).
pub fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// `{hostPort}/dashboard/{id}-{slug}`.
pub fn dashboard_url(base: &str, id: &str, name: &str) -> String {
    format!("{base}/dashboard/{id}-{}", slug(name))
}

/// `{hostPort}/question/{id}-{slug}`.
pub fn card_url(base: &str, id: &str, name: &str) -> String {
    format!("{base}/question/{id}-{}", slug(name))
}

/// `{hostPort}/model/{id}-{slug}`: where Metabase shows a model (OpenMetadata's connector makes
/// no data models, so there is no URL of its to follow).
pub fn model_url(base: &str, id: &str, name: &str) -> String {
    format!("{base}/model/{id}-{}", slug(name))
}

/// A card's chart type from its `display`, by OpenMetadata's `get_standard_chart_type` (the
/// lower-cased display looked up in `om_chart_type_dict`, `Other` when absent). Its `levelTable`
/// key never matches a lower-cased name, so it is left out here too.
pub fn chart_type(display: Option<&str>) -> ChartType {
    let Some(display) = display else {
        return ChartType::Other;
    };
    match display.to_lowercase().as_str() {
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

/// The data type of a Metabase `base_type` (`type/BigInteger`, …): Metabase's type hierarchy
/// (shared/src/metabase/types.cljc), most specific first.
pub fn data_type(base_type: &str) -> DataType {
    match base_type.strip_prefix("type/").unwrap_or(base_type) {
        "BigInteger" => DataType::Bigint,
        "Integer" => DataType::Int,
        "Float" => DataType::Float,
        "Decimal" => DataType::Decimal,
        "Number" => DataType::Number,
        "Text" | "TextLike" | "PostgresEnum" => DataType::String,
        "Boolean" => DataType::Boolean,
        "Date" => DataType::Date,
        "DateTime" => DataType::Datetime,
        "DateTimeWithTZ"
        | "DateTimeWithLocalTZ"
        | "DateTimeWithZoneOffset"
        | "DateTimeWithZoneID"
        | "Instant" => DataType::Timestamp,
        "Time" | "TimeWithTZ" | "TimeWithLocalTZ" | "TimeWithZoneOffset" => DataType::Time,
        "JSON" | "SerializedJSON" | "Dictionary" | "Structured" => DataType::Json,
        "UUID" => DataType::Uuid,
        "Array" => DataType::Array,
        "IPAddress" => DataType::Inet,
        "MongoBSONID" | "OracleCLOB" => DataType::String,
        _ => DataType::Unknown,
    }
}

/// A model's columns, from its `result_metadata`.
pub fn columns(metadata: &[api::ResultColumn]) -> Vec<Column> {
    metadata
        .iter()
        .filter_map(|c| c.name.as_ref().map(|n| (n, c)))
        .enumerate()
        .map(|(i, (name, c))| {
            let base = c.base_type.clone().unwrap_or_else(|| "type/*".into());
            let data_type = data_type(&base);
            Column {
                name: name.clone(),
                data_type,
                // Metabase does not say what an array holds.
                array_data_type: (data_type == DataType::Array).then_some(DataType::Unknown),
                data_type_display: base,
                data_length: None,
                precision: None,
                scale: None,
                nullable: true,
                ordinal_position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                description: c.description.clone().filter(|d| !d.is_empty()),
                parent: None,
                tags: vec![],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_as_openmetadata_builds_them() {
        assert_eq!(
            dashboard_url("http://mb:3000", "1", "Sales & KPIs: Q1 (1)"),
            "http://mb:3000/dashboard/1-sales---kpis--q1--1-"
        );
        assert_eq!(
            card_url("https://mb", "100", "Sales chart 100"),
            "https://mb/question/100-sales-chart-100"
        );
        assert_eq!(slug("Ümsatz Ü"), "-msatz--");
        assert_eq!(
            model_url("https://mb", "10", "Orders model"),
            "https://mb/model/10-orders-model"
        );
    }

    #[test]
    fn chart_types() {
        for (display, want) in [
            ("table", ChartType::Table),
            ("bar", ChartType::Bar),
            ("line", ChartType::Line),
            ("pie", ChartType::Pie),
            ("area", ChartType::Area),
            ("scatter", ChartType::Scatter),
            ("gauge", ChartType::Gauge),
            ("map", ChartType::Map),
            ("Bar", ChartType::Bar),
            ("scalar", ChartType::Other),
            ("row", ChartType::Other),
            ("combo", ChartType::Other),
            ("pivot", ChartType::Other),
            ("smartscalar", ChartType::Other),
            ("funnel", ChartType::Other),
            ("waterfall", ChartType::Other),
            ("progress", ChartType::Other),
            ("levelTable", ChartType::Other),
        ] {
            assert_eq!(chart_type(Some(display)), want, "{display}");
        }
        assert_eq!(chart_type(None), ChartType::Other);
    }

    #[test]
    fn columns_of_result_metadata() {
        let meta: Vec<api::ResultColumn> = serde_json::from_str(
            r#"[{"name":"ID","base_type":"type/BigInteger","description":""},
                {"name":"TOTAL","base_type":"type/Float","description":"Sum"},
                {"display_name":"no name"},
                {"name":"AT","base_type":"type/DateTimeWithLocalTZ"},
                {"name":"TAGS","base_type":"type/Array"},
                {"name":"X"}]"#,
        )
        .unwrap();
        let cols = columns(&meta);
        let got: Vec<_> = cols
            .iter()
            .map(|c| (c.name.as_str(), c.data_type, c.ordinal_position))
            .collect();
        assert_eq!(
            got,
            [
                ("ID", DataType::Bigint, 1),
                ("TOTAL", DataType::Float, 2),
                ("AT", DataType::Timestamp, 3),
                ("TAGS", DataType::Array, 4),
                ("X", DataType::Unknown, 5)
            ]
        );
        assert_eq!(cols[0].description, None);
        assert_eq!(cols[1].description.as_deref(), Some("Sum"));
        assert_eq!(cols[3].array_data_type, Some(DataType::Unknown));
        assert_eq!(cols[4].data_type_display, "type/*");
    }
}
