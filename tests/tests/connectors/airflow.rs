//! The Airflow connector end to end: the real plugin (`build/plugins/airflow.wasm`) in omrun,
//! against a real Apache Airflow 3 (tests/support/airflow.rs) with the DAGs of
//! `tests/support/airflow/dags/` and runs of them, into the file sink (every line checked against
//! OpenMetadata's schemas), into the OpenMetadata stand-in, and compared with OpenMetadata's own
//! Airflow connector run on the same Airflow.
//!
//! What is expected comes from the DAG files (ids, tasks, schedules, owners, tags, docs: [`dags`])
//! and, for what Airflow makes up as it runs (run ids, task instances' states and times), from
//! Airflow's own API, read here with a plain HTTP client ([`AirflowApi`]); never from the plugin.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use omrun_tests::airflow::{self, ADMIN, DAGS, RUNS};
use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Omrun, Records, RunOutput, Workdir, fqn, label_fqns, plugin, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "airflow_test";
const OM_TOKEN: &str = "om-test-jwt-airflow";
const SEQUENTIAL: (&str, Option<u32>) = ("sequential", None);

/// How the connector authenticates.
#[derive(Clone)]
enum Auth {
    Password(&'static str),
    Token(String),
}

#[derive(Clone)]
struct Options {
    includes: Vec<&'static str>,
    excludes: Vec<&'static str>,
    include_owners: Option<bool>,
    include_tags: Option<bool>,
    include_paused: Option<bool>,
    number_of_status: Option<u32>,
    api_version: Option<&'static str>,
    auth: Auth,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            includes: vec![],
            excludes: vec![],
            include_owners: None,
            include_tags: None,
            include_paused: None,
            number_of_status: None,
            api_version: None,
            auth: Auth::Password(ADMIN.1),
            openmetadata: None,
        }
    }
}

