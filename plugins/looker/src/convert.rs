//! Looker's names and types in OpenMetadata's terms, as OpenMetadata's own Looker connector
//! writes them (its `metadata/ingestion/source/dashboard/looker/metadata.py`), so the FQNs users
//! already have stay the same.

use omrun_sdk::types::{ChartType, Column, DataType};

use crate::api;

/// A dashboard's entity name: its id, with Looker's `::` (LookML dashboards are
/// `model::dashboard`) as `_`.
pub fn dashboard_name(id: &str) -> String {
    id.replace("::", "_")
}

/// A data model's (explore's) entity name: `<model>_<explore>`, `::` as `_`.
pub fn data_model_name(model: &str, explore: &str) -> String {
    format!("{model}_{explore}").replace("::", "_")
}

/// The chart type of a dashboard element: its visualisation's type, or `text` for a text tile.
pub fn chart_type(element: &api::Element) -> ChartType {
    if element.kind.as_deref() == Some("text") {
        return ChartType::Text;
    }
    match element.vis_type().unwrap_or_default() {
        "looker_column" | "looker_bar" => ChartType::Bar,
        "looker_line" => ChartType::Line,
        "looker_area" => ChartType::Area,
        "looker_pie" | "looker_donut_multiples" => ChartType::Pie,
        "looker_scatter" => ChartType::Scatter,
        "table" | "looker_grid" | "looker_single_record" => ChartType::Table,
        "looker_map" | "looker_geo_coordinates" | "looker_geo_choropleth" | "looker_google_map" => {
            ChartType::Map
        }
        "looker_timeline" => ChartType::Timeline,
        "looker_boxplot" => ChartType::BoxPlot,
        "looker_waterfall" => ChartType::Histogram,
        "single_value" | "text" => ChartType::Text,
        _ => ChartType::Other,
    }
}

/// The data type of a Looker field type (a dimension's, a measure's, or a dimension group's
/// timeframe such as `date_month`).
pub fn data_type(looker: &str) -> DataType {
    match looker {
        "yesno" => DataType::Boolean,
        "string" | "zipcode" | "unquoted" | "tier" | "bin" | "date_month_name"
        | "date_day_of_week" => DataType::String,
        "location" => DataType::Point,
        "list" => DataType::Array,
        "date"
        | "date_date"
        | "date_week"
        | "date_month"
        | "date_quarter"
        | "date_year"
        | "date_fiscal_quarter"
        | "date_fiscal_year" => DataType::Date,
        "time" | "date_time" | "date_raw" | "date_second" | "date_minute" | "date_hour"
        | "date_millisecond" | "date_microsecond" => DataType::Timestamp,
        "date_time_of_day" => DataType::Time,
        // Numeric parts of a date: day of month, month number, hour of day…
        t if t.starts_with("date_")
            && (t.contains("_of_") || t.ends_with("_num") || t.ends_with("_index")) =>
        {
            DataType::Int
        }
        t if t.starts_with("date_minute") || t.starts_with("date_hour") => DataType::Timestamp,
        t if t.starts_with("duration") => DataType::Number,
        "number"
        | "int"
        | "count"
        | "count_distinct"
        | "sum"
        | "sum_distinct"
        | "average"
        | "average_distinct"
        | "min"
        | "max"
        | "median"
        | "median_distinct"
        | "percentile"
        | "percentile_distinct"
        | "percent_of_previous"
        | "percent_of_total"
        | "running_total"
        | "distance"
        | "period_over_period" => DataType::Number,
        _ => DataType::Unknown,
    }
}

/// An explore's dimensions, then its measures, as columns.
pub fn columns(fields: Option<&api::ExploreFields>) -> Vec<Column> {
    let Some(fields) = fields else {
        return Vec::new();
    };
    let all = fields
        .dimensions
        .iter()
        .flatten()
        .chain(fields.measures.iter().flatten());
    all.enumerate()
        .map(|(i, f)| {
            let looker = f.kind.clone().unwrap_or_else(|| "unknown".into());
            let data_type = data_type(&looker);
            Column {
                name: f.name.clone(),
                data_type,
                // Looker does not say what a list holds.
                array_data_type: (data_type == DataType::Array).then_some(DataType::Unknown),
                data_type_display: looker,
                data_length: None,
                precision: None,
                scale: None,
                nullable: true,
                ordinal_position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                description: f.description.clone().filter(|d| !d.is_empty()),
                parent: None,
                tags: vec![],
            }
        })
        .collect()
}

