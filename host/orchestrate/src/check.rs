//! `omrun check`: is everything a run needs there, without running it? The config (already
//! loaded and checked by the caller), the plugin, the source (reach, credentials, and the right to
//! list: the plugin's own discovery, names only) and the sink (the file's folder; OpenMetadata's
//! version and the token). Each step answers within seconds: connecting gives up after
//! [`PROBE_TIMEOUT`] whatever the config allows a run.

use super::compose::{Options, load_plugin, plugin_config};
use omrun_config::Config;
use omrun_model::EntityKind;
use omrun_pipeline::run::Connector;
use omrun_runtime::capability::Grants;
use omrun_runtime::capability::http::PROBE_TIMEOUT;
use omrun_runtime::plugin::{World, next_cursor};
use std::collections::BTreeMap;

/// One step of the check and how it went.
#[derive(Debug)]
pub struct Step {
    /// `plugin`, `source`, `sink`.
    pub what: &'static str,
    pub outcome: Result<String, String>,
}

/// Runs the steps in order; a step that fails ends the check (the next would fail for its reason).
pub fn check(config: &Config, options: &Options) -> Vec<Step> {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return vec![Step {
                what: "runtime",
                outcome: Err(e.to_string()),
            }];
        }
    };
    runtime.block_on(async {
        let mut steps = Vec::new();
        let quick = |config: &Config, timeout| {
            let mut grants = Grants::from_config(config, timeout)?;
            for target in grants.sql.values_mut() {
                target.connect_within(PROBE_TIMEOUT);
            }
            Ok(grants)
        };
        let (plugin, grants) = match load_plugin(config, options, quick).await {
            Ok(loaded) => loaded,
            Err(e) => {
                steps.push(Step {
                    what: "plugin",
                    outcome: Err(format!("{e:#}")),
                });
                return steps;
            }
        };
        steps.push(Step {
            what: "plugin",
            outcome: Ok(format!(
                "{} {} (contract {}), from {}",
                plugin.info.name,
                plugin.info.version,
                plugin.contract.version(),
                plugin.path.display()
            )),
        });
        let source = async {
            grants.verify().await.map_err(|e| format!("{e:#}"))?;
            let mut instance = plugin
                .instantiate()
                .await
                .map_err(|e| format!("the plugin cannot start: {e}"))?;
            Connector::open(&mut instance, &plugin_config(config))
                .await
                .map_err(|e| format!("the plugin cannot open the source: {e}"))?;
            if plugin.world != World::Discoverable {
                return Ok(
                    "reached; the plugin streams entities, so listing them would ingest".to_owned(),
                );
            }
            // Counted page by page: a big catalog is never held whole.
            let mut by_kind: BTreeMap<EntityKind, usize> = BTreeMap::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = Connector::discover_page(&mut instance, cursor.as_deref())
                    .await
                    .map_err(|e| format!("the plugin cannot list the source: {e}"))?;
                for r in &page.refs {
                    *by_kind.entry(r.kind).or_default() += 1;
                }
                let next = next_cursor(cursor.as_deref(), page.next)
                    .map_err(|e| format!("the plugin cannot list the source: {e}"))?;
                match next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            Ok::<_, String>(format!("reached and listed: {}", counts(&by_kind)))
        }
        .await;
        let failed = source.is_err();
        steps.push(Step {
            what: "source",
            outcome: source,
        });
        if failed {
            return steps;
        }
        steps.push(Step {
            what: "sink",
            outcome: omrun_sink::check(config, options.file_sink.as_deref(), PROBE_TIMEOUT).await,
        });
        steps
    })
}

/// `3 databases, 12 schemas, 240 tables` (after the config's filters).
fn counts(by_kind: &BTreeMap<EntityKind, usize>) -> String {
    if by_kind.is_empty() {
        return "nothing (after the config's filters)".into();
    }
    by_kind
        .iter()
        .map(|(kind, n)| format!("{n} {}", kind.plural()))
        .collect::<Vec<_>>()
        .join(", ")
}
