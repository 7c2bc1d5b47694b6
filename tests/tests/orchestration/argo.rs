//! Argo mode without Kubernetes: the rendered manifests against Argo's own schema and omrun's lint;
//! the rendered Workflow executed pod by pod as real `omrun` processes (tests/support/
//! argo_executor.rs) against real PostgreSQL and the OpenMetadata stand-in, with a worker killed
//! and retried; and `omrun ingest` submitting to the Argo Server stand-in and following the run.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use omrun_tests::argo::{ArgoStandIn, Controller, Submitted};
use omrun_tests::argo_executor::{Executed, Executor};
use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::registry::Registry;
use omrun_tests::{
    Omrun, PgConfig, PgServer, TestDb, Workdir, Workflow, fixture, fqn, plugin_dir, repo_root,
};
use serde_json::Value;

const OM_TOKEN: &str = "om-argo-jwt-5f2a81c3";
const SERVICE: &str = "omrun_argo";
const EXAMPLE: &str = "examples/distributed-ingestion/postgres-argo.yaml";

/// `omrun argo render ARGS…` as JSON (the machine running it holds no secret).
fn render(work: &Workdir, config: &std::path::Path, extra: &[&str]) -> Value {
    let out = Omrun::new(work.path())
        .args(["argo", "render", "-c"])
        .arg(config)
        .arg("--json")
        .args(extra.iter().copied())
        .run();
    out.assert_success();
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("render printed no JSON ({e}): {}", out.describe()))
}

/// A PostgreSQL config in Argo mode, writing into the OpenMetadata stand-in.
fn argo_config(work: &Workdir, om: &StandIn, shards: u32, extra: &str) -> std::path::PathBuf {
    let yaml = PgConfig::new(SERVICE, &work.join("unused"))
        .openmetadata(&om.host_port())
        .orchestrator("argo", shards)
        .retry(3, 0.0)
        .yaml()
        + extra;
    work.write("argo.yaml", yaml)
}

/// An executor for `workflow` as the cluster would run it: the ConfigMap applied, the Secret
/// holding the config's variables for `database` on `server`, the plugins in the image.
fn executor(
    workflow: Value,
    pods: &std::path::Path,
    config_map: &Value,
    (server, database): (&PgServer, &str),
) -> Executor {
    Executor::new(workflow, pods)
        .config_map(config_map)
        .secret("POSTGRES_USER", &server.user)
        .secret("POSTGRES_PASSWORD", &server.password)
        .secret("POSTGRES_HOST", &server.host)
        .secret("POSTGRES_PORT", &server.port.to_string())
        .secret("POSTGRES_DATABASE", database)
        .secret("OM_JWT_TOKEN", OM_TOKEN)
        .image_env("OMRUN_PLUGIN_PATH", plugin_dir().display().to_string())
}

/// Runs the Workflow rendered from `config` with the executor; worker `kill` is killed once.
fn execute(work: &Workdir, config: &std::path::Path, db: &TestDb, kill: Option<&str>) -> Executed {
    let workflow = render(work, config, &[]);
    let config_map = render(work, config, &["--config-map"]);
    let mut executor = executor(
        workflow,
        &work.join("pods"),
        &config_map,
        (&db.server, &db.name),
    );
    if let Some(shard) = kill {
        executor = executor.kill_once("worker", shard, "Processing with");
    }
    executor.run()
}

fn fixture_tables(db: &TestDb) -> BTreeSet<String> {
    fixture::TABLES
        .iter()
        .map(|t| {
            let (schema, table) = t.split_once('.').unwrap();
            fqn(&[SERVICE, &db.name, schema, table])
        })
        .collect()
}

