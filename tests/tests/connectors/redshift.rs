//! The redshift plugin against the test PostgreSQL server (tests/fixtures/redshift_on_pg.sql),
//! with a `Redshift` connection config, sequentially and on 4 local workers. PostgreSQL is not
//! Redshift: the plugin says so and runs only the catalog queries the two share, which is what
//! these tests check (Redshift's own views are covered by the plugin's unit tests on recorded
//! rows; nothing here ran against a real Redshift).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use omrun_tests::scenario::{BothModes, Mode, Run, once_per_file, run_scenario};
use omrun_tests::{
    Filter, Omrun, PgServer, RedshiftConfig, TestDb, Workdir, column, column_names, constraints,
    fqn, has_key,
};
use serde_json::Value;

const SERVICE: &str = "omrun_redshift_e2e";
const FIXTURE: &str = include_str!("../../fixtures/redshift_on_pg.sql");
const POSTGRES_WARNING: &str = "the server is PostgreSQL, not Redshift";

/// The `REDSHIFT_*` variables the config references, pointing at `database` on the test server.
fn redshift_env(cmd: Omrun, server: &PgServer, database: &str) -> Omrun {
    cmd.env("REDSHIFT_USER", &server.user)
        .env("REDSHIFT_PASSWORD", &server.password)
        .env("REDSHIFT_HOST", &server.host)
        .env("REDSHIFT_PORT", server.port.to_string())
        .env("REDSHIFT_DATABASE", database)
        .secret(&server.password)
}

/// Runs redshift.wasm with `cfg` (output path set here) against `database` in `mode`.
fn run_redshift(
    work: &Workdir,
    db: &TestDb,
    database: &str,
    cfg: RedshiftConfig,
    mode: Mode,
) -> Run {
    run_scenario(work, "redshift", cfg, mode, "redshift", |cmd| {
        redshift_env(cmd, &db.server, database)
    })
}

struct Shared {
    db: TestDb,
    runs: BothModes,
}

/// The two runs, made once for all the tests of this file; a failure is reported by every test.
fn shared() -> &'static Shared {
    static S: OnceLock<Result<Shared, String>> = OnceLock::new();
    once_per_file(&S, || {
        let db = PgServer::from_env().create_database("redshift", FIXTURE);
        let work = Workdir::new();
        let cfg = RedshiftConfig::new(SERVICE, &work.join("unused"));
        let runs = BothModes::run(work, 4, |work, mode| {
            run_redshift(work, &db, &db.name, cfg.clone(), mode)
        });
        Shared { db, runs }
    })
}

fn runs() -> [(&'static str, &'static Run); 2] {
    shared().runs.each()
}

/// The FQN of `schema.name` in the fixture database.
fn t(table: &str) -> String {
    let (schema, name) = table.split_once('.').unwrap();
    fqn(&[SERVICE, &shared().db.name, schema, name])
}

const TABLES: &[&str] = &[
    "crm.customers",
    "sales.orders",
    "sales.order_lines",
    "sales.returns",
    "sales.big_orders",
    "sales.daily_totals",
    "sales.Top Customers",
];

#[test]
fn sequential_and_local_write_the_same_records() {
    let s = shared();
    assert_eq!(
        s.runs.sequential.records.canonical_set(),
        s.runs.local.records.canonical_set()
    );
}

#[test]
fn the_plugin_says_it_reads_postgresql() {
    for (mode, run) in runs() {
        run.out.assert_stderr_line(POSTGRES_WARNING);
        assert_eq!(run.records.service()["serviceType"], "Redshift", "{mode}");
    }
}

