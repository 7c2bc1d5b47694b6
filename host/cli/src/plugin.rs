//! `omrun plugin`: tools for connector authors. `new` writes a standalone connector crate;
//! `inspect` says what a built `.wasm` is, needs and offers.

use super::plugin_inspect::{self, InspectArgs};
use super::plugin_new::{self, NewArgs};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct PluginArgs {
    #[command(subcommand)]
    pub command: PluginCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PluginCommand {
    /// Write a new connector crate that builds on its own, outside this repository.
    New(NewArgs),
    /// Show a plugin's name, version, contract, service types, needs, world, size and sha256.
    Inspect(InspectArgs),
}

pub fn run(args: PluginArgs) -> ExitCode {
    match args.command {
        PluginCommand::New(args) => plugin_new::run(args),
        PluginCommand::Inspect(args) => plugin_inspect::run(args),
    }
}
