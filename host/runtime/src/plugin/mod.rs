//! Loading plugins and calling them. A `Plugin` is a compiled, type-checked component shared by all
//! workers; an `Instance` is one sandboxed copy of it with its own Store, memory limit and
//! connections. Every call is bounded in time; an instance that traps or times out is marked
//! broken and must be replaced (cheap: tens of microseconds).

mod cache;
pub mod contract;
pub mod registry;
mod sandbox;

pub use cache::ComponentCache;
pub use contract::{Contract, Page, Refused, Stamp, next_cursor};
pub use sandbox::Limits;

use crate::capability::{Capability, Grants};
use omrun_model::{Entity, EntityRef};
use sandbox::{OutputTail, StoreState};
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use wasmtime::{Engine, Store};

/// What a plugin says about itself.
#[derive(Debug, Clone)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub service_types: Vec<String>,
    pub capabilities: Vec<Capability>,
}

/// The source section a plugin is opened with (secrets already removed).
#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub service_name: String,
    pub service_connection: serde_json::Value,
    pub source_config: serde_json::Value,
    /// The dotted paths of the connection's secrets (`omrun_config::secret_paths`), not their
    /// values: contract 0.3.0 hands them to the plugin.
    pub secrets: Vec<String>,
}

/// The world a component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    /// `discoverable-source`: discover + process; runs in any orchestrator.
    Discoverable,
    /// `source`: streams entities; runs sequentially only.
    Sequential,
}

/// Why a plugin could not be loaded. Its message names the file.
#[derive(Debug)]
pub struct PluginError(String);

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PluginError {}

/// Why a call into an instance failed.
#[derive(Debug, Clone)]
pub enum CallError {
    /// The plugin returned an error; the instance is fine.
    Plugin(String),
    /// The instance trapped, exceeded a limit or its time; it cannot be called again.
    Crashed(String),
}

impl std::error::Error for CallError {}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Plugin(message) | CallError::Crashed(message) => f.write_str(message),
        }
    }
}

pub struct Plugin {
    pub path: PathBuf,
    pub info: PluginInfo,
    pub world: World,
    /// The contract it was loaded as.
    pub contract: Contract,
    /// What the file itself says about its contract.
    pub stamp: Stamp,
    /// The config keys the plugin declares it reads (omrun-sdk's `declare_config_keys!`), if it
    /// declares them: what lets the host name the keys a config sets to no effect.
    pub config_keys: Option<Vec<String>>,
    /// The file's sha256 (hex): what the run report names it by.
    pub sha256: String,
    engine: Engine,
    pre: contract::Pre,
    limits: Limits,
    grants: Arc<Grants>,
}

impl Plugin {
    /// Reads, compiles (or loads from `cache`) and type-checks the component at `path`, then asks
    /// it for its `info()` and checks that `grants` cover what it needs.
    pub async fn load(
        path: &Path,
        cache: &ComponentCache,
        limits: Limits,
        grants: Arc<Grants>,
    ) -> Result<Plugin, PluginError> {
        let mut plugin = Self::load_unchecked(path, cache, limits, grants.clone()).await?;
        let granted = grants
            .for_plugin(&plugin.info.name, &plugin.info.capabilities)
            .map_err(|e| PluginError(e.to_string()))?;
        plugin.grants = Arc::new(granted);
        Ok(plugin)
    }

    /// What the plugin may reach: the config's grants and what its needs asked of them.
    pub fn grants(&self) -> &Arc<Grants> {
        &self.grants
    }

    /// Loads the plugin with nothing granted, without checking what it asks for: what
    /// `omrun plugin inspect` shows. Only `info()` is called, which needs no capability.
    pub async fn inspect(path: &Path, cache: &ComponentCache) -> Result<Plugin, PluginError> {
        let nothing = Arc::new(Grants::default());
        Self::load_unchecked(path, cache, Limits::default(), nothing).await
    }

