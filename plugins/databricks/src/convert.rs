//! Unity Catalog's answers as OpenMetadata's entities, named, typed and described as
//! OpenMetadata's own `UnityCatalog` connector makes them (`unitycatalog/metadata.py` in
//! openmetadata-ingestion 2.0.7.0): a catalog is a database, a schema a schema, a table or view a
//! table.
//!
//! - Table types: `VIEW` → `View`, `MATERIALIZED_VIEW` → `MaterializedView`, `EXTERNAL` →
//!   `External`, anything else (`MANAGED`, `STREAMING_TABLE`, `FOREIGN`, shallow clones,
//!   `METRIC_VIEW`) → `Regular`.
//! - Column types: each column's `type_text`, lower-cased and without spaces, through
//!   OpenMetadata's `ColumnTypeParser._parse_datatype_string` (ported in [`column_type`], checked
//!   against it type by type).
//! - Views: `CREATE VIEW `c`.`s`.`v` AS <view_definition>` (`MATERIALIZED VIEW` for those).
//! - Keys: the table's primary key and foreign keys (`table_constraints`).
//! - Partitioning (beyond OpenMetadata's connector, which writes none): the columns with a
//!   `partition_index`, in its order, as `COLUMN-VALUE` partitions.

use omrun_sdk::types::{
    Column, ConstraintType, DataType, PartitionColumn, PartitionIntervalType, Table,
    TableConstraint, TablePath, TableType,
};

use crate::api::{ColumnInfo, TableInfo};

/// OpenMetadata's type fields for one column type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    pub data_type: DataType,
    /// `dataTypeDisplay`.
    pub display: String,
    pub array_data_type: Option<DataType>,
    /// Only where OpenMetadata's parser reads one from the spelling (`varchar(20)` → 20); it
    /// sends 1 on every other column, which omrun's sink leaves out but where the type needs one.
    pub data_length: Option<u32>,
    pub precision: Option<u32>,
    pub scale: Option<u32>,
}

impl ColumnType {
    fn of(data_type: DataType, display: impl Into<String>) -> Self {
        Self {
            data_type,
            display: display.into(),
            array_data_type: None,
            data_length: None,
            precision: None,
            scale: None,
        }
    }
}

/// A column's type from its `type_text`, as OpenMetadata's Unity Catalog connector maps it:
/// `struct` and `array` alone become `struct<>`/`array<>`, then the text, lower-cased, goes
/// through its `_parse_datatype_string`. Never fails: where OpenMetadata's parser raises (and its
/// connector drops the column), the closest type is kept (`uniontype<…>` → `UNION`, a malformed
/// `map<…>` → `MAP`).
pub fn column_type(type_text: &str) -> ColumnType {
    let lower = type_text.to_lowercase();
    let text = if lower == "struct" || lower == "array" {
        format!("{lower}<>")
    } else {
        lower
    };
    parse_datatype(&text)
}

/// `ColumnTypeParser._parse_datatype_string`.
fn parse_datatype(text: &str) -> ColumnType {
    let d: String = text.to_lowercase().trim().replace(' ', "");
    let inner = |prefix: &str| {
        d.strip_prefix(prefix)
            .map(|r| r.strip_suffix('>').unwrap_or(r))
    };
    if let Some(element) = inner("array<") {
        return ColumnType {
            array_data_type: Some(parse_primitive(element).data_type),
            ..ColumnType::of(DataType::Array, d.clone())
        };
    }
    if d.starts_with("map<") {
        return ColumnType::of(DataType::Map, d.clone());
    }
    if d.starts_with("uniontype<") || d.starts_with("union<") {
        return ColumnType::of(DataType::Union, d.clone());
    }
    if let Some(fields) = inner("struct<") {
        let fields = if fields.is_empty() { "unknown" } else { fields };
        return ColumnType::of(DataType::Struct, format!("struct<{fields}>"));
    }
    if d.contains(':') {
        return ColumnType::of(DataType::Struct, format!("struct<{d}>"));
    }
    parse_primitive(&d)
}

