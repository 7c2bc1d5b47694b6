//! The database tables a dataset (data model) reads, for OpenMetadata's table → data model lineage.
//!
//! As OpenMetadata's Superset API connector (`_get_input_tables`, `_get_datasource_fqn`): a
//! physical dataset reads its own table (database: the one its Superset database connects to;
//! schema and table: the dataset's), column for column; a virtual dataset reads the tables its SQL
//! names. OpenMetadata parses that SQL with its full lineage parser (collate-sqllineage, with
//! column lineage); omrun reads the tables after `FROM` and `JOIN` (quoted or not, one to three
//! dotted parts, common table expressions left out, subqueries looked into) and gives no column
//! pairs for them.

use omrun_sdk::types::UpstreamTable;

/// The tables a dataset reads: `sql` for a virtual one, else its own `schema.table`. `database`
/// is the database its connection names; `columns` the data model's column names.
pub fn upstream(
    database: Option<&str>,
    schema: Option<&str>,
    table: Option<&str>,
    sql: Option<&str>,
    columns: &[String],
) -> Vec<UpstreamTable> {
    let owned = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(sql) = sql.filter(|s| !s.trim().is_empty()) {
        return tables_of(sql)
            .into_iter()
            .map(|parts| {
                let mut parts = parts.into_iter().rev();
                let table = parts.next().unwrap_or_default();
                let in_schema = parts.next();
                let in_database = parts.next();
                UpstreamTable::new(
                    in_database.or_else(|| owned(database)),
                    in_schema.or_else(|| owned(schema)),
                    table,
                )
            })
            .collect();
    }
    match owned(table) {
        Some(table) => vec![
            UpstreamTable::new(owned(database), owned(schema), table)
                .with_columns(columns.iter().map(|c| (c.clone(), c.clone()))),
        ],
        None => Vec::new(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    /// A quoted identifier, without its quotes.
    Quoted(String),
    Dot,
    Open,
    Close,
    Comma,
    Other,
}

/// The SQL's tokens, without comments and string literals.
fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            '\'' => {
                i += 1;
                while i < chars.len() {
                    if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                    } else if chars[i] == '\'' {
                        break;
                    } else {
                        i += 1;
                    }
                }
                i += 1;
                out.push(Token::Other);
            }
            '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let start = i + 1;
                i = start;
                while i < chars.len() && chars[i] != close {
                    i += 1;
                }
                out.push(Token::Quoted(
                    chars[start..i.min(chars.len())].iter().collect(),
                ));
                i += 1;
            }
            '.' => {
                out.push(Token::Dot);
                i += 1;
            }
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
                {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                out.push(Token::Other);
                i += 1;
            }
        }
    }
    out
}

