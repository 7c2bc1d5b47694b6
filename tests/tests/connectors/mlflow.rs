//! The MLflow connector end to end: the real plugin (`build/plugins/mlflow.wasm`) in omrun, against
//! a real MLflow 3.17 tracking server (tests/support/mlflow.rs) whose models MLflow's own client
//! registered (tests/support/mlflow/seed.py), into the file sink (every line checked against
//! OpenMetadata's schemas), and compared with OpenMetadata's own MLflow connector run on the same
//! server.
//!
//! What is expected comes from what seed.py made and recorded (each model's newest version, its
//! run's parameters and artifact URI, the signature it logged), not from the plugin.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use omrun_tests::mlflow::{self, BULK};
use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Omrun, Records, RunOutput, Workdir, fqn, plugin, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "mlflow_test";
const OM_TOKEN: &str = "om-test-jwt-mlflow";
const SEQUENTIAL: (&str, Option<u32>) = ("sequential", None);

/// The models seed.py cannot describe, which every run over the whole registry fails.
const NO_VERSION: &str = "empty-model";
const NO_RUN: &str = "no-run-model";

#[derive(Clone, Default)]
struct Options {
    tracking: Option<String>,
    /// `registryUri`; trackingUri's when `None`.
    registry: Option<String>,
    /// `mlModelFilterPattern`'s includes and excludes.
    filter: Option<(Vec<&'static str>, Vec<&'static str>)>,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

fn filter_yaml(filter: &Option<(Vec<&str>, Vec<&str>)>) -> String {
    let Some((includes, excludes)) = filter else {
        return String::new();
    };
    let list = |l: &[&str]| l.iter().map(|s| yaml_str(s)).collect::<Vec<_>>().join(", ");
    format!(
        "      mlModelFilterPattern:\n        includes: [{}]\n        excludes: [{}]\n",
        list(includes),
        list(excludes)
    )
}

fn config(work: &Workdir, o: &Options) -> PathBuf {
    let seeded = mlflow::shared();
    let tracking = o.tracking.as_deref().unwrap_or(seeded.server.url());
    let registry = o.registry.as_deref().unwrap_or(tracking);
    let (sink, server) = sink(o);
    let yaml = format!(
        "source:
  type: mlflow
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: Mlflow
      trackingUri: {tracking}
      registryUri: {registry}
  sourceConfig:
    config:
      type: MlModelMetadata
{filter}{sink}workflowConfig:
  loggerLevel: INFO
{server}  distributedExecution:
    enabled: true
    orchestrator: sequential
    retryPolicy:
      maxAttempts: 2
      backoffSeconds: 0.05
",
        tracking = yaml_str(tracking),
        registry = yaml_str(registry),
        filter = filter_yaml(&o.filter),
    );
    work.write("config.yaml", yaml)
}

/// The sink section and the `openMetadataServerConfig` lines of `o`.
fn sink(o: &Options) -> (String, String) {
    match &o.openmetadata {
        None => (
            "sink:\n  type: file\n  config:\n    filename: unused.jsonl\n".to_owned(),
            String::new(),
        ),
        Some(om) => (
            "sink:\n  type: metadata-rest\n  config: {}\n".to_owned(),
            format!(
                "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    \
                 securityConfig:\n      jwtToken: ${{OM_JWT_TOKEN}}\n",
                yaml_str(om)
            ),
        ),
    }
}

fn ingest(work: &Workdir, o: &Options, name: &str, mode: (&str, Option<u32>)) -> RunOutput {
    let config = config(work, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("mlflow"))
        .mode(mode.0, mode.1)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

/// A model as the tests compare it: hyper-parameters by name, features `(name, type)` in
/// signature order, store, source URL, description, algorithm.
#[derive(Debug, PartialEq, Clone)]
struct Model {
    hyper_parameters: BTreeMap<String, String>,
    features: Vec<(String, String)>,
    store: Option<String>,
    source_url: String,
    description: Option<String>,
    algorithm: String,
}

/// What seed.py's models should be, by name, for those `keep` keeps. The model whose artifacts
/// are in a local folder has no features: omrun cannot read them (docs/connectors.md).
fn expected(keep: impl Fn(&str) -> bool) -> BTreeMap<String, Model> {
    let seeded = mlflow::shared();
    let mut want = BTreeMap::new();
    for name in seeded.described().into_iter().filter(|n| keep(n)) {
        let m = seeded.model(&name);
        let features = if name == "local-store-model" {
            Vec::new()
        } else {
            m["features"]
                .as_array()
                .map(|fs| fs.iter().map(|f| (str_of(&f[0]), str_of(&f[1]))).collect())
                .unwrap_or_default()
        };
        let model = Model {
            hyper_parameters: m["params"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), str_of(v)))
                .collect(),
            features,
            store: m["artifact_uri"].as_str().map(str::to_owned),
            source_url: format!("{}/#/models/{name}", seeded.server.url()),
            description: m["description"].as_str().map(str::to_owned),
            algorithm: "mlmodel".into(),
        };
        want.insert(name, model);
    }
    want
}

