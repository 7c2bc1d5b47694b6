//! Source faults in the middle of a run, against the real PostgreSQL server: its connections killed
//! (`pg_terminate_backend`) again and again, and the server restarted (`pg_ctl restart`). Workers
//! reconnect and retry; every table arrives; nothing is lost.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use omrun_tests::{
    Omrun, PgConfig, PgServer, RunOutput, TestDb, Workdir, Workflow, fixture, fqn, plugin,
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
