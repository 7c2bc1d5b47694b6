//! The OpenMetadata stand-in (crate::openmetadata) answers as OpenMetadata 2.0.7 does: auth,
//! version, services, bulk writes with per-item results checked against the state before the
//! batch, the server's table-constraint rules, change detection by `sourceHash`, reads with
//! fields/include and cursor paging, JSON Patch, deleteStale, the calls `metadata ingest` makes,
//! the column rules (a top-level STRUCT without children refused), and scripted faults. Plain
//! HTTP calls, no omrun involved.

mod api;
mod basics;
mod constraints;
mod lineage;
mod patch;
mod pipelines;
mod reads;
mod stale;
mod structs;
mod tags;
mod users;