#[test]
fn the_example_renders_a_valid_workflow_and_template_without_any_secret() {
    let work = Workdir::new();
    let example = repo_root().join(EXAMPLE);
    let secret = "pg-secret-value-9d3e";
    let out = Omrun::new(work.path())
        .args(["argo", "render", "-c"])
        .arg(&example)
        .env("PG_PASSWORD", secret)
        .env("OM_JWT_TOKEN", "jwt-secret-value-1b7c")
        .secret(secret)
        .secret("jwt-secret-value-1b7c")
        .run();
    out.assert_success();
    let workflow: Value = serde_yaml_from(&out.stdout);
    assert_eq!(
        workflow,
        render(&work, &example, &[]),
        "YAML and JSON renderings differ"
    );
    omrun_tests::argo::validate_workflow(&workflow)
        .unwrap_or_else(|errors| panic!("Argo's schema refuses the Workflow: {errors:#?}"));
    let file = work.write("workflow.yaml", &out.stdout);
    Omrun::new(work.path())
        .args(["argo", "lint"])
        .arg(&file)
        .run()
        .assert_success();

    let spec = &workflow["spec"];
    assert_eq!(
        spec["parallelism"], 8,
        "parallelism on the spec, where Argo honours it"
    );
    assert_eq!(spec["activeDeadlineSeconds"], 7200);
    assert_eq!(spec["serviceAccountName"], "omrun-workflow");
    let templates = spec["templates"].as_array().unwrap();
    let worker = templates.iter().find(|t| t["name"] == "worker").unwrap();
    assert_eq!(
        worker["retryStrategy"],
        serde_json::json!({"limit": "2", "retryPolicy": "Always",
                           "backoff": {"duration": "10s", "factor": "2", "cap": "300s"}})
    );
    assert_eq!(worker["container"]["resources"]["limits"]["memory"], "1Gi");
    // Credentials come from the Secret, by reference.
    let env = worker["container"]["env"].as_array().unwrap();
    for key in ["PG_PASSWORD", "OM_JWT_TOKEN"] {
        let variable = env
            .iter()
            .find(|e| e["name"] == key)
            .unwrap_or_else(|| panic!("no env {key}"));
        assert_eq!(
            variable["valueFrom"]["secretKeyRef"]["name"],
            "omrun-secrets"
        );
        assert_eq!(variable["valueFrom"]["secretKeyRef"]["key"], key);
    }
    let dag = &templates.iter().find(|t| t["name"] == "ingest").unwrap()["dag"];
    assert_eq!(dag["failFast"], false);
    assert!(
        dag["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("parallelism").is_none())
    );

    let template = render(&work, &example, &["--template"]);
    assert_eq!(template["kind"], "WorkflowTemplate");
    omrun_tests::argo::validate_workflow_template(&template)
        .unwrap_or_else(|errors| panic!("Argo's schema refuses the WorkflowTemplate: {errors:#?}"));

    // The ConfigMap holds the config as written: references, not values.
    let config_map = render(&work, &example, &["--config-map"]);
    let text = config_map["data"]["config.yaml"].as_str().unwrap();
    assert!(text.contains("${PG_PASSWORD}") && !text.contains(secret));
    assert_eq!(
        config_map["metadata"]["name"],
        spec["volumes"][0]["configMap"]["name"]
    );
}

/// The rendered YAML, read by a YAML parser (the same crate as the host's config loader, but its
/// reading side only; the host writes with its serializer).
fn serde_yaml_from(yaml: &str) -> Value {
    serde_saphyr::from_str(yaml)
        .unwrap_or_else(|e| panic!("rendered YAML does not parse: {e}\n{yaml}"))
}

/// The ConfigMap is written from the parsed config, so no comment of the file reaches it; and a
/// secret written as a variable's default, a private key, or a credential among the driver's
/// arguments is a literal secret like any other: refused, named by its path.
#[test]
fn no_secret_reaches_the_manifests_by_a_side_door() {
    let work = Workdir::new();
    let example = std::fs::read_to_string(repo_root().join(EXAMPLE)).unwrap();
    let commented = example.replacen(
        "source:\n",
        "# the old one was: hunter2-commented\nsource:\n",
        1,
    );
    let config = work.write("commented.yaml", commented);
    let config_map = render(&work, &config, &["--config-map"]);
    let text = config_map["data"]["config.yaml"].as_str().unwrap();
    assert!(
        text.contains("${PG_PASSWORD}") && !text.contains("hunter2-commented"),
        "{text}"
    );

    let in_connection = |yaml: &str| {
        example.replace(
            "      database: warehouse\n",
            &format!("      database: warehouse\n{yaml}"),
        )
    };
    let refused = [
        (
            example.replace("${PG_PASSWORD}", "${PG_PASSWORD:-hunter2-default}"),
            "source.serviceConnection.config.authType.password",
        ),
        (
            in_connection("      sslConfig:\n        sslKey: \"-----BEGIN PRIVATE KEY-----\"\n"),
            "source.serviceConnection.config.sslConfig.sslKey",
        ),
        (
            in_connection("      connectionArguments:\n        ssl_key: /keys/client.key\n"),
            "source.serviceConnection.config.connectionArguments.ssl_key",
        ),
        (
            in_connection("      connectionOptions:\n        api_token: hunter2-option\n"),
            "source.serviceConnection.config.connectionOptions.api_token",
        ),
        (
            in_connection("      connectionArguments:\n        PGPASSWORD: 123456\n"),
            "source.serviceConnection.config.connectionArguments.PGPASSWORD",
        ),
    ];
    for (i, (text, path)) in refused.into_iter().enumerate() {
        let config = work.write(&format!("refused-{i}.yaml"), text);
        let out = Omrun::new(work.path())
            .args(["argo", "render", "--config-map", "-c"])
            .arg(&config)
            .run();
        out.assert_code(2);
        assert!(
            out.stderr
                .contains(&format!("{path} holds a literal secret")),
            "{path}: {}",
            out.describe()
        );
        assert!(out.stdout.is_empty(), "{path}: {}", out.stdout);
    }
}

#[test]
fn a_config_with_a_literal_secret_is_refused() {
    let work = Workdir::new();
    let text = std::fs::read_to_string(repo_root().join(EXAMPLE))
        .unwrap()
        .replace("${PG_PASSWORD}", "hunter2-literal");
    let config = work.write("literal.yaml", text);
    let out = Omrun::new(work.path())
        .args(["argo", "render", "-c"])
        .arg(&config)
        .secret("hunter2-literal")
        .run();
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("source.serviceConnection.config.authType.password holds a literal secret"),
        "{}",
        out.describe()
    );
}

