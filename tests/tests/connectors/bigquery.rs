//! The BigQuery connector end to end: the real plugin (`build/plugins/bigquery.wasm`) in omrun,
//! over Google's REST APIs, against the BigQuery stand-in (tests/support/bigquery/standin.py, which
//! Google's own clients check first: bigquery_standin.rs), into the file sink and into the
//! OpenMetadata stand-in. The service account's private key reaches omrun only as `${VAR}`; the
//! host signs the plugin's token assertion with it (the stand-in verifies the RS256 signature with
//! the public key), and it must appear nowhere omrun writes.
//!
//! What is expected is derived from the stand-in's spec; how each column type maps is the
//! plugin's unit tests' business (they hold what OpenMetadata's own code made of the same
//! resources), so here: which entities, nested columns as children, policy tags and labels as
//! tags with their classifications created first, partitions, clustering and keys, views.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use omrun_tests::bigquery::{BigQueryStandIn, ServiceAccount, Settings};
use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Omrun, RunOutput, Workdir, column, constraints, fqn, plugin, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "bigquery_test";
const PROJECT: &str = "omrun-proj";
const OM_TOKEN: &str = "om-test-jwt-bigquery";
const TAXONOMY: &str = "projects/omrun-proj/locations/us/taxonomies/4711";
const PII: &str = "projects/omrun-proj/locations/us/taxonomies/4711/policyTags/11";

fn field(name: &str, ty: &str) -> Value {
    json!({"name": name, "type": ty, "mode": "NULLABLE"})
}

/// Two datasets (one with a description and labels), a table with nested and repeated records,
/// a policy-tagged column, time partitioning, clustering and keys within the dataset; a view, a
/// materialized view, an ingestion-time and an integer-range partitioned table.
fn spec() -> Value {
    json!({"projects": {PROJECT: {"datasets": {
        "sales": {"description": "Sales data", "labels": {"env": "prod"}, "tables": {
            "orders": {"type": "TABLE", "description": "Customer orders",
                "labels": {"team": "growth"},
                "schema": {"fields": [
                    {"name": "id", "type": "INTEGER", "mode": "REQUIRED", "description": "Order id"},
                    field("customer_id", "INT64"),
                    {"name": "email", "type": "STRING", "mode": "NULLABLE",
                     "policyTags": {"names": [PII]}},
                    {"name": "total", "type": "NUMERIC", "mode": "NULLABLE", "precision": "12", "scale": "2"},
                    {"name": "shipping", "type": "RECORD", "mode": "NULLABLE", "fields": [
                        field("city", "STRING"),
                        {"name": "geo", "type": "STRUCT", "mode": "NULLABLE", "fields": [
                            field("lat", "FLOAT64"), field("lon", "FLOAT64")]},
                    ]},
                    {"name": "items", "type": "RECORD", "mode": "REPEATED", "fields": [
                        field("sku", "STRING"), field("qty", "INT64")]},
                    {"name": "tags", "type": "STRING", "mode": "REPEATED"},
                    field("placed_at", "TIMESTAMP"),
                ]},
                "timePartitioning": {"type": "DAY", "field": "placed_at"},
                "clustering": {"fields": ["customer_id"]},
                "tableConstraints": {
                    "primaryKey": {"columns": ["id"]},
                    "foreignKeys": [{"name": "fk_customer",
                        "referencedTable": {"projectId": PROJECT, "datasetId": "sales", "tableId": "customers"},
                        "columnReferences": [{"referencingColumn": "customer_id", "referencedColumn": "id"}]}],
                }},
            "customers": {"type": "TABLE", "schema": {"fields": [
                {"name": "id", "type": "INT64", "mode": "REQUIRED"}, field("name", "STRING")]},
                "tableConstraints": {"primaryKey": {"columns": ["id"]}}},
            "big_orders": {"type": "VIEW",
                "view": {"query": "SELECT id, total FROM sales.orders WHERE total > 100", "useLegacySql": false},
                "schema": {"fields": [field("id", "INT64"), field("total", "NUMERIC")]}},
            "daily": {"type": "MATERIALIZED_VIEW",
                "materializedView": {"query": "SELECT DATE(placed_at) AS day, COUNT(*) AS n FROM sales.orders GROUP BY day"},
                "schema": {"fields": [field("day", "DATE"), field("n", "INT64")]}},
        }},
        "raw": {"tables": {
            "events": {"type": "TABLE", "timePartitioning": {"type": "HOUR"},
                "schema": {"fields": [field("payload", "JSON")]}},
            "buckets": {"type": "TABLE",
                "rangePartitioning": {"field": "bucket", "range": {"start": "0", "end": "100", "interval": "10"}},
                "schema": {"fields": [field("bucket", "INT64")]}},
        }},
    }}},
    "taxonomies": {TAXONOMY: {"displayName": "Sensitivity", "description": "How sensitive",
        "policyTags": {PII: {"displayName": "PII", "description": "Personal data"}}}}})
}

