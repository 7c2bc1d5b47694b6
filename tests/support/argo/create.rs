//! What the Argo Server (and the Kubernetes API behind it) checks when a Workflow is created, and
//! its error in grpc-gateway's shape.

use serde_json::Value;

use super::schema;

/// An error in grpc-gateway's shape: HTTP status, gRPC code and message.
pub struct ApiError {
    pub status: u16,
    pub code: u32,
    pub message: String,
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            code: 3, // InvalidArgument
            message: message.into(),
        }
    }

    pub fn not_found(name: &str) -> ApiError {
        ApiError {
            status: 404,
            code: 5,
            message: format!("workflows.argoproj.io \"{name}\" not found"),
        }
    }

    /// A scripted failure answered with `status`, with the gRPC code grpc-gateway maps to it.
    pub fn scripted(status: u16) -> ApiError {
        let code = match status {
            400 => 3,
            401 => 16,
            403 => 7,
            404 => 5,
            409 => 6,
            429 => 8,
            500 => 13,
            501 => 12,
            503 => 14,
            504 => 4,
            _ => 2, // Unknown
        };
        let what = if status == 409 {
            "already exists"
        } else {
            "failure"
        };
        ApiError {
            status,
            code,
            message: format!("stand-in: scripted {what} ({status})"),
        }
    }
}

/// The request's Workflow, checked as the Argo Server (and the Kubernetes API behind it) would.
pub fn new_workflow(namespace: &str, req: &Value) -> Result<Value, ApiError> {
    let wf = match &req["workflow"] {
        Value::Object(_) => req["workflow"].clone(),
        _ => return Err(ApiError::invalid("workflow body not specified")),
    };
    // grpc-gateway would silently let the path win; a client sending two namespaces has a bug.
    if let Some(ns) = req["namespace"].as_str().filter(|ns| *ns != namespace) {
        return Err(ApiError::invalid(format!(
            "stand-in: the request's namespace {ns:?} is not the path's {namespace:?}"
        )));
    }
    if let Err(errors) = schema::validate_workflow(&wf) {
        let lines: Vec<String> = errors.iter().map(|e| truncate(e, 400)).collect();
        return Err(ApiError::invalid(format!(
            "stand-in: the Workflow does not validate against Argo's schema ({}): {}",
            schema::schema_path().display(),
            lines.join("; ")
        )));
    }
    references(&wf)?;
    let m = &wf["metadata"];
    if m["namespace"].as_str().is_some_and(|ns| ns != namespace) {
        return Err(ApiError::invalid(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if m["name"].as_str().is_none_or(str::is_empty)
        && m["generateName"].as_str().is_none_or(str::is_empty)
    {
        return Err(ApiError::invalid(
            "metadata.name: Required value: name or generateName is required",
        ));
    }
    Ok(wf)
}

/// What a schema cannot say but Argo's own submit-time validation does: the entrypoint and every
/// DAG task name a template of the Workflow.
fn references(wf: &Value) -> Result<(), ApiError> {
    let spec = &wf["spec"];
    if spec.get("workflowTemplateRef").is_some() {
        return Ok(());
    }
    let templates: Vec<&Value> = spec["templates"].as_array().into_iter().flatten().collect();
    let exists = |n: &str| templates.iter().any(|t| t["name"] == n);
    match spec["entrypoint"].as_str() {
        Some(e) if exists(e) => {}
        Some(e) => {
            return Err(ApiError::invalid(format!(
                "spec.entrypoint template name '{e}' undefined"
            )));
        }
        None => return Err(ApiError::invalid("spec.entrypoint is required")),
    }
    for t in &templates {
        for task in t["dag"]["tasks"].as_array().into_iter().flatten() {
            let target = task["template"].as_str().unwrap_or_default();
            if task.get("templateRef").is_none() && !exists(target) {
                return Err(ApiError::invalid(format!(
                    "templates.{}.tasks.{} template name '{target}' undefined",
                    t["name"].as_str().unwrap_or_default(),
                    task["name"].as_str().unwrap_or_default()
                )));
            }
        }
    }
    Ok(())
}

pub fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..5)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
