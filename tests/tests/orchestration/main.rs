//! Running the pipeline: Argo mode, `compare`, the shipped examples, failures and retries, resume
//! after a kill, sources that fail under a run, and a million tables.

mod airflow;
mod argo;
mod compare;
mod examples;
mod failures;
mod resume;
mod scale;
mod source_faults;
