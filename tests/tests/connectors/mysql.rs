//! The mysql plugin on a real MariaDB server with the scenario fixture
//! (tests/fixtures/mysql_catalog.sql), run once sequentially and once on 3 local workers: both runs
//! must succeed, validate against OpenMetadata's schemas, write the same records, and describe
//! the fixture faithfully — MySQL's databases as schemas of OpenMetadata's `default` database.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use omrun_tests::Workflow;
use omrun_tests::scenario::{BothModes, Mode, Run, once_per_file, run_mysql};
use omrun_tests::{
    Filter, MariaSchemas, MariaServer, MysqlConfig, Workdir, column, column_names, constraints,
    fqn, has_key,
};
use serde_json::Value;

const SERVICE: &str = "omrun_mysql";
const FIXTURE: &str = include_str!("../../fixtures/mysql_catalog.sql");

struct Shared {
    schemas: MariaSchemas,
    runs: BothModes,
}

fn shared() -> &'static Shared {
    static S: OnceLock<Result<Shared, String>> = OnceLock::new();
    once_per_file(&S, || {
        let server = MariaServer::from_env();
        let schemas = server.create_schemas("catalog", FIXTURE);
        let work = Workdir::new();
        let cfg = MysqlConfig::new(SERVICE, &work.join("unused"))
            .schema_filter(Filter::include(&[&schemas.schema_pattern()]));
        Shared {
            schemas,
            runs: BothModes::run(work, 3, |work, mode| {
                run_mysql(work, &server, "catalog", cfg.clone(), mode)
            }),
        }
    })
}

fn runs() -> [(&'static str, &'static Run); 2] {
    shared().runs.each()
}

/// The FQN of `schema.name` (the schema without its test prefix).
fn t(table: &str) -> String {
    let (schema, name) = table.split_once('.').unwrap();
    fqn(&[SERVICE, "default", &shared().schemas.schema(schema), name])
}

fn col_fqn(table: &str, col: &str) -> String {
    format!("{}.{col}", t(table))
}

#[test]
fn both_modes_write_the_same_records_into_the_default_database() {
    let s = shared();
    assert_eq!(
        s.runs.sequential.records.canonical_set(),
        s.runs.local.records.canonical_set()
    );
    let r = &s.runs.sequential.records;
    assert_eq!(r.service()["serviceType"], "Mysql");
    assert_eq!(
        r.database_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "default"])])
    );
    let schemas: BTreeSet<String> = ["sales", "hr", "staging"]
        .iter()
        .map(|n| fqn(&[SERVICE, "default", &s.schemas.schema(n)]))
        .collect();
    assert_eq!(r.schema_fqns(), schemas);
    let sales = r.get(&fqn(&[SERVICE, "default", &s.schemas.schema("sales")]));
    assert_eq!(sales["description"], "Orders, customers and what we ship");
}

#[test]
fn every_table_and_view_once() {
    let expected: BTreeSet<String> = [
        "hr.employees",
        "sales.customers",
        "sales.orders",
        "sales.order_lines",
        "sales.shipments",
        "sales.my.table",
        "sales.notes",
        "sales.big_orders",
        "sales.customer_codes",
        "sales.events",
        "sales.type_zoo",
        "sales.categories",
        "sales.warehouses",
        "sales.warehouse_staff",
        "staging.tmp_import",
        "staging.raw_orders",
    ]
    .iter()
    .map(|n| t(n))
    .collect();
    for (mode, run) in runs() {
        assert_eq!(run.records.table_fqns(), expected, "{mode}");
        assert_eq!(
            run.records.count("CreateTableRequest"),
            expected.len(),
            "{mode}"
        );
    }
}

