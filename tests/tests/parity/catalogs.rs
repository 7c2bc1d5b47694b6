//! The two catalogs parity compares on, beyond the shared fixtures: what this test adds to each,
//! and where omrun keeps the catalog's value against OpenMetadata's connector (each documented in
//! docs/connectors.md).

use crate::known::{Known, Stage};
use omrun_tests::openmetadata::Collection;

/// What this test adds to the PostgreSQL fixture (tests/fixtures/pg_catalog.sql), for the cases
/// OpenMetadata's connector reads against the catalog and the fixture's other tests do not want.
pub(crate) const PG_EXTRA: &str = r#"
-- `public` is on the default search_path, so pg_get_constraintdef names a table there without
-- its schema, and OpenMetadata's connector looks for the referred table in the referring
-- table's schema (sales.currencies), finds none, and drops the key.
CREATE SCHEMA public;
CREATE TABLE public.currencies (code char(3) PRIMARY KEY, name text);
CREATE TABLE sales.prices (
    id        integer PRIMARY KEY,
    currency  char(3) REFERENCES public.currencies (code),
    amount    numeric(12,2)
);
-- Comments as the catalog keeps them, padding, quotes and a newline included.
COMMENT ON TABLE sales.prices IS 'Prices ';
COMMENT ON COLUMN sales.prices.amount IS '  Gross amount, "incl." VAT
';
-- An overload: OpenMetadata names a procedure by name alone.
CREATE FUNCTION sales.order_total(order_id bigint, with_tax boolean) RETURNS numeric
    LANGUAGE sql STABLE AS $$ SELECT 1::numeric $$;
-- A view whose name needs quotes in SQL.
CREATE VIEW sales."Big Spenders" AS SELECT customer_id, sum(total) AS spent FROM sales.orders
    GROUP BY customer_id;
-- Range-partitioned over an integer.
CREATE TABLE sales.readings (
    sensor  integer NOT NULL,
    value   double precision
) PARTITION BY RANGE (sensor);
-- Types OpenMetadata's connector types its own way: through SQLAlchemy's registry (STRING,
-- DATETIMERANGE), NULL where the registry has no such type.
CREATE TYPE sales.pair AS (a integer, b text);
CREATE TABLE sales.odd_types (
    c_name      name,
    c_char      "char",
    c_bpchar    bpchar,
    c_tid       tid,
    c_xid       xid,
    c_tsrange   tsrange,
    c_jsonpath  jsonpath,
    c_vector    int2vector,
    c_pair      sales.pair,
    c_pairs     sales.pair[]
);
-- A database comment, which OpenMetadata's connector does not read.
DO $$ BEGIN
    EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'The parity fixture');
END $$;
"#;

/// What this test adds to the MariaDB fixture (tests/fixtures/mysql_catalog.sql).
pub(crate) const MYSQL_EXTRA: &str = r#"
-- Comments as the catalog keeps them: padding, a quote, a backslash.
CREATE TABLE {p}sales.prices (
    id      int PRIMARY KEY,
    amount  decimal(12,2) COMMENT '  It''s gross, C:\\tax ',
    note    varchar(10),
    -- A type SQLAlchemy's MySQL registry lacks: NULL.
    shop    inet6
) COMMENT 'Prices ';
"#;

pub(crate) const PG_SERVICE: &str = "parity_pg";
pub(crate) const MYSQL_SERVICE: &str = "parity_mysql";

