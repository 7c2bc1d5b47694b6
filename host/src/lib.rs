//! omrun: OpenMetadata ingestion with sandboxed WebAssembly connectors.
//!
//! The data path runs one way: `config` → `plugin` (instances with `capability` grants) →
//! `run` (the pipeline: discovery, containers, work queue) → `sink` → `report`. `orchestrate`
//! decides where the pipeline runs (this process, or Argo's pods) and assembles each run; `cli`
//! reads the command line and turns outcomes into exit statuses.

pub mod cli;
pub mod logging;
