//! Assembling a run from its config: the plugin (with the grants the config gives it), the sink,
//! the checkpoint; then running a part of the pipeline with it and summing up. Every orchestrator
//! runs its processes through here: `InProcess` the whole pipeline, Argo's pods one part each.

use super::Outcome;
use anyhow::{Context, anyhow};
use omrun_config::{self as config, Config};
use omrun_model::Names;
use omrun_pipeline::report::Report;
use omrun_pipeline::run::{
    self, Checkpoint, ForeignKeys, Identity, MarkDeleted, Part, Place, Recorded, Run, Unavailable,
    Workers,
};
use omrun_runtime::capability::Grants;
use omrun_runtime::plugin::{ComponentCache, Limits, Plugin, SourceConfig, World};
use omrun_sink::{self as sink, Destination, FileSink, Requests};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a run takes besides its config (the command line's run flags).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The connector; `None` looks for `<source.type>.wasm` (see `find_plugin`).
    pub plugin: Option<PathBuf>,
    /// Also write the run report as JSON here.
    pub report_json: Option<PathBuf>,
    /// Write to this JSON Lines file instead of the configured sink.
    pub file_sink: Option<PathBuf>,
    /// A run that finds nothing may succeed and mark stale entities deleted.
    pub allow_empty: bool,
}

/// Runs `part` of the workflow in this process with the workers `choose` picks for the plugin's
/// world; `finish` may complete the report (or write what the part produces) before it is
/// logged and written. `checkpoint`: where `ingest` keeps its checkpoint (Argo's pods keep none:
/// Argo retries a pod whole). The exit status: 0, 1 when anything this process did failed, 2 when
/// the run could not start.
pub fn execute(
    config: &Config,
    options: &Options,
    part: Part,
    threads: usize,
    checkpoint: Option<Place>,
    choose: impl FnOnce(World) -> Workers,
    finish: impl FnOnce(&mut Report) -> anyhow::Result<()>,
) -> Outcome {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(2))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return Outcome::CannotStart(e.to_string()),
    };
    runtime.block_on(async {
        let (run, workers, about) = match prepare(config, options, part, checkpoint, choose).await {
            Ok(prepared) => prepared,
            Err(e) => return Outcome::CannotStart(format!("{e:#}")),
        };
        let signal = Arc::new(std::sync::atomic::AtomicI32::new(0));
        let watching = tokio::spawn(stop_on_signal(run.clone(), signal.clone()));
        let outcome = run::drive(run.clone(), workers.count).await;
        watching.abort();
        let mut report = run
            .tally
            .finish(workers.mode, workers.count, run.plugin.name());
        report.retried += run.sink.retried();
        (report.plugin_version, report.plugin_sha256, report.contract) = about;
        report.config_sha256 = config.digest.clone();
        report.output = Destination::of(config, options.file_sink.as_deref()).to_string();
        // A run that failed as a whole (discovery, say) is in the report too, not only the log.
        if let Err(e) = &outcome {
            report.failures.push(omrun_pipeline::report::Failure {
                fqn: run.names.service(),
                kind: "run".into(),
                error: format!("{e:#}"),
                attempts: 1,
            });
            report.failed += 1;
        }
        // The exit status says what failed in this process: Argo's finalize adds the workers'
        // failures to its report, but retrying finalize would not bring them back.
        let failed_here = report.failed;
        let finished = match &outcome {
            Ok(()) if let Some(why) = run.tally.stopped() => Err(anyhow!(
                "stopped: {why}; {} of {} entities were not processed; `{}` continues this run",
                report
                    .found
                    .saturating_sub(report.processed + report.resumed + report.failed),
                report.found,
                resume_command()
            )),
            Ok(()) if run.found_nothing() => Err(nothing_found(config)),
            Ok(()) => finish(&mut report),
            Err(_) => Ok(()),
        };
        let signal = signal.load(std::sync::atomic::Ordering::SeqCst);
        report.status = match (&outcome, &finished) {
            _ if signal > 0 => "interrupted",
            (Ok(()), Ok(())) if report.failed == 0 => "succeeded",
            (Ok(()), Ok(())) => "failed",
            _ => "stopped",
        }
        .to_owned();
        report.log_summary();
        let clean = outcome.is_ok() && finished.is_ok() && report.failed == 0;
        run.sink.checkpoint().finish(clean, &resume_command());
        if let Some(path) = &options.report_json
            && let Err(e) = write_report(path, &report)
        {
            return Outcome::Broken(format!("{e:#}"));
        }
        match outcome.and(finished) {
            // 128 + the signal's number, as a shell reports a process the signal ended.
            Err(e) if signal > 0 => Outcome::Interrupted {
                signal,
                message: format!("{e:#}"),
            },
            Err(e) if e.is::<run::CannotStart>() => Outcome::CannotStart(format!("{e:#}")),
            Err(e) => Outcome::Broken(format!("{e:#}")),
            Ok(()) if failed_here > 0 => Outcome::Failed,
            Ok(()) => Outcome::Succeeded,
        }
    })
}

