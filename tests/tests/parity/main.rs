//! Parity with OpenMetadata's own ingestion (issue 14): `metadata ingest` (openmetadata-ingestion
//! 2.0.7.0, the oracle) and omrun each ingest the same catalog — the PostgreSQL fixture and the
//! MariaDB fixture, each with a few additions of this test's own — into fresh OpenMetadata
//! stand-ins, which hold them under the server's rules. What they write must be equal:
//!
//! - the Create requests of each tool's first run into an empty server, field by field, and their
//!   `sourceHash`es wherever the requests are equal. Foreign keys are left out of this comparison:
//!   which ones a first run can send depends on which referred tables the server already holds
//!   (OpenMetadata's client sends almost none at creation and adds them by JSON Patch at the end);
//! - what each server holds once its tool's own next run changes nothing (the steady state), every
//!   field but the server's bookkeeping: foreign keys, their `relationshipType` and the
//!   `sourceHash`es included;
//! - on either steady state, a run of the other tool changes nothing, and leaves the server
//!   holding what that tool's own runs leave.
//!
//! Each comparison may differ only where `known.rs` documents that omrun keeps the catalog's value
//! against OpenMetadata's (also in docs/connectors.md); an undocumented difference fails the test
//! with a readable list, and so does a documented one that no longer occurs.

mod catalogs;
mod diff;
mod known;
mod om_ingest;
mod runs;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use catalogs::{MYSQL_EXTRA, MYSQL_KNOWN, MYSQL_SERVICE, PG_EXTRA, PG_KNOWN, PG_SERVICE};
use known::{Found, Known};
use omrun_tests::om_ingest::{OmWorkflow, metadata_ingest};
use omrun_tests::openmetadata::{Collection, Entity, StandIn};
use omrun_tests::scenario::once_per_file;
use omrun_tests::{
    Filter, MariaSchemas, MariaServer, MysqlConfig, Omrun, PgConfig, PgServer, TestDb, Workdir,
    Workflow, fixture, fqn, plugin,
};
use runs::{Key, RunResult, Side, TOKEN, Tool};
use serde_json::Value;

/// Both tools' histories on one catalog.
struct Parity {
    /// `metadata ingest` twice, then omrun.
    openmetadata: Side,
    /// omrun twice, then `metadata ingest`.
    omrun: Side,
    /// The FQN of an entity named without service and database (`sales.orders`; `""` for the
    /// database).
    fqn: Box<dyn Fn(&str) -> String + Send + Sync>,
    known: &'static [Known],
    /// Kept for as long as the tests read the runs.
    _hold: (Box<dyn Send + Sync>, Workdir, Workdir),
}

/// A `metadata ingest` of `wf` as a [`Tool`] run.
fn openmetadata_run(wf: &OmWorkflow, om: &StandIn, work: &Workdir, label: &str) -> RunResult {
    RunResult {
        label: format!("metadata ingest ({label} run)"),
        ..openmetadata_run_yaml(&wf.yaml(om), &wf.env(), work)
    }
}

/// A `metadata ingest` of the workflow `yaml`: it succeeded when it exited 0 with no error in its
/// summaries.
fn openmetadata_run_yaml(yaml: &str, env: &[(String, String)], work: &Workdir) -> RunResult {
    let out = metadata_ingest(work, yaml, env);
    // One summary per step (source and sink), each with its error count.
    let errors = out.summary_values("Errors:");
    RunResult {
        label: "metadata ingest".into(),
        ok: out.code == Some(0) && errors.len() >= 2 && errors.iter().all(|e| e == "0"),
        log: format!("{}\nexit {:?}\n{}", out.command, out.code, out.log),
    }
}

