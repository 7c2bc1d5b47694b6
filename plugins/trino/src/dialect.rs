//! Trino's spelling of things as OpenMetadata's Trino connector reads them, kept pure so it is
//! tested natively: column types (`information_schema.columns.data_type`, the text `SHOW COLUMNS`
//! prints) and view definitions.
//!
//! OpenMetadata's connector (`trino/metadata.py`) reads a column's type through the `trino`
//! package's SQLAlchemy types (`datatype.parse_sqltype`) and `ColumnTypeParser`; a `row(…)` or
//! `array(…)` it first rewrites into Hive's spelling (`struct<a:integer>`, `array<varchar>`) and
//! parses that instead. This module gives the same answers without either library; the table in
//! the tests was captured from openmetadata-ingestion 2.0.7.0 with trino 0.340.0.

mod children;

use omrun_common_db::column_type::{ColumnType, column_type};
use omrun_sdk::types::DataType;

pub use children::trino_children;

/// A type spelling parsed: its name (lower case, `timestamp with time zone` included) and its
/// arguments (numbers, types, or a row's fields).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    /// A name and its parenthesised arguments as written (`varchar`, ["20"]).
    Simple(String, Vec<String>),
    Array(Box<Ty>),
    /// `map(k, v)`: OpenMetadata keeps its spelling, which this holds.
    Map(String),
    /// `row(…)`: fields with their names, `None` for an unnamed one.
    Row(Vec<(Option<String>, Ty)>),
}

/// OpenMetadata's type fields and `dataTypeDisplay` of a Trino type spelling.
///
/// - Scalars keep Trino's spelling as display; `tinyint` is a SMALLINT (the `trino` package's
///   SQLAlchemy type for it), `real` a FLOAT, `uuid` a CHAR, `varchar`/`char`/`varbinary` carry
///   their length (1 when unbounded), `decimal(p,s)` its precision and scale, every `time…` a TIME
///   and every `timestamp…` a TIMESTAMP. Intervals and types the package does not know
///   (`ipaddress`, `hyperloglog`, `geometry`, `qdigest(…)`…) are `NULL`.
/// - `map(…)` is a MAP shown as Trino spells it.
/// - `array(…)` is an ARRAY and `row(…)` a STRUCT, shown in Hive's spelling, lower-cased and without
///   spaces (`array<timestamp(3)withtimezone>`, `struct<a:integer,field2:varchar>`): unnamed row
///   fields are named `field<position>`. An array's element type is what that spelling parses to:
///   here `tinyint` is a TINYINT and a type it cannot place is `UNKNOWN`.
pub fn trino_column_type(spelling: &str) -> (ColumnType, String) {
    let spelling = spelling.trim();
    let none = ColumnType {
        data_type: DataType::Null,
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
    };
    let Some(ty) = parse(spelling) else {
        return (none, spelling.to_owned());
    };
    match &ty {
        Ty::Array(element) => {
            let display = hive(&ty).to_lowercase().replace(' ', "");
            let inner = hive(element).to_lowercase().replace(' ', "");
            let mapped = ColumnType {
                data_type: DataType::Array,
                array_data_type: Some(hive_element_type(&inner)),
                ..none
            };
            (mapped, display)
        }
        Ty::Row(_) => {
            let display = hive(&ty).to_lowercase().replace(' ', "");
            (
                ColumnType {
                    data_type: DataType::Struct,
                    ..none
                },
                display,
            )
        }
        Ty::Map(_) => (
            ColumnType {
                data_type: DataType::Map,
                ..none
            },
            spelling.to_owned(),
        ),
        Ty::Simple(name, args) => (scalar(name, args), spelling.to_owned()),
    }
}

