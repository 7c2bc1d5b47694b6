use super::*;
use omrun_model::TableConstraint;

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
        children: Vec::new(),
        tags: Vec::new(),
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
                relationship_type: None,
            },
            TableConstraint {
                constraint_type: "UNIQUE",
                columns: vec!["b".into(), "c".into()],
                referred_table: None,
                referred_columns: vec![],
                relationship_type: None,
            },
            TableConstraint {
                constraint_type: "FOREIGN_KEY",
                columns: vec!["b".into()],
                referred_table: Some(["db".into(), "other".into(), "t.2".into()]),
                referred_columns: vec!["id".into()],
                relationship_type: Some("MANY_TO_ONE"),
            },
        ],
        definition: None,
        partition_columns: vec![],
        source_url: None,
        tags: Vec::new(),
    }
}

#[test]
fn table_request_follows_openmetadata_rules() {
    let request = Requests::new("svc", "Postgres").entity(&Entity::Table(table()));
    assert_eq!(request.kind, RequestKind::Table);
    assert_eq!(request.fqn, "svc.db.s.\"my.table\"");
    let body = request.body;
    assert_eq!(body["databaseSchema"], "svc.db.s");
    assert_eq!(
        body["description"], "  ",
        "a comment as the catalog keeps it, as OpenMetadata's Postgres connector sends it"
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
    assert_eq!(
        body["tableConstraints"],
        json!([]),
        "an empty list, as OpenMetadata sends"
    );
}

#[test]
fn a_foreign_key_carries_its_relationship_and_goes_once() {
    let mut t = table();
    let key = t.constraints[2].clone();
    t.constraints.push(key);
    let body = Requests::new("svc", "Postgres")
        .entity(&Entity::Table(t))
        .body;
    let keys: Vec<&Value> = body["tableConstraints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["constraintType"] == "FOREIGN_KEY")
        .collect();
    assert_eq!(keys.len(), 1, "a key listed twice goes once: {keys:?}");
    assert_eq!(keys[0]["relationshipType"], "MANY_TO_ONE");
}

#[test]
fn composite_primary_key_columns_carry_no_constraint() {
    let mut t = table();
    t.constraints = vec![TableConstraint {
        constraint_type: "PRIMARY_KEY",
        columns: vec!["a".into(), "b".into()],
        referred_table: None,
        referred_columns: vec![],
        relationship_type: None,
    }];
    let body = Requests::new("svc", "Postgres")
        .entity(&Entity::Table(t))
        .body;
    let columns = body["columns"].as_array().unwrap();
    assert!(columns[0].get("constraint").is_none(), "{}", columns[0]);
    assert!(columns[1].get("constraint").is_none(), "{}", columns[1]);
    assert_eq!(columns[2]["constraint"], "NOT_NULL");
    assert_eq!(body["tableConstraints"][0]["columns"], json!(["a", "b"]));
}

#[test]
fn columns_follow_the_service_types_conventions() {
    // OpenMetadata's Postgres and MySQL connectors: every column has a dataLength, none a
    // position; a procedure's language only on MySQL.
    for service_type in ["Postgres", "Mysql", "MariaDB"] {
        let body = Requests::new("svc", service_type)
            .entity(&Entity::Table(table()))
            .body;
        for c in body["columns"].as_array().unwrap() {
            assert_eq!(c["dataLength"], 1, "{service_type}: {c}");
            assert!(c.get("ordinalPosition").is_none(), "{service_type}: {c}");
        }
    }
    let body = Requests::new("svc", "SQLite")
        .entity(&Entity::Table(table()))
        .body;
    let columns = body["columns"].as_array().unwrap();
    assert_eq!(columns[1]["ordinalPosition"], 2);
    assert!(columns[1].get("dataLength").is_none(), "INT has no length");

    let procedure = StoredProcedure {
        database: "db".into(),
        schema: "s".into(),
        name: "p".into(),
        procedure_type: "StoredProcedure",
        language: "SQL",
        code: Some("BEGIN END".into()),
        description: None,
    };
    let code = |service_type: &str| {
        Requests::new("svc", service_type)
            .entity(&Entity::StoredProcedure(procedure.clone()))
            .body["storedProcedureCode"]
            .clone()
    };
    assert_eq!(code("Postgres"), json!({"code": "BEGIN END"}));
    assert_eq!(code("MariaDB"), json!({"code": "BEGIN END"}));
    assert_eq!(
        code("Mysql"),
        json!({"code": "BEGIN END", "language": "SQL"})
    );
}

#[test]
fn descriptions_are_verbatim_where_openmetadata_sends_them_so() {
    let t = Table {
        description: Some("Prices \n".into()),
        columns: vec![Column {
            description: Some("  gross".into()),
            ..col("a", 1, true)
        }],
        constraints: vec![],
        ..table()
    };
    let body = |service_type: &str| {
        Requests::new("svc", service_type)
            .entity(&Entity::Table(t.clone()))
            .body
    };
    let pg = body("Postgres");
    assert_eq!(
        (&pg["description"], &pg["columns"][0]["description"]),
        (&json!("Prices \n"), &json!("  gross"))
    );
    let sqlite = body("SQLite");
    assert_eq!(
        (&sqlite["description"], &sqlite["columns"][0]["description"]),
        (&json!("Prices"), &json!("gross"))
    );
}

#[test]
fn a_partitioned_table_without_column_keys_has_an_empty_partition() {
    let t = Table {
        table_type: "Partitioned",
        ..table()
    };
    let body = Requests::new("svc", "Postgres")
        .entity(&Entity::Table(t))
        .body;
    assert_eq!(body["tablePartition"], json!({"columns": []}));
    let body = Requests::new("svc", "Postgres")
        .entity(&Entity::Table(table()))
        .body;
    assert!(body.get("tablePartition").is_none());
}

fn looker() -> Requests {
    Requests::new("looker.prod", "Looker")
}

fn dashboard() -> Dashboard {
    Dashboard {
        name: "7".into(),
        display_name: Some("Sales".into()),
        description: None,
        dashboard_type: "Dashboard",
        source_url: Some("https://looker.example.com/dashboards/7".into()),
        project: Some("finance".into()),
        charts: vec!["12".into(), "kpi.total".into()],
        data_models: vec!["sales.orders".into()],
        owners: vec!["ann@example.com".into()],
        upstream: vec![],
    }
}

#[test]
fn dashboard_services_are_chosen_by_service_type() {
    let service = looker().service();
    assert_eq!(service.kind, RequestKind::DashboardService);
    assert_eq!(service.fqn, "\"looker.prod\"");
    assert_eq!(
        service.body,
        json!({"name": "looker.prod", "serviceType": "Looker"})
    );
    assert_eq!(
        service.kind.endpoint(),
        Endpoint::Service("services/dashboardServices")
    );
    let database = Requests::new("svc", "Postgres").service();
    assert_eq!(database.kind, RequestKind::DatabaseService);
    // The category comes from OpenMetadata's own schemas: each kind of service has its collection.
    for (service_type, kind, collection) in [
        (
            "CustomDatabase",
            RequestKind::DatabaseService,
            "services/databaseServices",
        ),
        (
            "Airflow",
            RequestKind::PipelineService,
            "services/pipelineServices",
        ),
        (
            "Mlflow",
            RequestKind::MlModelService,
            "services/mlmodelServices",
        ),
    ] {
        let service = Requests::new("svc", service_type).service();
        assert_eq!(service.kind, kind, "{service_type}");
        assert_eq!(service.kind.endpoint(), Endpoint::Service(collection));
    }
}

#[test]
fn dashboard_kinds_have_openmetadata_fqns() {
    let r = |kind, name: &str| looker().fqn(&EntityRef::new(kind, vec![name.into()]));
    assert_eq!(r(EntityKind::Dashboard, "7"), "\"looker.prod\".7");
    assert_eq!(
        r(EntityKind::Chart, "kpi.total"),
        "\"looker.prod\".\"kpi.total\""
    );
    // OpenMetadata's FQN of a data model has a literal `model` part.
    assert_eq!(
        r(EntityKind::DashboardDataModel, "sales.orders"),
        "\"looker.prod\".model.\"sales.orders\""
    );
    assert_eq!(
        Requests::new("lk", "Looker").fqn(&EntityRef::new(
            EntityKind::DashboardDataModel,
            vec!["orders".into()]
        )),
        "lk.model.orders"
    );
}

#[test]
fn a_dashboard_names_its_charts_and_data_models_by_fqn() {
    let request = looker().entity(&Entity::Dashboard(dashboard()));
    assert_eq!(request.kind, RequestKind::Dashboard);
    assert_eq!(request.fqn, "\"looker.prod\".7");
    let mut body = request.body;
    let hash = body.as_object_mut().unwrap().remove("sourceHash").unwrap();
    assert_eq!(hash.as_str().map(str::len), Some(32));
    assert_eq!(
        body,
        json!({
            "name": "7",
            "displayName": "Sales",
            "dashboardType": "Dashboard",
            "sourceUrl": "https://looker.example.com/dashboards/7",
            "project": "finance",
            "charts": ["\"looker.prod\".12", "\"looker.prod\".\"kpi.total\""],
            "dataModels": ["\"looker.prod\".model.\"sales.orders\""],
            "service": "\"looker.prod\"",
        }),
        "owners are left out: OpenMetadata needs user ids"
    );

    let bare = Dashboard {
        display_name: Some(" ".into()),
        charts: vec![],
        data_models: vec![],
        dashboard_type: "Report",
        ..dashboard()
    };
    let body = looker().entity(&Entity::Dashboard(bare)).body;
    assert_eq!(
        body["charts"],
        json!([]),
        "an empty chart list clears old charts"
    );
    assert!(body.get("dataModels").is_none() && body.get("displayName").is_none());
    assert_eq!(body["dashboardType"], "Report");
}

#[test]
fn chart_and_data_model_requests() {
    let chart = Chart {
        name: "kpi::total".into(),
        display_name: Some("Total".into()),
        description: Some(" Sum of sales ".into()),
        chart_type: "Bar",
        source_url: None,
        upstream: vec![],
    };
    let request = looker().entity(&Entity::Chart(chart));
    assert_eq!(request.kind, RequestKind::Chart);
    assert_eq!(request.fqn, "\"looker.prod\".kpi__reserved__colon__total");
    let body = request.body;
    assert_eq!(body["name"], "kpi__reserved__colon__total");
    assert_eq!(
        (
            &body["displayName"],
            &body["description"],
            &body["chartType"]
        ),
        (&json!("Total"), &json!("Sum of sales"), &json!("Bar"))
    );
    assert_eq!(body["service"], "\"looker.prod\"");
    assert!(body.get("sourceUrl").is_none() && body["sourceHash"].is_string());

    let model = DashboardDataModel {
        name: "sales.orders".into(),
        display_name: Some("Orders".into()),
        description: None,
        data_model_type: "LookMlExplore",
        columns: vec![
            Column {
                data_type: "ARRAY",
                data_type_display: "list".into(),
                ..col("tags", 2, false)
            },
            col("id", 1, false),
        ],
        sql: Some("SELECT 1".into()),
        project: Some("finance".into()),
        source_url: Some("https://looker.example.com/explore/sales/orders".into()),
        upstream: vec![],
    };
    let request = looker().entity(&Entity::DashboardDataModel(model));
    assert_eq!(request.kind, RequestKind::DashboardDataModel);
    assert_eq!(request.fqn, "\"looker.prod\".model.\"sales.orders\"");
    let body = request.body;
    assert_eq!(
        (
            &body["dataModelType"],
            &body["serviceType"],
            &body["service"]
        ),
        (
            &json!("LookMlExplore"),
            &json!("Looker"),
            &json!("\"looker.prod\"")
        )
    );
    assert_eq!(
        (&body["sql"], &body["project"]),
        (&json!("SELECT 1"), &json!("finance"))
    );
    let columns = body["columns"].as_array().unwrap();
    assert_eq!(columns[0]["name"], "id", "columns in ordinal order");
    assert_eq!(columns[1]["arrayDataType"], "UNKNOWN");
    assert!(
        columns.iter().all(|c| c.get("constraint").is_none()),
        "a data model's columns carry no constraint"
    );
}

#[test]
fn parents_come_first_in_request_kind_order() {
    use RequestKind::*;
    let kinds = [
        DatabaseService,
        DashboardService,
        Database,
        DatabaseSchema,
        Table,
        StoredProcedure,
        DashboardDataModel,
        Chart,
        Dashboard,
    ];
    assert!(kinds.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        DashboardDataModel.endpoint(),
        Endpoint::Bulk("dashboard/datamodels")
    );
    assert_eq!(Chart.endpoint(), Endpoint::Bulk("charts"));
    assert_eq!(Dashboard.endpoint(), Endpoint::Bulk("dashboards"));
}

#[test]
fn bigquery_complex_columns_are_bare_at_any_depth_and_their_scalar_fields_are_not() {
    let mut t = table();
    let mut geo = col("geo", 2, true);
    geo.data_type = "STRUCT";
    geo.children = vec![col("lat", 1, false)];
    let mut shipping = col("shipping", 4, true);
    shipping.data_type = "STRUCT";
    shipping.children = vec![col("city", 1, true), geo];
    let mut items = col("items", 5, true);
    items.data_type = "ARRAY";
    items.array_data_type = Some("STRUCT");
    t.columns.extend([shipping, items]);
    let body = Requests::new("svc", "BigQuery")
        .entity(&Entity::Table(t.clone()))
        .body;
    let column = |name: &str| {
        body["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    let shipping = column("shipping");
    for bare in [&shipping, &column("items"), &shipping["children"][1]] {
        assert!(bare.get("constraint").is_none(), "{bare}");
        assert!(bare.get("dataLength").is_none(), "{bare}");
        assert!(bare.get("ordinalPosition").is_none(), "{bare}");
    }
    let city = &shipping["children"][0];
    assert_eq!(city["constraint"], "NULL", "{city}");
    assert_eq!(city["dataLength"], 1, "{city}");
    assert_eq!(
        shipping["children"][1]["children"][0]["constraint"],
        "NOT_NULL"
    );
    assert_eq!(
        column("b")["dataLength"],
        1,
        "scalars keep OpenMetadata's 1"
    );

    // Another service type keeps its own rules for the same table.
    let full = Requests::new("svc", "Trino").entity(&Entity::Table(t)).body;
    let shipping = full["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "shipping")
        .unwrap()
        .clone();
    assert_eq!(shipping["constraint"], "NULL", "{shipping}");
}

fn airflow_dag() -> Pipeline {
    use omrun_model::{PipelineTask, TaskStatus};
    let task = |name: &str, downstream: &[&str]| PipelineTask {
        name: name.into(),
        display_name: None,
        description: None,
        source_url: Some(format!("http://af:8080/dags/etl/tasks/{name}")),
        downstream_tasks: downstream.iter().map(|d| d.to_string()).collect(),
        task_type: Some("PythonOperator".into()),
        task_sql: None,
        start_date: Some("2024-01-01T00:00:00Z".into()),
        end_date: None,
        tags: Vec::new(),
    };
    let run = |id: &str, timestamp: i64, status: &'static str| PipelineRun {
        execution_id: Some(id.into()),
        timestamp,
        execution_status: status,
        end_time: Some(timestamp + 5),
        tasks: vec![TaskStatus {
            name: "extract".into(),
            execution_status: status,
            start_time: Some(timestamp),
            end_time: None,
            log_link: None,
        }],
    };
    Pipeline {
        name: "etl".into(),
        display_name: None,
        description: Some("Daily load".into()),
        source_url: Some("http://af:8080/dags/etl".into()),
        schedule_interval: Some("@daily".into()),
        start_date: Some("2024-01-01T00:00:00+00:00".into()),
        concurrency: Some(16),
        pipeline_location: Some("/dags/etl.py".into()),
        state: Some("Inactive"),
        tasks: vec![task("extract", &["load"]), task("load", &[])],
        owners: vec!["airflow".into()],
        tags: Vec::new(),
        // Newest first, as the contract has them.
        runs: vec![
            run("manual_2", 2_000, "Failed"),
            run("manual_1", 1_000, "Successful"),
        ],
    }
}

#[test]
fn a_pipeline_is_written_as_openmetadatas_airflow_connector_writes_it() {
    let requests = Requests::new("af", "Airflow");
    let request = requests.entity(&Entity::Pipeline(airflow_dag()));
    assert_eq!(request.kind, RequestKind::Pipeline);
    assert_eq!(request.kind.endpoint(), Endpoint::Put("pipelines"));
    assert_eq!(request.fqn, "af.etl");
    let mut body = request.body.clone();
    assert!(body["sourceHash"].as_str().is_some_and(|h| h.len() == 32));
    body.as_object_mut().unwrap().remove("sourceHash");
    assert_eq!(
        body,
        json!({
            "name": "etl", "service": "af", "description": "Daily load",
            "sourceUrl": "http://af:8080/dags/etl", "concurrency": 16,
            "pipelineLocation": "/dags/etl.py",
            // As pydantic writes the datetime OpenMetadata's connector parsed.
            "startDate": "2024-01-01T00:00:00Z",
            "tasks": [
                {"name": "extract", "sourceUrl": "http://af:8080/dags/etl/tasks/extract",
                 "downstreamTasks": ["load"], "taskType": "PythonOperator",
                 "startDate": "2024-01-01T00:00:00Z"},
                {"name": "load", "sourceUrl": "http://af:8080/dags/etl/tasks/load",
                 "downstreamTasks": [], "taskType": "PythonOperator",
                 "startDate": "2024-01-01T00:00:00Z"},
            ],
            "state": "Inactive", "scheduleInterval": "@daily",
        }),
        "owners are added by the OpenMetadata sink, which resolves them"
    );
}

#[test]
fn a_pipelines_runs_go_oldest_first_to_its_status_endpoint() {
    let statuses = Requests::new("af", "Airflow").pipeline_statuses(&airflow_dag());
    let ids: Vec<&str> = statuses
        .iter()
        .map(|s| s.body["executionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["manual_1", "manual_2"]);
    let first = &statuses[0];
    assert_eq!(first.kind, RequestKind::PipelineStatus);
    assert_eq!(first.kind.endpoint(), Endpoint::Status("pipelines"));
    assert_eq!(first.fqn, "af.etl");
    assert_eq!(
        first.body,
        json!({"timestamp": 1000, "executionStatus": "Successful", "executionId": "manual_1",
               "endTime": 1005, "taskStatus": [
                   {"name": "extract", "executionStatus": "Successful", "startTime": 1000}]})
    );
    assert!(
        RequestKind::Pipeline < RequestKind::PipelineStatus,
        "a run after its pipeline"
    );
}

#[test]
fn owners_change_the_hash_as_they_change_openmetadatas() {
    let requests = Requests::new("af", "Airflow");
    let bare = requests.entity(&Entity::Pipeline(airflow_dag()));
    let owned = bare.clone().with_owners(vec![
        json!({"id": "5a1f9e5e-0c4b-4a57-9f0e-1df0a5d5e6a1", "type": "user", "name": "ann"}),
    ]);
    assert_eq!(owned.body["owners"][0]["name"], "ann");
    assert_ne!(owned.body["sourceHash"], bare.body["sourceHash"]);
    assert_eq!(
        bare.clone().with_owners(Vec::new()).body,
        bare.body,
        "no owners: the request as it was"
    );
}

#[test]
fn an_ml_model_is_written_as_openmetadatas_mlflow_connector_writes_it() {
    use omrun_model::{MlFeature, MlHyperParameter, MlStore};
    let model = MlModel {
        name: "churn".into(),
        display_name: None,
        description: Some("Churn".into()),
        algorithm: "mlmodel".into(),
        features: vec![MlFeature {
            name: "plan".into(),
            data_type: Some("categorical"),
            description: None,
            feature_algorithm: None,
            tags: Vec::new(),
        }],
        hyper_parameters: vec![MlHyperParameter {
            name: "alpha".into(),
            value: Some("0.5".into()),
            description: None,
        }],
        target: None,
        dashboard: None,
        store: Some(MlStore {
            storage: Some("mlflow-artifacts:/1/abc/artifacts".into()),
            image_repository: None,
        }),
        server: None,
        source_url: Some("http://ml:5000/#/models/churn".into()),
        owners: Vec::new(),
        tags: Vec::new(),
    };
    let requests = Requests::new("ml", "Mlflow");
    assert_eq!(requests.service().kind, RequestKind::MlModelService);
    let request = requests.entity(&Entity::MlModel(model));
    assert_eq!(request.kind.endpoint(), Endpoint::Bulk("mlmodels"));
    assert_eq!(request.fqn, "ml.churn");
    let mut body = request.body;
    body.as_object_mut().unwrap().remove("sourceHash");
    assert_eq!(
        body,
        json!({"name": "churn", "service": "ml", "description": "Churn", "algorithm": "mlmodel",
               "mlHyperParameters": [{"name": "alpha", "value": "0.5"}],
               "mlFeatures": [{"name": "plan", "dataType": "categorical"}],
               "mlStore": {"storage": "mlflow-artifacts:/1/abc/artifacts"},
               "sourceUrl": "http://ml:5000/#/models/churn"})
    );
}

#[test]
fn date_times_are_written_as_openmetadatas_client_writes_them() {
    for (given, written) in [
        ("2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00Z"),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
        ("2024-01-01 00:00", "2024-01-01T00:00:00"),
        (
            "2024-01-01T12:00:00.5+02:00",
            "2024-01-01T12:00:00.500000+02:00",
        ),
        (
            "2024-01-01T00:00:00.123-0530",
            "2024-01-01T00:00:00.123000-05:30",
        ),
        ("2024-01-01T00:00:00.000000Z", "2024-01-01T00:00:00Z"),
        // Not a date-time: left for the server to refuse by name.
        ("yesterday", "yesterday"),
        ("2024-1-1T00:00:00Z", "2024-1-1T00:00:00Z"),
    ] {
        assert_eq!(iso_datetime(given), written, "{given}");
    }
}
