//! Airflow mode on a real Airflow 3 (PyPI `apache-airflow`, its API server, scheduler with the
//! LocalExecutor and DAG processor on SQLite; tests/support/airflow/scheduler.rs): the rendered
//! DAGs imported by Airflow itself, `omrun ingest` placing the DAG, triggering and following a
//! run over real PostgreSQL into the OpenMetadata stand-in (a worker killed and retried by
//! Airflow), and the errors a user meets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use omrun_tests::airflow::scheduler::Scheduling;
use omrun_tests::openmetadata::{Attempts, Collection, StandIn};
use omrun_tests::{Omrun, PgConfig, PgServer, TestDb, Workdir, Workflow, fixture, fqn, repo_root};
use serde_json::{Value, json};

const OM_TOKEN: &str = "om-airflow-jwt-7c41d09e";
const PG_CONNECTION: &str = "omrun_test_pg";
const EXAMPLE: &str = "examples/distributed-ingestion/postgres-airflow.yaml";

/// One Airflow for the tests of this binary. Its workers' environment holds where PostgreSQL is
/// and who to be; the password and the OpenMetadata token come from Airflow (a Connection and a
/// Variable), the database name from a Variable per test.
fn airflow() -> &'static Scheduling {
    static AIRFLOW: OnceLock<Scheduling> = OnceLock::new();
    AIRFLOW.get_or_init(|| {
        let pg = PgServer::from_env();
        let port = pg.port.to_string();
        let airflow = Scheduling::start(&[
            ("POSTGRES_USER", pg.user.as_str()),
            ("POSTGRES_HOST", pg.host.as_str()),
            ("POSTGRES_PORT", port.as_str()),
        ]);
        let api = Api::new(&airflow);
        api.call(
            "POST",
            "connections",
            Some(
                json!({"connection_id": PG_CONNECTION, "conn_type": "postgres",
                        "password": pg.password}),
            ),
        );
        api.call(
            "POST",
            "variables",
            Some(json!({"key": "OM_JWT_TOKEN", "value": OM_TOKEN})),
        );
        airflow
    })
}

/// Airflow's REST API as the admin, for what the tests set up and look at.
struct Api {
    http: reqwest::blocking::Client,
    url: String,
    token: String,
}

