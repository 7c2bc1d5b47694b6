//! What is particular to MySQL's spelling of things, kept pure so it is tested natively: column
//! types as OpenMetadata's connector reads them, partition expressions, and expanding a name list into `?`s.

use omrun_common_db::column_type::{ColumnType, column_type};
use omrun_sdk::types::{DataType, PartitionColumn, PartitionIntervalType};

/// `sql` with `{names}` replaced by `n` placeholders (at least one: `IN ()` is a syntax error,
/// and a batch never asks about nothing).
pub fn names_in(sql: &str, n: usize) -> String {
    let marks = vec!["?"; n.max(1)].join(", ");
    sql.replace("{names}", &marks)
}

/// OpenMetadata's type fields and `dataTypeDisplay` of a MySQL `COLUMN_TYPE`, as its own
/// connector gets them: SQLAlchemy's MySQL dialect parses the type into an object
/// (`mysql/utils.py` `parse_column`) and OpenMetadata prints that object back
/// (`get_display_datatype`). So display widths, `unsigned`/`zerofill` and fractional seconds are
/// gone (`int(11) unsigned` → `int`, `datetime(3)` → `datetime`), `tinyint(1)` is a TINYINT
/// (not a boolean), an ENUM or SET shows its longest value's length (`enum('s','xl')` →
/// `enum(2)`), MariaDB's JSON, a LONGTEXT with a `json_valid` check, is the LONGTEXT it is, and a
/// type SQLAlchemy's registry lacks (MariaDB's `inet6`) is `NULL`, shown by its name alone.
pub fn mysql_column_type(spelling: &str) -> (ColumnType, String) {
    let mut spelling = spelling.trim().to_ascii_lowercase();
    for modifier in [" zerofill", " unsigned", " signed"] {
        if let Some(kept) = spelling.strip_suffix(modifier) {
            spelling = kept.trim_end().to_owned();
        }
    }
    let (word, args) = match spelling.split_once('(') {
        Some((word, rest)) => (word.trim(), rest.strip_suffix(')').unwrap_or(rest)),
        None => (spelling.as_str(), ""),
    };
    let mut mapped = column_type(&spelling);
    // Every type of SQLAlchemy's MySQL registry (`ischema_names`) is one the shared mapping
    // knows: what it does not know, the registry lacks too.
    if mapped.data_type == DataType::Unknown {
        mapped.data_type = DataType::Null;
        return (mapped, word.to_owned());
    }
    let display = match word {
        // Types whose argument SQLAlchemy keeps as a display width or a precision of seconds,
        // which OpenMetadata does not print.
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "year" | "time"
        | "datetime" | "timestamp" => word.to_owned(),
        "enum" | "set" => match quoted_values(args).iter().map(|v| v.chars().count()).max() {
            Some(longest) if longest > 0 => format!("{word}({longest})"),
            _ => word.to_owned(),
        },
        _ => spelling.clone(),
    };
    (mapped, display)
}

/// The values of an ENUM's or SET's argument list (`'a','it''s'`), unquoted.
fn quoted_values(args: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut chars = args.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                // `''` inside quotes is one quote; a lone `'` ends the value.
                '\'' if chars.peek() == Some(&'\'') => {
                    value.push('\'');
                    chars.next();
                }
                '\'' => break,
                c => value.push(c),
            }
        }
        values.push(value);
    }
    values
}

/// The partition key of a table from `PARTITIONS.PARTITION_METHOD` and `PARTITION_EXPRESSION`;
/// `type_of` gives a column's OpenMetadata type. An expression over a function of a date
/// (``year(`created`)``, ``to_days(`d`)``) partitions by time.
pub fn partition_columns(
    method: &str,
    expression: &str,
    type_of: impl Fn(&str) -> Option<DataType>,
) -> Vec<PartitionColumn> {
    let method = method.to_ascii_uppercase();
    let columns = identifiers(expression);
    let over_function = expression.contains('(');
    columns
        .into_iter()
        .map(|column| {
            let interval_type = if method.starts_with("RANGE") {
                match type_of(&column) {
                    _ if over_function => PartitionIntervalType::TimeUnit,
                    Some(
                        DataType::Date | DataType::Datetime | DataType::Timestamp | DataType::Year,
                    ) => PartitionIntervalType::TimeUnit,
                    Some(
                        DataType::Int
                        | DataType::Bigint
                        | DataType::Smallint
                        | DataType::Tinyint
                        | DataType::Decimal,
                    ) => PartitionIntervalType::IntegerRange,
                    _ => PartitionIntervalType::Other,
                }
            } else {
                // LIST, HASH and KEY partitions hold whole values of the key.
                PartitionIntervalType::ColumnValue
            };
            PartitionColumn {
                column,
                interval_type,
                interval: None,
            }
        })
        .collect()
}