    async fn load_unchecked(
        path: &Path,
        cache: &ComponentCache,
        limits: Limits,
        grants: Arc<Grants>,
    ) -> Result<Plugin, PluginError> {
        let shown = path.display().to_string();
        let wasm = read_plugin_file(path, limits.file_bytes)?;
        check_header(&wasm).map_err(|why| {
            PluginError(format!(
                "plugin {shown} is not a WebAssembly component: {why}"
            ))
        })?;
        // Before compiling: an unknown contract is refused at once.
        let stamp = contract::read_stamp(&wasm).map_err(|e| {
            PluginError(format!(
                "plugin {shown} is not a valid WebAssembly component: {e}"
            ))
        })?;
        let stamped = contract::select(&stamp, &shown).map_err(PluginError)?;
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&wasm));
        let config_keys = contract::read_config_keys(&wasm).map_err(|e| {
            PluginError(format!(
                "plugin {shown} is not a valid WebAssembly component: {e}"
            ))
        })?;

        let engine = engine()
            .map_err(|e| PluginError(format!("cannot start the WebAssembly engine: {e}")))?;
        let component = cache.load(&engine, &wasm).map_err(|e| {
            PluginError(format!(
                "plugin {shown} is not a valid WebAssembly component: {e:#}"
            ))
        })?;
        // One binding per contract version, side by side (see `versions`). Without a stamp, the
        // version is the one whose interfaces the component exports, newest first.
        let candidates: Vec<Contract> = match stamped {
            Some(contract) => vec![contract],
            None => contract::SUPPORTED.iter().rev().copied().collect(),
        };
        let found = candidates.iter().find_map(|&contract| {
            contract::world_of(contract, &component, &engine).map(|world| (contract, world))
        });
        let (contract, world) = found.ok_or_else(|| {
            let wanted = match stamped {
                Some(contract) => contract.name().to_owned(),
                None => format!("any contract of {}", contract::supported_range()),
            };
            let missing = match stamp {
                Stamp::Present(_) => String::new(),
                Stamp::Missing => format!(
                    " (and it has no `{}` custom section, which omrun-sdk writes)",
                    contract::SECTION
                ),
            };
            PluginError(format!(
                "plugin {shown} does not implement {wanted}: it exports neither interface \
                 `discovery` (world discoverable-source) nor `streaming` (world source){missing}"
            ))
        })?;
        let linker = contract::linker(&engine, contract)
            .map_err(|e| PluginError(format!("cannot link plugins: {e}")))?;
        let pre = contract::Pre::new(contract, &linker, &component, world).map_err(|e| {
            PluginError(format!(
                "plugin {shown} does not fit {}: {e:#}",
                contract.name()
            ))
        })?;
        if stamp == Stamp::Missing {
            tracing::warn!(
                "plugin {shown} has no `{}` section (not built with omrun-sdk?); loaded as {}",
                contract::SECTION,
                contract.name()
            );
        }

        let file_name: Arc<str> = path
            .file_stem()
            .map(|s| s.to_string_lossy().into())
            .unwrap_or("plugin".into());
        let info_instance = Instance::new(&engine, &pre, file_name, limits, grants.clone())
            .await
            .map_err(|e| PluginError(format!("plugin {shown} cannot be instantiated: {e}")))?;
        let info = info_instance
            .info()
            .await
            .map_err(|e| PluginError(format!("plugin {shown} failed in info(): {e}")))?;
        Ok(Plugin {
            path: path.to_owned(),
            info,
            world,
            contract,
            stamp,
            config_keys,
            sha256,
            engine,
            pre,
            limits,
            grants,
        })
    }

    /// A fresh sandboxed instance (not yet opened).
    pub async fn instantiate(&self) -> Result<Instance, CallError> {
        Instance::new(
            &self.engine,
            &self.pre,
            self.info.name.as_str().into(),
            self.limits,
            self.grants.clone(),
        )
        .await
    }
}

