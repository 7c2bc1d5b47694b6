//! The guest library for omrun connectors.
//!
//! A connector is a WebAssembly component that implements one of the worlds of the WIT contract
//! `omrun:connector@0.6.0`. With this crate it is a plain Rust type:
//!
//! - implement [`DiscoverableSource`] (list entities cheaply, then describe them in batches) and
//!   register it with [`export_discoverable_source!`], or
//! - implement [`Source`] (stream entities only) and register it with [`export_source!`];
//! - query databases through [`sql::Connection`], call HTTP APIs with [`http::Request`] (secrets
//!   by placeholder: [`http::secret`]), log with [`log::info!`] and friends, and build the
//!   records in [`types`].
//!
//! ```no_run
//! use omrun_sdk::sql::Connection;
//! use omrun_sdk::types::{Capability, Database, Entity, EntityRef, PluginInfo, SourceConfig};
//!
//! struct Demo {
//!     conn: Connection,
//! }
//!
//! impl omrun_sdk::DiscoverableSource for Demo {
//!     fn info() -> PluginInfo {
//!         PluginInfo {
//!             name: "demo".into(),
//!             version: env!("CARGO_PKG_VERSION").into(),
//!             service_types: vec!["Postgres".into()],
//!             capabilities: vec![Capability::Sql("source".into())],
//!         }
//!     }
//!
//!     fn open(_config: SourceConfig) -> Result<Self, String> {
//!         let conn = Connection::open("source", None).map_err(|e| e.to_string())?;
//!         Ok(Demo { conn })
//!     }
//!
//!     fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
//!         let rows = self.conn.query_all("SELECT current_database()::text", &[]);
//!         let rows = rows.map_err(|e| e.to_string())?;
//!         Ok(rows.iter().filter_map(|r| r.str(0)).map(EntityRef::database).collect())
//!     }
//!
//!     fn process(&mut self, batch: Vec<EntityRef>) -> Vec<Result<Vec<Entity>, String>> {
//!         let database = |r: EntityRef| Database {
//!             name: r.path.join("."),
//!             description: None,
//!             source_url: None,
//!         };
//!         batch.into_iter().map(|r| Ok(vec![Entity::Database(database(r))])).collect()
//!     }
//! }
//!
//! omrun_sdk::export_discoverable_source!(Demo);
//! ```
//!
//! SQL connectors get discovery, filters, batching and type mapping from `omrun-common-db`:
//! they implement its `Catalog` trait only. API connectors (see `plugins/looker`) implement
//! [`DiscoverableSource::process_one`] over [`http`].
//!
//! Build the crate as a `cdylib` for `wasm32-wasip2`; `cargo build --release` emits the component.
//! The export macros stamp it with the contract version ([`contract::CONTRACT`]), which the host
//! checks before compiling it; [`declare_config_keys!`] tells the host which config keys the
//! plugin reads, so a user learns which OpenMetadata keys they wrote have no effect.

// Every public item is documented: this crate is what connector authors read on docs.rs.
#![deny(missing_docs)]

// The generated export macros name this crate by path (`omrun_sdk::…`), also from inside it.
extern crate self as omrun_sdk;

#[allow(missing_docs)] // generated; documented by the WIT comments it carries
pub mod bindings;
pub mod config_keys;
pub mod contract;
mod export;
pub mod http;
pub mod log;
pub mod sql;
pub mod types;

#[doc(hidden)]
pub use export::__private;

use types::{Entity, EntityRef, Page, PluginInfo, SourceConfig};

#[doc(inline)]
pub use export::DISCOVERY_PAGE;

/// A connector that lists its entities cheaply and describes them in batches, so the host can run
/// it sequentially, on local threads or as Argo pods. Register it with
/// [`export_discoverable_source!`].
///
/// **Compatibility.** When a later contract adds an export, it arrives here as a method with a
/// default body, so a connector written for an older SDK still compiles unchanged.
///
/// The host creates one instance (one WebAssembly store) per worker and calls [`open`](Self::open)
/// once before anything else; the value returned lives until the instance goes away.
pub trait DiscoverableSource: Sized + 'static {
    /// Static facts about the plugin; may be called before `open`.
    fn info() -> PluginInfo;

    /// Reads the config and opens connections (or prepares to open them lazily).
    fn open(config: SourceConfig) -> Result<Self, String>;

    /// Names only: databases, schemas and tables after the config's filters. No column
    /// introspection. The SDK hands the list to the host in pages of [`DISCOVERY_PAGE`] refs;
    /// a connector that can list in pages itself implements
    /// [`discover_page`](Self::discover_page) instead.
    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        Err(format!(
            "plugin {} implements neither `discover` nor `discover_page`",
            Self::info().name
        ))
    }

    /// Names a page at a time, for catalogs too big to list in one answer (hundreds of thousands
    /// of tables): neither this instance nor the host then ever holds the whole list. `cursor` is
    /// `None` for the first page, else the [`Page::next`] of the page before; the last page has
    /// no `next`. A cursor must say where to resume (a key, an offset), not point into this
    /// instance's memory: after a failed call the host asks for the same cursor again, maybe of a
    /// fresh instance.
    ///
    /// The default, `None`, lists with [`discover`](Self::discover) and pages that list (held
    /// here until the host has taken the last page).
    fn discover_page(&mut self, cursor: Option<&str>) -> Option<Result<Page, String>> {
        let _ = cursor;
        None
    }

    /// Full metadata for a batch of refs: exactly one result per ref, in the same order. A ref
    /// that fails gets its own `Err`; the others still succeed.
    ///
    /// By default each ref is described on its own by [`process_one`](Self::process_one).
    /// Override this instead when a batch can be described with a few set-based queries (SQL
    /// catalogs: see `omrun-common-db`).
    fn process(&mut self, batch: Vec<EntityRef>) -> Vec<Result<Vec<Entity>, String>> {
        batch.into_iter().map(|r| self.process_one(r)).collect()
    }

    /// Full metadata for one ref (an API connector's natural unit: one dashboard, one call).
    /// Used by the default [`process`](Self::process); a connector overrides one or the other.
    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        Err(format!(
            "plugin {} describes no {:?}: it implements neither `process` nor `process_one` for it",
            Self::info().name,
            r.kind
        ))
    }
}

/// A connector that can only stream its entities; the host runs it sequentially. Register it
/// with [`export_source!`].
pub trait Source: Sized + 'static {
    /// Static facts about the plugin; may be called before `open`.
    fn info() -> PluginInfo;

    /// Reads the config and opens connections (or prepares to open them lazily).
    fn open(config: SourceConfig) -> Result<Self, String>;

    /// The next batch of entities, parents before children; `None` when done.
    fn next_batch(&mut self) -> Result<Option<Vec<Entity>>, String>;
}
