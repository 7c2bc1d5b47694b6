//! The one place where entities become OpenMetadata Create requests (`CreateTableRequest`, …),
//! shared by every sink. Field names and rules follow OpenMetadata's own ingestion so a run of
//! omrun and a run of `metadata ingest` produce the same entities.

use super::fqn;
use super::source_hash::source_hash;
use crate::model::{
    Column, Database, DatabaseSchema, Entity, EntityKind, EntityRef, StoredProcedure, Table,
};
use serde_json::{Map, Value, json};

/// What a request creates; decides its endpoint and its place in the parents-first order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestKind {
    DatabaseService,
    Database,
    DatabaseSchema,
    Table,
    StoredProcedure,
}

impl RequestKind {
    /// The collection whose `/bulk` endpoint takes this kind; services have none.
    pub fn bulk_collection(self) -> Option<&'static str> {
        match self {
            Self::DatabaseService => None,
            Self::Database => Some("databases"),
            Self::DatabaseSchema => Some("databaseSchemas"),
            Self::Table => Some("tables"),
            Self::StoredProcedure => Some("storedProcedures"),
        }
    }

    /// OpenMetadata's name for the request type, as written in the file sink's `kind`.
    pub fn request_name(self) -> &'static str {
        match self {
            Self::DatabaseService => "CreateDatabaseServiceRequest",
            Self::Database => "CreateDatabaseRequest",
            Self::DatabaseSchema => "CreateDatabaseSchemaRequest",
            Self::Table => "CreateTableRequest",
            Self::StoredProcedure => "CreateStoredProcedureRequest",
        }
    }
}

/// One Create request with the FQN of the entity it creates.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub kind: RequestKind,
    pub fqn: String,
    pub body: Value,
}

/// Builds requests for one service.
#[derive(Debug, Clone)]
pub struct Requests {
    service_name: String,
    service_type: String,
}

impl Requests {
    pub fn new(service_name: impl Into<String>, service_type: impl Into<String>) -> Self {
        Self {
            service_name: service_name.into(),
            service_type: service_type.into(),
        }
    }

    /// The FQN of the entity a ref names.
    pub fn fqn(&self, r: &EntityRef) -> String {
        let mut parts = vec![self.service_name.as_str()];
        parts.extend(r.path.iter().map(String::as_str));
        fqn::build(&parts)
    }

    /// The service itself. Its connection is left out on purpose: it holds credentials, and a
    /// file of Create requests must never contain them.
    pub fn service(&self) -> CreateRequest {
        CreateRequest {
            kind: RequestKind::DatabaseService,
            fqn: fqn::quote(&self.service_name),
            body: json!({
                "name": fqn::encode_name(&self.service_name),
                "serviceType": self.service_type,
            }),
        }
    }

    /// The Create request for an entity, with its `sourceHash`.
    pub fn entity(&self, entity: &Entity) -> CreateRequest {
        let fqn = self.fqn(&entity.to_ref());
        let (kind, mut body) = match entity {
            Entity::Database(d) => (RequestKind::Database, self.database(d)),
            Entity::DatabaseSchema(s) => (RequestKind::DatabaseSchema, self.schema(s)),
            Entity::Table(t) => (RequestKind::Table, self.table(t)),
            Entity::StoredProcedure(p) => (RequestKind::StoredProcedure, self.stored_procedure(p)),
            Entity::Dashboard(_) | Entity::Chart(_) | Entity::DashboardDataModel(_) => {
                unimplemented!("issue 8: dashboard requests are being written")
            }
        };
        if let Some(hash) = source_hash(kind, &body) {
            body["sourceHash"] = hash.into();
        }
        CreateRequest { kind, fqn, body }
    }

    fn database(&self, d: &Database) -> Value {
        let mut body = named(&d.name, d.description.as_deref());
        body.insert("service".into(), fqn::quote(&self.service_name).into());
        body.into()
    }

    fn schema(&self, s: &DatabaseSchema) -> Value {
        let mut body = named(&s.name, s.description.as_deref());
        let database = EntityRef::new(EntityKind::Database, vec![s.database.clone()]);
        body.insert("database".into(), self.fqn(&database).into());
        body.into()
    }

