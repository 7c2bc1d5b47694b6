//! The parts of Looker API 4.0's answers the connector reads, and the `fields=` it asks for (so
//! Looker sends only those). Every field is optional: Looker omits or nulls what is not set, and
//! ids are strings in 4.0 but numbers in older instances.

use serde::{Deserialize, Deserializer};

/// `GET /dashboards`: names only.
pub const LIST_DASHBOARD_FIELDS: &str = "id,title";
/// `GET /dashboards/{id}`: what a dashboard and its charts need.
pub const DASHBOARD_FIELDS: &str = "id,title,description,folder(name),user_id,\
    dashboard_elements(id,title,type,subtitle_text,body_text,note_text,\
    query(model,view,share_url,vis_config),\
    result_maker(query(model,view,share_url,vis_config),vis_config),\
    look(query(model,view,share_url,vis_config)))";
/// `GET /lookml_models`: the explores of each model, names only.
pub const LIST_MODEL_FIELDS: &str = "name,explores(name)";
/// `GET /lookml_models/{model}/explores/{explore}`.
pub const EXPLORE_FIELDS: &str = "name,label,description,model_name,project_name,sql_table_name,\
    fields(dimensions(name,label,type,description),measures(name,label,type,description))";

/// `POST /login`.
#[derive(Debug, Deserialize)]
pub struct Login {
    pub access_token: String,
    /// Seconds.
    pub expires_in: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct DashboardBase {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Dashboard {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub folder: Option<Folder>,
    #[serde(default, deserialize_with = "optional_id")]
    pub user_id: Option<String>,
    pub dashboard_elements: Option<Vec<Element>>,
}

#[derive(Debug, Deserialize)]
pub struct Folder {
    pub name: Option<String>,
}

/// A tile of a dashboard: a visualisation, a table, a text.
#[derive(Debug, Deserialize)]
pub struct Element {
    #[serde(default, deserialize_with = "optional_id")]
    pub id: Option<String>,
    pub title: Option<String>,
    /// `vis`, `text`, `data`, `button`…
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub subtitle_text: Option<String>,
    pub body_text: Option<String>,
    pub note_text: Option<String>,
    pub query: Option<Query>,
    pub result_maker: Option<ResultMaker>,
    pub look: Option<Look>,
}

impl Element {
    /// The queries behind the tile: its own, its merged result's, its Look's.
    pub fn queries(&self) -> impl Iterator<Item = &Query> {
        [
            self.query.as_ref(),
            self.result_maker.as_ref().and_then(|r| r.query.as_ref()),
            self.look.as_ref().and_then(|l| l.query.as_ref()),
        ]
        .into_iter()
        .flatten()
    }

    /// The visualisation type (`looker_column`, `table`…), wherever Looker put it.
    pub fn vis_type(&self) -> Option<&str> {
        let from_result = self
            .result_maker
            .as_ref()
            .and_then(|r| r.vis_config.as_ref());
        self.queries()
            .filter_map(|q| q.vis_config.as_ref())
            .chain(from_result)
            .find_map(|v| v.kind.as_deref())
    }
}

#[derive(Debug, Deserialize)]
pub struct Query {
    pub model: Option<String>,
    /// The explore.
    pub view: Option<String>,
    pub share_url: Option<String>,
    pub vis_config: Option<VisConfig>,
}

#[derive(Debug, Deserialize)]
pub struct ResultMaker {
    pub query: Option<Query>,
    pub vis_config: Option<VisConfig>,
}

#[derive(Debug, Deserialize)]
pub struct Look {
    pub query: Option<Query>,
}

/// A free-form object; only its `type` matters here.
#[derive(Debug, Deserialize)]
pub struct VisConfig {
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LookmlModel {
    pub name: String,
    pub explores: Option<Vec<ExploreName>>,
}

#[derive(Debug, Deserialize)]
pub struct ExploreName {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct Explore {
    pub name: String,
    pub description: Option<String>,
    pub project_name: Option<String>,
    pub sql_table_name: Option<String>,
    pub fields: Option<ExploreFields>,
}

#[derive(Debug, Deserialize)]
pub struct ExploreFields {
    pub dimensions: Option<Vec<Field>>,
    pub measures: Option<Vec<Field>>,
}

#[derive(Debug, Deserialize)]
pub struct Field {
    /// `view.field`, e.g. `orders.id`.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct User {
    pub email: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawId {
    Text(String),
    Number(i64),
}

impl From<RawId> for String {
    fn from(id: RawId) -> String {
        match id {
            RawId::Text(s) => s,
            RawId::Number(n) => n.to_string(),
        }
    }
}

fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    RawId::deserialize(d).map(String::from)
}

fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<RawId>::deserialize(d)?.map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_be_numbers_and_fields_may_be_null() {
        let d: Dashboard = serde_json::from_str(
            r#"{"id":7,"title":null,"user_id":"12","folder":{"name":"Shared"},
                "dashboard_elements":[{"id":3,"type":"vis","title":"Orders",
                  "result_maker":{"query":{"model":"shop","view":"orders"},
                                  "vis_config":{"type":"looker_bar","x":1}}},
                  {"id":"4","type":"text","query":null}]}"#,
        )
        .unwrap();
        assert_eq!((d.id.as_str(), d.user_id.as_deref()), ("7", Some("12")));
        let elements = d.dashboard_elements.unwrap();
        assert_eq!(elements[0].id.as_deref(), Some("3"));
        assert_eq!(elements[0].vis_type(), Some("looker_bar"));
        assert_eq!(elements[0].queries().count(), 1);
        assert_eq!(elements[1].vis_type(), None);
    }
}