fn config(work: &Workdir, host_port: &str, o: &Options) -> PathBuf {
    let mut source = String::from("      type: PipelineMetadata\n");
    if !o.includes.is_empty() || !o.excludes.is_empty() {
        let list = |l: &[&str]| l.iter().map(|s| yaml_str(s)).collect::<Vec<_>>().join(", ");
        source.push_str(&format!(
            "      pipelineFilterPattern:\n        includes: [{}]\n        excludes: [{}]\n",
            list(&o.includes),
            list(&o.excludes)
        ));
    }
    for (key, value) in [
        ("includeOwners", o.include_owners),
        ("includeTags", o.include_tags),
        ("includeUnDeployedPipelines", o.include_paused),
    ] {
        if let Some(v) = value {
            source.push_str(&format!("      {key}: {v}\n"));
        }
    }
    let auth = match &o.auth {
        Auth::Password(_) => format!(
            "username: {}\n          password: ${{AIRFLOW_PASSWORD}}",
            ADMIN.0
        ),
        Auth::Token(_) => "token: ${AIRFLOW_TOKEN}".to_owned(),
    };
    let mut connection = String::new();
    if let Some(n) = o.number_of_status {
        connection.push_str(&format!("      numberOfStatus: {n}\n"));
    }
    connection.push_str("      connection:\n        type: RestAPI\n");
    if let Some(v) = o.api_version {
        connection.push_str(&format!("        apiVersion: {v}\n"));
    }
    connection.push_str(&format!("        authConfig:\n          {auth}\n"));
    let (sink, server) = match &o.openmetadata {
        None => (
            "sink:\n  type: file\n  config:\n    filename: unused.jsonl\n".to_string(),
            String::new(),
        ),
        Some(om) => (
            "sink:\n  type: metadata-rest\n  config: {}\n".to_string(),
            format!(
                "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    \
                 securityConfig:\n      jwtToken: ${{OM_JWT_TOKEN}}\n",
                yaml_str(om)
            ),
        ),
    };
    let yaml = format!(
        "source:
  type: airflow
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: Airflow
      hostPort: {host_port}
{connection}  sourceConfig:
    config:
{source}{sink}workflowConfig:
  loggerLevel: INFO
{server}  distributedExecution:
    enabled: true
    orchestrator: sequential
    retryPolicy:
      maxAttempts: 2
      backoffSeconds: 0.05
",
        host_port = yaml_str(host_port),
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin against the Airflow at `host_port`.
fn run(
    work: &Workdir,
    host_port: &str,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    let config = config(work, host_port, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("airflow"))
        .mode(mode.0, mode.1)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .report_json(&work.join(&format!("{name}.report.json")));
    cmd = match &o.auth {
        Auth::Password(p) => cmd.env("AIRFLOW_PASSWORD", p).secret(p),
        Auth::Token(t) => cmd.env("AIRFLOW_TOKEN", t).secret(t),
    };
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

fn ingest(work: &Workdir, o: &Options, name: &str, mode: (&str, Option<u32>)) -> RunOutput {
    run(work, airflow::shared().url(), o, name, mode)
}

// ---- what the seed holds ----

/// A task: its operator, downstream tasks (sorted), doc, start and end dates.
#[derive(Debug, PartialEq)]
struct Task {
    operator: String,
    downstream: Vec<String>,
    doc: Option<String>,
    start: Option<String>,
    end: Option<String>,
}

/// A task as the DAG file defines it.
fn task(
    operator: &str,
    downstream: &[&str],
    doc: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
) -> Task {
    let owned = |s: Option<&str>| s.map(str::to_owned);
    Task {
        operator: operator.to_owned(),
        downstream: downstream.iter().map(|d| d.to_string()).collect(),
        doc: owned(doc),
        start: owned(start),
        end: owned(end),
    }
}

/// A task as a `CreatePipelineRequest` writes it.
fn written_task(t: &Value) -> Task {
    let mut downstream: Vec<String> = strings(&t["downstreamTasks"])
        .into_iter()
        .map(str::to_owned)
        .collect();
    downstream.sort();
    let text = |key: &str| t[key].as_str().map(str::to_owned);
    Task {
        operator: t["taskType"].as_str().unwrap().to_owned(),
        downstream,
        doc: text("description"),
        start: text("startDate"),
        end: text("endDate"),
    }
}

/// A DAG as its file defines it.
struct ExpectedDag {
    description: Option<&'static str>,
    /// As Airflow 3 summarises the timetable: presets become their cron expressions.
    schedule: Option<&'static str>,
    paused: bool,
    /// `max_active_runs` (Airflow's default 16).
    concurrency: u32,
    tags: Vec<&'static str>,
    /// The owners of its tasks, as a set (Airflow joins them in no fixed order).
    owners: BTreeSet<&'static str>,
    tasks: BTreeMap<&'static str, Task>,
}

const JAN_1: Option<&str> = Some("2026-01-01T00:00:00Z");

/// Every seed DAG, from `tests/support/airflow/dags/`.
fn dags() -> BTreeMap<&'static str, ExpectedDag> {
    let empty = |downstream: &[&str]| task("EmptyOperator", downstream, None, JAN_1, None);
    BTreeMap::from([
        (
            "linear_etl",
            ExpectedDag {
                description: Some("Loads the shop's orders every morning"),
                schedule: Some("0 6 * * *"),
                paused: false,
                concurrency: 2,
                tags: vec!["etl", "orders"],
                owners: ["data-eng"].into(),
                tasks: BTreeMap::from([
                    (
                        "extract",
                        task(
                            "BashOperator",
                            &["transform"],
                            Some("Reads the **orders** table."),
                            JAN_1,
                            None,
                        ),
                    ),
                    (
                        "transform",
                        task("PythonOperator", &["load"], None, JAN_1, None),
                    ),
                    (
                        "load",
                        task(
                            "BashOperator",
                            &[],
                            None,
                            Some("2026-01-02T00:00:00Z"),
                            Some("2030-12-31T00:00:00Z"),
                        ),
                    ),
                ]),
            },
        ),
        (
            "fan_out_in",
            ExpectedDag {
                description: None,
                schedule: Some("0 0 * * *"),
                paused: false,
                concurrency: 16,
                tags: vec!["fan"],
                owners: ["alice", "bob"].into(),
                tasks: BTreeMap::from([
                    ("start", empty(&["left", "middle", "right"])),
                    ("left", empty(&["join"])),
                    ("middle", empty(&["join"])),
                    ("right", empty(&["join"])),
                    ("join", empty(&[])),
                ]),
            },
        ),
        (
            "grouped",
            ExpectedDag {
                description: None,
                schedule: None,
                paused: false,
                concurrency: 16,
                tags: vec![],
                owners: ["airflow"].into(),
                tasks: BTreeMap::from([
                    ("prep.clean", empty(&["prep.check"])),
                    (
                        "prep.check",
                        task(
                            "EmptyOperator",
                            &["publish"],
                            Some("Checks the cleaned rows."),
                            JAN_1,
                            None,
                        ),
                    ),
                    ("publish", empty(&[])),
                ]),
            },
        ),
        (
            "paused_report",
            ExpectedDag {
                description: Some("Weekly report, switched off"),
                schedule: Some("0 0 * * 0"),
                paused: true,
                concurrency: 16,
                tags: vec!["etl", "report"],
                owners: ["carol"].into(),
                tasks: BTreeMap::from([("render", empty(&[]))]),
            },
        ),
        (
            "sometimes_fails",
            ExpectedDag {
                description: None,
                schedule: None,
                paused: false,
                concurrency: 16,
                tags: vec!["etl"],
                owners: ["airflow"].into(),
                tasks: BTreeMap::from([
                    (
                        "check",
                        task("BashOperator", &["cleanup", "notify"], None, JAN_1, None),
                    ),
                    ("notify", empty(&[])),
                    ("cleanup", empty(&[])),
                ]),
            },
        ),
    ])
}

/// Airflow's REST API as the tests read it: a JWT from `POST /auth/token`, then `GET`s.
struct AirflowApi {
    url: String,
    token: String,
    http: reqwest::blocking::Client,
}

impl AirflowApi {
    fn new() -> AirflowApi {
        let url = airflow::shared().url().to_owned();
        let http = reqwest::blocking::Client::new();
        let answer: Value = http
            .post(format!("{url}/auth/token"))
            .json(&json!({"username": ADMIN.0, "password": ADMIN.1}))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .expect("a token from Airflow");
        AirflowApi {
            url,
            token: answer["access_token"].as_str().unwrap().to_owned(),
            http,
        }
    }

    fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}/api/v2{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("Airflow GET {path}: {e}"))
    }

    /// A DAG's runs, newest logical date first, each with its task instances.
    fn runs(&self, dag: &str) -> Vec<(Value, Vec<Value>)> {
        let runs = self.get(&format!("/dags/{dag}/dagRuns?order_by=-logical_date"));
        runs["dag_runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|run| {
                let id = urlencode(run["dag_run_id"].as_str().unwrap());
                let tis = self.get(&format!("/dags/{dag}/dagRuns/{id}/taskInstances"));
                (
                    run.clone(),
                    tis["task_instances"].as_array().unwrap().clone(),
                )
            })
            .collect()
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Milliseconds since the epoch of Airflow's `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, as Python's
/// `int(datetime.timestamp() * 1000)` computes them (a float of seconds, truncated).
fn millis(text: &str) -> i64 {
    let text = text
        .strip_suffix('Z')
        .unwrap_or_else(|| panic!("not UTC: {text}"));
    let (date, time) = text.split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|p| p.parse().unwrap()).collect();
    let (clock, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let t: Vec<i64> = clock.split(':').map(|p| p.parse().unwrap()).collect();
    let micros: i64 = format!("{fraction:0<6}")[..6].parse().unwrap();
    // Days since 1970-01-01 by counting (the seed's dates are few and recent).
    let mut days = 0;
    for year in 1970..d[0] {
        days += if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
            366
        } else {
            365
        };
    }
    let leap = (d[0] % 4 == 0 && d[0] % 100 != 0) || d[0] % 400 == 0;
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    days += months[..(d[1] - 1) as usize].iter().sum::<i64>() + d[2] - 1;
    let seconds = ((days * 24 + t[0]) * 60 + t[1]) * 60 + t[2];
    ((seconds * 1_000_000 + micros) as f64 / 1e6 * 1000.0) as i64
}

