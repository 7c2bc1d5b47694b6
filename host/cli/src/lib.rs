//! omrun: OpenMetadata ingestion with sandboxed WebAssembly connectors.
//!
//! This crate is the `omrun` command line: `ingest` runs a workflow; `check` tries what a run
//! needs without running it; `compare` runs it in every
//! mode and tabulates the speed of each; `plugin` helps connector authors (`new`, `inspect`);
//! `argo` renders and lints the Workflow of Argo mode and `airflow` renders the DAG of Airflow
//! mode, whose pods and tasks run `discover`, `worker` and `finalize`. It reads the command line, hands a plan to an orchestrator and turns the outcome
//! into an exit status; `logging` writes the log lines around the progress bar.
//!
//! The host is one crate per layer; each may depend only on crates of the rows below it, and Cargo
//! enforces it (a crate cannot name one it does not list, and the list cannot go round in a cycle):
//!
//! ```text
//! omrun              the command line (this crate) and logging
//! omrun-orchestrate  where a run executes (this process, Argo's pods, Airflow's tasks); assembles each run
//! omrun-pipeline     the run: discovery → containers → work queue → stale; the report
//! omrun-runtime      plugins and capabilities  │ omrun-sink    Create requests: file, REST
//! omrun-model        the entities              │ omrun-config  the workflow config
//! ```
//!
//! As the top row it may use any of them; nothing depends on it.

mod airflow;
mod argo;
mod check;
mod compare;
mod ingest;
pub mod logging;
mod plugin;
mod plugin_inspect;
mod plugin_new;
mod plugin_registry;
mod pod;

pub use check::CheckArgs;
pub use compare::CompareArgs;
pub use ingest::IngestArgs;
pub use plugin::PluginArgs;

use clap::{Parser, Subcommand};
use omrun_orchestrate::Outcome;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "omrun",
    version,
    about = "OpenMetadata ingestion with sandboxed WebAssembly connectors"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub log: LogArgs,
}

/// Logging, for every command (see `logging`).
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// Log level, over the config's `workflowConfig.loggerLevel` (`OMRUN_LOG` wins over both).
    #[arg(long, global = true, value_parser = ["debug", "info", "warn", "error"])]
    pub log_level: Option<String>,
    /// More log: `-v` debug, `-vv` trace.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Less log: `-q` warnings and errors, `-qq` errors only.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub quiet: u8,
    /// `text` (`TIME [LEVEL] message`) or `json` (one object per line: time, level, message,
    /// fields, target).
    #[arg(long, global = true, value_enum, default_value_t)]
    pub log_format: logging::Format,
}

impl LogArgs {
    fn overrides(&self) -> logging::Overrides {
        let flag = self.log_level.as_deref().map(|l| match l {
            "debug" => omrun_config::LoggerLevel::Debug,
            "warn" => omrun_config::LoggerLevel::Warn,
            "error" => omrun_config::LoggerLevel::Error,
            _ => omrun_config::LoggerLevel::Info,
        });
        logging::Overrides {
            level: logging::level_from(flag, self.verbose, self.quiet),
            format: self.log_format,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest metadata from a source into a sink, as the workflow config says.
    Ingest(IngestArgs),
    /// Check that a run could start: the config, the plugin, the source (reach, credentials,
    /// listing) and the sink, without ingesting. Exit 0 when all pass, 2 when one does not.
    Check(CheckArgs),
    /// Run the same ingestion sequentially and in local mode at several parallelisms, and compare.
    Compare(CompareArgs),
    /// Tools for connector authors: scaffold a new plugin, inspect a built one.
    Plugin(PluginArgs),
    /// Argo mode: render the Workflow a config runs as, or lint a Workflow file.
    Argo(argo::ArgoArgs),
    /// Airflow mode: render the DAG file a config runs as.
    Airflow(airflow::AirflowArgs),
    /// Argo pod, Airflow task: write the service, databases and schemas, and the shard list for
    /// the workers.
    Discover(pod::DiscoverArgs),
    /// Argo pod, Airflow task: process the entities of one shard; exits 1 when any failed, so the
    /// orchestrator retries it.
    Worker(pod::WorkerArgs),
    /// Argo pod, Airflow task: after the workers, mark stale tables deleted (only if every shard
    /// succeeded) and sum up the workers' reports. Exits 1 only for its own failures (retrying it
    /// cannot redo a worker's).
    Finalize(pod::FinalizeArgs),
}

/// Exit status when the run could not start: bad config, plugin or sink.
pub(crate) const CANNOT_START: u8 = 2;
/// Exit status when the run finished but some entity failed, or the run broke off.
pub(crate) const FAILED: u8 = 1;

pub fn main(cli: Cli) -> ExitCode {
    logging::set_overrides(cli.log.overrides());
    match cli.command {
        Command::Ingest(args) => ingest::run(args),
        Command::Check(args) => check::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Plugin(args) => plugin::run(args),
        Command::Argo(args) => argo::run(args),
        Command::Airflow(args) => airflow::run(args),
        Command::Discover(args) => pod::discover(args),
        Command::Worker(args) => pod::worker(args),
        Command::Finalize(args) => pod::finalize(args),
    }
}

/// Prints a rendered document. Not println!: it panics when the reader went away (`omrun argo
/// render | head`), which is no failure.
fn print(text: &str) -> ExitCode {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{}", text.trim_end()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(FAILED, &e),
        Ok(()) => ExitCode::SUCCESS,
    }
}

fn fail(code: u8, error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(code)
}

/// The exit status of a run's outcome; what broke it is the last line.
fn exit(outcome: Outcome) -> ExitCode {
    match outcome {
        Outcome::Succeeded => ExitCode::SUCCESS,
        Outcome::Failed => ExitCode::from(FAILED),
        Outcome::Broken(why) => fail(FAILED, &why),
        Outcome::CannotStart(why) => fail(CANNOT_START, &why),
        // 128 + the signal's number, as a shell reports a process the signal ended.
        Outcome::Interrupted { signal, message } => fail(128 + signal as u8, &message),
    }
}
