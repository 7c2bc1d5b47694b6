//! The parts of Google's REST answers the connector reads, in their published JSON shapes:
//! BigQuery API v2 (`DatasetList`, `Dataset`, `TableList`, `Table`, `TableFieldSchema`) and Data
//! Catalog API v1 (`ListTaxonomiesResponse`, `Taxonomy`, `ListPolicyTagsResponse`, `PolicyTag`).
//! Every field is optional: Google leaves out what is unset. Int64 fields (`maxLength`,
//! `precision`, `scale`, a range's `interval`) arrive as JSON strings, as proto3's JSON mapping
//! writes 64-bit integers; numbers are taken too.

use serde::{Deserialize, Deserializer};

/// `GET /bigquery/v2/projects/{p}/datasets` items.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetListItem {
    pub dataset_reference: Option<DatasetReference>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetReference {
    pub dataset_id: Option<String>,
}

/// `GET /bigquery/v2/projects/{p}/datasets/{d}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    pub description: Option<String>,
    /// In the order Google wrote them (OpenMetadata's tags follow the dict's order).
    #[serde(default, deserialize_with = "ordered_labels")]
    pub labels: Vec<(String, String)>,
}

/// `GET /bigquery/v2/projects/{p}/datasets/{d}/tables` items.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableListItem {
    pub table_reference: Option<TableReference>,
    /// `TABLE`, `VIEW`, `MATERIALIZED_VIEW`, `EXTERNAL`, `SNAPSHOT`.
    #[serde(rename = "type")]
    pub table_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableReference {
    pub project_id: Option<String>,
    pub dataset_id: Option<String>,
    pub table_id: Option<String>,
}

/// `GET /bigquery/v2/projects/{p}/datasets/{d}/tables/{t}`: the whole table resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    #[serde(rename = "type")]
    pub table_type: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "ordered_labels")]
    pub labels: Vec<(String, String)>,
    pub schema: Option<TableSchema>,
    pub time_partitioning: Option<TimePartitioning>,
    pub range_partitioning: Option<RangePartitioning>,
    pub clustering: Option<Clustering>,
    pub view: Option<Query>,
    pub materialized_view: Option<Query>,
    pub external_data_configuration: Option<ExternalDataConfiguration>,
    pub partition_definition: Option<PartitionDefinition>,
    pub table_constraints: Option<TableConstraints>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TableSchema {
    #[serde(default)]
    pub fields: Vec<TableFieldSchema>,
}

/// A column, or a field of a `RECORD` column.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableFieldSchema {
    pub name: Option<String>,
    /// `STRING`, `BYTES`, `INTEGER`/`INT64`, `FLOAT`/`FLOAT64`, `NUMERIC`, `BIGNUMERIC`,
    /// `BOOLEAN`/`BOOL`, `TIMESTAMP`, `DATE`, `TIME`, `DATETIME`, `GEOGRAPHY`, `JSON`, `RANGE`,
    /// `INTERVAL`, `RECORD`/`STRUCT`.
    #[serde(rename = "type")]
    pub field_type: Option<String>,
    /// `NULLABLE` (the default), `REQUIRED` or `REPEATED`.
    pub mode: Option<String>,
    #[serde(default)]
    pub fields: Vec<TableFieldSchema>,
    pub description: Option<String>,
    pub policy_tags: Option<PolicyTagNames>,
    #[serde(default, deserialize_with = "int64")]
    pub max_length: Option<i64>,
    #[serde(default, deserialize_with = "int64")]
    pub precision: Option<i64>,
    #[serde(default, deserialize_with = "int64")]
    pub scale: Option<i64>,
}

/// A field's policy tags: resource names (`projects/…/locations/…/taxonomies/…/policyTags/…`),
/// at most one.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PolicyTagNames {
    #[serde(default)]
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TimePartitioning {
    /// `DAY`, `HOUR`, `MONTH`, `YEAR`.
    #[serde(rename = "type")]
    pub unit: Option<String>,
    /// The partitioning column; none: partitioned by ingestion time.
    pub field: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RangePartitioning {
    pub field: Option<String>,
    pub range: Option<Range>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Range {
    #[serde(default, deserialize_with = "int64")]
    pub interval: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Clustering {
    #[serde(default)]
    pub fields: Vec<String>,
}

/// `view` and `materializedView`: their SQL.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Query {
    pub query: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalDataConfiguration {
    pub hive_partitioning_options: Option<HivePartitioningOptions>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HivePartitioningOptions {
    /// `AUTO`, `STRINGS`, `CUSTOM`.
    pub mode: Option<String>,
    /// Output only: the partition keys, in the order they were inferred.
    pub fields: Option<Vec<String>>,
}

/// Metastore-partitioned tables' partitioning.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionDefinition {
    #[serde(default)]
    pub partitioned_column: Vec<PartitionedColumn>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PartitionedColumn {
    pub field: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableConstraints {
    pub primary_key: Option<PrimaryKey>,
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKey>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PrimaryKey {
    #[serde(default)]
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignKey {
    pub referenced_table: Option<TableReference>,
    #[serde(default)]
    pub column_references: Vec<ColumnReference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnReference {
    pub referencing_column: Option<String>,
    pub referenced_column: Option<String>,
}

/// Data Catalog: `GET /v1/projects/{p}/locations/{l}/taxonomies` items and `GET /v1/{taxonomy}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Taxonomy {
    /// `projects/{p}/locations/{l}/taxonomies/{id}`.
    pub name: Option<String>,
    pub display_name: Option<String>,
}

/// Data Catalog: `GET /v1/{taxonomy}/policyTags` items and `GET /v1/{policyTag}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTag {
    /// `projects/{p}/locations/{l}/taxonomies/{id}/policyTags/{id}`.
    pub name: Option<String>,
    pub display_name: Option<String>,
}

/// An int64 as proto3's JSON writes it (a string), or a plain number.
fn int64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Int64 {
        Number(i64),
        Text(String),
    }
    Ok(match Option::<Int64>::deserialize(d)? {
        Some(Int64::Number(n)) => Some(n),
        Some(Int64::Text(t)) => Some(t.trim().parse().map_err(serde::de::Error::custom)?),
        None => None,
    })
}

/// `labels` as `(key, value)` pairs in the order of the JSON object.
fn ordered_labels<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    struct Pairs;
    impl<'de> serde::de::Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of labels")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some((key, value)) = map.next_entry::<String, Option<String>>()? {
                pairs.push((key, value.unwrap_or_default()));
            }
            Ok(pairs)
        }
    }
    d.deserialize_any(Pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int64s_as_strings_or_numbers_and_labels_in_order() {
        let f: TableFieldSchema = serde_json::from_str(
            r#"{"name":"n","type":"NUMERIC","precision":"10","scale":2,"maxLength":null}"#,
        )
        .unwrap();
        assert_eq!(
            (f.precision, f.scale, f.max_length),
            (Some(10), Some(2), None)
        );
        assert!(serde_json::from_str::<TableFieldSchema>(r#"{"precision":"ten"}"#).is_err());
        let t: Table = serde_json::from_str(
            r#"{"labels":{"z":"1","a":"2","m":null},"rangePartitioning":{"range":{"interval":"5"}}}"#,
        )
        .unwrap();
        let keys: Vec<&str> = t.labels.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert_eq!(t.labels[2].1, "");
        assert_eq!(
            t.range_partitioning.unwrap().range.unwrap().interval,
            Some(5)
        );
        let t: Table = serde_json::from_str(r#"{"labels":null}"#).unwrap();
        assert!(t.labels.is_empty());
    }
}