impl Api {
    fn new(airflow: &Scheduling) -> Api {
        let http = reqwest::blocking::Client::new();
        let (user, password) = airflow.admin();
        let answer: Value = http
            .post(format!("{}/auth/token", airflow.url()))
            .json(&json!({"username": user, "password": password}))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("Airflow's /auth/token: {e}"));
        Api {
            http,
            url: airflow.url().to_owned(),
            token: answer["access_token"].as_str().unwrap().to_owned(),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/api/v2/{path}", self.url);
        let mut request = self
            .http
            .request(method.parse().unwrap(), &url)
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .unwrap_or_else(|e| panic!("{method} {url}: {e:?}"));
        let status = response.status();
        let text = response.text().unwrap_or_default();
        assert!(status.is_success(), "{method} {url}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

/// A PostgreSQL config in Airflow mode writing into `om`: `shards` worker tasks, the database
/// name from the Airflow Variable `variable`, then `extra` YAML under `airflow:`.
fn airflow_config(
    work: &Workdir,
    service: &str,
    om: &StandIn,
    shards: u32,
    variable: &str,
    extra: &str,
) -> PathBuf {
    let airflow = airflow();
    let yaml = PgConfig::new(service, &work.join("unused"))
        .openmetadata(&om.host_port())
        .orchestrator("airflow", shards)
        .retry(3, 0.0)
        .yaml()
        + &format!(
            "    plugin:\n      path: {plugin}\n    airflow:\n      url: {url}\n      \
             dagsFolder: {dags}\n      omrun: {omrun}\n      pollSeconds: 0.2\n      \
             parseTimeoutSeconds: 120\n      secrets:\n        POSTGRES_PASSWORD: \
             {{connection: {PG_CONNECTION}, field: password}}\n        POSTGRES_DATABASE: \
             {{variable: {variable}}}\n{extra}",
            plugin = omrun_tests::plugin("postgres").display(),
            url = airflow.url(),
            dags = airflow.dags_folder().display(),
            omrun = omrun_tests::paths::omrun_bin().display(),
        );
    work.write("airflow.yaml", yaml)
}

/// `omrun ingest` of `config` as the admin; the secrets must not show.
fn ingest(work: &Workdir, config: &Path, password: &str) -> omrun_tests::RunOutput {
    let (user, _) = airflow().admin();
    Omrun::ingest(work.path(), config)
        .env("AIRFLOW_USERNAME", user)
        .env("AIRFLOW_PASSWORD", password)
        .env_remove("AIRFLOW_TOKEN")
        .secret(password)
        .secret(OM_TOKEN)
        .run()
}

fn fixture_tables(service: &str, db: &TestDb) -> BTreeSet<String> {
    fixture::TABLES
        .iter()
        .map(|t| {
            let (schema, table) = t.split_once('.').unwrap();
            fqn(&[service, &db.name, schema, table])
        })
        .collect()
}

/// Kills, once, the `omrun worker` process of `shard` that `marker` (a path in its config) picks
/// out, as soon as it runs; answers whether it did.
fn kill_worker_once(marker: String, shard: &'static str) -> std::thread::JoinHandle<bool> {
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(300) {
            for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                    continue;
                };
                let args: Vec<String> = cmdline
                    .split(|b| *b == 0)
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                let ours = args.iter().any(|a| a.ends_with("omrun"))
                    && args.get(1).is_some_and(|a| a == "worker")
                    && args.windows(2).any(|w| w[0] == "--shard" && w[1] == shard)
                    && args.iter().any(|a| a.contains(&marker));
                if ours {
                    let pid: i32 = entry.file_name().to_string_lossy().parse().unwrap();
                    // SAFETY: kill(2) on a pid we just read; at worst it is gone already.
                    return unsafe { libc_kill(pid, 9) } == 0;
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    })
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, signal: i32) -> i32;
}

#[test]
fn ingest_runs_the_dag_on_airflow_a_killed_worker_is_retried_and_the_records_equal_local_modes() {
    const SERVICE: &str = "omrun_airflow";
    let db = PgServer::from_env().create_database("airflow_run", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(OM_TOKEN);
    let api = Api::new(airflow());
    api.call(
        "POST",
        "variables",
        Some(json!({"key": "airflow_run_database", "value": db.name})),
    );
    let config = airflow_config(&work, SERVICE, &om, 4, "airflow_run_database", "");
    let dag_file = airflow().dags_folder().join(format!("omrun_{SERVICE}.py"));
    // Each task runs omrun on its own copy of the config, in a folder named omrun-*: the worker
    // of shard 1/4 is found by its arguments and killed once.
    let killer = kill_worker_once("/omrun-".into(), "1/4");

    let out = ingest(&work, &config, airflow().admin().1);
    let killed = killer.join().unwrap();
    assert!(
        out.code == Some(0),
        "{}\n{}",
        out.describe(),
        airflow().log()
    );
    assert!(killed, "no worker of shard 1/4 was seen running");
    out.assert_stderr_line("Using AIRFLOW distributed execution");
    out.assert_stderr_line(&format!("Wrote the DAG file {}", dag_file.display()));
    out.assert_stderr_line(&format!("{}/dags/omrun_{SERVICE}/runs/", airflow().url()));
    let leaves =
        om.entities(Collection::Tables).len() + om.entities(Collection::StoredProcedures).len();
    out.assert_stderr_line(&format!("Processed: {leaves}"));
    out.assert_stderr_line("Failed: 0");

    // Airflow ran discover, four workers (shard 1/4 twice: killed, then retried) and finalize.
    let runs = api.call("GET", &format!("dags/omrun_{SERVICE}/dagRuns"), None);
    let run = &runs["dag_runs"][0];
    assert_eq!(run["state"], "success");
    let run_id = run["dag_run_id"].as_str().unwrap();
    let instances = api.call(
        "GET",
        &format!(
            "dags/omrun_{SERVICE}/dagRuns/{}/taskInstances",
            encode(run_id)
        ),
        None,
    );
    let tries: BTreeMap<(String, i64), (String, i64)> = instances["task_instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                (
                    t["task_id"].as_str().unwrap().to_owned(),
                    t["map_index"].as_i64().unwrap(),
                ),
                (
                    t["state"].as_str().unwrap().to_owned(),
                    t["try_number"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    let expected: BTreeMap<(String, i64), (String, i64)> = [
        (("discover".into(), -1), ("success".into(), 1)),
        (("worker".into(), 0), ("success".into(), 1)),
        (("worker".into(), 1), ("success".into(), 2)),
        (("worker".into(), 2), ("success".into(), 1)),
        (("worker".into(), 3), ("success".into(), 1)),
        (("finalize".into(), -1), ("success".into(), 1)),
    ]
    .into();
    assert_eq!(tries, expected);

    // The same records as local mode writes, each entity once.
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
    assert_eq!(tables, fixture_tables(SERVICE, &db));
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );

    // The DAG file holds references, never a value; a second ingest finds it up to date.
    let text = std::fs::read_to_string(&dag_file).unwrap();
    assert!(text.contains("${POSTGRES_PASSWORD}"));
    for secret in [db.server.password.as_str(), OM_TOKEN, airflow().admin().1] {
        assert!(!text.contains(secret), "the DAG file holds a secret");
    }
}

#[test]
fn an_entity_that_always_fails_is_named_by_finalize_after_airflows_retries_and_nothing_is_marked_deleted()
 {
    const SERVICE: &str = "omrun_airflow_failing";
    let db = PgServer::from_env().create_database("airflow_fail", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(OM_TOKEN);
    // A table no foreign key involves: its worker writes it (none is left to finalize).
    om.fail_item("raw_orders", 400, Attempts::Always);
    let api = Api::new(airflow());
    api.call(
        "POST",
        "variables",
        Some(json!({"key": "airflow_fail_database", "value": db.name})),
    );
    let config = airflow_config(&work, SERVICE, &om, 2, "airflow_fail_database", "");

    let out = ingest(&work, &config, airflow().admin().1);
    out.assert_code(1);
    // Its worker failed each of its three tries; finalize read that worker's last report
    // (pushed before it failed): the table is named, not its shard.
    let raw_orders = fqn(&[SERVICE, &db.name, "staging", "raw_orders"]);
    assert!(
        out.stderr
            .contains(&format!("Failed table {raw_orders} after")),
        "{}\n{}",
        out.describe(),
        airflow().log()
    );
    out.assert_stderr_line("Failed: 1");
    assert!(!out.stderr.contains("did not report"), "{}", out.describe());
    assert!(
        out.stderr.contains("DAG run omrun__")
            && out.stderr.contains(" failed: 1 entities failed ("),
        "{}",
        out.describe()
    );
    let runs = api.call("GET", &format!("dags/omrun_{SERVICE}/dagRuns"), None);
    let run_id = runs["dag_runs"][0]["dag_run_id"].as_str().unwrap();
    let instances = api.call(
        "GET",
        &format!(
            "dags/omrun_{SERVICE}/dagRuns/{}/taskInstances",
            encode(run_id)
        ),
        None,
    );
    let workers: Vec<(String, i64)> = instances["task_instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["task_id"] == "worker")
        .map(|t| {
            (
                t["state"].as_str().unwrap().to_owned(),
                t["try_number"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(workers.contains(&("failed".into(), 3)), "{workers:?}");
    assert!(workers.contains(&("success".into(), 1)), "{workers:?}");

    // A worker had failures: finalize marks nothing deleted (a table the failed entity's
    // worker did not write would look stale), as in Argo mode.
    assert!(
        !om.requests()
            .iter()
            .any(|r| r.path == "/api/v1/tables/deleteStale"),
        "no table may be marked deleted after a worker's failure"
    );
    assert!(
        airflow()
            .task_logs()
            .contains("Not marking stale entities deleted: 1 entities failed in the workers"),
        "finalize does not say why it marks nothing deleted"
    );
    let tables: BTreeSet<String> = om
        .entities(Collection::Tables)
        .into_iter()
        .map(|e| e.fqn)
        .collect();
    let mut expected = fixture_tables(SERVICE, &db);
    expected.remove(&raw_orders);
    assert_eq!(tables, expected, "every other table is in");
}

/// `run_id` as one path segment.
fn encode(run_id: &str) -> String {
    run_id
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn ingest_stops_clearly_on_a_refused_password_an_unreachable_api_a_paused_dag_and_the_timeout() {
    const SERVICE: &str = "omrun_airflow_errors";
    let work = Workdir::new();
    let om = StandIn::start(OM_TOKEN);
    let config = airflow_config(
        &work,
        SERVICE,
        &om,
        2,
        "no_such_variable",
        "    timeoutSeconds: 1\n",
    );

    let refused = ingest(&work, &config, "not-the-password-31");
    refused.assert_code(2);
    assert!(
        refused
            .stderr
            .contains("Airflow refused the user admin (401 Unauthorized)"),
        "{}",
        refused.describe()
    );

    let closed = omrun_tests::net::free_port();
    let unreachable_config = work.write(
        "unreachable.yaml",
        std::fs::read_to_string(&config)
            .unwrap()
            .replace(airflow().url(), &format!("http://127.0.0.1:{closed}")),
    );
    let unreachable = ingest(&work, &unreachable_config, airflow().admin().1);
    unreachable.assert_code(2);
    assert!(
        unreachable.stderr.contains(&format!(
            "cannot reach Airflow's API server at http://127.0.0.1:{closed}/"
        )),
        "{}",
        unreachable.describe()
    );

    // A run that cannot finish in a second (and whose database Variable does not exist).
    let started = std::time::Instant::now();
    let timed_out = ingest(&work, &config, airflow().admin().1);
    timed_out.assert_code(1);
    assert!(
        timed_out
            .stderr
            .contains("did not finish within timeoutSeconds (1 s); it is still"),
        "{}\n{}",
        timed_out.describe(),
        airflow().log()
    );
    assert!(started.elapsed() < Duration::from_secs(120));

    let api = Api::new(airflow());
    api.call(
        "PATCH",
        &format!("dags/omrun_{SERVICE}"),
        Some(json!({"is_paused": true})),
    );
    let paused = ingest(&work, &config, airflow().admin().1);
    paused.assert_code(2);
    assert!(
        paused
            .stderr
            .contains(&format!("the DAG omrun_{SERVICE} is paused in Airflow")),
        "{}",
        paused.describe()
    );
    // Nothing reached OpenMetadata from here.
    assert!(
        om.entities(Collection::Tables).is_empty(),
        "{:?}",
        om.requests()
    );
}

/// What Airflow's own DagBag makes of the DAG files of both task flavours: imported without
/// error, with the config's settings on the tasks (`tests/support/airflow/dag_settings.py`).
fn dag_settings(folder: &Path) -> Value {
    let out = std::process::Command::new(omrun_tests::airflow::venv().join("bin/python"))
        .arg(repo_root().join("tests/support/airflow/dag_settings.py"))
        .arg(folder)
        .env("AIRFLOW_HOME", folder.with_file_name("airflow-home"))
        .env("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        .env("AIRFLOW__CORE__DAGS_FOLDER", folder)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dag_settings.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Airflow logs to standard output too: the JSON is the last line.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("dag_settings.py printed no JSON ({e}):\n{}", stdout))
}

#[test]
fn the_rendered_dags_import_in_airflow_with_the_configs_settings_and_no_secret() {
    let work = Workdir::new();
    let example = repo_root().join(EXAMPLE);
    let dags = work.join("dags");
    std::fs::create_dir(&dags).unwrap();
    let secret = "pg-secret-value-0e6a";
    let render = |config: &Path| {
        let out = Omrun::new(work.path())
            .args(["airflow", "render", "-c"])
            .arg(config)
            .args(["--out"])
            .arg(&dags)
            .env("PG_PASSWORD", secret)
            .secret(secret)
            .run();
        out.assert_success();
    };
    render(&example);
    let kubernetes = work.write(
        "kubernetes.yaml",
        std::fs::read_to_string(&example)
            .unwrap()
            .replace("serviceName: postgres_prod", "serviceName: postgres_k8s")
            .replace("tasks: process", "tasks: kubernetes")
            .replace(
                "    waitForCompletion: true",
                "    image: registry.example.com/omrun:0.1.0\n    namespace: ingestion\n    \
                 resourceLimits: {memory: 1Gi}\n    registrySecret: plugin-registry\n    \
                 waitForCompletion: true",
            ),
    );
    render(&kubernetes);

    let settings = dag_settings(&dags);
    assert_eq!(settings["import_errors"], json!({}), "{settings:#}");
    for id in ["omrun_postgres_prod", "omrun_postgres_k8s"] {
        let dag = &settings["dags"][id];
        assert_eq!(dag["max_active_runs"], 1, "{id}");
        assert_eq!(dag["dagrun_timeout"], 7200.0, "{id}");
        assert_eq!(dag["schedule"], Value::Null, "{id}");
        let tasks = &dag["tasks"];
        assert_eq!(
            tasks["discover"]["downstream"],
            json!(["worker"]),
            "{id}: discover → worker"
        );
        assert_eq!(tasks["worker"]["downstream"], json!(["finalize"]), "{id}");
        assert_eq!(
            tasks["worker"]["mapped"], true,
            "{id}: the worker is mapped"
        );
        assert_eq!(tasks["worker"]["max_active_tis_per_dag"], 8, "{id}");
        assert_eq!(tasks["finalize"]["trigger_rule"], "all_done", "{id}");
        // Finalize fails a run whose entities failed; a pod cannot say so, a task after it does.
        let after_finalize = match id {
            "omrun_postgres_k8s" => json!(["verdict"]),
            _ => json!([]),
        };
        assert_eq!(tasks["finalize"]["downstream"], after_finalize, "{id}");
        for task in ["discover", "worker", "finalize"] {
            let task = &tasks[task];
            assert_eq!(
                (
                    &task["retries"],
                    &task["retry_delay"],
                    &task["retry_exponential_backoff"],
                    &task["max_retry_delay"]
                ),
                (&json!(2), &json!(10.0), &json!(2.0), &json!(300.0)),
                "{id}: retryPolicy"
            );
        }
    }
    let pod = &settings["dags"]["omrun_postgres_k8s"]["tasks"]["discover"]["pod"];
    assert_eq!(pod["image"], "registry.example.com/omrun:0.1.0");
    assert_eq!(pod["namespace"], "ingestion");
    assert_eq!(
        pod["arguments"],
        json!([
            "discover",
            "-c",
            "/etc/omrun/config.yaml",
            "--plugin",
            "/opt/omrun/plugins/postgres.wasm",
            "--shards",
            "8",
            "--out",
            "/airflow/xcom/return.json"
        ])
    );
    let container = &pod["template"]["spec"]["containers"][0];
    assert_eq!(container["name"], "base");
    assert_eq!(container["resources"]["limits"]["memory"], "1Gi");
    let env = container["env"].as_array().unwrap();
    let password = env.iter().find(|e| e["name"] == "PG_PASSWORD").unwrap();
    assert_eq!(
        password["valueFrom"]["secretKeyRef"],
        json!({"name": "omrun-secrets", "key": "PG_PASSWORD"})
    );
    // The registry's credentials, for a plugin pulled by reference: the docker config Secret.
    let docker_config = env.iter().find(|e| e["name"] == "DOCKER_CONFIG").unwrap();
    let mount = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "registry")
        .expect("the registry Secret mounted");
    assert_eq!(mount["mountPath"], docker_config["value"]);
    let volume = pod["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "registry")
        .unwrap();
    assert_eq!(volume["secret"]["secretName"], "plugin-registry");

    for file in ["omrun_postgres_prod.py", "omrun_postgres_k8s.py"] {
        let text = std::fs::read_to_string(dags.join(file)).unwrap();
        assert!(!text.contains(secret), "{file} holds the secret");
    }

    // A config with a password written out is refused, naming the key.
    let literal = work.write(
        "literal.yaml",
        std::fs::read_to_string(&example)
            .unwrap()
            .replace("${PG_PASSWORD}", "hunter2-literal"),
    );
    let refused = Omrun::new(work.path())
        .args(["airflow", "render", "-c"])
        .arg(&literal)
        .run();
    refused.assert_code(2);
    assert!(
        refused
            .stderr
            .contains("source.serviceConnection.config.authType.password holds a literal secret")
            && !refused.stdout.contains("hunter2-literal"),
        "{}",
        refused.describe()
    );
}
