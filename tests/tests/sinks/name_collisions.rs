//! Names OpenMetadata stores alike: it replaces `::`, `>`, quotes, tabs and newlines inside names
//! with `__reserved__…__` words, so `a::b` and `a__reserved__colon__b` in one schema would be one
//! entity. omrun writes the first and fails the second, named in the report, instead of letting one
//! overwrite the other.

use omrun_tests::{Omrun, PgConfig, PgServer, Workdir, Workflow, plugin};

#[test]
fn the_second_of_two_names_stored_alike_fails_and_the_first_is_written_once() {
    let db = PgServer::from_env().create_database(
        "collide",
        r#"
        DROP SCHEMA public CASCADE;
        CREATE SCHEMA app;
        CREATE TABLE app."a::b" (id integer);
        CREATE TABLE app."a__reserved__colon__b" (id integer, extra text);
        CREATE TABLE app.plain (id integer);
        "#,
    );
    let work = Workdir::new();
    let file = work.join("out.jsonl");
    let config = work.write(
        "c.yaml",
        PgConfig::new("svc", &file).orchestrator("local", 2).yaml(),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .output(&file)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_code(1);

    // Records::read fails on an entity written twice.
    let records = out.records();
    let fqn = format!("svc.{}.app.a__reserved__colon__b", db.name);
    assert!(
        records.table_fqns().contains(&fqn),
        "{:?}",
        records.table_fqns()
    );
    assert_eq!(records.count("CreateTableRequest"), 2);

    let report = out.report();
    assert_eq!(report["failed"], 1, "{report:#}");
    let failure = &report["failures"][0];
    assert_eq!(failure["fqn"], fqn.as_str());
    let error = failure["error"].as_str().unwrap();
    assert!(
        error.contains("would be stored under the same name") && error.contains("a::b"),
        "{error}"
    );
    // It names both tables as the source spells them.
    assert!(error.contains("app.a__reserved__colon__b"), "{error}");
    // The one written is whole: the columns of one of the two, not a mix.
    let written = records.get(&fqn);
    let columns: Vec<&str> = written["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        columns == ["id"] || columns == ["id", "extra"],
        "{columns:?}"
    );
}