/// `ColumnTypeParser._parse_primitive_datatype_string` (`d`: lower case, no spaces).
fn parse_primitive(d: &str) -> ColumnType {
    if let Some((data_type, _)) = source_type(&d.to_uppercase()) {
        return ColumnType::of(data_type, d);
    }
    if let Some((matched, precision, scale)) = fixed_decimal(d) {
        return ColumnType {
            precision,
            scale,
            ..ColumnType::of(get_column_type(matched).0, d)
        };
    }
    // What no table knows: the family before any `(` or `<`, shown as OpenMetadata's name for it,
    // with a length when the spelling ends in `(n)`.
    let (data_type, name) = get_column_type(d);
    ColumnType {
        data_length: Some(data_length(d)),
        ..ColumnType::of(data_type, name)
    }
}

/// `ColumnTypeParser.get_column_type` for a spelling: its family (before any `(` or `<`) in
/// OpenMetadata's table, else `UNKNOWN`.
fn get_column_type(d: &str) -> (DataType, &'static str) {
    let family = d.split('(').next().unwrap_or_default();
    let family = family.split('<').next().unwrap_or_default();
    source_type(&family.to_uppercase()).unwrap_or((DataType::Unknown, "UNKNOWN"))
}

/// `(decimal|numeric)(\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?` matched at the start of `d` (which has
/// no spaces): the matched text, precision and scale.
fn fixed_decimal(d: &str) -> Option<(&str, Option<u32>, Option<u32>)> {
    let family = ["decimal", "numeric"]
        .into_iter()
        .find(|f| d.starts_with(f))?;
    let rest = &d[family.len()..];
    let args = rest.strip_prefix('(').and_then(|r| {
        let close = r.find(')')?;
        let inside = &r[..close];
        let (p, s) = match inside.split_once(',') {
            Some((p, s)) => (p, Some(s)),
            None => (inside, None),
        };
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if !digits(p) || s.is_some_and(|s| !digits(s)) {
            return None;
        }
        Some((
            family.len() + close + 2,
            p.parse().ok(),
            s.and_then(|s| s.parse().ok()),
        ))
    });
    Some(match args {
        Some((end, p, s)) => (&d[..end], p, s),
        None => (family, None, None),
    })
}

/// `re.match(r".*\(([\w]*)\)", d)`'s number, else 1: the last `(word)` group of the spelling.
fn data_length(d: &str) -> u32 {
    for (open, _) in d.match_indices('(').collect::<Vec<_>>().into_iter().rev() {
        let rest = &d[open + 1..];
        let word_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if rest[word_end..].starts_with(')') {
            return rest[..word_end].parse().unwrap_or(1);
        }
    }
    1
}

