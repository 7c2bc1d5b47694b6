//! The catalog queries: the `information_schema` of each catalog, and the `system` catalog's
//! `metadata` tables, as OpenMetadata's Trino connector reads them — but for a whole batch at a
//! time; they work on Presto too, but for `table_comments`, which it does not have. `{catalog}` is the catalog as a quoted identifier; `?` are parameters (inlined as
//! literals by the client), `{schemas}` and `{names}` lists of them ([`expand`]).

/// Every catalog (OpenMetadata's `TRINO_GET_DATABASE`).
pub const LIST_CATALOGS: &str = "SHOW CATALOGS";

/// The schemas of a catalog, its `information_schema` aside.
pub const LIST_SCHEMAS: &str = "\
SELECT schema_name FROM {catalog}.information_schema.schemata
 WHERE schema_name <> 'information_schema' ORDER BY schema_name";

/// The tables and views of a catalog, all schemas at once.
pub const LIST_TABLES: &str = "\
SELECT table_schema, table_name, table_type FROM {catalog}.information_schema.tables
 WHERE table_schema <> 'information_schema' ORDER BY table_schema, table_name";

/// The connector behind a catalog: `iceberg` makes its tables OpenMetadata's `Iceberg` tables
/// (`TRINO_GET_CATALOG_CONNECTOR`). ?: the catalog.
pub const CATALOG_CONNECTOR: &str =
    "SELECT connector_name FROM system.metadata.catalogs WHERE catalog_name = ?";

/// Schemas by name: `{names}`.
pub const DESCRIBE_SCHEMAS: &str = "\
SELECT schema_name FROM {catalog}.information_schema.schemata WHERE schema_name IN ({names})";

/// A batch's tables: `{schemas}`, then `{names}`. The pairs are matched in the plugin: the two
/// lists select their cross product, a superset.
pub const DESCRIBE_TABLES: &str = "\
SELECT table_schema, table_name, table_type FROM {catalog}.information_schema.tables
 WHERE table_schema IN ({schemas}) AND table_name IN ({names})";

/// A batch's columns, with the hidden `comment`: `{schemas}`, then `{names}`.
pub const DESCRIBE_COLUMNS: &str = "\
SELECT table_schema, table_name, column_name, ordinal_position, is_nullable, data_type, comment
  FROM {catalog}.information_schema.columns
 WHERE table_schema IN ({schemas}) AND table_name IN ({names})
 ORDER BY table_schema, table_name, ordinal_position";

/// A batch's table and view comments (`TRINO_TABLE_COMMENTS`, per batch instead of per schema):
/// ? the catalog, then `{schemas}` and `{names}`.
pub const DESCRIBE_COMMENTS: &str = "\
SELECT schema_name, table_name, comment FROM system.metadata.table_comments
 WHERE catalog_name = ? AND schema_name IN ({schemas}) AND table_name IN ({names})
   AND comment IS NOT NULL";

/// A batch's view definitions (`TRINO_VIEW_DEFINITION`): `{schemas}`, then `{names}`.
pub const DESCRIBE_VIEWS: &str = "\
SELECT table_schema, table_name, view_definition FROM {catalog}.information_schema.views
 WHERE table_schema IN ({schemas}) AND table_name IN ({names})";

/// A view's definition when `information_schema.views` has none (it needs the view's owner):
/// `TRINO_VIEW_DEFINITION_FALLBACK`. `{view}`: the quoted three-part name.
pub const SHOW_CREATE_VIEW: &str = "SHOW CREATE VIEW {view}";

/// A table's statement, whose `COMMENT` is where Presto keeps the table's comment (it has no
/// `system.metadata.table_comments`): `PRESTO_SHOW_CREATE_TABLE`. `{table}`: the quoted
/// three-part name.
pub const SHOW_CREATE_TABLE: &str = "SHOW CREATE TABLE {table}";

/// `sql` with `{catalog}` replaced and `{schemas}`, `{names}` expanded into that many `?`s (at
/// least one each: `IN ()` is a syntax error).
pub fn expand(sql: &str, catalog: &str, schemas: usize, names: usize) -> String {
    let marks = |n: usize| vec!["?"; n.max(1)].join(", ");
    sql.replace("{catalog}", catalog)
        .replace("{schemas}", &marks(schemas))
        .replace("{names}", &marks(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert_eq!(
            expand(DESCRIBE_TABLES, "\"c\"", 2, 3),
            "SELECT table_schema, table_name, table_type FROM \"c\".information_schema.tables\n \
             WHERE table_schema IN (?, ?) AND table_name IN (?, ?, ?)"
        );
        assert!(expand(DESCRIBE_SCHEMAS, "\"c\"", 0, 0).ends_with("IN (?)"));
    }
}
