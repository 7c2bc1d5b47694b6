//! Checks `source.sourceConfig.config` before the run starts. The plugin receives that section as
//! JSON and reads it itself; but a mistyped value or a pattern that is not a regex should stop the
//! run at once, with its line and key, rather than fail discovery attempt after attempt.

use super::diagnostics::{ConfigError, Found};
use regex::Regex;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::PathBuf;

/// `source.sourceConfig`, as read by the second look (`checks`).
#[derive(Deserialize)]
pub(super) struct Section {
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
    mark_deleted_stored_procedures: Option<bool>,
    mark_deleted_schemas: Option<bool>,
    mark_deleted_databases: Option<bool>,
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

impl Section {
    /// Every filter pattern must compile as a regular expression. `text` is the config as written:
    /// a pattern is quoted from it, so a `${VAR}` in one shows as such, never as its value.
    pub(super) fn check_patterns(&self, text: &str) -> Result<(), ConfigError> {
        let Some(config) = self.config.as_ref() else {
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
                        let written = match Found::at(text, at.line(), at.column(), None) {
                            found @ Found::Scalar(_) => found.to_string(),
                            _ => "the pattern".to_owned(),
                        };
                        return Err(ConfigError {
                            path: PathBuf::new(),
                            line: Some(at.line()),
                            column: Some(at.column()),
                            key: Some(format!("source.sourceConfig.config.{name}.{list}[{i}]")),
                            message: format!(
                                "{written} is not a valid regular expression: {}",
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
    if let regex::Error::CompiledTooBig(limit) = e {
        return format!("it compiles to more than the size limit of {limit} bytes");
    }
    let text = e.to_string();
    text.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("invalid syntax")
        .trim_start_matches("error: ")
        .to_owned()
}
