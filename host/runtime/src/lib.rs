//! The plugin runtime: what a connector plugin runs in and what it may reach. `plugin` loads a
//! `.wasm` into a cached, verified component (wasmtime), makes sandboxed instances of it and calls
//! them through the contract version the plugin was built for (`plugin::contract`, one module per
//! version, converting into `omrun_model`); `capability` is what an instance may reach, as the
//! config grants it: `sql` (one driver per database protocol), `log`, `http` (wasi:http).
//!
//! Depends on `omrun-model` (what plugins produce) and `omrun-config` (grants, secrets, limits),
//! nothing else of ours: it does not know the pipeline, the sinks or the orchestrators, so wasmtime
//! and the database drivers stay behind this crate and a change here cannot reach into them.

pub mod capability;
pub mod plugin;
