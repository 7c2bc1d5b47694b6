//! The parts of Metabase's API answers the connector reads (as OpenMetadata's own client's
//! pydantic models in metadata/ingestion/source/dashboard/metabase/models.py read them). Every
//! field is optional: Metabase nulls what is not set, and ids are numbers except the root
//! collection's (`"root"`).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `POST /api/session`.
#[derive(Debug, Deserialize)]
pub struct Session {
    pub id: String,
}

/// An entry of `GET /api/collection`.
#[derive(Debug, Deserialize)]
pub struct Collection {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub name: Option<String>,
}

/// `GET /api/collection/{id}/items`.
#[derive(Debug, Deserialize)]
pub struct Items {
    #[serde(default)]
    pub data: Vec<Item>,
}

#[derive(Debug, Deserialize)]
pub struct Item {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub name: Option<String>,
}

/// `GET /api/dashboard/{id}`.
#[derive(Debug, Deserialize)]
pub struct Dashboard {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub collection_id: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub creator_id: Option<String>,
    /// `ordered_cards` before Metabase 0.48.
    #[serde(default, alias = "ordered_cards")]
    pub dashcards: Vec<DashCard>,
}

#[derive(Debug, Deserialize)]
pub struct DashCard {
    /// A text or heading card has none (its `card` holds nulls only).
    pub card: Option<Card>,
}

/// A card (a question or a model), from `GET /api/card`, `GET /api/card/{id}` or a dashcard.
#[derive(Debug, Clone, Deserialize)]
pub struct Card {
    #[serde(default, deserialize_with = "optional_id")]
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub display: Option<String>,
    /// `question`, `model`, `metric` (Metabase 0.49+).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Before Metabase 0.49, a model was a card with `dataset: true`.
    pub dataset: Option<bool>,
    #[serde(default, deserialize_with = "optional_id")]
    pub database_id: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub collection_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub dataset_query: Option<Value>,
    #[serde(default, deserialize_with = "lenient")]
    pub result_metadata: Option<Vec<ResultColumn>>,
    pub archived: Option<bool>,
}

impl Card {
    pub fn is_model(&self) -> bool {
        self.kind.as_deref() == Some("model") || self.dataset == Some(true)
    }

    /// The SQL of a native query (`dataset_query.native.query`, or Metabase 0.57's MBQL 5
    /// `stages[].native`, as OpenMetadata's `normalize_native_from_stages` reads it).
    pub fn native_sql(&self) -> Option<&str> {
        let q = self.dataset_query.as_ref()?;
        if let Some(sql) = q.pointer("/native/query").and_then(Value::as_str) {
            return Some(sql);
        }
        q.get("stages")?.as_array()?.iter().find_map(|s| {
            let kind = s.get("lib/type").and_then(Value::as_str).unwrap_or("");
            if matches!(kind, "mbql.stage/native" | "mbql/query") {
                s.get("native").and_then(Value::as_str)
            } else {
                None
            }
        })
    }

    /// `query` (the query builder), `native`, or none.
    pub fn query_type(&self) -> Option<&str> {
        if self.native_sql().is_some() {
            return Some("native");
        }
        self.dataset_query.as_ref()?.get("type")?.as_str()
    }

    /// The `source-table` of a query-builder card and of its joins: table ids, and `card__N`
    /// for a question built on another card.
    pub fn source_tables(&self) -> Vec<String> {
        let Some(q) = self.dataset_query.as_ref() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let stages: Vec<&Value> = match q.get("stages").and_then(Value::as_array) {
            Some(stages) => stages.iter().collect(),
            None => q.get("query").into_iter().collect(),
        };
        for stage in stages {
            collect_sources(stage, &mut out);
        }
        out
    }
}

/// `source-table` (also `source-card` of MBQL 5) of a query and its joins, nested source
/// queries included.
fn collect_sources(query: &Value, out: &mut Vec<String>) {
    for key in ["source-table", "source-card"] {
        match query.get(key) {
            Some(Value::Number(n)) if key == "source-card" => out.push(format!("card__{n}")),
            Some(Value::Number(n)) => out.push(n.to_string()),
            Some(Value::String(s)) => out.push(s.clone()),
            _ => {}
        }
    }
    if let Some(inner) = query.get("source-query") {
        collect_sources(inner, out);
    }
    for join in query
        .get("joins")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_sources(join, out);
    }
}

/// A column of a card's `result_metadata`.
#[derive(Debug, Clone, Deserialize)]
pub struct ResultColumn {
    pub name: Option<String>,
    pub base_type: Option<String>,
    pub description: Option<String>,
    /// The table the column comes from, when it is a table's field.
    #[serde(default, deserialize_with = "optional_id")]
    pub table_id: Option<String>,
}

