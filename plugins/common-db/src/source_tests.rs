//! `SqlSource` over an in-memory catalog: discovery filters and batch processing.

use omrun_sdk::DiscoverableSource;
use omrun_sdk::sql::SqlError;
use omrun_sdk::types::{
    Database, DatabaseSchema, Entity, EntityKind, EntityRef, PluginInfo, Table, TableType,
};

use crate::config::{ConnectionConfig, SourceOptions};
use crate::{Catalog, Databases, SqlSource, TableError, TableName};

/// Two databases: `shop` (schemas `public`, `staging`) and `hr` (schema `public`). Describing
/// anything in `broken` fails; every call is recorded.
struct Fake {
    all_databases: bool,
    calls: Vec<String>,
    /// A database whose schemas cannot be listed, and the SQLSTATE it fails with.
    unlistable: Option<(&'static str, &'static str)>,
}

const TABLES: &[(&str, &str, &str, TableType)] = &[
    ("shop", "public", "orders", TableType::Regular),
    ("shop", "public", "my.table", TableType::Regular),
    ("shop", "public", "order_totals", TableType::View),
    ("shop", "public", "daily", TableType::MaterializedView),
    ("shop", "public", "events", TableType::Partitioned),
    ("shop", "staging", "orders", TableType::Regular),
    ("hr", "public", "people", TableType::Regular),
];

fn fail() -> SqlError {
    SqlError {
        message: "permission denied".into(),
        sqlstate: Some("42501".into()),
    }
}

impl Catalog for Fake {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "fake".into(),
            version: "0".into(),
            service_types: vec![],
            capabilities: vec![],
        }
    }

    fn connect(config: &ConnectionConfig) -> Result<Self, String> {
        Ok(Fake {
            all_databases: config.ingest_all_databases,
            calls: vec![],
            unlistable: None,
        })
    }

    fn databases(&mut self) -> Result<Databases, SqlError> {
        Ok(if self.all_databases {
            Databases::All(vec!["hr".into(), "shop".into()])
        } else {
            Databases::Configured("shop".into())
        })
    }

    fn schemas(&mut self, database: &str) -> Result<Vec<String>, SqlError> {
        if let Some((db, sqlstate)) = self.unlistable
            && db == database
        {
            return Err(SqlError {
                message: format!("cannot list {db}"),
                sqlstate: Some(sqlstate.into()),
            });
        }
        let mut s: Vec<String> = TABLES
            .iter()
            .filter(|t| t.0 == database)
            .map(|t| t.1.to_owned())
            .collect();
        s.dedup();
        Ok(s)
    }

    fn tables(&mut self, database: &str) -> Result<Vec<TableName>, SqlError> {
        Ok(TABLES
            .iter()
            .filter(|t| t.0 == database)
            .map(|t| TableName {
                schema: t.1.into(),
                name: t.2.into(),
                table_type: t.3,
            })
            .collect())
    }

    fn describe_databases(&mut self, names: &[String]) -> Result<Vec<Database>, SqlError> {
        self.calls.push(format!("databases {names:?}"));
        Ok(names
            .iter()
            .filter(|n| TABLES.iter().any(|t| t.0 == n.as_str()))
            .map(|n| Database {
                name: n.clone(),
                description: Some(format!("about {n}")),
                source_url: None,
            })
            .collect())
    }

    fn describe_schemas(
        &mut self,
        database: &str,
        names: &[String],
    ) -> Result<Vec<DatabaseSchema>, SqlError> {
        self.calls.push(format!("schemas {database} {names:?}"));
        if database == "broken" {
            return Err(fail());
        }
        Ok(self
            .schemas(database)?
            .into_iter()
            .filter(|s| names.contains(s))
            .map(|name| DatabaseSchema {
                database: database.into(),
                name,
                description: None,
                source_url: None,
                tags: vec![],
            })
            .collect())
    }

    fn describe_tables(
        &mut self,
        database: &str,
        tables: &[(String, String)],
    ) -> Result<Vec<Result<Table, TableError>>, SqlError> {
        self.calls
            .push(format!("tables {database} {}", tables.len()));
        if database == "broken" {
            return Err(fail());
        }
        Ok(self
            .tables(database)?
            .into_iter()
            .filter(|t| tables.contains(&(t.schema.clone(), t.name.clone())))
            .map(|t| {
                if t.name == "daily" {
                    Err(TableError {
                        schema: t.schema,
                        name: t.name,
                        message: "no such table: main.a".into(),
                    })
                } else {
                    Ok(Table {
                        database: database.into(),
                        schema: t.schema,
                        name: t.name,
                        table_type: t.table_type,
                        description: None,
                        columns: vec![],
                        constraints: vec![],
                        definition: None,
                        partition_columns: vec![],
                        source_url: None,
                        tags: vec![],
                    })
                }
            })
            .collect())
    }
}

