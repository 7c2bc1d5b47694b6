//! A local executor for the Workflows `omrun argo render` produces: it runs each DAG task's pods as
//! real `omrun` processes, with the arguments, environment, volumes and retries the manifest gives
//! them, so the pod entry points are tested end to end without Kubernetes.
//!
//! What it stands in for, and how:
//! - a pod's filesystem: each volume mount becomes a folder of the pod (a ConfigMap volume holds its
//!   keys as files; an emptyDir is empty); arguments and output paths under a mount are rewritten to
//!   that folder;
//! - the image: the `omrun` of this build, and the image's `ENV` given by the test (`image_env`);
//! - `secretKeyRef`: the test's Secret; a key it lacks fails the pod unless `optional`;
//! - a `secret` volume: a Secret the test names (`secret_volume`), its keys as files (`items`
//!   picks and renames them); a Secret or item key it lacks fails the pod (Kubernetes' FailedMount);
//! - `withParam` fans out over a task's JSON output, `{{item.*}}`, `{{inputs.parameters.*}}` and
//!   `{{tasks.*.outputs.parameters.*}}` (a fanned-out task's outputs aggregate into a JSON list);
//! - `retryStrategy.limit` retries a failed pod (backoff durations are not waited for);
//! - `spec.parallelism` bounds the pods running at once.
//!
//! Anything in the manifest it does not understand is a panic, not a silent skip: the rendered
//! shape and this executor must move together.

use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One run of one pod.
#[derive(Clone, Debug)]
pub struct PodRun {
    pub task: String,
    pub template: String,
    /// The fanned-out item, e.g. `{"shard": "1/4", …}`.
    pub item: Option<Value>,
    pub attempt: u32,
    pub args: Vec<String>,
    /// None when the executor killed it.
    pub exit_code: Option<i32>,
    pub killed: bool,
    pub stderr: String,
    pub outputs: BTreeMap<String, String>,
}

/// How the Workflow ended.
#[derive(Debug)]
pub struct Executed {
    /// `Succeeded` or `Failed`.
    pub phase: String,
    pub pods: Vec<PodRun>,
    /// Argo's `status`: `phase` and `nodes` with each node's `templateName`, `type`, `phase` and
    /// `outputs` — what `omrun ingest` reads from the Argo Server.
    pub status: Value,
}

impl Executed {
    pub fn pods_of(&self, template: &str) -> Vec<&PodRun> {
        self.pods
            .iter()
            .filter(|p| p.template == template)
            .collect()
    }

    /// The finalize pod's report (its `report` output).
    pub fn final_report(&self) -> Value {
        let pod = self
            .pods_of("finalize")
            .into_iter()
            .rev()
            .find(|p| p.outputs.contains_key("report"))
            .unwrap_or_else(|| panic!("finalize wrote no report: {:#?}", self.pods_of("finalize")));
        serde_json::from_str(&pod.outputs["report"]).expect("the report is JSON")
    }
}

pub struct Executor {
    workflow: Value,
    config_maps: HashMap<String, BTreeMap<String, String>>,
    secret: HashMap<String, String>,
    secret_volumes: HashMap<String, BTreeMap<String, String>>,
    image_env: Vec<(String, String)>,
    root: PathBuf,
    /// (template, item field value) of the pod to kill once, after its first line on stderr that
    /// contains `kill_after`.
    kill_once: Option<(String, String, String)>,
}

impl Executor {
    /// `root`: a folder for the pods' filesystems.
    pub fn new(workflow: Value, root: &Path) -> Self {
        assert_eq!(workflow["kind"], "Workflow", "the executor runs Workflows");
        Self {
            workflow,
            config_maps: HashMap::new(),
            secret: HashMap::new(),
            secret_volumes: HashMap::new(),
            image_env: Vec::new(),
            root: root.to_owned(),
            kill_once: None,
        }
    }

