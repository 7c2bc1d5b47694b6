//! `GET /v1/services/testConnectionDefinitions/name/<ServiceType>.testConnectionDefinition`: the
//! steps a connector's test connection runs. OpenMetadata's server loads them at start from
//! `openmetadata-service/src/main/resources/json/data/testConnections/database/<type>.json` and
//! names each `<name>.testConnectionDefinition`; `metadata ingest` reads the definition before it
//! ingests, and refuses to run without one. The step names and `mandatory` flags below are the
//! ones those files give for PostgreSQL, MySQL and MariaDB (the descriptions are the stand-in's own words).

use serde_json::{Value, json};

/// (service type, [(step, mandatory)]).
const DEFINITIONS: &[(&str, &[(&str, bool)])] = &[
    (
        "Postgres",
        &[
            ("CheckAccess", true),
            ("GetDatabases", true),
            ("GetSchemas", true),
            ("GetTables", true),
            ("GetViews", false),
            ("GetTags", false),
            ("GetQueries", false),
        ],
    ),
    (
        "Mysql",
        &[
            ("CheckAccess", true),
            ("GetSchemas", true),
            ("GetTables", true),
            ("GetViews", false),
        ],
    ),
    (
        "MariaDB",
        &[
            ("CheckAccess", true),
            ("GetSchemas", true),
            ("GetTables", true),
            ("GetViews", false),
        ],
    ),
];

/// The definition named `fqn`, as the server returns it; `None` when it has none by that name.
pub fn definition(fqn: &str) -> Option<Value> {
    let name = fqn.strip_suffix(".testConnectionDefinition")?;
    let seed = DEFINITIONS.iter().position(|(t, _)| *t == name)?;
    let steps = DEFINITIONS[seed].1;
    let steps: Vec<Value> = steps
        .iter()
        .map(|(step, mandatory)| {
            json!({
                "name": step,
                "description": format!("The connector's {step} check."),
                "mandatory": mandatory,
            })
        })
        .collect();
    Some(json!({
        // A fixed id per definition, as the server's (loaded once) is stable.
        "id": format!("00000000-0000-4000-8000-0000000000{seed:02x}"),
        "name": name,
        "fullyQualifiedName": fqn,
        "displayName": format!("{name} Test Connection"),
        "steps": steps,
        "version": 0.1,
        "updatedAt": 0,
        "updatedBy": "admin",
        "deleted": false,
    }))
}
