//! Which `.wasm` a run loads: `--plugin` (a file, or `oci://…`), else `source.plugin` (`ref`, and
//! the `sha256` it must have), else `<source.type>.wasm` from the plugin path. A plugin in a
//! registry is pulled into the local store (once: a pinned one is taken from the store when it is
//! there); a pin that the bytes do not match refuses the plugin before anything compiles it.

use anyhow::{Context, anyhow, bail};
use omrun_config::Config;
use omrun_runtime::plugin::registry::{self, PluginRef, Store};
use std::path::{Path, PathBuf};

/// The plugin file to load for this run.
pub(crate) async fn locate(config: &Config, flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    let (reference, pin) = match (flag, &config.source.plugin) {
        (Some(path), _) => (path.to_string_lossy().into_owned(), None),
        (None, Some(source)) => (source.reference.clone(), source.sha256.clone()),
        (None, None) => return super::compose::find_plugin(&config.source.kind),
    };
    if let Some(pin) = &pin
        && !(pin.len() == 64
            && pin
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    {
        bail!(
            "{}: source.plugin.sha256 `{pin}` is not a sha256 (64 lowercase hex digits, as \
             `omrun plugin inspect` prints it)",
            config.path.display()
        );
    }
    if !registry::is_reference(&reference) {
        let path = PathBuf::from(&reference);
        if let Some(pin) = &pin {
            check_file(&path, pin)?;
        }
        return Ok(path);
    }
    let plugin: PluginRef = reference.parse().map_err(|e: String| anyhow!(e))?;
    if pin.is_none() && plugin.is_tag() {
        tracing::warn!(
            "The plugin {plugin} is a tag, not pinned: another push to it changes what runs. Pin \
             it: source.plugin: {{ref: {plugin}, sha256: …}} (`omrun plugin pull` prints the sha256)"
        );
    }
    let pulled = registry::pull(&plugin, pin.as_deref(), &Store::from_env()).await?;
    match pulled.from_store {
        true => tracing::info!(
            "Plugin {plugin} (sha256 {}) from the local store",
            pulled.sha256
        ),
        false => tracing::info!("Pulled the plugin {plugin}: sha256 {}", pulled.sha256),
    }
    Ok(pulled.path)
}

/// For a run fanned out over machines (Argo's pods, Airflow's tasks): when `source.plugin` names a
/// registry tag without a pin, the sha256 it names now, to ship in the config — so every worker
/// loads the same bytes, whatever is pushed to the tag meanwhile. `None` when there is nothing to
/// pin: a pinned plugin, a file, or `distributedExecution.plugin` (the workers' own file).
pub(crate) fn pin_to_ship(config: &Config) -> anyhow::Result<Option<String>> {
    let Some(source) = &config.source.plugin else {
        return Ok(None);
    };
    if source.sha256.is_some()
        || !registry::is_reference(&source.reference)
        || config.workflow.distributed_execution.plugin.is_some()
    {
        return Ok(None);
    }
    let plugin: PluginRef = source.reference.parse().map_err(|e: String| anyhow!(e))?;
    // Its own thread and runtime: rendering is called from the command line and from inside a
    // running orchestrator alike.
    let pulled = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(anyhow::Error::from)
                    .and_then(|runtime| {
                        Ok(runtime.block_on(registry::pull(&plugin, None, &Store::from_env()))?)
                    })
            })
            .join()
            .map_err(|_| anyhow!("resolving the plugin {plugin} panicked"))?
    })?;
    tracing::info!(
        "Pinned the plugin {plugin} to sha256 {} for every worker",
        pulled.sha256
    );
    Ok(Some(pulled.sha256))
}

/// A local plugin file pinned by `source.plugin.sha256`.
fn check_file(path: &Path, pin: &str) -> anyhow::Result<()> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).with_context(|| format!("plugin {}", path.display()))?;
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if sha256 != pin {
        bail!(
            "plugin {} has sha256 {sha256}, not the pinned {pin}: refused",
            path.display()
        );
    }
    Ok(())
}
