//! Checks `source.sourceConfig.config` before the run starts. The plugin receives that section as
//! JSON and reads it itself; but a mistyped value or a pattern that is not a regex should stop the
//! run at once, with its line and key, rather than fail discovery attempt after attempt.

use super::load::ConfigError;
use regex::Regex;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::PathBuf;

#[derive(Deserialize)]
pub(super) struct Document {
    source: Source,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Source {
    source_config: Option<Section>,
}

#[derive(Deserialize)]
struct Section {
    config: Option<PipelineConfig>,
}

/// The keys of OpenMetadata's metadata pipelines that omrun's connectors read; others pass through
/// unchecked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // read for their types only: the plugin gets the section as JSON
struct PipelineConfig {
    include_tables: Option<bool>,
    include_views: Option<bool>,
    include_stored_procedures: Option<bool>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
    mark_deleted_tables: Option<bool>,
    use_fqn_for_filtering: Option<bool>,
    database_filter_pattern: Option<FilterPattern>,
    schema_filter_pattern: Option<FilterPattern>,
    table_filter_pattern: Option<FilterPattern>,
    stored_procedure_filter_pattern: Option<FilterPattern>,
    dashboard_filter_pattern: Option<FilterPattern>,
    chart_filter_pattern: Option<FilterPattern>,
    data_model_filter_pattern: Option<FilterPattern>,
}

#[derive(Deserialize)]
struct FilterPattern {
    includes: Option<Vec<Spanned<String>>>,
    excludes: Option<Vec<Spanned<String>>>,
}

impl Document {
    /// Every filter pattern must compile as a regular expression.
    pub(super) fn check_patterns(&self) -> Result<(), ConfigError> {
        let Some(config) = self
            .source
            .source_config
            .as_ref()
            .and_then(|s| s.config.as_ref())
        else {
            return Ok(());
        };
        let filters = [
            ("databaseFilterPattern", &config.database_filter_pattern),
            ("schemaFilterPattern", &config.schema_filter_pattern),
            ("tableFilterPattern", &config.table_filter_pattern),
            (
                "storedProcedureFilterPattern",
                &config.stored_procedure_filter_pattern,
            ),
            ("dashboardFilterPattern", &config.dashboard_filter_pattern),
            ("chartFilterPattern", &config.chart_filter_pattern),
            ("dataModelFilterPattern", &config.data_model_filter_pattern),
        ];
        for (name, filter) in filters {
            let Some(filter) = filter else { continue };
            for (list, patterns) in [
                ("includes", &filter.includes),
                ("excludes", &filter.excludes),
            ] {
                for (i, pattern) in patterns.iter().flatten().enumerate() {
                    if let Err(e) = Regex::new(&pattern.value) {
                        let at = pattern.referenced;
                        return Err(ConfigError {
                            path: PathBuf::new(),
                            line: Some(at.line()),
                            column: Some(at.column()),
                            key: Some(format!("source.sourceConfig.config.{name}.{list}[{i}]")),
                            message: format!(
                                "`{}` is not a valid regular expression: {}",
                                pattern.value,
                                first_line(&e)
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

fn first_line(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("invalid syntax")
        .trim_start_matches("error: ")
        .to_owned()
}
