//! `markDeletedStoredProcedures` (default true), `markDeletedSchemas` and `markDeletedDatabases`
//! (default false), as OpenMetadata 2.0.7's ingestion honours them: after a run, what the server
//! holds in a scope the run wrote and the source no longer lists (or the filters leave out) is
//! marked deleted through `DELETE /v1/<collection>/deleteStale`.

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{
    Filter, Omrun, PgConfig, PgServer, RunOutput, TestDb, Workdir, Workflow, plugin,
};
use serde_json::{Value, json};

const TOKEN: &str = "om-test-jwt-stale-0d17";
const SERVICE: &str = "stale";

const CATALOG: &str = r#"
DROP SCHEMA public CASCADE;
CREATE SCHEMA app;
CREATE SCHEMA old;
CREATE TABLE app.t (id integer);
CREATE TABLE old.t (id integer);
CREATE FUNCTION app.kept() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION app.dropped() RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$;
"#;

fn ingest(work: &Workdir, db: &TestDb, om: &StandIn, name: &str, cfg: PgConfig) -> RunOutput {
    let config = work.write(
        &format!("{name}.yaml"),
        cfg.source_setting("includeStoredProcedures", "true")
            .openmetadata(&om.host_port())
            .yaml(),
    );
    Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(db)
        .env("OM_JWT_TOKEN", TOKEN)
        .secret(TOKEN)
        .report_json(&work.join(&format!("{name}.report.json")))
        .run()
}

/// `PUT /v1/<collection>/bulk` straight to the stand-in, as another ingestion would.
fn put_bulk(om: &StandIn, collection: &str, items: Value) -> Value {
    reqwest::blocking::Client::new()
        .put(format!(
            "{}/v1/{collection}/bulk?async=false",
            om.host_port()
        ))
        .bearer_auth(TOKEN)
        .json(&items)
        .send()
        .and_then(|r| r.json())
        .expect("a bulk call to the stand-in")
}

fn deleted(om: &StandIn, c: Collection, fqn: &str) -> bool {
    om.entity(c, fqn)
        .unwrap_or_else(|| panic!("{fqn} is not stored: {:?}", om.entities(c)))
        .deleted
}

fn config(work: &Workdir) -> PgConfig {
    PgConfig::new(SERVICE, &work.join("unused"))
}

#[test]
fn a_stored_procedure_dropped_at_the_source_is_marked_deleted() {
    let db = PgServer::from_env().create_database("stale_proc", CATALOG);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    ingest(&work, &db, &om, "first", config(&work)).assert_success();
    let proc = |name: &str| format!("{SERVICE}.{}.app.{name}", db.name);
    assert!(!deleted(
        &om,
        Collection::StoredProcedures,
        &proc("dropped")
    ));

    db.execute("DROP FUNCTION app.dropped()");
    ingest(&work, &db, &om, "second", config(&work)).assert_success();
    assert!(deleted(&om, Collection::StoredProcedures, &proc("dropped")));
    assert!(!deleted(&om, Collection::StoredProcedures, &proc("kept")));

    // Off, as OpenMetadata's option says: nothing is asked of the server.
    db.execute("DROP FUNCTION app.kept()");
    let calls = om.requests().len();
    ingest(
        &work,
        &db,
        &om,
        "off",
        config(&work).source_setting("markDeletedStoredProcedures", "false"),
    )
    .assert_success();
    assert!(!deleted(&om, Collection::StoredProcedures, &proc("kept")));
    assert!(
        !om.requests()[calls..]
            .iter()
            .any(|r| r.path == "/api/v1/storedProcedures/deleteStale"),
        "no deleteStale for stored procedures when markDeletedStoredProcedures is false"
    );
}

#[test]
fn schemas_dropped_or_filtered_out_are_marked_deleted_only_when_asked() {
    let db = PgServer::from_env().create_database("stale_schema", CATALOG);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    let schema = |name: &str| format!("{SERVICE}.{}.{name}", db.name);
    ingest(&work, &db, &om, "first", config(&work)).assert_success();

    // The default leaves schemas alone, even filtered out.
    let filtered = || config(&work).schema_filter(Filter::exclude(&["old"]));
    ingest(&work, &db, &om, "default", filtered()).assert_success();
    assert!(!deleted(&om, Collection::DatabaseSchemas, &schema("old")));

    // Asked for: a schema the filters leave out counts as not seen, as in OpenMetadata, and its
    // tables go with it (recursive).
    let out = ingest(
        &work,
        &db,
        &om,
        "asked",
        filtered().source_setting("markDeletedSchemas", "true"),
    );
    out.assert_success();
    assert!(deleted(&om, Collection::DatabaseSchemas, &schema("old")));
    assert!(!deleted(&om, Collection::DatabaseSchemas, &schema("app")));
    let body: Value = om
        .requests()
        .iter()
        .rev()
        .find(|r| r.path == "/api/v1/databaseSchemas/deleteStale")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .expect("a deleteStale call for schemas");
    assert_eq!(body["scopeEntityType"], "database");
    assert_eq!(body["scopeFqn"], format!("{SERVICE}.{}", db.name));
    assert_eq!(body["seenFqns"], json!([schema("app")]));
}

