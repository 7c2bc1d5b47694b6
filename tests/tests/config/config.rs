//! Config handling: `$VAR` / `${VAR}` / `${VAR:-default}` expansion, and the errors of a run that
//! cannot start: one `error:` line naming the place and the problem, exit status 2, and never the
//! password.

use omrun_tests::scenario::{Mode, checked};
use omrun_tests::{Omrun, PgConfig, PgServer, Workdir, value_position};

const SERVICE: &str = "omrun_config";
const SMALL_FIXTURE: &str = "CREATE TABLE public.things (id integer PRIMARY KEY, label text);";

/// A valid config written to `<work>/config.yaml`, edited by `edit`; returns its text.
fn write_config(work: &Workdir, edit: impl Fn(String) -> String) -> String {
    let yaml = edit(PgConfig::new(SERVICE, &work.join("out.jsonl")).yaml());
    work.write("config.yaml", &yaml);
    yaml
}

/// `omrun ingest -c config.yaml --plugin …` in the work dir, with the server's POSTGRES_* set.
fn omrun(work: &Workdir, server: &PgServer) -> Omrun {
    Omrun::ingest(work.path(), "config.yaml")
        .plugin(omrun_tests::plugin("postgres"))
        .postgres_env(server, "postgres")
        .output(&work.join("out.jsonl"))
}

fn replace_once(yaml: String, from: &str, to: &str) -> String {
    assert_eq!(
        yaml.matches(from).count(),
        1,
        "{from:?} must occur once in\n{yaml}"
    );
    yaml.replacen(from, to, 1)
}

#[test]
fn missing_variable_is_named_with_its_line() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    let yaml = write_config(&work, |y| y);
    let (line, _) = value_position(&yaml, "password");
    let out = omrun(&work, &server).env_remove("POSTGRES_PASSWORD").run();
    out.assert_code(2);
    let err = out.single_error();
    assert!(
        err.starts_with(&format!("error: config.yaml:{line}:")),
        "expected config.yaml:{line}: {err}"
    );
    assert!(
        err.contains("environment variable POSTGRES_PASSWORD is not set"),
        "{err}"
    );
    assert!(
        !work.join("out.jsonl").exists(),
        "a run that cannot start writes no output"
    );
}

#[test]
fn wrong_type_names_file_line_column_and_key_path() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    let yaml = write_config(&work, |y| {
        replace_once(y, "parallelism: 4", "parallelism: four")
    });
    let (line, col) = value_position(&yaml, "parallelism");
    let out = omrun(&work, &server).run();
    out.assert_code(2);
    let err = out.single_error();
    let prefix = format!(
        "error: config.yaml:{line}:{col}: workflowConfig.distributedExecution.parallelism: "
    );
    assert!(
        err.starts_with(&prefix),
        "expected {prefix:?}…, got {err:?}"
    );
    assert!(
        err[prefix.len()..].contains("four"),
        "the message should show the offending value: {err}"
    );
}

#[test]
fn wrong_type_in_source_config_names_its_key_path() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    let yaml = write_config(&work, |y| {
        replace_once(y, "includeViews: true", "includeViews: [yes, please]")
    });
    let (line, col) = value_position(&yaml, "includeViews");
    let out = omrun(&work, &server).run();
    out.assert_code(2);
    let err = out.single_error();
    let prefix =
        format!("error: config.yaml:{line}:{col}: source.sourceConfig.config.includeViews: ");
    assert!(
        err.starts_with(&prefix),
        "expected {prefix:?}…, got {err:?}"
    );
}

#[test]
fn unknown_orchestrator_in_config_names_value_and_allowed_ones() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    write_config(&work, |y| {
        replace_once(y, "orchestrator: local", "orchestrator: kubernetes")
    });
    let out = omrun(&work, &server).run();
    out.assert_code(2);
    let err = out.single_error();
    assert!(err.starts_with("error: config.yaml:"), "{err}");
    for word in ["kubernetes", "sequential", "local", "argo"] {
        assert!(err.contains(word), "the error should name {word:?}: {err}");
    }
}

#[test]
fn unknown_orchestrator_on_command_line_names_value_and_allowed_ones() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    write_config(&work, |y| y);
    let out = omrun(&work, &server).mode("kubernetes", None).run();
    out.assert_code(2);
    assert!(
        out.error_lines()
            .first()
            .is_some_and(|l| l.contains("kubernetes")),
        "{}",
        out.describe()
    );
    for word in ["sequential", "local", "argo"] {
        assert!(
            out.stderr.contains(word),
            "stderr should name {word:?}:\n{}",
            out.describe()
        );
    }
}

#[test]
fn missing_config_file_is_named() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    let out = Omrun::ingest(work.path(), "nowhere.yaml")
        .postgres_env(&server, "postgres")
        .run();
    out.assert_code(2);
    let err = out.single_error();
    assert!(err.contains("nowhere.yaml"), "{err}");
}

#[test]
fn yaml_syntax_error_names_the_file() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    write_config(&work, |y| {
        replace_once(y, "  type: file\n", "  type: [file\n")
    });
    let out = omrun(&work, &server).run();
    out.assert_code(2);
    let err = out.single_error();
    assert!(err.starts_with("error: config.yaml:"), "{err}");
}

/// `$VAR`, `${VAR}` and `${VAR:-default}` (variable unset: the default is used) in one config.
#[test]
fn variable_forms_and_defaults_expand() {
    let db = PgServer::from_env().create_database("envforms", SMALL_FIXTURE);
    let work = Workdir::new();
    write_config(&work, |y| {
        let y = replace_once(y, "username: ${POSTGRES_USER}", "username: $POSTGRES_USER");
        replace_once(
            y,
            &format!("serviceName: '{SERVICE}'"),
            "serviceName: ${OMRUN_TEST_SERVICE_NAME:-svc_from_default}",
        )
    });
    let report = work.join("report.json");
    let out = Omrun::ingest(work.path(), "config.yaml")
        .plugin(omrun_tests::plugin("postgres"))
        .db(&db)
        .env_remove("OMRUN_TEST_SERVICE_NAME")
        .output(&work.join("out.jsonl"))
        .report_json(&report)
        .mode("sequential", None)
        .run();
    let run = checked(out, Mode::Sequential, "postgres");
    assert_eq!(run.records.service()["name"], "svc_from_default");
    assert_eq!(
        run.records.table_fqns().into_iter().collect::<Vec<_>>(),
        [format!("svc_from_default.{}.public.things", db.name)]
    );
}

/// The password written inline in the config must not be echoed by an error about another key.
#[test]
fn inline_password_is_not_echoed_by_config_errors() {
    let server = PgServer::from_env();
    let work = Workdir::new();
    let inline = "inline-secret-4c1d9e";
    write_config(&work, |y| {
        let y = replace_once(
            y,
            "password: ${POSTGRES_PASSWORD}",
            &format!("password: {inline}"),
        );
        replace_once(y, "parallelism: 4", "parallelism: {nested: map}")
    });
    let out = omrun(&work, &server).secret(inline).run();
    out.assert_code(2);
    out.single_error();
}