fn source(connection: &str, options: &str) -> SqlSource<Fake> {
    let catalog = Fake::connect(&ConnectionConfig::parse(connection).unwrap()).unwrap();
    SqlSource::new(catalog, "svc", SourceOptions::parse(options).unwrap())
}

fn paths(refs: &[EntityRef]) -> Vec<String> {
    refs.iter().map(|r| r.path.join("/")).collect()
}

#[test]
fn discovers_everything_parents_first() {
    let refs = source("{}", "{}").discover().unwrap();
    assert_eq!(
        paths(&refs),
        [
            "shop",
            "shop/public",
            "shop/staging",
            "shop/public/orders",
            "shop/public/my.table",
            "shop/public/order_totals",
            "shop/public/daily",
            "shop/public/events",
            "shop/staging/orders",
        ]
    );
    assert_eq!(refs[0].kind, EntityKind::Database);
    assert_eq!(refs[1].kind, EntityKind::DatabaseSchema);
    assert_eq!(refs[3].kind, EntityKind::Table);
}

#[test]
fn configured_database_ignores_the_database_filter() {
    let refs = source("{}", r#"{"databaseFilterPattern":{"excludes":["shop"]}}"#).discover();
    assert_eq!(paths(&refs.unwrap())[0], "shop");
}

#[test]
fn all_databases_go_through_the_database_filter() {
    let s = r#"{"ingestAllDatabases":true}"#;
    let refs = source(s, "{}").discover().unwrap();
    assert!(paths(&refs).starts_with(&[
        "hr".into(),
        "hr/public".into(),
        "hr/public/people".into()
    ]));
    let refs = source(s, r#"{"databaseFilterPattern":{"excludes":["SHOP"]}}"#)
        .discover()
        .unwrap();
    assert_eq!(paths(&refs), ["hr", "hr/public", "hr/public/people"]);
}

#[test]
fn schema_and_table_filters_and_kinds() {
    let refs = source(
        "{}",
        r#"{"schemaFilterPattern":{"includes":["pub"]},
            "tableFilterPattern":{"excludes":["my\\."]},
            "includeViews":false}"#,
    )
    .discover()
    .unwrap();
    assert_eq!(
        paths(&refs),
        [
            "shop",
            "shop/public",
            "shop/public/orders",
            "shop/public/events"
        ]
    );

    let refs = source("{}", r#"{"includeTables":false}"#)
        .discover()
        .unwrap();
    assert_eq!(
        paths(&refs),
        [
            "shop",
            "shop/public",
            "shop/staging",
            "shop/public/order_totals",
            "shop/public/daily"
        ]
    );
}

#[test]
fn fqn_filtering_tests_quoted_fully_qualified_names() {
    let refs = source(
        "{}",
        r#"{"useFqnForFiltering":true,
            "schemaFilterPattern":{"includes":["svc\\.shop\\.public$"]},
            "tableFilterPattern":{"includes":["svc\\.shop\\.public\\.\"my\\.table\"$", ".*\\.events"]}}"#,
    )
    .discover()
    .unwrap();
    assert_eq!(
        paths(&refs),
        [
            "shop",
            "shop/public",
            "shop/public/my.table",
            "shop/public/events"
        ]
    );
}

#[test]
fn process_answers_each_ref_in_order_with_one_call_per_group() {
    let mut s = source("{}", "{}");
    let batch = vec![
        EntityRef::table("shop", "public", "orders"),
        EntityRef::database("shop"),
        EntityRef::table("shop", "public", "gone"),
        EntityRef::schema("shop", "staging"),
        EntityRef::table("shop", "staging", "orders"),
        EntityRef::database("nowhere"),
        EntityRef {
            kind: EntityKind::Table,
            path: vec!["shop".into()],
        },
        EntityRef::table("shop", "public", "orders"),
    ];
    let results = s.process(batch);
    assert_eq!(results.len(), 8);
    match &results[0].as_ref().unwrap()[..] {
        [Entity::Table(t)] => {
            assert_eq!((t.schema.as_str(), t.name.as_str()), ("public", "orders"))
        }
        other => panic!("{other:?}"),
    }
    match &results[1].as_ref().unwrap()[..] {
        [Entity::Database(d)] => assert_eq!(d.description.as_deref(), Some("about shop")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        results[2],
        Err("table `shop.public.gone` no longer exists".into())
    );
    assert!(
        matches!(&results[3].as_ref().unwrap()[..], [Entity::DatabaseSchema(s)] if s.name == "staging")
    );
    assert!(
        matches!(&results[4].as_ref().unwrap()[..], [Entity::Table(t)] if t.schema == "staging")
    );
    assert_eq!(
        results[5],
        Err("database `nowhere` no longer exists".into())
    );
    assert!(results[6].as_ref().unwrap_err().starts_with("invalid ref"));
    assert_eq!(
        results[7], results[0],
        "a duplicate ref gets the same answer"
    );
    // Set-based: one describe per kind and database, the 3 distinct tables in one call.
    assert_eq!(
        s.catalog().calls,
        [
            "databases [\"nowhere\", \"shop\"]",
            "schemas shop [\"staging\"]",
            "tables shop 3"
        ]
    );
}

#[test]
fn a_failing_query_fails_only_the_refs_it_covered() {
    let mut s = source("{}", "{}");
    let results = s.process(vec![
        EntityRef::table("broken", "public", "a"),
        EntityRef::table("shop", "public", "orders"),
        EntityRef::schema("broken", "public"),
        EntityRef::table("broken", "public", "b"),
        EntityRef::table("shop", "public", "daily"),
    ]);
    let expected = "describing tables of database `broken`: permission denied (SQLSTATE 42501)";
    assert_eq!(results[0], Err(expected.into()));
    assert_eq!(results[3], Err(expected.into()));
    assert!(results[1].is_ok());
    assert!(
        results[2]
            .as_ref()
            .unwrap_err()
            .starts_with("describing schemas of database `broken`")
    );
    // A table the catalog could not describe fails alone.
    assert_eq!(
        results[4],
        Err("describing table `shop.public.daily`: no such table: main.a".into())
    );
}

fn unlistable(db: &'static str, sqlstate: &'static str) -> SqlSource<Fake> {
    let config = ConnectionConfig::parse(r#"{"ingestAllDatabases": true}"#).unwrap();
    let mut catalog = Fake::connect(&config).unwrap();
    catalog.unlistable = Some((db, sqlstate));
    SqlSource::new(catalog, "svc", SourceOptions::parse("{}").unwrap())
}

#[test]
fn an_unreadable_database_fails_when_processed_and_the_others_are_listed() {
    let mut src = unlistable("hr", "42501");
    let refs = src.discover().unwrap();
    let listed = paths(&refs);
    assert!(listed.contains(&"hr".to_owned()), "{listed:?}");
    assert!(!listed.iter().any(|p| p.starts_with("hr/")), "{listed:?}");
    assert!(
        listed.contains(&"shop/public/orders".to_owned()),
        "{listed:?}"
    );
    let answers = src.process(vec![EntityRef::database("hr"), EntityRef::database("shop")]);
    let why = answers[0].as_ref().unwrap_err();
    assert!(
        why.contains("could not be listed") && why.contains("cannot list hr (SQLSTATE 42501)"),
        "{why}"
    );
    assert!(answers[1].is_ok(), "{:?}", answers[1]);
}

#[test]
fn a_passing_error_fails_the_discovery_so_that_it_is_retried() {
    let why = unlistable("hr", "53300").discover().unwrap_err();
    assert!(why.contains("listing database `hr`"), "{why}");
}

#[test]
fn an_instance_that_did_not_discover_asks_whether_a_database_can_be_listed() {
    let answers = unlistable("hr", "42501")
        .process(vec![EntityRef::database("hr"), EntityRef::database("shop")]);
    assert!(answers[0].is_err(), "{:?}", answers[0]);
    assert!(answers[1].is_ok(), "{:?}", answers[1]);
}
