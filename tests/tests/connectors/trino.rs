//! The Trino connector end to end: the real plugin (`build/plugins/trino.wasm`) in omrun, over
//! Trino's HTTP client protocol, against the Trino stand-in (tests/support/trino/standin.py, which
//! the official Python client checks first), into the file sink (every line checked against
//! OpenMetadata's schemas) and into the OpenMetadata stand-in.
//!
//! What is expected is derived here from the stand-in's catalog, independently of the plugin: a
//! database per catalog (Trino's `system` aside), a schema per schema (`information_schema`
//! aside), a table per table or view; a view is `View`, a table of an Iceberg catalog `Iceberg`,
//! any other `Regular`. Column types are OpenMetadata's Trino connector's, in the table
//! [`OPENMETADATA_TYPES`], captured from openmetadata-ingestion 2.0.7.0 with trino 0.340.0.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::trino::{Settings, TrinoStandIn, openmetadata_ingest, selftest};
use omrun_tests::{Omrun, RunOutput, Workdir, column, fqn, plugin, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "trino_test";
const USER: &str = "alice";
/// Characters the host must carry through base64 untouched.
const PASSWORD: &str = "tr1no:pä ss&'\"";
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
const OM_TOKEN: &str = "om-test-jwt-trino";

/// OpenMetadata's fields for each Trino type of the fixture: `dataType`, `dataTypeDisplay`,
/// `arrayDataType`, `dataLength`, `precision`, `scale`, as its Trino connector makes them
/// (`trino/metadata.py` through the `trino` package's SQLAlchemy types and `ColumnTypeParser`).
/// omrun sends `dataLength` only where the type has one and `ordinalPosition` on every column;
/// the `children` of `row` columns and arrays of rows are in [`OPENMETADATA_CHILDREN`].
#[allow(clippy::type_complexity)]
const OPENMETADATA_TYPES: &[(
    &str,
    &str,
    &str,
    Option<&str>,
    Option<u64>,
    Option<(u64, u64)>,
)] = &[
    ("bigint", "BIGINT", "bigint", None, None, None),
    ("integer", "INT", "integer", None, None, None),
    ("tinyint", "SMALLINT", "tinyint", None, None, None),
    ("varchar", "VARCHAR", "varchar", None, Some(1), None),
    (
        "varchar(64)",
        "VARCHAR",
        "varchar(64)",
        None,
        Some(64),
        None,
    ),
    (
        "varchar(100)",
        "VARCHAR",
        "varchar(100)",
        None,
        Some(100),
        None,
    ),
    ("char(1)", "CHAR", "char(1)", None, Some(1), None),
    (
        "decimal(12,2)",
        "DECIMAL",
        "decimal(12,2)",
        None,
        None,
        Some((12, 2)),
    ),
    (
        "timestamp(3) with time zone",
        "TIMESTAMP",
        "timestamp(3) with time zone",
        None,
        None,
        None,
    ),
    (
        "timestamp(6)",
        "TIMESTAMP",
        "timestamp(6)",
        None,
        None,
        None,
    ),
    ("date", "DATE", "date", None, None, None),
    ("time(3)", "TIME", "time(3)", None, None, None),
    ("boolean", "BOOLEAN", "boolean", None, None, None),
    ("real", "FLOAT", "real", None, None, None),
    ("double", "DOUBLE", "double", None, None, None),
    ("varbinary", "VARBINARY", "varbinary", None, Some(1), None),
    ("json", "JSON", "json", None, None, None),
    ("uuid", "CHAR", "uuid", None, Some(1), None),
    ("ipaddress", "NULL", "ipaddress", None, None, None),
    (
        "interval day to second",
        "NULL",
        "interval day to second",
        None,
        None,
        None,
    ),
    (
        "array(varchar)",
        "ARRAY",
        "array<varchar>",
        Some("VARCHAR"),
        None,
        None,
    ),
    (
        "array(row(integer, varchar))",
        "ARRAY",
        "array<struct<field1:integer,field2:varchar>>",
        Some("STRUCT"),
        None,
        None,
    ),
    (
        "map(varchar, varchar)",
        "MAP",
        "map(varchar, varchar)",
        None,
        None,
        None,
    ),
    (
        "row(\"city\" varchar, \"zip\" char(5))",
        "STRUCT",
        "struct<city:varchar,zip:char(5)>",
        None,
        None,
        None,
    ),
    (
        "row(\"Geo\" row(\"lat\" double, \"lon\" double), \"Tags\" array(tinyint))",
        "STRUCT",
        "struct<geo:struct<lat:double,lon:double>,tags:array<tinyint>>",
        None,
        None,
        None,
    ),
];

/// The fields OpenMetadata's Trino connector gives the fixture's `row` columns and arrays of rows
/// as `children` (`name(its fields),…`): the names its Hive spelling gives them (unnamed fields
/// `fieldN`), lower-cased by its type parser. Every other type has none.
const OPENMETADATA_CHILDREN: &[(&str, &str)] = &[
    ("array(row(integer, varchar))", "field1,field2"),
    ("row(\"city\" varchar, \"zip\" char(5))", "city,zip"),
    (
        "row(\"Geo\" row(\"lat\" double, \"lon\" double), \"Tags\" array(tinyint))",
        "geo(lat,lon),tags",
    ),
];

/// A column's `children` as `name(its fields),…`; empty when it has none.
fn shape(column: &Value) -> String {
    let Some(children) = column.get("children").and_then(Value::as_array) else {
        return String::new();
    };
    let field = |c: &Value| match shape(c) {
        inner if inner.is_empty() => c["name"].as_str().unwrap().to_owned(),
        inner => format!("{}({inner})", c["name"].as_str().unwrap()),
    };
    children.iter().map(field).collect::<Vec<_>>().join(",")
}

fn col(name: &str, ty: &str, comment: Option<&str>, nullable: bool) -> Value {
    json!({"name": name, "type": ty, "comment": comment, "nullable": nullable})
}

fn c(name: &str, ty: &str) -> Value {
    col(name, ty, None, true)
}

/// Two catalogs (one served by an Iceberg connector), four schemas, tables with and without
/// comments, views (one whose definition only `SHOW CREATE VIEW` tells), every type above.
fn fixture() -> Value {
    json!({"catalogs": {
        "shop": {"connector": "memory", "schemas": {
            "sales": {"tables": {
                "orders": {"type": "BASE TABLE", "comment": "Customer orders", "columns": [
                    col("id", "bigint", Some("Order id"), false),
                    c("customer", "varchar(64)"),
                    c("total", "decimal(12,2)"),
                    c("placed_at", "timestamp(3) with time zone"),
                    c("tags", "array(varchar)"),
                    c("attributes", "map(varchar, varchar)"),
                    c("shipping", "row(\"city\" varchar, \"zip\" char(5))"),
                    c("status", "char(1)"),
                    col("note", "varchar", Some(""), true),
                ]},
                "customers": {"type": "BASE TABLE", "comment": null, "columns": [
                    c("id", "integer"), c("name", "varchar(100)"), c("born", "date"),
                    c("vip", "boolean"), c("score", "real"), c("balance", "double"),
                    c("photo", "varbinary"), c("profile", "json"), c("ext_id", "uuid"),
                    c("login_time", "time(3)"), c("ip", "ipaddress"), c("tiny", "tinyint"),
                    c("spans", "interval day to second"),
                    c("history", "array(row(integer, varchar))"),
                    c("place", "row(\"Geo\" row(\"lat\" double, \"lon\" double), \"Tags\" array(tinyint))"),
                ]},
                "big_orders": {"type": "VIEW", "comment": "Orders over 100",
                    "definition": "SELECT id, total FROM shop.sales.orders WHERE total > 100",
                    "columns": [c("id", "bigint"), c("total", "decimal(12,2)")]},
                "owner_only": {"type": "VIEW", "definition": null,
                    "show_create": "CREATE VIEW shop.sales.owner_only SECURITY DEFINER AS\nSELECT id FROM shop.sales.customers",
                    "columns": [c("id", "integer")]},
            }},
            "hr": {"tables": {
                "employees": {"type": "BASE TABLE", "comment": "People",
                    "columns": [col("id", "bigint", None, false), c("name", "varchar")]},
                "tmp_load": {"type": "BASE TABLE", "columns": [c("line", "varchar")]},
            }},
        }},
        "lake": {"connector": "iceberg", "schemas": {
            "raw": {"tables": {
                "events": {"type": "BASE TABLE", "comment": "Raw events",
                    "columns": [c("at", "timestamp(6)"), c("payload", "json")]},
                "recent_events": {"type": "VIEW", "definition": "SELECT * FROM lake.raw.events",
                    "columns": [c("at", "timestamp(6)"), c("payload", "json")]},
            }},
            "staging": {"tables": {
                "scratch": {"type": "BASE TABLE", "columns": [c("x", "bigint")]},
            }},
        }},
    }})
}

/// A table of the fixture: `(catalog, schema, name, spec)`.
fn fixture_tables(f: &Value) -> Vec<(String, String, String, Value)> {
    let mut out = Vec::new();
    for (catalog, cat) in f["catalogs"].as_object().unwrap() {
        for (schema, s) in cat["schemas"].as_object().unwrap() {
            for (name, t) in s["tables"].as_object().unwrap() {
                out.push((catalog.clone(), schema.clone(), name.clone(), t.clone()));
            }
        }
    }
    out
}

/// The `tableType` OpenMetadata gives a fixture table.
fn table_type(f: &Value, catalog: &str, spec: &Value) -> &'static str {
    if spec["type"] == "VIEW" {
        "View"
    } else if f["catalogs"][catalog]["connector"] == "iceberg" {
        "Iceberg"
    } else {
        "Regular"
    }
}

