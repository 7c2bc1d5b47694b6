//! Catalog rows written down as Redshift returns them (column types and spellings from the
//! Redshift documentation of `pg_attribute`, `pg_table_def`, `svv_tables`, `svv_columns`,
//! `stv_mv_info`; not captured from a live cluster), turned into entities.
//!
//! Database `dev`: `sales.orders` (DISTKEY, compound SORTKEY, primary and foreign key, `super`
//! and `varbyte` columns), `sales.customers` (interleaved SORTKEY, `geography`, `hllsketch`),
//! the late-binding view `sales.recent_orders`, the materialized view `sales.daily_revenue` and
//! its backing table, and the Spectrum table `spectrum.clicks`.

use std::collections::HashSet;

use omrun_sdk::types::{Column, ConstraintType, DataType, Table, TableConstraint, TableType};

use crate::assemble::{self, BatchRows};
use crate::listing;
use crate::rows::*;

const ORDERS: i64 = 108_234;
const CUSTOMERS: i64 = 108_200;
const RECENT_ORDERS: i64 = 108_300;
const DAILY_REVENUE: i64 = 108_400;

fn s(v: &str) -> String {
    v.to_owned()
}

fn relation(
    oid: i64,
    name: &str,
    relkind: &str,
    description: Option<&str>,
    body: Option<&str>,
) -> RelationRow {
    RelationRow {
        oid,
        schema: s("sales"),
        name: s(name),
        relkind: s(relkind),
        description: description.map(s),
        view_body: body.map(s),
    }
}

fn attribute(
    relation: i64,
    position: i64,
    name: &str,
    type_display: &str,
    not_null: bool,
) -> AttributeRow {
    AttributeRow {
        relation,
        name: s(name),
        position,
        not_null,
        type_display: s(type_display),
        description: None,
    }
}

fn key(relation: i64, column: &str, is_dist_key: bool, sort_key_order: i64) -> KeyRow {
    KeyRow {
        relation,
        column: s(column),
        is_dist_key,
        sort_key_order,
    }
}

fn svv_column(
    schema: &str,
    table: &str,
    position: i64,
    name: &str,
    data_type: &str,
) -> SvvColumnRow {
    SvvColumnRow {
        schema: s(schema),
        table: s(table),
        name: s(name),
        position,
        is_nullable: Some(s("YES")),
        data_type: s(data_type),
        char_length: None,
        precision: None,
        scale: None,
        remarks: None,
    }
}