/// OpenMetadata's `STATUS_MAP`.
fn status(state: &Value) -> &'static str {
    match state.as_str() {
        Some("success") => "Successful",
        Some("failed" | "upstream_failed") => "Failed",
        Some("skipped") => "Skipped",
        _ => "Pending",
    }
}

/// The `PipelineStatus` OpenMetadata's connector writes for a run, built from Airflow's answers.
fn expected_status(run: &Value, instances: &[Value]) -> Value {
    let when = run["logical_date"]
        .as_str()
        .or(run["start_date"].as_str())
        .unwrap();
    let tasks: Vec<Value> = instances
        .iter()
        .map(|ti| {
            let mut t = json!({"name": ti["task_id"], "executionStatus": status(&ti["state"])});
            for (key, field) in [("startTime", "start_date"), ("endTime", "end_date")] {
                if let Some(at) = ti[field].as_str() {
                    t[key] = millis(at).into();
                }
            }
            t
        })
        .collect();
    json!({
        "timestamp": millis(when),
        "executionStatus": status(&run["state"]),
        "executionId": run["dag_run_id"],
        "taskStatus": tasks,
    })
}

// ---- what was written ----

fn pipeline<'a>(records: &'a Records, name: &str) -> &'a Value {
    records
        .of_kind("CreatePipelineRequest")
        .find(|r| r.request["name"] == name)
        .map(|r| &r.request)
        .unwrap_or_else(|| panic!("no pipeline {name} in {}", records.path.display()))
}

