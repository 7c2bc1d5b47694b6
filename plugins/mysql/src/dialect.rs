//! What is particular to MySQL's spelling of things, kept pure so it is tested natively: column
//! types, JSON columns in MariaDB, partition expressions, and expanding a name list into `?`s.

use omrun_common_db::column_type::{ColumnType, column_type};
use omrun_sdk::types::{DataType, PartitionColumn, PartitionIntervalType};

/// `sql` with `{names}` replaced by `n` placeholders (at least one: `IN ()` is a syntax error,
/// and a batch never asks about nothing).
pub fn names_in(sql: &str, n: usize) -> String {
    let marks = vec!["?"; n.max(1)].join(", ");
    sql.replace("{names}", &marks)
}

/// OpenMetadata's type of a MySQL `COLUMN_TYPE`. `tinyint(1)` is how MySQL stores `BOOL`, and
/// MariaDB's `JSON` is a `LONGTEXT` checked by `json_valid` (`is_json`).
pub fn mysql_column_type(spelling: &str, is_json: bool) -> ColumnType {
    let lower = spelling.trim().to_ascii_lowercase();
    if is_json || lower == "json" {
        return ColumnType {
            data_type: DataType::Json,
            ..column_type("json")
        };
    }
    if lower == "tinyint(1)" || lower == "tinyint(1) unsigned" {
        return column_type("boolean");
    }
    column_type(&lower)
}

/// The column a `CHECK_CLAUSE` like ``json_valid(`doc`)`` makes a JSON column.
pub fn json_checked_column(check_clause: &str) -> Option<String> {
    let inner = check_clause
        .trim()
        .strip_prefix("json_valid(")?
        .strip_suffix(')')?;
    let names = identifiers(inner);
    match names.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
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

    #[test]
    fn mysql_types() {
        assert_eq!(mysql_column_type("tinyint(1)", false).data_type, D::Boolean);
        assert_eq!(mysql_column_type("tinyint(4)", false).data_type, D::Tinyint);
        assert_eq!(
            mysql_column_type("int(10) unsigned", false).data_type,
            D::Int
        );
        assert_eq!(
            mysql_column_type("bigint(20) unsigned", false).data_type,
            D::Bigint
        );
        assert_eq!(mysql_column_type("enum('a','b')", false).data_type, D::Enum);
        assert_eq!(mysql_column_type("set('x','y')", false).data_type, D::Set);
        assert_eq!(mysql_column_type("json", false).data_type, D::Json);
        assert_eq!(mysql_column_type("longtext", true).data_type, D::Json);
        assert_eq!(mysql_column_type("longtext", false).data_type, D::Text);
        let decimal = mysql_column_type("decimal(10,2)", false);
        assert_eq!(
            (decimal.data_type, decimal.precision, decimal.scale),
            (D::Decimal, Some(10), Some(2))
        );
        let varchar = mysql_column_type("varchar(64)", false);
        assert_eq!(
            (varchar.data_type, varchar.data_length),
            (D::Varchar, Some(64))
        );
        assert_eq!(
            mysql_column_type("datetime(6)", false).data_type,
            D::Datetime
        );
        assert_eq!(mysql_column_type("year(4)", false).data_type, D::Year);
        assert_eq!(mysql_column_type("point", false).data_type, D::Point);
        assert_eq!(
            mysql_column_type("mediumblob", false).data_type,
            D::Mediumblob
        );
    }

    #[test]
    fn json_checks() {
        assert_eq!(
            json_checked_column("json_valid(`doc`)").as_deref(),
            Some("doc")
        );
        assert_eq!(
            json_checked_column("json_valid(`a b`)").as_deref(),
            Some("a b")
        );
        assert_eq!(json_checked_column("`x` > 0"), None);
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
