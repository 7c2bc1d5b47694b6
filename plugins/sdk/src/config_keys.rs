//! Which keys of the workflow config a plugin reads, declared so the host can tell the user which
//! of the OpenMetadata keys they wrote have no effect.
//!
//! OpenMetadata's configs have many keys (`includeDDL`, `threads`, `incremental`, …) that a given
//! connector may not implement. The host checks every key against OpenMetadata's schema, but only
//! the plugin knows which of the valid ones it reads. [`declare_config_keys!`](crate::declare_config_keys) puts that list into
//! a custom section ([`SECTION`]) of the plugin, read by the host with a plain parse of the file
//! like the contract stamp: no contract change, and a plugin without the section still loads (the
//! host then does not list unimplemented keys).
//!
//! A key is a dotted path under the workflow's `source`, e.g. `serviceConnection.config.database`
//! or `sourceConfig.config.tableFilterPattern`; a declared key covers everything beneath it.

/// The name of the custom section that holds the declared keys, one per line.
pub const SECTION: &str = "omrun:config-keys";

/// The section's length for `keys`: each key and its newline.
#[doc(hidden)]
pub const fn section_len(keys: &[&str]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < keys.len() {
        len += keys[i].len() + 1;
        i += 1;
    }
    len
}

/// The section's bytes: `keys` one per line. `N` is [`section_len`]`(keys)`.
#[doc(hidden)]
pub const fn section<const N: usize>(keys: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    let mut i = 0;
    while i < keys.len() {
        let key = keys[i].as_bytes();
        let mut j = 0;
        while j < key.len() {
            out[at] = key[j];
            at += 1;
            j += 1;
        }
        out[at] = b'\n';
        at += 1;
        i += 1;
    }
    out
}

/// Declares the config keys this plugin reads (one or more `&'static [&'static str]` of dotted
/// paths under `source`, see the [module docs](self)). Expand it once, in the plugin crate (a
/// `cdylib`, linked whole); SQL connectors built on `omrun-common-db` pass its `config::KEYS`,
/// plus their own. Each list is a section of its own, which the linker appends to the others
/// (custom sections of one name are concatenated), one key per line either way.
///
/// ```ignore
/// omrun_sdk::declare_config_keys!(omrun_common_db::config::KEYS, &[
///     "serviceConnection.config.account",
/// ]);
/// ```
#[macro_export]
macro_rules! declare_config_keys {
    ($($keys:expr),+ $(,)?) => {
        $(
            #[cfg(target_arch = "wasm32")]
            const _: () = {
                const KEYS: &[&str] = $keys;
                #[used]
                #[unsafe(link_section = "omrun:config-keys")]
                static OMRUN_CONFIG_KEYS: [u8; $crate::config_keys::section_len(KEYS)] =
                    $crate::config_keys::section(KEYS);
            };
        )+
    };
}

/// The keys a `#[derive(Deserialize)]` struct reads (its field names after renaming), sorted: for a
/// plugin's test that its declared keys are exactly those its config structs read.
///
/// ```
/// #[derive(serde::Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Source {
///     include_views: Option<bool>,
///     table_filter_pattern: Option<serde_json::Value>,
/// }
/// assert_eq!(
///     omrun_sdk::config_keys::fields_of::<Source>(),
///     ["includeViews", "tableFilterPattern"]
/// );
/// ```
pub fn fields_of<'de, T: serde::Deserialize<'de>>() -> Vec<String> {
    let mut fields = Vec::new();
    // A struct asks its deserializer for itself by name and field list; this one answers with an
    // error once it has them.
    let _ = T::deserialize(FieldNames(&mut fields));
    fields.sort();
    fields
}

struct FieldNames<'a>(&'a mut Vec<String>);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names read")
    }
}

impl std::error::Error for Stop {}

impl serde::de::Error for Stop {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Stop
    }
}

impl<'de> serde::Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        self.0.extend(fields.iter().map(|f| (*f).to_owned()));
        Err(Stop)
    }

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_is_the_keys_one_per_line() {
        const KEYS: &[&str] = &["serviceConnection.config.database", "sourceConfig.config.x"];
        const BYTES: [u8; section_len(KEYS)] = section(KEYS);
        assert_eq!(
            std::str::from_utf8(&BYTES).unwrap(),
            "serviceConnection.config.database\nsourceConfig.config.x\n"
        );
        assert_eq!(section_len(&[]), 0);
    }

    #[test]
    fn section_name_in_the_macro_is_section() {
        // `link_section` takes a literal, so the macro cannot use SECTION itself.
        let source = include_str!("config_keys.rs");
        assert!(source.contains(&format!("link_section = \"{SECTION}\"")));
    }
}
