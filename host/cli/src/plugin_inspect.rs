//! `omrun plugin inspect FILE.wasm [--json]`: what a plugin is, from the file and from its own
//! `info()`. It is instantiated with nothing granted, so inspecting a plugin cannot make it reach
//! anything.

use super::{CANNOT_START, fail};
use omrun_runtime::capability::Capability;
use omrun_runtime::plugin::{ComponentCache, Limits, Plugin, Stamp, World};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The plugin component (.wasm).
    pub file: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The `--json` output; the table shows the same fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Inspection {
    file: String,
    name: String,
    version: String,
    /// The contract the plugin was loaded as.
    contract: String,
    /// Whether the file says so itself (the `omrun:contract` section) or it was assumed.
    contract_stamped: bool,
    service_types: Vec<String>,
    capabilities: Vec<Need>,
    /// `discoverable-source` or `source`.
    world: &'static str,
    /// True for world `source`: it runs in the sequential orchestrator only.
    sequential_only: bool,
    size_bytes: u64,
    sha256: String,
}

#[derive(Debug, Serialize)]
struct Need {
    kind: &'static str,
    /// The SQL label, or the HTTP host.
    target: String,
}

pub fn run(args: InspectArgs) -> ExitCode {
    crate::logging::init(omrun_config::LoggerLevel::Warn);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(CANNOT_START, &e),
    };
    let plugin = match runtime.block_on(Plugin::inspect(&args.file, &ComponentCache::from_env())) {
        Ok(plugin) => plugin,
        Err(e) => return fail(CANNOT_START, &e),
    };
    // The file was just read whole by the loader; reading it again keeps the loader simple.
    let wasm =
        match omrun_runtime::plugin::read_plugin_file(&args.file, Limits::default().file_bytes) {
            Ok(wasm) => wasm,
            Err(e) => return fail(CANNOT_START, &e),
        };
    let inspection = inspection(&plugin, &wasm);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&inspection).expect("plain data serializes")
        );
    } else {
        print!("{}", table(&inspection));
    }
    ExitCode::SUCCESS
}

fn inspection(plugin: &Plugin, wasm: &[u8]) -> Inspection {
    let (world, sequential_only) = match plugin.world {
        World::Discoverable => ("discoverable-source", false),
        World::Sequential => ("source", true),
    };
    Inspection {
        file: plugin.path.display().to_string(),
        name: plugin.info.name.clone(),
        version: plugin.info.version.clone(),
        contract: plugin.contract.name().to_owned(),
        contract_stamped: matches!(plugin.stamp, Stamp::Present(_)),
        service_types: plugin.info.service_types.clone(),
        capabilities: plugin.info.capabilities.iter().map(need).collect(),
        world,
        sequential_only,
        size_bytes: wasm.len() as u64,
        sha256: hex::encode(Sha256::digest(wasm)),
    }
}

fn need(capability: &Capability) -> Need {
    match capability {
        Capability::Sql(label) => Need {
            kind: "sql",
            target: label.clone(),
        },
        Capability::Http(host) => Need {
            kind: "http",
            target: host.clone(),
        },
    }
}

fn table(i: &Inspection) -> String {
    let none = || "none".to_owned();
    let list = |items: Vec<String>| {
        if items.is_empty() {
            none()
        } else {
            items.join(", ")
        }
    };
    let contract = if i.contract_stamped {
        i.contract.clone()
    } else {
        format!(
            "{} (assumed: the file carries no contract stamp)",
            i.contract
        )
    };
    let world = if i.sequential_only {
        format!("{} (streams only: runs sequentially)", i.world)
    } else {
        format!("{} (discover + process: any orchestrator)", i.world)
    };
    let needs = i
        .capabilities
        .iter()
        .map(|n| format!("{} `{}`", n.kind, n.target))
        .collect();
    let rows = [
        ("file", i.file.clone()),
        ("name", i.name.clone()),
        ("version", i.version.clone()),
        ("contract", contract),
        ("service types", list(i.service_types.clone())),
        ("capabilities", list(needs)),
        ("world", world),
        ("size", format!("{} bytes", i.size_bytes)),
        ("sha256", i.sha256.clone()),
    ];
    rows.iter()
        .map(|(key, value)| format!("{key:<14} {value}\n"))
        .collect()
}
