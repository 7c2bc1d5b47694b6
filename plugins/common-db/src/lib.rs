//! What every omrun SQL connector shares, so that a new SQL connector is a small dialect:
//!
//! - [`config`]: the connection and `sourceConfig` settings (OpenMetadata's `DatabaseMetadata`);
//! - [`filter`]: OpenMetadata's filter patterns and fully qualified names;
//! - [`column_type`]: a type's spelling to OpenMetadata's column type fields;
//! - [`type_parser`]: OpenMetadata's parser of Hive/Spark-style type strings (`struct<…>`,
//!   `array<…>`, `map<…>`), a struct's fields as children;
//! - [`Catalog`]: the dialect's trait — name-only listing for discovery, set-based description for
//!   processing;
//! - [`SqlSource`]: any `Catalog` as a [`DiscoverableSource`](omrun_sdk::DiscoverableSource).
//!
//! ```text
//! struct MyCatalog { /* connections */ }
//! impl omrun_common_db::Catalog for MyCatalog { /* queries */ }
//! omrun_sdk::export_discoverable_source!(omrun_common_db::SqlSource<MyCatalog>);
//! ```
//!
//! Everything but the catalog implementations is pure and tested natively:
//! `cargo test -p omrun-common-db --target x86_64-unknown-linux-gnu`.

#![warn(missing_docs)]

mod batch;
mod catalog;
pub mod column_type;
pub mod config;
pub mod filter;
pub mod per_database;
mod source;
pub mod type_parser;

pub use catalog::{Catalog, Databases, TableError, TableName, by_schema, is_view};
pub use per_database::PerDatabase;
pub use source::SqlSource;

#[cfg(test)]
mod source_tests;
