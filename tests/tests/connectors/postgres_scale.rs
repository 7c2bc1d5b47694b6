//! 1,000 tables, sequential and local: every one written exactly once, counted in the report.

use std::collections::BTreeSet;

use omrun_tests::scenario::{Mode, run_postgres};
use omrun_tests::{PgConfig, PgServer, Workdir, column_names, fixture, fqn, has_key};

const TABLES: usize = 1000;
const SERVICE: &str = "omrun_scale";

#[test]
fn one_thousand_tables_in_both_modes() {
    let db = PgServer::from_env().create_database("scale", fixture::THOUSAND_TABLES);
    let work = Workdir::new();
    let expected: BTreeSet<String> = (1..=TABLES)
        .map(|i| fqn(&[SERVICE, &db.name, "bulk", &format!("table_{i:04}")]))
        .collect();

    let mut sets = vec![];
    for mode in [Mode::Sequential, Mode::Local(4)] {
        let run = run_postgres(
            &work,
            &db,
            "scale",
            PgConfig::new(SERVICE, &work.join("x")),
            mode,
        );
        assert_eq!(run.records.count("CreateTableRequest"), TABLES, "{mode:?}");
        assert_eq!(run.records.table_fqns(), expected, "{mode:?}");
        assert_eq!(
            run.records.count("CreateDatabaseSchemaRequest"),
            1,
            "{mode:?}"
        );
        assert_eq!(run.report["found"], TABLES, "{mode:?}: {}", run.report);
        assert_eq!(run.report["processed"], TABLES, "{mode:?}: {}", run.report);
        assert_eq!(run.report["failed"], 0, "{mode:?}: {}", run.report);
        run.out
            .assert_stderr_line(&format!("Found {TABLES} table entities"));
        // Every table fully described, not just named.
        for r in run.records.of_kind("CreateTableRequest") {
            assert_eq!(
                column_names(&r.request),
                ["id", "name", "amount", "created_at"],
                "{}",
                r.fqn
            );
            assert!(
                has_key(&r.request, "PRIMARY_KEY", &["id"]),
                "{}: {}",
                r.fqn,
                r.request
            );
        }
        sets.push(run.records.canonical_set());
    }
    assert!(
        sets[0] == sets[1],
        "sequential and local wrote different records for {TABLES} tables"
    );
}