/// On SIGTERM or SIGINT (Ctrl-C): stop taking work and let the batches in flight finish, so the
/// sink keeps whole lines and the checkpoint what they wrote; the run then ends with the resume
/// command and 128 + the signal's number. A second signal ends the process at once.
async fn stop_on_signal(run: Arc<Run>, caught: Arc<std::sync::atomic::AtomicI32>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    let mut first = true;
    loop {
        let (name, number) = tokio::select! {
            _ = term.recv() => ("SIGTERM", libc::SIGTERM),
            _ = int.recv() => ("SIGINT", libc::SIGINT),
        };
        if !first {
            std::process::exit(128 + number);
        }
        first = false;
        caught.store(number, std::sync::atomic::Ordering::SeqCst);
        tracing::warn!(
            "{name}: finishing the batches in flight, then stopping (again to stop at once)"
        );
        run.tally.stop(format!("interrupted by {name}"));
    }
}

/// The error of a run that found nothing (see `Run::found_nothing`).
fn nothing_found(config: &Config) -> anyhow::Error {
    anyhow!(
        "{}: found nothing to ingest: no table, view, stored procedure or dashboard passed the \
         filters (databaseFilterPattern, schemaFilterPattern, tableFilterPattern…); nothing was \
         marked deleted. If the source is empty on purpose, pass --allow-empty",
        config.path.display()
    )
}

async fn prepare(
    config: &Config,
    options: &Options,
    part: Part,
    checkpoint: Option<Place>,
    choose: impl FnOnce(World) -> Workers,
) -> anyhow::Result<(Arc<Run>, Workers, (String, String, String))> {
    let source = &config.source;
    tracing::debug!(
        "Config {} (sha256 {})",
        config.path.display(),
        config.digest
    );
    let (plugin, grants) = load_plugin(config, options, Grants::from_config).await?;
    // Once per run: in the process that runs it whole, or in Argo's discover pod.
    if matches!(part, Part::All | Part::Containers(_)) {
        warn_keys_without_effect(config, &plugin);
    }
    grants.verify().await?;
    let service_type = source.service_connection.service_type().unwrap_or_default();
    let workers = choose(plugin.world);
    // What the report names the plugin by: version, file digest, contract.
    let about = (
        plugin.info.version.clone(),
        plugin.sha256.clone(),
        plugin.contract.name().to_owned(),
    );
    let requests = Requests::new(&source.service_name, service_type);
    let open_sink = async |keep: Option<u64>| -> anyhow::Result<Arc<dyn sink::Sink>> {
        Ok(match &options.file_sink {
            Some(path) => Arc::new(FileSink::open(path, keep, requests.clone())?),
            None => sink::from_config(config, requests.clone(), keep).await?,
        })
    };
    let (checkpoint, sink) = match checkpoint {
        // A resumed file continues after what the checkpoint recorded.
        Some(place) if place.resume => {
            let checkpoint = open_checkpoint(config, options, &plugin, &place)?;
            let sink = open_sink(checkpoint.sink_bytes()).await?;
            (checkpoint, sink)
        }
        // The sink first: a run that cannot start (a refused token) must not replace the
        // checkpoint of the run before it, which `--resume` would still continue.
        Some(place) => {
            let sink = open_sink(None).await?;
            (open_checkpoint(config, options, &plugin, &place)?, sink)
        }
        None => (Checkpoint::none(), open_sink(None).await?),
    };
    let distributed = &config.workflow.distributed_execution;
    let run = Run {
        source: plugin_config(config),
        names: Names::new(&source.service_name),
        plugin: Arc::new(plugin),
        sink: Recorded::new(sink, checkpoint),
        retry: distributed.retry_policy.clone(),
        batch_size: distributed.batch_size.map(|n| n.max(1) as usize),
        mark_deleted: MarkDeleted::from_source_config(&source.source_config.config),
        allow_empty: options.allow_empty,
        part,
        keys: ForeignKeys::default(),
        tally: Default::default(),
    };
    Ok((Arc::new(run), workers, about))
}

