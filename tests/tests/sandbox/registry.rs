//! Plugins as OCI artifacts against a real registry (Debian's `docker-registry`, the CNCF
//! Distribution server, started by the tests: tests/support/registry.rs): push and pull, a run
//! that loads its plugin by reference, pinning, a tampered blob and a wrong pin refused before
//! anything compiles, credentials refused and accepted, a registry that is down.

use omrun_tests::registry::Registry;
use omrun_tests::{Omrun, PgConfig, PgServer, RunOutput, Workdir, Workflow, fixture, plugin};

/// The sha256 of a file, lowercase hex (as `omrun plugin inspect` prints it).
fn sha256_of(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

/// `omrun plugin ARGS…` with its own plugin store in `work`.
fn plugin_command(work: &Workdir, args: &[&str]) -> Omrun {
    Omrun::new(work.path())
        .arg("plugin")
        .args(args.iter().copied())
        .env("OMRUN_PLUGIN_STORE", work.join("store"))
        .env_remove("OMRUN_REGISTRY_USERNAME")
        .env_remove("OMRUN_REGISTRY_PASSWORD")
        .env("DOCKER_CONFIG", work.join("no-docker-config"))
}

fn stored(work: &Workdir) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(work.join("store/sha256"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".wasm"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn pushed(work: &Workdir, registry: &Registry, name: &str) -> String {
    let reference = registry.reference(name);
    let out = plugin_command(work, &["push"])
        .arg(plugin("postgres"))
        .arg(&reference)
        .run();
    out.assert_success();
    assert!(
        out.stdout
            .contains(&format!("sha256 {}", sha256_of(&plugin("postgres")))),
        "{}",
        out.describe()
    );
    reference
}

/// A PostgreSQL config into a file whose `source.plugin` is `plugin_yaml` (a flow mapping).
fn config_with_plugin(work: &Workdir, plugin_yaml: &str) -> std::path::PathBuf {
    let yaml = PgConfig::new("registry_pg", &work.join("out.jsonl"))
        .orchestrator("local", 2)
        .yaml()
        .replacen(
            "  serviceConnection:",
            &format!("  plugin: {plugin_yaml}\n  serviceConnection:"),
            1,
        );
    work.write("config.yaml", yaml)
}

fn ingest(work: &Workdir, config: &std::path::Path, db: &omrun_tests::TestDb) -> RunOutput {
    Omrun::ingest(work.path(), config)
        .db(db)
        .output(&work.join("out.jsonl"))
        .env("OMRUN_PLUGIN_STORE", work.join("store"))
        .env("DOCKER_CONFIG", work.join("no-docker-config"))
        .run()
}

#[test]
fn a_pushed_plugin_is_pulled_pinned_and_run_by_reference_even_with_the_registry_down() {
    let mut registry = Registry::start();
    let work = Workdir::new();
    let reference = pushed(&work, &registry, "omrun/postgres:0.5.0");
    let sha256 = sha256_of(&plugin("postgres"));

    let pulled = plugin_command(&work, &["pull", &reference]).run();
    pulled.assert_success();
    for line in [
        format!("sha256 {sha256}"),
        "org.opencontainers.image.title: postgres".to_owned(),
        "dev.omrun.contract: omrun:connector@0.6.0".to_owned(),
        "dev.omrun.service-types: Postgres".to_owned(),
    ] {
        assert!(
            pulled.stdout.contains(&line),
            "{line}: {}",
            pulled.describe()
        );
    }
    assert_eq!(stored(&work), vec![format!("{sha256}.wasm")]);

    // A run by reference, the tag not pinned: it warns, and ingests.
    let db = PgServer::from_env().create_database("registry_run", fixture::SQL);
    let unpinned = config_with_plugin(&work, &format!("{{ref: '{reference}'}}"));
    let out = ingest(&work, &unpinned, &db);
    out.assert_success();
    out.assert_stderr_line("is a tag, not pinned");
    assert_eq!(out.records().table_fqns().len(), fixture::TABLES.len());

    // Pinned, it runs from the store: even with the registry gone.
    registry.stop();
    let pinned = config_with_plugin(&work, &format!("{{ref: '{reference}', sha256: {sha256}}}"));
    let out = ingest(&work, &pinned, &db);
    out.assert_success();
    out.assert_stderr_line("from the local store");
    assert!(!out.stderr.contains("not pinned"), "{}", out.describe());
}

#[test]
fn a_tampered_blob_a_wrong_pin_and_a_registry_that_is_down_are_refused_before_compiling() {
    let mut registry = Registry::start();
    let work = Workdir::new();
    let reference = pushed(&work, &registry, "omrun/postgres:tampered");
    let sha256 = sha256_of(&plugin("postgres"));

    let wrong = "0".repeat(64);
    let out = plugin_command(&work, &["pull", &reference, "--sha256", &wrong]).run();
    out.assert_code(2);
    assert!(
        out.stderr.contains(&format!(
            "is a plugin of sha256 {sha256}, not the pinned {wrong}: refused"
        )),
        "{}",
        out.describe()
    );
    // A run whose pin is wrong stops before loading the plugin.
    let db = PgServer::from_env().create_database("registry_pin", fixture::SQL);
    let config = config_with_plugin(&work, &format!("{{ref: '{reference}', sha256: {wrong}}}"));
    let run = ingest(&work, &config, &db);
    run.assert_code(2);
    assert!(run.stderr.contains("refused"), "{}", run.describe());
    assert!(!run.stderr.contains("Loaded plugin"), "{}", run.describe());
    assert!(stored(&work).is_empty(), "nothing refused is stored");

    // One byte of the blob changed in the registry's storage: the client checks the digest.
    let blob = registry.blob(&sha256);
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();
    let out = plugin_command(&work, &["pull", &reference]).run();
    out.assert_code(2);
    assert!(
        out.stderr.contains(&format!("Expected sha256:{sha256}")),
        "{}",
        out.describe()
    );
    assert!(stored(&work).is_empty(), "nothing tampered with is stored");

    registry.stop();
    let out = plugin_command(&work, &["pull", &reference]).run();
    out.assert_code(2);
    assert!(
        out.stderr.contains(&format!(
            "the registry {} cannot be reached",
            registry.host()
        )),
        "{}",
        out.describe()
    );
}

#[test]
fn a_registry_with_users_refuses_anonymous_pushes_and_takes_credentials_from_env_or_docker_config()
{
    let registry = Registry::with_user("publisher", "registry-pw-4e1d");
    let work = Workdir::new();
    let reference = registry.reference("acme/postgres:1.0.0");

    let anonymous = plugin_command(&work, &["push"])
        .arg(plugin("postgres"))
        .arg(&reference)
        .run();
    assert_ne!(anonymous.code, Some(0));
    assert!(
        anonymous
            .stderr
            .contains("the registry refused the credentials (no credentials)"),
        "{}",
        anonymous.describe()
    );

    let with_env = plugin_command(&work, &["push"])
        .arg(plugin("postgres"))
        .arg(&reference)
        .env("OMRUN_REGISTRY_USERNAME", "publisher")
        .env("OMRUN_REGISTRY_PASSWORD", "registry-pw-4e1d")
        .secret("registry-pw-4e1d")
        .run();
    with_env.assert_success();

    let docker = work.join("docker");
    std::fs::create_dir(&docker).unwrap();
    std::fs::write(
        docker.join("config.json"),
        registry.docker_config("publisher", "registry-pw-4e1d"),
    )
    .unwrap();
    let pulled = plugin_command(&work, &["pull", &reference])
        .env("DOCKER_CONFIG", &docker)
        .secret("registry-pw-4e1d")
        .run();
    pulled.assert_success();
    let wrong = plugin_command(&work, &["pull", &reference])
        .env("OMRUN_REGISTRY_USERNAME", "publisher")
        .env("OMRUN_REGISTRY_PASSWORD", "not-the-password")
        .run();
    wrong.assert_code(2);
    assert!(
        wrong
            .stderr
            .contains("the registry refused the credentials (OMRUN_REGISTRY_USERNAME"),
        "{}",
        wrong.describe()
    );
}

#[test]
fn argo_and_airflow_renderings_pin_the_plugin_a_tag_names_when_they_are_made() {
    let registry = Registry::start();
    let work = Workdir::new();
    let reference = pushed(&work, &registry, "omrun/postgres:latest");
    let sha256 = sha256_of(&plugin("postgres"));
    let config = |orchestrator: &str| {
        let yaml = PgConfig::new("registry_pin", &work.join("out.jsonl"))
            .orchestrator(orchestrator, 2)
            .yaml()
            .replacen(
                "  serviceConnection:",
                &format!("  plugin: {{ref: '{reference}'}}\n  serviceConnection:"),
                1,
            );
        work.write(&format!("{orchestrator}.yaml"), yaml)
    };
    let render = |args: &[&str], config: &std::path::Path| {
        let out = Omrun::new(work.path())
            .args(args.iter().copied())
            .arg("-c")
            .arg(config)
            .env("OMRUN_PLUGIN_STORE", work.join("store"))
            .env("DOCKER_CONFIG", work.join("no-docker-config"))
            .run();
        out.assert_success();
        out.stdout
    };
    // Argo's ConfigMap and Airflow's DAG carry the tag and the sha256 it named at rendering.
    let config_map = render(
        &["argo", "render", "--config-map", "--json"],
        &config("argo"),
    );
    let config_map: serde_json::Value = serde_json::from_str(&config_map).unwrap();
    let shipped = config_map["data"]["config.yaml"].as_str().unwrap();
    assert!(
        shipped.contains(&reference) && shipped.contains(&format!("sha256: {sha256}")),
        "{shipped}"
    );
    let dag = render(&["airflow", "render"], &config("airflow"));
    assert!(
        dag.contains(&format!("sha256: {sha256}")),
        "the DAG's config does not pin the plugin"
    );
}