/// A chart's description: the tile's subtitle, body and note, as OpenMetadata's connector joins
/// them (a text tile's text keeps it searchable).
pub fn chart_description(element: &api::Element) -> Option<String> {
    let parts: Vec<&str> = [
        &element.subtitle_text,
        &element.body_text,
        &element.note_text,
    ]
    .into_iter()
    .filter_map(|t| t.as_deref())
    .filter(|t| !t.is_empty())
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(json: &str) -> api::Element {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn names_follow_openmetadata() {
        assert_eq!(dashboard_name("42"), "42");
        assert_eq!(dashboard_name("ecommerce::overview"), "ecommerce_overview");
        assert_eq!(data_model_name("ecommerce", "orders"), "ecommerce_orders");
        assert_eq!(data_model_name("a::b", "c"), "a_b_c");
    }

    #[test]
    fn chart_types() {
        let vis = |t: &str| {
            element(&format!(
                r#"{{"type":"vis","query":{{"vis_config":{{"type":"{t}"}}}}}}"#
            ))
        };
        assert_eq!(chart_type(&vis("looker_column")), ChartType::Bar);
        assert_eq!(chart_type(&vis("looker_bar")), ChartType::Bar);
        assert_eq!(chart_type(&vis("looker_line")), ChartType::Line);
        assert_eq!(chart_type(&vis("looker_pie")), ChartType::Pie);
        assert_eq!(chart_type(&vis("table")), ChartType::Table);
        assert_eq!(chart_type(&vis("looker_funnel")), ChartType::Other);
        assert_eq!(
            chart_type(&element(r#"{"type":"text","body_text":"x"}"#)),
            ChartType::Text
        );
        assert_eq!(chart_type(&element(r#"{"type":"vis"}"#)), ChartType::Other);
    }

    #[test]
    fn field_types() {
        assert_eq!(data_type("count"), DataType::Number);
        assert_eq!(data_type("yesno"), DataType::Boolean);
        assert_eq!(data_type("date_date"), DataType::Date);
        assert_eq!(data_type("date_time"), DataType::Timestamp);
        assert_eq!(data_type("date_day_of_week_index"), DataType::Int);
        assert_eq!(data_type("date_month_num"), DataType::Int);
        assert_eq!(data_type("date_hour_of_day"), DataType::Int);
        assert_eq!(data_type("date_minute15"), DataType::Timestamp);
        assert_eq!(data_type("duration_day"), DataType::Number);
        assert_eq!(data_type("list"), DataType::Array);
        assert_eq!(data_type("location"), DataType::Point);
        assert_eq!(data_type("mystery"), DataType::Unknown);
    }

    #[test]
    fn columns_are_dimensions_then_measures() {
        let fields: api::ExploreFields = serde_json::from_str(
            r#"{"dimensions":[{"name":"orders.id","type":"number","description":""},
                              {"name":"orders.tags","type":"list"}],
                "measures":[{"name":"orders.count","type":"count","description":"How many"}]}"#,
        )
        .unwrap();
        let cols = columns(Some(&fields));
        let names: Vec<_> = cols
            .iter()
            .map(|c| (c.name.as_str(), c.ordinal_position))
            .collect();
        assert_eq!(
            names,
            [("orders.id", 1), ("orders.tags", 2), ("orders.count", 3)]
        );
        assert_eq!(cols[0].description, None);
        assert_eq!(cols[1].array_data_type, Some(DataType::Unknown));
        assert_eq!(cols[2].data_type_display, "count");
        assert_eq!(cols[2].description.as_deref(), Some("How many"));
    }

    #[test]
    fn chart_descriptions_join_the_texts() {
        let e = element(r#"{"subtitle_text":"By week","body_text":"","note_text":"Beta"}"#);
        assert_eq!(chart_description(&e).as_deref(), Some("By week; Beta"));
        assert_eq!(chart_description(&element("{}")), None);
    }
}