/// The plugin for the config (`--plugin`, else found by the source's type), loaded with the
/// grants `grant` makes from the config, and checked to serve the config's service type.
pub(crate) async fn load_plugin(
    config: &Config,
    options: &Options,
    grant: impl FnOnce(&Config, std::time::Duration) -> anyhow::Result<Grants>,
) -> anyhow::Result<(Plugin, Arc<Grants>)> {
    let source = &config.source;
    let service_type = source.service_connection.service_type().ok_or_else(|| {
        anyhow!(
            "{}: source.serviceConnection.config.type is required",
            config.path.display()
        )
    })?;
    let limits = Limits::from(&config.workflow.plugin_limits);
    let grants = Arc::new(
        grant(config, limits.call_timeout).with_context(|| config.path.display().to_string())?,
    );
    let path = crate::plugin_source::locate(config, options.plugin.as_deref()).await?;
    let plugin = Plugin::load(&path, &ComponentCache::from_env(), limits, grants).await?;
    if !plugin.info.service_types.iter().any(|t| t == service_type) {
        anyhow::bail!(
            "plugin {} ({}) handles {}, but the config's service type is `{service_type}`",
            plugin.info.name,
            path.display(),
            plugin.info.service_types.join(", ")
        );
    }
    tracing::info!(
        "Loaded plugin {} {} from {}",
        plugin.info.name,
        plugin.info.version,
        path.display()
    );
    // What its needs asked of the config too: the hosts to probe.
    let grants = plugin.grants().clone();
    Ok((plugin, grants))
}

/// What the plugin's `open` receives: the source's sections, secrets removed (the host keeps them).
pub(crate) fn plugin_config(config: &Config) -> SourceConfig {
    let source = &config.source;
    SourceConfig {
        service_name: source.service_name.clone(),
        service_connection: config::without_secrets(&source.service_connection.config),
        source_config: source.source_config.config.clone(),
        secrets: config::secret_paths(&source.service_connection.config),
    }
}

/// Names, once, the OpenMetadata keys the config sets that neither the host nor the plugin reads
/// (`Config::keys_without_effect`): valid for OpenMetadata, so not an error, but the user expects
/// them to do something.
fn warn_keys_without_effect(config: &Config, plugin: &Plugin) {
    match &plugin.config_keys {
        Some(keys) => {
            let idle = config.keys_without_effect(Some(keys));
            if !idle.is_empty() {
                tracing::warn!(
                    "{}: these keys have no effect with omrun and plugin {} {}: {}",
                    config.path.display(),
                    plugin.info.name,
                    plugin.info.version,
                    idle.join(", ")
                );
            }
        }
        None => tracing::debug!(
            "plugin {} declares no config keys (omrun_sdk::declare_config_keys!): keys it ignores \
             cannot be named",
            plugin.info.name
        ),
    }
}

