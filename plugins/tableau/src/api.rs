//! The parts of Tableau's answers the connector reads: the REST API's JSON form (`Accept:
//! application/json`; numbers come as strings, empty lists as `{}`) and the Metadata API's GraphQL
//! answers, with the queries that ask for them.

use serde::{Deserialize, Deserializer};

/// `POST /api/{v}/auth/signin`.
#[derive(Debug, Deserialize)]
pub struct SignInAnswer {
    pub credentials: Credentials,
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    pub token: String,
    pub site: IdOnly,
}

#[derive(Debug, Deserialize)]
pub struct IdOnly {
    pub id: String,
}

/// `GET /api/{v}/serverInfo`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfoAnswer {
    pub server_info: ServerInfo,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    pub rest_api_version: String,
}

/// `pagination` of a listing.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    #[serde(deserialize_with = "number")]
    pub total_available: u64,
}

/// `GET /sites/{site}/workbooks`.
#[derive(Debug, Deserialize)]
pub struct WorkbookPage {
    pub pagination: Pagination,
    #[serde(default)]
    pub workbooks: Option<List<Workbook>>,
}

/// `GET /sites/{site}/workbooks/{id}`.
#[derive(Debug, Deserialize)]
pub struct WorkbookAnswer {
    pub workbook: Workbook,
}

/// `GET /sites/{site}/projects`.
#[derive(Debug, Deserialize)]
pub struct ProjectPage {
    pub pagination: Pagination,
    #[serde(default)]
    pub projects: Option<List<Project>>,
}

/// `GET /sites/{site}/workbooks/{id}/views`.
#[derive(Debug, Deserialize)]
pub struct ViewsAnswer {
    #[serde(default)]
    pub views: Option<List<View>>,
}

/// `GET /sites/{site}/users/{id}`.
#[derive(Debug, Deserialize)]
pub struct UserAnswer {
    pub user: User,
}

/// Tableau's JSON list: `{"workbook": [...]}` under `workbooks`, `{}` when empty.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct List<T> {
    #[serde(alias = "workbook", alias = "project", alias = "view")]
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
}

