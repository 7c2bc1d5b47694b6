//! The stand-ins and checks the other tests rely on can fail: the OpenMetadata and Argo stand-ins
//! answer as the real servers do, the schema validator rejects what it should, and the sink-output
//! checks catch what they claim to.

mod argo_standin;
mod openmetadata;
mod schema_validation;
mod sink_checks;
