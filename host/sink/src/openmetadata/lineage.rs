//! Lineage into OpenMetadata: each edge's ends found by name, then `PUT /v1/lineage` with their
//! ids, as OpenMetadata's dashboard connectors do after their entities are written.
//!
//! **Tables** are found as OpenMetadata finds them (`search_in_any_service` → `es_search_from_fqn`):
//! a wildcard search of the table index by FQN, `service.database.schema.table` with `*` for what
//! is not known (`GET /v1/search/fieldQuery?fieldName=fullyQualifiedName&…&index=table_search_index`),
//! the first hit read back with its columns. `sourceConfig.config.lineageInformation.dbServicePrefixes`
//! narrows the search as OpenMetadata's `parse_db_service_prefix` does: each prefix
//! (`service[.database[.schema[.table]]]`) is one search, its parts filling in (and filtering) the
//! table's own; without prefixes, one search over every service. A table found nowhere is not an
//! error (OpenMetadata logs it and moves on): logged once per table and run. A table is looked up
//! once per run, as OpenMetadata caches its searches; a lookup that failed (server error) is not
//! remembered.
//!
//! **Columns**: a pair is sent only when both names are columns of the found entities (names
//! compared without regard to case, as OpenMetadata's `get_column_fqn`); the server refuses a
//! column FQN its entity does not have.
//!
//! A refused edge fails the entity it points to, with the server's reason, in the run report.

use super::client::Client;
use crate::SinkFailure;
use crate::lineage::{Edge, From};
use omrun_model::UpstreamTable;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// A stored entity, as far as an edge needs it.
#[derive(Debug, Clone)]
struct Found {
    id: String,
    fqn: String,
    /// Column name (lowercase) → FQN, nested columns included.
    columns: HashMap<String, String>,
}

type Lookup = Arc<OnceCell<Option<Found>>>;

#[derive(Default)]
pub struct Lineage {
    /// `lineageInformation.dbServicePrefixes`, split; empty: search every service.
    prefixes: Vec<[Option<String>; 4]>,
    tables: Mutex<HashMap<String, Lookup>>,
}

