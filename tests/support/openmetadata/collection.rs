//! The entity collections the stand-in serves, and what OpenMetadata says about each: its entity
//! type, Create request, REST path, parent, and the fields a GET may ask for. Classifications and
//! their tags are entities too (a tag's parent is its classification), written one by one.

use crate::jsonl::fqn_part;

/// The entity collections the stand-in serves, parents first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Collection {
    DatabaseServices,
    Databases,
    DatabaseSchemas,
    Tables,
    StoredProcedures,
    DashboardServices,
    DashboardDataModels,
    Charts,
    Dashboards,
    PipelineServices,
    Pipelines,
    MlModelServices,
    MlModels,
    Classifications,
    Tags,
}

impl Collection {
    pub const ALL: [Collection; 15] = [
        Collection::DatabaseServices,
        Collection::Databases,
        Collection::DatabaseSchemas,
        Collection::Tables,
        Collection::StoredProcedures,
        Collection::DashboardServices,
        Collection::DashboardDataModels,
        Collection::Charts,
        Collection::Dashboards,
        Collection::PipelineServices,
        Collection::Pipelines,
        Collection::MlModelServices,
        Collection::MlModels,
        Collection::Classifications,
        Collection::Tags,
    ];

    /// OpenMetadata's entity type name, as in its error messages and entity references.
    pub fn entity_type(self) -> &'static str {
        match self {
            Collection::DatabaseServices => "databaseService",
            Collection::Databases => "database",
            Collection::DatabaseSchemas => "databaseSchema",
            Collection::Tables => "table",
            Collection::StoredProcedures => "storedProcedure",
            Collection::DashboardServices => "dashboardService",
            Collection::DashboardDataModels => "dashboardDataModel",
            Collection::Charts => "chart",
            Collection::Dashboards => "dashboard",
            Collection::PipelineServices => "pipelineService",
            Collection::Pipelines => "pipeline",
            Collection::MlModelServices => "mlmodelService",
            Collection::MlModels => "mlmodel",
            Collection::Classifications => "classification",
            Collection::Tags => "tag",
        }
    }

    pub fn from_entity_type(t: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.entity_type() == t)
    }

    /// The collection's path under `/api/v1/` (OpenMetadata's `COLLECTION_PATH`s).
    pub fn path(self) -> &'static str {
        match self {
            Collection::DatabaseServices => "services/databaseServices",
            Collection::Databases => "databases",
            Collection::DatabaseSchemas => "databaseSchemas",
            Collection::Tables => "tables",
            Collection::StoredProcedures => "storedProcedures",
            Collection::DashboardServices => "services/dashboardServices",
            Collection::DashboardDataModels => "dashboard/datamodels",
            Collection::Charts => "charts",
            Collection::Dashboards => "dashboards",
            Collection::PipelineServices => "services/pipelineServices",
            Collection::Pipelines => "pipelines",
            Collection::MlModelServices => "services/mlmodelServices",
            Collection::MlModels => "mlmodels",
            Collection::Classifications => "classifications",
            Collection::Tags => "tags",
        }
    }

    /// The Create request accepted for this collection (a key of `crate::schema::KINDS`).
    pub fn request_kind(self) -> &'static str {
        match self {
            Collection::DatabaseServices => "CreateDatabaseServiceRequest",
            Collection::Databases => "CreateDatabaseRequest",
            Collection::DatabaseSchemas => "CreateDatabaseSchemaRequest",
            Collection::Tables => "CreateTableRequest",
            Collection::StoredProcedures => "CreateStoredProcedureRequest",
            Collection::DashboardServices => "CreateDashboardServiceRequest",
            Collection::DashboardDataModels => "CreateDashboardDataModelRequest",
            Collection::Charts => "CreateChartRequest",
            Collection::Dashboards => "CreateDashboardRequest",
            Collection::PipelineServices => "CreatePipelineServiceRequest",
            Collection::Pipelines => "CreatePipelineRequest",
            Collection::MlModelServices => "CreateMlModelServiceRequest",
            Collection::MlModels => "CreateMlModelRequest",
            Collection::Classifications => "CreateClassificationRequest",
            Collection::Tags => "CreateTagRequest",
        }
    }

    pub fn is_service(self) -> bool {
        matches!(
            self,
            Collection::DatabaseServices
                | Collection::DashboardServices
                | Collection::PipelineServices
                | Collection::MlModelServices
        )
    }

    /// Whether `PUT <path>/bulk` and `DELETE <path>/deleteStale` are served: not for services,
    /// and not for classifications and tags, which OpenMetadata's ingestion writes one by one.
    pub fn has_bulk(self) -> bool {
        !self.is_service() && !matches!(self, Collection::Classifications | Collection::Tags)
    }

    /// The parent collection and the request field holding the parent's FQN.
    pub fn parent(self) -> Option<(Collection, &'static str)> {
        match self {
            Collection::DatabaseServices
            | Collection::DashboardServices
            | Collection::PipelineServices
            | Collection::MlModelServices
            | Collection::Classifications => None,
            Collection::Databases => Some((Collection::DatabaseServices, "service")),
            Collection::DatabaseSchemas => Some((Collection::Databases, "database")),
            Collection::Tables | Collection::StoredProcedures => {
                Some((Collection::DatabaseSchemas, "databaseSchema"))
            }
            Collection::DashboardDataModels | Collection::Charts | Collection::Dashboards => {
                Some((Collection::DashboardServices, "service"))
            }
            Collection::Pipelines => Some((Collection::PipelineServices, "service")),
            Collection::MlModels => Some((Collection::MlModelServices, "service")),
            Collection::Tags => Some((Collection::Classifications, "classification")),
        }
    }

    /// This collection's ancestors, nearest first (a table's: schema, database, service).
    pub fn ancestors(self) -> Vec<Collection> {
        let mut out = Vec::new();
        let mut up = self.parent();
        while let Some((c, _)) = up {
            out.push(c);
            up = c.parent();
        }
        out
    }

    /// The request fields that name other entities by FQN, which must exist: a dashboard's charts
    /// and data models (lists), an ML model's dashboard (one; `MlModelRepository.prepare`: "Check
    /// that the dashboard exists").
    pub fn links(self) -> &'static [(&'static str, Collection)] {
        match self {
            Collection::Dashboards => &[
                ("charts", Collection::Charts),
                ("dataModels", Collection::DashboardDataModels),
            ],
            Collection::MlModels => &[("dashboard", Collection::Dashboards)],
            _ => &[],
        }
    }

    /// The FQN of an entity named `name` under the parent with FQN `parent`. A dashboard data
    /// model's has a literal `model` part: OpenMetadata's `service.model.name`.
    pub fn fqn(self, parent: Option<&str>, name: &str) -> String {
        match (self, parent) {
            (_, None) => fqn_part(name),
            (Collection::DashboardDataModels, Some(p)) => format!("{p}.model.{}", fqn_part(name)),
            (_, Some(p)) => format!("{p}.{}", fqn_part(name)),
        }
    }

    /// Every field a GET may name in `fields`: the properties of the entity's schema, as the
    /// pydantic models of openmetadata-ingestion 2.0.7.0 list them (`Table.model_fields`...). The
    /// server refuses any other name (`Fields` → `CatalogExceptionMessage.invalidField`).
    #[rustfmt::skip]
    pub fn allowed_fields(self) -> &'static [&'static str] {
        match self {
            Collection::DatabaseServices => &[
                "id", "name", "fullyQualifiedName", "displayName", "serviceType", "description",
                "connection", "pipelines", "testConnectionResult", "tags", "style", "version",
                "updatedAt", "updatedBy", "impersonatedBy", "owners", "href", "followers",
                "changeDescription", "incrementalChangeDescription", "deleted", "entityStatus",
                "dataProducts", "dataContract", "domains", "ingestionRunner",
            ],
            Collection::Databases => &[
                "id", "name", "fullyQualifiedName", "displayName", "description", "dataProducts",
                "dataContract", "tags", "version", "updatedAt", "updatedBy", "impersonatedBy",
                "href", "owners", "service", "serviceType", "location", "usageSummary",
                "databaseSchemas", "changeDescription", "incrementalChangeDescription", "default",
                "deleted", "retentionPeriod", "extension", "sourceUrl", "domains", "votes",
                "lifeCycle", "certification", "followers", "sourceHash", "databaseProfilerConfig",
                "entityStatus",
            ],
            Collection::DatabaseSchemas => &[
                "id", "name", "fullyQualifiedName", "displayName", "description", "dataProducts",
                "dataContract", "version", "updatedAt", "updatedBy", "impersonatedBy", "href",
                "owners", "service", "serviceType", "database", "tables", "usageSummary", "tags",
                "changeDescription", "incrementalChangeDescription", "deleted", "retentionPeriod",
                "extension", "sourceUrl", "domains", "votes", "lifeCycle", "followers",
                "certification", "sourceHash", "databaseSchemaProfilerConfig", "entityStatus",
            ],
            Collection::Tables => &[
                "id", "name", "displayName", "fullyQualifiedName", "description", "version",
                "updatedAt", "updatedBy", "impersonatedBy", "href", "tableType", "columns",
                "tableConstraints", "aliases", "tablePartition", "owners", "databaseSchema",
                "database", "service", "serviceType", "location", "locationPath",
                "schemaDefinition", "tags", "usageSummary", "followers", "joins", "sampleData",
                "tableProfilerConfig", "customMetrics", "profile", "testSuite", "dataModel",
                "changeDescription", "incrementalChangeDescription", "deleted", "retentionPeriod",
                "compressionEnabled", "compressionCodec", "compressionStrategy", "extension",
                "sourceUrl", "domains", "dataProducts", "dataContract", "fileFormat", "votes",
                "lifeCycle", "certification", "sourceHash", "processedLineage", "queries",
                "pipelineObservability", "entityStatus",
            ],
            Collection::StoredProcedures => &[
                "id", "name", "fullyQualifiedName", "displayName", "description",
                "storedProcedureCode", "version", "dataProducts", "dataContract", "updatedAt",
                "storedProcedureType", "updatedBy", "impersonatedBy", "href", "changeDescription",
                "incrementalChangeDescription", "databaseSchema", "database", "service",
                "serviceType", "deleted", "owners", "followers", "votes", "code", "tags",
                "extension", "sourceUrl", "domains", "lifeCycle", "certification", "sourceHash",
                "processedLineage", "entityStatus",
            ],
            Collection::DashboardServices => &[
                "id", "name", "fullyQualifiedName", "displayName", "serviceType", "description",
                "connection", "pipelines", "testConnectionResult", "tags", "style", "owners",
                "version", "updatedAt", "updatedBy", "impersonatedBy", "href", "changeDescription",
                "incrementalChangeDescription", "deleted", "entityStatus", "dataProducts",
                "dataContract", "domains", "followers", "ingestionRunner",
            ],
            Collection::DashboardDataModels => &[
                "id", "name", "displayName", "fullyQualifiedName", "description", "version",
                "updatedAt", "updatedBy", "impersonatedBy", "href", "owners", "dataProducts",
                "dataContract", "tags", "changeDescription", "incrementalChangeDescription",
                "deleted", "followers", "service", "serviceType", "dataModelType", "sql", "columns",
                "project", "sourceUrl", "domains", "votes", "lifeCycle", "certification",
                "sourceHash", "extension", "entityStatus",
            ],
            Collection::Charts => &[
                "id", "name", "displayName", "fullyQualifiedName", "description", "version",
                "updatedAt", "updatedBy", "impersonatedBy", "chartType", "sourceUrl", "href",
                "owners", "followers", "tags", "service", "serviceType", "usageSummary",
                "changeDescription", "incrementalChangeDescription", "deleted", "domains",
                "dataProducts", "dataContract", "votes", "lifeCycle", "certification",
                "sourceHash", "extension", "dashboards", "entityStatus",
            ],
            Collection::Dashboards => &[
                "id", "name", "displayName", "fullyQualifiedName", "description", "project",
                "version", "updatedAt", "updatedBy", "impersonatedBy", "dashboardType",
                "sourceUrl", "charts", "dataModels", "href", "owners", "followers", "tags",
                "service", "serviceType", "usageSummary", "changeDescription",
                "incrementalChangeDescription", "deleted", "extension", "domains", "dataProducts",
                "dataContract", "votes", "lifeCycle", "certification", "sourceHash",
                "entityStatus",
            ],
            Collection::PipelineServices | Collection::MlModelServices => &[
                "id", "name", "fullyQualifiedName", "displayName", "serviceType", "description",
                "connection", "pipelines", "testConnectionResult", "tags", "owners", "version",
                "updatedAt", "updatedBy", "impersonatedBy", "href", "changeDescription",
                "incrementalChangeDescription", "deleted", "entityStatus", "dataProducts",
                "dataContract", "domains", "followers", "ingestionRunner",
            ],
            Collection::Pipelines => PIPELINE_FIELDS,
            Collection::MlModels => ML_MODEL_FIELDS,
            Collection::Classifications => &[
                "id", "name", "fullyQualifiedName", "displayName", "description", "version",
                "termCount", "updatedAt", "updatedBy", "impersonatedBy", "href", "usageCount",
                "changeDescription", "incrementalChangeDescription", "deleted", "provider",
                "disabled", "mutuallyExclusive", "domains", "owners", "reviewers", "entityStatus",
                "autoClassificationConfig",
            ],
            Collection::Tags => &[
                "id", "name", "displayName", "fullyQualifiedName", "description", "style",
                "classification", "parent", "children", "version", "updatedAt", "updatedBy",
                "impersonatedBy", "href", "usageCount", "deprecated", "deleted",
                "changeDescription", "incrementalChangeDescription", "provider", "disabled",
                "mutuallyExclusive", "domains", "dataProducts", "dataContract", "owners",
                "reviewers", "entityStatus", "recognizers", "autoClassificationEnabled",
                "autoClassificationPriority",
            ],
        }
    }

    /// The fields an entity comes back without unless a GET names them in `fields`: those
    /// `EntityRepository.clearFieldsInternal` (owners, tags, extension, domains, data products,
    /// followers, votes...) and the repository's own `clearFields` null (a table's
    /// `tableConstraints`, `joins`, `schemaDefinition`, `tableProfilerConfig`, `testSuite`, read
    /// in `TableRepository.clearFields`), plus what the server computes only on request (usage,
    /// children, profiles, sample data, queries).
    #[rustfmt::skip]
    pub fn requested_only(self) -> &'static [&'static str] {
        const COMMON: &[&str] = &[
            "owners", "tags", "extension", "domains", "dataProducts", "followers", "votes",
            "usageSummary", "lifeCycle", "certification", "dataContract",
        ];
        match self {
            Collection::Tables => &[
                "owners", "tags", "extension", "domains", "dataProducts", "followers", "votes",
                "usageSummary", "lifeCycle", "certification", "dataContract", "tableConstraints",
                "joins", "schemaDefinition", "tableProfilerConfig", "testSuite", "customMetrics",
                "sampleData", "profile", "queries",
            ],
            Collection::Databases => &[
                "owners", "tags", "extension", "domains", "dataProducts", "followers", "votes",
                "usageSummary", "lifeCycle", "certification", "dataContract", "databaseSchemas",
                "databaseProfilerConfig",
            ],
            Collection::DatabaseSchemas => &[
                "owners", "tags", "extension", "domains", "dataProducts", "followers", "votes",
                "usageSummary", "lifeCycle", "certification", "dataContract", "tables",
                "databaseSchemaProfilerConfig",
            ],
            Collection::DatabaseServices
            | Collection::DashboardServices
            | Collection::PipelineServices
            | Collection::MlModelServices => &[
                "owners", "tags", "domains", "dataProducts", "followers", "dataContract",
                "pipelines", "testConnectionResult", "ingestionRunner",
            ],
            // What their repositories compute on request (`ClassificationRepository`,
            // `TagRepository` `setFields`) and the common relationship fields they have.
            Collection::Classifications => &[
                "owners", "domains", "reviewers", "usageCount", "termCount",
            ],
            Collection::Tags => &[
                "owners", "domains", "reviewers", "usageCount", "children", "dataProducts",
                "dataContract",
            ],
            Collection::Pipelines => &[
                "owners", "tags", "extension", "domains", "dataProducts", "followers", "votes",
                "usageSummary", "lifeCycle", "certification", "dataContract", "pipelineStatus",
            ],
            _ => COMMON,
        }
    }
}

