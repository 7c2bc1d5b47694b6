//! The password never appears in stdout, stderr, the sink output or the report. Every run of every
//! test checks this (omrun_tests::Omrun::run); these tests add the runs most likely to leak it.

use omrun_tests::Workflow;
use omrun_tests::scenario::{Mode, run_postgres};
use omrun_tests::{Omrun, PgConfig, PgServer, Workdir};

const SERVICE: &str = "omrun_secrets";
const SMALL_FIXTURE: &str = "CREATE TABLE public.things (id integer PRIMARY KEY, label text);";

#[test]
fn debug_logging_does_not_print_the_password() {
    let db = PgServer::from_env().create_database("debuglog", SMALL_FIXTURE);
    let work = Workdir::new();
    let cfg = PgConfig::new(SERVICE, &work.join("x")).logger_level("DEBUG");
    for mode in [Mode::Sequential, Mode::Local(2)] {
        let run = run_postgres(&work, &db, "debug", cfg.clone(), mode);
        // The service request must not carry the connection's credentials either.
        let service = run.records.service().to_string();
        assert!(!service.contains(&db.server.password), "{service}");
    }
}

#[test]
fn wrong_password_fails_without_echoing_it() {
    let db = PgServer::from_env().create_database("wrongpw", SMALL_FIXTURE);
    let work = Workdir::new();
    let wrong = "wrong-password-7f3a2b91";
    work.write(
        "config.yaml",
        PgConfig::new(SERVICE, &work.join("out.jsonl"))
            .logger_level("DEBUG")
            .yaml(),
    );
    let out = Omrun::ingest(work.path(), "config.yaml")
        .plugin(omrun_tests::plugin("postgres"))
        .db(&db)
        .env("POSTGRES_PASSWORD", wrong)
        .secret(wrong)
        .output(&work.join("out.jsonl"))
        .report_json(&work.join("report.json"))
        .run();
    // The connection is checked before the run: a refused password stops it at once, untried.
    out.assert_code(2);
    let err = out.single_error();
    assert!(
        err.contains("cannot connect to the source")
            && err.contains("password authentication failed"),
        "the error should say the source refused the login: {err}"
    );
    assert!(
        !out.stderr.contains("Retrying"),
        "a refused login must not be retried:\n{}",
        out.describe()
    );
}

/// The leak check itself works: a "secret" that omrun does print (here, the config file name it
/// reports as missing) fails the run's check.
#[test]
#[should_panic(expected = "a secret (the database password) appears in stderr")]
fn the_leak_check_catches_a_leak() {
    let work = Workdir::new();
    Omrun::ingest(work.path(), "leaky-name-5e2f.yaml")
        .secret("leaky-name-5e2f")
        .run();
}

/// `--help` of every command, with secrets in the environment the way users keep them: none is
/// shown (clap would print an `env`-bound argument's value; omrun binds none, and this keeps it so).
#[test]
fn help_output_shows_no_secret() {
    let work = Workdir::new();
    let secrets = [
        ("POSTGRES_PASSWORD", "pg-help-secret-41c9"),
        ("OM_JWT_TOKEN", "jwt-help-secret-7d22"),
        ("ARGO_TOKEN", "argo-help-secret-90ab"),
    ];
    let commands: &[&[&str]] = &[
        &[],
        &["ingest"],
        &["compare"],
        &["plugin"],
        &["plugin", "new"],
        &["plugin", "inspect"],
        &["argo"],
        &["argo", "render"],
        &["argo", "lint"],
        &["discover"],
        &["worker"],
        &["finalize"],
    ];
    for command in commands {
        let mut omrun = Omrun::new(work.path())
            .args(command.iter().copied())
            .arg("--help");
        for (key, value) in secrets {
            omrun = omrun.env(key, value).secret(value);
        }
        let out = omrun.run();
        out.assert_success();
        assert!(out.stdout.contains("Usage"), "{}", out.describe());
    }
}
