//! The workflow config: OpenMetadata's workflow YAML (`source`, `sink`, `workflowConfig`), so users
//! keep the files they already have. Loading (`load`) expands `${VAR}`s and reports errors with file,
//! line, column and key; this crate's root holds the model and its defaults.
//!
//! The bottom layer, beside `omrun-model`: it depends on none of omrun's crates, because every
//! layer above reads its section of the config (the capabilities their grants and limits, the
//! sinks their destination, the pipeline its retry policy, the orchestrators their mode).

mod airflow;
mod checks;
mod diagnostics;
mod effect;
mod limits;
mod load;
mod located;
mod openmetadata;
mod secrets;
mod source_config;

pub use airflow::{AirflowSecret, AirflowSettings, AirflowTasks, SecretSource};
pub use diagnostics::ConfigError;
pub use effect::HOST_KEYS;
pub use limits::PluginLimits;
pub use load::{MAX_CONFIG_BYTES, load, load_unresolved, parse_str};
pub use openmetadata::VERSION as OPENMETADATA_VERSION;
pub use openmetadata::category_of as service_category;
pub use secrets::{Secret, is_secret_key, secret_paths, without_secrets};

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A loaded workflow config.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from, for messages.
    pub path: PathBuf,
    /// The sha256 (hex) of the text it was loaded from: the run report names the config by it.
    pub digest: String,
    pub source: SourceSection,
    pub sink: SinkSection,
    pub workflow: WorkflowSection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub source: SourceSection,
    pub sink: SinkSection,
    #[serde(default)]
    pub workflow_config: WorkflowSection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceSection {
    /// The connector, e.g. `postgres`; also the plugin's file name (`postgres.wasm`).
    #[serde(rename = "type")]
    pub kind: String,
    pub service_name: String,
    pub service_connection: ServiceConnection,
    #[serde(default)]
    pub source_config: SourceConfigSection,
    /// Where the plugin comes from, pinned (omrun's key, beside OpenMetadata's): without it,
    /// `--plugin` or `<type>.wasm` from the plugin path.
    pub plugin: Option<PluginSource>,
}

/// `source.plugin`: a plugin in a registry (`oci://REGISTRY/REPOSITORY:TAG`) or a file, and the
/// sha256 of its `.wasm` that it must have.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginSource {
    #[serde(rename = "ref")]
    pub reference: String,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(from = "LocatedConnection")]
pub struct ServiceConnection {
    /// Kept as JSON: each connector reads its own keys. Secrets in it are held by the host only.
    pub config: serde_json::Value,
    /// The same, with where each value is written, for the checks against OpenMetadata's schema.
    located: located::Located,
}

/// `serviceConnection` as parsed: one parse gives the JSON and the positions.
#[derive(Deserialize)]
struct LocatedConnection {
    config: located::Located,
}

impl From<LocatedConnection> for ServiceConnection {
    fn from(raw: LocatedConnection) -> Self {
        Self {
            config: raw.config.value.to_json(),
            located: raw.config,
        }
    }
}

impl ServiceConnection {
    /// OpenMetadata's service type, e.g. `Postgres` (`serviceConnection.config.type`).
    pub fn service_type(&self) -> Option<&str> {
        self.config.get("type").and_then(|t| t.as_str())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "LocatedSourceConfig")]
pub struct SourceConfigSection {
    /// OpenMetadata's metadata pipeline options, as JSON for the connector (`null` when absent).
    pub config: serde_json::Value,
    located: Option<located::Located>,
}

#[derive(Deserialize)]
struct LocatedSourceConfig {
    #[serde(default)]
    config: Option<located::Located>,
}

impl From<LocatedSourceConfig> for SourceConfigSection {
    fn from(raw: LocatedSourceConfig) -> Self {
        Self {
            config: raw
                .config
                .as_ref()
                .map_or(serde_json::Value::Null, |c| c.value.to_json()),
            located: raw.config,
        }
    }
}

