//! Source faults against the real PostgreSQL and MariaDB servers: connections killed
//! (`pg_terminate_backend`) again and again and the server restarted (`pg_ctl restart`) mid-run —
//! workers reconnect and retry, every table arrives, nothing is lost; and a source behind a relay
//! that accepts and never answers, or goes silent mid-run — the run ends by itself.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use omrun_tests::relay::Relay;
use omrun_tests::{
    Filter, MariaServer, MysqlConfig, Omrun, PgConfig, PgServer, RunOutput, TestDb, Workdir,
    Workflow, fixture, fqn, plugin,
};

const TABLES: usize = 1000;
const SERVICE: &str = "omrun_faults";

/// The two tests disturb the one server every test shares: never at the same time.
static SERVER: Mutex<()> = Mutex::new(());

/// Runs the postgres plugin over `db` (1,000 tables) in small batches with patient retries, while
/// `disturb` runs beside it once omrun is connected; returns omrun's output.
fn ingest_while(
    work: &Workdir,
    db: &TestDb,
    disturb: impl FnOnce(&AtomicBool) + Send,
) -> RunOutput {
    let output = work.join("out.jsonl");
    let yaml = PgConfig::new(SERVICE, &output)
        .orchestrator("local", 2)
        .retry(6, 0.5)
        .yaml()
        + "    batchSize: 5\n";
    let config = work.write("faults.yaml", yaml);
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let run = scope.spawn(|| {
            let out = Omrun::ingest(work.path(), &config)
                .plugin(plugin("postgres"))
                .db(db)
                .output(&output)
                .report_json(&work.join("report.json"))
                .run();
            done.store(true, Ordering::SeqCst);
            out
        });
        // Disturb only once omrun holds a connection: a fault before the run starts is a
        // different story (the run cannot start, exit 2).
        let started = Instant::now();
        while backends(db) == 0 && !done.load(Ordering::SeqCst) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "omrun never connected"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        disturb(&done);
        run.join().expect("the omrun thread")
    })
}

/// omrun's connections to `db` (everything but ours).
fn backends(db: &TestDb) -> i64 {
    let mut admin = db.server.connect("postgres");
    admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&db.name],
        )
        .map(|row| row.get(0))
        .unwrap_or(0)
}

fn assert_complete(out: &RunOutput, db: &TestDb) {
    out.assert_success();
    let expected: BTreeSet<String> = (1..=TABLES)
        .map(|i| fqn(&[SERVICE, &db.name, "bulk", &format!("table_{i:04}")]))
        .collect();
    let records = out.records();
    assert_eq!(records.table_fqns(), expected, "every table, once");
    assert_eq!(records.count("CreateTableRequest"), TABLES, "no duplicate");
    out.assert_stderr_line("The source connection was lost");
    out.assert_stderr_line("Failed: 0");
}

