//! The `metadata-rest` sink against the OpenMetadata stand-in (tests/support/openmetadata), which
//! validates every request against OpenMetadata's JSON Schemas and refuses children of missing
//! parents: what arrives, in which order, what a re-run writes, when tables are marked deleted,
//! how faults are survived, and how a refused token or a wrong server stops the run.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use omrun_tests::Workflow;
use omrun_tests::openmetadata::{Attempts, Collection, Fault, LoggedRequest, StandIn};
use omrun_tests::{
    Omrun, PgConfig, PgServer, RunOutput, TestDb, Workdir, fixture, fqn, plugin, repo_root,
};
use serde_json::Value;

const TOKEN: &str = "om-test-jwt-7c1d9e42";
const SERVICE: &str = "omrun_om";

/// Runs the postgres plugin on `db` into the stand-in with `cfg`.
fn ingest(work: &Workdir, db: &TestDb, om: &StandIn, name: &str, cfg: PgConfig) -> RunOutput {
    let config = work.write(
        &format!("{name}.yaml"),
        cfg.openmetadata(&om.host_port()).yaml(),
    );
    Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(db)
        .env("OM_JWT_TOKEN", TOKEN)
        .secret(TOKEN)
        .report_json(&work.join(&format!("{name}.report.json")))
        .run()
}

/// Runs the postgres plugin on `db` into a file (`file.jsonl`); the run succeeded.
fn into_file(work: &Workdir, db: &TestDb) -> RunOutput {
    let file = work.join("file.jsonl");
    let config = work.write("file.yaml", PgConfig::new(SERVICE, &file).yaml());
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(db)
        .output(&file)
        .run();
    out.assert_success();
    out
}

/// The schemas named by the deleteStale calls among `requests`.
fn stale_scopes(requests: &[LoggedRequest]) -> BTreeSet<String> {
    requests
        .iter()
        .filter(|r| r.path == "/api/v1/tables/deleteStale")
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).expect("a deleteStale body is JSON");
            body["scopeFqn"]
                .as_str()
                .expect("deleteStale names its scope")
                .to_owned()
        })
        .collect()
}

fn table_fqn(db: &TestDb, schema_and_table: &str) -> String {
    let (schema, table) = schema_and_table.split_once('.').unwrap();
    fqn(&[SERVICE, &db.name, schema, table])
}

fn fixture_tables(db: &TestDb) -> BTreeSet<String> {
    fixture::TABLES.iter().map(|t| table_fqn(db, t)).collect()
}

fn stored(om: &StandIn, c: Collection) -> BTreeMap<String, omrun_tests::openmetadata::Entity> {
    om.entities(c)
        .into_iter()
        .map(|e| (e.fqn.clone(), e))
        .collect()
}

#[test]
fn every_entity_arrives_once_parents_first_and_a_rerun_writes_nothing() {
    let db = PgServer::from_env().create_database("om_sink", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);

    let first = ingest(
        &work,
        &db,
        &om,
        "first",
        PgConfig::new(SERVICE, &work.join("x")).orchestrator("local", 4),
    );
    first.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "unexpected calls: {:?}",
        om.unexpected_requests()
    );

    let tables = stored(&om, Collection::Tables);
    assert_eq!(
        tables.keys().cloned().collect::<BTreeSet<_>>(),
        fixture_tables(&db)
    );
    assert_eq!(om.entities(Collection::DatabaseSchemas).len(), 3);
    assert_eq!(om.entities(Collection::Databases).len(), 1);
    // A table is written once, or — when its foreign keys named tables the server did not hold
    // yet — first without them and then complete: never more.
    let has_keys = |t: &omrun_tests::openmetadata::Entity| {
        t.request["tableConstraints"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["constraintType"] == "FOREIGN_KEY"))
    };
    for t in tables.values() {
        let most = if has_keys(t) { 0.2 } else { 0.1 };
        assert!(
            !t.deleted && t.version <= most + 1e-9,
            "{} at {}",
            t.fqn,
            t.version
        );
    }
    let versions: BTreeMap<String, f64> = tables
        .values()
        .map(|t| (t.fqn.clone(), t.version))
        .collect();

    // What arrived is exactly what the file sink writes for the same database (checked in detail
    // by the postgres_metadata tests): every table with its columns and constraints.
    let written = into_file(&work, &db);
    for record in written.records().of_kind("CreateTableRequest") {
        let entity = &tables[&record.fqn];
        assert_eq!(
            entity.request, record.request,
            "{} differs from the file sink's",
            record.fqn
        );
        assert!(
            record.request["sourceHash"]
                .as_str()
                .is_some_and(|h| h.len() == 32),
            "{}",
            record.fqn
        );
    }

    // OpenMetadata's order: version, service, then databases, schemas and tables in bulk.
    let log = om.requests();
    assert_eq!(
        (log[0].method.as_str(), log[0].path.as_str()),
        ("GET", "/api/v1/system/version")
    );
    let first_call = |path: &str| {
        log.iter()
            .position(|r| r.path == path)
            .unwrap_or_else(|| panic!("no call to {path}"))
    };
    let service = first_call(&format!("/api/v1/services/databaseServices/name/{SERVICE}"));
    let databases = first_call("/api/v1/databases/bulk");
    let schemas = first_call("/api/v1/databaseSchemas/bulk");
    let last_schemas = log
        .iter()
        .rposition(|r| r.path == "/api/v1/databaseSchemas/bulk")
        .unwrap();
    let tables_bulk = first_call("/api/v1/tables/bulk");
    assert!(
        service < databases && databases < schemas && last_schemas < tables_bulk,
        "{log:#?}"
    );
    for call in log.iter().filter(|r| r.path.ends_with("/bulk")) {
        assert_eq!(call.method, "PUT");
        assert_eq!(
            call.query.as_deref(),
            Some("async=false&overrideMetadata=false")
        );
        assert!(call.body.starts_with('['), "a bulk body is an array");
    }

    // A second run of an unchanged database: every request carries the same sourceHash, so
    // nothing is rewritten and no version moves.
    let writes = om.writes().total();
    let second = ingest(
        &work,
        &db,
        &om,
        "second",
        PgConfig::new(SERVICE, &work.join("x")).orchestrator("sequential", 1),
    );
    second.assert_success();
    assert_eq!(
        om.writes().total(),
        writes,
        "the re-run wrote: {:?}",
        om.writes()
    );
    for t in om.entities(Collection::Tables) {
        assert_eq!(t.version, versions[&t.fqn], "{} moved", t.fqn);
    }
}