    fn table(&self, t: &Table) -> Value {
        let mut body = named(&t.name, t.description.as_deref());
        body.insert("tableType".into(), t.table_type.into());
        let schema = EntityRef::new(
            EntityKind::DatabaseSchema,
            vec![t.database.clone(), t.schema.clone()],
        );
        body.insert("databaseSchema".into(), self.fqn(&schema).into());

        let constraints = ColumnConstraints::of(t);
        let mut columns: Vec<&Column> = t.columns.iter().collect();
        columns.sort_by_key(|c| c.ordinal_position);
        let columns: Vec<Value> = columns
            .into_iter()
            .map(|c| column(c, &constraints))
            .collect();
        body.insert("columns".into(), columns.into());

        let table_constraints = self.table_constraints(t);
        if !table_constraints.is_empty() {
            body.insert("tableConstraints".into(), table_constraints.into());
        }
        if let Some(definition) = t.definition.as_deref().filter(|d| !d.trim().is_empty()) {
            body.insert("schemaDefinition".into(), definition.into());
        }
        if !t.partition_columns.is_empty() {
            let columns: Vec<Value> = t
                .partition_columns
                .iter()
                .map(|p| {
                    let mut c = Map::new();
                    // Left as the source spells it: OpenMetadata's ingestion encodes the names
                    // of columns and constraint columns, not of partition columns.
                    c.insert("columnName".into(), p.column.clone().into());
                    c.insert("intervalType".into(), p.interval_type.into());
                    if let Some(interval) = &p.interval {
                        c.insert("interval".into(), interval.clone().into());
                    }
                    Value::Object(c)
                })
                .collect();
            body.insert("tablePartition".into(), json!({ "columns": columns }));
        }
        body.into()
    }

    fn stored_procedure(&self, p: &StoredProcedure) -> Value {
        let mut body = named(&p.name, p.description.as_deref());
        let schema = EntityRef::new(
            EntityKind::DatabaseSchema,
            vec![p.database.clone(), p.schema.clone()],
        );
        body.insert("databaseSchema".into(), self.fqn(&schema).into());
        let mut code = Map::new();
        code.insert("language".into(), p.language.into());
        if let Some(text) = p.code.as_deref().filter(|c| !c.trim().is_empty()) {
            code.insert("code".into(), text.into());
        }
        body.insert("storedProcedureCode".into(), code.into());
        body.insert("storedProcedureType".into(), p.procedure_type.into());
        body.into()
    }

    /// As OpenMetadata's ingestion does: single-column primary keys and unique constraints are
    /// carried by the column itself; multi-column ones and every foreign key become table constraints.
    fn table_constraints(&self, t: &Table) -> Vec<Value> {
        t.constraints
            .iter()
            .filter(|c| {
                c.columns.len() > 1
                    || c.referred_table.is_some()
                    || !is_column_level(c.constraint_type)
            })
            .map(|c| {
                let mut value = Map::new();
                value.insert("constraintType".into(), c.constraint_type.into());
                let columns: Vec<String> = c.columns.iter().map(|n| fqn::encode_name(n)).collect();
                value.insert("columns".into(), columns.into());
                if let Some([database, schema, table]) = &c.referred_table {
                    let referred: Vec<String> = c
                        .referred_columns
                        .iter()
                        .map(|col| fqn::build(&[&self.service_name, database, schema, table, col]))
                        .collect();
                    value.insert("referredColumns".into(), referred.into());
                }
                Value::Object(value)
            })
            .collect()
    }
}

fn is_column_level(constraint_type: &str) -> bool {
    matches!(constraint_type, "PRIMARY_KEY" | "UNIQUE")
}

/// Which columns carry a single-column PRIMARY_KEY or UNIQUE constraint.
struct ColumnConstraints<'a> {
    primary_key: Option<&'a str>,
    unique: Vec<&'a str>,
}

impl<'a> ColumnConstraints<'a> {
    fn of(t: &'a Table) -> Self {
        let single = |kind: &str| -> Vec<&'a str> {
            t.constraints
                .iter()
                .filter(|c| c.constraint_type == kind && c.columns.len() == 1)
                .map(|c| c.columns[0].as_str())
                .collect()
        };
        Self {
            primary_key: single("PRIMARY_KEY").first().copied(),
            unique: single("UNIQUE"),
        }
    }

    fn of_column(&self, c: &Column) -> &'static str {
        if self.primary_key == Some(c.name.as_str()) {
            "PRIMARY_KEY"
        } else if self.unique.contains(&c.name.as_str()) {
            "UNIQUE"
        } else if !c.nullable {
            "NOT_NULL"
        } else {
            "NULL"
        }
    }
}

