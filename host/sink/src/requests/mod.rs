//! The one place where entities become OpenMetadata Create requests (`CreateTableRequest`, …),
//! shared by every sink. Field names and rules follow OpenMetadata's own ingestion so a run of
//! omrun and a run of `metadata ingest` produce the same entities.

use super::conventions::Conventions;
use super::source_hash::source_hash;
use omrun_model::fqn::{self, Names};
use omrun_model::{
    Chart, Column, Dashboard, DashboardDataModel, Database, DatabaseSchema, Entity, EntityKind,
    EntityRef, MlModel, Pipeline, PipelineRun, StoredProcedure, Table, TagLabel,
};
use serde_json::{Map, Value, json};

/// What a request creates; decides its endpoint and its place in the parents-first order (the
/// sinks sort by it): classifications and their tags, which labels name, before anything that
/// carries a label; services, then containers and what they hold; dashboard data models and
/// charts before the dashboards that name them; a pipeline before its statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestKind {
    Classification,
    Tag,
    DatabaseService,
    DashboardService,
    PipelineService,
    MlModelService,
    Database,
    DatabaseSchema,
    Table,
    StoredProcedure,
    DashboardDataModel,
    Chart,
    Dashboard,
    Pipeline,
    /// One run of a pipeline: a `PipelineStatus`, not a Create request; its FQN is the pipeline's.
    PipelineStatus,
    MlModel,
}

impl RequestKind {
    /// Where OpenMetadata takes requests of this kind. OpenMetadata 2.0's own ingestion
    /// (`MetadataRestSink`) sends services one by one and charts, dashboards, data models and ML
    /// models through `/bulk`, as tables; pipelines one by one (`CreatePipelineRequest` is among
    /// the requests it never bulks), each run after its pipeline (`add_pipeline_status`).
    pub fn endpoint(self) -> Endpoint {
        match self {
            Self::Classification => Endpoint::Put("classifications"),
            Self::Tag => Endpoint::Put("tags"),
            Self::DatabaseService => Endpoint::Service("services/databaseServices"),
            Self::DashboardService => Endpoint::Service("services/dashboardServices"),
            Self::PipelineService => Endpoint::Service("services/pipelineServices"),
            Self::MlModelService => Endpoint::Service("services/mlmodelServices"),
            Self::Database => Endpoint::Bulk("databases"),
            Self::DatabaseSchema => Endpoint::Bulk("databaseSchemas"),
            Self::Table => Endpoint::Bulk("tables"),
            Self::StoredProcedure => Endpoint::Bulk("storedProcedures"),
            Self::DashboardDataModel => Endpoint::Bulk("dashboard/datamodels"),
            Self::Chart => Endpoint::Bulk("charts"),
            Self::Dashboard => Endpoint::Bulk("dashboards"),
            Self::Pipeline => Endpoint::Put("pipelines"),
            Self::PipelineStatus => Endpoint::Status("pipelines"),
            Self::MlModel => Endpoint::Bulk("mlmodels"),
        }
    }

    /// OpenMetadata's name for the request type, as written in the file sink's `kind`.
    pub fn request_name(self) -> &'static str {
        match self {
            Self::Classification => "CreateClassificationRequest",
            Self::Tag => "CreateTagRequest",
            Self::DatabaseService => "CreateDatabaseServiceRequest",
            Self::DashboardService => "CreateDashboardServiceRequest",
            Self::PipelineService => "CreatePipelineServiceRequest",
            Self::MlModelService => "CreateMlModelServiceRequest",
            Self::Database => "CreateDatabaseRequest",
            Self::DatabaseSchema => "CreateDatabaseSchemaRequest",
            Self::Table => "CreateTableRequest",
            Self::StoredProcedure => "CreateStoredProcedureRequest",
            Self::DashboardDataModel => "CreateDashboardDataModelRequest",
            Self::Chart => "CreateChartRequest",
            Self::Dashboard => "CreateDashboardRequest",
            Self::Pipeline => "CreatePipelineRequest",
            Self::PipelineStatus => "PipelineStatus",
            Self::MlModel => "CreateMlModelRequest",
        }
    }
}

