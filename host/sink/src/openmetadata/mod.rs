//! `sink: {type: metadata-rest}`: Create requests to OpenMetadata's REST API, the calls its own
//! ingestion makes, in its order: the version check, the service (looked up, created if missing),
//! then databases, schemas and tables — or dashboard data models, charts and dashboards — through
//! the bulk endpoints, parents first, several bulk calls in flight at once. Every request carries its `sourceHash`, so the server skips what did
//! not change. What the server refuses is reported entity by entity; what failed for a passing
//! reason (429, 5xx, a timeout) is retried first. The classifications and tags that labels name
//! are written before the entities that carry them ([`tags`]); owners (of dashboards, pipelines and
//! ML models), e-mails or names, are resolved to users' or teams' references ([`owners`]); a
//! pipeline is written with one `PUT` and its runs after it (`PUT /v1/pipelines/{fqn}/status`);
//! lineage edges go last, each end found by name ([`lineage`]).

mod body;
mod client;
mod lineage;
mod owners;
mod stale;
mod tags;

use super::requests::{Endpoint, labels_of, tag_fqn};
use super::{CreateRequest, Requests, Sink, SinkFailure, StaleScope, StoredTable};
use anyhow::bail;
use async_trait::async_trait;
use client::{Answer, Client};
use futures_util::future::join_all;
use omrun_config::{MetadataRestSinkConfig, OpenMetadataServerConfig, RetryPolicy};
use omrun_model::Entity;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The OpenMetadata major version whose API this sink speaks.
const SUPPORTED_MAJOR: u32 = 2;

/// Tables per page when listing what the server holds.
const LIST_PAGE: u32 = 1000;

pub struct OpenMetadataSink {
    version: String,
    client: Client,
    requests: Requests,
    batch_size: usize,
    /// `maxRequestBytes`: the largest body sent (see [`body`]).
    max_body: usize,
    /// `concurrency`: calls in flight at once.
    concurrency: usize,
    in_flight: Semaphore,
    override_metadata: bool,
    retry: RetryPolicy,
    tags: tags::Tags,
    owners: owners::Owners,
    lineage: lineage::Lineage,
}

impl OpenMetadataSink {
    /// The server's version, as it answered.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Connects and checks that the server is an OpenMetadata this sink can talk to, and that it
    /// accepts the token.
    pub async fn connect(
        server: &OpenMetadataServerConfig,
        config: &MetadataRestSinkConfig,
        retry: RetryPolicy,
        requests: Requests,
    ) -> anyhow::Result<Self> {
        let timeout = Duration::from_secs_f64(config.timeout_seconds.unwrap_or(60.0).max(0.1));
        let client = Client::new(server, retry.clone(), timeout)?;
        let version = check_version(&client).await?;
        tracing::info!("OpenMetadata {version} at {}", server.host_port.value);
        Ok(Self {
            version,
            client,
            requests,
            batch_size: config.bulk_sink_batch_size.unwrap_or(100) as usize,
            max_body: config
                .max_request_bytes
                .map_or(body::DEFAULT_MAX_BYTES, |b| b as usize),
            concurrency: config.concurrency.unwrap_or(4) as usize,
            in_flight: Semaphore::new(config.concurrency.unwrap_or(4) as usize),
            override_metadata: config.override_metadata.unwrap_or(false),
            retry,
            tags: tags::Tags::default(),
            owners: owners::Owners::default(),
            lineage: lineage::Lineage::default(),
        })
    }

    /// Lineage edges found as `sourceConfig.config` (its `lineageInformation`) says.
    pub fn with_lineage(mut self, source_config: &Value) -> Self {
        self.lineage = lineage::Lineage::new(source_config);
        self
    }

    /// The service is looked up by name and created only when missing, as OpenMetadata's
    /// ingestion does: an existing service (and the connection stored with it) is left alone.
    async fn ensure_service(
        &self,
        collection: &str,
        request: &CreateRequest,
    ) -> Option<SinkFailure> {
        let name = request.body["name"].as_str().unwrap_or_default();
        let path = segments(collection, &["name", name]);
        let outcome = match self.client.call(Method::GET, &path, &[], None).await {
            Ok(found) if found.status == StatusCode::OK => Ok(()),
            Ok(missing) if missing.status == StatusCode::NOT_FOUND => {
                let path = segments(collection, &[]);
                match self
                    .client
                    .call(Method::PUT, &path, &[], Some(&request.body))
                    .await
                {
                    Ok(created) if created.status.is_success() => Ok(()),
                    Ok(refused) => Err(refused.error()),
                    Err(e) => Err(e),
                }
            }
            Ok(other) => Err(other.error()),
            Err(e) => Err(e),
        };
        outcome.err().map(|e| failure(request, &e.to_string()))
    }