impl Lineage {
    /// From `source.sourceConfig.config`.
    pub fn new(source_config: &Value) -> Self {
        let prefixes = source_config["lineageInformation"]["dbServicePrefixes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(parse_prefix)
            .collect();
        Self {
            prefixes,
            tables: Mutex::default(),
        }
    }

    /// Writes `edges`; returns the entities whose edges the server refused. Edges into the same
    /// entity share one read of it: a data model built on many tables is read once, not once per
    /// table.
    pub async fn write(&self, client: &Client, edges: Vec<Edge>) -> Vec<SinkFailure> {
        let mut destinations: Vec<(String, Vec<Edge>)> = Vec::new();
        for edge in edges {
            match destinations.iter_mut().find(|(fqn, group)| {
                *fqn == edge.to_fqn && group[0].to.entity_type() == edge.to.entity_type()
            }) {
                Some((_, group)) => group.push(edge),
                None => destinations.push((edge.to_fqn.clone(), vec![edge])),
            }
        }
        let mut failures = Vec::new();
        for (to_fqn, group) in destinations {
            let fail = |error: String| SinkFailure {
                fqn: to_fqn.clone(),
                error,
            };
            let kind = group[0].to;
            let fields = if group.iter().any(|e| !e.columns.is_empty()) {
                "columns"
            } else {
                ""
            };
            let to = match by_name(client, kind.collection(), &to_fqn, fields).await {
                Ok(Some(to)) => to,
                Ok(None) => {
                    let why = format!(
                        "lineage: {} {to_fqn} is not on the server",
                        kind.entity_type()
                    );
                    failures.push(fail(why));
                    continue;
                }
                Err(why) => {
                    failures.push(fail(why));
                    continue;
                }
            };
            for edge in &group {
                if let Err(why) = self.write_one(client, edge, &to).await {
                    failures.push(fail(why));
                }
            }
        }
        failures
    }

    /// One edge into `to`, already read: its upstream end found, then `PUT /v1/lineage`.
    async fn write_one(&self, client: &Client, edge: &Edge, to: &Found) -> Result<(), String> {
        let (from_type, froms) = match &edge.from {
            From::DataModel(fqn) => {
                let model = by_name(client, "dashboard/datamodels", fqn, "").await?;
                if model.is_none() {
                    tracing::info!(
                        "Lineage into {}: data model {fqn} is not on the server",
                        edge.to_fqn
                    );
                }
                ("dashboardDataModel", model.into_iter().collect::<Vec<_>>())
            }
            From::Table(table) => ("table", self.tables(client, table).await?),
        };
        for from in froms {
            let columns: Vec<Value> = edge
                .columns
                .iter()
                .filter_map(|pair| {
                    let from_column = from.columns.get(&pair.from.to_lowercase())?;
                    let to_column = to.columns.get(&pair.to.to_lowercase())?;
                    Some(json!({"fromColumns": [from_column], "toColumn": to_column}))
                })
                .collect();
            let mut details = json!({"source": "DashboardLineage"});
            if !columns.is_empty() {
                details["columnsLineage"] = columns.into();
            }
            let body = json!({"edge": {
                "fromEntity": {"id": from.id, "type": from_type, "fullyQualifiedName": from.fqn},
                "toEntity": {"id": to.id, "type": edge.to.entity_type(), "fullyQualifiedName": to.fqn},
                "lineageDetails": details,
            }});
            let answer = client
                .call(Method::PUT, &["lineage"], &[], Some(&body))
                .await
                .map_err(|e| format!("lineage from {}: {e}", from.fqn))?;
            if !answer.status.is_success() {
                return Err(format!("lineage from {}: {}", from.fqn, answer.error()));
            }
        }
        Ok(())
    }

    /// The tables `table` names, one per prefix that finds one (looked up once per run).
    async fn tables(&self, client: &Client, table: &UpstreamTable) -> Result<Vec<Found>, String> {
        let searches: Vec<String> = if self.prefixes.is_empty() {
            vec![search_string(&[None, None, None, None], table)]
                .into_iter()
                .flatten()
                .collect()
        } else {
            self.prefixes
                .iter()
                .filter_map(|p| search_string(p, table))
                .collect()
        };
        let mut out = Vec::new();
        for search in searches {
            let cell = self
                .tables
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(search.clone())
                .or_default()
                .clone();
            let found = cell.get_or_try_init(|| find_table(client, &search)).await?;
            if let Some(t) = found
                && !out.iter().any(|o: &Found| o.id == t.id)
            {
                out.push(t.clone());
            }
        }
        Ok(out)
    }
}

/// `service.database.schema.table` for a prefix's parts and the table's, `*` where neither says;
/// `None` when the prefix names another database, schema or table than the source does.
fn search_string(prefix: &[Option<String>; 4], table: &UpstreamTable) -> Option<String> {
    let pick = |fixed: &Option<String>, own: Option<&String>| -> Option<String> {
        match (fixed, own) {
            (Some(f), Some(o)) if !f.eq_ignore_ascii_case(o) => None,
            (Some(f), _) => Some(f.clone()),
            (None, Some(o)) => Some(o.clone()),
            (None, None) => Some("*".to_owned()),
        }
    };
    let parts = [
        prefix[0].clone().unwrap_or_else(|| "*".to_owned()),
        pick(&prefix[1], table.database.as_ref())?,
        pick(&prefix[2], table.schema.as_ref())?,
        pick(&prefix[3], Some(&table.table))?,
    ];
    Some(
        parts
            .iter()
            .map(|p| {
                if p == "*" {
                    p.clone()
                } else {
                    omrun_model::fqn::quote(p)
                }
            })
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// `service[.database[.schema[.table]]]` into its four parts.
fn parse_prefix(prefix: &str) -> [Option<String>; 4] {
    // Split at dots outside double quotes, as an FQN is; the quotes go.
    let mut parts = Vec::new();
    let (mut part, mut quoted) = (String::new(), false);
    for c in prefix.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut part)),
            c => part.push(c),
        }
    }
    parts.push(part);
    let mut parts = parts.into_iter();
    std::array::from_fn(|_| parts.next().filter(|p| !p.is_empty()))
}

