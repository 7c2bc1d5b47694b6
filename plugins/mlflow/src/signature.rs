//! A model's input signature as OpenMetadata's ML features, read where OpenMetadata's MLflow
//! connector reads it:
//! 1. the run tag `mlflow.log-model.history` MLflow 2.x writes (its entry for the run, whose
//!    `signature.inputs` is the columns as JSON text);
//! 2. else the model's `MLmodel` file (MLflow 3.x no longer writes the tag), whose
//!    `signature.inputs` is the same JSON text ([`columns_of_mlmodel`]).
//!
//! Each named column is a feature, `categorical` when its type is `string`, else `numerical`;
//! columns without a name (a tensor's) are skipped.

use omrun_sdk::types::{FeatureType, MlFeature};
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use crate::pyliteral;

/// The run tag MLflow 2.x keeps its logged models (with their signatures) in.
pub const LOG_MODEL_HISTORY_TAG: &str = "mlflow.log-model.history";

/// The longest name OpenMetadata takes for a feature (`EntityName`).
const MAX_NAME_CHARS: usize = 256;

/// The signature's input columns from the history tag's entry for `run_id`; `None` when there is
/// no such entry, it has no inputs, or the tag cannot be read (then the `MLmodel` file is tried,
/// as OpenMetadata does).
pub fn columns_of_history(tag: &str, run_id: &str) -> Option<Value> {
    let entries = parse_payload(tag).ok()?;
    let entry = entries
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|e| e.get("run_id").and_then(Value::as_str) == Some(run_id))?;
    let inputs = entry.get("signature")?.get("inputs")?.as_str()?;
    if inputs.is_empty() {
        return None;
    }
    parse_payload(inputs).ok()
}

/// The signature's input columns from an `MLmodel` file's text; `None` when it has no signature.
pub fn columns_of_mlmodel(text: &str) -> Result<Option<Value>, String> {
    let documents = YamlLoader::load_from_str(text)
        .map_err(|e| format!("the MLmodel file is not readable YAML: {e}"))?;
    // An empty file is no signature (OpenMetadata: `yaml.safe_load(…) or {}`).
    let Some(file) = documents.first() else {
        return Ok(None);
    };
    let inputs = &file["signature"]["inputs"];
    match inputs {
        Yaml::String(inputs) if !inputs.is_empty() => parse_payload(inputs)
            .map(Some)
            .map_err(|e| format!("the MLmodel file's signature inputs: {e}")),
        Yaml::BadValue | Yaml::Null | Yaml::String(_) => Ok(None),
        other => Err(format!(
            "the MLmodel file's signature inputs are not JSON text but {other:?}"
        )),
    }
}

/// The features of the signature's columns. An error (a name OpenMetadata would refuse) costs
/// all of them, as in OpenMetadata; anything that is not a list of columns gives none.
pub fn features(columns: &Value) -> Result<Vec<MlFeature>, String> {
    let Some(columns) = columns.as_array() else {
        return Ok(Vec::new());
    };
    let mut features = Vec::new();
    for column in columns.iter().filter_map(Value::as_object) {
        let name = match column.get("name") {
            None => continue,
            Some(name) if !truthy(name) => continue,
            Some(Value::String(name)) => name,
            Some(other) => return Err(format!("the signature column name {other} is not text")),
        };
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!(
                "the signature column name `{name}` is longer than OpenMetadata's \
                 {MAX_NAME_CHARS} characters"
            ));
        }
        let data_type = if column.get("type").and_then(Value::as_str) == Some("string") {
            FeatureType::Categorical
        } else {
            FeatureType::Numerical
        };
        features.push(MlFeature {
            name: name.clone(),
            data_type: Some(data_type),
            description: None,
            feature_algorithm: None,
            tags: Vec::new(),
        });
    }
    Ok(features)
}

/// Signatures are JSON, but runs written by older clients hold a Python repr.
fn parse_payload(raw: &str) -> Result<Value, String> {
    serde_json::from_str(raw).or_else(|json| {
        pyliteral::parse(raw)
            .map_err(|literal| format!("neither JSON ({json}) nor a Python literal ({literal})"))
    })
}

