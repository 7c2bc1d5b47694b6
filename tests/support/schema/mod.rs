//! OpenMetadata's JSON Schemas for the Create requests the file sink writes, one compiled validator
//! per request kind (compiled on first use, once per test process).
//!
//! Where the schemas come from, in order: `$OMRUN_OM_SCHEMAS` (scripts/test.sh sets it);
//! `$HOME/.cache/omrun/openmetadata-schema` if scripts/om-schemas.py wrote it. If none has them, validation does not
//! silently pass: the test panics.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

/// Request kind -> schema file, relative to the schema root.
pub const KINDS: &[(&str, &str)] = &[
    (
        "CreateDatabaseServiceRequest",
        "schema/api/services/createDatabaseService.json",
    ),
    (
        "CreateDatabaseRequest",
        "schema/api/data/createDatabase.json",
    ),
    (
        "CreateDatabaseSchemaRequest",
        "schema/api/data/createDatabaseSchema.json",
    ),
    ("CreateTableRequest", "schema/api/data/createTable.json"),
    (
        "CreateStoredProcedureRequest",
        "schema/api/data/createStoredProcedure.json",
    ),
    (
        "CreateDashboardServiceRequest",
        "schema/api/services/createDashboardService.json",
    ),
    (
        "CreateDashboardRequest",
        "schema/api/data/createDashboard.json",
    ),
    ("CreateChartRequest", "schema/api/data/createChart.json"),
    (
        "CreateDashboardDataModelRequest",
        "schema/api/data/createDashboardDataModel.json",
    ),
    // Derived by scripts/om-schemas.py (the shared copy has none of these).
    (
        "CreateClassificationRequest",
        "schema/api/classification/createClassification.json",
    ),
    (
        "CreateTagRequest",
        "schema/api/classification/createTag.json",
    ),
    ("AddLineageRequest", "schema/api/lineage/addLineage.json"),
    (
        "CreatePipelineServiceRequest",
        "schema/api/services/createPipelineService.json",
    ),
    (
        "CreateMlModelServiceRequest",
        "schema/api/services/createMlModelService.json",
    ),
    (
        "CreatePipelineRequest",
        "schema/api/data/createPipeline.json",
    ),
    ("CreateMlModelRequest", "schema/api/data/createMlModel.json"),
    // Not a Create request: the body of `PUT /v1/pipelines/{fqn}/status`.
    ("PipelineStatus", "schema/entity/data/pipelineStatus.json"),
];

pub struct OmSchemas {
    root: PathBuf,
    validators: Mutex<HashMap<&'static str, &'static jsonschema::Validator>>,
}

fn complete(dir: &Path) -> bool {
    KINDS.iter().all(|(_, rel)| dir.join(rel).is_file())
}

fn locate() -> PathBuf {
    if let Some(d) = std::env::var_os("OMRUN_OM_SCHEMAS").filter(|d| !d.is_empty()) {
        let d = PathBuf::from(d);
        assert!(
            complete(&d),
            "OMRUN_OM_SCHEMAS={} does not hold every schema ({})",
            d.display(),
            KINDS.iter().map(|k| k.1).collect::<Vec<_>>().join(", ")
        );
        return d;
    }
    if let Some(home) = std::env::var_os("HOME") {
        let cached = PathBuf::from(home).join(".cache/omrun/openmetadata-schema");
        if complete(&cached) {
            return cached;
        }
    }
    panic!(
        "OpenMetadata's JSON Schemas are not available, and every sink line must be validated: run \
         the tests with scripts/test.sh, or `python3 scripts/om-schemas.py ~/.cache/omrun/openmetadata-schema`, \
         or set OMRUN_OM_SCHEMAS"
    );
}

/// The schemas of this test process.
pub fn schemas() -> &'static OmSchemas {
    static S: OnceLock<OmSchemas> = OnceLock::new();
    S.get_or_init(|| OmSchemas {
        root: locate(),
        validators: Mutex::new(HashMap::new()),
    })
}

impl OmSchemas {
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The compiled validator of `kind`. Panics on an unknown kind.
    pub fn validator(&self, kind: &str) -> &'static jsonschema::Validator {
        let (kind, rel) = *KINDS.iter().find(|(k, _)| *k == kind).unwrap_or_else(|| {
            panic!(
                "unknown request kind {kind:?}; expected one of {}",
                KINDS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
            )
        });
        // Compiling holds the lock: two threads never compile the same (large) schema twice.
        let mut map = self.validators.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = map.get(kind) {
            return v;
        }
        let path = self.root.join(rel);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let schema: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("compile {}: {e}", path.display()));
        let leaked: &'static jsonschema::Validator = Box::leak(Box::new(validator));
        map.insert(kind, leaked);
        leaked
    }

    /// Every validation error of `request` against the schema of `kind`, as
    /// `<instance path>: <message>` lines; empty when valid.
    ///
    /// pydantic writes every optional field as `anyOf: [X, null]`, whose own message only says "not
    /// valid under any of the schemas"; the reasons inside the non-null branches follow it,
    /// indented, so a failure says what is actually wrong.
    pub fn errors(&self, kind: &str, request: &Value) -> Vec<String> {
        error_lines(self.validator(kind), request)
    }

    /// Panics with the line, its kind and every validation error unless `request` is valid.
    pub fn assert_valid(&self, origin: &str, raw_line: &str, kind: &str, request: &Value) {
        let errors = self.errors(kind, request);
        if !errors.is_empty() {
            panic!(
                "{origin}: {kind} does not validate against OpenMetadata's schema ({}):\n  {}\nline: {raw_line}",
                self.root
                    .join(KINDS.iter().find(|k| k.0 == kind).unwrap().1)
                    .display(),
                errors.join("\n  ")
            );
        }
    }
}

/// Every validation error of `instance`, as `<instance path>: <message>` lines, each followed by
/// the reasons inside it (see [`OmSchemas::errors`]); empty when valid. Shared with
/// [`crate::argo::schema`].
pub(crate) fn error_lines(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for e in validator.iter_errors(instance) {
        out.push(describe(&e));
        let mut reasons = Vec::new();
        reasons_of(&e, &mut reasons);
        out.extend(reasons.into_iter().map(|r| format!("    because {r}")));
    }
    out
}

fn describe(e: &jsonschema::ValidationError<'_>) -> String {
    let at = e.instance_path().to_string();
    format!("{}: {e}", if at.is_empty() { "/" } else { &at })
}

/// The errors inside an `anyOf` / `oneOf` failure, recursively, minus the uninformative
/// "is not of type \"null\"" of pydantic's optional fields.
fn reasons_of(e: &jsonschema::ValidationError<'_>, out: &mut Vec<String>) {
    use jsonschema::error::ValidationErrorKind as K;
    let context = match e.kind() {
        K::AnyOf { context } | K::OneOfNotValid { context } => context,
        _ => return,
    };
    for branch in context {
        for inner in branch {
            let text = describe(inner);
            if text.ends_with("is not of type \"null\"") {
                continue;
            }
            match inner.kind() {
                K::AnyOf { .. } | K::OneOfNotValid { .. } => reasons_of(inner, out),
                _ => out.push(text),
            }
        }
    }
}

#[cfg(test)]
mod tests;