/// A scalar as the `trino` package's SQLAlchemy type and `ColumnTypeParser` map it.
fn scalar(name: &str, args: &[String]) -> ColumnType {
    let none = ColumnType {
        data_type: DataType::Null,
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
    };
    let number = |i: usize| args.get(i).and_then(|a| a.trim().parse::<u32>().ok());
    let data_type = match name {
        "boolean" => DataType::Boolean,
        "tinyint" | "smallint" => DataType::Smallint,
        "integer" | "int" => DataType::Int,
        "bigint" => DataType::Bigint,
        "real" => DataType::Float,
        "double" => DataType::Double,
        "decimal" => {
            return ColumnType {
                data_type: DataType::Decimal,
                precision: number(0).or(Some(38)),
                scale: number(1).or(Some(0)),
                ..none
            };
        }
        "varchar" => DataType::Varchar,
        "char" | "uuid" => DataType::Char,
        "varbinary" => DataType::Varbinary,
        "json" => DataType::Json,
        "date" => DataType::Date,
        "time" | "time with time zone" => DataType::Time,
        "timestamp" | "timestamp with time zone" => DataType::Timestamp,
        _ => return none,
    };
    let data_length = match data_type {
        DataType::Varchar | DataType::Char | DataType::Varbinary => Some(if name == "uuid" {
            1
        } else {
            number(0).unwrap_or(1)
        }),
        _ => None,
    };
    ColumnType {
        data_type,
        data_length,
        ..none
    }
}

/// The element type of an array, from its Hive spelling (lower case, no spaces), as
/// OpenMetadata's `ColumnTypeParser._parse_primitive_datatype_string` reads it.
fn hive_element_type(inner: &str) -> DataType {
    use DataType as D;
    let head: String = inner
        .split(['(', '<'])
        .next()
        .unwrap_or_default()
        .to_owned();
    match head.as_str() {
        "struct" => D::Struct,
        "array" => D::Array,
        "map" => D::Map,
        "tinyint" => D::Tinyint,
        "smallint" => D::Smallint,
        "integer" | "int" => D::Int,
        "bigint" => D::Bigint,
        "real" | "float" => D::Float,
        "double" => D::Double,
        "decimal" => D::Decimal,
        "boolean" => D::Boolean,
        "varchar" => D::Varchar,
        "char" => D::Char,
        "varbinary" => D::Varbinary,
        "json" => D::Json,
        "uuid" => D::Uuid,
        "date" => D::Date,
        "time" => D::Time,
        "timestamp" => D::Timestamp,
        // Whatever else the shared mapping knows by the same name (`string`, `text`…).
        other => match column_type(other).data_type {
            D::Unknown => D::Unknown,
            known => known,
        },
    }
}

/// OpenMetadata's Hive spelling of a type (`parse_row_data_type`, `parse_array_data_type`):
/// `row` → `struct<name:type,…>`, `array(t)` → `array<t>`, anything else as Trino spells it.
fn hive(ty: &Ty) -> String {
    match ty {
        Ty::Array(e) => format!("array<{}>", hive(e)),
        Ty::Row(fields) => {
            let named = field_names(fields);
            let parts: Vec<String> = named
                .iter()
                .zip(fields)
                .map(|(name, (_, t))| format!("{name}:{}", hive(t)))
                .collect();
            format!("struct<{}>", parts.join(","))
        }
        Ty::Map(spelling) => spelling.clone(),
        Ty::Simple(name, args) => spell(name, args),
    }
}

/// `name(args)` with the time-zone suffix where it belongs (`timestamp(3) with time zone`).
fn spell(name: &str, args: &[String]) -> String {
    let (base, suffix) = match name.strip_suffix(" with time zone") {
        Some(base) => (base, " with time zone"),
        None => (name, ""),
    };
    if args.is_empty() {
        format!("{base}{suffix}")
    } else {
        format!("{base}({}){suffix}", args.join(", "))
    }
}

/// The names of a row's fields: as written, or `field<position>` (suffixed `_1`, `_2`… until no
/// field has it) for an unnamed one, as OpenMetadata's `resolve_field_names` does.
fn field_names(fields: &[(Option<String>, Ty)]) -> Vec<String> {
    let mut taken: Vec<String> = fields.iter().filter_map(|(n, _)| n.clone()).collect();
    let mut names = Vec::new();
    for (position, (name, _)) in fields.iter().enumerate() {
        let name = match name {
            Some(n) => n.clone(),
            None => {
                let base = format!("field{}", position + 1);
                let mut candidate = base.clone();
                let mut suffix = 1;
                while taken.contains(&candidate) {
                    candidate = format!("{base}_{suffix}");
                    suffix += 1;
                }
                taken.push(candidate.clone());
                candidate
            }
        };
        names.push(name);
    }
    names
}