/// An OpenMetadata collection, as a path under `/v1/`, and how requests are sent to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET <collection>/name/<name>`, then `PUT <collection>` only when missing.
    Service(&'static str),
    /// `PUT <collection>`, one request per call (create or update): how OpenMetadata's ingestion
    /// writes classifications and tags (`metadata_rest.py`, `write_classification_and_tag`).
    Put(&'static str),
    /// `PUT <collection>/bulk` with many requests per call.
    Bulk(&'static str),
    /// `PUT <collection>/{fqn}/status`, one status per call, the FQN being the request's.
    Status(&'static str),
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
    names: Names,
    service_name: String,
    service_type: String,
    conventions: Conventions,
}

impl Requests {
    pub fn new(service_name: impl Into<String>, service_type: impl Into<String>) -> Self {
        let service_type = service_type.into();
        let service_name = service_name.into();
        Self {
            names: Names::new(service_name.clone()),
            service_name,
            conventions: Conventions::of(&service_type),
            service_type,
        }
    }

    /// OpenMetadata's category of the service type (`omrun_config::service_category`).
    fn category(&self) -> Option<&'static str> {
        omrun_config::service_category(&self.service_type)
    }

    fn is_dashboard_service(&self) -> bool {
        self.category() == Some("dashboard")
    }

    /// The FQN of the entity a ref names (`model::Names::of`).
    pub fn fqn(&self, r: &EntityRef) -> String {
        self.names.of(r)
    }

    /// The service itself, of the type's category: a dashboard, pipeline or ML model service,
    /// else a database service. Its connection is left out on purpose: it holds credentials, and a
    /// file of Create requests must never contain them.
    pub fn service(&self) -> CreateRequest {
        let kind = match self.category() {
            Some("dashboard") => RequestKind::DashboardService,
            Some("pipeline") => RequestKind::PipelineService,
            Some("mlmodel") => RequestKind::MlModelService,
            _ => RequestKind::DatabaseService,
        };
        CreateRequest {
            kind,
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
            Entity::DashboardDataModel(m) => (RequestKind::DashboardDataModel, self.data_model(m)),
            Entity::Chart(c) => (RequestKind::Chart, self.chart(c)),
            Entity::Dashboard(d) => (RequestKind::Dashboard, self.dashboard(d)),
            Entity::Pipeline(p) => (RequestKind::Pipeline, self.pipeline(p)),
            Entity::MlModel(m) => (RequestKind::MlModel, self.ml_model(m)),
        };
        if let Some(hash) = source_hash(kind, &body) {
            body["sourceHash"] = hash.into();
        }
        CreateRequest { kind, fqn, body }
    }

    /// The runs of the pipelines among `entities`, each pipeline's after it in the order of
    /// [`Requests::pipeline_statuses`]: what both sinks write after the entities.
    pub fn runs_of(&self, entities: &[Entity]) -> Vec<CreateRequest> {
        entities
            .iter()
            .filter_map(|e| match e {
                Entity::Pipeline(p) => Some(self.pipeline_statuses(p)),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The `PipelineStatus` of each of a pipeline's runs, oldest first (OpenMetadata keeps the
    /// latest by timestamp), each to be sent after the pipeline: `PUT
    /// /v1/pipelines/{fqn}/status`, as OpenMetadata's `add_pipeline_status`.
    pub fn pipeline_statuses(&self, p: &Pipeline) -> Vec<CreateRequest> {
        let fqn = self.fqn(&EntityRef::new(EntityKind::Pipeline, vec![p.name.clone()]));
        p.runs
            .iter()
            .rev()
            .map(|run| CreateRequest {
                kind: RequestKind::PipelineStatus,
                fqn: fqn.clone(),
                body: pipeline_status(run),
            })
            .collect()
    }

    /// The `CreateClassificationRequest` a label's classification is created (or updated) with,
    /// as OpenMetadata's `get_ometa_tag_and_classification` builds it: name and description.
    pub fn classification(&self, label: &TagLabel) -> CreateRequest {
        CreateRequest {
            kind: RequestKind::Classification,
            fqn: fqn::quote(&label.classification),
            body: json!({
                "name": fqn::encode_name(&label.classification),
                "description": label.classification_description,
            }),
        }
    }

    /// The `CreateTagRequest` of a label's tag: in its classification (by FQN), with its
    /// description. OpenMetadata requires the classification to exist first.
    pub fn tag(&self, label: &TagLabel) -> CreateRequest {
        CreateRequest {
            kind: RequestKind::Tag,
            fqn: tag_fqn(label),
            body: json!({
                "classification": fqn::quote(&label.classification),
                "name": fqn::encode_name(&label.name),
                "description": label.tag_description,
            }),
        }
    }

    fn database(&self, d: &Database) -> Value {
        let mut body = named(
            &d.name,
            self.conventions.description(d.description.as_deref()),
        );
        body.insert("service".into(), fqn::quote(&self.service_name).into());
        insert_some(&mut body, "sourceUrl", d.source_url.as_deref());
        body.into()
    }

    fn schema(&self, s: &DatabaseSchema) -> Value {
        let mut body = named(
            &s.name,
            self.conventions.description(s.description.as_deref()),
        );
        let database = EntityRef::new(EntityKind::Database, vec![s.database.clone()]);
        body.insert("database".into(), self.fqn(&database).into());
        insert_some(&mut body, "sourceUrl", s.source_url.as_deref());
        insert_tags(&mut body, &s.tags);
        body.into()
    }

    fn table(&self, t: &Table) -> Value {
        let mut body = named(
            &t.name,
            self.conventions.description(t.description.as_deref()),
        );
        body.insert("tableType".into(), t.table_type.into());
        let schema = EntityRef::new(
            EntityKind::DatabaseSchema,
            vec![t.database.clone(), t.schema.clone()],
        );
        body.insert("databaseSchema".into(), self.fqn(&schema).into());

        let constraints = ColumnConstraints::of(t);
        let columns: Vec<Value> = by_position(&t.columns)
            .map(|c| column(c, Some(&constraints), self.conventions))
            .collect();
        body.insert("columns".into(), columns.into());

        // A list even when empty, as OpenMetadata's connectors build it: its sourceHash hashes
        // `[]`, not `null`.
        body.insert("tableConstraints".into(), self.table_constraints(t).into());
        if let Some(definition) = t.definition.as_deref().filter(|d| !d.trim().is_empty()) {
            body.insert("schemaDefinition".into(), definition.into());
        }
        // A partitioned table has a partition even when no key is a plain column (an expression
        // key), as OpenMetadata's connector writes it: `{"columns": []}`.
        if !t.partition_columns.is_empty() || t.table_type == "Partitioned" {
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
        insert_some(&mut body, "sourceUrl", t.source_url.as_deref());
        insert_tags(&mut body, &t.tags);
        body.into()
    }

    fn stored_procedure(&self, p: &StoredProcedure) -> Value {
        let mut body = named(
            &p.name,
            self.conventions.description(p.description.as_deref()),
        );
        let schema = EntityRef::new(
            EntityKind::DatabaseSchema,
            vec![p.database.clone(), p.schema.clone()],
        );
        body.insert("databaseSchema".into(), self.fqn(&schema).into());
        let mut code = Map::new();
        if self.conventions.procedure_language {
            code.insert("language".into(), p.language.into());
        }
        if let Some(text) = p.code.as_deref().filter(|c| !c.trim().is_empty()) {
            code.insert("code".into(), text.into());
        }
        body.insert("storedProcedureCode".into(), code.into());
        body.insert("storedProcedureType".into(), p.procedure_type.into());
        body.into()
    }

    fn chart(&self, c: &Chart) -> Value {
        let mut body =
            self.dashboard_named(&c.name, c.display_name.as_deref(), c.description.as_deref());
        body.insert("chartType".into(), c.chart_type.into());
        insert_some(&mut body, "sourceUrl", c.source_url.as_deref());
        body.into()
    }

    fn data_model(&self, m: &DashboardDataModel) -> Value {
        let mut body =
            self.dashboard_named(&m.name, m.display_name.as_deref(), m.description.as_deref());
        body.insert("dataModelType".into(), m.data_model_type.into());
        // As OpenMetadata's connectors set it; its type only admits dashboard service types.
        if self.is_dashboard_service() {
            body.insert("serviceType".into(), self.service_type.clone().into());
        }
        // No `constraint`: an explore's fields are not columns of a stored table, and
        // OpenMetadata's own connectors leave it out (a NOT_NULL would claim what nobody checked).
        let columns: Vec<Value> = by_position(&m.columns)
            .map(|c| column(c, None, self.conventions))
            .collect();
        body.insert("columns".into(), columns.into());
        insert_some(&mut body, "sql", m.sql.as_deref());
        insert_some(&mut body, "project", m.project.as_deref());
        insert_some(&mut body, "sourceUrl", m.source_url.as_deref());
        body.into()
    }

    fn dashboard(&self, d: &Dashboard) -> Value {
        let mut body =
            self.dashboard_named(&d.name, d.display_name.as_deref(), d.description.as_deref());
        body.insert("dashboardType".into(), d.dashboard_type.into());
        insert_some(&mut body, "sourceUrl", d.source_url.as_deref());
        insert_some(&mut body, "project", d.project.as_deref());
        let fqns = |kind, names: &[String]| -> Vec<String> {
            names
                .iter()
                .map(|name| self.fqn(&EntityRef::new(kind, vec![name.clone()])))
                .collect()
        };
        // Always sent, as OpenMetadata's connectors do: a chart removed at the source leaves the
        // dashboard. Data models only when named: other processes (lineage) may link them too.
        body.insert("charts".into(), fqns(EntityKind::Chart, &d.charts).into());
        if !d.data_models.is_empty() {
            let models = fqns(EntityKind::DashboardDataModel, &d.data_models);
            body.insert("dataModels".into(), models.into());
        }
        // Not `owners` here: OpenMetadata takes owners as entity references with ids, which only
        // the server can give; the OpenMetadata sink resolves the e-mails and adds them
        // (`openmetadata::owners`). The file sink, with no server to resolve against, writes the
        // request without them rather than with invented ids.
        body.into()
    }

    /// A `CreatePipelineRequest` as OpenMetadata's pipeline connectors build it (Airflow's:
    /// `AirflowApiSource.yield_pipeline`). `owners` are added by the OpenMetadata sink, as for
    /// dashboards.
    fn pipeline(&self, p: &Pipeline) -> Value {
        let mut body =
            self.dashboard_named(&p.name, p.display_name.as_deref(), p.description.as_deref());
        insert_some(&mut body, "sourceUrl", p.source_url.as_deref());
        if let Some(concurrency) = p.concurrency {
            body.insert("concurrency".into(), concurrency.into());
        }
        insert_some(
            &mut body,
            "pipelineLocation",
            p.pipeline_location.as_deref(),
        );
        if let Some(start) = p.start_date.as_deref().filter(|d| !d.trim().is_empty()) {
            body.insert("startDate".into(), iso_datetime(start).into());
        }
        let tasks: Vec<Value> = p
            .tasks
            .iter()
            .map(|t| {
                let mut task = named(
                    &t.name,
                    self.conventions.description(t.description.as_deref()),
                );
                insert_some(&mut task, "displayName", t.display_name.as_deref());
                insert_some(&mut task, "sourceUrl", t.source_url.as_deref());
                // Always a list, as OpenMetadata's connector writes it (`downstream_task_ids or []`).
                task.insert("downstreamTasks".into(), t.downstream_tasks.clone().into());
                insert_some(&mut task, "taskType", t.task_type.as_deref());
                insert_some(&mut task, "taskSQL", t.task_sql.as_deref());
                insert_some(&mut task, "startDate", t.start_date.as_deref());
                insert_some(&mut task, "endDate", t.end_date.as_deref());
                insert_tags(&mut task, &t.tags);
                Value::Object(task)
            })
            .collect();
        body.insert("tasks".into(), tasks.into());
        if let Some(state) = p.state {
            body.insert("state".into(), state.into());
        }
        insert_some(
            &mut body,
            "scheduleInterval",
            p.schedule_interval.as_deref(),
        );
        insert_tags(&mut body, &p.tags);
        body.into()
    }

    /// A `CreateMlModelRequest` as OpenMetadata's ML model connectors build it (MLflow's:
    /// `MlflowSource.yield_mlmodel`); lists only when the source gave some, as theirs.
    fn ml_model(&self, m: &MlModel) -> Value {
        let mut body =
            self.dashboard_named(&m.name, m.display_name.as_deref(), m.description.as_deref());
        body.insert("algorithm".into(), m.algorithm.clone().into());
        if !m.hyper_parameters.is_empty() {
            let parameters: Vec<Value> = m
                .hyper_parameters
                .iter()
                .map(|h| {
                    let mut parameter = Map::new();
                    parameter.insert("name".into(), h.name.clone().into());
                    if let Some(value) = &h.value {
                        parameter.insert("value".into(), value.clone().into());
                    }
                    insert_some(&mut parameter, "description", h.description.as_deref());
                    Value::Object(parameter)
                })
                .collect();
            body.insert("mlHyperParameters".into(), parameters.into());
        }
        if !m.features.is_empty() {
            let features: Vec<Value> = m
                .features
                .iter()
                .map(|f| {
                    let mut feature = named(
                        &f.name,
                        self.conventions.description(f.description.as_deref()),
                    );
                    if let Some(data_type) = f.data_type {
                        feature.insert("dataType".into(), data_type.into());
                    }
                    insert_some(
                        &mut feature,
                        "featureAlgorithm",
                        f.feature_algorithm.as_deref(),
                    );
                    insert_tags(&mut feature, &f.tags);
                    Value::Object(feature)
                })
                .collect();
            body.insert("mlFeatures".into(), features.into());
        }
        insert_some(
            &mut body,
            "target",
            m.target.as_deref().map(fqn::encode_name).as_deref(),
        );
        insert_some(&mut body, "dashboard", m.dashboard.as_deref());
        if let Some(store) = &m.store {
            let mut value = Map::new();
            insert_some(&mut value, "storage", store.storage.as_deref());
            insert_some(
                &mut value,
                "imageRepository",
                store.image_repository.as_deref(),
            );
            body.insert("mlStore".into(), value.into());
        }
        insert_some(&mut body, "server", m.server.as_deref());
        insert_some(&mut body, "sourceUrl", m.source_url.as_deref());
        insert_tags(&mut body, &m.tags);
        body.into()
    }

    /// `{name, displayName?, description?, service}`, the start of the requests of a flat service
    /// (dashboards, pipelines, ML models).
    fn dashboard_named(
        &self,
        name: &str,
        display_name: Option<&str>,
        description: Option<&str>,
    ) -> Map<String, Value> {
        let mut body = named(name, self.conventions.description(description));
        insert_some(&mut body, "displayName", display_name);
        body.insert("service".into(), fqn::quote(&self.service_name).into());
        body
    }

    /// As OpenMetadata's ingestion does: single-column primary keys and unique constraints are
    /// carried by the column itself; multi-column ones and every foreign key become table
    /// constraints, each once (OpenMetadata's server refuses a request listing one twice).
    fn table_constraints(&self, t: &Table) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for c in t.constraints.iter().filter(|c| {
            c.columns.len() > 1 || c.referred_table.is_some() || !is_column_level(c.constraint_type)
        }) {
            let mut value = Map::new();
            value.insert("constraintType".into(), c.constraint_type.into());
            let columns: Vec<String> = c.columns.iter().map(|n| fqn::encode_name(n)).collect();
            value.insert("columns".into(), columns.into());
            if let Some(referred) = &c.referred_table {
                let referred: Vec<String> = c
                    .referred_columns
                    .iter()
                    .map(|col| self.column_fqn(referred, col))
                    .collect();
                value.insert("referredColumns".into(), referred.into());
            }
            if let Some(relationship) = c.relationship_type {
                value.insert("relationshipType".into(), relationship.into());
            }
            let value = Value::Object(value);
            if !out.contains(&value) {
                out.push(value);
            }
        }
        out
    }

    fn column_fqn(&self, table: &[String; 3], column: &str) -> String {
        self.names.column(table, column)
    }
}

impl CreateRequest {
    /// The request with `owners` (OpenMetadata entity references) set and its `sourceHash` made
    /// again: OpenMetadata's own ingestion hashes a request with its owners in it.
    pub fn with_owners(mut self, owners: Vec<Value>) -> Self {
        if owners.is_empty() {
            return self;
        }
        self.body["owners"] = owners.into();
        if let Some(body) = self.body.as_object_mut() {
            body.remove("sourceHash");
        }
        if let Some(hash) = source_hash(self.kind, &self.body) {
            self.body["sourceHash"] = hash.into();
        }
        self
    }
}

/// A run as OpenMetadata's `PipelineStatus`.
fn pipeline_status(run: &PipelineRun) -> Value {
    let mut body = Map::new();
    body.insert("timestamp".into(), run.timestamp.into());
    body.insert("executionStatus".into(), run.execution_status.into());
    insert_some(&mut body, "executionId", run.execution_id.as_deref());
    if let Some(end) = run.end_time {
        body.insert("endTime".into(), end.into());
    }
    let tasks: Vec<Value> = run
        .tasks
        .iter()
        .map(|t| {
            let mut task = Map::new();
            task.insert("name".into(), t.name.clone().into());
            task.insert("executionStatus".into(), t.execution_status.into());
            if let Some(start) = t.start_time {
                task.insert("startTime".into(), start.into());
            }
            if let Some(end) = t.end_time {
                task.insert("endTime".into(), end.into());
            }
            insert_some(&mut task, "logLink", t.log_link.as_deref());
            Value::Object(task)
        })
        .collect();
    body.insert("taskStatus".into(), tasks.into());
    body.into()
}

/// An ISO 8601 date-time as OpenMetadata's client writes a `basic.DateTime` (pydantic's
/// serialisation of the `datetime` it parsed): seconds always, microseconds only when not zero (six
/// digits), a zero offset as `Z`, no offset left as none. Text that is not a date-time is left as
/// it is, for the server to refuse by name.
pub fn iso_datetime(text: &str) -> String {
    parse_datetime(text.trim()).unwrap_or_else(|| text.to_owned())
}

fn parse_datetime(text: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (date, rest) = text.split_at_checked(10)?;
    let d: Vec<&str> = date.split('-').collect();
    if d.len() != 3
        || !d.iter().all(|p| digits(p))
        || d[0].len() != 4
        || d[1].len() != 2
        || d[2].len() != 2
    {
        return None;
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let split = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(split);
    let (clock, fraction) = match time.split_once('.') {
        Some((clock, fraction)) if digits(fraction) && fraction.len() <= 9 => (clock, fraction),
        Some(_) => return None,
        None => (time, ""),
    };
    let c: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&c.len()) || !c.iter().all(|p| digits(p) && p.len() == 2) {
        return None;
    }
    let seconds = c.get(2).copied().unwrap_or("00");
    let micros: String = format!("{fraction:0<6}").chars().take(6).collect();
    let micros = if micros.bytes().all(|b| b == b'0') {
        String::new()
    } else {
        format!(".{micros}")
    };
    let zone = match zone {
        "" => String::new(),
        "Z" | "z" => "Z".to_owned(),
        z => {
            let (sign, offset) = z.split_at(1);
            let (h, m) = offset
                .split_once(':')
                .unwrap_or(offset.split_at(offset.len().min(2)));
            if !digits(h) || h.len() != 2 || !(m.is_empty() || digits(m) && m.len() == 2) {
                return None;
            }
            let m = if m.is_empty() { "00" } else { m };
            if h == "00" && m == "00" {
                "Z".to_owned()
            } else {
                format!("{sign}{h}:{m}")
            }
        }
    };
    Some(format!("{date}T{}:{}:{seconds}{micros}{zone}", c[0], c[1]))
}

/// The columns of a table whose Create request carries a `PRIMARY_KEY` or `UNIQUE` column
/// constraint, by the names the request gives them: what OpenMetadata reads to tell a foreign key's
/// `relationshipType`.
pub fn unique_columns(t: &Table) -> Vec<String> {
    let constraints = ColumnConstraints::of(t);
    t.columns
        .iter()
        .filter(|c| constraints.of_column(c).is_some_and(is_column_level))
        .map(|c| fqn::encode_name(&c.name))
        .collect()
}

/// The names a table's Create request gives its columns.
pub fn column_names(t: &Table) -> Vec<String> {
    t.columns
        .iter()
        .map(|c| fqn::encode_name(&c.name))
        .collect()
}

fn is_column_level(constraint_type: &str) -> bool {
    matches!(constraint_type, "PRIMARY_KEY" | "UNIQUE")
}

/// The `constraint` of each column, as OpenMetadata's `_get_column_constraints` decides it: a
/// single-column primary key or unique key is carried by its column; a column of a composite
/// primary key carries no constraint at all (not even its nullability); the rest say NULL or
/// NOT_NULL.
struct ColumnConstraints<'a> {
    primary_key: &'a [String],
    unique: Vec<&'a str>,
}

impl<'a> ColumnConstraints<'a> {
    fn of(t: &'a Table) -> Self {
        let primary_key = t
            .constraints
            .iter()
            .find(|c| c.constraint_type == "PRIMARY_KEY")
            .map_or(&[][..], |c| c.columns.as_slice());
        let unique = t
            .constraints
            .iter()
            .filter(|c| c.constraint_type == "UNIQUE" && c.columns.len() == 1)
            .map(|c| c.columns[0].as_str())
            .collect();
        Self {
            primary_key,
            unique,
        }
    }

    fn of_column(&self, c: &Column) -> Option<&'static str> {
        if self.primary_key.contains(&c.name) {
            return (self.primary_key.len() == 1).then_some("PRIMARY_KEY");
        }
        Some(if self.unique.contains(&c.name.as_str()) {
            "UNIQUE"
        } else {
            nullability(c)
        })
    }
}

fn nullability(c: &Column) -> &'static str {
    if c.nullable { "NULL" } else { "NOT_NULL" }
}

/// Columns (or a column's children) in the order of their positions; stable, so equal positions
/// keep the source's order.
fn by_position(columns: &[Column]) -> impl Iterator<Item = &Column> {
    let mut columns: Vec<&Column> = columns.iter().collect();
    columns.sort_by_key(|c| c.ordinal_position);
    columns.into_iter()
}

/// A column of a table (its `constraint` from the table's keys) or of a dashboard data model
/// (`None`: never a constraint), with the service type's [`Conventions`], and its nested columns
/// as `children`. A nested column of a table says only whether it is nullable: keys name top-level
/// columns (OpenMetadata's column handler gives BigQuery's nested fields NULL or NOT_NULL).
fn column(c: &Column, keys: Option<&ColumnConstraints>, conventions: Conventions) -> Value {
    let constraint = keys.and_then(|k| k.of_column(c));
    let mut value = field(c, constraint, conventions);
    if has_children(c, conventions) {
        let children: Vec<Value> = by_position(&c.children)
            .map(|child| nested(child, keys.is_some(), conventions))
            .collect();
        value.insert("children".into(), children.into());
    }
    value.into()
}

/// Whether the request gives `c` its `children`: when it has some, and (where the service type's
/// connector does so) when it is a struct, or an array of structs, without any.
fn has_children(c: &Column, conventions: Conventions) -> bool {
    let of_structs =
        c.data_type == "STRUCT" || (c.data_type == "ARRAY" && c.array_data_type == Some("STRUCT"));
    !c.children.is_empty() || (conventions.empty_struct_children && of_structs)
}

/// A nested column: of a table (`constrained`: its nullability) or of a data model (none).
fn nested(c: &Column, constrained: bool, conventions: Conventions) -> Value {
    let mut value = field(c, constrained.then(|| nullability(c)), conventions);
    if has_children(c, conventions) {
        let children: Vec<Value> = by_position(&c.children)
            .map(|child| nested(child, constrained, conventions))
            .collect();
        value.insert("children".into(), children.into());
    }
    value.into()
}

/// A column's own fields, without its children.
fn field(
    c: &Column,
    constraint: Option<&'static str>,
    conventions: Conventions,
) -> Map<String, Value> {
    let mut value = named(&c.name, conventions.description(c.description.as_deref()));
    let bare = conventions.complex_columns_bare
        && matches!(c.data_type, "ARRAY" | "STRUCT" | "MAP" | "UNION");
    let constraint = constraint.filter(|_| !bare);
    value.insert("dataType".into(), c.data_type.into());
    value.insert("dataTypeDisplay".into(), c.data_type_display.clone().into());
    // OpenMetadata's server refuses an ARRAY without its element type and a char/varchar/binary
    // without a length; its own ingestion fills in UNKNOWN and 1 the same way (and its SQL
    // connectors 1 for every type without a length).
    if c.data_type == "ARRAY" {
        value.insert(
            "arrayDataType".into(),
            c.array_data_type.unwrap_or("UNKNOWN").into(),
        );
    }
    let needs_length = (conventions.data_length_always && !bare)
        || matches!(c.data_type, "CHAR" | "VARCHAR" | "BINARY" | "VARBINARY");
    if let Some(length) = c.data_length.or(needs_length.then_some(1)) {
        value.insert("dataLength".into(), length.into());
    }
    if let Some(precision) = c.precision {
        value.insert("precision".into(), precision.into());
    }
    if let Some(scale) = c.scale {
        value.insert("scale".into(), scale.into());
    }
    if conventions.ordinal_positions {
        value.insert("ordinalPosition".into(), c.ordinal_position.into());
    }
    if let Some(constraint) = constraint {
        value.insert("constraint".into(), constraint.into());
    }
    insert_tags(&mut value, &c.tags);
    value
}

/// A tag's FQN, `classification.tag`, each part encoded and quoted as OpenMetadata stores names
/// (so it names the tag `Requests::tag` creates).
pub fn tag_fqn(label: &TagLabel) -> String {
    fqn::build(&[&label.classification, &label.name])
}

/// The labels `entities` carry, each tag once (by FQN), in the order first met: the tags (and
/// their classifications) a sink makes sure exist before it writes the entities.
pub fn labels_of(entities: &[Entity]) -> Vec<&TagLabel> {
    let mut seen = std::collections::HashSet::new();
    entities
        .iter()
        .flat_map(Entity::tag_labels)
        .filter(|label| seen.insert(tag_fqn(label)))
        .collect()
}

/// `tags` unless there are none, each label as OpenMetadata's `get_tag_label` builds it
/// (`Automated`, `Suggested`, from a `Classification`), each tag once.
fn insert_tags(body: &mut Map<String, Value>, labels: &[TagLabel]) {
    let mut fqns: Vec<String> = Vec::new();
    for label in labels {
        let fqn = tag_fqn(label);
        if !fqns.contains(&fqn) {
            fqns.push(fqn);
        }
    }
    if fqns.is_empty() {
        return;
    }
    let tags: Vec<Value> = fqns
        .into_iter()
        .map(|fqn| {
            json!({
                "tagFQN": fqn,
                "source": "Classification",
                "labelType": "Automated",
                "state": "Suggested",
            })
        })
        .collect();
    body.insert("tags".into(), tags.into());
}

/// `{name, description?}`, the start of every request; the description as
/// [`Conventions::description`] gives it.
fn named(name: &str, description: Option<&str>) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("name".into(), fqn::encode_name(name).into());
    if let Some(description) = description {
        body.insert("description".into(), description.into());
    }
    body
}

/// Sets `key` unless the value is absent or blank: OpenMetadata's connectors send no empty strings.
fn insert_some(body: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
        body.insert(key.into(), value.into());
    }
}

#[cfg(test)]
mod tags_tests;
#[cfg(test)]
mod tests;
