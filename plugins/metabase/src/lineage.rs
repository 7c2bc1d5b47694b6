//! The database tables a card reads, for lineage table → data model (OpenMetadata's connector
//! adds lineage table → chart and table → dashboard from the same two sources, in
//! `yield_dashboard_lineage_details`):
//!
//! - a query-builder card: the table of its `source-table` (`GET /api/table/{id}`: name, schema,
//!   and its database's name), and — where OpenMetadata's connector stops at the first, its
//!   TODO says so — the tables of its joins too; the columns of its `result_metadata` that come
//!   from each table, as (table column, model column) pairs;
//! - a native SQL card: the tables its SQL reads, found by [`sql_tables`]: the names after FROM
//!   and JOIN (comma lists too), CTE names and subqueries left out, `[[…]]` optional clauses
//!   removed first as OpenMetadata does. OpenMetadata hands the SQL to its lineage parser
//!   (sqlglot, then sqlfluff, then sqlparse); this finds what that finds for the plain SELECTs
//!   Metabase questions are, without columns. The database is the name in the SQL when it has
//!   three parts, else the Metabase database's (`details.db`, or `details.dbname`).

use omrun_sdk::types::UpstreamTable;

/// The tables a native query reads, as `[database?, schema?, table]` parts of the names written.
pub fn sql_tables(sql: &str) -> Vec<Vec<String>> {
    let sql = strip_optional_clauses(sql);
    let tokens = tokenize(&sql);
    let ctes = cte_names(&tokens);
    let mut found: Vec<Vec<String>> = Vec::new();
    // What each open parenthesis is: a function call's (FROM inside is EXTRACT's, SUBSTRING's…)
    // or a subquery's / grouping's.
    let mut parens: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Open => {
                let call = matches!(i.checked_sub(1).map(|p| &tokens[p]),
                    Some(Token::Word(w)) if !is_keyword(w));
                parens.push(call);
            }
            Token::Close => {
                parens.pop();
            }
            Token::Word(w) if is_kw(w, "from") || is_kw(w, "join") => {
                let in_call = parens.last().copied().unwrap_or(false);
                let after_distinct = matches!(i.checked_sub(1).map(|p| &tokens[p]),
                    Some(Token::Word(p)) if is_kw(p, "distinct"));
                if !in_call && !after_distinct {
                    let comma_list = is_kw(w, "from");
                    i = read_tables(&tokens, i + 1, comma_list, &mut found);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut out: Vec<Vec<String>> = Vec::new();
    for name in found {
        let is_cte = name.len() == 1 && ctes.iter().any(|c| c.eq_ignore_ascii_case(&name[0]));
        if !is_cte && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The upstream of a native query run on a database named `database`.
pub fn native_upstream(sql: &str, database: Option<&str>) -> Vec<UpstreamTable> {
    sql_tables(sql)
        .into_iter()
        .map(|parts| {
            let n = parts.len();
            let table = parts[n - 1].clone();
            let schema = (n >= 2).then(|| parts[n - 2].clone());
            let db = if n >= 3 {
                Some(parts[n - 3].clone())
            } else {
                database.map(str::to_owned)
            };
            UpstreamTable::new(db, schema, table)
        })
        .collect()
}

/// Reads table names from `i` (after FROM or JOIN): a dotted name, then — after a FROM — an
/// optional alias and more names after commas. Returns where to go on.
fn read_tables(
    tokens: &[Token],
    mut i: usize,
    comma_list: bool,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        // LATERAL, ONLY (PostgreSQL) before the name.
        while let Some(Token::Word(w)) = tokens.get(i)
            && (is_kw(w, "lateral") || is_kw(w, "only"))
        {
            i += 1;
        }
        let mut parts = Vec::new();
        loop {
            match tokens.get(i) {
                Some(Token::Word(w)) if parts.is_empty() && is_keyword(w) => break,
                Some(Token::Word(w)) | Some(Token::Quoted(w)) => {
                    parts.push(w.clone());
                    i += 1;
                }
                _ => break,
            }
            if matches!(tokens.get(i), Some(Token::Dot)) {
                i += 1;
            } else {
                break;
            }
        }
        // A function (`FROM generate_series(…)`, `FROM UNNEST(…)`) is no table.
        let function = matches!(tokens.get(i), Some(Token::Open));
        if !parts.is_empty() && !function {
            let n = parts.len();
            out.push(parts.split_off(n.saturating_sub(3)));
        }
        if !comma_list {
            return i;
        }
        // An alias: `t`, `AS t`.
        if matches!(tokens.get(i), Some(Token::Word(w)) if is_kw(w, "as")) {
            i += 1;
        }
        if matches!(tokens.get(i), Some(Token::Word(w)) if !is_keyword(w))
            || matches!(tokens.get(i), Some(Token::Quoted(_)))
        {
            i += 1;
        }
        if matches!(tokens.get(i), Some(Token::Comma)) {
            i += 1;
        } else {
            return i;
        }
    }
}

/// The names a WITH clause defines: `name [(columns)] AS (`.
fn cte_names(tokens: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let (Token::Word(name) | Token::Quoted(name)) = t else {
            continue;
        };
        let mut j = i + 1;
        if matches!(tokens.get(j), Some(Token::Open)) {
            // A column list: skip to its close.
            let mut depth = 0;
            while let Some(t) = tokens.get(j) {
                match t {
                    Token::Open => depth += 1,
                    Token::Close => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            j += 1;
        }
        let as_open = matches!(tokens.get(j), Some(Token::Word(w)) if is_kw(w, "as"))
            && matches!(tokens.get(j + 1), Some(Token::Open));
        let starts_cte = matches!(
            i.checked_sub(1).map(|p| &tokens[p]),
            Some(Token::Comma) | Some(Token::Word(_))
        );
        let after_with_or_comma = match i.checked_sub(1).map(|p| &tokens[p]) {
            Some(Token::Word(w)) => is_kw(w, "with") || is_kw(w, "recursive"),
            Some(Token::Comma) => true,
            _ => false,
        };
        if as_open && starts_cte && after_with_or_comma {
            out.push(name.clone());
        }
    }
    out
}

/// Metabase's optional clauses, `[[AND x = {{x}}]]`, removed (OpenMetadata's
/// `re.sub(r"\[\[.*?\]\]", "", query, flags=re.DOTALL)`).
fn strip_optional_clauses(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find("[[") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("]]") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A bare word: keyword or identifier.
    Word(String),
    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`), unquoted.
    Quoted(String),
    Dot,
    Comma,
    Open,
    Close,
    /// Anything else: operators, numbers, string literals, `{{variables}}`.
    Other,
}

fn tokenize(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let until = |from: usize, end: &str| -> usize {
        let end: Vec<char> = end.chars().collect();
        let mut j = from;
        while j < chars.len() {
            if chars[j..].starts_with(&end) {
                return j + end.len();
            }
            j += 1;
        }
        chars.len()
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => i += 1,
            '-' if next == Some('-') => i = until(i, "\n"),
            '/' if next == Some('*') => i = until(i + 2, "*/"),
            '{' if next == Some('{') => {
                i = until(i + 2, "}}");
                tokens.push(Token::Other);
            }
            '\'' => {
                // 'it''s': a doubled quote stays inside.
                let mut j = i + 1;
                while j < chars.len() {
                    if chars[j] == '\'' {
                        if chars.get(j + 1) == Some(&'\'') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                i = j + 1;
                tokens.push(Token::Other);
            }
            '"' | '`' | '[' => {
                let close = match c {
                    '[' => ']',
                    q => q,
                };
                let mut name = String::new();
                let mut j = i + 1;
                while j < chars.len() {
                    if chars[j] == close {
                        if close != ']' && chars.get(j + 1) == Some(&close) {
                            name.push(close);
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    name.push(chars[j]);
                    j += 1;
                }
                i = j + 1;
                tokens.push(Token::Quoted(name));
            }
            '.' => {
                tokens.push(Token::Dot);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '#' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '#'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    tokens.push(Token::Other);
                } else {
                    tokens.push(Token::Word(word));
                }
            }
            _ => {
                tokens.push(Token::Other);
                i += 1;
            }
        }
    }
    tokens
}

fn is_kw(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

/// Words that end a table reference or open a clause (never a table name or alias here).
fn is_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "select",
        "from",
        "join",
        "inner",
        "left",
        "right",
        "full",
        "outer",
        "cross",
        "natural",
        "on",
        "using",
        "where",
        "group",
        "order",
        "by",
        "having",
        "limit",
        "offset",
        "union",
        "intersect",
        "except",
        "minus",
        "all",
        "distinct",
        "as",
        "with",
        "recursive",
        "and",
        "or",
        "not",
        "in",
        "exists",
        "case",
        "when",
        "then",
        "else",
        "end",
        "is",
        "null",
        "like",
        "between",
        "window",
        "qualify",
        "lateral",
        "only",
        "fetch",
        "for",
        "values",
        "into",
        "set",
        "update",
        "delete",
        "insert",
        "returning",
        "partition",
        "over",
        "tablesample",
    ];
    KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<String> {
        sql_tables(sql).into_iter().map(|p| p.join(".")).collect()
    }

    #[test]
    fn from_and_join() {
        assert_eq!(
            names(
                "SELECT o.id, c.name FROM public.orders o\nJOIN public.customers c ON c.id = o.customer_id\n\
                 LEFT OUTER JOIN sales.invoices AS i USING (id)"
            ),
            ["public.orders", "public.customers", "sales.invoices"]
        );
        assert_eq!(
            names("select count(*) as n from PUBLIC.PEOPLE"),
            ["PUBLIC.PEOPLE"]
        );
        assert_eq!(
            names("SELECT * FROM a, b AS x, c y WHERE a.id = x.id"),
            ["a", "b", "c"]
        );
        assert_eq!(
            names("select * from db.sch.t natural join t2"),
            ["db.sch.t", "t2"]
        );
        assert_eq!(names("select * from w.x.y.z"), ["x.y.z"]);
    }

    #[test]
    fn quoted_names_comments_and_literals() {
        assert_eq!(
            names(r#"SELECT kind FROM "ANALYTICS"."EVENTS" -- FROM nowhere"#),
            ["ANALYTICS.EVENTS"]
        );
        assert_eq!(
            names("select * from `proj.ds`.t /* join x */"),
            ["proj.ds.t"]
        );
        assert_eq!(
            names("select * from [dbo].[Order Lines]"),
            ["dbo.Order Lines"]
        );
        assert_eq!(
            names("select 'from x' as s from t where a = 'it''s from y'"),
            ["t"]
        );
        assert_eq!(names(r#"select * from "we""ird""#), [r#"we"ird"#]);
    }

    #[test]
    fn ctes_subqueries_and_functions_are_no_tables() {
        assert_eq!(
            names(
                "WITH paid AS (SELECT order_id FROM sales.invoices WHERE paid),\n\
                 big (id) AS (select id from orders where amount > 100)\n\
                 SELECT o.* FROM orders o INNER JOIN paid p ON p.order_id = o.id JOIN big USING (id)"
            ),
            ["sales.invoices", "orders"]
        );
        assert_eq!(
            names("select * from (select id from t1) s join (select 1) u on true"),
            ["t1"]
        );
        assert_eq!(
            names(
                "select extract(year from created_at), substring(name from 2 for 3), \
                 trim(both 'x' from name) from people where a is distinct from b"
            ),
            ["people"]
        );
        assert_eq!(
            names("select * from generate_series(1, 3) g"),
            Vec::<String>::new()
        );
        assert_eq!(names("select * from only parent_table"), ["parent_table"]);
    }

    #[test]
    fn metabase_optional_clauses_and_variables() {
        assert_eq!(
            names(
                "SELECT * FROM t WHERE 1 = 1 [[AND x IN (SELECT x FROM hidden)]] [[AND y = {{y}}]]"
            ),
            ["t"]
        );
        // A question on a saved question or model: `{{#12-orders}}` is no table.
        assert_eq!(
            names("select * from {{#12-orders}} o join t on true"),
            ["t"]
        );
        assert_eq!(names("select 1"), Vec::<String>::new());
    }

    #[test]
    fn native_upstream_takes_the_database_from_metabase_unless_written() {
        let u = native_upstream(
            "select * from public.orders join db2.s.t on true join plain on true",
            Some("shop"),
        );
        let at = |db: &str, schema: Option<&str>, table: &str| {
            UpstreamTable::new(Some(db.into()), schema.map(Into::into), table)
        };
        assert_eq!(
            u,
            [
                at("shop", Some("public"), "orders"),
                at("db2", Some("s"), "t"),
                at("shop", None, "plain")
            ]
        );
    }
}
