//! The Workflow (or WorkflowTemplate) a config runs as, and the ConfigMap its pods read the config
//! from. The shape is documented in docs/argo.md; what it avoids is the point:
//! - no entity list in a parameter (Argo cuts outputs at 256 KiB): discover emits one small item
//!   per shard, and each worker re-lists the source and keeps its share by a hash of the FQN;
//! - no secret in the manifest: the config keeps its `${VAR}`s, whose values come from a
//!   Kubernetes Secret through `secretKeyRef` — a config with a literal secret is refused;
//! - `parallelism` on the spec, where Argo honours it (on a DAG task it is ignored);
//! - workers that fail exit non-zero, so `retryStrategy` (from `retryPolicy`) really retries.

use crate::shipped::Shipped;
use omrun_config::{Config, DistributedExecution, RetryPolicy};
use serde_json::{Map, Value, json};

/// Where the pods find things. The config comes from a ConfigMap volume; the work folder is an
/// emptyDir, so the image's root filesystem can stay read-only.
const CONFIG_DIR: &str = "/etc/omrun";
const CONFIG_FILE: &str = "/etc/omrun/config.yaml";
const WORK_DIR: &str = "/tmp/omrun";
const SHARDS_FILE: &str = "/tmp/omrun/shards.json";
const REPORT_FILE: &str = "/tmp/omrun/report.json";
/// Where the registry Secret is mounted: the pods' `DOCKER_CONFIG`, read when a plugin is pulled.
const REGISTRY_DIR: &str = "/etc/omrun-registry";

pub const DEFAULT_NAMESPACE: &str = "argo";
const DEFAULT_SERVICE_ACCOUNT: &str = "omrun-workflow";
const DEFAULT_SECRET: &str = "omrun-secrets";

/// A config ready to render: the loaded config and its document, `${VAR}`s unexpanded.
pub struct Rendering<'a> {
    config: &'a Config,
    shipped: Shipped,
    shards: u32,
}

impl<'a> Rendering<'a> {
    /// Reads the config's file again (unexpanded) and checks that no secret is written in it.
    pub fn new(config: &'a Config, parallelism: u32) -> anyhow::Result<Self> {
        let shipped = Shipped::read(
            config,
            &format!(
                "the pods take it from the Kubernetes Secret `{}` and the manifest never contains it",
                secret_name(&config.workflow.distributed_execution)
            ),
        )?;
        Ok(Self {
            config,
            shipped,
            shards: parallelism.max(1),
        })
    }

    fn distributed(&self) -> &DistributedExecution {
        &self.config.workflow.distributed_execution
    }

    pub fn namespace(&self) -> &str {
        self.distributed()
            .namespace
            .as_deref()
            .unwrap_or(DEFAULT_NAMESPACE)
    }

    /// `omrun-<service>`, in the characters Kubernetes names allow.
    fn base_name(&self) -> String {
        let service: String = self
            .config
            .source
            .service_name
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let service = service.trim_matches('-');
        let mut name = format!("omrun-{service}");
        name.truncate(40);
        name.trim_end_matches('-').to_owned()
    }

    pub fn config_map_name(&self) -> String {
        self.distributed()
            .config_map
            .clone()
            .unwrap_or_else(|| format!("{}-config", self.base_name()))
    }

