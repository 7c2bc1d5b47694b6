//! The postgres plugin on the catalog fixture (tests/fixtures/pg_catalog.sql), run once sequentially
//! and once on 4 local workers: both runs must succeed, validate, and write the same records, and
//! the records must describe the fixture faithfully.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use omrun_tests::scenario::{BothModes, Run, once_per_file, run_postgres};
use omrun_tests::{
    PgConfig, PgServer, Workdir, column, column_names, constraints, fixture, fqn, has_key,
};
use serde_json::Value;

const SERVICE: &str = "omrun_e2e";

struct Shared {
    db: String,
    runs: BothModes,
}

/// The two runs, made once for all the tests of this file. A failure is remembered and reported by
/// every test (not retried by each).
fn shared() -> &'static Shared {
    static S: OnceLock<Result<Shared, String>> = OnceLock::new();
    once_per_file(&S, || {
        let db = PgServer::from_env().create_database("catalog", fixture::SQL);
        let work = Workdir::new();
        let cfg = PgConfig::new(SERVICE, &work.join("unused"));
        Shared {
            db: db.name.clone(),
            runs: BothModes::run(work, 4, |work, mode| {
                run_postgres(work, &db, "catalog", cfg.clone(), mode)
            }),
        }
    })
}

fn runs() -> [(&'static str, &'static Run); 2] {
    shared().runs.each()
}

fn t(table: &str) -> String {
    // `table` is "schema.name"; the name may itself contain a dot ("sales.my.table").
    let (schema, name) = table.split_once('.').unwrap();
    fqn(&[SERVICE, &shared().db, schema, name])
}

fn col_fqn(table: &str, col: &str) -> String {
    format!("{}.{col}", t(table))
}

fn assert_one_of(v: &Value, allowed: &[&str], what: &str) {
    assert!(
        allowed.iter().any(|a| v == a),
        "{what} is {v}, expected one of {allowed:?}"
    );
}