    /// A ConfigMap as `omrun argo render --config-map` prints it.
    pub fn config_map(mut self, config_map: &Value) -> Self {
        let name = config_map["metadata"]["name"]
            .as_str()
            .expect("a named ConfigMap")
            .to_owned();
        let data = config_map["data"]
            .as_object()
            .expect("ConfigMap data")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("string data").to_owned()))
            .collect();
        self.config_maps.insert(name, data);
        self
    }

    /// The Kubernetes Secret every `secretKeyRef` reads (its name is not checked).
    pub fn secret(mut self, key: &str, value: &str) -> Self {
        self.secret.insert(key.into(), value.into());
        self
    }

    /// A Secret named `name` that `secret` volumes mount, with these keys.
    pub fn secret_volume(mut self, name: &str, data: &[(&str, &str)]) -> Self {
        let data = data.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        self.secret_volumes.insert(name.into(), data.collect());
        self
    }

    /// An `ENV` of the image (e.g. where its plugins are).
    pub fn image_env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.image_env.push((key.into(), value.into()));
        self
    }

    /// Kills the first attempt of the `template` pod whose item has `value` in any field (e.g.
    /// `("worker", "1/4")`) once it printed a line containing `after`.
    pub fn kill_once(mut self, template: &str, value: &str, after: &str) -> Self {
        self.kill_once = Some((template.into(), value.into(), after.into()));
        self
    }

    pub fn run(self) -> Executed {
        let spec = &self.workflow["spec"];
        let entry = spec["entrypoint"].as_str().expect("spec.entrypoint");
        let dag = self.template(entry)["dag"]["tasks"]
            .as_array()
            .expect("a DAG entrypoint")
            .clone();
        let parallelism = spec["parallelism"].as_u64().unwrap_or(u64::MAX).max(1) as usize;
        let mut outputs: HashMap<String, Value> = HashMap::new();
        let mut phases: HashMap<String, &'static str> = HashMap::new();
        let mut pods = Vec::new();
        let started = Instant::now();
        // Tasks run in manifest order; each runs when what its `depends` names has finished.
        for task in &dag {
            let name = task["name"].as_str().expect("task name").to_owned();
            let depends = task["depends"].as_str().unwrap_or("");
            if !self.dependencies_allow(depends, &phases) {
                phases.insert(name, "Omitted");
                continue;
            }
            let items: Vec<Option<Value>> = match task["withParam"].as_str() {
                Some(expression) => {
                    let list = self.substitute(expression, None, &outputs);
                    serde_json::from_str::<Vec<Value>>(&list)
                        .unwrap_or_else(|e| {
                            panic!("withParam {expression} is not a JSON list ({e}): {list}")
                        })
                        .into_iter()
                        .map(Some)
                        .collect()
                }
                None => vec![None],
            };
            let runs = self.run_task(task, items, parallelism, &outputs);
            let failed = runs.iter().any(|r| r.last().unwrap().exit_code != Some(0));
            phases.insert(name.clone(), if failed { "Failed" } else { "Succeeded" });
            outputs.insert(name.clone(), aggregate(task, &runs));
            pods.extend(runs.into_iter().flatten());
        }
        let phase = if phases.values().all(|p| *p == "Succeeded") {
            "Succeeded"
        } else {
            "Failed"
        };
        let status = argo_status(phase, &pods, started.elapsed());
        Executed {
            phase: phase.into(),
            pods,
            status,
        }
    }

    fn template(&self, name: &str) -> &Value {
        self.workflow["spec"]["templates"]
            .as_array()
            .expect("templates")
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no template {name}"))
    }

    /// `depends` as omrun writes it: `a`, or `a.Succeeded || a.Failed`.
    /// The files a `secret` volume holds: every key, or the `items` (key → path) it lists.
    fn secret_files(&self, secret: &str, items: &Value) -> Result<Vec<(String, String)>, String> {
        let data = self
            .secret_volumes
            .get(secret)
            .ok_or_else(|| format!("secret \"{secret}\" not found"))?;
        let Some(items) = items.as_array() else {
            return Ok(data.clone().into_iter().collect());
        };
        items
            .iter()
            .map(|item| {
                let key = item["key"].as_str().expect("items[].key");
                let path = item["path"].as_str().expect("items[].path");
                let text = data.get(key).ok_or_else(|| {
                    format!("secret \"{secret}\" has no key {key} (items references it)")
                })?;
                Ok((path.to_owned(), text.clone()))
            })
            .collect()
    }

    fn dependencies_allow(&self, depends: &str, phases: &HashMap<String, &'static str>) -> bool {
        if depends.trim().is_empty() {
            return true;
        }
        depends.split("||").any(|term| {
            let term = term.trim();
            let (task, wanted) = term.split_once('.').unwrap_or((term, "Succeeded"));
            match phases.get(task) {
                Some(phase) => *phase == wanted,
                None => panic!("depends `{depends}` names {task}, which has not run"),
            }
        })
    }

    /// The pods of one task (one per item), `parallelism` at a time; each with its attempts.
    fn run_task(
        &self,
        task: &Value,
        items: Vec<Option<Value>>,
        parallelism: usize,
        outputs: &HashMap<String, Value>,
    ) -> Vec<Vec<PodRun>> {
        let queue = Arc::new(Mutex::new(
            items.into_iter().enumerate().collect::<Vec<_>>(),
        ));
        let results = Arc::new(Mutex::new(BTreeMap::new()));
        std::thread::scope(|scope| {
            for _ in 0..parallelism {
                let (queue, results) = (queue.clone(), results.clone());
                scope.spawn(move || {
                    loop {
                        let Some((index, item)) = queue.lock().unwrap().pop() else {
                            break;
                        };
                        let runs = self.run_pod(task, item, outputs);
                        results.lock().unwrap().insert(index, runs);
                    }
                });
            }
        });
        Arc::try_unwrap(results)
            .unwrap()
            .into_inner()
            .unwrap()
            .into_values()
            .collect()
    }

    /// Runs one pod, retrying per the template's `retryStrategy`.
    fn run_pod(
        &self,
        task: &Value,
        item: Option<Value>,
        outputs: &HashMap<String, Value>,
    ) -> Vec<PodRun> {
        let template_name = task["template"].as_str().expect("task template");
        let template = self.template(template_name);
        let limit: u32 = match &template["retryStrategy"]["limit"] {
            Value::String(s) => s.parse().expect("limit is a number"),
            Value::Number(n) => n.as_u64().unwrap() as u32,
            Value::Null => 0,
            other => panic!("retryStrategy.limit {other}"),
        };
        if let Some(policy) = template["retryStrategy"]["retryPolicy"].as_str() {
            assert_eq!(
                policy, "Always",
                "a failed pod (exit 1) is only retried with Always"
            );
        }
        // Task arguments → the template's input parameters.
        let mut inputs = HashMap::new();
        for parameter in task["arguments"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let value = parameter["value"].as_str().expect("parameter value");
            inputs.insert(
                parameter["name"].as_str().unwrap().to_owned(),
                self.substitute(value, item.as_ref(), outputs),
            );
        }
        let mut runs: Vec<PodRun> = Vec::new();
        for attempt in 1..=limit + 1 {
            let run = self.attempt(task, template, item.clone(), &inputs, attempt);
            let succeeded = run.exit_code == Some(0);
            runs.push(run);
            if succeeded {
                break;
            }
        }
        runs
    }

    fn attempt(
        &self,
        task: &Value,
        template: &Value,
        item: Option<Value>,
        inputs: &HashMap<String, String>,
        attempt: u32,
    ) -> PodRun {
        let template_name = template["name"].as_str().unwrap();
        let container = &template["container"];
        let pod_dir = self
            .root
            .join(format!("{}-{}-{attempt}", template_name, fastrand::u32(..)));
        // Volumes → folders of this pod.
        let mut mounts: Vec<(String, PathBuf)> = Vec::new();
        let mut failed_mount = None;
        for mount in container["volumeMounts"].as_array().into_iter().flatten() {
            let name = mount["name"].as_str().unwrap();
            let path = mount["mountPath"].as_str().unwrap();
            let local = pod_dir.join(name);
            std::fs::create_dir_all(&local).unwrap();
            let volume = self.workflow["spec"]["volumes"]
                .as_array()
                .and_then(|v| v.iter().find(|v| v["name"] == name))
                .unwrap_or_else(|| panic!("mount of an undeclared volume {name}"));
            if let Some(config_map) = volume["configMap"]["name"].as_str() {
                let data = self.config_maps.get(config_map).unwrap_or_else(|| {
                    panic!("ConfigMap {config_map} was not given to the executor")
                });
                for (key, text) in data {
                    std::fs::write(local.join(key), text).unwrap();
                }
            } else if let Some(secret) = volume["secret"]["secretName"].as_str() {
                match self.secret_files(secret, &volume["secret"]["items"]) {
                    Ok(files) => {
                        for (path, text) in files {
                            std::fs::write(local.join(path), text).unwrap();
                        }
                    }
                    Err(e) => failed_mount = Some(e),
                }
            } else {
                assert!(
                    volume.get("emptyDir").is_some(),
                    "volume {name}: only configMap, secret and emptyDir"
                );
            }
            mounts.push((path.to_owned(), local));
        }
        let localize = |text: &str| -> String {
            for (path, local) in &mounts {
                // Whole path components only: `/etc/omrun` is not a prefix of `/etc/omrun-x`.
                if let Some(rest) = text.strip_prefix(path.as_str())
                    && (rest.is_empty() || rest.starts_with('/'))
                {
                    return format!("{}{rest}", local.display());
                }
            }
            text.to_owned()
        };
        let args: Vec<String> = container["args"]
            .as_array()
            .expect("container args")
            .iter()
            .map(|a| {
                let mut a = a.as_str().unwrap().to_owned();
                for (name, value) in inputs {
                    a = a.replace(&format!("{{{{inputs.parameters.{name}}}}}"), value);
                }
                assert!(!a.contains("{{"), "unresolved expression in {a}");
                localize(&a)
            })
            .collect();
        assert_eq!(container["command"], json!(["omrun"]));
        let mut command = Command::new(crate::omrun_bin());
        command
            .args(&args)
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (key, value) in &self.image_env {
            command.env(key, value);
        }
        let mut missing_secret = None;
        for variable in container["env"].as_array().into_iter().flatten() {
            let name = variable["name"].as_str().unwrap();
            if let Some(value) = variable["value"].as_str() {
                command.env(name, localize(value));
            } else if let Some(reference) = variable["valueFrom"]["secretKeyRef"].as_object() {
                let key = reference["key"].as_str().unwrap();
                match (
                    self.secret.get(key),
                    reference.get("optional") == Some(&json!(true)),
                ) {
                    (Some(value), _) => {
                        command.env(name, value);
                    }
                    (None, true) => {}
                    (None, false) => missing_secret = Some(key.to_owned()),
                }
            } else {
                panic!("env {name}: neither value nor secretKeyRef");
            }
        }
        let mut run = PodRun {
            task: task["name"].as_str().unwrap().into(),
            template: template_name.into(),
            item: item.clone(),
            attempt,
            args: args.clone(),
            exit_code: None,
            killed: false,
            stderr: String::new(),
            outputs: BTreeMap::new(),
        };
        if let Some(reason) = failed_mount {
            // Kubernetes does not start the pod: FailedMount.
            run.exit_code = Some(-1);
            run.stderr = format!("FailedMount: {reason}");
            return run;
        }
        if let Some(key) = missing_secret {
            // Kubernetes does not start the container: CreateContainerConfigError.
            run.exit_code = Some(-1);
            run.stderr = format!("CreateContainerConfigError: secret key {key} not found");
            return run;
        }
        let kill_after =
            self.kill_once
                .as_ref()
                .and_then(|(template, value, after)| {
                    let matches = template == template_name
                        && attempt == 1
                        && item.as_ref().and_then(Value::as_object).is_some_and(|o| {
                            o.values().any(|v| v.as_str() == Some(value.as_str()))
                        });
                    matches.then(|| after.clone())
                });
        let mut child = command.spawn().expect("omrun starts");
        let stdout = child.stdout.take().unwrap();
        let drain = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut lines = Vec::new();
        for line in std::io::BufRead::lines(stderr) {
            let line = line.unwrap_or_default();
            if kill_after
                .as_ref()
                .is_some_and(|after| line.contains(after.as_str()))
                && !run.killed
            {
                child.kill().expect("SIGKILL");
                run.killed = true;
            }
            lines.push(line);
        }
        let status = child.wait().unwrap();
        drain.join().unwrap();
        run.stderr = lines.join("\n");
        run.exit_code = if run.killed { None } else { status.code() };
        for parameter in template["outputs"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let path = localize(
                parameter["valueFrom"]["path"]
                    .as_str()
                    .expect("valueFrom.path"),
            );
            if let Ok(text) = std::fs::read_to_string(&path) {
                run.outputs.insert(
                    parameter["name"].as_str().unwrap().into(),
                    text.trim().to_owned(),
                );
            }
        }
        run
    }

    /// `{{item.K}}` and `{{tasks.T.outputs.parameters.P}}`.
    fn substitute(
        &self,
        text: &str,
        item: Option<&Value>,
        outputs: &HashMap<String, Value>,
    ) -> String {
        let mut text = text.to_owned();
        while let Some(start) = text.find("{{") {
            let end = start + text[start..].find("}}").expect("closed expression");
            let expression = text[start + 2..end].trim().to_owned();
            let parts: Vec<&str> = expression.split('.').collect();
            let value = match parts.as_slice() {
                ["item", key] => match &item.expect("{{item}} outside withParam")[key] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
                ["tasks", task, "outputs", "parameters", name] => match &outputs
                    .get(*task)
                    .unwrap_or_else(|| panic!("{expression}: {task} has not run"))[name]
                {
                    Value::String(s) => s.clone(),
                    Value::Null => panic!("{expression}: no such output"),
                    other => other.to_string(),
                },
                _ => panic!("the executor does not know {{{{{expression}}}}}"),
            };
            text.replace_range(start..end + 2, &value);
        }
        text
    }
}

