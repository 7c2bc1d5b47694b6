//! The Airflow connector end to end: the real plugin (`build/plugins/airflow.wasm`) in omrun,
//! against a real Apache Airflow 3 (tests/support/airflow.rs) with the DAGs of
//! `tests/support/airflow/dags/` and runs of them.
//!
//! What is expected comes from the DAG files (ids, tasks, their order, schedules, owners, tags,
//! docs) and, for what Airflow makes up as it runs (run ids, task instances' times), from
//! Airflow's own API, read here with a plain HTTP client; never from the plugin.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use omrun_tests::airflow::{self, ADMIN, DAGS, RUNS};
use omrun_tests::{Omrun, RunOutput, Workdir, plugin, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "airflow_test";

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
                (run.clone(), tis["task_instances"].as_array().unwrap().clone())
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

#[test]
fn the_seeded_airflow_serves_the_dags_and_their_runs() {
    let api = AirflowApi::new();
    let dags = api.get("/dags");
    let ids: Vec<&str> = dags["dags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dag_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, DAGS);
    let linear = api.runs("linear_etl");
    assert_eq!(
        linear.len(),
        RUNS.iter().filter(|(d, _)| *d == "linear_etl").count()
    );
    let failed = api.runs("sometimes_fails");
    let states: BTreeMap<&str, &str> = failed[0]
        .1
        .iter()
        .map(|ti| (ti["task_id"].as_str().unwrap(), ti["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        BTreeMap::from([
            ("check", "failed"),
            ("cleanup", "success"),
            ("notify", "upstream_failed")
        ])
    );
    assert_eq!(failed[0].0["state"], "failed");
}