/// How the connection authenticates.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Auth {
    #[default]
    None,
    Password,
    Jwt,
}

#[derive(Clone, Default)]
struct Options {
    catalog: Option<&'static str>,
    database_schema: Option<&'static str>,
    /// `(key, includes, excludes)` of the filter patterns.
    filters: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    include_views: Option<bool>,
    include_tables: Option<bool>,
    auth: Auth,
    /// `connectionArguments: {http_scheme: http, allow_insecure_auth: …}` (the stand-in speaks
    /// http; with credentials, OpenMetadata's default would be https).
    http_scheme: Option<&'static str>,
    allow_insecure_auth: bool,
    batch_size: Option<u32>,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

impl Options {
    /// Credentials over http, as the stand-in needs them.
    fn with(auth: Auth) -> Options {
        Options {
            auth,
            http_scheme: Some("http"),
            allow_insecure_auth: true,
            ..Options::default()
        }
    }
}

fn config(work: &Workdir, trino: &TrinoStandIn, o: &Options) -> PathBuf {
    let mut connection = format!(
        "      type: Trino\n      hostPort: {}\n      username: {USER}\n",
        yaml_str(&trino.host_port())
    );
    match o.auth {
        Auth::None => {}
        Auth::Password => {
            connection.push_str("      authType:\n        password: ${TRINO_PASSWORD}\n")
        }
        Auth::Jwt => connection.push_str("      authType:\n        jwt: ${TRINO_JWT}\n"),
    }
    for (key, value) in [
        ("catalog", o.catalog),
        ("databaseSchema", o.database_schema),
    ] {
        if let Some(v) = value {
            connection.push_str(&format!("      {key}: {}\n", yaml_str(v)));
        }
    }
    if o.http_scheme.is_some() || o.allow_insecure_auth {
        connection.push_str("      connectionArguments:\n");
        if let Some(scheme) = o.http_scheme {
            connection.push_str(&format!("        http_scheme: {scheme}\n"));
        }
        if o.allow_insecure_auth {
            connection.push_str("        allow_insecure_auth: true\n");
        }
    }
    let mut source = String::from("      type: DatabaseMetadata\n");
    for (key, includes, excludes) in &o.filters {
        let list = |l: &[&str]| l.iter().map(|s| yaml_str(s)).collect::<Vec<_>>().join(", ");
        source.push_str(&format!(
            "      {key}:\n        includes: [{}]\n        excludes: [{}]\n",
            list(includes),
            list(excludes)
        ));
    }
    for (key, value) in [
        ("includeViews", o.include_views),
        ("includeTables", o.include_tables),
    ] {
        if let Some(v) = value {
            source.push_str(&format!("      {key}: {v}\n"));
        }
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
    let batch = o
        .batch_size
        .map(|n| format!("    batchSize: {n}\n"))
        .unwrap_or_default();
    let yaml = format!(
        "source:
  type: trino
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
{batch}    retryPolicy:
      maxAttempts: 2
      backoffSeconds: 0.05
"
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin with the config of `o`; `name` names the output files. The secrets come from
/// the environment and must appear nowhere omrun writes.
fn ingest(
    work: &Workdir,
    trino: &TrinoStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    let config = config(work, trino, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("trino"))
        .mode(mode.0, mode.1)
        .env("TRINO_PASSWORD", PASSWORD)
        .env("TRINO_JWT", JWT)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .secret(PASSWORD)
        .secret(JWT)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

const SEQUENTIAL: (&str, Option<u32>) = ("sequential", None);

fn start() -> TrinoStandIn {
    TrinoStandIn::start(&fixture(), Settings::default())
}

/// The FQNs of the fixture's tables that `keep(catalog, schema, table, spec)` keeps.
fn expected_tables(keep: impl Fn(&str, &str, &str, &Value) -> bool) -> BTreeSet<String> {
    fixture_tables(&fixture())
        .into_iter()
        .filter(|(c, s, t, spec)| keep(c, s, t, spec))
        .map(|(c, s, t, _)| fqn(&[SERVICE, &c, &s, &t]))
        .collect()
}

fn all(_: &str, _: &str, _: &str, _: &Value) -> bool {
    true
}

#[test]
fn the_standin_speaks_trino_to_the_official_client() {
    let out = selftest();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scripts/trino-standin.sh selftest failed:\n{stdout}\n{stderr}"
    );
    let summary = stdout.lines().last().unwrap_or_default();
    let passed: usize = summary
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    assert!(passed >= 80, "{summary}");
}

#[test]
fn every_catalog_schema_table_and_view_in_both_modes() {
    let trino = start();
    let work = Workdir::new();
    let seq = ingest(&work, &trino, &Options::default(), "sequential", SEQUENTIAL);
    seq.assert_success();
    let local = ingest(
        &work,
        &trino,
        &Options::default(),
        "local",
        ("local", Some(2)),
    );
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set(),
        "2 local workers write what one sequential run writes"
    );
    let r = seq.records();
    assert_eq!(r.service()["serviceType"], "Trino");
    assert_eq!(
        r.database_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "lake"]), fqn(&[SERVICE, "shop"])]),
        "a database per catalog, Trino's `system` catalog aside"
    );
    let schemas: BTreeSet<String> = [
        ("shop", "sales"),
        ("shop", "hr"),
        ("lake", "raw"),
        ("lake", "staging"),
    ]
    .iter()
    .map(|(c, s)| fqn(&[SERVICE, c, s]))
    .collect();
    assert_eq!(r.schema_fqns(), schemas, "information_schema aside");
    assert_eq!(r.table_fqns(), expected_tables(all));
    assert_eq!(r.count("CreateTableRequest"), expected_tables(all).len());
    assert_eq!(seq.report()["failed"], 0);
    // Every request named the configured user and came from omrun.
    let requests = trino.requests();
    assert!(!requests.is_empty());
    for q in &requests {
        assert_eq!(q["user"], USER, "{q}");
        assert_eq!(q["source"], "omrun", "{q}");
        assert_eq!(q["status"], 200, "{q}");
    }
}