    /// One `PUT` of one request to `path`, retried as the client retries (429, 5xx, timeouts).
    async fn put(&self, path: Vec<&str>, request: &CreateRequest) -> Option<SinkFailure> {
        let _permit = self
            .in_flight
            .acquire()
            .await
            .expect("the semaphore is never closed");
        match self
            .client
            .call(Method::PUT, &path, &[], Some(&request.body))
            .await
        {
            Ok(answer) if answer.status.is_success() => None,
            Ok(refused) => Some(failure(request, &refused.error().to_string())),
            Err(e) => Some(failure(request, &e.to_string())),
        }
    }

    /// One bulk call for `requests` (all of one kind), then the items that failed for a passing
    /// reason again, per `retryPolicy`. Returns what finally failed.
    async fn bulk(&self, collection: &str, mut pending: Vec<CreateRequest>) -> Vec<SinkFailure> {
        let _permit = self
            .in_flight
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let override_metadata = if self.override_metadata {
            "true"
        } else {
            "false"
        };
        let query = [("async", "false"), ("overrideMetadata", override_metadata)];
        let mut failures = Vec::new();
        let mut attempt = 1;
        loop {
            let body = Value::Array(pending.iter().map(|r| r.body.clone()).collect());
            let retry = match self
                .client
                .call(
                    Method::PUT,
                    &segments(collection, &["bulk"]),
                    &query,
                    Some(&body),
                )
                .await
            {
                // The client already retried what was worth retrying.
                Err(e) => return failed(failures, &pending, &e.to_string()),
                Ok(answer) if answer.status != StatusCode::OK => {
                    return failed(failures, &pending, &answer.error().to_string());
                }
                Ok(answer) => self.sort_out(&answer, pending, &mut failures),
            };
            if retry.is_empty() {
                return failures;
            }
            if attempt >= self.retry.max_attempts {
                failures.extend(
                    retry
                        .into_iter()
                        .map(|(request, why)| failure(&request, &why)),
                );
                return failures;
            }
            attempt += 1;
            tracing::warn!(
                "Retrying {} {collection} the server failed to store (attempt {attempt})",
                retry.len()
            );
            self.client
                .retried
                .fetch_add(retry.len(), std::sync::atomic::Ordering::Relaxed);
            tokio::time::sleep(self.retry.backoff(attempt)).await;
            pending = retry.into_iter().map(|(request, _)| request).collect();
        }
    }

