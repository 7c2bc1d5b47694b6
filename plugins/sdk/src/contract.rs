//! The contract version this SDK implements, and the stamp that carries it into every plugin.
//!
//! The host must know which contract a component was built for *before* it compiles it (compiling
//! costs up to a second and a wrong contract would only fail later, with a linker error about
//! some import). So the export macros put [`CONTRACT`] into a custom section named [`SECTION`] of
//! the plugin's core module; custom sections survive `wasm32-wasip2`'s componentisation and
//! `strip = true`, and the host finds them with a plain parse of the file.

/// The WIT package and version the bindings of this SDK were generated from.
pub const CONTRACT: &str = "omrun:connector@0.6.0";

/// The name of the custom section that holds [`CONTRACT`].
pub const SECTION: &str = "omrun:contract";

/// [`CONTRACT`] as a byte array: `#[link_section]` needs a static of array type.
#[doc(hidden)]
pub const STAMP: [u8; CONTRACT.len()] = to_array(CONTRACT);

const fn to_array<const N: usize>(text: &str) -> [u8; N] {
    let bytes = text.as_bytes();
    let mut array = [0u8; N];
    let mut i = 0;
    while i < N {
        array[i] = bytes[i];
        i += 1;
    }
    array
}

/// Stamps the contract version into the plugin crate. Expanded by the export macros in the plugin
/// crate itself (a `cdylib`, always linked whole), never in this library, whose unused objects the
/// linker may drop.
#[doc(hidden)]
#[macro_export]
macro_rules! __omrun_contract_stamp {
    () => {
        #[used]
        #[unsafe(link_section = "omrun:contract")]
        static OMRUN_CONTRACT_STAMP: [u8; $crate::contract::CONTRACT.len()] =
            $crate::contract::STAMP;
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_is_the_contract_text() {
        assert_eq!(&STAMP[..], CONTRACT.as_bytes());
    }

    #[test]
    fn contract_matches_the_wit_package_the_bindings_come_from() {
        let worlds = include_str!("../wit/connector/worlds.wit");
        let package = format!("package {CONTRACT};");
        assert!(
            worlds.lines().any(|line| line.trim() == package),
            "wit/connector/worlds.wit does not declare `{package}`"
        );
    }

    #[test]
    fn the_crate_version_follows_the_contract() {
        // omrun-sdk 0.6.x is the SDK for omrun:connector@0.6.0: a scaffolded plugin asks for
        // `omrun-sdk = "0.6"` and gets bindings of the contract its host expects.
        fn major_minor(version: &str) -> Vec<&str> {
            version.splitn(3, '.').take(2).collect()
        }
        let contract_version = CONTRACT.rsplit_once('@').expect("package@version").1;
        assert_eq!(
            major_minor(env!("CARGO_PKG_VERSION")),
            major_minor(contract_version),
            "omrun-sdk's version must follow {CONTRACT}"
        );
    }

    #[test]
    fn section_name_in_the_stamp_macro_is_section() {
        // `link_section` takes a literal, so the macro cannot use SECTION itself.
        let source = include_str!("contract.rs");
        let literal = format!("link_section = \"{SECTION}\"");
        assert!(source.contains(&literal));
    }
}