impl<T> List<T> {
    pub fn into_vec(list: Option<List<T>>) -> Vec<T> {
        list.map(|l| l.items).unwrap_or_default()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workbook {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub webpage_url: Option<String>,
    pub project: Option<Named>,
    pub owner: Option<Named>,
}

#[derive(Debug, Deserialize)]
pub struct Named {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub name: String,
    pub parent_project_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct View {
    pub id: String,
    pub name: Option<String>,
    pub content_url: Option<String>,
    pub sheet_type: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct User {
    pub email: Option<String>,
}

/// A number Tableau's JSON writes as a string (or, elsewhere, as a number).
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        S(String),
        N(u64),
    }
    match N::deserialize(d)? {
        N::N(n) => Ok(n),
        N::S(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

// ---- the Metadata API

/// A GraphQL answer: `data`, and `errors` beside it (validation errors, Tableau's warnings).
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct GraphQl<T> {
    pub data: Option<T>,
    #[serde(default)]
    pub errors: Vec<GraphQlError>,
}

#[derive(Debug, Deserialize)]
pub struct GraphQlError {
    pub message: String,
    #[serde(default)]
    pub extensions: Option<Extensions>,
}

#[derive(Debug, Deserialize)]
pub struct Extensions {
    pub code: Option<String>,
}

/// The fields of a data source's field, as OpenMetadata's connector asks for them.
const FIELD_SELECTION: &str = "id name description upstreamColumns { id name remoteType } \
    ... on CalculatedField { formula }";
/// A data source's upstream tables, as OpenMetadata's connector asks for them.
const TABLE_SELECTION: &str = "id luid name fullName schema \
    referencedByQueries { id name query } columns { id name } database { id name }";

/// A page of the site's embedded data sources, names only, with their workbook and the published
/// data sources they draw on.
pub fn embedded_page(first: u32, offset: u64) -> String {
    format!(
        "{{ embeddedDatasourcesConnection(first: {first}, offset: {offset}) {{ nodes {{ id name \
         workbook {{ luid }} upstreamDatasources {{ id name }} }} totalCount }} }}"
    )
}

/// A page of one workbook's embedded data sources, names only.
pub fn workbook_datasources_page(workbook: &str, first: u32, offset: u64) -> String {
    format!(
        "{{ workbooks(filter: {{luid: {}}}) {{ luid embeddedDatasourcesConnection(first: {first}, \
         offset: {offset}) {{ nodes {{ id name upstreamDatasources {{ id name }} }} totalCount }} }} }}",
        string(workbook)
    )
}

/// One data source, embedded or published, by id: what a data model needs.
pub fn datasource(id: &str) -> String {
    let id = string(id);
    format!(
        "{{ embeddedDatasources(filter: {{id: {id}}}) {{ id name workbook {{ projectName }} \
         fields {{ {FIELD_SELECTION} }} upstreamTables {{ {TABLE_SELECTION} }} }} \
         publishedDatasources(filter: {{id: {id}}}) {{ id name description projectName \
         fields {{ {FIELD_SELECTION} }} upstreamTables {{ {TABLE_SELECTION} }} }} }}"
    )
}

/// OpenMetadata's `customSQLTables` query: each custom SQL query with the data sources it feeds.
pub const CUSTOM_SQL: &str =
    "{ customSQLTables { name id downstreamDatasources { id name } query } }";

/// A GraphQL string literal.
fn string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedPage {
    pub embedded_datasources_connection: Connection<EmbeddedName>,
}

#[derive(Debug, Deserialize)]
pub struct WorkbookDatasources {
    pub workbooks: Vec<WorkbookConnection>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkbookConnection {
    pub embedded_datasources_connection: Connection<EmbeddedName>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de>"))]
pub struct Connection<T> {
    #[serde(default)]
    pub nodes: Vec<T>,
    pub total_count: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedName {
    pub id: String,
    pub name: Option<String>,
    pub workbook: Option<WorkbookLuid>,
    #[serde(default)]
    pub upstream_datasources: Option<Vec<DatasourceName>>,
}

#[derive(Debug, Deserialize)]
pub struct WorkbookLuid {
    pub luid: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DatasourceName {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasourceAnswer {
    #[serde(default)]
    pub embedded_datasources: Vec<Datasource>,
    #[serde(default)]
    pub published_datasources: Vec<Datasource>,
}

/// An embedded or published data source, with what a data model needs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Datasource {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Published data sources only.
    pub project_name: Option<String>,
    /// Embedded data sources only.
    pub workbook: Option<WorkbookProject>,
    #[serde(default)]
    pub fields: Option<Vec<Field>>,
    #[serde(default)]
    pub upstream_tables: Option<Vec<UpstreamTable>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkbookProject {
    pub project_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Calculated fields only.
    pub formula: Option<String>,
    /// Tableau may list `null` for a column the account may not see.
    #[serde(default)]
    pub upstream_columns: Option<Vec<Option<UpstreamColumn>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamColumn {
    pub id: String,
    pub name: Option<String>,
    pub remote_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamTable {
    pub name: Option<String>,
    pub schema: Option<String>,
    #[serde(default)]
    pub referenced_by_queries: Option<Vec<Query>>,
    #[serde(default)]
    pub columns: Option<Vec<TableColumn>>,
    pub database: Option<Database>,
}

#[derive(Debug, Deserialize)]
pub struct Query {
    pub query: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TableColumn {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Database {
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomSqlAnswer {
    #[serde(rename = "customSQLTables", default)]
    pub custom_sql_tables: Vec<CustomSqlTable>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomSqlTable {
    pub query: Option<String>,
    #[serde(default)]
    pub downstream_datasources: Option<Vec<DatasourceName>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_json_as_tableau_writes_it() {
        let page: WorkbookPage = serde_json::from_str(
            r#"{"pagination":{"pageNumber":"1","pageSize":"100","totalAvailable":"2"},
                "workbooks":{"workbook":[{"project":{"id":"p","name":"Sales"},"owner":{"id":"u"},
                  "tags":{"tag":[{"label":"a"}]},"id":"w","name":"W","webpageUrl":"https://t/#/x"},
                  {"id":"v","tags":{}}]}}"#,
        )
        .unwrap();
        assert_eq!(page.pagination.total_available, 2);
        let books = List::into_vec(page.workbooks);
        assert_eq!(books.len(), 2);
        assert_eq!(
            books[0].project.as_ref().unwrap().name.as_deref(),
            Some("Sales")
        );
        assert_eq!(books[1].name, None);
        let empty: ViewsAnswer = serde_json::from_str(r#"{"views":{}}"#).unwrap();
        assert!(List::into_vec(empty.views).is_empty());
    }

    #[test]
    fn queries_quote_ids() {
        assert!(datasource("a\"b").contains(r#"{id: "a\"b"}"#));
        assert!(embedded_page(10, 20).contains("first: 10, offset: 20"));
    }
}
