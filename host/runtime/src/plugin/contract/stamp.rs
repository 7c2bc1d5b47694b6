//! Which contract a component was built for. omrun-sdk stamps the contract's package and version
//! (e.g. `omrun:connector@0.1.0`) into a custom section of the plugin; the host reads it with a
//! plain parse of the file, before compiling, so a plugin built for a contract this host does not
//! know is refused in milliseconds and with a message that says so, rather than with a linker
//! error about some import after a second of compiling.
//!
//! A component without the section (built with plain wit-bindgen, or by hand) is given the benefit
//! of the doubt: after compiling, it is loaded as the contract whose interfaces it exports (their
//! names carry the version), and refused, naming the missing section, when it exports none.

use wasmparser::{Parser, Payload};

/// The custom section that carries the contract (see omrun-sdk's `contract` module).
pub const SECTION: &str = "omrun:contract";

/// The package every contract version belongs to.
const PACKAGE: &str = "omrun:connector";

/// One contract version this host has bindings for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    V0_1,
    V0_2,
    V0_3,
    V0_4,
    V0_5,
    V0_6,
}

/// Every supported contract, oldest first.
pub const SUPPORTED: &[Contract] = &[
    Contract::V0_1,
    Contract::V0_2,
    Contract::V0_3,
    Contract::V0_4,
    Contract::V0_5,
    Contract::V0_6,
];

impl Contract {
    /// `X.Y.Z`.
    pub fn version(self) -> &'static str {
        self.name()
            .strip_prefix(PACKAGE)
            .and_then(|v| v.strip_prefix('@'))
            .expect("contract names are omrun:connector@VERSION")
    }

    fn from_stamp(stamp: &str) -> Option<Contract> {
        SUPPORTED.iter().copied().find(|c| c.name() == stamp)
    }
}

/// What the file says about its contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stamp {
    /// The section is there, with this text.
    Present(String),
    /// No such section.
    Missing,
}

/// Reads the contract stamp from the custom sections of `wasm`, nested modules included (the
/// sdk's section lives in the component's core module). Errors only when the file cannot be
/// parsed as far as the section.
pub fn read_stamp(wasm: &[u8]) -> Result<Stamp, String> {
    Ok(match custom_section(wasm, SECTION)? {
        Some(data) => Stamp::Present(String::from_utf8_lossy(&data).into_owned()),
        None => Stamp::Missing,
    })
}

/// The custom section omrun-sdk's `declare_config_keys!` writes: the config keys the plugin reads.
pub const CONFIG_KEYS_SECTION: &str = "omrun:config-keys";

/// The config keys the plugin declares it reads (dotted paths under `source`), or `None` when it
/// declares none. Not part of the contract: a plugin without the section loads all the same.
pub fn read_config_keys(wasm: &[u8]) -> Result<Option<Vec<String>>, String> {
    Ok(custom_section(wasm, CONFIG_KEYS_SECTION)?.map(|data| {
        String::from_utf8_lossy(&data)
            .lines()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect()
    }))
}

/// The data of the first custom section called `name`, in the component or a module inside it.
fn custom_section(wasm: &[u8], name: &str) -> Result<Option<Vec<u8>>, String> {
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CustomSection(section) = payload.map_err(|e| e.to_string())?
            && section.name() == name
        {
            return Ok(Some(section.data().to_vec()));
        }
    }
    Ok(None)
}

/// The contract to load a plugin with, or why it is refused; `None` for a plugin without a stamp,
/// whose contract is read from its exports once compiled. `shown` names the plugin (its file,
/// since its own name is not known before it runs).
pub fn select(stamp: &Stamp, shown: &str) -> Result<Option<Contract>, String> {
    match stamp {
        Stamp::Missing => Ok(None),
        Stamp::Present(text) => Contract::from_stamp(text).map(Some).ok_or_else(|| {
            format!(
                "plugin {shown} was built for {text}, this omrun supports {}",
                supported_range()
            )
        }),
    }
}

