use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    omrun::cli::main(omrun::cli::Cli::parse())
}