/// An omrun run of `cfg` (pointed at `om`) as a [`Tool`] run.
fn omrun_run<W: Workflow>(
    cfg: W,
    yaml: impl Fn(&W) -> String,
    command: impl Fn(Omrun) -> Omrun,
    om: &StandIn,
    work: &Workdir,
    label: &str,
) -> RunResult {
    let cfg = cfg.openmetadata(&om.host_port());
    let config = work.write(&format!("omrun-{label}.yaml"), yaml(&cfg));
    let out = command(Omrun::ingest(work.path(), &config))
        .env("OM_JWT_TOKEN", TOKEN)
        .secret(TOKEN)
        .run();
    RunResult {
        label: format!("omrun ({label} run)"),
        ok: out.code == Some(0),
        log: out.describe(),
    }
}

/// Both histories: `openmetadata` then `omrun` on one server, the other way round on another.
fn histories(openmetadata: Tool, omrun: Tool) -> (Side, Side, Workdir, Workdir) {
    let (a, b) = (Workdir::new(), Workdir::new());
    let om_first = Side::run(openmetadata, omrun, &a);
    let omrun_first = Side::run(omrun, openmetadata, &b);
    (om_first, omrun_first, a, b)
}

fn postgres() -> &'static Parity {
    static P: OnceLock<Result<Parity, String>> = OnceLock::new();
    once_per_file(&P, || {
        let db: TestDb = PgServer::from_env()
            .create_database("parity", &format!("{}\n{PG_EXTRA}", fixture::SQL));
        let wf = OmWorkflow::postgres(PG_SERVICE, &db);
        let cfg = PgConfig::new(PG_SERVICE, std::path::Path::new("unused"))
            .schema_filter(Filter::exclude(&["^information_schema$"]));
        let openmetadata =
            |om: &StandIn, work: &Workdir, label: &str| openmetadata_run(&wf, om, work, label);
        let omrun = |om: &StandIn, work: &Workdir, label: &str| {
            omrun_run(
                cfg.clone(),
                PgConfig::yaml,
                |c| c.plugin(plugin("postgres")).db(&db),
                om,
                work,
                label,
            )
        };
        let (om_first, omrun_first, a, b) = histories(&openmetadata, &omrun);
        let database = db.name.clone();
        Parity {
            openmetadata: om_first,
            omrun: omrun_first,
            fqn: Box::new(move |rel| relative_fqn(PG_SERVICE, &database, rel, &|s| s.into())),
            known: PG_KNOWN,
            _hold: (Box::new(db), a, b),
        }
    })
}

fn mariadb() -> &'static Parity {
    static P: OnceLock<Result<Parity, String>> = OnceLock::new();
    once_per_file(&P, || {
        let server = MariaServer::from_env();
        let fixture = include_str!("../../fixtures/mysql_catalog.sql");
        let schemas: MariaSchemas =
            server.create_schemas("parity", &format!("{fixture}\n{MYSQL_EXTRA}"));
        let wf = OmWorkflow::mysql(MYSQL_SERVICE, &schemas);
        let cfg = MysqlConfig::new(MYSQL_SERVICE, std::path::Path::new("unused"))
            .schema_filter(Filter::include(&[&schemas.schema_pattern()]));
        let openmetadata =
            |om: &StandIn, work: &Workdir, label: &str| openmetadata_run(&wf, om, work, label);
        let omrun = |om: &StandIn, work: &Workdir, label: &str| {
            omrun_run(
                cfg.clone(),
                MysqlConfig::yaml,
                |c| c.plugin(plugin("mysql")).mysql_env(&server),
                om,
                work,
                label,
            )
        };
        let (om_first, omrun_first, a, b) = histories(&openmetadata, &omrun);
        let prefix = schemas.prefix.clone();
        Parity {
            openmetadata: om_first,
            omrun: omrun_first,
            fqn: Box::new(move |rel| {
                relative_fqn(MYSQL_SERVICE, "default", rel, &|s| format!("{prefix}{s}"))
            }),
            known: MYSQL_KNOWN,
            _hold: (Box::new(schemas), a, b),
        }
    })
}

