//! Compiled components on disk. Compiling a component costs 0.1–1.5 s; loading a compiled one costs
//! well under a millisecond. Entries are keyed by the wasm's sha256 and the engine's compatibility
//! hash, so a different wasmtime or engine setting never loads a stale entry.

use sha2::{Digest, Sha256};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

pub struct ComponentCache {
    dir: Option<PathBuf>,
}

impl ComponentCache {
    /// The cache in `$OMRUN_CACHE_DIR`, else `$XDG_CACHE_HOME/omrun`, else `~/.cache/omrun`.
    pub fn from_env() -> Self {
        let dir = std::env::var_os("OMRUN_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("omrun")))
            .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/omrun")));
        Self {
            dir: dir.map(|d| d.join("components")),
        }
    }

    /// A cache in `dir` (its `components/` folder).
    pub fn at(dir: &std::path::Path) -> Self {
        Self {
            dir: Some(dir.join("components")),
        }
    }

    /// The compiled component for `wasm`, from the cache or freshly compiled (and then stored).
    /// A cache that cannot be read or written only costs time, never the run.
    pub fn load(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Component> {
        let Some(entry) = self.entry(engine, wasm) else {
            return Component::new(engine, wasm);
        };
        if entry.is_file() {
            // SAFETY: the file was written by `Component::serialize` of an engine with the same
            // compatibility hash, into the user's own cache directory; wasmtime still checks its
            // header and version and errors (treated as a miss) on any mismatch.
            match unsafe { Component::deserialize_file(engine, &entry) } {
                Ok(component) => return Ok(component),
                Err(e) => {
                    tracing::debug!("compiled component cache miss ({}): {e}", entry.display())
                }
            }
        }
        let component = Component::new(engine, wasm)?;
        if let Err(e) = store(&entry, &component) {
            tracing::debug!(
                "cannot store compiled component in {}: {e}",
                entry.display()
            );
        }
        Ok(component)
    }

    fn entry(&self, engine: &Engine, wasm: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let name = format!(
            "{}-{:016x}.cwasm",
            hex::encode(Sha256::digest(wasm)),
            hasher.finish()
        );
        Some(dir.join(name))
    }
}

/// Written to a temporary file and renamed, so concurrent runs never read half an entry.
fn store(entry: &Path, component: &Component) -> anyhow::Result<()> {
    let dir = entry.parent().expect("cache entries live in a directory");
    std::fs::create_dir_all(dir)?;
    let bytes = component.serialize().map_err(|e| anyhow::anyhow!("{e}"))?;
    let temporary = dir.join(format!(
        ".{}.{}",
        std::process::id(),
        entry.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, entry)?;
    Ok(())
}