#[test]
fn column_types_as_openmetadata_maps_them() {
    let trino = start();
    let work = Workdir::new();
    let out = ingest(&work, &trino, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    let f = fixture();
    let expected: BTreeMap<&str, _> = OPENMETADATA_TYPES.iter().map(|e| (e.0, e)).collect();
    let mut seen = BTreeSet::new();
    for (catalog, schema, name, spec) in fixture_tables(&f) {
        let table = records.get(&fqn(&[SERVICE, &catalog, &schema, &name]));
        let columns = spec["columns"].as_array().unwrap();
        assert_eq!(
            table["columns"].as_array().unwrap().len(),
            columns.len(),
            "{table}"
        );
        for (i, want) in columns.iter().enumerate() {
            let cname = want["name"].as_str().unwrap();
            let ty = want["type"].as_str().unwrap();
            let got = column(table, cname);
            let &&(_, data_type, display, element, length, numeric) = expected
                .get(ty)
                .unwrap_or_else(|| panic!("no expectation for {ty}"));
            seen.insert(ty.to_string());
            let what = format!("{catalog}.{schema}.{name}.{cname} ({ty}): {got}");
            assert_eq!(got["dataType"], data_type, "{what}");
            assert_eq!(got["dataTypeDisplay"], display, "{what}");
            assert_eq!(got["arrayDataType"].as_str(), element, "{what}");
            assert_eq!(got["dataLength"].as_u64(), length, "{what}");
            assert_eq!(
                got["precision"].as_u64().zip(got["scale"].as_u64()),
                numeric,
                "{what}"
            );
            let children = OPENMETADATA_CHILDREN.iter().find(|(t, _)| *t == ty);
            assert_eq!(shape(got), children.map_or("", |(_, c)| *c), "{what}");
            assert_eq!(got["ordinalPosition"], i as u64 + 1, "{what}");
            let constraint = if want["nullable"] == false {
                "NOT_NULL"
            } else {
                "NULL"
            };
            assert_eq!(got["constraint"], constraint, "{what}");
            match want["comment"].as_str().filter(|c| !c.is_empty()) {
                Some(comment) => assert_eq!(got["description"], comment, "{what}"),
                // An empty comment is none, as OpenMetadata's `record.Comment or None`.
                None => assert!(got.get("description").is_none(), "{what}"),
            }
        }
    }
    assert_eq!(
        seen.len(),
        OPENMETADATA_TYPES.len(),
        "every expectation is exercised"
    );
}

#[test]
fn comments_table_types_and_view_definitions() {
    let trino = start();
    let work = Workdir::new();
    let out = ingest(&work, &trino, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    let f = fixture();
    for (catalog, schema, name, spec) in fixture_tables(&f) {
        let table = records.get(&fqn(&[SERVICE, &catalog, &schema, &name]));
        let what = format!("{catalog}.{schema}.{name}: {table}");
        assert_eq!(
            table["tableType"],
            table_type(&f, &catalog, &spec),
            "{what}"
        );
        match spec["comment"].as_str() {
            Some(comment) => assert_eq!(table["description"], comment, "{what}"),
            None => assert!(table.get("description").is_none(), "{what}"),
        }
        if spec["type"] == "VIEW" {
            // information_schema.views' text, made a statement as OpenMetadata makes it; else
            // what SHOW CREATE VIEW prints.
            let want = match spec["definition"].as_str() {
                Some(text) => {
                    format!("CREATE VIEW \"{catalog}\".\"{schema}\".\"{name}\" AS {text}")
                }
                None => spec["show_create"].as_str().unwrap().to_string(),
            };
            assert_eq!(table["schemaDefinition"], want.as_str(), "{what}");
        } else {
            assert!(table.get("schemaDefinition").is_none(), "{what}");
        }
    }
    // The view whose definition information_schema does not show was asked for on its own.
    let show = trino
        .statements()
        .into_iter()
        .filter(|s| s.starts_with("SHOW CREATE VIEW"))
        .collect::<Vec<_>>();
    assert_eq!(show, ["SHOW CREATE VIEW \"shop\".\"sales\".\"owner_only\""]);
}

#[test]
fn a_batch_is_a_handful_of_queries() {
    let trino = start();
    let work = Workdir::new();
    let o = Options {
        batch_size: Some(100),
        ..Options::default()
    };
    let out = ingest(&work, &trino, &o, "out", SEQUENTIAL);
    out.assert_success();
    let statements = trino.statements();
    let count = |needle: &str| statements.iter().filter(|s| s.contains(needle)).count();
    // One batch per catalog holds every table: one query of each kind per catalog, whatever the
    // number of tables; never a query per table (`SHOW COLUMNS`, `DESCRIBE`).
    assert_eq!(count("information_schema.columns"), 2, "{statements:#?}");
    assert_eq!(count("information_schema.views"), 2, "{statements:#?}");
    assert_eq!(
        count("system.metadata.table_comments"),
        2,
        "{statements:#?}"
    );
    assert_eq!(
        count("SHOW COLUMNS") + count("DESCRIBE "),
        0,
        "{statements:#?}"
    );
    // The batch's names go in as literals, quotes doubled; catalogs as quoted identifiers.
    let columns = statements
        .iter()
        .find(|s| s.contains("\"shop\".information_schema.columns"))
        .expect("the columns of shop");
    for name in ["'sales'", "'hr'", "'orders'", "'customers'", "'employees'"] {
        assert!(columns.contains(name), "{name} in {columns}");
    }
    // Discovery and description: SHOW CATALOGS, then per catalog the schemas, the tables and
    // its connector; per batch a few more. Bounded, whatever the catalog holds.
    assert!(
        statements.len() <= 20,
        "{} statements: {statements:#?}",
        statements.len()
    );
    // Pages were followed: one POST and at least one GET per statement, and nothing else.
    let requests = trino.requests();
    let gets = requests.iter().filter(|r| r["method"] == "GET").count();
    assert!(
        gets >= statements.len(),
        "{gets} GETs for {} statements",
        statements.len()
    );
    assert!(
        requests
            .iter()
            .all(|r| r["method"] == "GET" || r["method"] == "POST")
    );
}

#[test]
fn pages_are_followed_to_the_end() {
    // Two rows a page: every listing and description spans several pages.
    let trino = TrinoStandIn::start(
        &fixture(),
        Settings {
            page_rows: 2,
            ..Settings::default()
        },
    );
    let work = Workdir::new();
    let out = ingest(&work, &trino, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    assert_eq!(records.table_fqns(), expected_tables(all));
    let orders = records.get(&fqn(&[SERVICE, "shop", "sales", "orders"]));
    assert_eq!(orders["columns"].as_array().unwrap().len(), 9);
    let pages = trino
        .requests()
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .unwrap()
                .starts_with("/v1/statement/executing/")
        })
        .count();
    assert!(pages > 10, "{pages} continued pages");
}

#[test]
fn catalog_schema_and_filters() {
    let trino = start();
    let work = Workdir::new();
    // One catalog: the others are not even listed.
    let o = Options {
        catalog: Some("shop"),
        filters: vec![("tableFilterPattern", vec![], vec!["^tmp_"])],
        ..Options::default()
    };
    let out = ingest(&work, &trino, &o, "catalog", SEQUENTIAL);
    out.assert_success();
    let r = out.records();
    assert_eq!(r.database_fqns(), BTreeSet::from([fqn(&[SERVICE, "shop"])]));
    assert_eq!(
        r.table_fqns(),
        expected_tables(|c, _, t, _| c == "shop" && !t.starts_with("tmp_"))
    );
    assert!(
        trino.statements().iter().all(|s| !s.contains("\"lake\"")),
        "{:#?}",
        trino.statements()
    );

    // A schema of that catalog.
    let o = Options {
        catalog: Some("shop"),
        database_schema: Some("hr"),
        ..Options::default()
    };
    let out = ingest(&work, &trino, &o, "schema", SEQUENTIAL);
    out.assert_success();
    let r = out.records();
    assert_eq!(
        r.schema_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "shop", "hr"])])
    );
    assert_eq!(
        r.table_fqns(),
        expected_tables(|c, s, _, _| c == "shop" && s == "hr")
    );

    // Every catalog, filtered by name; schemas by pattern.
    let o = Options {
        filters: vec![
            ("databaseFilterPattern", vec!["^lake$"], vec![]),
            ("schemaFilterPattern", vec![], vec!["^staging$"]),
        ],
        ..Options::default()
    };
    let out = ingest(&work, &trino, &o, "filters", SEQUENTIAL);
    out.assert_success();
    let r = out.records();
    assert_eq!(r.database_fqns(), BTreeSet::from([fqn(&[SERVICE, "lake"])]));
    assert_eq!(
        r.schema_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "lake", "raw"])])
    );
    assert_eq!(
        r.table_fqns(),
        expected_tables(|c, s, _, _| c == "lake" && s == "raw")
    );
}

