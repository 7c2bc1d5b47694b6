//! OpenMetadata's fully qualified names: `service.database.schema.table`, the identity of every
//! entity a run writes (the checkpoint, the report, sharding and the sinks all name entities so).
//! These are the FQNs entities are stored under; the plugins' filters match OpenMetadata's filter
//! FQNs instead, built from the raw names (see `fqn` in plugins/common-db/src/filter.rs). A name part that contains
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

use super::{EntityKind, EntityRef};

/// The FQNs of one service's entities.
#[derive(Debug, Clone)]
pub struct Names {
    service: String,
}

impl Names {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The service's own FQN.
    pub fn service(&self) -> String {
        quote(&self.service)
    }

    /// The FQN of the entity a ref names: the service, then the ref's path; a dashboard data
    /// model's has a literal `model` part between them (`service.model.name`), as OpenMetadata
    /// builds it.
    pub fn of(&self, r: &EntityRef) -> String {
        let mut parts = vec![self.service.as_str()];
        if r.kind == EntityKind::DashboardDataModel {
            parts.push("model");
        }
        parts.extend(r.path.iter().map(String::as_str));
        build(&parts)
    }

    /// The FQN of a table given as `[database, schema, table]`.
    pub fn table(&self, [database, schema, table]: &[String; 3]) -> String {
        build(&[&self.service, database, schema, table])
    }

    /// The FQN of a column of a table given as `[database, schema, table]`.
    pub fn column(&self, [database, schema, table]: &[String; 3], column: &str) -> String {
        build(&[&self.service, database, schema, table, column])
    }
}

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
