//! Compiled components on disk. Compiling a component costs 0.1–1.5 s; loading a compiled one costs
//! a few milliseconds. Entries are keyed by the wasm's sha256 and the engine's compatibility hash,
//! so a different wasmtime or engine setting never loads a stale entry.
//!
//! A compiled entry is native code, loaded outside the sandbox, in a process that holds the
//! database password and the OpenMetadata token: it is trusted only when proven to be what this
//! omrun compiled from this wasm for this engine. Each entry carries an HMAC-SHA256 of the wasm's
//! digest, the engine hash and the compiled bytes, under a random key kept in the cache folder;
//! an entry whose MAC does not verify (replaced, truncated, or written by someone else) is compiled
//! again, with a warning. The folder must be the user's own and writable by no one else, or it is
//! not used at all (compiling every time costs time, never safety).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

type Tag = Hmac<Sha256>;

/// The first bytes of an entry; then the 32-byte MAC, then what `Component::serialize` wrote.
const MAGIC: &[u8] = b"omrun-compiled-component-1\n";
const MAC_LEN: usize = 32;

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
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: Some(dir.join("components")),
        }
    }

    /// The compiled component for `wasm`, from the cache or freshly compiled (and then stored).
    /// A cache that cannot be used only costs time, never the run.
    pub fn load(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Component> {
        let Some((dir, key)) = self.dir.as_deref().and_then(open_private) else {
            return Component::new(engine, wasm);
        };
        let id = Identity::of(engine, wasm);
        let entry = dir.join(&id.file_name);
        // An entry of an older format is only compiled again.
        let stored = std::fs::read(&entry).ok().filter(|b| b.starts_with(MAGIC));
        if let Some(bytes) = stored {
            match unseal(&key, &id, &bytes) {
                // SAFETY: the bytes are what this omrun's `Component::serialize` wrote for this
                // wasm and an engine with this compatibility hash (the MAC under the user's own
                // key proves it); wasmtime still checks their header and version.
                Some(compiled) => match unsafe { Component::deserialize(engine, compiled) } {
                    Ok(component) => return Ok(component),
                    Err(e) => tracing::debug!("compiled component cache miss: {e}"),
                },
                None => tracing::warn!(
                    "The compiled-plugin cache entry {} is not what omrun stored for this plugin \
                     (it was changed or replaced); compiling again",
                    entry.display()
                ),
            }
        }
        let component = Component::new(engine, wasm)?;
        let stored = component
            .serialize()
            .map_err(|e| anyhow::anyhow!("{e}"))
            .and_then(|compiled| store(&entry, &seal(&key, &id, &compiled)));
        if let Err(e) = stored {
            tracing::debug!(
                "cannot store compiled component in {}: {e}",
                entry.display()
            );
        }
        Ok(component)
    }
}

/// What an entry must have been compiled from.
struct Identity {
    wasm_sha256: [u8; 32],
    engine_hash: u64,
    file_name: String,
}

impl Identity {
    fn of(engine: &Engine, wasm: &[u8]) -> Self {
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_hash = hasher.finish();
        let wasm_sha256: [u8; 32] = Sha256::digest(wasm).into();
        Self {
            file_name: format!("{}-{engine_hash:016x}.cwasm", hex::encode(wasm_sha256)),
            wasm_sha256,
            engine_hash,
        }
    }

    fn tag(&self, key: &[u8], compiled: &[u8]) -> Tag {
        let mut tag = Tag::new_from_slice(key).expect("HMAC takes a key of any length");
        tag.update(&self.wasm_sha256);
        tag.update(&self.engine_hash.to_le_bytes());
        tag.update(compiled);
        tag
    }
}

fn seal(key: &[u8], id: &Identity, compiled: &[u8]) -> Vec<u8> {
    let mac = id.tag(key, compiled).finalize().into_bytes();
    [MAGIC, mac.as_slice(), compiled].concat()
}

/// The compiled bytes of `entry` when its MAC verifies.
fn unseal<'a>(key: &[u8], id: &Identity, entry: &'a [u8]) -> Option<&'a [u8]> {
    let rest = entry.strip_prefix(MAGIC)?;
    let (mac, compiled) = rest.split_at_checked(MAC_LEN)?;
    id.tag(key, compiled).verify_slice(mac).ok()?;
    Some(compiled)
}

