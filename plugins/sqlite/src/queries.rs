//! The catalog queries, over `sqlite_master` and the table-valued pragma functions. `?1` is always
//! the list of table names, which the host binds as JSON array text.

/// User tables and views (SQLite's own `sqlite_%` tables left out).
pub const LIST_TABLES: &str = "\
SELECT name, type FROM sqlite_master
 WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
 ORDER BY name";

/// The definition is kept for views only: it is the `CREATE VIEW` statement as written.
pub const DESCRIBE_TABLES: &str = "\
SELECT name, type, CASE type WHEN 'view' THEN sql END
  FROM sqlite_master
 WHERE type IN ('table', 'view') AND name IN (SELECT value FROM json_each(?1))";

/// Columns of tables and views, in order; `pk` is the column's position in the primary key
/// (0 when not part of it).
pub const DESCRIBE_COLUMNS: &str = "\
SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.pk
  FROM sqlite_master AS m
  JOIN pragma_table_info(m.name) AS p
 WHERE m.type IN ('table', 'view') AND m.name IN (SELECT value FROM json_each(?1))
 ORDER BY m.name, p.cid";

/// Foreign keys as `(table, constraint id, referred table, column, referred column)`, one row per
/// column. A foreign key written without columns (`REFERENCES parent`) refers to the parent's
/// primary key, whose columns are looked up.
pub const DESCRIBE_FOREIGN_KEYS: &str = "\
SELECT m.name, CAST(f.id AS TEXT), f.\"table\", f.\"from\",
       COALESCE(f.\"to\", (SELECT p.name FROM pragma_table_info(f.\"table\") AS p
                          WHERE p.pk = f.seq + 1))
  FROM sqlite_master AS m
  JOIN pragma_foreign_key_list(m.name) AS f
 WHERE m.type = 'table' AND m.name IN (SELECT value FROM json_each(?1))
 ORDER BY m.name, f.id, f.seq";

/// UNIQUE constraints (indexes of origin `u`) in the same shape as `DESCRIBE_FOREIGN_KEYS`.
pub const DESCRIBE_UNIQUE: &str = "\
SELECT m.name, i.name, NULL, c.name, NULL
  FROM sqlite_master AS m
  JOIN pragma_index_list(m.name) AS i
  JOIN pragma_index_info(i.name) AS c
 WHERE m.type = 'table' AND i.origin = 'u' AND m.name IN (SELECT value FROM json_each(?1))
 ORDER BY m.name, i.name, c.seqno";
