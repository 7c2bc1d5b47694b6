//! Each expectation is what OpenMetadata 2.0.7.0's own connector made of the same resource
//! (tests/support/bigquery/om_tables.py, the case named in the comment), but where the comment
//! says it differs, and why.

use super::*;
use PartitionIntervalType as P;

fn resource(json: &str) -> api::Table {
    serde_json::from_str(json).unwrap()
}

fn convert(json: &str) -> Table {
    table("proj", "sales", "t", &resource(json), true, &mut |_| vec![])
}

fn partitions_of(json: &str) -> Vec<(String, PartitionIntervalType, Option<String>)> {
    convert(json)
        .partition_columns
        .into_iter()
        .map(|p| (p.column, p.interval_type, p.interval))
        .collect()
}

fn part(
    column: &str,
    t: PartitionIntervalType,
    interval: Option<&str>,
) -> (String, PartitionIntervalType, Option<String>) {
    (column.into(), t, interval.map(str::to_owned))
}

#[test]
fn time_and_ingestion_time_partitions() {
    // types: the column as the table names it (`D` matched to `d`).
    let schema = r#""schema":{"fields":[{"name":"d","type":"DATE"},{"name":"a","type":"STRING"}]}"#;
    assert_eq!(
        partitions_of(&format!(
            r#"{{{schema},"timePartitioning":{{"type":"DAY","field":"D"}}}}"#
        )),
        [part("d", P::TimeUnit, Some("DAY"))]
    );
    // ingestion_hour, ingestion_day, ingestion_month.
    for (unit, pseudo) in [
        ("HOUR", "_PARTITIONTIME"),
        ("DAY", "_PARTITIONDATE"),
        ("MONTH", "_PARTITIONDATE"),
    ] {
        assert_eq!(
            partitions_of(&format!(
                r#"{{{schema},"timePartitioning":{{"type":"{unit}","expirationMs":"1000"}}}}"#
            )),
            [part(pseudo, P::IngestionTime, Some(unit))]
        );
    }
    // time_without_type, ingestion_without_type: Python's str(None).
    assert_eq!(
        partitions_of(&format!(
            r#"{{{schema},"timePartitioning":{{"field":"a"}}}}"#
        )),
        [part("a", P::TimeUnit, Some("None"))]
    );
    assert_eq!(
        partitions_of(&format!(r#"{{{schema},"timePartitioning":{{}}}}"#)),
        [part("_PARTITIONDATE", P::IngestionTime, Some("None"))]
    );
    // time_unit_unknown_field: OpenMetadata sends no column name; the contract needs one.
    assert_eq!(
        partitions_of(&format!(
            r#"{{{schema},"timePartitioning":{{"type":"YEAR","field":"gone"}}}}"#
        )),
        [part("gone", P::TimeUnit, Some("YEAR"))]
    );
}

#[test]
fn range_hive_and_metastore_partitions() {
    // range: the field as written, not matched to `Bucket`; the interval (OpenMetadata: the
    // number 10 in a string field, the contract's string "10").
    assert_eq!(
        partitions_of(
            r#"{"schema":{"fields":[{"name":"Bucket","type":"INTEGER"}]},
                "rangePartitioning":{"field":"bucket","range":{"start":"0","end":"100","interval":"10"}}}"#
        ),
        [part("bucket", P::IntegerRange, Some("10"))]
    );
    // range_no_interval.
    assert_eq!(
        partitions_of(r#"{"rangePartitioning":{"field":"bucket","range":{"start":"0"}}}"#),
        [part("bucket", P::IntegerRange, None)]
    );
    // range_without_field: OpenMetadata sends a nameless column; here there is none to send.
    assert!(partitions_of(r#"{"rangePartitioning":{"range":{"interval":"5"}}}"#).is_empty());
    // hive: before time partitioning; each key matched to its column, the mode as interval.
    let hive = |options: &str| {
        partitions_of(&format!(
            r#"{{"type":"EXTERNAL","schema":{{"fields":[{{"name":"Dt","type":"DATE"}},{{"name":"country","type":"STRING"}}]}},
                "externalDataConfiguration":{{"sourceFormat":"PARQUET","hivePartitioningOptions":{options}}},
                "timePartitioning":{{"type":"DAY","field":"dt"}}}}"#
        ))
    };
    assert_eq!(
        hive(r#"{"mode":"AUTO","sourceUriPrefix":"gs://b/t/","fields":["dt","country"]}"#),
        [
            part("Dt", P::Other, Some("AUTO")),
            part("country", P::Other, Some("AUTO"))
        ]
    );
    // hive_without_mode; hive_unknown_field (named as the key); hive_without_fields: none at
    // all, not even the time partitioning (OpenMetadata's loop raises).
    assert_eq!(
        hive(r#"{"fields":["DT"]}"#),
        [part("Dt", P::Other, Some("None"))]
    );
    assert_eq!(
        hive(r#"{"mode":"CUSTOM","fields":["x"]}"#),
        [part("x", P::Other, Some("CUSTOM"))]
    );
    assert!(hive(r#"{"mode":"AUTO"}"#).is_empty());
    // partition_definition: fields without a name are skipped.
    assert_eq!(
        partitions_of(
            r#"{"schema":{"fields":[{"name":"Region","type":"STRING"}]},
                "partitionDefinition":{"partitionedColumn":[{"field":"region"},{}]}}"#
        ),
        [part("Region", P::Other, None)]
    );
    assert!(partitions_of(r#"{"schema":{"fields":[{"name":"a","type":"STRING"}]}}"#).is_empty());
}

#[test]
fn view_definitions_as_openmetadata_spells_them() {
    let definition = |json: &str| convert(json).definition;
    // view, materialized_view: `dataset.name`, no project, no quotes.
    assert_eq!(
        definition(r#"{"type":"VIEW","view":{"query":"SELECT a FROM `proj.sales.orders`","useLegacySql":false}}"#)
            .as_deref(),
        Some("CREATE VIEW sales.t AS SELECT a FROM `proj.sales.orders`")
    );
    assert_eq!(
        definition(r#"{"type":"MATERIALIZED_VIEW","materializedView":{"query":"SELECT COUNT(*) n FROM t","enableRefresh":true}}"#)
            .as_deref(),
        Some("CREATE MATERIALIZED VIEW sales.t AS SELECT COUNT(*) n FROM t")
    );
    // view_empty_query_mview: an empty view query falls through to the materialized one.
    assert_eq!(
        definition(
            r#"{"type":"VIEW","view":{"query":""},"materializedView":{"query":"SELECT 2"}}"#
        )
        .as_deref(),
        Some("CREATE MATERIALIZED VIEW sales.t AS SELECT 2")
    );
    // view_without_query, table_with_view_query: none.
    assert_eq!(definition(r#"{"type":"VIEW","view":{}}"#), None);
    assert_eq!(
        definition(r#"{"type":"TABLE","view":{"query":"SELECT 3"}}"#),
        None
    );
}

#[test]
fn table_types_as_openmetadata_maps_them() {
    for (t, expected) in [
        ("TABLE", TableType::Regular),
        ("SNAPSHOT", TableType::Regular),
        ("BASE TABLE", TableType::Regular),
        ("EXTERNAL", TableType::External),
        ("VIEW", TableType::View),
        ("MATERIALIZED_VIEW", TableType::MaterializedView),
        ("ICEBERG", TableType::Iceberg),
        ("view", TableType::Regular),
    ] {
        assert_eq!(table_type(Some(t)), expected, "{t}");
    }
    assert_eq!(table_type(None), TableType::Regular);
    assert!(is_view(Some("VIEW")) && is_view(Some("MATERIALIZED_VIEW")));
    assert!(!is_view(Some("EXTERNAL")) && !is_view(Some("SNAPSHOT")) && !is_view(None));
}

#[test]
fn keys_and_clustering() {
    let t = convert(
        r#"{"schema":{"fields":[{"name":"id","type":"INTEGER"},{"name":"a","type":"STRING"},{"name":"b","type":"INTEGER"}]},
            "clustering":{"fields":["a","id"]},
            "tableConstraints":{"primaryKey":{"columns":["id","a"]},"foreignKeys":[
              {"name":"fk_ab","referencedTable":{"projectId":"proj","datasetId":"sales","tableId":"dims"},
               "columnReferences":[{"referencingColumn":"a","referencedColumn":"code"},
                                   {"referencingColumn":"b","referencedColumn":"n"}]},
              {"referencedTable":{"tableId":"other"},"columnReferences":[{"referencingColumn":"b","referencedColumn":"x"}]},
              {"referencedTable":{"projectId":"proj","datasetId":"sales","tableId":"gone"},"columnReferences":[]},
              {"columnReferences":[{"referencingColumn":"b","referencedColumn":"x"}]}]}}"#,
    );
    type Path = Option<(String, String, String)>;
    let shape: Vec<(ConstraintType, Vec<String>, Path, Vec<String>)> = t
        .constraints
        .into_iter()
        .map(|c| {
            let to = c.referred_table.map(|p| (p.database, p.schema, p.table));
            (c.constraint_type, c.columns, to, c.referred_columns)
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let at = |p: &str, d: &str, t: &str| Some((p.into(), d.into(), t.into()));
    assert_eq!(
        shape,
        [
            (ConstraintType::PrimaryKey, s(&["id", "a"]), None, vec![]),
            // One key, its columns in order (OpenMetadata's INFORMATION_SCHEMA join makes one
            // key per column).
            (
                ConstraintType::ForeignKey,
                s(&["a", "b"]),
                at("proj", "sales", "dims"),
                s(&["code", "n"])
            ),
            // A reference without project and dataset is to this table's (BigQuery keeps both
            // tables of a key in one dataset); keys without columns or table are left out.
            (
                ConstraintType::ForeignKey,
                s(&["b"]),
                at("proj", "sales", "other"),
                s(&["x"])
            ),
            // types: clustering last, as OpenMetadata appends it.
            (ConstraintType::ClusterKey, s(&["a", "id"]), None, vec![]),
        ]
    );
    // empty_clustering: none.
    assert!(
        convert(r#"{"clustering":{"fields":[]}}"#)
            .constraints
            .is_empty()
    );
}

#[test]
fn labels_become_tags_with_openmetadata_s_descriptions() {
    let t = table(
        "proj",
        "sales",
        "t",
        &resource(r#"{"description":"Orders","labels":{"team":"finance","env":"","tier":"gold"}}"#),
        true,
        &mut |_| vec![],
    );
    assert_eq!(t.description.as_deref(), Some("Orders"));
    assert_eq!(
        t.tags,
        [
            TagLabel::new(
                "team",
                "finance",
                "BigQuery Table Classification",
                "Bigquery Table Label"
            ),
            // A blank value makes no tag, as in OpenMetadata.
            TagLabel::new(
                "tier",
                "gold",
                "BigQuery Table Classification",
                "Bigquery Table Label"
            ),
        ]
    );
    let untagged = table(
        "proj",
        "sales",
        "t",
        &resource(r#"{"labels":{"team":"finance"}}"#),
        false,
        &mut |_| vec![],
    );
    assert!(untagged.tags.is_empty(), "includeTags: false");
    let dataset: api::Dataset =
        serde_json::from_str(r#"{"description":"","labels":{"owner":"ana"}}"#).unwrap();
    let s = schema("proj", "sales", &dataset, true);
    assert_eq!(s.description, None);
    assert_eq!(
        s.tags,
        [TagLabel::new(
            "owner",
            "ana",
            "BigQuery Dataset Classification",
            "Bigquery Dataset Label"
        )]
    );
    assert!(schema("proj", "sales", &dataset, false).tags.is_empty());
}

#[test]
fn source_urls_as_openmetadata_writes_them() {
    assert_eq!(
        database("proj").source_url.as_deref(),
        Some("https://console.cloud.google.com/bigquery?project=proj")
    );
    let dataset = api::Dataset::default();
    assert_eq!(
        schema("proj", "sales", &dataset, true)
            .source_url
            .as_deref(),
        Some(
            "https://console.cloud.google.com/bigquery?project=proj&ws=!1m4!1m3!3m2!1sproj!2ssales"
        )
    );
    assert_eq!(
        convert("{}").source_url.as_deref(),
        Some(
            "https://console.cloud.google.com/bigquery?project=proj&ws=!1m5!1m4!4m3!1sproj!2ssales!3st"
        )
    );
    // base_table_unencoded_url: nothing is encoded.
    assert_eq!(
        source_url("my-proj", Some("d.x"), Some("t y")),
        "https://console.cloud.google.com/bigquery?project=my-proj&ws=!1m5!1m4!4m3!1smy-proj!2sd.x!3st y"
    );
}

#[test]
fn a_whole_table_with_policy_tags() {
    let t = table(
        "proj",
        "sales",
        "orders",
        &resource(
            r#"{"type":"TABLE","schema":{"fields":[{"name":"id","type":"INTEGER","mode":"REQUIRED"},
                {"name":"p","type":"RECORD","fields":[{"name":"email","type":"STRING","policyTags":{"names":["pt/1"]}}]}]}}"#,
        ),
        true,
        &mut |f| match f.policy_tags.as_ref().and_then(|p| p.names.first()) {
            Some(name) => vec![TagLabel::new("PII", name, POLICY_TAG.0, POLICY_TAG.1)],
            None => vec![],
        },
    );
    assert_eq!(
        (t.database.as_str(), t.schema.as_str(), t.name.as_str()),
        ("proj", "sales", "orders")
    );
    assert_eq!(t.table_type, TableType::Regular);
    let names: Vec<(&str, Option<u32>)> = t
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.parent))
        .collect();
    assert_eq!(names, [("id", None), ("p", None), ("email", Some(1))]);
    assert_eq!(
        t.columns[2].tags,
        [TagLabel::new(
            "PII",
            "pt/1",
            "BigQuery Policy Classification",
            "Bigquery Policy Tag"
        )]
    );
    assert!(
        t.columns[0].tags.is_empty() && t.definition.is_none() && t.partition_columns.is_empty()
    );
}
