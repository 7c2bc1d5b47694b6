//! The catalog queries, read from each database's `INFORMATION_SCHEMA` as OpenMetadata's
//! Snowflake connector reads it, plus `SHOW` for databases and keys. Identifiers are quoted and
//! names inlined as literals (`quote`, `literal`): catalog names are data here, never SQL.

/// `SHOW DATABASES`: name (1) and comment (6), as OpenMetadata reads the names.
pub const LIST_DATABASES: &str = "SHOW DATABASES";

pub fn list_schemas(db: &str) -> String {
    format!(
        "SELECT schema_name FROM {}.information_schema.schemata \
         WHERE schema_name <> 'INFORMATION_SCHEMA' ORDER BY schema_name",
        quote(db)
    )
}

pub fn list_tables(db: &str) -> String {
    format!(
        "SELECT table_schema, table_name, table_type, is_transient \
         FROM {}.information_schema.tables \
         WHERE table_schema <> 'INFORMATION_SCHEMA' ORDER BY table_schema, table_name",
        quote(db)
    )
}

/// Views by name. Snowflake lists them in `TABLES` too; an emulator (fakesnow) only here, so
/// discovery reads both and keeps each name once.
pub fn list_views(db: &str) -> String {
    format!(
        "SELECT table_schema, table_name FROM {}.information_schema.views \
         WHERE table_schema <> 'INFORMATION_SCHEMA'",
        quote(db)
    )
}

pub fn describe_views(db: &str, schema: &str, names: &[String]) -> String {
    format!(
        "SELECT table_name, 'VIEW', 'NO', NULL FROM {}.information_schema.views \
         WHERE table_schema = {} AND table_name IN ({})",
        quote(db),
        literal(schema),
        literals(names)
    )
}

pub fn schema_comments(db: &str) -> String {
    format!(
        "SELECT schema_name, comment FROM {}.information_schema.schemata",
        quote(db)
    )
}

pub fn describe_tables(db: &str, schema: &str, names: &[String]) -> String {
    format!(
        "SELECT table_name, table_type, is_transient, comment, clustering_key \
         FROM {}.information_schema.tables \
         WHERE table_schema = {} AND table_name IN ({})",
        quote(db),
        literal(schema),
        literals(names)
    )
}

pub fn describe_columns(db: &str, schema: &str, names: &[String]) -> String {
    format!(
        "SELECT table_name, column_name, data_type, character_maximum_length, \
         numeric_precision, numeric_scale, is_nullable, comment, ordinal_position \
         FROM {}.information_schema.columns \
         WHERE table_schema = {} AND table_name IN ({}) \
         ORDER BY table_name, ordinal_position",
        quote(db),
        literal(schema),
        literals(names)
    )
}

pub fn view_definitions(db: &str, schema: &str, names: &[String]) -> String {
    format!(
        "SELECT table_name, view_definition FROM {}.information_schema.views \
         WHERE table_schema = {} AND table_name IN ({})",
        quote(db),
        literal(schema),
        literals(names)
    )
}

/// `SHOW PRIMARY KEYS`: table_name (3), column_name (4), key_sequence (5).
pub fn primary_keys(db: &str, schema: &str) -> String {
    format!(
        "SHOW PRIMARY KEYS IN SCHEMA {}.{}",
        quote(db),
        quote(schema)
    )
}

/// `SHOW UNIQUE KEYS`: table_name (3), column_name (4), key_sequence (5), constraint_name (6).
pub fn unique_keys(db: &str, schema: &str) -> String {
    format!("SHOW UNIQUE KEYS IN SCHEMA {}.{}", quote(db), quote(schema))
}

/// `SHOW IMPORTED KEYS` (the foreign keys of the schema's tables): pk_database_name (1),
/// pk_schema_name (2), pk_table_name (3), pk_column_name (4), fk_table_name (7), fk_column_name
/// (8), key_sequence (9), fk_name (12).
pub fn imported_keys(db: &str, schema: &str) -> String {
    format!(
        "SHOW IMPORTED KEYS IN SCHEMA {}.{}",
        quote(db),
        quote(schema)
    )
}

/// A quoted identifier: Snowflake keeps its case, and `"` doubles inside.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A string literal: `'` doubles inside, and a backslash too (Snowflake reads escapes in
/// single-quoted strings).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

fn literals(names: &[String]) -> String {
    names
        .iter()
        .map(|n| literal(n))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_their_quotes() {
        assert_eq!(quote("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(literal("o'k\\"), "'o''k\\\\'");
    }
}
