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

/// The `properties` of each Argo definition lint checks, as in the schema (kept one list per
/// definition, several names a line).
#[rustfmt::skip]
mod fields {
    pub const WORKFLOW: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];
    pub const WORKFLOW_TEMPLATE: &[&str] = &["apiVersion", "kind", "metadata", "spec"];
    pub const OBJECT_META: &[&str] = &[
        "annotations", "creationTimestamp", "deletionGracePeriodSeconds", "deletionTimestamp",
        "finalizers", "generateName", "generation", "labels", "managedFields", "name", "namespace",
        "ownerReferences", "resourceVersion", "selfLink", "uid",
    ];
    pub const WORKFLOW_SPEC: &[&str] = &[
        "activeDeadlineSeconds", "affinity", "archiveLogs", "arguments", "artifactGC",
        "artifactRepositoryRef", "automountServiceAccountToken", "dnsConfig", "dnsPolicy",
        "entrypoint", "executor", "executorPlugins", "hooks", "hostAliases", "hostNetwork",
        "imagePullSecrets", "metrics", "nodeSelector", "onExit", "parallelism",
        "podDisruptionBudget", "podGC", "podMetadata", "podPriorityClassName", "podResources",
        "podSpecPatch", "priority", "resourceClaims", "retryStrategy", "schedulerName",
        "securityContext", "serviceAccountName", "shutdown", "suspend", "synchronization",
        "templateDefaults", "templates", "tolerations", "ttlStrategy", "volumeClaimGC",
        "volumeClaimTemplates", "volumes", "workflowMetadata", "workflowTemplateRef",
    ];
    pub const TEMPLATE: &[&str] = &[
        "activeDeadlineSeconds", "affinity", "annotations", "archiveLocation",
        "automountServiceAccountToken", "container", "containerSet", "daemon", "dag", "data",
        "executor", "failFast", "hostAliases", "http", "initContainers", "inputs", "memoize",
        "metadata", "metrics", "name", "nodeSelector", "outputs", "parallelism", "pendingTimeout",
        "plugin", "podResources", "podSpecPatch", "priorityClassName", "resource", "resourceClaims",
        "retryStrategy", "schedulerName", "script", "securityContext", "serviceAccountName",
        "sidecars", "steps", "suspend", "synchronization", "timeout", "tolerations", "volumes",
    ];
    pub const DAG_TEMPLATE: &[&str] = &["failFast", "target", "tasks"];
    pub const DAG_TASK: &[&str] = &[
        "arguments", "continueOn", "dependencies", "depends", "hooks", "inline", "name", "onExit",
        "template", "templateRef", "when", "withItems", "withParam", "withSequence",
    ];
    pub const WORKFLOW_STEP: &[&str] = &[
        "arguments", "continueOn", "hooks", "inline", "name", "onExit", "template", "templateRef",
        "when", "withItems", "withParam", "withSequence",
    ];
    pub const RETRY_STRATEGY: &[&str] = &[
        "affinity", "backoff", "expression", "limit", "retryPolicy",
    ];
    pub const BACKOFF: &[&str] = &["cap", "duration", "factor", "maxDuration"];
    pub const POD_GC: &[&str] = &["deleteDelayDuration", "labelSelector", "strategy"];
    pub const TTL_STRATEGY: &[&str] = &[
        "secondsAfterCompletion", "secondsAfterFailure", "secondsAfterSuccess",
    ];
    pub const ARGUMENTS: &[&str] = &["artifacts", "parameters"];
    pub const INPUTS: &[&str] = &["artifacts", "parameters"];
    pub const OUTPUTS: &[&str] = &["artifacts", "exitCode", "parameters", "result"];
    pub const PARAMETER: &[&str] = &[
        "default", "description", "enum", "globalName", "name", "value", "valueFrom",
    ];
    pub const VALUE_FROM: &[&str] = &[
        "configMapKeyRef", "default", "event", "expression", "jqFilter", "jsonPath", "parameter",
        "path", "supplied",
    ];
    pub const CONTAINER: &[&str] = &[
        "args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle",
        "livenessProbe", "name", "ports", "readinessProbe", "resizePolicy", "resources",
        "restartPolicy", "restartPolicyRules", "securityContext", "startupProbe", "stdin",
        "stdinOnce", "terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices",
        "volumeMounts", "workingDir",
    ];
    pub const ENV_VAR: &[&str] = &["name", "value", "valueFrom"];
    pub const ENV_VAR_SOURCE: &[&str] = &[
        "configMapKeyRef", "fieldRef", "fileKeyRef", "resourceFieldRef", "secretKeyRef",
    ];
    pub const SECRET_KEY_SELECTOR: &[&str] = &["key", "name", "optional"];
    pub const VOLUME_MOUNT: &[&str] = &[
        "mountPath", "mountPropagation", "name", "readOnly", "recursiveReadOnly", "subPath",
        "subPathExpr",
    ];
    pub const VOLUME: &[&str] = &[
        "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "configMap", "csi",
        "downwardAPI", "emptyDir", "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk",
        "gitRepo", "glusterfs", "hostPath", "image", "iscsi", "name", "nfs",
        "persistentVolumeClaim", "photonPersistentDisk", "portworxVolume", "projected", "quobyte",
        "rbd", "scaleIO", "secret", "storageos", "vsphereVolume",
    ];
    pub const RESOURCE_REQUIREMENTS: &[&str] = &["claims", "limits", "requests"];

    /// Argo's definition name for each list.
    pub static KNOWN_FIELDS: &[(&str, &[&str])] = &[
        ("io.argoproj.workflow.v1alpha1.Workflow", WORKFLOW),
        ("io.argoproj.workflow.v1alpha1.WorkflowTemplate", WORKFLOW_TEMPLATE),
        ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", OBJECT_META),
        ("io.argoproj.workflow.v1alpha1.WorkflowSpec", WORKFLOW_SPEC),
        ("io.argoproj.workflow.v1alpha1.Template", TEMPLATE),
        ("io.argoproj.workflow.v1alpha1.DAGTemplate", DAG_TEMPLATE),
        ("io.argoproj.workflow.v1alpha1.DAGTask", DAG_TASK),
        ("io.argoproj.workflow.v1alpha1.WorkflowStep", WORKFLOW_STEP),
        ("io.argoproj.workflow.v1alpha1.RetryStrategy", RETRY_STRATEGY),
        ("io.argoproj.workflow.v1alpha1.Backoff", BACKOFF),
        ("io.argoproj.workflow.v1alpha1.PodGC", POD_GC),
        ("io.argoproj.workflow.v1alpha1.TTLStrategy", TTL_STRATEGY),
        ("io.argoproj.workflow.v1alpha1.Arguments", ARGUMENTS),
        ("io.argoproj.workflow.v1alpha1.Inputs", INPUTS),
        ("io.argoproj.workflow.v1alpha1.Outputs", OUTPUTS),
        ("io.argoproj.workflow.v1alpha1.Parameter", PARAMETER),
        ("io.argoproj.workflow.v1alpha1.ValueFrom", VALUE_FROM),
        ("io.k8s.api.core.v1.Container", CONTAINER),
        ("io.k8s.api.core.v1.EnvVar", ENV_VAR),
        ("io.k8s.api.core.v1.EnvVarSource", ENV_VAR_SOURCE),
        ("io.k8s.api.core.v1.SecretKeySelector", SECRET_KEY_SELECTOR),
        ("io.k8s.api.core.v1.VolumeMount", VOLUME_MOUNT),
        ("io.k8s.api.core.v1.Volume", VOLUME),
        ("io.k8s.api.core.v1.ResourceRequirements", RESOURCE_REQUIREMENTS),
    ];
}
use fields::*;

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
        if literal && crate::config::is_secret_key(name) {
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

/// `path/key`, with the key escaped as in a JSON pointer.
fn at(path: &str, key: &str) -> String {
    format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// The operands of a `depends` expression (`a && (b.Succeeded || !c.Failed)` gives a,
/// b.Succeeded, c.Failed).
fn depends_operands(expression: &str) -> impl Iterator<Item = &str> {
    expression
        .split(|c: char| c.is_whitespace() || "&|!()".contains(c))
        .filter(|operand| !operand.is_empty())
}

/// Whether Go's time.ParseDuration accepts `text`: an optional sign, then numbers (with an
/// optional fraction) each followed by a unit; "0" alone needs none.
fn is_go_duration(text: &str) -> bool {
    let mut rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    if rest == "0" {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(number_end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return false;
        }
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_end);
        if !["ns", "us", "µs", "μs", "ms", "s", "m", "h"].contains(&unit) {
            return false;
        }
        rest = tail;
    }
    true
}

/// The candidate `word` most likely misspells: the same ignoring case, or a few edits away.
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if let Some(same) = candidates
        .iter()
        .find(|candidate| candidate.eq_ignore_ascii_case(word))
    {
        return Some(same);
    }
    let allowed = (word.chars().count() / 4).clamp(1, 3);
    candidates
        .iter()
        .map(|candidate| {
            (
                edit_distance(&word.to_lowercase(), &candidate.to_lowercase()),
                *candidate,
            )
        })
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edit distance over chars, a swap of two neighbours counting as one edit (`lables`, `labels`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: the distance between the first i chars of a and the first j of b.
    let mut d: Vec<Vec<usize>> = (0..=a.len()).map(|i| vec![i; b.len() + 1]).collect();
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    /// A pod template as render makes it (discover, worker or finalize).
    fn pod(name: &str, args: Value, inputs: Value, output: &str, file: &str) -> Value {
        json!({
            "name": name,
            "inputs": inputs,
            "retryStrategy": {"limit": "2", "retryPolicy": "Always",
                              "backoff": {"duration": "10s", "factor": "2", "cap": "300s"}},
            "container": {
                "image": "omrun:0.1.0",
                "command": ["omrun"],
                "args": args,
                "env": [
                    {"name": "PG_PASSWORD", "valueFrom":
                        {"secretKeyRef": {"name": "omrun-secrets", "key": "PG_PASSWORD"}}},
                    {"name": "OM_JWT", "valueFrom":
                        {"secretKeyRef": {"name": "omrun-secrets", "key": "OM_JWT", "optional": true}}}
                ],
                "resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                              "limits": {"memory": "1Gi"}},
                "volumeMounts": [{"name": "config", "mountPath": "/etc/omrun", "readOnly": true},
                                 {"name": "work", "mountPath": "/tmp/omrun"}]
            },
            "outputs": {"parameters": [{"name": output, "valueFrom": {"path": file}}]}
        })
    }

    /// A workflow in the shape of notes/argo-shape.md.
    fn clean() -> Value {
        let (c, config) = ("-c", "/etc/omrun/config.yaml");
        let (shards, report) = ("/tmp/omrun/shards.json", "/tmp/omrun/report.json");
        json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "metadata": {"generateName": "omrun-pg-", "namespace": "argo", "labels":
                         {"app.kubernetes.io/name": "omrun", "app.kubernetes.io/instance": "pg"}},
            "spec": {
                "entrypoint": "ingest",
                "serviceAccountName": "omrun-workflow",
                "parallelism": 8,
                "activeDeadlineSeconds": 3600,
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
                        {"name": "finalize", "template": "finalize",
                         "depends": "worker.Succeeded || worker.Failed",
                         "arguments": {"parameters": [{"name": "reports",
                             "value": "{{tasks.worker.outputs.parameters.report}}"}]}}
                    ]}},
                    pod("discover",
                        json!(["discover", c, config, "--shards", "8", "--out", shards]),
                        json!({}), "shards", shards),
                    pod("worker",
                        json!(["worker", c, config, "--shard", "{{inputs.parameters.shard}}"]),
                        json!({"parameters": [{"name": "shard"}]}), "report", report),
                    pod("finalize",
                        json!(["finalize", c, config, "--reports", "{{inputs.parameters.reports}}"]),
                        json!({"parameters": [{"name": "reports"}]}), "report", report),
                ]
            }
        })
    }

    /// Lints `clean()` changed by `edit`; expects exactly one problem, at `path`, saying `fragment`.
    fn one_problem(edit: impl FnOnce(&mut Value), path: &str, fragment: &str) {
        let mut doc = clean();
        edit(&mut doc);
        let problems = lint(&doc);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].path, path, "{problems:#?}");
        assert!(
            problems[0].message.contains(fragment),
            "{:?} lacks {fragment:?}",
            problems[0].message
        );
    }

    fn at_mut<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
        doc.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer}"))
    }

    #[test]
    fn the_rendered_shape_is_clean() {
        assert_eq!(lint(&clean()), []);
        let mut template = clean();
        template["kind"] = json!("WorkflowTemplate");
        template["metadata"] = json!({"name": "omrun-pg", "namespace": "argo"});
        assert_eq!(lint(&template), []);
    }

    #[test]
    fn kind_and_api_version() {
        one_problem(
            |doc| doc["kind"] = json!("CronWorkflow"),
            "/kind",
            "Workflow or WorkflowTemplate",
        );
        one_problem(
            |doc| doc["apiVersion"] = json!("argoproj.io/v1"),
            "/apiVersion",
            "argoproj.io/v1alpha1",
        );
    }

    #[test]
    fn unknown_fields_are_reported_with_a_suggestion() {
        one_problem(
            |doc| {
                let retry = at_mut(doc, "/spec/templates/1/retryStrategy")
                    .as_object_mut()
                    .unwrap();
                let policy = retry.remove("retryPolicy").unwrap();
                retry.insert("retrypolicy".into(), policy);
            },
            "/spec/templates/1/retryStrategy/retrypolicy",
            r#"unknown field "retrypolicy" in retryStrategy (did you mean "retryPolicy"?)"#,
        );
        one_problem(
            |doc| doc["spec"]["entrypiont"] = json!("x"),
            "/spec/entrypiont",
            r#"did you mean "entrypoint"?"#,
        );
        one_problem(
            |doc| doc["metadata"]["lables"] = json!({}),
            "/metadata/lables",
            r#"in metadata (did you mean "labels"?)"#,
        );
        one_problem(
            |doc| at_mut(doc, "/spec/templates/2/container")["imagePulPolicy"] = json!("Always"),
            "/spec/templates/2/container/imagePulPolicy",
            r#"did you mean "imagePullPolicy"?"#,
        );
        one_problem(
            |doc| at_mut(doc, "/spec/volumes/1")["emptydir"] = json!({}),
            "/spec/volumes/1/emptydir",
            "in volume",
        );
        one_problem(
            |doc| {
                at_mut(
                    doc,
                    "/spec/templates/1/container/env/0/valueFrom/secretKeyRef",
                )["optinal"] = json!(true)
            },
            "/spec/templates/1/container/env/0/valueFrom/secretKeyRef/optinal",
            r#"did you mean "optional"?"#,
        );
        one_problem(
            |doc| {
                at_mut(doc, "/spec/templates/1/outputs/parameters/0/valueFrom")["file"] =
                    json!("/x")
            },
            "/spec/templates/1/outputs/parameters/0/valueFrom/file",
            "in valueFrom",
        );
        one_problem(
            |doc| doc["spec"]["podGC"]["a/b"] = json!(1),
            "/spec/podGC/a~1b",
            "in podGC",
        );
    }

    #[test]
    fn enum_values_argo_only_checks_at_run_time() {
        one_problem(
            |doc| {
                at_mut(doc, "/spec/templates/1/retryStrategy")["retryPolicy"] = json!("Sometimes")
            },
            "/spec/templates/1/retryStrategy/retryPolicy",
            "retryPolicy \"Sometimes\" is not one of Always, OnFailure",
        );
        one_problem(
            |doc| doc["spec"]["podGC"]["strategy"] = json!("OnPodSucces"),
            "/spec/podGC/strategy",
            r#"(did you mean "OnPodSuccess"?)"#,
        );
        one_problem(
            |doc| at_mut(doc, "/spec/templates/3/container")["imagePullPolicy"] = json!("always"),
            "/spec/templates/3/container/imagePullPolicy",
            r#"(did you mean "Always"?)"#,
        );
        one_problem(
            |doc| doc["spec"]["podGC"]["deleteDelayDuration"] = json!("30"),
            "/spec/podGC/deleteDelayDuration",
            "Go duration",
        );
    }

    #[test]
    fn tasks_and_entrypoint_name_what_exists() {
        let depends = "/spec/templates/0/dag/tasks/2/depends";
        one_problem(
            |doc| at_mut(doc, depends).clone_from(&json!("worker.Succeeded || workers.Failed")),
            depends,
            r#"task "workers", which is not in this DAG"#,
        );
        one_problem(
            |doc| {
                at_mut(doc, depends).clone_from(&json!("(worker.Succeeded || !discover) && disco"))
            },
            depends,
            r#"task "disco""#,
        );
        one_problem(
            |doc| at_mut(doc, depends).clone_from(&json!("worker.Succeded")),
            depends,
            r#""worker.Succeded" tests "Succeded", which is not a task result"#,
        );
        let mut doc = clean();
        at_mut(&mut doc, depends).clone_from(&json!(
            "(worker.AnySucceeded || !discover.Failed) && worker.AllFailed"
        ));
        at_mut(&mut doc, "/spec/templates/0/dag/tasks/1")["dependencies"] = json!(["discover"]);
        assert_eq!(lint(&doc), []);
        one_problem(
            |doc| {
                at_mut(doc, "/spec/templates/0/dag/tasks/1")["dependencies"] =
                    json!(["discover", "list"])
            },
            "/spec/templates/0/dag/tasks/1/dependencies/1",
            r#""list", which is not a task"#,
        );
        one_problem(
            |doc| at_mut(doc, "/spec/templates/0/dag/tasks/0")["template"] = json!("discovery"),
            "/spec/templates/0/dag/tasks/0/template",
            r#"template "discovery", which is not in spec.templates"#,
        );
        one_problem(
            |doc| doc["spec"]["entrypoint"] = json!("main"),
            "/spec/entrypoint",
            r#"entrypoint names template "main""#,
        );
        one_problem(
            |doc| at_mut(doc, "/spec/templates/0/dag/tasks/2")["name"] = json!("worker"),
            "/spec/templates/0/dag/tasks/2/name",
            r#"duplicate task name "worker""#,
        );
    }

    #[test]
    fn int_or_string_fields_and_backoff_durations() {
        let retry = "/spec/templates/1/retryStrategy";
        one_problem(
            |doc| at_mut(doc, retry)["limit"] = json!({"max": 3}),
            &format!("{retry}/limit"),
            "limit must be an integer or a string",
        );
        one_problem(
            |doc| at_mut(doc, retry)["backoff"]["factor"] = json!(1.5),
            &format!("{retry}/backoff/factor"),
            "factor must be",
        );
        one_problem(
            |doc| at_mut(doc, "/spec/templates/2")["activeDeadlineSeconds"] = json!([60]),
            "/spec/templates/2/activeDeadlineSeconds",
            "must be an integer or a string",
        );
        let mut doc = clean();
        at_mut(&mut doc, retry)["limit"] = json!(3);
        for good in [
            "10s",
            "1m30s",
            "2h",
            "30",
            "1.5h",
            "0",
            "{{inputs.parameters.backoff}}",
        ] {
            at_mut(&mut doc, retry)["backoff"]["duration"] = json!(good);
            assert_eq!(lint(&doc), [], "{good}");
        }
        for bad in [
            json!("10 s"),
            json!("ten"),
            json!("1.5"),
            json!("10sec"),
            json!(10),
            json!(""),
        ] {
            one_problem(
                |doc| at_mut(doc, retry)["backoff"]["cap"] = bad.clone(),
                &format!("{retry}/backoff/cap"),
                "Go duration",
            );
        }
        one_problem(
            |doc| at_mut(doc, retry)["backoff"]["maxDuration"] = json!("1d"),
            &format!("{retry}/backoff/maxDuration"),
            "backoff.maxDuration",
        );
    }

    #[test]
    fn parallelism_belongs_on_the_spec_or_the_template() {
        one_problem(
            |doc| at_mut(doc, "/spec/templates/0/dag/tasks/1")["parallelism"] = json!(4),
            "/spec/templates/0/dag/tasks/1/parallelism",
            "parallelism on a DAG task is ignored by Argo: put it on spec.parallelism or on the template",
        );
        one_problem(
            |doc| {
                let step = json!({"name": "d", "template": "discover", "parallelism": 2});
                doc["spec"]["templates"][0] = json!({"name": "ingest", "steps": [[step]]});
            },
            "/spec/templates/0/steps/0/0/parallelism",
            "parallelism on a step is ignored",
        );
        one_problem(
            |doc| doc["spec"]["parallelism"] = json!(0),
            "/spec/parallelism",
            "positive integer, not 0",
        );
        one_problem(
            |doc| doc["spec"]["parallelism"] = json!(-2),
            "/spec/parallelism",
            "positive integer, not -2",
        );
        let mut doc = clean();
        at_mut(&mut doc, "/spec/templates/0")["parallelism"] = json!(4);
        assert_eq!(lint(&doc), []);
    }

    #[test]
    fn parameter_and_document_sizes() {
        let big = "x".repeat(MAX_PARAMETER_BYTES + 1);
        one_problem(
            |doc| {
                doc["spec"]["arguments"] =
                    json!({"parameters": [{"name": "entities", "value": big}]})
            },
            "/spec/arguments/parameters/0/value",
            "Argo cuts parameters at 256 KiB",
        );
        let mut doc = clean();
        doc["spec"]["arguments"] =
            json!({"parameters": [{"name": "ok", "value": "x".repeat(MAX_PARAMETER_BYTES)}]});
        assert_eq!(lint(&doc), []);
        let chunk = "x".repeat(200 * 1024);
        let huge: Vec<Value> = (0..6)
            .map(|i| json!({"name": format!("p{i}"), "value": chunk}))
            .collect();
        one_problem(
            |doc| doc["spec"]["arguments"] = json!({"parameters": huge}),
            "",
            "over 1 MiB",
        );
    }

    #[test]
    fn literal_secrets_are_refused() {
        one_problem(
            |doc| {
                at_mut(doc, "/spec/templates/2/container/env/1")
                    .clone_from(&json!({"name": "OM_JWT", "value": "eyJhbGciOi"}))
            },
            "/spec/templates/2/container/env/1/value",
            "credentials must come from a Kubernetes Secret",
        );
        one_problem(
            |doc| {
                at_mut(doc, "/spec/templates/1/container/env")
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"name": "snowflake_private_key", "value": "-----BEGIN"}))
            },
            "/spec/templates/1/container/env/2/value",
            "env var snowflake_private_key has a literal value",
        );
        let mut doc = clean();
        let env = at_mut(&mut doc, "/spec/templates/1/container/env")
            .as_array_mut()
            .unwrap();
        env.push(json!({"name": "RUST_LOG", "value": "info"}));
        env.push(json!({"name": "API_TOKEN", "value": ""}));
        assert_eq!(lint(&doc), []);
    }

    #[test]
    fn go_durations_and_depends_operands() {
        for good in ["0", "300ms", "-1.5h", "1h2m3s", "2us", "4µs", ".5s", "5.s"] {
            assert!(is_go_duration(good), "{good}");
        }
        for bad in ["", "s", "1", "1d", "1h 2m", "1..5s", "+", "h1"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
        assert_eq!(edit_distance("lables", "labels"), 1);
        assert_eq!(edit_distance("retrypolicy", "retryPolicy"), 1);
        assert_eq!(edit_distance("parralelism", "parallelism"), 2);
        let operands: Vec<_> = depends_operands("(a.Succeeded||!b)&& c").collect();
        assert_eq!(operands, ["a.Succeeded", "b", "c"]);
    }

    fn schema_path() -> PathBuf {
        match std::env::var_os("OMRUN_ARGO_SCHEMA") {
            Some(path) => path.into(),
            // Where scripts/argo-schema.py derives it (scripts/test.sh sets the variable).
            None => std::env::home_dir()
                .unwrap_or_default()
                .join(".cache/omrun/argo-schema/schema.json"),
        }
    }

    /// Each list lint knows is exactly the definition's properties in Argo's schema: lint never
    /// calls a real field unknown, and misses none. Against a schema derived from an older Argo
    /// (scripts/argo-schema.py, for machines without Argo's file) only the first half holds: lint
    /// also knows the fields added since.
    #[test]
    fn known_fields_are_the_schema_properties() {
        let path = schema_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "cannot read Argo's JSON Schema at {} ({error}); set OMRUN_ARGO_SCHEMA to its path",
                path.display()
            )
        });
        let schema: Value = serde_json::from_str(&text).expect("Argo's schema is JSON");
        let derived = schema["$comment"]
            .as_str()
            .is_some_and(|c| c.starts_with("DERIVED"));
        assert!(!known_fields().is_empty());
        for (definition, fields) in known_fields() {
            let properties = schema["definitions"][definition]["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{definition} has no properties in {}", path.display()));
            let expected: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
            let ours: BTreeSet<&str> = fields.iter().copied().collect();
            assert_eq!(ours.len(), fields.len(), "{definition} lists a field twice");
            if derived {
                let unknown: Vec<_> = expected.difference(&ours).collect();
                assert!(
                    unknown.is_empty(),
                    "{definition}: lint does not know {unknown:?}"
                );
            } else {
                assert_eq!(ours, expected, "{definition}");
            }
        }
    }
}
