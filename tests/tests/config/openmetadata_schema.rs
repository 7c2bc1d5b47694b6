//! The source's sections checked as OpenMetadata 2.0.7 checks them (its own JSON Schemas, carried
//! in the binary), the keys that change nothing named once, `threads`, and `omrun check`: through
//! the real binary, the real PostgreSQL plugin and the test PostgreSQL.

use omrun_tests::config::Workflow;
use omrun_tests::relay::Relay;
use omrun_tests::{Omrun, PgConfig, PgServer, Workdir, plugin, value_position};
use std::time::{Duration, Instant};

const SERVICE: &str = "omrun_om_schema";
const FIXTURE: &str = "CREATE TABLE public.things (id integer PRIMARY KEY, label text);
                       CREATE VIEW public.things_view AS SELECT id FROM public.things;";

fn write_config(work: &Workdir, edit: impl Fn(String) -> String) -> String {
    let yaml = edit(PgConfig::new(SERVICE, &work.join("out.jsonl")).yaml());
    work.write("config.yaml", &yaml);
    yaml
}

/// `omrun check`'s line for a step (`source`, `sink`), or "" when the check never got there.
fn step<'a>(out: &'a omrun_tests::RunOutput, what: &str) -> &'a str {
    let prefix = format!("{what}: ");
    out.stdout
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_default()
}

fn insert_after(yaml: String, line_start: &str, new_lines: &str) -> String {
    let at = yaml.find(line_start).expect("the line is in the config");
    let end = at + yaml[at..].find('\n').unwrap() + 1;
    format!("{}{new_lines}{}", &yaml[..end], &yaml[end..])
}

#[test]
fn a_misspelt_connection_key_stops_the_run_before_connecting() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    let yaml = write_config(&work, |y| {
        insert_after(y, "      type: Postgres", "      hostPrt: db:5432\n")
    });
    let (line, _) = value_position(&yaml, "hostPrt");
    let out = Omrun::ingest(work.path(), "config.yaml")
        .plugin(plugin("postgres"))
        .postgres_env(&server, "postgres")
        .run();
    out.assert_code(2);
    let err = out.single_error();
    assert!(
        err.starts_with(&format!(
            "error: config.yaml:{line}:7: source.serviceConnection.config.hostPrt: unknown key \
             `hostPrt`: OpenMetadata 2.0.7's Postgres connection has no such key; did you mean \
             `hostPort`?"
        )),
        "{err}"
    );
    assert!(
        !out.stderr.contains("Loaded plugin"),
        "refused before the plugin is loaded"
    );
    assert!(!work.join("out.jsonl").exists());
}

#[test]
fn a_misspelt_source_config_key_stops_the_run_with_its_line() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    let yaml = write_config(&work, |y| {
        insert_after(
            y,
            "      type: DatabaseMetadata",
            "      includeTabels: false\n",
        )
    });
    let (line, column) = value_position(&yaml, "includeTabels");
    let out = Omrun::ingest(work.path(), "config.yaml")
        .plugin(plugin("postgres"))
        .postgres_env(&server, "postgres")
        .run();
    out.assert_code(2);
    let err = out.single_error();
    assert!(
        err.starts_with(&format!("error: config.yaml:{line}:")),
        "the key's line {line} (value at column {column}): {err}"
    );
    assert!(
        err.contains("source.sourceConfig.config.includeTabels: unknown key `includeTabels`")
            && err.contains("did you mean `includeTables`?"),
        "{err}"
    );
}