/// A task's outputs as later tasks see them: a single pod's values, or for a fanned-out task a
/// JSON list of each succeeded pod's value (as Argo aggregates them).
fn aggregate(task: &Value, runs: &[Vec<PodRun>]) -> Value {
    let finals: Vec<&PodRun> = runs.iter().filter_map(|r| r.last()).collect();
    if task.get("withParam").is_none() {
        let outputs = &finals[0].outputs;
        return json!(outputs);
    }
    let mut names: Vec<&String> = finals.iter().flat_map(|r| r.outputs.keys()).collect();
    names.sort();
    names.dedup();
    let mut aggregated = serde_json::Map::new();
    for name in names {
        let values: Vec<&String> = finals
            .iter()
            .filter(|r| r.exit_code == Some(0))
            .filter_map(|r| r.outputs.get(name))
            .collect();
        aggregated.insert(name.clone(), json!(serde_json::to_string(&values).unwrap()));
    }
    Value::Object(aggregated)
}

/// Argo's `status` for the pods run: a `Retry` node per pod with its attempts as `Pod` nodes, each
/// with its outputs as parameters.
fn argo_status(phase: &str, pods: &[PodRun], took: Duration) -> Value {
    let mut nodes = serde_json::Map::new();
    for (index, pod) in pods.iter().enumerate() {
        let parameters: Vec<Value> = pod
            .outputs
            .iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
        let phase = if pod.exit_code == Some(0) {
            "Succeeded"
        } else {
            "Failed"
        };
        let node = json!({
            "id": format!("pod-{index}"),
            "name": format!("{}({})", pod.task, pod.attempt - 1),
            "displayName": pod.task,
            "templateName": pod.template,
            "type": "Pod",
            "phase": phase,
            "outputs": {"parameters": parameters},
        });
        nodes.insert(format!("pod-{index}"), node);
    }
    let mut status = json!({
        "phase": phase,
        "progress": format!("{}/{}", pods.iter().filter(|p| p.exit_code == Some(0)).count(), pods.len()),
        "nodes": nodes,
        "estimatedDuration": took.as_secs(),
    });
    if phase != "Succeeded" {
        status["message"] = json!("child failed");
    }
    status
}
