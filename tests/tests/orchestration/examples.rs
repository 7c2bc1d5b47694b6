//! The shipped example configs (examples/distributed-ingestion/*.yaml) work as documented: run
//! unchanged, with only their environment variables set and no `--plugin` (the plugin is found in
//! <repo>/build/plugins), in the mode they configure.

use std::collections::BTreeSet;

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::scenario::{Mode, checked};
use omrun_tests::{Omrun, PgServer, Workdir, fixture, fqn, repo_root};

fn example(name: &str) -> std::path::PathBuf {
    let p = repo_root()
        .join("examples/distributed-ingestion")
        .join(name);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

fn catalog_tables(service: &str, db: &str, skip: &[&str]) -> BTreeSet<String> {
    fixture::TABLES
        .iter()
        .filter(|t| !skip.contains(t))
        .map(|t| {
            let (schema, name) = t.split_once('.').unwrap();
            fqn(&[service, db, schema, name])
        })
        .collect()
}

#[test]
fn postgres_local_example() {
    let db = PgServer::from_env().create_database("ex_local", fixture::SQL);
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("postgres-local.yaml"))
        .db(&db)
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    let run = checked(out, Mode::Local(8), "postgres");
    // Its tableFilterPattern excludes ^tmp_.
    assert_eq!(
        run.records.table_fqns(),
        catalog_tables("local_postgres", &db.name, &["staging.tmp_import"])
    );
}

#[test]
fn postgres_sequential_example() {
    let db = PgServer::from_env().create_database("ex_seq", fixture::SQL);
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("postgres-sequential.yaml"))
        .db(&db)
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    let run = checked(out, Mode::Sequential, "postgres");
    assert_eq!(
        run.records.table_fqns(),
        catalog_tables("local_postgres", &db.name, &[])
    );
}

#[test]
fn postgres_openmetadata_example() {
    let db = PgServer::from_env().create_database("ex_om", fixture::SQL);
    let work = Workdir::new();
    let token = "example-jwt-0f9e8d";
    let om = StandIn::start(token);
    let out = Omrun::ingest(work.path(), example("postgres-openmetadata.yaml"))
        .db(&db)
        .env("OM_HOST_PORT", om.host_port())
        .env("OM_JWT_TOKEN", token)
        .secret(token)
        .run();
    out.assert_success();
    out.assert_stderr_line("Using LOCAL thread-based distributed execution");
    let stored: BTreeSet<String> = om
        .entities(Collection::Tables)
        .into_iter()
        .map(|t| t.fqn)
        .collect();
    // Its tableFilterPattern excludes ^tmp_.
    assert_eq!(
        stored,
        catalog_tables("local_postgres", &db.name, &["staging.tmp_import"])
    );
    assert!(om.unexpected_requests().is_empty());
}

#[test]
fn sqlite_local_example() {
    let work = Workdir::new();
    let file = work.join("example.db");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id));
             CREATE TABLE tmp_load (line TEXT);
             CREATE VIEW customer_orders AS SELECT c.name, o.id FROM customers c JOIN orders o ON o.customer_id = c.id;",
        )
        .unwrap();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("sqlite-local.yaml"))
        .env("SQLITE_DATABASE_PATH", &file)
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    let run = checked(out, Mode::Local(4), "sqlite");
    let expected: BTreeSet<String> = ["customers", "orders", "customer_orders"]
        .iter()
        .map(|t| fqn(&["local_sqlite", "default", "main", t]))
        .collect();
    assert_eq!(run.records.table_fqns(), expected);
}

#[test]
fn redshift_local_example() {
    // The test PostgreSQL stands in for Redshift: the plugin reads the catalog parts they share.
    let fixture = include_str!("../../fixtures/redshift_on_pg.sql");
    let server = PgServer::from_env();
    let db = server.create_database("ex_redshift", fixture);
    let work = Workdir::new();
    let token = "example-jwt-7c1a2b";
    let om = StandIn::start(token);
    let out = Omrun::ingest(work.path(), example("redshift-local.yaml"))
        .env("REDSHIFT_USER", &server.user)
        .env("REDSHIFT_PASSWORD", &server.password)
        .env("REDSHIFT_HOST", &server.host)
        .env("REDSHIFT_PORT", server.port.to_string())
        .env("REDSHIFT_DATABASE", &db.name)
        .env("OM_HOST_PORT", om.host_port())
        .env("OM_JWT_TOKEN", token)
        .secret(&server.password)
        .secret(token)
        .run();
    out.assert_success();
    out.assert_stderr_line("Using LOCAL thread-based distributed execution");
    let stored: BTreeSet<String> = om
        .entities(Collection::Tables)
        .into_iter()
        .map(|t| t.fqn)
        .collect();
    let expected: BTreeSet<String> = [
        "crm.customers",
        "sales.orders",
        "sales.order_lines",
        "sales.returns",
        "sales.big_orders",
        "sales.daily_totals",
        "sales.Top Customers",
    ]
    .iter()
    .map(|t| {
        let (schema, name) = t.split_once('.').unwrap();
        fqn(&["local_redshift", &db.name, schema, name])
    })
    .collect();
    assert_eq!(stored, expected);
    assert!(om.unexpected_requests().is_empty());
}

