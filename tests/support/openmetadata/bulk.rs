//! The two bulk calls: `PUT /{collection}/bulk` (create or update each item, failures per item)
//! and `DELETE /tables/deleteStale` (soft-delete what a run did not see), both answered with a
//! `BulkOperationResult`.

use serde_json::{Value, json};

use super::State;
use super::store::{Collection, Refusal};

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

/// Applies the items of one bulk call in order. `errors[i]` is `schema_errors` of `items[i]`.
pub fn apply(c: Collection, items: &[Value], errors: &[String], st: &mut State) -> Value {
    let mut passed = Vec::new();
    let mut failed = Vec::new();
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
        match st.store.upsert(c, item) {
            Ok((outcome, e)) => passed.push(json!({"request": e.fqn, "status": outcome.status()})),
            Err(r) => failed.push(fail(r.status, &r.message)),
        }
    }
    result(passed, failed)
}

/// `{scopeFqn, scopeEntityType: "databaseSchema", seenFqns, recursive: true}`, nothing else.
pub fn delete_stale(c: Collection, body: &Value, st: &mut State) -> Result<Value, Refusal> {
    let bad = |why: &str| Refusal {
        status: 400,
        message: format!("stand-in: deleteStale body {why}: {body}"),
    };
    let obj = body.as_object().ok_or_else(|| bad("is not an object"))?;
    let expected = ["recursive", "scopeEntityType", "scopeFqn", "seenFqns"];
    if let Some(k) = obj.keys().find(|k| !expected.contains(&k.as_str())) {
        return Err(bad(&format!("has an unknown field {k:?}")));
    }
    let scope = obj
        .get("scopeFqn")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("needs a string scopeFqn"))?;
    if obj.get("scopeEntityType") != Some(&json!("databaseSchema")) {
        return Err(bad(
            "needs scopeEntityType \"databaseSchema\" (the only scope implemented)",
        ));
    }
    if obj.get("recursive") != Some(&json!(true)) {
        return Err(bad("needs recursive: true"));
    }
    let seen: Vec<&str> = obj
        .get("seenFqns")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(Value::as_str).collect())
        .ok_or_else(|| bad("needs seenFqns, an array of strings"))?;
    let sc = Collection::DatabaseSchemas;
    if st.store.get(sc, scope).is_none_or(|e| e.deleted) {
        return Err(Refusal::not_found(sc, scope));
    }
    let deleted = st.store.delete_unseen(c, scope, &seen);
    let passed = deleted
        .into_iter()
        .map(|fqn| json!({"request": fqn, "status": 200}))
        .collect();
    Ok(result(passed, Vec::new()))
}

fn result(passed: Vec<Value>, failed: Vec<Value>) -> Value {
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
