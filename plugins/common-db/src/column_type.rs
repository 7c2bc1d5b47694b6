//! Type mapping shared by the SQL dialects: a type as the source spells it (`character varying(20)`,
//! `numeric(10,2)`, `integer[]`, `VARCHAR(20)`…) to OpenMetadata's column type fields.

use omrun_sdk::types::{Column, DataType};

/// OpenMetadata's type fields for one column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnType {
    /// The type.
    pub data_type: DataType,
    /// For arrays: the element type, when known.
    pub array_data_type: Option<DataType>,
    /// Length of char/varchar/binary/varbinary types.
    pub data_length: Option<u32>,
    /// Total digits of a numeric/decimal.
    pub precision: Option<u32>,
    /// Digits after the decimal point of a numeric/decimal.
    pub scale: Option<u32>,
}

impl ColumnType {
    /// A column of this type, nullable and without description; `data_type_display` is the
    /// source's own spelling of the type.
    pub fn column(
        self,
        name: impl Into<String>,
        data_type_display: impl Into<String>,
        ordinal_position: u32,
    ) -> Column {
        Column {
            name: name.into(),
            data_type: self.data_type,
            data_type_display: data_type_display.into(),
            array_data_type: self.array_data_type,
            data_length: self.data_length,
            precision: self.precision,
            scale: self.scale,
            nullable: true,
            ordinal_position,
            description: None,
            parent: None,
            tags: vec![],
        }
    }
}

/// Maps a type spelling (any case) to OpenMetadata's type fields. Never fails: a type it does not
/// know is [`DataType::Unknown`].
pub fn column_type(spelling: &str) -> ColumnType {
    let spelling = spelling.trim().to_lowercase().replace('"', "");
    if let Some(element) = array_element(&spelling) {
        return ColumnType {
            data_type: DataType::Array,
            array_data_type: element.map(|e| column_type(e).data_type),
            data_length: None,
            precision: None,
            scale: None,
        };
    }
    let (base, args) = split_args(&spelling);
    let data_type = base_type(&base);
    let mut mapped = ColumnType {
        data_type,
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
    };
    match data_type {
        // OpenMetadata rejects these types without a length; its own ingestion defaults to 1 when
        // the source gives none (`varchar` unbounded, `char` = `char(1)`).
        DataType::Char | DataType::Varchar | DataType::Binary | DataType::Varbinary => {
            mapped.data_length = Some(args.first().copied().unwrap_or(1));
        }
        DataType::Numeric | DataType::Decimal | DataType::Number => {
            mapped.precision = args.first().copied();
            mapped.scale = args.get(1).copied().or(mapped.precision.map(|_| 0));
        }
        _ => {}
    }
    mapped
}

/// For an array spelling (`integer[]`, `text[][]`, `int4[3]`, `array<int>`, `array`), its element
/// spelling if it names one.
fn array_element(spelling: &str) -> Option<Option<&str>> {
    if spelling.ends_with(']') {
        let element = spelling.split('[').next().unwrap_or_default().trim();
        return Some(Some(element));
    }
    if let Some(inner) = spelling
        .strip_prefix("array<")
        .and_then(|s| s.strip_suffix('>'))
    {
        return Some(Some(inner.trim()));
    }
    (spelling == "array").then_some(None)
}

