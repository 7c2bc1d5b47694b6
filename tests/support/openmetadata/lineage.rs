//! `PUT /v1/lineage`: an `AddLineageRequest`, checked as OpenMetadata 2.0's
//! `LineageResource.addLineage` → `LineageRepository.addLineage` checks it (read in
//! openmetadata-service's `jdbi3/LineageRepository.java`):
//! - the body against the `AddLineageRequest` schema (400);
//! - `fromEntity` and `toEntity` each found by type and id among entities not deleted
//!   (`Entity.getEntityReferenceById(type, id, NON_DELETED)`: 404 `<type> instance for <id> not
//!   found`);
//! - every column of `lineageDetails.columnsLineage` (`validateLineageDetails` →
//!   `validateChildren`): each of `fromColumns` a column FQN of the from-entity, `toColumn` one of
//!   the to-entity, at any depth (`ColumnUtil.validateColumnFQN`, 400 `Invalid column name <fqn>`);
//!   an entity type without columns (a chart) refused (`Unsupported Entity Type chart for
//!   lineage`); a dashboard's "columns" are its charts' FQNs.
//!
//! The edge is stored as the relationship is, one per (from, to): a second PUT replaces the
//! first's details. The answer is 200 with an empty body.

use serde_json::Value;

use super::store::{Collection, Entity, Refusal, Store};

/// One stored edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from_type: String,
    pub from_fqn: String,
    pub to_type: String,
    pub to_fqn: String,
    /// `lineageDetails` as sent (`source`, `columnsLineage`…), `null` when absent.
    pub details: Value,
}

/// Checks `request` and returns the edge it adds.
pub fn add(store: &Store, request: &Value) -> Result<Edge, Refusal> {
    let errors = crate::schemas().errors("AddLineageRequest", request);
    if !errors.is_empty() {
        return Err(Refusal::bad_request(errors.join("; ")));
    }
    let edge = &request["edge"];
    let (from_c, from) = endpoint(store, &edge["fromEntity"])?;
    let (to_c, to) = endpoint(store, &edge["toEntity"])?;
    let details = edge.get("lineageDetails").cloned().unwrap_or(Value::Null);
    for column in details["columnsLineage"].as_array().into_iter().flatten() {
        for from_column in column["fromColumns"].as_array().into_iter().flatten() {
            check_child(
                from_c,
                from,
                from_column.as_str().unwrap_or_default(),
                store,
            )?;
        }
        if let Some(to_column) = column["toColumn"].as_str() {
            check_child(to_c, to, to_column, store)?;
        }
    }
    Ok(Edge {
        from_type: from_c.entity_type().to_owned(),
        from_fqn: from.fqn.clone(),
        to_type: to_c.entity_type().to_owned(),
        to_fqn: to.fqn.clone(),
        details,
    })
}

/// The entity an `EntityReference` names by type and id.
fn endpoint<'a>(store: &'a Store, reference: &Value) -> Result<(Collection, &'a Entity), Refusal> {
    let kind = reference["type"].as_str().unwrap_or_default();
    let id = reference["id"].as_str().unwrap_or_default();
    let not_found = || Refusal {
        status: 404,
        message: format!("{kind} instance for {id} not found"),
    };
    let c = Collection::from_entity_type(kind).ok_or_else(not_found)?;
    let e = store
        .by_id(c, id)
        .filter(|e| !e.deleted)
        .ok_or_else(not_found)?;
    Ok((c, e))
}

fn check_child(c: Collection, e: &Entity, fqn: &str, store: &Store) -> Result<(), Refusal> {
    let invalid = || Refusal::bad_request(format!("Invalid column name {fqn}"));
    match c {
        Collection::Tables | Collection::DashboardDataModels => has_column(&e.body["columns"], fqn)
            .then_some(())
            .ok_or_else(invalid),
        Collection::Dashboards => {
            let charts = e.body["charts"].as_array().cloned().unwrap_or_default();
            let known = charts.iter().any(|chart| {
                chart["fullyQualifiedName"].as_str() == Some(fqn)
                    || chart["id"]
                        .as_str()
                        .and_then(|id| store.by_id(Collection::Charts, id))
                        .is_some_and(|c| c.fqn == fqn)
            });
            known
                .then_some(())
                .ok_or_else(|| Refusal::bad_request(format!("Invalid chart name {fqn}")))
        }
        other => Err(Refusal::bad_request(format!(
            "Unsupported Entity Type {} for lineage",
            other.entity_type()
        ))),
    }
}

/// Whether a column (or a nested one) has `fqn`.
fn has_column(columns: &Value, fqn: &str) -> bool {
    columns
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["fullyQualifiedName"].as_str() == Some(fqn) || has_column(&c["children"], fqn))
}
