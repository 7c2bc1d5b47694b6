//! The parts of Superset's REST API (`/api/v1`, Superset 4–6) answers the connector reads, and the
//! `columns` it selects (so Superset sends only those). Every field is optional: Superset nulls
//! what is not set.

use serde::Deserialize;

/// The largest page Superset's API serves by default (Flask-AppBuilder's `FAB_API_MAX_PAGE_SIZE`);
/// a server configured lower answers fewer rows, which the paging copes with.
pub const PAGE_SIZE: usize = 100;

/// `GET /dashboard/`: what discovery and a dashboard need of the listing (the owners' e-mails are
/// in the listing only: `GET /dashboard/{id}` leaves them out).
pub const DASHBOARD_LIST_COLUMNS: &str = "id,dashboard_title,published,url,owners.email";
/// `GET /chart/`: what a chart needs, and the dataset behind it.
pub const CHART_LIST_COLUMNS: &str = "id,slice_name,description,viz_type,url,datasource_id,\
    datasource_type,table.table_name,dashboards.id";
/// `GET /dataset/{id}`.
pub const DATASET_COLUMNS: &str = "id,table_name,description,sql,schema,catalog,url,kind,\
    database.id,database.database_name,columns.column_name,columns.id,columns.type,\
    columns.description";

/// `POST /security/login`.
#[derive(Debug, Deserialize)]
pub struct Login {
    pub access_token: String,
}

/// A page of a listing.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    pub count: usize,
    #[serde(default = "Vec::new")]
    pub result: Vec<T>,
}

/// `{"id": …, "result": T}` of a `GET /{resource}/{id}`.
#[derive(Debug, Deserialize)]
pub struct One<T> {
    pub result: T,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DashboardListed {
    pub id: i64,
    pub dashboard_title: Option<String>,
    pub published: Option<bool>,
    pub url: Option<String>,
    #[serde(default)]
    pub owners: Option<Vec<Owner>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Owner {
    pub email: Option<String>,
}

/// `GET /dashboard/{id}`: the layout.
#[derive(Debug, Deserialize)]
pub struct Dashboard {
    pub position_json: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Chart {
    pub id: i64,
    pub slice_name: Option<String>,
    pub description: Option<String>,
    pub viz_type: Option<String>,
    pub url: Option<String>,
    pub datasource_id: Option<i64>,
    pub datasource_type: Option<String>,
    pub table: Option<ChartTable>,
    /// The dashboards it is on (the relation Superset keeps beside each dashboard's layout).
    #[serde(default)]
    pub dashboards: Option<Vec<IdOnly>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IdOnly {
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChartTable {
    pub table_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Dataset {
    pub id: i64,
    pub table_name: Option<String>,
    pub description: Option<String>,
    pub sql: Option<String>,
    pub schema: Option<String>,
    pub catalog: Option<String>,
    pub url: Option<String>,
    pub database: Option<DatasetDatabase>,
    #[serde(default)]
    pub columns: Option<Vec<DatasetColumn>>,
}

#[derive(Debug, Deserialize)]
pub struct DatasetDatabase {
    pub id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatasetColumn {
    pub id: Option<i64>,
    pub column_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
}

/// `GET /database/{id}/connection`: the connection's settings, parsed by Superset from its
/// SQLAlchemy URI (the password masked).
#[derive(Debug, Deserialize)]
pub struct Connection {
    pub parameters: Option<Parameters>,
}

#[derive(Debug, Deserialize)]
pub struct Parameters {
    pub database: Option<String>,
}