/// Splits `timestamp(3) with time zone` into `timestamp with time zone` and `[3]`: the base name
/// with every parenthesised group removed (and any schema qualifier dropped), and the numbers of
/// the first group. Non-numeric arguments (`geometry(point,4326)`, `enum('a','b')`) are ignored.
fn split_args(spelling: &str) -> (String, Vec<u32>) {
    let mut base = String::new();
    let mut args: Option<Vec<u32>> = None;
    let mut rest = spelling;
    while let Some(open) = rest.find('(') {
        base.push_str(&rest[..open]);
        let close = rest[open..].find(')').map_or(rest.len(), |c| open + c);
        if args.is_none() {
            let inner = rest.get(open + 1..close).unwrap_or_default();
            args = Some(
                inner
                    .split(',')
                    .map_while(|a| a.trim().parse().ok())
                    .collect(),
            );
        }
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    base.push_str(rest);
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    // `public.geometry` when the type's schema is not on the search path.
    let base = base.rsplit('.').next().unwrap_or_default();
    // MySQL's modifiers (`int(10) unsigned zerofill`) change the range, not the type.
    let mut base = base;
    for modifier in [" zerofill", " unsigned", " signed"] {
        base = base.strip_suffix(modifier).unwrap_or(base);
    }
    let base = base.to_owned();
    (base, args.unwrap_or_default())
}

/// The data type of a base type name (lower case, no arguments).
fn base_type(base: &str) -> DataType {
    use DataType as D;
    match base {
        "smallint" | "int2" | "smallserial" | "serial2" => D::Smallint,
        "integer" | "int" | "int4" | "serial" | "serial4" | "mediumint" => D::Int,
        "bigint" | "int8" | "bigserial" | "serial8" | "unsigned big int" => D::Bigint,
        "tinyint" => D::Tinyint,
        "numeric" => D::Numeric,
        "decimal" => D::Decimal,
        "number" => D::Number,
        "real" | "float4" | "float" => D::Float,
        "double precision" | "double" | "float8" => D::Double,
        "money" => D::Money,
        "boolean" | "bool" => D::Boolean,
        "character varying" | "varchar" | "varying character" | "nvarchar" => D::Varchar,
        "character" | "char" | "bpchar" | "nchar" | "native character" => D::Char,
        "text" | "tinytext" | "longtext" => D::Text,
        "mediumtext" => D::Mediumtext,
        "clob" => D::Clob,
        "string" => D::String,
        "bytea" => D::Bytea,
        "blob" | "tinyblob" => D::Blob,
        "mediumblob" => D::Mediumblob,
        "longblob" => D::Longblob,
        "binary" => D::Binary,
        "varbinary" => D::Varbinary,
        "date" => D::Date,
        "time" | "time without time zone" | "time with time zone" | "timetz" => D::Time,
        // With a time zone too: OpenMetadata's connectors say TIMESTAMP for `timestamptz`
        // (`column_type_parser.py`), and entities must equal theirs.
        "timestamp"
        | "timestamp without time zone"
        | "timestamp with time zone"
        | "timestamptz" => D::Timestamp,
        "datetime" => D::Datetime,
        "year" => D::Year,
        // `interval`, `interval year to month`, `interval day to second`…
        b if b == "interval" || b.starts_with("interval ") => D::Interval,
        "json" | "jsonb" => D::Json,
        "uuid" => D::Uuid,
        "xml" => D::Xml,
        "inet" => D::Inet,
        "cidr" => D::Cidr,
        "macaddr" | "macaddr8" => D::Macaddr,
        "tsvector" => D::Tsvector,
        "tsquery" => D::Tsquery,
        "bit" | "bit varying" | "varbit" => D::Bit,
        // OpenMetadata's connectors map every geometric type, points and polygons too, to GEOMETRY.
        "geometry" | "point" | "polygon" | "line" | "lseg" | "box" | "path" | "circle"
        | "linestring" | "multipoint" | "multilinestring" | "multipolygon"
        | "geometrycollection" | "geomcollection" => D::Geometry,
        "geography" => D::Geography,
        "pg_lsn" => D::PgLsn,
        "pg_snapshot" => D::PgSnapshot,
        "txid_snapshot" => D::TxidSnapshot,
        "enum" => D::Enum,
        "set" => D::Set,
        _ => D::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType as D;

    fn t(spelling: &str) -> DataType {
        column_type(spelling).data_type
    }

    #[test]
    fn integers() {
        assert_eq!(t("integer"), D::Int);
        assert_eq!(t("int4"), D::Int);
        assert_eq!(t("INTEGER"), D::Int);
        assert_eq!(t("bigint"), D::Bigint);
        assert_eq!(t("smallint"), D::Smallint);
        assert_eq!(t("TINYINT"), D::Tinyint);
        assert_eq!(t("UNSIGNED BIG INT"), D::Bigint);
        assert_eq!(t("int(10) unsigned"), D::Int);
        assert_eq!(t("bigint(20) unsigned zerofill"), D::Bigint);
        assert_eq!(t("mediumint(8)"), D::Int);
        assert_eq!(column_type("integer").data_length, None);
    }

    #[test]
    fn strings_carry_their_length() {
        let c = column_type("character varying(20)");
        assert_eq!((c.data_type, c.data_length), (D::Varchar, Some(20)));
        let c = column_type("VARCHAR(20)");
        assert_eq!((c.data_type, c.data_length), (D::Varchar, Some(20)));
        let c = column_type("character(3)");
        assert_eq!((c.data_type, c.data_length), (D::Char, Some(3)));
        let c = column_type("char");
        assert_eq!((c.data_type, c.data_length), (D::Char, Some(1)));
        // Unbounded varchar: OpenMetadata requires a length and uses 1.
        assert_eq!(column_type("character varying").data_length, Some(1));
        assert_eq!(column_type("NVARCHAR(100)").data_length, Some(100));
        let c = column_type("text");
        assert_eq!((c.data_type, c.data_length), (D::Text, None));
        assert_eq!(t("CLOB"), D::Clob);
    }

    #[test]
    fn numerics_carry_precision_and_scale() {
        let c = column_type("numeric(10,2)");
        assert_eq!(
            (c.data_type, c.precision, c.scale),
            (D::Numeric, Some(10), Some(2))
        );
        let c = column_type("NUMERIC( 10 , 2 )");
        assert_eq!((c.precision, c.scale), (Some(10), Some(2)));
        let c = column_type("numeric(5)");
        assert_eq!((c.precision, c.scale), (Some(5), Some(0)));
        let c = column_type("decimal");
        assert_eq!(
            (c.data_type, c.precision, c.scale),
            (D::Decimal, None, None)
        );
        assert_eq!(column_type("integer").precision, None);
    }

    #[test]
    fn floats() {
        assert_eq!(t("real"), D::Float);
        assert_eq!(t("float4"), D::Float);
        assert_eq!(t("REAL"), D::Float);
        assert_eq!(t("double precision"), D::Double);
        assert_eq!(t("float8"), D::Double);
        assert_eq!(t("money"), D::Money);
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(t("date"), D::Date);
        assert_eq!(t("time without time zone"), D::Time);
        assert_eq!(t("time(6) with time zone"), D::Time);
        assert_eq!(t("timestamp without time zone"), D::Timestamp);
        assert_eq!(t("timestamp(3) without time zone"), D::Timestamp);
        assert_eq!(t("timestamp with time zone"), D::Timestamp);
        assert_eq!(t("timestamptz"), D::Timestamp);
        assert_eq!(t("DATETIME"), D::Datetime);
        assert_eq!(t("interval"), D::Interval);
        assert_eq!(t("interval year to month"), D::Interval);
    }

    #[test]
    fn postgres_specific_types() {
        assert_eq!(t("boolean"), D::Boolean);
        assert_eq!(t("json"), D::Json);
        assert_eq!(t("jsonb"), D::Json);
        assert_eq!(t("uuid"), D::Uuid);
        assert_eq!(t("bytea"), D::Bytea);
        assert_eq!(t("BLOB"), D::Blob);
        assert_eq!(t("xml"), D::Xml);
        assert_eq!(t("inet"), D::Inet);
        assert_eq!(t("cidr"), D::Cidr);
        assert_eq!(t("macaddr"), D::Macaddr);
        assert_eq!(t("tsvector"), D::Tsvector);
        assert_eq!(t("tsquery"), D::Tsquery);
        assert_eq!(t("bit(8)"), D::Bit);
        assert_eq!(t("bit varying(5)"), D::Bit);
        assert_eq!(t("point"), D::Geometry);
        assert_eq!(t("polygon"), D::Geometry);
        assert_eq!(t("geometry(Point,4326)"), D::Geometry);
        assert_eq!(t("public.geometry"), D::Geometry);
        assert_eq!(t("\"char\""), D::Char);
    }

    #[test]
    fn arrays_keep_their_element_type() {
        let c = column_type("integer[]");
        assert_eq!((c.data_type, c.array_data_type), (D::Array, Some(D::Int)));
        let c = column_type("text[]");
        assert_eq!((c.data_type, c.array_data_type), (D::Array, Some(D::Text)));
        let c = column_type("character varying(20)[]");
        assert_eq!(
            (c.data_type, c.array_data_type, c.data_length),
            (D::Array, Some(D::Varchar), None)
        );
        assert_eq!(
            column_type("numeric(10,2)[][]").array_data_type,
            Some(D::Numeric)
        );
        assert_eq!(column_type("array<int>").array_data_type, Some(D::Int));
        assert_eq!(column_type("ARRAY").array_data_type, None);
        assert_eq!(column_type("mood[]").array_data_type, Some(D::Unknown));
    }

    #[test]
    fn unknown_types_are_unknown() {
        assert_eq!(t("mood"), D::Unknown);
        assert_eq!(t(""), D::Unknown);
        assert_eq!(t("int4range"), D::Unknown);
        assert_eq!(
            t("numeric(10"),
            D::Numeric,
            "an unclosed group does not panic"
        );
    }

    #[test]
    fn column_keeps_the_display_spelling() {
        let c = column_type("integer[]").column("tags", "integer[]", 3);
        assert_eq!(c.name, "tags");
        assert_eq!(c.data_type_display, "integer[]");
        assert_eq!((c.data_type, c.array_data_type), (D::Array, Some(D::Int)));
        assert_eq!(c.ordinal_position, 3);
        assert!(c.nullable);
        assert_eq!(c.description, None);
    }
}
