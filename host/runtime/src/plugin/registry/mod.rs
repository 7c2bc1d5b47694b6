//! Plugins as OCI artifacts, the layout WebAssembly tools share for components in OCI registries
//! (the CNCF Wasm OCI artifact: the component as the one layer, media type `application/wasm`;
//! a config of type `application/vnd.wasm.config.v0+json`), pushed to and pulled from any
//! registry (`transfer`), with the registry's credentials from the docker config or the
//! environment (`auth`), and kept in a local store addressed by the component's sha256 (`store`).
//!
//! A plugin is named `oci://REGISTRY/REPOSITORY:TAG` (or `@sha256:…` for a manifest digest) and
//! pinned by the sha256 of its `.wasm` — the digest `omrun plugin inspect` prints and the run
//! report names — so a pin means the same bytes whatever registry serves them.

mod auth;
mod store;
mod transfer;

pub use store::Store;
pub use transfer::{Pulled, Pushed, pull, push};

use std::fmt;
use std::str::FromStr;

/// How a plugin reference starts, on the command line and in a config.
pub const SCHEME: &str = "oci://";

/// Whether `text` names a plugin in a registry rather than a file.
pub fn is_reference(text: &str) -> bool {
    text.starts_with(SCHEME)
}

/// `oci://REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST]`.
#[derive(Clone)]
pub struct PluginRef {
    pub(crate) reference: oci_client::Reference,
    text: String,
}

impl FromStr for PluginRef {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let rest = text
            .strip_prefix(SCHEME)
            .ok_or_else(|| format!("`{text}` is not an oci:// reference"))?;
        // Without a registry, oci-client would take Docker Hub: a plugin's registry is written out.
        if !rest
            .split('/')
            .next()
            .is_some_and(|host| host.contains(['.', ':']) || host == "localhost")
            || !rest.contains('/')
        {
            return Err(format!(
                "`{text}` names no registry: write oci://REGISTRY/REPOSITORY:TAG (e.g. \
                 oci://ghcr.io/acme/postgres-plugin:1.2.0)"
            ));
        }
        let reference: oci_client::Reference = rest
            .parse()
            .map_err(|e| format!("`{text}` is not a valid OCI reference: {e}"))?;
        Ok(Self {
            reference,
            text: text.to_owned(),
        })
    }
}

impl PluginRef {
    /// The registry's host (and port).
    pub fn registry(&self) -> &str {
        self.reference.registry()
    }

    /// Whether it names a tag only (no manifest digest): what it names may change.
    pub fn is_tag(&self) -> bool {
        self.reference.digest().is_none()
    }
}

impl fmt::Display for PluginRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for PluginRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a plugin could not be had from a registry.
#[derive(Debug)]
pub struct RegistryError(pub String);

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RegistryError {}

#[cfg(test)]
mod tests {
    use super::PluginRef;

    #[test]
    fn references_name_their_registry() {
        let r: PluginRef = "oci://127.0.0.1:5000/omrun/postgres:0.5.0".parse().unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert!(r.is_tag());
        let r: PluginRef = format!("oci://ghcr.io/acme/pg@sha256:{}", "a".repeat(64))
            .parse()
            .unwrap();
        assert!(!r.is_tag());
        for bad in [
            "oci://postgres:1.0",
            "oci://omrun/postgres:1",
            "postgres.wasm",
            "oci://",
        ] {
            assert!(bad.parse::<PluginRef>().is_err(), "{bad}");
        }
    }
}
