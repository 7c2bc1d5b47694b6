//! Contract `omrun:connector@0.1.0` (frozen): databases, schemas, tables, stored procedures.

super::bindings::contract! {
    wit: "../wit/v0.1.0",
    version: "0.1.0",
    kinds: [Database, DatabaseSchema, Table, StoredProcedure],
    entities: {}
}
