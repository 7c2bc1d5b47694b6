//! Argo Workflows for the tests: Argo's JSON Schema ([`schema`]), and a stand-in for the Argo
//! Server's REST API ([`ArgoStandIn`]) that `omrun ingest` submits to and follows.
//!
//! No Kubernetes and no Argo can run in the test environment, so the stand-in is strict where the
//! real server is: every call needs the bearer token, every submitted Workflow is validated against
//! Argo's schema, names, conflicts, status codes and the grpc-gateway error shape `{"code",
//! "message", "details"}` follow Argo's (its `api/openapi-spec/swagger.json`). What a submitted Workflow
//! does is up to the test: a [`Controller`] it supplies sets the Workflow's `status` over time
//! (keeps it Running, fails it, or really runs its pods).

pub mod schema;

mod create;
mod http;
mod standin;
mod time;

pub use crate::standin_server::LoggedRequest;
pub use schema::{schema_document, validate_workflow, validate_workflow_template};
pub use standin::{ArgoStandIn, Controller, StatusHandle, Submitted};

#[cfg(test)]
mod tests;