/// The FQN of `rel` (`""`, `schema` or `schema.name`, the name possibly dotted) in `database`
/// of `service`; `schema` maps a schema's name as written to its name on the server.
fn relative_fqn(
    service: &str,
    database: &str,
    rel: &str,
    schema: &dyn Fn(&str) -> String,
) -> String {
    match rel.split_once('.') {
        _ if rel.is_empty() => fqn(&[service, database]),
        None => fqn(&[service, database, &schema(rel)]),
        Some((s, name)) => fqn(&[service, database, &schema(s), name]),
    }
}

/// Every field difference between two sets of entities, both sides' entities included.
fn differences(openmetadata: &BTreeMap<Key, Value>, omrun: &BTreeMap<Key, Value>) -> Vec<Found> {
    let keys: BTreeSet<&Key> = openmetadata.keys().chain(omrun.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        match (openmetadata.get(key), omrun.get(key)) {
            (Some(a), Some(b)) => {
                out.extend(diff::diff(a, b).into_iter().map(|d| (key.clone(), d)));
            }
            (a, b) => out.push((
                key.clone(),
                diff::FieldDiff {
                    path: "(entity)".into(),
                    openmetadata: a.map(|_| "written".into()),
                    omrun: b.map(|_| "written".into()),
                },
            )),
        }
    }
    out
}

/// A request without what the requests comparison leaves to other checks: its foreign keys
/// (stored state) and its `sourceHash` (compared where the requests are otherwise equal).
fn without_foreign_keys(request: &Value) -> Value {
    let mut r = request.clone();
    if let Some(m) = r.as_object_mut() {
        m.remove("sourceHash");
        if let Some(Value::Array(cs)) = m.get_mut("tableConstraints") {
            cs.retain(|c| c["constraintType"] != "FOREIGN_KEY");
        }
    }
    r
}

/// Live entities as comparable JSON: every field but the server's bookkeeping.
fn comparable(stored: &BTreeMap<Key, Entity>) -> BTreeMap<Key, Value> {
    stored
        .iter()
        .filter(|(_, e)| !e.deleted)
        .map(|(k, e)| (k.clone(), diff::without_bookkeeping(&e.body)))
        .collect()
}

/// Panics with every run's log unless every run of both histories succeeded.
fn assert_runs_succeeded(p: &Parity) {
    let failed: Vec<String> = [&p.openmetadata, &p.omrun]
        .iter()
        .flat_map(|s| s.runs.iter())
        .filter(|r| !r.ok)
        .map(|r| format!("=== {} failed:\n{}", r.label, r.log))
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

fn assert_known(p: &Parity, found: &[Found], requests: bool, what: &str) {
    if let Err(report) = known::check(found, p.known, requests, &*p.fqn) {
        panic!("{what}:\n{report}");
    }
}

/// Requests by entity: OpenMetadata's, then omrun's.
type Requests<'a> = (&'a BTreeMap<Key, Value>, &'a BTreeMap<Key, Value>);

fn requests_equal((openmetadata, omrun): Requests, known: &[Known], fqn: &dyn Fn(&str) -> String) {
    let strip = |m: &BTreeMap<Key, Value>| -> BTreeMap<Key, Value> {
        m.iter()
            .map(|(k, v)| (k.clone(), without_foreign_keys(v)))
            .collect()
    };
    let found = differences(&strip(openmetadata), &strip(omrun));
    if let Err(report) = known::check(&found, known, true, fqn) {
        panic!("the first runs' Create requests differ:\n{report}");
    }
}

fn first_requests(p: &Parity) -> Requests<'_> {
    (&p.openmetadata.first_requests, &p.omrun.first_requests)
}