    /// The ConfigMap holding the config, `${VAR}`s and all, without the file's comments.
    pub fn config_map(&self) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": self.config_map_name(),
                "namespace": self.namespace(),
                "labels": self.labels(),
            },
            "data": {"config.yaml": self.shipped.text},
        })
    }

    fn labels(&self) -> Value {
        json!({
            "app.kubernetes.io/name": "omrun",
            "app.kubernetes.io/instance": self.base_name(),
        })
    }

    /// The Workflow, or with `template` a WorkflowTemplate of the same spec.
    pub fn workflow(&self, template: bool) -> Value {
        let mut metadata = json!({"namespace": self.namespace(), "labels": self.labels()});
        if template {
            metadata["name"] = json!(self.base_name());
        } else {
            metadata["generateName"] = json!(format!("{}-", self.base_name()));
        }
        json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": if template { "WorkflowTemplate" } else { "Workflow" },
            "metadata": metadata,
            "spec": self.spec(),
        })
    }

    fn spec(&self) -> Value {
        let distributed = self.distributed();
        let mut spec = json!({
            "entrypoint": "ingest",
            "serviceAccountName": self.service_account(),
            // On the spec: Argo ignores `parallelism` on a DAG task.
            "parallelism": self.shards,
            // Failed pods stay for `kubectl logs`; the Workflow itself goes after a day (a week
            // when it failed).
            "podGC": {"strategy": "OnPodSuccess"},
            "ttlStrategy": {"secondsAfterSuccess": 86_400, "secondsAfterFailure": 604_800},
            "volumes": self.volumes(),
            "templates": [self.dag(), self.discover(), self.worker(), self.finalize()],
        });
        if let Some(timeout) = distributed.timeout_seconds {
            spec["activeDeadlineSeconds"] = json!(timeout);
        }
        spec
    }

    fn volumes(&self) -> Vec<Value> {
        let mut volumes = vec![
            json!({"name": "config", "configMap": {"name": self.config_map_name()}}),
            json!({"name": "work", "emptyDir": {}}),
        ];
        if let Some(source) = self.plugin_volume() {
            let mut volume = Map::new();
            volume.insert("name".into(), json!("plugins"));
            volume.extend(source.clone());
            volumes.push(Value::Object(volume));
        }
        if let Some(secret) = &self.distributed().registry_secret {
            // A dockerconfigjson Secret keeps the docker config under `.dockerconfigjson`;
            // omrun reads `$DOCKER_CONFIG/config.json`, as docker does.
            volumes.push(json!({
                "name": "registry",
                "secret": {
                    "secretName": secret,
                    "items": [{"key": ".dockerconfigjson", "path": "config.json"}],
                },
            }));
        }
        volumes
    }

    fn plugin_volume(&self) -> Option<&Map<String, Value>> {
        self.distributed()
            .plugin
            .as_ref()
            .and_then(|p| p.volume.as_ref())
            .and_then(Value::as_object)
    }

    /// discover → one worker per shard (`withParam`) → finalize, which runs whether workers
    /// succeeded or not (it is what says which failed, and it keeps stale tables then).
    fn dag(&self) -> Value {
        json!({
            "name": "ingest",
            "dag": {
                "failFast": false,
                "tasks": [
                    {"name": "discover", "template": "discover"},
                    {
                        "name": "worker",
                        "template": "worker",
                        "depends": "discover",
                        "withParam": "{{tasks.discover.outputs.parameters.shards}}",
                        "arguments": {"parameters": [{"name": "shard", "value": "{{item.shard}}"}]},
                    },
                    {
                        "name": "finalize",
                        "template": "finalize",
                        "depends": "worker.Succeeded || worker.Failed",
                        "arguments": {"parameters": [
                            {"name": "reports", "value": "{{tasks.worker.outputs.parameters.report}}"},
                        ]},
                    },
                ],
            },
        })
    }

    fn discover(&self) -> Value {
        let shards = self.shards.to_string();
        self.pod(
            "discover",
            &["discover", "--shards", &shards, "--out", SHARDS_FILE],
            None,
            Some(("shards", SHARDS_FILE)),
        )
    }

    fn worker(&self) -> Value {
        self.pod(
            "worker",
            &[
                "worker",
                "--shard",
                "{{inputs.parameters.shard}}",
                "--report-json",
                REPORT_FILE,
            ],
            Some("shard"),
            Some(("report", REPORT_FILE)),
        )
    }

    fn finalize(&self) -> Value {
        let shards = self.shards.to_string();
        self.pod(
            "finalize",
            &[
                "finalize",
                "--shards",
                &shards,
                "--reports",
                "{{inputs.parameters.reports}}",
                "--report-json",
                REPORT_FILE,
            ],
            Some("reports"),
            Some(("report", REPORT_FILE)),
        )
    }

    /// A container template running `omrun <command> -c CONFIG <args…>`.
    fn pod(
        &self,
        name: &str,
        args: &[&str],
        input: Option<&str>,
        output: Option<(&str, &str)>,
    ) -> Value {
        let distributed = self.distributed();
        let mut container = self.container();
        container["command"] = json!(["omrun"]);
        container["args"] = json!(self.arguments(args));
        let mut template = json!({
            "name": name,
            "retryStrategy": retry_strategy(&distributed.retry_policy),
            "container": container,
        });
        if let Some(input) = input {
            template["inputs"] = json!({"parameters": [{"name": input}]});
        }
        if let Some((parameter, path)) = output {
            template["outputs"] =
                json!({"parameters": [{"name": parameter, "valueFrom": {"path": path}}]});
        }
        template
    }

    /// `COMMAND -c CONFIG [--plugin PATH] ARGS…`: `args[0]` is the command.
    fn arguments<'b>(&'b self, args: &[&'b str]) -> Vec<&'b str> {
        let mut arguments: Vec<&str> = vec![args[0], "-c", CONFIG_FILE];
        if let Some(plugin) = &self.distributed().plugin {
            arguments.extend(["--plugin", plugin.path.as_str()]);
        }
        arguments.extend(&args[1..]);
        arguments
    }

    /// The omrun container of every pod, without its command: image, variables, mounts,
    /// resources, security context.
    fn container(&self) -> Value {
        let distributed = self.distributed();
        let mut mounts = vec![
            json!({"name": "config", "mountPath": CONFIG_DIR, "readOnly": true}),
            json!({"name": "work", "mountPath": WORK_DIR}),
        ];
        let plugin = distributed.plugin.as_ref().map(|p| p.path.as_str());
        if let (Some(path), Some(_)) = (plugin, self.plugin_volume()) {
            let folder = std::path::Path::new(path)
                .parent()
                .map_or("/plugins".into(), |p| p.display().to_string());
            mounts.push(json!({"name": "plugins", "mountPath": folder, "readOnly": true}));
        }
        if distributed.registry_secret.is_some() {
            mounts.push(json!({"name": "registry", "mountPath": REGISTRY_DIR, "readOnly": true}));
        }
        let mut container = json!({
            "image": self.image(),
            "env": self.env(),
            "volumeMounts": mounts,
            "securityContext": {
                "runAsNonRoot": true,
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
            },
        });
        let mut resources = Map::new();
        if let Some(requests) = &distributed.resource_requests {
            resources.insert("requests".into(), json!(requests));
        }
        if let Some(limits) = &distributed.resource_limits {
            resources.insert("limits".into(), json!(limits));
        }
        if !resources.is_empty() {
            container["resources"] = Value::Object(resources);
        }
        container
    }

    /// The worker image (default `omrun:<this version>`, built by k8s/Dockerfile).
    pub fn image(&self) -> String {
        self.distributed()
            .image
            .clone()
            .unwrap_or_else(|| format!("omrun:{}", env!("CARGO_PKG_VERSION")))
    }

    pub fn service_account(&self) -> &str {
        self.distributed()
            .service_account
            .as_deref()
            .unwrap_or(DEFAULT_SERVICE_ACCOUNT)
    }

    /// A Kubernetes Pod holding what Argo's pods hold but their command, for other
    /// orchestrators' pods (Airflow's KubernetesPodOperator reads it as `pod_template_dict`; its
    /// container is `base`, the operator's name for the one it runs), and where it finds the
    /// config file and the plugin.
    pub fn pod_template(&self) -> (Value, &'static str) {
        let mut container = self.container();
        container["name"] = json!("base");
        let pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"labels": self.labels()},
            "spec": {
                "serviceAccountName": self.service_account(),
                "volumes": self.volumes(),
                "containers": [container],
            },
        });
        (pod, CONFIG_FILE)
    }

    /// Each `${VAR}` of the config from the Secret (optional when it has a default), the
    /// compiled-plugin cache (and the store of pulled plugins beside it) in the writable work
    /// folder, and the registry's docker config when there is one.
    fn env(&self) -> Vec<Value> {
        let secret = secret_name(self.distributed());
        let mut env: Vec<Value> = self
            .shipped
            .variables
            .iter()
            .map(|(name, has_default)| {
                let mut reference = json!({"name": secret, "key": name});
                if *has_default {
                    reference["optional"] = json!(true);
                }
                json!({"name": name, "valueFrom": {"secretKeyRef": reference}})
            })
            .collect();
        env.push(json!({"name": "OMRUN_CACHE_DIR", "value": format!("{WORK_DIR}/cache")}));
        if self.distributed().registry_secret.is_some() {
            env.push(json!({"name": "DOCKER_CONFIG", "value": REGISTRY_DIR}));
        }
        env
    }
}

fn secret_name(distributed: &DistributedExecution) -> &str {
    distributed.secret_name.as_deref().unwrap_or(DEFAULT_SECRET)
}

/// Argo's `retryStrategy` from the config's `retryPolicy`: `limit` counts retries, not attempts;
/// `retryPolicy: Always` retries failed pods as well as errored ones (a worker with a failed entity
/// exits 1, which Argo calls Failed). Int-or-string fields are strings, as Argo documents them.
fn retry_strategy(retry: &RetryPolicy) -> Value {
    json!({
        "limit": (retry.max_attempts.saturating_sub(1)).to_string(),
        "retryPolicy": "Always",
        "backoff": {
            "duration": seconds(retry.backoff_seconds),
            "factor": number(retry.backoff_factor),
            "cap": seconds(retry.max_backoff_seconds),
        },
    })
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

fn seconds(value: f64) -> String {
    format!("{}s", number(value.max(0.0)))
}
