//! The PostgreSQL fixtures: the catalog fixture (`tests/fixtures/pg_catalog.sql`) and what it
//! holds, and a database of a thousand tables.

/// The SQL that builds the fixture's schemas, tables, views and comments.
pub const SQL: &str = include_str!("../fixtures/pg_catalog.sql");

/// Every table, view and partitioned table of the fixture as `schema.name` (partitions excluded:
/// they are ingested through their parent). `sales.my.table` is one table whose name has a dot.
pub const TABLES: &[&str] = &[
    "hr.employees",
    "sales.customers",
    "sales.orders",
    "sales.order_lines",
    "sales.shipments",
    "sales.my.table",
    "sales.notes",
    "sales.big_orders",
    "sales.daily_totals",
    "sales.events",
    "sales.type_zoo",
    "sales.categories",
    "sales.warehouses",
    "sales.warehouse_staff",
    "sales.audit_log",
    "staging.tmp_import",
    "staging.raw_orders",
];

/// The fixture's tables in `schema`, as `schema.name`.
pub fn tables_in(schema: &str) -> Vec<&'static str> {
    TABLES
        .iter()
        .copied()
        .filter(|t| t.split_once('.').is_some_and(|(s, _)| s == schema))
        .collect()
}

/// A database for scale: 1,000 tables `bulk.table_0001` … `bulk.table_1000`, four columns each, with a primary key.
pub const THOUSAND_TABLES: &str = r#"
DROP SCHEMA public CASCADE;
CREATE SCHEMA bulk;
DO $$
BEGIN
    FOR i IN 1..1000 LOOP
        EXECUTE format(
            'CREATE TABLE bulk.%I (id integer PRIMARY KEY, name varchar(40) NOT NULL, amount numeric(12,3), created_at timestamptz)',
            'table_' || lpad(i::text, 4, '0'));
    END LOOP;
END
$$;
"#;