fn all_tables() -> BTreeSet<String> {
    [
        ("sales", "orders"),
        ("sales", "customers"),
        ("sales", "big_orders"),
        ("sales", "daily"),
        ("raw", "events"),
        ("raw", "buckets"),
    ]
    .into_iter()
    .map(|(d, t)| fqn(&[SERVICE, PROJECT, d, t]))
    .collect()
}

#[derive(Default)]
struct Options {
    /// `sourceConfig.config` lines.
    source: Vec<&'static str>,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

fn config(work: &Workdir, bq: &BigQueryStandIn, o: &Options) -> PathBuf {
    let account = bq.account();
    let connection = format!(
        "      type: BigQuery
      hostPort: {}
      credentials:
        gcpConfig:
          type: service_account
          projectId: {PROJECT}
          privateKeyId: {}
          privateKey: ${{BQ_PRIVATE_KEY}}
          clientEmail: {}
          clientId: \"1234567890\"
          tokenUri: {}
      taxonomyLocation: us
",
        yaml_str(&bq.url()),
        yaml_str(account.private_key_id()),
        yaml_str(account.client_email()),
        yaml_str(&bq.token_url()),
    );
    let mut source = String::from("      type: DatabaseMetadata\n");
    for line in &o.source {
        source.push_str(&format!("      {line}\n"));
    }
    let (sink, server) = match &o.openmetadata {
        None => (
            "sink:\n  type: file\n  config:\n    filename: unused.jsonl\n".to_string(),
            String::new(),
        ),
        Some(host_port) => (
            "sink:\n  type: metadata-rest\n  config: {}\n".to_string(),
            format!(
                "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    \
                 securityConfig:\n      jwtToken: ${{OM_JWT_TOKEN}}\n",
                yaml_str(host_port)
            ),
        ),
    };
    work.write(
        "config.yaml",
        format!(
            "source:
  type: bigquery
  serviceName: {SERVICE}
  serviceConnection:
    config:
{connection}  sourceConfig:
    config:
{source}{sink}workflowConfig:
  loggerLevel: INFO
{server}  distributedExecution:
    enabled: true
    orchestrator: sequential
    retryPolicy:
      maxAttempts: 2
      backoffSeconds: 0.05
"
        ),
    )
}

/// Runs the plugin with `key` (PEM) in `BQ_PRIVATE_KEY`; `name` names the output files. The key
/// must appear nowhere omrun writes.
fn ingest_with_key(
    work: &Workdir,
    bq: &BigQueryStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
    key: &str,
) -> RunOutput {
    let config = config(work, bq, o);
    let output = work.join(&format!("{name}.jsonl"));
    // A line of the key is enough to recognise it anywhere it leaked.
    let key_line = key.lines().nth(1).unwrap_or(key).to_owned();
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("bigquery"))
        .mode(mode.0, mode.1)
        .env("BQ_PRIVATE_KEY", key)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .secret(&key_line)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

fn ingest(
    work: &Workdir,
    bq: &BigQueryStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    let key = bq.account().private_key_pem().to_owned();
    ingest_with_key(work, bq, o, name, mode, &key)
}

fn start(settings: Settings) -> BigQueryStandIn {
    BigQueryStandIn::start(&spec(), settings)
}

fn children_names(column: &Value) -> Vec<&str> {
    column["children"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default()
}

fn tag_fqns(value: &Value) -> Vec<&str> {
    value["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["tagFQN"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn bigquery_is_read_into_a_file_in_both_modes_with_a_host_signed_token() {
    let bq = start(Settings::default());
    let work = Workdir::new();
    let seq = ingest(
        &work,
        &bq,
        &Options::default(),
        "sequential",
        ("sequential", None),
    );
    seq.assert_success();
    let local = ingest(&work, &bq, &Options::default(), "local", ("local", Some(2)));
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set(),
        "2 local workers write what one sequential run writes"
    );
    let r = seq.records();
    assert_eq!(r.service()["serviceType"], "BigQuery");
    assert_eq!(
        r.database_fqns(),
        BTreeSet::from([fqn(&[SERVICE, PROJECT])]),
        "the project is the database"
    );
    assert_eq!(
        r.schema_fqns(),
        BTreeSet::from([
            fqn(&[SERVICE, PROJECT, "raw"]),
            fqn(&[SERVICE, PROJECT, "sales"])
        ])
    );
    assert_eq!(r.table_fqns(), all_tables());
    assert_eq!(seq.report()["failed"], 0);

    let sales = r.get(&fqn(&[SERVICE, PROJECT, "sales"]));
    assert_eq!(sales["description"], "Sales data", "{sales}");
    let orders = r.get(&fqn(&[SERVICE, PROJECT, "sales", "orders"]));
    assert_eq!(orders["description"], "Customer orders", "{orders}");
    assert_eq!(orders["tableType"], "Regular");
    // Nested records as children, two levels deep; a repeated record is an array of them.
    let shipping = column(orders, "shipping");
    assert_eq!(shipping["dataType"], "STRUCT", "{shipping}");
    assert_eq!(children_names(shipping), ["city", "geo"]);
    let geo = &shipping["children"][1];
    assert_eq!(children_names(geo), ["lat", "lon"], "{geo}");
    assert_eq!(column(orders, "items")["dataType"], "ARRAY");
    assert_eq!(column(orders, "tags")["arrayDataType"], "STRING");
    // The policy tag: classification = taxonomy, tag = policy tag, as OpenMetadata names them.
    assert_eq!(tag_fqns(column(orders, "email")), ["Sensitivity.PII"]);
    // Partitioning, clustering, keys.
    assert_eq!(
        orders["tablePartition"]["columns"][0]["columnName"], "placed_at",
        "{orders}"
    );
    assert_eq!(
        orders["tablePartition"]["columns"][0]["intervalType"],
        "TIME-UNIT"
    );
    assert_eq!(
        constraints(orders, "CLUSTER_KEY"),
        [(vec!["customer_id".to_string()], vec![])]
    );
    assert_eq!(
        constraints(orders, "FOREIGN_KEY"),
        [(
            vec!["customer_id".to_string()],
            vec![fqn(&[SERVICE, PROJECT, "sales", "customers", "id"])]
        )]
    );
    let events = r.get(&fqn(&[SERVICE, PROJECT, "raw", "events"]));
    assert_eq!(
        events["tablePartition"]["columns"][0]["columnName"], "_PARTITIONTIME",
        "{events}"
    );
    let buckets = r.get(&fqn(&[SERVICE, PROJECT, "raw", "buckets"]));
    assert_eq!(
        buckets["tablePartition"]["columns"][0]["intervalType"], "INTEGER-RANGE",
        "{buckets}"
    );
    let view = r.get(&fqn(&[SERVICE, PROJECT, "sales", "big_orders"]));
    assert_eq!(view["tableType"], "View");
    assert_eq!(
        view["schemaDefinition"],
        "CREATE VIEW sales.big_orders AS SELECT id, total FROM sales.orders WHERE total > 100"
    );
    let daily = r.get(&fqn(&[SERVICE, PROJECT, "sales", "daily"]));
    assert_eq!(daily["tableType"], "MaterializedView");

    // Every API request carried a token the stand-in issued for an assertion it verified.
    assert!(bq.tokens_issued() >= 1);
    for q in bq.api_requests() {
        assert_eq!(q["status"], 200, "{q}");
        assert_eq!(q["bearer"], true, "{q}");
    }
}

#[test]
fn filters_and_include_views_keep_what_they_name() {
    let bq = start(Settings::default());
    let work = Workdir::new();
    let o = Options {
        source: vec![
            "schemaFilterPattern: {includes: ['^sales$']}",
            "tableFilterPattern: {excludes: ['^customers$']}",
            "includeViews: false",
        ],
        ..Options::default()
    };
    let out = ingest(&work, &bq, &o, "filtered", ("sequential", None));
    out.assert_success();
    assert_eq!(
        out.records().table_fqns(),
        BTreeSet::from([fqn(&[SERVICE, PROJECT, "sales", "orders"])])
    );
}

#[test]
fn into_openmetadata_with_classifications_and_tags_first() {
    let bq = start(Settings {
        latency: Duration::from_millis(5),
        ..Settings::default()
    });
    let om = StandIn::start(OM_TOKEN);
    let work = Workdir::new();
    let o = Options {
        openmetadata: Some(om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &bq, &o, "om", ("local", Some(2)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let names =
        |c: Collection| -> BTreeSet<String> { om.entities(c).into_iter().map(|e| e.fqn).collect() };
    assert_eq!(names(Collection::Tables), all_tables());
    assert!(names(Collection::Classifications).contains("Sensitivity"));
    assert!(names(Collection::Tags).contains("Sensitivity.PII"));
    let orders = om
        .entity(
            Collection::Tables,
            &fqn(&[SERVICE, PROJECT, "sales", "orders"]),
        )
        .expect("orders");
    assert_eq!(
        tag_fqns(column(&orders.body, "email")),
        ["Sensitivity.PII"],
        "{}",
        orders.body
    );
    assert_eq!(
        children_names(column(&orders.body, "shipping")),
        ["city", "geo"]
    );
    assert!(
        orders.body["sourceHash"]
            .as_str()
            .is_some_and(|h| !h.is_empty()),
        "{}",
        orders.body
    );
}

#[test]
fn a_key_the_service_account_does_not_have_is_refused_clearly() {
    let bq = start(Settings::default());
    let work = Workdir::new();
    // Another key for the same account: the stand-in verifies the signature and refuses it.
    let other = ServiceAccount::generate(PROJECT);
    let out = ingest_with_key(
        &work,
        &bq,
        &Options::default(),
        "wrong-key",
        ("sequential", None),
        other.private_key_pem(),
    );
    assert_ne!(out.code, Some(0), "{}", out.describe());
    assert!(
        out.stderr.contains("invalid_grant"),
        "Google's refusal is quoted: {}",
        out.stderr
    );
    assert_eq!(bq.tokens_issued(), 0);
    assert!(bq.api_requests().is_empty(), "no API call without a token");
}
