//! Users, as far as a dashboard's owners need them: a test adds users ([`super::StandIn::add_user`]);
//! OpenMetadata's client finds one by e-mail with `GET /v1/search/query?q=email.keyword:<email>&
//! index=user_search_index` (`OMeta.get_reference_by_email`) and reads the hit back with
//! `GET /v1/users/name/{name}`; and an owner reference must name a user the server holds.
//!
//! The search answers the engine's raw response, as `SearchResource.search` does:
//! `{"hits": {"total": {"value", "relation"}, "hits": [{"_index", "_id", "_source": <user>}]}}`.
//! Only that query is implemented; any other `q` or index is a 400 saying so. An owner naming no
//! user is refused as `EntityRepository.validateOwners` refuses it, with the not-found message of
//! the user by id (`user instance for <id> not found`, `CatalogExceptionMessage.entityNotFound`;
//! recalled from OpenMetadata's server code, not re-read for this stand-in). Teams are not held.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::store::Refusal;

#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
}

impl User {
    /// The user as `GET /v1/users/name/{name}` answers it (the default fields).
    pub fn view(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "fullyQualifiedName": self.name,
            "email": self.email,
            "isBot": false,
            "deleted": false,
            "version": 0.1,
            "href": format!("http://localhost:8585/api/v1/users/{}", self.id),
        })
    }
}

/// `GET /v1/search/query`: the `email.keyword:<email>` term query on the user index. The keyword
/// is matched exactly, case included, as a keyword field without a normalizer is.
pub fn search(users: &[User], q: &HashMap<String, String>) -> Result<Value, Refusal> {
    let index = q.get("index").map_or("", String::as_str);
    let query = q.get("q").map_or("", String::as_str);
    let email = match (index, query.strip_prefix("email.keyword:")) {
        ("user_search_index", Some(email)) => email,
        _ => {
            return Err(Refusal::bad_request(format!(
                "stand-in: only q=email.keyword:<email> on user_search_index is implemented, not \
                 q={query} on {index}"
            )));
        }
    };
    let size = q.get("size").and_then(|s| s.parse().ok()).unwrap_or(10);
    let found: Vec<&User> = users.iter().filter(|u| u.email == email).collect();
    let hits: Vec<Value> = found
        .iter()
        .take(size)
        .map(|u| json!({"_index": "user_search_index", "_id": u.id, "_source": u.view()}))
        .collect();
    Ok(json!({"hits": {"total": {"value": found.len(), "relation": "eq"}, "hits": hits}}))
}

/// `GET /v1/users/name/{name}`.
pub fn get_by_name(users: &[User], name: &str) -> Result<Value, Refusal> {
    users
        .iter()
        .find(|u| u.name == name)
        .map(User::view)
        .ok_or_else(|| Refusal {
            status: 404,
            message: format!("user instance for {name} not found"),
        })
}

/// Every `owners` reference of `request` must name, by id, a user the server holds.
pub fn validate_owners(users: &[User], request: &Value) -> Result<(), Refusal> {
    for owner in request["owners"].as_array().into_iter().flatten() {
        let id = owner["id"].as_str().unwrap_or_default();
        let kind = owner["type"].as_str().unwrap_or_default();
        if kind != "user" || !users.iter().any(|u| u.id == id) {
            return Err(Refusal {
                status: 404,
                message: format!("{kind} instance for {id} not found"),
            });
        }
    }
    Ok(())
}
