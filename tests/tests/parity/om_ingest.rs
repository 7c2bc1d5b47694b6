//! OpenMetadata's own `metadata ingest` (openmetadata-ingestion 2.0.7.0, the oracle) of the
//! PostgreSQL and the MariaDB fixture into the stand-in: it completes with exit 0, makes no call
//! the stand-in does not implement, and leaves every fixture table stored with its foreign keys —
//! so the stand-in serves the client whose writes omrun must equal, under the server's rules
//! (foreign keys only to stored tables, which is why the client adds most of them by PATCH).

use std::collections::BTreeSet;

use omrun_tests::om_ingest::{OmWorkflow, metadata_ingest};
use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Filter, MariaServer, PgServer, Workdir, fixture, fqn};
use serde_json::Value;

const TOKEN: &str = "om-ingest-test-token";

/// (table FQN, its columns, the referred column FQNs) of every stored FOREIGN_KEY constraint.
type Fk = (String, Vec<String>, Vec<String>);

fn stored_fks(om: &StandIn) -> BTreeSet<Fk> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let mut out = BTreeSet::new();
    for (table, body) in om.stored(Collection::Tables) {
        for c in body["tableConstraints"].as_array().into_iter().flatten() {
            if c["constraintType"] == "FOREIGN_KEY" {
                out.insert((
                    table.clone(),
                    strings(&c["columns"]),
                    strings(&c["referredColumns"]),
                ));
            }
        }
    }
    out
}

fn fk(table: &str, columns: &[&str], referred: &[&str]) -> Fk {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
    (table.to_string(), v(columns), v(referred))
}

/// The foreign keys of both fixtures (pg_catalog.sql and mysql_catalog.sql declare the same ones)
/// that `metadata ingest` stores, `t` giving a `schema.table`'s FQN.
fn fixture_fks(t: &dyn Fn(&str) -> String) -> BTreeSet<Fk> {
    let col = |table: &str, c: &str| format!("{}.{c}", t(table));
    BTreeSet::from([
        fk(
            &t("sales.customers"),
            &["account_manager"],
            &[&col("hr.employees", "id")],
        ),
        fk(
            &t("sales.orders"),
            &["customer_id"],
            &[&col("sales.customers", "id")],
        ),
        fk(
            &t("sales.order_lines"),
            &["order_id"],
            &[&col("sales.orders", "id")],
        ),
        fk(
            &t("sales.shipments"),
            &["order_id", "line_no"],
            &[
                &col("sales.order_lines", "order_id"),
                &col("sales.order_lines", "line_no"),
            ],
        ),
        // A self-reference, and a cycle: each added once every table is stored.
        fk(
            &t("sales.categories"),
            &["parent_id"],
            &[&col("sales.categories", "id")],
        ),
        fk(
            &t("sales.warehouse_staff"),
            &["warehouse_id"],
            &[&col("sales.warehouses", "id")],
        ),
        fk(
            &t("sales.warehouses"),
            &["manager_id"],
            &[&col("sales.warehouse_staff", "id")],
        ),
        // sales.notes → sales."my.table" is missing: OpenMetadata's client looks the referred
        // table up as `…sales.my.table` (the name unquoted), the server has no such table (404),
        // and the client drops the key. That is the oracle's behaviour, not the stand-in's: its
        // GET by FQN finds `…sales."my.table"` (see openmetadata_standin's reads tests).
    ])
}

/// The live table FQNs the stand-in holds.
fn live_tables(om: &StandIn) -> BTreeSet<String> {
    om.entities(Collection::Tables)
        .into_iter()
        .filter(|e| !e.deleted)
        .map(|e| e.fqn)
        .collect()
}

