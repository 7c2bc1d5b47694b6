//! `PUT /{collection}/bulk`: create or update each item, failures per item, answered with a
//! `BulkOperationResult` ([`result`], which deleteStale answers with too).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::State;
use super::store::Collection;

/// The validation errors of `request` against its collection's schema, one line; empty when valid.
pub fn schema_errors(c: Collection, request: &Value) -> String {
    let schemas = crate::schemas();
    if c.is_service() {
        // A service request carries the connection's secrets, which OpenMetadata never echoes
        // back: values are masked, and the per-branch reasons (which quote values) left out.
        return schemas
            .validator(c.request_kind())
            .iter_errors(request)
            .map(|e| {
                let at = e.instance_path().to_string();
                format!("{}: {}", if at.is_empty() { "/" } else { &at }, e.masked())
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    schemas
        .errors(c.request_kind(), request)
        .iter()
        .map(|e| e.trim())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Applies one bulk call as `EntityResource.processBulkRequest` does: first every row is checked
/// against the state before the batch (so a row cannot rely on another row of the same request),
/// a refused row going to `failedRequest` with the whole request it sent; then the others are
/// written in order. `errors[i]` is `schema_errors` of `items[i]`. Every written row is reported
/// with status 200, created or not (`BulkImportService.bulkCreateOrUpdateEntitiesSequential`).
pub fn apply(
    c: Collection,
    items: &[Value],
    errors: &[String],
    override_metadata: bool,
    st: &mut State,
) -> Value {
    let mut failed = Vec::new();
    let mut prepared = Vec::new();
    for (item, errors) in items.iter().zip(errors) {
        let fail = |status: u16, message: &str| json!({"request": item, "message": message, "status": status});
        // A scripted failure wins over everything: it stands for the server failing that item.
        let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
        if let Some(status) = st.faults.take_item_fault(name) {
            failed.push(fail(
                status,
                &format!("stand-in: scripted failure of {name}"),
            ));
            continue;
        }
        if !errors.is_empty() {
            failed.push(fail(400, errors));
            continue;
        }
        match st.store.prepare(c, item) {
            Ok(p) => prepared.push(p),
            Err(r) => failed.push(fail(r.status, &r.message)),
        }
    }
    // The fast path needs the FQN to appear once in the batch (`updateFrequencyByFqn`).
    let mut frequency: HashMap<String, usize> = HashMap::new();
    for p in &prepared {
        *frequency.entry(p.fqn.clone()).or_default() += 1;
    }
    let mut passed = Vec::new();
    for p in prepared {
        let fast_path = !override_metadata && frequency[&p.fqn] == 1;
        let fqn = p.fqn.clone();
        st.store.commit_quietly(p, fast_path);
        passed.push(json!({"request": fqn, "status": 200}));
    }
    result(passed, failed)
}

pub fn result(passed: Vec<Value>, failed: Vec<Value>) -> Value {
    let status = match (passed.len(), failed.len()) {
        (_, 0) => "success",
        (0, _) => "failure",
        _ => "partialSuccess",
    };
    json!({
        "status": status,
        "numberOfRowsProcessed": passed.len() + failed.len(),
        "numberOfRowsPassed": passed.len(),
        "numberOfRowsFailed": failed.len(),
        "successRequest": passed,
        "failedRequest": failed,
    })
}
