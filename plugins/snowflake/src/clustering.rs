//! A table's clustering key as its partition details, as OpenMetadata's Snowflake connector
//! reads it: `INFORMATION_SCHEMA.TABLES.CLUSTERING_KEY` (`LINEAR(REGION, TO_DATE(CREATED_AT))`)
//! parsed for the column names it mentions — a function's own name and string literals are not
//! columns — each matched to the table's columns case-insensitively (the table's spelling wins, a
//! name matching no column is dropped), as `COLUMN-VALUE` partitions without an interval.

use omrun_sdk::types::{Column, PartitionColumn, PartitionIntervalType};

/// The partition columns of a table clustered by `key`.
pub fn partitions(key: &str, columns: &[Column]) -> Vec<PartitionColumn> {
    names(key)
        .into_iter()
        .filter_map(|name| {
            columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(&name))
                .map(|c| PartitionColumn {
                    column: c.name.clone(),
                    interval_type: PartitionIntervalType::ColumnValue,
                    interval: None,
                })
        })
        .collect()
}

/// The identifiers of a clustering-key expression that are not called as functions, in order:
/// bare (`REGION`) or double-quoted (`"Created At"`, `""` standing for `"`).
fn names(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        let name = match c {
            '\'' => {
                // A string literal: skipped whole (`''` is a quote inside it).
                while let Some(c) = chars.next() {
                    if c == '\'' && chars.next_if_eq(&'\'').is_none() {
                        break;
                    }
                }
                continue;
            }
            '"' => {
                let mut name = String::new();
                while let Some(c) = chars.next() {
                    if c == '"' && chars.next_if_eq(&'"').is_none() {
                        break;
                    }
                    name.push(c);
                }
                name
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut name = String::from(c);
                while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                {
                    name.push(c);
                }
                name
            }
            _ => continue,
        };
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek() != Some(&'(') && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::types::DataType;

    fn column(name: &str) -> Column {
        Column {
            name: name.into(),
            data_type: DataType::Int,
            data_type_display: "NUMBER".into(),
            array_data_type: None,
            data_length: None,
            precision: None,
            scale: None,
            nullable: true,
            ordinal_position: 1,
            description: None,
            parent: None,
            tags: Vec::new(),
        }
    }

    #[test]
    fn names_are_the_identifiers_not_called() {
        assert_eq!(
            names("LINEAR(REGION, CUSTOMER_ID)"),
            ["REGION", "CUSTOMER_ID"]
        );
        assert_eq!(
            names("LINEAR(TO_DATE(created_at), DATE_TRUNC('DAY', \"Event Time\"))"),
            ["created_at", "Event Time"]
        );
        assert_eq!(names("LINEAR(SUBSTRING(x, 1, 3), x)"), ["x"]);
        assert_eq!(names("LINEAR('it''s', \"a\"\"b\")"), ["a\"b"]);
    }

    #[test]
    fn partitions_take_the_tables_spelling_and_drop_what_is_no_column() {
        let columns = [column("REGION"), column("CREATED_AT"), column("Event Time")];
        let got = partitions(
            "LINEAR(region, TO_DATE(created_at), \"Event Time\", nope)",
            &columns,
        );
        let names: Vec<&str> = got.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(names, ["REGION", "CREATED_AT", "Event Time"]);
        assert!(
            got.iter()
                .all(|p| p.interval_type == PartitionIntervalType::ColumnValue
                    && p.interval.is_none())
        );
        assert!(partitions("LINEAR()", &columns).is_empty());
    }
}
