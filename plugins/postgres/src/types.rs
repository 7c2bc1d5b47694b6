//! Where OpenMetadata's Postgres connector types a column unlike the shared mapping
//! (`omrun_common_db::column_type`), copied so that omrun's columns equal its own. It types a
//! column through SQLAlchemy's PostgreSQL type registry (`ischema_names`, extended in
//! `common_pg_mappings.py`): a type the registry has goes through `column_type_parser.py`, a type
//! it lacks is `NULL`.

use omrun_common_db::column_type::ColumnType;
use omrun_sdk::types::DataType;

/// The type names in OpenMetadata's registry (SQLAlchemy 2's PostgreSQL `ischema_names` and
/// the ones `common_pg_mappings.py` adds), as `format_type` spells them without arguments.
const REGISTERED: &[&str] = &[
    "\"char\"",
    "bigint",
    "bit",
    "bit varying",
    "boolean",
    "bytea",
    "character",
    "character varying",
    "cidr",
    "citext",
    "date",
    "datemultirange",
    "daterange",
    "double precision",
    "float",
    "hstore",
    "inet",
    "int4multirange",
    "int4range",
    "int8multirange",
    "int8range",
    "integer",
    "interval",
    "json",
    "jsonb",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "real",
    "regclass",
    "regconfig",
    "smallint",
    "text",
    "time",
    "time with time zone",
    "time without time zone",
    "timestamp",
    "timestamp with time zone",
    "timestamp without time zone",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "uuid",
    // common_pg_mappings.py
    "geometry",
    "point",
    "polygon",
    "box",
    "bpchar",
    "circle",
    "line",
    "lseg",
    "path",
    "pg_lsn",
    "pg_snapshot",
    "txid_snapshot",
    "tid",
    "xid",
    "xml",
];

/// `mapped`, the shared mapping of the column type `format_type` spells `spelling`, as
/// OpenMetadata's Postgres connector has it. Domains and enums are the caller's.
pub fn as_openmetadata(spelling: &str, mut mapped: ColumnType) -> ColumnType {
    // What the registry is looked up with: the spelling without arguments (`(…)`), then without
    // one trailing `[]` (format_type prints one for any number of dimensions).
    let mut base = String::new();
    let mut depth = 0;
    for c in spelling.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 => base.push(c),
            _ => {}
        }
    }
    let is_array = base.ends_with("[]");
    let base = base.trim_end_matches("[]").trim();
    match base {
        // Registered as SQLAlchemy's String or NAME: OpenMetadata's STRING.
        "name" | "\"char\"" | "bpchar" | "tid" | "xid" => {
            set(&mut mapped, is_array, DataType::String)
        }
        "tsrange" => set(&mut mapped, is_array, DataType::Datetimerange),
        // Unregistered: NULL. An array of such a type stays an ARRAY of UNKNOWN, which is what
        // the catalog says (OpenMetadata's connector says NULL for the whole column).
        b if !is_array && !REGISTERED.contains(&b) && mapped.data_type == DataType::Unknown => {
            mapped.data_type = DataType::Null;
        }
        _ => {}
    }
    mapped
}

/// Sets the type, or an array's element type.
fn set(mapped: &mut ColumnType, is_array: bool, data_type: DataType) {
    if is_array {
        mapped.array_data_type = Some(data_type);
    } else {
        mapped.data_type = data_type;
        // A STRING has no length in OpenMetadata's requests (its dataLength is the default 1).
        mapped.data_length = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType as D;
    use omrun_common_db::column_type::column_type;

    fn t(spelling: &str) -> (DataType, Option<DataType>) {
        let c = as_openmetadata(spelling, column_type(spelling));
        (c.data_type, c.array_data_type)
    }

    /// As `metadata ingest` (openmetadata-ingestion 2.0.7.0) typed these columns of PostgreSQL 15.
    #[test]
    fn as_openmetadata_types_them() {
        assert_eq!(t("name"), (D::String, None));
        assert_eq!(t("\"char\""), (D::String, None));
        assert_eq!(t("bpchar"), (D::String, None));
        assert_eq!(t("tid"), (D::String, None));
        assert_eq!(t("xid"), (D::String, None));
        assert_eq!(t("tsrange"), (D::Datetimerange, None));
        assert_eq!(t("jsonpath"), (D::Null, None));
        assert_eq!(t("int2vector"), (D::Null, None));
        assert_eq!(t("zoo.pair"), (D::Null, None));
        assert_eq!(t("zoo.pair[]"), (D::Array, Some(D::Unknown)));
        assert_eq!(t("name[]"), (D::Array, Some(D::String)));
        // Registered and unmapped: UNKNOWN, as OpenMetadata says.
        assert_eq!(t("int4range"), (D::Unknown, None));
        assert_eq!(t("oid"), (D::Unknown, None));
        // Known to the shared mapping: as it maps them.
        assert_eq!(t("character(1)"), (D::Char, None));
        assert_eq!(t("character varying(20)[]"), (D::Array, Some(D::Varchar)));
        assert_eq!(t("point"), (D::Geometry, None));
        assert_eq!(t("geography"), (D::Geography, None));
        assert_eq!(t("timestamp(3) with time zone"), (D::Timestamp, None));
        let c = as_openmetadata("bpchar", column_type("bpchar"));
        assert_eq!(c.data_length, None);
    }
}
