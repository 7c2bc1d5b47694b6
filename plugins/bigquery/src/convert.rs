//! BigQuery's resources as OpenMetadata's entities, as OpenMetadata 2.0.7.0's BigQuery connector
//! makes them (`bigquery/metadata.py`; each rule names its function): a project is a database, a
//! dataset a schema, a table, view or materialized view a table. Columns are [`crate::columns`]'.

#[cfg(test)]
mod tests;

use omrun_sdk::types::{
    ConstraintType, Database, DatabaseSchema, PartitionColumn, PartitionIntervalType, Table,
    TableConstraint, TablePath, TableType, TagLabel,
};

use crate::api::{self, TableFieldSchema};
use crate::columns;

/// `_get_source_url`'s console address.
const CONSOLE: &str = "https://console.cloud.google.com/bigquery";

/// The descriptions OpenMetadata gives the classifications and tags it makes of labels and policy
/// tags (`yield_tag`, `yield_table_tags`), which the host needs to create them.
pub const DATASET_LABEL: (&str, &str) =
    ("BigQuery Dataset Classification", "Bigquery Dataset Label");
pub const TABLE_LABEL: (&str, &str) = ("BigQuery Table Classification", "Bigquery Table Label");
pub const POLICY_TAG: (&str, &str) = ("BigQuery Policy Classification", "Bigquery Policy Tag");

/// A project, `_get_source_url(database_name)`.
pub fn database(project: &str) -> Database {
    Database {
        name: project.to_owned(),
        description: None,
        source_url: Some(source_url(project, None, None)),
    }
}

/// A dataset: its description and, with `includeTags`, its labels (`yield_database_schema`).
pub fn schema(
    project: &str,
    dataset: &str,
    resource: &api::Dataset,
    include_tags: bool,
) -> DatabaseSchema {
    DatabaseSchema {
        database: project.to_owned(),
        name: dataset.to_owned(),
        description: non_empty(resource.description.as_deref()),
        source_url: Some(source_url(project, Some(dataset), None)),
        tags: if include_tags {
            labels(&resource.labels, DATASET_LABEL)
        } else {
            vec![]
        },
    }
}

/// A table, view or materialized view. `policy_tags` gives a field's tags.
pub fn table(
    project: &str,
    dataset: &str,
    name: &str,
    resource: &api::Table,
    include_tags: bool,
    policy_tags: &mut dyn FnMut(&TableFieldSchema) -> Vec<TagLabel>,
) -> Table {
    let table_type = table_type(resource.table_type.as_deref());
    let fields = resource
        .schema
        .as_ref()
        .map(|s| s.fields.as_slice())
        .unwrap_or_default();
    let top: Vec<&str> = fields.iter().filter_map(|f| f.name.as_deref()).collect();
    Table {
        database: project.to_owned(),
        schema: dataset.to_owned(),
        name: name.to_owned(),
        table_type,
        description: non_empty(resource.description.as_deref()),
        columns: columns::columns(fields, policy_tags),
        constraints: constraints(project, dataset, resource),
        definition: definition(table_type, dataset, name, resource),
        partition_columns: partitions(resource, &top),
        source_url: Some(source_url(project, Some(dataset), Some(name))),
        tags: if include_tags {
            labels(&resource.labels, TABLE_LABEL)
        } else {
            vec![]
        },
    }
}

/// `_bigquery_table_types`, looked up with the resource's `type` as written: `TABLE` and
/// `SNAPSHOT` are not in it (its `BASE TABLE` is INFORMATION_SCHEMA's spelling), so `Regular`.
pub fn table_type(table_type: Option<&str>) -> TableType {
    match table_type.unwrap_or_default() {
        "EXTERNAL" => TableType::External,
        "MATERIALIZED_VIEW" => TableType::MaterializedView,
        "VIEW" => TableType::View,
        "ICEBERG" => TableType::Iceberg,
        _ => TableType::Regular,
    }
}

/// Whether a listing's `type` is a view for `includeViews` (`query_table_names_and_types`).
pub fn is_view(table_type: Option<&str>) -> bool {
    matches!(table_type, Some("VIEW" | "MATERIALIZED_VIEW"))
}

/// `get_schema_definition`: a view's `view.query`, else a materialized view's
/// `materializedView.query`, behind `CREATE [MATERIALIZED] VIEW dataset.name AS`; nothing for
/// other tables (their DDL needs `includeDDL`, an INFORMATION_SCHEMA query).
fn definition(table_type: TableType, dataset: &str, name: &str, t: &api::Table) -> Option<String> {
    if !matches!(table_type, TableType::View | TableType::MaterializedView) {
        return None;
    }
    let query = |q: &Option<api::Query>| q.as_ref().and_then(|q| non_empty(q.query.as_deref()));
    if let Some(query) = query(&t.view) {
        Some(format!("CREATE VIEW {dataset}.{name} AS {query}"))
    } else {
        query(&t.materialized_view)
            .map(|query| format!("CREATE MATERIALIZED VIEW {dataset}.{name} AS {query}"))
    }
}

