//! OpenMetadata's fully qualified names: `service.database.schema.table`. A name part that contains
//! `.` is double-quoted; characters OpenMetadata reserves inside names are replaced by its
//! `__reserved__…__` keywords first, as its own ingestion does, so FQNs stay parseable.

const RESERVED: &[(&str, &str)] = &[
    ("::", "__reserved__colon__"),
    (">", "__reserved__arrow__"),
    ("\"", "__reserved__quote__"),
    ("\n", "__reserved__newline__"),
    ("\r", "__reserved__carriage_return__"),
    ("\t", "__reserved__tab__"),
];

/// An entity name as OpenMetadata stores it (reserved sequences replaced).
pub fn encode_name(name: &str) -> String {
    if !name.contains([':', '>', '"', '\n', '\r', '\t']) {
        return name.to_owned();
    }
    RESERVED
        .iter()
        .fold(name.to_owned(), |name, (from, to)| name.replace(from, to))
}

/// One FQN part: the encoded name, quoted when it contains a dot.
pub fn quote(name: &str) -> String {
    let name = encode_name(name);
    if name.contains('.') {
        format!("\"{name}\"")
    } else {
        name
    }
}

/// Joins name parts into an FQN.
pub fn build<S: AsRef<str>>(parts: &[S]) -> String {
    parts
        .iter()
        .map(|p| quote(p.as_ref()))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_joined_with_dots() {
        assert_eq!(
            build(&["svc", "db", "public", "orders"]),
            "svc.db.public.orders"
        );
    }

    #[test]
    fn a_dotted_name_is_quoted() {
        assert_eq!(
            build(&["svc", "db", "public", "my.table"]),
            "svc.db.public.\"my.table\""
        );
    }

    #[test]
    fn reserved_sequences_are_encoded_before_quoting() {
        assert_eq!(
            encode_name("a::b>c\"d"),
            "a__reserved__colon__b__reserved__arrow__c__reserved__quote__d"
        );
        assert_eq!(quote("x\".y"), "\"x__reserved__quote__.y\"");
        assert_eq!(
            encode_name("a\tb\r\nc"),
            "a__reserved__tab__b__reserved__carriage_return____reserved__newline__c"
        );
    }
}