fn str_of(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("{v} is not text"))
        .to_owned()
}

/// A CreateMlModelRequest in [`Model`]'s shape.
fn model_of(q: &Value) -> Model {
    let list = |key: &str| q[key].as_array().cloned().unwrap_or_default();
    Model {
        hyper_parameters: list("mlHyperParameters")
            .iter()
            .map(|p| (str_of(&p["name"]), str_of(&p["value"])))
            .collect(),
        features: list("mlFeatures")
            .iter()
            .map(|f| (str_of(&f["name"]), str_of(&f["dataType"])))
            .collect(),
        store: q["mlStore"]["storage"].as_str().map(str::to_owned),
        source_url: str_of(&q["sourceUrl"]),
        description: q["description"].as_str().map(str::to_owned),
        algorithm: str_of(&q["algorithm"]),
    }
}

fn found(records: &Records) -> BTreeMap<String, Model> {
    records
        .of_kind("CreateMlModelRequest")
        .map(|r| (str_of(&r.request["name"]), model_of(&r.request)))
        .collect()
}

fn all(_: &str) -> bool {
    true
}

/// The report's failures: FQN → error.
fn failures(out: &RunOutput) -> BTreeMap<String, String> {
    let report = out.report();
    report["failures"]
        .as_array()
        .unwrap_or_else(|| panic!("no failures in the report: {report}"))
        .iter()
        .map(|f| (str_of(&f["fqn"]), str_of(&f["error"])))
        .collect()
}

