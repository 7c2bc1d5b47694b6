//! The pipeline: `run` takes a connector (`run::Source`, a plugin in a real run, a fake in the
//! unit tests) and a `Sink` through discovery, containers, a shared work queue of leaves and the
//! stale sweep, with retries, a checkpoint and shards; `report` is what a run tells its user
//! (progress, the summary, `--report-json`).
//!
//! Depends on `omrun-model`, `omrun-config`, `omrun-runtime` (the plugin a run calls) and
//! `omrun-sink` (where entities go). It does not know which orchestrator runs it: it is told its
//! `run::Part` and worker count, so a new orchestrator needs no change here.

pub mod report;
pub mod run;
