//! The Databricks connector end to end: the real plugin (`build/plugins/databricks.wasm`) in omrun,
//! over Unity Catalog's REST API 2.1, against the Unity Catalog stand-in
//! (tests/support/databricks/standin.py, which Databricks' official Python SDK checks first), into
//! the file sink (every line checked against OpenMetadata's schemas) and into the OpenMetadata
//! stand-in; and OpenMetadata's own Unity Catalog connector on the same stand-in, as the oracle.
//!
//! What is expected is derived here from the stand-in's catalog, independently of the plugin: a
//! database per catalog, a schema per schema, a table per table or view (Databricks' `system`
//! catalog and each catalog's `information_schema` aside, OpenMetadata's default filters for the
//! connection); table types as OpenMetadata's connector maps Unity Catalog's; column types, and a
//! struct's fields as `children`, as OpenMetadata's own code maps each `type_text`, asked at test
//! time (tests/support/databricks/om_column_types.py in openmetadata-ingestion's virtualenv).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use omrun_tests::databricks::{DatabricksStandIn, Settings, openmetadata_ingest, selftest};
use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Omrun, RunOutput, Workdir, column, constraints, fqn, plugin, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "databricks_test";
/// A personal access token; it must appear nowhere omrun writes.
const TOKEN: &str = "dapi5e1f0c2d-omrun-test-7a9b";
const OM_TOKEN: &str = "om-test-jwt-databricks";

fn col(name: &str, ty: &str) -> Value {
    json!({"name": name, "type_text": ty})
}

fn col_with(name: &str, ty: &str, comment: Option<&str>, nullable: bool) -> Value {
    json!({"name": name, "type_text": ty, "comment": comment, "nullable": nullable})
}

fn partition(name: &str, ty: &str, index: u32) -> Value {
    json!({"name": name, "type_text": ty, "partition_index": index})
}

fn pk(columns: &[&str]) -> Value {
    json!({"primary_key_constraint": {"name": "pk", "child_columns": columns}})
}

fn fk(columns: &[&str], parent: &str, parent_columns: &[&str]) -> Value {
    json!({"foreign_key_constraint": {"name": "fk", "child_columns": columns,
        "parent_table": parent, "parent_columns": parent_columns}})
}