/// `sink: {type: file, config: {filename: …}}` or `sink: {type: metadata-rest, config: {…}}`, as
/// OpenMetadata writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", content = "config", rename_all = "kebab-case")]
pub enum SinkSection {
    File(FileSinkConfig),
    /// `config` may be left out.
    MetadataRest(Option<MetadataRestSinkConfig>),
}

#[derive(Debug, Clone, Deserialize)]
pub struct FileSinkConfig {
    pub filename: PathBuf,
}

/// OpenMetadata's `metadata-rest` sink settings (it spells them in snake_case; camelCase works
/// too), plus omrun's own.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataRestSinkConfig {
    /// Create requests per bulk call (default 100).
    #[serde(
        alias = "bulk_sink_batch_size",
        default,
        deserialize_with = "optional_at_least_one"
    )]
    pub bulk_sink_batch_size: Option<u32>,
    /// Let bulk updates overwrite descriptions and other user-curated fields (default false).
    #[serde(alias = "override_metadata")]
    pub override_metadata: Option<bool>,
    /// omrun: bulk calls in flight at once (default 4).
    #[serde(default, deserialize_with = "optional_at_least_one")]
    pub concurrency: Option<u32>,
    /// omrun: seconds before a call is abandoned and retried (default 60).
    #[serde(default, deserialize_with = "optional_seconds")]
    pub timeout_seconds: Option<f64>,
    /// omrun: the largest request body sent, in bytes (default 1 MiB, what a proxy such as nginx
    /// accepts unless told otherwise): bulk calls are split to fit, and a deleteStale whose
    /// `seenFqns` would not fit is done by listing the scope instead.
    #[serde(default, deserialize_with = "optional_at_least_one")]
    pub max_request_bytes: Option<u32>,
}

/// `workflowConfig.openMetadataServerConfig`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenMetadataServerConfig {
    /// E.g. `http://localhost:8585/api`.
    pub host_port: Spanned<String>,
    /// `openmetadata` (a bot's JWT) or `no-auth` ([`Self::auth_provider`] gives the default).
    #[serde(rename = "authProvider")]
    pub auth_provider_written: Option<Spanned<String>>,
    pub security_config: Option<SecurityConfig>,
    /// `no-ssl`, `validate` or `ignore` (accept any certificate); see [`Self::verify_ssl`].
    #[serde(rename = "verifySSL")]
    pub verify_ssl_written: Option<Spanned<String>>,
}

impl OpenMetadataServerConfig {
    /// `authProvider`, `openmetadata` when not given.
    pub fn auth_provider(&self) -> &str {
        self.auth_provider_written
            .as_ref()
            .map_or("openmetadata", |p| p.value.as_str())
    }

