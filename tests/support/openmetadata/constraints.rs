//! A table's `tableConstraints`, checked as OpenMetadata's `TableRepository.validateTableConstraints`
//! checks them (openmetadata-service `jdbi3/TableRepository.java`), on create and on every update
//! (PUT, bulk row, PATCH): constraint by constraint, in order,
//!
//! 1. a constraint equal to an earlier one of the same request is refused (`Set.add` fails):
//!    400 `Duplicate constraint found in request: <TableConstraint.toString()>`;
//! 2. each of its `columns` must be a column of the table itself (`validateColumn`: a top-level
//!    column whose name is exactly that, case-sensitive): else 400 `Invalid column name <name>`;
//! 3. each `referredColumns` entry is a column FQN: its parent FQN (`getParentFQN`, every part but
//!    the last) must name a stored table — `findByName(…, ALL)`, so a soft-deleted table counts —
//!    else 400 `Table not found: <parent FQN>`; and that table must have a column named exactly
//!    the FQN's fifth part (`getColumnName` = `split(fqn)[4]`, quotes kept): else 400
//!    `Invalid column name <name>`.
//!
//! The first failure refuses the whole row; the server never drops a constraint silently.

use serde_json::Value;

use super::fqn;
use super::store::{Entity, Refusal};

/// Checks `table` (a CreateTableRequest, or a stored table after a JSON Patch) against the tables
/// `find_table` knows by normalized FQN, deleted ones included.
pub fn validate<'a>(
    table: &Value,
    find_table: impl Fn(&str) -> Option<&'a Entity>,
) -> Result<(), Refusal> {
    let Some(constraints) = table.get("tableConstraints").and_then(Value::as_array) else {
        return Ok(());
    };
    for (i, constraint) in constraints.iter().enumerate() {
        if constraints[..i].iter().any(|c| same(c, constraint)) {
            return Err(bad(format!(
                "Duplicate constraint found in request: {}",
                java_to_string(constraint)
            )));
        }
        for column in strings(constraint, "columns") {
            if !has_column(table, column) {
                return Err(invalid_column(column));
            }
        }
        for referred in strings(constraint, "referredColumns") {
            // `getParentFQN` and `getColumnName` run before the lookup: an FQN that does not
            // parse, or has fewer than five parts, fails there (an exception the server does not
            // map to a message of its own; the stand-in answers 400 with getTableFQN's wording).
            let parts = fqn::split(referred)
                .filter(|p| p.len() >= 5)
                .ok_or_else(|| bad(format!("Invalid fully qualified column name {referred}")))?;
            let parent = fqn::parent(&parts).unwrap_or_default();
            let column = &parts[4];
            let to_table =
                find_table(&parent).ok_or_else(|| bad(format!("Table not found: {parent}")))?;
            if !has_column(&to_table.body, column) {
                return Err(invalid_column(column));
            }
        }
    }
    Ok(())
}

fn bad(message: String) -> Refusal {
    Refusal {
        status: 400,
        message,
    }
}

fn invalid_column(name: &str) -> Refusal {
    bad(format!("Invalid column name {name}"))
}

fn strings<'v>(constraint: &'v Value, field: &str) -> impl Iterator<Item = &'v str> {
    constraint
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// `validateColumn`: a top-level column of exactly this name (children are not looked at).
fn has_column(table: &Value, name: &str) -> bool {
    table
        .get("columns")
        .and_then(Value::as_array)
        .is_some_and(|cols| cols.iter().any(|c| c["name"].as_str() == Some(name)))
}

/// `TableConstraint.equals`: every property equal, an absent one equal to null (the generated
/// POJO has a field per property, so `{}` and `{"relationshipType": null}` are the same object).
fn same(a: &Value, b: &Value) -> bool {
    [
        "constraintType",
        "columns",
        "referredColumns",
        "relationshipType",
    ]
    .iter()
    .all(|k| a.get(*k).unwrap_or(&Value::Null) == b.get(*k).unwrap_or(&Value::Null))
}

/// The constraint the way its jsonschema2pojo `toString` prints it:
/// `org.openmetadata.schema.type.TableConstraint@<hash>[constraintType=…,columns=[a, b],…]`.
/// The `@<hash>` is the JVM's identity hash there, arbitrary; here a hash of the content.
fn java_to_string(c: &Value) -> String {
    fn show(v: Option<&Value>) -> String {
        match v {
            None | Some(Value::Null) => "<null>".into(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(a)) => format!(
                "[{}]",
                a.iter()
                    .map(|x| show(Some(x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(other) => other.to_string(),
        }
    }
    let hash = c
        .to_string()
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let fields = [
        "constraintType",
        "columns",
        "referredColumns",
        "relationshipType",
    ]
    .iter()
    .map(|k| format!("{k}={}", show(c.get(*k))))
    .collect::<Vec<_>>()
    .join(",");
    format!("org.openmetadata.schema.type.TableConstraint@{hash:x}[{fields}]")
}
