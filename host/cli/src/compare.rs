//! `omrun compare`: the same ingestion sequentially and in local mode at several parallelisms, one
//! table of wall time, throughput, speed-up and peak memory. Each run is its own `omrun ingest`
//! process, so its memory and start-up are measured as a user would see them. By default every run
//! writes to a throwaway file: comparing must not write a production OpenMetadata several times.

use super::{CANNOT_START, FAILED, fail};
use omrun_config as config;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// OpenMetadata workflow config (YAML).
    #[arg(short, long, value_name = "CONFIG")]
    pub config: PathBuf,
    /// The connector (.wasm), as for `ingest`.
    #[arg(long, value_name = "PATH")]
    pub plugin: Option<PathBuf>,
    /// Worker counts to try in local mode.
    #[arg(long, value_delimiter = ',', default_value = "5,10,20", value_parser = clap::value_parser!(u32).range(1..=omrun_config::MAX_PARALLELISM as i64))]
    pub parallelism: Vec<u32>,
    /// Runs per mode; the table shows medians.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Write into the sink the config names, every run. Without it, runs write a throwaway file.
    #[arg(long)]
    pub use_config_sink: bool,
    /// Print the table as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One mode's figures (medians over its runs).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    mode: &'static str,
    parallelism: u32,
    /// Tables processed.
    entities: u64,
    failed: u64,
    /// Process wall time: start-up, plugin loading, discovery, processing, sink.
    wall_seconds: f64,
    entities_per_second: f64,
    /// Sequential wall time divided by this one.
    speedup: f64,
    peak_rss_mib: f64,
    runs: u32,
}

/// One run's figures.
struct Sample {
    wall_seconds: f64,
    peak_rss_kib: u64,
    processed: u64,
    failed: u64,
}

pub fn run(args: CompareArgs) -> ExitCode {
    if let Err(e) = config::load(&args.config) {
        return fail(CANNOT_START, &e);
    }
    let work = std::env::temp_dir().join(format!("omrun-compare-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&work) {
        return fail(
            CANNOT_START,
            &format!("cannot create {}: {e}", work.display()),
        );
    }
    let outcome = measure_all(&args, &work);
    let _ = std::fs::remove_dir_all(&work);
    let rows = match outcome {
        Ok(rows) => rows,
        Err(e) => return fail(FAILED, &format!("{e:#}")),
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).expect("rows serialise")
        );
    } else {
        print_table(&rows);
    }
    if rows.iter().any(|r| r.failed > 0) {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

fn measure_all(args: &CompareArgs, work: &Path) -> anyhow::Result<Vec<Row>> {
    let modes =
        std::iter::once(("sequential", 1)).chain(args.parallelism.iter().map(|p| ("local", *p)));
    let mut rows: Vec<Row> = Vec::new();
    for (mode, parallelism) in modes {
        let mut samples = Vec::new();
        for run in 1..=args.runs {
            eprintln!(
                "[INFO] compare: {mode}, parallelism {parallelism}, run {run} of {}",
                args.runs
            );
            samples.push(measure(args, work, mode, parallelism)?);
        }
        let sequential_wall = rows.first().map(|r| r.wall_seconds);
        rows.push(summarise(mode, parallelism, &samples, sequential_wall));
    }
    Ok(rows)
}

fn summarise(
    mode: &'static str,
    parallelism: u32,
    samples: &[Sample],
    sequential_wall: Option<f64>,
) -> Row {
    let wall = median(samples.iter().map(|s| s.wall_seconds).collect());
    let processed = samples.iter().map(|s| s.processed).max().unwrap_or(0);
    Row {
        mode,
        parallelism,
        entities: processed,
        failed: samples.iter().map(|s| s.failed).max().unwrap_or(0),
        wall_seconds: wall,
        entities_per_second: if wall > 0.0 {
            processed as f64 / wall
        } else {
            0.0
        },
        speedup: sequential_wall.unwrap_or(wall) / wall.max(f64::EPSILON),
        peak_rss_mib: median(
            samples
                .iter()
                .map(|s| s.peak_rss_kib as f64 / 1024.0)
                .collect(),
        ),
        runs: samples.len() as u32,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// One `omrun ingest` in `mode`, timed, its peak memory read from the kernel.
fn measure(
    args: &CompareArgs,
    work: &Path,
    mode: &str,
    parallelism: u32,
) -> anyhow::Result<Sample> {
    let report = work.join("report.json");
    let log = work.join("run.log");
    let _ = std::fs::remove_file(&report);
    let mut command = Command::new(std::env::current_exe()?);
    command.arg("ingest").arg("-c").arg(&args.config);
    command.args([
        "--orchestrator",
        mode,
        "--parallelism",
        &parallelism.to_string(),
    ]);
    command.arg("--report-json").arg(&report);
    // Its own checkpoint: the default one beside the config may be a real run's, to be resumed.
    command
        .arg("--checkpoint")
        .arg(work.join("checkpoint.jsonl"));
    if let Some(plugin) = &args.plugin {
        command.arg("--plugin").arg(plugin);
    }
    if !args.use_config_sink {
        command.arg("--file-sink").arg(work.join("throwaway.jsonl"));
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?);

    let started = Instant::now();
    let child = command.spawn()?;
    let (code, peak_rss_kib) = wait_with_peak_memory(child)?;
    let wall_seconds = started.elapsed().as_secs_f64();

    let report: serde_json::Value = match std::fs::read_to_string(&report) {
        Ok(text) => serde_json::from_str(&text)?,
        Err(_) => {
            let printed = std::fs::read_to_string(&log).unwrap_or_default();
            let last = printed
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no output");
            anyhow::bail!(
                "the {mode} run (parallelism {parallelism}) failed with exit status {code}: {last}"
            );
        }
    };
    let count = |key: &str| report[key].as_u64().unwrap_or(0);
    Ok(Sample {
        wall_seconds,
        peak_rss_kib,
        processed: count("processed"),
        failed: count("failed"),
    })
}

/// Waits for `child`; returns its exit status and its peak resident memory in KiB.
#[cfg(unix)]
fn wait_with_peak_memory(child: std::process::Child) -> std::io::Result<(i32, u64)> {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for the child we spawned (std does not reap it unless asked to).
    let reaped = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    if reaped < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // Linux reports ru_maxrss in KiB.
    Ok((code, usage.ru_maxrss.max(0) as u64))
}

#[cfg(not(unix))]
fn wait_with_peak_memory(mut child: std::process::Child) -> std::io::Result<(i32, u64)> {
    Ok((child.wait()?.code().unwrap_or(-1), 0))
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<11} {:>11} {:>9} {:>7} {:>9} {:>11} {:>8} {:>15}",
        "mode",
        "parallelism",
        "entities",
        "failed",
        "wall (s)",
        "entities/s",
        "speedup",
        "peak RSS (MiB)"
    );
    for r in rows {
        println!(
            "{:<11} {:>11} {:>9} {:>7} {:>9.3} {:>11.1} {:>7.2}x {:>15.1}",
            r.mode,
            r.parallelism,
            r.entities,
            r.failed,
            r.wall_seconds,
            r.entities_per_second,
            r.speedup,
            r.peak_rss_mib
        );
    }
    if let Some(runs) = rows.first().map(|r| r.runs).filter(|runs| *runs > 1) {
        println!("(medians of {runs} runs)");
    }
}