/// Two catalogs (and Databricks' `system` one), schemas with and without comments (and an
/// `information_schema`), managed, external, streaming and cloned tables, views and a materialized
/// view, comments, keys within and across schemas, partition columns, and Databricks' types:
/// structs (nested, in arrays, in maps, without fields), whose fields may say `not null` and
/// `comment '…'` (the stand-in leaves them out of `type_text`, as Databricks does, and puts them in
/// `type_json`).
fn fixture() -> Value {
    json!({"catalogs": {
        "main": {"comment": "Main catalog", "schemas": {
            "sales": {"comment": "Sales data", "tables": {
                "orders": {"table_type": "MANAGED", "comment": "Customer orders", "columns": [
                    col_with("id", "bigint", Some("Order id"), false),
                    col("customer_id", "int"),
                    col_with("total", "decimal(12,2)", Some("Total, tax included"), true),
                    col("tags", "array<string>"),
                    col("attributes", "map<string,string>"),
                    col("shipping", "struct<city:string comment 'City or town',zip:string not null>"),
                    col("placed_at", "timestamp"),
                    col("status", "char(1)"),
                    col_with("note", "varchar(200)", Some(""), true),
                    partition("region", "string", 0),
                    partition("day", "date", 1),
                ], "table_constraints": [
                    pk(&["id"]),
                    fk(&["customer_id"], "main.sales.customers", &["id"]),
                ]},
                "customers": {"table_type": "MANAGED", "columns": [
                    col_with("id", "int", None, false), col("name", "string"), col("born", "date"),
                    col("vip", "boolean"), col("score", "float"), col("balance", "double"),
                    col("photo", "binary"), col("profile", "variant"), col("seen_at", "timestamp_ntz"),
                    col("tiny", "tinyint"), col("small", "smallint"),
                    col("spans", "interval day to second"),
                    col("history", "array<struct<at:timestamp not null,event:string comment 'What happened'>>"),
                    col("place", "struct<geo:struct<lat:double not null comment 'Latitude',lon:double>,tags:array<int>>"),
                    col("amounts", "array<decimal(10,2)>"), col("nothing", "void"),
                    col("meta", "struct<Source:string,raw:binary,code:char(3),empty:struct<>>"),
                    col("prefs", "map<string,struct<on:boolean>>"), col("blank", "struct<>"),
                ], "table_constraints": [pk(&["id"])]},
                "big_orders": {"table_type": "VIEW", "comment": "Orders over 100",
                    "view_definition": "SELECT id, total FROM main.sales.orders WHERE total > 100",
                    "columns": [col("id", "bigint"), col("total", "decimal(12,2)")]},
                "daily_totals": {"table_type": "MATERIALIZED_VIEW",
                    "view_definition": "SELECT day, sum(total) AS total FROM main.sales.orders GROUP BY day",
                    "columns": [col("day", "date"), col("total", "decimal(22,2)")]},
            }},
            "hr": {"tables": {
                "employees": {"table_type": "EXTERNAL", "comment": "People",
                    "data_source_format": "PARQUET",
                    "storage_location": "abfss://hr@lake.dfs.core.windows.net/employees",
                    "columns": [col_with("id", "bigint", None, false), col("name", "string"),
                                col("dept_id", "int")],
                    "table_constraints": [pk(&["id"]), fk(&["dept_id"], "main.hr.departments", &["id"])]},
                "departments": {"table_type": "MANAGED", "columns": [
                    col_with("id", "int", None, false), col("name", "string")],
                    "table_constraints": [pk(&["id"])]},
                "tmp_load": {"table_type": "MANAGED", "columns": [col("line", "string")]},
                "events_stream": {"table_type": "STREAMING_TABLE",
                    "columns": [col("at", "timestamp"), col("payload", "string")]},
            }},
            "information_schema": {"comment": "Information schema", "tables": {
                "tables": {"table_type": "VIEW", "view_definition": "SELECT …",
                    "columns": [col("table_name", "string")]},
            }},
        }},
        "lake": {"comment": null, "schemas": {
            "raw": {"comment": "Raw landing zone", "tables": {
                "events": {"table_type": "EXTERNAL", "comment": "Raw events",
                    "storage_location": "s3://lake/raw/events",
                    "columns": [col("at", "timestamp"), col("payload", "string"),
                                partition("day", "date", 0)]},
                "clicks_clone": {"table_type": "MANAGED_SHALLOW_CLONE", "columns": [col("x", "bigint")]},
            }},
            "staging": {"tables": {
                "scratch": {"table_type": "MANAGED", "columns": [col("x", "bigint")]},
            }},
        }},
        "system": {"comment": "System catalog", "schemas": {
            "access": {"tables": {"audit": {"table_type": "MANAGED", "columns": [col("event", "string")]}}},
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

/// A fixture column's type as Unity Catalog's `type_text` holds it (Spark's catalogString): a
/// struct field's `not null` and `comment '…'` left out, as the stand-in serves it.
fn type_text(fixture_type: &str) -> String {
    let mut text = fixture_type.replace(" not null", "");
    while let Some(at) = text.find(" comment '") {
        let close = text[at + 10..].find('\'').expect("a closed comment") + at + 10;
        text.replace_range(at..=close, "");
    }
    text
}

/// The `tableType` OpenMetadata's Unity Catalog connector gives a Unity Catalog `table_type`.
fn table_type(spec: &Value) -> &'static str {
    match spec["table_type"].as_str().unwrap() {
        "VIEW" => "View",
        "MATERIALIZED_VIEW" => "MaterializedView",
        "EXTERNAL" => "External",
        _ => "Regular",
    }
}

fn is_view(spec: &Value) -> bool {
    matches!(table_type(spec), "View" | "MaterializedView")
}

/// OpenMetadata's default filters of a `UnityCatalog` connection: not the `system` catalog, not
/// `information_schema`.
fn by_default(catalog: &str, schema: &str) -> bool {
    catalog != "system" && schema != "information_schema"
}

#[derive(Clone, Default)]
struct Options {
    service_type: Option<&'static str>,
    catalog: Option<&'static str>,
    database_schema: Option<&'static str>,
    /// `(key, includes, excludes)` of `sourceConfig.config`'s filter patterns.
    filters: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    /// The same, of `serviceConnection.config` (the connection's defaults).
    connection_filters: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    include_views: Option<bool>,
    include_tables: Option<bool>,
    use_fqn_for_filtering: bool,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

fn patterns(indent: &str, filters: &[(&str, Vec<&str>, Vec<&str>)]) -> String {
    let list = |l: &[&str]| l.iter().map(|s| yaml_str(s)).collect::<Vec<_>>().join(", ");
    filters
        .iter()
        .map(|(key, includes, excludes)| {
            format!(
                "{indent}{key}:\n{indent}  includes: [{}]\n{indent}  excludes: [{}]\n",
                list(includes),
                list(excludes)
            )
        })
        .collect()
}

fn config(work: &Workdir, uc: &DatabricksStandIn, o: &Options) -> PathBuf {
    let mut connection = format!(
        "      type: {}\n      hostPort: {}\n      authType:\n        token: ${{DATABRICKS_TOKEN}}\n",
        o.service_type.unwrap_or("UnityCatalog"),
        yaml_str(&uc.url())
    );
    if o.service_type == Some("Databricks") {
        connection.push_str("      httpPath: /sql/1.0/warehouses/abc123\n");
    }
    for (key, value) in [
        ("catalog", o.catalog),
        ("databaseSchema", o.database_schema),
    ] {
        if let Some(v) = value {
            connection.push_str(&format!("      {key}: {}\n", yaml_str(v)));
        }
    }
    connection.push_str(&patterns("      ", &o.connection_filters));
    let mut source = String::from("      type: DatabaseMetadata\n");
    source.push_str(&patterns("      ", &o.filters));
    for (key, value) in [
        ("includeViews", o.include_views),
        ("includeTables", o.include_tables),
        (
            "useFqnForFiltering",
            o.use_fqn_for_filtering.then_some(true),
        ),
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
    let yaml = format!(
        "source:
  type: databricks
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
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin with the config of `o` and `token` in `DATABRICKS_TOKEN`; `name` names the
/// output files. The token must appear nowhere omrun writes.
fn ingest_with(
    work: &Workdir,
    uc: &DatabricksStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
    token: &str,
) -> RunOutput {
    let config = config(work, uc, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("databricks"))
        .mode(mode.0, mode.1)
        .env("DATABRICKS_TOKEN", token)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .secret(token)
        .secret(TOKEN)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

fn ingest(
    work: &Workdir,
    uc: &DatabricksStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    ingest_with(work, uc, o, name, mode, TOKEN)
}

const SEQUENTIAL: (&str, Option<u32>) = ("sequential", None);

fn start() -> DatabricksStandIn {
    DatabricksStandIn::start(&fixture(), Settings::with_token(TOKEN))
}

/// The FQNs of the fixture's tables that `keep(catalog, schema, table, spec)` keeps.
fn expected_tables(keep: impl Fn(&str, &str, &str, &Value) -> bool) -> BTreeSet<String> {
    fixture_tables(&fixture())
        .into_iter()
        .filter(|(c, s, t, spec)| keep(c, s, t, spec))
        .map(|(c, s, t, _)| fqn(&[SERVICE, &c, &s, &t]))
        .collect()
}

fn all(c: &str, s: &str, _: &str, _: &Value) -> bool {
    by_default(c, s)
}

/// The schemas of the fixture that `keep(catalog, schema)` keeps, as FQNs.
fn expected_schemas(keep: impl Fn(&str, &str) -> bool) -> BTreeSet<String> {
    let f = fixture();
    let mut out = BTreeSet::new();
    for (catalog, cat) in f["catalogs"].as_object().unwrap() {
        for schema in cat["schemas"].as_object().unwrap().keys() {
            if keep(catalog, schema) {
                out.insert(fqn(&[SERVICE, catalog, schema]));
            }
        }
    }
    out
}

#[test]
fn the_standin_speaks_unity_catalog_to_the_official_client() {
    let out = selftest();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scripts/databricks-standin.sh selftest failed:\n{stdout}\n{stderr}"
    );
    let summary = stdout.lines().last().unwrap_or_default();
    let passed: usize = summary
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    assert!(passed >= 40, "{summary}");
}

#[test]
fn every_catalog_schema_table_and_view_in_both_modes() {
    let uc = start();
    let work = Workdir::new();
    let seq = ingest(&work, &uc, &Options::default(), "sequential", SEQUENTIAL);
    seq.assert_success();
    let local = ingest(&work, &uc, &Options::default(), "local", ("local", Some(2)));
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set(),
        "2 local workers write what one sequential run writes"
    );
    let r = seq.records();
    assert_eq!(r.service()["serviceType"], "UnityCatalog");
    assert_eq!(
        r.database_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "lake"]), fqn(&[SERVICE, "main"])]),
        "a database per catalog, Databricks' `system` catalog aside"
    );
    assert_eq!(
        r.schema_fqns(),
        expected_schemas(by_default),
        "information_schema aside"
    );
    assert_eq!(r.table_fqns(), expected_tables(all));
    assert_eq!(r.count("CreateTableRequest"), expected_tables(all).len());
    assert_eq!(seq.report()["failed"], 0);
    // Descriptions of catalogs and schemas: their comments, none where there is none.
    let f = fixture();
    for (catalog, cat) in f["catalogs"].as_object().unwrap() {
        if catalog == "system" {
            continue;
        }
        let db = r.get(&fqn(&[SERVICE, catalog]));
        assert_eq!(
            db.get("description"),
            cat.get("comment").filter(|c| !c.is_null()),
            "{db}"
        );
        for (schema, s) in cat["schemas"].as_object().unwrap() {
            if !by_default(catalog, schema) {
                continue;
            }
            let sc = r.get(&fqn(&[SERVICE, catalog, schema]));
            assert_eq!(
                sc.get("description"),
                s.get("comment").filter(|c| !c.is_null()),
                "{sc}"
            );
        }
    }
    // Every request carried the token (the stand-in checks it) and was answered.
    let requests = uc.requests();
    assert!(!requests.is_empty());
    for q in &requests {
        assert_eq!(q["authorization"], "Bearer", "{q}");
        assert_eq!(q["status"], 200, "{q}");
        assert_eq!(q["method"], "GET", "{q}");
    }
}

/// OpenMetadata's own column fields for each Databricks type, asked of its code
/// (tests/support/databricks/om_column_types.py in the openmetadata-ingestion virtualenv).
fn openmetadata_types(types: &BTreeSet<String>) -> BTreeMap<String, Value> {
    let venv = omrun_tests::om_ingest::venv();
    let out = Command::new(venv.join("bin/python"))
        .arg(omrun_tests::repo_root().join("tests/support/databricks/om_column_types.py"))
        .args(types)
        .stdin(Stdio::null())
        .output()
        .expect("run om_column_types.py");
    assert!(
        out.status.success(),
        "om_column_types.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut answers = BTreeMap::new();
    for line in stdout.lines() {
        let mut stream = serde_json::Deserializer::from_str(line).into_iter::<Value>();
        let ty = stream.next().unwrap().unwrap();
        let fields = stream.next().unwrap().unwrap();
        answers.insert(ty.as_str().unwrap().to_owned(), fields);
    }
    assert_eq!(answers.len(), types.len(), "{stdout}");
    answers
}

/// OpenMetadata requires a length of these types (of a top-level column); the sink gives one
/// without its own 1, nested ones too.
fn needs_length(column: &Value) -> bool {
    matches!(
        column["dataType"].as_str(),
        Some("CHAR" | "VARCHAR" | "BINARY" | "VARBINARY")
    )
}

/// Checks the `children` of omrun's column `got` against OpenMetadata's `theirs` (an answer of
/// om_column_types.py), at any depth: the same fields, named, typed and shown the same, in the same
/// order; what omrun adds is checked too: a field's place among its siblings (`ordinalPosition`),
/// its nullability (`constraint`), and the sink's length 1 for a type that needs one and has none
/// (a nested `binary`: OpenMetadata gives it none). Returns how many fields it compared.
fn same_children(got: &Value, theirs: &Value, what: &str) -> usize {
    let ours = got.get("children").and_then(Value::as_array);
    let their_children = theirs.get("children").and_then(Value::as_array);
    assert_eq!(
        ours.map(Vec::len),
        their_children.map(Vec::len),
        "children of {what}: omrun {got}, OpenMetadata {theirs}"
    );
    let pairs = ours
        .into_iter()
        .flatten()
        .zip(their_children.into_iter().flatten());
    let mut compared = 0;
    for (i, (o, t)) in pairs.enumerate() {
        let what = format!("{what}/{}: omrun {o}, OpenMetadata {t}", t["name"]);
        for key in [
            "name",
            "dataType",
            "dataTypeDisplay",
            "arrayDataType",
            "precision",
            "scale",
        ] {
            assert_eq!(o.get(key), t.get(key), "{key} of {what}");
        }
        match (o.get("dataLength"), t.get("dataLength")) {
            (Some(ours), None) => assert!(ours == 1 && needs_length(o), "{what}"),
            (ours, theirs) => assert_eq!(ours, theirs, "{what}"),
        }
        assert_eq!(o["ordinalPosition"], i + 1, "{what}");
        assert!(
            matches!(o["constraint"].as_str(), Some("NULL" | "NOT_NULL")),
            "{what}"
        );
        compared += 1 + same_children(o, t, &what);
    }
    compared
}

#[test]
fn column_types_as_openmetadata_maps_them() {
    let uc = start();
    let work = Workdir::new();
    let out = ingest(&work, &uc, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    let f = fixture();
    let tables: Vec<_> = fixture_tables(&f)
        .into_iter()
        .filter(|(c, s, _, _)| by_default(c, s))
        .collect();
    let types: BTreeSet<String> = tables
        .iter()
        .flat_map(|(.., spec)| spec["columns"].as_array().unwrap().clone())
        .map(|c| type_text(c["type_text"].as_str().unwrap()))
        .collect();
    let om = openmetadata_types(&types);
    assert!(types.len() >= 28, "{types:?}");
    let mut fields = 0;
    for (catalog, schema, name, spec) in &tables {
        let table = records.get(&fqn(&[SERVICE, catalog, schema, name]));
        let columns = spec["columns"].as_array().unwrap();
        assert_eq!(
            table["columns"].as_array().unwrap().len(),
            columns.len(),
            "{table}"
        );
        let primary_key: Vec<&str> = spec["table_constraints"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["primary_key_constraint"]["child_columns"].as_array())
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (i, want) in columns.iter().enumerate() {
            let cname = want["name"].as_str().unwrap();
            let ty = want["type_text"].as_str().unwrap();
            let got = column(table, cname);
            let theirs = &om[&type_text(ty)];
            let what = format!(
                "{catalog}.{schema}.{name}.{cname} ({ty}): omrun {got}, OpenMetadata {theirs}"
            );
            assert!(theirs.get("error").is_none(), "{what}");
            assert_eq!(got["dataType"], theirs["dataType"], "{what}");
            assert_eq!(got["dataTypeDisplay"], theirs["dataTypeDisplay"], "{what}");
            assert_eq!(
                got.get("arrayDataType"),
                theirs.get("arrayDataType").filter(|v| !v.is_null()),
                "{what}"
            );
            assert_eq!(
                got.get("precision"),
                theirs.get("precision").filter(|v| !v.is_null()),
                "{what}"
            );
            assert_eq!(
                got.get("scale"),
                theirs.get("scale").filter(|v| !v.is_null()),
                "{what}"
            );
            // OpenMetadata sends 1 on every column without a length of its own; omrun only where
            // the type has one (or OpenMetadata's server requires one).
            match got.get("dataLength") {
                Some(length) => assert_eq!(length, &theirs["dataLength"], "{what}"),
                None => assert!(theirs["dataLength"] == 1 && !needs_length(got), "{what}"),
            }
            assert_eq!(got["ordinalPosition"], i as u64 + 1, "{what}");
            let constraint = if primary_key == [cname] {
                "PRIMARY_KEY"
            } else if want["nullable"] == false {
                "NOT_NULL"
            } else {
                "NULL"
            };
            assert_eq!(got["constraint"], constraint, "{what}");
            match want["comment"].as_str().filter(|c| !c.is_empty()) {
                Some(comment) => assert_eq!(got["description"], comment, "{what}"),
                None => assert!(got.get("description").is_none(), "{what}"),
            }
            fields += same_children(got, theirs, &what);
        }
    }
    assert!(fields >= 12, "{fields} fields compared");
}

/// The field at `path` (`geo/lat`) under column `c`.
fn field<'a>(c: &'a Value, path: &str) -> &'a Value {
    path.split('/').fold(c, |c, name| {
        c["children"]
            .as_array()
            .and_then(|fields| fields.iter().find(|f| f["name"] == name))
            .unwrap_or_else(|| panic!("no field {name} in {c}"))
    })
}

/// The names of a column's children, in order.
fn field_names(c: &Value) -> Vec<&str> {
    c["children"]
        .as_array()
        .unwrap_or_else(|| panic!("no children in {c}"))
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect()
}

#[test]
fn struct_fields_are_children_with_their_comments_and_nullability() {
    let uc = start();
    let work = Workdir::new();
    let out = ingest(&work, &uc, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    let customers = records.get(&fqn(&[SERVICE, "main", "sales", "customers"]));
    // A struct in a struct: `place struct<geo:struct<lat:double not null comment 'Latitude',
    // lon:double>,tags:array<int>>`.
    let place = column(customers, "place");
    assert_eq!(field_names(place), ["geo", "tags"], "{place}");
    assert_eq!(field_names(field(place, "geo")), ["lat", "lon"], "{place}");
    assert_eq!(
        field(place, "geo/lat"),
        &json!({"name": "lat", "dataType": "DOUBLE", "dataTypeDisplay": "double",
                "ordinalPosition": 1, "constraint": "NOT_NULL", "description": "Latitude"})
    );
    assert_eq!(
        field(place, "geo/lon"),
        &json!({"name": "lon", "dataType": "DOUBLE", "dataTypeDisplay": "double",
                "ordinalPosition": 2, "constraint": "NULL"})
    );
    assert_eq!(
        field(place, "tags"),
        &json!({"name": "tags", "dataType": "ARRAY", "arrayDataType": "INT",
                "dataTypeDisplay": "array<int>", "ordinalPosition": 2, "constraint": "NULL"})
    );
    // An array of structs: its children are the elements' fields.
    let history = column(customers, "history");
    assert_eq!(
        (&history["dataType"], &history["arrayDataType"]),
        (&json!("ARRAY"), &json!("STRUCT"))
    );
    assert_eq!(field_names(history), ["at", "event"]);
    assert_eq!(field(history, "at")["constraint"], "NOT_NULL");
    assert_eq!(field(history, "event")["description"], "What happened");
    // Named as OpenMetadata's parser names them (lower case); lengths as it reads them; a struct
    // without fields, at the top or deeper, has an empty list; a map has no children.
    let meta = column(customers, "meta");
    assert_eq!(field_names(meta), ["source", "raw", "code", "empty"]);
    assert_eq!(
        (
            &field(meta, "code")["dataType"],
            &field(meta, "code")["dataLength"]
        ),
        (&json!("CHAR"), &json!(3))
    );
    assert_eq!(field(meta, "empty")["children"], json!([]));
    let blank = column(customers, "blank");
    assert_eq!(
        (&blank["dataTypeDisplay"], &blank["children"]),
        (&json!("struct<unknown>"), &json!([]))
    );
    assert!(column(customers, "prefs").get("children").is_none());
    let orders = records.get(&fqn(&[SERVICE, "main", "sales", "orders"]));
    let shipping = column(orders, "shipping");
    assert_eq!(field_names(shipping), ["city", "zip"]);
    assert_eq!(field(shipping, "city")["description"], "City or town");
    assert_eq!(field(shipping, "zip")["constraint"], "NOT_NULL");
}

#[test]
fn table_types_comments_definitions_keys_and_partitions() {
    let uc = start();
    let work = Workdir::new();
    let out = ingest(&work, &uc, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    let f = fixture();
    let mut seen_types = BTreeSet::new();
    for (catalog, schema, name, spec) in fixture_tables(&f) {
        if !by_default(&catalog, &schema) {
            continue;
        }
        let table = records.get(&fqn(&[SERVICE, &catalog, &schema, &name]));
        let what = format!("{catalog}.{schema}.{name}: {table}");
        assert_eq!(table["tableType"], table_type(&spec), "{what}");
        seen_types.insert(table_type(&spec));
        match spec["comment"].as_str() {
            Some(comment) => assert_eq!(table["description"], comment, "{what}"),
            None => assert!(table.get("description").is_none(), "{what}"),
        }
        if is_view(&spec) {
            let kind = if table_type(&spec) == "View" {
                "VIEW"
            } else {
                "MATERIALIZED VIEW"
            };
            let want = format!(
                "CREATE {kind} `{catalog}`.`{schema}`.`{name}` AS {}",
                spec["view_definition"].as_str().unwrap()
            );
            assert_eq!(table["schemaDefinition"], want.as_str(), "{what}");
        } else {
            assert!(table.get("schemaDefinition").is_none(), "{what}");
        }
        // Partition columns, in partition_index order, as column-value partitions.
        let mut keys: Vec<(u64, &str)> = spec["columns"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| Some((c["partition_index"].as_u64()?, c["name"].as_str()?)))
            .collect();
        keys.sort();
        if keys.is_empty() {
            assert!(table.get("tablePartition").is_none(), "{what}");
        } else {
            let want: Vec<Value> = keys
                .iter()
                .map(|(_, c)| json!({"columnName": c, "intervalType": "COLUMN-VALUE"}))
                .collect();
            assert_eq!(table["tablePartition"], json!({"columns": want}), "{what}");
        }
        // Foreign keys, to the parent's columns by FQN.
        let mut want_fks: Vec<(Vec<String>, Vec<String>)> = spec["table_constraints"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("foreign_key_constraint"))
            .map(|k| {
                let parent: Vec<&str> = k["parent_table"].as_str().unwrap().split('.').collect();
                let strings = |v: &Value| -> Vec<String> {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_owned())
                        .collect()
                };
                let referred = strings(&k["parent_columns"])
                    .iter()
                    .map(|c| fqn(&[SERVICE, parent[0], parent[1], parent[2], c]))
                    .collect();
                (strings(&k["child_columns"]), referred)
            })
            .collect();
        want_fks.sort();
        let mut got_fks = constraints(table, "FOREIGN_KEY");
        got_fks.sort();
        assert_eq!(got_fks, want_fks, "{what}");
    }
    assert_eq!(
        seen_types,
        BTreeSet::from(["Regular", "External", "View", "MaterializedView"]),
        "every OpenMetadata table type the connector gives is exercised"
    );
    // A foreign key whose table was written: with OpenMetadata's relationship type.
    let orders = records.get(&fqn(&[SERVICE, "main", "sales", "orders"]));
    let key = orders["tableConstraints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["constraintType"] == "FOREIGN_KEY")
        .expect("the foreign key of orders");
    assert_eq!(key["relationshipType"], "MANY_TO_ONE", "{key}");
}

#[test]
fn discovery_lists_names_and_each_table_is_read_once() {
    // Two items a page: every listing spans several pages.
    let uc = DatabricksStandIn::start(
        &fixture(),
        Settings {
            page_size: 2,
            ..Settings::with_token(TOKEN)
        },
    );
    let work = Workdir::new();
    let out = ingest(&work, &uc, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    assert_eq!(out.records().table_fqns(), expected_tables(all));
    let requests = uc.requests();
    let paths = uc.api_paths();
    let count = |p: &str| paths.iter().filter(|q| q.as_str() == p).count();
    // The catalogs once (three in pages of two), each kept catalog's schemas once.
    assert_eq!(count("/catalogs"), 2, "{paths:#?}");
    let schema_listings: Vec<&Value> = requests
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with("/schemas"))
        .collect();
    let listed_catalogs: BTreeSet<&str> = schema_listings
        .iter()
        .map(|r| r["query"]["catalog_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed_catalogs,
        BTreeSet::from(["lake", "main"]),
        "not `system`"
    );
    // Tables listed per kept schema, names only, every page followed.
    let table_listings: Vec<&Value> = requests
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .unwrap()
                .ends_with("/unity-catalog/tables")
        })
        .collect();
    for r in &table_listings {
        let q = &r["query"];
        assert_eq!(q["omit_columns"], "true", "{r}");
        assert_eq!(q["max_results"], "0", "{r}");
        assert_ne!(q["schema_name"], "information_schema", "{r}");
    }
    let listed: BTreeSet<(&str, &str)> = table_listings
        .iter()
        .map(|r| {
            (
                r["query"]["catalog_name"].as_str().unwrap(),
                r["query"]["schema_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert!(
        table_listings
            .iter()
            .any(|r| r["query"].get("page_token").is_some()),
        "pages followed"
    );
    // Each table read once, whole; catalogs and schemas never read one by one (their comments
    // came with the listings).
    let gets: Vec<&String> = paths.iter().filter(|p| p.starts_with("/tables/")).collect();
    let want: BTreeSet<String> = expected_tables(all)
        .iter()
        .map(|f| {
            format!(
                "/tables/{}",
                f.strip_prefix(&format!("{SERVICE}.")).unwrap()
            )
        })
        .collect();
    assert_eq!(
        gets.iter().map(|p| p.to_string()).collect::<BTreeSet<_>>(),
        want
    );
    assert_eq!(gets.len(), want.len(), "no table twice: {gets:#?}");
    assert!(
        paths
            .iter()
            .all(|p| !p.starts_with("/catalogs/") && !p.starts_with("/schemas/")),
        "{paths:#?}"
    );
}

#[test]
fn catalog_schema_and_filters() {
    let uc = start();
    let work = Workdir::new();
    // One catalog: no other is listed.
    let o = Options {
        catalog: Some("main"),
        filters: vec![("tableFilterPattern", vec![], vec!["^tmp_"])],
        ..Options::default()
    };
    let out = ingest(&work, &uc, &o, "catalog", SEQUENTIAL);
    out.assert_success();
    let r = out.records();
    assert_eq!(r.database_fqns(), BTreeSet::from([fqn(&[SERVICE, "main"])]));
    assert_eq!(
        r.table_fqns(),
        expected_tables(|c, s, t, _| c == "main" && by_default(c, s) && !t.starts_with("tmp_"))
    );
    assert!(
        !uc.api_paths().contains(&"/catalogs".to_string()),
        "{:#?}",
        uc.api_paths()
    );
    // The configured catalog's comment, asked for since no listing brought it.
    assert_eq!(
        r.get(&fqn(&[SERVICE, "main"]))["description"],
        "Main catalog"
    );

    // A schema of that catalog.
    let o = Options {
        catalog: Some("main"),
        database_schema: Some("hr"),
        ..Options::default()
    };
    let out = ingest(&work, &uc, &o, "schema", SEQUENTIAL);
    out.assert_success();
    let r = out.records();
    assert_eq!(
        r.schema_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "main", "hr"])])
    );
    assert_eq!(
        r.table_fqns(),
        expected_tables(|c, s, _, _| c == "main" && s == "hr")
    );

    // Every catalog, filtered by name; schemas by pattern.
    let o = Options {
        filters: vec![
            ("databaseFilterPattern", vec!["^lake$"], vec![]),
            ("schemaFilterPattern", vec![], vec!["^staging$"]),
        ],
        ..Options::default()
    };
    let out = ingest(&work, &uc, &o, "filters", SEQUENTIAL);
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

    // Fully qualified names, with useFqnForFiltering.
    let o = Options {
        filters: vec![(
            "tableFilterPattern",
            vec![leak(format!("^{SERVICE}\\.main\\.sales\\."))],
            vec![],
        )],
        use_fqn_for_filtering: true,
        ..Options::default()
    };
    let out = ingest(&work, &uc, &o, "fqn", SEQUENTIAL);
    out.assert_success();
    assert_eq!(
        out.records().table_fqns(),
        expected_tables(|c, s, _, _| c == "main" && s == "sales")
    );

    // The connection's own patterns replace OpenMetadata's defaults: `system` and
    // `information_schema` come in when they say nothing.
    let o = Options {
        connection_filters: vec![
            ("databaseFilterPattern", vec![], vec![]),
            ("schemaFilterPattern", vec![], vec![]),
        ],
        ..Options::default()
    };
    let out = ingest(&work, &uc, &o, "connection", SEQUENTIAL);
    out.assert_success();
    let r = out.records();
    assert_eq!(r.schema_fqns(), expected_schemas(|_, _| true));
    assert_eq!(r.table_fqns(), expected_tables(|_, _, _, _| true));
}

/// A pattern built at run time, for `Options`' static strings.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[test]
fn views_or_tables_can_be_left_out() {
    let uc = start();
    let work = Workdir::new();
    for (include_tables, include_views) in [(true, false), (false, true)] {
        let o = Options {
            include_tables: Some(include_tables),
            include_views: Some(include_views),
            ..Options::default()
        };
        let name = format!("tables_{include_tables}_views_{include_views}");
        let out = ingest(&work, &uc, &o, &name, SEQUENTIAL);
        out.assert_success();
        let want = expected_tables(|c, s, _, spec| {
            by_default(c, s)
                && if is_view(spec) {
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
fn a_wrong_token_fails_clearly() {
    let uc = start();
    let work = Workdir::new();
    let wrong = "dapi-wrong-token-0000";
    let out = ingest_with(&work, &uc, &Options::default(), "out", SEQUENTIAL, wrong);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("Databricks refused the access token (HTTP 403 403: Invalid access token.)")
            && out.stderr.contains("authType.token"),
        "{}",
        out.describe()
    );
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
    let requests = uc.requests();
    assert!(
        requests.len() == 2
            && requests
                .iter()
                .all(|r| r["status"] == 403 && r["authorization"] == "Bearer"),
        "one call per discovery attempt (maxAttempts: 2), a refused token is not retried: {requests:#?}"
    );
}

#[test]
fn what_cannot_be_read_is_named_in_the_report() {
    let mut f = fixture();
    // A table dropped between discovery and its description, and a catalog whose schemas the
    // token's user may not list.
    f["catalogs"]["main"]["schemas"]["hr"]["tables"]["tmp_load"]["vanished"] = json!(true);
    f["catalogs"]["locked"] = json!({"deny_listing": true, "comment": "Locked",
        "schemas": {"s": {"tables": {"t": {"columns": [col("x", "int")]}}}}});
    let uc = DatabricksStandIn::start(&f, Settings::with_token(TOKEN));
    let work = Workdir::new();
    let out = ingest(&work, &uc, &Options::default(), "out", SEQUENTIAL);
    out.assert_code(1);
    let r = out.records();
    assert_eq!(
        r.table_fqns(),
        expected_tables(|c, s, t, _| by_default(c, s) && t != "tmp_load")
    );
    let report = out.report();
    let failures = report["failures"]
        .as_array()
        .expect("the report's failures");
    let failed: BTreeMap<String, String> = failures
        .iter()
        .map(|e| {
            (
                e["fqn"]
                    .as_str()
                    .or(e["entity"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
                e.to_string(),
            )
        })
        .collect();
    assert_eq!(failed.len(), 2, "{report}");
    let gone = &failed[&fqn(&[SERVICE, "main", "hr", "tmp_load"])];
    assert!(
        gone.contains("no longer exists") && gone.contains("TABLE_DOES_NOT_EXIST"),
        "{gone}"
    );
    let locked = &failed[&fqn(&[SERVICE, "locked"])];
    assert!(
        locked.contains("could not be listed") && locked.contains("USE CATALOG"),
        "{locked}"
    );
}

#[test]
fn gateway_hiccups_are_retried_and_nothing_is_lost() {
    // Every fourth request is answered 503, as a gateway in front of the workspace may.
    let uc = DatabricksStandIn::start(
        &fixture(),
        Settings {
            flaky_every: 4,
            page_size: 3,
            ..Settings::with_token(TOKEN)
        },
    );
    let work = Workdir::new();
    let out = ingest(&work, &uc, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let clean_uc = start();
    let clean = ingest(&work, &clean_uc, &Options::default(), "clean", SEQUENTIAL);
    clean.assert_success();
    assert_eq!(
        out.records().canonical_set(),
        clean.records().canonical_set()
    );
    let unavailable = uc.requests().iter().filter(|r| r["status"] == 503).count();
    assert!(unavailable >= 5, "{unavailable} answers 503");
    assert!(
        out.stderr.contains("HTTP 503; retry 1 of"),
        "the plugin says it retries:\n{}",
        out.describe()
    );
    assert_eq!(out.report()["retried"], 0, "the plugin recovered by itself");
}

#[test]
fn the_databricks_service_type_reads_the_same() {
    let uc = start();
    let work = Workdir::new();
    let unity = ingest(&work, &uc, &Options::default(), "unity", SEQUENTIAL);
    unity.assert_success();
    let o = Options {
        service_type: Some("Databricks"),
        ..Options::default()
    };
    let databricks = ingest(&work, &uc, &o, "databricks", SEQUENTIAL);
    databricks.assert_success();
    let r = databricks.records();
    assert_eq!(r.service()["serviceType"], "Databricks");
    let without_service = |records: &omrun_tests::Records| -> Vec<String> {
        records
            .canonical_set()
            .into_iter()
            .filter(|l| !l.contains("CreateDatabaseServiceRequest"))
            .collect()
    };
    assert_eq!(without_service(&r), without_service(&unity.records()));
}

#[test]
fn the_example_config_works() {
    let uc = start();
    let work = Workdir::new();
    let config = omrun_tests::repo_root().join("examples/databricks.yaml");
    let output = work.join("example.jsonl");
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("databricks"))
        .env("DATABRICKS_HOST", uc.url())
        .env("DATABRICKS_TOKEN", TOKEN)
        .env("OMRUN_OUTPUT", &output)
        .secret(TOKEN)
        .output(&output)
        .run();
    out.assert_success();
    // Its filters exclude `tmp_` tables; the fixture has one.
    assert_eq!(
        out.records().table_fqns(),
        expected_tables(|c, s, t, _| by_default(c, s) && !t.starts_with("tmp_"))
            .into_iter()
            .map(|f| f.replacen(SERVICE, "databricks", 1))
            .collect()
    );
    assert!(
        !out.stderr.contains("have no effect") && !out.stderr.contains("does nothing"),
        "every key of the example is read: {}",
        out.stderr
    );
}

#[test]
fn into_openmetadata() {
    let uc = start();
    let om = StandIn::start(OM_TOKEN);
    let work = Workdir::new();
    let o = Options {
        openmetadata: Some(om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &uc, &o, "om", ("local", Some(2)));
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
        BTreeSet::from([fqn(&[SERVICE, "lake"]), fqn(&[SERVICE, "main"])])
    );
    assert_eq!(names(Collection::Tables), expected_tables(all));
    let orders = om
        .entity(
            Collection::Tables,
            &fqn(&[SERVICE, "main", "sales", "orders"]),
        )
        .expect("orders");
    assert_eq!(
        orders.body["description"], "Customer orders",
        "{}",
        orders.body
    );
    // The server's rule holds (a top-level STRUCT without children would have refused the
    // table), and the fields are stored, nested ones with their FQNs.
    let shipping = column(&orders.body, "shipping");
    assert_eq!(shipping["dataType"], "STRUCT", "{}", orders.body);
    assert_eq!(field_names(shipping), ["city", "zip"]);
    let customers = om
        .entity(
            Collection::Tables,
            &fqn(&[SERVICE, "main", "sales", "customers"]),
        )
        .expect("customers");
    let lat = field(column(&customers.body, "place"), "geo/lat");
    assert_eq!(
        (&lat["fullyQualifiedName"], &lat["description"]),
        (
            &json!(fqn(&[
                SERVICE,
                "main",
                "sales",
                "customers",
                "place",
                "geo",
                "lat"
            ])),
            &json!("Latitude")
        ),
        "{lat}"
    );
    assert_eq!(column(&customers.body, "blank")["children"], json!([]));
    let keys = constraints(&orders.body, "FOREIGN_KEY");
    assert_eq!(
        keys,
        [(
            vec!["customer_id".to_string()],
            vec![fqn(&[SERVICE, "main", "sales", "customers", "id"])]
        )],
        "the foreign key is stored: {}",
        orders.body
    );
    let service = om.entities(Collection::DatabaseServices);
    assert_eq!(service.len(), 1);
    assert_eq!(service[0].body["serviceType"], "UnityCatalog");
}

/// Takes out of omrun's struct fields under `ours` (at any depth) what OpenMetadata's connector does
/// not give its `theirs`, checking it: a field's place among its siblings (`ordinalPosition`), its
/// nullability (`constraint`), the sink's length 1 of a nested type that needs one and has none.
/// Returns how many fields it went through.
fn without_what_omrun_adds_to_fields(ours: &mut Value, theirs: &Value, what: &str) -> usize {
    let Some(fields) = ours.get_mut("children").and_then(Value::as_array_mut) else {
        return 0;
    };
    let mut count = 0;
    for (i, field) in fields.iter_mut().enumerate() {
        let their = &theirs["children"][i];
        let what = format!("{what} / {}", field["name"]);
        let added_length = their.get("dataLength").is_none() && needs_length(field);
        let f = field.as_object_mut().unwrap();
        assert_eq!(f.remove("ordinalPosition"), Some(json!(i + 1)), "{what}");
        let constraint = f.remove("constraint");
        assert!(
            matches!(
                constraint.as_ref().and_then(Value::as_str),
                Some("NULL" | "NOT_NULL")
            ),
            "{what}"
        );
        if added_length {
            assert_eq!(f.remove("dataLength"), Some(json!(1)), "{what}");
        }
        count += 1 + without_what_omrun_adds_to_fields(field, their, &what);
    }
    count
}

/// OpenMetadata's own Unity Catalog connector (its `metadata ingest` workflow, with Databricks'
/// SDK) on the same stand-in: every table both write is the same request, but for the differences
/// docs/connectors.md documents, checked here one by one (so the test fails when one goes away
/// too): OpenMetadata also ingests the `system` catalog and `information_schema` (its connector
/// ignores the connection's default filters); its `ordinalPosition` is Unity Catalog's 0-based
/// `position`, and its struct fields have none; it sends `dataLength` 1 on every column without a
/// length (and none on a nested `binary`); its columns and fields carry no `constraint`; it gives
/// tables their `locationPath`; without a SQL warehouse it reads no keys; it writes no
/// `tablePartition`. Struct fields (`children`, at any depth, with their comments) are the same.
#[test]
fn openmetadata_s_own_unity_catalog_connector_writes_the_same_but_for_documented_differences() {
    let uc = start();
    let om = StandIn::start(OM_TOKEN);
    let theirs = openmetadata_ingest(&uc, &om, SERVICE, TOKEN);
    let work = Workdir::new();
    let out = ingest(&work, &uc, &Options::default(), "omrun", SEQUENTIAL);
    out.assert_success();
    let records = out.records();

    // Databases and schemas: the same requests (but for sourceHash).
    let keyed = |kind: &str, parent: &str, list: Vec<Value>| -> BTreeMap<String, Value> {
        list.into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("sourceHash");
                let key = format!(
                    "{}.{}",
                    r[parent].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                );
                let _ = kind;
                (key, r)
            })
            .collect()
    };
    let theirs_of = |kind: &str| -> Vec<Value> {
        theirs
            .iter()
            .filter(|r| r["kind"] == kind)
            .map(|r| r["request"].clone())
            .collect()
    };
    let ours_of =
        |kind: &str| -> Vec<Value> { records.of_kind(kind).map(|r| r.request.clone()).collect() };
    for (kind, parent) in [
        ("CreateDatabaseRequest", "service"),
        ("CreateDatabaseSchemaRequest", "database"),
    ] {
        let their = keyed(kind, parent, theirs_of(kind));
        let our = keyed(kind, parent, ours_of(kind));
        for (k, o) in &our {
            assert_eq!(Some(o), their.get(k), "{kind} {k}");
        }
        let extra: Vec<&String> = their.keys().filter(|k| !our.contains_key(*k)).collect();
        assert!(
            !extra.is_empty()
                && extra.iter().all(|k| {
                    k.starts_with(&format!("{SERVICE}.system"))
                        || k.ends_with(".information_schema")
                }),
            "{kind}: {extra:#?}"
        );
    }

    let key = |r: &Value| {
        format!(
            "{}.{}",
            r["databaseSchema"].as_str().unwrap(),
            r["name"].as_str().unwrap()
        )
    };
    let their_tables: BTreeMap<String, Value> = theirs_of("CreateTableRequest")
        .into_iter()
        .map(|r| (key(&r), r))
        .collect();
    let our_tables: BTreeMap<String, Value> = ours_of("CreateTableRequest")
        .into_iter()
        .map(|r| (key(&r), r))
        .collect();
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
    assert!(our_tables.keys().all(|k| their_tables.contains_key(k)));

    let f = fixture();
    let specs: BTreeMap<String, Value> = fixture_tables(&f)
        .into_iter()
        .map(|(c, s, t, spec)| (format!("{SERVICE}.{c}.{s}.{t}"), spec))
        .collect();
    let (mut children, mut fields) = (0, 0);
    let (mut located, mut partitioned, mut keyed_tables) = (0, 0, 0);
    for (k, ours) in &our_tables {
        let spec = &specs[k];
        let mut ours = ours.clone();
        let mut theirs = their_tables[k].clone();
        let (o, t) = (
            ours.as_object_mut().unwrap(),
            theirs.as_object_mut().unwrap(),
        );
        o.remove("sourceHash");
        t.remove("sourceHash");
        // A table's storage location: theirs only.
        match spec.get("table_type").and_then(Value::as_str) {
            Some("VIEW" | "MATERIALIZED_VIEW") => assert!(!t.contains_key("locationPath"), "{k}"),
            _ => {
                assert!(t.remove("locationPath").is_some(), "{k}");
                located += 1;
            }
        }
        // Partitions: ours only.
        let has_partitions = spec["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.get("partition_index").is_some());
        assert_eq!(o.remove("tablePartition").is_some(), has_partitions, "{k}");
        partitioned += usize::from(has_partitions);
        // Keys: ours only (OpenMetadata asks a SQL warehouse which tables have any).
        assert_eq!(t.remove("tableConstraints"), Some(json!([])), "{k}");
        let our_keys = o.remove("tableConstraints").unwrap();
        let has_keys = spec.get("table_constraints").is_some();
        keyed_tables += usize::from(has_keys);
        let our_columns = o.get_mut("columns").unwrap().as_array_mut().unwrap();
        let their_columns = t.get_mut("columns").unwrap().as_array_mut().unwrap();
        assert_eq!(our_columns.len(), their_columns.len(), "{k}");
        for (oc, tc) in our_columns.iter_mut().zip(their_columns.iter_mut()) {
            let what = format!("{k}.{}: omrun {oc}, OpenMetadata {tc}", oc["name"]);
            fields += without_what_omrun_adds_to_fields(oc, tc, &what);
            children += usize::from(oc.get("children").is_some());
            let (oc, tc) = (oc.as_object_mut().unwrap(), tc.as_object_mut().unwrap());
            let (op, tp) = (oc.remove("ordinalPosition"), tc.remove("ordinalPosition"));
            assert_eq!(
                op.and_then(|p| p.as_u64()),
                tp.and_then(|p| p.as_u64()).map(|p| p + 1),
                "{what}"
            );
            if !oc.contains_key("dataLength") {
                assert_eq!(tc.remove("dataLength"), Some(json!(1)), "{what}");
            }
            let constraint = oc.remove("constraint");
            assert!(
                constraint.is_some() && !tc.contains_key("constraint"),
                "{what}"
            );
            if constraint == Some(json!("PRIMARY_KEY")) {
                assert!(has_keys, "{what}");
            }
        }
        if has_keys {
            assert!(
                our_keys
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["constraintType"] == "FOREIGN_KEY")
                    || spec["table_constraints"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|c| c.get("foreign_key_constraint").is_none()),
                "{k}: {our_keys}"
            );
        } else {
            assert_eq!(our_keys, json!([]), "{k}");
        }
        assert_eq!(ours, theirs, "{k}");
    }
    assert!(
        children >= 5 && fields >= 12,
        "{children} columns with children, {fields} fields"
    );
    assert!(located >= 8 && partitioned >= 2 && keyed_tables >= 4);
}
