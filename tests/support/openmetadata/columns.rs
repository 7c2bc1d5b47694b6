//! A table's column names, checked as OpenMetadata's `DatabaseUtil.validateColumns` checks them
//! when a `CreateTableRequest` becomes a table (`TableMapper.validateNewTable`, for a PUT and a
//! bulk row alike): no two top-level columns share a name, and no two fields of a top-level
//! `STRUCT` column (its `children`; the server looks no deeper, nor at other types' children):
//! 400 `Column name <name> is repeated`. Names compare exactly, case included.

use serde_json::Value;

use super::store::Refusal;

pub fn validate(table: &Value) -> Result<(), Refusal> {
    let columns = table.get("columns").and_then(Value::as_array);
    unique(columns)?;
    for column in columns.into_iter().flatten() {
        if column["dataType"] == "STRUCT" {
            unique(column.get("children").and_then(Value::as_array))?;
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
