//! The connector of legacy-v0-1 (`../legacy-v0-1/src/connector.rs`), bound with plain
//! wit-bindgen to the frozen contract `omrun:connector@0.2.0`: since the SDK moved to 0.3.0,
//! this is the plugin that proves a 0.2.0 plugin keeps loading and ingesting through the host's
//! 0.2.0 binding, upgraded into 0.3.0.

wit_bindgen::generate!({
    path: "../../../wit/connector/v0.2.0",
    world: "discoverable-source",
});

// The stamp the SDK of 0.2.0 wrote.
#[used]
#[unsafe(link_section = "omrun:contract")]
static CONTRACT: [u8; 21] = *b"omrun:connector@0.2.0";

const NAME: &str = "legacy-v0-2";

include!("../../legacy-v0-1/src/connector.rs");