/// Parses a Trino type spelling; `None` for what is not one.
fn parse(spelling: &str) -> Option<Ty> {
    let s = spelling.trim();
    let lower = s.to_ascii_lowercase();
    let (name, rest) = match s.find('(') {
        Some(open) => (lower[..open].trim().to_owned(), Some(&s[open..])),
        None => (lower.clone(), None),
    };
    let Some(rest) = rest else {
        return Some(Ty::Simple(name, Vec::new()));
    };
    let close = matching_paren(rest)?;
    let inner = &rest[1..close];
    let after = rest[close + 1..].trim().to_ascii_lowercase();
    match name.as_str() {
        "array" if after.is_empty() => Some(Ty::Array(Box::new(parse(inner)?))),
        "map" if after.is_empty() => Some(Ty::Map(s.to_owned())),
        "row" if after.is_empty() => {
            let fields = split_top(inner)
                .into_iter()
                .map(|f| row_field(&f))
                .collect::<Option<Vec<_>>>()?;
            Some(Ty::Row(fields))
        }
        _ => {
            let name = if after.is_empty() {
                name
            } else {
                format!("{name} {after}")
            };
            Some(Ty::Simple(name, split_top(inner)))
        }
    }
}

/// One field of a row: `"name" type` (names quoted, `""` for a quote), `name type` (older
/// Trinos), or a bare type.
fn row_field(field: &str) -> Option<(Option<String>, Ty)> {
    let field = field.trim();
    if let Some(rest) = field.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|(_, c)| *c) == Some('"') {
                    name.push('"');
                    chars.next();
                    continue;
                }
                return Some((Some(name), parse(&rest[i + 1..])?));
            }
            name.push(c);
        }
        return None;
    }
    // `name type`, unless what follows the first word continues a type (`timestamp(3) with time
    // zone`, `interval day to second`, `double precision`).
    if let Some((first, second)) = field.split_once(char::is_whitespace) {
        let second = second.trim();
        let lower = second.to_ascii_lowercase();
        let continues = [
            "with time zone",
            "without time zone",
            "day to second",
            "year to month",
            "precision",
        ]
        .iter()
        .any(|c| lower == *c);
        if !first.contains('(') && !continues {
            return Some((Some(first.to_owned()), parse(second)?));
        }
    }
    Some((None, parse(field)?))
}

/// The index of the `)` closing the `(` that `text` starts with.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits at commas outside parentheses and double quotes; each part trimmed.
fn split_top(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut current) = (0usize, false, String::new());
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                parts.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_owned());
    }
    parts
}