/// The column names in an expression: every `` `quoted` `` name, or, when nothing is quoted, the
/// bare words that are not function names (``a,b`` or ``id``).
fn identifiers(expression: &str) -> Vec<String> {
    let quoted: Vec<String> = expression
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    if !quoted.is_empty() || expression.contains('`') {
        return quoted;
    }
    let mut names = Vec::new();
    let mut rest = expression;
    while let Some(start) = rest.find(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
        rest = &rest[start..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        let is_function = rest.trim_start().starts_with('(');
        if !is_function && !word.chars().all(|c| c.is_ascii_digit()) {
            names.push(word.to_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType as D;
    use PartitionIntervalType as P;

    #[test]
    fn placeholders() {
        assert_eq!(names_in("x IN ({names})", 3), "x IN (?, ?, ?)");
        assert_eq!(names_in("x IN ({names})", 0), "x IN (?)");
    }

    /// Type, display and the length and precision fields, as OpenMetadata's MySQL and MariaDB
    /// connectors wrote them for `tests/fixtures/mysql_catalog.sql` (captured from
    /// openmetadata-ingestion 2.0.7.0).
    #[test]
    fn types_as_openmetadata_reads_them() {
        let m = |s: &str| {
            let (t, display) = mysql_column_type(s);
            (t.data_type, display)
        };
        assert_eq!(m("int(11)"), (D::Int, "int".into()));
        assert_eq!(m("int(10) unsigned"), (D::Int, "int".into()));
        assert_eq!(m("tinyint(1)"), (D::Tinyint, "tinyint".into()));
        assert_eq!(m("tinyint(4)"), (D::Tinyint, "tinyint".into()));
        assert_eq!(m("smallint(5) unsigned"), (D::Smallint, "smallint".into()));
        assert_eq!(m("mediumint(9)"), (D::Int, "mediumint".into()));
        assert_eq!(
            m("bigint(20) unsigned zerofill"),
            (D::Bigint, "bigint".into())
        );
        assert_eq!(m("datetime(3)"), (D::Datetime, "datetime".into()));
        assert_eq!(m("datetime"), (D::Datetime, "datetime".into()));
        assert_eq!(m("time(3)"), (D::Time, "time".into()));
        assert_eq!(m("timestamp(6)"), (D::Timestamp, "timestamp".into()));
        assert_eq!(m("year(4)"), (D::Year, "year".into()));
        assert_eq!(m("enum('s','m','xl')"), (D::Enum, "enum(2)".into()));
        assert_eq!(m("enum('eu','us','apac')"), (D::Enum, "enum(4)".into()));
        assert_eq!(m("set('gift','express')"), (D::Set, "set(7)".into()));
        assert_eq!(m("enum('it''s','a')"), (D::Enum, "enum(4)".into()));
        assert_eq!(m("enum('')"), (D::Enum, "enum".into()));
        // MariaDB's JSON is a LONGTEXT; MySQL's is JSON.
        assert_eq!(m("longtext"), (D::Text, "longtext".into()));
        assert_eq!(m("json"), (D::Json, "json".into()));
        assert_eq!(m("tinytext"), (D::Text, "tinytext".into()));
        assert_eq!(m("mediumtext"), (D::Mediumtext, "mediumtext".into()));
        assert_eq!(m("tinyblob"), (D::Blob, "tinyblob".into()));
        assert_eq!(m("longblob"), (D::Longblob, "longblob".into()));
        assert_eq!(m("float(7,4)"), (D::Float, "float(7,4)".into()));
        assert_eq!(m("double"), (D::Double, "double".into()));
        assert_eq!(m("bit(8)"), (D::Bit, "bit(8)".into()));
        assert_eq!(m("point"), (D::Geometry, "point".into()));
        assert_eq!(m("geometry"), (D::Geometry, "geometry".into()));
        assert_eq!(m("char(1)"), (D::Char, "char(1)".into()));
        assert_eq!(m("inet6"), (D::Null, "inet6".into()));
        assert_eq!(m("vector(3)"), (D::Null, "vector".into()));
        assert_eq!(m("uuid"), (D::Uuid, "uuid".into()));

        let (decimal, display) = mysql_column_type("decimal(10,2) unsigned");
        assert_eq!(
            (decimal.data_type, decimal.precision, decimal.scale),
            (D::Decimal, Some(10), Some(2))
        );
        assert_eq!(display, "decimal(10,2)");
        let (float, _) = mysql_column_type("float(7,4)");
        assert_eq!(
            (float.precision, float.scale),
            (None, None),
            "OpenMetadata keeps no precision for FLOAT(p,s)"
        );
        let (varchar, display) = mysql_column_type("varchar(64)");
        assert_eq!(
            (varchar.data_type, varchar.data_length, display.as_str()),
            (D::Varchar, Some(64), "varchar(64)")
        );
        let (binary, _) = mysql_column_type("binary(16)");
        assert_eq!(binary.data_length, Some(16));
    }

    #[test]
    fn partitions() {
        let types = |c: &str| match c {
            "created" => Some(D::Date),
            "id" => Some(D::Int),
            "region" => Some(D::Varchar),
            _ => None,
        };
        let key = |m: &str, e: &str| -> Vec<(String, P)> {
            partition_columns(m, e, types)
                .into_iter()
                .map(|p| (p.column, p.interval_type))
                .collect()
        };
        assert_eq!(
            key("RANGE", "year(`created`)"),
            [("created".into(), P::TimeUnit)]
        );
        assert_eq!(key("RANGE", "`id`"), [("id".into(), P::IntegerRange)]);
        assert_eq!(
            key("RANGE COLUMNS", "`created`"),
            [("created".into(), P::TimeUnit)]
        );
        assert_eq!(
            key("LIST COLUMNS", "`region`"),
            [("region".into(), P::ColumnValue)]
        );
        assert_eq!(key("HASH", "`id`"), [("id".into(), P::ColumnValue)]);
        assert_eq!(
            key("KEY", "`id`,`region`"),
            [
                ("id".into(), P::ColumnValue),
                ("region".into(), P::ColumnValue)
            ]
        );
        assert_eq!(
            key("RANGE", "TO_DAYS(created)"),
            [("created".into(), P::TimeUnit)]
        );
        assert_eq!(key("RANGE", "id"), [("id".into(), P::IntegerRange)]);
        assert!(key("KEY", "").is_empty());
    }
}
