//! The BigQuery connector (`bigquery.wasm`): OpenMetadata's `BigQuery` service, read from Google's
//! REST APIs over the host's wasi:http — BigQuery's API v2 for projects' datasets and tables, Data
//! Catalog's for the policy tags on columns — as a service account whose key the host holds.

mod api;
mod columns;
mod config;
mod convert;

use omrun_sdk::types::{Capability, Entity, EntityRef, PluginInfo, SourceConfig};

use config::Config;

omrun_sdk::export_discoverable_source!(BigQuery);
omrun_sdk::declare_config_keys!(config::KEYS);

pub struct BigQuery {
    #[allow(dead_code)]
    config: Config,
}

impl omrun_sdk::DiscoverableSource for BigQuery {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "bigquery".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["BigQuery".into()],
            capabilities: vec![
                Capability::Http("{hostPort|bigquery.googleapis.com}".into()),
                Capability::Http(
                    "{credentials.gcpConfig.tokenUri|https://oauth2.googleapis.com/token}".into(),
                ),
                Capability::Http("{hostPort|datacatalog.googleapis.com}".into()),
            ],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let config = Config::parse(&config.service_connection, &config.source_config)?;
        Ok(Self { config })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        Err("not implemented yet".into())
    }

    fn process_one(&mut self, _r: EntityRef) -> Result<Vec<Entity>, String> {
        Err("not implemented yet".into())
    }
}