#[test]
fn a_database_the_source_no_longer_has_is_marked_deleted_only_when_asked() {
    let db = PgServer::from_env().create_database("stale_db", CATALOG);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    ingest(&work, &db, &om, "first", config(&work)).assert_success();
    // A database an earlier ingestion of this service wrote, which the source no longer has.
    let gone = put_bulk(
        &om,
        "databases",
        json!([{"name": "gone", "service": SERVICE}]),
    );
    assert_eq!(gone["numberOfRowsPassed"], 1, "{gone}");
    let gone = format!("{SERVICE}.gone");

    ingest(&work, &db, &om, "default", config(&work)).assert_success();
    assert!(!deleted(&om, Collection::Databases, &gone));

    ingest(
        &work,
        &db,
        &om,
        "asked",
        config(&work).source_setting("markDeletedDatabases", "true"),
    )
    .assert_success();
    assert!(deleted(&om, Collection::Databases, &gone));
    assert!(!deleted(
        &om,
        Collection::Databases,
        &format!("{SERVICE}.{}", db.name)
    ));
}

/// Filters that exclude everything (a typo does it) find nothing: the run marks nothing deleted,
/// says why, and exits 1, unless told the source is empty on purpose (`--allow-empty`).
#[test]
fn a_run_that_finds_nothing_marks_nothing_deleted_unless_told() {
    let db = PgServer::from_env().create_database("stale_nothing", CATALOG);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    ingest(&work, &db, &om, "first", config(&work)).assert_success();

    let typo = config(&work)
        .schema_filter(Filter::include(&["^aap$"]))
        .source_setting("markDeletedSchemas", "true")
        .source_setting("includeStoredProcedures", "true")
        .openmetadata(&om.host_port())
        .yaml();
    let typo = work.write("typo.yaml", typo);
    let run = |extra: &[&str]| {
        Omrun::ingest(work.path(), &typo)
            .plugin(plugin("postgres"))
            .db(&db)
            .args(extra.iter().copied())
            .env("OM_JWT_TOKEN", TOKEN)
            .secret(TOKEN)
            .run()
    };
    let calls = om.requests().len();
    let out = run(&[]);
    out.assert_code(1);
    assert!(
        out.single_error().contains("found nothing to ingest")
            && out.single_error().contains("--allow-empty"),
        "{}",
        out.describe()
    );
    out.assert_stderr_line("Not marking stale entities deleted: the run found nothing");
    assert!(
        !om.requests()[calls..]
            .iter()
            .any(|r| r.path.ends_with("/deleteStale")),
        "a run that found nothing asked the server to delete"
    );
    let schema = |name: &str| format!("{SERVICE}.{}.{name}", db.name);
    assert!(!deleted(&om, Collection::DatabaseSchemas, &schema("app")));

    // Told: the run succeeds and marks deleted what it no longer sees.
    run(&["--allow-empty"]).assert_success();
    assert!(
        om.requests()
            .iter()
            .any(|r| r.path == "/api/v1/databaseSchemas/deleteStale"),
        "--allow-empty marks stale entities deleted"
    );
}

/// A range type's constructor functions (`CREATE TYPE … AS RANGE` makes them, the type owns them)
/// are not stored procedures anyone wrote: not ingested, and so not marked deleted either.
#[test]
fn a_range_types_constructors_are_not_stored_procedures() {
    let db = PgServer::from_env().create_database(
        "range_ctor",
        &format!("{CATALOG}\nCREATE TYPE app.span AS RANGE (subtype = float8);"),
    );
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    ingest(&work, &db, &om, "first", config(&work)).assert_success();
    let mut procedures: Vec<String> = om
        .entities(Collection::StoredProcedures)
        .into_iter()
        .map(|e| e.fqn)
        .collect();
    procedures.sort();
    let proc = |name: &str| format!("{SERVICE}.{}.app.{name}", db.name);
    assert_eq!(procedures, [proc("dropped"), proc("kept")]);
}
