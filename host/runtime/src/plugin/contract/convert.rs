//! The newest contract's types to and from the host model, written once: older contracts upgrade
//! into the newest first (see `v0_3`). OpenMetadata's spellings of the contract's enums (data
//! types, table types, constraint and partition kinds, chart and data model types) live here, and
//! the contract's flat column lists become the model's trees (`columns`).

use super::v0_5::types;
use crate::capability::Capability;
use crate::plugin::{PluginInfo, SourceConfig};
use omrun_model as model;

pub fn plugin_info(info: types::PluginInfo) -> PluginInfo {
    PluginInfo {
        name: info.name,
        version: info.version,
        service_types: info.service_types,
        capabilities: info.capabilities.into_iter().map(capability).collect(),
    }
}

pub fn source_config(config: &SourceConfig) -> types::SourceConfig {
    types::SourceConfig {
        service_name: config.service_name.clone(),
        service_connection: config.service_connection.to_string(),
        source_config: config.source_config.to_string(),
        secrets: config.secrets.clone(),
    }
}

fn entity_kind(k: types::EntityKind) -> model::EntityKind {
    use types::EntityKind as K;
    match k {
        K::Database => model::EntityKind::Database,
        K::DatabaseSchema => model::EntityKind::DatabaseSchema,
        K::Table => model::EntityKind::Table,
        K::StoredProcedure => model::EntityKind::StoredProcedure,
        K::Dashboard => model::EntityKind::Dashboard,
        K::Chart => model::EntityKind::Chart,
        K::DashboardDataModel => model::EntityKind::DashboardDataModel,
        K::Pipeline => model::EntityKind::Pipeline,
        K::MlModel => model::EntityKind::MlModel,
    }
}

pub fn entity_ref(r: types::EntityRef) -> model::EntityRef {
    model::EntityRef::new(entity_kind(r.kind), r.path)
}

pub fn wit_entity_ref(r: &model::EntityRef) -> types::EntityRef {
    use types::EntityKind as K;
    let kind = match r.kind {
        model::EntityKind::Database => K::Database,
        model::EntityKind::DatabaseSchema => K::DatabaseSchema,
        model::EntityKind::Table => K::Table,
        model::EntityKind::StoredProcedure => K::StoredProcedure,
        model::EntityKind::Dashboard => K::Dashboard,
        model::EntityKind::Chart => K::Chart,
        model::EntityKind::DashboardDataModel => K::DashboardDataModel,
        model::EntityKind::Pipeline => K::Pipeline,
        model::EntityKind::MlModel => K::MlModel,
    };
    types::EntityRef {
        kind,
        path: r.path.clone(),
    }
}

/// An entity of the contract as the model's; `Err` names what the plugin got wrong (a column list
/// that is not a tree), for the report: the entity fails, nothing of it is written.
pub fn entity(e: types::Entity) -> Result<model::Entity, String> {
    Ok(match e {
        types::Entity::Database(d) => model::Entity::Database(model::Database {
            name: d.name,
            description: d.description,
            source_url: d.source_url,
        }),
        types::Entity::DatabaseSchema(s) => model::Entity::DatabaseSchema(model::DatabaseSchema {
            database: s.database,
            name: s.name,
            description: s.description,
            source_url: s.source_url,
            tags: s.tags.into_iter().map(tag_label).collect(),
        }),
        types::Entity::Table(t) => model::Entity::Table(table(t)?),
        types::Entity::StoredProcedure(p) => model::Entity::StoredProcedure(stored_procedure(p)),
        types::Entity::Dashboard(d) => model::Entity::Dashboard(dashboard(d)),
        types::Entity::Chart(c) => model::Entity::Chart(chart(c)),
        types::Entity::DashboardDataModel(m) => model::Entity::DashboardDataModel(data_model(m)?),
        types::Entity::Pipeline(p) => model::Entity::Pipeline(pipeline(p)),
        types::Entity::MlModel(m) => model::Entity::MlModel(ml_model(m)),
    })
}

