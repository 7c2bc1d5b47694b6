//! OpenMetadata's fully qualified names, as its server splits and compares them.
//!
//! Read from openmetadata-service `util/FullyQualifiedName.java` and its ANTLR grammar `Fqn.g4`:
//! an FQN is names joined by `.`; a name holding a `.` is written in double quotes (`"my.table"`),
//! and a quoted name must hold a `.` (or an escaped quote `""`), else the FQN does not parse.
//! `split` keeps a quoted name's quotes, as the server's `SplitListener` does (`ctx.getText()`), so
//! `getParentFQN` of `s.d.sc."my.t".id` is `s.d.sc."my.t"` and `getColumnName` of it is `id` — and
//! of `s.d.sc.t."a.b"` it is `"a.b"`, quotes included.

/// The parts of `fqn`, quoted parts with their quotes; `None` when the grammar refuses it (an empty
/// part, an unclosed quote, a quoted part without a `.`).
pub fn split(fqn: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = fqn.chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            // NAME_WITH_RESERVED: QUOTE NON_RESERVED* (RESERVED NON_RESERVED*)+ QUOTE, where
            // RESERVED is `.` or `""`.
            part.push(chars.next()?);
            let mut reserved = false;
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push_str("\"\"");
                        reserved = true;
                    }
                    '"' => {
                        part.push('"');
                        break;
                    }
                    c => {
                        reserved |= c == '.';
                        part.push(c);
                    }
                }
            }
            if !reserved {
                return None;
            }
        } else {
            // NAME: NON_RESERVED+ (anything but `"` and `.`).
            while let Some(&c) = chars.peek() {
                if c == '.' || c == '"' {
                    break;
                }
                part.push(c);
                chars.next();
            }
            if part.is_empty() {
                return None;
            }
        }
        parts.push(part);
        match chars.next() {
            None => return Some(parts),
            Some('.') => continue,
            Some(_) => return None,
        }
    }
}

/// `getParentFQN`: every part but the last, joined again (quotes kept); `None` for a one-part FQN.
pub fn parent(parts: &[String]) -> Option<String> {
    (parts.len() > 1).then(|| parts[..parts.len() - 1].join("."))
}

/// The FQN as the server stores it: each part written the way `quoteName` writes a name (quoted
/// iff it holds a `.`). `split` already guarantees that, so this is `split` joined back; it makes
/// lookups independent of how a client spelled an FQN the grammar accepts.
pub fn normalize(fqn: &str) -> Option<String> {
    split(fqn).map(|p| p.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_the_grammar() {
        assert_eq!(
            split("svc.db.sales.\"my.table\".id").unwrap(),
            ["svc", "db", "sales", "\"my.table\"", "id"]
        );
        assert_eq!(split("a").unwrap(), ["a"]);
        for bad in ["", "a..b", "a.", ".a", "\"ab\".c", "\"a.b", "a\"b"] {
            assert_eq!(split(bad), None, "{bad:?}");
        }
        assert_eq!(split("\"a\"\"b\".c").unwrap(), ["\"a\"\"b\"", "c"]);
        assert_eq!(
            parent(&split("s.d.sc.\"my.t\".id").unwrap()).unwrap(),
            "s.d.sc.\"my.t\""
        );
    }
}