#[test]
fn table_types_comments_and_view_definitions() {
    for (mode, run) in runs() {
        let r = &run.records;
        assert_eq!(r.get(&t("sales.orders"))["tableType"], "Regular", "{mode}");
        assert_eq!(r.get(&t("sales.big_orders"))["tableType"], "View", "{mode}");
        assert_eq!(
            r.get(&t("sales.events"))["tableType"],
            "Partitioned",
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
        // MySQL's placeholder comment of a view is not a description.
        assert!(
            r.get(&t("sales.big_orders")).get("description").is_none(),
            "{mode}"
        );
        // What SHOW CREATE VIEW prints, as OpenMetadata's connector writes it.
        let definition = r.get(&t("sales.big_orders"))["schemaDefinition"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            definition.starts_with("CREATE ALGORITHM=UNDEFINED DEFINER=`")
                && definition.contains(" SQL SECURITY DEFINER VIEW `")
                && definition.contains("`total` > 1000"),
            "{mode}: {definition}"
        );
        // A view's columns as information_schema has them: NOT NULL and commented like the
        // table column they show.
        let code = column(r.get(&t("sales.customer_codes")), "code");
        assert_eq!(code["constraint"], "NOT_NULL", "{mode}: {code}");
        assert_eq!(code["description"], "Short customer code", "{mode}: {code}");
    }
}

#[test]
fn mysql_types() {
    for (mode, run) in runs() {
        let r = &run.records;
        let customers = r.get(&t("sales.customers"));
        let employees = r.get(&t("hr.employees"));
        let check = |table: &Value, col: &str, data_type: &str, display: &str| {
            let c = column(table, col);
            assert_eq!(c["dataType"], data_type, "{mode}: {col} {c}");
            assert_eq!(c["dataTypeDisplay"], display, "{mode}: {col} {c}");
        };
        // As OpenMetadata's connector reads them through SQLAlchemy: no display widths, no
        // unsigned, no fractional seconds; BOOL is the TINYINT it is; ENUM and SET show their
        // longest value's length; MariaDB's JSON is the LONGTEXT it is.
        check(employees, "id", "INT", "int");
        check(employees, "is_active", "TINYINT", "tinyint");
        check(employees, "hired_at", "DATETIME", "datetime");
        check(employees, "badge", "CHAR", "char(36)");
        check(customers, "region", "ENUM", "enum(4)");
        check(customers, "channels", "SET", "set(5)");
        check(customers, "attributes", "TEXT", "longtext");
        check(customers, "code_upper", "VARCHAR", "varchar(20)");
        check(customers, "created_at", "TIMESTAMP", "timestamp");
        let zoo = r.get(&t("sales.type_zoo"));
        check(zoo, "id", "INT", "int");
        check(zoo, "active", "TINYINT", "tinyint");
        check(zoo, "big", "BIGINT", "bigint");
        check(zoo, "medium", "INT", "mediumint");
        check(zoo, "seen_at", "DATETIME", "datetime");
        check(zoo, "wakes_at", "TIME", "time");
        check(zoo, "made_in", "YEAR", "year");
        check(zoo, "ratio2", "FLOAT", "float(7,4)");
        check(zoo, "exact", "DECIMAL", "decimal(5,0)");
        check(zoo, "size", "ENUM", "enum(2)");
        check(zoo, "doc", "TEXT", "longtext");
        check(zoo, "short_text", "TEXT", "tinytext");
        check(zoo, "small_blob", "BLOB", "tinyblob");
        check(zoo, "spot", "GEOMETRY", "point");
        check(zoo, "bits", "BIT", "bit(8)");
        // Every column has a dataLength (1 when its type has none) and no position, as in
        // OpenMetadata's requests.
        for c in zoo["columns"].as_array().unwrap() {
            assert!(c.get("ordinalPosition").is_none(), "{mode}: {c}");
            let expected = match c["name"].as_str().unwrap() {
                "code3" => 3,
                "label" => 255,
                "raw" => 16,
                "varraw" => 32,
                _ => 1,
            };
            assert_eq!(c["dataLength"], expected, "{mode}: {c}");
        }
        let total = column(r.get(&t("sales.orders")), "total");
        assert_eq!(
            (&total["dataType"], &total["precision"], &total["scale"]),
            (&Value::from("DECIMAL"), &Value::from(10), &Value::from(2)),
            "{mode}"
        );
        assert_eq!(column(customers, "code")["dataLength"], 20, "{mode}");
        // A LONGTEXT without the check stays text.
        check(
            r.get(&t("staging.raw_orders")),
            "payload",
            "TEXT",
            "longtext",
        );
        assert_eq!(
            column_names(customers),
            [
                "id",
                "code",
                "name",
                "region",
                "channels",
                "account_manager",
                "attributes",
                "code_upper",
                "created_at"
            ],
            "{mode}"
        );
        assert_eq!(
            column(employees, "full_name")["constraint"],
            "NOT_NULL",
            "{mode}"
        );
    }
}

#[test]
fn keys_within_and_across_schemas() {
    for (mode, run) in runs() {
        let r = &run.records;
        let fks = |table: &str| constraints(r.get(&t(table)), "FOREIGN_KEY");
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            column(r.get(&t("hr.employees")), "id")["constraint"],
            "PRIMARY_KEY"
        );
        assert_eq!(
            column(r.get(&t("hr.employees")), "email")["constraint"],
            "UNIQUE"
        );
        assert!(
            has_key(r.get(&t("sales.customers")), "UNIQUE", &["code", "region"]),
            "{mode}"
        );
        let lines = r.get(&t("sales.order_lines"));
        assert!(
            has_key(lines, "PRIMARY_KEY", &["order_id", "line_no"]),
            "{mode}"
        );
        // Columns of a composite primary key carry no constraint, as in OpenMetadata's requests.
        for c in ["order_id", "line_no"] {
            assert!(
                column(lines, c).get("constraint").is_none(),
                "{mode}: {}",
                column(lines, c)
            );
        }
        assert_eq!(
            fks("sales.customers"),
            vec![(
                strings(&["account_manager"]),
                vec![col_fqn("hr.employees", "id")]
            )],
            "{mode}: across schemas"
        );
        assert_eq!(
            fks("sales.shipments"),
            vec![(
                strings(&["order_id", "line_no"]),
                vec![
                    col_fqn("sales.order_lines", "order_id"),
                    col_fqn("sales.order_lines", "line_no")
                ]
            )],
            "{mode}: composite"
        );
        assert_eq!(
            fks("sales.notes"),
            vec![(
                strings(&["table_id"]),
                vec![col_fqn("sales.my.table", "id")]
            )],
            "{mode}: to a dotted name"
        );
    }
}

