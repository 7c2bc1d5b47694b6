//! Marking deleted what a run did not see, scope by scope, as OpenMetadata's own ingestion does:
//! `DELETE /v1/<collection>/deleteStale` with every FQN the run saw in the scope. That body grows
//! with the scope (a schema of a million tables: some 40 MB of `seenFqns`), and it cannot be split
//! (each part would delete what the others name). So a scope whose body would exceed
//! `maxRequestBytes` is done the other way round: its entities are listed, page by page, and those
//! not seen are deleted one by one (`DELETE /v1/<collection>/name/{fqn}`), soft and recursive as
//! deleteStale deletes them.

use super::body::{json_len, names_len};
use super::{LIST_PAGE, OpenMetadataSink, segments};
use crate::requests::{Endpoint, RequestKind};
use crate::{SinkFailure, StaleScope};
use futures_util::StreamExt;
use omrun_model::EntityKind;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::HashSet;

/// How OpenMetadata names what a scope holds of one kind.
struct Stale {
    /// The bulk collection, e.g. `tables`.
    collection: &'static str,
    /// `scopeEntityType` in deleteStale's body, and the list filter naming the scope.
    scope_type: &'static str,
    list_filter: &'static str,
    what: &'static str,
}

impl Stale {
    fn of(kind: EntityKind) -> Self {
        let (request, scope_type, list_filter, what) = match kind {
            EntityKind::Table => (
                RequestKind::Table,
                "databaseSchema",
                "databaseSchema",
                "table(s)",
            ),
            EntityKind::StoredProcedure => (
                RequestKind::StoredProcedure,
                "databaseSchema",
                "databaseSchema",
                "stored procedure(s)",
            ),
            EntityKind::DatabaseSchema => (
                RequestKind::DatabaseSchema,
                "database",
                "database",
                "schema(s)",
            ),
            EntityKind::Database => (RequestKind::Database, "service", "service", "database(s)"),
            other => unreachable!("no deleteStale scope for {other:?}"),
        };
        let Endpoint::Bulk(collection) = request.endpoint() else {
            unreachable!("stale entities are in bulk collections");
        };
        Self {
            collection,
            scope_type,
            list_filter,
            what,
        }
    }
}

impl OpenMetadataSink {
    pub(super) async fn delete_stale_scopes(&self, scopes: Vec<StaleScope>) -> Vec<SinkFailure> {
        let mut failures = Vec::new();
        for scope in scopes {
            let stale = Stale::of(scope.kind);
            let mut body = json!({
                "scopeFqn": scope.scope_fqn,
                "scopeEntityType": stale.scope_type,
                "seenFqns": [],
                "recursive": true,
            });
            // Measured before it is built: a big scope's FQNs are not copied into a body only to
            // find it too long (`[]` is in both lengths).
            let length = json_len(&body) + names_len(&scope.seen) - 2;
            let outcome = if length <= self.max_body {
                body["seenFqns"] = json!(scope.seen);
                self.delete_stale(&stale, &body).await
            } else {
                self.delete_unseen(&stale, &scope).await
            };
            match outcome {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(
                    "Marked {deleted} {} of {} deleted",
                    stale.what,
                    scope.scope_fqn
                ),
                Err(why) => failures.push(SinkFailure {
                    error: format!("could not mark its deleted {}: {why}", stale.what),
                    fqn: scope.scope_fqn,
                }),
            }
        }
        failures
    }

    /// One deleteStale call; returns how many the server marked deleted.
    async fn delete_stale(&self, stale: &Stale, body: &serde_json::Value) -> Result<u64, String> {
        let path = segments(stale.collection, &["deleteStale"]);
        match self
            .client
            .call(Method::DELETE, &path, &[], Some(body))
            .await
        {
            Ok(answer) if answer.status.is_success() => {
                Ok(answer.body["numberOfRowsProcessed"].as_u64().unwrap_or(0))
            }
            Ok(answer) => Err(answer.error().to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Lists the scope's live entities and deletes those not seen, `concurrency` at once.
    async fn delete_unseen(&self, stale: &Stale, scope: &StaleScope) -> Result<u64, String> {
        let seen: HashSet<&str> = scope.seen.iter().map(String::as_str).collect();
        let mut unseen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let limit = LIST_PAGE.to_string();
            let mut query = vec![
                (stale.list_filter, scope.scope_fqn.as_str()),
                ("limit", limit.as_str()),
            ];
            if let Some(cursor) = &after {
                query.push(("after", cursor));
            }
            let path = segments(stale.collection, &[]);
            let answer = self
                .client
                .call(Method::GET, &path, &query, None)
                .await
                .map_err(|e| format!("cannot list them: {e}"))?;
            // A scope the server does not hold holds nothing to delete.
            if answer.status == StatusCode::NOT_FOUND {
                return Ok(0);
            }
            if !answer.status.is_success() {
                return Err(format!("cannot list them: {}", answer.error()));
            }
            let listed = answer.body["data"].as_array().into_iter().flatten();
            unseen.extend(
                listed
                    .filter_map(|e| e["fullyQualifiedName"].as_str())
                    .filter(|fqn| !seen.contains(fqn))
                    .map(str::to_owned),
            );
            match answer.body["paging"]["after"].as_str() {
                Some(cursor) if !cursor.is_empty() => after = Some(cursor.to_owned()),
                _ => break,
            }
        }
        // Made first, run `concurrency` at once.
        let deletions: Vec<_> = unseen
            .iter()
            .map(|fqn| self.delete_one(stale, fqn))
            .collect();
        let outcomes: Vec<Result<(), String>> = futures_util::stream::iter(deletions)
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let refused: Vec<String> = outcomes.into_iter().filter_map(Result::err).collect();
        match refused.first() {
            None => Ok(unseen.len() as u64),
            Some(first) => Err(format!(
                "{} of {} refused, the first: {first}",
                refused.len(),
                unseen.len()
            )),
        }
    }

    async fn delete_one(&self, stale: &Stale, fqn: &str) -> Result<(), String> {
        let path = segments(stale.collection, &["name", fqn]);
        let query = [("recursive", "true"), ("hardDelete", "false")];
        match self.client.call(Method::DELETE, &path, &query, None).await {
            // Gone already: deleted since it was listed.
            Ok(answer) if answer.status.is_success() || answer.status == StatusCode::NOT_FOUND => {
                Ok(())
            }
            Ok(answer) => Err(format!("{fqn}: {}", answer.error())),
            Err(e) => Err(format!("{fqn}: {e}")),
        }
    }
}