/// The ref of an entity of the contract, to name it when it cannot be converted.
pub fn ref_of(e: &types::Entity) -> model::EntityRef {
    use model::EntityKind as K;
    let (kind, path): (_, Vec<&String>) = match e {
        types::Entity::Database(d) => (K::Database, vec![&d.name]),
        types::Entity::DatabaseSchema(s) => (K::DatabaseSchema, vec![&s.database, &s.name]),
        types::Entity::Table(t) => (K::Table, vec![&t.database, &t.schema, &t.name]),
        types::Entity::StoredProcedure(p) => {
            (K::StoredProcedure, vec![&p.database, &p.schema, &p.name])
        }
        types::Entity::Dashboard(d) => (K::Dashboard, vec![&d.name]),
        types::Entity::Chart(c) => (K::Chart, vec![&c.name]),
        types::Entity::DashboardDataModel(m) => (K::DashboardDataModel, vec![&m.name]),
        types::Entity::Pipeline(p) => (K::Pipeline, vec![&p.name]),
        types::Entity::MlModel(m) => (K::MlModel, vec![&m.name]),
    };
    model::EntityRef::new(kind, path.into_iter().cloned().collect())
}

fn pipeline(p: types::Pipeline) -> model::Pipeline {
    model::Pipeline {
        name: p.name,
        display_name: p.display_name,
        description: p.description,
        source_url: p.source_url,
        schedule_interval: p.schedule_interval,
        start_date: p.start_date,
        concurrency: p.concurrency,
        pipeline_location: p.pipeline_location,
        state: p.state.map(|s| match s {
            types::PipelineState::Active => "Active",
            types::PipelineState::Inactive => "Inactive",
        }),
        tasks: p
            .tasks
            .into_iter()
            .map(|t| model::PipelineTask {
                name: t.name,
                display_name: t.display_name,
                description: t.description,
                source_url: t.source_url,
                downstream_tasks: t.downstream_tasks,
                task_type: t.task_type,
                task_sql: t.task_sql,
                start_date: t.start_date,
                end_date: t.end_date,
                tags: t.tags.into_iter().map(tag_label).collect(),
            })
            .collect(),
        owners: p.owners,
        tags: p.tags.into_iter().map(tag_label).collect(),
        runs: p
            .runs
            .into_iter()
            .map(|r| model::PipelineRun {
                execution_id: r.execution_id,
                timestamp: r.timestamp,
                execution_status: execution_status(r.execution_status),
                end_time: r.end_time,
                tasks: r
                    .tasks
                    .into_iter()
                    .map(|t| model::TaskStatus {
                        name: t.name,
                        execution_status: execution_status(t.execution_status),
                        start_time: t.start_time,
                        end_time: t.end_time,
                        log_link: t.log_link,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// OpenMetadata's `StatusType`.
fn execution_status(s: types::ExecutionStatus) -> &'static str {
    match s {
        types::ExecutionStatus::Successful => "Successful",
        types::ExecutionStatus::Failed => "Failed",
        types::ExecutionStatus::Pending => "Pending",
        types::ExecutionStatus::Skipped => "Skipped",
    }
}

fn ml_model(m: types::MlModel) -> model::MlModel {
    model::MlModel {
        name: m.name,
        display_name: m.display_name,
        description: m.description,
        algorithm: m.algorithm,
        features: m
            .features
            .into_iter()
            .map(|f| model::MlFeature {
                name: f.name,
                data_type: f.data_type.map(|t| match t {
                    types::FeatureType::Numerical => "numerical",
                    types::FeatureType::Categorical => "categorical",
                }),
                description: f.description,
                feature_algorithm: f.feature_algorithm,
                tags: f.tags.into_iter().map(tag_label).collect(),
            })
            .collect(),
        hyper_parameters: m
            .hyper_parameters
            .into_iter()
            .map(|h| model::MlHyperParameter {
                name: h.name,
                value: h.value,
                description: h.description,
            })
            .collect(),
        target: m.target,
        dashboard: m.dashboard,
        store: m.store.map(|s| model::MlStore {
            storage: s.storage,
            image_repository: s.image_repository,
        }),
        server: m.server,
        source_url: m.source_url,
        owners: m.owners,
        tags: m.tags.into_iter().map(tag_label).collect(),
    }
}

fn capability(c: types::Capability) -> Capability {
    match c {
        types::Capability::Sql(label) => Capability::Sql(label),
        types::Capability::Http(host) => Capability::Http(host),
    }
}

fn stored_procedure(p: types::StoredProcedure) -> model::StoredProcedure {
    use types::ProcedureLanguage as L;
    use types::StoredProcedureType as T;
    model::StoredProcedure {
        database: p.database,
        schema: p.schema,
        name: p.name,
        procedure_type: match p.procedure_type {
            T::StoredProcedure => "StoredProcedure",
            T::Function => "Function",
            T::Udf => "UDF",
            T::StoredPackage => "StoredPackage",
        },
        language: match p.language {
            L::Sql => "SQL",
            L::Java => "Java",
            L::Javascript => "JavaScript",
            L::Python => "Python",
            L::External => "External",
        },
        code: p.code,
        description: p.description,
    }
}

fn table(t: types::Table) -> Result<model::Table, String> {
    let columns = columns(t.columns)
        .map_err(|why| format!("table {}.{}.{}: {why}", t.database, t.schema, t.name))?;
    Ok(model::Table {
        database: t.database,
        schema: t.schema,
        name: t.name,
        table_type: table_type(t.table_type),
        description: t.description,
        columns,
        constraints: t
            .constraints
            .into_iter()
            .map(|c| model::TableConstraint {
                constraint_type: constraint_type(c.constraint_type),
                columns: c.columns,
                referred_table: c.referred_table.map(|p| [p.database, p.schema, p.table]),
                referred_columns: c.referred_columns,
                relationship_type: None,
            })
            .collect(),
        definition: t.definition,
        partition_columns: t
            .partition_columns
            .into_iter()
            .map(|p| model::PartitionColumn {
                column: p.column,
                interval_type: interval_type(p.interval_type),
                interval: p.interval,
            })
            .collect(),
        source_url: t.source_url,
        tags: t.tags.into_iter().map(tag_label).collect(),
    })
}

/// The contract's flat list of columns (pre-order, each nested column naming its parent by index)
/// as the model's trees. A parent index that is not before the column (out of range included) is
/// refused: the list would not be a tree, and guessing would write a wrong one.
fn columns(flat: Vec<types::Column>) -> Result<Vec<model::Column>, String> {
    let count = flat.len();
    let mut parents = Vec::with_capacity(count);
    let mut nodes = Vec::with_capacity(count);
    for (index, c) in flat.into_iter().enumerate() {
        let parent = c.parent.map(|p| p as usize);
        if let Some(p) = parent.filter(|&p| p >= index) {
            let whereabouts = if p >= count {
                format!("outside its {count} columns")
            } else {
                "which does not come before it".to_owned()
            };
            return Err(format!(
                "column `{}` (index {index}) names parent index {p}, {whereabouts}: a nested \
                 column must follow the column it belongs to (`columns` is in pre-order)",
                c.name
            ));
        }
        parents.push(parent);
        nodes.push(Some(column(c)));
    }
    // From the last column back, each nested one moves into its parent, whose own fields have all
    // moved in by then (they come after it). Fields arrive last first, so each list is reversed
    // once, when its column is complete.
    for index in (0..count).rev() {
        let Some(p) = parents[index] else { continue };
        let mut child = nodes[index].take().expect("each column moves once");
        child.children.reverse();
        nodes[p]
            .as_mut()
            .expect("a parent comes before its fields")
            .children
            .push(child);
    }
    Ok(nodes
        .into_iter()
        .flatten()
        .map(|mut top| {
            top.children.reverse();
            top
        })
        .collect())
}

fn tag_label(t: types::TagLabel) -> model::TagLabel {
    model::TagLabel {
        classification: t.classification,
        name: t.name,
        classification_description: t.classification_description,
        tag_description: t.tag_description,
    }
}

fn column(c: types::Column) -> model::Column {
    model::Column {
        name: c.name,
        data_type: data_type(c.data_type),
        data_type_display: c.data_type_display,
        array_data_type: c.array_data_type.map(data_type),
        data_length: c.data_length,
        precision: c.precision,
        scale: c.scale,
        nullable: c.nullable,
        ordinal_position: c.ordinal_position,
        description: c.description,
        children: Vec::new(),
        tags: c.tags.into_iter().map(tag_label).collect(),
    }
}

fn table_type(t: types::TableType) -> &'static str {
    use types::TableType as T;
    match t {
        T::Regular => "Regular",
        T::External => "External",
        T::Dynamic => "Dynamic",
        T::View => "View",
        T::SecureView => "SecureView",
        T::MaterializedView => "MaterializedView",
        T::Iceberg => "Iceberg",
        T::Local => "Local",
        T::Partitioned => "Partitioned",
        T::Foreign => "Foreign",
        T::Transient => "Transient",
        T::Stream => "Stream",
        T::Stage => "Stage",
        T::SemanticView => "SemanticView",
    }
}

fn constraint_type(c: types::ConstraintType) -> &'static str {
    use types::ConstraintType as C;
    match c {
        C::Unique => "UNIQUE",
        C::PrimaryKey => "PRIMARY_KEY",
        C::ForeignKey => "FOREIGN_KEY",
        C::SortKey => "SORT_KEY",
        C::DistKey => "DIST_KEY",
        C::ClusterKey => "CLUSTER_KEY",
    }
}

fn interval_type(p: types::PartitionIntervalType) -> &'static str {
    use types::PartitionIntervalType as P;
    match p {
        P::TimeUnit => "TIME-UNIT",
        P::IntegerRange => "INTEGER-RANGE",
        P::IngestionTime => "INGESTION-TIME",
        P::ColumnValue => "COLUMN-VALUE",
        P::Injected => "INJECTED",
        P::Enum => "ENUM",
        P::Other => "OTHER",
    }
}

/// OpenMetadata's spelling of each `data-type` case.
fn data_type(t: types::DataType) -> &'static str {
    use types::DataType as D;
    match t {
        D::Number => "NUMBER",
        D::Tinyint => "TINYINT",
        D::Smallint => "SMALLINT",
        D::Int => "INT",
        D::Bigint => "BIGINT",
        D::Byteint => "BYTEINT",
        D::Bytes => "BYTES",
        D::Float => "FLOAT",
        D::Double => "DOUBLE",
        D::Decimal => "DECIMAL",
        D::Numeric => "NUMERIC",
        D::Timestamp => "TIMESTAMP",
        D::Timestampz => "TIMESTAMPZ",
        D::Time => "TIME",
        D::Date => "DATE",
        D::Datetime => "DATETIME",
        D::Interval => "INTERVAL",
        D::String => "STRING",
        D::Mediumtext => "MEDIUMTEXT",
        D::Text => "TEXT",
        D::Char => "CHAR",
        D::Long => "LONG",
        D::Varchar => "VARCHAR",
        D::Boolean => "BOOLEAN",
        D::Binary => "BINARY",
        D::Varbinary => "VARBINARY",
        D::Array => "ARRAY",
        D::Blob => "BLOB",
        D::Longblob => "LONGBLOB",
        D::Mediumblob => "MEDIUMBLOB",
        D::Map => "MAP",
        D::Struct => "STRUCT",
        D::Union => "UNION",
        D::Set => "SET",
        D::Geography => "GEOGRAPHY",
        D::Enum => "ENUM",
        D::Json => "JSON",
        D::Uuid => "UUID",
        D::Variant => "VARIANT",
        D::Geometry => "GEOMETRY",
        D::Bytea => "BYTEA",
        D::Aggregatefunction => "AGGREGATEFUNCTION",
        D::Error => "ERROR",
        D::Fixed => "FIXED",
        D::Record => "RECORD",
        D::Null => "NULL",
        D::Super => "SUPER",
        D::Hllsketch => "HLLSKETCH",
        D::PgLsn => "PG_LSN",
        D::PgSnapshot => "PG_SNAPSHOT",
        D::Tsquery => "TSQUERY",
        D::TxidSnapshot => "TXID_SNAPSHOT",
        D::Xml => "XML",
        D::Macaddr => "MACADDR",
        D::Tsvector => "TSVECTOR",
        D::Unknown => "UNKNOWN",
        D::Cidr => "CIDR",
        D::Inet => "INET",
        D::Clob => "CLOB",
        D::Rowid => "ROWID",
        D::Lowcardinality => "LOWCARDINALITY",
        D::Year => "YEAR",
        D::Point => "POINT",
        D::Polygon => "POLYGON",
        D::Tuple => "TUPLE",
        D::Spatial => "SPATIAL",
        D::Table => "TABLE",
        D::Ntext => "NTEXT",
        D::Image => "IMAGE",
        D::Ipv4 => "IPV4",
        D::Ipv6 => "IPV6",
        D::Datetimerange => "DATETIMERANGE",
        D::Hll => "HLL",
        D::Largeint => "LARGEINT",
        D::QuantileState => "QUANTILE_STATE",
        D::AggState => "AGG_STATE",
        D::Bitmap => "BITMAP",
        D::Uint => "UINT",
        D::Bit => "BIT",
        D::Money => "MONEY",
        D::MeasureHidden => "MEASURE HIDDEN",
        D::MeasureVisible => "MEASURE VISIBLE",
        D::Measure => "MEASURE",
        D::Kpi => "KPI",
        D::Heirarchy => "HEIRARCHY",
        D::Hierarchyid => "HIERARCHYID",
    }
}

fn dashboard(d: types::Dashboard) -> model::Dashboard {
    model::Dashboard {
        name: d.name,
        display_name: d.display_name,
        description: d.description,
        dashboard_type: match d.dashboard_type {
            types::DashboardType::Dashboard => "Dashboard",
            types::DashboardType::Report => "Report",
        },
        source_url: d.source_url,
        project: d.project,
        charts: d.charts,
        data_models: d.data_models,
        owners: d.owners,
        upstream: upstream(d.upstream),
    }
}

fn chart(c: types::Chart) -> model::Chart {
    use types::ChartType as C;
    model::Chart {
        name: c.name,
        display_name: c.display_name,
        description: c.description,
        chart_type: match c.chart_type {
            C::Line => "Line",
            C::Table => "Table",
            C::Bar => "Bar",
            C::Area => "Area",
            C::Pie => "Pie",
            C::Histogram => "Histogram",
            C::Scatter => "Scatter",
            C::Text => "Text",
            C::BoxPlot => "BoxPlot",
            C::SanKey => "SanKey",
            C::Gauge => "Gauge",
            C::Map => "Map",
            C::Graph => "Graph",
            C::Heatmap => "Heatmap",
            C::Timeline => "Timeline",
            C::Other => "Other",
        },
        source_url: c.source_url,
        upstream: upstream(c.upstream),
    }
}

fn data_model(m: types::DashboardDataModel) -> Result<model::DashboardDataModel, String> {
    use types::DataModelType as T;
    let columns =
        columns(m.columns).map_err(|why| format!("dashboard data model {}: {why}", m.name))?;
    Ok(model::DashboardDataModel {
        name: m.name,
        display_name: m.display_name,
        description: m.description,
        data_model_type: match m.data_model_type {
            T::TableauDataModel => "TableauDataModel",
            T::TableauPublishedDatasource => "TableauPublishedDatasource",
            T::TableauEmbeddedDatasource => "TableauEmbeddedDatasource",
            T::SupersetDataModel => "SupersetDataModel",
            T::MetabaseDataModel => "MetabaseDataModel",
            T::ModeDataModel => "ModeDataModel",
            T::LookMlView => "LookMlView",
            T::LookMlExplore => "LookMlExplore",
            T::PowerBiDataModel => "PowerBIDataModel",
            T::QlikDataModel => "QlikDataModel",
            T::QuickSightDataModel => "QuickSightDataModel",
            T::SigmaDataModel => "SigmaDataModel",
            T::PowerBiDataFlow => "PowerBIDataFlow",
            T::PowerBiDatamart => "PowerBIDatamart",
            T::MicroStrategyDataset => "MicroStrategyDataset",
            T::ThoughtSpotDataModel => "ThoughtSpotDataModel",
            T::SapS4HanaCdsView => "SapS4HanaCdsView",
            T::SsrsDataModel => "SsrsDataModel",
            T::OmniDataModel => "OmniDataModel",
        },
        columns,
        sql: m.sql,
        project: m.project,
        source_url: m.source_url,
        upstream: upstream(m.upstream),
    })
}

/// The tables a dashboard, chart or data model reads, as the plugin names them: the sink finds
/// them among OpenMetadata's database services.
fn upstream(tables: Vec<types::UpstreamTable>) -> Vec<model::UpstreamTable> {
    tables
        .into_iter()
        .map(|t| model::UpstreamTable {
            database: t.database,
            schema: t.schema,
            table: t.table,
            columns: t
                .columns
                .into_iter()
                .map(|c| model::ColumnLineage {
                    from: c.from_column,
                    to: c.to_column,
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(name: &str, parent: Option<u32>) -> types::Column {
        types::Column {
            name: name.into(),
            data_type: types::DataType::Struct,
            data_type_display: "struct".into(),
            array_data_type: None,
            data_length: None,
            precision: None,
            scale: None,
            nullable: true,
            ordinal_position: 1,
            description: None,
            parent,
            tags: Vec::new(),
        }
    }

    /// `name(child, child…)` for each column, recursively.
    fn shape(columns: &[model::Column]) -> String {
        columns
            .iter()
            .map(|c| match c.children.as_slice() {
                [] => c.name.clone(),
                children => format!("{}({})", c.name, shape(children)),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_pre_order_list_becomes_trees_in_order() {
        // id, address{street, geo{lat, lon}, city}, note
        let list = vec![
            flat("id", None),
            flat("address", None),
            flat("street", Some(1)),
            flat("geo", Some(1)),
            flat("lat", Some(3)),
            flat("lon", Some(3)),
            flat("city", Some(1)),
            flat("note", None),
        ];
        let tree = columns(list).unwrap();
        assert_eq!(shape(&tree), "id address(street geo(lat lon) city) note");
    }

    #[test]
    fn fields_after_a_sibling_still_find_their_parent() {
        // Not contiguous, but every parent comes first: a tree all the same.
        let list = vec![
            flat("a", None),
            flat("b", None),
            flat("a1", Some(0)),
            flat("b1", Some(1)),
            flat("a2", Some(0)),
        ];
        assert_eq!(shape(&columns(list).unwrap()), "a(a1 a2) b(b1)");
    }

    #[test]
    fn a_parent_that_is_not_before_its_field_is_refused() {
        let forward = vec![flat("a", Some(1)), flat("b", None)];
        assert_eq!(
            columns(forward).unwrap_err(),
            "column `a` (index 0) names parent index 1, which does not come before it: a nested \
             column must follow the column it belongs to (`columns` is in pre-order)"
        );
        let itself = vec![flat("a", None), flat("b", Some(1))];
        assert!(
            columns(itself)
                .unwrap_err()
                .contains("names parent index 1, which does not")
        );
        let outside = vec![flat("a", None), flat("b", Some(7))];
        assert!(
            columns(outside)
                .unwrap_err()
                .contains("column `b` (index 1) names parent index 7, outside its 2 columns")
        );
    }

    #[test]
    fn a_malformed_table_fails_naming_the_table() {
        let table = types::Table {
            database: "db".into(),
            schema: "s".into(),
            name: "t".into(),
            table_type: types::TableType::Regular,
            description: None,
            columns: vec![flat("a", Some(4))],
            constraints: Vec::new(),
            definition: None,
            partition_columns: Vec::new(),
            source_url: None,
            tags: Vec::new(),
        };
        let why = entity(types::Entity::Table(table)).unwrap_err();
        assert!(
            why.starts_with("table db.s.t: column `a` (index 0)"),
            "{why}"
        );
    }

    #[test]
    fn upstream_tables_and_their_columns_reach_the_model() {
        let orders = types::UpstreamTable {
            database: Some("shop".into()),
            schema: Some("public".into()),
            table: "orders".into(),
            columns: vec![types::ColumnLineage {
                from_column: "amount".into(),
                to_column: "total_amount".into(),
            }],
        };
        let unqualified = types::UpstreamTable {
            database: None,
            schema: None,
            table: "customers".into(),
            columns: Vec::new(),
        };
        let expected = vec![
            model::UpstreamTable {
                database: Some("shop".into()),
                schema: Some("public".into()),
                table: "orders".into(),
                columns: vec![model::ColumnLineage {
                    from: "amount".into(),
                    to: "total_amount".into(),
                }],
            },
            model::UpstreamTable {
                database: None,
                schema: None,
                table: "customers".into(),
                columns: Vec::new(),
            },
        ];
        let upstream = vec![orders, unqualified];

        let model_ = types::DashboardDataModel {
            name: "orders_view".into(),
            display_name: None,
            description: None,
            data_model_type: types::DataModelType::LookMlView,
            columns: vec![flat("total_amount", None)],
            sql: None,
            project: None,
            source_url: None,
            upstream: upstream.clone(),
        };
        let Ok(model::Entity::DashboardDataModel(m)) =
            entity(types::Entity::DashboardDataModel(model_))
        else {
            panic!("a data model")
        };
        assert_eq!(m.upstream, expected);

        let chart = types::Chart {
            name: "c".into(),
            display_name: None,
            description: None,
            chart_type: types::ChartType::Bar,
            source_url: None,
            upstream: upstream.clone(),
        };
        let Ok(model::Entity::Chart(c)) = entity(types::Entity::Chart(chart)) else {
            panic!("a chart")
        };
        assert_eq!(c.upstream, expected);

        let dashboard = types::Dashboard {
            name: "d".into(),
            display_name: None,
            description: None,
            dashboard_type: types::DashboardType::Dashboard,
            source_url: None,
            project: None,
            charts: vec!["c".into()],
            data_models: Vec::new(),
            owners: Vec::new(),
            upstream,
        };
        let Ok(model::Entity::Dashboard(d)) = entity(types::Entity::Dashboard(dashboard)) else {
            panic!("a dashboard")
        };
        assert_eq!(d.upstream, expected);
    }
}
