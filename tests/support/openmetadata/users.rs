//! Users and teams, as far as a dashboard's owners need them: a test adds them
//! ([`super::StandIn::add_user`], [`super::StandIn::add_team`]); OpenMetadata's client finds an
//! owner by e-mail (`OMeta.get_reference_by_email`: the user index first, then the team index) with
//! `GET /v1/search/query?q=email.keyword:<email>&index=user_search_index` (or
//! `team_search_index`) and reads the hit back with `GET /v1/users/name/{name}` (or
//! `/v1/teams/name/{name}`); an owner reference must name, by type and id, one the server holds.
//!
//! The search answers the engine's raw response, as `SearchResource.search` does:
//! `{"hits": {"total": {"value", "relation"}, "hits": [{"_index", "_id", "_source": <entity>}]}}`.
//! Only that query is implemented; any other `q` or index is a 400 saying so. An owner naming no
//! one is refused as `EntityRepository.validateOwners` refuses it, with the not-found message of
//! the entity by id (`user instance for <id> not found`, `CatalogExceptionMessage.entityNotFound`;
//! recalled from OpenMetadata's server code, not re-read for this stand-in). Teams are of type
//! `Group` unless a test says otherwise ([`super::StandIn::add_team_of_type`]): the only type the
//! server lets own an entity, and the only one OpenMetadata's `get_reference_by_name` returns.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::store::Refusal;

/// A user (`kind` "user") or a team ("team").
#[derive(Clone, Debug)]
pub struct User {
    pub kind: &'static str,
    /// A team's `teamType` (`Group`, `Department`, …); none for a user.
    pub team_type: Option<&'static str>,
    pub id: String,
    pub name: String,
    pub email: String,
}

impl User {
    /// As `GET /v1/{users|teams}/name/{name}` answers it (the default fields).
    pub fn view(&self) -> Value {
        let mut view = json!({
            "id": self.id,
            "name": self.name,
            "fullyQualifiedName": self.name,
            "email": self.email,
            "deleted": false,
            "version": 0.1,
            "href": format!("http://localhost:8585/api/v1/{}s/{}", self.kind, self.id),
        });
        match self.team_type {
            Some(team_type) => view["teamType"] = json!(team_type),
            None => view["isBot"] = json!(false),
        }
        view
    }
}

/// `GET /v1/search/query`: the `email.keyword:<email>` term query on the user or team index. The
/// keyword is matched exactly, case included, as a keyword field without a normalizer is.
pub fn search(held: &[User], q: &HashMap<String, String>) -> Result<Value, Refusal> {
    let index = q.get("index").map_or("", String::as_str);
    let query = q.get("q").map_or("", String::as_str);
    let kind = match index {
        "user_search_index" => "user",
        "team_search_index" => "team",
        _ => "",
    };
    let email = match query.strip_prefix("email.keyword:") {
        Some(email) if !kind.is_empty() => email,
        _ => {
            return Err(Refusal::bad_request(format!(
                "stand-in: only q=email.keyword:<email> on user_search_index or team_search_index \
                 is implemented, not q={query} on {index}"
            )));
        }
    };
    let size = q.get("size").and_then(|s| s.parse().ok()).unwrap_or(10);
    let found: Vec<&User> = held
        .iter()
        .filter(|u| u.kind == kind && u.email == email)
        .collect();
    let hits: Vec<Value> = found
        .iter()
        .take(size)
        .map(|u| json!({"_index": index, "_id": u.id, "_source": u.view()}))
        .collect();
    Ok(json!({"hits": {"total": {"value": found.len(), "relation": "eq"}, "hits": hits}}))
}

/// `GET /v1/users/name/{name}` (`kind` "user") or `/v1/teams/name/{name}` ("team").
pub fn get_by_name(held: &[User], kind: &str, name: &str) -> Result<Value, Refusal> {
    held.iter()
        .find(|u| u.kind == kind && u.name == name)
        .map(User::view)
        .ok_or_else(|| Refusal {
            status: 404,
            message: format!("{kind} instance for {name} not found"),
        })
}

/// Every `owners` reference of `request` must name, by type and id, a user or team held.
pub fn validate_owners(held: &[User], request: &Value) -> Result<(), Refusal> {
    for owner in request["owners"].as_array().into_iter().flatten() {
        let id = owner["id"].as_str().unwrap_or_default();
        let kind = owner["type"].as_str().unwrap_or_default();
        let Some(owner) = held.iter().find(|u| u.kind == kind && u.id == id) else {
            return Err(Refusal {
                status: 404,
                message: format!("{kind} instance for {id} not found"),
            });
        };
        // `CatalogExceptionMessage.invalidTeamOwner` (recalled, as the not-found message above).
        if let Some(team_type) = owner.team_type.filter(|t| *t != "Group") {
            return Err(Refusal::bad_request(format!(
                "Team of type {team_type} can't own entities. Only Team of type Group can own \
                 entities."
            )));
        }
    }
    Ok(())
}
