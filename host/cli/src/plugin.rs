//! `omrun plugin`: tools for connector authors. `new` writes a standalone connector crate;
//! `inspect` says what a built `.wasm` is, needs and offers; `push` and `pull` move it through an
//! OCI registry.

use super::plugin_inspect::{self, InspectArgs};
use super::plugin_new::{self, NewArgs};
use super::plugin_registry::{self, PullArgs, PushArgs};
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
    /// Push a plugin to an OCI registry (`oci://REGISTRY/REPOSITORY:TAG`), its name, version and
    /// contract as annotations; prints the sha256 to pin it by.
    Push(PushArgs),
    /// Pull a plugin from an OCI registry into the local store; prints its path and sha256.
    Pull(PullArgs),
}

pub fn run(args: PluginArgs) -> ExitCode {
    match args.command {
        PluginCommand::New(args) => plugin_new::run(args),
        PluginCommand::Inspect(args) => plugin_inspect::run(args),
        PluginCommand::Push(args) => plugin_registry::push(args),
        PluginCommand::Pull(args) => plugin_registry::pull(args),
    }
}
