//! Argo Workflows' JSON Schema (argoproj/argo-workflows `api/jsonschema/schema.json`), loaded once
//! per test process, with one compiled validator per definition used.
//!
//! Where the schema comes from, in order: `$OMRUN_ARGO_SCHEMA` (a file; scripts/test.sh sets it, to
//! Argo's own file where the machine has a copy); `$HOME/.cache/omrun/argo-schema/schema.json` if
//! scripts/argo-schema.py derived it from hera's models. If none exists,
//! validation does not silently pass: the test panics.
//!
//! The file is draft 2020-12 but keeps swagger's `definitions` (not `$defs`), and its root is a
//! `oneOf` over five kinds, which would accept a Workflow that is a valid CronWorkflow. So a
//! definition is validated through a wrapper `{"$ref": "#/definitions/<name>", "definitions": …}`:
//! every `$ref` in the file is `#/definitions/…`, and resolves against the wrapper as it did
//! against the original root.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use serde_json::{Value, json};

pub const WORKFLOW: &str = "io.argoproj.workflow.v1alpha1.Workflow";
pub const WORKFLOW_TEMPLATE: &str = "io.argoproj.workflow.v1alpha1.WorkflowTemplate";
pub const WORKFLOW_STATUS: &str = "io.argoproj.workflow.v1alpha1.WorkflowStatus";

/// Every error of `doc` as a Workflow, each `<JSON pointer>: <message>`.
pub fn validate_workflow(doc: &Value) -> Result<(), Vec<String>> {
    validate(WORKFLOW, doc)
}

/// Every error of `doc` as a WorkflowTemplate, each `<JSON pointer>: <message>`.
pub fn validate_workflow_template(doc: &Value) -> Result<(), Vec<String>> {
    validate(WORKFLOW_TEMPLATE, doc)
}

/// Every error of `doc` against the schema's definition `definition` (e.g. [`WORKFLOW_STATUS`]).
/// Panics on a definition the schema does not have.
pub fn validate(definition: &str, doc: &Value) -> Result<(), Vec<String>> {
    let errors = crate::schema::error_lines(validator(definition), doc);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The whole schema document, as read.
pub fn schema_document() -> &'static Value {
    &loaded().1
}

/// The file it was read from.
pub fn schema_path() -> &'static std::path::Path {
    &loaded().0
}

fn locate() -> PathBuf {
    if let Some(f) = std::env::var_os("OMRUN_ARGO_SCHEMA").filter(|f| !f.is_empty()) {
        let f = PathBuf::from(f);
        assert!(
            f.is_file(),
            "OMRUN_ARGO_SCHEMA={} is not a file",
            f.display()
        );
        return f;
    }
    if let Some(home) = std::env::var_os("HOME") {
        let cached = PathBuf::from(home).join(".cache/omrun/argo-schema/schema.json");
        if cached.is_file() {
            return cached;
        }
    }
    panic!(
        "Argo Workflows' JSON Schema is not available, and every Workflow must be validated: run \
         the tests with scripts/test.sh, or `python3 scripts/argo-schema.py` (derives it into \
         ~/.cache/omrun/argo-schema/schema.json), or set OMRUN_ARGO_SCHEMA to Argo's \
         api/jsonschema/schema.json"
    );
}

fn loaded() -> &'static (PathBuf, Value) {
    static DOC: OnceLock<(PathBuf, Value)> = OnceLock::new();
    DOC.get_or_init(|| {
        let path = locate();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        assert!(
            doc["definitions"][WORKFLOW].is_object()
                && doc["definitions"][WORKFLOW_TEMPLATE].is_object(),
            "{} has no definitions {WORKFLOW} and {WORKFLOW_TEMPLATE}: not Argo's schema.json",
            path.display()
        );
        (path, doc)
    })
}

fn validator(definition: &str) -> &'static jsonschema::Validator {
    static V: OnceLock<Mutex<HashMap<String, &'static jsonschema::Validator>>> = OnceLock::new();
    // Compiling holds the lock: two threads never compile the same schema twice.
    let mut map = V
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(v) = map.get(definition) {
        return v;
    }
    let (path, doc) = loaded();
    let definitions = &doc["definitions"];
    assert!(
        definitions[definition].is_object(),
        "{} has no definition {definition}",
        path.display()
    );
    let wrapper = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/definitions/{definition}"),
        "definitions": definitions,
    });
    let v = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&wrapper)
        .unwrap_or_else(|e| panic!("compile {definition} of {}: {e}", path.display()));
    let leaked: &'static jsonschema::Validator = Box::leak(Box::new(v));
    map.insert(definition.to_string(), leaked);
    leaked
}
