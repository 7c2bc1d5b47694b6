//! Column lists out of `pg_get_constraintdef` text. Redshift keeps a constraint's column numbers
//! in arrays (`conkey`, `confkey`) that its leader node cannot unnest; the definition text names
//! them, in key order, the same way on Redshift and PostgreSQL:
//!
//! ```text
//! PRIMARY KEY (order_id, line_no)
//! UNIQUE (code, region)
//! FOREIGN KEY (order_id, line_no) REFERENCES sales.order_lines(order_id, line_no) ON DELETE CASCADE
//! ```

/// The parenthesised identifier lists of a definition, in order, identifiers unquoted. Brackets
/// inside a quoted identifier (`"odd(name)"`) are part of the name, not a list.
pub fn column_lists(definition: &str) -> Vec<Vec<String>> {
    let mut lists = Vec::new();
    let mut current: Option<Vec<String>> = None;
    let mut identifier = String::new();
    let mut quoted = false;
    let mut chars = definition.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' && chars.peek() == Some(&'"') {
                chars.next();
                identifier.push('"');
            } else if c == '"' {
                quoted = false;
            } else {
                identifier.push(c);
            }
            continue;
        }
        match (c, current.as_mut()) {
            ('"', _) => quoted = true,
            ('(', None) => {
                identifier.clear();
                current = Some(Vec::new());
            }
            (',', Some(list)) => list.push(std::mem::take(&mut identifier)),
            (')', Some(list)) => {
                list.push(std::mem::take(&mut identifier));
                lists.extend(current.take());
            }
            (c, Some(_)) if !c.is_whitespace() => identifier.push(c),
            _ => {}
        }
        if current.is_none() {
            // Outside a list, names (the referred table) are not kept.
            identifier.clear();
        }
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(definition: &str) -> Vec<Vec<String>> {
        column_lists(definition)
    }

    #[test]
    fn keys() {
        assert_eq!(lists("PRIMARY KEY (id)"), [vec!["id"]]);
        assert_eq!(lists("UNIQUE (code, region)"), [vec!["code", "region"]]);
        assert_eq!(lists("PRIMARY KEY(a,b)"), [vec!["a", "b"]]);
    }

    #[test]
    fn foreign_keys_name_both_sides() {
        assert_eq!(
            lists(
                "FOREIGN KEY (order_id, line_no) REFERENCES sales.order_lines(order_id, line_no)"
            ),
            [vec!["order_id", "line_no"], vec!["order_id", "line_no"]]
        );
        // Trailing clauses add lists of their own after the two that matter.
        let l = lists("FOREIGN KEY (a) REFERENCES t(b) ON DELETE SET NULL (a)");
        assert_eq!(&l[..2], [vec!["a"], vec!["b"]]);
    }

    #[test]
    fn quoted_identifiers_are_unquoted() {
        assert_eq!(
            lists(r#"FOREIGN KEY ("Order Id", "say ""hi""") REFERENCES "odd(name)"("x,y", z)"#),
            [vec!["Order Id", r#"say "hi""#], vec!["x,y", "z"]]
        );
    }

    #[test]
    fn no_list_no_columns() {
        assert!(column_lists("CHECK").is_empty());
        assert!(column_lists("").is_empty());
    }
}