/// `Pipeline.model_fields` of openmetadata-ingestion 2.0.7.0.
#[rustfmt::skip]
const PIPELINE_FIELDS: &[&str] = &[
    "id", "name", "displayName", "fullyQualifiedName", "description", "dataProducts",
    "dataContract", "version", "updatedAt", "updatedBy", "impersonatedBy", "sourceUrl",
    "concurrency", "pipelineLocation", "startDate", "endDate", "tasks", "pipelineStatus", "state",
    "followers", "tags", "href", "owners", "service", "serviceType", "usageSummary",
    "changeDescription", "incrementalChangeDescription", "deleted", "extension",
    "scheduleInterval", "domains", "votes", "lifeCycle", "certification", "sourceHash",
    "entityStatus",
];

/// `MlModel.model_fields` of openmetadata-ingestion 2.0.7.0.
#[rustfmt::skip]
const ML_MODEL_FIELDS: &[&str] = &[
    "id", "name", "fullyQualifiedName", "displayName", "description", "algorithm", "mlFeatures",
    "mlHyperParameters", "target", "dashboard", "mlStore", "server", "href", "owners",
    "followers", "tags", "usageSummary", "version", "updatedAt", "updatedBy", "impersonatedBy",
    "service", "serviceType", "changeDescription", "incrementalChangeDescription", "deleted",
    "extension", "sourceUrl", "domains", "dataProducts", "dataContract", "votes", "lifeCycle",
    "certification", "sourceHash", "entityStatus",
];
