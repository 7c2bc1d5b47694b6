//! Owners of dashboards, pipelines and ML models. They arrive as the source names them — e-mail
//! addresses (dashboard tools) or user and team names (Airflow's DAG owners) — but OpenMetadata
//! takes an owner as an entity reference with an id. Each is resolved once per run, as
//! OpenMetadata's connectors do:
//! - an e-mail (`get_reference_by_email`, Looker's `get_owner_ref`): a search of the user index by
//!   `email.keyword`, then the hit read back by name (`GET /v1/users/name/{fqn}`); an e-mail no
//!   user has is looked up among teams the same way (`team_search_index`, `GET /v1/teams/name`);
//! - a name (`get_reference_by_name(name, is_owner=True)`, Airflow's `get_owners`): the team of
//!   that name (`GET /v1/teams/name/{name}`), which only owns when it is a `Group`; else the user
//!   of that name (`GET /v1/users/name/{name}`). OpenMetadata falls back to a fuzzy search of names
//!   and display names when neither is found by name; omrun does not guess an owner: a name must
//!   be exact.
//!
//! A reference is `{"id", "type", "name", "displayName"?}`, as OpenMetadata builds it (the request's
//! `sourceHash` covers it). One nobody has is remembered too and is not an error: the entity is
//! written without that owner (logged once). As in [`super::tags`],
//! the first worker needing an e-mail asks while others wait; a lookup that failed (the server
//! unreachable, an error status) is not remembered, so the next dashboard asks again.

use super::client::Client;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The user's reference, or `None` when no user has the e-mail.
type Resolved = Arc<OnceCell<Option<Value>>>;

#[derive(Default)]
pub struct Owners {
    resolved: Mutex<HashMap<String, Resolved>>,
}

impl Owners {
    /// The references of the users or teams `owners` (e-mails or names) name, in order; unknown
    /// ones are left out, and each appears once.
    pub async fn references(&self, client: &Client, owners: &[String]) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for owner in owners {
            // OpenMetadata's Looker connector lowercases e-mails: the index's are lowercase.
            let owner = if owner.contains('@') {
                owner.to_lowercase()
            } else {
                owner.clone()
            };
            let cell = self
                .resolved
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(owner.clone())
                .or_default()
                .clone();
            match cell.get_or_try_init(|| resolve(client, &owner)).await {
                Ok(Some(reference)) if !out.contains(reference) => out.push(reference.clone()),
                Ok(_) => {}
                Err(why) => tracing::warn!(
                    "Could not look up the OpenMetadata user or team of owner {owner}, written \
                     without it: {why}"
                ),
            }
        }
        out
    }
}

/// The owner an e-mail or a name stands for.
async fn resolve(client: &Client, owner: &str) -> Result<Option<Value>, String> {
    if owner.contains('@') {
        by_email(client, owner).await
    } else {
        by_name(client, owner).await
    }
}

/// The team of that name if it is a group (another kind of team owns nothing), else the user.
async fn by_name(client: &Client, name: &str) -> Result<Option<Value>, String> {
    if let Some(team) = read(client, "team", name).await? {
        if team["teamType"] == "Group" {
            return reference(&team, "team", name).map(Some);
        }
        tracing::info!(
            "The OpenMetadata team {name} is not a Group, which alone can own: entities it owns \
             are written without that owner"
        );
        return Ok(None);
    }
    match read(client, "user", name).await? {
        Some(user) => reference(&user, "user", name).map(Some),
        None => {
            tracing::info!(
                "No OpenMetadata team or user is named {name}: entities it owns are written \
                 without that owner"
            );
            Ok(None)
        }
    }
}

/// `GET /v1/<kind>s/name/{name}`: the entity, or `None` when there is none.
async fn read(client: &Client, kind: &str, name: &str) -> Result<Option<Value>, String> {
    let collection = format!("{kind}s");
    let answer = client
        .call(Method::GET, &[collection.as_str(), "name", name], &[], None)
        .await
        .map_err(|e| e.to_string())?;
    if answer.status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !answer.status.is_success() {
        return Err(answer.error().to_string());
    }
    Ok(Some(answer.body))
}

/// The `EntityReference` OpenMetadata's lookups build: id, type, name and display name.
fn reference(entity: &Value, kind: &str, owner: &str) -> Result<Value, String> {
    let Some(id) = entity["id"].as_str() else {
        return Err(format!("the {kind} of {owner} was answered without an id"));
    };
    let mut reference = json!({"id": id, "type": kind});
    for key in ["name", "displayName"] {
        if let Some(value) = entity[key].as_str() {
            reference[key] = value.into();
        }
    }
    Ok(reference)
}

/// The user with the e-mail, else the team with it, as `get_reference_by_email` looks them up.
async fn by_email(client: &Client, email: &str) -> Result<Option<Value>, String> {
    for kind in ["user", "team"] {
        if let Some(reference) = find(client, kind, email).await? {
            return Ok(Some(reference));
        }
    }
    tracing::info!(
        "No OpenMetadata user or team has the e-mail {email}: entities it owns are written \
         without that owner"
    );
    Ok(None)
}

/// `GET /v1/search/query?q=email.keyword:<email>&from=0&size=1&index=<kind>_search_index`, then
/// the hit by name (`GET /v1/<kind>s/name/{fqn}`), as `_search_by_email` does.
async fn find(client: &Client, kind: &str, email: &str) -> Result<Option<Value>, String> {
    let q = format!("email.keyword:{email}");
    let index = format!("{kind}_search_index");
    let query = [
        ("q", q.as_str()),
        ("from", "0"),
        ("size", "1"),
        ("index", index.as_str()),
    ];
    let found = client
        .call(Method::GET, &["search", "query"], &query, None)
        .await
        .map_err(|e| e.to_string())?;
    if !found.status.is_success() {
        return Err(found.error().to_string());
    }
    let Some(fqn) = found.body["hits"]["hits"][0]["_source"]["fullyQualifiedName"].as_str() else {
        return Ok(None);
    };
    // The index lags the store: one deleted since it was indexed is not there any more.
    match read(client, kind, fqn).await? {
        Some(entity) => reference(&entity, kind, email).map(Some),
        None => {
            tracing::info!("The OpenMetadata {kind} {fqn} found for {email} is gone: not an owner");
            Ok(None)
        }
    }
}