fn pipeline_names(records: &Records) -> BTreeSet<String> {
    records
        .of_kind("CreatePipelineRequest")
        .map(|r| r.request["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The runs written for pipeline `name`, newest first (the file holds them oldest first), with
/// their tasks in name order.
fn statuses(records: &Records, name: &str) -> Vec<Value> {
    let fqn = fqn(&[SERVICE, name]);
    let mut runs: Vec<Value> = records
        .of_kind("PipelineStatus")
        .filter(|r| r.fqn == fqn)
        .map(|r| sorted_tasks(r.request.clone()))
        .collect();
    runs.reverse();
    runs
}

fn sorted_tasks(mut status: Value) -> Value {
    if let Some(tasks) = status["taskStatus"].as_array_mut() {
        tasks.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    }
    status
}

/// The runs OpenMetadata's connector would write for `dag` (the latest `limit`), newest first.
fn expected_statuses(api: &AirflowApi, dag: &str, limit: usize) -> Vec<Value> {
    api.runs(dag)
        .iter()
        .take(limit)
        .map(|(run, tis)| sorted_tasks(expected_status(run, tis)))
        .collect()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap()).collect())
        .unwrap_or_default()
}

// ---- the tests ----

/// Every DAG, paused ones included, as a pipeline with its tasks, schedule, state, location,
/// tags and source URLs; its runs (all of them: fewer than `numberOfStatus`) after it.
#[test]
fn every_dag_arrives_with_its_tasks_and_runs() {
    let server = airflow::shared();
    let work = Workdir::new();
    let out = ingest(&work, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Airflow");
    let want = dags();
    assert_eq!(
        pipeline_names(&records),
        DAGS.iter().map(|d| d.to_string()).collect::<BTreeSet<_>>()
    );
    assert_eq!(want.keys().copied().collect::<Vec<_>>().len(), DAGS.len());
    let folder = airflow::dags_folder();
    for (name, dag) in &want {
        let p = pipeline(&records, name);
        assert_eq!(p["description"].as_str(), dag.description, "{name}: {p}");
        assert_eq!(p["scheduleInterval"].as_str(), dag.schedule, "{name}: {p}");
        let state = if dag.paused { "Inactive" } else { "Active" };
        assert_eq!(p["state"], state, "{name}");
        assert_eq!(p["concurrency"], dag.concurrency, "{name}");
        assert_eq!(
            p["pipelineLocation"].as_str().map(PathBuf::from),
            Some(folder.join(format!("{name}.py"))),
            "{name}"
        );
        assert_eq!(p["sourceUrl"], format!("{}/dags/{name}", server.url()));
        assert!(
            p.get("startDate").is_none(),
            "Airflow 3's DAG listing has none: {p}"
        );
        assert!(
            p.get("owners").is_none(),
            "the file sink writes no owners: {p}"
        );
        let tags: BTreeSet<&str> = label_fqns(p).into_iter().collect();
        let want_tags: BTreeSet<String> = dag
            .tags
            .iter()
            .map(|t| format!("AirflowTags.{t}"))
            .collect();
        assert_eq!(
            tags,
            want_tags.iter().map(String::as_str).collect(),
            "{name}"
        );
        let tasks: BTreeMap<&str, Task> = p["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let task = t["name"].as_str().unwrap();
                assert_eq!(
                    t["sourceUrl"],
                    format!("{}/dags/{name}/tasks/{task}", server.url())
                );
                (task, written_task(t))
            })
            .collect();
        assert_eq!(tasks, dag.tasks, "{name}");
        // Airflow lists tasks by id, and so does the request.
        let order: Vec<&str> = p["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "{name}");
    }

    // The AirflowTags classification and each tag, with OpenMetadata's descriptions.
    let classification = records
        .of_kind("CreateClassificationRequest")
        .find(|r| r.request["name"] == "AirflowTags")
        .unwrap_or_else(|| panic!("no AirflowTags classification"));
    assert_eq!(
        classification.request["description"],
        "Tags associated with airflow entities."
    );
    let tags: BTreeMap<&str, &str> = records
        .of_kind("CreateTagRequest")
        .map(|r| {
            (
                r.request["name"].as_str().unwrap(),
                r.request["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tags,
        BTreeMap::from([
            ("etl", "Airflow Tag"),
            ("fan", "Airflow Tag"),
            ("orders", "Airflow Tag"),
            ("report", "Airflow Tag")
        ])
    );

    // Every run of the seed (numberOfStatus 10 > 3), as Airflow reports it.
    let api = AirflowApi::new();
    for name in DAGS {
        let runs = RUNS.iter().filter(|(d, _)| d == name).count();
        let written = statuses(&records, name);
        assert_eq!(written.len(), runs, "{name}: {written:#?}");
        assert_eq!(written, expected_statuses(&api, name, 10), "{name}");
    }
    assert_eq!(out.report()["failed"], 0);
}

/// The runs and their task statuses: the latest `numberOfStatus` only, newest first, dated by the
/// logical date; a failed run with its failed, upstream-failed and successful tasks.
#[test]
fn the_latest_runs_with_their_task_statuses() {
    let work = Workdir::new();
    let options = Options {
        number_of_status: Some(2),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    let linear = statuses(&records, "linear_etl");
    let dates: Vec<i64> = linear
        .iter()
        .map(|r| r["timestamp"].as_i64().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            millis("2026-02-03T00:00:00Z"),
            millis("2026-02-02T00:00:00Z")
        ],
        "the two latest of the three runs, newest first"
    );
    for run in &linear {
        assert_eq!(run["executionStatus"], "Successful");
        let tasks: Vec<(&str, &str)> = run["taskStatus"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap(),
                    t["executionStatus"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            tasks,
            [
                ("extract", "Successful"),
                ("load", "Successful"),
                ("transform", "Successful")
            ]
        );
        for t in run["taskStatus"].as_array().unwrap() {
            assert!(
                t["startTime"].as_i64().unwrap() <= t["endTime"].as_i64().unwrap(),
                "{t}"
            );
        }
    }
    let [failed] = statuses(&records, "sometimes_fails")
        .try_into()
        .unwrap_or_else(|r| panic!("{r:#?}"));
    assert_eq!(failed["executionStatus"], "Failed");
    assert!(
        failed["executionId"]
            .as_str()
            .unwrap()
            .starts_with("manual__"),
        "{failed}"
    );
    let tasks: BTreeMap<&str, &str> = failed["taskStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["executionStatus"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tasks,
        BTreeMap::from([
            ("check", "Failed"),
            ("cleanup", "Successful"),
            ("notify", "Failed")
        ])
    );
    assert!(statuses(&records, "paused_report").is_empty());
    let api = AirflowApi::new();
    assert_eq!(linear, expected_statuses(&api, "linear_etl", 2));
}

#[test]
fn sequential_and_local_write_the_same() {
    let work = Workdir::new();
    let seq = ingest(&work, &Options::default(), "sequential", SEQUENTIAL);
    seq.assert_success();
    let local = ingest(&work, &Options::default(), "local", ("local", Some(4)));
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set()
    );
    assert_eq!(pipeline_names(&local.records()).len(), DAGS.len());
}

/// `pipelineFilterPattern` on the DAG id (from the start, ignoring case; excludes win), and
/// `includeUnDeployedPipelines: false`, which leaves out the paused DAG.
#[test]
fn the_filter_pattern_and_paused_dags() {
    let work = Workdir::new();
    let filtered = Options {
        includes: vec!["LINEAR", ".*_(in|report)$"],
        excludes: vec!["fan"],
        ..Options::default()
    };
    let out = ingest(&work, &filtered, "filtered", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    assert_eq!(
        pipeline_names(&records),
        ["linear_etl", "paused_report"].map(String::from).into()
    );
    assert!(
        records
            .of_kind("PipelineStatus")
            .all(|r| r.fqn == fqn(&[SERVICE, "linear_etl"])),
        "runs only of the kept pipelines"
    );

    let deployed = Options {
        include_paused: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &deployed, "deployed", SEQUENTIAL);
    out.assert_success();
    let want: BTreeSet<String> = DAGS
        .iter()
        .filter(|d| **d != "paused_report")
        .map(|d| d.to_string())
        .collect();
    assert_eq!(pipeline_names(&out.records()), want);
}

/// `includeTags: false` writes no tags (and no classification); the owners, which the file sink
/// never writes, are checked into OpenMetadata below.
#[test]
fn without_tags() {
    let work = Workdir::new();
    let options = Options {
        include_tags: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    assert_eq!(pipeline_names(&records).len(), DAGS.len());
    for r in records.of_kind("CreatePipelineRequest") {
        assert!(label_fqns(&r.request).is_empty(), "{}", r.request);
    }
    assert_eq!(records.count("CreateClassificationRequest"), 0);
    assert_eq!(records.count("CreateTagRequest"), 0);
}

/// An access token instead of a password (`authConfig: {token}`), sent as `Bearer`: here one
/// Airflow issued to the test user.
#[test]
fn an_access_token_instead_of_a_password() {
    let api = AirflowApi::new();
    let work = Workdir::new();
    let options = Options {
        auth: Auth::Token(api.token.clone()),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_success();
    assert_eq!(pipeline_names(&out.records()).len(), DAGS.len());
}

#[test]
fn a_wrong_password_fails_clearly_with_airflows_answer() {
    let work = Workdir::new();
    let options = Options {
        auth: Auth::Password("not-the-Airfl0w-pw"),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_code(1);
    for needle in [
        "Airflow refused the credentials",
        "HTTP 401",
        // Airflow's own answers: to the token request, and to the call with HTTP Basic.
        "Invalid credentials",
        "Not authenticated",
        "check serviceConnection.config.connection.authConfig.username and password",
    ] {
        assert!(out.stderr.contains(needle), "{needle}:\n{}", out.describe());
    }
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
}

/// A token Airflow cannot verify is refused (Airflow 3 answers 403), naming what to check.
#[test]
fn a_wrong_token_fails_clearly() {
    let work = Workdir::new();
    let options = Options {
        auth: Auth::Token("not-a-jwt-Airfl0w-tok".into()),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("Airflow refused the credentials or their access")
            && out
                .stderr
                .contains("HTTP 403: {\"detail\":\"Invalid JWT token\"}")
            && out
                .stderr
                .contains("check serviceConnection.config.connection.authConfig.token"),
        "{}",
        out.describe()
    );
}

/// `apiVersion: v1` against Airflow 3, which removed `/api/v1`: Airflow's answer says so.
#[test]
fn api_version_v1_against_airflow_3_names_airflows_answer() {
    let work = Workdir::new();
    let options = Options {
        api_version: Some("v1"),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_code(1);
    assert!(
        out.stderr.contains("Airflow GET /api/v1/dags: HTTP 404")
            && out.stderr.contains("/api/v1 has been removed in Airflow 3"),
        "{}",
        out.describe()
    );
}

#[test]
fn an_unreachable_airflow_fails_before_the_run() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let work = Workdir::new();
    let url = format!("http://127.0.0.1:{port}");
    let out = run(&work, &url, &Options::default(), "out", SEQUENTIAL);
    assert_ne!(out.code, Some(0), "{}", out.describe());
    assert!(
        out.stderr.contains("cannot reach the source")
            && out.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        out.describe()
    );
}

/// Into OpenMetadata: the pipelines, their runs (`PUT /v1/pipelines/{fqn}/status`), the tags; the
/// owners resolved by name to OpenMetadata's users and teams (`fan_out_in`: users alice and bob;
/// `linear_etl`: team data-eng), an owner OpenMetadata does not know left out (`carol`,
/// `airflow`).
#[test]
fn into_openmetadata_with_owners_and_runs() {
    let om = StandIn::start(OM_TOKEN);
    let alice = om.add_user("alice", "alice@example.com");
    let bob = om.add_user("bob", "bob@example.com");
    let data_eng = om.add_team("data-eng", "data-eng@example.com");
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &options, "om", ("local", Some(3)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let stored: BTreeSet<String> = om
        .entities(Collection::Pipelines)
        .into_iter()
        .map(|e| e.fqn)
        .collect();
    assert_eq!(stored, DAGS.iter().map(|d| fqn(&[SERVICE, d])).collect());
    let owners = |dag: &str| -> BTreeSet<String> {
        let p = om
            .entity(Collection::Pipelines, &fqn(&[SERVICE, dag]))
            .unwrap();
        p.body["owners"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let known = BTreeMap::from([("alice", alice), ("bob", bob), ("data-eng", data_eng)]);
    let mut resolved = 0;
    for (dag, want) in dags() {
        let ids: BTreeSet<String> = want
            .owners
            .iter()
            .filter_map(|o| known.get(o).cloned())
            .collect();
        resolved += ids.len();
        assert_eq!(owners(dag), ids, "{dag}: owners {:?}", want.owners);
    }
    assert_eq!(resolved, 3, "alice, bob and data-eng each own a DAG");
    assert!(
        owners("paused_report").is_empty(),
        "carol is nobody in OpenMetadata"
    );
    let api = AirflowApi::new();
    for dag in DAGS {
        let mut runs: Vec<Value> = om
            .pipeline_statuses(&fqn(&[SERVICE, dag]))
            .into_iter()
            .map(sorted_tasks)
            .collect();
        runs.reverse();
        assert_eq!(runs, expected_statuses(&api, dag, 10), "{dag}");
    }
    let p = om
        .entity(Collection::Pipelines, &fqn(&[SERVICE, "linear_etl"]))
        .unwrap();
    let tags: BTreeSet<&str> = label_fqns(&p.body).into_iter().collect();
    assert_eq!(tags, ["AirflowTags.etl", "AirflowTags.orders"].into());

    // includeOwners: false writes none, though OpenMetadata knows them.
    let om2 = StandIn::start(OM_TOKEN);
    om2.add_user("alice", "alice@example.com");
    om2.add_user("bob", "bob@example.com");
    let options = Options {
        openmetadata: Some(om2.host_port()),
        include_owners: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &options, "om2", SEQUENTIAL);
    out.assert_success();
    let p = om2
        .entity(Collection::Pipelines, &fqn(&[SERVICE, "fan_out_in"]))
        .unwrap();
    assert!(
        p.body["owners"].as_array().is_none_or(|o| o.is_empty()),
        "{}",
        p.body
    );
}

/// The fields both tools write of a `CreatePipelineRequest`: all but `service` (the sinks') and
/// `sourceHash` (omrun's); the owners by name (their ids are each stand-in's own).
fn comparable(request: &Value) -> Value {
    let mut view = request.clone();
    let object = view.as_object_mut().unwrap();
    for key in ["service", "sourceHash"] {
        object.remove(key);
    }
    if let Some(owners) = object.get_mut("owners") {
        for owner in owners.as_array_mut().unwrap() {
            *owner = owner["name"].clone();
        }
    }
    view
}

/// A stand-in knowing the owners of the seed's DAGs that OpenMetadata can resolve.
fn standin_with_owners() -> StandIn {
    let om = StandIn::start(OM_TOKEN);
    om.add_user("alice", "alice@example.com");
    om.add_user("bob", "bob@example.com");
    om.add_team("data-eng", "data-eng@example.com");
    om
}

/// OpenMetadata's own Airflow connector (its REST source), run on the same Airflow into a
/// stand-in, writes the same pipelines, field for field (owners by name), and the same runs as
/// omrun into another stand-in.
#[test]
fn the_same_as_openmetadatas_own_connector() {
    let theirs_om = standin_with_owners();
    airflow::openmetadata_ingest(&theirs_om, SERVICE);
    let theirs: BTreeMap<String, Value> = theirs_om
        .create_requests(Collection::Pipelines)
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_owned(), comparable(r)))
        .collect();
    assert_eq!(
        theirs.keys().map(String::as_str).collect::<Vec<_>>(),
        DAGS,
        "OpenMetadata's connector read every DAG"
    );

    let ours_om = standin_with_owners();
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(ours_om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &options, "ours", SEQUENTIAL);
    out.assert_success();
    let ours: BTreeMap<String, Value> = ours_om
        .create_requests(Collection::Pipelines)
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_owned(), comparable(r)))
        .collect();
    for (name, view) in &ours {
        assert_eq!(Some(view), theirs.get(name), "{name}");
    }
    assert_eq!(ours.len(), theirs.len());
    assert_eq!(
        ours["fan_out_in"]["owners"].as_array().map(Vec::len),
        Some(2),
        "owners were compared: {}",
        ours["fan_out_in"]
    );
    let mut runs = 0;
    for dag in DAGS {
        let fqn = fqn(&[SERVICE, dag]);
        let stored = ours_om.pipeline_statuses(&fqn);
        runs += stored.len();
        assert_eq!(stored, theirs_om.pipeline_statuses(&fqn), "{dag}");
    }
    assert_eq!(runs, RUNS.len(), "every run was compared");

    // Each tool stamps its requests with a `sourceHash`; omrun's must be OpenMetadata's
    // `generate_source_hash` wherever the request names no owner (an owner's id, which the hash
    // covers, is each stand-in's own).
    let hashes = |om: &StandIn| -> BTreeMap<String, Value> {
        om.create_requests(Collection::Pipelines)
            .iter()
            .filter(|r| r["owners"].as_array().is_none_or(Vec::is_empty))
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_owned(),
                    r["sourceHash"].clone(),
                )
            })
            .collect()
    };
    let (ours, theirs) = (hashes(&ours_om), hashes(&theirs_om));
    assert!(
        ours.len() >= 2 && ours.values().all(Value::is_string),
        "{ours:?}"
    );
    assert_eq!(ours, theirs);
}
