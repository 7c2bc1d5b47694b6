//! OpenMetadata's `Presto` service end to end: the real Trino plugin (`build/plugins/trino.wasm`,
//! which serves both) in omrun, against the Trino stand-in's Presto flavour (which refuses
//! `X-Trino-*` as PrestoDB does, and which PrestoDB's own Python client checks first), into the
//! file sink and into the OpenMetadata stand-in.
//!
//! What is expected is derived here from the stand-in's catalog, independently of the plugin: a
//! database per catalog (`system` aside), a schema per schema (`information_schema` aside), a
//! table per table or view (views too, which OpenMetadata's Presto connector does not read as
//! views: docs/connectors.md#presto); a table's comment is the one `SHOW CREATE TABLE` prints,
//! never a column's; column types keep Presto's spelling as display.

use std::collections::BTreeSet;
use std::path::PathBuf;

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::trino::{Flavour, Settings, TrinoStandIn};
use omrun_tests::{Omrun, RunOutput, Workdir, column, fqn, plugin, plugin_dir, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "presto_test";
const USER: &str = "alice";
/// Characters the host must carry through base64 untouched.
const PASSWORD: &str = "pr3sto:pä ss&'\"";
const OM_TOKEN: &str = "om-test-jwt-presto";
/// A table comment SHOW CREATE TABLE prints as a Unicode literal (`U&'…'`), a quote doubled.
const ORDERS_COMMENT: &str = "Customer's orders — été\nsecond line";

/// OpenMetadata's fields omrun writes for each Presto type of the fixture: `dataType`,
/// `arrayDataType`, `dataLength`, `precision` and `scale`; `dataTypeDisplay` is the spelling.
#[allow(clippy::type_complexity)]
const TYPES: &[(&str, &str, Option<&str>, Option<u64>, Option<(u64, u64)>)] = &[
    ("bigint", "BIGINT", None, None, None),
    ("integer", "INT", None, None, None),
    ("tinyint", "TINYINT", None, None, None),
    ("varchar(64)", "VARCHAR", None, Some(64), None),
    ("varchar", "VARCHAR", None, Some(1), None),
    ("char(1)", "CHAR", None, Some(1), None),
    ("decimal(12,2)", "DECIMAL", None, None, Some((12, 2))),
    ("timestamp", "TIMESTAMP", None, None, None),
    ("timestamp with time zone", "TIMESTAMP", None, None, None),
    ("date", "DATE", None, None, None),
    ("time", "TIME", None, None, None),
    ("boolean", "BOOLEAN", None, None, None),
    ("real", "FLOAT", None, None, None),
    ("double", "DOUBLE", None, None, None),
    ("varbinary", "VARBINARY", None, Some(1), None),
    ("json", "JSON", None, None, None),
    ("ipaddress", "NULL", None, None, None),
    ("interval day to second", "NULL", None, None, None),
    ("array(varchar)", "ARRAY", Some("VARCHAR"), None, None),
    (
        "array(row(integer, varchar))",
        "ARRAY",
        Some("STRUCT"),
        None,
        None,
    ),
    ("map(varchar, varchar)", "MAP", None, None, None),
    ("row(city varchar, zip char(5))", "STRUCT", None, None, None),
];

fn col(name: &str, ty: &str, comment: Option<&str>, nullable: bool) -> Value {
    json!({"name": name, "type": ty, "comment": comment, "nullable": nullable})
}

fn c(name: &str, ty: &str) -> Value {
    col(name, ty, None, true)
}

/// Two catalogs (a Hive one, whose SHOW CREATE TABLE has properties after its comment, and an
/// Iceberg one), three schemas, tables with and without comments (one whose columns have comments
/// but not the table), views (one whose text only SHOW CREATE VIEW tells), PrestoDB's spellings.
fn fixture() -> Value {
    json!({"catalogs": {
        "shop": {"connector": "hive", "schemas": {
            "sales": {"tables": {
                "orders": {"type": "BASE TABLE", "comment": ORDERS_COMMENT, "columns": [
                    col("id", "bigint", Some("Order id"), false),
                    c("customer", "varchar(64)"), c("total", "decimal(12,2)"),
                    c("placed_at", "timestamp with time zone"), c("tags", "array(varchar)"),
                    c("attributes", "map(varchar, varchar)"),
                    c("shipping", "row(city varchar, zip char(5))"), c("status", "char(1)"),
                    c("tiny", "tinyint"),
                ]},
                "customers": {"type": "BASE TABLE", "comment": null, "columns": [
                    col("id", "integer", Some("Customer id"), false),
                    col("name", "varchar", Some("it's the name"), true),
                    c("born", "date"), c("vip", "boolean"), c("score", "real"), c("balance", "double"),
                    c("photo", "varbinary"), c("profile", "json"), c("login_time", "time"),
                    c("ip", "ipaddress"), c("spans", "interval day to second"),
                    c("history", "array(row(integer, varchar))"), c("seen", "timestamp"),
                ]},
                "big_orders": {"type": "VIEW",
                    "definition": "SELECT id, total FROM shop.sales.orders WHERE total > 100",
                    "columns": [c("id", "bigint"), c("total", "decimal(12,2)")]},
                "owner_only": {"type": "VIEW", "definition": null,
                    "show_create": "CREATE VIEW shop.sales.owner_only AS\nSELECT id FROM shop.sales.customers",
                    "columns": [c("id", "integer")]},
            }},
            "hr": {"tables": {
                "employees": {"type": "BASE TABLE", "comment": "People",
                    "columns": [col("id", "bigint", None, false), c("name", "varchar")]},
            }},
        }},
        "lake": {"connector": "iceberg", "schemas": {
            "raw": {"tables": {
                "events": {"type": "BASE TABLE", "comment": "Raw events",
                    "columns": [c("at", "timestamp"), c("payload", "json")]},
            }},
        }},
    }})
}

/// Every table of the fixture: `(catalog, schema, name, spec)`.
fn fixture_tables() -> Vec<(String, String, String, Value)> {
    let f = fixture();
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

/// The FQNs of the fixture's tables that `keep(catalog, schema)` keeps.
fn tables(keep: impl Fn(&str, &str) -> bool) -> BTreeSet<String> {
    fixture_tables()
        .into_iter()
        .filter(|(c, s, _, _)| keep(c, s))
        .map(|(c, s, t, _)| fqn(&[SERVICE, &c, &s, &t]))
        .collect()
}

fn every(_: &str, _: &str) -> bool {
    true
}

/// A stand-in answering as PrestoDB, requiring `alice`'s password when `password`.
fn start(password: Option<&str>) -> TrinoStandIn {
    TrinoStandIn::start(
        &fixture(),
        Settings {
            flavour: Flavour::Presto,
            password: password.map(|p| (USER.into(), p.into())),
            ..Settings::default()
        },
    )
}

#[derive(Clone)]
struct Options {
    /// `type`: `Presto`, or `Trino` to see a PrestoDB refuse Trino's headers.
    service_type: &'static str,
    /// `password: ${PRESTO_PASSWORD}`.
    password: bool,
    /// `connectionArguments.allow_insecure_auth: true` (the stand-in speaks http).
    allow_insecure_auth: bool,
    catalog: Option<&'static str>,
    database_schema: Option<&'static str>,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            service_type: "Presto",
            password: true,
            allow_insecure_auth: true,
            catalog: None,
            database_schema: None,
            openmetadata: None,
        }
    }
}

