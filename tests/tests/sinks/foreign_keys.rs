//! Foreign keys against a destination that refuses a key to a table it does not hold (the
//! OpenMetadata stand-in enforces the server's rule per bulk row, against the state before the
//! request): every key of a catalog with a self-reference, a cycle, a chain, composite and
//! cross-schema keys is stored after one run into an empty server, in every orchestrator, with
//! OpenMetadata's `relationshipType`; a re-run writes nothing; a key whose table never arrives is
//! skipped and reported; a file gets the same sequence.

use std::collections::BTreeMap;

use omrun_tests::openmetadata::{Collection, Fault, StandIn};
use omrun_tests::{
    Filter, Omrun, PgConfig, PgServer, RunOutput, TestDb, Workdir, Workflow, plugin,
};
use serde_json::Value;

const TOKEN: &str = "om-test-jwt-fk-51a0";
const SERVICE: &str = "fk";

/// Keys of every shape. Table names sort so that a referring table usually comes before the table
/// it names, in every batch order.
const CATALOG: &str = r#"
DROP SCHEMA public CASCADE;
CREATE SCHEMA app;
CREATE SCHEMA geo;
CREATE SCHEMA hidden;

-- A self-reference, and a one-to-one key (a unique column naming a primary key).
CREATE TABLE app.a_employees (
    id          integer PRIMARY KEY,
    manager_id  integer REFERENCES app.a_employees (id),
    email       text UNIQUE
);
CREATE TABLE app.b_badges (
    employee_id integer UNIQUE REFERENCES app.a_employees (id),
    code        text
);
-- A cycle of two tables.
CREATE TABLE app.c_teams (id integer PRIMARY KEY, lead_id integer);
CREATE TABLE app.d_members (id integer PRIMARY KEY, team_id integer REFERENCES app.c_teams (id));
ALTER TABLE app.c_teams ADD FOREIGN KEY (lead_id) REFERENCES app.d_members (id);
-- A chain whose links come in reverse order.
CREATE TABLE app.e_chain1 (id integer PRIMARY KEY, next_id integer);
CREATE TABLE app.f_chain2 (id integer PRIMARY KEY, next_id integer);
CREATE TABLE app.g_chain3 (id integer PRIMARY KEY);
ALTER TABLE app.e_chain1 ADD FOREIGN KEY (next_id) REFERENCES app.f_chain2 (id);
ALTER TABLE app.f_chain2 ADD FOREIGN KEY (next_id) REFERENCES app.g_chain3 (id);
-- A composite key into another schema.
CREATE TABLE geo.regions (country text, code text, name text, PRIMARY KEY (country, code));
CREATE TABLE app.h_offices (
    id       integer PRIMARY KEY,
    country  text,
    region   text,
    FOREIGN KEY (country, region) REFERENCES geo.regions (country, code)
);
-- A key into a schema the filters may leave out.
CREATE TABLE hidden.secrets (id integer PRIMARY KEY);
CREATE TABLE app.i_vault (id integer PRIMARY KEY, secret_id integer REFERENCES hidden.secrets (id));
"#;

/// A foreign key of the catalog, and its `relationshipType` as OpenMetadata computes it.
struct Key {
    table: &'static str,
    columns: &'static [&'static str],
    to: &'static str,
    referred: &'static [&'static str],
    relationship: &'static str,
}

const fn key(
    table: &'static str,
    columns: &'static [&'static str],
    to: &'static str,
    referred: &'static [&'static str],
    relationship: &'static str,
) -> Key {
    Key {
        table,
        columns,
        to,
        referred,
        relationship,
    }
}

/// Every foreign key of the catalog.
const KEYS: &[Key] = &[
    key(
        "app.a_employees",
        &["manager_id"],
        "app.a_employees",
        &["id"],
        "MANY_TO_ONE",
    ),
    key(
        "app.b_badges",
        &["employee_id"],
        "app.a_employees",
        &["id"],
        "ONE_TO_ONE",
    ),
    key(
        "app.c_teams",
        &["lead_id"],
        "app.d_members",
        &["id"],
        "MANY_TO_ONE",
    ),
    key(
        "app.d_members",
        &["team_id"],
        "app.c_teams",
        &["id"],
        "MANY_TO_ONE",
    ),
    key(
        "app.e_chain1",
        &["next_id"],
        "app.f_chain2",
        &["id"],
        "MANY_TO_ONE",
    ),
    key(
        "app.f_chain2",
        &["next_id"],
        "app.g_chain3",
        &["id"],
        "MANY_TO_ONE",
    ),
    // Composite: neither first column carries a column-level key.
    key(
        "app.h_offices",
        &["country", "region"],
        "geo.regions",
        &["country", "code"],
        "MANY_TO_MANY",
    ),
    key(
        "app.i_vault",
        &["secret_id"],
        "hidden.secrets",
        &["id"],
        "MANY_TO_ONE",
    ),
];