#[test]
fn partitioned_by_the_year_of_a_date() {
    for (mode, run) in runs() {
        let events = run.records.get(&t("sales.events"));
        assert_eq!(
            events["tablePartition"]["columns"],
            serde_json::json!([{"columnName": "happened_on", "intervalType": "TIME-UNIT"}]),
            "{mode}"
        );
    }
}

#[test]
fn stored_procedures_and_functions() {
    let s = shared();
    for (mode, run) in runs() {
        let r = &run.records;
        assert_eq!(r.count("CreateStoredProcedureRequest"), 2, "{mode}");
        let schema = fqn(&[SERVICE, "default", &s.schemas.schema("sales")]);
        let procedure = r.get(&format!("{schema}.close_day"));
        assert_eq!(
            procedure["storedProcedureType"], "StoredProcedure",
            "{mode}"
        );
        assert_eq!(procedure["databaseSchema"], schema, "{mode}");
        assert_eq!(
            procedure["description"],
            "Moves a day of orders to the archive"
        );
        assert_eq!(
            procedure["storedProcedureCode"]["language"], "SQL",
            "{mode}"
        );
        let code = procedure["storedProcedureCode"]["code"]
            .as_str()
            .unwrap_or_default();
        assert!(code.contains("count(*)"), "{mode}: {code}");
        let function = r.get(&format!("{schema}.order_total"));
        assert_eq!(function["storedProcedureType"], "Function", "{mode}");
        assert!(
            function["sourceHash"]
                .as_str()
                .is_some_and(|h| h.len() == 32)
        );
    }
}

#[test]
fn table_filter_and_mariadb_service_type() {
    let server = MariaServer::from_env();
    let schemas = server.create_schemas("filters", FIXTURE);
    let work = Workdir::new();
    let cfg = MysqlConfig::new("omrun_mariadb", &work.join("unused"))
        .service_type("MariaDB")
        .database_name("warehouse")
        .schema_filter(Filter::include(&[&schemas.schema_pattern()]))
        .table_filter(Filter::exclude(&["^tmp_", "^my\\."]));
    let run = run_mysql(&work, &server, "filters", cfg, Mode::Local(2));
    let r = &run.records;
    assert_eq!(r.service()["serviceType"], "MariaDB");
    assert_eq!(
        r.database_fqns(),
        BTreeSet::from([fqn(&["omrun_mariadb", "warehouse"])])
    );
    let tables = r.table_fqns();
    assert_eq!(tables.len(), 14, "{tables:?}");
    assert!(
        tables
            .iter()
            .all(|t| !t.contains("tmp_import") && !t.contains("my.table"))
    );
}

#[test]
fn a_mariadb_source_finds_the_mysql_plugin() {
    let server = MariaServer::from_env();
    let schemas = server.create_schemas("lookup", FIXTURE);
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let cfg = MysqlConfig::new("omrun_lookup", &output)
        .service_type("MariaDB")
        .schema_filter(Filter::include(&[&schemas.schema_pattern()]));
    let config = work.write("mariadb.yaml", cfg.yaml());
    assert!(cfg.yaml().contains("type: mariadb"));
    // No --plugin: `mariadb.wasm` does not exist, `mysql.wasm` serves MariaDB.
    let out = omrun_tests::Omrun::ingest(work.path(), &config)
        .mysql_env(&server)
        .output(&output)
        .run();
    out.assert_success();
    assert_eq!(out.records().table_fqns().len(), 16);
}