/// The `sourceHash` of every entity whose requests are otherwise equal (foreign keys included);
/// returns how many were compared.
fn source_hashes_equal((a, b): Requests) -> usize {
    let mut compared = 0;
    let mut wrong = Vec::new();
    for (key, om) in a {
        let Some(ours) = b.get(key) else { continue };
        let without_hash = |v: &Value| {
            let mut v = v.clone();
            v.as_object_mut().map(|m| m.remove("sourceHash"));
            v
        };
        if without_hash(om) != without_hash(ours) {
            continue;
        }
        compared += 1;
        if om["sourceHash"] != ours["sourceHash"] {
            wrong.push(format!(
                "  {} {}: OpenMetadata {} | omrun {}",
                key.0.entity_type(),
                key.1,
                om["sourceHash"],
                ours["sourceHash"]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "equal requests with different sourceHashes:\n{}",
        wrong.join("\n")
    );
    compared
}

fn stored_states_equal(p: &Parity) {
    let found = differences(
        &comparable(&p.openmetadata.steady),
        &comparable(&p.omrun.steady),
    );
    assert_known(p, &found, false, "the servers' steady states differ");
}

/// On `first`'s steady state a run of the `other` tool changed exactly the entities where the
/// two differ by design (and those the other tool rewrites on every run of its own), and left
/// what the other tool's own runs leave.
fn the_other_tool_changes_only_the_known_differences(
    p: &Parity,
    first: &Side,
    other: &Side,
    what: &str,
) {
    let changed = runs::changed(&first.steady, &first.after_other);
    let expected: BTreeSet<Key> = p
        .known
        .iter()
        .map(|k| (k.collection, (p.fqn)(k.entity)))
        .chain(other.sent_twice.iter().cloned())
        .collect();
    let list = |s: &BTreeSet<Key>| -> String {
        s.iter()
            .map(|(c, f)| format!("  {} {f}", c.entity_type()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        changed == expected,
        "{what} changed:\n{}\nwhere the documented differences (and what the other tool rewrites on every run) are in:\n{}\n(the first tool's own \
         second run had changed:\n{})",
        list(&changed),
        list(&expected),
        list(&first.changed_by_second_run)
    );
    let left = differences(&comparable(&first.after_other), &comparable(&other.steady));
    assert!(
        left.is_empty(),
        "{what} left the server unlike its own runs:\n{}",
        left.iter()
            .map(|(k, d)| format!("  {} {}\n      {d}", k.0.entity_type(), k.1))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn no_unexpected_calls(p: &Parity) {
    for side in [&p.openmetadata, &p.omrun] {
        assert!(
            side.unexpected.is_empty(),
            "calls the stand-in does not implement: {:?}",
            side.unexpected
        );
    }
}

#[test]
fn postgres_both_tools_complete_every_run() {
    assert_runs_succeeded(postgres());
    no_unexpected_calls(postgres());
}

#[test]
fn postgres_create_requests_equal_openmetadata_field_by_field() {
    let p = postgres();
    requests_equal(first_requests(p), p.known, &*p.fqn);
}

#[test]
fn postgres_source_hashes_equal_openmetadata() {
    let compared = source_hashes_equal(first_requests(postgres()));
    // The four schemas, the two procedures and the eight tables without a foreign key or a
    // documented difference, at least: not a vacuous check.
    assert!(
        compared >= 14,
        "only {compared} requests were equal enough to compare"
    );
}

#[test]
fn postgres_steady_states_equal() {
    stored_states_equal(postgres());
}

#[test]
fn postgres_omrun_after_openmetadata_changes_only_the_known_differences() {
    let p = postgres();
    the_other_tool_changes_only_the_known_differences(
        p,
        &p.openmetadata,
        &p.omrun,
        "omrun, after metadata ingest,",
    );
}

#[test]
fn postgres_openmetadata_after_omrun_changes_only_the_known_differences() {
    let p = postgres();
    the_other_tool_changes_only_the_known_differences(
        p,
        &p.omrun,
        &p.openmetadata,
        "metadata ingest, after omrun,",
    );
}

#[test]
fn mariadb_both_tools_complete_every_run() {
    assert_runs_succeeded(mariadb());
    no_unexpected_calls(mariadb());
}

#[test]
fn mariadb_create_requests_equal_openmetadata_field_by_field() {
    let p = mariadb();
    requests_equal(first_requests(p), p.known, &*p.fqn);
}

#[test]
fn mariadb_source_hashes_equal_openmetadata() {
    let compared = source_hashes_equal(first_requests(mariadb()));
    // The database, two schemas, two procedures and six tables, at least.
    assert!(
        compared >= 11,
        "only {compared} requests were equal enough to compare"
    );
}

#[test]
fn mariadb_steady_states_equal() {
    stored_states_equal(mariadb());
}

#[test]
fn mariadb_omrun_after_openmetadata_changes_only_the_known_differences() {
    let p = mariadb();
    the_other_tool_changes_only_the_known_differences(
        p,
        &p.openmetadata,
        &p.omrun,
        "omrun, after metadata ingest,",
    );
}

#[test]
fn mariadb_openmetadata_after_omrun_changes_only_the_known_differences() {
    let p = mariadb();
    the_other_tool_changes_only_the_known_differences(
        p,
        &p.omrun,
        &p.openmetadata,
        "metadata ingest, after omrun,",
    );
}

/// OpenMetadata's MariaDB connector (service type `MariaDB`) is its MySQL connector without the
/// procedures' language: its first run's requests and omrun's for a `MariaDB` service.
#[test]
fn mariadb_service_type_requests_equal_openmetadata() {
    let server = MariaServer::from_env();
    let fixture = include_str!("../../fixtures/mysql_catalog.sql");
    let schemas = server.create_schemas("parity_mdb", &format!("{fixture}\n{MYSQL_EXTRA}"));
    let work = Workdir::new();

    let om = StandIn::start(TOKEN);
    let wf = OmWorkflow::mysql(MYSQL_SERVICE, &schemas);
    let run = openmetadata_run_yaml(&as_mariadb(&wf.yaml(&om)), &wf.env(), &work);
    assert!(run.ok, "{}", run.log);
    let openmetadata = runs::requests(&om);

    let om = StandIn::start(TOKEN);
    let cfg = MysqlConfig::new(MYSQL_SERVICE, std::path::Path::new("unused"))
        .service_type("MariaDB")
        .schema_filter(Filter::include(&[&schemas.schema_pattern()]));
    let mysql_env = |c: Omrun| c.plugin(plugin("mysql")).mysql_env(&server);
    // Its requests are compared whether or not the server took them all (foreign keys: see
    // the other tests).
    omrun_run(cfg, MysqlConfig::yaml, mysql_env, &om, &work, "mariadb");
    let omrun = runs::requests(&om);

    let procedure = &omrun[&(
        Collection::StoredProcedures,
        fqn(&[
            MYSQL_SERVICE,
            "default",
            &schemas.schema("sales"),
            "close_day",
        ]),
    )];
    assert!(
        procedure["storedProcedureCode"].get("language").is_none(),
        "{procedure}"
    );
    let prefix = schemas.prefix.clone();
    let fqn =
        move |rel: &str| relative_fqn(MYSQL_SERVICE, "default", rel, &|s| format!("{prefix}{s}"));
    requests_equal((&openmetadata, &omrun), MYSQL_KNOWN, &fqn);
    assert!(source_hashes_equal((&openmetadata, &omrun)) >= 11);
}

/// OpenMetadata's workflow for its MariaDB connector from the one `OmWorkflow::mysql` writes:
/// source type `mariadb`, service type `MariaDB`, and the password where MariaDBConnection has
/// it (no `authType`).
fn as_mariadb(mysql: &str) -> String {
    let out = mysql
        .replace("  type: mysql\n", "  type: mariadb\n")
        .replace("      type: Mysql\n", "      type: MariaDB\n")
        .replace(
            "      authType:\n        password: ${OM_SOURCE_PASSWORD}\n",
            "      password: ${OM_SOURCE_PASSWORD}\n",
        );
    assert!(
        out.contains("type: mariadb") && out.contains("type: MariaDB") && !out.contains("authType"),
        "OmWorkflow::mysql's YAML changed shape:\n{mysql}"
    );
    out
}