/// `get_table_partition_details`, first match wins: hive partitioning of an external table (one
/// `OTHER` column per partition key, the mode as interval), time partitioning (its column as
/// `TIME-UNIT`, or `_PARTITIONTIME`/`_PARTITIONDATE` as `INGESTION-TIME`), range partitioning
/// (`INTEGER-RANGE`, its interval), a metastore partition definition (`OTHER`). A key is named as
/// the table's column whose name matches it ignoring case (`_get_partition_column_name`).
fn partitions(t: &api::Table, columns: &[&str]) -> Vec<PartitionColumn> {
    let column = |field: &str| {
        // Where OpenMetadata finds no such column it sends the partition without a column name,
        // which the contract has no room for: the key is named as BigQuery names it.
        columns
            .iter()
            .find(|c| c.to_lowercase() == field.to_lowercase())
            .map_or(field, |c| *c)
            .to_owned()
    };
    // OpenMetadata writes Python's `str()` of a missing interval: `None`.
    let interval = |s: &Option<String>| Some(s.clone().unwrap_or_else(|| "None".into()));
    let part = |column: String, interval_type, interval| PartitionColumn {
        column,
        interval_type,
        interval,
    };
    if let Some(hive) = t
        .external_data_configuration
        .as_ref()
        .and_then(|e| e.hive_partitioning_options.as_ref())
    {
        // Without `fields` OpenMetadata's loop raises, and the table has no partitioning at all.
        return hive
            .fields
            .iter()
            .flatten()
            .map(|f| {
                part(
                    column(f),
                    PartitionIntervalType::Other,
                    interval(&hive.mode),
                )
            })
            .collect();
    }
    if let Some(time) = &t.time_partitioning {
        return vec![match time.field.as_deref().filter(|f| !f.is_empty()) {
            Some(field) => part(
                column(field),
                PartitionIntervalType::TimeUnit,
                interval(&time.unit),
            ),
            None => {
                let pseudo = if time.unit.as_deref() == Some("HOUR") {
                    "_PARTITIONTIME"
                } else {
                    "_PARTITIONDATE"
                };
                part(
                    pseudo.into(),
                    PartitionIntervalType::IngestionTime,
                    interval(&time.unit),
                )
            }
        }];
    }
    if let Some(range) = &t.range_partitioning {
        // OpenMetadata names a range's column as the resource does, without matching it. With
        // no field there is nothing to name (OpenMetadata sends a nameless one).
        return range
            .field
            .iter()
            .filter(|f| !f.is_empty())
            .map(|field| {
                let every = range.range.as_ref().and_then(|r| r.interval);
                part(
                    field.clone(),
                    PartitionIntervalType::IntegerRange,
                    every.map(|n| n.to_string()),
                )
            })
            .collect();
    }
    t.partition_definition
        .iter()
        .flat_map(|d| &d.partitioned_column)
        .filter_map(|c| c.field.as_deref().filter(|f| !f.is_empty()))
        .map(|f| part(column(f), PartitionIntervalType::Other, None))
        .collect()
}

/// The primary key and foreign keys of `tableConstraints` (OpenMetadata reads the same facts from
/// INFORMATION_SCHEMA's KEY_COLUMN_USAGE), then the clustering columns as a `CLUSTER_KEY`
/// (`update_table_constraints`).
fn constraints(project: &str, dataset: &str, t: &api::Table) -> Vec<TableConstraint> {
    let mut out = Vec::new();
    let keys = t.table_constraints.as_ref();
    if let Some(pk) = keys
        .and_then(|k| k.primary_key.as_ref())
        .filter(|pk| !pk.columns.is_empty())
    {
        out.push(TableConstraint {
            constraint_type: ConstraintType::PrimaryKey,
            columns: pk.columns.clone(),
            referred_table: None,
            referred_columns: vec![],
        });
    }
    for fk in keys.map(|k| k.foreign_keys.as_slice()).unwrap_or_default() {
        let pairs: Vec<(String, String)> = fk
            .column_references
            .iter()
            .filter_map(|r| Some((r.referencing_column.clone()?, r.referenced_column.clone()?)))
            .collect();
        let Some(to) = fk.referenced_table.as_ref() else {
            continue;
        };
        let Some(table) = to.table_id.clone().filter(|t| !t.is_empty()) else {
            continue;
        };
        if pairs.is_empty() {
            continue;
        }
        out.push(TableConstraint {
            constraint_type: ConstraintType::ForeignKey,
            columns: pairs.iter().map(|(from, _)| from.clone()).collect(),
            // BigQuery keeps both tables of a key in one dataset; the reference names them anyway.
            referred_table: Some(TablePath {
                database: to.project_id.clone().unwrap_or_else(|| project.to_owned()),
                schema: to.dataset_id.clone().unwrap_or_else(|| dataset.to_owned()),
                table,
            }),
            referred_columns: pairs.into_iter().map(|(_, to)| to).collect(),
        });
    }
    if let Some(clustering) = t.clustering.as_ref().filter(|c| !c.fields.is_empty()) {
        out.push(TableConstraint {
            constraint_type: ConstraintType::ClusterKey,
            columns: clustering.fields.clone(),
            referred_table: None,
            referred_columns: vec![],
        });
    }
    out
}

/// Labels as tags: the key is the classification, the value its tag; a blank value makes none
/// (`get_ometa_tag_and_classification` skips it).
fn labels(labels: &[(String, String)], (classification, tag): (&str, &str)) -> Vec<TagLabel> {
    labels
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(key, value)| TagLabel::new(key, value, classification, tag))
        .collect()
}

/// `_get_source_url` with the table infix `4m3`.
pub fn source_url(project: &str, dataset: Option<&str>, table: Option<&str>) -> String {
    let database = format!("{CONSOLE}?project={project}");
    match (dataset, table) {
        (Some(d), Some(t)) => format!("{database}&ws=!1m5!1m4!4m3!1s{project}!2s{d}!3s{t}"),
        (Some(d), None) => format!("{database}&ws=!1m4!1m3!3m2!1s{project}!2s{d}"),
        _ => database,
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}