    /// `verifySSL`, `no-ssl` when not given.
    pub fn verify_ssl(&self) -> &str {
        self.verify_ssl_written
            .as_ref()
            .map_or("no-ssl", |v| v.value.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityConfig {
    pub jwt_token: Option<Spanned<Secret>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowSection {
    #[serde(default)]
    pub logger_level: LoggerLevel,
    /// Needed by the `metadata-rest` sink; accepted (and unused) with the file sink so existing
    /// OpenMetadata configs load unchanged.
    pub open_metadata_server_config: Option<OpenMetadataServerConfig>,
    #[serde(default, deserialize_with = "written")]
    pub distributed_execution: DistributedExecution,
    /// What one plugin instance may use (memory, time per call); see `limits`.
    #[serde(default)]
    pub plugin_limits: PluginLimits,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum LoggerLevel {
    Debug,
    #[default]
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DistributedExecution {
    /// Whether the config has this section: without it, `sourceConfig.config.threads` above 1
    /// means local mode with that many workers, as OpenMetadata runs `threads` workers.
    #[serde(skip)]
    pub written: bool,
    /// Off means sequential, whatever `orchestrator` says (OpenMetadata's semantics).
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub orchestrator: Orchestrator,
    #[serde(default = "default_parallelism", deserialize_with = "parallelism")]
    pub parallelism: u32,
    /// Entities per `process` call; by default chosen from the entity count and parallelism.
    #[serde(default, deserialize_with = "optional_at_least_one")]
    pub batch_size: Option<u32>,
    #[serde(default)]
    pub retry_policy: RetryPolicy,
    // Argo mode (see docs/argo.md); ignored by the local orchestrators.
    /// Kubernetes namespace of the Workflow (default `argo`).
    pub namespace: Option<String>,
    /// The pods' service account (default `omrun-workflow`, from k8s/rbac.yaml).
    pub service_account: Option<String>,
    /// The worker image (default `omrun:<this version>`, built by k8s/Dockerfile).
    pub image: Option<String>,
    pub resource_requests: Option<BTreeMap<String, String>>,
    pub resource_limits: Option<BTreeMap<String, String>>,
    /// Follow the submitted Workflow to its end (default true).
    pub wait_for_completion: Option<bool>,
    /// The Workflow's deadline (`activeDeadlineSeconds`), and how long `omrun ingest` follows it.
    #[serde(default, deserialize_with = "optional_whole_seconds")]
    pub timeout_seconds: Option<u64>,
    pub argo_server: Option<ArgoServer>,
    /// The ConfigMap the pods read this config from (default `omrun-<service>-config`).
    pub config_map: Option<String>,
    /// The Kubernetes Secret holding the values of the config's `${VAR}`s (default `omrun-secrets`).
    pub secret_name: Option<String>,
    /// Where the pods find the plugin; by default it is baked into the image.
    pub plugin: Option<ArgoPlugin>,
    /// The Kubernetes Secret of type `kubernetes.io/dockerconfigjson` (what `kubectl create
    /// secret docker-registry` makes, as for `imagePullSecrets`) with the credentials of the
    /// registry a `source.plugin` reference names; mounted as the pods' docker config.
    pub registry_secret: Option<String>,
    /// Airflow mode (see docs/airflow.md).
    pub airflow: Option<AirflowSettings>,
}

/// How `omrun ingest` reaches the Argo Server.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArgoServer {
    /// E.g. `https://argo.example.com:2746`.
    pub url: String,
    /// The environment variable holding the token (default `ARGO_TOKEN`).
    pub token_env: Option<String>,
    /// A file holding the token (a mounted service-account token); wins over `tokenEnv`.
    pub token_file: Option<PathBuf>,
    /// Accept any certificate (a port-forwarded server's self-signed one).
    #[serde(default)]
    pub insecure_skip_verify: bool,
    /// Seconds between two looks at a running Workflow (default 5).
    #[serde(default, deserialize_with = "optional_seconds")]
    pub poll_seconds: Option<f64>,
}

/// The plugin inside the pods: a path, and optionally the Kubernetes volume that holds it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArgoPlugin {
    /// The `.wasm` file in the pod, e.g. `/plugins/postgres.wasm`.
    pub path: String,
    /// A Kubernetes volume source (`configMap`, `persistentVolumeClaim`, `image`, …) mounted at
    /// the folder of `path`.
    pub volume: Option<serde_json::Value>,
}

impl Default for DistributedExecution {
    fn default() -> Self {
        Self {
            written: false,
            enabled: false,
            orchestrator: Orchestrator::default(),
            parallelism: default_parallelism(),
            batch_size: None,
            retry_policy: RetryPolicy::default(),
            namespace: None,
            service_account: None,
            image: None,
            resource_requests: None,
            resource_limits: None,
            wait_for_completion: None,
            timeout_seconds: None,
            argo_server: None,
            config_map: None,
            secret_name: None,
            plugin: None,
            registry_secret: None,
            airflow: None,
        }
    }
}

fn written<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DistributedExecution, D::Error> {
    let mut section = DistributedExecution::deserialize(d)?;
    section.written = true;
    Ok(section)
}

fn default_parallelism() -> u32 {
    8
}

/// The most workers (local threads or Argo pods) one run may ask for: more is a typo, and would
/// have the host start that many threads.
pub const MAX_PARALLELISM: u32 = 1024;

/// The longest duration a config may give, in seconds (a year): longer is a typo, and a duration
/// beyond what the clock can add would panic at run time.
pub const MAX_SECONDS: f64 = 31_536_000.0;

/// The largest `retryPolicy.backoffFactor`.
pub const MAX_BACKOFF_FACTOR: f64 = 100.0;

fn parallelism<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    match u32::deserialize(d)? {
        n @ 1..=MAX_PARALLELISM => Ok(n),
        _ => Err(serde::de::Error::custom(format!(
            "must be from 1 to {MAX_PARALLELISM}"
        ))),
    }
}

/// A number of seconds from 0 to [`MAX_SECONDS`] (not NaN, not infinite).
fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match f64::deserialize(d)? {
        s if (0.0..=MAX_SECONDS).contains(&s) => Ok(s),
        _ => Err(serde::de::Error::custom(format!(
            "must be a number of seconds from 0 to {MAX_SECONDS}"
        ))),
    }
}

fn optional_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        Some(s) if !(0.0..=MAX_SECONDS).contains(&s) => Err(serde::de::Error::custom(format!(
            "must be a number of seconds from 0 to {MAX_SECONDS}"
        ))),
        s => Ok(s),
    }
}

