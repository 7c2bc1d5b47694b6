//! What each plugin instance lives in: its own Store with a memory limit, WASI with nothing granted
//! (no files, no environment, no sockets), wasi:http to the hosts the config grants only, and a
//! bounded capture of what it prints, so a panic message can be reported.

use crate::capability::Grants;
use crate::capability::http::HttpState;
use crate::capability::log::wit::{LogCtx, LogView};
use crate::capability::sql::wit::{SqlCtx, SqlView};
use omrun_config::PluginLimits;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::AsyncWrite;
use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtxView, WasiHttpView};

/// Per-instance limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Linear memory per instance.
    pub memory_bytes: usize,
    /// Wall-clock time for one call into the plugin (`discover`, one `process` batch, …), host
    /// calls included.
    pub call_timeout: Duration,
    /// The largest plugin file read (a plugin built for release is well under 10 MiB).
    pub file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 1 << 30,
            call_timeout: Duration::from_secs(300),
            file_bytes: 100 << 20,
        }
    }
}

impl From<&PluginLimits> for Limits {
    /// The config's limits, the defaults for what it leaves out.
    fn from(config: &PluginLimits) -> Self {
        let default = Limits::default();
        Limits {
            memory_bytes: config.memory.map_or(default.memory_bytes, |b| {
                usize::try_from(b).unwrap_or(usize::MAX)
            }),
            call_timeout: config
                .call_timeout_seconds
                .map_or(default.call_timeout, Duration::from_secs_f64),
            file_bytes: config.plugin_file_size.unwrap_or(default.file_bytes),
        }
    }
}

/// The data of one instance's Store.
pub struct StoreState {
    pub plugin: Arc<str>,
    pub grants: Arc<Grants>,
    pub table: ResourceTable,
    pub wasi: WasiCtx,
    pub http: HttpState,
    pub limits: MemoryLimits,
    pub output: OutputTail,
}

/// wasmtime's limits, and how far the instance's memories grew: a linear memory never shrinks,
/// so an instance that once held a big list keeps its size until it is dropped.
pub struct MemoryLimits {
    limits: StoreLimits,
    /// The bytes of every memory of the instance, as last grown.
    grown: usize,
}

impl MemoryLimits {
    /// The bytes the instance's memories take.
    pub fn bytes(&self) -> usize {
        self.grown
    }
}

impl wasmtime::ResourceLimiter for MemoryLimits {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.grown = self.grown - current.min(self.grown) + desired;
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

impl StoreState {
    pub fn new(plugin: Arc<str>, grants: Arc<Grants>, limits: &Limits) -> Self {
        let output = OutputTail::default();
        // Nothing is inherited: no args, no environment, no preopened directories; sockets are
        // denied by default. Clocks and randomness stay, as WASI p2 gives them.
        let wasi = WasiCtx::builder()
            .stdout(output.clone())
            .stderr(output.clone())
            .build();
        let http = HttpState::new(plugin.clone(), grants.clone(), limits.call_timeout);
        let limits = StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes)
            // A failed memory.grow traps with a clear message instead of handing the guest a
            // null pointer it may not check.
            .trap_on_grow_failure(true)
            .build();
        let limits = MemoryLimits { limits, grown: 0 };
        Self {
            plugin,
            grants,
            table: ResourceTable::new(),
            wasi,
            http,
            limits,
            output,
        }
    }
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl SqlView for StoreState {
    fn sql(&mut self) -> SqlCtx<'_> {
        SqlCtx {
            plugin: &self.plugin,
            targets: &self.grants.sql,
            table: &mut self.table,
        }
    }
}

impl LogView for StoreState {
    fn log(&mut self) -> LogCtx<'_> {
        LogCtx {
            plugin: &self.plugin,
        }
    }
}

impl WasiHttpView for StoreState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        self.http.view(&mut self.table)
    }
}

/// Keeps the last bytes a plugin wrote to stdout/stderr. Writes always succeed: a chatty plugin
/// must not fail (Rust's `eprintln!` panics when stderr refuses a write).
#[derive(Clone, Default)]
pub struct OutputTail(Arc<Mutex<Vec<u8>>>);

const OUTPUT_TAIL_BYTES: usize = 16 * 1024;

impl OutputTail {
    /// The captured text's last lines, for an error message.
    pub fn last_lines(&self, lines: usize) -> String {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let text = String::from_utf8_lossy(&bytes);
        // Rust's hint about RUST_BACKTRACE says nothing about the plugin; the panic message does.
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("note: run with `RUST_BACKTRACE"))
            .collect();
        kept[kept.len().saturating_sub(lines)..].join(" / ")
    }
}

impl IsTerminal for OutputTail {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for OutputTail {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for OutputTail {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut tail = self.0.lock().unwrap_or_else(|p| p.into_inner());
        tail.extend_from_slice(buf);
        if tail.len() > OUTPUT_TAIL_BYTES {
            let excess = tail.len() - OUTPUT_TAIL_BYTES;
            tail.drain(..excess);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_where_the_config_is_silent() {
        let config = |json: &str| serde_json::from_str::<PluginLimits>(json).unwrap();
        let none = Limits::from(&config("{}"));
        assert_eq!(none.memory_bytes, 1 << 30);
        assert_eq!(none.call_timeout, Duration::from_secs(300));
        assert_eq!(none.file_bytes, 100 << 20);
        let set = Limits::from(&config(
            r#"{"memory": "256Mi", "callTimeoutSeconds": 2.5, "pluginFileSize": "200Mi"}"#,
        ));
        assert_eq!(set.memory_bytes, 256 << 20);
        assert_eq!(set.call_timeout, Duration::from_millis(2500));
        assert_eq!(set.file_bytes, 200 << 20);
    }
}