    /// Reads a `BulkOperationResult`: final failures go to `failures`; returned are the requests
    /// to try again (the server failed on them for a passing reason), with why.
    fn sort_out(
        &self,
        answer: &Answer,
        pending: Vec<CreateRequest>,
        failures: &mut Vec<SinkFailure>,
    ) -> Vec<(CreateRequest, String)> {
        let failed = answer.body["failedRequest"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let reported = answer.body["numberOfRowsFailed"]
            .as_u64()
            .unwrap_or(failed.len() as u64);
        let mut retry = Vec::new();
        let mut attributed = 0;
        let mut rest = Vec::with_capacity(pending.len());
        for request in pending {
            match failed
                .iter()
                .find(|entry| refers_to(&entry["request"], &request))
            {
                Some(entry) => {
                    attributed += 1;
                    let status = entry["status"].as_u64().unwrap_or(0);
                    let why = format!(
                        "HTTP {status}: {}",
                        entry["message"]
                            .as_str()
                            .unwrap_or("the server gave no reason")
                    );
                    if status == 429 || status >= 500 {
                        retry.push((request, why));
                    } else {
                        failures.push(failure(&request, &why));
                    }
                }
                None => rest.push(request),
            }
        }
        if (attributed as u64) < reported {
            // Failures the server did not tie to a request: nothing unconfirmed counts as stored.
            let succeeded = answer.body["successRequest"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for request in rest {
                if !succeeded
                    .iter()
                    .any(|entry| refers_to(&entry["request"], &request))
                {
                    let why = format!(
                        "the server reported {reported} failures without naming all of them"
                    );
                    failures.push(failure(&request, &why));
                }
            }
        }
        retry
    }
}

/// The path segments of `collection` (e.g. `dashboard/datamodels`) followed by `rest`: the client
/// percent-encodes each segment, so a `/` must not stay inside one.
fn segments<'a>(collection: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    collection.split('/').chain(rest.iter().copied()).collect()
}

/// Whether a `BulkOperationResult` entry's `request` (the FQN, or the Create request echoed back)
/// is this request: the same name under the same parent.
fn refers_to(echo: &Value, request: &CreateRequest) -> bool {
    match echo {
        Value::String(fqn) => *fqn == request.fqn,
        Value::Object(_) => {
            let same =
                |key: &str| echo.get(key).is_some() && echo.get(key) == request.body.get(key);
            same("name")
                && ["service", "database", "databaseSchema"]
                    .iter()
                    .any(|parent| same(parent))
        }
        _ => false,
    }
}

fn failure(request: &CreateRequest, why: &str) -> SinkFailure {
    SinkFailure {
        fqn: request.fqn.clone(),
        error: why.to_owned(),
    }
}

fn failed(
    mut failures: Vec<SinkFailure>,
    requests: &[CreateRequest],
    why: &str,
) -> Vec<SinkFailure> {
    failures.extend(requests.iter().map(|r| failure(r, why)));
    failures
}

/// `GET /v1/system/version`: is it there, is it OpenMetadata, does it take the token, is it a
/// version whose API we speak.
async fn check_version(client: &Client) -> anyhow::Result<String> {
    let at = client.base();
    let answer = match client
        .call(Method::GET, &["system", "version"], &[], None)
        .await
    {
        Ok(answer) => answer,
        Err(e) => bail!("cannot reach OpenMetadata at {at}: {e}"),
    };
    if answer.status == StatusCode::UNAUTHORIZED || answer.status == StatusCode::FORBIDDEN {
        bail!(
            "OpenMetadata at {at} refused the token (HTTP {}): check \
             workflowConfig.openMetadataServerConfig.securityConfig.jwtToken",
            answer.status.as_u16()
        );
    }
    let version = match answer.body.get("version").and_then(Value::as_str) {
        Some(version) if answer.status == StatusCode::OK => version.to_owned(),
        _ => bail!(
            "{at} is not OpenMetadata's API: GET system/version answered HTTP {} without a version",
            answer.status.as_u16()
        ),
    };
    match version
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok())
    {
        Some(SUPPORTED_MAJOR) => Ok(version),
        _ => bail!(
            "OpenMetadata {version} at {at} is not supported: omrun speaks the API of OpenMetadata {SUPPORTED_MAJOR}.x"
        ),
    }
}

impl OpenMetadataSink {
    /// Sends the requests, parents first: services one by one, the rest in bulk calls.
    async fn send(&self, mut requests: Vec<CreateRequest>) -> Vec<SinkFailure> {
        // Parents first: a stable sort keeps the caller's order within a kind.
        requests.sort_by_key(|r| r.kind);
        let mut failures = Vec::new();
        let mut rest = requests.as_slice();
        while let Some(first) = rest.first() {
            let same_kind = rest.iter().take_while(|r| r.kind == first.kind).count();
            let (group, next) = rest.split_at(same_kind);
            rest = next;
            match first.kind.endpoint() {
                Endpoint::Service(collection) => {
                    for request in group {
                        failures.extend(self.ensure_service(collection, request).await);
                    }
                }
                Endpoint::Bulk(collection) => {
                    let calls = body::pieces(group, self.batch_size, self.max_body)
                        .into_iter()
                        .map(|piece| self.bulk(collection, piece.to_vec()));
                    failures.extend(join_all(calls).await.into_iter().flatten());
                }
                // Pipelines, one call each (classifications and tags never get here: `tags::Tags`
                // writes them first).
                Endpoint::Put(collection) => {
                    let calls = group.iter().map(|r| self.put(segments(collection, &[]), r));
                    failures.extend(join_all(calls).await.into_iter().flatten());
                }
                // A pipeline's runs, once it is stored; each refused run fails the pipeline.
                Endpoint::Status(collection) => {
                    let stored = group
                        .iter()
                        .filter(|r| !failures.iter().any(|f: &SinkFailure| f.fqn == r.fqn));
                    let calls = stored
                        .map(|r| self.put(segments(collection, &[r.fqn.as_str(), "status"]), r));
                    let refused: Vec<SinkFailure> =
                        join_all(calls).await.into_iter().flatten().collect();
                    failures.extend(refused.into_iter().map(|f| SinkFailure {
                        error: format!(
                            "a run of it (its pipeline status) was refused: {}",
                            f.error
                        ),
                        ..f
                    }));
                }
            }
        }
        failures
    }
}

