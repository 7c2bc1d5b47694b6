//! The columns of a table or of a dashboard data model, checked as OpenMetadata's
//! `DatabaseUtil.validateColumns` checks them when a Create request becomes an entity
//! (`TableMapper.validateNewTable`, `DashboardDataModelMapper.createToEntity`; a PUT and a bulk row
//! alike). It looks at the top-level columns only, and at the fields of a top-level `STRUCT`:
//!
//! - no two top-level columns share a name, nor two fields (`children`) of a top-level `STRUCT`
//!   column: 400 `Column name <name> is repeated` (names compare exactly, case included; deeper
//!   levels and other types' children are not looked at);
//! - a top-level `STRUCT` column has `children`: absent or `null`, 400 `For column data type
//!   struct, children must not be null` (an empty list is accepted; a `STRUCT` field of a struct
//!   is not looked at). Absent is null on the server: `table.json` gives `children` the default
//!   `null`, which its generated Java class keeps.
//!
//! Per column, in the server's order: the struct rule, then its fields' names; the top-level
//! names before any column.

use serde_json::Value;

use super::store::Refusal;

/// The server's message for a top-level `STRUCT` without `children`.
pub const STRUCT_WITHOUT_CHILDREN: &str = "For column data type struct, children must not be null";

/// Checks `entity`'s `columns`.
pub fn validate(entity: &Value) -> Result<(), Refusal> {
    let columns = entity.get("columns").and_then(Value::as_array);
    unique(columns)?;
    for column in columns.into_iter().flatten() {
        if column["dataType"] == "STRUCT" {
            let children = column.get("children").filter(|c| !c.is_null());
            if children.is_none() {
                return Err(Refusal::bad_request(STRUCT_WITHOUT_CHILDREN));
            }
            unique(children.and_then(Value::as_array))?;
        }
    }
    Ok(())
}

fn unique(columns: Option<&Vec<Value>>) -> Result<(), Refusal> {
    let mut seen = Vec::new();
    for name in columns.into_iter().flatten().map(|c| &c["name"]) {
        if seen.contains(&name) {
            let name = name.as_str().unwrap_or_default();
            return Err(Refusal::bad_request(format!(
                "Column name {name} is repeated"
            )));
        }
        seen.push(name);
    }
    Ok(())
}
