//! What discovery keeps of the listings, as OpenMetadata's connector keeps it: the database
//! (project), schema (dataset) and table filter patterns — on the bare name, or on the fully
//! qualified name with `useFqnForFiltering` — then `includeViews` for views and materialized views
//! (`query_table_names_and_types`) and `includeTables` for the rest.

use omrun_common_db::filter::fqn;

use crate::api::{DatasetListItem, TableListItem};
use crate::config::{Config, keeps};
use crate::convert;

/// The config's filters, for the service `service` (the first part of every FQN).
pub struct Filters<'a> {
    pub config: &'a Config,
    pub service: &'a str,
}

impl Filters<'_> {
    /// The string a filter tests: the bare name, or the FQN with `useFqnForFiltering`.
    fn key(&self, parts: &[&str]) -> String {
        if self.config.use_fqn_for_filtering {
            let mut all = vec![self.service];
            all.extend_from_slice(parts);
            fqn(&all)
        } else {
            parts.last().copied().unwrap_or_default().to_owned()
        }
    }

    /// Whether project `project` is ingested.
    pub fn project(&self, project: &str) -> bool {
        keeps(&self.config.databases, &self.key(&[project]))
    }

    /// The datasets of `project` to ingest, of those named.
    pub fn datasets(&self, project: &str, names: Vec<String>) -> Vec<String> {
        names
            .into_iter()
            .filter(|d| keeps(&self.config.schemas, &self.key(&[project, d])))
            .collect()
    }

    /// The tables, views and materialized views of `project`.`dataset` to ingest, names only.
    pub fn tables(&self, project: &str, dataset: &str, listed: Vec<TableListItem>) -> Vec<String> {
        listed
            .into_iter()
            .filter_map(|t| {
                let name = t.table_reference?.table_id.filter(|n| !n.is_empty())?;
                let wanted = if convert::is_view(t.table_type.as_deref()) {
                    self.config.include_views
                } else {
                    self.config.include_tables
                };
                let key = self.key(&[project, dataset, &name]);
                (wanted && keeps(&self.config.tables, &key)).then_some(name)
            })
            .collect()
    }
}

/// The dataset IDs of a `datasets.list` answer.
pub fn dataset_ids(listed: Vec<DatasetListItem>) -> Vec<String> {
    listed
        .into_iter()
        .filter_map(|d| d.dataset_reference?.dataset_id.filter(|id| !id.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(source: &str) -> Config {
        Config::parse(
            r#"{"credentials":{"gcpConfig":{"projectId":["acme","acme.eu"],"clientEmail":"a@acme.iam"}}}"#,
            source,
        )
        .unwrap()
    }

    fn listed(json: &str) -> Vec<TableListItem> {
        serde_json::from_str(json).unwrap()
    }

    const TABLES: &str = r#"[
        {"tableReference":{"projectId":"acme","datasetId":"sales","tableId":"orders"},"type":"TABLE"},
        {"tableReference":{"projectId":"acme","datasetId":"sales","tableId":"orders_v"},"type":"VIEW"},
        {"tableReference":{"projectId":"acme","datasetId":"sales","tableId":"orders_mv"},"type":"MATERIALIZED_VIEW"},
        {"tableReference":{"projectId":"acme","datasetId":"sales","tableId":"ext"},"type":"EXTERNAL"},
        {"tableReference":{"projectId":"acme","datasetId":"sales","tableId":"snap"},"type":"SNAPSHOT"},
        {"tableReference":{"projectId":"acme","datasetId":"sales","tableId":"tmp_x"},"type":"TABLE"},
        {"tableReference":{"projectId":"acme","datasetId":"sales","tableId":""},"type":"TABLE"},
        {"type":"TABLE"}]"#;

    fn tables(source: &str) -> Vec<String> {
        let c = config(source);
        let filters = Filters {
            config: &c,
            service: "bq",
        };
        filters.tables("acme", "sales", listed(TABLES))
    }

    #[test]
    fn views_tables_and_table_filters() {
        let all = ["orders", "orders_v", "orders_mv", "ext", "snap", "tmp_x"];
        assert_eq!(tables("{}"), all);
        assert_eq!(
            tables(r#"{"includeViews":false}"#),
            ["orders", "ext", "snap", "tmp_x"]
        );
        assert_eq!(
            tables(r#"{"includeTables":false}"#),
            ["orders_v", "orders_mv"]
        );
        assert!(tables(r#"{"includeTables":false,"includeViews":false}"#).is_empty());
        assert_eq!(
            tables(r#"{"tableFilterPattern":{"excludes":["^tmp_", ".*_v$"]}}"#),
            ["orders", "orders_mv", "ext", "snap"]
        );
        // By FQN: service.project.dataset.table.
        assert_eq!(
            tables(
                r#"{"useFqnForFiltering":true,"tableFilterPattern":{"includes":["^bq\\.acme\\.sales\\.orders$"]}}"#
            ),
            ["orders"]
        );
    }

    #[test]
    fn projects_and_datasets() {
        let c = config(
            r#"{"databaseFilterPattern":{"excludes":["^acme$"]},"schemaFilterPattern":{"includes":["^sal"]}}"#,
        );
        let filters = Filters {
            config: &c,
            service: "bq",
        };
        assert!(!filters.project("acme") && filters.project("acme.eu"));
        assert_eq!(
            filters.datasets(
                "acme.eu",
                vec!["sales".into(), "hr".into(), "SALES_eu".into()]
            ),
            ["sales", "SALES_eu"]
        );
        // With useFqnForFiltering, a project with a dot is quoted, as OpenMetadata's fqn.build does.
        let c = config(
            r#"{"useFqnForFiltering":true,"schemaFilterPattern":{"includes":["^bq\\.\"acme\\.eu\"\\.sales$"]}}"#,
        );
        let filters = Filters {
            config: &c,
            service: "bq",
        };
        assert_eq!(
            filters.datasets("acme.eu", vec!["sales".into(), "hr".into()]),
            ["sales"]
        );
        assert!(filters.datasets("acme", vec!["sales".into()]).is_empty());
        let ids: Vec<DatasetListItem> = serde_json::from_str(
            r#"[{"datasetReference":{"projectId":"acme","datasetId":"sales"},"location":"US"},
                {"datasetReference":{"datasetId":""}},{"id":"acme:x"}]"#,
        )
        .unwrap();
        assert_eq!(dataset_ids(ids), ["sales"]);
    }
}
