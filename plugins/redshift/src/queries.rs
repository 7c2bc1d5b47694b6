//! The catalog queries. Two families, never mixed in one statement:
//!
//! - **portable**: `pg_catalog` only (`pg_namespace`, `pg_class`, `pg_attribute`, `format_type`,
//!   `pg_description`, `pg_constraint`, `pg_get_viewdef`, `pg_get_constraintdef`), written for
//!   PostgreSQL 8.0, which Redshift's leader node still is: no arrays, no `format()`, no
//!   `unnest`, no casts to `int8`. The same text runs on PostgreSQL, where the tests run it.
//! - **Redshift only**: its system views (`svv_tables`, `svv_columns`, `svv_external_tables`,
//!   `svv_redshift_databases`, `stv_mv_info`) and `pg_attribute`'s `attisdistkey` and
//!   `attsortkeyord`. A statement that names a `svv_`/`stv_` view is sent to the compute nodes,
//!   where `pg_*` functions fail, so these never join `pg_catalog` functions or tables.
//!
//! Lists arrive as expanded placeholders (see [`Params`](crate::params::Params)). Selected values
//! are left in their catalog types (`name`, `oid`, `"char"`, `int2`, `bool`, `text`,
//! `char(128)`), which the host converts; no cast is needed, so none can fail on Redshift.

/// Schemas that are the system's own, as a predicate on `$col`. PostgreSQL and Redshift reserve
/// the `pg_` prefix (`pg_catalog`, `pg_toast`, `pg_internal`, `pg_automv`, `pg_temp_*`…); `LIKE`
/// with an explicit `ESCAPE`, because the two disagree on backslashes in literals.
macro_rules! user_schema {
    ($col:literal) => {
        concat!(
            $col,
            " NOT LIKE 'pg!_%' ESCAPE '!' AND ",
            $col,
            " NOT IN ('information_schema', 'catalog_history')"
        )
    };
}

pub const VERSION: &str = "SELECT version()";

pub const CURRENT_DATABASE: &str = "SELECT current_database()";

/// PostgreSQL: databases that accept connections (`ingestAllDatabases`).
pub const LIST_DATABASES_POSTGRES: &str = "\
SELECT datname FROM pg_catalog.pg_database
 WHERE datallowconn AND NOT datistemplate
 ORDER BY datname";

/// Redshift: the cluster's own databases; `shared` ones are datashares, reachable only through
/// the database they are mounted in, and the rest are Redshift's internals.
pub const LIST_DATABASES_REDSHIFT: &str = "\
SELECT database_name FROM svv_redshift_databases
 WHERE database_type = 'local'
   AND database_name NOT IN ('padb_harvest', 'template0', 'template1', 'sys:internal')
 ORDER BY database_name";

/// Databases named in `names`; comments on a database are in `pg_description` on Redshift (as in
/// PostgreSQL 8.0; PostgreSQL 8.2 and later keep them in `pg_shdescription`, so there it is NULL).
pub fn describe_databases(names: &str) -> String {
    format!(
        "SELECT db.datname,
       (SELECT d.description FROM pg_catalog.pg_description d
         WHERE d.objoid = db.oid AND d.classoid = 'pg_catalog.pg_database'::regclass)
  FROM pg_catalog.pg_database db
 WHERE db.datname IN ({names})"
    )
}

pub const LIST_SCHEMAS: &str = concat!(
    "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE ",
    user_schema!("n.nspname"),
    " ORDER BY 1"
);

/// Redshift: external schemas (Spectrum, federated), listed beside `pg_namespace`'s.
pub const LIST_EXTERNAL_SCHEMAS: &str = "SELECT schemaname FROM svv_external_schemas";

/// Schemas named in `names`, with their comments.
pub fn describe_schemas(names: &str) -> String {
    format!(
        "SELECT n.nspname,
       (SELECT d.description FROM pg_catalog.pg_description d
         WHERE d.objoid = n.oid AND d.classoid = 'pg_catalog.pg_namespace'::regclass)
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname IN ({names})"
    )
}

