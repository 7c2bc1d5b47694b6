//! One struct per catalog query, as the query returns its rows. Turning rows into entities
//! ([`crate::assemble`], [`crate::listing`]) works on these, so it is tested natively on rows
//! written down as Redshift returns them; only the `from_row` functions touch the sdk's `Row`.

use omrun_sdk::sql::{Row, SqlError};

/// `describe_relations`: a `pg_class` row.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationRow {
    pub oid: i64,
    pub schema: String,
    pub name: String,
    /// `r` table, `v` view (late-binding ones too), `m` materialized view, `f` foreign table.
    pub relkind: String,
    pub description: Option<String>,
    /// `pg_get_viewdef`: a bare `SELECT …`, or a whole `create view …` for late-binding views.
    pub view_body: Option<String>,
}

/// `describe_attributes`: a `pg_attribute` row.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeRow {
    pub relation: i64,
    pub name: String,
    pub position: i64,
    pub not_null: bool,
    /// `format_type`: `character varying(256)`, `numeric(18,2)`, `super`…
    pub type_display: String,
    pub description: Option<String>,
}

/// `describe_keys` (Redshift): a distribution or sort key column.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRow {
    pub relation: i64,
    pub column: String,
    pub is_dist_key: bool,
    /// 1-based place in the sort key, negative for an interleaved sort key, 0 for none.
    pub sort_key_order: i64,
}

/// `describe_constraints`: a `pg_constraint` row.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintRow {
    pub relation: i64,
    /// `p`, `u` or `f`.
    pub kind: String,
    /// `pg_get_constraintdef`: `PRIMARY KEY (id)`, `FOREIGN KEY (a) REFERENCES s.t(b)`…
    pub definition: String,
    pub referred_schema: Option<String>,
    pub referred_table: Option<String>,
}

/// `describe_svv_columns` (Redshift): a `svv_columns` row.
#[derive(Debug, Clone, PartialEq)]
pub struct SvvColumnRow {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub position: i64,
    /// `YES`/`NO` for local relations; external catalogs may say `true`/`false` or nothing.
    pub is_nullable: Option<String>,
    /// The type without its modifiers (`character varying`, `numeric`), or an external type.
    pub data_type: String,
    pub char_length: Option<i64>,
    pub precision: Option<i64>,
    pub scale: Option<i64>,
    pub remarks: Option<String>,
}

/// `LIST_SVV_TABLES` (Redshift): a `svv_tables` row.
#[derive(Debug, Clone, PartialEq)]
pub struct SvvTableRow {
    pub schema: String,
    pub name: String,
    /// `BASE TABLE`, `VIEW` or `EXTERNAL TABLE`.
    pub table_type: String,
}

/// A `(schema, name)` pair: a `svv_external_tables` row, or a materialized view of the database.
pub type QualifiedName = (String, String);

/// `LIST_MATERIALIZED_VIEWS` (Redshift): a `stv_mv_info` row, `char(128)` values still padded.
#[derive(Debug, Clone, PartialEq)]
pub struct MaterializedViewRow {
    pub database: String,
    pub schema: String,
    pub name: String,
}

impl RelationRow {
    pub fn from_row(row: &Row) -> Result<Self, SqlError> {
        Ok(Self {
            oid: row.required(0, Row::i64)?,
            schema: row.required(1, Row::string)?,
            name: row.required(2, Row::string)?,
            relkind: row.required(3, Row::string)?,
            description: row.string(4),
            view_body: row.string(5),
        })
    }
}

impl AttributeRow {
    pub fn from_row(row: &Row) -> Result<Self, SqlError> {
        Ok(Self {
            relation: row.required(0, Row::i64)?,
            name: row.required(1, Row::string)?,
            position: row.required(2, Row::i64)?,
            not_null: row.required(3, Row::bool)?,
            type_display: row.required(4, Row::string)?,
            description: row.string(5),
        })
    }
}

impl KeyRow {
    pub fn from_row(row: &Row) -> Result<Self, SqlError> {
        Ok(Self {
            relation: row.required(0, Row::i64)?,
            column: row.required(1, Row::string)?,
            is_dist_key: row.required(2, Row::bool)?,
            sort_key_order: row.required(3, Row::i64)?,
        })
    }
}

impl ConstraintRow {
    pub fn from_row(row: &Row) -> Result<Self, SqlError> {
        Ok(Self {
            relation: row.required(0, Row::i64)?,
            kind: row.required(1, Row::string)?,
            definition: row.required(2, Row::string)?,
            referred_schema: row.string(3),
            referred_table: row.string(4),
        })
    }
}

impl SvvColumnRow {
    pub fn from_row(row: &Row) -> Result<Self, SqlError> {
        Ok(Self {
            schema: row.required(0, Row::string)?,
            table: row.required(1, Row::string)?,
            name: row.required(2, Row::string)?,
            position: row.required(3, Row::i64)?,
            is_nullable: row.string(4),
            data_type: row.required(5, Row::string)?,
            char_length: row.i64(6),
            precision: row.i64(7),
            scale: row.i64(8),
            remarks: row.string(9),
        })
    }
}

impl SvvTableRow {
    pub fn from_row(row: &Row) -> Result<Self, SqlError> {
        Ok(Self {
            schema: row.required(0, Row::string)?,
            name: row.required(1, Row::string)?,
            table_type: row.required(2, Row::string)?,
        })
    }
}

impl MaterializedViewRow {
    pub fn from_row(row: &Row) -> Result<Self, SqlError> {
        Ok(Self {
            database: row.required(0, Row::string)?,
            schema: row.required(1, Row::string)?,
            name: row.required(2, Row::string)?,
        })
    }
}

/// A `(schema, name)` row.
pub fn qualified_name(row: &Row) -> Result<QualifiedName, SqlError> {
    Ok((row.required(0, Row::string)?, row.required(1, Row::string)?))
}
