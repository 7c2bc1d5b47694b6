//! What omrun writes: the OpenMetadata sink against the strict stand-in, foreign keys in rounds,
//! stale entities marked deleted, names OpenMetadata stores alike, dashboard requests.

mod big_scopes;
mod dashboard_requests;
mod foreign_keys;
mod mark_deleted;
mod name_collisions;
mod nested_and_tags;
mod openmetadata_sink;