fn config(work: &Workdir, presto: &TrinoStandIn, o: &Options) -> PathBuf {
    let mut connection = format!(
        "      type: {}\n      hostPort: {}\n      username: {USER}\n",
        o.service_type,
        yaml_str(&presto.host_port())
    );
    if o.service_type == "Presto" {
        // The stand-in speaks http (PyHive's default too; written as a user would).
        connection.push_str("      protocol: http\n");
    }
    if o.password {
        connection.push_str("      password: ${PRESTO_PASSWORD}\n");
    }
    for (key, value) in [
        ("catalog", o.catalog),
        ("databaseSchema", o.database_schema),
    ] {
        if let Some(v) = value {
            connection.push_str(&format!("      {key}: {}\n", yaml_str(v)));
        }
    }
    if o.allow_insecure_auth {
        connection.push_str("      connectionArguments:\n        allow_insecure_auth: true\n");
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
  type: {}
  serviceName: {SERVICE}
  serviceConnection:
    config:
{connection}  sourceConfig:
    config:
      type: DatabaseMetadata
{sink}workflowConfig:
  loggerLevel: INFO
{server}  distributedExecution:
    enabled: true
    orchestrator: sequential
    retryPolicy:
      maxAttempts: 2
      backoffSeconds: 0.05
",
        o.service_type.to_lowercase()
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin with the config of `o`; `name` names the output files. The password comes
/// from the environment and must appear nowhere omrun writes.
fn ingest(
    work: &Workdir,
    presto: &TrinoStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    let config = config(work, presto, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("trino"))
        .mode(mode.0, mode.1)
        .env("PRESTO_PASSWORD", PASSWORD)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .secret(PASSWORD)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

const SEQUENTIAL: (&str, Option<u32>) = ("sequential", None);

/// Every request the stand-in answered spoke Presto (only `X-Presto-*` headers, the configured
/// user, omrun as the source) and was answered 200; with `basic`, each carried basic credentials
/// (which the stand-in checks), else none did.
fn assert_spoke_presto(presto: &TrinoStandIn, basic: bool) {
    let requests = presto.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        if r["path"] == "/v1/info" {
            continue; // the credentials probe: no protocol headers needed
        }
        let headers: Vec<&str> = r["protocol_headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        assert!(
            !headers.is_empty() && headers.iter().all(|h| h.starts_with("x-presto-")),
            "{r}"
        );
        assert_eq!(r["user"], USER, "{r}");
        assert_eq!(r["source"], "omrun", "{r}");
        assert_eq!(r["status"], 200, "{r}");
        let authorization = if basic { json!("Basic") } else { Value::Null };
        assert_eq!(r["authorization"], authorization, "{r}");
    }
}

#[test]
fn every_catalog_schema_table_and_view_as_presto_in_both_modes() {
    let presto = start(Some(PASSWORD));
    let work = Workdir::new();
    let seq = ingest(&work, &presto, &Options::default(), "seq", SEQUENTIAL);
    seq.assert_success();
    let local = ingest(
        &work,
        &presto,
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
    assert_spoke_presto(&presto, true);

    let r = seq.records();
    assert_eq!(r.service()["serviceType"], "Presto");
    assert_eq!(
        r.database_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "lake"]), fqn(&[SERVICE, "shop"])]),
        "a database per catalog, `system` aside"
    );
    let schemas: BTreeSet<String> = [("shop", "sales"), ("shop", "hr"), ("lake", "raw")]
        .iter()
        .map(|(c, s)| fqn(&[SERVICE, c, s]))
        .collect();
    assert_eq!(r.schema_fqns(), schemas, "information_schema aside");
    assert_eq!(r.table_fqns(), tables(every));

    let expected: std::collections::BTreeMap<&str, _> = TYPES.iter().map(|e| (e.0, e)).collect();
    let mut seen = BTreeSet::new();
    for (catalog, schema, name, spec) in fixture_tables() {
        let table = r.get(&fqn(&[SERVICE, &catalog, &schema, &name]));
        let what = format!("{catalog}.{schema}.{name}: {table}");
        let view = spec["type"] == "VIEW";
        let table_type = match (view, catalog.as_str()) {
            (true, _) => "View",
            (false, "lake") => "Iceberg",
            (false, _) => "Regular",
        };
        assert_eq!(table["tableType"], table_type, "{what}");
        // The comment SHOW CREATE TABLE prints (decoded), never a column's.
        match spec["comment"].as_str() {
            Some(comment) => assert_eq!(table["description"], comment, "{what}"),
            None => assert!(table.get("description").is_none(), "{what}"),
        }
        if view {
            let want = match spec["definition"].as_str() {
                Some(text) => {
                    format!("CREATE VIEW \"{catalog}\".\"{schema}\".\"{name}\" AS {text}")
                }
                None => spec["show_create"].as_str().unwrap().to_string(),
            };
            assert_eq!(table["schemaDefinition"], want.as_str(), "{what}");
        }
        for (i, want) in spec["columns"].as_array().unwrap().iter().enumerate() {
            let ty = want["type"].as_str().unwrap();
            let got = column(table, want["name"].as_str().unwrap());
            let what = format!("{what} column {ty}: {got}");
            let &&(_, data_type, element, length, numeric) = expected
                .get(ty)
                .unwrap_or_else(|| panic!("no expectation for {ty}"));
            seen.insert(ty.to_string());
            assert_eq!(got["dataType"], data_type, "{what}");
            assert_eq!(got["dataTypeDisplay"], ty, "{what}");
            assert_eq!(got["arrayDataType"].as_str(), element, "{what}");
            assert_eq!(got["dataLength"].as_u64(), length, "{what}");
            assert_eq!(
                got["precision"].as_u64().zip(got["scale"].as_u64()),
                numeric,
                "{what}"
            );
            assert_eq!(got["ordinalPosition"], i as u64 + 1, "{what}");
            let constraint = if want["nullable"] == false {
                "NOT_NULL"
            } else {
                "NULL"
            };
            assert_eq!(got["constraint"], constraint, "{what}");
            assert_eq!(
                got.get("description"),
                want.get("comment").filter(|c| !c.is_null())
            );
        }
    }
    assert_eq!(seen.len(), TYPES.len(), "every expectation is exercised");

    // PrestoDB has no system.metadata.table_comments: a SHOW CREATE TABLE per table (views aside)
    // per run, instead.
    let statements = presto.statements();
    assert!(
        statements.iter().all(|s| !s.contains("table_comments")),
        "{statements:#?}"
    );
    let shown: Vec<&String> = statements
        .iter()
        .filter(|s| s.starts_with("SHOW CREATE TABLE"))
        .collect();
    let base_tables = fixture_tables()
        .iter()
        .filter(|t| t.3["type"] != "VIEW")
        .count();
    assert_eq!(shown.len(), 2 * base_tables, "{shown:#?}");
    assert!(shown.contains(&&"SHOW CREATE TABLE \"shop\".\"sales\".\"orders\"".to_string()));
}

