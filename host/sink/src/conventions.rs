//! What OpenMetadata's own connector for a service type leaves in or out of its Create requests,
//! where the entity alone does not decide it. omrun's requests must equal those of `metadata
//! ingest` field by field, or the two tools rewrite each other's entities (their `sourceHash`es
//! differ). The rules follow the service type, not the plugin: any plugin that writes a
//! `Postgres` service writes what OpenMetadata's Postgres connector would.
//!
//! Read from openmetadata-ingestion 2.0.7.0 and checked against what its `metadata ingest` sends
//! (tests/tests/parity/):
//! - `sql_column_handler.py` (every SQLAlchemy connector) gives every column a `dataLength`, 1
//!   when the type has none, and takes positions from the column dicts SQLAlchemy returns, which
//!   for PostgreSQL and MySQL/MariaDB hold none: their columns carry no `ordinalPosition`;
//! - its SQL connectors send comments as the catalog keeps them, padding and newlines included
//!   (`Markdown(comment) if comment`);
//! - its BigQuery connector hands the column handler nested fields (`is_complex` for RECORD and
//!   ARRAY), which builds those as parsed types: no `constraint`, and a `dataLength` only where
//!   the type has one, at any depth (its scalar fields keep 1 and their nullability), and no
//!   positions: the REST schema's fields carry none;
//! - `postgres/metadata.py` reads procedures without their language (`STORED_PROC_LANGUAGE_MAP`
//!   has no PostgreSQL language names), and `mariadb/` has no language either, while `mysql/`
//!   sends `ROUTINE_BODY` (`SQL`);
//! - its `UnityCatalog` and `Databricks` connectors type struct and array columns with
//!   `ColumnTypeParser._parse_datatype_string`, which gives every struct (and every array of
//!   structs) a `children` list, empty when the type names no field (`struct<>`): a plugin cannot
//!   say "no fields" in the contract's flat list, so the sink writes `[]` for them (which also
//!   keeps the table, since OpenMetadata's server refuses a top-level `STRUCT` without
//!   `children`). Checked for `UnityCatalog` by tests/tests/connectors/databricks.rs; read in
//!   `sql_column_handler.py` for `Databricks`.
//!
//! Service types not listed keep omrun's full request (positions, lengths only where the type
//! has one, the language): their OpenMetadata connectors have not been compared yet.

/// The conventions of one service type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conventions {
    /// Columns carry `ordinalPosition`.
    pub ordinal_positions: bool,
    /// Every table column has a `dataLength`: 1 when its type has no length.
    pub data_length_always: bool,
    /// Stored procedures carry `storedProcedureCode.language`.
    pub procedure_language: bool,
    /// Descriptions are sent as the source has them; otherwise trimmed.
    pub verbatim_descriptions: bool,
    /// ARRAY, STRUCT, MAP and UNION columns are built from their parsed type: no `constraint`,
    /// and a `dataLength` only when the column has one.
    pub complex_columns_bare: bool,
    /// A struct column or field (or an array of structs) without fields has `children: []`.
    pub empty_struct_children: bool,
}

impl Conventions {
    /// omrun's own: everything the entity says.
    const FULL: Self = Self {
        ordinal_positions: true,
        data_length_always: false,
        procedure_language: true,
        verbatim_descriptions: false,
        complex_columns_bare: false,
        empty_struct_children: false,
    };

    /// The conventions of OpenMetadata's connector for `service_type` (as in the config's
    /// `serviceConnection.config.type`).
    pub fn of(service_type: &str) -> Self {
        let sqlalchemy = Self {
            ordinal_positions: false,
            data_length_always: true,
            verbatim_descriptions: true,
            ..Self::FULL
        };
        match service_type {
            "Mysql" => sqlalchemy,
            // Its SQLAlchemy dialect's columns come with their positions.
            "Snowflake" => Self {
                ordinal_positions: true,
                ..sqlalchemy
            },
            "Postgres" | "MariaDB" => Self {
                procedure_language: false,
                ..sqlalchemy
            },
            "BigQuery" => Self {
                complex_columns_bare: true,
                ..sqlalchemy
            },
            "UnityCatalog" | "Databricks" => Self {
                empty_struct_children: true,
                ..Self::FULL
            },
            _ => Self::FULL,
        }
    }

    /// A description as the request carries it: none when empty (or, unless verbatim, blank).
    pub fn description<'a>(&self, description: Option<&'a str>) -> Option<&'a str> {
        let description = if self.verbatim_descriptions {
            description
        } else {
            description.map(str::trim)
        };
        description.filter(|d| !d.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_service_type() {
        let pg = Conventions::of("Postgres");
        assert!(!pg.ordinal_positions && pg.data_length_always && !pg.procedure_language);
        let mysql = Conventions::of("Mysql");
        assert!(!mysql.ordinal_positions && mysql.data_length_always && mysql.procedure_language);
        assert_eq!(
            Conventions::of("MariaDB"),
            Conventions {
                procedure_language: false,
                ..mysql
            }
        );
        assert!(pg.verbatim_descriptions && mysql.verbatim_descriptions);
        let snowflake = Conventions::of("Snowflake");
        assert!(snowflake.ordinal_positions && snowflake.data_length_always);
        let bigquery = Conventions::of("BigQuery");
        assert!(!bigquery.ordinal_positions && bigquery.complex_columns_bare);
        assert!(!snowflake.complex_columns_bare && !pg.complex_columns_bare);
        assert_eq!(pg.description(Some(" a\n")), Some(" a\n"));
        assert_eq!(pg.description(Some("")), None);
        assert_eq!(Conventions::FULL.description(Some(" a\n")), Some("a"));
        assert_eq!(Conventions::FULL.description(Some("  ")), None);
        // Not compared yet: omrun's full requests.
        for other in ["Redshift", "SQLite", "Looker", "postgres", "Trino"] {
            assert_eq!(Conventions::of(other), Conventions::FULL, "{other}");
        }
        for unity in ["UnityCatalog", "Databricks"] {
            let c = Conventions::of(unity);
            assert!(c.empty_struct_children, "{unity}");
            assert_eq!(
                Conventions {
                    empty_struct_children: false,
                    ..c
                },
                Conventions::FULL
            );
        }
    }
}
