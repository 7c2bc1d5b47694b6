//! A registry's credentials, where the container tools keep them: `OMRUN_REGISTRY_USERNAME` and
//! `OMRUN_REGISTRY_PASSWORD` (any registry: a CI job's token), else the docker config's `auths`
//! entry for the registry (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, as `docker
//! login` and `oras login` write it), else none (a public registry).

use base64::Engine as _;
use oci_client::secrets::RegistryAuth;
use serde_json::Value;
use std::path::PathBuf;

/// The credentials for `registry` (`host[:port]`), and where they came from, for messages.
pub fn for_registry(registry: &str) -> (RegistryAuth, &'static str) {
    if let (Ok(user), Ok(password)) = (
        std::env::var("OMRUN_REGISTRY_USERNAME"),
        std::env::var("OMRUN_REGISTRY_PASSWORD"),
    ) && !user.is_empty()
    {
        return (
            RegistryAuth::Basic(user, password),
            "OMRUN_REGISTRY_USERNAME/OMRUN_REGISTRY_PASSWORD",
        );
    }
    match docker_config_entry(registry) {
        Some((user, password)) => (RegistryAuth::Basic(user, password), "the docker config"),
        None => (RegistryAuth::Anonymous, "no credentials"),
    }
}

fn docker_config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) => Some(PathBuf::from(dir).join("config.json")),
        None => {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker/config.json"))
        }
    }
}

/// The user and password `auths` holds for `registry` (keyed by host, or by an https URL of it).
fn docker_config_entry(registry: &str) -> Option<(String, String)> {
    let text = std::fs::read_to_string(docker_config_path()?).ok()?;
    let config: Value = serde_json::from_str(&text).ok()?;
    let auths = config["auths"].as_object()?;
    let entry = auths.iter().find_map(|(key, entry)| {
        let host = key
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default();
        (host == registry).then_some(entry)
    })?;
    if let Some(encoded) = entry["auth"].as_str() {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let (user, password) = String::from_utf8(decoded)
            .ok()?
            .split_once(':')
            .map(|(u, p)| (u.to_owned(), p.to_owned()))?;
        return Some((user, password));
    }
    Some((
        entry["username"].as_str()?.to_owned(),
        entry["password"].as_str()?.to_owned(),
    ))
}