#[test]
fn into_openmetadata() {
    let presto = start(Some(PASSWORD));
    let om = StandIn::start(OM_TOKEN);
    let work = Workdir::new();
    let o = Options {
        openmetadata: Some(om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &presto, &o, "om", ("local", Some(2)));
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
    assert_eq!(names(Collection::Tables), tables(every));
    let service = om.entities(Collection::DatabaseServices);
    assert_eq!(service.len(), 1);
    assert_eq!(service[0].body["serviceType"], "Presto");
    let orders = om
        .entity(
            Collection::Tables,
            &fqn(&[SERVICE, "shop", "sales", "orders"]),
        )
        .expect("orders");
    assert_eq!(
        orders.body["description"], ORDERS_COMMENT,
        "{}",
        orders.body
    );
    let events = om
        .entity(
            Collection::Tables,
            &fqn(&[SERVICE, "lake", "raw", "events"]),
        )
        .expect("events");
    assert_eq!(events.body["tableType"], "Iceberg", "{}", events.body);
    // The password went to Presto only: not in anything OpenMetadata was sent.
    for request in om.requests() {
        assert!(
            !request.body.contains(PASSWORD),
            "{} {}",
            request.method,
            request.path
        );
    }
}

#[test]
fn one_catalog_one_schema_and_the_catalog_header() {
    let presto = start(Some(PASSWORD));
    let work = Workdir::new();
    let o = Options {
        catalog: Some("shop"),
        database_schema: Some("sales"),
        ..Options::default()
    };
    let out = ingest(&work, &presto, &o, "out", SEQUENTIAL);
    out.assert_success();
    let r = out.records();
    assert_eq!(r.database_fqns(), BTreeSet::from([fqn(&[SERVICE, "shop"])]));
    assert_eq!(r.table_fqns(), tables(|c, s| c == "shop" && s == "sales"));
    assert!(
        presto
            .requests()
            .iter()
            .filter(|r| r["method"] == "POST")
            .all(|r| r["catalog"] == "shop"),
        "X-Presto-Catalog on every statement"
    );
    assert!(
        presto.statements().iter().all(|s| !s.contains("\"lake\"")),
        "{:#?}",
        presto.statements()
    );
}

#[test]
fn without_a_password_none_is_sent() {
    // The config has no password; even allowed over http, the plugin sends none: the host refused
    // its probe (a placeholder naming no secret) before anything left omrun.
    let presto = start(None);
    let work = Workdir::new();
    let o = Options {
        password: false,
        ..Options::default()
    };
    let out = ingest(&work, &presto, &o, "out", SEQUENTIAL);
    out.assert_success();
    assert_eq!(out.records().table_fqns(), tables(every));
    assert_spoke_presto(&presto, false);
    assert!(
        presto.requests().iter().all(|r| r["path"] != "/v1/info"),
        "the probe never reached Presto"
    );
}

#[test]
fn a_password_never_goes_over_http_unless_allowed() {
    let presto = start(Some(PASSWORD));
    let work = Workdir::new();
    let o = Options {
        allow_insecure_auth: false,
        ..Options::default()
    };
    let out = ingest(&work, &presto, &o, "out", SEQUENTIAL);
    out.assert_code(1);
    assert!(
        out.stderr.contains(&format!(
            "Presto refused the credentials of user `{USER}` (HTTP 401"
        )) && out
            .stderr
            .contains("no password was sent: over http omrun sends Presto's password only with"),
        "{}",
        out.describe()
    );
    let requests = presto.requests();
    assert!(!requests.is_empty());
    assert!(
        requests
            .iter()
            .all(|r| r["authorization"].is_null() && r["status"] == 401),
        "no credentials ever went over http: {requests:#?}"
    );
}

#[test]
fn a_wrong_password_fails_clearly() {
    let presto = start(Some("the-real-one"));
    let work = Workdir::new();
    let out = ingest(&work, &presto, &Options::default(), "out", SEQUENTIAL);
    out.assert_code(1);
    assert!(
        out.stderr.contains(&format!(
            "Presto refused the credentials of user `{USER}` (HTTP 401"
        )) && out.stderr.contains("check username and password"),
        "{}",
        out.describe()
    );
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
}

#[test]
fn a_trino_config_is_refused_by_prestodb() {
    // Trino's headers mean nothing to PrestoDB: the same connection as `type: Trino` names no
    // user, and is refused (what the Presto flavour's headers are for).
    let presto = start(None);
    let work = Workdir::new();
    let o = Options {
        service_type: "Trino",
        password: false,
        allow_insecure_auth: false,
        ..Options::default()
    };
    let out = ingest(&work, &presto, &o, "out", SEQUENTIAL);
    out.assert_code(1);
    assert!(
        out.stderr.contains("400") && out.stderr.contains("User must be set"),
        "{}",
        out.describe()
    );
    assert!(
        presto.requests().iter().all(|r| r["status"] == 400
            && r["protocol_headers"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h.as_str().unwrap().starts_with("x-trino-"))),
        "{:#?}",
        presto.requests()
    );
}

#[test]
fn the_example_config_works() {
    let presto = start(Some(PASSWORD));
    let work = Workdir::new();
    let example = std::fs::read_to_string(omrun_tests::repo_root().join("examples/presto.yaml"))
        .expect("examples/presto.yaml");
    // The stand-in speaks http: the two lines the example says to change for that.
    let yaml = example
        .replace("protocol: https", "protocol: http")
        .replace("# allow_insecure_auth: true", "allow_insecure_auth: true");
    assert_ne!(yaml, example);
    let config = work.write("presto.yaml", yaml);
    let output = work.join("example.jsonl");
    // No --plugin: `type: presto` finds trino.wasm.
    let out = Omrun::ingest(work.path(), config)
        .env("OMRUN_PLUGIN_PATH", plugin_dir())
        .env("PRESTO_HOST_PORT", presto.host_port())
        .env("PRESTO_USER", USER)
        .env("PRESTO_PASSWORD", PASSWORD)
        .env("OMRUN_OUTPUT", &output)
        .secret(PASSWORD)
        .output(&output)
        .run();
    out.assert_success();
    assert!(
        out.stderr.contains("trino.wasm"),
        "the plugin was found by its name: {}",
        out.describe()
    );
    // Its filters exclude `tmp_` tables and the `information_schema`; the fixture has neither.
    assert_eq!(
        out.records().table_fqns(),
        tables(every)
            .into_iter()
            .map(|f| f.replacen(SERVICE, "presto", 1))
            .collect()
    );
    assert_spoke_presto(&presto, true);
}

/// The `dataType` OpenMetadata's Presto connector gives a Presto type: PyHive's type map
/// (`sqlalchemy_presto._type_map`) with OpenMetadata's four additions (`presto/metadata.py`:
/// `char`, `decimal` as a Float, `time`, `varchar`), looked up by the spelling's first word; what it
/// does not know (`json`, `array`, `map`, `row`, `ipaddress`, intervals…) is SQLAlchemy's
/// NullType.
fn pyhive_data_type(spelling: &str) -> &'static str {
    let head: String = spelling
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match head.as_str() {
        "boolean" => "BOOLEAN",
        "tinyint" => "TINYINT",
        "smallint" => "SMALLINT",
        "integer" => "INT",
        "bigint" => "BIGINT",
        "real" | "double" | "decimal" => "FLOAT",
        "varchar" => "VARCHAR",
        "char" => "CHAR",
        "timestamp" => "TIMESTAMP",
        "date" => "DATE",
        "time" => "TIME",
        "varbinary" => "VARBINARY",
        _ => "NULL",
    }
}

