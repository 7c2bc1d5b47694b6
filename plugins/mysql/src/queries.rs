//! The catalog queries, all over `information_schema` (the same on MySQL 5.7+, 8.x and MariaDB
//! 10.3+). MySQL has no array parameters: a batch's names go in as one `?` each
//! ([`names_in`](crate::describe) expands `{names}`), always together with an equality on the
//! schema, so that MariaDB reads only that schema's directory.

/// MySQL's and MariaDB's own schemas, never ingested.
macro_rules! user_schemas {
    ($column:literal) => {
        concat!(
            $column,
            " NOT IN ('information_schema', 'performance_schema', 'mysql', 'sys')"
        )
    };
}

pub const LIST_SCHEMAS: &str = concat!(
    "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE ",
    user_schemas!("SCHEMA_NAME"),
    " ORDER BY SCHEMA_NAME"
);

/// Schemas with their comments: MariaDB 10.5+ keeps one, MySQL does not (see
/// [`LIST_SCHEMAS`] for the fallback).
pub const DESCRIBE_SCHEMAS_WITH_COMMENTS: &str = concat!(
    "SELECT SCHEMA_NAME, SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE ",
    user_schemas!("SCHEMA_NAME")
);

/// Tables and views of every user schema. Sequences (MariaDB) and temporary tables are not
/// tables OpenMetadata knows.
pub const LIST_TABLES: &str = concat!(
    "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, CREATE_OPTIONS FROM information_schema.TABLES
 WHERE TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED') AND ",
    user_schemas!("TABLE_SCHEMA"),
    " ORDER BY TABLE_SCHEMA, TABLE_NAME"
);

/// ?: schema, then `{names}`.
pub const DESCRIBE_TABLES: &str = "\
SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, CREATE_OPTIONS FROM information_schema.TABLES
 WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN ({names})";

/// ?: schema, then `{names}`. Rows in column order.
pub const DESCRIBE_COLUMNS: &str = "\
SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, IS_NULLABLE, COLUMN_TYPE, COLUMN_COMMENT
  FROM information_schema.COLUMNS
 WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN ({names})
 ORDER BY TABLE_NAME, ORDINAL_POSITION";

/// ?: schema, then `{names}`. One row per key column, grouped by constraint, columns in key
/// order; a foreign key's referred schema may be another schema (another MySQL database).
pub const DESCRIBE_CONSTRAINTS: &str = "\
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, c.CONSTRAINT_TYPE, k.COLUMN_NAME,
       k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
  FROM information_schema.TABLE_CONSTRAINTS c
  JOIN information_schema.KEY_COLUMN_USAGE k
    ON k.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME
   AND k.CONSTRAINT_NAME = c.CONSTRAINT_NAME
 WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME IN ({names})
   AND c.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
 ORDER BY k.TABLE_NAME, c.CONSTRAINT_TYPE, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";

/// ?: schema, then `{names}`. One row per partitioned table (each partition repeats the method
/// and expression).
pub const DESCRIBE_PARTITIONING: &str = "\
SELECT DISTINCT TABLE_NAME, PARTITION_METHOD, PARTITION_EXPRESSION FROM information_schema.PARTITIONS
 WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN ({names}) AND PARTITION_NAME IS NOT NULL";

pub const LIST_ROUTINES: &str = concat!(
    "SELECT ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES
 WHERE ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') AND ",
    user_schemas!("ROUTINE_SCHEMA"),
    " ORDER BY ROUTINE_SCHEMA, ROUTINE_NAME"
);

/// ?: schema, then `{names}`.
pub const DESCRIBE_ROUTINES: &str = "\
SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_BODY, ROUTINE_DEFINITION, ROUTINE_COMMENT
  FROM information_schema.ROUTINES
 WHERE ROUTINE_SCHEMA = ? AND ROUTINE_NAME IN ({names}) AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION')";
