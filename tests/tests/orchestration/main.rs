//! Running the pipeline: Argo mode, `compare`, the shipped examples, failures and retries, resume
//! after a kill, and sources that fail under a run.

mod airflow;
mod argo;
mod compare;
mod examples;
mod failures;
mod resume;
mod source_faults;