#[test]
fn keys_neither_omrun_nor_the_plugin_reads_are_named_once() {
    let db = PgServer::from_env().create_database("om_schema_idle", FIXTURE);
    let work = Workdir::new();
    write_config(&work, |y| {
        insert_after(
            y,
            "      type: DatabaseMetadata",
            // includeDDL: nobody reads it; includeTags: true is OpenMetadata's default (nothing to
            // say); includeViews: the plugin reads it.
            "      includeDDL: true\n      includeTags: true\n      queryLogDuration: 3\n",
        )
    });
    let out = Omrun::ingest(work.path(), "config.yaml")
        .plugin(plugin("postgres"))
        .db(&db)
        .output(&work.join("out.jsonl"))
        .run();
    out.assert_success();
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("have no effect"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", out.describe());
    assert!(
        lines[0].ends_with(
            "config.yaml: these keys have no effect with omrun and plugin postgres 0.1.0: \
             sourceConfig.config.includeDDL, sourceConfig.config.queryLogDuration"
        ),
        "{}",
        lines[0]
    );
}

#[test]
fn threads_without_distributed_execution_runs_local_workers() {
    let db = PgServer::from_env().create_database("om_schema_threads", FIXTURE);
    let work = Workdir::new();
    write_config(&work, |y| {
        let y = insert_after(y, "      type: DatabaseMetadata", "      threads: 3\n");
        let cut = y.find("  distributedExecution:").unwrap();
        y[..cut].to_owned()
    });
    let out = Omrun::ingest(work.path(), "config.yaml")
        .plugin(plugin("postgres"))
        .db(&db)
        .output(&work.join("out.jsonl"))
        .run();
    out.assert_success();
    assert!(
        out.stderr
            .contains("Using LOCAL thread-based distributed execution (3 workers)"),
        "{}",
        out.describe()
    );
    assert!(
        out.records().items.len() >= 5,
        "service, database, schema, table, view"
    );
}

#[test]
fn check_passes_without_ingesting() {
    let db = PgServer::from_env().create_database("om_schema_check", FIXTURE);
    let work = Workdir::new();
    write_config(&work, |y| y);
    let out = Omrun::new(work.path())
        .args(["check", "-c", "config.yaml"])
        .plugin(plugin("postgres"))
        .db(&db)
        .run();
    out.assert_success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.describe());
    assert!(
        lines[0].starts_with("config: ok — config.yaml is valid for OpenMetadata 2.0.7"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("plugin: ok — postgres 0.1.0 (contract 0.6.0)"),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "source: ok — reached and listed: 1 databases, 1 schemas, 2 tables"
    );
    assert!(
        lines[3].starts_with("sink: ok — ") && lines[3].ends_with("out.jsonl can be written"),
        "{}",
        lines[3]
    );
    assert!(!work.join("out.jsonl").exists(), "check writes nothing");
}

#[test]
fn check_reports_an_unreachable_source_within_seconds() {
    let relay = Relay::silent();
    let server = PgServer::from_env();
    let work = Workdir::new();
    write_config(&work, |y| y);
    let started = Instant::now();
    let out = Omrun::new(work.path())
        .args(["check", "-c", "config.yaml"])
        .plugin(plugin("postgres"))
        .postgres_env(&server, "postgres")
        .env("POSTGRES_HOST", "127.0.0.1")
        .env("POSTGRES_PORT", relay.port.to_string())
        .run();
    out.assert_code(2);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    let source = step(&out, "source");
    assert!(
        source.starts_with("source: FAILED — cannot connect to the source"),
        "{}",
        out.describe()
    );
    assert!(
        !out.stdout.contains("sink:"),
        "the check ends at the failed step"
    );
}

#[test]
fn check_reports_a_wrong_password() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    write_config(&work, |y| y);
    let out = Omrun::new(work.path())
        .args(["check", "-c", "config.yaml"])
        .plugin(plugin("postgres"))
        .postgres_env(&server, "postgres")
        .env("POSTGRES_PASSWORD", "not-the-password")
        .secret("not-the-password")
        .run();
    out.assert_code(2);
    assert!(
        out.stdout
            .contains("source: FAILED — cannot connect to the source"),
        "{}",
        out.describe()
    );
}

#[test]
fn check_asks_openmetadata_for_its_version_with_the_token() {
    let db = PgServer::from_env().create_database("om_schema_check_om", FIXTURE);
    let om = omrun_tests::openmetadata::StandIn::start("om-check-token");
    let work = Workdir::new();
    let yaml = PgConfig::new(SERVICE, &work.join("unused.jsonl"))
        .openmetadata(&om.host_port())
        .yaml();
    work.write("config.yaml", &yaml);
    let check = |token: &str| {
        Omrun::new(work.path())
            .args(["check", "-c", "config.yaml"])
            .plugin(plugin("postgres"))
            .db(&db)
            .env("OM_JWT_TOKEN", token)
            .secret(token)
            .run()
    };
    let good = check("om-check-token");
    good.assert_success();
    let sink = step(&good, "sink");
    assert!(
        sink.starts_with("sink: ok — OpenMetadata 2.0.7 at ") && sink.ends_with("token accepted"),
        "{}",
        good.describe()
    );
    let refused = check("not-the-token");
    refused.assert_code(2);
    let sink = step(&refused, "sink");
    assert!(
        sink.starts_with("sink: FAILED — ") && sink.contains("refused the token"),
        "{}",
        refused.describe()
    );
}