/// Rejects what is obviously not a component before asking the compiler, with a message that says
/// what the file is instead.
fn check_header(wasm: &[u8]) -> Result<(), String> {
    const MAGIC: &[u8] = b"\0asm";
    match wasm.get(..8) {
        Some(header) if header.starts_with(MAGIC) && header[4..] == [1, 0, 0, 0] => Err(
            "it is a core WebAssembly module; build it for wasm32-wasip2, which emits a component"
                .into(),
        ),
        Some(header) if header.starts_with(MAGIC) => Ok(()),
        None if wasm.is_empty() => Err("the file is empty".into()),
        _ => Err("it is not a WebAssembly file".into()),
    }
}

/// How often the engine's epoch advances; instances yield to the scheduler at every tick, which is
/// what lets a wall-clock timeout interrupt a guest stuck in a loop.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// One engine per process: compiled components and the epoch ticker are shared by all plugins.
fn engine() -> wasmtime::Result<Engine> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true).epoch_interruption(true);
        let engine = Engine::new(&config).map_err(|e| e.to_string())?;
        let ticker = engine.weak();
        std::thread::Builder::new()
            .name("omrun-epoch".into())
            .spawn(move || {
                while let Some(engine) = ticker.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(engine)
    });
    engine.clone().map_err(wasmtime::Error::msg)
}

pub struct Instance {
    store: Store<StoreState>,
    exports: contract::Exports,
    output: OutputTail,
    call_timeout: Duration,
    broken: Option<String>,
}

impl Instance {
    async fn new(
        engine: &Engine,
        pre: &contract::Pre,
        plugin: Arc<str>,
        limits: Limits,
        grants: Arc<Grants>,
    ) -> Result<Instance, CallError> {
        let state = StoreState::new(plugin, grants, &limits);
        let output = state.output.clone();
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.limits);
        store.set_epoch_deadline(1);
        store.epoch_deadline_async_yield_and_update(1);
        let exports = pre
            .instantiate(&mut store)
            .await
            .map_err(|e| CallError::Crashed(format!("instantiation failed: {e:#}")))?;
        Ok(Instance {
            store,
            exports,
            output,
            call_timeout: limits.call_timeout,
            broken: None,
        })
    }

    /// The bytes its linear memories take (they never shrink: what a call once needed, the
    /// instance keeps).
    pub fn memory_bytes(&self) -> usize {
        self.store.data().limits.bytes()
    }

    /// False once the instance trapped or timed out.
    pub fn is_usable(&self) -> bool {
        self.broken.is_none()
    }

    pub async fn info(mut self) -> Result<PluginInfo, CallError> {
        let call = self.exports.info(&mut self.store);
        guarded("info", self.call_timeout, &self.output, async {
            call.await.map(Ok)
        })
        .await
    }

    pub async fn open(&mut self, config: &SourceConfig) -> Result<(), CallError> {
        self.check_usable()?;
        let call = self.exports.open(&mut self.store, config);
        let result = guarded("open", self.call_timeout, &self.output, call).await;
        self.settle(result)
    }

    /// The page of discovery `cursor` names; the first without one. Each page is a call of its
    /// own, with its own timeout.
    pub async fn discover_page(&mut self, cursor: Option<&str>) -> Result<Page, CallError> {
        self.check_usable()?;
        let call = self.exports.discover_page(&mut self.store, cursor);
        let result = guarded("discover", self.call_timeout, &self.output, call).await;
        self.settle(result)
    }

    /// One result per ref, in order.
    pub async fn process(
        &mut self,
        batch: &[EntityRef],
    ) -> Result<Vec<Result<Vec<Entity>, String>>, CallError> {
        self.check_usable()?;
        let call = self.exports.process(&mut self.store, batch);
        let result = guarded("process", self.call_timeout, &self.output, call).await;
        let results = self.settle(result)?;
        if results.len() != batch.len() {
            return Err(CallError::Plugin(format!(
                "process returned {} results for a batch of {}",
                results.len(),
                batch.len()
            )));
        }
        Ok(results)
    }

    /// The next batch; an entity that cannot be written as the plugin gave it is `Refused`.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Result<Entity, Refused>>>, CallError> {
        self.check_usable()?;
        let call = self.exports.next_batch(&mut self.store);
        let result = guarded("next-batch", self.call_timeout, &self.output, call).await;
        self.settle(result)
    }

    fn check_usable(&self) -> Result<(), CallError> {
        match &self.broken {
            Some(why) => Err(CallError::Crashed(format!(
                "instance unusable after an earlier failure: {why}"
            ))),
            None => Ok(()),
        }
    }

    fn settle<T>(&mut self, result: Result<T, CallError>) -> Result<T, CallError> {
        if let Err(CallError::Crashed(why)) = &result {
            self.broken = Some(why.clone());
        }
        result
    }
}

