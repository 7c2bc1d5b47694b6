//! The Argo Server stand-in (crate::argo) answers as Argo's does: auth, create with generated
//! names and conflicts, get, watch, scripted faults; and Argo's schema really rejects broken
//! Workflows. Plain HTTP calls, no omrun involved.

use std::io::{BufRead, BufReader};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::argo::{
    ArgoStandIn, Controller, Submitted, validate_workflow, validate_workflow_template,
};
use serde_json::{Value, json};

const TOKEN: &str = "argo-test-token";

/// A Workflow in the shape `omrun argo render` produces (notes: argo-shape.md).
fn sample() -> Value {
    let retry = json!({"limit": "2", "retryPolicy": "Always",
        "backoff": {"duration": "5s", "factor": "2", "cap": "60s"}});
    let container = |args: Value| {
        json!({"image": "omrun:test", "command": ["omrun"], "args": args,
            "volumeMounts": [{"name": "config", "mountPath": "/etc/omrun", "readOnly": true},
                             {"name": "work", "mountPath": "/tmp/omrun"}]})
    };
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "omrun-pg-", "namespace": "argo",
            "labels": {"app.kubernetes.io/name": "omrun", "app.kubernetes.io/instance": "pg"}},
        "spec": {
            "entrypoint": "ingest",
            "serviceAccountName": "omrun-workflow",
            "parallelism": 4,
            "podGC": {"strategy": "OnPodSuccess"},
            "ttlStrategy": {"secondsAfterSuccess": 86400, "secondsAfterFailure": 604800},
            "volumes": [{"name": "config", "configMap": {"name": "omrun-pg-config"}},
                        {"name": "work", "emptyDir": {}}],
            "templates": [
                {"name": "ingest", "dag": {"failFast": false, "tasks": [
                    {"name": "discover", "template": "discover"},
                    {"name": "worker", "template": "worker", "depends": "discover",
                     "withParam": "{{tasks.discover.outputs.parameters.shards}}",
                     "arguments": {"parameters": [{"name": "shard", "value": "{{item.shard}}"}]}},
                ]}},
                {"name": "discover", "retryStrategy": retry,
                 "container": container(json!(["discover", "-c", "/etc/omrun/config.yaml", "--shards", "4"])),
                 "outputs": {"parameters": [{"name": "shards", "valueFrom": {"path": "/tmp/omrun/shards.json"}}]}},
                {"name": "worker", "retryStrategy": retry, "inputs": {"parameters": [{"name": "shard"}]},
                 "container": container(json!(["worker", "--shard", "{{inputs.parameters.shard}}"]))},
            ],
        },
    })
}

/// A controller that hands every submitted Workflow to the test, which then moves its status.
fn handed_over() -> (Controller, Receiver<Submitted>) {
    let (tx, rx) = channel::<Submitted>();
    let tx = Mutex::new(tx);
    let controller: Controller = Arc::new(move |s: Submitted| {
        let _ = tx.lock().unwrap().send(s);
    });
    (controller, rx)
}

/// The submission named `name` among those handed over.
fn take(handed: &Receiver<Submitted>, name: &str) -> Submitted {
    loop {
        let s = handed
            .recv_timeout(Duration::from_secs(10))
            .expect("the controller gets the Workflow");
        if s.name == name {
            return s;
        }
    }
}

fn idle() -> Controller {
    Arc::new(|_| {})
}

struct Api<'a> {
    argo: &'a ArgoStandIn,
    http: reqwest::blocking::Client,
}

impl<'a> Api<'a> {
    fn new(argo: &'a ArgoStandIn) -> Api<'a> {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Api { argo, http }
    }

    fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut rb = self.http.get(format!("{}{path}", self.argo.base_url()));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        answer(rb.send().expect("GET to the stand-in"))
    }

    fn post(&self, path: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
        let mut rb = self
            .http
            .post(format!("{}{path}", self.argo.base_url()))
            .json(body);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        answer(rb.send().expect("POST to the stand-in"))
    }

