//! Classifications and tags. OpenMetadata refuses an entity whose tag label names a tag it does not
//! hold, so before entities carrying labels are written, each classification and tag they name is
//! made sure of, once per run: looked up by name and, when missing, created with the request
//! OpenMetadata's ingestion sends (`PUT /v1/classifications`, then `PUT /v1/tags`). One that
//! exists is left as it is, as the service is: a system classification (`PII`, `Tier`) or a
//! description a steward wrote is not the source's to overwrite (OpenMetadata's ingestion, which
//! PUTs regardless, looks system ones up first for the same reason). The first worker needing a
//! name does this while any other waits for its answer; one that failed is tried again by the
//! next entity that needs it (the client has already retried what was worth retrying).

use super::client::Client;
use crate::requests::{CreateRequest, Endpoint, RequestKind, Requests, tag_fqn};
use omrun_model::TagLabel;
use reqwest::{Method, StatusCode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// A classification or a tag: its request kind and FQN.
type Name = (RequestKind, String);

/// Set once the server holds it; the writer fills it, the others wait on it.
type Written = Arc<OnceCell<()>>;

/// Which classifications and tags this run has written.
#[derive(Default)]
pub struct Tags {
    written: Mutex<HashMap<Name, Written>>,
}

impl Tags {
    /// Makes sure the server holds each label's classification and tag. Returns why, for each
    /// tag (by FQN) that could not be written; an entity carrying it must not be sent.
    pub async fn ensure(
        &self,
        client: &Client,
        requests: &Requests,
        labels: &[&TagLabel],
    ) -> HashMap<String, String> {
        let mut refused = HashMap::new();
        for label in labels {
            let written = match self.once(client, requests.classification(label)).await {
                Ok(()) => self.once(client, requests.tag(label)).await,
                Err(why) => Err(format!("its classification: {why}")),
            };
            if let Err(why) = written {
                refused.insert(tag_fqn(label), why);
            }
        }
        refused
    }

    /// Makes sure of `request`'s classification or tag unless this run already did.
    async fn once(&self, client: &Client, request: CreateRequest) -> Result<(), String> {
        let cell = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((request.kind, request.fqn.clone()))
            .or_default()
            .clone();
        cell.get_or_try_init(|| ensure(client, &request))
            .await
            .map(|_| ())
    }
}

/// `GET <collection>/name/<fqn>`, then `PUT <collection>` only when missing.
async fn ensure(client: &Client, request: &CreateRequest) -> Result<(), String> {
    let Endpoint::Put(collection) = request.kind.endpoint() else {
        unreachable!("classifications and tags are written one by one");
    };
    let found = client
        .call(Method::GET, &[collection, "name", &request.fqn], &[], None)
        .await
        .map_err(|e| e.to_string())?;
    if found.status == StatusCode::OK {
        return Ok(());
    }
    if found.status != StatusCode::NOT_FOUND {
        return Err(found.error().to_string());
    }
    match client
        .call(Method::PUT, &[collection], &[], Some(&request.body))
        .await
    {
        Ok(answer) if answer.status.is_success() => Ok(()),
        Ok(answer) => Err(answer.error().to_string()),
        Err(e) => Err(e.to_string()),
    }
}