/// OpenMetadata's `ColumnTypeParser._SOURCE_TYPE_TO_OM_TYPE` (openmetadata-ingestion 2.0.7.0),
/// verbatim: a source type's upper-case spelling → OpenMetadata's data type and its name. Keys
/// with spaces never match here (spaces are removed first), as in OpenMetadata.
fn source_type(upper: &str) -> Option<(DataType, &'static str)> {
    use DataType as D;
    Some(match upper {
        "AggregateFunction()" | "SimpleAggregateFunction()" => {
            (D::Aggregatefunction, "AGGREGATEFUNCTION")
        }
        "ARRAY" => (D::Array, "ARRAY"),
        "BIGINT" | "BIGSERIAL" | "I8" | "INT128" | "INT16" | "INT256" | "INT32" | "INT64"
        | "INT8" | "UI8" | "UINT128" | "UINT16" | "UINT256" | "UINT32" | "UINT64" | "UINT8" => {
            (D::Bigint, "BIGINT")
        }
        "BFILE" | "BINARY" | "BSTR" | "BYREF" | "CURSOR" | "FILETIME" | "GUID" | "HYPERLOGLOG"
        | "IDISPATCH" | "LONG RAW" | "PROPVARIANT" | "RAW" | "RESERVED" | "TABLE" | "VECTOR" => {
            (D::Binary, "BINARY")
        }
        "BIT" => (D::Bit, "BIT"),
        "BLOB" | "LRAW" | "TINYBLOB" => (D::Blob, "BLOB"),
        "BOOL" | "BOOLEAN" | "WDC_BOOL" => (D::Boolean, "BOOLEAN"),
        "BYTEA" => (D::Bytea, "BYTEA"),
        "BYTEINT" => (D::Byteint, "BYTEINT"),
        "BYTES" => (D::Bytes, "BYTES"),
        "BPCHAR" | "CHAR" | "CHARACTER" | "CUKY" | "GRAPHIC" | "LANG" | "NCHAR" | "NUMC"
        | "UNIT" => (D::Char, "CHAR"),
        "CIDR" => (D::Cidr, "CIDR"),
        "CLOB" | "DBCLOB" | "NCLOB" => (D::Clob, "CLOB"),
        "DATE" | "DATS" | "DBDATE" | "WDC_DATE" => (D::Date, "DATE"),
        "DATETIME" | "DATETIME2" | "DATETIME64" | "DATETIMEOFFSET" | "SMALLDATETIME"
        | "WDC_DATETIME" => (D::Datetime, "DATETIME"),
        "TSRANGE" => (D::Datetimerange, "DATETIMERANGE"),
        "CURR" | "DEC" | "DECIMAL" | "QUAN" => (D::Decimal, "DECIMAL"),
        "BINARY_DOUBLE" | "DECFLOAT" | "DOUBLE" | "DOUBLE PRECISION" | "DOUBLE_PRECISION"
        | "FLOAT64" | "FLOAT8" | "R8" => (D::Double, "DOUBLE"),
        "ENUM" => (D::Enum, "ENUM"),
        "BINARY_FLOAT" | "FLOAT" | "FLOAT32" | "FLOAT4" | "FLTP" | "R4" | "REAL" | "WDC_FLOAT" => {
            (D::Float, "FLOAT")
        }
        "GEOGRAPHY" => (D::Geography, "GEOGRAPHY"),
        "BOX" | "CIRCLE" | "GEOMETRY" | "LINE" | "LSEG" | "PATH" | "POINT" | "POLYGON"
        | "WDC_GEOMETRY" => (D::Geometry, "GEOMETRY"),
        "HIERARCHYID" => (D::Hierarchyid, "HIERARCHYID"),
        "HLLSKETCH" => (D::Hllsketch, "HLLSKETCH"),
        "IMAGE" => (D::Image, "IMAGE"),
        "INET" => (D::Inet, "INET"),
        "CLNT" | "I1" | "I2" | "I4" | "INT" | "INT1" | "INT4" | "INTEGER" | "MEDIUMINT" | "UI1"
        | "UI4" | "UINT" | "UINT4" | "WDC_INT" => (D::Int, "INT"),
        "INTERVAL" | "INTERVAL DAY TO SECOND" | "INTERVAL YEAR TO MONTH" => {
            (D::Interval, "INTERVAL")
        }
        "IPV4" => (D::Ipv4, "IPV4"),
        "IPV6" => (D::Ipv6, "IPV6"),
        "JSON" | "JSONB" | "OBJECT" | "UDT" | "VARIANT" => (D::Json, "JSON"),
        "LONG" => (D::Long, "LONG"),
        "LONGBLOB" => (D::Longblob, "LONGBLOB"),
        "LOWCARDINALITY" => (D::Lowcardinality, "LOWCARDINALITY"),
        "MACADDR" | "MACADDR8" => (D::Macaddr, "MACADDR"),
        "MAP" => (D::Map, "MAP"),
        "MEDIUMBLOB" => (D::Mediumblob, "MEDIUMBLOB"),
        "MEDIUMTEXT" => (D::Mediumtext, "MEDIUMTEXT"),
        "MONEY" => (D::Money, "MONEY"),
        "NTEXT" => (D::Ntext, "NTEXT"),
        "EMPTY" | "NULL" | "VOID" => (D::Null, "NULL"),
        "NUMBER" | "ROWVERSION" | "SMALLMONEY" => (D::Number, "NUMBER"),
        "BIGNUMERIC" | "CY" | "NUMERIC" | "VARNUMERIC" => (D::Numeric, "NUMERIC"),
        "PG_LSN" => (D::PgLsn, "PG_LSN"),
        "PG_SNAPSHOT" => (D::PgSnapshot, "PG_SNAPSHOT"),
        "SET" => (D::Set, "SET"),
        "INT2" | "SMALLINT" | "SMALLSERIAL" | "UI2" | "UINT2" => (D::Smallint, "SMALLINT"),
        "SPATIAL" => (D::Spatial, "SPATIAL"),
        "RSTR" | "STR" | "STRG" | "STRING" | "WDC_STRING" | "WSTR" => (D::String, "STRING"),
        "RECORD" | "ROW" | "STRUCT" => (D::Struct, "STRUCT"),
        "SUPER" => (D::Super, "SUPER"),
        "LONGTEXT" | "TEXT" | "TINYTEXT" => (D::Text, "TEXT"),
        "DBTIME" | "TIME" | "TIME WITH TIME ZONE" | "TIME WITHOUT TIME ZONE" | "TIMS" => {
            (D::Time, "TIME")
        }
        "DBTIMESTAMP"
        | "TIMESTAMP"
        | "TIMESTAMP WITH TIME ZONE"
        | "TIMESTAMP WITHOUT TIME ZONE"
        | "TIMESTAMPTZ"
        | "TIMESTAMP_LTZ"
        | "TIMESTAMP_NTZ"
        | "TIMESTAMP_TZ"
        | "TIMESTMP"
        | "TIMETZ" => (D::Timestamp, "TIMESTAMP"),
        "TINYINT" => (D::Tinyint, "TINYINT"),
        "TSQUERY" => (D::Tsquery, "TSQUERY"),
        "TSVECTOR" => (D::Tsvector, "TSVECTOR"),
        "TUPLE" => (D::Tuple, "TUPLE"),
        "TXID_SNAPSHOT" => (D::TxidSnapshot, "TXID_SNAPSHOT"),
        "UNION" => (D::Union, "UNION"),
        "IUNKNOWN" | "UNKNOWN" => (D::Unknown, "UNKNOWN"),
        "UUID" => (D::Uuid, "UUID"),
        "BINARY VARYING" | "SQL_VARIANT" | "VARBINARY" => (D::Varbinary, "VARBINARY"),
        "CHARACTER VARYING" | "ERROR" | "HCHAPTER" | "LONG VARCHAR" | "LONGVARCHAR"
        | "LONGVARGRAPHIC" | "NVARCHAR" | "ROWID" | "UROWID" | "VARCHAR" | "VARGRAPHIC" => {
            (D::Varchar, "VARCHAR")
        }
        "XML" | "XMLCLOB" | "XMLFILE" | "XMLTYPE" | "XMLVARCHAR" => (D::Xml, "XML"),
        "YEAR" => (D::Year, "YEAR"),
        _ => return None,
    })
}