/// A view's definition as OpenMetadata's connector makes it (`get_view_definition`): the text of
/// `information_schema.views` prefixed with `CREATE VIEW "catalog"."schema"."view" AS ` unless it
/// already holds a `CREATE [OR REPLACE] VIEW`.
pub fn view_definition(catalog: &str, schema: &str, view: &str, text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let creates = words.windows(2).any(|w| w[0] == "CREATE" && w[1] == "VIEW")
        || words
            .windows(4)
            .any(|w| w == ["CREATE", "OR", "REPLACE", "VIEW"]);
    if creates {
        return text.to_owned();
    }
    let q = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
    format!(
        "CREATE VIEW {}.{}.{} AS {text}",
        q(catalog),
        q(schema),
        q(view)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType as D;

    /// OpenMetadata's fields for each spelling, as `metadata ingest`'s column handling wrote them
    /// (openmetadata-ingestion 2.0.7.0 with trino 0.340.0): type, display, array element type,
    /// length, precision, scale.
    #[allow(clippy::type_complexity)]
    const OPENMETADATA: &[(&str, D, &str, Option<D>, Option<u32>, Option<(u32, u32)>)] = &[
        ("boolean", D::Boolean, "boolean", None, None, None),
        ("tinyint", D::Smallint, "tinyint", None, None, None),
        ("smallint", D::Smallint, "smallint", None, None, None),
        ("integer", D::Int, "integer", None, None, None),
        ("bigint", D::Bigint, "bigint", None, None, None),
        ("real", D::Float, "real", None, None, None),
        ("double", D::Double, "double", None, None, None),
        (
            "decimal(10,2)",
            D::Decimal,
            "decimal(10,2)",
            None,
            None,
            Some((10, 2)),
        ),
        (
            "decimal(38,0)",
            D::Decimal,
            "decimal(38,0)",
            None,
            None,
            Some((38, 0)),
        ),
        (
            "decimal(5,0)",
            D::Decimal,
            "decimal(5,0)",
            None,
            None,
            Some((5, 0)),
        ),
        ("varchar", D::Varchar, "varchar", None, Some(1), None),
        (
            "varchar(20)",
            D::Varchar,
            "varchar(20)",
            None,
            Some(20),
            None,
        ),
        ("char(3)", D::Char, "char(3)", None, Some(3), None),
        ("char", D::Char, "char", None, Some(1), None),
        ("varbinary", D::Varbinary, "varbinary", None, Some(1), None),
        ("json", D::Json, "json", None, None, None),
        ("date", D::Date, "date", None, None, None),
        ("time(3)", D::Time, "time(3)", None, None, None),
        (
            "time(3) with time zone",
            D::Time,
            "time(3) with time zone",
            None,
            None,
            None,
        ),
        (
            "timestamp(3)",
            D::Timestamp,
            "timestamp(3)",
            None,
            None,
            None,
        ),
        (
            "timestamp(6)",
            D::Timestamp,
            "timestamp(6)",
            None,
            None,
            None,
        ),
        (
            "timestamp(3) with time zone",
            D::Timestamp,
            "timestamp(3) with time zone",
            None,
            None,
            None,
        ),
        (
            "interval year to month",
            D::Null,
            "interval year to month",
            None,
            None,
            None,
        ),
        (
            "interval day to second",
            D::Null,
            "interval day to second",
            None,
            None,
            None,
        ),
        ("uuid", D::Char, "uuid", None, Some(1), None),
        ("ipaddress", D::Null, "ipaddress", None, None, None),
        ("hyperloglog", D::Null, "hyperloglog", None, None, None),
        ("geometry", D::Null, "geometry", None, None, None),
        (
            "qdigest(bigint)",
            D::Null,
            "qdigest(bigint)",
            None,
            None,
            None,
        ),
        (
            "map(varchar, integer)",
            D::Map,
            "map(varchar, integer)",
            None,
            None,
            None,
        ),
        (
            "map(varchar, array(integer))",
            D::Map,
            "map(varchar, array(integer))",
            None,
            None,
            None,
        ),
        (
            "array(varchar)",
            D::Array,
            "array<varchar>",
            Some(D::Varchar),
            None,
            None,
        ),
        (
            "array(integer)",
            D::Array,
            "array<integer>",
            Some(D::Int),
            None,
            None,
        ),
        (
            "array(tinyint)",
            D::Array,
            "array<tinyint>",
            Some(D::Tinyint),
            None,
            None,
        ),
        (
            "array(smallint)",
            D::Array,
            "array<smallint>",
            Some(D::Smallint),
            None,
            None,
        ),
        (
            "array(real)",
            D::Array,
            "array<real>",
            Some(D::Float),
            None,
            None,
        ),
        (
            "array(decimal(10,2))",
            D::Array,
            "array<decimal(10,2)>",
            Some(D::Decimal),
            None,
            None,
        ),
        (
            "array(varchar(10))",
            D::Array,
            "array<varchar(10)>",
            Some(D::Varchar),
            None,
            None,
        ),
        (
            "array(char(2))",
            D::Array,
            "array<char(2)>",
            Some(D::Char),
            None,
            None,
        ),
        (
            "array(timestamp(3) with time zone)",
            D::Array,
            "array<timestamp(3)withtimezone>",
            Some(D::Timestamp),
            None,
            None,
        ),
        (
            "array(time(3))",
            D::Array,
            "array<time(3)>",
            Some(D::Time),
            None,
            None,
        ),
        (
            "array(date)",
            D::Array,
            "array<date>",
            Some(D::Date),
            None,
            None,
        ),
        (
            "array(json)",
            D::Array,
            "array<json>",
            Some(D::Json),
            None,
            None,
        ),
        (
            "array(uuid)",
            D::Array,
            "array<uuid>",
            Some(D::Uuid),
            None,
            None,
        ),
        (
            "array(varbinary)",
            D::Array,
            "array<varbinary>",
            Some(D::Varbinary),
            None,
            None,
        ),
        (
            "array(boolean)",
            D::Array,
            "array<boolean>",
            Some(D::Boolean),
            None,
            None,
        ),
        (
            "array(map(varchar, integer))",
            D::Array,
            "array<map(varchar,integer)>",
            Some(D::Map),
            None,
            None,
        ),
        (
            "array(interval day to second)",
            D::Array,
            "array<intervaldaytosecond>",
            Some(D::Unknown),
            None,
            None,
        ),
        (
            "array(ipaddress)",
            D::Array,
            "array<ipaddress>",
            Some(D::Unknown),
            None,
            None,
        ),
        (
            "array(array(bigint))",
            D::Array,
            "array<array<bigint>>",
            Some(D::Array),
            None,
            None,
        ),
        (
            "array(row(\"a\" integer, \"b\" varchar))",
            D::Array,
            "array<struct<a:integer,b:varchar>>",
            Some(D::Struct),
            None,
            None,
        ),
        (
            "array(row(integer, varchar))",
            D::Array,
            "array<struct<field1:integer,field2:varchar>>",
            Some(D::Struct),
            None,
            None,
        ),
        (
            "row(\"a\" integer, \"b\" varchar(10))",
            D::Struct,
            "struct<a:integer,b:varchar(10)>",
            None,
            None,
            None,
        ),
        (
            "row(\"x\" row(\"y\" double), \"z\" array(varchar))",
            D::Struct,
            "struct<x:struct<y:double>,z:array<varchar>>",
            None,
            None,
            None,
        ),
        (
            "row(bigint, varchar)",
            D::Struct,
            "struct<field1:bigint,field2:varchar>",
            None,
            None,
            None,
        ),
        (
            "row(\"MyField\" integer, \"t\" timestamp(3) with time zone)",
            D::Struct,
            "struct<myfield:integer,t:timestamp(3)withtimezone>",
            None,
            None,
            None,
        ),
        (
            "row(a integer, b varchar)",
            D::Struct,
            "struct<a:integer,b:varchar>",
            None,
            None,
            None,
        ),
        (
            "row(bigint, \"field1\" varchar)",
            D::Struct,
            "struct<field1_1:bigint,field1:varchar>",
            None,
            None,
            None,
        ),
        (
            "row(\"a b\" integer, \"q\"\"x\" varchar)",
            D::Struct,
            "struct<ab:integer,q\"x:varchar>",
            None,
            None,
            None,
        ),
    ];

    #[test]
    fn types_as_openmetadata_reads_them() {
        for (spelling, data_type, display, element, length, numeric) in OPENMETADATA {
            let (t, shown) = trino_column_type(spelling);
            assert_eq!(
                (
                    t.data_type,
                    shown.as_str(),
                    t.array_data_type,
                    t.data_length
                ),
                (*data_type, *display, *element, *length),
                "{spelling}"
            );
            assert_eq!(t.precision.zip(t.scale), *numeric, "{spelling}");
        }
    }

    #[test]
    fn odd_spellings_do_not_panic() {
        for s in [
            "",
            "(",
            "row(",
            "array()",
            "map(",
            "row(\"unterminated integer)",
            "varchar(x)",
        ] {
            let _ = trino_column_type(s);
        }
        assert_eq!(trino_column_type("VARCHAR(7)").0.data_length, Some(7));
    }

    #[test]
    fn view_definitions_get_a_create_view() {
        assert_eq!(
            view_definition("shop", "sales", "v\"1", "SELECT 1"),
            "CREATE VIEW \"shop\".\"sales\".\"v\"\"1\" AS SELECT 1"
        );
        let full = "create or replace view x as select 1";
        assert_eq!(view_definition("c", "s", "x", full), full);
        let full = "CREATE VIEW c.s.x SECURITY DEFINER AS\nSELECT 1";
        assert_eq!(view_definition("c", "s", "x", full), full);
    }
}
