//! Dashboard owners. A dashboard's `owners` arrive as e-mail addresses, but OpenMetadata takes an
//! owner as an entity reference with the user's id. Like OpenMetadata's Looker connector
//! (`get_owner_ref` → `OMeta.get_reference_by_email`, an `lru_cache`d lookup), each e-mail is
//! resolved once per run: a search of the user index by `email.keyword`, then the hit read back by
//! name (`GET /v1/users/name/{fqn}`), giving `{"id", "type": "user"}`. An e-mail no user has is
//! remembered too and is not an error: the dashboard is written without that owner (logged once).
//! OpenMetadata's client then searches teams by e-mail; omrun does not (yet). As in [`super::tags`],
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

/// `GET /v1/search/query?q=email.keyword:<email>&from=0&size=1&index=user_search_index`, then the
/// hit by name, as `get_reference_by_email` does for users.
async fn resolve(client: &Client, email: &str) -> Result<Option<Value>, String> {
    let q = format!("email.keyword:{email}");
    let query = [
        ("q", q.as_str()),
        ("from", "0"),
        ("size", "1"),
        ("index", "user_search_index"),
    ];
    let found = client
        .call(Method::GET, &["search", "query"], &query, None)
        .await
        .map_err(|e| e.to_string())?;
    if !found.status.is_success() {
        return Err(found.error().to_string());
    }
    let fqn = found.body["hits"]["hits"][0]["_source"]["fullyQualifiedName"].as_str();
    let Some(fqn) = fqn else {
        tracing::info!(
            "No OpenMetadata user has the e-mail {email}: dashboards it owns are written without that owner"
        );
        return Ok(None);
    };
    let user = client
        .call(Method::GET, &["users", "name", fqn], &[], None)
        .await
        .map_err(|e| e.to_string())?;
    // The index lags the store: a user deleted since it was indexed is not there any more.
    if user.status == StatusCode::NOT_FOUND {
        tracing::info!("The OpenMetadata user {fqn} found for {email} is gone: not an owner");
        return Ok(None);
    }
    if !user.status.is_success() {
        return Err(user.error().to_string());
    }
    match user.body["id"].as_str() {
        Some(id) => Ok(Some(json!({"id": id, "type": "user"}))),
        None => Err(format!("the user {fqn} was answered without an id")),
    }
}