/// OpenMetadata's table type for Unity Catalog's `table_type`, as its connector decides it.
pub fn table_type(table_type: Option<&str>) -> TableType {
    match table_type.map(str::to_ascii_lowercase).as_deref() {
        Some("view") => TableType::View,
        Some("materialized_view") => TableType::MaterializedView,
        Some("external") => TableType::External,
        _ => TableType::Regular,
    }
}

/// A column name as OpenMetadata's connector keeps it: its first 256 characters.
fn column_name(name: &str) -> String {
    name.chars().take(256).collect()
}

/// The columns of a table, in their order (`position`, then as listed).
pub fn columns(infos: &[ColumnInfo]) -> Vec<Column> {
    let mut infos: Vec<(usize, &ColumnInfo)> = infos.iter().enumerate().collect();
    infos.sort_by_key(|(i, c)| (c.position.unwrap_or(*i as i64), *i));
    infos
        .into_iter()
        .enumerate()
        .filter_map(|(i, (_, c))| {
            let name = c.name.as_deref().filter(|n| !n.is_empty())?;
            // Without `type_text` (never seen), its family name (`DECIMAL`, `STRING`…).
            let text = c
                .type_text
                .as_deref()
                .or(c.type_name.as_deref())
                .unwrap_or("");
            let t = column_type(text);
            Some(Column {
                name: column_name(name),
                data_type: t.data_type,
                data_type_display: t.display,
                array_data_type: t.array_data_type,
                data_length: t.data_length,
                precision: t.precision,
                scale: t.scale,
                nullable: c.nullable.unwrap_or(true),
                ordinal_position: i as u32 + 1,
                description: non_empty(c.comment.as_deref()),
                parent: None,
                tags: vec![],
            })
        })
        .collect()
}