#[async_trait]
impl Sink for OpenMetadataSink {
    async fn write_service(&self) -> Option<SinkFailure> {
        let service = self.requests.service();
        self.send(vec![service]).await.into_iter().next()
    }

    async fn write(&self, entities: &[Entity]) -> Vec<SinkFailure> {
        let labels = labels_of(entities);
        let refused = self
            .tags
            .ensure(&self.client, &self.requests, &labels)
            .await;
        let mut failures = Vec::new();
        let mut requests = Vec::with_capacity(entities.len());
        for entity in entities {
            let owners = self.owners.references(&self.client, entity.owners()).await;
            let request = self.requests.entity(entity).with_owners(owners);
            let missing = entity
                .tag_labels()
                .into_iter()
                .map(tag_fqn)
                .find_map(|fqn| refused.get(&fqn).map(|why| (fqn, why)));
            match missing {
                // The server would refuse it: the tag its label names is not there.
                Some((fqn, why)) => failures.push(failure(
                    &request,
                    &format!("its tag {fqn} could not be written: {why}"),
                )),
                None => requests.push(request),
            }
        }
        // A pipeline's runs after it, as `PipelineStatus`es.
        requests.extend(self.requests.runs_of(entities));
        failures.extend(self.send(requests).await);
        // Lineage after what it points to, for what was stored.
        let edges: Vec<_> = crate::lineage::edges(&self.requests, entities)
            .into_iter()
            .filter(|e| !failures.iter().any(|f| f.fqn == e.to_fqn))
            .collect();
        if !edges.is_empty() {
            failures.extend(self.lineage.write(&self.client, edges).await);
        }
        failures
    }

    /// `GET /v1/tables?databaseSchema=…&include=all&fields=columns`, page by page: deleted tables
    /// count, since the server accepts a foreign key to one.
    async fn stored_tables(&self, schema_fqn: &str) -> anyhow::Result<Vec<StoredTable>> {
        let mut tables = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let limit = LIST_PAGE.to_string();
            let mut query = vec![
                ("databaseSchema", schema_fqn),
                ("include", "all"),
                ("fields", "columns"),
                ("limit", limit.as_str()),
            ];
            if let Some(cursor) = &after {
                query.push(("after", cursor));
            }
            let answer = self
                .client
                .call(Method::GET, &["tables"], &query, None)
                .await
                .map_err(|e| anyhow::anyhow!("cannot list the tables of {schema_fqn}: {e}"))?;
            // A schema the server does not hold has no tables there.
            if answer.status == StatusCode::NOT_FOUND {
                return Ok(tables);
            }
            if !answer.status.is_success() {
                bail!("cannot list the tables of {schema_fqn}: {}", answer.error());
            }
            for table in answer.body["data"].as_array().into_iter().flatten() {
                if let Some(fqn) = table["fullyQualifiedName"].as_str() {
                    tables.push(StoredTable::from_json(fqn.to_owned(), table));
                }
            }
            match answer.body["paging"]["after"].as_str() {
                Some(cursor) if !cursor.is_empty() => after = Some(cursor.to_owned()),
                _ => return Ok(tables),
            }
        }
    }

    fn deletes_stale(&self) -> bool {
        true
    }

    /// See [`stale`].
    async fn delete_stale(&self, scopes: Vec<StaleScope>) -> Vec<SinkFailure> {
        self.delete_stale_scopes(scopes).await
    }

    fn retried(&self) -> usize {
        self.client
            .retried
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn close(&self) -> anyhow::Result<()> {
        Ok(())
    }
}
