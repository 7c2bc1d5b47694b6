//! The `children` OpenMetadata's Trino connector gives a column: `_get_columns` rewrites a
//! `row(…)` or `array(…)` into its Hive spelling ([`super::hive`]: `struct<name:type,…>`, unnamed
//! fields `fieldN`, quotes stripped) and its column handler parses that with
//! `ColumnTypeParser._parse_datatype_string` ([`omrun_common_db::type_parser`]): a row's fields,
//! an array of rows' element fields, at any depth, lower-cased and without spaces as the parser
//! leaves them. A map, a scalar, an array of arrays have none.
//!
//! Presto's rows get the same (its `row(city varchar)` reads as Trino's older unquoted spelling):
//! OpenMetadata's Presto connector types them `NULL`, without children, but omrun types them
//! `STRUCT`, which OpenMetadata's server refuses without children.

use omrun_common_db::type_parser::{self, Field, Unparsable};
use omrun_sdk::types::NestedColumn;

use super::{Ty, hive, parse};

/// The children of a column of Trino type `spelling`, as nested columns; none where OpenMetadata's
/// connector gives none. [`Unparsable`] where its connector drops the column: its parser raises on
/// the Hive spelling (a field name holding `,`, `<` or `(` breaks it), or a field's name is empty
/// (its `Column` model refuses one).
pub fn trino_children(spelling: &str) -> Result<Vec<NestedColumn>, Unparsable> {
    let ty = match parse(spelling.trim()) {
        Some(ty @ (Ty::Row(_) | Ty::Array(_))) => ty,
        _ => return Ok(Vec::new()),
    };
    let parsed = type_parser::parse(&hive(&ty))?;
    if let Some(field) = unnamed(parsed.fields()) {
        return Err(Unparsable(format!(
            "a field without a name: {}",
            field.field_type.display
        )));
    }
    Ok(parsed.nested_fields())
}

/// A field, at any depth, whose name is empty.
fn unnamed(fields: &[Field]) -> Option<&Field> {
    fields.iter().find_map(|f| {
        if f.name.is_empty() {
            Some(f)
        } else {
            unnamed(f.field_type.fields())
        }
    })
}

#[cfg(test)]
mod tests;
