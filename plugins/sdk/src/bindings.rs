//! Bindings generated from the WIT contract (`wit/connector`: omrun's `wit/connector/v0.6.0`),
//! which imports the capabilities by their own packages (`wit/sql`, `wit/log`: omrun's
//! `wit/sql/v0.1.0` and `wit/log/v0.1.0`; read first, so the contract's `import
//! omrun:sql/sql@0.1.0` resolves). In omrun's tree these folders are links to the frozen versions;
//! in the published crate they are copies, so the crate builds on its own. Connector authors use the re-exports in
//! [`crate::types`], [`crate::sql`] and [`crate::log`] instead; this module is public because the
//! export macros expand to paths inside it.
//!
//! Each world is generated with the library-export pattern: its `export!` macro is public and the
//! *plugin* crate invokes it (through [`crate::export_discoverable_source!`] or
//! [`crate::export_source!`]), so only the world a plugin really exports ends up in its component.
//! The `source` world reuses the imports generated for `discoverable-source` (`with:`), so there is
//! a single `types`, `sql` and `log` module.

/// The `discoverable-source` world; also the home of the shared `types`, `sql` and `log` imports.
pub mod discoverable {
    wit_bindgen::generate!({
        path: ["wit/sql", "wit/log", "wit/connector"],
        // Named in full: with three packages read, a bare world name is ambiguous.
        world: "omrun:connector/discoverable-source@0.6.0",
        // The capabilities are other packages: wit-bindgen generates them only when asked.
        with: {
            "omrun:sql/sql@0.1.0": generate,
            "omrun:log/log@0.1.0": generate,
        },
        additional_derives: [PartialEq],
        pub_export_macro: true,
        export_macro_name: "export_discoverable_source_world",
        default_bindings_module: "omrun_sdk::bindings::discoverable",
        // The export macro expands in the plugin crate, which need not depend on wit-bindgen.
        runtime_path: "omrun_sdk::__private::wit_bindgen::rt",
    });
}

/// The `source` world.
pub mod source {
    wit_bindgen::generate!({
        path: ["wit/sql", "wit/log", "wit/connector"],
        world: "omrun:connector/source@0.6.0",
        with: {
            "omrun:connector/types@0.6.0": crate::bindings::discoverable::omrun::connector::types,
            "omrun:sql/sql@0.1.0": crate::bindings::discoverable::omrun::sql::sql,
            "omrun:log/log@0.1.0": crate::bindings::discoverable::omrun::log::log,
        },
        pub_export_macro: true,
        export_macro_name: "export_source_world",
        default_bindings_module: "omrun_sdk::bindings::source",
        runtime_path: "omrun_sdk::__private::wit_bindgen::rt",
    });
}