/// Everything a finished run must show: exit 0, no error in its summary, no call the stand-in
/// does not implement.
fn assert_clean_run(om: &StandIn, run: &omrun_tests::om_ingest::IngestOutput) {
    run.assert_success();
    // One summary per step (source and sink), each with its error count.
    let errors = run.summary_values("Errors:");
    assert!(
        errors.len() >= 2 && errors.iter().all(|e| e == "0"),
        "metadata ingest reported errors ({errors:?}):\n{}",
        run.log
    );
    let unexpected: Vec<String> = om
        .unexpected_requests()
        .iter()
        .map(|r| {
            format!(
                "{} {}?{}",
                r.method,
                r.path,
                r.query.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "metadata ingest made calls the stand-in does not implement: {unexpected:#?}"
    );
}

#[test]
fn metadata_ingest_of_the_postgresql_fixture() {
    let db = PgServer::from_env().create_database("om_ingest", fixture::SQL);
    let om = StandIn::start(TOKEN);
    let workdir = Workdir::new();
    let service = "pg_oracle";
    let mut wf = OmWorkflow::postgres(service, &db);
    wf.mark_deleted_schemas = true;
    wf.mark_deleted_databases = true;
    let run = metadata_ingest(&workdir, &wf.yaml(&om), &wf.env());
    assert_clean_run(&om, &run);

    let t = |name: &str| {
        let (schema, table) = name.split_once('.').unwrap();
        fqn(&[service, db.name.as_str(), schema, table])
    };
    let expected: BTreeSet<String> = fixture::TABLES.iter().map(|n| t(n)).collect();
    assert_eq!(live_tables(&om), expected);
    assert_eq!(stored_fks(&om), fixture_fks(&t));
    // Every table went in by one bulk request, so no FK target was stored when its referrer was
    // written: the client added each FK afterwards with a JSON Patch of the table.
    let patched: BTreeSet<String> = om
        .patch_requests(Collection::Tables)
        .iter()
        .map(|(id, _)| {
            om.entities(Collection::Tables)
                .into_iter()
                .find(|e| &e.id == id)
                .unwrap()
                .fqn
        })
        .collect();
    assert_eq!(
        patched,
        [
            "sales.customers",
            "sales.orders",
            "sales.order_lines",
            "sales.shipments",
            "sales.categories",
            "sales.warehouses",
            "sales.warehouse_staff",
        ]
        .iter()
        .map(|n| t(n))
        .collect()
    );
    let procedures: BTreeSet<String> = om
        .entities(Collection::StoredProcedures)
        .into_iter()
        .map(|e| e.fqn)
        .collect();
    assert_eq!(
        procedures,
        BTreeSet::from([t("sales.close_day"), t("sales.order_total")])
    );

    // A table dropped from the source is soft-deleted by the next run (tables/deleteStale).
    db.execute("DROP TABLE staging.tmp_import");
    let again = metadata_ingest(&workdir, &wf.yaml(&om), &wf.env());
    assert_clean_run(&om, &again);
    let gone = om
        .entity(Collection::Tables, &t("staging.tmp_import"))
        .unwrap();
    assert!(gone.deleted, "{:?}", gone.body);
    let mut still = expected.clone();
    still.remove(&t("staging.tmp_import"));
    assert_eq!(live_tables(&om), still);
}

#[test]
fn metadata_ingest_of_the_mariadb_fixture() {
    let schemas = MariaServer::from_env().create_schemas(
        "om_ingest",
        include_str!("../../fixtures/mysql_catalog.sql"),
    );
    let om = StandIn::start(TOKEN);
    let workdir = Workdir::new();
    let service = "my_oracle";
    let mut wf = OmWorkflow::mysql(service, &schemas);
    // The other options `metadata ingest` honours: a table filter, and containers marked deleted.
    wf.table_filter = Filter::exclude(&["^tmp_"]);
    wf.mark_deleted_schemas = true;
    wf.mark_deleted_databases = true;
    let run = metadata_ingest(&workdir, &wf.yaml(&om), &wf.env());
    assert_clean_run(&om, &run);

    // OpenMetadata names MySQL's one database `default`.
    let t = |name: &str| {
        let (schema, table) = name.split_once('.').unwrap();
        fqn(&[service, "default", schemas.schema(schema).as_str(), table])
    };
    // The PostgreSQL fixture's tables but the materialized view and the table partitioned by an
    // expression (MySQL has neither) and the one the table filter leaves out, plus MariaDB's view
    // over a commented column.
    let tables = fixture::TABLES
        .iter()
        .filter(|n| {
            ![
                "sales.daily_totals",
                "sales.audit_log",
                "staging.tmp_import",
            ]
            .contains(n)
        })
        .chain(&["sales.customer_codes"]);
    assert_eq!(
        live_tables(&om),
        tables.map(|n| t(n)).collect::<BTreeSet<_>>()
    );
    assert_eq!(stored_fks(&om), fixture_fks(&t));
    assert!(
        !om.create_requests(Collection::Tables).is_empty()
            && om.create_requests(Collection::DatabaseSchemas).len() == 3,
        "{:?}",
        om.create_requests(Collection::DatabaseSchemas)
    );
}