#[test]
fn the_workflow_runs_pod_by_pod_a_killed_worker_is_retried_and_every_table_arrives_once() {
    let db = PgServer::from_env().create_database("argo_exec", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(OM_TOKEN);
    let config = argo_config(&work, &om, 4, "");
    let executed = execute(&work, &config, &db, Some("1/4"));
    assert_eq!(executed.phase, "Succeeded", "{:#?}", executed.pods);

    // One discover, four shards (one killed once and retried), one finalize.
    assert_eq!(executed.pods_of("discover").len(), 1);
    let workers = executed.pods_of("worker");
    let shards: BTreeSet<String> = workers
        .iter()
        .map(|p| {
            p.item.as_ref().unwrap()["shard"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        shards,
        ["0/4", "1/4", "2/4", "3/4"].map(String::from).into()
    );
    let killed: Vec<_> = workers.iter().filter(|p| p.killed).collect();
    assert_eq!(killed.len(), 1);
    assert_eq!(killed[0].item.as_ref().unwrap()["shard"], "1/4");
    assert!(workers.iter().any(|p| p.attempt == 2
        && p.exit_code == Some(0)
        && p.item.as_ref().unwrap()["shard"] == "1/4"));

    // The same records as local mode writes, each entity once: tables (with every column and
    // constraint), stored procedures, schemas, databases.
    let local_om = StandIn::start(OM_TOKEN);
    let local = work.write(
        "local.yaml",
        PgConfig::new(SERVICE, &work.join("unused"))
            .openmetadata(&local_om.host_port())
            .orchestrator("local", 4)
            .yaml(),
    );
    Omrun::ingest(work.path(), &local)
        .plugin(omrun_tests::plugin("postgres"))
        .db(&db)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .run()
        .assert_success();
    let leaves = local_om.entities(Collection::Tables).len()
        + local_om.entities(Collection::StoredProcedures).len();
    for collection in [
        Collection::Databases,
        Collection::DatabaseSchemas,
        Collection::Tables,
        Collection::StoredProcedures,
    ] {
        let requests = |om: &StandIn| -> BTreeMap<String, Value> {
            om.entities(collection)
                .into_iter()
                .map(|e| (e.fqn, e.request))
                .collect()
        };
        assert_eq!(
            requests(&om),
            requests(&local_om),
            "{collection:?} differ from local mode's"
        );
    }
    let tables: BTreeSet<String> = om
        .entities(Collection::Tables)
        .into_iter()
        .map(|e| e.fqn)
        .collect();
    assert_eq!(tables, fixture_tables(&db));
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );

    // Discover's shard list is one small item per shard; its counts add up to the leaves.
    let shard_list: Vec<Value> =
        serde_json::from_str(&executed.pods_of("discover")[0].outputs["shards"]).unwrap();
    let counted: u64 = shard_list
        .iter()
        .map(|s| s["entities"].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, leaves);

    let report = executed.final_report();
    assert_eq!(report["mode"], "argo");
    assert_eq!(report["processed"].as_u64().unwrap() as usize, leaves);
    assert_eq!(report["failed"], 0, "{report:#}");
    // Stale tables were looked for by finalize only, once per schema.
    let stale_calls = om
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/tables/deleteStale")
        .count();
    assert_eq!(stale_calls, om.entities(Collection::DatabaseSchemas).len());
}

#[test]
fn finalize_keeps_stale_tables_and_reports_a_shard_that_did_not_report() {
    let db = PgServer::from_env().create_database("argo_final", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(OM_TOKEN);
    let config = argo_config(&work, &om, 2, "");
    // Discover writes the containers; then only shard 0 reports.
    let shards = work.join("shards.json");
    Omrun::new(work.path())
        .args(["discover", "-c"])
        .arg(&config)
        .args(["--shards", "2", "--out"])
        .arg(&shards)
        .db(&db)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .env("OMRUN_PLUGIN_PATH", plugin_dir())
        .run()
        .assert_success();
    let report = work.join("worker0.json");
    Omrun::new(work.path())
        .args(["worker", "-c"])
        .arg(&config)
        .args(["--shard", "0/2", "--report-json"])
        .arg(&report)
        .db(&db)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .env("OMRUN_PLUGIN_PATH", plugin_dir())
        .run()
        .assert_success();
    let aggregate = serde_json::to_string(&[std::fs::read_to_string(&report).unwrap()]).unwrap();
    let out = Omrun::new(work.path())
        .args(["finalize", "-c"])
        .arg(&config)
        .args(["--shards", "2", "--reports", &aggregate])
        .db(&db)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .env("OMRUN_PLUGIN_PATH", plugin_dir())
        .run();
    // Finalize itself succeeded (retrying it cannot redo shard 1); its report names the shard.
    out.assert_success();
    out.assert_stderr_line("Not marking stale entities deleted: 1 of 2 shards did not report");
    out.assert_stderr_line("Failed: 1");
    assert!(
        out.stderr.contains("Failed shard shard 1/2"),
        "{}",
        out.describe()
    );
    assert!(
        !om.requests()
            .iter()
            .any(|r| r.path == "/api/v1/tables/deleteStale"),
        "no table may be marked deleted while a shard is missing"
    );
}

const ARGO_TOKEN: &str = "argo-token-3e9b27d1";

/// The Argo Server settings appended to [`argo_config`]'s `distributedExecution`.
fn argo_server(argo: &ArgoStandIn, timeout_seconds: u64) -> String {
    format!(
        "    timeoutSeconds: {timeout_seconds}\n    argoServer:\n      url: {}\n      tokenEnv: ARGO_TOKEN\n      pollSeconds: 0.2\n",
        argo.base_url()
    )
}

#[test]
fn ingest_submits_to_the_argo_server_follows_the_run_and_prints_its_summary() {
    let db = PgServer::from_env().create_database("argo_submit", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(OM_TOKEN);
    // The ConfigMap the cluster would hold, rendered beforehand as a user would apply it.
    let draft = argo_config(&work, &om, 3, "");
    let config_map = render(&work, &draft, &["--config-map"]);
    // The stand-in's controller runs each submitted Workflow's pods with the executor.
    let (pods, server, database) = (work.join("pods"), db.server.clone(), db.name.clone());
    let controller: Controller = Arc::new(move |submitted: Submitted| {
        submitted.status.set_phase("Running");
        let executed = executor(
            submitted.workflow.clone(),
            &pods,
            &config_map,
            (&server, &database),
        )
        .run();
        submitted.status.set(executed.status);
    });
    let argo = ArgoStandIn::start(ARGO_TOKEN, controller);
    let config = argo_config(&work, &om, 3, &argo_server(&argo, 600));
    assert_eq!(
        render(&work, &config, &["--config-map"])["metadata"],
        render(&work, &draft, &["--config-map"])["metadata"]
    );

    let out = Omrun::ingest(work.path(), &config)
        .env("ARGO_TOKEN", ARGO_TOKEN)
        .secret(ARGO_TOKEN)
        .secret(&db.server.password)
        .secret(OM_TOKEN)
        .run();
    out.assert_success();
    assert!(
        argo.controller_panics().is_empty(),
        "{:?}",
        argo.controller_panics()
    );
    out.assert_stderr_line("Using ARGO distributed execution");
    out.assert_stderr_line(&format!(
        "{}/workflows/argo/omrun-omrun-argo-",
        argo.base_url()
    ));
    let leaves =
        om.entities(Collection::Tables).len() + om.entities(Collection::StoredProcedures).len();
    out.assert_stderr_line(&format!("Processed: {leaves}"));
    out.assert_stderr_line("Failed: 0");
    out.assert_stderr_line("Succeeded");

    let tables: BTreeSet<String> = om
        .entities(Collection::Tables)
        .into_iter()
        .map(|e| e.fqn)
        .collect();
    assert_eq!(tables, fixture_tables(&db));
    // What was posted holds references to the Secret, never a value.
    let posted: Vec<_> = argo
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posted.len(), 1);
    for secret in [db.server.password.as_str(), OM_TOKEN, ARGO_TOKEN] {
        assert!(
            !posted[0].body.contains(secret),
            "the submitted Workflow contains a secret"
        );
    }
}

#[test]
fn ingest_stops_with_a_clear_error_on_a_refused_token_a_conflict_and_the_timeout() {
    let work = Workdir::new();
    let om = StandIn::start(OM_TOKEN);
    // A cluster that accepts Workflows and never finishes them.
    let argo = ArgoStandIn::start(
        ARGO_TOKEN,
        Arc::new(|s: Submitted| s.status.set_phase("Running")),
    );
    let config = argo_config(&work, &om, 2, &argo_server(&argo, 1));
    let ingest = |token: &str| {
        Omrun::ingest(work.path(), &config)
            .env("ARGO_TOKEN", token)
            .secret(token)
            .run()
    };

    let refused = ingest("not-the-token-77");
    refused.assert_code(2);
    assert!(
        refused
            .stderr
            .contains("the Argo Server refused the token (401 Unauthorized)"),
        "{}",
        refused.describe()
    );

    argo.fail_next_submit(409);
    let conflict = ingest(ARGO_TOKEN);
    conflict.assert_code(2);
    assert!(
        conflict.stderr.contains("409 Conflict") && conflict.stderr.contains("already exists"),
        "{}",
        conflict.describe()
    );

    let started = std::time::Instant::now();
    let timed_out = ingest(ARGO_TOKEN);
    timed_out.assert_code(1);
    assert!(
        timed_out
            .stderr
            .contains("did not finish within timeoutSeconds (1 s); it is still Running in Argo"),
        "{}",
        timed_out.describe()
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));

    // Nothing ever ran here instead: the OpenMetadata stand-in saw no call.
    assert!(om.requests().is_empty(), "{:?}", om.requests());
    let missing = Omrun::ingest(work.path(), &config)
        .env_remove("ARGO_TOKEN")
        .run();
    missing.assert_code(2);
    assert!(
        missing.stderr.contains("export ARGO_TOKEN"),
        "{}",
        missing.describe()
    );
}

#[test]
fn the_checked_in_workflow_template_is_what_render_prints() {
    let work = Workdir::new();
    let out = Omrun::new(work.path())
        .args(["argo", "render", "--template", "-c"])
        .arg(repo_root().join(EXAMPLE))
        .run();
    out.assert_success();
    let checked_in =
        std::fs::read_to_string(repo_root().join("k8s/workflow-template.yaml")).unwrap();
    let body: String = checked_in
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        body.trim(),
        out.stdout.trim(),
        "k8s/workflow-template.yaml is stale: regenerate it with the command in its header"
    );
}

/// The `.wasm` files the pods' plugin stores hold after a run: each pod starts with an empty
/// work folder, so each one that loaded the plugin pulled it.
fn pulled_into_pods(pods: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for pod in std::fs::read_dir(pods).unwrap().flatten() {
        let store = pod.path().join("work/cache/plugins/sha256");
        for file in std::fs::read_dir(store).into_iter().flatten().flatten() {
            found.push(file.path());
        }
    }
    found
}

#[test]
fn pods_pull_the_pinned_plugin_from_a_private_registry_with_the_registry_secret() {
    let (user, password) = ("puller", "registry-pw-91c2");
    let registry = Registry::with_user(user, password);
    let db = PgServer::from_env().create_database("argo_oci", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(OM_TOKEN);
    let with_credentials = |command: Omrun| {
        command
            .env("OMRUN_REGISTRY_USERNAME", user)
            .env("OMRUN_REGISTRY_PASSWORD", password)
            .env("OMRUN_PLUGIN_STORE", work.join("store"))
            .secret(password)
    };
    let reference = registry.reference("acme/postgres:stable");
    with_credentials(Omrun::new(work.path()))
        .args(["plugin", "push"])
        .arg(omrun_tests::plugin("postgres"))
        .arg(&reference)
        .run()
        .assert_success();
    let config = argo_config(&work, &om, 2, "    registrySecret: omrun-registry\n");
    let yaml = std::fs::read_to_string(&config).unwrap().replacen(
        "  serviceConnection:",
        &format!("  plugin: {{ref: '{reference}'}}\n  serviceConnection:"),
        1,
    );
    std::fs::write(&config, yaml).unwrap();
    let rendered = |extra: &[&str]| -> Value {
        let out = with_credentials(Omrun::new(work.path()))
            .args(["argo", "render", "--json", "-c"])
            .arg(&config)
            .args(extra.iter().copied())
            .run();
        out.assert_success();
        serde_json::from_str(&out.stdout).unwrap()
    };
    let workflow = rendered(&[]);
    let config_map = rendered(&["--config-map"]);
    omrun_tests::argo::validate_workflow(&workflow)
        .unwrap_or_else(|errors| panic!("Argo's schema refuses the Workflow: {errors:#?}"));
    let volume = workflow["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "registry")
        .expect("a registry volume");
    assert_eq!(volume["secret"]["secretName"], "omrun-registry");

    // The cluster: the Secret `kubectl create secret docker-registry` makes, no plugin in the image.
    let docker_config = registry.docker_config(user, password);
    let pods = work.join("pods");
    let cluster = |docker_config: &str| {
        let mut executor = Executor::new(workflow.clone(), &pods)
            .config_map(&config_map)
            .secret_volume("omrun-registry", &[(".dockerconfigjson", docker_config)]);
        for (key, value) in [
            ("POSTGRES_USER", db.server.user.clone()),
            ("POSTGRES_PASSWORD", db.server.password.clone()),
            ("POSTGRES_HOST", db.server.host.clone()),
            ("POSTGRES_PORT", db.server.port.to_string()),
            ("POSTGRES_DATABASE", db.name.clone()),
            ("OM_JWT_TOKEN", OM_TOKEN.into()),
        ] {
            executor = executor.secret(key, &value);
        }
        executor
    };
    let executed = cluster(&docker_config).run();
    assert_eq!(executed.phase, "Succeeded", "{:#?}", executed.pods);
    let tables: BTreeSet<String> = om
        .entities(Collection::Tables)
        .into_iter()
        .map(|e| e.fqn)
        .collect();
    assert_eq!(tables, fixture_tables(&db));

    // Every pod that ran the plugin pulled the bytes the rendering pinned.
    let sha256 = config_map["data"]["config.yaml"]
        .as_str()
        .unwrap()
        .split("sha256: ")
        .nth(1)
        .expect("the shipped config pins the plugin")[..64]
        .to_owned();
    let pulled = pulled_into_pods(&pods);
    assert!(
        pulled.len() >= 3,
        "discover and both workers pull: {pulled:?}"
    );
    for file in &pulled {
        assert!(
            file.ends_with(format!("{sha256}.wasm")),
            "{}",
            file.display()
        );
    }

    // A Secret with a wrong password: discover fails, saying which credentials were refused.
    std::fs::remove_dir_all(&pods).unwrap();
    let refused = cluster(&registry.docker_config(user, "not-the-password")).run();
    assert_eq!(refused.phase, "Failed");
    let discover = refused.pods_of("discover");
    assert!(
        discover.iter().all(|p| p
            .stderr
            .contains("the registry refused the credentials (the docker config)")),
        "{discover:#?}"
    );
    assert!(refused.pods_of("worker").is_empty());
}
