//! `omrun check -c config.yaml`: whether a run could start — the config, the plugin, the source
//! (reach, credentials, the right to list) and the sink — without ingesting anything. One line per
//! step on stdout; exit 0 when every step passed, 2 when one did not (as `ingest` exits when it
//! cannot start). The steps are `omrun_orchestrate::check`'s.

use super::CANNOT_START;
use super::ingest::load_config;
use omrun_orchestrate::Options;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// OpenMetadata workflow config (YAML); `${VAR}` and `${VAR:-default}` are expanded.
    #[arg(short, long, value_name = "CONFIG")]
    pub config: PathBuf,
    /// The connector (.wasm). Default: as for `omrun ingest`.
    #[arg(long, value_name = "PATH")]
    pub plugin: Option<PathBuf>,
    /// Check this JSON Lines file's folder instead of the configured sink.
    #[arg(long, value_name = "PATH")]
    pub file_sink: Option<PathBuf>,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(code) => return code,
    };
    println!(
        "config: ok — {} is valid for OpenMetadata {}",
        config.path.display(),
        omrun_config::OPENMETADATA_VERSION
    );
    let options = Options {
        plugin: args.plugin,
        file_sink: args.file_sink,
        ..Options::default()
    };
    let steps = omrun_orchestrate::check(&config, &options);
    let mut passed = 0;
    for step in &steps {
        match &step.outcome {
            Ok(said) => {
                passed += 1;
                println!("{}: ok — {said}", step.what);
            }
            Err(why) => println!("{}: FAILED — {why}", step.what),
        }
    }
    // plugin, source, sink: fewer means a step failed and ended the check.
    if passed == 3 && passed == steps.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CANNOT_START)
    }
}