fn column(c: &Column, constraints: &ColumnConstraints) -> Value {
    let mut value = named(&c.name, c.description.as_deref());
    value.insert("dataType".into(), c.data_type.into());
    value.insert("dataTypeDisplay".into(), c.data_type_display.clone().into());
    // OpenMetadata's server refuses an ARRAY without its element type and a char/varchar/binary
    // without a length; its own ingestion fills in UNKNOWN and 1 the same way.
    if c.data_type == "ARRAY" {
        value.insert(
            "arrayDataType".into(),
            c.array_data_type.unwrap_or("UNKNOWN").into(),
        );
    }
    let needs_length = matches!(c.data_type, "CHAR" | "VARCHAR" | "BINARY" | "VARBINARY");
    if let Some(length) = c.data_length.or(needs_length.then_some(1)) {
        value.insert("dataLength".into(), length.into());
    }
    if let Some(precision) = c.precision {
        value.insert("precision".into(), precision.into());
    }
    if let Some(scale) = c.scale {
        value.insert("scale".into(), scale.into());
    }
    value.insert("ordinalPosition".into(), c.ordinal_position.into());
    value.insert("constraint".into(), constraints.of_column(c).into());
    value.into()
}

/// `{name, description?}`, the start of every request.
fn named(name: &str, description: Option<&str>) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("name".into(), fqn::encode_name(name).into());
    if let Some(description) = description.map(str::trim).filter(|d| !d.is_empty()) {
        body.insert("description".into(), description.into());
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TableConstraint;

    fn col(name: &str, position: u32, nullable: bool) -> Column {
        Column {
            name: name.into(),
            data_type: "INT",
            data_type_display: "integer".into(),
            array_data_type: None,
            data_length: None,
            precision: None,
            scale: None,
            nullable,
            ordinal_position: position,
            description: None,
        }
    }

    fn table() -> Table {
        Table {
            database: "db".into(),
            schema: "s".into(),
            name: "my.table".into(),
            table_type: "Regular",
            description: Some("  ".into()),
            columns: vec![col("b", 2, true), col("a", 1, false), col("c", 3, false)],
            constraints: vec![
                TableConstraint {
                    constraint_type: "PRIMARY_KEY",
                    columns: vec!["a".into()],
                    referred_table: None,
                    referred_columns: vec![],
                },
                TableConstraint {
                    constraint_type: "UNIQUE",
                    columns: vec!["b".into(), "c".into()],
                    referred_table: None,
                    referred_columns: vec![],
                },
                TableConstraint {
                    constraint_type: "FOREIGN_KEY",
                    columns: vec!["b".into()],
                    referred_table: Some(["db".into(), "other".into(), "t.2".into()]),
                    referred_columns: vec!["id".into()],
                },
            ],
            definition: None,
            partition_columns: vec![],
        }
    }

    #[test]
    fn table_request_follows_openmetadata_rules() {
        let request = Requests::new("svc", "Postgres").entity(&Entity::Table(table()));
        assert_eq!(request.kind, RequestKind::Table);
        assert_eq!(request.fqn, "svc.db.s.\"my.table\"");
        let body = request.body;
        assert_eq!(body["databaseSchema"], "svc.db.s");
        assert!(
            body.get("description").is_none(),
            "blank descriptions are dropped"
        );
        let names: Vec<&str> = body["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "b", "c"], "columns in ordinal order");
        let constraints: Vec<&str> = body["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["constraint"].as_str().unwrap())
            .collect();
        assert_eq!(constraints, ["PRIMARY_KEY", "NULL", "NOT_NULL"]);
        let table_constraints = body["tableConstraints"].as_array().unwrap();
        assert_eq!(
            table_constraints.len(),
            2,
            "the single-column PK lives on its column"
        );
        assert_eq!(table_constraints[0]["constraintType"], "UNIQUE");
        assert_eq!(
            table_constraints[1]["referredColumns"],
            json!(["svc.db.other.\"t.2\".id"])
        );
    }

    #[test]
    fn varchar_without_length_and_array_without_element_get_openmetadata_fallbacks() {
        let mut t = table();
        t.columns = vec![
            Column {
                data_type: "VARCHAR",
                ..col("v", 1, true)
            },
            Column {
                data_type: "ARRAY",
                ..col("arr", 2, true)
            },
        ];
        t.constraints.clear();
        let body = Requests::new("svc", "Postgres")
            .entity(&Entity::Table(t))
            .body;
        assert_eq!(body["columns"][0]["dataLength"], 1);
        assert_eq!(body["columns"][1]["arrayDataType"], "UNKNOWN");
        assert!(body.get("tableConstraints").is_none());
    }
}