#[test]
fn views_or_tables_can_be_left_out() {
    let trino = start();
    let work = Workdir::new();
    let f = fixture();
    for (include_tables, include_views) in [(true, false), (false, true)] {
        let o = Options {
            include_tables: Some(include_tables),
            include_views: Some(include_views),
            ..Options::default()
        };
        let out = ingest(&work, &trino, &o, "out", SEQUENTIAL);
        out.assert_success();
        let want = expected_tables(|c, _, _, spec| {
            if table_type(&f, c, spec) == "View" {
                include_views
            } else {
                include_tables
            }
        });
        assert!(!want.is_empty());
        assert_eq!(out.records().table_fqns(), want);
    }
}

#[test]
fn basic_authentication_with_the_password_filled_in_by_the_host() {
    let trino = TrinoStandIn::start(
        &fixture(),
        Settings {
            password: Some((USER.into(), PASSWORD.into())),
            ..Settings::default()
        },
    );
    let work = Workdir::new();
    let out = ingest(
        &work,
        &trino,
        &Options::with(Auth::Password),
        "out",
        SEQUENTIAL,
    );
    out.assert_success();
    assert_eq!(out.records().table_fqns(), expected_tables(all));
    let requests = trino.requests();
    assert!(
        requests
            .iter()
            .all(|r| r["authorization"] == "Basic" && r["status"] == 200),
        "every request authenticated (the stand-in checks the password): {requests:#?}"
    );
}

