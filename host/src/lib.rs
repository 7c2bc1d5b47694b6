//! omrun: OpenMetadata ingestion with sandboxed WebAssembly connectors.
//!
//! The data path runs one way: `config` → `plugin` (instances with `capability` grants) →
//! `run` (an orchestrator: discovery, containers, work queue) → `sink` → `report`.

pub mod argo;
pub mod capability;
pub mod cli;
pub mod config;
pub mod file_lock;
pub mod logging;
pub mod model;
pub mod plugin;
pub mod report;
pub mod run;
pub mod sink;