/// The table `info` describes, in `catalog`.`schema`.
pub fn table(catalog: &str, schema: &str, name: &str, info: &TableInfo) -> Table {
    let table_type = table_type(info.table_type.as_deref());
    let infos = info.columns.as_deref().unwrap_or_default();
    let columns = columns(infos);
    let definition = match table_type {
        TableType::View | TableType::MaterializedView => info
            .view_definition
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| {
                let kind = if table_type == TableType::View {
                    "VIEW"
                } else {
                    "MATERIALIZED VIEW"
                };
                let c = info.catalog_name.as_deref().unwrap_or(catalog);
                let s = info.schema_name.as_deref().unwrap_or(schema);
                format!("CREATE {kind} `{c}`.`{s}`.`{name}` AS {d}")
            }),
        _ => None,
    };
    let mut partitions: Vec<(i64, &str)> = infos
        .iter()
        .filter_map(|c| Some((c.partition_index?, c.name.as_deref()?)))
        .collect();
    partitions.sort();
    Table {
        database: catalog.to_owned(),
        schema: schema.to_owned(),
        name: name.to_owned(),
        table_type,
        description: non_empty(info.comment.as_deref()),
        columns,
        constraints: constraints(info),
        definition,
        partition_columns: partitions
            .into_iter()
            .map(|(_, column)| PartitionColumn {
                column: column_name(column),
                interval_type: PartitionIntervalType::ColumnValue,
                interval: None,
            })
            .collect(),
        source_url: None,
        tags: vec![],
    }
}

/// The primary key and foreign keys `GET …/tables/{full_name}` lists.
fn constraints(info: &TableInfo) -> Vec<TableConstraint> {
    let mut out = Vec::new();
    for c in info.table_constraints.iter().flatten() {
        if let Some(pk) = &c.primary_key_constraint
            && !pk.child_columns.is_empty()
        {
            out.push(TableConstraint {
                constraint_type: ConstraintType::PrimaryKey,
                columns: pk.child_columns.iter().map(|n| column_name(n)).collect(),
                referred_table: None,
                referred_columns: Vec::new(),
            });
        }
        if let Some(fk) = &c.foreign_key_constraint
            && let [database, schema, table] = split_full_name(&fk.parent_table).as_slice()
        {
            out.push(TableConstraint {
                constraint_type: ConstraintType::ForeignKey,
                columns: fk.child_columns.iter().map(|n| column_name(n)).collect(),
                referred_table: Some(TablePath {
                    database: database.clone(),
                    schema: schema.clone(),
                    table: table.clone(),
                }),
                referred_columns: fk.parent_columns.iter().map(|n| column_name(n)).collect(),
            });
        }
    }
    out
}