#[test]
fn mysql_local_example() {
    let server = omrun_tests::MariaServer::from_env();
    let schemas = server.create_schemas("ex", include_str!("../../fixtures/mysql_catalog.sql"));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("mysql-local.yaml"))
        .mysql_env(&server)
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    let run = checked(out, Mode::Local(8), "mysql");
    // Every schema of the server is ingested; this test's are among them, with their tables
    // (but not ^tmp_ ones) and their procedures.
    let sales = fqn(&["local_mysql", "default", &schemas.schema("sales")]);
    assert!(run.records.schema_fqns().contains(&sales));
    let tables = run.records.table_fqns();
    assert!(tables.contains(&format!("{sales}.orders")), "{tables:?}");
    assert!(
        !tables.iter().any(|t| t.ends_with(".tmp_import")),
        "{tables:?}"
    );
    assert!(
        run.records
            .of_kind("CreateStoredProcedureRequest")
            .any(|p| p.fqn == format!("{sales}.close_day"))
    );
}

#[test]
fn looker_local_example() {
    use omrun_tests::looker::{LookerStandIn, Settings};
    let (id, secret) = ("example-looker-id", "example-looker-s3cret");
    let looker = LookerStandIn::start(Settings::new(60, 2, id, secret));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("looker-local.yaml"))
        .env("LOOKER_HOST_PORT", looker.host_port())
        .env("LOOKER_CLIENT_ID", id)
        .env("LOOKER_CLIENT_SECRET", secret)
        .secret(secret)
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_success();
    out.assert_stderr_line("Using LOCAL thread-based distributed execution");
    out.assert_stderr_line("Processing with 50 worker threads");
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Looker");
    assert_eq!(records.count("CreateDashboardRequest"), 60);
    assert_eq!(records.count("CreateDashboardDataModelRequest"), 6);
    assert!(records.count("CreateChartRequest") > 60);
    assert_eq!(out.report()["processed"], 60, "{}", out.describe());
}

#[test]
fn powerbi_local_example() {
    use omrun_tests::powerbi::{PowerBiStandIn, TENANT, Tenant};
    let (id, secret) = ("example-powerbi-app", "example-powerbi~s3cret");
    let pbi = PowerBiStandIn::start(Tenant::new(4, id, secret));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("powerbi-local.yaml"))
        .env("POWERBI_TENANT_ID", TENANT)
        .env("POWERBI_CLIENT_ID", id)
        .env("POWERBI_CLIENT_SECRET", secret)
        .secret(secret)
        .env("POWERBI_AUTHORITY", pbi.url())
        .env("POWERBI_API", pbi.url())
        .env("POWERBI_WEB", pbi.url())
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_success();
    out.assert_stderr_line("Using LOCAL thread-based distributed execution");
    out.assert_stderr_line("Processing with 8 worker threads");
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "PowerBI");
    // 4 workspaces of 3 reports and 2 dashboards, 2 datasets and a dataflow each.
    assert_eq!(records.count("CreateDashboardRequest"), 20);
    assert_eq!(records.count("CreateDashboardDataModelRequest"), 12);
    assert!(records.count("CreateChartRequest") > 20);
    assert_eq!(out.report()["processed"], 20, "{}", out.describe());
}

#[test]
fn tableau_local_example() {
    use omrun_tests::tableau::{SITE, Settings, TOKEN_NAME, TOKEN_SECRET, TableauStandIn};
    let tableau = TableauStandIn::start(Settings::new(30, 2));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("tableau-local.yaml"))
        .env("TABLEAU_HOST_PORT", tableau.url())
        .env("TABLEAU_SITE", SITE)
        .env("TABLEAU_TOKEN_NAME", TOKEN_NAME)
        .env("TABLEAU_TOKEN_SECRET", TOKEN_SECRET)
        .secret(TOKEN_SECRET)
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_success();
    out.assert_stderr_line("Using LOCAL thread-based distributed execution");
    out.assert_stderr_line("Processing with 8 worker threads");
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Tableau");
    assert_eq!(records.count("CreateDashboardRequest"), 30);
    assert!(records.count("CreateDashboardDataModelRequest") > 30);
    assert!(records.count("CreateChartRequest") > 30);
    assert_eq!(out.report()["processed"], 30, "{}", out.describe());
}

#[test]
fn metabase_local_example() {
    use omrun_tests::metabase::{MetabaseStandIn, Settings};
    let password = "example-metabase-p4ss";
    let mb = MetabaseStandIn::start(Settings::new(30, password));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("metabase-local.yaml"))
        .env("METABASE_HOST_PORT", mb.url())
        .env("METABASE_USERNAME", "admin@example.com")
        .env("METABASE_PASSWORD", password)
        .secret(password)
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_success();
    out.assert_stderr_line("Processing with 8 worker threads");
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Metabase");
    // The root collection's dashboards (every sixth) and the personal collection's (every
    // sixth) are left out by the project filter; the `default` dashboard has the cards on none.
    assert_eq!(records.count("CreateDashboardRequest"), 30 - 5 - 5 + 1);
    assert_eq!(records.count("CreateDashboardDataModelRequest"), 2);
    assert!(records.count("CreateChartRequest") > 30);
}

#[test]
fn superset_local_example() {
    let superset = omrun_tests::superset::shared();
    let (user, password) = omrun_tests::superset::ADMIN;
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let out = Omrun::ingest(work.path(), example("superset-local.yaml"))
        .env("SUPERSET_HOST_PORT", superset.server.url())
        .env("SUPERSET_USER", user)
        .env("SUPERSET_PASSWORD", password)
        .secret(password)
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_success();
    out.assert_stderr_line("Using LOCAL thread-based distributed execution");
    out.assert_stderr_line("Processing with 8 worker threads");
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Superset");
    assert_eq!(
        records.count("CreateDashboardRequest"),
        omrun_tests::superset::DASHBOARDS
    );
    assert_eq!(records.count("CreateDashboardDataModelRequest"), 3);
    assert_eq!(out.report()["processed"], omrun_tests::superset::DASHBOARDS, "{}", out.describe());
}