fn optional_whole_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<u64>::deserialize(d)? {
        Some(s) if s as f64 > MAX_SECONDS => Err(serde::de::Error::custom(format!(
            "must be a number of seconds from 0 to {MAX_SECONDS}"
        ))),
        s => Ok(s),
    }
}

fn backoff_factor<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match f64::deserialize(d)? {
        f if (0.0..=MAX_BACKOFF_FACTOR).contains(&f) => Ok(f),
        _ => Err(serde::de::Error::custom(format!(
            "must be a number from 0 to {MAX_BACKOFF_FACTOR}"
        ))),
    }
}

fn optional_at_least_one<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match Option::<u32>::deserialize(d)? {
        Some(0) => Err(serde::de::Error::custom("must be at least 1")),
        n => Ok(n),
    }
}

fn at_least_one<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    match u32::deserialize(d)? {
        0 => Err(serde::de::Error::custom("must be at least 1")),
        n => Ok(n),
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Orchestrator {
    Sequential,
    #[default]
    Local,
    Argo,
    Airflow,
}

impl Orchestrator {
    pub const NAMES: &'static str = "sequential, local, argo, airflow";

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "sequential" => Some(Self::Sequential),
            "local" => Some(Self::Local),
            "argo" => Some(Self::Argo),
            "airflow" => Some(Self::Airflow),
            _ => None,
        }
    }
}

// By hand rather than derived: serde's own message would not list the accepted names in a form we
// control, and the YAML crate redacts enum values in its messages.
impl<'de> Deserialize<'de> for Orchestrator {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown orchestrator `{name}`, expected one of {}",
                Self::NAMES
            ))
        })
    }
}

/// How often a failed batch or entity is tried, and how long to wait in between.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    #[serde(deserialize_with = "at_least_one")]
    pub max_attempts: u32,
    #[serde(deserialize_with = "seconds")]
    pub backoff_seconds: f64,
    #[serde(deserialize_with = "backoff_factor")]
    pub backoff_factor: f64,
    #[serde(deserialize_with = "seconds")]
    pub max_backoff_seconds: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            backoff_seconds: 1.0,
            backoff_factor: 2.0,
            max_backoff_seconds: 60.0,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `next_attempt` (2 for the first retry).
    pub fn backoff(&self, next_attempt: u32) -> Duration {
        let exponent = next_attempt.saturating_sub(2) as i32;
        let seconds = self.backoff_seconds * self.backoff_factor.powi(exponent);
        Duration::from_secs_f64(seconds.clamp(0.0, self.max_backoff_seconds.max(0.0)))
    }
}
