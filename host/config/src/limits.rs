//! `workflowConfig.pluginLimits`: what one plugin instance may use. Every worker runs its own
//! instance, so a run may use up to `parallelism` times `memory`.
//!
//! ```yaml
//! workflowConfig:
//!   pluginLimits:
//!     memory: 512Mi            # bytes, or Kubernetes-style 512Mi / 2Gi / 500M; default 1Gi
//!     callTimeoutSeconds: 60   # one call into the plugin; default 300
//!     pluginFileSize: 200Mi    # the largest plugin file read; default 100Mi
//! ```

use serde::Deserialize;

/// The least and most linear memory an instance may be given: below 16 MiB a plugin cannot do
/// much; 4 GiB is all a 32-bit WebAssembly memory can address.
pub const MIN_MEMORY: u64 = 16 << 20;
pub const MAX_MEMORY: u64 = 4 << 30;
/// The longest call a config may allow, in seconds (a day): longer is a typo.
pub const MAX_CALL_SECONDS: f64 = 86_400.0;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginLimits {
    /// Linear memory per instance, in bytes.
    #[serde(default, deserialize_with = "memory")]
    pub memory: Option<u64>,
    /// Wall-clock time for one call into the plugin (`discover`, one `process` batch, …). Also
    /// the statement timeout of its SQL connections.
    #[serde(default, deserialize_with = "call_timeout")]
    pub call_timeout_seconds: Option<f64>,
    /// The largest plugin file read, in bytes.
    #[serde(default, deserialize_with = "file_size")]
    pub plugin_file_size: Option<u64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Quantity {
    Bytes(u64),
    Text(String),
}

fn memory<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    quantity(
        d,
        MIN_MEMORY..=MAX_MEMORY,
        "an amount of memory from 16Mi to 4Gi",
    )
}

fn file_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    quantity(d, 1 << 20..=MAX_MEMORY, "a size from 1Mi to 4Gi")
}

/// A number of bytes, written as bytes or a Kubernetes-style quantity, within `range`.
fn quantity<'de, D: serde::Deserializer<'de>>(
    d: D,
    range: std::ops::RangeInclusive<u64>,
    expected: &str,
) -> Result<Option<u64>, D::Error> {
    let bytes = match Option::<Quantity>::deserialize(d)? {
        None => return Ok(None),
        Some(Quantity::Bytes(n)) => Some(n),
        Some(Quantity::Text(text)) => parse_memory(&text),
    };
    match bytes {
        Some(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(serde::de::Error::custom(format!(
            "expected {expected}: bytes, or a number with a suffix Ki, Mi, Gi (powers of 1024) \
             or K, M, G (powers of 1000)"
        ))),
    }
}

/// `1073741824`, `512Mi`, `2Gi`, `500M` (Kubernetes' quantity suffixes, whole numbers only).
pub fn parse_memory(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(digits);
    let unit: u64 = match suffix {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "K" | "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(unit)
}

fn call_timeout<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        Some(s) if !(s > 0.0 && s <= MAX_CALL_SECONDS) => Err(serde::de::Error::custom(format!(
            "must be a number of seconds above 0, at most {MAX_CALL_SECONDS}"
        ))),
        s => Ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_bytes_or_a_kubernetes_quantity() {
        assert_eq!(parse_memory("1073741824"), Some(1 << 30));
        assert_eq!(parse_memory("512Mi"), Some(512 << 20));
        assert_eq!(parse_memory("2Gi"), Some(2 << 30));
        assert_eq!(parse_memory("500M"), Some(500_000_000));
        for bad in ["", "Mi", "1.5Gi", "2GB", "-1", "99999999999999999999Ti"] {
            assert_eq!(parse_memory(bad), None, "{bad}");
        }
    }

    #[test]
    fn plugin_file_size_is_a_quantity_from_one_mebibyte() {
        let set = parse(r#"{"pluginFileSize": "200Mi"}"#).unwrap();
        assert_eq!(set.plugin_file_size, Some(200 << 20));
        assert_eq!(parse("{}").unwrap().plugin_file_size, None);
        for bad in [
            r#"{"pluginFileSize": "10Ki"}"#,
            r#"{"pluginFileSize": "5Gi"}"#,
        ] {
            assert!(parse(bad).unwrap_err().contains("from 1Mi to 4Gi"), "{bad}");
        }
    }

    fn parse(yaml: &str) -> Result<PluginLimits, String> {
        serde_json::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn limits_are_bounded() {
        let set = parse(r#"{"memory": "256Mi", "callTimeoutSeconds": 2.5}"#).unwrap();
        assert_eq!(set.memory, Some(256 << 20));
        assert_eq!(set.call_timeout_seconds, Some(2.5));
        assert_eq!(
            parse(r#"{"memory": 33554432}"#).unwrap().memory,
            Some(32 << 20)
        );
        for bad in [
            r#"{"memory": "1Mi"}"#,
            r#"{"memory": "8Gi"}"#,
            r#"{"memory": "lots"}"#,
            r#"{"callTimeoutSeconds": 0}"#,
        ] {
            let err = parse(bad).unwrap_err();
            assert!(
                err.contains("expected an amount") || err.contains("above 0"),
                "{err}"
            );
        }
    }
}
