//! Argo mode: `omrun` renders the run as an Argo Workflow (a discovery pod, sharded worker pods, a
//! finalize pod, all running this same binary), lints it, submits it to the Argo Server and follows
//! it to the end. The pods' commands are in `cli::pod`; the pipeline parts they run are
//! `run::Part`.

pub mod client;
pub mod lint;
pub mod render;
pub mod reports;
