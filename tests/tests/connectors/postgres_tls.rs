//! `sslMode` against the test PostgreSQL, which scripts/pg.sh starts with TLS on (a self-signed
//! certificate for 127.0.0.1 in `OMRUN_TEST_PG_CA_FILE`) and a role `omrun_tls` that pg_hba.conf
//! refuses without TLS.

use omrun_tests::Workflow;
use omrun_tests::{Omrun, PgConfig, PgServer, TestDb, Workdir, fqn};

const ROLE: &str = "omrun_tls";
const PASSWORD: &str = "omrun-tls-pw-5b1e7c";

fn ca_pem() -> String {
    let path = std::env::var("OMRUN_TEST_PG_CA_FILE").unwrap_or_else(|_| {
        panic!("OMRUN_TEST_PG_CA_FILE is not set: scripts/pg.sh starts PostgreSQL with TLS when openssl is installed")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A database with one table, and the TLS-only role allowed into it.
fn database() -> TestDb {
    let server = PgServer::from_env();
    let db = server.create_database(
        "tls",
        "CREATE TABLE orders (id integer PRIMARY KEY, total numeric(10,2));",
    );
    let mut admin = server.connect("postgres");
    // The role is shared by the tests of this file; creating it twice is fine.
    let _ = admin.batch_execute(&format!("CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"));
    db
}

/// Runs the postgres plugin as the TLS-only role with these `serviceConnection` lines added.
fn run(db: &TestDb, work: &Workdir, name: &str, ssl_lines: &str) -> omrun_tests::RunOutput {
    let output = work.join(&format!("{name}.jsonl"));
    let yaml = PgConfig::new("omrun_tls", &output)
        .orchestrator("sequential", 1)
        .yaml()
        .replace(
            "      ingestAllDatabases: false\n",
            &format!("      ingestAllDatabases: false\n{ssl_lines}"),
        );
    assert!(yaml.contains("sslMode"), "{yaml}");
    let config = work.write(&format!("{name}.yaml"), yaml);
    Omrun::ingest(work.path(), &config)
        .plugin(omrun_tests::plugin("postgres"))
        .postgres_env(&db.server, &db.name)
        .env("POSTGRES_USER", ROLE)
        .env("POSTGRES_PASSWORD", PASSWORD)
        .secret(PASSWORD)
        .output(&output)
        .run()
}

#[test]
fn without_tls_the_server_refuses_and_the_run_does_not_start() {
    let db = database();
    let work = Workdir::new();
    let out = run(&db, &work, "disable", "      sslMode: disable\n");
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("no encryption"), "{}", out.describe());
}

#[test]
fn require_encrypts_without_checking_the_certificate() {
    let db = database();
    let work = Workdir::new();
    let out = run(&db, &work, "require", "      sslMode: require\n");
    out.assert_success();
    let tables = out.records().table_fqns();
    assert!(
        tables.contains(&fqn(&["omrun_tls", &db.name, "public", "orders"])),
        "{tables:?}"
    );
}

#[test]
fn verify_full_with_the_servers_ca() {
    let db = database();
    let work = Workdir::new();
    let indented: String = ca_pem()
        .lines()
        .map(|l| format!("          {l}\n"))
        .collect();
    let lines = format!(
        "      sslMode: verify-full\n      sslConfig:\n        caCertificate: |\n{indented}"
    );
    let out = run(&db, &work, "verify_full", &lines);
    out.assert_success();
    assert_eq!(out.records().table_fqns().len(), 1);
}

#[test]
fn verify_full_refuses_a_certificate_no_trusted_ca_signed() {
    let db = database();
    let work = Workdir::new();
    // No caCertificate: Mozilla's roots, which never signed the test server's certificate.
    let out = run(&db, &work, "untrusted", "      sslMode: verify-full\n");
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(
        out.stderr.to_lowercase().contains("certificate"),
        "{}",
        out.describe()
    );
}
