//! Which driver a granted connection needs: the wire protocol it speaks, read from its
//! OpenMetadata `scheme` (the SQLAlchemy URL scheme, e.g. `postgresql+psycopg2`), or, when the
//! config leaves it out, from the scheme OpenMetadata gives that connection type by default. So a
//! connector for any engine that speaks PostgreSQL's or MySQL's protocol (Greenplum, TimescaleDB,
//! CockroachDB, SingleStore, StarRocks…) runs without a change to the host.

use serde_json::Value as Json;

/// A protocol the host has a driver for, with the engine's defaults where the config is silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Postgres {
        default_port: u16,
        default_database: &'static str,
    },
    Mysql,
    Sqlite,
}

/// OpenMetadata 2.0.7's default `scheme` of the connection types that speak a protocol above
/// (`createDatabaseService`'s `*Connection.scheme` defaults).
const DEFAULT_SCHEMES: &[(&str, &str)] = &[
    ("Postgres", "postgresql+psycopg2"),
    ("Redshift", "redshift+psycopg2"),
    ("Greenplum", "postgresql+psycopg2"),
    ("Timescale", "postgresql+psycopg2"),
    ("QuestDB", "postgresql+psycopg2"),
    ("Cockroach", "cockroachdb+psycopg2"),
    ("Mysql", "mysql+pymysql"),
    ("MariaDB", "mysql+pymysql"),
    ("SingleStore", "mysql+pymysql"),
    ("StarRocks", "mysql+pymysql"),
    ("Doris", "doris"),
    ("SQLite", "sqlite+pysqlite"),
];

impl Protocol {
    /// The protocol of an OpenMetadata `serviceConnection.config`, or `None` when it speaks none
    /// the host has a driver for (a dashboard service, a warehouse over HTTP).
    pub fn of(connection: &Json) -> Option<Protocol> {
        let scheme = match connection.get("scheme").and_then(Json::as_str) {
            Some(scheme) => scheme,
            None => {
                let service_type = connection.get("type").and_then(Json::as_str)?;
                DEFAULT_SCHEMES
                    .iter()
                    .find(|(t, _)| *t == service_type)
                    .map(|(_, scheme)| *scheme)?
            }
        };
        let dialect = scheme.split('+').next().unwrap_or_default();
        Some(match dialect.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" | "pgspider" => Protocol::Postgres {
                default_port: 5432,
                default_database: "postgres",
            },
            // Redshift speaks PostgreSQL's protocol; only its catalog differs, and that is the
            // plugin's business.
            "redshift" => Protocol::Postgres {
                default_port: 5439,
                default_database: "dev",
            },
            "cockroachdb" => Protocol::Postgres {
                default_port: 26257,
                default_database: "defaultdb",
            },
            "mysql" | "mariadb" | "doris" | "starrocks" | "singlestoredb" => Protocol::Mysql,
            "sqlite" => Protocol::Sqlite,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_scheme_decides_and_the_type_gives_the_default_scheme() {
        let pg = Protocol::Postgres {
            default_port: 5432,
            default_database: "postgres",
        };
        assert_eq!(Protocol::of(&json!({"type": "Postgres"})), Some(pg));
        assert_eq!(Protocol::of(&json!({"type": "Timescale"})), Some(pg));
        assert_eq!(
            Protocol::of(&json!({"type": "CustomDatabase", "scheme": "postgresql+psycopg2"})),
            Some(pg)
        );
        assert!(matches!(
            Protocol::of(&json!({"type": "Redshift"})),
            Some(Protocol::Postgres {
                default_port: 5439,
                ..
            })
        ));
        assert_eq!(
            Protocol::of(&json!({"type": "MariaDB"})),
            Some(Protocol::Mysql)
        );
        assert_eq!(
            Protocol::of(&json!({"type": "SQLite"})),
            Some(Protocol::Sqlite)
        );
        assert_eq!(Protocol::of(&json!({"type": "Looker"})), None);
        assert_eq!(
            Protocol::of(&json!({"type": "Postgres", "scheme": "oracle+cx_oracle"})),
            None
        );
    }
}
