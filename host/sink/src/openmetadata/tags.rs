//! Classifications and tags. OpenMetadata refuses an entity whose tag label names a tag it does not
//! hold, so before entities carrying labels are written, each classification and tag they name is
//! written as OpenMetadata's ingestion writes them (`PUT /v1/classifications`, then `PUT
//! /v1/tags`: create or update), once per run: the first writer of a name does it while any other
//! worker needing it waits for that answer. A write that failed is tried again by the next entity
//! that needs it (the client has already retried what was worth retrying).

use super::client::Client;
use crate::requests::{CreateRequest, Endpoint, RequestKind, Requests, tag_fqn};
use omrun_model::TagLabel;
use reqwest::Method;
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

    /// Writes `request` unless this run already did.
    async fn once(&self, client: &Client, request: CreateRequest) -> Result<(), String> {
        let cell = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((request.kind, request.fqn.clone()))
            .or_default()
            .clone();
        cell.get_or_try_init(|| put(client, &request))
            .await
            .map(|_| ())
    }
}

async fn put(client: &Client, request: &CreateRequest) -> Result<(), String> {
    let Endpoint::Put(collection) = request.kind.endpoint() else {
        unreachable!("classifications and tags are written one by one");
    };
    match client
        .call(Method::PUT, &[collection], &[], Some(&request.body))
        .await
    {
        Ok(answer) if answer.status.is_success() => Ok(()),
        Ok(answer) => Err(answer.error().to_string()),
        Err(e) => Err(e.to_string()),
    }
}
