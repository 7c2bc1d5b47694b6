//! `omrun plugin push FILE REF` and `omrun plugin pull REF`: plugins as OCI artifacts
//! (`omrun_runtime::plugin::registry`). Push stamps the manifest with what the plugin says of
//! itself; pull puts it in the local store and prints the sha256 to pin it by.

use super::{CANNOT_START, FAILED, fail};
use omrun_runtime::plugin::registry::{self, PluginRef, Store};
use omrun_runtime::plugin::{ComponentCache, Limits, Plugin};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// The plugin component (.wasm).
    pub file: PathBuf,
    /// Where to push it: `oci://REGISTRY/REPOSITORY:TAG`.
    pub reference: PluginRef,
}

#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// `oci://REGISTRY/REPOSITORY:TAG` (or `@sha256:…`, a manifest digest).
    pub reference: PluginRef,
    /// The sha256 the plugin must have (refused otherwise).
    #[arg(long, value_name = "SHA256")]
    pub sha256: Option<String>,
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

pub fn push(args: PushArgs) -> ExitCode {
    crate::logging::init(omrun_config::LoggerLevel::Warn);
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => return fail(CANNOT_START, &e),
    };
    // What the plugin is, from itself: a file that does not load as a plugin is not pushed.
    let plugin = match runtime.block_on(Plugin::inspect(&args.file, &ComponentCache::from_env())) {
        Ok(plugin) => plugin,
        Err(e) => return fail(CANNOT_START, &e),
    };
    let wasm =
        match omrun_runtime::plugin::read_plugin_file(&args.file, Limits::default().file_bytes) {
            Ok(wasm) => wasm,
            Err(e) => return fail(CANNOT_START, &e),
        };
    let annotations = BTreeMap::from([
        (
            "org.opencontainers.image.title".to_owned(),
            plugin.info.name.clone(),
        ),
        (
            "org.opencontainers.image.version".to_owned(),
            plugin.info.version.clone(),
        ),
        (
            "dev.omrun.contract".to_owned(),
            plugin.contract.name().to_owned(),
        ),
        (
            "dev.omrun.service-types".to_owned(),
            plugin.info.service_types.join(","),
        ),
    ]);
    match runtime.block_on(registry::push(&wasm, &args.reference, annotations)) {
        Ok(pushed) => {
            println!(
                "Pushed {} {} (contract {}) to {}\n  sha256 {}\n  manifest {}",
                plugin.info.name,
                plugin.info.version,
                plugin.contract.name(),
                args.reference,
                pushed.sha256,
                pushed.manifest_digest
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(FAILED, &e),
    }
}

pub fn pull(args: PullArgs) -> ExitCode {
    crate::logging::init(omrun_config::LoggerLevel::Warn);
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => return fail(CANNOT_START, &e),
    };
    let store = Store::from_env();
    match runtime.block_on(registry::pull(
        &args.reference,
        args.sha256.as_deref(),
        &store,
    )) {
        Ok(pulled) => {
            println!("{}\n  sha256 {}", pulled.path.display(), pulled.sha256);
            for (key, value) in &pulled.annotations {
                println!("  {key}: {value}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(CANNOT_START, &e),
    }
}
