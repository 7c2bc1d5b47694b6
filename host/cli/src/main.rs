use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    omrun::main(omrun::Cli::parse())
}