#[test]
fn every_registered_model_is_described_by_its_newest_version() {
    let seeded = mlflow::shared();
    let work = Workdir::new();
    let out = ingest(&work, &Options::default(), "out", SEQUENTIAL);
    // The two models without a version or a run fail, named; every other one is written.
    out.assert_code(1);
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Mlflow");
    let want = expected(all);
    assert_eq!(want.len(), BULK + 7, "{:?}", want.keys());
    assert_eq!(found(&records), want);

    let report = out.report();
    assert_eq!(report["failed"], 2, "{report}");
    let failed = failures(&out);
    assert_eq!(
        failed.keys().collect::<Vec<_>>(),
        [&fqn(&[SERVICE, NO_VERSION]), &fqn(&[SERVICE, NO_RUN])],
        "{report}"
    );
    for (name, why) in [
        (NO_VERSION, "no version could be resolved"),
        (NO_RUN, "version 1 has no run (run_id)"),
    ] {
        let error = &failed[&fqn(&[SERVICE, name])];
        assert!(
            error.contains(&format!("MLflow model `{name}`: {why}")),
            "{name}: {error}"
        );
    }
    assert_eq!(
        seeded
            .cannot_describe()
            .into_iter()
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([NO_VERSION.to_owned(), NO_RUN.to_owned()])
    );

    // The features of each kind of signature.
    let by_name = found(&records);
    let pairs = |l: &[(&str, &str)]| -> Vec<(String, String)> {
        l.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    assert_eq!(
        by_name["churn-classifier"].features,
        pairs(&[
            ("age", "numerical"),
            ("monthly_spend", "numerical"),
            ("is_active", "numerical"),
            ("plan", "categorical"),
        ]),
        "MLflow 3.x: the MLmodel file through the artifact proxy; string is categorical"
    );
    assert_eq!(
        by_name["legacy-2x"].features,
        pairs(&[("city", "categorical"), ("distance_km", "numerical")]),
        "MLflow 2.x: the run's history tag, this run's entry, the unnamed column skipped"
    );
    assert_eq!(
        by_name["bulk-042"].features,
        pairs(&[("sqft", "numerical"), ("rooms", "numerical")]),
        "a runs:/ source: the MLmodel file in the run's artifacts"
    );
    for none in [
        "raw-model",
        "tensor-model",
        "tmp-scratch",
        "local-store-model",
    ] {
        assert!(by_name[none].features.is_empty(), "{none}");
        let request = records
            .of_kind("CreateMlModelRequest")
            .find(|r| r.request["name"] == none)
            .unwrap();
        assert!(
            request.request.get("mlFeatures").is_none(),
            "no features is no `mlFeatures`, as OpenMetadata writes it: {}",
            request.request
        );
    }
    assert!(
        out.stderr
            .contains("MLflow model `local-store-model`: cannot read its signature")
            && out
                .stderr
                .contains("in a local folder of the machine that logged it"),
        "{}",
        out.describe()
    );

    // The hyper-parameters and store are those of the newest version's run.
    let churn = &by_name["churn-classifier"];
    assert_eq!(churn.hyper_parameters["C"], "10.0");
    assert_eq!(churn.hyper_parameters["solver"], "liblinear");
    assert_eq!(
        churn.store.as_deref(),
        seeded.model("churn-classifier")["artifact_uri"].as_str()
    );
    assert!(
        churn
            .store
            .as_deref()
            .unwrap()
            .contains(seeded.model("churn-classifier")["run_id"].as_str().unwrap()),
        "{churn:?}"
    );
    assert_eq!(
        by_name["house-prices"].description.as_deref(),
        Some("Estimates a **house's price**.\n\nTrained on the 2024 listings.")
    );
    assert!(by_name["raw-model"].description.is_none());
}

/// The registry lists churn-classifier's newest version of each stage with version 3 (moved to
/// Production) after version 2 (the newest of stage None): the connector picks the highest
/// number, not the first listed, and describes it by its own run.
#[test]
fn the_newest_version_is_the_highest_number_not_the_first_listed() {
    let seeded = mlflow::shared();
    let answer: Value = reqwest::blocking::get(format!(
        "{}/api/2.0/mlflow/registered-models/get?name=churn-classifier",
        seeded.server.url()
    ))
    .unwrap()
    .json()
    .unwrap();
    let listed: Vec<&str> = answer["registered_model"]["latest_versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["2", "3"], "the server lists the older one first");
    let newest = seeded.model("churn-classifier");
    assert_eq!(newest["version"], "3");
    let run_of = |version: &str| -> String {
        answer["registered_model"]["latest_versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["version"] == version)
            .map(|v| str_of(&v["run_id"]))
            .unwrap()
    };
    assert_eq!(run_of("3"), str_of(&newest["run_id"]));

    let work = Workdir::new();
    let options = Options {
        filter: Some((vec!["churn-classifier"], vec![])),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_success();
    let models = found(&out.records());
    let churn = &models["churn-classifier"];
    assert_eq!(
        churn,
        &expected(|n| n == "churn-classifier")["churn-classifier"]
    );
    let store = churn.store.as_deref().unwrap();
    assert!(
        store.contains(&run_of("3")) && !store.contains(&run_of("2")),
        "{store}"
    );
}

#[test]
fn sequential_and_local_write_the_same() {
    let work = Workdir::new();
    let seq = ingest(&work, &Options::default(), "sequential", SEQUENTIAL);
    seq.assert_code(1);
    let local = ingest(&work, &Options::default(), "local", ("local", Some(4)));
    local.assert_code(1);
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set()
    );
    assert_eq!(found(&local.records()), expected(all));
    assert_eq!(failures(&seq), failures(&local));
}

#[test]
fn the_filter_pattern_keeps_and_leaves_out_by_name() {
    let work = Workdir::new();
    let options = Options {
        // Case does not matter; excludes carve out of includes; a pattern is anchored at the
        // start only.
        filter: Some((
            vec!["CHURN", "house-", "bulk-00", "tmp-.*"],
            vec!["tmp-", "bulk-009"],
        )),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    // The models that cannot be described are left out, so nothing fails.
    out.assert_success();
    let keep = |n: &str| {
        n == "churn-classifier"
            || n == "house-prices"
            || (n.starts_with("bulk-00") && n != "bulk-009")
    };
    let want = expected(keep);
    assert_eq!(want.len(), 2 + 9, "{:?}", want.keys());
    assert_eq!(found(&out.records()), want);
    assert!(
        out.stderr.contains(&format!(
            "MLflow: {} registered models, 11 kept by mlModelFilterPattern",
            BULK + 9
        )),
        "{}",
        out.describe()
    );
}

#[test]
fn a_server_that_is_down_fails_clearly() {
    let work = Workdir::new();
    let down = mlflow::nothing_listening();
    let options = Options {
        tracking: Some(down.clone()),
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    // Before the run starts (the tracking server is the source omrun reaches first), not after
    // discovery's retries.
    out.assert_code(2);
    let error = out.single_error();
    assert!(
        error.contains("cannot reach the source") && error.contains(&down.replace("http://", "")),
        "{}",
        out.describe()
    );
    assert!(
        !out.stderr.contains("registered-models/search"),
        "no call was made: {}",
        out.describe()
    );
    eprintln!("refused in {:?}", started.elapsed());
}

/// OpenMetadata's example `registryUri` is a database URI, which MLflow's Python client reads
/// directly: omrun reads the registry through the tracking server instead, says so, and never
/// shows the URI (its password).
#[test]
fn a_database_registry_uri_is_read_through_the_tracking_server() {
    let work = Workdir::new();
    let password = "registry-db-pw-7291";
    let options = Options {
        registry: Some(format!(
            "mysql+pymysql://mlflow:{password}@db.example.com:3306/registry"
        )),
        filter: Some((vec!["house-prices", "legacy-2x"], vec![])),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_success();
    assert_eq!(
        found(&out.records()),
        expected(|n| n == "house-prices" || n == "legacy-2x")
    );
    assert!(
        out.stderr.contains(
            "registryUri is a `mysql+pymysql` URI, not an MLflow server: the model registry is \
             read from the tracking server at trackingUri"
        ),
        "{}",
        out.describe()
    );
    assert!(!out.stderr.contains(password) && !out.stdout.contains(password));
}

/// A `registryUri` on another server than `trackingUri` cannot be reached from the sandbox (the
/// plugin's grant is trackingUri's host): the run stops before it starts, saying so.
#[test]
fn a_registry_on_another_server_is_refused() {
    let seeded = mlflow::shared();
    let work = Workdir::new();
    let other = mlflow::nothing_listening();
    let options = Options {
        tracking: Some(seeded.server.url().to_owned()),
        registry: Some(other.clone()),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_code(2);
    assert!(
        out.single_error().contains(&format!(
            "registryUri names another server ({}) than trackingUri ({})",
            other.replace("http://", ""),
            seeded.server.url().replace("http://", "")
        )),
        "{}",
        out.describe()
    );
    let written = std::fs::read_to_string(work.join("out.jsonl")).unwrap_or_default();
    assert!(written.is_empty(), "nothing is written: {written}");
}

/// Into OpenMetadata (the stand-in): the ML model service and every model that can be
/// described, with what the file sink writes; the two that cannot fail, and nothing else. A second
/// run over the unchanged registry changes nothing stored.
#[test]
fn into_openmetadata_and_unchanged_on_a_second_run() {
    let om = StandIn::start(OM_TOKEN);
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &options, "om", ("local", Some(4)));
    out.assert_code(1);
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    assert_eq!(out.report()["failed"], 2);
    let services = om.stored(Collection::MlModelServices);
    assert_eq!(services[SERVICE]["serviceType"], "Mlflow", "{services:?}");
    let stored = om.stored(Collection::MlModels);
    let want = expected(all);
    assert_eq!(
        stored.keys().cloned().collect::<BTreeSet<_>>(),
        want.keys().map(|n| fqn(&[SERVICE, n])).collect()
    );
    for (name, model) in &want {
        assert_eq!(&model_of(&stored[&fqn(&[SERVICE, name])]), model, "{name}");
    }

    let before = om.writes();
    let again = ingest(&work, &options, "again", SEQUENTIAL);
    again.assert_code(1);
    let after = om.writes();
    assert_eq!(
        (after.creates, after.updates, after.deletes),
        (before.creates, before.updates, before.deletes),
        "{}",
        again.describe()
    );
    assert_eq!(om.stored(Collection::MlModels), stored);
}

/// The fields both tools write, by model name: what omrun's file holds and what OpenMetadata's own
/// connector handed its sink (`service` is the sinks'), `sourceHash` included: OpenMetadata's
/// topology stamps each request with `generate_source_hash` before its sink sees it.
fn comparable(records: impl Iterator<Item = (String, Value)>) -> BTreeMap<String, Value> {
    records
        .filter(|(kind, _)| kind == "CreateMlModelRequest")
        .map(|(_, r)| {
            let view: serde_json::Map<String, Value> = [
                "name",
                "displayName",
                "description",
                "algorithm",
                "mlFeatures",
                "mlHyperParameters",
                "target",
                "dashboard",
                "mlStore",
                "server",
                "sourceUrl",
                "owners",
                "tags",
                "sourceHash",
            ]
            .into_iter()
            .filter_map(|k| r.get(k).map(|v| (k.to_owned(), v.clone())))
            .collect();
            (str_of(&r["name"]), Value::Object(view))
        })
        .collect()
}

/// OpenMetadata's own MLflow connector, run with the same config on the same server, writes the
/// same ML models as omrun, field for field (hyper-parameters in the same order), but for the one
/// documented difference: the model whose artifacts are in a local folder, which OpenMetadata's
/// connector reads from this machine's disk and omrun's sandbox cannot. The two models that
/// cannot be described are left out of both runs by the filter (OpenMetadata's connector fails
/// them as omrun does, which fails the workflow om_connector.py runs).
#[test]
fn the_same_as_openmetadatas_own_connector() {
    let om = StandIn::start(OM_TOKEN);
    let excludes = vec!["empty-model$", "no-run-model$"];
    let source_config = filter_yaml(&Some((vec![], excludes.clone())));
    let theirs = mlflow::openmetadata_ingest(&om, SERVICE, &source_config);
    let theirs = comparable(
        theirs
            .into_iter()
            .map(|r| (str_of(&r["kind"]), r["request"].clone())),
    );
    let work = Workdir::new();
    let options = Options {
        filter: Some((vec![], excludes)),
        ..Options::default()
    };
    let out = ingest(&work, &options, "ours", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    let mut ours = comparable(
        records
            .items
            .iter()
            .map(|r| (r.kind.clone(), r.request.clone())),
    );
    assert_eq!(
        theirs.len(),
        BULK + 7,
        "OpenMetadata's connector read every page: {:?}",
        theirs.keys()
    );
    // The difference: OpenMetadata's connector read the local folder's MLmodel file.
    let local = "local-store-model";
    assert_eq!(
        theirs[local]["mlFeatures"],
        json!([
            {"name": "sqft", "dataType": "numerical"},
            {"name": "rooms", "dataType": "numerical"}
        ]),
        "{}",
        theirs[local]
    );
    assert!(ours[local].get("mlFeatures").is_none(), "{}", ours[local]);
    ours.get_mut(local).unwrap()["mlFeatures"] = theirs[local]["mlFeatures"].clone();
    // Its hash covers the features: only it may differ.
    assert_ne!(ours[local]["sourceHash"], theirs[local]["sourceHash"]);
    ours.get_mut(local).unwrap()["sourceHash"] = theirs[local]["sourceHash"].clone();
    assert!(ours.values().all(|m| m["sourceHash"].is_string()));
    for (name, view) in &ours {
        assert_eq!(Some(view), theirs.get(name), "{name}");
    }
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
}

/// examples/distributed-ingestion/mlflow-local.yaml runs unchanged with only its variables set
/// (the plugin found in build/plugins), on local workers: every model but the `tmp`/`test` ones
/// its filter leaves out, the two that cannot be described failed.
#[test]
fn the_local_example_runs_as_documented() {
    let seeded = mlflow::shared();
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let example = omrun_tests::repo_root().join("examples/distributed-ingestion/mlflow-local.yaml");
    let out = Omrun::ingest(work.path(), example)
        .env("MLFLOW_TRACKING_URI", seeded.server.url())
        .env("OMRUN_OUTPUT", &output)
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_code(1);
    out.assert_stderr_line("Processing with 4 worker threads");
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Mlflow");
    assert_eq!(
        found(&records).keys().collect::<Vec<_>>(),
        expected(|n| !n.starts_with("tmp"))
            .keys()
            .collect::<Vec<_>>()
    );
    assert_eq!(out.report()["failed"], 2, "{}", out.describe());
}