/// Reads a plugin file, at most `max` bytes: a device, a FIFO or a folder is refused before it is
/// opened (`/dev/zero` would never end, a FIFO would block), a larger file at once.
pub fn read_plugin_file(path: &Path, max: u64) -> Result<Vec<u8>, PluginError> {
    use std::io::Read;
    let shown = path.display();
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => PluginError(format!("plugin file {shown} not found")),
        _ => PluginError(format!("cannot read plugin {shown}: {e}")),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(PluginError(format!(
            "plugin {shown} is not a regular file (a device, a FIFO or a folder)"
        )));
    }
    let too_large = |size: String| {
        PluginError(format!(
            "plugin {shown} is {size} bytes, more than the limit of {max} \
             (workflowConfig.pluginLimits.pluginFileSize)"
        ))
    };
    if meta.len() > max {
        return Err(too_large(meta.len().to_string()));
    }
    let mut wasm = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|file| file.take(max + 1).read_to_end(&mut wasm))
        .map_err(unreadable)?;
    // It grew since it was measured.
    if wasm.len() as u64 > max {
        return Err(too_large(format!("more than {max}")));
    }
    Ok(wasm)
}

/// Runs one export call under the wall-clock limit and turns traps into messages that say what
/// happened, with the last lines the plugin printed (a panic message lands there).
async fn guarded<T>(
    call: &str,
    timeout: Duration,
    output: &OutputTail,
    future: impl Future<Output = contract::Answer<T>>,
) -> Result<T, CallError> {
    match tokio::time::timeout(timeout, future).await {
        Err(_) => Err(CallError::Crashed(format!(
            "`{call}` did not finish within {} s",
            timeout.as_secs_f64()
        ))),
        Ok(Err(trap)) => {
            let mut message = format!("plugin trapped in `{call}` ({})", trap_summary(&trap));
            let printed = output.last_lines(2);
            if !printed.is_empty() {
                message.push_str(&format!(": {printed}"));
            }
            Err(CallError::Crashed(message))
        }
        Ok(Ok(Err(plugin_error))) => Err(CallError::Plugin(plugin_error)),
        Ok(Ok(Ok(value))) => Ok(value),
    }
}

/// What kind of trap it was (e.g. "wasm `unreachable` instruction executed", which is how a guest
/// panic ends), without the wasm backtrace that wraps it.
fn trap_summary(error: &wasmtime::Error) -> String {
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => trap.to_string(),
        None => error
            .root_cause()
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::check_header;

    #[test]
    fn header_tells_modules_components_and_other_files_apart() {
        assert!(check_header(b"\0asm\x0d\x00\x01\x00rest").is_ok());
        assert!(
            check_header(b"\0asm\x01\x00\x00\x00")
                .unwrap_err()
                .contains("core WebAssembly module")
        );
        assert!(
            check_header(b"hello, world")
                .unwrap_err()
                .contains("not a WebAssembly file")
        );
        assert!(check_header(b"").unwrap_err().contains("empty"));
    }
}