/// The first table the search finds, with its columns; `None` (logged) when none.
async fn find_table(client: &Client, search: &str) -> Result<Option<Found>, String> {
    let query = [
        ("fieldName", "fullyQualifiedName"),
        ("fieldValue", search),
        ("from", "0"),
        ("size", "10"),
        ("index", "table_search_index"),
        ("deleted", "false"),
    ];
    let answer = client
        .call(Method::GET, &["search", "fieldQuery"], &query, None)
        .await
        .map_err(|e| format!("lineage: searching table {search}: {e}"))?;
    if !answer.status.is_success() {
        return Err(format!(
            "lineage: searching table {search}: {}",
            answer.error()
        ));
    }
    let Some(fqn) = answer.body["hits"]["hits"][0]["_source"]["fullyQualifiedName"].as_str() else {
        tracing::info!("Lineage: no table {search} in OpenMetadata; its edges are left out");
        return Ok(None);
    };
    by_name(client, "tables", fqn, "columns").await
}

/// `GET /v1/{collection}/name/{fqn}?fields=…`; `None` on a 404.
async fn by_name(
    client: &Client,
    collection: &str,
    fqn: &str,
    fields: &str,
) -> Result<Option<Found>, String> {
    let path: Vec<&str> = collection.split('/').chain(["name", fqn]).collect();
    let query: Vec<(&str, &str)> = if fields.is_empty() {
        vec![]
    } else {
        vec![("fields", fields)]
    };
    let answer = client
        .call(Method::GET, &path, &query, None)
        .await
        .map_err(|e| format!("lineage: reading {fqn}: {e}"))?;
    if answer.status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !answer.status.is_success() {
        return Err(format!("lineage: reading {fqn}: {}", answer.error()));
    }
    let mut columns = HashMap::new();
    collect_columns(&answer.body["columns"], &mut columns);
    Ok(Some(Found {
        id: answer.body["id"].as_str().unwrap_or_default().to_owned(),
        fqn: answer.body["fullyQualifiedName"]
            .as_str()
            .unwrap_or(fqn)
            .to_owned(),
        columns,
    }))
}

fn collect_columns(columns: &Value, out: &mut HashMap<String, String>) {
    for c in columns.as_array().into_iter().flatten() {
        if let (Some(name), Some(fqn)) = (c["name"].as_str(), c["fullyQualifiedName"].as_str()) {
            out.entry(name.to_lowercase())
                .or_insert_with(|| fqn.to_owned());
        }
        collect_columns(&c["children"], out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(database: Option<&str>, schema: Option<&str>, name: &str) -> UpstreamTable {
        UpstreamTable {
            database: database.map(Into::into),
            schema: schema.map(Into::into),
            table: name.into(),
            columns: vec![],
        }
    }

    #[test]
    fn searches_fill_in_what_the_source_and_the_prefix_know() {
        let none = [None, None, None, None];
        assert_eq!(
            search_string(&none, &table(Some("shop"), Some("public"), "orders")).as_deref(),
            Some("*.shop.public.orders")
        );
        assert_eq!(
            search_string(&none, &table(None, None, "orders")).as_deref(),
            Some("*.*.*.orders")
        );
        let prefix = parse_prefix("pg_prod.shop");
        assert_eq!(
            search_string(&prefix, &table(None, Some("public"), "orders")).as_deref(),
            Some("pg_prod.shop.public.orders")
        );
        // A prefix naming another database does not match the table.
        assert_eq!(
            search_string(&prefix, &table(Some("crm"), None, "orders")),
            None
        );
        // Names are quoted as in an FQN.
        assert_eq!(
            search_string(&none, &table(Some("my.db"), None, "t")).as_deref(),
            Some("*.\"my.db\".*.t")
        );
    }

    #[test]
    fn prefixes_parse_into_four_parts() {
        assert_eq!(
            parse_prefix("svc"),
            [Some("svc".to_owned()), None, None, None]
        );
        assert_eq!(
            parse_prefix("svc.db.sch.tbl"),
            ["svc", "db", "sch", "tbl"].map(|p| Some(p.to_owned()))
        );
        let lineage =
            Lineage::new(&json!({"lineageInformation": {"dbServicePrefixes": ["a.b", "c"]}}));
        assert_eq!(lineage.prefixes.len(), 2);
        assert!(Lineage::new(&Value::Null).prefixes.is_empty());
        assert_eq!(parse_prefix("svc.\"my.db\"")[1].as_deref(), Some("my.db"));
    }
}
