//! What reads differently for OpenMetadata's `Presto` service, kept pure so it is tested natively:
//! a column's type display, and a table's comment out of `SHOW CREATE TABLE`.
//!
//! Presto and Trino share their type system (Trino is PrestoSQL renamed), so types map as in
//! [`crate::dialect`]; what differs is where the table comment is. PrestoDB has no
//! `system.metadata.table_comments`: its comment is only in the statement `SHOW CREATE TABLE`
//! prints (`COMMENT '…'` after the column list), which is where OpenMetadata's Presto connector
//! reads it too.

use omrun_common_db::column_type::ColumnType;
use omrun_sdk::types::DataType;

use crate::dialect::trino_column_type;

/// OpenMetadata's type fields and `dataTypeDisplay` of a Presto type spelling: the Trino
/// mapping's fields, displayed as Presto spells the type (as OpenMetadata's Presto connector
/// displays every type, `array(varchar)` and `row(…)` included), and a `tinyint` a TINYINT (what
/// it is, and what OpenMetadata's Presto connector says; the Trino connector's SMALLINT comes
/// from the `trino` package's SQLAlchemy type).
pub fn presto_column_type(spelling: &str) -> (ColumnType, String) {
    let spelling = spelling.trim();
    let (mut mapped, _) = trino_column_type(spelling);
    if spelling.eq_ignore_ascii_case("tinyint") {
        mapped.data_type = DataType::Tinyint;
    }
    (mapped, spelling.to_owned())
}

/// The table's own comment in the text of `SHOW CREATE TABLE`: the string after `COMMENT` that
/// follows the column list, as Presto formats it (`'…'` with quotes doubled, or `U&'…'` with
/// `\XXXX` and `\+XXXXXX` escapes when the comment holds anything but printable ASCII). `None`
/// when the table has none; the columns' own `COMMENT`s are never taken for it.
pub fn table_comment(create_table: &str) -> Option<String> {
    let text = create_table.trim_start();
    let open = outside_quotes(text).find(|&(_, c)| c == '(')?.0;
    let mut depth = 0usize;
    let mut close = None;
    for (i, c) in outside_quotes(&text[open..]) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let rest = text[close? + 1..].trim_start();
    let keyword = rest.get(..7)?;
    if !keyword.eq_ignore_ascii_case("COMMENT") || !rest[7..].starts_with(char::is_whitespace) {
        return None;
    }
    string_literal(rest[7..].trim_start())
}

/// The characters of `text` outside `'…'` strings and `"…"` identifiers (their quotes
/// included, a doubled quote staying inside), with their byte offsets.
fn outside_quotes(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    text.char_indices().filter(move |&(_, c)| match quote {
        // A doubled quote closes and reopens: the same as staying inside.
        Some(q) if c == q => {
            quote = None;
            false
        }
        Some(_) => false,
        None if c == '\'' || c == '"' => {
            quote = Some(c);
            false
        }
        None => true,
    })
}

/// The value of the string literal `text` starts with: `'…'` or `U&'…'`.
fn string_literal(text: &str) -> Option<String> {
    let (unicode, body) = match text
        .strip_prefix("U&'")
        .or_else(|| text.strip_prefix("u&'"))
    {
        Some(body) => (true, body),
        None => (false, text.strip_prefix('\'')?),
    };
    let mut raw = String::new();
    let mut chars = body.chars().peekable();
    loop {
        match chars.next()? {
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                raw.push('\'');
            }
            '\'' => break,
            c => raw.push(c),
        }
    }
    if unicode { unescape(&raw) } else { Some(raw) }
}

/// A Unicode literal's escapes: `\\` a backslash, `\XXXX` and `\+XXXXXX` code points in hex.
fn unescape(raw: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let (digits, len) = if let Some(r) = rest.strip_prefix('\\') {
            out.push('\\');
            rest = r;
            continue;
        } else if let Some(r) = rest.strip_prefix('+') {
            (r.get(..6)?, 7)
        } else {
            (rest.get(..4)?, 4)
        };
        out.push(char::from_u32(u32::from_str_radix(digits, 16).ok()?)?);
        rest = &rest[len..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_keep_presto_s_spelling() {
        let (t, shown) = presto_column_type("array(varchar(10))");
        assert_eq!(
            (t.data_type, t.array_data_type, shown.as_str()),
            (
                DataType::Array,
                Some(DataType::Varchar),
                "array(varchar(10))"
            )
        );
        let (t, shown) = presto_column_type("row(city varchar, zip char(5))");
        assert_eq!(
            (t.data_type, shown.as_str()),
            (DataType::Struct, "row(city varchar, zip char(5))")
        );
        let (t, _) = presto_column_type("decimal(12,2)");
        assert_eq!(
            (t.data_type, t.precision, t.scale),
            (DataType::Decimal, Some(12), Some(2))
        );
        let (t, _) = presto_column_type("varchar(64)");
        assert_eq!((t.data_type, t.data_length), (DataType::Varchar, Some(64)));
        assert_eq!(presto_column_type("tinyint").0.data_type, DataType::Tinyint);
        assert_eq!(
            presto_column_type("timestamp with time zone").0.data_type,
            DataType::Timestamp
        );
        // An array's element keeps the shared mapping.
        assert_eq!(
            presto_column_type("array(tinyint)").0.array_data_type,
            Some(DataType::Tinyint)
        );
    }

    /// `SHOW CREATE TABLE` as PrestoDB's `SqlFormatter` prints it.
    const ORDERS: &str = "CREATE TABLE hive.sales.orders (\n   \"id\" bigint COMMENT 'Order id',\n   \
                          \"note\" varchar COMMENT 'it''s (a) note'\n)\nCOMMENT 'Customer''s orders'\n\
                          WITH (\n   format = 'ORC'\n)";

    #[test]
    fn the_table_s_comment_not_a_column_s() {
        assert_eq!(table_comment(ORDERS).as_deref(), Some("Customer's orders"));
        // No table comment: a column's is not taken for it (OpenMetadata's regex would).
        let bare = "CREATE TABLE hive.sales.t (\n   \"id\" bigint COMMENT 'Order id'\n)\nWITH (\n   \
                    format = 'ORC'\n)";
        assert_eq!(table_comment(bare), None);
        assert_eq!(table_comment("CREATE TABLE x (\n   a bigint\n)"), None);
        // Parentheses and quotes in names and types do not end the column list.
        let odd = "CREATE TABLE \"hive\".\"s\".\"t(1\" (\n   \"a)\" row(\"b)\" integer),\n   c \
                   varchar(3) COMMENT ')'\n)\nCOMMENT 'yes'";
        assert_eq!(table_comment(odd).as_deref(), Some("yes"));
    }

    #[test]
    fn unicode_literals_are_decoded() {
        let text = "CREATE TABLE hive.s.t (\n   a bigint\n)\n\
                    COMMENT U&'Caf\\00E9 \\\\ line\\000Anext \\+01F600 it''s'";
        assert_eq!(
            table_comment(text).as_deref(),
            Some("Café \\ line\nnext 😀 it's")
        );
        for broken in [
            "CREATE TABLE t (a bigint) COMMENT U&'\\00'",
            "CREATE TABLE t (a bigint) COMMENT 'unterminated",
            "CREATE TABLE t (a bigint",
            "CREATE TABLE t (a bigint) COMMENTARY 'x'",
            "",
        ] {
            assert_eq!(table_comment(broken), None, "{broken}");
        }
    }
}
