//! The sqlite plugin on a SQLite file built here: OpenMetadata names its database `default` and its
//! schema `main`; SQLite's own tables (sqlite_sequence, sqlite_stat1) are not ingested.

use std::collections::BTreeSet;
use std::path::Path;

use omrun_tests::Workflow;
use omrun_tests::scenario::{Mode, run_sqlite};
use omrun_tests::{SqliteConfig, Workdir, column, column_names, constraints, fqn, has_key};

const SERVICE: &str = "omrun_sqlite";

fn build_database(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("create the SQLite file");
    conn.execute_batch(
        r#"
        CREATE TABLE authors (
            id    INTEGER PRIMARY KEY AUTOINCREMENT,   -- makes SQLite create sqlite_sequence
            name  VARCHAR(20) NOT NULL UNIQUE,
            bio   TEXT
        );
        CREATE TABLE books (
            id         INTEGER PRIMARY KEY,
            author_id  INTEGER NOT NULL REFERENCES authors (id),
            title      TEXT NOT NULL,
            price      NUMERIC(10,2),
            isbn       CHAR(13) UNIQUE
        );
        CREATE TABLE book_tags (
            book_id  INTEGER NOT NULL REFERENCES books (id),
            tag      TEXT NOT NULL,
            PRIMARY KEY (book_id, tag)
        );
        CREATE VIEW cheap_books AS SELECT id, title FROM books WHERE price < 10;
        INSERT INTO authors (name, bio) VALUES ('Ursula', 'Earthsea'), ('Iain', 'Culture');
        INSERT INTO books VALUES (1, 1, 'A Wizard of Earthsea', 9.5, '9780553383041');
        INSERT INTO book_tags VALUES (1, 'fantasy');
        ANALYZE;                                        -- makes SQLite create sqlite_stat1
        "#,
    )
    .expect("build the SQLite fixture");
}

fn t(name: &str) -> String {
    fqn(&[SERVICE, "default", "main", name])
}

#[test]
fn sqlite_file_in_both_modes() {
    let work = Workdir::new();
    let file = work.join("library.db");
    build_database(&file);
    let cfg = SqliteConfig::new(SERVICE, &file, &work.join("x"));

    let mut sets = vec![];
    for mode in [Mode::Sequential, Mode::Local(2)] {
        let run = run_sqlite(&work, "library", cfg.clone(), mode);
        let r = &run.records;
        assert_eq!(r.service()["name"], SERVICE);
        assert_eq!(r.service()["serviceType"], "SQLite");
        assert_eq!(
            r.database_fqns(),
            BTreeSet::from([fqn(&[SERVICE, "default"])]),
            "{mode:?}"
        );
        assert_eq!(
            r.schema_fqns(),
            BTreeSet::from([fqn(&[SERVICE, "default", "main"])]),
            "{mode:?}"
        );
        assert_eq!(
            r.table_fqns(),
            ["authors", "books", "book_tags", "cheap_books"]
                .iter()
                .map(|n| t(n))
                .collect::<BTreeSet<_>>(),
            "{mode:?}: sqlite_sequence / sqlite_stat1 must not be ingested"
        );

        let authors = r.get(&t("authors"));
        assert_eq!(authors["tableType"], "Regular");
        assert_eq!(column_names(authors), ["id", "name", "bio"]);
        assert!(has_key(authors, "PRIMARY_KEY", &["id"]), "{authors}");
        assert!(has_key(authors, "UNIQUE", &["name"]), "{authors}");
        let name = column(authors, "name");
        assert_eq!(name["dataType"], "VARCHAR", "{name}");
        assert_eq!(name["dataLength"], 20, "{name}");
        assert_eq!(column(authors, "bio")["dataType"], "TEXT");
        assert_eq!(column(authors, "bio")["constraint"], "NULL");

        let books = r.get(&t("books"));
        assert_eq!(column(books, "id")["dataType"], "INT", "SQLite INTEGER");
        assert_eq!(column(books, "title")["constraint"], "NOT_NULL");
        let price = column(books, "price");
        assert!(
            price["dataType"] == "NUMERIC" || price["dataType"] == "DECIMAL",
            "{price}"
        );
        assert_eq!(price["precision"], 10, "{price}");
        assert_eq!(price["scale"], 2, "{price}");
        assert_eq!(column(books, "isbn")["dataLength"], 13);
        assert_eq!(
            constraints(books, "FOREIGN_KEY"),
            vec![(
                vec!["author_id".to_string()],
                vec![format!("{}.id", t("authors"))]
            )],
            "{books}"
        );

        let tags = r.get(&t("book_tags"));
        assert!(has_key(tags, "PRIMARY_KEY", &["book_id", "tag"]), "{tags}");

        let view = r.get(&t("cheap_books"));
        assert_eq!(view["tableType"], "View");
        assert_eq!(column_names(view), ["id", "title"]);
        let def = view["schemaDefinition"]
            .as_str()
            .unwrap_or_else(|| panic!("view without definition: {view}"));
        assert!(def.contains("price < 10"), "view definition {def:?}");

        sets.push(r.canonical_set());
    }
    assert!(
        sets[0] == sets[1],
        "sequential and local wrote different records"
    );
}

#[test]
fn sqlite_include_views_false() {
    let work = Workdir::new();
    let file = work.join("library.db");
    build_database(&file);
    let cfg = SqliteConfig::new(SERVICE, &file, &work.join("x")).include_views(false);
    let run = run_sqlite(&work, "noviews", cfg, Mode::Local(2));
    assert_eq!(
        run.records.table_fqns(),
        ["authors", "books", "book_tags"]
            .iter()
            .map(|n| t(n))
            .collect::<BTreeSet<_>>()
    );
}