#[test]
fn sequential_and_local_write_the_same_records() {
    let s = shared();
    let a = s.runs.sequential.records.canonical_set();
    let b = s.runs.local.records.canonical_set();
    if a != b {
        let only_a: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
        let only_b: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
        panic!(
            "sequential ({} lines) and local ({} lines) differ.\nonly in sequential:\n{}\nonly in local:\n{}",
            a.len(),
            b.len(),
            only_a
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            only_b
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn containers_are_the_service_the_database_and_three_schemas() {
    let db = &shared().db;
    for (mode, run) in runs() {
        let service = run.records.service();
        assert_eq!(service["name"], SERVICE, "{mode}");
        assert_eq!(service["serviceType"], "Postgres", "{mode}");
        assert_eq!(
            run.records.database_fqns(),
            BTreeSet::from([fqn(&[SERVICE, db])]),
            "{mode}"
        );
        // public was dropped by the fixture; system schemas (pg_catalog, information_schema, pg_toast)
        // are never ingested.
        let schemas: BTreeSet<String> = ["hr", "sales", "staging"]
            .iter()
            .map(|s| fqn(&[SERVICE, db, s]))
            .collect();
        assert_eq!(run.records.schema_fqns(), schemas, "{mode}");
    }
}

#[test]
fn every_table_view_and_partitioned_table_once_and_no_partitions() {
    let expected: BTreeSet<String> = fixture::TABLES.iter().map(|s| t(s)).collect();
    for (mode, run) in runs() {
        // Records::read already failed on a duplicate; partitions (events_2024/2025) are not tables
        // of their own in OpenMetadata.
        assert_eq!(run.records.table_fqns(), expected, "{mode}");
        assert_eq!(
            run.records.count("CreateTableRequest"),
            expected.len(),
            "{mode}"
        );
    }
}

#[test]
fn table_types() {
    for (mode, run) in runs() {
        for (table, ty) in [
            ("hr.employees", "Regular"),
            ("sales.orders", "Regular"),
            ("sales.big_orders", "View"),
            ("sales.daily_totals", "MaterializedView"),
            ("sales.events", "Partitioned"),
            ("sales.audit_log", "Partitioned"),
            ("staging.raw_orders", "Regular"),
        ] {
            assert_eq!(
                run.records.get(&t(table))["tableType"],
                ty,
                "{mode}: {table}"
            );
        }
    }
}

#[test]
fn descriptions_from_comments() {
    let db = &shared().db;
    for (mode, run) in runs() {
        let r = &run.records;
        assert_eq!(
            r.get(&fqn(&[SERVICE, db, "sales"]))["description"],
            "Orders, customers and what we ship",
            "{mode}"
        );
        assert_eq!(
            r.get(&fqn(&[SERVICE, db, "hr"]))["description"],
            "People",
            "{mode}"
        );
        let employees = r.get(&t("hr.employees"));
        assert_eq!(
            employees["description"], "Everyone on the payroll",
            "{mode}"
        );
        assert_eq!(
            column(employees, "email")["description"],
            "Work e-mail address",
            "{mode}"
        );
        let customers = r.get(&t("sales.customers"));
        assert_eq!(
            customers["description"], "Customers who buy things",
            "{mode}"
        );
        assert_eq!(
            column(customers, "code")["description"],
            "Short customer code",
            "{mode}"
        );
        // No comment, no description.
        let orders = r.get(&t("sales.orders"));
        assert!(
            orders.get("description").is_none_or(Value::is_null),
            "{mode}: {orders}"
        );
        assert!(
            column(orders, "total")
                .get("description")
                .is_none_or(Value::is_null),
            "{mode}"
        );
    }
}

#[test]
fn columns_in_order_without_positions_with_display_types() {
    for (mode, run) in runs() {
        let employees = run.records.get(&t("hr.employees"));
        assert_eq!(
            column_names(employees),
            ["id", "email", "full_name", "hired_at", "skills", "badge"],
            "{mode}"
        );
        let customers = run.records.get(&t("sales.customers"));
        assert_eq!(
            column_names(customers),
            [
                "id",
                "code",
                "name",
                "region",
                "account_manager",
                "attributes",
                "external_id",
                "created_at"
            ],
            "{mode}"
        );
        for table in run.records.of_kind("CreateTableRequest") {
            for (i, c) in table.request["columns"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
            {
                // In order, but without `ordinalPosition`, which OpenMetadata's Postgres
                // connector does not send; and a dataLength on every column, 1 when the type
                // has none, as it sends.
                assert!(
                    c.get("ordinalPosition").is_none(),
                    "{mode}: {} column {i}: {c}",
                    table.fqn
                );
                assert!(
                    c["dataLength"].as_u64().is_some_and(|n| n >= 1),
                    "{mode}: {} column {i}: {c}",
                    table.fqn
                );
                let display = c["dataTypeDisplay"].as_str().unwrap_or_default();
                assert!(
                    !display.is_empty(),
                    "{mode}: {} column {} has no dataTypeDisplay",
                    table.fqn,
                    c["name"]
                );
            }
        }
    }
}

#[test]
fn column_data_types() {
    for (mode, run) in runs() {
        let r = &run.records;
        let employees = r.get(&t("hr.employees"));
        assert_eq!(column(employees, "id")["dataType"], "INT", "{mode}");
        assert_eq!(column(employees, "full_name")["dataType"], "TEXT", "{mode}");
        // OpenMetadata's own Postgres connector says TIMESTAMP for timestamptz.
        assert_eq!(
            column(employees, "hired_at")["dataType"],
            "TIMESTAMP",
            "{mode}: timestamptz"
        );
        assert_eq!(column(employees, "badge")["dataType"], "UUID", "{mode}");
        let email = column(employees, "email");
        assert_eq!(email["dataType"], "VARCHAR", "{mode}");
        assert_eq!(email["dataLength"], 120, "{mode}");

        let skills = column(employees, "skills");
        assert_eq!(skills["dataType"], "ARRAY", "{mode}: text[] {skills}");
        assert_eq!(skills["arrayDataType"], "TEXT", "{mode}: text[] {skills}");

        let customers = r.get(&t("sales.customers"));
        assert_eq!(column(customers, "id")["dataType"], "BIGINT", "{mode}");
        let code = column(customers, "code");
        assert_eq!(code["dataType"], "VARCHAR", "{mode}: varchar(20) {code}");
        assert_eq!(code["dataLength"], 20, "{mode}: varchar(20) {code}");
        assert!(
            code["dataTypeDisplay"].as_str().unwrap().contains("20"),
            "{mode}: varchar(20) {code}"
        );
        assert_eq!(
            column(customers, "attributes")["dataType"],
            "JSON",
            "{mode}: jsonb"
        );
        assert_eq!(
            column(customers, "external_id")["dataType"],
            "UUID",
            "{mode}"
        );

        let orders = r.get(&t("sales.orders"));
        let total = column(orders, "total");
        assert_one_of(&total["dataType"], &["NUMERIC", "DECIMAL"], "numeric(10,2)");
        assert_eq!(total["precision"], 10, "{mode}: numeric(10,2) {total}");
        assert_eq!(total["scale"], 2, "{mode}: numeric(10,2) {total}");
        let quantities = column(orders, "quantities");
        assert_eq!(
            quantities["dataType"], "ARRAY",
            "{mode}: integer[] {quantities}"
        );
        assert_eq!(
            quantities["arrayDataType"], "INT",
            "{mode}: integer[] {quantities}"
        );
        assert_eq!(column(orders, "ordered_on")["dataType"], "DATE", "{mode}");
        // Not an array: no element type.
        assert!(
            column(orders, "total")
                .get("arrayDataType")
                .is_none_or(Value::is_null),
            "{mode}"
        );

        // An enum is a VARCHAR as long as its longest label ('cancelled'), as OpenMetadata's
        // connector reads it; the display keeps the type's name.
        let zoo = r.get(&t("sales.type_zoo"));
        let status = column(zoo, "status");
        assert_eq!(
            (&status["dataType"], &status["dataLength"]),
            (&"VARCHAR".into(), &9.into()),
            "{mode}: {status}"
        );
        assert_eq!(status["dataTypeDisplay"], "sales.order_status", "{mode}");
        assert_eq!(status["description"], "Where the order is", "{mode}");
        let statuses = column(zoo, "statuses");
        assert_eq!(
            (&statuses["dataType"], &statuses["arrayDataType"]),
            (&"ARRAY".into(), &"VARCHAR".into()),
            "{mode}: {statuses}"
        );
        // A domain maps as its base type (OpenMetadata's connector says NULL: it cannot read
        // domains), keeping its own name as the display.
        let sku = column(zoo, "sku");
        assert_eq!(
            (
                &sku["dataType"],
                &sku["dataLength"],
                &sku["dataTypeDisplay"]
            ),
            (&"VARCHAR".into(), &12.into(), &"sales.sku_code".into()),
            "{mode}: {sku}"
        );
        for (name, data_type) in [
            ("seen_at_tz", "TIMESTAMP"),
            ("wakes_at_tz", "TIME"),
            ("spot", "GEOMETRY"),
            ("area", "GEOMETRY"),
            ("money_amount", "MONEY"),
            ("lasts", "INTERVAL"),
            ("varbits", "BIT"),
            ("span", "UNKNOWN"),
        ] {
            assert_eq!(column(zoo, name)["dataType"], data_type, "{mode}: {name}");
        }
    }
}

#[test]
fn nullability_and_column_constraints() {
    for (mode, run) in runs() {
        let employees = run.records.get(&t("hr.employees"));
        assert_eq!(
            column(employees, "full_name")["constraint"],
            "NOT_NULL",
            "{mode}"
        );
        assert_eq!(
            column(employees, "hired_at")["constraint"],
            "NULL",
            "{mode}"
        );
        // NOT NULL UNIQUE: OpenMetadata's connector marks a single-column unique key on the column.
        assert_one_of(
            &column(employees, "email")["constraint"],
            &["UNIQUE", "NOT_NULL"],
            "email constraint",
        );
        let customers = run.records.get(&t("sales.customers"));
        assert_eq!(column(customers, "name")["constraint"], "NULL", "{mode}");
        assert_eq!(
            column(customers, "created_at")["constraint"],
            "NOT_NULL",
            "{mode}"
        );
        // A single-column primary key column.
        assert_eq!(
            column(customers, "id")["constraint"],
            "PRIMARY_KEY",
            "{mode}"
        );
        // Members of a composite primary key carry no constraint at all, as in OpenMetadata's
        // requests (`_get_column_constraints` returns None for them).
        let lines = run.records.get(&t("sales.order_lines"));
        for c in ["order_id", "line_no"] {
            assert!(
                column(lines, c).get("constraint").is_none(),
                "{mode}: order_lines.{c}: {}",
                column(lines, c)
            );
        }
        assert_eq!(column(lines, "sku")["constraint"], "NOT_NULL", "{mode}");
    }
}

#[test]
fn primary_and_unique_keys() {
    for (mode, run) in runs() {
        let r = &run.records;
        let employees = r.get(&t("hr.employees"));
        assert!(
            has_key(employees, "PRIMARY_KEY", &["id"]),
            "{mode}: employees PK: {employees}"
        );
        assert!(
            has_key(employees, "UNIQUE", &["email"]),
            "{mode}: employees UNIQUE(email): {employees}"
        );
        let customers = r.get(&t("sales.customers"));
        assert!(
            has_key(customers, "UNIQUE", &["code", "region"]),
            "{mode}: customers UNIQUE(code, region): {customers}"
        );
        let lines = r.get(&t("sales.order_lines"));
        assert!(
            has_key(lines, "PRIMARY_KEY", &["order_id", "line_no"]),
            "{mode}: composite PK: {lines}"
        );
        // No keys where there are none.
        let raw = r.get(&t("staging.raw_orders"));
        assert!(
            constraints(raw, "PRIMARY_KEY").is_empty() && constraints(raw, "UNIQUE").is_empty(),
            "{mode}: {raw}"
        );
    }
}

#[test]
fn foreign_keys_with_referred_column_fqns() {
    for (mode, run) in runs() {
        let r = &run.records;
        let fks = |table: &str| constraints(r.get(&t(table)), "FOREIGN_KEY");
        let fk = |cols: &[&str], refs: &[String]| {
            (
                cols.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                refs.to_vec(),
            )
        };
        // Inside a schema.
        assert_eq!(
            fks("sales.orders"),
            vec![fk(&["customer_id"], &[col_fqn("sales.customers", "id")])],
            "{mode}"
        );
        // Across schemas.
        assert_eq!(
            fks("sales.customers"),
            vec![fk(&["account_manager"], &[col_fqn("hr.employees", "id")])],
            "{mode}"
        );
        // Composite, in column order.
        assert_eq!(
            fks("sales.shipments"),
            vec![fk(
                &["order_id", "line_no"],
                &[
                    col_fqn("sales.order_lines", "order_id"),
                    col_fqn("sales.order_lines", "line_no")
                ]
            )],
            "{mode}"
        );
        // To a table whose name has a dot: quoted in the FQN.
        let to_dotted = col_fqn("sales.my.table", "id");
        assert!(to_dotted.ends_with(".sales.\"my.table\".id"), "{to_dotted}");
        assert_eq!(
            fks("sales.notes"),
            vec![fk(&["table_id"], &[to_dotted])],
            "{mode}"
        );
        assert!(fks("hr.employees").is_empty(), "{mode}");
    }
}

#[test]
fn a_name_with_a_dot_is_quoted_in_fqns() {
    let db = &shared().db;
    for (mode, run) in runs() {
        let dotted = format!("{SERVICE}.{db}.sales.\"my.table\"");
        let table = run.records.get(&dotted);
        assert_eq!(table["name"], "my.table", "{mode}");
        assert_eq!(
            table["databaseSchema"],
            format!("{SERVICE}.{db}.sales"),
            "{mode}"
        );
        assert_eq!(column_names(table), ["id", "note"], "{mode}");
    }
}

#[test]
fn views_and_materialized_views_with_definitions() {
    for (mode, run) in runs() {
        let view = run.records.get(&t("sales.big_orders"));
        assert_eq!(view["tableType"], "View", "{mode}");
        assert_eq!(column_names(view), ["id", "customer_id", "total"], "{mode}");
        let def = view["schemaDefinition"]
            .as_str()
            .unwrap_or_else(|| panic!("{mode}: view without schemaDefinition: {view}"));
        // OpenMetadata's connector's text: `create view s.v as ` and pg_get_viewdef.
        assert!(
            def.starts_with("create view sales.big_orders as ")
                && def.contains("FROM sales.orders")
                && def.contains("1000"),
            "{mode}: view definition {def:?}"
        );

        let mv = run.records.get(&t("sales.daily_totals"));
        assert_eq!(mv["tableType"], "MaterializedView", "{mode}");
        assert_eq!(column_names(mv), ["ordered_on", "day_total"], "{mode}");
        let def = mv["schemaDefinition"]
            .as_str()
            .unwrap_or_else(|| panic!("{mode}: matview without schemaDefinition: {mv}"));
        // Materialized, as the catalog says (OpenMetadata's connector writes `create view`).
        assert!(
            def.starts_with("create materialized view sales.daily_totals as ")
                && def.contains("sum(")
                && def.contains("GROUP BY"),
            "{mode}: matview definition {def:?}"
        );
    }
}

#[test]
fn partitioned_table_names_its_partition_column() {
    for (mode, run) in runs() {
        let events = run.records.get(&t("sales.events"));
        assert_eq!(events["tableType"], "Partitioned", "{mode}");
        assert_eq!(
            column_names(events),
            ["id", "happened_on", "payload"],
            "{mode}"
        );
        let cols = events["tablePartition"]["columns"]
            .as_array()
            .unwrap_or_else(|| panic!("{mode}: no tablePartition.columns: {events}"));
        assert_eq!(cols.len(), 1, "{mode}: {events}");
        assert_eq!(cols[0]["columnName"], "happened_on", "{mode}: {events}");
        // PARTITION BY RANGE: OpenMetadata's Postgres connector reports TIME-UNIT.
        assert_eq!(cols[0]["intervalType"], "TIME-UNIT", "{mode}: {events}");
        // Partitioned by an expression only: a partition without columns, as OpenMetadata
        // writes it.
        let audit = run.records.get(&t("sales.audit_log"));
        assert_eq!(audit["tableType"], "Partitioned", "{mode}");
        assert_eq!(
            audit["tablePartition"],
            serde_json::json!({"columns": []}),
            "{mode}: {audit}"
        );
        // A table that is not partitioned has no partition.
        let orders = run.records.get(&t("sales.orders"));
        assert!(
            orders.get("tablePartition").is_none_or(Value::is_null),
            "{mode}: {orders}"
        );
    }
}

#[test]
fn stored_procedures_and_functions_with_their_code() {
    let db = &shared().db;
    for (mode, run) in runs() {
        let r = &run.records;
        assert_eq!(r.count("CreateStoredProcedureRequest"), 2, "{mode}");
        let schema = fqn(&[SERVICE, db, "sales"]);
        let function = r.get(&format!("{schema}.order_total"));
        assert_eq!(function["storedProcedureType"], "Function", "{mode}");
        assert_eq!(function["description"], "Total of one order", "{mode}");
        // The body as written (`prosrc`) and no language, as OpenMetadata's connector sends it.
        assert_eq!(
            function["storedProcedureCode"],
            serde_json::json!({"code": " SELECT total FROM sales.orders WHERE id = order_id "}),
            "{mode}"
        );
        let procedure = r.get(&format!("{schema}.close_day"));
        assert_eq!(
            procedure["storedProcedureType"], "StoredProcedure",
            "{mode}"
        );
        assert_eq!(procedure["databaseSchema"], schema, "{mode}");
    }
}
