//! `omrun argo lint`: what Argo's JSON Schema cannot check. The published schema has no
//! `additionalProperties: false` anywhere, so a typo (`retrypolicy`) passes it and the Argo Server
//! drops the field silently; its int-or-string and enum-like fields are plain strings, so
//! `retryPolicy: Sometimes` passes too and only fails (or is ignored) at run time. This walks the
//! parts of a Workflow or WorkflowTemplate omrun renders and says where each such problem is.
//!
//! The field lists below are exactly the `properties` of Argo's definitions (Argo Workflows
//! v4.1.2, `api/jsonschema/schema.json`); a test compares them with the schema so lint never calls
//! a real field unknown.

use serde_json::{Map, Value};
use std::collections::HashSet;

/// One problem found, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON-pointer-like, e.g. "/spec/templates/1/retryStrategy/retryPolicy".
    pub path: String,
    pub message: String,
}

/// Lints a Workflow or WorkflowTemplate document (already parsed from YAML/JSON).
pub fn lint(doc: &Value) -> Vec<Problem> {
    let mut linter = Linter::default();
    linter.document(doc);
    linter.problems
}

/// The field names lint knows for each object kind it checks, keyed by Argo's definition name
/// (e.g. "io.argoproj.workflow.v1alpha1.WorkflowSpec") — so a test can compare them with Argo's
/// schema.
pub fn known_fields() -> &'static [(&'static str, &'static [&'static str])] {
    KNOWN_FIELDS
}

const API_VERSION: &str = "argoproj.io/v1alpha1";
const KINDS: &[&str] = &["Workflow", "WorkflowTemplate"];
const RETRY_POLICIES: &[&str] = &["Always", "OnFailure", "OnError", "OnTransientError"];
#[rustfmt::skip]
const POD_GC_STRATEGIES: &[&str] = &[
    "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess",
];
const PULL_POLICIES: &[&str] = &["Always", "IfNotPresent", "Never"];
/// The results a `depends` expression may test a task for (`worker.Succeeded`).
#[rustfmt::skip]
const TASK_RESULTS: &[&str] = &[
    "Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed",
];
/// Argo cuts output parameters at 256 KiB.
const MAX_PARAMETER_BYTES: usize = 256 * 1024;
/// etcd stores an object up to ~1.5 MiB; the workflow's status (one node per pod) needs the rest.
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

#[rustfmt::skip]
mod fields;
#[cfg(test)]
mod tests;
mod text;

use fields::*;
use text::*;

#[derive(Default)]
struct Linter {
    problems: Vec<Problem>,
}

impl Linter {
    fn report(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    /// `value` as an object, reporting any key not in `fields`: the Argo Server drops unknown
    /// fields silently, so a typo like `retrypolicy` simply turns the setting off.
    fn object<'a>(
        &mut self,
        value: &'a Value,
        path: &str,
        what: &str,
        fields: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        let Some(map) = value.as_object() else {
            self.report(path, format!("{what} must be an object"));
            return None;
        };
        for key in map.keys().filter(|key| !fields.contains(&key.as_str())) {
            if key == "parallelism" {
                self.misplaced_parallelism(&at(path, key), what);
                continue;
            }
            let hint = closest(key, fields)
                .map(|field| format!(" (did you mean \"{field}\"?)"))
                .unwrap_or_default();
            self.report(
                &at(path, key),
                format!("unknown field \"{key}\" in {what}{hint}"),
            );
        }
        Some(map)
    }