/// Where omrun keeps the PostgreSQL catalog's value against OpenMetadata's connector.
pub(crate) const PG_KNOWN: &[Known] = &[
    Known {
        stage: Stage::Both,
        collection: Collection::Databases,
        entity: "",
        path: "description",
        why: "the database's comment (pg_database, shobj_description); OpenMetadata's Postgres \
              connector reads none",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.daily_totals",
        path: "schemaDefinition",
        why: "a materialized view (pg_class.relkind 'm'); OpenMetadata's connector writes \
              `create view` for views and materialized views alike (POSTGRES_VIEW_DEFINITIONS)",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.Big Spenders",
        path: "schemaDefinition",
        why: "the view's name needs quotes; OpenMetadata's connector writes it unquoted \
              (`create view sales.Big Spenders as`), which no SQL parser reads as this view",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.readings",
        path: "tablePartition",
        why: "a RANGE partition over an integer column (pg_partitioned_table, pg_attribute): \
              INTEGER-RANGE; OpenMetadata's connector says TIME-UNIT for every range \
              (INTERVAL_TYPE_MAP)",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.type_zoo",
        path: "columns[sku].dataType",
        why: "a domain over varchar(12) (pg_type.typbasetype); OpenMetadata's connector cannot \
              resolve domains (SQLAlchemy 2's _load_domains returns a list, which its \
              get_column_info looks names up in as a dict) and writes NULL",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.type_zoo",
        path: "columns[sku].dataLength",
        why: "the domain's varchar(12), as for its dataType",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.odd_types",
        path: "columns[c_pairs].dataType",
        why: "an array (pg_type.typcategory 'A') of a composite type; OpenMetadata's connector, \
              which has no such type in its registry, says NULL for the whole column: omrun \
              says ARRAY of UNKNOWN",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.odd_types",
        path: "columns[c_pairs].arrayDataType",
        why: "the array's element type, as for its dataType",
    },
    Known {
        stage: Stage::Stored,
        collection: Collection::Tables,
        entity: "sales.notes",
        path: r#"tableConstraints[{"columns":["table_id"],"constraintType":"FOREIGN_KEY""#,
        why: "pg_constraint holds the key to sales.\"my.table\"; OpenMetadata's client looks the \
              referred table up by an FQN it does not quote (…sales.my.table), finds none and \
              drops the key",
    },
    Known {
        stage: Stage::Stored,
        collection: Collection::Tables,
        entity: "sales.prices",
        path: r#"tableConstraints[{"columns":["currency"],"constraintType":"FOREIGN_KEY""#,
        why: "pg_constraint.confrelid is public.currencies; public is on the search path, so \
              pg_get_constraintdef leaves the schema out, and OpenMetadata's connector looks for \
              the table in sales, finds none and drops the key",
    },
];

/// Where omrun keeps MariaDB's catalog value against OpenMetadata's connector.
pub(crate) const MYSQL_KNOWN: &[Known] = &[
    Known {
        stage: Stage::Both,
        collection: Collection::DatabaseSchemas,
        entity: "sales",
        path: "description",
        why: "information_schema.SCHEMATA.SCHEMA_COMMENT (MariaDB 10.5+); OpenMetadata's MySQL \
              connector reads no schema comment",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.big_orders",
        path: "columns[customer_id].constraint",
        why: VIEW_NULLABILITY,
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.big_orders",
        path: "columns[id].constraint",
        why: VIEW_NULLABILITY,
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.big_orders",
        path: "columns[total].constraint",
        why: VIEW_NULLABILITY,
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.customer_codes",
        path: "columns[id].constraint",
        why: VIEW_NULLABILITY,
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.customer_codes",
        path: "columns[code].constraint",
        why: VIEW_NULLABILITY,
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.customer_codes",
        path: "columns[code].description",
        why: "information_schema.COLUMNS gives a view's column the comment of the table column \
              it shows; OpenMetadata's connector reads a view's columns with DESCRIBE, which has \
              no comments",
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.events",
        path: "tableType",
        why: MYSQL_PARTITIONS,
    },
    Known {
        stage: Stage::Both,
        collection: Collection::Tables,
        entity: "sales.events",
        path: "tablePartition",
        why: MYSQL_PARTITIONS,
    },
    Known {
        stage: Stage::Stored,
        collection: Collection::Tables,
        entity: "sales.notes",
        path: r#"tableConstraints[{"columns":["table_id"],"constraintType":"FOREIGN_KEY""#,
        why: "KEY_COLUMN_USAGE holds the key to sales.`my.table`; OpenMetadata's client looks \
              the referred table up by an FQN it does not quote, finds none and drops the key",
    },
];

pub(crate) const VIEW_NULLABILITY: &str = "information_schema.COLUMNS.IS_NULLABLE is NO for a view's column \
    over a NOT NULL column; OpenMetadata's connector reads a view's columns with DESCRIBE, and \
    SQLAlchemy's _describe_to_create tests DESCRIBE's Null text ('NO' or 'YES') for truth, so \
    every view column comes out nullable";

pub(crate) const MYSQL_PARTITIONS: &str = "information_schema.PARTITIONS holds the table's RANGE partitions \
    by year(happened_on); OpenMetadata's MySQL connector reads no partitioning (a Regular table)";