/// What the describe queries return for the whole recorded catalog.
fn batch() -> BatchRows {
    let mut status = attribute(ORDERS, 5, "status", "character varying(16)", false);
    status.description = Some(s("Where the order is"));
    let mut url = svv_column("spectrum", "clicks", 2, "url", "character varying");
    url.char_length = Some(2048);
    url.remarks = Some(s("Page clicked"));
    let mut user_id = svv_column("spectrum", "clicks", 1, "user_id", "bigint");
    user_id.is_nullable = Some(s("NO"));
    let mut price = svv_column("spectrum", "clicks", 3, "price", "numeric");
    (price.precision, price.scale) = (Some(10), Some(2));
    BatchRows {
        relations: vec![
            relation(ORDERS, "orders", "r", Some("Orders as placed"), None),
            relation(CUSTOMERS, "customers", "r", None, None),
            relation(
                RECENT_ORDERS,
                "recent_orders",
                "v",
                None,
                Some(
                    "create view sales.recent_orders as select order_id, placed_at from sales.orders with no schema binding;",
                ),
            ),
            relation(
                DAILY_REVENUE,
                "daily_revenue",
                "v",
                Some("Revenue per day"),
                Some(
                    " SELECT trunc(orders.placed_at) AS \"day\", sum(orders.amount) AS revenue FROM sales.orders GROUP BY trunc(orders.placed_at);",
                ),
            ),
        ],
        materialized: HashSet::from([(s("sales"), s("daily_revenue"))]),
        external: vec![(s("spectrum"), s("clicks"))],
        attributes: vec![
            attribute(CUSTOMERS, 1, "customer_id", "integer", true),
            attribute(CUSTOMERS, 2, "region", "character(2)", false),
            attribute(CUSTOMERS, 3, "home", "geography", false),
            attribute(CUSTOMERS, 4, "visitors", "hllsketch", false),
            attribute(ORDERS, 1, "order_id", "bigint", true),
            attribute(ORDERS, 2, "customer_id", "integer", true),
            attribute(ORDERS, 3, "placed_at", "timestamp without time zone", true),
            attribute(ORDERS, 4, "amount", "numeric(12,2)", false),
            status,
            attribute(ORDERS, 6, "payload", "super", false),
            attribute(ORDERS, 7, "receipt", "varbyte(1024)", false),
            attribute(
                DAILY_REVENUE,
                1,
                "day",
                "timestamp without time zone",
                false,
            ),
            attribute(DAILY_REVENUE, 2, "revenue", "numeric(38,2)", false),
        ],
        keys: vec![
            key(ORDERS, "customer_id", true, 0),
            key(ORDERS, "order_id", false, 2),
            key(ORDERS, "placed_at", false, 1),
            key(CUSTOMERS, "region", false, -2),
            key(CUSTOMERS, "customer_id", false, 1),
        ],
        constraints: vec![
            ConstraintRow {
                relation: ORDERS,
                kind: s("f"),
                definition: s("FOREIGN KEY (customer_id) REFERENCES sales.customers(customer_id)"),
                referred_schema: Some(s("sales")),
                referred_table: Some(s("customers")),
            },
            ConstraintRow {
                relation: ORDERS,
                kind: s("p"),
                definition: s("PRIMARY KEY (order_id)"),
                referred_schema: None,
                referred_table: None,
            },
            ConstraintRow {
                relation: CUSTOMERS,
                kind: s("u"),
                definition: s("UNIQUE (region, customer_id)"),
                referred_schema: None,
                referred_table: None,
            },
        ],
        svv_columns: vec![
            svv_column("sales", "recent_orders", 1, "order_id", "bigint"),
            svv_column(
                "sales",
                "recent_orders",
                2,
                "placed_at",
                "timestamp without time zone",
            ),
            url,
            user_id,
            price,
        ],
    }
}

fn described() -> Vec<Table> {
    assemble::tables("dev", batch())
}

fn table(name: &str) -> Table {
    let (schema, name) = name.split_once('.').unwrap();
    described()
        .into_iter()
        .find(|t| t.schema == schema && t.name == name)
        .unwrap_or_else(|| panic!("{schema}.{name} was not described"))
}

