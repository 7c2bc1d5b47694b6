//! sourceConfig filters on the catalog fixture: schema includes / excludes, table includes /
//! excludes, includeViews. Each test gets its own database and runs both modes; what is filtered out
//! must be absent from the sink output and from the counts.

use std::collections::BTreeSet;

use omrun_tests::Workflow;
use omrun_tests::scenario::{Mode, Run, run_postgres};
use omrun_tests::{Filter, PgConfig, PgServer, TestDb, Workdir, fixture, fqn};

const SERVICE: &str = "omrun_filters";

fn setup(label: &str) -> (TestDb, Workdir) {
    (
        PgServer::from_env().create_database(label, fixture::SQL),
        Workdir::new(),
    )
}

fn names(db: &TestDb, tables: &[&str]) -> BTreeSet<String> {
    tables
        .iter()
        .map(|s| {
            let (schema, name) = s.split_once('.').unwrap();
            fqn(&[SERVICE, &db.name, schema, name])
        })
        .collect()
}

fn schemas(db: &TestDb, list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| fqn(&[SERVICE, &db.name, s])).collect()
}

/// Runs `cfg` in both modes; both must give `tables` and `schema_list` exactly.
fn check(
    db: &TestDb,
    work: &Workdir,
    name: &str,
    cfg: PgConfig,
    schema_list: &[&str],
    tables: &[&str],
) -> Vec<Run> {
    let mut runs = vec![];
    for mode in [Mode::Sequential, Mode::Local(4)] {
        let run = run_postgres(work, db, name, cfg.clone(), mode);
        assert_eq!(
            run.records.schema_fqns(),
            schemas(db, schema_list),
            "{name} {mode:?}: schemas"
        );
        assert_eq!(
            run.records.table_fqns(),
            names(db, tables),
            "{name} {mode:?}: tables"
        );
        runs.push(run);
    }
    assert_eq!(
        runs[0].records.canonical_set(),
        runs[1].records.canonical_set(),
        "{name}: sequential and local differ"
    );
    runs
}

#[test]
fn schema_includes() {
    let (db, work) = setup("schema_incl");
    let cfg = PgConfig::new(SERVICE, &work.join("x")).schema_filter(Filter::include(&["^sales$"]));
    check(
        &db,
        &work,
        "schema-includes",
        cfg,
        &["sales"],
        &fixture::tables_in("sales"),
    );
}

#[test]
fn schema_excludes() {
    let (db, work) = setup("schema_excl");
    let cfg = PgConfig::new(SERVICE, &work.join("x"))
        .schema_filter(Filter::exclude(&["^staging$", "^sales$"]));
    check(
        &db,
        &work,
        "schema-excludes",
        cfg,
        &["hr"],
        &["hr.employees"],
    );
}

#[test]
fn schema_includes_and_excludes_together() {
    let (db, work) = setup("schema_both");
    let cfg = PgConfig::new(SERVICE, &work.join("x")).schema_filter(Filter {
        includes: vec!["^(sales|staging)$".into()],
        excludes: vec!["^sales$".into()],
    });
    check(
        &db,
        &work,
        "schema-both",
        cfg,
        &["staging"],
        &["staging.tmp_import", "staging.raw_orders"],
    );
}

#[test]
fn table_excludes() {
    let (db, work) = setup("table_excl");
    let cfg = PgConfig::new(SERVICE, &work.join("x"))
        .schema_filter(Filter::include(&["^staging$", "^hr$"]))
        .table_filter(Filter::exclude(&["^tmp_"]));
    check(
        &db,
        &work,
        "table-excludes",
        cfg,
        &["hr", "staging"],
        &["hr.employees", "staging.raw_orders"],
    );
}

#[test]
fn table_includes_apply_to_views_too() {
    let (db, work) = setup("table_incl");
    let cfg = PgConfig::new(SERVICE, &work.join("x"))
        .schema_filter(Filter::include(&["^sales$"]))
        .table_filter(Filter::include(&["^order", "^daily_"]));
    check(
        &db,
        &work,
        "table-includes",
        cfg,
        &["sales"],
        &["sales.orders", "sales.order_lines", "sales.daily_totals"],
    );
}

#[test]
fn include_views_false_drops_views_and_materialized_views() {
    let (db, work) = setup("no_views");
    let cfg = PgConfig::new(SERVICE, &work.join("x"))
        .schema_filter(Filter::include(&["^sales$"]))
        .include_views(false);
    let tables: Vec<&str> = fixture::tables_in("sales")
        .into_iter()
        .filter(|t| *t != "sales.big_orders" && *t != "sales.daily_totals")
        .collect();
    for run in check(&db, &work, "no-views", cfg, &["sales"], &tables) {
        for r in run.records.of_kind("CreateTableRequest") {
            let ty = &r.request["tableType"];
            assert!(
                ty != "View" && ty != "MaterializedView",
                "{}: {ty} with includeViews: false",
                r.fqn
            );
        }
    }
}
