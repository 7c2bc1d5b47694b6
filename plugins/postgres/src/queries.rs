//! The catalog queries, all over `pg_catalog`. Every selected value is `text`, `int8`, `bool` or a
//! 1-D `text[]`, the types the host converts; name lists bind as `text[]` and oid lists as `int8[]`
//! (cast to `oid[]` so the catalog indexes still apply). Comments are read with an inline subquery
//! on `pg_description` rather than `obj_description()`/`col_description()`: those are SQL functions
//! run once per row, about 10 µs a column on the 10,000-table benchmark.

/// Schemas that are PostgreSQL's own, as a predicate on `n.nspname`.
macro_rules! user_schemas {
    () => {
        "n.nspname NOT IN ('pg_catalog', 'pg_toast', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'"
    };
}

pub const CURRENT_DATABASE: &str = "SELECT current_database()::text";

/// Databases that accept connections (`ingestAllDatabases`).
pub const LIST_DATABASES: &str = "\
SELECT datname::text FROM pg_catalog.pg_database
 WHERE datallowconn AND NOT datistemplate
 ORDER BY datname";

/// $1: database names. `pg_database` is shared, so any database's connection answers.
pub const DESCRIBE_DATABASES: &str = "\
SELECT datname::text, shobj_description(oid, 'pg_database')
  FROM pg_catalog.pg_database
 WHERE datname = ANY($1::text[])";

pub const LIST_SCHEMAS: &str = concat!(
    "SELECT n.nspname::text FROM pg_catalog.pg_namespace n WHERE ",
    user_schemas!(),
    " ORDER BY 1"
);

/// $1: schema names.
pub const DESCRIBE_SCHEMAS: &str = "\
SELECT n.nspname::text, obj_description(n.oid, 'pg_namespace')
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname = ANY($1::text[])";

/// Tables, partitioned tables, views, materialized views and foreign tables; partitions are
/// ingested through their parent only.
pub const LIST_TABLES: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, c.relkind::text
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND ",
    user_schemas!(),
    " ORDER BY 1, 2"
);

/// $1, $2: schema and table names, pairwise. The definition of a view is a whole statement
/// so lineage parsers can read it, in the text OpenMetadata's own connector builds
/// (`create view s.v as ` and `pg_get_viewdef`), except where that text would say what the
/// catalog does not: a materialized view says so, and a name that needs quotes has them.
pub const DESCRIBE_TABLES: &str = "\
SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text,
       (SELECT d.description FROM pg_catalog.pg_description d
         WHERE d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0),
       CASE WHEN c.relkind IN ('v', 'm') THEN
         format('create %sview %I.%I as ',
                CASE c.relkind WHEN 'm' THEN 'materialized ' ELSE '' END, n.nspname, c.relname)
         || pg_get_viewdef(c.oid, true)
       END
  FROM unnest($1::text[], $2::text[]) AS t(schema_name, table_name)
  JOIN pg_catalog.pg_namespace n ON n.nspname = t.schema_name
  JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')";

/// $1: table oids. Besides the type's spelling: a domain's base type, the type's kind (`e` for an
/// enum) and an array element's kind, so that domains and enums map by what they are, and an
/// enum's longest label (OpenMetadata's connector makes an enum a VARCHAR of that length).
pub const DESCRIBE_COLUMNS: &str = "\
SELECT a.attrelid::int8, a.attname::text, a.attnum::int8, a.attnotnull,
       format_type(a.atttypid, a.atttypmod),
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
       t.typtype::text,
       e.typtype::text,
       (SELECT d.description FROM pg_catalog.pg_description d
         WHERE d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum),
       CASE WHEN t.typtype = 'e' THEN
         (SELECT max(length(l.enumlabel))::int8 FROM pg_catalog.pg_enum l WHERE l.enumtypid = t.oid)
       END
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
 WHERE a.attrelid = ANY($1::int8[]::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum";

/// $1: table oids. Primary keys, unique constraints and foreign keys with their columns in key
/// order. `conparentid = 0` drops the per-partition copies PostgreSQL adds to a foreign key that
/// refers to a partitioned table.
pub const DESCRIBE_CONSTRAINTS: &str = "\
SELECT con.conrelid::int8, con.contype::text,
       ARRAY(SELECT a.attname::text
               FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              ORDER BY k.ord),
       rn.nspname::text, rc.relname::text,
       ARRAY(SELECT a.attname::text
               FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
              ORDER BY k.ord)
  FROM pg_catalog.pg_constraint con
  LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
  LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
 WHERE con.conrelid = ANY($1::int8[]::oid[]) AND con.contype IN ('p', 'u', 'f')
   AND con.conparentid = 0
 ORDER BY con.conrelid, con.contype, con.conname";

/// $1: oids of partitioned tables. One row per key column, in key order; expression keys
/// (`attnum` 0) have no column and are left out.
pub const DESCRIBE_PARTITION_KEYS: &str = "\
SELECT pt.partrelid::int8, pt.partstrat::text, a.attname::text,
       format_type(a.atttypid, a.atttypmod)
  FROM pg_catalog.pg_partitioned_table pt
  CROSS JOIN LATERAL unnest(pt.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum
 WHERE pt.partrelid = ANY($1::int8[]::oid[])
 ORDER BY pt.partrelid, k.ord";

/// Procedures and functions (not aggregates or window functions) in user schemas, without those
/// an extension installed (`CREATE EXTENSION` can add hundreds of functions nobody wrote) or the
/// system made for a type (a range type's constructors depend on it internally).
/// Overloads share a name, and OpenMetadata names a procedure by name alone: one row per name.
pub const LIST_STORED_PROCEDURES: &str = concat!(
    "SELECT DISTINCT n.nspname::text, p.proname::text
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prokind IN ('p', 'f') AND ",
    user_schemas!(),
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                     WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                       AND d.deptype IN ('e', 'i'))
 ORDER BY 1, 2"
);

/// $1, $2: schema and procedure names, pairwise. The code is the body as written (`prosrc`), as
/// OpenMetadata's connector reads it. Of overloads the last row is kept, so the newest: that is
/// the one an OpenMetadata server holds after `metadata ingest`, which sends every overload under
/// the one name, in catalog order, each replacing the one before.
pub const DESCRIBE_STORED_PROCEDURES: &str = "\
SELECT n.nspname::text, p.proname::text, p.prokind::text, l.lanname::text,
       p.prosrc,
       (SELECT d.description FROM pg_catalog.pg_description d
         WHERE d.objoid = p.oid AND d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objsubid = 0)
  FROM unnest($1::text[], $2::text[]) AS w(schema_name, proc_name)
  JOIN pg_catalog.pg_namespace n ON n.nspname = w.schema_name
  JOIN pg_catalog.pg_proc p ON p.pronamespace = n.oid AND p.proname = w.proc_name
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE p.prokind IN ('p', 'f')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                      AND d.deptype IN ('e', 'i'))
 ORDER BY p.oid";