fn column(table: &Table, name: &str) -> Column {
    table
        .columns
        .iter()
        .find(|c| c.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn constraints(table: &Table, kind: ConstraintType) -> Vec<TableConstraint> {
    table
        .constraints
        .iter()
        .filter(|c| c.constraint_type == kind)
        .cloned()
        .collect()
}

fn names(c: &[TableConstraint]) -> Vec<Vec<String>> {
    c.iter().map(|c| c.columns.clone()).collect()
}

#[test]
fn every_relation_and_the_external_table_once_with_its_type() {
    let types: Vec<(String, TableType)> = described()
        .into_iter()
        .map(|t| (format!("{}.{}", t.schema, t.name), t.table_type))
        .collect();
    assert_eq!(
        types,
        [
            (s("sales.customers"), TableType::Regular),
            (s("sales.daily_revenue"), TableType::MaterializedView),
            (s("sales.orders"), TableType::Regular),
            (s("sales.recent_orders"), TableType::View),
            (s("spectrum.clicks"), TableType::External),
        ]
    );
    assert!(described().iter().all(|t| t.database == "dev"));
}

#[test]
fn distkey_and_compound_sortkey() {
    let orders = table("sales.orders");
    assert_eq!(
        names(&constraints(&orders, ConstraintType::DistKey)),
        [vec!["customer_id"]]
    );
    assert_eq!(
        names(&constraints(&orders, ConstraintType::SortKey)),
        [vec!["placed_at", "order_id"]],
        "in attsortkeyord order, not attribute order"
    );
}

#[test]
fn interleaved_sortkey_in_order_of_absolute_position() {
    let customers = table("sales.customers");
    assert_eq!(
        names(&constraints(&customers, ConstraintType::SortKey)),
        [vec!["customer_id", "region"]]
    );
    assert!(
        constraints(&customers, ConstraintType::DistKey).is_empty(),
        "DISTSTYLE ALL has no key"
    );
}

#[test]
fn primary_unique_and_foreign_keys() {
    let orders = table("sales.orders");
    assert_eq!(
        names(&constraints(&orders, ConstraintType::PrimaryKey)),
        [vec!["order_id"]]
    );
    let fks = constraints(&orders, ConstraintType::ForeignKey);
    assert_eq!(names(&fks), [vec!["customer_id"]]);
    let referred = fks[0].referred_table.clone().unwrap();
    assert_eq!(
        (
            referred.database.as_str(),
            referred.schema.as_str(),
            referred.table.as_str()
        ),
        ("dev", "sales", "customers")
    );
    assert_eq!(fks[0].referred_columns, ["customer_id"]);
    let customers = table("sales.customers");
    assert_eq!(
        names(&constraints(&customers, ConstraintType::Unique)),
        [vec!["region", "customer_id"]]
    );
}

#[test]
fn columns_in_order_with_types_as_redshift_spells_them() {
    let orders = table("sales.orders");
    let columns: Vec<&str> = orders.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        columns,
        [
            "order_id",
            "customer_id",
            "placed_at",
            "amount",
            "status",
            "payload",
            "receipt"
        ]
    );
    let status = column(&orders, "status");
    assert_eq!(
        (status.data_type, status.data_length),
        (DataType::Varchar, Some(16))
    );
    assert_eq!(status.data_type_display, "character varying(16)");
    assert_eq!(status.description.as_deref(), Some("Where the order is"));
    let amount = column(&orders, "amount");
    assert_eq!(
        (amount.data_type, amount.precision, amount.scale),
        (DataType::Numeric, Some(12), Some(2))
    );
    assert_eq!(column(&orders, "placed_at").data_type, DataType::Timestamp);
    assert!(!column(&orders, "placed_at").nullable);
    assert!(column(&orders, "amount").nullable);
    assert_eq!(column(&orders, "payload").data_type, DataType::Super);
    let receipt = column(&orders, "receipt");
    assert_eq!(
        (receipt.data_type, receipt.data_length),
        (DataType::Varbinary, Some(1024))
    );
    assert_eq!(receipt.data_type_display, "varbyte(1024)");

    let customers = table("sales.customers");
    assert_eq!(column(&customers, "home").data_type, DataType::Geography);
    assert_eq!(
        column(&customers, "visitors").data_type,
        DataType::Hllsketch
    );
    assert_eq!(column(&customers, "region").data_length, Some(2));
}

#[test]
fn descriptions_from_comments() {
    assert_eq!(
        table("sales.orders").description.as_deref(),
        Some("Orders as placed")
    );
    assert_eq!(table("sales.customers").description, None);
}

#[test]
fn late_binding_view_keeps_its_statement_and_gets_svv_columns() {
    let view = table("sales.recent_orders");
    assert_eq!(
        view.definition.as_deref(),
        Some(
            "create view sales.recent_orders as select order_id, placed_at from sales.orders with no schema binding;"
        )
    );
    let columns: Vec<(&str, DataType, u32)> = view
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type, c.ordinal_position))
        .collect();
    assert_eq!(
        columns,
        [
            ("order_id", DataType::Bigint, 1),
            ("placed_at", DataType::Timestamp, 2)
        ]
    );
}

#[test]
fn materialized_view_becomes_a_create_materialized_view_statement() {
    let mv = table("sales.daily_revenue");
    let definition = mv.definition.unwrap();
    assert!(
        definition.starts_with("CREATE MATERIALIZED VIEW sales.daily_revenue AS SELECT trunc("),
        "{definition}"
    );
    assert_eq!(mv.description.as_deref(), Some("Revenue per day"));
    assert_eq!(mv.columns.len(), 2);
}

