//! `DELETE /v1/<collection>/deleteStale`: delete the entities of a collection under a scope that
//! an ingestion run did not see. Modelled on OpenMetadata's `BulkImportService.
//! bulkDeleteStaleEntities` / `entity/bulk/EntityStaleDeletion.java`:
//!
//! - body `{scopeFqn, scopeEntityType, seenFqns, recursive, hardDelete, dryRun}`; a missing
//!   `scopeFqn` or `scopeEntityType` is a 400 (`scopeFqn is required for deleteStale`), an entity
//!   type the server does not know a 400 (`Unsupported scopeEntityType 'x' for deleteStale`);
//!   `service` means the collection's own service type;
//! - an empty `seenFqns` deletes nothing (it cannot be told from a run that found nothing), and
//!   so does a scope that is not stored or is deleted: both answer 200 with zero rows;
//! - otherwise every live entity of the collection whose FQN lies under the scope (at any depth)
//!   and is not among `seenFqns` (compared by FQN parts, so quoting does not matter) is deleted,
//!   shallowest first: soft unless `hardDelete`, its descendants too unless `recursive` is false
//!   (then one with live children fails, 500 `<type> is not empty`); with `dryRun` nothing is
//!   written. Each is a `successRequest` `{request: fqn, status: 200}`.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::State;
use super::fqn;
use super::store::{Collection, Refusal};

/// OpenMetadata entity types the stand-in stores nothing of: a scope of one of them is a valid
/// request whose scope is never found (from openmetadata-service `Entity.java`'s type names).
const OTHER_ENTITY_TYPES: &[&str] = &[
    "pipeline",
    "pipelineService",
    "topic",
    "messagingService",
    "mlmodel",
    "mlmodelService",
    "container",
    "storageService",
    "searchIndex",
    "searchService",
    "apiCollection",
    "apiEndpoint",
    "apiService",
    "metadataService",
    "user",
    "team",
    "domain",
    "dataProduct",
    "glossary",
    "glossaryTerm",
    "classification",
    "tag",
    "query",
    "testSuite",
    "testCase",
    "ingestionPipeline",
    "driveService",
    "directory",
    "file",
    "spreadsheet",
    "worksheet",
];

pub fn delete_stale(c: Collection, body: &Value, st: &mut State) -> Result<Value, Refusal> {
    let obj = body
        .as_object()
        .ok_or_else(|| Refusal::bad_request(format!("Unable to process JSON: {body}")))?;
    let known = [
        "scopeFqn",
        "scopeEntityType",
        "seenFqns",
        "recursive",
        "hardDelete",
        "dryRun",
    ];
    if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(Refusal::bad_request(format!(
            "Unable to process JSON: Unrecognized field \"{k}\" (class BulkDeleteStaleRequest)"
        )));
    }
    let text = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let flag = |key: &str| -> Result<Option<bool>, Refusal> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Refusal::bad_request(format!(
                "Unable to process JSON: {key} must be a boolean, not {other}"
            ))),
        }
    };
    let scope_fqn = text("scopeFqn")
        .ok_or_else(|| Refusal::bad_request("scopeFqn is required for deleteStale"))?;
    let scope_type = text("scopeEntityType")
        .ok_or_else(|| Refusal::bad_request("scopeEntityType is required for deleteStale"))?;
    let seen: Vec<&str> = match obj.get("seenFqns") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(Value::as_str)
            .collect::<Option<_>>()
            .ok_or_else(|| {
                Refusal::bad_request("Unable to process JSON: seenFqns must be an array of strings")
            })?,
        Some(other) => {
            return Err(Refusal::bad_request(format!(
                "Unable to process JSON: seenFqns must be an array, not {other}"
            )));
        }
    };
    let dry_run = flag("dryRun")?.unwrap_or(false);
    let recursive = flag("recursive")?.unwrap_or(true);
    let hard = flag("hardDelete")?.unwrap_or(false);

    // `service` is the collection's own service type (`resolveScopeEntityType`).
    let resolved = if scope_type == "service" {
        c.ancestors().last().copied().map(Collection::entity_type)
    } else {
        Some(scope_type)
    };
    let scope = match resolved {
        Some(t) if Collection::from_entity_type(t).is_some() => Collection::from_entity_type(t),
        Some(t) if OTHER_ENTITY_TYPES.contains(&t) => None,
        _ => {
            return Err(Refusal::bad_request(format!(
                "Unsupported scopeEntityType '{scope_type}' for deleteStale"
            )));
        }
    };
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let scope_entity = scope
        .and_then(|s| st.store.find(s, scope_fqn))
        .filter(|e| !e.deleted);
    if let (false, Some(scope_entity)) = (seen.is_empty(), scope_entity) {
        let prefix = format!("{}.", scope_entity.fqn);
        let seen: HashSet<String> = seen.iter().filter_map(|f| fqn::normalize(f)).collect();
        let mut stale: Vec<String> = st
            .store
            .iter(c)
            .filter(|e| !e.deleted && e.fqn.starts_with(&prefix) && !seen.contains(&e.fqn))
            .map(|e| e.fqn.clone())
            .collect();
        stale.sort_by_key(|f| fqn::split(f).map_or(0, |p| p.len()));
        let mut deleted: Vec<String> = Vec::new();
        for f in stale {
            let covered = deleted.iter().any(|d| f.starts_with(&format!("{d}.")));
            if dry_run || covered {
                passed.push(json!({"request": f, "status": 200}));
                continue;
            }
            match st.store.delete(c, &f, recursive, hard) {
                Ok(_) => {
                    passed.push(json!({"request": f, "status": 200}));
                    deleted.push(f);
                }
                Err(r) => failed.push(json!({"request": f, "status": 500, "message": r.message})),
            }
        }
    }
    // `buildStaleDeletionResult`: a bulk result, but never `failure`, and with `dryRun`.
    let partial = !failed.is_empty();
    let mut result = super::bulk::result(passed, failed);
    result["status"] = json!(if partial { "partialSuccess" } else { "success" });
    result["dryRun"] = json!(dry_run);
    Ok(result)
}