#[test]
fn databases_schemas_and_every_table_and_view() {
    let db = &shared().db.name;
    let tables: BTreeSet<String> = TABLES.iter().map(|s| t(s)).collect();
    for (mode, run) in runs() {
        let r = &run.records;
        assert_eq!(
            r.database_fqns(),
            BTreeSet::from([fqn(&[SERVICE, db])]),
            "{mode}"
        );
        let schemas = BTreeSet::from([fqn(&[SERVICE, db, "crm"]), fqn(&[SERVICE, db, "sales"])]);
        assert_eq!(r.schema_fqns(), schemas, "{mode}");
        assert_eq!(r.table_fqns(), tables, "{mode}");
        for (table, ty) in [
            ("crm.customers", "Regular"),
            ("sales.big_orders", "View"),
            ("sales.daily_totals", "MaterializedView"),
            ("sales.Top Customers", "View"),
        ] {
            assert_eq!(r.get(&t(table))["tableType"], ty, "{mode}: {table}");
        }
    }
}

#[test]
fn comments_become_descriptions() {
    let db = &shared().db.name;
    for (mode, run) in runs() {
        let r = &run.records;
        let sales = r.get(&fqn(&[SERVICE, db, "sales"]));
        assert_eq!(
            sales["description"], "Orders and what they contain",
            "{mode}"
        );
        let customers = r.get(&t("crm.customers"));
        assert_eq!(customers["description"], "Who buys", "{mode}");
        assert_eq!(
            column(customers, "code")["description"],
            "Short customer code",
            "{mode}"
        );
        assert_eq!(
            r.get(&t("sales.big_orders"))["description"],
            "Orders over 1000",
            "{mode}"
        );
        let orders = r.get(&t("sales.orders"));
        assert!(
            orders.get("description").is_none_or(Value::is_null),
            "{mode}: {orders}"
        );
    }
}

#[test]
fn columns_types_and_nullability() {
    for (mode, run) in runs() {
        let r = &run.records;
        let orders = r.get(&t("sales.orders"));
        assert_eq!(
            column_names(orders),
            [
                "order_id",
                "customer_id",
                "placed_at",
                "amount",
                "discount",
                "weight",
                "gift"
            ],
            "{mode}"
        );
        for (name, data_type, display) in [
            ("order_id", "BIGINT", "bigint"),
            ("customer_id", "INT", "integer"),
            ("placed_at", "TIMESTAMP", "timestamp without time zone"),
            ("amount", "NUMERIC", "numeric(12,2)"),
            ("discount", "FLOAT", "real"),
            ("weight", "DOUBLE", "double precision"),
            ("gift", "BOOLEAN", "boolean"),
        ] {
            let c = column(orders, name);
            assert_eq!(c["dataType"], data_type, "{mode}: {c}");
            assert_eq!(c["dataTypeDisplay"], display, "{mode}: {c}");
        }
        let amount = column(orders, "amount");
        assert_eq!(
            (&amount["precision"], &amount["scale"]),
            (&12.into(), &2.into()),
            "{mode}"
        );
        assert_eq!(
            column(orders, "placed_at")["constraint"],
            "NOT_NULL",
            "{mode}"
        );
        assert_eq!(column(orders, "amount")["constraint"], "NULL", "{mode}");

        let customers = r.get(&t("crm.customers"));
        let code = column(customers, "code");
        assert_eq!(
            (&code["dataType"], &code["dataLength"]),
            (&"VARCHAR".into(), &20.into()),
            "{mode}"
        );
        assert_eq!(code["dataTypeDisplay"], "character varying(20)", "{mode}");
        let region = column(customers, "region");
        assert_eq!(
            (&region["dataType"], &region["dataLength"]),
            (&"CHAR".into(), &2.into()),
            "{mode}"
        );
        assert_eq!(column(customers, "signed_up")["dataType"], "DATE", "{mode}");
        let lines = r.get(&t("sales.order_lines"));
        assert_eq!(column(lines, "line no")["dataType"], "SMALLINT", "{mode}");
        // `timestamptz` is TIMESTAMP, as OpenMetadata's connectors map it.
        assert_eq!(
            column(lines, "shipped_at")["dataType"],
            "TIMESTAMP",
            "{mode}"
        );
    }
}