/// The run's checkpoint at `place`. One that cannot be kept at its default place (a read-only
/// folder, or another run of the same config holds it) only costs this run the ability to be
/// resumed, and the run says so; one asked for (`--checkpoint`, `--resume`) cannot be missing.
fn open_checkpoint(
    config: &Config,
    options: &Options,
    plugin: &Plugin,
    place: &Place,
) -> anyhow::Result<Checkpoint> {
    let absolute = |path: &Path| {
        std::path::absolute(path)
            .unwrap_or_else(|_| path.to_owned())
            .display()
            .to_string()
    };
    let destination = Destination::of(config, options.file_sink.as_deref());
    let identity = Identity {
        config: absolute(&config.path),
        service: config.source.service_name.clone(),
        plugin: plugin.info.name.clone(),
        plugin_version: plugin.info.version.clone(),
        sink: destination.identity(),
    };
    match Checkpoint::open(place, identity, destination.file().is_some()) {
        Err(e) if !place.explicit && !place.resume && e.is::<Unavailable>() => {
            tracing::warn!(
                "{e:#}: this run keeps no checkpoint and cannot be resumed (--checkpoint PATH \
                 keeps one elsewhere)"
            );
            Ok(Checkpoint::none())
        }
        opened => opened,
    }
}

/// This command with `--resume`, for the last lines of a run that can be continued.
fn resume_command() -> String {
    let mut words: Vec<String> = std::env::args()
        .map(|word| {
            let plain = !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c));
            if plain {
                word
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect();
    if let Some(program) = words.first_mut() {
        *program = "omrun".into();
    }
    if !words.iter().any(|w| w == "--resume") {
        words.push("--resume".into());
    }
    words.join(" ")
}

/// `<type>.wasm` from each folder of $OMRUN_PLUGIN_PATH, then beside the executable
/// (`plugins/`), then where `scripts/build-plugins.sh` puts them in this source tree.
/// A source type another plugin serves: MariaDB speaks MySQL's protocol and catalog, so
/// `mysql.wasm` handles it unless a `mariadb.wasm` is installed; Presto speaks Trino's client
/// protocol (Trino is PrestoSQL renamed), so `trino.wasm` handles it unless a `presto.wasm` is.
const SERVED_BY: &[(&str, &str)] = &[("mariadb", "mysql"), ("presto", "trino")];

pub(crate) fn find_plugin(source_type: &str) -> anyhow::Result<PathBuf> {
    let source_type = source_type.to_ascii_lowercase();
    match find_plugin_file(&source_type) {
        Err(e) => match SERVED_BY.iter().find(|(t, _)| *t == source_type) {
            Some((_, family)) => find_plugin_file(family).map_err(|_| e),
            None => Err(e),
        },
        found => found,
    }
}

fn find_plugin_file(source_type: &str) -> anyhow::Result<PathBuf> {
    let file = format!("{source_type}.wasm");
    let mut folders: Vec<PathBuf> = std::env::var_os("OMRUN_PLUGIN_PATH")
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        folders.push(dir.join("plugins"));
    }
    folders.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../build/plugins"));
    let found = folders
        .iter()
        .map(|dir| dir.join(&file))
        .find(|candidate| candidate.is_file());
    found.map(|path| path.canonicalize().unwrap_or(path)).ok_or_else(|| {
        let searched: Vec<String> = folders.iter().map(|d| d.display().to_string()).collect();
        anyhow!(
            "no plugin for source type `{source_type}`: {file} is not in {}; build the plugins with \
             scripts/build-plugins.sh, or pass --plugin",
            searched.join(", ")
        )
    })
}

fn write_report(path: &Path, report: &Report) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(report)?;
    std::fs::write(path, json + "\n")
        .with_context(|| format!("cannot write report {}", path.display()))
}
