//! A connector frozen on contract `omrun:connector@0.1.0`, bound with plain wit-bindgen (no SDK,
//! which follows the newest contract). It makes up one database `legacy` with schema `main` and
//! the tables named in `serviceConnection.config.tables` (default `a`, `b`), each with two columns — no
//! database needed. The host must load it through its 0.1.0 binding, side by side with plugins of
//! newer contracts. The connector itself is `connector.rs`, which legacy-v0-2 binds to 0.2.0.

wit_bindgen::generate!({
    path: "../../../wit/connector/v0.1.0",
    world: "discoverable-source",
});

// The stamp the SDK would write: this plugin says which contract it was built for.
#[used]
#[unsafe(link_section = "omrun:contract")]
static CONTRACT: [u8; 21] = *b"omrun:connector@0.1.0";

const NAME: &str = "legacy-v0-1";

include!("connector.rs");
