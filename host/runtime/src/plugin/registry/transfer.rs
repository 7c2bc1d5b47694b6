//! Pushing a plugin to a registry and pulling it into the store, with `oci-client`. A pulled
//! plugin is checked twice: by the registry client against the manifest's layer digest (a blob
//! changed in the registry is refused), and by us against the pin (another plugin under the same
//! tag is refused) — both before anything compiles it.

use super::store::{Store, hex};
use super::{PluginRef, RegistryError, auth};
use oci_client::Client;
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::manifest::OciImageManifest;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The component layer and config media types of the Wasm OCI artifact layout.
pub const WASM_LAYER: &str = "application/wasm";
pub const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";
/// The older wasm-to-oci layer type, still pulled.
const WASM_LAYER_V1: &str = "application/vnd.wasm.content.layer.v1+wasm";

/// What a push made.
pub struct Pushed {
    /// The component's sha256: what a config pins.
    pub sha256: String,
    /// The manifest's digest, `sha256:…`: what `REPOSITORY@sha256:…` names.
    pub manifest_digest: String,
}

/// A plugin in the store.
pub struct Pulled {
    pub sha256: String,
    pub path: PathBuf,
    /// The annotations of the manifest it came with (none when the store already held it).
    pub annotations: BTreeMap<String, String>,
    /// Whether it came from the store without asking the registry.
    pub from_store: bool,
}

/// Pushes `wasm` as `to`, with `annotations` on the manifest.
pub async fn push(
    wasm: &[u8],
    to: &PluginRef,
    annotations: BTreeMap<String, String>,
) -> Result<Pushed, RegistryError> {
    let client = client(to);
    let (auth, source) = auth::for_registry(to.registry());
    let sha256 = hex(wasm);
    let layer = ImageLayer::new(wasm.to_vec(), WASM_LAYER.to_owned(), None);
    let config = serde_json::json!({
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [format!("sha256:{sha256}")],
    });
    let config = Config::new(
        config.to_string().into_bytes(),
        WASM_CONFIG.to_owned(),
        None,
    );
    let manifest =
        OciImageManifest::build(std::slice::from_ref(&layer), &config, Some(annotations));
    client
        .push(&to.reference, &[layer], config, &auth, Some(manifest))
        .await
        .map_err(|e| failed("push to", to, source, e))?;
    let manifest_digest = client
        .fetch_manifest_digest(&to.reference, &auth)
        .await
        .map_err(|e| failed("read back", to, source, e))?;
    Ok(Pushed {
        sha256,
        manifest_digest,
    })
}

/// The plugin `from` names, in the store: taken from it when `pin` is there, else pulled. A pulled
/// plugin whose sha256 is not `pin` is refused (and not stored).
pub async fn pull(
    from: &PluginRef,
    pin: Option<&str>,
    store: &Store,
) -> Result<Pulled, RegistryError> {
    if let Some(pin) = pin
        && let Some(path) = store.get(pin)
    {
        return Ok(Pulled {
            sha256: pin.to_owned(),
            path,
            annotations: BTreeMap::new(),
            from_store: true,
        });
    }
    let client = client(from);
    let (auth, source) = auth::for_registry(from.registry());
    let image = client
        .pull(&from.reference, &auth, vec![WASM_LAYER, WASM_LAYER_V1])
        .await
        .map_err(|e| failed("pull from", from, source, e))?;
    let [layer] = image.layers.as_slice() else {
        return Err(RegistryError(format!(
            "{from} holds {} layers; a plugin is one `{WASM_LAYER}` layer",
            image.layers.len()
        )));
    };
    let sha256 = hex(&layer.data);
    if let Some(pin) = pin
        && pin != sha256
    {
        return Err(RegistryError(format!(
            "{from} is a plugin of sha256 {sha256}, not the pinned {pin}: refused (the tag was \
             moved to other bytes, or the pin is wrong)"
        )));
    }
    let (sha256, path) = store
        .put(&layer.data)
        .map_err(|e| RegistryError(format!("cannot store the plugin pulled from {from}: {e}")))?;
    let annotations = image
        .manifest
        .and_then(|m| m.annotations)
        .unwrap_or_default();
    Ok(Pulled {
        sha256,
        path,
        annotations,
        from_store: false,
    })
}

/// A client speaking https, but plain http to a registry on this machine (as Docker treats
/// `127.0.0.0/8` as insecure by default) or one `OMRUN_REGISTRY_PLAIN_HTTP` lists
/// (`host:port,…`).
fn client(reference: &PluginRef) -> Client {
    let registry = reference.registry();
    let host = registry.rsplit_once(':').map_or(registry, |(host, _)| host);
    let loopback = host == "localhost"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    let listed = std::env::var("OMRUN_REGISTRY_PLAIN_HTTP")
        .unwrap_or_default()
        .split(',')
        .any(|entry| entry.trim() == registry);
    let protocol = match loopback || listed {
        true => ClientProtocol::HttpsExcept(vec![registry.to_owned()]),
        false => ClientProtocol::Https,
    };
    Client::new(ClientConfig {
        protocol,
        ..ClientConfig::default()
    })
}

/// One line for a failed registry call, saying which credentials were used (never their value).
fn failed(
    what: &str,
    reference: &PluginRef,
    credentials: &str,
    error: oci_client::errors::OciDistributionError,
) -> RegistryError {
    use oci_client::errors::OciDistributionError as E;
    let why = match &error {
        E::AuthenticationFailure(_)
        | E::UnauthorizedError { .. }
        | E::ServerError {
            code: 401 | 403, ..
        } => format!(
            "the registry refused the credentials ({credentials}): set OMRUN_REGISTRY_USERNAME \
             and OMRUN_REGISTRY_PASSWORD, or `docker login {}`",
            reference.registry()
        ),
        E::RequestError(e) if e.is_connect() || e.is_timeout() => {
            format!(
                "the registry {} cannot be reached: {e}",
                reference.registry()
            )
        }
        other => other.to_string(),
    };
    RegistryError(format!("cannot {what} {reference}: {why}"))
}