/// The cache folder and its key, when the folder is the user's own and no one else can write
/// it; else `None`, with a warning.
fn open_private(dir: &Path) -> Option<(&Path, Vec<u8>)> {
    let refuse = |why: String| {
        tracing::warn!(
            "Not using the compiled-plugin cache {}: {why}; compiling instead",
            dir.display()
        );
        None
    };
    if let Err(e) = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        tracing::debug!(
            "cannot create the compiled-plugin cache {}: {e}",
            dir.display()
        );
        return None;
    }
    if let Err(why) = private(dir) {
        return refuse(why);
    }
    match key(dir) {
        Ok(key) => Some((dir, key)),
        Err(why) => refuse(why),
    }
}

/// Owned by this user and writable (for a key: readable too) by no one else.
fn private(path: &Path) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!("{} belongs to another user", path.display()));
    }
    let others = if meta.is_dir() { 0o022 } else { 0o077 };
    if meta.mode() & others != 0 {
        return Err(format!(
            "{} is open to other users (mode {:o})",
            path.display(),
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

/// The cache's MAC key: 32 random bytes in `dir/key` (mode 0600), made on first use. Published by
/// a hard link, so a concurrent run either makes it or reads the whole of the other's.
fn key(dir: &Path) -> Result<Vec<u8>, String> {
    let path = dir.join("key");
    if !path.exists() {
        let mut random = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut random))
            .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
        let temporary = dir.join(format!(".key.{}", std::process::id()));
        let made = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .and_then(|mut f| f.write_all(&random))
            .and_then(|()| match std::fs::hard_link(&temporary, &path) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                linked => linked,
            });
        let _ = std::fs::remove_file(&temporary);
        made.map_err(|e| format!("cannot make its key: {e}"))?;
    }
    private(&path)?;
    let key = std::fs::read(&path).map_err(|e| format!("cannot read its key: {e}"))?;
    if key.len() != 32 {
        return Err(format!("its key {} is damaged", path.display()));
    }
    Ok(key)
}

/// Written to a temporary file and renamed, so concurrent runs never read half an entry.
fn store(entry: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = entry.parent().expect("cache entries live in a directory");
    let temporary = dir.join(format!(
        ".{}.{}",
        std::process::id(),
        entry.file_name().unwrap().to_string_lossy()
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)?
        .write_all(bytes)?;
    std::fs::rename(&temporary, entry)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn id(wasm: &[u8]) -> Identity {
        let mut id = Identity::of(&Engine::default(), wasm);
        id.engine_hash = 7;
        id
    }

    #[test]
    fn an_entry_opens_only_for_its_wasm_engine_and_key() {
        let key = [1u8; 32];
        let entry = seal(&key, &id(b"plugin a"), b"compiled a");
        assert_eq!(
            unseal(&key, &id(b"plugin a"), &entry),
            Some(&b"compiled a"[..])
        );
        // Another plugin's entry copied over this one's, or this one's bytes replaced.
        assert_eq!(unseal(&key, &id(b"plugin b"), &entry), None);
        let mut replaced = entry.clone();
        *replaced.last_mut().unwrap() ^= 1;
        assert_eq!(unseal(&key, &id(b"plugin a"), &replaced), None);
        let mut other_engine = id(b"plugin a");
        other_engine.engine_hash = 8;
        assert_eq!(unseal(&key, &other_engine, &entry), None);
        assert_eq!(unseal(&[2u8; 32], &id(b"plugin a"), &entry), None);
        assert_eq!(unseal(&key, &id(b"plugin a"), &entry[..10]), None);
    }

    #[test]
    fn a_folder_others_can_write_is_not_used() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("components");
        let (_, key) = open_private(&dir).expect("a fresh folder is private");
        assert_eq!(key.len(), 32);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("key")), 0o600);
        assert_eq!(open_private(&dir).unwrap().1, key, "the key is kept");

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(open_private(&dir).is_none(), "world-writable");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(dir.join("key"), std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(open_private(&dir).is_none(), "a key others can read");
    }
}
