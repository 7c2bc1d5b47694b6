//! The local store of pulled plugins: `<cache>/plugins/sha256/<hex>.wasm`, one file per distinct
//! component, named by the sha256 of its bytes and checked against it whenever it is read, so a
//! file changed in the store is pulled again rather than run.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// `$OMRUN_PLUGIN_STORE/sha256/`, else beside the compiled-plugin cache: `$OMRUN_CACHE_DIR`,
    /// else `$XDG_CACHE_HOME/omrun`, else `~/.cache/omrun`; then `plugins/sha256/`.
    pub fn from_env() -> Self {
        if let Some(dir) = std::env::var_os("OMRUN_PLUGIN_STORE") {
            return Self {
                dir: PathBuf::from(dir).join("sha256"),
            };
        }
        let base = std::env::var_os("OMRUN_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("omrun")))
            .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/omrun")))
            .unwrap_or_else(|| std::env::temp_dir().join("omrun"));
        Self::at(&base)
    }

    /// A store under `base` (its `plugins/sha256/` folder).
    pub fn at(base: &Path) -> Self {
        Self {
            dir: base.join("plugins").join("sha256"),
        }
    }

    /// The stored plugin of this sha256, if it is there with these very bytes.
    pub fn get(&self, sha256: &str) -> Option<PathBuf> {
        let path = self.dir.join(format!("{sha256}.wasm"));
        let bytes = std::fs::read(&path).ok()?;
        (hex(&bytes) == sha256).then_some(path)
    }

    /// Stores `bytes`; their sha256 and the path.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<(String, PathBuf)> {
        let sha256 = hex(bytes);
        std::fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(format!("{sha256}.wasm"));
        // By a rename: a reader never sees half a file.
        let partial = self
            .dir
            .join(format!(".{sha256}.{}.partial", std::process::id()));
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&partial, &path)?;
        Ok((sha256, path))
    }
}

/// The sha256 of `bytes`, lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_not_returned() {
        let dir = std::env::temp_dir().join(format!("omrun-store-test-{}", std::process::id()));
        let store = Store::at(&dir);
        let (sha, path) = store.put(b"\0asm component").unwrap();
        assert_eq!(store.get(&sha), Some(path.clone()));
        std::fs::write(&path, b"\0asm something else").unwrap();
        assert_eq!(store.get(&sha), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