#[test]
fn connections_killed_again_and_again_are_reopened_and_nothing_is_lost() {
    let _server = SERVER.lock().unwrap_or_else(|e| e.into_inner());
    let db = PgServer::from_env().create_database("src_kill", fixture::THOUSAND_TABLES);
    let work = Workdir::new();
    let killed = AtomicUsize::new(0);
    let out = ingest_while(&work, &db, |done| {
        let mut admin = db.server.connect("postgres");
        // Three rounds, a little apart: each kills every connection omrun has at that moment.
        for _ in 0..3 {
            if done.load(Ordering::SeqCst) {
                break;
            }
            let rows = admin
                .query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_backend_pid()",
                    &[&db.name],
                )
                .expect("terminate");
            killed.fetch_add(rows.len(), Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    assert!(
        killed.load(Ordering::SeqCst) > 0,
        "no connection was killed mid-run: {}",
        out.describe()
    );
    assert_complete(&out, &db);
}

#[test]
fn the_server_restarted_mid_run_is_survived() {
    let _server = SERVER.lock().unwrap_or_else(|e| e.into_inner());
    let restart = std::env::var("OMRUN_TEST_PG_RESTART").expect(
        "OMRUN_TEST_PG_RESTART is set by scripts/pg.sh (run the tests with scripts/test.sh)",
    );
    let db = PgServer::from_env().create_database("src_restart", fixture::THOUSAND_TABLES);
    let work = Workdir::new();
    let restarted = AtomicBool::new(false);
    let out = ingest_while(&work, &db, |done| {
        if done.load(Ordering::SeqCst) {
            return;
        }
        let status = std::process::Command::new("sh")
            .args(["-c", &restart])
            .status()
            .expect("pg_ctl restart runs");
        assert!(status.success(), "pg_ctl restart failed: {status}");
        restarted.store(true, Ordering::SeqCst);
    });
    assert!(
        restarted.load(Ordering::SeqCst),
        "the run ended before the restart: {}",
        out.describe()
    );
    assert_complete(&out, &db);
}

/// `yaml` with `connectionArguments.connect_timeout` (seconds) in its source connection.
fn with_connect_timeout(yaml: String, seconds: u32) -> String {
    let at = yaml.find("      hostPort:").expect("a hostPort line");
    let end = at + yaml[at..].find('\n').unwrap() + 1;
    format!(
        "{}      connectionArguments:\n        connect_timeout: {seconds}\n{}",
        &yaml[..end],
        &yaml[end..]
    )
}

/// A source that accepts the connection and never answers (a hung proxy or pooler) stops the
/// run before it starts, at its connect timeout, with one line: it does not hang.
fn silent_source_stops_the_run(engine: &str, out: RunOutput, started: Instant) {
    let waited = started.elapsed();
    out.assert_code(2);
    assert!(
        waited < Duration::from_secs(20),
        "{engine}: ended after {waited:?}"
    );
    let error = out.single_error();
    assert!(
        error.contains("cannot connect to the source") && error.contains("no answer within 2 s"),
        "{engine}: {error}"
    );
}

#[test]
fn a_postgres_source_that_never_answers_stops_the_run_at_its_connect_timeout() {
    let relay = Relay::silent();
    let server = PgServer::from_env();
    let work = Workdir::new();
    let yaml = PgConfig::new(SERVICE, &work.join("out.jsonl")).yaml();
    let config = work.write("silent.yaml", with_connect_timeout(yaml, 2));
    let started = Instant::now();
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .postgres_env(&server, "postgres")
        .env("POSTGRES_HOST", "127.0.0.1")
        .env("POSTGRES_PORT", relay.port.to_string())
        .run();
    silent_source_stops_the_run("PostgreSQL", out, started);
}

#[test]
fn a_mariadb_source_that_never_answers_stops_the_run_at_its_connect_timeout() {
    let relay = Relay::silent();
    let server = MariaServer::from_env();
    let work = Workdir::new();
    let yaml = MysqlConfig::new(SERVICE, &work.join("out.jsonl"))
        .service_type("MariaDB")
        .yaml();
    let config = work.write("silent.yaml", with_connect_timeout(yaml, 2));
    let started = Instant::now();
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("mysql"))
        .mysql_env(&server)
        .env("MYSQL_HOST", "127.0.0.1")
        .env("MYSQL_PORT", relay.port.to_string())
        .run();
    silent_source_stops_the_run("MariaDB", out, started);
}

/// A source that goes silent mid-run (every connection, and every new one): each call waits at
/// most the call timeout, each reconnect at most the connect timeout; the run ends by itself, and
/// every table is either written or named as failed.
#[test]
fn a_source_that_goes_silent_mid_run_ends_the_run_and_names_what_failed() {
    const TABLES: usize = 6;
    let db = PgServer::from_env().create_database(
        "src_silent",
        &(1..=TABLES)
            .map(|i| format!("CREATE TABLE t{i} (id int PRIMARY KEY, name text);"))
            .collect::<String>(),
    );
    // Each chunk relayed 30 ms late: a table takes a few round trips, so the run is still
    // processing when the relay goes silent.
    let relay = Relay::to(&db.server, Duration::from_millis(30));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let yaml = PgConfig::new(SERVICE, &output)
        .orchestrator("sequential", 1)
        .batch_size(1)
        .retry(2, 0.1)
        .yaml()
        .replace(
            "workflowConfig:\n",
            "workflowConfig:\n  pluginLimits:\n    callTimeoutSeconds: 2\n",
        );
    let config = work.write("silent.yaml", with_connect_timeout(yaml, 1));
    let report = work.join("report.json");
    let mut running = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .env("POSTGRES_HOST", "127.0.0.1")
        .env("POSTGRES_PORT", relay.port.to_string())
        .output(&output)
        .report_json(&report)
        .spawn();
    running.wait_for_stderr("Processing with", Duration::from_secs(60));
    relay.silence();
    let silenced = Instant::now();
    let out = running.wait();
    let waited = silenced.elapsed();
    assert!(
        waited < Duration::from_secs(120),
        "ended {waited:?} after the source went silent"
    );
    out.assert_code(1);
    let report = out.report();
    let failed = report["failed"].as_u64().unwrap() as usize;
    let processed = report["processed"].as_u64().unwrap() as usize;
    assert!(failed >= 1, "{report}");
    assert_eq!(
        processed + failed,
        TABLES,
        "every table written or named: {report}"
    );
    for failure in report["failures"].as_array().unwrap() {
        let error = failure["error"].as_str().unwrap();
        assert!(
            error.contains("within"),
            "a failure that is not a deadline: {error}"
        );
    }
}

/// With `ingestAllDatabases`, a database the user may not connect to is not skipped quietly: it
/// fails, named in the report with the server's reason, the run exits 1 and keeps its checkpoint;
/// the other databases are ingested.
#[test]
fn a_database_that_cannot_be_read_fails_named_and_the_others_are_ingested() {
    let server = PgServer::from_env();
    let readable = server.create_database("readable", "CREATE TABLE kept (id int PRIMARY KEY);");
    let locked = server.create_database("locked", "CREATE TABLE hidden (id int PRIMARY KEY);");
    // A role without superuser rights, which PostgreSQL's CONNECT privilege binds.
    let role = server.create_role("reader", "");
    locked.execute(&format!(
        "REVOKE CONNECT ON DATABASE {} FROM PUBLIC",
        locked.name
    ));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let yaml = PgConfig::new(SERVICE, &output)
        .yaml()
        .replace("ingestAllDatabases: false", "ingestAllDatabases: true")
        .replace(
            "      type: DatabaseMetadata\n",
            &format!(
                "      type: DatabaseMetadata\n      databaseFilterPattern:\n        includes: ['^{}$', '^{}$']\n",
                readable.name, locked.name
            ),
        );
    let config = work.write("all.yaml", yaml);
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .postgres_env(&server, &readable.name)
        .role(&role)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_code(1);
    let report = out.report();
    let failures = report["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 1, "{report}");
    assert_eq!(failures[0]["kind"], "database");
    assert_eq!(failures[0]["fqn"], fqn(&[SERVICE, &locked.name]));
    let why = failures[0]["error"].as_str().unwrap();
    assert!(
        why.contains("could not be listed") && why.contains("permission denied"),
        "{why}"
    );
    let tables = out.records().table_fqns();
    assert_eq!(
        tables,
        BTreeSet::from([fqn(&[SERVICE, &readable.name, "public", "kept"])]),
    );
    assert!(
        omrun_tests::run::default_checkpoint(work.path(), &config, SERVICE).exists(),
        "the checkpoint was removed"
    );
}

/// Two runs into one file sink at once (two configs, so two checkpoints): the second is refused
/// before it writes anything, naming the first; the first's file comes out whole.
#[test]
fn a_second_run_into_the_same_file_is_refused_naming_the_first() {
    let db = PgServer::from_env().create_database("two_runs", fixture::THOUSAND_TABLES);
    // Slowed down, so that the first run is still writing when the second starts.
    let relay = Relay::to(&db.server, Duration::from_millis(2));
    let work = Workdir::new();
    let output = work.join("shared.jsonl");
    let first_config = PgConfig::new(SERVICE, &output)
        .orchestrator("sequential", 1)
        .batch_size(5)
        .yaml();
    let first_config = work.write("first.yaml", first_config);
    let second_config = work.write("second.yaml", PgConfig::new("other", &output).yaml());
    let through_relay = |omrun: Omrun| {
        omrun
            .plugin(plugin("postgres"))
            .db(&db)
            .env("POSTGRES_HOST", "127.0.0.1")
            .env("POSTGRES_PORT", relay.port.to_string())
    };
    let mut first = through_relay(Omrun::ingest(work.path(), &first_config))
        .output(&output)
        .spawn();
    first.wait_for_stderr("Processing with", Duration::from_secs(60));
    let second = through_relay(Omrun::ingest(work.path(), &second_config)).run();
    assert!(
        first.is_running(),
        "the first run ended too soon to test anything"
    );
    second.assert_code(2);
    let error = second.single_error();
    assert!(
        error.contains(&format!(
            "the sink file {} is in use by another omrun run (pid {})",
            output.display(),
            first.pid()
        )),
        "{error}"
    );
    let out = first.wait();
    out.assert_success();
    // Records::read checks every line whole, parents first, nothing twice.
    assert_eq!(out.records().table_fqns().len(), TABLES);
}

/// A source that is gone for good (its relay closed mid-run: every connection refused) does not
/// flood the log with one error per table: after 25 failures in a row the run stops with one
/// line saying how to continue, exit 1, checkpoint kept, nothing marked deleted; once the source
/// is back, `--resume` finishes the run.
#[test]
fn a_source_gone_for_good_stops_the_run_after_a_streak_of_failures() {
    let db = PgServer::from_env().create_database("src_gone", fixture::THOUSAND_TABLES);
    let relay = Relay::to(&db.server, Duration::from_millis(2));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let config = work.write(
        "gone.yaml",
        PgConfig::new(SERVICE, &output)
            .orchestrator("local", 2)
            .batch_size(5)
            .retry(2, 0.01)
            .yaml(),
    );
    let ingest = |port: u16| {
        Omrun::ingest(work.path(), &config)
            .plugin(plugin("postgres"))
            .db(&db)
            .env("POSTGRES_HOST", "127.0.0.1")
            .env("POSTGRES_PORT", port.to_string())
            .output(&output)
            .report_json(&work.join("report.json"))
    };
    let mut running = ingest(relay.port).spawn();
    running.wait_for_stderr("Processing with", Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(300));
    drop(relay);
    let out = running.wait();
    out.assert_code(1);
    let error = out.single_error();
    assert!(
        error.contains(
            "stopped: the source or the sink is unreachable: 25 entities failed in a row"
        ) && error.contains("were not processed")
            && error.contains("--resume"),
        "{error}"
    );
    let report = out.report();
    let failed = report["failed"].as_u64().unwrap() as usize;
    let processed = report["processed"].as_u64().unwrap() as usize;
    assert!(
        (25..100).contains(&failed),
        "the failures stop soon after the streak: {failed}"
    );
    assert!(processed + failed < TABLES, "{report}");
    assert!(report["stopped"].is_string(), "{report}");
    out.assert_stderr_line("Not marking stale entities deleted: the run stopped before the end");
    let checkpoint = omrun_tests::run::default_checkpoint(work.path(), &config, SERVICE);
    assert!(checkpoint.exists(), "the checkpoint was removed");

    // The source is back (here: reached directly).
    let resumed = ingest(db.server.port).arg("--resume").run();
    resumed.assert_success();
    assert_eq!(resumed.records().table_fqns().len(), TABLES);
}

/// One table name that is not valid UTF-8 (a `SQL_ASCII` database holds names in any bytes, and
/// PostgreSQL refuses to send them to a UTF-8 client) fails that table, named with the bytes shown
/// as U+FFFD; the rest of the database is ingested.
#[test]
fn a_table_name_that_is_not_utf8_fails_alone() {
    let db = PgServer::from_env().create_database_with(
        "ascii",
        "ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'",
        "CREATE TABLE good (id int PRIMARY KEY);
         COMMENT ON TABLE good IS 'kept';
         DO $$ BEGIN
           EXECUTE 'CREATE TABLE '
             || quote_ident(convert_from('\\x636166e9'::bytea, 'SQL_ASCII')) || ' (id int)';
         END $$;",
    );
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let config = work.write("ascii.yaml", PgConfig::new(SERVICE, &output).yaml());
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_code(1);
    let report = out.report();
    assert_eq!(report["failed"], 1, "{report}");
    let failure = &report["failures"][0];
    assert_eq!(failure["kind"], "table", "{report}");
    assert_eq!(
        failure["fqn"],
        fqn(&[SERVICE, &db.name, "public", "caf\u{FFFD}"]),
        "{report}"
    );
    assert!(
        failure["error"]
            .as_str()
            .unwrap()
            .contains("is not valid UTF-8"),
        "{report}"
    );
    let records = out.records();
    assert_eq!(
        records.table_fqns(),
        BTreeSet::from([fqn(&[SERVICE, &db.name, "public", "good"])])
    );
}

/// A discovery that fails for good is in the report, not only in the log: here the role may
/// connect but not read `pg_namespace`, so listing schemas fails, is retried, then named.
#[test]
fn a_discovery_that_fails_is_in_the_report() {
    let server = PgServer::from_env();
    let db = server.create_database(
        "no_catalog",
        "REVOKE SELECT ON pg_catalog.pg_namespace FROM PUBLIC;",
    );
    let role = server.create_role("blind", "");
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let config = work.write(
        "blind.yaml",
        PgConfig::new(SERVICE, &output).retry(2, 0.01).yaml(),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .role(&role)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_code(1);
    let report = out.report();
    assert_eq!(report["failed"], 1, "{report}");
    let failure = &report["failures"][0];
    assert_eq!(failure["kind"], "run", "{report}");
    assert_eq!(failure["fqn"], SERVICE, "{report}");
    let error = failure["error"].as_str().unwrap();
    assert!(
        error.contains("discovery failed after 2 attempt(s)")
            && error.contains("permission denied for table pg_namespace"),
        "{error}"
    );
}

/// More workers than the source allows connections (a role with `CONNECTION LIMIT 2`, six
/// workers): the workers without one give their batch back and stop, instead of failing
/// entities with `too many connections`; every table arrives with the connections allowed.
#[test]
fn more_workers_than_connections_allowed_fail_nothing() {
    let server = PgServer::from_env();
    let db = server.create_database("conn_limit", fixture::THOUSAND_TABLES);
    let role = server.create_role("few", "CONNECTION LIMIT 2");
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let config = work.write(
        "limit.yaml",
        PgConfig::new(SERVICE, &output)
            .orchestrator("local", 6)
            .batch_size(10)
            .yaml(),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .role(&role)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_success();
    assert_eq!(out.report()["failed"], 0);
    assert_eq!(out.records().table_fqns().len(), TABLES);
    out.assert_stderr_line("A worker stopped: the source accepts no more connections");
}

/// The same on MariaDB: a user `WITH MAX_USER_CONNECTIONS 2` (error 1226; a server full at
/// `max_connections` answers 1040, classified alike) and six workers.
#[test]
fn more_mariadb_workers_than_connections_allowed_fail_nothing() {
    const MARIA_TABLES: usize = 200;
    let server = MariaServer::from_env();
    let schemas = server.create_schemas(
        "conn_limit",
        &format!(
            "CREATE DATABASE {{p}}s; {}",
            (1..=MARIA_TABLES)
                .map(|i| format!("CREATE TABLE {{p}}s.t{i} (id int PRIMARY KEY, name text);"))
                .collect::<String>()
        ),
    );
    let user = omrun_tests::config::unique_name("few", 20);
    let password = format!("{user}-pw-1");
    server.execute(&format!(
        "CREATE USER '{user}'@'%' IDENTIFIED BY '{password}' WITH MAX_USER_CONNECTIONS 2;
         GRANT SELECT, SHOW VIEW ON `{}`.* TO '{user}'@'%';",
        schemas.schema("s")
    ));
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let config = work.write(
        "limit.yaml",
        MysqlConfig::new(SERVICE, &output)
            .schema_filter(Filter::include(&[&schemas.schema_pattern()]))
            .orchestrator("local", 6)
            .batch_size(10)
            .yaml(),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("mysql"))
        .mysql_env(&server)
        .env("MYSQL_USER", &user)
        .env("MYSQL_PASSWORD", &password)
        .secret(&password)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    server.execute(&format!("DROP USER '{user}'@'%'"));
    out.assert_success();
    assert_eq!(out.report()["failed"], 0);
    assert_eq!(out.records().table_fqns().len(), MARIA_TABLES);
    out.assert_stderr_line("A worker stopped: the source accepts no more connections");
}