    /// `value` as a list (empty, and reported, when it is something else).
    fn list<'a>(&mut self, value: &'a Value, path: &str, what: &str) -> &'a [Value] {
        match value.as_array() {
            Some(items) => items,
            None => {
                self.report(path, format!("{what} must be a list"));
                &[]
            }
        }
    }

    fn document(&mut self, doc: &Value) {
        self.kind_and_version(doc);
        self.document_size(doc);
        let fields = if doc["kind"] == "WorkflowTemplate" {
            WORKFLOW_TEMPLATE
        } else {
            WORKFLOW
        };
        let Some(doc) = self.object(doc, "", "the document", fields) else {
            return;
        };
        if let Some(metadata) = doc.get("metadata") {
            self.object(metadata, "/metadata", "metadata", OBJECT_META);
        }
        match doc.get("spec") {
            Some(spec) => self.spec(spec),
            None => self.report("/spec", "missing spec"),
        }
    }

    /// The Argo Server only takes these two kinds at this version; anything else is a wrong file.
    fn kind_and_version(&mut self, doc: &Value) {
        if !doc["kind"]
            .as_str()
            .is_some_and(|kind| KINDS.contains(&kind))
        {
            self.report(
                "/kind",
                format!(
                    "kind must be Workflow or WorkflowTemplate, not {}",
                    doc["kind"]
                ),
            );
        }
        if doc["apiVersion"] != API_VERSION {
            self.report(
                "/apiVersion",
                format!(
                    "apiVersion must be {API_VERSION}, not {}",
                    doc["apiVersion"]
                ),
            );
        }
    }

    /// etcd refuses objects over ~1.5 MiB, and the status (one node per pod) grows in the same
    /// object: a spec over 1 MiB leaves it too little room.
    fn document_size(&mut self, doc: &Value) {
        let bytes = serde_json::to_vec(doc).map_or(0, |json| json.len());
        if bytes > MAX_DOCUMENT_BYTES {
            let message = format!(
                "the document is {bytes} bytes as JSON: over 1 MiB, etcd's ~1.5 MiB object limit \
                 leaves too little room for the workflow's status"
            );
            self.report("", message);
        }
    }

    fn spec(&mut self, spec: &Value) {
        let Some(spec) = self.object(spec, "/spec", "spec", WORKFLOW_SPEC) else {
            return;
        };
        let templates = match spec.get("templates") {
            Some(templates) => self.list(templates, "/spec/templates", "templates"),
            None => &[],
        };
        let names = self.template_names(templates);
        // With a workflowTemplateRef the templates live in the referenced WorkflowTemplate.
        if spec.get("workflowTemplateRef").is_none() {
            self.template_reference(spec, "entrypoint", "/spec", &names);
            self.template_reference(spec, "onExit", "/spec", &names);
        }
        if let Some(parallelism) = spec.get("parallelism") {
            self.parallelism(parallelism, "/spec/parallelism");
        }
        if let Some(pod_gc) = spec.get("podGC") {
            self.pod_gc(pod_gc, "/spec/podGC");
        }
        if let Some(ttl) = spec.get("ttlStrategy") {
            self.object(ttl, "/spec/ttlStrategy", "ttlStrategy", TTL_STRATEGY);
        }
        if let Some(arguments) = spec.get("arguments") {
            self.parameters(arguments, "/spec/arguments", "arguments", ARGUMENTS);
        }
        if let Some(retry) = spec.get("retryStrategy") {
            self.retry_strategy(retry, "/spec/retryStrategy");
        }
        if let Some(volumes) = spec.get("volumes") {
            self.volumes(volumes, "/spec/volumes");
        }
        if let Some(defaults) = spec.get("templateDefaults") {
            self.template(defaults, "/spec/templateDefaults", &names);
        }
        for (i, template) in templates.iter().enumerate() {
            self.template(template, &format!("/spec/templates/{i}"), &names);
        }
    }

    /// The template names, each once: Argo refuses a workflow whose templates share a name.
    fn template_names<'a>(&mut self, templates: &'a [Value]) -> HashSet<&'a str> {
        let mut names = HashSet::new();
        for (i, template) in templates.iter().enumerate() {
            if let Some(name) = template["name"].as_str()
                && !names.insert(name)
            {
                self.report(
                    &format!("/spec/templates/{i}/name"),
                    format!("duplicate template name \"{name}\""),
                );
            }
        }
        names
    }

    /// `entrypoint`, `onExit` and a task's `template` must name a template of this workflow;
    /// Argo only finds out when it gets there, after the pods before have run.
    fn template_reference(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        path: &str,
        names: &HashSet<&str>,
    ) {
        if let Some(name) = object.get(key).and_then(Value::as_str)
            && !name.contains("{{")
            && !names.contains(name)
        {
            self.report(
                &at(path, key),
                format!("{key} names template \"{name}\", which is not in spec.templates"),
            );
        }
    }

    fn template(&mut self, template: &Value, path: &str, names: &HashSet<&str>) {
        let Some(template) = self.object(template, path, "template", TEMPLATE) else {
            return;
        };
        let field = |key| at(path, key);
        if let Some(deadline) = template.get("activeDeadlineSeconds") {
            self.int_or_string(
                deadline,
                &field("activeDeadlineSeconds"),
                "activeDeadlineSeconds",
            );
        }
        if let Some(parallelism) = template.get("parallelism") {
            self.parallelism(parallelism, &field("parallelism"));
        }
        if let Some(retry) = template.get("retryStrategy") {
            self.retry_strategy(retry, &field("retryStrategy"));
        }
        if let Some(inputs) = template.get("inputs") {
            self.parameters(inputs, &field("inputs"), "inputs", INPUTS);
        }
        if let Some(outputs) = template.get("outputs") {
            self.parameters(outputs, &field("outputs"), "outputs", OUTPUTS);
        }
        if let Some(container) = template.get("container") {
            self.container(container, &field("container"));
        }
        if let Some(volumes) = template.get("volumes") {
            self.volumes(volumes, &field("volumes"));
        }
        if let Some(dag) = template.get("dag") {
            self.dag(dag, &field("dag"), names);
        }
        if let Some(steps) = template.get("steps") {
            self.steps(steps, &field("steps"), names);
        }
    }

    fn dag(&mut self, dag: &Value, path: &str, templates: &HashSet<&str>) {
        let Some(dag) = self.object(dag, path, "dag", DAG_TEMPLATE) else {
            return;
        };
        let tasks = match dag.get("tasks") {
            Some(tasks) => self.list(tasks, &at(path, "tasks"), "tasks"),
            None => &[],
        };
        let mut names = HashSet::new();
        for (i, task) in tasks.iter().enumerate() {
            if let Some(name) = task["name"].as_str()
                && !names.insert(name)
            {
                self.report(
                    &format!("{path}/tasks/{i}/name"),
                    format!("duplicate task name \"{name}\""),
                );
            }
        }
        for (i, task) in tasks.iter().enumerate() {
            let path = format!("{path}/tasks/{i}");
            let Some(task) = self.object(task, &path, "DAG task", DAG_TASK) else {
                continue;
            };
            self.template_reference(task, "template", &path, templates);
            if let Some(depends) = task.get("depends") {
                self.depends(depends, &at(&path, "depends"), &names);
            }
            if let Some(dependencies) = task.get("dependencies") {
                let dependencies =
                    self.list(dependencies, &at(&path, "dependencies"), "dependencies");
                for (j, name) in dependencies.iter().enumerate() {
                    if !name.as_str().is_some_and(|name| names.contains(name)) {
                        self.report(
                            &format!("{path}/dependencies/{j}"),
                            format!("dependencies names {name}, which is not a task of this DAG"),
                        );
                    }
                }
            }
            if let Some(arguments) = task.get("arguments") {
                self.parameters(arguments, &at(&path, "arguments"), "arguments", ARGUMENTS);
            }
        }
    }

    /// `depends` may only test tasks of the same DAG, for a result Argo knows: otherwise the task
    /// waits on nothing, or the workflow errors once it reaches it.
    fn depends(&mut self, depends: &Value, path: &str, tasks: &HashSet<&str>) {
        let Some(expression) = depends.as_str() else {
            self.report(path, "depends must be a string");
            return;
        };
        for operand in depends_operands(expression) {
            let task = match operand.rsplit_once('.') {
                _ if tasks.contains(operand) => continue,
                Some((task, result)) if TASK_RESULTS.contains(&result) => task,
                Some((_, result)) => {
                    let results = TASK_RESULTS.join(", ");
                    let message = format!(
                        "depends: \"{operand}\" tests \"{result}\", which is not a task result \
                         ({results})"
                    );
                    self.report(path, message);
                    continue;
                }
                None => operand,
            };
            if !tasks.contains(task) {
                self.report(
                    path,
                    format!("depends refers to task \"{task}\", which is not in this DAG"),
                );
            }
        }
    }

    fn steps(&mut self, steps: &Value, path: &str, templates: &HashSet<&str>) {
        for (i, group) in self.list(steps, path, "steps").iter().enumerate() {
            let group_path = format!("{path}/{i}");
            for (j, step) in self
                .list(group, &group_path, "a group of steps")
                .iter()
                .enumerate()
            {
                let path = format!("{group_path}/{j}");
                let Some(step) = self.object(step, &path, "step", WORKFLOW_STEP) else {
                    continue;
                };
                self.template_reference(step, "template", &path, templates);
                if let Some(arguments) = step.get("arguments") {
                    self.parameters(arguments, &at(&path, "arguments"), "arguments", ARGUMENTS);
                }
            }
        }
    }

    /// Argo has no `parallelism` on a DAG task or a step and drops it: the fan-out then runs
    /// every item at once.
    fn misplaced_parallelism(&mut self, path: &str, what: &str) {
        let message = format!(
            "parallelism on a {what} is ignored by Argo: put it on spec.parallelism or on the \
             template"
        );
        self.report(path, message);
    }

    /// Zero or a negative parallelism is no limit Argo can honour.
    fn parallelism(&mut self, parallelism: &Value, path: &str) {
        if parallelism.as_i64().is_none_or(|n| n < 1) {
            self.report(
                path,
                format!("parallelism must be a positive integer, not {parallelism}"),
            );
        }
    }

    fn pod_gc(&mut self, pod_gc: &Value, path: &str) {
        let Some(pod_gc) = self.object(pod_gc, path, "podGC", POD_GC) else {
            return;
        };
        if let Some(strategy) = pod_gc.get("strategy") {
            self.one_of(
                strategy,
                &at(path, "strategy"),
                "podGC.strategy",
                POD_GC_STRATEGIES,
            );
        }
        // A metav1.Duration: Go's time.ParseDuration, no bare seconds.
        if let Some(delay) = pod_gc.get("deleteDelayDuration")
            && !delay.as_str().is_some_and(is_go_duration)
        {
            self.report(
                &at(path, "deleteDelayDuration"),
                format!("deleteDelayDuration must be a Go duration like \"30s\", not {delay}"),
            );
        }
    }

    fn retry_strategy(&mut self, retry: &Value, path: &str) {
        let Some(retry) = self.object(retry, path, "retryStrategy", RETRY_STRATEGY) else {
            return;
        };
        if let Some(policy) = retry.get("retryPolicy") {
            self.one_of(
                policy,
                &at(path, "retryPolicy"),
                "retryPolicy",
                RETRY_POLICIES,
            );
        }
        if let Some(limit) = retry.get("limit") {
            self.int_or_string(limit, &at(path, "limit"), "limit");
        }
        let backoff_path = at(path, "backoff");
        let Some(backoff) = retry.get("backoff") else {
            return;
        };
        let Some(backoff) = self.object(backoff, &backoff_path, "backoff", BACKOFF) else {
            return;
        };
        if let Some(factor) = backoff.get("factor") {
            self.int_or_string(factor, &at(&backoff_path, "factor"), "factor");
        }
        for key in ["duration", "cap", "maxDuration"] {
            if let Some(duration) = backoff.get(key) {
                self.backoff_duration(duration, &at(&backoff_path, key), key);
            }
        }
    }

    /// Backoff durations are Go strings, read as whole seconds or by time.ParseDuration; anything
    /// else fails the retry when Argo computes the next attempt.
    fn backoff_duration(&mut self, duration: &Value, path: &str, key: &str) {
        let valid = duration.as_str().is_some_and(|text| {
            text.contains("{{") || text.parse::<u64>().is_ok() || is_go_duration(text)
        });
        if !valid {
            let message = format!(
                "backoff.{key} must be a string of seconds (\"30\") or a Go duration (\"10s\", \
                 \"1m30s\", \"2h\"), not {duration}"
            );
            self.report(path, message);
        }
    }

    /// Int-or-string fields: Argo takes both (omrun renders strings); anything else fails to
    /// decode.
    fn int_or_string(&mut self, value: &Value, path: &str, key: &str) {
        if !(value.is_string() || value.is_i64() || value.is_u64()) {
            self.report(
                path,
                format!("{key} must be an integer or a string, not {value}"),
            );
        }
    }

    /// Enum-like fields are plain strings in the schema; Argo and Kubernetes check them at run
    /// time.
    fn one_of(&mut self, value: &Value, path: &str, what: &str, allowed: &[&str]) {
        let text = value.as_str().unwrap_or_default();
        if allowed.contains(&text) {
            return;
        }
        let hint = closest(text, allowed)
            .map(|value| format!(" (did you mean \"{value}\"?)"))
            .unwrap_or_default();
        self.report(
            path,
            format!("{what} {value} is not one of {}{hint}", allowed.join(", ")),
        );
    }

    fn parameters(&mut self, holder: &Value, path: &str, what: &str, fields: &[&str]) {
        let Some(holder) = self.object(holder, path, what, fields) else {
            return;
        };
        let Some(parameters) = holder.get("parameters") else {
            return;
        };
        let list_path = at(path, "parameters");
        for (i, parameter) in self
            .list(parameters, &list_path, "parameters")
            .iter()
            .enumerate()
        {
            self.parameter(parameter, &format!("{list_path}/{i}"));
        }
    }

    /// Argo cuts parameters at 256 KiB, and every value is copied into the workflow's status.
    fn parameter(&mut self, parameter: &Value, path: &str) {
        let Some(parameter) = self.object(parameter, path, "parameter", PARAMETER) else {
            return;
        };
        for key in ["value", "default"] {
            if let Some(text) = parameter.get(key).and_then(Value::as_str)
                && text.len() > MAX_PARAMETER_BYTES
            {
                self.report(
                    &at(path, key),
                    format!(
                        "parameter {key} is {} bytes: Argo cuts parameters at 256 KiB",
                        text.len()
                    ),
                );
            }
        }
        if let Some(value_from) = parameter.get("valueFrom") {
            self.object(value_from, &at(path, "valueFrom"), "valueFrom", VALUE_FROM);
        }
    }

    fn container(&mut self, container: &Value, path: &str) {
        let Some(container) = self.object(container, path, "container", CONTAINER) else {
            return;
        };
        if let Some(policy) = container.get("imagePullPolicy") {
            self.one_of(
                policy,
                &at(path, "imagePullPolicy"),
                "imagePullPolicy",
                PULL_POLICIES,
            );
        }
        if let Some(env) = container.get("env") {
            for (i, var) in self.list(env, &at(path, "env"), "env").iter().enumerate() {
                self.env_var(var, &format!("{path}/env/{i}"));
            }
        }
        if let Some(mounts) = container.get("volumeMounts") {
            for (i, mount) in self
                .list(mounts, &at(path, "volumeMounts"), "volumeMounts")
                .iter()
                .enumerate()
            {
                self.object(
                    mount,
                    &format!("{path}/volumeMounts/{i}"),
                    "volumeMount",
                    VOLUME_MOUNT,
                );
            }
        }
        if let Some(resources) = container.get("resources") {
            self.object(
                resources,
                &at(path, "resources"),
                "resources",
                RESOURCE_REQUIREMENTS,
            );
        }
    }

    fn env_var(&mut self, var: &Value, path: &str) {
        let Some(var) = self.object(var, path, "env var", ENV_VAR) else {
            return;
        };
        let source_path = at(path, "valueFrom");
        if let Some(source) = var.get("valueFrom")
            && let Some(source) = self.object(source, &source_path, "env valueFrom", ENV_VAR_SOURCE)
            && let Some(secret) = source.get("secretKeyRef")
        {
            self.object(
                secret,
                &at(&source_path, "secretKeyRef"),
                "secretKeyRef",
                SECRET_KEY_SELECTOR,
            );
        }
        self.literal_secret(var, path);
    }

    /// A credential written in the manifest is readable by anyone who can read workflows (and
    /// stays in the archive): it must come from a Kubernetes Secret.
    fn literal_secret(&mut self, var: &Map<String, Value>, path: &str) {
        let name = var.get("name").and_then(Value::as_str).unwrap_or_default();
        let literal = var
            .get("value")
            .and_then(Value::as_str)
            .is_some_and(|value| !value.is_empty());
        if literal && omrun_config::is_secret_key(name) {
            let message = format!(
                "env var {name} has a literal value: credentials must come from a Kubernetes \
                 Secret (valueFrom.secretKeyRef)"
            );
            self.report(&at(path, "value"), message);
        }
    }

    fn volumes(&mut self, volumes: &Value, path: &str) {
        for (i, volume) in self.list(volumes, path, "volumes").iter().enumerate() {
            self.object(volume, &format!("{path}/{i}"), "volume", VOLUME);
        }
    }
}
