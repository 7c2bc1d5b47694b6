//! Which keys of a config change nothing in this run. OpenMetadata's configs carry many keys a
//! connector may not implement (`includeDDL`, `incremental`, `queryLogDuration`…); the schema check
//! accepts them, since OpenMetadata does, and this module names those the host does not read and
//! the plugin does not declare (omrun-sdk's `declare_config_keys!`), so the user is told once
//! instead of finding out from the catalog.

use super::Config;
use super::openmetadata;
use serde_json::Value;

/// The keys the host reads itself, for any plugin (dotted under `source`; a key covers everything
/// beneath it).
pub const HOST_KEYS: &[&str] = &[
    // Which plugin and schema; the SQL capability's driver and how it connects.
    "serviceConnection.config.type",
    "serviceConnection.config.scheme",
    "serviceConnection.config.hostPort",
    "serviceConnection.config.username",
    "serviceConnection.config.password",
    "serviceConnection.config.authType",
    "serviceConnection.config.sslMode",
    "serviceConnection.config.sslConfig",
    "serviceConnection.config.connectionTimeout",
    "serviceConnection.config.connectionArguments",
    "serviceConnection.config.databaseMode",
    // Deleting what the source no longer has (the pipeline's stale step).
    "sourceConfig.config.type",
    "sourceConfig.config.markDeletedTables",
    "sourceConfig.config.markDeletedStoredProcedures",
    "sourceConfig.config.markDeletedSchemas",
    "sourceConfig.config.markDeletedDatabases",
    // Local mode's workers when `distributedExecution` is not set.
    "sourceConfig.config.threads",
];

impl Config {
    /// The keys this config sets that neither the host nor the plugin reads, as dotted paths
    /// under `source`, with the value each is set to. A key set to OpenMetadata's default (or to
    /// null) is left out: leaving it unread changes nothing. `plugin_keys` is what the plugin
    /// declared; `None` (it declares nothing) gives an empty list, since nothing can be said.
    pub fn keys_without_effect(&self, plugin_keys: Option<&[String]>) -> Vec<String> {
        let Some(plugin_keys) = plugin_keys else {
            return Vec::new();
        };
        let read = |path: &str| {
            HOST_KEYS
                .iter()
                .copied()
                .chain(plugin_keys.iter().map(String::as_str))
                .any(|k| path == k || path.starts_with(&format!("{k}.")))
        };
        let connection = &self.source.service_connection.config;
        let service_type = self.source.service_connection.service_type();
        let connection_schema = service_type.and_then(openmetadata::schema_of_connection);
        let source = &self.source.source_config.config;
        let written_type = source.get("type").and_then(Value::as_str);
        let pipeline_schema = openmetadata::pipeline_name(written_type, service_type)
            .and_then(openmetadata::schema_of_pipeline);
        let mut out = Vec::new();
        for (section, values, schema) in [
            ("serviceConnection.config", connection, connection_schema),
            ("sourceConfig.config", source, pipeline_schema),
        ] {
            for (key, value) in values.as_object().into_iter().flatten() {
                let path = format!("{section}.{key}");
                let default = schema.and_then(|s| s["properties"][key].get("default"));
                // `supports*` flags describe a connector to OpenMetadata's UI; they ask for nothing.
                if read(&path)
                    || value.is_null()
                    || Some(value) == default
                    || (section.starts_with("serviceConnection") && key.starts_with("supports"))
                {
                    continue;
                }
                out.push(path);
            }
        }
        out
    }
}