fn is_kw(t: Option<&Token>, kw: &str) -> bool {
    matches!(t, Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
}

fn name(t: Option<&Token>) -> Option<String> {
    match t {
        Some(Token::Word(w)) => Some(w.clone()),
        Some(Token::Quoted(q)) => Some(q.clone()),
        _ => None,
    }
}

/// The dotted names after `FROM`, `JOIN` and the commas of a `FROM` list, each as its parts, in
/// order of appearance, each once; names of common table expressions (`WITH x AS (…)`) are not
/// tables.
fn tables_of(sql: &str) -> Vec<Vec<String>> {
    let t = tokens(sql);
    let mut ctes = Vec::new();
    for i in 0..t.len() {
        // `WITH x AS (` and `, y AS (`
        if (is_kw(t.get(i), "with") || t.get(i) == Some(&Token::Comma))
            && is_kw(t.get(i + 2), "as")
            && t.get(i + 3) == Some(&Token::Open)
            && let Some(n) = name(t.get(i + 1))
        {
            ctes.push(n.to_lowercase());
        }
    }
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut depth = 0usize;
    // The bracket depth of the `FROM` list being read, if any: its commas start tables too.
    let mut from_at: Option<usize> = None;
    let mut i = 0;
    while i < t.len() {
        let starts = is_kw(t.get(i), "from")
            || is_kw(t.get(i), "join")
            || (from_at == Some(depth) && t.get(i) == Some(&Token::Comma));
        if !starts {
            match t.get(i) {
                Some(Token::Open) => depth += 1,
                Some(Token::Close) => {
                    depth = depth.saturating_sub(1);
                    if from_at.is_some_and(|d| d > depth) {
                        from_at = None;
                    }
                }
                Some(Token::Word(w))
                    if from_at == Some(depth)
                        && [
                            "where",
                            "group",
                            "order",
                            "having",
                            "limit",
                            "union",
                            "window",
                            "qualify",
                            "intersect",
                            "except",
                        ]
                        .iter()
                        .any(|k| w.eq_ignore_ascii_case(k)) =>
                {
                    from_at = None;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        from_at = Some(depth);
        let mut j = i + 1;
        let mut parts = Vec::new();
        while let Some(part) = name(t.get(j)) {
            parts.push(part);
            if t.get(j + 1) == Some(&Token::Dot) {
                j += 2;
            } else {
                j += 1;
                break;
            }
        }
        let is_table = !parts.is_empty()
            && parts.len() <= 3
            // `FROM generate_series(…)`: a function, not a table.
            && t.get(j) != Some(&Token::Open)
            && !(parts.len() == 1 && ctes.contains(&parts[0].to_lowercase()))
            && !(parts.len() == 1 && is_kw(t.get(i + 1), "lateral"));
        if is_table && !out.contains(&parts) {
            out.push(parts);
        }
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(database: Option<&str>, schema: Option<&str>, table: &str) -> UpstreamTable {
        UpstreamTable::new(database.map(Into::into), schema.map(Into::into), table)
    }

    #[test]
    fn a_physical_dataset_reads_its_table_column_for_column() {
        let got = upstream(
            Some("shop"),
            Some("sales"),
            Some("orders"),
            None,
            &["id".into(), "amount".into()],
        );
        assert_eq!(
            got,
            [up(Some("shop"), Some("sales"), "orders").with_columns([
                ("id".into(), "id".into()),
                ("amount".into(), "amount".into())
            ])]
        );
        assert!(upstream(None, None, None, Some("  "), &[]).is_empty());
    }

    #[test]
    fn a_virtual_dataset_reads_the_tables_its_sql_names() {
        let sql = "SELECT customer, sum(amount) AS total\nFROM shop.orders\nGROUP BY customer";
        assert_eq!(
            upstream(Some("db1"), Some("public"), Some("totals"), Some(sql), &[]),
            [up(Some("db1"), Some("shop"), "orders")]
        );
        // Unqualified: the dataset's schema; three parts: their own database.
        let sql = r#"select * from Orders o, customers c JOIN "Sales"."Line Items" l ON o.id = l.order_id
                     left join other.s.t using (id) where x = 'from nowhere'"#;
        assert_eq!(
            upstream(Some("db1"), Some("public"), None, Some(sql), &[]),
            [
                up(Some("db1"), Some("public"), "Orders"),
                up(Some("db1"), Some("public"), "customers"),
                up(Some("db1"), Some("Sales"), "Line Items"),
                up(Some("other"), Some("s"), "t"),
            ]
        );
    }

    #[test]
    fn ctes_subqueries_functions_and_comments() {
        let sql = "WITH recent AS (SELECT * FROM shop.orders WHERE d > now()), b AS (SELECT 1)
                   -- FROM commented.out
                   SELECT * FROM recent JOIN (SELECT id FROM shop.customers) c ON true
                   /* JOIN hidden.t */ CROSS JOIN generate_series(1, 3) g, b";
        assert_eq!(
            upstream(None, Some("s"), None, Some(sql), &[]),
            [
                up(None, Some("shop"), "orders"),
                up(None, Some("shop"), "customers")
            ]
        );
    }
}