#[test]
fn primary_unique_and_foreign_keys_from_constraint_definitions() {
    let col = |table: &str, c: &str| format!("{}.{c}", t(table));
    for (mode, run) in runs() {
        let r = &run.records;
        let customers = r.get(&t("crm.customers"));
        assert!(
            has_key(customers, "PRIMARY_KEY", &["customer_id"]),
            "{mode}: {customers}"
        );
        assert!(
            has_key(customers, "UNIQUE", &["code", "region"]),
            "{mode}: {customers}"
        );
        let lines = r.get(&t("sales.order_lines"));
        assert!(
            has_key(lines, "PRIMARY_KEY", &["order_id", "line no"]),
            "{mode}: {lines}"
        );
        let fks = |table: &str| constraints(r.get(&t(table)), "FOREIGN_KEY");
        assert_eq!(
            fks("sales.orders"),
            [(
                vec!["customer_id".to_string()],
                vec![col("crm.customers", "customer_id")]
            )],
            "{mode}: across schemas"
        );
        assert_eq!(
            fks("sales.returns"),
            [(
                vec!["order_id".to_string(), "line no".to_string()],
                vec![
                    col("sales.order_lines", "order_id"),
                    col("sales.order_lines", "line no")
                ]
            )],
            "{mode}: composite, with a quoted column"
        );
        // PostgreSQL has no distribution or sort keys: the Redshift-only query did not run.
        for table in r.of_kind("CreateTableRequest") {
            for kind in ["DIST_KEY", "SORT_KEY"] {
                assert!(
                    constraints(&table.request, kind).is_empty(),
                    "{mode}: {}",
                    table.fqn
                );
            }
        }
    }
}

#[test]
fn view_definitions_are_create_statements() {
    for (mode, run) in runs() {
        let r = &run.records;
        let definition = |table: &str| {
            r.get(&t(table))["schemaDefinition"]
                .as_str()
                .unwrap_or_else(|| panic!("{mode}: {table} has no schemaDefinition"))
                .to_string()
        };
        let big = definition("sales.big_orders");
        assert!(
            big.starts_with("CREATE VIEW sales.big_orders AS"),
            "{mode}: {big}"
        );
        assert!(big.contains("1000"), "{mode}: {big}");
        let daily = definition("sales.daily_totals");
        assert!(
            daily.starts_with("CREATE MATERIALIZED VIEW sales.daily_totals AS"),
            "{mode}: {daily}"
        );
        assert!(daily.to_lowercase().contains("sum("), "{mode}: {daily}");
        let top = definition("sales.Top Customers");
        assert!(
            top.starts_with("CREATE VIEW sales.\"Top Customers\" AS"),
            "{mode}: {top}"
        );
        assert_eq!(
            column_names(r.get(&t("sales.Top Customers"))),
            ["customer_id", "spent"],
            "{mode}"
        );
        let orders = r.get(&t("sales.orders"));
        assert!(
            orders.get("schemaDefinition").is_none_or(Value::is_null),
            "{mode}"
        );
    }
}

/// `ingestAllDatabases`: the databases come from `pg_database`, and the fixture database, which
/// the config does not name, is read over a connection of its own.
#[test]
fn ingest_all_databases_reconnects_per_database() {
    let db = PgServer::from_env().create_database("redshift_all", FIXTURE);
    let work = Workdir::new();
    let only_fixture = Filter::include(&[&format!("^{}$", db.name)]);
    let cfg = RedshiftConfig::new(SERVICE, &work.join("unused")).ingest_all_databases(only_fixture);
    let run = run_redshift(&work, &db, "postgres", cfg, Mode::Sequential);
    assert_eq!(
        run.records.database_fqns(),
        BTreeSet::from([fqn(&[SERVICE, &db.name])])
    );
    let tables: BTreeSet<String> = TABLES
        .iter()
        .map(|table| {
            let (schema, name) = table.split_once('.').unwrap();
            fqn(&[SERVICE, &db.name, schema, name])
        })
        .collect();
    assert_eq!(run.records.table_fqns(), tables);
}
