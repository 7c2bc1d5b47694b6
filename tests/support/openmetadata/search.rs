//! `GET /v1/search/fieldQuery?fieldName&fieldValue&index&deleted`: the one search call
//! `metadata ingest` makes for a database (it looks every view's FQN up this way before it
//! builds the view's request). OpenMetadata's `SearchResource.searchByField` runs, on its search
//! index, `bool { must: wildcard(fieldName, fieldValue), filter: term(deleted, deleted) }` with
//! the search engine's default size (10 hits; the `from`/`size` the client adds are not read),
//! and returns the engine's raw response: `{"hits": {"total": {"value", "relation"}, "hits":
//! [{"_index", "_id", "_source": <entity>}]}}`. Here the index is the stored collection, and the
//! match is immediate (a real index lags a write by up to a second). OpenMetadata maps
//! `fullyQualifiedName` and `name` as keywords with a lowercase normalizer, so the wildcard
//! matches without regard to case.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::store::{Collection, Refusal, Store};

/// The search index of each collection (`ES_INDEX_MAP` in the client, the indexes of
/// openmetadata-service's `elasticsearch/indexMapping.json`).
const INDEXES: &[(&str, Collection)] = &[
    (
        "database_service_search_index",
        Collection::DatabaseServices,
    ),
    ("database_search_index", Collection::Databases),
    ("database_schema_search_index", Collection::DatabaseSchemas),
    ("table_search_index", Collection::Tables),
    (
        "stored_procedure_search_index",
        Collection::StoredProcedures,
    ),
    (
        "dashboard_service_search_index",
        Collection::DashboardServices,
    ),
    (
        "dashboard_data_model_search_index",
        Collection::DashboardDataModels,
    ),
    ("chart_search_index", Collection::Charts),
    ("dashboard_search_index", Collection::Dashboards),
];

/// The default size of a search-engine query.
const SIZE: usize = 10;

pub fn field_query(store: &Store, q: &HashMap<String, String>) -> Result<Value, Refusal> {
    let index = q.get("index").map_or("table_search_index", String::as_str);
    let c = INDEXES
        .iter()
        .find(|(i, _)| *i == index)
        .map(|(_, c)| *c)
        .ok_or_else(|| Refusal::bad_request(format!("no such index [{index}]")))?;
    let field = q.get("fieldName").map_or("", String::as_str);
    let pattern = q.get("fieldValue").map_or("", String::as_str);
    let deleted = q.get("deleted").is_some_and(|d| d == "true");
    let matching: Vec<Value> = store
        .iter(c)
        .filter(|e| e.deleted == deleted)
        .filter(|e| {
            e.body
                .get(field)
                .and_then(Value::as_str)
                .is_some_and(|v| wildcard(&pattern.to_lowercase(), &v.to_lowercase()))
        })
        .map(|e| json!({"_index": index, "_id": e.id, "_score": 1.0, "_source": e.body}))
        .collect();
    let total = matching.len();
    let hits: Vec<Value> = matching.into_iter().take(SIZE).collect();
    Ok(json!({
        "took": 1,
        "timed_out": false,
        "hits": {
            "total": {"value": total, "relation": "eq"},
            "max_score": if total > 0 { json!(1.0) } else { Value::Null },
            "hits": hits,
        },
    }))
}

/// A wildcard query's match: `*` any run of characters, `?` one, `\` escapes the next.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).any(|k| go(&p[1..], &t[k..])),
            Some('?') => !t.is_empty() && go(&p[1..], &t[1..]),
            Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&p[2..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards_match_as_the_search_engine_does() {
        assert!(wildcard("svc.*.sales.orders", "svc.db.sales.orders"));
        assert!(wildcard("svc.db.sales.order?", "svc.db.sales.orders"));
        assert!(!wildcard("svc.db.sales.order", "svc.db.sales.orders"));
        assert!(wildcard("a\\*b", "a*b"));
        assert!(!wildcard("a\\*b", "axb"));
    }
}
