//! The `properties` of each Argo definition lint checks, as in Argo Workflows' schema (v4.1.2,
//! `api/jsonschema/schema.json`), one list per definition, several names a line. A test compares
//! them with the schema (`tests.rs`). Not formatted by rustfmt (`mod.rs` says so): one list per
//! definition reads better packed.

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