/// `catalog.schema.table`, any part possibly in backquotes (`` `my.cat`.s.t ``), into its parts.
pub fn split_full_name(full: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut quoted = false;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' if quoted && chars.peek() == Some(&'`') => {
                chars.next();
                part.push('`');
            }
            '`' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut part)),
            c => part.push(c),
        }
    }
    parts.push(part);
    parts
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ForeignKeyConstraint, PrimaryKeyConstraint};
    use DataType as D;

    /// `(type_text, dataType, dataTypeDisplay, arrayDataType, dataLength, precision, scale)` as
    /// OpenMetadata's Unity Catalog connector makes them: captured from openmetadata-ingestion
    /// 2.0.7.0 by tests/support/databricks/om_column_types.py (its `get_columns` steps and
    /// pydantic `Column`). Its `dataLength` is 1 on every column without one of its own.
    #[allow(clippy::type_complexity)]
    const OPENMETADATA: &[(
        &str,
        DataType,
        &str,
        Option<DataType>,
        u32,
        Option<u32>,
        Option<u32>,
    )] = &[
        ("int", D::Int, "int", None, 1, None, None),
        ("bigint", D::Bigint, "bigint", None, 1, None, None),
        ("smallint", D::Smallint, "smallint", None, 1, None, None),
        ("tinyint", D::Tinyint, "tinyint", None, 1, None, None),
        ("float", D::Float, "float", None, 1, None, None),
        ("double", D::Double, "double", None, 1, None, None),
        ("boolean", D::Boolean, "boolean", None, 1, None, None),
        ("string", D::String, "string", None, 1, None, None),
        ("binary", D::Binary, "binary", None, 1, None, None),
        ("date", D::Date, "date", None, 1, None, None),
        ("timestamp", D::Timestamp, "timestamp", None, 1, None, None),
        (
            "timestamp_ntz",
            D::Timestamp,
            "timestamp_ntz",
            None,
            1,
            None,
            None,
        ),
        (
            "decimal(10,2)",
            D::Decimal,
            "decimal(10,2)",
            None,
            1,
            Some(10),
            Some(2),
        ),
        (
            "decimal(38,0)",
            D::Decimal,
            "decimal(38,0)",
            None,
            1,
            Some(38),
            Some(0),
        ),
        (
            "decimal(5)",
            D::Decimal,
            "decimal(5)",
            None,
            1,
            Some(5),
            None,
        ),
        ("char(10)", D::Char, "CHAR", None, 10, None, None),
        ("varchar(255)", D::Varchar, "VARCHAR", None, 255, None, None),
        ("void", D::Null, "void", None, 1, None, None),
        ("variant", D::Json, "variant", None, 1, None, None),
        (
            "interval day to second",
            D::Unknown,
            "UNKNOWN",
            None,
            1,
            None,
            None,
        ),
        (
            "interval year to month",
            D::Unknown,
            "UNKNOWN",
            None,
            1,
            None,
            None,
        ),
        (
            "array<string>",
            D::Array,
            "array<string>",
            Some(D::String),
            1,
            None,
            None,
        ),
        (
            "array<int>",
            D::Array,
            "array<int>",
            Some(D::Int),
            1,
            None,
            None,
        ),
        (
            "array<decimal(10,2)>",
            D::Array,
            "array<decimal(10,2)>",
            Some(D::Decimal),
            1,
            None,
            None,
        ),
        (
            "array<struct<a:int,b:string>>",
            D::Array,
            "array<struct<a:int,b:string>>",
            Some(D::Struct),
            1,
            None,
            None,
        ),
        (
            "array<array<int>>",
            D::Array,
            "array<array<int>>",
            Some(D::Array),
            1,
            None,
            None,
        ),
        (
            "array<map<string,int>>",
            D::Array,
            "array<map<string,int>>",
            Some(D::Map),
            1,
            None,
            None,
        ),
        (
            "map<string,int>",
            D::Map,
            "map<string,int>",
            None,
            1,
            None,
            None,
        ),
        (
            "map<string,array<string>>",
            D::Map,
            "map<string,array<string>>",
            None,
            1,
            None,
            None,
        ),
        (
            "struct<city:string,zip:string>",
            D::Struct,
            "struct<city:string,zip:string>",
            None,
            1,
            None,
            None,
        ),
        (
            "struct<a:int,b:struct<c:array<string>>>",
            D::Struct,
            "struct<a:int,b:struct<c:array<string>>>",
            None,
            1,
            None,
            None,
        ),
        ("struct", D::Struct, "struct<unknown>", None, 1, None, None),
        (
            "array",
            D::Array,
            "array<>",
            Some(D::Unknown),
            1,
            None,
            None,
        ),
        (
            "geography(4326)",
            D::Geography,
            "GEOGRAPHY",
            None,
            4326,
            None,
            None,
        ),
        (
            "geometry(4326)",
            D::Geometry,
            "GEOMETRY",
            None,
            4326,
            None,
            None,
        ),
        ("STRING", D::String, "string", None, 1, None, None),
        (
            "Struct<A: INT, B: STRING>",
            D::Struct,
            "struct<a:int,b:string>",
            None,
            1,
            None,
            None,
        ),
        (
            "string collate utf8_lcase",
            D::Unknown,
            "UNKNOWN",
            None,
            1,
            None,
            None,
        ),
        ("object", D::Json, "object", None, 1, None, None),
        ("long", D::Long, "long", None, 1, None, None),
        ("varchar(abc)", D::Varchar, "VARCHAR", None, 1, None, None),
        ("x(1)(2,3)", D::Unknown, "UNKNOWN", None, 1, None, None),
    ];

    #[test]
    fn types_as_openmetadata_maps_them() {
        for &(text, data_type, display, element, length, precision, scale) in OPENMETADATA {
            let t = column_type(text);
            assert_eq!(t.data_type, data_type, "{text}");
            assert_eq!(t.display, display, "{text}");
            assert_eq!(t.array_data_type, element, "{text}");
            assert_eq!(t.data_length.unwrap_or(1), length, "{text}");
            assert_eq!((t.precision, t.scale), (precision, scale), "{text}");
        }
    }

    #[test]
    fn where_openmetadata_s_parser_raises_the_closest_type_is_kept() {
        assert_eq!(column_type("uniontype<int,string>").data_type, D::Union);
        assert_eq!(column_type("map<string>").data_type, D::Map);
        let t = column_type("array<int");
        assert_eq!((t.data_type, t.array_data_type), (D::Array, Some(D::Int)));
        assert_eq!(column_type("").data_type, D::Unknown);
    }

    #[test]
    fn lengths_are_the_last_word_in_parentheses() {
        assert_eq!(data_length("varchar(20)"), 20);
        assert_eq!(data_length("a(1)b(2)"), 2);
        assert_eq!(data_length("x(1)(2,3)"), 1);
        assert_eq!(data_length("x(7)(2,3)"), 7);
        assert_eq!(data_length("x()"), 1);
        assert_eq!(data_length("x"), 1);
    }

    #[test]
    fn table_types_as_openmetadata_reads_them() {
        let t = |s: &str| table_type(Some(s));
        assert_eq!(t("VIEW"), TableType::View);
        assert_eq!(t("MATERIALIZED_VIEW"), TableType::MaterializedView);
        assert_eq!(t("EXTERNAL"), TableType::External);
        for regular in [
            "MANAGED",
            "STREAMING_TABLE",
            "FOREIGN",
            "MANAGED_SHALLOW_CLONE",
            "EXTERNAL_SHALLOW_CLONE",
            "METRIC_VIEW",
        ] {
            assert_eq!(t(regular), TableType::Regular, "{regular}");
        }
        assert_eq!(table_type(None), TableType::Regular);
    }

    fn col(name: &str, text: &str, position: i64) -> ColumnInfo {
        ColumnInfo {
            name: Some(name.into()),
            type_text: Some(text.into()),
            type_name: None,
            comment: None,
            nullable: None,
            position: Some(position),
            partition_index: None,
        }
    }

    #[test]
    fn a_whole_table() {
        let mut day = col("day", "date", 2);
        day.partition_index = Some(1);
        let mut region = col("region", "string", 3);
        region.partition_index = Some(0);
        region.comment = Some("Sales region".into());
        let mut id = col("id", "bigint", 0);
        id.nullable = Some(false);
        let mut empty = col("note", "string", 4);
        empty.comment = Some("".into());
        let info = TableInfo {
            name: Some("orders".into()),
            catalog_name: Some("main".into()),
            schema_name: Some("sales".into()),
            table_type: Some("MANAGED".into()),
            comment: Some("Orders".into()),
            // Out of order, as an API may list them.
            columns: Some(vec![
                day,
                region,
                id,
                col("total", "decimal(12,2)", 1),
                empty,
            ]),
            table_constraints: Some(vec![
                crate::api::TableConstraint {
                    primary_key_constraint: Some(PrimaryKeyConstraint {
                        child_columns: vec!["id".into()],
                    }),
                    foreign_key_constraint: None,
                },
                crate::api::TableConstraint {
                    primary_key_constraint: None,
                    foreign_key_constraint: Some(ForeignKeyConstraint {
                        child_columns: vec!["region".into()],
                        parent_table: "main.ref.`re.gions`".into(),
                        parent_columns: vec!["code".into()],
                    }),
                },
            ]),
            view_definition: None,
        };
        let t = table("main", "sales", "orders", &info);
        assert_eq!(t.table_type, TableType::Regular);
        assert_eq!(t.description.as_deref(), Some("Orders"));
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "total", "day", "region", "note"]);
        let positions: Vec<u32> = t.columns.iter().map(|c| c.ordinal_position).collect();
        assert_eq!(positions, [1, 2, 3, 4, 5]);
        assert!(!t.columns[0].nullable && t.columns[1].nullable);
        assert_eq!(
            (t.columns[1].precision, t.columns[1].scale),
            (Some(12), Some(2))
        );
        assert_eq!(t.columns[3].description.as_deref(), Some("Sales region"));
        assert_eq!(t.columns[4].description, None);
        let partitions: Vec<&str> = t
            .partition_columns
            .iter()
            .map(|p| p.column.as_str())
            .collect();
        assert_eq!(partitions, ["region", "day"]);
        assert!(
            t.partition_columns
                .iter()
                .all(|p| p.interval_type == PartitionIntervalType::ColumnValue)
        );
        assert_eq!(t.definition, None);
        assert_eq!(t.constraints.len(), 2);
        assert_eq!(t.constraints[0].constraint_type, ConstraintType::PrimaryKey);
        assert_eq!(t.constraints[0].columns, ["id"]);
        let fk = &t.constraints[1];
        assert_eq!(fk.constraint_type, ConstraintType::ForeignKey);
        let to = fk.referred_table.as_ref().unwrap();
        assert_eq!(
            (to.database.as_str(), to.schema.as_str(), to.table.as_str()),
            ("main", "ref", "re.gions")
        );
        assert_eq!(fk.referred_columns, ["code"]);
    }

    #[test]
    fn views_carry_their_definition_as_a_statement() {
        let mut info = TableInfo {
            name: Some("big".into()),
            catalog_name: Some("main".into()),
            schema_name: Some("sales".into()),
            table_type: Some("VIEW".into()),
            comment: None,
            columns: None,
            table_constraints: None,
            view_definition: Some("SELECT 1".into()),
        };
        let t = table("main", "sales", "big", &info);
        assert_eq!(t.table_type, TableType::View);
        assert_eq!(
            t.definition.as_deref(),
            Some("CREATE VIEW `main`.`sales`.`big` AS SELECT 1")
        );
        assert!(t.columns.is_empty() && t.description.is_none());
        info.table_type = Some("MATERIALIZED_VIEW".into());
        assert_eq!(
            table("main", "sales", "big", &info).definition.as_deref(),
            Some("CREATE MATERIALIZED VIEW `main`.`sales`.`big` AS SELECT 1")
        );
        info.table_type = Some("METRIC_VIEW".into());
        assert_eq!(table("main", "sales", "big", &info).definition, None);
    }

    #[test]
    fn full_names_split_outside_backquotes() {
        assert_eq!(split_full_name("a.b.c"), ["a", "b", "c"]);
        assert_eq!(split_full_name("`a.x`.b.`c``d`"), ["a.x", "b", "c`d"]);
    }
}