#[test]
fn external_table_columns_from_svv_columns() {
    let clicks = table("spectrum.clicks");
    let columns: Vec<&str> = clicks.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["user_id", "url", "price"], "ordered by position");
    assert!(!column(&clicks, "user_id").nullable);
    let url = column(&clicks, "url");
    assert_eq!(url.data_type_display, "character varying(2048)");
    assert_eq!(
        (url.data_type, url.data_length),
        (DataType::Varchar, Some(2048))
    );
    assert_eq!(url.description.as_deref(), Some("Page clicked"));
    let price = column(&clicks, "price");
    assert_eq!(price.data_type_display, "numeric(10,2)");
    assert_eq!((price.precision, price.scale), (Some(10), Some(2)));
    assert!(clicks.constraints.is_empty() && clicks.definition.is_none());
}

#[test]
fn only_late_binding_views_need_svv_columns() {
    let rows = batch();
    let needing: Vec<&str> = rows
        .relations
        .iter()
        .filter(|r| assemble::needs_svv_columns(r, &rows.attributes))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(needing, ["recent_orders"]);
}

#[test]
fn rows_of_pairs_across_the_name_lists_are_dropped() {
    // Asking for sales.orders and spectrum.clicks matches sales.clicks too, if it exists.
    let mut rows = vec![
        (s("sales"), s("orders")),
        (s("sales"), s("clicks")),
        (s("spectrum"), s("clicks")),
    ];
    let wanted = [(s("sales"), s("orders")), (s("spectrum"), s("clicks"))];
    assemble::keep_wanted(&mut rows, &wanted, |(a, b)| (a, b));
    assert_eq!(rows, wanted);
}

#[test]
fn view_statements_quote_what_needs_quoting() {
    use assemble::view_statement;
    assert_eq!(
        view_statement("Sales", "big \"ones\"", TableType::View, " SELECT 1;"),
        "CREATE VIEW \"Sales\".\"big \"\"ones\"\"\" AS SELECT 1;"
    );
    assert_eq!(
        view_statement("s", "v", TableType::View, "CREATE VIEW s.v AS SELECT 1"),
        "CREATE VIEW s.v AS SELECT 1"
    );
}

fn svv_table(schema: &str, name: &str, table_type: &str) -> SvvTableRow {
    SvvTableRow {
        schema: s(schema),
        name: s(name),
        table_type: s(table_type),
    }
}

/// `stv_mv_info` pads its `char(128)` columns.
fn mv(database: &str, schema: &str, name: &str) -> MaterializedViewRow {
    let pad = |v: &str| format!("{v:<128}");
    MaterializedViewRow {
        database: pad(database),
        schema: pad(schema),
        name: pad(name),
    }
}

#[test]
fn discovery_types_tables_and_hides_materialized_view_storage() {
    let materialized = listing::materialized_views(
        "dev",
        vec![
            mv("dev", "sales", "daily_revenue"),
            mv("other", "sales", "elsewhere"),
        ],
    );
    assert_eq!(
        materialized,
        HashSet::from([(s("sales"), s("daily_revenue"))])
    );
    let listed = listing::tables(
        vec![
            svv_table("sales", "orders", "BASE TABLE"),
            svv_table("sales", "mv_tbl__daily_revenue__0", "BASE TABLE"),
            svv_table("sales", "mv_tbl__not_a_view__0", "BASE TABLE"),
            svv_table("sales", "daily_revenue", "VIEW"),
            svv_table("sales", "recent_orders", "VIEW"),
            svv_table("spectrum", "clicks", "EXTERNAL TABLE"),
        ],
        &materialized,
    );
    let listed: Vec<(String, TableType)> = listed
        .into_iter()
        .map(|t| (format!("{}.{}", t.schema, t.name), t.table_type))
        .collect();
    assert_eq!(
        listed,
        [
            (s("sales.daily_revenue"), TableType::MaterializedView),
            (s("sales.mv_tbl__not_a_view__0"), TableType::Regular),
            (s("sales.orders"), TableType::Regular),
            (s("sales.recent_orders"), TableType::View),
            (s("spectrum.clicks"), TableType::External),
        ]
    );
}

#[test]
fn materialized_views_svv_tables_leaves_out_are_still_listed() {
    let materialized = listing::materialized_views(
        "dev",
        vec![
            mv("dev", "sales", "daily_revenue"),
            mv("dev", "pg_automv", "auto_1"),
        ],
    );
    let listed = listing::tables(vec![], &materialized);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (listed[0].name.as_str(), listed[0].table_type),
        ("daily_revenue", TableType::MaterializedView)
    );
}