/// OpenMetadata's own Presto connector (its `metadata ingest` workflow, with PyHive) on the same
/// stand-in: every table both write is the same request but for the differences
/// docs/connectors.md#presto documents, each checked here (so the test fails when one goes away
/// too). OpenMetadata also ingests the `system` catalog and each catalog's
/// `information_schema`; it reads views as tables (`Regular`, no definition); it takes a table's
/// comment from the last `COMMENT '…'` of `SHOW CREATE TABLE` (a column's when the table has none
/// or its own is a Unicode literal, quotes left doubled); its types are PyHive's
/// ([`pyhive_data_type`]: no precision, scale or array element); every column is `NULL`, carries
/// a `dataLength` (1 without a length) and an empty description when it has no comment, and no
/// position; its `row` columns and arrays of rows have no `children`. Both display each type as
/// Presto spells it.
#[test]
fn openmetadata_s_own_presto_connector_writes_the_same_but_for_documented_differences() {
    let presto = start(None);
    let om = StandIn::start(OM_TOKEN);
    let theirs = omrun_tests::trino::openmetadata_presto_ingest(&presto, &om, SERVICE, USER);
    let work = Workdir::new();
    let o = Options {
        password: false,
        ..Options::default()
    };
    let out = ingest(&work, &presto, &o, "omrun", SEQUENTIAL);
    out.assert_success();
    let key = |r: &Value| {
        format!(
            "{}.{}",
            r["databaseSchema"].as_str().unwrap(),
            r["name"].as_str().unwrap()
        )
    };
    let their_tables: std::collections::BTreeMap<String, Value> = theirs
        .iter()
        .filter(|r| r["kind"] == "CreateTableRequest")
        .map(|r| (key(&r["request"]), r["request"].clone()))
        .collect();
    let records = out.records();
    let our_tables: std::collections::BTreeMap<String, Value> = records
        .of_kind("CreateTableRequest")
        .map(|r| (key(&r.request), r.request.clone()))
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
    assert_eq!(
        our_tables.keys().cloned().collect::<BTreeSet<_>>(),
        tables(every)
    );

    // Their table comments: the last `COMMENT '…'` line of SHOW CREATE TABLE.
    let their_comment = |name: &str, spec: &Value| -> Option<Value> {
        match name {
            // Its own is a Unicode literal (`U&'…'`), which the regex misses: the id's is last.
            "orders" => Some(json!("Order id")),
            // None of its own: its last column comment, the quote still doubled.
            "customers" => Some(json!("it''s the name")),
            _ => spec.get("comment").filter(|c| !c.is_null()).cloned(),
        }
    };
    let (mut differing_types, mut with_children) = (0, 0);
    for (catalog, schema, name, spec) in fixture_tables() {
        let k = format!("{SERVICE}.{catalog}.{schema}.{name}");
        let (mut ours, mut theirs) = (our_tables[&k].clone(), their_tables[&k].clone());
        let what = format!("{k}: omrun {ours}, OpenMetadata {theirs}");
        let view = spec["type"] == "VIEW";
        for r in [&mut ours, &mut theirs] {
            let r = r.as_object_mut().unwrap();
            r.remove("sourceHash");
            if r.get("tableConstraints") == Some(&json!([])) {
                r.remove("tableConstraints");
            }
        }
        let (o, t) = (
            ours.as_object_mut().unwrap(),
            theirs.as_object_mut().unwrap(),
        );
        if view {
            assert_eq!(o.remove("tableType"), Some(json!("View")), "{what}");
            assert_eq!(t.remove("tableType"), Some(json!("Regular")), "{what}");
            assert!(o.remove("schemaDefinition").is_some(), "{what}");
        }
        assert!(!t.contains_key("schemaDefinition"), "{what}");
        assert_eq!(
            o.remove("description"),
            spec.get("comment").filter(|c| !c.is_null()).cloned(),
            "{what}"
        );
        assert_eq!(
            t.remove("description"),
            their_comment(&name, &spec),
            "{what}"
        );

        let our_columns = o["columns"].as_array_mut().unwrap();
        let their_columns = t["columns"].as_array_mut().unwrap();
        assert_eq!(our_columns.len(), their_columns.len(), "{what}");
        for ((oc, tc), want) in our_columns
            .iter_mut()
            .zip(their_columns.iter_mut())
            .zip(spec["columns"].as_array().unwrap())
        {
            let ty = want["type"].as_str().unwrap();
            let what = format!("{k}.{}: omrun {oc}, OpenMetadata {tc}", want["name"]);
            let (oc, tc) = (oc.as_object_mut().unwrap(), tc.as_object_mut().unwrap());
            // Both: Presto's spelling.
            assert_eq!(oc.get("dataTypeDisplay"), Some(&json!(ty)), "{what}");
            assert_eq!(tc.get("dataTypeDisplay"), Some(&json!(ty)), "{what}");
            let their_type = tc.remove("dataType").unwrap();
            assert_eq!(their_type, pyhive_data_type(ty), "{what}");
            differing_types += usize::from(oc.remove("dataType").unwrap() != their_type);
            for field in ["precision", "scale", "arrayDataType"] {
                oc.remove(field);
                assert!(!tc.contains_key(field), "{what}");
            }
            let our_length = oc.remove("dataLength");
            assert_eq!(
                tc.remove("dataLength"),
                Some(our_length.unwrap_or(json!(1))),
                "{what}"
            );
            assert!(oc.remove("ordinalPosition").is_some(), "{what}");
            assert_eq!(tc.remove("constraint"), Some(json!("NULL")), "{what}");
            let not_null = want["nullable"] == false;
            let constraint = if not_null { "NOT_NULL" } else { "NULL" };
            assert_eq!(oc.remove("constraint"), Some(json!(constraint)), "{what}");
            if want["comment"].is_null() {
                assert_eq!(tc.remove("description"), Some(json!("")), "{what}");
                assert!(!oc.contains_key("description"), "{what}");
            }
            // Ours only: the fields of a `row` (and of an array's rows), which OpenMetadata's
            // connector, typing both `NULL`, does not give.
            assert!(!tc.contains_key("children"), "{what}");
            let rows = ty.starts_with("row(") || ty.starts_with("array(row(");
            assert_eq!(oc.remove("children").is_some(), rows, "{what}");
            with_children += usize::from(rows);
        }
        assert_eq!(ours, theirs, "{k}");
    }
    assert!(
        differing_types >= 8 && with_children >= 2,
        "{differing_types} columns typed differently, {with_children} with children"
    );
}
