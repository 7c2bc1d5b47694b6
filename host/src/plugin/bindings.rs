//! What the binding of every contract version shares. Each version's module (`v0_1.rs`,
//! `v0_2.rs`) expands [`contract!`] with its WIT folder, its entity kinds and the conversions of
//! the entities it adds; everything else — the generated bindings, the host side of `sql` and
//! `log`, instantiation, the calls, the conversions of the types every version has — is written
//! once, here. Versions are frozen, so a version's module never changes once released; the host
//! model (`crate::model`) is the newest version's, and older plugins simply never produce the
//! newer kinds.

macro_rules! contract {
    (
        wit: $wit:tt,
        version: $version:tt,
        kinds: [$($kind:ident),* $(,)?],
        entities: { $($entity_arm:tt)* }
    ) => {
        use super::World;
        use super::sandbox::StoreState;
        use crate::capability::{Capability, log as host_log, sql as host_sql};
        use crate::model;
        use wasmtime::Store;
        use wasmtime::component::{Component, HasSelf, Linker, Resource};

        wasmtime::component::bindgen!({
            path: $wit,
            world: "discoverable-source",
            imports: { default: async | trappable },
            exports: { default: async },
            with: {
                "omrun:connector/sql.connection": crate::capability::sql::Connection,
                "omrun:connector/sql.row-stream": crate::capability::sql::RowStream,
            },
        });

        /// The `source` world shares every import and type with `discoverable-source`.
        mod sequential {
            wasmtime::component::bindgen!({
                path: $wit,
                world: "source",
                imports: { default: async | trappable },
                exports: { default: async },
                with: {
                    "omrun:connector/sql": super::omrun::connector::sql,
                    "omrun:connector/log": super::omrun::connector::log,
                    "omrun:connector/types": super::omrun::connector::types,
                },
            });
        }

        use self::omrun::connector::{log, sql, types};

        pub const CONTRACT: &str = concat!("omrun:connector@", $version);

        /// Adds this contract's own imports (`sql`, `log`) to a linker; WASI is added once, by the
        /// caller.
        pub fn add_to_linker(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
            DiscoverableSource::add_to_linker::<_, HasSelf<_>>(linker, |state| state)
        }

        fn entity_kind(k: types::EntityKind) -> model::EntityKind {
            match k {
                $(types::EntityKind::$kind => model::EntityKind::$kind,)*
            }
        }

        fn entity_ref(r: types::EntityRef) -> model::EntityRef {
            model::EntityRef::new(entity_kind(r.kind), r.path)
        }

        fn wit_entity_ref(r: &model::EntityRef) -> types::EntityRef {
            #[allow(unreachable_patterns)]
            let kind = match r.kind {
                $(model::EntityKind::$kind => types::EntityKind::$kind,)*
                // Refs given back to a plugin are the ones it discovered: kinds of its contract.
                kind => unreachable!("{} has no entity kind {}", CONTRACT, kind.as_str()),
            };
            types::EntityRef {
                kind,
                path: r.path.clone(),
            }
        }

        fn entity(e: types::Entity) -> model::Entity {
            match e {
                types::Entity::Database(d) => model::Entity::Database(model::Database {
                    name: d.name,
                    description: d.description,
                }),
                types::Entity::DatabaseSchema(s) => {
                    model::Entity::DatabaseSchema(model::DatabaseSchema {
                        database: s.database,
                        name: s.name,
                        description: s.description,
                    })
                }
                types::Entity::Table(t) => model::Entity::Table(table(t)),
                types::Entity::StoredProcedure(p) => {
                    model::Entity::StoredProcedure(stored_procedure(p))
                }
                $($entity_arm)*
            }
        }

        /// Which world a component implements, from the interface it exports.
        pub fn world_of(component: &Component, engine: &wasmtime::Engine) -> Option<World> {
            let exports: Vec<String> = component
                .component_type()
                .exports(engine)
                .map(|(name, _)| name.to_owned())
                .collect();
            let has = |interface: &str| {
                exports
                    .iter()
                    .any(|e| *e == format!("omrun:connector/{interface}@{}", $version))
            };
            if has("discovery") {
                Some(World::Discoverable)
            } else if has("streaming") {
                Some(World::Sequential)
            } else {
                None
            }
        }

        /// A component type-checked against one world, ready to instantiate many times.
        #[derive(Clone)]
        pub enum Pre {
            Discoverable(DiscoverableSourcePre<StoreState>),
            Sequential(sequential::SourcePre<StoreState>),
        }

        impl Pre {
            pub fn new(
                linker: &Linker<StoreState>,
                component: &Component,
                world: World,
            ) -> wasmtime::Result<Self> {
                let pre = linker.instantiate_pre(component)?;
                Ok(match world {
                    World::Discoverable => Pre::Discoverable(DiscoverableSourcePre::new(pre)?),
                    World::Sequential => Pre::Sequential(sequential::SourcePre::new(pre)?),
                })
            }

            pub async fn instantiate(&self, store: &mut Store<StoreState>) -> wasmtime::Result<Exports> {
                Ok(match self {
                    Pre::Discoverable(pre) => Exports::Discoverable(pre.instantiate_async(store).await?),
                    Pre::Sequential(pre) => Exports::Sequential(pre.instantiate_async(store).await?),
                })
            }
        }

        /// The exports of one instance.
        pub enum Exports {
            Discoverable(DiscoverableSource),
            Sequential(sequential::Source),
        }

        /// What a call returns: the plugin's own error is the inner `Err`; a trap is the outer one.
        pub type Answer<T> = wasmtime::Result<Result<T, String>>;

        impl Exports {
            pub async fn info(&self, store: &mut Store<StoreState>) -> wasmtime::Result<super::PluginInfo> {
                let info = match self {
                    Exports::Discoverable(e) => e.omrun_connector_discovery().call_info(store).await?,
                    Exports::Sequential(e) => e.omrun_connector_streaming().call_info(store).await?,
                };
                Ok(super::PluginInfo {
                    name: info.name,
                    version: info.version,
                    service_types: info.service_types,
                    capabilities: info.capabilities.into_iter().map(capability).collect(),
                })
            }

            pub async fn open(
                &self,
                store: &mut Store<StoreState>,
                config: &super::SourceConfig,
            ) -> Answer<()> {
                let config = types::SourceConfig {
                    service_name: config.service_name.clone(),
                    service_connection: config.service_connection.to_string(),
                    source_config: config.source_config.to_string(),
                };
                match self {
                    Exports::Discoverable(e) => {
                        e.omrun_connector_discovery()
                            .call_open(store, &config)
                            .await
                    }
                    Exports::Sequential(e) => {
                        e.omrun_connector_streaming()
                            .call_open(store, &config)
                            .await
                    }
                }
            }

            pub async fn discover(&self, store: &mut Store<StoreState>) -> Answer<Vec<model::EntityRef>> {
                let Exports::Discoverable(e) = self else {
                    return Ok(Err(not_discoverable()));
                };
                Ok(e.omrun_connector_discovery()
                    .call_discover(store)
                    .await?
                    .map(|refs| refs.into_iter().map(entity_ref).collect()))
            }

            pub async fn process(
                &self,
                store: &mut Store<StoreState>,
                batch: &[model::EntityRef],
            ) -> Answer<Vec<Result<Vec<model::Entity>, String>>> {
                let Exports::Discoverable(e) = self else {
                    return Ok(Err(not_discoverable()));
                };
                let batch: Vec<types::EntityRef> = batch.iter().map(wit_entity_ref).collect();
                let results = e
                    .omrun_connector_discovery()
                    .call_process(store, &batch)
                    .await?;
                Ok(Ok(results
                    .into_iter()
                    .map(|r| r.map(|entities| entities.into_iter().map(entity).collect()))
                    .collect()))
            }

            pub async fn next_batch(
                &self,
                store: &mut Store<StoreState>,
            ) -> Answer<Option<Vec<model::Entity>>> {
                let Exports::Sequential(e) = self else {
                    return Ok(Err("a discoverable plugin has no `next-batch`".to_owned()));
                };
                Ok(e.omrun_connector_streaming()
                    .call_next_batch(store)
                    .await?
                    .map(|batch| batch.map(|b| b.into_iter().map(entity).collect())))
            }
        }

        fn not_discoverable() -> String {
            "this plugin implements world `source` only; it cannot discover".to_owned()
        }

        // ---- imports: the host side of `sql`, `log` and `types` ----

        impl types::Host for StoreState {}

        impl log::Host for StoreState {
            async fn log(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
                let level = match level {
                    log::Level::Trace => host_log::Level::Trace,
                    log::Level::Debug => host_log::Level::Debug,
                    log::Level::Info => host_log::Level::Info,
                    log::Level::Warn => host_log::Level::Warn,
                    log::Level::Error => host_log::Level::Error,
                };
                host_log::log(&self.plugin, level, &message);
                Ok(())
            }
        }

        impl sql::Host for StoreState {}

        impl sql::HostConnection for StoreState {
            async fn open(
                &mut self,
                label: String,
                database: Option<String>,
            ) -> wasmtime::Result<Result<Resource<host_sql::Connection>, sql::SqlError>> {
                let grants = self.grants.clone();
                let Some(target) = grants.sql.get(&label) else {
                    // The guest sees a plain error; the host log says what was refused.
                    tracing::warn!(
                        "{}: denied sql connection `{label}`: not granted by the config",
                        self.plugin
                    );
                    return Ok(Err(sql_error(host_sql::SqlError::new(format!(
                        "sql connection `{label}` is not granted"
                    )))));
                };
                Ok(
                    match host_sql::Connection::open(target, database.as_deref()).await {
                        Ok(connection) => Ok(self.table.push(connection)?),
                        Err(e) => Err(sql_error(e)),
                    },
                )
            }

            async fn dialect(
                &mut self,
                connection: Resource<host_sql::Connection>,
            ) -> wasmtime::Result<String> {
                Ok(self.table.get(&connection)?.dialect().to_owned())
            }

            async fn query(
                &mut self,
                connection: Resource<host_sql::Connection>,
                statement: String,
                params: Vec<sql::Value>,
            ) -> wasmtime::Result<Result<Resource<host_sql::RowStream>, sql::SqlError>> {
                let params = params.into_iter().map(host_value).collect();
                let result = self.table.get(&connection)?.query(&statement, params).await;
                Ok(match result {
                    Ok(stream) => Ok(self.table.push(stream)?),
                    Err(e) => Err(sql_error(e)),
                })
            }

            async fn drop(&mut self, connection: Resource<host_sql::Connection>) -> wasmtime::Result<()> {
                self.table.delete(connection)?;
                Ok(())
            }
        }

        impl sql::HostRowStream for StoreState {
            async fn columns(
                &mut self,
                stream: Resource<host_sql::RowStream>,
            ) -> wasmtime::Result<Vec<String>> {
                Ok(self.table.get(&stream)?.columns().to_vec())
            }

            async fn next_page(
                &mut self,
                stream: Resource<host_sql::RowStream>,
                max_rows: u32,
            ) -> wasmtime::Result<Result<Vec<Vec<sql::Value>>, sql::SqlError>> {
                let page = self.table.get(&stream)?.next_page(max_rows).await;
                Ok(page
                    .map(|rows| {
                        rows.into_iter()
                            .map(|row| row.into_iter().map(wit_value).collect())
                            .collect()
                    })
                    .map_err(sql_error))
            }

            async fn drop(&mut self, stream: Resource<host_sql::RowStream>) -> wasmtime::Result<()> {
                self.table.delete(stream)?.close().await;
                Ok(())
            }
        }

        fn sql_error(e: host_sql::SqlError) -> sql::SqlError {
            sql::SqlError {
                message: e.message,
                sqlstate: e.sqlstate,
            }
        }

        fn host_value(v: sql::Value) -> host_sql::Value {
            match v {
                sql::Value::Null => host_sql::Value::Null,
                sql::Value::Boolean(b) => host_sql::Value::Boolean(b),
                sql::Value::Integer(i) => host_sql::Value::Integer(i),
                sql::Value::Float(f) => host_sql::Value::Float(f),
                sql::Value::Text(s) => host_sql::Value::Text(s),
                sql::Value::Bytes(b) => host_sql::Value::Bytes(b),
                sql::Value::TextList(l) => host_sql::Value::TextList(l),
                sql::Value::IntegerList(l) => host_sql::Value::IntegerList(l),
            }
        }

        fn wit_value(v: host_sql::Value) -> sql::Value {
            match v {
                host_sql::Value::Null => sql::Value::Null,
                host_sql::Value::Boolean(b) => sql::Value::Boolean(b),
                host_sql::Value::Integer(i) => sql::Value::Integer(i),
                host_sql::Value::Float(f) => sql::Value::Float(f),
                host_sql::Value::Text(s) => sql::Value::Text(s),
                host_sql::Value::Bytes(b) => sql::Value::Bytes(b),
                host_sql::Value::TextList(l) => sql::Value::TextList(l),
                host_sql::Value::IntegerList(l) => sql::Value::IntegerList(l),
            }
        }

        // ---- exports: contract types to the host model ----

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

        fn table(t: types::Table) -> model::Table {
            model::Table {
                database: t.database,
                schema: t.schema,
                name: t.name,
                table_type: table_type(t.table_type),
                description: t.description,
                columns: t.columns.into_iter().map(column).collect(),
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

    };
}

pub(super) use contract;
