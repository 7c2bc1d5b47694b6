//! Configs: `${VAR}` expansion, malformed configs and plugins, and secrets that never show.

mod config;
mod malformed;
mod openmetadata_schema;
mod operations;
mod secrets;