#[test]
fn source_hashes_equal_openmetadata_ingestion() {
    // The fixture has every kind of table, column type and constraint the plugin writes.
    let db = PgServer::from_env().create_database("om_hash", fixture::SQL);
    let work = Workdir::new();
    let file = into_file(&work, &db)
        .output
        .expect("a file sink run has an output");

    let check = std::process::Command::new("python3")
        .arg(repo_root().join("scripts/om-source-hash.py"))
        .arg(&file)
        .output()
        .expect("run scripts/om-source-hash.py");
    assert!(
        check.status.success(),
        "sourceHash differs from OpenMetadata's generate_source_hash:\n{}\n{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn deleted_tables_are_marked_deleted_only_after_a_complete_run() {
    let db = PgServer::from_env().create_database("om_stale", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    let cfg = || PgConfig::new(SERVICE, &work.join("x")).retry(2, 0.01);
    ingest(&work, &db, &om, "complete", cfg()).assert_success();

    db.execute("DROP TABLE sales.notes");
    let notes = table_fqn(&db, "sales.notes");
    let sales = fqn(&[SERVICE, &db.name, "sales"]);
    let all_schemas: BTreeSet<String> = ["hr", "sales", "staging"]
        .iter()
        .map(|s| fqn(&[SERVICE, &db.name, s]))
        .collect();
    assert_eq!(
        stale_scopes(&om.requests()),
        all_schemas,
        "the complete run checked every schema"
    );

    // The server refuses another table of the same schema: that schema is not complete, so its
    // dropped table must survive; the other schemas are still cleaned.
    om.fail_item("customers", 400, Attempts::Always);
    let before = om.requests().len();
    let partial = ingest(&work, &db, &om, "partial", cfg());
    partial.assert_code(1);
    let report = partial.report();
    assert!(
        report["failures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["fqn"] == table_fqn(&db, "sales.customers")),
        "{report}"
    );
    assert!(
        !om.entity(Collection::Tables, &notes).unwrap().deleted,
        "a run with a failure deleted a table"
    );
    let partial_scopes = stale_scopes(&om.requests()[before..]);
    assert!(
        !partial_scopes.contains(&sales) && partial_scopes.len() == 2,
        "{partial_scopes:?}"
    );

    om.clear_faults();
    ingest(&work, &db, &om, "complete-again", cfg()).assert_success();
    let tables = stored(&om, Collection::Tables);
    assert!(
        tables[&notes].deleted,
        "the dropped table is marked deleted by the next complete run"
    );
    let deleted: Vec<&String> = tables
        .iter()
        .filter(|(_, t)| t.deleted)
        .map(|(f, _)| f)
        .collect();
    assert_eq!(deleted, vec![&notes], "only the dropped table");
}

#[test]
fn transient_faults_are_retried_and_nothing_is_lost() {
    let db = PgServer::from_env().create_database("om_faults", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    om.fail_next("PUT", "/api/v1/databaseSchemas/bulk", 1, Fault::ServerError);
    om.fail_next(
        "PUT",
        "/api/v1/tables/bulk",
        2,
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
    );
    om.fail_next(
        "PUT",
        "/api/v1/tables/bulk",
        1,
        Fault::Stall(Duration::from_secs(3)),
    );
    om.fail_item("orders", 500, Attempts::First(1));

    let cfg = PgConfig::new(SERVICE, &work.join("x"))
        .orchestrator("local", 2)
        .retry(5, 0.05)
        .sink_setting("timeoutSeconds", "1")
        .sink_setting("bulk_sink_batch_size", "5");
    let out = ingest(&work, &db, &om, "faults", cfg);
    out.assert_success();
    assert_eq!(out.report()["failed"], 0);

    let tables = stored(&om, Collection::Tables);
    assert_eq!(
        tables.keys().cloned().collect::<BTreeSet<_>>(),
        fixture_tables(&db)
    );
    let statuses: Vec<u16> = om.requests().iter().map(|r| r.status).collect();
    assert!(
        statuses.contains(&429) && statuses.contains(&500),
        "{statuses:?}"
    );
    // The stalled call is answered (and logged by the stand-in) only after omrun gave up on it.
    assert!(
        out.stderr.contains("no answer within 1 s"),
        "the stalled call timed out and was retried:\n{}",
        out.describe()
    );
    assert!(out.stderr.contains("retrying"), "{}", out.describe());

    // The report's `retried` counts what the sink sent again, per entity: every entity of a call
    // answered 429 or 500 (and of the stalled one, not counted here), and the item failed once.
    let refused: usize = om
        .requests()
        .iter()
        .filter(|r| r.status == 429 || r.status == 500)
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .filter_map(|body| body.as_array().map(Vec::len))
        .sum();
    let retried = out.report()["retried"].as_u64().unwrap() as usize;
    assert!(
        refused > 0 && retried > refused,
        "retried {retried}, entities in refused calls {refused}"
    );
}

#[test]
fn a_refused_token_stops_the_run_with_one_clear_line() {
    let db = PgServer::from_env().create_database("om_token", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    let wrong = "wrong-jwt-55aa11";
    let config = work.write(
        "config.yaml",
        PgConfig::new(SERVICE, &work.join("x"))
            .openmetadata(&om.host_port())
            .yaml(),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .env("OM_JWT_TOKEN", wrong)
        .secret(wrong)
        .run();
    out.assert_code(2);
    let error = out.single_error();
    assert!(
        error.contains("refused the token") && error.contains("401"),
        "{error}"
    );
    assert!(
        om.requests()
            .iter()
            .all(|r| r.path == "/api/v1/system/version"),
        "nothing else was sent"
    );
}

#[test]
fn a_wrong_or_absent_server_stops_the_run() {
    let db = PgServer::from_env().create_database("om_server", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    om.set_version("1.9.3");
    let out = ingest(
        &work,
        &db,
        &om,
        "old",
        PgConfig::new(SERVICE, &work.join("x")),
    );
    out.assert_code(2);
    assert!(
        out.single_error().contains("OpenMetadata 1.9.3")
            && out.single_error().contains("not supported")
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = work.write(
        "absent.yaml",
        PgConfig::new(SERVICE, &work.join("x"))
            .openmetadata(&format!("http://{closed}/api"))
            .retry(2, 0.01)
            .yaml(),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .env("OM_JWT_TOKEN", TOKEN)
        .run();
    out.assert_code(2);
    assert!(
        out.single_error().contains("cannot reach OpenMetadata"),
        "{}",
        out.describe()
    );
}

/// 1,000 tables through a server that takes 5 ms per call: all arrive schema-valid, and the re-run
/// writes nothing. Prints the number of calls and the wall time (figures, not assertions).
#[test]
fn one_thousand_tables_into_openmetadata() {
    let db = PgServer::from_env().create_database("om_scale", fixture::THOUSAND_TABLES);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    om.set_latency(Duration::from_millis(5));
    let cfg = || PgConfig::new(SERVICE, &work.join("x")).orchestrator("local", 8);

    let started = Instant::now();
    let out = ingest(&work, &db, &om, "scale", cfg());
    let elapsed = started.elapsed();
    out.assert_success();
    let tables = om.entities(Collection::Tables);
    assert_eq!(tables.iter().filter(|t| !t.deleted).count(), 1000);
    assert!(om.unexpected_requests().is_empty());
    eprintln!(
        "1,000 tables into the stand-in (5 ms per call), local 8: {} HTTP calls, {:.2} s wall",
        om.requests().len(),
        elapsed.as_secs_f64()
    );

    let writes = om.writes().total();
    ingest(&work, &db, &om, "scale-again", cfg()).assert_success();
    assert_eq!(om.writes().total(), writes, "the re-run wrote something");
}