fn table_fqn(db: &TestDb, schema_table: &str) -> String {
    format!("{SERVICE}.{}.{schema_table}", db.name)
}

/// A table's foreign keys as (columns, referred columns, relationshipType), sorted.
fn foreign_keys(table: &Value) -> Vec<(Vec<String>, Vec<String>, String)> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|s| s.as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let mut keys: Vec<_> = table["tableConstraints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["constraintType"] == "FOREIGN_KEY")
        .map(|c| {
            (
                strings(&c["columns"]),
                strings(&c["referredColumns"]),
                c["relationshipType"]
                    .as_str()
                    .unwrap_or("(none)")
                    .to_owned(),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// The keys `KEYS` says `table` has, as `foreign_keys` returns them; `without` leaves some out.
fn expected_keys(
    db: &TestDb,
    table: &str,
    without: &[&str],
) -> Vec<(Vec<String>, Vec<String>, String)> {
    let mut keys: Vec<_> = KEYS
        .iter()
        .filter(|k| k.table == table && !without.contains(&k.to))
        .map(|k| {
            (
                k.columns.iter().map(|c| c.to_string()).collect(),
                k.referred
                    .iter()
                    .map(|c| format!("{}.{c}", table_fqn(db, k.to)))
                    .collect(),
                k.relationship.to_string(),
            )
        })
        .collect();
    keys.sort();
    keys
}

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

fn stored_tables(om: &StandIn) -> BTreeMap<String, Value> {
    om.entities(Collection::Tables)
        .into_iter()
        .map(|e| (e.fqn, e.body))
        .collect()
}

/// The report's skipped parts as (table FQN, what).
fn skipped(out: &RunOutput) -> Vec<(String, String)> {
    out.report()["skipped"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["fqn"].as_str().unwrap_or_default().to_owned(),
                s["what"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// One run into an empty stand-in stores every table and every key; a second run writes nothing.
fn every_key_in_one_run(orchestrator: &str, parallelism: u32, batch_size: u32) {
    let db = PgServer::from_env().create_database("fk_keys", CATALOG);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    let cfg = || {
        PgConfig::new(SERVICE, &work.join("unused"))
            .orchestrator(orchestrator, parallelism)
            .batch_size(batch_size)
    };

    let first = ingest(&work, &db, &om, "first", cfg());
    first.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let tables = stored_tables(&om);
    for Key { table, .. } in KEYS {
        let stored = tables
            .get(&table_fqn(&db, table))
            .unwrap_or_else(|| panic!("{table} is not stored: {:?}", tables.keys()));
        assert_eq!(
            foreign_keys(stored),
            expected_keys(&db, table, &[]),
            "{table} after one {orchestrator} run"
        );
    }
    assert!(skipped(&first).is_empty(), "{:?}", skipped(&first));
    assert_eq!(first.report()["processed"], 11, "{}", first.report());

    // Only the tables of the self-reference and the cycle go twice (first without the keys
    // among them); every other table goes once, complete.
    let mut sent: BTreeMap<String, usize> = BTreeMap::new();
    for request in om.create_requests(Collection::Tables) {
        *sent
            .entry(request["name"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let twice: Vec<&String> = sent
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(t, _)| t)
        .collect();
    assert_eq!(twice, ["a_employees", "c_teams", "d_members"], "{sent:?}");

    // The second run sends every table complete at once: OpenMetadata finds each unchanged. It
    // asks the server only about the tables that wait for each other (all in `app`), once.
    let before = (om.writes(), om.requests().len());
    let second = ingest(&work, &db, &om, "second", cfg());
    second.assert_success();
    assert_eq!(om.writes(), before.0, "a second run changed something");
    let listings: Vec<_> = om.requests()[before.1..]
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/api/v1/tables")
        .filter_map(|r| r.query.clone())
        .collect();
    assert_eq!(listings.len(), 1, "{listings:?}");
    assert!(
        listings[0].contains(&format!("databaseSchema={SERVICE}.{}.app&", db.name)),
        "{listings:?}"
    );
}

#[test]
fn every_key_is_stored_after_one_sequential_run() {
    every_key_in_one_run("sequential", 1, 100);
}

#[test]
fn every_key_is_stored_after_one_local_run() {
    // One table per batch on four workers: referring and referred tables race.
    every_key_in_one_run("local", 4, 1);
}

#[test]
fn a_key_to_a_table_that_never_arrives_is_skipped_and_reported() {
    let db = PgServer::from_env().create_database("fk_skip", CATALOG);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    let cfg =
        PgConfig::new(SERVICE, &work.join("unused")).schema_filter(Filter::exclude(&["hidden"]));

    let out = ingest(&work, &db, &om, "filtered", cfg.clone());
    out.assert_success();
    let vault = &stored_tables(&om)[&table_fqn(&db, "app.i_vault")];
    assert_eq!(
        foreign_keys(vault),
        expected_keys(&db, "app.i_vault", &["hidden.secrets"])
    );
    let skips = skipped(&out);
    assert_eq!(skips.len(), 1, "{skips:?}");
    assert_eq!(skips[0].0, table_fqn(&db, "app.i_vault"));
    assert!(
        skips[0].1.contains(&table_fqn(&db, "hidden.secrets"))
            && skips[0].1.contains("not in OpenMetadata"),
        "{skips:?}"
    );
    out.assert_stderr_line("without its foreign key (secret_id)");

    // Once the server holds the table (ingested unfiltered), a filtered run keeps the key.
    ingest(
        &work,
        &db,
        &om,
        "everything",
        PgConfig::new(SERVICE, &work.join("u")),
    )
    .assert_success();
    let again = ingest(&work, &db, &om, "filtered-again", cfg.clone());
    again.assert_success();
    assert!(skipped(&again).is_empty(), "{:?}", skipped(&again));
    let vault = &stored_tables(&om)[&table_fqn(&db, "app.i_vault")];
    assert_eq!(foreign_keys(vault), expected_keys(&db, "app.i_vault", &[]));

    // When the server cannot say whether it holds the key's table, the table is not written
    // (it would lose the key the server holds): it fails, named, and the key stays stored.
    om.fail_next("GET", "/api/v1/tables?", 100, Fault::ServerError);
    let unlisted = ingest(&work, &db, &om, "unlisted", cfg.retry(2, 0.01));
    unlisted.assert_code(1);
    let report = unlisted.report();
    assert_eq!(report["failed"], 1, "{report}");
    let failed = report["failures"].as_array().expect("failures");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["fqn"], table_fqn(&db, "app.i_vault"));
    let why = failed[0]["error"].as_str().unwrap();
    assert!(
        why.contains(&table_fqn(&db, "hidden.secrets")) && why.contains("could not be learned"),
        "{why}"
    );
    let vault = &stored_tables(&om)[&table_fqn(&db, "app.i_vault")];
    assert_eq!(foreign_keys(vault), expected_keys(&db, "app.i_vault", &[]));
}

#[test]
fn a_file_gets_the_sequence_openmetadata_accepts() {
    let db = PgServer::from_env().create_database("fk_file", CATALOG);
    let work = Workdir::new();
    let file = work.join("out.jsonl");
    let config = work.write(
        "file.yaml",
        PgConfig::new(SERVICE, &file)
            .orchestrator("local", 4)
            .batch_size(1)
            .yaml(),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .output(&file)
        .report_json(&work.join("file.report.json"))
        .run();
    out.assert_success();
    // Records::read checks that every key names a table of an earlier line, and that a table
    // written twice comes back only with more keys; the records are the final requests.
    let records = out.records();
    for Key { table, .. } in KEYS {
        assert_eq!(
            foreign_keys(records.get(&table_fqn(&db, table))),
            expected_keys(&db, table, &[]),
            "{table} in the file"
        );
    }
    assert_eq!(out.report()["processed"], 11, "{}", out.report());
}