#[test]
fn a_wrong_password_fails_clearly() {
    let trino = TrinoStandIn::start(
        &fixture(),
        Settings {
            password: Some((USER.into(), "the-real-one".into())),
            ..Settings::default()
        },
    );
    let work = Workdir::new();
    let out = ingest(
        &work,
        &trino,
        &Options::with(Auth::Password),
        "out",
        SEQUENTIAL,
    );
    out.assert_code(1);
    assert!(
        out.stderr.contains(&format!(
            "Trino refused the credentials of user `{USER}` (HTTP 401"
        )) && out.stderr.contains("check username and authType"),
        "{}",
        out.describe()
    );
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
    let statements: Vec<Value> = trino
        .requests()
        .into_iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/v1/statement"))
        .collect();
    assert!(
        statements.len() == 2 && statements.iter().all(|r| r["status"] == 401),
        "one POST per discovery attempt (maxAttempts: 2): a refused password is not retried: \
         {statements:#?}"
    );
}

#[test]
fn a_jwt_goes_as_a_bearer_token() {
    let trino = TrinoStandIn::start(
        &fixture(),
        Settings {
            jwt: Some(JWT.into()),
            ..Settings::default()
        },
    );
    let work = Workdir::new();
    let out = ingest(&work, &trino, &Options::with(Auth::Jwt), "out", SEQUENTIAL);
    out.assert_success();
    assert_eq!(out.records().table_fqns(), expected_tables(all));
    let requests = trino.requests();
    assert!(
        requests
            .iter()
            .all(|r| r["authorization"] == "Bearer" && r["status"] == 200),
        "{requests:#?}"
    );
}