    fn submit(&self, wf: &Value) -> (u16, Value) {
        self.post(
            "/api/v1/workflows/argo",
            &json!({"namespace": "argo", "workflow": wf}),
            Some(TOKEN),
        )
    }

    fn phase(&self, name: &str) -> String {
        let (status, wf) = self.get(&format!("/api/v1/workflows/argo/{name}"), Some(TOKEN));
        assert_eq!(status, 200, "{wf}");
        wf["status"]["phase"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn answer(resp: reqwest::blocking::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().expect("answer body");
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, v)
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_error(answer: &(u16, Value), status: u16, code: u64, says: &str) {
    let (s, body) = answer;
    assert_eq!(*s, status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(says),
        "message {message:?} does not say {says:?}"
    );
}

#[test]
fn a_submitted_workflow_is_pending_with_a_generated_name_then_shows_what_the_controller_sets() {
    let (controller, handed) = handed_over();
    let argo = ArgoStandIn::start(TOKEN, controller);
    let api = Api::new(&argo);

    let (status, wf) = api.submit(&sample());
    assert_eq!(status, 200, "{wf}");
    let name = wf["metadata"]["name"].as_str().unwrap().to_string();
    let suffix = name
        .strip_prefix("omrun-pg-")
        .expect("generateName kept as the prefix");
    assert!(
        suffix.len() == 5
            && suffix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{name}"
    );
    assert_eq!(wf["metadata"]["namespace"], "argo");
    assert!(
        wf["metadata"]["uid"]
            .as_str()
            .is_some_and(|u| u.len() == 36),
        "{wf}"
    );
    assert!(
        wf["metadata"]["creationTimestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(wf["status"]["phase"], "Pending");
    assert_eq!(wf["spec"], sample()["spec"], "the spec is stored as sent");
    assert_eq!(api.phase(&name), "Pending");

    let s = take(&handed, &name);
    assert_eq!((s.namespace.as_str(), &s.workflow), ("argo", &wf));
    s.status.set_phase("Running");
    s.status.set_node(
        &name,
        json!({"name": name, "type": "DAG", "phase": "Running"}),
    );
    assert_eq!(api.phase(&name), "Running");
    s.status.set_phase("Succeeded");
    assert_eq!(s.status.get()["phase"], "Succeeded");
    let (_, wf) = api.get(&format!("/api/v1/workflows/argo/{name}"), Some(TOKEN));
    assert_eq!(wf["status"]["nodes"][&name]["type"], "DAG");
    assert_eq!(wf["status"]["nodes"][&name]["id"], name.as_str());
    assert!(wf["status"]["startedAt"].is_string() && wf["status"]["finishedAt"].is_string());
    assert!(argo.unexpected_requests().is_empty());
}

#[test]
fn an_invalid_workflow_is_400_naming_the_bad_field_and_nothing_is_created() {
    let argo = ArgoStandIn::start(TOKEN, Arc::new(|_| panic!("nothing should run")));
    let api = Api::new(&argo);

    let mut wf = sample();
    wf["spec"]["parallelism"] = json!("x");
    assert_error(&api.submit(&wf), 400, 3, "/spec/parallelism");

    let mut wf = sample();
    wf["spec"]["entrypoint"] = json!("main");
    assert_error(
        &api.submit(&wf),
        400,
        3,
        "spec.entrypoint template name 'main' undefined",
    );

    let mut wf = sample();
    wf["metadata"]["namespace"] = json!("other");
    assert_error(&api.submit(&wf), 400, 3, "does not match the namespace");

    let no_body = api.post(
        "/api/v1/workflows/argo",
        &json!({"namespace": "argo"}),
        Some(TOKEN),
    );
    assert_error(&no_body, 400, 3, "workflow body not specified");

    assert!(argo.workflows().is_empty());
    assert!(argo.controller_panics().is_empty());
}

#[test]
fn a_wrong_or_missing_token_is_401_and_never_logged() {
    let argo = ArgoStandIn::start(TOKEN, idle());
    let api = Api::new(&argo);
    let body = json!({"workflow": sample()});

    assert_error(
        &api.post("/api/v1/workflows/argo", &body, None),
        401,
        16,
        "token not found",
    );
    assert_error(
        &api.post("/api/v1/workflows/argo", &body, Some("nope")),
        401,
        16,
        "token not valid",
    );
    assert_error(
        &api.get("/api/v1/workflows/argo/x", Some("nope")),
        401,
        16,
        "token not valid",
    );
    assert!(argo.workflows().is_empty());

    api.submit(&sample());
    let log = format!("{:?}", argo.requests());
    assert_eq!(argo.requests().len(), 4);
    assert!(
        !log.contains(TOKEN) && !log.contains("nope"),
        "the log holds a token: {log}"
    );
}

#[test]
fn a_name_already_taken_is_409_and_a_dry_run_stores_nothing() {
    let argo = ArgoStandIn::start(TOKEN, idle());
    let api = Api::new(&argo);
    let mut wf = sample();
    wf["metadata"]["name"] = json!("omrun-pg-fixed");

    let dry = json!({"workflow": wf, "serverDryRun": true});
    let (status, answer) = api.post("/api/v1/workflows/argo", &dry, Some(TOKEN));
    assert_eq!(
        (status, answer["metadata"]["name"].as_str()),
        (200, Some("omrun-pg-fixed"))
    );
    assert!(argo.workflows().is_empty());

    assert_eq!(api.submit(&wf).0, 200);
    assert_error(
        &api.submit(&wf),
        409,
        6,
        "\"omrun-pg-fixed\" already exists",
    );
    assert_eq!(argo.workflows().len(), 1);
}

#[test]
fn an_unknown_workflow_is_404_and_an_unknown_call_is_logged_as_unexpected() {
    let argo = ArgoStandIn::start(TOKEN, idle());
    let api = Api::new(&argo);
    assert_error(
        &api.get("/api/v1/workflows/argo/ghost", Some(TOKEN)),
        404,
        5,
        "\"ghost\" not found",
    );
    assert!(argo.unexpected_requests().is_empty());
    assert_error(
        &api.get("/api/v1/archived-workflows", Some(TOKEN)),
        404,
        5,
        "no route",
    );
    assert_eq!(argo.unexpected_requests().len(), 1);
}

#[test]
fn scripted_faults_fail_the_next_submissions_only() {
    let argo = ArgoStandIn::start(TOKEN, idle());
    let api = Api::new(&argo);
    argo.fail_next_submit(503);
    argo.fail_next_submit(500);
    assert_error(&api.submit(&sample()), 503, 14, "scripted");
    assert_error(&api.submit(&sample()), 500, 13, "scripted");
    assert_eq!(api.submit(&sample()).0, 200);
    let statuses: Vec<u16> = argo.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 500, 200]);
    assert_eq!(argo.workflows().len(), 1);
}

#[test]
fn the_watch_stream_carries_each_status_change() {
    let (controller, handed) = handed_over();
    let argo = ArgoStandIn::start(TOKEN, controller);
    let api = Api::new(&argo);
    let (_, wf) = api.submit(&sample());
    let name = wf["metadata"]["name"].as_str().unwrap().to_string();
    // Another Workflow, which the field selector must keep out of the stream.
    api.submit(&sample());

    let url = format!(
        "{}/api/v1/workflow-events/argo?listOptions.fieldSelector=metadata.name%3D{name}",
        argo.base_url()
    );
    let resp = api.http.get(url).bearer_auth(TOKEN).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut lines = BufReader::new(resp).lines();
    let mut next = || -> Value {
        let line = lines
            .next()
            .expect("a watch event")
            .expect("read the stream");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    };
    let event = |v: &Value| {
        let r = &v["result"];
        assert_eq!(r["object"]["metadata"]["name"], name.as_str(), "{v}");
        (
            r["type"].as_str().unwrap().to_string(),
            r["object"]["status"]["phase"].clone(),
        )
    };

    let s = take(&handed, &name);
    assert_eq!(event(&next()), ("ADDED".into(), json!("Pending")));
    s.status.set_phase("Running");
    assert_eq!(event(&next()), ("MODIFIED".into(), json!("Running")));
    s.status.set_phase("Failed");
    let last = next();
    assert_eq!(event(&last), ("MODIFIED".into(), json!("Failed")));
    let version = |v: &Value| v["result"]["object"]["metadata"]["resourceVersion"].clone();
    assert_ne!(version(&last), json!(null));
}

#[test]
fn a_controller_that_writes_a_status_argo_would_not_ends_its_workflow_in_error() {
    let argo = ArgoStandIn::start(
        TOKEN,
        // A node without `type` (required by NodeStatus).
        Arc::new(|s: Submitted| {
            s.status
                .set_node("n1", json!({"name": "n1", "phase": "Running"}))
        }),
    );
    let api = Api::new(&argo);
    let (_, wf) = api.submit(&sample());
    let name = wf["metadata"]["name"].as_str().unwrap().to_string();
    wait_for("Error", || api.phase(&name) == "Error");
    let panics = argo.controller_panics();
    assert_eq!(panics.len(), 1);
    assert!(
        panics[0].contains("WorkflowStatus") && panics[0].contains("type"),
        "{panics:?}"
    );
}

/// What is wrong, how to make it so, where the error must point.
type Mistake = (&'static str, fn(&mut Value), &'static str);

/// Argo's schema itself, independent of the stand-in: the sample validates, and each of these
/// mistakes is rejected at its own place.
#[test]
fn the_schema_rejects_broken_workflows() {
    validate_workflow(&sample()).unwrap_or_else(|e| panic!("the sample is invalid: {e:#?}"));

    let broken: &[Mistake] = &[
        (
            "parallelism as text",
            |w| w["spec"]["parallelism"] = json!("x"),
            "/spec/parallelism",
        ),
        (
            "retry limit as an object",
            |w| w["spec"]["templates"][1]["retryStrategy"]["limit"] = json!({}),
            "/spec/templates/1/retryStrategy/limit",
        ),
        (
            "no spec",
            |w| drop(w.as_object_mut().unwrap().remove("spec")),
            "\"spec\" is a required property",
        ),
        (
            "another kind",
            |w| w["kind"] = json!("CronWorkflow"),
            "/kind",
        ),
        (
            "a DAG task without a name",
            |w| {
                drop(
                    w["spec"]["templates"][0]["dag"]["tasks"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("name"),
                )
            },
            "/spec/templates/0/dag/tasks/0",
        ),
        (
            "templates as an object",
            |w| w["spec"]["templates"] = json!({}),
            "/spec/templates",
        ),
        (
            "a volume mount path as a number",
            |w| w["spec"]["templates"][1]["container"]["volumeMounts"][0]["mountPath"] = json!(1),
            "/spec/templates/1/container/volumeMounts/0/mountPath",
        ),
    ];
    for (what, break_it, at) in broken {
        let mut wf = sample();
        break_it(&mut wf);
        let errors = validate_workflow(&wf).expect_err(what);
        assert!(
            errors.iter().any(|e| e.contains(at)),
            "{what}: no error mentions {at}: {errors:#?}"
        );
    }

    let mut template = sample();
    template["kind"] = json!("WorkflowTemplate");
    template["metadata"] = json!({"name": "omrun-pg", "namespace": "argo"});
    validate_workflow_template(&template).unwrap_or_else(|e| panic!("{e:#?}"));
    let errors =
        validate_workflow_template(&sample()).expect_err("a Workflow is no WorkflowTemplate");
    assert!(errors.iter().any(|e| e.starts_with("/kind")), "{errors:#?}");
}