/// Python's truth of a JSON value (what `column.get("name")` is tested with).
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn named(features: &[MlFeature]) -> Vec<(String, FeatureType)> {
        features
            .iter()
            .map(|f| (f.name.clone(), f.data_type.unwrap()))
            .collect()
    }

    #[test]
    fn string_columns_are_categorical_and_unnamed_ones_skipped() {
        let columns = json!([
            {"type": "long", "name": "age", "required": true},
            {"type": "string", "name": "plan"},
            {"type": "boolean", "name": "active"},
            {"type": "double"},
            {"type": "string", "name": ""},
            {"type": "string", "name": null},
            "not a column",
        ]);
        assert_eq!(
            named(&features(&columns).unwrap()),
            [
                ("age".to_owned(), FeatureType::Numerical),
                ("plan".to_owned(), FeatureType::Categorical),
                ("active".to_owned(), FeatureType::Numerical),
            ]
        );
        for none in [json!({"name": "x"}), json!("x"), json!(null), json!([])] {
            assert!(features(&none).unwrap().is_empty(), "{none}");
        }
    }

    #[test]
    fn a_name_openmetadata_refuses_costs_every_feature() {
        let e = features(&json!([{"name": "ok"}, {"name": 7}])).unwrap_err();
        assert!(e.contains("7 is not text"), "{e}");
        let long = "x".repeat(257);
        assert!(features(&json!([{"name": long}])).is_err());
        let fits = "é".repeat(256);
        assert_eq!(features(&json!([{"name": fits}])).unwrap().len(), 1);
    }

    #[test]
    fn the_history_tag_entry_of_the_run() {
        let tag = json!([
            {"run_id": "other", "signature": {"inputs": "[{\"name\": \"no\"}]"}},
            {"run_id": "r1", "artifact_path": "model",
             "signature": {"inputs": "[{\"type\": \"string\", \"name\": \"city\"}]"}},
        ])
        .to_string();
        assert_eq!(
            columns_of_history(&tag, "r1"),
            Some(json!([{"type": "string", "name": "city"}]))
        );
        assert_eq!(columns_of_history(&tag, "r2"), None);
        // A Python repr, as older clients wrote, outside and inside.
        let repr =
            "[{'run_id': 'r1', 'signature': {'inputs': \"[{'name': 'x', 'type': 'double'}]\"}}]";
        assert_eq!(
            columns_of_history(repr, "r1"),
            Some(json!([{"name": "x", "type": "double"}]))
        );
        for unreadable in [
            "not a list",
            "{\"run_id\": \"r1\"}",
            "[{\"run_id\": \"r1\"}]",
            "[{\"run_id\": \"r1\", \"signature\": {\"inputs\": \"\"}}]",
            "[{\"run_id\": \"r1\", \"signature\": {\"inputs\": \"[oops\"}}]",
            "[{\"run_id\": \"r1\", \"signature\": null}]",
        ] {
            assert_eq!(columns_of_history(unreadable, "r1"), None, "{unreadable}");
        }
    }

    #[test]
    fn the_mlmodel_file() {
        // As MLflow 3.17 writes it: the JSON folded over several lines of a quoted scalar.
        let text = "artifact_path: mlflow-artifacts:/1/models/m-1/artifacts\n\
            flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n    \
            loader_module: mlflow.sklearn\n\
            mlflow_version: 3.17.2\n\
            signature:\n  inputs: '[{\"type\": \"long\", \"name\": \"age\", \"required\": true}, {\"type\": \"string\",\n    \
            \"name\": \"plan\", \"required\": true}]'\n  \
            outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"int64\", \"shape\": [-1]}}]'\n  \
            params: null\n\
            utc_time_created: '2026-12-03 22:15:37.112347'\n";
        let columns = columns_of_mlmodel(text).unwrap().unwrap();
        assert_eq!(
            named(&features(&columns).unwrap()),
            [
                ("age".to_owned(), FeatureType::Numerical),
                ("plan".to_owned(), FeatureType::Categorical),
            ]
        );
        for none in [
            "",
            "flavors: {}\n",
            "signature: null\n",
            "signature:\n  inputs: null\n",
        ] {
            assert_eq!(columns_of_mlmodel(none).unwrap(), None, "{none}");
        }
        assert!(columns_of_mlmodel("signature: [unclosed\n").is_err());
        assert!(columns_of_mlmodel("signature:\n  inputs: '[oops'\n").is_err());
    }
}