#[test]
fn credentials_over_http_need_allow_insecure_auth() {
    let trino = start();
    let work = Workdir::new();
    let o = Options {
        allow_insecure_auth: false,
        ..Options::with(Auth::Password)
    };
    let out = ingest(&work, &trino, &o, "out", SEQUENTIAL);
    assert_ne!(out.code, Some(0), "{}", out.describe());
    assert!(
        out.stderr.contains("TLS is required for authentication")
            && out.stderr.contains("allow_insecure_auth"),
        "{}",
        out.describe()
    );
    assert!(
        trino.requests().is_empty(),
        "nothing was sent: {:#?}",
        trino.requests()
    );
}

#[test]
fn gateway_hiccups_are_retried_and_nothing_is_lost() {
    // Every fourth request is answered 503, as a load balancer in front of Trino may.
    let trino = TrinoStandIn::start(
        &fixture(),
        Settings {
            flaky_every: 4,
            page_rows: 3,
            ..Settings::default()
        },
    );
    let work = Workdir::new();
    let out = ingest(&work, &trino, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let clean_trino = start();
    let clean = ingest(
        &work,
        &clean_trino,
        &Options::default(),
        "clean",
        SEQUENTIAL,
    );
    clean.assert_success();
    assert_eq!(
        out.records().canonical_set(),
        clean.records().canonical_set()
    );
    let unavailable = trino
        .requests()
        .iter()
        .filter(|r| r["status"] == 503)
        .count();
    assert!(unavailable >= 5, "{unavailable} answers 503");
    assert!(
        out.stderr.contains("HTTP 503; retry 1 of"),
        "the plugin says it retries:\n{}",
        out.describe()
    );
    assert_eq!(out.report()["retried"], 0, "the plugin recovered by itself");
}

#[test]
fn the_example_config_works() {
    let trino = TrinoStandIn::start(
        &fixture(),
        Settings {
            password: Some((USER.into(), PASSWORD.into())),
            ..Settings::default()
        },
    );
    let work = Workdir::new();
    let example = std::fs::read_to_string(omrun_tests::repo_root().join("examples/trino.yaml"))
        .expect("examples/trino.yaml");
    // The stand-in speaks http: the two lines the example says to change for that.
    let yaml = example
        .replace("http_scheme: https", "http_scheme: http")
        .replace("# allow_insecure_auth: true", "allow_insecure_auth: true");
    assert_ne!(yaml, example);
    let config = work.write("trino.yaml", yaml);
    let output = work.join("example.jsonl");
    let out = Omrun::ingest(work.path(), config)
        .plugin(plugin("trino"))
        .env("TRINO_HOST_PORT", trino.host_port())
        .env("TRINO_USER", USER)
        .env("TRINO_PASSWORD", PASSWORD)
        .env("OMRUN_OUTPUT", &output)
        .secret(PASSWORD)
        .output(&output)
        .run();
    out.assert_success();
    // Its filters exclude `tmp_` tables; the fixture has one.
    assert_eq!(
        out.records().table_fqns(),
        expected_tables(|_, _, t, _| !t.starts_with("tmp_"))
            .into_iter()
            .map(|f| f.replacen(SERVICE, "trino", 1))
            .collect()
    );
}

#[test]
fn into_openmetadata() {
    let trino = start();
    let om = StandIn::start(OM_TOKEN);
    let work = Workdir::new();
    let o = Options {
        openmetadata: Some(om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &trino, &o, "om", ("local", Some(2)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let names =
        |c: Collection| -> BTreeSet<String> { om.entities(c).into_iter().map(|e| e.fqn).collect() };
    assert_eq!(
        names(Collection::Databases),
        BTreeSet::from([fqn(&[SERVICE, "lake"]), fqn(&[SERVICE, "shop"])])
    );
    assert_eq!(names(Collection::Tables), expected_tables(all));
    let orders = om
        .entity(
            Collection::Tables,
            &fqn(&[SERVICE, "shop", "sales", "orders"]),
        )
        .expect("orders");
    assert_eq!(
        orders.body["description"], "Customer orders",
        "{}",
        orders.body
    );
    let shipping = column(&orders.body, "shipping");
    assert_eq!(shipping["dataType"], "STRUCT", "{shipping}");
    // The server's rule holds: a top-level STRUCT without children would have refused the table.
    assert_eq!(shape(shipping), "city,zip", "{shipping}");
    let events = om
        .entity(
            Collection::Tables,
            &fqn(&[SERVICE, "lake", "raw", "events"]),
        )
        .expect("events");
    assert_eq!(events.body["tableType"], "Iceberg", "{}", events.body);
    let service = om.entities(Collection::DatabaseServices);
    assert_eq!(service.len(), 1);
    assert_eq!(service[0].body["serviceType"], "Trino");
}

/// OpenMetadata's own Trino connector (its `metadata ingest` workflow) on the same stand-in: every
/// table both write is the same request, but for the differences docs/connectors.md documents,
/// which are checked here one by one (so the test fails when one goes away too): OpenMetadata
/// also ingests the `system` catalog and each catalog's `information_schema`; it writes no
/// `ordinalPosition`, and `dataLength` 1 on every scalar column without a length; its scalar
/// columns are all `NULL` (and its `row`/`array` columns have no constraint) where omrun says
/// `NOT_NULL` for a non-nullable one. The `children` of `row` columns (and arrays of rows) are
/// the same, at any depth, but for what omrun adds to a field
/// ([`without_what_omrun_adds_to_fields`]).
#[test]
fn openmetadata_s_own_trino_connector_writes_the_same_but_for_documented_differences() {
    let trino = start();
    let om = StandIn::start(OM_TOKEN);
    let theirs = openmetadata_ingest(&trino, &om, SERVICE, USER);
    let work = Workdir::new();
    let out = ingest(&work, &trino, &Options::default(), "omrun", SEQUENTIAL);
    out.assert_success();
    let key = |r: &Value| {
        format!(
            "{}.{}",
            r["databaseSchema"].as_str().unwrap(),
            r["name"].as_str().unwrap()
        )
    };
    let their_tables: BTreeMap<String, Value> = theirs
        .iter()
        .filter(|r| r["kind"] == "CreateTableRequest")
        .map(|r| (key(&r["request"]), r["request"].clone()))
        .collect();
    let records = out.records();
    let our_tables: BTreeMap<String, Value> = records
        .of_kind("CreateTableRequest")
        .map(|r| (key(&r.request), r.request.clone()))
        .collect();
    // Theirs, beyond ours: Trino's own metadata, nothing else.
    let extra: Vec<&String> = their_tables
        .keys()
        .filter(|k| !our_tables.contains_key(*k))
        .collect();
    assert!(
        !extra.is_empty()
            && extra.iter().all(|k| {
                k.starts_with(&format!("{SERVICE}.system.")) || k.contains(".information_schema.")
            }),
        "{extra:#?}"
    );
    assert!(
        our_tables.keys().all(|k| their_tables.contains_key(k)),
        "{:#?}",
        our_tables.keys()
    );

    let f = fixture();
    let nullable: BTreeMap<String, bool> = fixture_tables(&f)
        .iter()
        .flat_map(|(c, s, t, spec)| {
            spec["columns"].as_array().unwrap().iter().map(move |col| {
                (
                    format!("{SERVICE}.{c}.{s}.{t}.{}", col["name"].as_str().unwrap()),
                    col["nullable"] != false,
                )
            })
        })
        .collect();
    let (mut children, mut fields, mut not_null) = (0, 0, 0);
    for (k, ours) in &our_tables {
        let mut ours = ours.clone();
        let mut theirs = their_tables[k].clone();
        for r in [&mut ours, &mut theirs] {
            r.as_object_mut().unwrap().remove("sourceHash");
        }
        let their_columns = theirs["columns"].as_array_mut().unwrap();
        let our_columns = ours["columns"].as_array_mut().unwrap();
        assert_eq!(our_columns.len(), their_columns.len(), "{k}");
        for (o, t) in our_columns.iter_mut().zip(their_columns.iter_mut()) {
            let what = format!("{k}.{}: omrun {o}, OpenMetadata {t}", o["name"]);
            let (o, t) = (o.as_object_mut().unwrap(), t.as_object_mut().unwrap());
            assert!(
                o.remove("ordinalPosition").is_some() && !t.contains_key("ordinalPosition"),
                "{what}"
            );
            // OpenMetadata's `row(…)`/`array(…)` columns (parsed from their Hive spelling) have
            // neither a length nor a constraint.
            let complex = matches!(o["dataType"].as_str(), Some("STRUCT" | "ARRAY"));
            if !o.contains_key("dataLength") {
                assert_eq!(
                    t.remove("dataLength"),
                    (!complex).then(|| json!(1)),
                    "{what}"
                );
            }
            if t.contains_key("children") {
                children += 1;
                assert!(complex, "{what}");
                fields += without_what_omrun_adds_to_fields(o, t, &what);
            }
            let is_nullable = nullable[&format!("{k}.{}", o["name"].as_str().unwrap())];
            let ours = o.remove("constraint");
            let theirs = t.remove("constraint");
            assert_eq!(
                ours,
                Some(json!(if is_nullable { "NULL" } else { "NOT_NULL" })),
                "{what}"
            );
            not_null += usize::from(!is_nullable);
            assert_eq!(theirs, (!complex).then(|| json!("NULL")), "{what}");
        }
        assert_eq!(ours, theirs, "{k}");
    }
    assert!(
        children >= 3 && fields >= 8,
        "{children} columns with children, {fields} fields"
    );
    assert!(not_null >= 2, "NOT NULL columns: {not_null}");
}

/// Takes out of omrun's fields under `ours` (at any depth) what OpenMetadata's Trino connector does
/// not give its fields under `theirs`, checking it: a field's place among its siblings
/// (`ordinalPosition`), its nullability (`constraint`: `NULL`, a type says nothing of it), the
/// sink's length 1 of a type that needs one and has none (a field's `varchar`). The fields
/// themselves are left to be compared. Returns how many fields it went through.
fn without_what_omrun_adds_to_fields(
    ours: &mut serde_json::Map<String, Value>,
    theirs: &serde_json::Map<String, Value>,
    what: &str,
) -> usize {
    let Some(fields) = ours.get_mut("children").and_then(Value::as_array_mut) else {
        return 0;
    };
    let mut count = 0;
    for (i, field) in fields.iter_mut().enumerate() {
        let their = theirs["children"][i]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let what = format!("{what} / {}", field["name"]);
        let needs_length = matches!(
            field["dataType"].as_str(),
            Some("CHAR" | "VARCHAR" | "BINARY" | "VARBINARY")
        );
        let f = field.as_object_mut().unwrap();
        assert_eq!(f.remove("ordinalPosition"), Some(json!(i + 1)), "{what}");
        assert_eq!(f.remove("constraint"), Some(json!("NULL")), "{what}");
        if needs_length && !their.contains_key("dataLength") {
            assert_eq!(f.remove("dataLength"), Some(json!(1)), "{what}");
        }
        count += 1 + without_what_omrun_adds_to_fields(f, &their, &what);
    }
    count
}
