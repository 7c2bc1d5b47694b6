//! Argo mode: `omrun` renders the run as an Argo Workflow (a discovery pod, sharded worker pods, a
//! finalize pod, all running this same binary), lints it, submits it to the Argo Server and follows
//! it to the end.

pub mod lint;