/// `GET /api/database/{id}`.
#[derive(Debug, Deserialize)]
pub struct Database {
    pub details: Option<Value>,
}

impl Database {
    /// The database's name in its engine: `details.db` (what OpenMetadata reads: H2, Snowflake,
    /// Presto…), else `details.dbname` (PostgreSQL, MySQL, Redshift name it so).
    pub fn name(&self) -> Option<String> {
        let d = self.details.as_ref()?;
        ["db", "dbname"]
            .iter()
            .find_map(|k| d.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }
}

/// `GET /api/table/{id}`, with its database (Metabase hydrates `db`).
#[derive(Debug, Deserialize)]
pub struct Table {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub schema: Option<String>,
    pub db: Option<Database>,
}

/// `GET /api/user/{id}`.
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

/// A value that is JSON, or a string holding JSON (older Metabase versions and some proxies
/// send `dataset_query` as a string, which OpenMetadata's model parses too); anything else is
/// none rather than an error.
fn lenient<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    let v = match v {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::Null),
        v => v,
    };
    Ok(serde_json::from_value(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_be_numbers_or_root_and_text_cards_have_none() {
        let c: Vec<Collection> =
            serde_json::from_str(r#"[{"id":"root","name":"Our analytics"},{"id":2,"name":"S"}]"#)
                .unwrap();
        assert_eq!((c[0].id.as_str(), c[1].id.as_str()), ("root", "2"));
        let d: Dashboard = serde_json::from_str(
            r#"{"id":7,"name":"D","collection_id":null,"creator_id":3,
                "ordered_cards":[{"card":{"id":5,"name":"x","display":"bar"}},
                                 {"card_id":null,"card":{"query_average_duration":null}}]}"#,
        )
        .unwrap();
        assert_eq!(
            (d.collection_id, d.creator_id.as_deref()),
            (None, Some("3"))
        );
        assert_eq!(d.dashcards.len(), 2);
        assert_eq!(d.dashcards[1].card.as_ref().unwrap().id, None);
    }

    #[test]
    fn queries_native_query_builder_and_mbql5() {
        let card = |q: &str| -> Card {
            serde_json::from_str(&format!(r#"{{"id":1,"dataset_query":{q}}}"#)).unwrap()
        };
        let native = card(r#"{"type":"native","native":{"query":"select 1"},"database":2}"#);
        assert_eq!(
            (native.query_type(), native.native_sql()),
            (Some("native"), Some("select 1"))
        );
        let stages = card(
            r#"{"lib/type":"mbql/query","stages":[{"lib/type":"mbql.stage/native","native":"select 2"}]}"#,
        );
        assert_eq!(stages.native_sql(), Some("select 2"));
        let builder = card(
            r#"{"type":"query","query":{"source-table":10,
                "joins":[{"source-table":11,"alias":"P"},{"source-table":"card__4"}]}}"#,
        );
        assert_eq!(builder.query_type(), Some("query"));
        assert_eq!(builder.source_tables(), ["10", "11", "card__4"]);
        let nested = card(r#"{"type":"query","query":{"source-query":{"source-table":3}}}"#);
        assert_eq!(nested.source_tables(), ["3"]);
        let as_string: Card = serde_json::from_str(
            r#"{"id":1,"dataset_query":"{\"type\":\"native\",\"native\":{\"query\":\"select 3\"}}"}"#,
        )
        .unwrap();
        assert_eq!(as_string.native_sql(), Some("select 3"));
        let garbage: Card = serde_json::from_str(r#"{"id":1,"dataset_query":"{oops"}"#).unwrap();
        assert_eq!(garbage.query_type(), None);
    }

    #[test]
    fn models_old_and_new() {
        let m: Card = serde_json::from_str(r#"{"type":"model"}"#).unwrap();
        let old: Card = serde_json::from_str(r#"{"dataset":true}"#).unwrap();
        let q: Card = serde_json::from_str(r#"{"type":"question","dataset":false}"#).unwrap();
        assert!(m.is_model() && old.is_model() && !q.is_model());
    }

    #[test]
    fn database_names_per_engine() {
        let db = |d: &str| -> Database { serde_json::from_str(d).unwrap() };
        assert_eq!(
            db(r#"{"details":{"db":"ANALYTICS"}}"#).name().as_deref(),
            Some("ANALYTICS")
        );
        assert_eq!(
            db(r#"{"details":{"dbname":"shop"}}"#).name().as_deref(),
            Some("shop")
        );
        assert_eq!(db(r#"{"details":{"project-id":"p"}}"#).name(), None);
        assert_eq!(db(r#"{"details":null}"#).name(), None);
    }
}
