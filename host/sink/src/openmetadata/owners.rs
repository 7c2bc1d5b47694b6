//! Dashboard owners. A dashboard's `owners` arrive as e-mail addresses, but OpenMetadata takes an
//! owner as an entity reference with the user's id. Like OpenMetadata's Looker connector
//! (`get_owner_ref` → `OMeta.get_reference_by_email`, an `lru_cache`d lookup), each e-mail is
//! resolved once per run: a search of the user index by `email.keyword`, then the hit read back by
//! name (`GET /v1/users/name/{fqn}`), giving `{"id", "type": "user"}`; an e-mail no user has is
//! looked up among teams the same way (`team_search_index`, `GET /v1/teams/name/{fqn}`, giving
//! `"type": "team"`). An e-mail nobody has is remembered too and is not an error: the dashboard is
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
    /// The references of the users having `emails`, in order; unknown e-mails are left out.
    pub async fn references(&self, client: &Client, emails: &[String]) -> Vec<Value> {
        let mut out = Vec::new();
        for email in emails {
            // OpenMetadata's Looker connector lowercases too: the index's e-mails are lowercase.
            let email = email.to_lowercase();
            let cell = self
                .resolved
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(email.clone())
                .or_default()
                .clone();
            match cell.get_or_try_init(|| resolve(client, &email)).await {
                Ok(Some(reference)) => out.push(reference.clone()),
                Ok(None) => {}
                Err(why) => tracing::warn!(
                    "Could not look up the OpenMetadata user of owner {email}, written without \
                     it: {why}"
                ),
            }
        }
        out
    }
}

/// The user with the e-mail, else the team with it, as `get_reference_by_email` looks them up.
async fn resolve(client: &Client, email: &str) -> Result<Option<Value>, String> {
    for kind in ["user", "team"] {
        if let Some(reference) = find(client, kind, email).await? {
            return Ok(Some(reference));
        }
    }
    tracing::info!(
        "No OpenMetadata user or team has the e-mail {email}: dashboards it owns are written \
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
    let collection = format!("{kind}s");
    let entity = client
        .call(Method::GET, &[collection.as_str(), "name", fqn], &[], None)
        .await
        .map_err(|e| e.to_string())?;
    // The index lags the store: one deleted since it was indexed is not there any more.
    if entity.status == StatusCode::NOT_FOUND {
        tracing::info!("The OpenMetadata {kind} {fqn} found for {email} is gone: not an owner");
        return Ok(None);
    }
    if !entity.status.is_success() {
        return Err(entity.error().to_string());
    }
    match entity.body["id"].as_str() {
        Some(id) => Ok(Some(json!({"id": id, "type": kind}))),
        None => Err(format!("the {kind} {fqn} was answered without an id")),
    }
}