/// PostgreSQL: tables, views, materialized views and foreign tables.
pub const LIST_RELATIONS: &str = concat!(
    "SELECT n.nspname, c.relname, c.relkind
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'v', 'm', 'f') AND ",
    user_schema!("n.nspname"),
    " ORDER BY 1, 2"
);

/// Redshift, $1 the database: local and external tables, views and late-binding views.
pub const LIST_SVV_TABLES: &str = concat!(
    "SELECT table_schema, table_name, table_type FROM svv_tables
 WHERE table_catalog = $1 AND ",
    user_schema!("table_schema"),
    " ORDER BY 1, 2"
);

/// Redshift: every materialized view of the cluster, blank-padded `char(128)` names; the caller
/// keeps those of its database (comparing `char` with a text parameter is not worth the doubt).
pub const LIST_MATERIALIZED_VIEWS: &str = "SELECT db_name, \"schema\", name FROM stv_mv_info";

/// Relations whose schema is in `schemas` and name in `names` (the caller keeps the wanted
/// pairs). The view body comes bare; the caller makes it a `CREATE … VIEW` statement.
pub fn describe_relations(schemas: &str, names: &str) -> String {
    format!(
        "SELECT c.oid, n.nspname, c.relname, c.relkind,
       (SELECT d.description FROM pg_catalog.pg_description d
         WHERE d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
           AND d.objsubid = 0),
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'v', 'm', 'f')
   AND n.nspname IN ({schemas}) AND c.relname IN ({names})"
    )
}

/// Columns of the relations `oids`, in order, with their comments.
pub fn describe_attributes(oids: &str) -> String {
    format!(
        "SELECT a.attrelid, a.attname, a.attnum, a.attnotnull,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       (SELECT d.description FROM pg_catalog.pg_description d
         WHERE d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass
           AND d.objsubid = a.attnum)
  FROM pg_catalog.pg_attribute a
 WHERE a.attrelid IN ({oids}) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum"
    )
}

/// Redshift: distribution and sort key columns of the relations `oids`. `attsortkeyord` is the
/// column's place in the sort key, negative in an interleaved one.
pub fn describe_keys(oids: &str) -> String {
    format!(
        "SELECT a.attrelid, a.attname, a.attisdistkey, a.attsortkeyord
  FROM pg_catalog.pg_attribute a
 WHERE a.attrelid IN ({oids}) AND a.attnum > 0 AND NOT a.attisdropped
   AND (a.attisdistkey OR a.attsortkeyord <> 0)"
    )
}

/// Primary keys, unique constraints and foreign keys of the relations `oids`. Their columns come
/// from `pg_get_constraintdef` text: the column numbers (`conkey`, `confkey`) are arrays, which
/// Redshift's leader node cannot unnest. The referred table is joined, not parsed, because the
/// text qualifies it only when it is off the search path.
pub fn describe_constraints(oids: &str) -> String {
    format!(
        "SELECT con.conrelid, con.contype, pg_catalog.pg_get_constraintdef(con.oid),
       rn.nspname, rc.relname
  FROM pg_catalog.pg_constraint con
  LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
  LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
 WHERE con.conrelid IN ({oids}) AND con.contype IN ('p', 'u', 'f')
 ORDER BY con.conrelid, con.contype, con.conname"
    )
}

/// Redshift: external tables of `database` in `schemas` named in `names`.
pub fn describe_external_tables(database: &str, schemas: &str, names: &str) -> String {
    format!(
        "SELECT schemaname, tablename FROM svv_external_tables
 WHERE redshift_database_name = {database} AND schemaname IN ({schemas}) AND tablename IN ({names})"
    )
}

/// Redshift: columns of external tables and late-binding views of `database`, which have no
/// `pg_attribute` rows.
pub fn describe_svv_columns(database: &str, schemas: &str, names: &str) -> String {
    format!(
        "SELECT table_schema, table_name, column_name, ordinal_position, is_nullable, data_type,
       character_maximum_length, numeric_precision, numeric_scale, remarks
  FROM svv_columns
 WHERE table_catalog = {database} AND table_schema IN ({schemas}) AND table_name IN ({names})
 ORDER BY table_schema, table_name, ordinal_position"
    )
}
