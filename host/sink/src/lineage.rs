//! Lineage edges of a dashboard service, as OpenMetadata's dashboard connectors add them
//! (`DashboardServiceSource.yield_dashboard_lineage`): from each table a data model is built on to
//! the data model, with the column pairs the source names; from each data model a dashboard uses
//! to the dashboard; and from a table a dashboard or chart reads directly (Metabase) to it.
//!
//! An edge names its ends by name: the destination by FQN in this service, the table as the
//! dashboard source spells it (database, schema, table, any of the first two unknown). The
//! OpenMetadata sink finds both by name and sends `PUT /v1/lineage` with their ids
//! (`openmetadata::lineage`); the file sink, having no server to resolve against, writes the edge
//! by name as an `omrun` record of its own (`LineageEdge`).

use omrun_model::{ColumnLineage, Entity, EntityKind, EntityRef, UpstreamTable};
use serde_json::{Value, json};

use super::Requests;

/// The upstream end of an edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum From {
    /// A table of some database service, found by name.
    Table(UpstreamTable),
    /// A data model of this service, by FQN.
    DataModel(String),
}

/// What an edge points to: a data model, chart or dashboard of this service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    DataModel,
    Chart,
    Dashboard,
}

impl To {
    /// OpenMetadata's entity type, as in an `EntityReference`.
    pub fn entity_type(self) -> &'static str {
        match self {
            To::DataModel => "dashboardDataModel",
            To::Chart => "chart",
            To::Dashboard => "dashboard",
        }
    }

    /// The collection under `/v1/`.
    pub fn collection(self) -> &'static str {
        match self {
            To::DataModel => "dashboard/datamodels",
            To::Chart => "charts",
            To::Dashboard => "dashboards",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: From,
    pub to: To,
    pub to_fqn: String,
    /// Column pairs by name (table column → data model column); only into a data model, the one
    /// kind of destination whose columns OpenMetadata's server accepts in lineage.
    pub columns: Vec<ColumnLineage>,
}

/// The edges `entities` make.
pub fn edges(requests: &Requests, entities: &[Entity]) -> Vec<Edge> {
    let mut out = Vec::new();
    let from_tables = |to: To, fqn: &str, upstream: &[UpstreamTable], out: &mut Vec<Edge>| {
        for table in upstream {
            out.push(Edge {
                from: From::Table(UpstreamTable {
                    columns: Vec::new(),
                    ..table.clone()
                }),
                to,
                to_fqn: fqn.to_owned(),
                columns: if to == To::DataModel {
                    table.columns.clone()
                } else {
                    Vec::new()
                },
            });
        }
    };
    for entity in entities {
        let fqn = requests.fqn(&entity.to_ref());
        match entity {
            Entity::DashboardDataModel(m) => {
                from_tables(To::DataModel, &fqn, &m.upstream, &mut out)
            }
            Entity::Chart(c) => from_tables(To::Chart, &fqn, &c.upstream, &mut out),
            Entity::Dashboard(d) => {
                for model in &d.data_models {
                    let model_ref =
                        EntityRef::new(EntityKind::DashboardDataModel, vec![model.clone()]);
                    out.push(Edge {
                        from: From::DataModel(requests.fqn(&model_ref)),
                        to: To::Dashboard,
                        to_fqn: fqn.clone(),
                        columns: Vec::new(),
                    });
                }
                from_tables(To::Dashboard, &fqn, &d.upstream, &mut out);
            }
            _ => {}
        }
    }
    out
}

impl Edge {
    /// The file sink's line body (`{"kind": "LineageEdge", "request": …}`): both ends by name.
    pub fn by_name(&self) -> Value {
        let from = match &self.from {
            From::Table(t) => json!({
                "type": "table",
                "database": t.database,
                "schema": t.schema,
                "table": t.table,
            }),
            From::DataModel(fqn) => {
                json!({"type": "dashboardDataModel", "fullyQualifiedName": fqn})
            }
        };
        let mut request = json!({
            "from": from,
            "to": {"type": self.to.entity_type(), "fullyQualifiedName": self.to_fqn},
            "source": "DashboardLineage",
        });
        if !self.columns.is_empty() {
            request["columnsLineage"] = self
                .columns
                .iter()
                .map(|c| json!({"fromColumns": [c.from], "toColumn": c.to}))
                .collect();
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard_fixture;

    #[test]
    fn data_models_dashboards_and_charts_give_their_edges() {
        let requests = Requests::new("bi", "Superset");
        let mut entities = dashboard_fixture::entities();
        let upstream = UpstreamTable {
            database: Some("shop".into()),
            schema: None,
            table: "orders".into(),
            columns: vec![ColumnLineage {
                from: "id".into(),
                to: "order_id".into(),
            }],
        };
        for e in &mut entities {
            match e {
                Entity::DashboardDataModel(m) if m.name == "sales.orders" => {
                    m.upstream = vec![upstream.clone()]
                }
                Entity::Chart(c) => c.upstream = vec![upstream.clone()],
                _ => {}
            }
        }
        let edges = edges(&requests, &entities);
        let model = edges
            .iter()
            .find(|e| e.to == To::DataModel)
            .expect("table → data model");
        assert_eq!(model.to_fqn, r#"bi.model."sales.orders""#);
        assert_eq!(model.columns, upstream.columns);
        assert!(
            matches!(&model.from, From::Table(t) if t.table == "orders" && t.columns.is_empty())
        );
        // A chart takes no column lineage: the server refuses columns on a chart.
        let chart = edges
            .iter()
            .find(|e| e.to == To::Chart)
            .expect("table → chart");
        assert!(chart.columns.is_empty());
        // Every data model a dashboard names feeds it.
        let into_dashboards: Vec<_> = edges.iter().filter(|e| e.to == To::Dashboard).collect();
        assert!(!into_dashboards.is_empty());
        for e in into_dashboards {
            assert!(
                matches!(&e.from, From::DataModel(f) if f.starts_with("bi.model.")),
                "{e:?}"
            );
        }
        let line = model.by_name();
        assert_eq!(
            line["from"],
            json!({"type": "table", "database": "shop", "schema": null, "table": "orders"})
        );
        assert_eq!(
            line["columnsLineage"],
            json!([{"fromColumns": ["id"], "toColumn": "order_id"}])
        );
    }
}