/// `omrun:connector@OLDEST–NEWEST`.
pub fn supported_range() -> String {
    let oldest = SUPPORTED.first().expect("at least one contract");
    let newest = SUPPORTED.last().expect("at least one contract");
    format!("{PACKAGE}@{}–{}", oldest.version(), newest.version())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component holding one core module with the given custom sections, encoded by hand: just
    /// enough structure for the parser to walk.
    fn component_with_sections(sections: &[(&str, &[u8])]) -> Vec<u8> {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        for (name, data) in sections {
            let mut body = vec![name.len() as u8];
            body.extend_from_slice(name.as_bytes());
            body.extend_from_slice(data);
            module.push(0); // custom section
            module.push(body.len() as u8);
            module.extend(body);
        }
        let mut component = b"\0asm\x0d\0\x01\0".to_vec();
        component.push(1); // core module section
        component.push(module.len() as u8);
        component.extend(module);
        component
    }

    #[test]
    fn finds_the_stamp_inside_the_core_module() {
        let wasm =
            component_with_sections(&[("producers", b"x"), (SECTION, b"omrun:connector@0.1.0")]);
        assert_eq!(
            read_stamp(&wasm).unwrap(),
            Stamp::Present("omrun:connector@0.1.0".into())
        );
    }

    #[test]
    fn reads_the_declared_config_keys() {
        let wasm = component_with_sections(&[
            (SECTION, b"omrun:connector@0.2.0"),
            (
                CONFIG_KEYS_SECTION,
                b"serviceConnection.config.database\nsourceConfig.config.x\n",
            ),
        ]);
        assert_eq!(
            read_config_keys(&wasm).unwrap(),
            Some(vec![
                "serviceConnection.config.database".to_owned(),
                "sourceConfig.config.x".to_owned()
            ])
        );
        let without = component_with_sections(&[(SECTION, b"omrun:connector@0.2.0")]);
        assert_eq!(read_config_keys(&without).unwrap(), None);
    }

    #[test]
    fn reports_a_missing_stamp() {
        let wasm = component_with_sections(&[("producers", b"x")]);
        assert_eq!(read_stamp(&wasm).unwrap(), Stamp::Missing);
    }

    #[test]
    fn known_stamp_selects_its_contract_and_missing_leaves_it_to_the_exports() {
        let stamp = Stamp::Present("omrun:connector@0.1.0".into());
        assert_eq!(select(&stamp, "p.wasm"), Ok(Some(Contract::V0_1)));
        let stamp = Stamp::Present("omrun:connector@0.2.0".into());
        assert_eq!(select(&stamp, "p.wasm"), Ok(Some(Contract::V0_2)));
        let stamp = Stamp::Present("omrun:connector@0.3.0".into());
        assert_eq!(select(&stamp, "p.wasm"), Ok(Some(Contract::V0_3)));
        let stamp = Stamp::Present("omrun:connector@0.4.0".into());
        assert_eq!(select(&stamp, "p.wasm"), Ok(Some(Contract::V0_4)));
        let stamp = Stamp::Present("omrun:connector@0.5.0".into());
        assert_eq!(select(&stamp, "p.wasm"), Ok(Some(Contract::V0_5)));
        let stamp = Stamp::Present("omrun:connector@0.6.0".into());
        assert_eq!(select(&stamp, "p.wasm"), Ok(Some(Contract::V0_6)));
        assert_eq!(select(&Stamp::Missing, "p.wasm"), Ok(None));
    }

    #[test]
    fn unknown_stamp_is_refused_naming_both_sides() {
        let stamp = Stamp::Present("omrun:connector@9.0.0".into());
        assert_eq!(
            select(&stamp, "p.wasm").unwrap_err(),
            "plugin p.wasm was built for omrun:connector@9.0.0, \
             this omrun supports omrun:connector@0.1.0–0.6.0"
        );
    }
}
